//! The GPU launches of the convolution computations (`plan.rs`): the direct gather kernel
//! (`shaders/conv/direct.wgsl`) and the weight / bias gradients as split partial sums reduced in
//! a fixed order (`shaders/conv/grad.wgsl`), chunked over the batch with the shared plumbing.

use super::plan::{Correlate, Gather, GatherPacking};
use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};
use crate::ops::conv_transpose::phases::{BK, BM};
use crate::ops::gemm::{
    self, GEMM_BLOCK_ROWS, GEMM_COLUMNS, GEMM_LANES, TILE_ROWS, WINDOW_MAX_VEC4S, XWindow,
};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::Mutex;

/// Threads per workgroup and outputs per thread along x of the direct kernel; threads per
/// workgroup of the gradient kernels.
const WORKGROUP: usize = 64;
const STRIP: usize = 4;
/// The gradient kernels aim for about this many threads (splits × gradient elements)...
const TARGET_THREADS: usize = 1 << 15;
/// ...within this many bytes of partial sums.
const PARTIALS_BUDGET: usize = 64 << 20;
/// The weight-gradient GEMM aims for about this many workgroups (tiles × splits) on the
/// workgroup-tiled kernel (GPUs)...
const GEMM_TARGET_WORKGROUPS: usize = 512;
/// ...and on the subgroup core (CPU adapters: a workgroup is one CPU task, and each split's
/// partial sums cost as many stores, and loads in the reduction, as a short split has terms)...
const GEMM_SG_TARGET_WORKGROUPS: usize = 64;
/// ...whose splits each take at least this many positions (a multiple of BK).
const GEMM_SG_MIN_SPLIT: usize = 512;

/// Whether a weight gradient runs as a GEMM ([`WEIGHT_GEMM`]) on the GEMM `core`: the rule of
/// [`ConvTransposeKernel::select`](crate::ConvTransposeKernel::select) with M = the gradient's
/// rows per group (channels of `S`) and the channels of `L` per group.
pub(crate) fn weight_gemm(c: &Correlate, core: gemm::GemmCore) -> bool {
    let (ag, bg) = (c.a / c.groups, c.b / c.groups);
    crate::ConvTransposeKernel::select(bg, ag, core) == crate::ConvTransposeKernel::Gemm
}

static DIRECT_SHADER: Shader = Shader {
    name: "conv/direct.wgsl",
    constants: &[("WG", WORKGROUP as u32), ("STRIP", STRIP as u32)],
    parts: &[include_str!("../../../shaders/conv/direct.wgsl")],
};
/// GEMM tile width (pixels; `BN` in `gemm.wgsl`); BM and BK are the packing's.
const BN: usize = 64;
static GEMM_SHADER: Shader = Shader {
    name: "conv/gemm.wgsl",
    constants: &[("BM", BM as u32), ("BN", BN as u32), ("BK", BK as u32)],
    parts: &[
        include_str!("../../../shaders/conv/gemm_params.wgsl"),
        include_str!("../../../shaders/conv/gemm_tiled_shared.wgsl"),
        include_str!("../../../shaders/conv/gemm.wgsl"),
    ],
};

/// The gather GEMM on the subgroup core (`src/ops/gemm.rs`) for each tile height.
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
        "conv/gemm_sg.wgsl",
        &[
            include_str!("../../../shaders/conv/gemm_params.wgsl"),
            include_str!("../../../shaders/conv/gemm_sg_shared.wgsl"),
            include_str!("../../../shaders/conv/gemm_sg.wgsl"),
        ],
        tm,
        &<GemmParams as crate::gpu::kernel::Params>::LAYOUT,
        GEMM.bindings,
    )
}
/// The gather GEMM on the narrow core's x-window form (`gemm_sg_window.wgsl`, the input also
/// bound as vec4s at binding 5), built on first use per (tile height, window): a bounded set, the
/// windows being at most `WINDOW_MAX_VEC4S` vec4s.
type WindowKernels = HashMap<(usize, XWindow), &'static Kernel>;
static GEMM_SG_WINDOW: LazyLock<Mutex<WindowKernels>> = LazyLock::new(Default::default);

fn gemm_sg_window(tm: usize, w: XWindow) -> &'static Kernel {
    let mut built = GEMM_SG_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    built.entry((tm, w)).or_insert_with(|| {
        Box::leak(Box::new(gemm::window_kernel(
            "conv/gemm_sg.wgsl + gemm_sg_window.wgsl",
            &[
                include_str!("../../../shaders/conv/gemm_params.wgsl"),
                include_str!("../../../shaders/conv/gemm_sg_shared.wgsl"),
                include_str!("../../../shaders/conv/gemm_sg.wgsl"),
                include_str!("../../../shaders/conv/gemm_sg_window.wgsl"),
            ],
            tm,
            w,
            &<GemmParams as crate::gpu::kernel::Params>::LAYOUT,
            &[
                (2, Slot::ReadWrite),
                (3, Slot::Read),
                (4, Slot::Read),
                (5, Slot::Read),
            ],
        )))
    })
}

/// The x-window of the gather GEMM's narrow tiles for `g` with its input bound at element
/// `offset`, where `gemm_sg_window.wgsl`'s conditions hold: input rows and offset multiples of 4,
/// output rows multiples of 8 (a lane's first pixel's x then a multiple of 8, its first tap's
/// input x ≡ −p mod 4), at most 8 taps along x and a window of at most `WINDOW_MAX_VEC4S` vec4s.
pub(crate) fn x_window(g: &Gather, offset: u32) -> Option<XWindow> {
    let aligned =
        g.l_in[2].is_multiple_of(4) && g.l_out[2].is_multiple_of(8) && offset.is_multiple_of(4);
    let w = XWindow {
        taps: g.k[2],
        stride: g.s[2],
        dilation: g.d[2],
        e0: (4 - g.p[2] % 4) % 4,
    };
    let fits = (1..=GEMM_LANES).contains(&w.taps) && w.vec4s() <= WINDOW_MAX_VEC4S;
    (aligned && fits).then_some(w)
}

