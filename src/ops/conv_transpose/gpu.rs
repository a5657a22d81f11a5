//! The GPU launch: weights uploaded once per context (re-packed per phase for the GEMM), then either the
//! direct gather kernel or the per-phase implicit GEMM (`shaders/conv_transpose/`), chunked over
//! the batch so that no binding exceeds the adapter's storage-binding limit.

use wgpu::util::DeviceExt;

use super::options::Geometry;
use super::phases::{PackedWeights, Placement};
use crate::error::{Error, Result};
use crate::gpu::dispatch::grid;
use crate::gpu::pipeline::{Kernel, Shader};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;

const DIRECT: Kernel = Kernel {
    shader: Shader {
        name: "conv_transpose/direct.wgsl",
        parts: &[include_str!("../../../shaders/conv_transpose/direct.wgsl")],
    },
    entry: "direct",
};
const GEMM: Kernel = Kernel {
    shader: Shader {
        name: "conv_transpose/gemm.wgsl",
        parts: &[include_str!("../../../shaders/conv_transpose/gemm.wgsl")],
    },
    entry: "gemm",
};
/// Threads per workgroup of the direct kernel and outputs per thread along x (`WG`, `STRIP`).
const DIRECT_WORKGROUP: usize = 64;
const DIRECT_STRIP: usize = 4;
/// GEMM tile sizes (BM, BN in `gemm.wgsl`).
const BM: usize = super::phases::BM;
const BN: usize = 64;

/// Which GPU kernel runs a transposed convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConvTransposeKernel {
    /// Chosen per layer by [`ConvTransposeKernel::select`].
    #[default]
    Auto,
    /// One thread per output, looping over the contributing taps and input channels.
    Direct,
    /// Per output phase, a tiled GEMM over (C_out/groups) × pixels × (C_in/groups · taps).
    Gemm,
}

impl ConvTransposeKernel {
    /// The selection rule, measured with `benches/conv_transpose.rs` on lavapipe (table in
    /// README, "Direct or implicit GEMM"): the GEMM needs enough output channels per group to fill
    /// its 32-row tiles (C_out/groups ≥ 8) and enough multiply-adds per input pixel to pay for
    /// its tiling (C_in/groups · C_out/groups ≥ 64). 8→8: GEMM 1.3× faster, 3→64: 5.6×,
    /// 128→64: 6–9×; 1→16 ties; 2→8, 4→4, 8→4, 64→3 and depthwise: direct 1.4–12× faster.
    pub fn select(cig: usize, cog: usize) -> Self {
        if cog >= 8 && cig * cog >= 64 {
            ConvTransposeKernel::Gemm
        } else {
            ConvTransposeKernel::Direct
        }
    }
}

/// A layer's weights on one device: as given (direct kernel), bias, the per-axis phase tables,
/// and, uploaded on the first GEMM launch, the weights re-packed per phase (GEMM).
pub(crate) struct GpuWeights {
    weight: wgpu::Buffer,
    packed: std::sync::Mutex<Option<wgpu::Buffer>>,
    bias: wgpu::Buffer,
    tables: wgpu::Buffer,
    /// Taken when the buffers are released (GL); see `GpuContext`'s `SerialLock`.
    serial: Option<std::sync::Arc<crate::gpu::SerialLock>>,
    layout: PackedWeights,
}

/// A storage buffer holding `data` (at least one element), bound whole by the kernels: refused
/// with a clear error when it exceeds the device's buffer or binding limit.
fn upload(ctx: &GpuContext, label: &str, data: &[f32]) -> Result<wgpu::Buffer> {
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
        Ok(Self {
            weight: upload(ctx, "weight", weight.data())?,
            packed: std::sync::Mutex::new(None),
            bias: upload(ctx, "bias", bias.map_or(&[][..], |b| b.data()))?,
            tables: upload(ctx, "phase tables", &tables)?,
            serial: ctx.serial_lock(),
            layout: packed.clone(),
        })
    }

    /// The weights re-packed per phase, uploaded on first use.
    fn packed(&self, ctx: &GpuContext) -> Result<wgpu::Buffer> {
        let mut packed = self.packed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = packed.as_ref() {
            return Ok(b.clone());
        }
        let b = upload(ctx, "weight re-packed per phase", &self.layout.packed)?;
        *packed = Some(b.clone());
        Ok(b)
    }

    /// Releases the buffers now, under the GL lock where there is one.
    fn release(&self) {
        let _guard = self.serial.as_deref().map(crate::gpu::SerialLock::lock);
        let packed = self.packed.lock().unwrap_or_else(|p| p.into_inner());
        for b in [&self.weight, &self.bias, &self.tables]
            .into_iter()
            .chain(packed.as_ref())
        {
            b.destroy();
        }
    }

    /// Bytes these buffers occupy on the GPU when `kernel` runs (the packed weights count for the
    /// GEMM, uploaded or not yet).
    pub fn bytes(&self, kernel: ConvTransposeKernel) -> u64 {
        let packed = match kernel {
            ConvTransposeKernel::Gemm => self.layout.packed.len().max(1) as u64 * 4,
            _ => 0,
        };
        self.weight.size() + self.bias.size() + self.tables.size() + packed
    }
}

