//! The GPU launch of an upsample: the plan's passes (`plan.rs`) dispatched over chunks of N·C
//! planes with the shared plumbing (`gpu/launch.rs`); kernels in `shaders/upsample/`.

use wgpu::util::DeviceExt;

use super::factor::FactorOp;
use super::options::Plan;
use super::plan::{
    GpuPlan, Pass, STRIP, Stage, UpsampleKernel, WINDOW_H4_VECS, WINDOW_W4_SPAN, WORKGROUP,
    X2_ROWS, X2_SLICES, X2_YZ_WEIGHTS, X2Part,
};
use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};

const COMMON: &str = include_str!("../../../shaders/upsample/common.wgsl");
const CONSTANTS: &[(&str, u32)] = &[
    ("WG", WORKGROUP as u32),
    ("STRIP", STRIP as u32),
    ("ROWS", X2_ROWS as u32),
    ("SLICES", X2_SLICES as u32),
    ("YZ_WEIGHTS", X2_YZ_WEIGHTS as u32),
    ("WIN4", WINDOW_W4_SPAN as u32),
    ("H4", WINDOW_H4_VECS as u32),
    ("FRAC_ROWS", super::fractional::FRACTIONAL_ROWS as u32),
    ("X15_ROWS", super::fractional::X1_5_ROWS as u32),
    ("WH_ROWS", super::window::WINDOW_WH_ROWS as u32),
    ("WH_RING_ROWS", super::window::WINDOW_WH_RING_ROWS as u32),
    ("WX2_ROWS", super::window_x2::WINDOW_X2_ROWS as u32),
    (
        "WH_HALF_GROUPS",
        super::window::WINDOW_WH_HALF_GROUPS as u32,
    ),
    (
        "WXB_ROWS",
        super::window_x2_backward::WINDOW_X2_BACKWARD_ROWS as u32,
    ),
    (
        "LB_ROWS",
        super::backward_factor::LINEAR_BACKWARD_ROWS as u32,
    ),
];

macro_rules! shader {
    ($name:literal $(, $part:literal)*) => {
        Shader {
            name: concat!("upsample/", $name, ".wgsl"),
            constants: CONSTANTS,
            parts: &[
                COMMON,
                include_str!(concat!("../../../shaders/upsample/", $name, ".wgsl")),
                $(include_str!(concat!("../../../shaders/upsample/", $part, ".wgsl")),)*
            ],
        }
    };
}

static NEAREST: Shader = shader!("nearest");
static LINEAR: Shader = shader!("linear");
static BICUBIC: Shader = shader!("bicubic");
static AREA: Shader = shader!("area");
static WINDOW: Shader = shader!("window");
static FACTOR: Shader = shader!("factor");
static FACTOR_LINEAR: Shader = shader!("factor_linear");
static FRACTIONAL: Shader = shader!("fractional");
static X2_PHASE: Shader = Shader {
    name: "upsample/x2.wgsl + x2_phase.wgsl",
    ..shader!("x2", "x2_phase")
};
static X2_OUTPUT: Shader = Shader {
    name: "upsample/x2.wgsl + x2_output.wgsl",
    ..shader!("x2", "x2_output")
};
static X2_BACKWARD: Shader = Shader {
    name: "upsample/x2_backward.wgsl + x2_backward_f32.wgsl",
    ..shader!("x2_backward", "x2_backward_f32")
};
/// The same kernels with 64-bit loads (`SHADER_INT64`): see [`UpsampleKernel::wide_kernel`].
static X2_BACKWARD_U64: Shader = Shader {
    name: "upsample/x2_backward.wgsl + x2_backward_u64.wgsl",
    ..shader!("x2_backward", "x2_backward_u64")
};

