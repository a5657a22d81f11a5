//! The GPU launch: weights uploaded once per context (re-packed per phase for the GEMM), then
//! either the direct gather kernel or the per-phase implicit GEMM (`shaders/conv_transpose/`),
//! chunked over the batch with the shared plumbing (`gpu/launch.rs`).

use super::ConvTransposeKernel;
use super::options::Geometry;
use super::phases::{BK, BM, PackedWeights, Placement};
use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};
use crate::ops::gemm::{self, GEMM_COLUMNS, TILE_ROWS};
use crate::tensor::Tensor;
use std::sync::LazyLock;

/// Threads per workgroup of the direct kernel and outputs per thread along x (`WG`, `STRIP`).
const DIRECT_WORKGROUP: usize = 64;
const DIRECT_STRIP: usize = 4;
/// GEMM tile width (pixels; `BN` in `gemm.wgsl`). BM and BK are the packing's (`phases.rs`).
const BN: usize = 64;

static DIRECT_SHADER: Shader = Shader {
    name: "conv_transpose/direct.wgsl",
    constants: &[
        ("WG", DIRECT_WORKGROUP as u32),
        ("STRIP", DIRECT_STRIP as u32),
    ],
    parts: &[include_str!("../../../shaders/conv_transpose/direct.wgsl")],
};
static GEMM_SHADER: Shader = Shader {
    name: "conv_transpose/gemm.wgsl",
    constants: &[("BM", BM as u32), ("BN", BN as u32), ("BK", BK as u32)],
    parts: &[
        include_str!("../../../shaders/conv_transpose/gemm_params.wgsl"),
        include_str!("../../../shaders/conv/gemm_tiled_shared.wgsl"),
        include_str!("../../../shaders/conv_transpose/gemm.wgsl"),
    ],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/conv_transpose/direct.wgsl`.
    struct DirectParams as "Params" {
        rows: u32,
        in_offset: u32,
        out_offset: u32,
        has_bias: u32,
        c_in: u32,
        c_out: u32,
        cig: u32,
        cog: u32,
        segs: u32,
        row0: u32,
        _pad1: u32,
        _pad2: u32,
        l_in: [u32; 4],
        l_out: [u32; 4],
        k: [u32; 4],
        s: [u32; 4],
        p: [u32; 4],
        d: [u32; 4],
        step: [u32; 4],
        e: [u32; 4],
        tab: [u32; 4],
    }
}

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/conv_transpose/gemm.wgsl`.
    struct GemmParams as "Params" {
        in_offset: u32,
        out_offset: u32,
        has_bias: u32,
        w_offset: u32,
        c_in: u32,
        c_out: u32,
        cig: u32,
        cog: u32,
        m: u32,
        n: u32,
        k: u32,
        kp: u32,
        mp: u32,
        tiles_n: u32,
        tiles_m: u32,
        _pad: u32,
        l_in: [u32; 4],
        l_out: [u32; 4],
        o0: [u32; 4],
        cnt: [u32; 4],
        b0: [i32; 4],
        nt: [u32; 4],
        e: [u32; 4],
        s: [u32; 4],
    }
}

static DIRECT: Kernel = Kernel {
    shader: &DIRECT_SHADER,
    entry: "direct",
    params: &<DirectParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::Read),
        (2, Slot::ReadWrite),
        (3, Slot::Read),
        (4, Slot::Read),
        (5, Slot::Read),
    ],
};
static GEMM: Kernel = Kernel {
    shader: &GEMM_SHADER,
    entry: "gemm",
    params: &<GemmParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::Read),
        (2, Slot::ReadWrite),
        (3, Slot::Read),
        (4, Slot::Read),
    ],
};

/// The GEMM on the subgroup core (`src/ops/gemm.rs`) for each tile height.
static GEMM_SG: gemm::Kernels = [
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[0])),
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[1])),
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[2])),
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[3])),
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[4])),
    LazyLock::new(|| gemm_sg_kernel(TILE_ROWS[5])),
];

fn gemm_sg_kernel(tm: usize) -> Kernel {
    gemm::subgroup_kernel(
        "conv_transpose/gemm_sg.wgsl",
        &[
            include_str!("../../../shaders/conv_transpose/gemm_params.wgsl"),
            include_str!("../../../shaders/conv/gemm_sg_shared.wgsl"),
            include_str!("../../../shaders/conv_transpose/gemm_sg.wgsl"),
        ],
        tm,
        &<GemmParams as crate::gpu::kernel::Params>::LAYOUT,
        GEMM.bindings,
    )
}