impl Drop for GpuWeights {
    fn drop(&mut self) {
        self.release();
    }
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct DirectParams {
    rows: u32,
    in_offset: u32,
    out_offset: u32,
    has_bias: u32,
    c_in: u32,
    c_out: u32,
    cig: u32,
    cog: u32,
    segs: u32,
    _pad: [u32; 3],
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

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct GemmParams {
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

fn v4(v: [usize; 3]) -> [u32; 4] {
    [v[0] as u32, v[1] as u32, v[2] as u32, 0]
}

/// A storage binding of `len` bytes starting at byte `start` of `buffer`, with the start rounded
/// down to the offset alignment; returns the resource and the element offset of `start` in it.
fn binding(
    buffer: &wgpu::Buffer,
    start: u64,
    len: u64,
    align: u64,
) -> (wgpu::BindingResource<'_>, u32) {
    let base = start - start % align;
    let size = (start + len - base).max(4);
    (
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset: base,
            size: std::num::NonZeroU64::new(size),
        }),
        ((start - base) / 4) as u32,
    )
}

/// Records the transposed convolution of `input` into `output` on `encoder`.
#[allow(clippy::too_many_arguments)] // one call site; the arguments are the launch
pub(crate) fn encode(
    ctx: &GpuContext,
    geo: &Geometry,
    weights: &GpuWeights,
    kernel: ConvTransposeKernel,
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
    let limits = ctx.limits();
    let align = limits.min_storage_buffer_offset_alignment as u64;
    let room = limits.max_storage_buffer_binding_size.saturating_sub(align);
    let per_chunk = |image: usize| room.checked_div(image as u64 * 4).unwrap_or(u64::MAX);
    let chunk = per_chunk(in_image)
        .min(per_chunk(out_image))
        .min(geo.n as u64) as usize;
    if chunk == 0 {
        return Err(Error::LimitExceeded(format!(
            "one image of the transposed convolution ({} input and {} output bytes) exceeds this \
             adapter's max_storage_buffer_binding_size of {} bytes",
            in_image * 4,
            out_image * 4,
            limits.max_storage_buffer_binding_size
        )));
    }
    let kernel = match kernel {
        ConvTransposeKernel::Auto => ConvTransposeKernel::select(cig, cog),
        k => k,
    };
    let device = ctx.device();
    let max_dim = limits.max_compute_workgroups_per_dimension;
    let pipeline = ctx.pipeline(if kernel == ConvTransposeKernel::Gemm {
        GEMM
    } else {
        DIRECT
    })?;
    let layout = pipeline.get_bind_group_layout(0);
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("conv_transpose"),
        timestamp_writes,
    });
    pass.set_pipeline(&pipeline);
    let has_bias = layer.bias as u32;
    for n0 in (0..geo.n).step_by(chunk) {
        let n = chunk.min(geo.n - n0);
        let (src, in_offset) = binding(
            input.buffer(),
            (n0 * in_image) as u64 * 4,
            (n * in_image) as u64 * 4,
            align,
        );
        let (dst, out_offset) = binding(
            output.buffer(),
            (n0 * out_image) as u64 * 4,
            (n * out_image) as u64 * 4,
            align,
        );
        let mut dispatch =
            |params: &[u8], extra: &[wgpu::BindGroupEntry<'_>], workgroups: u64| -> Result<()> {
                let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("conv_transpose params"),
                    contents: params,
                    usage: wgpu::BufferUsages::UNIFORM,
                });
                let mut entries = vec![
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: uniform.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: src.clone(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: dst.clone(),
                    },
                ];
                entries.extend_from_slice(extra);
                let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("conv_transpose"),
                    layout: &layout,
                    entries: &entries,
                });
                let [x, y, z] = grid(workgroups, max_dim)?;
                pass.set_bind_group(0, &bind_group, &[]);
                pass.dispatch_workgroups(x, y, z);
                Ok(())
            };
        match kernel {
            ConvTransposeKernel::Gemm => {
                let packed = weights.packed(ctx)?;
                for ph in &weights.layout.phases {
                    let Placement { o0, cnt, b0 } = ph.placement(geo);
                    let pixels = n * cnt[0] * cnt[1] * cnt[2];
                    if pixels == 0 {
                        continue;
                    }
                    let tiles_n = pixels.div_ceil(BN);
                    let tiles_m = cog.div_ceil(BM);
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
                    dispatch(
                        bytemuck::bytes_of(&params),
                        &[
                            wgpu::BindGroupEntry {
                                binding: 3,
                                resource: packed.as_entire_binding(),
                            },
                            wgpu::BindGroupEntry {
                                binding: 4,
                                resource: weights.bias.as_entire_binding(),
                            },
                        ],
                        (tiles_n * tiles_m * layer.groups) as u64,
                    )?;
                }
            }
            _ => {
                let rows = n * layer.c_out * geo.l_out[0] * geo.l_out[1];
                let segs = geo.l_out[2].div_ceil(DIRECT_WORKGROUP * DIRECT_STRIP);
                let params = DirectParams {
                    rows: rows as u32,
                    segs: segs as u32,
                    _pad: [0; 3],
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
                    tab: [
                        weights.layout.table_offsets[0],
                        weights.layout.table_offsets[1],
                        weights.layout.table_offsets[2],
                        0,
                    ],
                };
                dispatch(
                    bytemuck::bytes_of(&params),
                    &[
                        wgpu::BindGroupEntry {
                            binding: 3,
                            resource: weights.weight.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 4,
                            resource: weights.bias.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 5,
                            resource: weights.tables.as_entire_binding(),
                        },
                    ],
                    (rows * segs) as u64,
                )?;
            }
        }
    }
    Ok(())
}