static GRAD_SHADER: Shader = Shader {
    name: "conv/grad.wgsl",
    constants: &[
        ("WG", WORKGROUP as u32),
        ("BM", BM as u32),
        ("BN", BN as u32),
        ("BK", BK as u32),
    ],
    parts: &[
        include_str!("../../../shaders/conv/grad_params.wgsl"),
        include_str!("../../../shaders/conv/gemm_tiled_shared.wgsl"),
        include_str!("../../../shaders/conv/grad.wgsl"),
    ],
};

/// The weight-gradient GEMM on the subgroup core for each tile height, with S's rows gathered a
/// scalar at a time (`grad_sg_a.wgsl`)...
static WEIGHT_GEMM_SG: gemm::Kernels = [
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[0], false)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[1], false)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[2], false)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[3], false)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[4], false)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[5], false)),
];
/// ...or 4 positions at a time (`grad_sg_a_vec4.wgsl`; S bound as vec4s at binding 5),
/// where S's plane and offset are multiples of 4 ([`s_in_quads`]).
static WEIGHT_GEMM_SG_VEC4: gemm::Kernels = [
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[0], true)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[1], true)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[2], true)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[3], true)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[4], true)),
    LazyLock::new(|| weight_gemm_sg_kernel(TILE_ROWS[5], true)),
];

fn weight_gemm_sg_kernel(tm: usize, vec4: bool) -> Kernel {
    let (name, a_hook, bindings): (_, _, &'static [(u32, Slot)]) = if vec4 {
        (
            "conv/grad_sg.wgsl + grad_sg_a_vec4.wgsl",
            include_str!("../../../shaders/conv/grad_sg_a_vec4.wgsl"),
            &[(2, Slot::Read), (3, Slot::ReadWrite), (5, Slot::Read)],
        )
    } else {
        (
            "conv/grad_sg.wgsl",
            include_str!("../../../shaders/conv/grad_sg_a.wgsl"),
            WEIGHT_GEMM.bindings,
        )
    };
    gemm::subgroup_kernel_with(
        name,
        &[
            include_str!("../../../shaders/conv/grad_params.wgsl"),
            include_str!("../../../shaders/conv/grad_sg.wgsl"),
            a_hook,
        ],
        tm,
        &[("W_ROW_LANES", 1), ("W_TAPS_X", 0)],
        &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
        bindings,
    )
}

/// The weight-gradient GEMM on the narrow core's weight x-window form (`grad_sg_window.wgsl`, S
/// and L bound as vec4s at bindings 5 and 6), built on first use per (tile height,
/// [`WeightWindow`]).
type WeightWindowKernels = HashMap<(usize, WeightWindow), &'static Kernel>;
static WEIGHT_GEMM_SG_WINDOW: LazyLock<Mutex<WeightWindowKernels>> =
    LazyLock::new(Default::default);

fn weight_gemm_sg_window(tm: usize, ww: WeightWindow) -> &'static Kernel {
    let mut built = WEIGHT_GEMM_SG_WINDOW
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    built.entry((tm, ww)).or_insert_with(|| {
        Box::leak(Box::new(gemm::weight_window_kernel(
            "conv/grad_sg.wgsl + grad_sg_window.wgsl",
            &[
                include_str!("../../../shaders/conv/grad_params.wgsl"),
                include_str!("../../../shaders/conv/grad_sg.wgsl"),
                include_str!("../../../shaders/conv/grad_sg_window.wgsl"),
            ],
            tm,
            ww.w,
            ww.positions,
            ww.row_lanes,
            &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
            &[(3, Slot::ReadWrite), (5, Slot::Read), (6, Slot::Read)],
        )))
    })
}

/// The x-window and positions per step (8 where S's rows allow, else 4) of the weight-gradient
/// GEMM's narrow tiles for `c` with S and L bound at element offsets `s_offset` and `l_offset`,
/// where `grad_sg_window.wgsl`'s conditions hold: S's rows (so its planes) multiples of the
/// positions per step, its offset of 4, and splits starting at multiples of the positions (every
/// step's positions aligned vec4s of one row), L's rows and offset multiples of 4 (the window's
/// vec4s wholly inside a row or outside it; steps a multiple of 4 positions apart give L x ≡ −p
/// mod 4), at most 8 x taps (a lane's 8 columns whole rows of x taps, rounded up to a divisor of
/// 8: `w.taps`, the columns past the x taps computed and not stored), and windows of at most
/// `2·WINDOW_MAX_VEC4S` vec4s per lane. The y-carry form
/// ([`WeightWindow::row_lanes`] > 1) where a channel's taps are one row of x taps per lane and
/// y stride (no z taps, y dilation 1, y taps = y stride × rows per lane, at least 2 rows).
fn weight_window(c: &Correlate, s_offset: u32, l_offset: u32) -> Option<WeightWindow> {
    let w = XWindow {
        taps: c.k[2].next_power_of_two(),
        stride: c.s[2],
        dilation: c.d[2],
        e0: (4 - c.p[2] % 4) % 4,
    };
    let taps_fit = (1..=GEMM_LANES).contains(&c.k[2]);
    let aligned =
        s_offset.is_multiple_of(4) && c.l_l[2].is_multiple_of(4) && l_offset.is_multiple_of(4);
    let positions = gemm::WEIGHT_WINDOW_POSITIONS.into_iter().rev().find(|&q| {
        c.l_s[2].is_multiple_of(q)
            && BK.is_multiple_of(q)
            && GEMM_LANES / w.taps.max(1) * gemm::weight_window_vec4s(w, q) <= 2 * WINDOW_MAX_VEC4S
    })?;
    let rows = GEMM_LANES / w.taps.max(1);
    let carry = c.k[0] == 1 && c.d[1] == 1 && rows >= 2 && c.k[1] == c.s[1] * rows;
    debug_assert!(!carry || (c.k[1] * w.taps).is_multiple_of(GEMM_LANES));
    let row_lanes = if carry { c.s[1] } else { 1 };
    (aligned && taps_fit).then_some(WeightWindow {
        w,
        positions,
        row_lanes,
    })
}