fn gemm_sg(tm: usize) -> &'static Kernel {
    gemm::pick(&GEMM_SG, tm)
}

/// Every transposed-convolution kernel.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    let mut all = vec![&DIRECT, &GEMM];
    all.extend(TILE_ROWS.map(gemm_sg));
    all
}

/// The kernel that runs for a resolved choice (`Direct` or `Gemm`) on `ctx`, for output
/// channels per group `cog`: the direct kernel, or the GEMM's core ([`gemm_tile`]).
pub(crate) fn kernel(ctx: &GpuContext, kind: ConvTransposeKernel, cog: usize) -> &'static Kernel {
    match kind {
        ConvTransposeKernel::Gemm => gemm_tile(ctx, cog).0,
        _ => &DIRECT,
    }
}

/// The GEMM kernel and its tile (rows, columns) on `ctx` for `cog` output channels per group:
/// on CPU adapters the subgroup core with TM rows per tile, else the workgroup-tiled kernel
/// (BM × BN).
fn gemm_tile(ctx: &GpuContext, cog: usize) -> (&'static Kernel, usize, usize) {
    if gemm::GemmCore::of(ctx) == gemm::GemmCore::Subgroup {
        let tm = gemm::tile_rows_plain(cog);
        (gemm_sg(tm), tm, GEMM_COLUMNS)
    } else {
        (&GEMM, BM, BN)
    }
}

/// A layer's weights on one device: as given (direct kernel), bias, the per-axis phase tables,
/// and, uploaded on the first GEMM launch, the weights re-packed per phase (GEMM). Dropping it
/// drops the buffer handles (no explicit destroy: a recorded command that uses them keeps them
/// until the GPU is done), under the GL lock where there is one.
pub(crate) struct GpuWeights {
    /// `Some` until dropped.
    buffers: Option<Buffers>,
    /// Taken while the buffers are released (GL); see `GpuContext`'s `SerialLock`.
    serial: Option<std::sync::Arc<crate::gpu::SerialLock>>,
    layout: PackedWeights,
}

struct Buffers {
    weight: wgpu::Buffer,
    packed: std::sync::Mutex<Option<wgpu::Buffer>>,
    /// The packing's index table, uploaded on the first re-packing on the GPU.
    index: std::sync::Mutex<Option<wgpu::Buffer>>,
    bias: wgpu::Buffer,
    tables: wgpu::Buffer,
}

/// A storage buffer holding `data` (at least one element), bound whole by the kernels: refused
/// with a clear error when it exceeds the device's buffer or binding limit.
pub(crate) fn upload(ctx: &GpuContext, label: &str, data: &[f32]) -> Result<wgpu::Buffer> {
    let bytes = data.len().max(1) as u64 * 4;
    let max = ctx.limits().max_storage_buffer_binding_size;
    if bytes > max {
        return Err(Error::LimitExceeded(format!(
            "the layer's {label} ({bytes} bytes) exceeds this adapter's \
             max_storage_buffer_binding_size of {max} bytes"
        )));
    }
    let buffer = ctx.storage_buffer(label, bytes)?;
    if !data.is_empty() {
        ctx.scoped(|| {
            ctx.queue()
                .write_buffer(&buffer, 0, bytemuck::cast_slice(data));
            Ok(())
        })?;
    }
    Ok(buffer)
}