/// The backward's vec4 window pass along h.
static WINDOW_BACKWARD: Shader = shader!("window_backward");
/// The vec4 window pass along w.
static WINDOW_W4: Shader = shader!("window_w4");
/// The window passes along w and h fused.
static WINDOW_WH: Shader = Shader {
    name: "upsample/window_wh.wgsl + window_wh_f32.wgsl",
    ..shader!("window_wh", "window_wh_f32")
};
/// Its taps-only kernels with 64-bit loads: see [`UpsampleKernel::wide_kernel`].
static WINDOW_WH_U64: Shader = Shader {
    name: "upsample/window_wh.wgsl + window_wh_u64.wgsl",
    ..shader!("window_wh", "window_wh_u64")
};
/// The window passes along w and h fused for exact ×2 with 2, 4 or 6 taps.
static WINDOW_X2: Shader = shader!("window_x2");
/// Its backward (`window_x2_backward.rs`).
static WINDOW_X2_BACKWARD: Shader = shader!("window_x2_backward");
/// The direct backward kernels (`backward_factor.rs`).
static FACTOR_BACKWARD: Shader = Shader {
    name: "upsample/factor_backward.wgsl + block_backward.wgsl",
    ..shader!("factor_backward", "block_backward")
};
static FACTOR_LINEAR_BACKWARD: Shader = Shader {
    name: "upsample/factor_linear_backward.wgsl + factor_linear_backward_f32.wgsl",
    ..shader!("factor_linear_backward", "factor_linear_backward_f32")
};
/// The block and linear backward kernels with 64-bit loads: see [`UpsampleKernel::wide_kernel`].
static BLOCK_BACKWARD_U64: Shader = Shader {
    name: "upsample/block_backward.wgsl + block_backward_u64.wgsl",
    ..shader!("block_backward", "block_backward_u64")
};
static FACTOR_LINEAR_BACKWARD_U64: Shader = Shader {
    name: "upsample/factor_linear_backward.wgsl + factor_linear_backward_u64.wgsl",
    ..shader!("factor_linear_backward", "factor_linear_backward_u64")
};
/// The fractional backward (`backward_fractional.rs`).
static FRACTIONAL_BACKWARD: Shader = shader!("fractional_backward");

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/upsample/common.wgsl`.
    struct Params as "Params" {
        rows: u32,
        in_offset: u32,
        out_offset: u32,
        taps: u32,
        in_d: u32,
        in_h: u32,
        in_w: u32,
        segs: u32,
        out_d: u32,
        out_h: u32,
        out_w: u32,
        indexed: u32,
        tab_d: u32,
        tab_h: u32,
        tab_w: u32,
        zero: f32,
        edge_qa: u32,
        edge_qb: u32,
        edge_ja: u32,
        edge_jb: u32,
        phases: [[f32; 4]; 6],
    }
}

const PARAMS: &crate::gpu::kernel::ParamsLayout = &<Params as crate::gpu::kernel::Params>::LAYOUT;

/// The row-segment kernels bind `src`, `dst` and the tables `tab`.
const ROW_BINDINGS: &[(u32, Slot)] = &[(1, Slot::Read), (2, Slot::ReadWrite), (3, Slot::Read)];
/// The ×2 kernels bind `src4` and `dst4`, and with weights per output `wt4` and `yz` too.
const X2_BINDINGS: &[(u32, Slot)] = &[(4, Slot::Read), (5, Slot::ReadWrite)];
const X2W_BINDINGS: &[(u32, Slot)] = &[
    (4, Slot::Read),
    (5, Slot::ReadWrite),
    (6, Slot::Read),
    (7, Slot::Uniform),
];
/// The taps-only fused window kernels with 64-bit loads bind the input twice: `src4` and `src8`.
const WH64_BINDINGS: &[(u32, Slot)] = &[
    (4, Slot::Read),
    (5, Slot::ReadWrite),
    (6, Slot::Read),
    (7, Slot::Uniform),
    (8, Slot::Read),
];
/// The backward's vec4 window pass binds the tables `tab`, `src4` and `dst4`.
const WINDOW4_BINDINGS: &[(u32, Slot)] = &[(3, Slot::Read), (4, Slot::Read), (5, Slot::ReadWrite)];
/// `window_h4u` binds the tables, `src4`, `dst4` and its weights' uniform array `yz`.
const WINDOW4U_BINDINGS: &[(u32, Slot)] = &[
    (3, Slot::Read),
    (4, Slot::Read),
    (5, Slot::ReadWrite),
    (7, Slot::Uniform),
];
/// The vec4 window pass along w binds `src4`, `dst4` and the tables as `tab4`.
const WINDOW_W4_BINDINGS: &[(u32, Slot)] =
    &[(4, Slot::Read), (5, Slot::ReadWrite), (6, Slot::Read)];
/// The integer-factor linear backward reads `src4`, its w table `tab4` and its h table `tab`;
/// the `rows_` kernels (h the identity) no h table.
const LINEAR_BACKWARD_BINDINGS: &[(u32, Slot)] = &[
    (3, Slot::Read),
    (4, Slot::Read),
    (5, Slot::ReadWrite),
    (6, Slot::Read),
];
const LINEAR_BACKWARD_ROWS_BINDINGS: &[(u32, Slot)] =
    &[(4, Slot::Read), (5, Slot::ReadWrite), (6, Slot::Read)];
/// The ×2 backward's rows pass (x kept) reads no x table; the factor kernels bind the same (their
/// rows' table in the uniform array).
const X2_ROWS_BINDINGS: &[(u32, Slot)] =
    &[(4, Slot::Read), (5, Slot::ReadWrite), (7, Slot::Uniform)];

macro_rules! kernels {
    ($($id:ident: $shader:ident, $entry:literal, $bindings:ident;)*) => {
        $(static $id: Kernel = Kernel {
            shader: &$shader,
            entry: $entry,
            params: PARAMS,
            bindings: $bindings,
        };)*
    };
}

kernels! {
    K_NEAREST: NEAREST, "nearest", ROW_BINDINGS;
    K_LINEAR_1D: LINEAR, "linear_1d", ROW_BINDINGS;
    K_LINEAR_2D: LINEAR, "linear_2d", ROW_BINDINGS;
    K_LINEAR_3D: LINEAR, "linear_3d", ROW_BINDINGS;
    K_BICUBIC: BICUBIC, "bicubic_2d", ROW_BINDINGS;
    K_AREA: AREA, "area", ROW_BINDINGS;
    K_WINDOW_W: WINDOW, "window_w", ROW_BINDINGS;
    K_WINDOW_H: WINDOW, "window_h", ROW_BINDINGS;
    K_NEAREST_UP_X1: FACTOR, "nearest_up_x1", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X2: FACTOR, "nearest_up_x2", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X3: FACTOR, "nearest_up_x3", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X4: FACTOR, "nearest_up_x4", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X5: FACTOR, "nearest_up_x5", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X6: FACTOR, "nearest_up_x6", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X7: FACTOR, "nearest_up_x7", X2_ROWS_BINDINGS;
    K_NEAREST_UP_X8: FACTOR, "nearest_up_x8", X2_ROWS_BINDINGS;
    K_NEAREST_DOWN_X2: FACTOR, "nearest_down_x2", X2_ROWS_BINDINGS;
    K_AREA_DOWN_X2: FACTOR, "area_down_x2", X2_ROWS_BINDINGS;
    K_LINEAR_DOWN_X2: FACTOR, "linear_down_x2", X2_ROWS_BINDINGS;
    K_LINEAR_UP_X2: FACTOR_LINEAR, "linear_up_x2", X2W_BINDINGS;
    K_LINEAR_UP_X3: FACTOR_LINEAR, "linear_up_x3", X2W_BINDINGS;
    K_LINEAR_UP_X4: FACTOR_LINEAR, "linear_up_x4", X2W_BINDINGS;
    K_X2_NEAREST: X2_PHASE, "x2_nearest", X2_BINDINGS;
    K_X2_NEAREST_3D: X2_PHASE, "x2_nearest_3d", X2_BINDINGS;
    K_X2_LINEAR: X2_PHASE, "x2_linear", X2_BINDINGS;
    K_X2_LINEAR_3D: X2_PHASE, "x2_linear_3d", X2_BINDINGS;
    K_X2_CUBIC: X2_PHASE, "x2_cubic", X2_BINDINGS;
    K_X2W_LINEAR: X2_OUTPUT, "x2w_linear", X2W_BINDINGS;
    K_X2W_LINEAR_3D: X2_OUTPUT, "x2w_linear_3d", X2W_BINDINGS;
    K_X2W_CUBIC: X2_OUTPUT, "x2w_cubic", X2W_BINDINGS;
    K_X2B_NEAREST: X2_BACKWARD, "x2_backward_nearest", X2_BINDINGS;
    K_X2B_LINEAR_INNER: X2_BACKWARD, "x2_backward_linear_inner", X2W_BINDINGS;
    K_X2B_LINEAR_EDGE_X: X2_BACKWARD, "x2_backward_linear_edge_x", X2W_BINDINGS;
    K_X2B_LINEAR_EDGE_Y: X2_BACKWARD, "x2_backward_linear_edge_y", X2W_BINDINGS;
    K_X2B_CUBIC_INNER: X2_BACKWARD, "x2_backward_cubic_inner", X2W_BINDINGS;
    K_X2B_CUBIC_EDGE_X: X2_BACKWARD, "x2_backward_cubic_edge_x", X2W_BINDINGS;
    K_X2B_CUBIC_EDGE_Y: X2_BACKWARD, "x2_backward_cubic_edge_y", X2W_BINDINGS;
    K_X2B_ROWS_NEAREST: X2_BACKWARD, "x2_backward_rows_nearest", X2_BINDINGS;
    K_X2B_ROWS_LINEAR_INNER: X2_BACKWARD, "x2_backward_rows_linear_inner", X2_ROWS_BINDINGS;
    K_X2B_ROWS_LINEAR_EDGE_Y: X2_BACKWARD, "x2_backward_rows_linear_edge_y", X2_ROWS_BINDINGS;
    K_X2B64_NEAREST: X2_BACKWARD_U64, "x2_backward_nearest", X2_BINDINGS;
    K_X2B64_LINEAR_INNER: X2_BACKWARD_U64, "x2_backward_linear_inner", X2W_BINDINGS;
    K_X2B64_LINEAR_EDGE_X: X2_BACKWARD_U64, "x2_backward_linear_edge_x", X2W_BINDINGS;
    K_X2B64_LINEAR_EDGE_Y: X2_BACKWARD_U64, "x2_backward_linear_edge_y", X2W_BINDINGS;
    K_X2B64_CUBIC_INNER: X2_BACKWARD_U64, "x2_backward_cubic_inner", X2W_BINDINGS;
    K_X2B64_CUBIC_EDGE_X: X2_BACKWARD_U64, "x2_backward_cubic_edge_x", X2W_BINDINGS;
    K_X2B64_CUBIC_EDGE_Y: X2_BACKWARD_U64, "x2_backward_cubic_edge_y", X2W_BINDINGS;
    K_X2B64_ROWS_NEAREST: X2_BACKWARD_U64, "x2_backward_rows_nearest", X2_BINDINGS;
    K_X2B64_ROWS_LINEAR_INNER: X2_BACKWARD_U64, "x2_backward_rows_linear_inner", X2_ROWS_BINDINGS;
    K_X2B64_ROWS_LINEAR_EDGE_Y: X2_BACKWARD_U64, "x2_backward_rows_linear_edge_y", X2_ROWS_BINDINGS;
    K_FACTOR_X1: FACTOR_BACKWARD, "factor_backward_x1", X2_BINDINGS;
    K_FACTOR_X2: FACTOR_BACKWARD, "factor_backward_x2", X2_BINDINGS;
    K_FACTOR_X3: FACTOR_BACKWARD, "factor_backward_x3", X2_BINDINGS;
    K_FACTOR_X4: FACTOR_BACKWARD, "factor_backward_x4", X2_BINDINGS;
    K_DIRECT_BACKWARD: FACTOR_BACKWARD, "direct_backward", ROW_BINDINGS;
    K_BLOCK_X1: FACTOR_BACKWARD, "block_backward_x1", X2_BINDINGS;
    K_BLOCK_X2: FACTOR_BACKWARD, "block_backward_x2", X2_BINDINGS;
    K_BLOCK_X3: FACTOR_BACKWARD, "block_backward_x3", X2_BINDINGS;
    K_BLOCK_X4: FACTOR_BACKWARD, "block_backward_x4", X2_BINDINGS;
    K_WINDOW_H4: WINDOW_BACKWARD, "window_h4", WINDOW4_BINDINGS;
    K_WINDOW_W4_2: WINDOW_W4, "window_w4_2", WINDOW_W4_BINDINGS;
    K_WINDOW_W4_4: WINDOW_W4, "window_w4_4", WINDOW_W4_BINDINGS;
    K_WINDOW_W4_8: WINDOW_W4, "window_w4_8", WINDOW_W4_BINDINGS;
    K_WINDOW_W4_2I: WINDOW_W4, "window_w4_2_indexed", WINDOW_W4_BINDINGS;
    K_WINDOW_W4_4I: WINDOW_W4, "window_w4_4_indexed", WINDOW_W4_BINDINGS;
    K_WINDOW_W4_8I: WINDOW_W4, "window_w4_8_indexed", WINDOW_W4_BINDINGS;
    K_WINDOW_H4I: WINDOW_BACKWARD, "window_h4_indexed", WINDOW4_BINDINGS;
    K_FRAC_LINEAR_2: FRACTIONAL, "fractional_linear_2", X2W_BINDINGS;
    K_FRAC_LINEAR_3: FRACTIONAL, "fractional_linear_3", X2W_BINDINGS;
    K_FRAC_LINEAR_4: FRACTIONAL, "fractional_linear_4", X2W_BINDINGS;
    K_FRAC_LINEAR_5: FRACTIONAL, "fractional_linear_5", X2W_BINDINGS;
    K_FRAC_LINEAR_6: FRACTIONAL, "fractional_linear_6", X2W_BINDINGS;
    K_FRAC_CUBIC_2: FRACTIONAL, "fractional_cubic_2", X2W_BINDINGS;
    K_FRAC_CUBIC_3: FRACTIONAL, "fractional_cubic_3", X2W_BINDINGS;
    K_FRAC_CUBIC_4: FRACTIONAL, "fractional_cubic_4", X2W_BINDINGS;
    K_LINEAR_BACKWARD_X2: FACTOR_LINEAR_BACKWARD, "linear_backward_x2", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_X3: FACTOR_LINEAR_BACKWARD, "linear_backward_x3", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_X4: FACTOR_LINEAR_BACKWARD, "linear_backward_x4", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_INNER_X2: FACTOR_LINEAR_BACKWARD, "linear_backward_inner_x2", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_INNER_X3: FACTOR_LINEAR_BACKWARD, "linear_backward_inner_x3", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_INNER_X4: FACTOR_LINEAR_BACKWARD, "linear_backward_inner_x4", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_X2: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_x2", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_X3: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_x3", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_X4: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_x4", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_INNER_X2: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_inner_x2", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_INNER_X3: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_inner_x3", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD_ROWS_INNER_X4: FACTOR_LINEAR_BACKWARD, "linear_backward_rows_inner_x4", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_WINDOW_W4P_2: WINDOW_W4, "window_w4p_2", X2W_BINDINGS;
    K_WINDOW_W4P_4: WINDOW_W4, "window_w4p_4", X2W_BINDINGS;
    K_WINDOW_W4P_8: WINDOW_W4, "window_w4p_8", X2W_BINDINGS;
    K_WINDOW_H4U: WINDOW_BACKWARD, "window_h4u", WINDOW4U_BINDINGS;
    K_FRAC_CUBIC_5: FRACTIONAL, "fractional_cubic_5", X2W_BINDINGS;
    K_FRAC_CUBIC_6: FRACTIONAL, "fractional_cubic_6", X2W_BINDINGS;
    K_FRAC_LINEAR_X1_5: FRACTIONAL, "fractional_linear_x1_5", X2W_BINDINGS;
    K_FRAC_CUBIC_X1_5: FRACTIONAL, "fractional_cubic_x1_5", X2W_BINDINGS;
    K_FRAC_LINEAR_X1_5_EDGES: FRACTIONAL, "fractional_linear_x1_5_edges", X2W_BINDINGS;
    K_FRAC_CUBIC_X1_5_EDGES: FRACTIONAL, "fractional_cubic_x1_5_edges", X2W_BINDINGS;
    K_WINDOW_WH_2: WINDOW_WH, "window_wh_2", X2W_BINDINGS;
    K_WINDOW_WH_2_T4: WINDOW_WH, "window_wh_2_t4", X2W_BINDINGS;
    K_WINDOW_WH_2_T8: WINDOW_WH, "window_wh_2_t8", X2W_BINDINGS;
    K_WINDOW_WH_2_T12: WINDOW_WH, "window_wh_2_t12", X2W_BINDINGS;
    K_WINDOW_WH_2_T16: WINDOW_WH, "window_wh_2_t16", X2W_BINDINGS;
    K_WINDOW_WH_4: WINDOW_WH, "window_wh_4", X2W_BINDINGS;
    K_WINDOW_WH_4_T4: WINDOW_WH, "window_wh_4_t4", X2W_BINDINGS;
    K_WINDOW_WH_4_T8: WINDOW_WH, "window_wh_4_t8", X2W_BINDINGS;
    K_WINDOW_WH_4_T12: WINDOW_WH, "window_wh_4_t12", X2W_BINDINGS;
    K_WINDOW_WH_4_T16: WINDOW_WH, "window_wh_4_t16", X2W_BINDINGS;
    K_WINDOW_WH_8: WINDOW_WH, "window_wh_8", X2W_BINDINGS;
    K_WINDOW_WH_8_T4: WINDOW_WH, "window_wh_8_t4", X2W_BINDINGS;
    K_WINDOW_WH_8_T8: WINDOW_WH, "window_wh_8_t8", X2W_BINDINGS;
    K_WINDOW_WH_8_T12: WINDOW_WH, "window_wh_8_t12", X2W_BINDINGS;
    K_WINDOW_WH_8_T16: WINDOW_WH, "window_wh_8_t16", X2W_BINDINGS;
    K_WINDOW_X2_2: WINDOW_X2, "window_x2_2", X2W_BINDINGS;
    K_WINDOW_X2_2_EDGE: WINDOW_X2, "window_x2_2_edge", X2W_BINDINGS;
    K_WINDOW_X2_4: WINDOW_X2, "window_x2_4", X2W_BINDINGS;
    K_WINDOW_X2_4_EDGE: WINDOW_X2, "window_x2_4_edge", X2W_BINDINGS;
    K_WINDOW_X2_6: WINDOW_X2, "window_x2_6", X2W_BINDINGS;
    K_WINDOW_X2_6_EDGE: WINDOW_X2, "window_x2_6_edge", X2W_BINDINGS;
    K_WINDOW_WH_4_T4_HALF4: WINDOW_WH, "window_wh_4_t4_half4", X2W_BINDINGS;
    K_WINDOW_WH_4_T8_HALF8: WINDOW_WH, "window_wh_4_t8_half8", X2W_BINDINGS;
    K_WINDOW_WH64_4_T4_HALF4: WINDOW_WH_U64, "window_wh_4_t4_half4", WH64_BINDINGS;
    K_WINDOW_WH64_4_T8_HALF8: WINDOW_WH_U64, "window_wh_4_t8_half8", WH64_BINDINGS;
    K_WINDOW_WH_2_T4_HALF2: WINDOW_WH, "window_wh_2_t4_half2", X2W_BINDINGS;
    K_WINDOW_WH_2_T4_HALF4: WINDOW_WH, "window_wh_2_t4_half4", X2W_BINDINGS;
    K_WINDOW_WH64_2_T4_HALF2: WINDOW_WH_U64, "window_wh_2_t4_half2", WH64_BINDINGS;
    K_WINDOW_WH64_2_T4_HALF4: WINDOW_WH_U64, "window_wh_2_t4_half4", WH64_BINDINGS;
    K_WINDOW_X2B_12: WINDOW_X2_BACKWARD, "window_x2_backward_12", X2W_BINDINGS;
    K_WINDOW_X2B_12_EDGE: WINDOW_X2_BACKWARD, "window_x2_backward_12_edge", X2W_BINDINGS;
    K_FRAC_BWD_2_4: FRACTIONAL_BACKWARD, "fractional_backward_2_4", X2W_BINDINGS;
    K_FRAC_BWD_3_4: FRACTIONAL_BACKWARD, "fractional_backward_3_4", X2W_BINDINGS;
    K_FRAC_BWD_4_4: FRACTIONAL_BACKWARD, "fractional_backward_4_4", X2W_BINDINGS;
    K_FRAC_BWD_5_4: FRACTIONAL_BACKWARD, "fractional_backward_5_4", X2W_BINDINGS;
    K_FRAC_BWD_2_8: FRACTIONAL_BACKWARD, "fractional_backward_2_8", X2W_BINDINGS;
    K_FRAC_BWD_3_8: FRACTIONAL_BACKWARD, "fractional_backward_3_8", X2W_BINDINGS;
    K_FRAC_BWD_4_8: FRACTIONAL_BACKWARD, "fractional_backward_4_8", X2W_BINDINGS;
    K_FRAC_BWD_5_8: FRACTIONAL_BACKWARD, "fractional_backward_5_8", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_4: FRACTIONAL_BACKWARD, "fractional_backward_edge_4", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_8: FRACTIONAL_BACKWARD, "fractional_backward_edge_8", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_4_T4: FRACTIONAL_BACKWARD, "fractional_backward_edge_4_t4", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_8_T4: FRACTIONAL_BACKWARD, "fractional_backward_edge_8_t4", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_4_T8: FRACTIONAL_BACKWARD, "fractional_backward_edge_4_t8", X2W_BINDINGS;
    K_FRAC_BWD_EDGE_8_T8: FRACTIONAL_BACKWARD, "fractional_backward_edge_8_t8", X2W_BINDINGS;
    K_FRAC_BWD_X1_5_4: FRACTIONAL_BACKWARD, "fractional_backward_x1_5_4", X2W_BINDINGS;
    K_FRAC_BWD_X1_5_8: FRACTIONAL_BACKWARD, "fractional_backward_x1_5_8", X2W_BINDINGS;
    K_FRAC_BWD_X1_5_C4: FRACTIONAL_BACKWARD, "fractional_backward_x1_5_cubic_4", X2W_BINDINGS;
    K_FRAC_BWD_X1_5_C8: FRACTIONAL_BACKWARD, "fractional_backward_x1_5_cubic_8", X2W_BINDINGS;
    K_BLOCK64_X1: BLOCK_BACKWARD_U64, "block_backward_x1", X2_BINDINGS;
    K_BLOCK64_X2: BLOCK_BACKWARD_U64, "block_backward_x2", X2_BINDINGS;
    K_BLOCK64_X3: BLOCK_BACKWARD_U64, "block_backward_x3", X2_BINDINGS;
    K_BLOCK64_X4: BLOCK_BACKWARD_U64, "block_backward_x4", X2_BINDINGS;
    K_LINEAR_BACKWARD64_X2: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_x2", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_X3: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_x3", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_X4: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_x4", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_INNER_X2: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_inner_x2", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_INNER_X3: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_inner_x3", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_INNER_X4: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_inner_x4", LINEAR_BACKWARD_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_X2: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_x2", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_X3: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_x3", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_X4: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_x4", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_INNER_X2: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_inner_x2", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_INNER_X3: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_inner_x3", LINEAR_BACKWARD_ROWS_BINDINGS;
    K_LINEAR_BACKWARD64_ROWS_INNER_X4: FACTOR_LINEAR_BACKWARD_U64, "linear_backward_rows_inner_x4", LINEAR_BACKWARD_ROWS_BINDINGS;
}

impl UpsampleKernel {
    /// The compiled-once kernel of this entry point.
    pub(crate) fn kernel(self) -> &'static Kernel {
        use UpsampleKernel::*;
        let k: &'static Kernel = match self {
            Nearest => &K_NEAREST,
            Linear1d => &K_LINEAR_1D,
            Linear2d => &K_LINEAR_2D,
            Linear3d => &K_LINEAR_3D,
            Bicubic2d => &K_BICUBIC,
            Area => &K_AREA,
            WindowW => &K_WINDOW_W,
            WindowH => &K_WINDOW_H,
            Factor(op) => match op {
                FactorOp::NearestUp(s) => [
                    &K_NEAREST_UP_X1,
                    &K_NEAREST_UP_X2,
                    &K_NEAREST_UP_X3,
                    &K_NEAREST_UP_X4,
                    &K_NEAREST_UP_X5,
                    &K_NEAREST_UP_X6,
                    &K_NEAREST_UP_X7,
                    &K_NEAREST_UP_X8,
                ][s - 1],
                FactorOp::NearestDown2 => &K_NEAREST_DOWN_X2,
                FactorOp::AreaDown2 => &K_AREA_DOWN_X2,
                FactorOp::LinearDown2 => &K_LINEAR_DOWN_X2,
                FactorOp::LinearUp(s) => [&K_LINEAR_UP_X2, &K_LINEAR_UP_X3, &K_LINEAR_UP_X4][s - 2],
            },
            X2 {
                taps,
                depth_doubled,
                per_output,
            } => match (taps, depth_doubled, per_output) {
                (1, false, _) => &K_X2_NEAREST,
                (1, true, _) => &K_X2_NEAREST_3D,
                (2, false, false) => &K_X2_LINEAR,
                (2, true, false) => &K_X2_LINEAR_3D,
                (2, false, true) => &K_X2W_LINEAR,
                (2, true, true) => &K_X2W_LINEAR_3D,
                (_, _, false) => &K_X2_CUBIC,
                (_, _, true) => &K_X2W_CUBIC,
            },
            X2Backward { .. } => x2_backward_kernel(self, false),
            FactorBackward { sx } => match sx {
                1 => &K_FACTOR_X1,
                2 => &K_FACTOR_X2,
                3 => &K_FACTOR_X3,
                _ => &K_FACTOR_X4,
            },
            DirectBackward => &K_DIRECT_BACKWARD,
            BlockBackward { sx } => match sx {
                1 => &K_BLOCK_X1,
                2 => &K_BLOCK_X2,
                3 => &K_BLOCK_X3,
                _ => &K_BLOCK_X4,
            },
            LinearBackward { sx, rows, inner } => match (sx, rows, inner) {
                (2, false, false) => &K_LINEAR_BACKWARD_X2,
                (3, false, false) => &K_LINEAR_BACKWARD_X3,
                (_, false, false) => &K_LINEAR_BACKWARD_X4,
                (2, false, true) => &K_LINEAR_BACKWARD_INNER_X2,
                (3, false, true) => &K_LINEAR_BACKWARD_INNER_X3,
                (_, false, true) => &K_LINEAR_BACKWARD_INNER_X4,
                (2, true, false) => &K_LINEAR_BACKWARD_ROWS_X2,
                (3, true, false) => &K_LINEAR_BACKWARD_ROWS_X3,
                (_, true, false) => &K_LINEAR_BACKWARD_ROWS_X4,
                (2, true, true) => &K_LINEAR_BACKWARD_ROWS_INNER_X2,
                (3, true, true) => &K_LINEAR_BACKWARD_ROWS_INNER_X3,
                (_, true, true) => &K_LINEAR_BACKWARD_ROWS_INNER_X4,
            },
            WindowH4 { indexed: false } => &K_WINDOW_H4,
            WindowH4 { indexed: true } => &K_WINDOW_H4I,
            WindowW4 { span, indexed } => match (span, indexed) {
                (2, false) => &K_WINDOW_W4_2,
                (4, false) => &K_WINDOW_W4_4,
                (_, false) => &K_WINDOW_W4_8,
                (2, true) => &K_WINDOW_W4_2I,
                (4, true) => &K_WINDOW_W4_4I,
                (_, true) => &K_WINDOW_W4_8I,
            },
            Fractional { taps, span } => match (taps, span) {
                (2, super::fractional::X1_5) => &K_FRAC_LINEAR_X1_5,
                (_, super::fractional::X1_5) => &K_FRAC_CUBIC_X1_5,
                (2, super::fractional::X1_5_EDGES) => &K_FRAC_LINEAR_X1_5_EDGES,
                (_, super::fractional::X1_5_EDGES) => &K_FRAC_CUBIC_X1_5_EDGES,
                (2, 2) => &K_FRAC_LINEAR_2,
                (2, 3) => &K_FRAC_LINEAR_3,
                (2, 4) => &K_FRAC_LINEAR_4,
                (2, 5) => &K_FRAC_LINEAR_5,
                (2, _) => &K_FRAC_LINEAR_6,
                (_, 2) => &K_FRAC_CUBIC_2,
                (_, 3) => &K_FRAC_CUBIC_3,
                (_, 4) => &K_FRAC_CUBIC_4,
                (_, 5) => &K_FRAC_CUBIC_5,
                (_, _) => &K_FRAC_CUBIC_6,
            },
            WindowW4P { span } => match span {
                2 => &K_WINDOW_W4P_2,
                4 => &K_WINDOW_W4P_4,
                _ => &K_WINDOW_W4P_8,
            },
            WindowH4U => &K_WINDOW_H4U,
            WindowX2 { taps, edge } => match (taps, edge) {
                (2, false) => &K_WINDOW_X2_2,
                (2, true) => &K_WINDOW_X2_2_EDGE,
                (4, false) => &K_WINDOW_X2_4,
                (4, true) => &K_WINDOW_X2_4_EDGE,
                (_, false) => &K_WINDOW_X2_6,
                (_, true) => &K_WINDOW_X2_6_EDGE,
            },
            WindowX2Backward { edge: false } => &K_WINDOW_X2B_12,
            WindowX2Backward { edge: true } => &K_WINDOW_X2B_12_EDGE,
            WindowWH { span, ring, half } => match (span, ring, half) {
                (4, 4, 4) => &K_WINDOW_WH_4_T4_HALF4,
                (4, 8, 8) => &K_WINDOW_WH_4_T8_HALF8,
                (2, 4, 2) => &K_WINDOW_WH_2_T4_HALF2,
                (2, 4, 4) => &K_WINDOW_WH_2_T4_HALF4,
                (2, 0, 0) => &K_WINDOW_WH_2,
                (2, 4, 0) => &K_WINDOW_WH_2_T4,
                (2, 8, 0) => &K_WINDOW_WH_2_T8,
                (2, 12, 0) => &K_WINDOW_WH_2_T12,
                (2, 16, 0) => &K_WINDOW_WH_2_T16,
                (4, 0, 0) => &K_WINDOW_WH_4,
                (4, 4, 0) => &K_WINDOW_WH_4_T4,
                (4, 8, 0) => &K_WINDOW_WH_4_T8,
                (4, 12, 0) => &K_WINDOW_WH_4_T12,
                (4, 16, 0) => &K_WINDOW_WH_4_T16,
                (8, 0, 0) => &K_WINDOW_WH_8,
                (8, 4, 0) => &K_WINDOW_WH_8_T4,
                (8, 8, 0) => &K_WINDOW_WH_8_T8,
                (8, 12, 0) => &K_WINDOW_WH_8_T12,
                (8, 16, 0) => &K_WINDOW_WH_8_T16,
                _ => unreachable!("window_wh span {span}, ring {ring}, half {half}"),
            },
            FractionalBackward { span, held, edge } => match (edge, held, span) {
                (true, 4, super::backward_fractional::EDGE_T4) => &K_FRAC_BWD_EDGE_4_T4,
                (true, _, super::backward_fractional::EDGE_T4) => &K_FRAC_BWD_EDGE_8_T4,
                (true, 4, super::backward_fractional::EDGE_T8) => &K_FRAC_BWD_EDGE_4_T8,
                (true, _, super::backward_fractional::EDGE_T8) => &K_FRAC_BWD_EDGE_8_T8,
                (true, 4, _) => &K_FRAC_BWD_EDGE_4,
                (true, _, _) => &K_FRAC_BWD_EDGE_8,
                (false, 4, super::backward_fractional::X1_5) => &K_FRAC_BWD_X1_5_4,
                (false, _, super::backward_fractional::X1_5) => &K_FRAC_BWD_X1_5_8,
                (false, 4, super::backward_fractional::X1_5_CUBIC) => &K_FRAC_BWD_X1_5_C4,
                (false, _, super::backward_fractional::X1_5_CUBIC) => &K_FRAC_BWD_X1_5_C8,
                (false, 4, 2) => &K_FRAC_BWD_2_4,
                (false, 4, 3) => &K_FRAC_BWD_3_4,
                (false, 4, 4) => &K_FRAC_BWD_4_4,
                (false, 4, _) => &K_FRAC_BWD_5_4,
                (false, _, 2) => &K_FRAC_BWD_2_8,
                (false, _, 3) => &K_FRAC_BWD_3_8,
                (false, _, 4) => &K_FRAC_BWD_4_8,
                (false, _, _) => &K_FRAC_BWD_5_8,
            },
        };
        debug_assert_eq!(k.entry, self.name());
        k
    }

    /// The ×2, block and linear backward kernels with 64-bit loads (`x2_backward_u64.wgsl`,
    /// `block_backward_u64.wgsl`, `factor_linear_backward_u64.wgsl`, two grad_output
    /// elements per loaded element: on lavapipe, which loads element by element, about half the
    /// time): the same entry points and sums, for a device with `SHADER_INT64` where the bound
    /// grad_output starts on a multiple of 8 elements and its rows are a multiple of 8 long
    /// (`wide_loads`); and the taps-only window kernels (antialias ×1/2 and its backward,
    /// `window_wh_u64.wgsl`: 6 64-bit loads per input row and thread for 10 vec4s, or 3 for 4;
    /// the same condition on the input). `None` for the other kernels.
    pub(crate) fn wide_kernel(self) -> Option<&'static Kernel> {
        match self {
            UpsampleKernel::X2Backward { .. } => Some(x2_backward_kernel(self, true)),
            UpsampleKernel::BlockBackward { sx } => {
                Some([&K_BLOCK64_X1, &K_BLOCK64_X2, &K_BLOCK64_X3, &K_BLOCK64_X4][sx - 1])
            }
            UpsampleKernel::LinearBackward { sx, rows, inner } => Some(match (sx, rows, inner) {
                (2, false, false) => &K_LINEAR_BACKWARD64_X2,
                (3, false, false) => &K_LINEAR_BACKWARD64_X3,
                (_, false, false) => &K_LINEAR_BACKWARD64_X4,
                (2, false, true) => &K_LINEAR_BACKWARD64_INNER_X2,
                (3, false, true) => &K_LINEAR_BACKWARD64_INNER_X3,
                (_, false, true) => &K_LINEAR_BACKWARD64_INNER_X4,
                (2, true, false) => &K_LINEAR_BACKWARD64_ROWS_X2,
                (3, true, false) => &K_LINEAR_BACKWARD64_ROWS_X3,
                (_, true, false) => &K_LINEAR_BACKWARD64_ROWS_X4,
                (2, true, true) => &K_LINEAR_BACKWARD64_ROWS_INNER_X2,
                (3, true, true) => &K_LINEAR_BACKWARD64_ROWS_INNER_X3,
                (_, true, true) => &K_LINEAR_BACKWARD64_ROWS_INNER_X4,
            }),
            UpsampleKernel::WindowWH { span, half, .. } => match (span, half) {
                (_, 0) => None,
                (4, 4) => Some(&K_WINDOW_WH64_4_T4_HALF4),
                (4, _) => Some(&K_WINDOW_WH64_4_T8_HALF8),
                (_, 2) => Some(&K_WINDOW_WH64_2_T4_HALF2),
                (_, _) => Some(&K_WINDOW_WH64_2_T4_HALF4),
            },
            _ => None,
        }
    }
}

/// The ×2 backward kernel `k`, with 64-bit loads if `wide`.
fn x2_backward_kernel(k: UpsampleKernel, wide: bool) -> &'static Kernel {
    use X2Part::*;
    let UpsampleKernel::X2Backward { taps, rows, part } = k else {
        unreachable!("a x2 backward kernel");
    };
    let [f32, u64] = match (taps, rows, part) {
        (1, false, _) => [&K_X2B_NEAREST, &K_X2B64_NEAREST],
        (2, false, Inner) => [&K_X2B_LINEAR_INNER, &K_X2B64_LINEAR_INNER],
        (2, false, EdgeX) => [&K_X2B_LINEAR_EDGE_X, &K_X2B64_LINEAR_EDGE_X],
        (2, false, EdgeY) => [&K_X2B_LINEAR_EDGE_Y, &K_X2B64_LINEAR_EDGE_Y],
        (_, false, Inner) => [&K_X2B_CUBIC_INNER, &K_X2B64_CUBIC_INNER],
        (_, false, EdgeX) => [&K_X2B_CUBIC_EDGE_X, &K_X2B64_CUBIC_EDGE_X],
        (_, false, EdgeY) => [&K_X2B_CUBIC_EDGE_Y, &K_X2B64_CUBIC_EDGE_Y],
        (1, true, _) => [&K_X2B_ROWS_NEAREST, &K_X2B64_ROWS_NEAREST],
        (_, true, Inner) => [&K_X2B_ROWS_LINEAR_INNER, &K_X2B64_ROWS_LINEAR_INNER],
        (_, true, _) => [&K_X2B_ROWS_LINEAR_EDGE_Y, &K_X2B64_ROWS_LINEAR_EDGE_Y],
    };
    if wide { u64 } else { f32 }
}

/// Whether `ctx`'s device can run the 64-bit-load kernels ([`UpsampleKernel::wide_kernel`]).
pub(crate) fn wide_loads(ctx: &GpuContext) -> bool {
    ctx.device()
        .features()
        .contains(wgpu::Features::SHADER_INT64)
}

/// Every upsample kernel.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    let every = UpsampleKernel::every();
    let all = every.iter();
    all.clone()
        .map(|k| k.kernel())
        .chain(all.filter_map(|k| k.wide_kernel()))
        .collect()
}

/// Bytes of one parameter block.
pub(crate) const PARAMS_BYTES: usize = std::mem::size_of::<Params>();

/// The planes of one launch: how many, and the elements of one input and one output plane.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planes {
    pub count: usize,
    pub input: usize,
    pub output: usize,
}

impl Planes {
    /// The forward's planes.
    pub fn forward(plan: &Plan) -> Self {
        Planes {
            count: plan.planes,
            input: plan.input_plane(),
            output: plan.output_plane(),
        }
    }

    /// The backward's planes: grad_output in, grad_input out.
    pub fn backward(plan: &Plan) -> Self {
        Planes {
            count: plan.planes,
            input: plan.output_plane(),
            output: plan.input_plane(),
        }
    }
}

/// Records the passes `g` from `input` into `output` on `encoder`, over `planes`.
pub(crate) fn encode(
    ctx: &GpuContext,
    planes: Planes,
    g: &GpuPlan,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let Planes {
        count: planes,
        input: in_plane,
        output: out_plane,
    } = planes;
    if planes == 0 || out_plane == 0 {
        return Ok(());
    }
    if in_plane == 0 {
        // A backward from an empty grad_output (area to a size of 0): grad_input is all zeros.
        encoder.clear_buffer(output.buffer(), 0, Some(output.size_bytes()));
        return Ok(());
    }
    if g.passes.is_empty() {
        // Every axis unchanged (antialias, or a backward): a copy, as in PyTorch.
        encoder.copy_buffer_to_buffer(input.buffer(), 0, output.buffer(), 0, input.size_bytes());
        return Ok(());
    }
    let limits = Limits::of(ctx);
    let scratch_planes = [g.scratch_plane(0), g.scratch_plane(1)];
    let grid = |p: &Pass| {
        let capacity = if p.kernel.is_x2() {
            limits.max_dim as u64
        } else {
            limits.grid_capacity()
        };
        (p.workgroups_per_plane(), capacity)
    };
    let chunk = chunk_items(
        &limits,
        planes,
        &[in_plane, out_plane, scratch_planes[0], scratch_planes[1]],
        &g.passes.iter().map(grid).collect::<Vec<_>>(),
        || {
            format!(
                "one (N, C) plane of the upsample ({} input and {} output bytes)",
                in_plane * 4,
                out_plane * 4
            )
        },
    )?;
    if g.tables.len() as u64 * 4 > limits.max_binding {
        return Err(Error::LimitExceeded(format!(
            "the upsample's per-axis index and weight tables ({} bytes) exceed this adapter's \
             max_storage_buffer_binding_size of {} bytes",
            g.tables.len() as u64 * 4,
            limits.max_binding
        )));
    }
    let device = ctx.device();
    // At least one vec4 (the x2w kernels read it as `array<vec4<f32>>`), and a whole number.
    let mut words = g.tables.clone();
    words.resize(words.len().max(1).next_multiple_of(4), 0);
    let tables = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("upsample tables"),
        contents: bytemuck::cast_slice(&words),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let yz = g.yz.as_ref().map(|yz| {
        debug_assert_eq!(yz.len(), 4 * X2_YZ_WEIGHTS);
        device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("upsample x2 weights"),
            contents: bytemuck::cast_slice(yz),
            usage: wgpu::BufferUsages::UNIFORM,
        })
    });
    let scratch = scratch_planes
        .iter()
        .map(|&plane| {
            (plane > 0)
                .then(|| ctx.storage_buffer("upsample scratch", (chunk * plane) as u64 * 4))
                .transpose()
        })
        .collect::<Result<Vec<_>>>()?;
    let wide = wide_loads(ctx);
    let mut launch = Launch::new(ctx, encoder, "upsample", timestamp_writes);
    for p0 in (0..planes).step_by(chunk) {
        let n = chunk.min(planes - p0);
        for pass in &g.passes {
            let pass_in: usize = pass.in_dims.iter().product();
            let pass_out: usize = pass.out_dims.iter().product();
            let window = |stage: Stage, plane: usize| match stage {
                Stage::Input => Window::new(input.buffer(), p0 * plane, n * plane, &limits),
                Stage::Output => Window::new(output.buffer(), p0 * plane, n * plane, &limits),
                Stage::Scratch(i) => {
                    let b = scratch[i]
                        .as_ref()
                        .expect("a scratch buffer for each intermediate");
                    Window::new(b, 0, n * plane, &limits)
                }
            };
            let (src, dst) = (window(pass.src, pass_in), window(pass.dst, pass_out));
            let [od, oh, ow] = pass.out_dims;
            let rows = n * pass.row_units();
            let segs = pass.row_segments();
            let [in_d, in_h, in_w] = pass.in_dims.map(|d| d as u32);
            let [tab_d, tab_h, tab_w] = pass.tables;
            let params = Params {
                rows: rows as u32,
                in_offset: src.offset,
                out_offset: dst.offset,
                taps: pass.taps,
                in_d,
                in_h,
                in_w,
                segs: segs as u32,
                out_d: od as u32,
                out_h: oh as u32,
                out_w: ow as u32,
                tab_d,
                tab_h,
                tab_w,
                indexed: pass.indexed as u32,
                phases: pass.phases,
                edge_qa: pass.edges[0],
                edge_qb: pass.edges[1],
                edge_ja: pass.edges[2],
                edge_jb: pass.edges[3],
                ..Default::default()
            };
            let workgroups = if pass.kernel.is_x2() {
                Workgroups::Grid(pass.x2_grid(n))
            } else {
                Workgroups::Linear((rows * segs) as u64)
            };
            // `src`/`dst` and their vec4 views `src4`/`dst4` (and `src8`) are the same ranges.
            let mut resources = vec![
                (1, src.resource.clone()),
                (8, src.resource.clone()),
                (2, dst.resource.clone()),
                (3, tables.as_entire_binding()),
                (4, src.resource),
                (5, dst.resource),
                (6, tables.as_entire_binding()),
            ];
            if let Some(yz) = &yz {
                resources.push((7, yz.as_entire_binding()));
            }
            // Two grad_output elements per 64-bit load where the device and the alignment allow.
            let kernel = match pass.kernel.wide_kernel() {
                Some(k) if wide && src.offset % 8 == 0 && in_w % 8 == 0 => k,
                _ => pass.kernel.kernel(),
            };
            launch.dispatch(kernel, &params, &resources, workgroups)?;
        }
    }
    Ok(())
}