/// The shape of a weight x-window kernel ([`gemm::weight_window_kernel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct WeightWindow {
    w: XWindow,
    /// Positions per step (4 or 8).
    positions: usize,
    /// Lanes per channel whose rows of taps interleave (a stride apart): above 1 the y-carry
    /// form, 1 none.
    row_lanes: usize,
}

/// Whether the vec4 A hook may read S (`s_image` elements per image, `s_plane` per channel) at
/// element offset `offset`: every group of 4 positions a split walks (splits start at multiples
/// of BK) is then one aligned vec4 within one channel plane.
fn s_in_quads(s_plane: usize, offset: u32) -> bool {
    s_plane.is_multiple_of(4) && offset.is_multiple_of(4) && BK.is_multiple_of(4)
}

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/conv/direct.wgsl`.
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
        pad_terms: u32,
        zero: f32,
        l_in: [u32; 4],
        l_out: [u32; 4],
        k: [u32; 4],
        s: [u32; 4],
        p: [u32; 4],
        d: [u32; 4],
    }
}

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/conv/gemm.wgsl`.
    struct GemmParams as "Params" {
        in_offset: u32,
        out_offset: u32,
        has_bias: u32,
        _pad0: u32,
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
        _pad1: u32,
        l_in: [u32; 4],
        l_out: [u32; 4],
        kdim: [u32; 4],
        s: [u32; 4],
        p: [u32; 4],
        d: [u32; 4],
    }
}

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/conv/grad.wgsl`.
    struct GradParams as "Params" {
        n: u32,
        a: u32,
        b: u32,
        ag: u32,
        bg: u32,
        len: u32,
        s_offset: u32,
        l_offset: u32,
        split0: u32,
        splits: u32,
        per_split: u32,
        wg_per_split: u32,
        k: [u32; 4],
        s: [u32; 4],
        p: [u32; 4],
        d: [u32; 4],
        l_s: [u32; 4],
        l_l: [u32; 4],
        accumulate: u32,
        tiles_n: u32,
        zero: f32,
        _pad3: u32,
    }
}

pub(crate) static DIRECT: Kernel = Kernel {
    shader: &DIRECT_SHADER,
    entry: "conv_direct",
    params: &<DirectParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::Read),
        (2, Slot::ReadWrite),
        (3, Slot::Read),
        (4, Slot::Read),
    ],
};
pub(crate) static GEMM: Kernel = Kernel {
    shader: &GEMM_SHADER,
    entry: "conv_gemm",
    params: &<GemmParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::Read),
        (2, Slot::ReadWrite),
        (3, Slot::Read),
        (4, Slot::Read),
    ],
};
pub(crate) static WEIGHT_PARTIALS: Kernel = Kernel {
    shader: &GRAD_SHADER,
    entry: "weight_partials",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::Read), (3, Slot::ReadWrite)],
};
pub(crate) static WEIGHT_GEMM: Kernel = Kernel {
    shader: &GRAD_SHADER,
    entry: "weight_gemm",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::Read), (3, Slot::ReadWrite)],
};
pub(crate) static CHANNEL_PARTIALS: Kernel = Kernel {
    shader: &GRAD_SHADER,
    entry: "channel_partials",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (3, Slot::ReadWrite)],
};
static GRAD_BIAS_VEC4_SHADER: Shader = Shader {
    name: "conv/grad_bias_vec4.wgsl + grad_bias_f32.wgsl",
    constants: &[("WG", WORKGROUP as u32), ("BIAS_Q", 4)],
    parts: &[
        include_str!("../../../shaders/conv/grad_params.wgsl"),
        include_str!("../../../shaders/conv/grad_bias_vec4.wgsl"),
        include_str!("../../../shaders/conv/grad_bias_f32.wgsl"),
    ],
};
/// The bias gradient's partial sums 4 positions per load (grad_output bound as vec4s at binding
/// 5), where planes and the offset are multiples of 4.
pub(crate) static CHANNEL_PARTIALS_VEC4: Kernel = Kernel {
    shader: &GRAD_BIAS_VEC4_SHADER,
    entry: "channel_partials_vec4",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(3, Slot::ReadWrite), (5, Slot::Read)],
};
static GRAD_BIAS_U64_SHADER: Shader = Shader {
    name: "conv/grad_bias_vec4.wgsl + grad_bias_u64.wgsl",
    constants: &[("WG", WORKGROUP as u32), ("BIAS_Q", 8)],
    parts: &[
        include_str!("../../../shaders/conv/grad_params.wgsl"),
        include_str!("../../../shaders/conv/grad_bias_vec4.wgsl"),
        include_str!("../../../shaders/conv/grad_bias_u64.wgsl"),
    ],
};
/// ...or 8 per load (grad_output bound as vec4<u64>s at binding 6), on a device with
/// `SHADER_INT64` where planes and the offset are multiples of 8.
pub(crate) static CHANNEL_PARTIALS_U64: Kernel = Kernel {
    shader: &GRAD_BIAS_U64_SHADER,
    entry: "channel_partials_vec4",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(3, Slot::ReadWrite), (6, Slot::Read)],
};
pub(crate) static REDUCE_SPLITS: Kernel = Kernel {
    shader: &GRAD_SHADER,
    entry: "reduce_splits",
    params: &<GradParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(3, Slot::ReadWrite), (4, Slot::ReadWrite)],
};

/// Every kernel of the convolution computations.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    let mut all = vec![&DIRECT, &GEMM];
    for kernels in [&GEMM_SG, &WEIGHT_GEMM_SG, &WEIGHT_GEMM_SG_VEC4] {
        all.extend(TILE_ROWS.map(|tm| gemm::pick(kernels, tm)));
    }
    all.extend([
        &WEIGHT_PARTIALS,
        &CHANNEL_PARTIALS,
        &CHANNEL_PARTIALS_VEC4,
        &CHANNEL_PARTIALS_U64,
        &REDUCE_SPLITS,
    ]);
    // The x-window kernels of the tests' and benches' layers (k4 s2 p1, k3 s1 p1), each height.
    for (taps, stride, e0) in [(4, 2, 3), (3, 1, 3), (1, 1, 0)] {
        for tm in [4, 8, 16] {
            all.push(gemm_sg_window(
                tm,
                XWindow {
                    taps,
                    stride,
                    dilation: 1,
                    e0,
                },
            ));
        }
    }
    // The weight x-window kernels of the tests' and benches' layers (k4 s2 p1, k2 s2 p0, and
    // k3 s1 p1 as rows of 4 x taps).
    for (taps, stride, e0) in [(4, 2, 3), (2, 2, 0), (4, 1, 3)] {
        for tm in [4, 8, 16] {
            for positions in gemm::WEIGHT_WINDOW_POSITIONS {
                let w = XWindow {
                    taps,
                    stride,
                    dilation: 1,
                    e0,
                };
                for row_lanes in std::iter::once(1).chain((stride > 1).then_some(stride)) {
                    all.push(weight_gemm_sg_window(
                        tm,
                        WeightWindow {
                            w,
                            positions,
                            row_lanes,
                        },
                    ));
                }
            }
        }
    }
    all
}

/// A convolution's weight re-packed for the GEMM ([`GatherPacking`]) on one device. Dropped
/// under the GL lock where there is one.
pub(crate) struct GemmWeights {
    buffer: Option<wgpu::Buffer>,
    serial: Option<std::sync::Arc<crate::gpu::SerialLock>>,
    kp: usize,
    mp: usize,
    /// The convolution packed for, and its index table once the GPU re-packed it.
    gather: Gather,
    index: std::sync::Mutex<Option<wgpu::Buffer>>,
}

impl GemmWeights {
    pub fn new(ctx: &GpuContext, g: &Gather, p: &GatherPacking) -> Result<Self> {
        Ok(GemmWeights {
            buffer: Some(crate::ops::conv_transpose::launch::upload(
                ctx,
                "weight re-packed for the GEMM",
                &p.packed,
            )?),
            serial: ctx.serial_lock(),
            kp: p.kp,
            mp: p.mp,
            gather: *g,
            index: Default::default(),
        })
    }

    /// Records the re-packing from `weight` (the layer's weight buffer), after the weight was
    /// updated on the GPU.
    pub fn encode_repack(
        &self,
        ctx: &GpuContext,
        launch: &mut Launch<'_>,
        weight: &wgpu::Buffer,
    ) -> Result<()> {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if index.is_none() {
            let table = GatherPacking::index_table(&self.gather)?;
            *index = Some(crate::ops::conv_transpose::launch::upload(
                ctx,
                "re-packing index",
                bytemuck::cast_slice(&table),
            )?);
        }
        let index = index.as_ref().expect("uploaded above");
        let count = (self.buffer().size() / 4) as usize;
        crate::ops::copy::encode_repack(launch, weight, index, self.buffer(), count)
    }

    fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("there until dropped")
    }

    /// Bytes on the GPU.
    pub fn bytes(&self) -> u64 {
        self.buffer().size()
    }
}

impl Drop for GemmWeights {
    fn drop(&mut self) {
        let _guard = self.serial.as_deref().map(crate::gpu::SerialLock::lock);
        drop(self.buffer.take());
    }
}

/// The gather GEMM's core on `ctx` (subgroup or not), rows and columns per tile for `g`.
fn gather_gemm_tile(ctx: &GpuContext, g: &Gather) -> (bool, usize, usize) {
    // On CPU adapters the subgroup core with TM rows per tile, else the workgroup-tiled kernel.
    if gemm::GemmCore::of(ctx) != gemm::GemmCore::Subgroup {
        return (false, BM, BN);
    }
    // The 16-row narrow tile only where the x-window form can run (the first chunk's offset 0;
    // another chunk's may fall back, still correct).
    let cog = g.c_out / g.groups;
    let narrow = gemm::tile_rows(cog);
    let tm = if narrow < GEMM_BLOCK_ROWS && x_window(g, 0).is_some() {
        narrow
    } else {
        gemm::tile_rows_plain(cog)
    };
    (true, tm, GEMM_COLUMNS)
}

/// The gather GEMM kernel for `g` with tiles of `tm` rows and the input bound at element
/// `offset`, and its x-window: narrow subgroup tiles load the input by x-windows of vec4s where
/// they can.
fn gather_gemm_kernel(
    g: &Gather,
    subgroup: bool,
    tm: usize,
    offset: u32,
) -> (&'static Kernel, Option<XWindow>) {
    let window = x_window(g, offset).filter(|_| subgroup && tm < GEMM_BLOCK_ROWS);
    let kernel = match (subgroup, window) {
        (false, _) => &GEMM,
        (true, Some(w)) => gemm_sg_window(tm, w),
        (true, None) => gemm::pick(&GEMM_SG, tm),
    };
    (kernel, window)
}

/// The kernel [`encode_gather_gemm`] runs for `g` on `ctx` (its first chunk's, where whole
/// images fit a binding; else the direct kernel).
pub(crate) fn gather_gemm_kernel_name(ctx: &GpuContext, g: &Gather) -> &'static str {
    let limits = Limits::of(ctx);
    let (in_image, out_image) = (g.in_image(), g.out_image());
    if chunk_items(&limits, g.n, &[in_image, out_image], &[], String::new).is_err() {
        return DIRECT.name();
    }
    let (subgroup, tm, _) = gather_gemm_tile(ctx, g);
    gather_gemm_kernel(g, subgroup, tm, 0).0.name()
}

/// Records `g` with the implicit GEMM (`gemm`, re-packed weights) where whole images fit a
/// binding, else with the direct kernel (`weight` as given). See [`encode_gather`].
#[allow(clippy::too_many_arguments)] // the arguments are the launch
pub(crate) fn encode_gather_gemm(
    ctx: &GpuContext,
    g: &Gather,
    gemm: &GemmWeights,
    weight: &wgpu::Buffer,
    bias: Option<&wgpu::Buffer>,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let (in_image, out_image) = (g.in_image(), g.out_image());
    if g.n == 0 || out_image == 0 {
        return Ok(());
    }
    let limits = Limits::of(ctx);
    let Ok(chunk) = chunk_items(&limits, g.n, &[in_image, out_image], &[], String::new) else {
        // (The GEMM runs only for finite weights.)
        return encode_gather(
            ctx,
            g,
            weight,
            true,
            bias,
            encoder,
            input,
            output,
            timestamp_writes,
        );
    };
    let (cig, cog) = (g.c_in / g.groups, g.c_out / g.groups);
    let out_plane: usize = g.l_out.iter().product();
    let mut launch = Launch::new(ctx, encoder, "conv gemm", timestamp_writes);
    let bias_buffer = bias.unwrap_or(weight);
    let (subgroup, tm, bn) = gather_gemm_tile(ctx, g);
    for n0 in (0..g.n).step_by(chunk) {
        let n = chunk.min(g.n - n0);
        let src = Window::new(input.buffer(), n0 * in_image, n * in_image, &limits);
        let dst = Window::new(output.buffer(), n0 * out_image, n * out_image, &limits);
        let pixels = n * out_plane;
        let (tiles_n, tiles_m) = (pixels.div_ceil(bn), cog.div_ceil(tm));
        let params = GemmParams {
            in_offset: src.offset,
            out_offset: dst.offset,
            has_bias: bias.is_some() as u32,
            c_in: g.c_in as u32,
            c_out: g.c_out as u32,
            cig: cig as u32,
            cog: cog as u32,
            m: cog as u32,
            n: pixels as u32,
            k: (cig * g.k_plane()) as u32,
            kp: gemm.kp as u32,
            mp: gemm.mp as u32,
            tiles_n: tiles_n as u32,
            tiles_m: tiles_m as u32,
            l_in: v4(g.l_in),
            l_out: v4(g.l_out),
            kdim: v4(g.k),
            s: v4(g.s),
            p: v4(g.p),
            d: v4(g.d),
            ..Default::default()
        };
        let (kernel, window) = gather_gemm_kernel(g, subgroup, tm, src.offset);
        // The x-window kernels read the input as vec4s, at binding 5 instead of 1.
        let src_binding = if window.is_some() { 5 } else { 1 };
        let resources = [
            (src_binding, src.resource),
            (2, dst.resource),
            (3, gemm.buffer().as_entire_binding()),
            (4, bias_buffer.as_entire_binding()),
        ];
        let groups = (tiles_n * tiles_m * g.groups) as u64;
        launch.dispatch(kernel, &params, &resources, Workgroups::Linear(groups))?;
    }
    Ok(())
}

fn v4(v: [usize; 3]) -> [u32; 4] {
    [v[0] as u32, v[1] as u32, v[2] as u32, 0]
}

/// Records `g` of `input` into `output` with `weight` (`(c_out, c_in/g, k…)`; not
/// `finite_weight`: the taps on the zero padding add `0 · w`, as PyTorch) and `bias` (`None`:
/// none) in a compute pass of its own. The batch is cut into chunks whose images fit one
/// binding; where one output image is larger than a binding, it runs in bands of output rows (an
/// input image must fit).
#[allow(clippy::too_many_arguments)] // the arguments are the launch
pub(crate) fn encode_gather(
    ctx: &GpuContext,
    g: &Gather,
    weight: &wgpu::Buffer,
    finite_weight: bool,
    bias: Option<&wgpu::Buffer>,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let (in_image, out_image) = (g.in_image(), g.out_image());
    if g.n == 0 || out_image == 0 {
        return Ok(());
    }
    let limits = Limits::of(ctx);
    let what = |bytes: usize| {
        move || {
            format!(
                "one image of the convolution ({} input and {bytes} output bytes)",
                in_image * 4
            )
        }
    };
    let row_len = g.l_out[2];
    let image_rows = out_image / row_len;
    let mut chunks = Vec::new();
    match chunk_items(
        &limits,
        g.n,
        &[in_image, out_image],
        &[],
        what(out_image * 4),
    ) {
        Ok(chunk) => {
            for n0 in (0..g.n).step_by(chunk) {
                let n = chunk.min(g.n - n0);
                chunks.push((n0, n, 0, n * image_rows));
            }
        }
        Err(_) => {
            let band = chunk_items(&limits, image_rows, &[row_len], &[], what(row_len * 4))?;
            chunk_items(&limits, 1, &[in_image], &[], what(out_image * 4))?;
            for n0 in 0..g.n {
                for r0 in (0..image_rows).step_by(band) {
                    chunks.push((n0, 1, r0, band.min(image_rows - r0)));
                }
            }
        }
    }
    let mut launch = Launch::new(ctx, encoder, "conv", timestamp_writes);
    // An unused binding still needs a buffer: the weight stands in for a missing bias.
    let bias_buffer = bias.unwrap_or(weight);
    let segs = row_len.div_ceil(WORKGROUP * STRIP);
    for (n0, n, row0, rows) in chunks {
        let src = Window::new(input.buffer(), n0 * in_image, n * in_image, &limits);
        let first = n0 * out_image + row0 * row_len;
        let dst = Window::new(output.buffer(), first, rows * row_len, &limits);
        let params = DirectParams {
            rows: rows as u32,
            in_offset: src.offset,
            out_offset: dst.offset,
            has_bias: bias.is_some() as u32,
            pad_terms: !finite_weight as u32,
            c_in: g.c_in as u32,
            c_out: g.c_out as u32,
            cig: (g.c_in / g.groups) as u32,
            cog: (g.c_out / g.groups) as u32,
            segs: segs as u32,
            row0: row0 as u32,
            l_in: v4(g.l_in),
            l_out: v4(g.l_out),
            k: v4(g.k),
            s: v4(g.s),
            p: v4(g.p),
            d: v4(g.d),
            ..Default::default()
        };
        let resources = [
            (1, src.resource),
            (2, dst.resource),
            (3, weight.as_entire_binding()),
            (4, bias_buffer.as_entire_binding()),
        ];
        let groups = (rows * segs) as u64;
        launch.dispatch(&DIRECT, &params, &resources, Workgroups::Linear(groups))?;
    }
    Ok(())
}

/// Splits per chunk of `rows` rows for a gradient of `len` elements with `chunks` chunks: enough
/// threads to fill the device, within the partial sums' budget.
fn splits_for(rows: usize, len: usize, chunks: usize, limits: &Limits) -> usize {
    let budget = PARTIALS_BUDGET.min(limits.max_binding as usize) / 4;
    let by_budget = (budget / len.max(1) / chunks.max(1)).max(1);
    TARGET_THREADS
        .div_ceil(len.max(1))
        .min(rows.max(1))
        .min(by_budget)
        .max(1)
}

/// A fixed-order gradient: the partial sums, then [`REDUCE_SPLITS`] into `grad` (overwritten, or
/// added to with `accumulate`). `partials` records each chunk's partial-sum dispatch.
#[allow(clippy::too_many_arguments)] // the arguments are the launch
fn reduce_into(
    ctx: &GpuContext,
    launch: &mut Launch<'_>,
    len: usize,
    total_splits: usize,
    grad: &GpuTensor,
    accumulate: bool,
    partials: impl FnOnce(&mut Launch<'_>, &wgpu::Buffer) -> Result<()>,
) -> Result<()> {
    if len == 0 {
        return Ok(());
    }
    if total_splits == 0 {
        return Err(Error::Gpu(
            "internal: a gradient with no terms reached the GPU (an empty batch is cleared by \
             the caller)"
                .into(),
        ));
    }
    let bytes = (total_splits * len) as u64 * 4;
    let limits = Limits::of(ctx);
    if bytes > limits.max_binding {
        return Err(Error::LimitExceeded(format!(
            "the gradient's partial sums ({bytes} bytes) exceed this adapter's \
             max_storage_buffer_binding_size of {} bytes",
            limits.max_binding
        )));
    }
    let scratch = ctx.storage_buffer("conv gradient partial sums", bytes)?;
    partials(launch, &scratch)?;
    let params = GradParams {
        len: len as u32,
        splits: total_splits as u32,
        accumulate: accumulate as u32,
        ..Default::default()
    };
    let grad_window = Window::new(grad.buffer(), 0, len, &limits);
    let resources = [(3, scratch.as_entire_binding()), (4, grad_window.resource)];
    let groups = len.div_ceil(WORKGROUP) as u64;
    launch.dispatch(
        &REDUCE_SPLITS,
        &params,
        &resources,
        Workgroups::Linear(groups),
    )
}

/// A bias gradient: the channel sums of `y` (grad_output: `channels` of `l` per image) into
/// `grad`.
pub(crate) struct BiasGrad<'a> {
    pub y: &'a GpuTensor,
    pub channels: usize,
    pub l: [usize; 3],
    pub grad: &'a GpuTensor,
}

/// Records the parameter gradients of a convolution in one compute pass (with `timestamp_writes`
/// at its ends): the weight's (`c` of `s` and `l`) into `grad_weight` and the bias's. Overwritten, or added to with
/// `accumulate`; bitwise the same on every run. An empty batch clears them (or leaves them, with
/// `accumulate`).
#[allow(clippy::too_many_arguments)] // the arguments are the launch
pub(crate) fn encode_param_grads(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    c: &Correlate,
    s: &GpuTensor,
    l: &GpuTensor,
    grad_weight: &GpuTensor,
    bias: Option<BiasGrad<'_>>,
    accumulate: bool,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    if c.n == 0 {
        if !accumulate {
            encoder.clear_buffer(grad_weight.buffer(), 0, Some(grad_weight.size_bytes()));
            if let Some(b) = &bias {
                encoder.clear_buffer(b.grad.buffer(), 0, Some(b.grad.size_bytes()));
            }
        }
        return Ok(());
    }
    let mut launch = Launch::new(ctx, encoder, "conv gradients", timestamp_writes);
    encode_weight_grad(ctx, &mut launch, c, s, l, grad_weight, accumulate)?;
    if let Some(b) = bias {
        encode_bias_grad(
            ctx,
            &mut launch,
            c.n,
            b.channels,
            b.l,
            b.y,
            b.grad,
            accumulate,
        )?;
    }
    Ok(())
}

/// Records the weight gradient `c` of `s` and `l` into `grad` (`(a, b/g, k…)`), overwriting it,
/// or adding to it with `accumulate`. Bitwise the same on every run.
#[allow(clippy::too_many_arguments)] // the arguments are the launch
fn encode_weight_grad(
    ctx: &GpuContext,
    launch: &mut Launch<'_>,
    c: &Correlate,
    s: &GpuTensor,
    l: &GpuTensor,
    grad: &GpuTensor,
    accumulate: bool,
) -> Result<()> {
    let len = c.weight_len();
    let limits = Limits::of(ctx);
    let (s_image, l_image) = (c.s_image(), c.l_image());
    let chunk = chunk_items(&limits, c.n, &[s_image, l_image], &[], || {
        format!(
            "one image of the weight gradient ({} and {} bytes)",
            s_image * 4,
            l_image * 4
        )
    })?;
    let core = gemm::GemmCore::of(ctx);
    let gemm = weight_gemm(c, core);
    let (ag, bg) = (c.a / c.groups, c.b / c.groups);
    let taps: usize = c.k.iter().product();
    // On CPU adapters the subgroup core (TM rows × 64 columns per tile), else the workgroup-tiled
    // kernel (BM × BN).
    let subgroup = core == gemm::GemmCore::Subgroup;
    // The 16-row narrow tile only where the weight x-window form can run (as the gather's).
    let tm = if !subgroup {
        BM
    } else if gemm::tile_rows(ag) < GEMM_BLOCK_ROWS && gemm && weight_window(c, 0, 0).is_some() {
        gemm::tile_rows(ag)
    } else {
        gemm::tile_rows_plain(ag)
    };
    debug_assert_eq!(BN, GEMM_COLUMNS);
    // The x-window form's columns are rows of `w.taps` x taps (the x taps rounded up): where the
    // first chunk runs it, every chunk runs that many (a chunk that falls back to the plain
    // kernel then has tiles past its columns, which store nothing).
    let cols = match weight_window(c, 0, 0).filter(|_| gemm && subgroup && tm < GEMM_BLOCK_ROWS) {
        Some(ww) => bg * taps / c.k[2] * ww.w.taps,
        None => bg * taps,
    };
    let (tiles_n, tiles_m) = (cols.div_ceil(BN), ag.div_ceil(tm));
    // Work items per image the splits cut: rows (n, jz, jy) of S for the direct kernel, (n, j)
    // positions for the GEMM.
    let per_image = if gemm {
        c.l_s.iter().product()
    } else {
        c.l_s[0] * c.l_s[1]
    };
    let n_chunks = if s_image == 0 || l_image == 0 {
        0
    } else {
        c.n.div_ceil(chunk)
    };
    // Per chunk: (first image, images, first split, splits, items per split).
    let mut plan = Vec::new();
    let mut total = 0;
    for n0 in (0..c.n).step_by(chunk.max(1)).take(n_chunks) {
        let n = chunk.min(c.n - n0);
        let items = n * per_image;
        let (splits, per_split) = if gemm {
            let tiles = tiles_n * tiles_m * c.groups;
            let by_budget =
                PARTIALS_BUDGET.min(limits.max_binding as usize) / 4 / len.max(1) / n_chunks;
            let (target, min_split) = match core {
                gemm::GemmCore::Subgroup => (GEMM_SG_TARGET_WORKGROUPS, GEMM_SG_MIN_SPLIT),
                gemm::GemmCore::Workgroup => (GEMM_TARGET_WORKGROUPS, BK),
            };
            let splits = target
                .div_ceil(tiles)
                .min(items.div_ceil(min_split))
                .min(by_budget)
                .max(1);
            let per_split = items.div_ceil(splits).next_multiple_of(BK);
            (items.div_ceil(per_split), per_split)
        } else {
            let splits = splits_for(items, len, n_chunks, &limits);
            let per_split = items.div_ceil(splits);
            (items.div_ceil(per_split.max(1)), per_split)
        };
        plan.push((n0, n, total, splits, per_split));
        total += splits;
    }
    let wg_per_split = if gemm {
        tiles_n * tiles_m * c.groups
    } else {
        len.div_ceil(WORKGROUP)
    };
    let s_plane: usize = c.l_s.iter().product();
    reduce_into(
        ctx,
        launch,
        len,
        total,
        grad,
        accumulate,
        |launch, scratch| {
            for (n0, n, split0, splits, per_split) in plan {
                let sw = Window::new(s.buffer(), n0 * s_image, n * s_image, &limits);
                let lw = Window::new(l.buffer(), n0 * l_image, n * l_image, &limits);
                let params = GradParams {
                    n: n as u32,
                    a: c.a as u32,
                    b: c.b as u32,
                    ag: ag as u32,
                    bg: bg as u32,
                    len: len as u32,
                    s_offset: sw.offset,
                    l_offset: lw.offset,
                    split0: split0 as u32,
                    splits: splits as u32,
                    per_split: per_split as u32,
                    wg_per_split: wg_per_split as u32,
                    k: v4(c.k),
                    s: v4(c.s),
                    p: v4(c.p),
                    d: v4(c.d),
                    l_s: v4(c.l_s),
                    l_l: v4(c.l_l),
                    tiles_n: tiles_n as u32,
                    ..Default::default()
                };
                let quads = subgroup && s_in_quads(s_plane, sw.offset);
                // Narrow tiles read S and L by x-windows of vec4s where they can.
                let window = weight_window(c, sw.offset, lw.offset)
                    .filter(|_| gemm && subgroup && tm < GEMM_BLOCK_ROWS);
                let kernel = match (gemm, subgroup, window) {
                    (false, _, _) => &WEIGHT_PARTIALS,
                    (true, false, _) => &WEIGHT_GEMM,
                    (true, true, Some(w)) => weight_gemm_sg_window(tm, w),
                    (true, true, None) if quads => gemm::pick(&WEIGHT_GEMM_SG_VEC4, tm),
                    (true, true, None) => gemm::pick(&WEIGHT_GEMM_SG, tm),
                };
                // The vec4 hooks read S at binding 5 (as vec4s) instead of 1, the window's L at 6
                // instead of 2.
                let s_binding = if gemm && (quads || window.is_some()) {
                    5
                } else {
                    1
                };
                let l_binding = if window.is_some() { 6 } else { 2 };
                let resources = [
                    (s_binding, sw.resource),
                    (l_binding, lw.resource),
                    (3, scratch.as_entire_binding()),
                ];
                let groups = (splits * wg_per_split) as u64;
                launch.dispatch(kernel, &params, &resources, Workgroups::Linear(groups))?;
            }
            Ok(())
        },
    )
}

/// Records the bias gradient (the sum of `y`, `n` images of `c` channels of `plane` elements, per
/// channel) into `grad`, overwriting it, or adding to it with `accumulate`.
#[allow(clippy::too_many_arguments)] // the arguments are the launch
fn encode_bias_grad(
    ctx: &GpuContext,
    launch: &mut Launch<'_>,
    n: usize,
    channels: usize,
    l: [usize; 3],
    y: &GpuTensor,
    grad: &GpuTensor,
    accumulate: bool,
) -> Result<()> {
    let plane: usize = l.iter().product();
    let image = channels * plane;
    let limits = Limits::of(ctx);
    let chunk = chunk_items(&limits, n, &[image], &[], || {
        format!("one image of grad_output ({} bytes)", image * 4)
    })?;
    let n_chunks = if image == 0 { 0 } else { n.div_ceil(chunk) };
    // 8 positions per load where the device has 64-bit loads and planes and every window's
    // offset are multiples of 8, else 4 where they are multiples of 4, else 1.
    let aligned = |q: usize| {
        plane.is_multiple_of(q)
            && (0..n).step_by(chunk.max(1)).take(n_chunks).all(|n0| {
                Window::new(y.buffer(), n0 * image, image, &limits)
                    .offset
                    .is_multiple_of(q as u32)
            })
    };
    let wide = ctx
        .device()
        .features()
        .contains(wgpu::Features::SHADER_INT64);
    let per_load = if wide && aligned(8) {
        8
    } else if aligned(4) {
        4
    } else {
        1
    };
    let mut plan = Vec::new();
    let mut total = 0;
    for n0 in (0..n).step_by(chunk.max(1)).take(n_chunks) {
        let m = chunk.min(n - n0);
        let elems = m * plane;
        let splits = splits_for(elems, channels, n_chunks, &limits);
        // The vector kernels' splits walk whole loads: lengths multiples of `per_load`.
        let per_split = elems.div_ceil(splits).next_multiple_of(per_load);
        let splits = elems.div_ceil(per_split.max(1));
        plan.push((n0, m, total, splits, per_split));
        total += splits;
    }
    let wg_per_split = channels.div_ceil(WORKGROUP);
    reduce_into(
        ctx,
        launch,
        channels,
        total,
        grad,
        accumulate,
        |launch, scratch| {
            for (n0, m, split0, splits, per_split) in plan {
                let yw = Window::new(y.buffer(), n0 * image, m * image, &limits);
                let params = GradParams {
                    n: m as u32,
                    a: channels as u32,
                    len: channels as u32,
                    s_offset: yw.offset,
                    split0: split0 as u32,
                    splits: splits as u32,
                    per_split: per_split as u32,
                    wg_per_split: wg_per_split as u32,
                    l_s: v4(l),
                    ..Default::default()
                };
                let (kernel, binding) = match per_load {
                    8 => (&CHANNEL_PARTIALS_U64, 6),
                    4 => (&CHANNEL_PARTIALS_VEC4, 5),
                    _ => (&CHANNEL_PARTIALS, 1),
                };
                let resources = [(binding, yw.resource), (3, scratch.as_entire_binding())];
                let groups = (splits * wg_per_split) as u64;
                launch.dispatch(kernel, &params, &resources, Workgroups::Linear(groups))?;
            }
            Ok(())
        },
    )
}