impl GpuWeights {
    /// Uploads the weights as given, the bias and the phase tables (the packed weights wait for
    /// the first GEMM launch).
    pub fn new(
        ctx: &GpuContext,
        weight: &Tensor,
        bias: Option<&Tensor>,
        packed: &PackedWeights,
    ) -> Result<Self> {
        let tables: Vec<f32> = bytemuck::cast_slice(&packed.tables).to_vec();
        let buffers = Buffers {
            weight: upload(ctx, "weight", weight.data())?,
            packed: std::sync::Mutex::new(None),
            index: std::sync::Mutex::new(None),
            bias: upload(ctx, "bias", bias.map_or(&[][..], |b| b.data()))?,
            tables: upload(ctx, "phase tables", &tables)?,
        };
        crate::gpu::LIVE_LAYER_STATES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Self {
            buffers: Some(buffers),
            serial: ctx.serial_lock(),
            layout: packed.clone(),
        })
    }

    /// The weight as given, `(C_in, C_out/groups, k…)`.
    pub fn weight(&self) -> &wgpu::Buffer {
        &self.buffers().weight
    }

    /// The bias (a placeholder element when the layer has none).
    pub fn bias(&self) -> &wgpu::Buffer {
        &self.buffers().bias
    }

    fn buffers(&self) -> &Buffers {
        self.buffers
            .as_ref()
            .expect("the buffers are there until dropped")
    }

    /// The weights re-packed per phase, uploaded on first use.
    pub fn packed(&self, ctx: &GpuContext) -> Result<wgpu::Buffer> {
        let mut packed = self
            .buffers()
            .packed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(b) = packed.as_ref() {
            return Ok(b.clone());
        }
        let b = upload(ctx, "weight re-packed per phase", &self.layout.packed)?;
        *packed = Some(b.clone());
        Ok(b)
    }

    /// Records the re-packing of the GEMM's weight copy (where it was uploaded) from the weight
    /// buffer, after the weight was updated on the GPU.
    pub fn encode_repack(&self, ctx: &GpuContext, launch: &mut Launch<'_>) -> Result<()> {
        let b = self.buffers();
        let packed = b.packed.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(packed) = packed else {
            return Ok(());
        };
        let mut index = b.index.lock().unwrap_or_else(|p| p.into_inner());
        if index.is_none() {
            let table = self.layout.index_table()?;
            *index = Some(upload(
                ctx,
                "re-packing index",
                bytemuck::cast_slice(&table),
            )?);
        }
        let index = index.as_ref().expect("uploaded above");
        crate::ops::copy::encode_repack(launch, &b.weight, index, &packed, self.layout.packed.len())
    }

    /// Bytes these buffers occupy on the GPU when `kernel` runs (the packed weights count for the
    /// GEMM, uploaded or not yet).
    pub fn bytes(&self, kernel: ConvTransposeKernel) -> u64 {
        let packed = match kernel {
            ConvTransposeKernel::Gemm => self.layout.packed.len().max(1) as u64 * 4,
            _ => 0,
        };
        let b = self.buffers();
        b.weight.size() + b.bias.size() + b.tables.size() + packed
    }
}

impl Drop for GpuWeights {
    fn drop(&mut self) {
        let _guard = self.serial.as_deref().map(crate::gpu::SerialLock::lock);
        drop(self.buffers.take());
        crate::gpu::LIVE_LAYER_STATES.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn v4(v: [usize; 3]) -> [u32; 4] {
    [v[0] as u32, v[1] as u32, v[2] as u32, 0]
}

/// Records the transposed convolution of `input` into `output` on `encoder` with `kind`
/// (resolved: `Direct` or `Gemm`). The batch is cut into chunks whose images fit one binding;
/// where one output image is larger than a binding, the direct kernel runs it in bands of output
/// rows (an input image must fit).
#[allow(clippy::too_many_arguments)] // one call site; the arguments are the launch
pub(crate) fn encode(
    ctx: &GpuContext,
    geo: &Geometry,
    weights: &GpuWeights,
    kind: ConvTransposeKernel,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let (in_image, out_image) = (geo.in_image(), geo.out_image());
    if geo.n == 0 || out_image == 0 {
        return Ok(());
    }
    let limits = Limits::of(ctx);
    let what = |bytes: usize| {
        move || {
            format!(
                "one image of the transposed convolution ({} input and {bytes} output bytes)",
                in_image * 4
            )
        }
    };
    let row_len = geo.l_out[2];
    let image_rows = out_image / row_len;
    // Chunks (first image, images, first row in the image, rows): whole images where one fits
    // a binding, else bands of one image's output rows.
    let mut chunks = Vec::new();
    let kind = match chunk_items(
        &limits,
        geo.n,
        &[in_image, out_image],
        &[],
        what(out_image * 4),
    ) {
        Ok(chunk) => {
            for n0 in (0..geo.n).step_by(chunk) {
                let n = chunk.min(geo.n - n0);
                chunks.push((n0, n, 0, n * image_rows));
            }
            kind
        }
        Err(_) => {
            let band = chunk_items(&limits, image_rows, &[row_len], &[], what(row_len * 4))?;
            chunk_items(&limits, 1, &[in_image], &[], what(out_image * 4))?;
            for n0 in 0..geo.n {
                for r0 in (0..image_rows).step_by(band) {
                    chunks.push((n0, 1, r0, band.min(image_rows - r0)));
                }
            }
            ConvTransposeKernel::Direct
        }
    };
    let packed = match kind {
        ConvTransposeKernel::Gemm => Some(weights.packed(ctx)?),
        _ => None,
    };
    let mut launch = Launch::new(ctx, encoder, "conv_transpose", timestamp_writes);
    let has_bias = layer.bias as u32;
    for (n0, n, row0, rows) in chunks {
        let src = Window::new(input.buffer(), n0 * in_image, n * in_image, &limits);
        let first = n0 * out_image + row0 * row_len;
        let dst = Window::new(output.buffer(), first, rows * row_len, &limits);
        let (in_offset, out_offset) = (src.offset, dst.offset);
        let mut resources = vec![
            (1, src.resource),
            (2, dst.resource),
            (4, weights.buffers().bias.as_entire_binding()),
        ];
        match &packed {
            Some(packed) => {
                resources.push((3, packed.as_entire_binding()));
                let (kernel, tm, bn) = gemm_tile(ctx, cog);
                for ph in &weights.layout.phases {
                    let Placement { o0, cnt, b0 } = ph.placement(geo);
                    let pixels = n * cnt[0] * cnt[1] * cnt[2];
                    if pixels == 0 {
                        continue;
                    }
                    let tiles_n = pixels.div_ceil(bn);
                    let tiles_m = cog.div_ceil(tm);
                    let params = GemmParams {
                        in_offset,
                        out_offset,
                        has_bias,
                        w_offset: ph.w_offset as u32,
                        c_in: layer.c_in as u32,
                        c_out: layer.c_out as u32,
                        cig: cig as u32,
                        cog: cog as u32,
                        m: cog as u32,
                        n: pixels as u32,
                        k: ph.k as u32,
                        kp: ph.kp as u32,
                        mp: weights.layout.mp as u32,
                        tiles_n: tiles_n as u32,
                        tiles_m: tiles_m as u32,
                        _pad: 0,
                        l_in: v4(geo.l_in),
                        l_out: v4(geo.l_out),
                        o0: v4(o0),
                        cnt: v4(cnt),
                        b0: [b0[0] as i32, b0[1] as i32, b0[2] as i32, 0],
                        nt: v4(ph.nt),
                        e: v4(weights.layout.axes.each_ref().map(|a| a.e)),
                        s: v4(layer.s),
                    };
                    let groups = (tiles_n * tiles_m * layer.groups) as u64;
                    launch.dispatch(kernel, &params, &resources, Workgroups::Linear(groups))?;
                }
            }
            None => {
                resources.push((3, weights.buffers().weight.as_entire_binding()));
                resources.push((5, weights.buffers().tables.as_entire_binding()));
                let segs = row_len.div_ceil(DIRECT_WORKGROUP * DIRECT_STRIP);
                let [t0, t1, t2] = weights.layout.table_offsets;
                let params = DirectParams {
                    rows: rows as u32,
                    segs: segs as u32,
                    row0: row0 as u32,
                    in_offset,
                    out_offset,
                    has_bias,
                    c_in: layer.c_in as u32,
                    c_out: layer.c_out as u32,
                    cig: cig as u32,
                    cog: cog as u32,
                    l_in: v4(geo.l_in),
                    l_out: v4(geo.l_out),
                    k: v4(layer.k),
                    s: v4(layer.s),
                    p: v4(layer.p),
                    d: v4(layer.d),
                    step: v4(weights.layout.axes.each_ref().map(|a| a.step)),
                    e: v4(weights.layout.axes.each_ref().map(|a| a.e)),
                    tab: [t0, t1, t2, 0],
                    ..Default::default()
                };
                let groups = (rows * segs) as u64;
                launch.dispatch(&DIRECT, &params, &resources, Workgroups::Linear(groups))?;
            }
        }
    }
    Ok(())
}
