//! The GPU plan of an upsample: which kernels run, in which passes, with which per-axis tables —
//! decided on the host from the taps ([`axis_taps`]), before anything is launched. No GPU needed:
//! the unit tests below check it directly.

use super::factor::{self, FactorOp};
use super::options::{Axis, Plan, UpsampleMode};
use super::taps::{AxisTaps, Windows, antialias_height_first, axis_taps, backward_taps, windows};

/// Threads per workgroup of every upsample kernel (`WG` in the shaders), and outputs per thread
/// along x (`STRIP`) of the row-segment kernels: a workgroup covers `WORKGROUP * STRIP` outputs
/// of one output row.
pub(crate) const WORKGROUP: usize = 64;
pub(crate) const STRIP: usize = 4;
/// Input vec4s the vectorised window pass along w holds per thread (`WIN4` in `window_w4.wgsl`):
/// the most its 4 outputs' inputs may span.
pub(crate) const WINDOW_W4_SPAN: usize = 8;
/// The spans of its entry points (`window_w4_2` ...): each loads that many vec4s per thread.
pub(crate) const WINDOW_W4_SPANS: [usize; 3] = [2, 4, WINDOW_W4_SPAN];
/// Output vec4s per thread of the vec4 window pass along h (`H4` in `window_backward.wgsl`), 64
/// apart: a workgroup covers `4 * WORKGROUP * WINDOW_H4_VECS` outputs of a row.
pub(crate) const WINDOW_H4_VECS: usize = 2;
/// The longest period (in groups of 4 outputs) `window_w4p` takes.
pub(crate) const WINDOW_W4P_PERIODS: usize = 16;
/// Input rows per thread of the ×2 kernels (`ROWS` in `x2.wgsl`).
pub(crate) const X2_ROWS: usize = 8;
/// Input slices per thread of the trilinear ×2 kernels (`SLICES` in `x2.wgsl`): a thread streams
/// through them, so that each slice's rows are read once for its two output slices' pairs.
pub(crate) const X2_SLICES: usize = 8;
/// Per-output y and z weights the `x2w_` kernels hold in a uniform array (`YZ_WEIGHTS` in
/// `x2_output.wgsl`: 64 KiB, WebGPU's guaranteed uniform binding size).
pub(crate) const X2_YZ_WEIGHTS: usize = 4096;
/// WebGPU's default `max_compute_workgroups_per_dimension`, for planning without a device.
#[cfg(test)]
pub(crate) const DEFAULT_MAX_WORKGROUPS: u32 = 65_535;

/// The upsample kernels: one WGSL entry point each (names as in `shaders/upsample/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum UpsampleKernel {
    /// nearest and nearest-exact, one source index per output and axis.
    Nearest,
    /// linear (3-D), bilinear (4-D), trilinear (5-D).
    Linear1d,
    Linear2d,
    Linear3d,
    Bicubic2d,
    Area,
    /// Separable window passes along w and along h (d: viewed as h): the antialias forward and
    /// every backward.
    WindowW,
    /// Integer factors along w with vec4 loads and stores (`factor.wgsl`, `factor.rs`).
    Factor(FactorOp),
    WindowH,
    /// Exact ×2: `taps` along each axis (1 nearest, 2 linear, 4 cubic), the depth doubled or
    /// kept, weights by phase or per output (`x2w_`).
    X2 {
        taps: usize,
        depth_doubled: bool,
        per_output: bool,
    },
    /// The exact ×2 backward (`x2_backward.wgsl`): `taps` per output (1, 2, 4) along the
    /// doubled h and w, or, with `rows`, along the rows of (slices, h·w) (a doubled depth).
    X2Backward {
        taps: usize,
        rows: bool,
        part: X2Part,
    },
    /// The direct backward where every axis has at most one term per input
    /// (`factor_backward.wgsl`, `backward_factor.rs`): with vec4s, `sx` the factor along w
    /// (1 to 4), or element by element with per-axis tables.
    FactorBackward {
        sx: usize,
    },
    DirectBackward,
    /// The backward of nearest (and area) upsampled by an integer factor per axis
    /// (`factor_backward.wgsl`, `backward_factor.rs`): sums of blocks, `sx` the factor along w
    /// (1 to 4).
    BlockBackward {
        sx: usize,
    },
    /// The backward of linear and bilinear upsampled by an integer factor `sx` along w (2 to 4),
    /// the w and h passes fused (`factor_linear_backward.wgsl`, `backward_factor.rs`); `rows`:
    /// h the identity (a 3-D input), rows of any slices a thread; `inner`: the interior threads
    /// with plain multiply-adds (the edges, or every thread, without).
    LinearBackward {
        sx: usize,
        rows: bool,
        inner: bool,
    },
    /// The window pass along h (or d) with vec4s, where the rows are a multiple of 4 long
    /// (`window_backward.wgsl`): the backward's, and the antialias forward's.
    /// `indexed`: the table lists each slot's input (else start + slot).
    WindowH4 {
        indexed: bool,
    },
    /// The window pass along w with vec4s, 4 outputs a thread from a register window of input
    /// vec4s (`window_w4.wgsl`), where `window_w4_table` applies: `span` vec4s (one of
    /// [`WINDOW_W4_SPANS`]), `indexed` as for `WindowH4`.
    WindowW4 {
        span: usize,
        indexed: bool,
    },
    /// Bilinear (`taps` 2) and bicubic (4) at any scale with vec4s, input rows streamed
    /// (`fractional.wgsl`, `fractional.rs`): `span` input vec4s per row and thread.
    Fractional {
        taps: usize,
        span: usize,
    },
    /// The window pass along w over the periodic interior of a row (`window_w4.wgsl`,
    /// `window_w4p_N`), where `window_w4_periodic` applies: groups of 4 outputs whose dense
    /// weights over `span` input vec4s repeat every `edges[2]` groups, read from the uniform
    /// array (the same address in every lane). The row's other groups take a `WindowW4` pass
    /// with the same `edges` ([`Pass::is_border`]). `tables[1]`: the vec4 of the uniform array
    /// its dense weights start at.
    WindowW4P {
        span: usize,
    },
    /// `WindowH4` without listed inputs, its weights in the uniform array from element
    /// `edges[0]` (`window_h4u`: every lane of a workgroup reads the same weights, one load for
    /// all), where they fit.
    WindowH4U,
    /// The window passes along w then h fused (`window_wh.wgsl`, `window.rs`): `span` input
    /// vec4s per row and group of 4 outputs; `ring` the input rows held (h windows at most that
    /// long, their ends non-decreasing), or 0: the output rows of a block take every row;
    /// `half` the w taps of the antialias ×1/2 (span 4) or its backward's (span 2) groups
    /// (their sums only over their taps), or 0: none.
    WindowWH {
        span: usize,
        ring: usize,
        half: usize,
    },
    /// The backward of bilinear and bicubic at any scale, the w and h passes fused
    /// (`fractional_backward.wgsl`, `backward_fractional.rs`): `span` grad_output vec4s per row,
    /// `held` rows summed along w in registers; `edge`: the threads with repeated columns.
    FractionalBackward {
        span: usize,
        held: usize,
        edge: bool,
    },
    /// The window passes along w then h fused for exact ×2 with windows of `taps` (2, 4, 6)
    /// slots (lanczos ×2, the bilinear and bicubic antialiased ×½ backward: `window_x2.wgsl`,
    /// `window_x2.rs`): the interior threads `[edges[0], edges[1])` with the phases' weights,
    /// or (`edge`) the other threads with per-slot weights; the output rows
    /// `[edges[2], edges[3])` with the phases' weights, the others per-slot weights.
    WindowX2 {
        taps: usize,
        edge: bool,
    },
    /// Its backward with the w and h passes fused (`window_x2_backward.wgsl`,
    /// `window_x2_backward.rs`): the interior threads `[edges[0], edges[1])` with the interior's
    /// weights, or (`edge`) the other threads with per-slot weights; the grad_input rows
    /// `[edges[2], edges[3])` with the interior's weights, the others per-slot weights.
    WindowX2Backward {
        edge: bool,
    },
}

/// Which threads of a ×2 backward grid a kernel runs (linear and cubic; nearest has no edges).
/// lavapipe runs both sides of every branch, so the interior's plain sums run in a kernel of their
/// own, without the checks for marked slots, and the edges (where those are) after it,
/// overwriting what it wrote there: `edge_x` the threads `q < edges[0]` and `q >= edges[1]` of
/// every row, `edge_y` the rows `j < edges[2]` and `j >= edges[3]` of every thread
/// ([`Pass::edges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum X2Part {
    Inner,
    EdgeX,
    EdgeY,
}

impl UpsampleKernel {
    /// Every kernel.
    #[cfg(test)]
    pub const ALL: [UpsampleKernel; 59] = {
        use UpsampleKernel::*;
        const fn x2(taps: usize, depth_doubled: bool, per_output: bool) -> UpsampleKernel {
            X2 {
                taps,
                depth_doubled,
                per_output,
            }
        }
        [
            Nearest,
            Linear1d,
            Linear2d,
            Linear3d,
            Bicubic2d,
            Area,
            WindowW,
            WindowH,
            x2(1, false, false),
            x2(1, true, false),
            x2(2, false, false),
            x2(2, true, false),
            x2(4, false, false),
            x2(2, false, true),
            x2(2, true, true),
            x2(4, false, true),
            X2Backward {
                taps: 1,
                rows: false,
                part: X2Part::Inner,
            },
            X2Backward {
                taps: 1,
                rows: true,
                part: X2Part::Inner,
            },
            X2Backward {
                taps: 2,
                rows: false,
                part: X2Part::Inner,
            },
            X2Backward {
                taps: 2,
                rows: false,
                part: X2Part::EdgeX,
            },
            X2Backward {
                taps: 2,
                rows: false,
                part: X2Part::EdgeY,
            },
            X2Backward {
                taps: 4,
                rows: false,
                part: X2Part::Inner,
            },
            X2Backward {
                taps: 4,
                rows: false,
                part: X2Part::EdgeX,
            },
            X2Backward {
                taps: 4,
                rows: false,
                part: X2Part::EdgeY,
            },
            X2Backward {
                taps: 2,
                rows: true,
                part: X2Part::Inner,
            },
            X2Backward {
                taps: 2,
                rows: true,
                part: X2Part::EdgeY,
            },
            FactorBackward { sx: 1 },
            FactorBackward { sx: 2 },
            FactorBackward { sx: 3 },
            FactorBackward { sx: 4 },
            DirectBackward,
            BlockBackward { sx: 1 },
            BlockBackward { sx: 2 },
            BlockBackward { sx: 3 },
            BlockBackward { sx: 4 },
            LinearBackward {
                sx: 2,
                rows: false,
                inner: false,
            },
            LinearBackward {
                sx: 3,
                rows: false,
                inner: false,
            },
            LinearBackward {
                sx: 4,
                rows: false,
                inner: false,
            },
            LinearBackward {
                sx: 2,
                rows: false,
                inner: true,
            },
            LinearBackward {
                sx: 3,
                rows: false,
                inner: true,
            },
            LinearBackward {
                sx: 4,
                rows: false,
                inner: true,
            },
            LinearBackward {
                sx: 2,
                rows: true,
                inner: false,
            },
            LinearBackward {
                sx: 3,
                rows: true,
                inner: false,
            },
            LinearBackward {
                sx: 4,
                rows: true,
                inner: false,
            },
            LinearBackward {
                sx: 2,
                rows: true,
                inner: true,
            },
            LinearBackward {
                sx: 3,
                rows: true,
                inner: true,
            },
            LinearBackward {
                sx: 4,
                rows: true,
                inner: true,
            },
            WindowH4 { indexed: false },
            WindowH4 { indexed: true },
            WindowW4 {
                span: 2,
                indexed: false,
            },
            WindowW4 {
                span: 4,
                indexed: false,
            },
            WindowW4 {
                span: 8,
                indexed: false,
            },
            WindowW4 {
                span: 2,
                indexed: true,
            },
            WindowW4 {
                span: 4,
                indexed: true,
            },
            WindowW4 {
                span: 8,
                indexed: true,
            },
            WindowW4P { span: 2 },
            WindowW4P { span: 4 },
            WindowW4P { span: 8 },
            WindowH4U,
        ]
    };

    /// Every kernel: [`Self::ALL`] and the factor kernels.
    #[cfg(test)]
    pub fn every() -> Vec<UpsampleKernel> {
        let factor = FactorOp::ALL.map(UpsampleKernel::Factor);
        let all = Self::ALL.iter().chain(&factor);
        let all = all.chain(&super::fractional::ALL);
        all.chain(&super::backward_fractional::ALL)
            .chain(&super::window::ALL)
            .chain(&super::window_x2::ALL)
            .chain(&super::window_x2_backward::ALL)
            .copied()
            .collect()
    }

    /// The WGSL entry point, e.g. `"x2w_linear_3d"`.
    pub fn name(self) -> &'static str {
        use UpsampleKernel::*;
        match self {
            Nearest => "nearest",
            Linear1d => "linear_1d",
            Linear2d => "linear_2d",
            Linear3d => "linear_3d",
            Bicubic2d => "bicubic_2d",
            Area => "area",
            WindowW => "window_w",
            WindowH => "window_h",
            Factor(op) => op.name(),
            X2 {
                taps,
                depth_doubled,
                per_output,
            } => match (taps, depth_doubled, per_output) {
                (1, false, _) => "x2_nearest",
                (1, true, _) => "x2_nearest_3d",
                (2, false, false) => "x2_linear",
                (2, true, false) => "x2_linear_3d",
                (2, false, true) => "x2w_linear",
                (2, true, true) => "x2w_linear_3d",
                (_, _, false) => "x2_cubic",
                (_, _, true) => "x2w_cubic",
            },
            X2Backward { taps, rows, part } => {
                use X2Part::*;
                match (taps, rows, part) {
                    (1, false, _) => "x2_backward_nearest",
                    (2, false, Inner) => "x2_backward_linear_inner",
                    (2, false, EdgeX) => "x2_backward_linear_edge_x",
                    (2, false, EdgeY) => "x2_backward_linear_edge_y",
                    (_, false, Inner) => "x2_backward_cubic_inner",
                    (_, false, EdgeX) => "x2_backward_cubic_edge_x",
                    (_, false, EdgeY) => "x2_backward_cubic_edge_y",
                    (1, true, _) => "x2_backward_rows_nearest",
                    (_, true, Inner) => "x2_backward_rows_linear_inner",
                    (_, true, _) => "x2_backward_rows_linear_edge_y",
                }
            }
            FactorBackward { sx } => match sx {
                1 => "factor_backward_x1",
                2 => "factor_backward_x2",
                3 => "factor_backward_x3",
                _ => "factor_backward_x4",
            },
            DirectBackward => "direct_backward",
            BlockBackward { sx } => match sx {
                1 => "block_backward_x1",
                2 => "block_backward_x2",
                3 => "block_backward_x3",
                _ => "block_backward_x4",
            },
            LinearBackward { sx, rows, inner } => match (sx, rows, inner) {
                (2, false, false) => "linear_backward_x2",
                (3, false, false) => "linear_backward_x3",
                (_, false, false) => "linear_backward_x4",
                (2, false, true) => "linear_backward_inner_x2",
                (3, false, true) => "linear_backward_inner_x3",
                (_, false, true) => "linear_backward_inner_x4",
                (2, true, false) => "linear_backward_rows_x2",
                (3, true, false) => "linear_backward_rows_x3",
                (_, true, false) => "linear_backward_rows_x4",
                (2, true, true) => "linear_backward_rows_inner_x2",
                (3, true, true) => "linear_backward_rows_inner_x3",
                (_, true, true) => "linear_backward_rows_inner_x4",
            },
            WindowH4 { indexed: false } => "window_h4",
            WindowH4 { indexed: true } => "window_h4_indexed",
            WindowW4 { span, indexed } => match (span, indexed) {
                (2, false) => "window_w4_2",
                (4, false) => "window_w4_4",
                (_, false) => "window_w4_8",
                (2, true) => "window_w4_2_indexed",
                (4, true) => "window_w4_4_indexed",
                (_, true) => "window_w4_8_indexed",
            },
            Fractional { taps, span } => super::fractional::name(taps, span),
            WindowW4P { span } => match span {
                2 => "window_w4p_2",
                4 => "window_w4p_4",
                _ => "window_w4p_8",
            },
            WindowH4U => "window_h4u",
            WindowWH { span, ring, half } => super::window::name(span, ring, half),
            FractionalBackward { span, held, edge } => {
                super::backward_fractional::name(span, held, edge)
            }
            WindowX2 { taps, edge } => super::window_x2::name(taps, edge),
            WindowX2Backward { edge: false } => "window_x2_backward_12",
            WindowX2Backward { edge: true } => "window_x2_backward_12_edge",
        }
    }

    /// Whether the kernel is one of the ×2 kernels or the vec4 direct or block backward (a grid
    /// of its own, vec4 bindings).
    pub fn is_x2(self) -> bool {
        matches!(
            self,
            UpsampleKernel::X2 { .. }
                | UpsampleKernel::X2Backward { .. }
                | UpsampleKernel::FactorBackward { .. }
                | UpsampleKernel::BlockBackward { .. }
                | UpsampleKernel::LinearBackward { .. }
                | UpsampleKernel::FractionalBackward { .. }
                | UpsampleKernel::WindowX2 { .. }
                | UpsampleKernel::WindowX2Backward { .. }
        )
    }
}

/// Where a pass reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Input,
    /// An intermediate between two passes (0 or 1: three passes ping-pong between two).
    Scratch(usize),
    Output,
}

/// One kernel over a (planes, d, h, w) block: a dispatch per chunk of planes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pass {
    pub kernel: UpsampleKernel,
    pub src: Stage,
    pub dst: Stage,
    pub in_dims: [usize; 3],
    pub out_dims: [usize; 3],
    /// Word offsets of each axis's table (d, h, w) in [`GpuPlan::tables`] (x2: see `x2_pass`).
    pub tables: [u32; 3],
    /// Window passes: weight slots per output index, and whether the table lists their inputs.
    /// (The fractional backward: `taps` its edge threads' terms per lane, `indexed` its rows'
    /// table in the tables at `tables[0]` instead of the uniform array.)
    pub taps: u32,
    pub indexed: bool,
    /// ×2 with weights by phase: even and odd outputs' tap weights along x, y, z.
    pub phases: [[f32; 4]; 6],
    /// ×2 backward (linear, cubic): the interior of the grid, `[qa, qb)` threads along x and
    /// `[ja, jb)` rows; the rest are the edges (see [`X2Part`]).
    pub edges: [u32; 4],
}

impl Pass {
    pub(crate) fn new(kernel: UpsampleKernel, in_dims: [usize; 3], out_dims: [usize; 3]) -> Self {
        Pass {
            kernel,
            src: Stage::Input,
            dst: Stage::Output,
            in_dims,
            out_dims,
            tables: [0; 3],
            taps: 0,
            indexed: false,
            phases: Default::default(),
            edges: [0; 4],
        }
    }

    /// Whether this is the pass over the groups of 4 outputs outside the periodic interior
    /// `[edges[0], edges[1])` of a `WindowW4P` pass (which follows it): `WindowW4` with a period
    /// `edges[2]`.
    pub fn is_border(&self) -> bool {
        matches!(self.kernel, UpsampleKernel::WindowW4 { .. }) && self.edges[2] != 0
    }

    /// Workgroups of one plane: row segments of `WORKGROUP * STRIP` outputs, or for ×2 the
    /// depth (grid z; x and y are per slice, see `x2_grid`).
    pub fn workgroups_per_plane(&self) -> u64 {
        if let UpsampleKernel::BlockBackward { .. } = self.kernel {
            self.out_dims[0] as u64
        } else if self.kernel.is_x2() {
            self.x2_depth_groups() as u64
        } else {
            (self.row_units() * self.row_segments()) as u64
        }
    }

    /// Workgroups along the depth of one plane of a ×2 kernel: a slice each, or for the
    /// trilinear forward one per `X2_SLICES` input slices.
    fn x2_depth_groups(&self) -> usize {
        match self.kernel {
            UpsampleKernel::X2 {
                taps: 2,
                depth_doubled: true,
                ..
            } => self.in_dims[0].div_ceil(X2_SLICES),
            _ => self.in_dims[0],
        }
    }

    /// The ×2 kernels' grid for `planes` planes. Forward: (⌈in_w / 8 / WORKGROUP⌉,
    /// ⌈in_h / X2_ROWS⌉, planes · in_d), a thread per 8 inputs of X2_ROWS input rows (trilinear:
    /// of X2_SLICES input slices, planes · ⌈in_d / X2_SLICES⌉ along z). Backward:
    /// (⌈out_w / 8 / WORKGROUP⌉, ⌈out_h / X2_ROWS⌉, planes · in_d), a thread per 8 elements of
    /// grad_input of X2_ROWS of its rows.
    pub fn x2_grid(&self, planes: usize) -> [u32; 3] {
        let [id, ih, iw] = self.in_dims;
        let [_, oh, ow] = self.out_dims;
        let [qa, qb, ja, jb] = self.edges.map(|e| e as usize);
        let xy = match self.kernel {
            UpsampleKernel::X2Backward {
                part: X2Part::EdgeX,
                ..
            } => {
                // 8 threads a workgroup: each edge thread of every block of X2_ROWS rows.
                let threads = (qa + ow.div_ceil(8) - qb) * oh.div_ceil(X2_ROWS);
                return [threads.div_ceil(8), 1, planes * id].map(|d| d as u32);
            }
            UpsampleKernel::X2Backward {
                part: X2Part::EdgeY,
                ..
            } => {
                debug_assert!(ja <= jb);
                return [ow.div_ceil(8).div_ceil(8), 1, planes * id].map(|d| d as u32);
            }
            UpsampleKernel::X2Backward { .. } => [ow.div_ceil(8), oh],
            UpsampleKernel::FactorBackward { .. } => {
                return super::backward_factor::factor_grid(self.in_dims, planes);
            }
            UpsampleKernel::BlockBackward { .. } => {
                return super::backward_factor::factor_grid(self.out_dims, planes);
            }
            UpsampleKernel::LinearBackward { .. } => {
                return super::backward_factor::linear_grid(self, planes);
            }
            UpsampleKernel::FractionalBackward { .. } => {
                return super::backward_fractional::grid(self, planes);
            }
            UpsampleKernel::WindowX2 { .. } => return super::window_x2::grid(self, planes),
            UpsampleKernel::WindowX2Backward { .. } => {
                return super::window_x2_backward::grid(self, planes);
            }
            _ => [(iw / 4).div_ceil(2), ih],
        };
        [
            xy[0].div_ceil(WORKGROUP),
            xy[1].div_ceil(X2_ROWS),
            planes * self.x2_depth_groups(),
        ]
        .map(|d| d as u32)
    }
}

/// All passes of one upsample and their tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct GpuPlan {
    pub passes: Vec<Pass>,
    /// Every per-axis table, packed into `u32` words (f32 weights as bits).
    pub tables: Vec<u32>,
    /// The `x2w_` kernels' uniform array of per-output y then z weights (`X2_YZ_WEIGHTS` vec4s).
    pub yz: Option<Vec<u32>>,
}

impl GpuPlan {
    /// Appends a table at a multiple of 4 words (for kernels that read it as `vec4`s), returning
    /// its word offset.
    pub(crate) fn push_vec4(&mut self, words: impl IntoIterator<Item = u32>) -> u32 {
        self.tables.resize(self.tables.len().next_multiple_of(4), 0);
        self.push(words)
    }

    /// Appends a table, returning its word offset.
    pub(crate) fn push(&mut self, words: impl IntoIterator<Item = u32>) -> u32 {
        let at = self.tables.len() as u32;
        self.tables.extend(words);
        at
    }

    /// Elements one plane of intermediate `index` holds (0 when no pass writes it).
    pub fn scratch_plane(&self, index: usize) -> usize {
        self.passes
            .iter()
            .filter(|p| p.dst == Stage::Scratch(index))
            .map(|p| p.out_dims.iter().product())
            .max()
            .unwrap_or(0)
    }

    /// Appends `words` (a multiple of 4) to the uniform array, returning their element offset,
    /// or `None` where they do not fit in its `X2_YZ_WEIGHTS` vec4s.
    pub(crate) fn push_uniform(&mut self, words: &[u32]) -> Option<u32> {
        let yz = self.yz.get_or_insert_with(Vec::new);
        let at = yz.len();
        if at + words.len() > 4 * X2_YZ_WEIGHTS {
            return None;
        }
        yz.extend_from_slice(words);
        yz.resize(yz.len().next_multiple_of(4), 0);
        Some(at as u32)
    }

    /// Pads the uniform array to its `X2_YZ_WEIGHTS` vec4s (where there is one).
    fn pad_uniform(&mut self) {
        if let Some(yz) = &mut self.yz {
            yz.resize(4 * X2_YZ_WEIGHTS, 0);
        }
    }

    /// Bytes of GPU memory beyond the input and output for `planes` planes: tables, the
    /// intermediates, the ×2 weights array and one parameter block per pass.
    pub fn scratch_bytes(&self, planes: usize, params: usize) -> u64 {
        let yz = self.yz.as_ref().map_or(0, |v| v.len() as u64 * 4);
        let scratch = planes * (self.scratch_plane(0) + self.scratch_plane(1));
        (self.tables.len() + scratch) as u64 * 4 + yz + (self.passes.len() * params) as u64
    }

    /// Chains the passes: the first reads the input, the last writes the output, the others
    /// go through the intermediates in turn.
    /// A border pass ([`Pass::is_border`]) reads and writes what the pass after it does.
    fn chain(&mut self) {
        let n = self.passes.iter().filter(|p| !p.is_border()).count();
        let steps = self.passes.iter_mut().filter(|p| !p.is_border());
        for (k, pass) in steps.enumerate() {
            pass.src = if k == 0 {
                Stage::Input
            } else {
                Stage::Scratch((k - 1) % 2)
            };
            pass.dst = if k + 1 == n {
                Stage::Output
            } else {
                Stage::Scratch(k % 2)
            };
        }
        for k in (0..self.passes.len()).rev() {
            if self.passes[k].is_border() {
                (self.passes[k].src, self.passes[k].dst) =
                    (self.passes[k + 1].src, self.passes[k + 1].dst);
            }
        }
    }

    /// The entry points, in order.
    pub fn kernel_names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.kernel.name()).collect()
    }
}

/// The GPU plan for `plan` on a device allowing `max_dim` workgroups per grid dimension.
pub(crate) fn gpu_plan(plan: &Plan, max_dim: u32) -> GpuPlan {
    let axes = plan.axes3();
    let in_dims = axes.map(|a| a.input);
    let out_dims = axes.map(|a| a.output);
    let taps: [AxisTaps; 3] = [0, 1, 2].map(|k| axis_taps(plan, k));
    let mut g = GpuPlan::default();
    if plan.antialias {
        antialias_passes(
            &mut g,
            &taps,
            in_dims,
            out_dims,
            antialias_height_first(plan),
            max_dim,
        );
        return g;
    }
    if x2_pass(&mut g, plan, &taps, max_dim) {
        return g;
    }
    // Area with one-input windows is nearest (the ×2 kernel too); integer factors along w.
    if let Some((nearest, taps)) = factor::area_as_nearest(plan, &taps)
        && x2_pass(&mut g, &nearest, &taps, max_dim)
    {
        return g;
    }
    if factor::factor_pass(&mut g, plan, &taps)
        || factor::linear_up(&mut g, plan, &taps)
        || factor::linear_down(&mut g, plan, &taps)
        || super::fractional::fractional_pass(&mut g, plan, &taps)
    {
        return g;
    }
    let (kernel, tables) = match plan.mode {
        UpsampleMode::Nearest | UpsampleMode::NearestExact => {
            let t = taps.map(|t| g.push(t.pairs().iter().map(|&(i, _)| i)));
            (UpsampleKernel::Nearest, t)
        }
        UpsampleMode::Linear | UpsampleMode::Bilinear | UpsampleMode::Trilinear => {
            let t = taps.map(|t| {
                g.push(
                    t.padded(2)
                        .flat_map(|v| [v[0].0, v[1].0, v[0].1.to_bits(), v[1].1.to_bits()]),
                )
            });
            let kernel = [
                UpsampleKernel::Linear1d,
                UpsampleKernel::Linear2d,
                UpsampleKernel::Linear3d,
            ][plan.axes.len() - 1];
            (kernel, t)
        }
        UpsampleMode::Bicubic => {
            let t = taps.map(|t| {
                g.push(t.padded(4).flat_map(|v| {
                    let (index, weight): (Vec<u32>, Vec<f32>) = v.into_iter().unzip();
                    index
                        .into_iter()
                        .chain(weight.into_iter().map(f32::to_bits))
                }))
            });
            (UpsampleKernel::Bicubic2d, t)
        }
        UpsampleMode::Lanczos => unreachable!("lanczos is antialiased (checked by the plan)"),
        UpsampleMode::Area => {
            let t = taps.map(|t| match t {
                AxisTaps::Area(w) => g.push(w.iter().flat_map(|&(s, e)| [s, e])),
                other => unreachable!("area taps, not {other:?}"),
            });
            (UpsampleKernel::Area, t)
        }
    };
    let mut pass = Pass::new(kernel, in_dims, out_dims);
    pass.tables = tables;
    g.passes.push(pass);
    g
}

/// The antialias passes: width, then height (or the other way round, see
/// `antialias_height_first`), an axis of unchanged size skipped (none at all: the launch
/// copies). With two passes the first writes the scratch.
fn antialias_passes(
    g: &mut GpuPlan,
    taps: &[AxisTaps; 3],
    in_dims: [usize; 3],
    out: [usize; 3],
    height_first: bool,
    max_dim: u32,
) {
    // Width then height in one kernel where it applies.
    if let (false, AxisTaps::Antialias(w), AxisTaps::Antialias(h)) =
        (height_first, &taps[2], &taps[1])
    {
        let next = [in_dims[0], out[1], out[2]];
        // Lanczos ×2: its passes read the input and write the output (no chain).
        if super::window_x2::fused_pass(g, w, h, in_dims, next, max_dim) {
            g.pad_uniform();
            return;
        }
        if super::window::fused_pass(g, w, h, in_dims, next) {
            g.chain();
            g.pad_uniform();
            return;
        }
    }
    let mut cur = in_dims;
    let mut order = [(2, UpsampleKernel::WindowW), (1, UpsampleKernel::WindowH)];
    if height_first {
        order.reverse();
    }
    for (k, kernel) in order {
        let AxisTaps::Antialias(t) = &taps[k] else {
            continue;
        };
        let mut next = cur;
        next[k] = out[k];
        if k == 2 {
            let pass = window_w_pass(g, t, cur, next);
            g.passes.push(pass);
            cur = next;
            continue;
        }
        let at = g.push(t.words());
        // Along h: vec4s where the rows are a multiple of 4 long (the same table and sums).
        let kernel = match kernel {
            UpsampleKernel::WindowH if cur[2].is_multiple_of(4) => {
                UpsampleKernel::WindowH4 { indexed: false }
            }
            other => other,
        };
        let mut pass = Pass::new(kernel, cur, next);
        pass.tables[k] = at;
        pass.taps = t.taps as u32;
        window_h4_uniform(g, &mut pass, t);
        g.passes.push(pass);
        cur = next;
    }
    g.chain();
    g.pad_uniform();
}

/// Turns a `WindowH4` pass without listed inputs into `WindowH4U` where its weights fit in the
/// uniform array (they go there, from element `edges[0]`).
fn window_h4_uniform(g: &mut GpuPlan, pass: &mut Pass, t: &Windows) {
    if pass.kernel != (UpsampleKernel::WindowH4 { indexed: false }) || t.index.is_some() {
        return;
    }
    let words: Vec<u32> = t.weights.iter().map(|w| w.to_bits()).collect();
    if let Some(at) = g.push_uniform(&words) {
        pass.kernel = UpsampleKernel::WindowH4U;
        pass.edges[0] = at;
    }
}

/// The GPU plan of the backward of `plan`: `grad_input` from `grad_output`, one window pass per
/// axis (w, then h, then d) with the forward's taps transposed ([`AxisTaps::transpose`]), an
/// axis whose transpose is the identity skipped (no pass at all: the launch copies). The depth
/// pass views each plane as (1, d, h·w) and runs the h kernel.
pub(crate) fn backward_plan(plan: &Plan, max_dim: u32) -> GpuPlan {
    let axes = plan.axes3();
    let mut g = GpuPlan::default();
    if x2_backward(&mut g, plan, max_dim) {
        return g;
    }
    if super::backward_factor::direct_backward(&mut g, plan, max_dim)
        || super::backward_factor::block_backward(&mut g, plan, max_dim)
        || super::backward_factor::linear_backward(&mut g, plan, max_dim)
        || super::backward_fractional::fractional_backward(&mut g, plan, max_dim)
    {
        return g;
    }
    let mut cur = axes.map(|a| a.output);
    // Along w then h in one kernel where the depth is unchanged and it applies.
    let t = [0, 1, 2].map(|k| windows(&backward_taps(plan, k).transpose(axes[k].input)));
    let fused = t[0].is_identity(cur[0]) && !t[1].is_identity(cur[1]) && !t[2].is_identity(cur[2]);
    let input = axes.map(|a| a.input);
    // Lanczos ×2 (12 slots) and exact ×2 with windows of 2 or 4 slots (the antialiased ×½
    // backward): passes that read grad_output and write grad_input (no chain).
    if fused && super::window_x2_backward::fused_pass(&mut g, &t[2], &t[1], cur, input, max_dim) {
        g.pad_uniform();
        return g;
    }
    if fused && super::window_x2::fused_pass(&mut g, &t[2], &t[1], cur, input, max_dim) {
        g.pad_uniform();
        return g;
    }
    if fused && super::window::fused_pass(&mut g, &t[2], &t[1], cur, input) {
        g.chain();
        g.pad_uniform();
        return g;
    }
    for k in [2, 1, 0] {
        let t = windows(&backward_taps(plan, k).transpose(axes[k].input));
        if t.is_identity(cur[k]) {
            continue;
        }
        let mut next = cur;
        next[k] = axes[k].input;
        if k == 2 {
            let pass = window_w_pass(&mut g, &t, cur, next);
            g.passes.push(pass);
            cur = next;
            continue;
        }
        let at = g.push(t.words());
        // Along h and d: vec4s where the rows are a multiple of 4 long.
        let h = |row: usize| match row % 4 {
            0 => UpsampleKernel::WindowH4 {
                indexed: t.index.is_some(),
            },
            _ => UpsampleKernel::WindowH,
        };
        let mut pass = match k {
            1 => Pass::new(h(cur[2]), cur, next),
            _ => {
                let hw = cur[1] * cur[2];
                Pass::new(h(hw), [1, cur[0], hw], [1, next[0], hw])
            }
        };
        pass.tables[1] = at;
        pass.taps = t.taps as u32;
        pass.indexed = t.index.is_some();
        window_h4_uniform(&mut g, &mut pass, &t);
        g.passes.push(pass);
        cur = next;
    }
    g.chain();
    g.pad_uniform();
    g
}

/// The window pass along w over `t` from (d, h, w) `cur` to `next`, its table pushed onto `g`:
/// `window_w4` where both rows are a multiple of 4 long and `window_w4_table` applies, else
/// `window_w`.
fn window_w_pass(g: &mut GpuPlan, t: &Windows, cur: [usize; 3], next: [usize; 3]) -> Pass {
    let vec4 = cur[2].is_multiple_of(4) && next[2].is_multiple_of(4);
    if let Some((words, span)) = vec4.then(|| window_w4_table(t)).flatten()
        && let Some(periodic) = window_w4_periodic(t, span)
        && let Some(dense) = g.push_uniform(&periodic.weights)
    {
        // The border groups with the general table, then the interior with the uniform array.
        let at = g.push_vec4(words);
        let edges = [periodic.qa, periodic.qb, periodic.period, periodic.stride];
        let mut border = Pass::new(
            UpsampleKernel::WindowW4 {
                span,
                indexed: t.index.is_some(),
            },
            cur,
            next,
        );
        border.tables[2] = at;
        border.taps = t.taps as u32;
        border.indexed = t.index.is_some();
        border.edges = edges;
        let mut pass = Pass::new(UpsampleKernel::WindowW4P { span }, cur, next);
        pass.tables[2] = at;
        // (No table along h: there the vec4 its dense weights start at in the uniform array.)
        pass.tables[1] = dense / 4;
        pass.taps = t.taps as u32;
        pass.indexed = t.index.is_some();
        pass.edges = edges;
        if border.row_segments() > 0 {
            g.passes.push(border);
        }
        return pass;
    }
    let (kernel, at) = match vec4.then(|| window_w4_table(t)).flatten() {
        Some((words, span)) => {
            let indexed = t.index.is_some();
            (
                UpsampleKernel::WindowW4 { span, indexed },
                g.push_vec4(words),
            )
        }
        None => (UpsampleKernel::WindowW, g.push(t.words())),
    };
    let mut pass = Pass::new(kernel, cur, next);
    pass.tables[2] = at;
    pass.taps = t.taps as u32;
    pass.indexed = t.index.is_some();
    pass
}

/// `window_w4`'s table for windows `t` (a multiple of 4 outputs): per group of 4 outputs, the
/// first input vec4 their inputs touch, the vec4s to load | the most slots << 8, each output's
/// first input relative to that vec4 (non-indexed), each output's slot count (8 bits per output);
/// per slot the 4 weights; per slot (indexed) the 4 inputs relative to that vec4. `None` where
/// some group's inputs span more than `WINDOW_W4_SPAN` vec4s (or a count needs more than 8 bits).
/// With the table, the least of [`WINDOW_W4_SPANS`] that holds every group's span.
fn window_w4_table(t: &Windows) -> Option<(Vec<u32>, usize)> {
    let n = t.start.len();
    let mut words = Vec::new();
    let mut widest = 1;
    for q in 0..n / 4 {
        let outs = 4 * q..4 * q + 4;
        let inputs = || {
            outs.clone()
                .flat_map(|o| (0..t.len[o] as usize).map(move |j| t.input(o, j)))
        };
        let (lo, hi) = (inputs().min().unwrap_or(0), inputs().max().unwrap_or(0));
        let base = lo / 4;
        let vecs = hi / 4 - base + 1;
        if vecs > WINDOW_W4_SPAN {
            return None;
        }
        widest = widest.max(vecs);
        let most = outs.clone().map(|o| t.len[o]).max().unwrap_or(0);
        if most > 255 {
            return None;
        }
        // 8 bits per output: starts within the 4 · WINDOW_W4_SPAN loaded inputs.
        let bytes = |f: &dyn Fn(usize) -> u32| (0..4).fold(0, |w, j| w | f(4 * q + j) << (8 * j));
        let start = |o: usize| match t.len[o] {
            0 => 0,
            _ => (t.start[o] as usize - 4 * base) as u32 & 255,
        };
        words.extend([
            base as u32,
            vecs as u32 | most << 8,
            bytes(&start),
            bytes(&|o| t.len[o]),
        ]);
        for k in 0..t.taps {
            words.extend(outs.clone().map(|o| t.weights[o * t.taps + k].to_bits()));
        }
        if t.index.is_some() {
            for k in 0..t.taps {
                words.extend(outs.clone().map(|o| match k < t.len[o] as usize {
                    true => (t.input(o, k) - 4 * base) as u32,
                    false => 0,
                }));
            }
        }
    }
    let span = WINDOW_W4_SPANS.into_iter().find(|&s| s >= widest)?;
    Some((words, span))
}

/// The periodic interior of a `window_w4` row ([`UpsampleKernel::WindowW4P`]).
#[derive(Debug, Clone, PartialEq)]
struct Periodic {
    /// The interior: groups of 4 outputs `[qa, qb)`, `qb - qa` a multiple of `period`.
    qa: u32,
    qb: u32,
    /// Group `q + period` reads the inputs of group `q` moved `stride` vec4s on, with the same
    /// weights.
    period: u32,
    stride: u32,
    /// Per phase (group `qa + phase` of a period), per input `e` of its `span` vec4s (from its
    /// first, `window_w4_table`'s), the 4 outputs' weights of that input as bits, `ABSENT`
    /// where an output does not read it: `4 · span` vec4s a phase.
    weights: Vec<u32>,
}

/// A weight slot without a term in `window_w4p`'s dense weights (`-0.0`'s bits; a real `-0.0`
/// weight takes `window_w4`).
pub(crate) const WINDOW_ABSENT: u32 = 0x8000_0000;

/// Where the groups of 4 outputs of `t` (outputs a multiple of 4, `window_w4_table` applies with
/// `span`) repeat with a period of at most [`WINDOW_W4P_PERIODS`] groups over at least one
/// period: their dense weights over the `span` input vec4s from the group's first, bit for bit,
/// and that first vec4 moving on by the same stride each period. Each output's inputs must rise
/// slot by slot (so summing the dense weights input by input is the slots' order) and no weight
/// may be `-0.0` (the mark of an absent one). The longest such run (the least period of equals).
fn window_w4_periodic(t: &Windows, span: usize) -> Option<Periodic> {
    let groups = t.start.len() / 4;
    // Each group's first input vec4 and dense weights, or None where it cannot be dense.
    let dense = |q: usize| -> Option<(usize, Vec<u32>)> {
        let mut lo = usize::MAX;
        for o in 4 * q..4 * q + 4 {
            for j in 0..t.len[o] as usize {
                lo = lo.min(t.input(o, j));
                if j > 0 && t.input(o, j) <= t.input(o, j - 1) {
                    return None;
                }
                if t.weights[o * t.taps + j].to_bits() == WINDOW_ABSENT {
                    return None;
                }
            }
        }
        let base = if lo == usize::MAX { 0 } else { lo / 4 };
        let mut w = vec![WINDOW_ABSENT; 16 * span];
        for (j, o) in (4 * q..4 * q + 4).enumerate() {
            for k in 0..t.len[o] as usize {
                let e = t.input(o, k).checked_sub(4 * base)?;
                if e >= 4 * span {
                    return None;
                }
                w[4 * e + j] = t.weights[o * t.taps + k].to_bits();
            }
        }
        Some((base, w))
    };
    let all: Vec<_> = (0..groups).map(dense).collect();
    let mut best = None;
    for period in 1..=WINDOW_W4P_PERIODS.min(X2_YZ_WEIGHTS / (4 * span)) {
        if 2 * period > groups {
            break;
        }
        // Runs of q with group q + period the same as group q moved on by `stride`.
        let same = |q: usize, stride: usize| match (&all[q], &all[q + period]) {
            (Some((b0, w0)), Some((b1, w1))) => *b1 == b0 + stride && w0 == w1,
            _ => false,
        };
        let mid = (groups - period) / 2;
        let Some((b0, _)) = &all[mid] else { continue };
        let Some((b1, _)) = &all[mid + period] else {
            continue;
        };
        let Some(stride) = b1.checked_sub(*b0) else {
            continue;
        };
        let (mut qa, mut end) = (mid, mid);
        while qa > 0 && same(qa - 1, stride) {
            qa -= 1;
        }
        while end + period < groups && same(end, stride) {
            end += 1;
        }
        // Groups [qa, end + period) share the period's weights; whole periods of them.
        let qb = qa + (end + period - qa) / period * period;
        if qb - qa < period || all[qa..qb].iter().any(Option::is_none) {
            continue;
        }
        if best
            .as_ref()
            .is_some_and(|b: &Periodic| b.qb - b.qa >= (qb - qa) as u32)
        {
            continue;
        }
        let weights = all[qa..qa + period]
            .iter()
            .flat_map(|d| d.as_ref().map_or(vec![], |(_, w)| w.clone()))
            .collect();
        best = Some(Periodic {
            qa: qa as u32,
            qb: qb as u32,
            period: period as u32,
            stride: stride as u32,
            weights,
        });
    }
    best
}

/// The shape the ×2 kernels take, forward and backward: nearest, nearest-exact, bilinear,
/// trilinear or bicubic on a 4-D or 5-D input, no antialias, height and width doubled (depth
/// doubled or kept), the input width a multiple of 4. `Some((taps per output, depth doubled))`.
fn x2_shape(plan: &Plan) -> Option<(usize, bool)> {
    let t = match plan.mode {
        _ if plan.antialias || plan.axes.len() < 2 => return None,
        UpsampleMode::Nearest | UpsampleMode::NearestExact => 1,
        UpsampleMode::Bilinear | UpsampleMode::Trilinear => 2,
        UpsampleMode::Bicubic => 4,
        UpsampleMode::Linear | UpsampleMode::Area | UpsampleMode::Lanczos => return None,
    };
    x2_axes(plan).map(|depth_doubled| (t, depth_doubled))
}

/// The axes the ×2 kernels take (whatever the mode): a 4-D or 5-D input, height and width
/// doubled, the depth doubled or kept, the input width a multiple of 4. `Some(depth doubled)`.
pub(crate) fn x2_axes(plan: &Plan) -> Option<bool> {
    if plan.axes.len() < 2 {
        return None;
    }
    let [ad, ah, aw] = plan.axes3();
    let doubled = |a: &Axis| a.output == 2 * a.input;
    let depth_doubled = ad.output != ad.input;
    let fits = doubled(&ah)
        && doubled(&aw)
        && (!depth_doubled || doubled(&ad))
        && aw.input.is_multiple_of(4);
    fits.then_some(depth_doubled)
}

/// The ×2 pass (`x2.wgsl`), pushed onto `g` with its tables where it applies: nearest,
/// nearest-exact, bilinear, trilinear or bicubic on a 4-D or 5-D input, no antialias, height and
/// width doubled (depth doubled or kept), the input width a multiple of 4, the grid within
/// `max_dim` per dimension for one plane, and PyTorch's taps along every axis following the ×2
/// pattern: output `2i + φ` reads `clamp(i + φ - T/2 + t)` (`T` taps; nearest: `i`). The weights
/// go to the parameters where they repeat with period 2 (`align_corners=False`), else per
/// output to the tables (the `x2w_` kernels). Returns whether it applied (`g` untouched if not).
fn x2_pass(g: &mut GpuPlan, plan: &Plan, taps: &[AxisTaps; 3], max_dim: u32) -> bool {
    let Some((t, depth_doubled)) = x2_shape(plan) else {
        return false;
    };
    let [ad, ah, aw] = plan.axes3();
    // A 5-D linear input with the depth kept: PyTorch's kept axis adds its zero-weight tap
    // (0 · v), which only the general kernel reproduces (for a NaN or inf input).
    if t == 2 && !depth_doubled && plan.axes.len() == 3 {
        return false;
    }
    let mut pass = Pass::new(
        UpsampleKernel::X2 {
            taps: t,
            depth_doubled,
            per_output: false,
        },
        [ad, ah, aw].map(|a| a.input),
        [ad, ah, aw].map(|a| a.output),
    );
    // One plane's grid within the device's limit per dimension (the launch chunks the planes
    // so that planes · in_d stays within it).
    if pass.x2_grid(1).iter().any(|&d| d > max_dim) {
        return false;
    }
    // The axes the kernel interpolates: w, h, and d where it is doubled.
    let axes: Vec<(usize, &AxisTaps)> = [(aw.input, &taps[2]), (ah.input, &taps[1])]
        .into_iter()
        .chain(depth_doubled.then_some((ad.input, &taps[0])))
        .collect();
    if t == 1 {
        let pattern = |(_, a): &(usize, &AxisTaps)| {
            a.pairs()
                .iter()
                .enumerate()
                .all(|(o, &(i, _))| i as usize == o / 2)
        };
        if !axes.iter().all(pattern) {
            return false;
        }
        g.passes.push(pass);
        return true;
    }
    let Some(weights) = axes
        .iter()
        .map(|&(n, a)| x2_weights(a, n, t))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let periodic: Option<Vec<[[f32; 4]; 2]>> = axes
        .iter()
        .zip(&weights)
        .map(|(&(n, _), w)| x2_phases(w, n, t))
        .collect();
    let per_output: Option<Vec<&Vec<[f32; 4]>>> = weights.iter().map(|w| w.ours.as_ref()).collect();
    match periodic {
        Some(periodic) => {
            for (k, [even, odd]) in periodic.into_iter().enumerate() {
                pass.phases[2 * k] = even;
                pass.phases[2 * k + 1] = odd;
            }
        }
        None => {
            let Some(weights) = per_output else {
                return false;
            };
            // y and z go to a uniform array of X2_YZ_WEIGHTS vec4s: rows from 0, slices after.
            let (oh, od) = (ah.output, if depth_doubled { ad.output } else { 0 });
            if oh + od > X2_YZ_WEIGHTS {
                return false;
            }
            let mut yz = vec![0u32; 4 * X2_YZ_WEIGHTS];
            let bits = |w: &&Vec<[f32; 4]>| w.iter().flatten().map(|w| w.to_bits()).collect();
            let (y, z): (Vec<u32>, Vec<u32>) =
                (bits(&weights[1]), weights.get(2).map_or(vec![], bits));
            yz[..4 * oh].copy_from_slice(&y);
            yz[4 * oh..4 * (oh + od)].copy_from_slice(&z);
            g.yz = Some(yz);
            // x: per thread (16 outputs), for each of its 4 output groups (even and odd outputs
            // of each input vec4) and each tap, the group's 4 weights.
            let w = weights[0];
            let x = (0..aw.input.div_ceil(8)).flat_map(|q| {
                [0, 1, 8, 9].into_iter().flat_map(move |g| {
                    (0..t).flat_map(move |tap| {
                        (0..4).map(move |m| {
                            w.get(16 * q + g + 2 * m).map_or(0.0, |o| o[tap]).to_bits()
                        })
                    })
                })
            });
            // The kernel reads x from `wt4` at tables[2] (in vec4s); y and z from `yz`: rows
            // from tables[1] = 0, slices from tables[0] = out_h.
            pass.tables = [oh as u32, 0, g.push_vec4(x) / 4];
            pass.kernel = UpsampleKernel::X2 {
                taps: t,
                depth_doubled,
                per_output: true,
            };
        }
    }
    g.passes.push(pass);
    true
}

/// The exact ×2 backward (`x2_backward.wgsl`), pushed onto `g` where it applies: nearest,
/// nearest-exact, bilinear, bicubic (4-D) or trilinear, nearest (5-D, depth doubled or kept), no
/// antialias, height and width doubled, the input width a multiple of 4, one plane's grid within
/// `max_dim`, and along every doubled axis each input's transposed taps within the outputs
/// `2m - T ..= 2m + T` (T taps per output; nearest: exactly `2m` and `2m + 1`, weight 1). The
/// weights go per input into slots (`-0.0`: no tap): x per thread into the tables, the rows
/// (and slices) into the uniform array. A doubled depth is reduced first, by a rows pass on
/// (slices, h·w). Returns whether it applied (`g` untouched if not).
fn x2_backward(g: &mut GpuPlan, plan: &Plan, max_dim: u32) -> bool {
    // Area doubled is nearest's ×2 (checked below against nearest's transposed taps).
    let shape = x2_shape(plan).or_else(|| super::backward_factor::area_x2_shape(plan));
    let Some((t, depth_doubled)) = shape else {
        return false;
    };
    let [ad, ah, aw] = plan.axes3();
    // Per doubled axis, the slot weights per input (S = 2T + 1 slots; nearest: none).
    // Per doubled axis and input, the S = 2T + 1 slot weights and a mask of the slots whose
    // weight merges several taps of one output that an infinite gradient turns into NaN in
    // PyTorch (a zero among them, or both signs); nearest: no weights.
    let slots = |k: usize, a: &Axis| -> Option<(Vec<f32>, Vec<u32>)> {
        let terms = backward_taps(plan, k).transpose(a.input);
        let (mut weights, mut masks) = (Vec::new(), Vec::new());
        for (m, terms) in terms.iter().enumerate() {
            let m = m as i64;
            if t == 1 {
                let want = [(2 * m as u32, 1.0), (2 * m as u32 + 1, 1.0)];
                if terms[..] != want {
                    return None;
                }
                continue;
            }
            let first = 2 * m - t as i64;
            let mut w = vec![-0.0f32; 2 * t + 1];
            let mut mask = 0u32;
            let mut j = 0;
            while j < terms.len() {
                let o = terms[j].0;
                let group: Vec<f32> = terms[j..]
                    .iter()
                    .take_while(|p| p.0 == o)
                    .map(|p| p.1)
                    .collect();
                j += group.len();
                let slot = o as i64 - first;
                if !(0..=2 * t as i64).contains(&slot) {
                    return None;
                }
                let sum = group.iter().fold(0.0f32, |acc, &v| acc + v);
                // A present zero weight is +0.0 (−0.0 marks a slot without a tap).
                w[slot as usize] = if sum == 0.0 { 0.0 } else { sum };
                let mixed = group.iter().any(|&v| v > 0.0) && group.iter().any(|&v| v < 0.0);
                if group.len() > 1 && (mixed || group.contains(&0.0)) {
                    mask |= 1 << slot;
                }
            }
            weights.extend(w);
            masks.push(mask);
        }
        Some((weights, masks))
    };
    let (Some((wx, mx)), Some((wy, my))) = (slots(2, &aw), slots(1, &ah)) else {
        return false;
    };
    let wz = if depth_doubled {
        match slots(0, &ad) {
            Some(w) => Some(w),
            None => return false,
        }
    } else {
        None
    };
    // A kept depth must be the identity for the backward too: a linear mode's kept axis adds
    // PyTorch's zero-weight tap (0 · g), which only the general path reproduces.
    if !depth_doubled
        && !windows(&backward_taps(plan, 0).transpose(ad.input)).is_identity(ad.output)
    {
        return false;
    }
    if depth_doubled && t == 4 {
        return false; // bicubic is 4-D only
    }
    let [in_d, in_h, in_w] = [ad, ah, aw].map(|a| a.input);
    let [out_d, out_h, out_w] = [ad, ah, aw].map(|a| a.output);
    let mut passes = Vec::new();
    if depth_doubled {
        let hw = out_h * out_w;
        passes.push(Pass::new(
            UpsampleKernel::X2Backward {
                taps: t,
                rows: true,
                part: X2Part::Inner,
            },
            [1, out_d, hw],
            [1, in_d, hw],
        ));
    }
    passes.push(Pass::new(
        UpsampleKernel::X2Backward {
            taps: t,
            rows: false,
            part: X2Part::Inner,
        },
        [in_d, out_h, out_w],
        [in_d, in_h, in_w],
    ));
    if passes
        .iter()
        .any(|p| p.x2_grid(1).iter().any(|&d| d > max_dim))
    {
        return false;
    }
    if t > 1 {
        // Rows: 3 vec4s per input row, then per input slice.
        let rows = in_h + if depth_doubled { in_d } else { 0 };
        if 3 * rows > X2_YZ_WEIGHTS {
            return false;
        }
        let s = 2 * t + 1;
        let mut yz = vec![0u32; 4 * X2_YZ_WEIGHTS];
        // Per input row (slice): its S weights, and its mask in the last of its 12 words, bit 31
        // set where a slot is marked (0: a plain weighted sum, absent slots skipped).
        let put = |yz: &mut Vec<u32>, at: usize, (w, masks): &(Vec<f32>, Vec<u32>)| {
            for (j, (row, &mask)) in w.chunks(s).zip(masks).enumerate() {
                for (k, v) in row.iter().enumerate() {
                    yz[4 * (at + 3 * j) + k] = v.to_bits();
                }
                yz[4 * (at + 3 * j) + 11] = mask | (!plain(mask) as u32) << 31;
            }
        };
        let wy = (wy, my);
        put(&mut yz, 0, &wy);
        if let Some(wz) = &wz {
            put(&mut yz, 3 * in_h, wz);
            passes[0].tables[1] = (3 * in_h) as u32;
        }
        g.yz = Some(yz);
        // x: per thread q (inputs 8q .. 8q+7), slot by slot two vec4s of the 8 inputs'
        // weights, then two vec4s of their masks; inputs past the row (a last thread with 4)
        // absent.
        let weight =
            |m: usize, slot: usize| wx.get(m * s + slot).map_or(0x8000_0000, |w| w.to_bits());
        // Bit 31 of every mask of a thread where any of its 8 inputs has a slot
        // marked: the kernel then checks every term, else it sums them plainly.
        let thread_plain = |q: usize| (8 * q..8 * q + 8).all(|m| m >= in_w || plain(mx[m]));
        // The interior (plain threads and rows) and the edges around it.
        let nq = in_w.div_ceil(8);
        let (qa, qb) = interior(nq, thread_plain);
        let row_plain =
            |(_, m): &(Vec<f32>, Vec<u32>)| -> Vec<bool> { m.iter().map(|&m| plain(m)).collect() };
        let ys = row_plain(&wy);
        let (ja, jb) = interior(in_h, |j| ys[j]);
        let xy = passes.len() - 1;
        passes[xy].edges = [qa, qb, ja, jb].map(|e| e as u32);
        if let Some(wz) = &wz {
            let zs = row_plain(wz);
            let (za, zb) = interior(in_d, |j| zs[j]);
            passes[0].edges = [0, (out_h * out_w).div_ceil(8), za, zb].map(|e| e as u32);
        }
        let (weight, mx) = (&weight, &mx);
        let x = (0..in_w.div_ceil(8)).flat_map(|q| {
            let flag = (!thread_plain(q) as u32) << 31;
            (0..s)
                .flat_map(move |slot| (0..8).map(move |k| weight(8 * q + k, slot)))
                .chain((0..8).map(move |k| mx.get(8 * q + k).copied().unwrap_or(0) | flag))
        });
        let at = g.push_vec4(x) / 4;
        passes.last_mut().expect("the xy pass").tables[2] = at;
    }
    g.passes = passes;
    g.chain();
    // Each linear or cubic pass: its interior, then its edges (same input and output).
    if t > 1 {
        let mut all = Vec::new();
        for pass in std::mem::take(&mut g.passes) {
            let UpsampleKernel::X2Backward { taps, rows, .. } = pass.kernel else {
                unreachable!("x2 backward passes only");
            };
            let [qa, qb, ja, jb] = pass.edges;
            let nq = pass.out_dims[2].div_ceil(8) as u32;
            let rows_in = pass.out_dims[1] as u32;
            let part = |part| Pass {
                kernel: UpsampleKernel::X2Backward { taps, rows, part },
                ..pass.clone()
            };
            let (x_edges, y_edges) = (qa > 0 || qb < nq, ja > 0 || jb < rows_in);
            all.push(part(X2Part::Inner));
            if x_edges && !rows {
                all.push(part(X2Part::EdgeX));
            }
            if y_edges {
                all.push(part(X2Part::EdgeY));
            }
        }
        g.passes = all;
    }
    true
}

/// The interior `[a, b)` of `0..n` along an axis whose elements are `plain` or not: every element
/// in it plain, every other one an edge (at least those below the first plain and from the last
/// plain one up; more where non-plain ones sit inside, the first half's going to the left edge).
fn interior(n: usize, plain: impl Fn(usize) -> bool) -> (usize, usize) {
    let a = (0..n / 2).rev().find(|&i| !plain(i)).map_or(0, |i| i + 1);
    let b = (n / 2..n).find(|&i| !plain(i)).unwrap_or(n);
    (a, b.max(a))
}

/// Whether one input's ×2 backward slots are a plain weighted sum (absent ones, −0.0, skipped by
/// a select that is the same for every row): none marked.
fn plain(mask: u32) -> bool {
    mask == 0
}

/// Source index of `x2.wgsl`'s tap `tap` (of `taps`) for output `o` of a doubled axis of `i_size`
/// inputs: output `2i + φ` reads `clamp(i + φ - taps/2 + tap, 0, i_size - 1)`.
fn x2_tap(o: usize, tap: usize, taps: usize, i_size: usize) -> u32 {
    let (i, phi) = ((o / 2) as i64, (o % 2) as i64);
    (i + phi - (taps / 2) as i64 + tap as i64).clamp(0, i_size as i64 - 1) as u32
}

/// One doubled axis's weights for `x2.wgsl`, per output: PyTorch's taps (index, weight, in its
/// order) and the per-output kernel's taps' weights (`ours`, see `x2_weights`; `None` where it
/// cannot be exact).
struct X2Weights {
    pytorch: Vec<Vec<(u32, f32)>>,
    ours: Option<Vec<[f32; 4]>>,
}

/// How a sum of `w · x` over weights `ws` at one index treats an infinite `x`: 0 reads nothing,
/// 1 gives +inf, 2 −inf (for +inf), 3 NaN (a zero weight or weights of both signs).
fn nonfinite_class(ws: impl Iterator<Item = f32>) -> u8 {
    ws.fold(0, |c, w| {
        c | match w {
            w if w > 0.0 => 1,
            w if w < 0.0 => 2,
            _ => 3,
        }
    })
}

/// Whether each of PyTorch's taps `theirs` for output `o` with a nonzero weight reads an index
/// the kernel's taps read.
fn x2_reads_nonzero(o: usize, theirs: &[(u32, f32)], taps: usize, i_size: usize) -> bool {
    theirs
        .iter()
        .all(|p| p.1 == 0.0 || (0..taps).any(|t| x2_tap(o, t, taps, i_size) == p.0))
}

/// Whether the kernel's `taps` weights `kernel` for output `o` treat NaN and inf inputs as
/// PyTorch's taps `theirs` do: per index, both read it or neither, and a zero weight or weights
/// of both signs (NaN for an infinite input) on one side only if on the other. A linear axis's
/// output 0 also multiplies input 1 by `Params::zero` (PyTorch's clamped coordinate reads it with
/// weight 0), and so does a cubic one's input 2 in the per-output kernels (`per_output`: the
/// coordinate of output 0 is exactly 0 with align_corners=True; PyTorch's taps read 0, 0, 1, 2
/// with weights 0, 1, 0, 0).
fn x2_nonfinite_exact(
    o: usize,
    kernel: &[f32; 4],
    theirs: &[(u32, f32)],
    (taps, i_size, per_output): (usize, usize, bool),
) -> bool {
    let fixup = match taps {
        2 if o == 0 && i_size > 1 => Some((1u32, 0.0f32)),
        4 if o == 0 && i_size > 2 && per_output => Some((2, 0.0)),
        _ => None,
    };
    let ours: Vec<(u32, f32)> = (0..taps)
        .map(|t| (x2_tap(o, t, taps, i_size), kernel[t]))
        .chain(fixup)
        .collect();
    let class = |taps: &[(u32, f32)], j: u32| {
        nonfinite_class(taps.iter().filter(|t| t.0 == j).map(|t| t.1))
    };
    ours.iter()
        .chain(theirs)
        .all(|&(j, _)| class(&ours, j) == class(theirs, j))
}

/// Per output of a doubled axis of `i_size` inputs, the weights of `x2.wgsl`'s taps (`taps` of
/// them, zero-padded to 4): output `2i + φ` reads `clamp(i + φ - T/2 + t)`. PyTorch's weights at
/// an index, summed in order, go to the kernel's taps at that index: all to the first where
/// PyTorch has a zero weight there or weights of both signs (the others get 0, so an inf there
/// still gives NaN), else split in halves (exact; no 0 · inf). `None` where one of PyTorch's
/// nonzero taps is not among ours, or NaN and inf would not come out as in PyTorch (see
/// `x2_nonfinite_exact`): then `ours` is `None` (the phases may still apply); the whole is `None`
/// where PyTorch's taps are not per output. Where PyTorch reads two indices and ours repeat one (its clamped
/// coordinate at a linear border: weight 1 on index 0, 0 on index 1) the sum is the same.
fn x2_weights(axis: &AxisTaps, i_size: usize, taps: usize) -> Option<X2Weights> {
    let per_output = axis.gather_taps()?;
    let pytorch: Vec<Vec<(u32, f32)>> =
        axis.pairs().chunks(per_output).map(<[_]>::to_vec).collect();
    let ours = pytorch
        .iter()
        .enumerate()
        .map(|(o, theirs)| {
            let at = |t: usize| x2_tap(o, t, taps, i_size);
            let mut ours = [0.0f32; 4];
            for t in 0..taps {
                let same: Vec<usize> = (0..taps).filter(|&u| at(u) == at(t)).collect();
                if same[0] != t {
                    continue;
                }
                let here = || theirs.iter().filter(|p| p.0 == at(t)).map(|p| p.1);
                let whole = here().fold(0.0f32, |s, w| s + w);
                if nonfinite_class(here()) == 3 || same.len() == 1 {
                    ours[t] = whole;
                    continue;
                }
                let k = same.len() as i32;
                for (j, &u) in same.iter().enumerate() {
                    let e = (j as i32 + 1).min(k - 1);
                    ours[u] = whole / 2f32.powi(e);
                    if ours[u] * 2f32.powi(e) != whole {
                        return None;
                    }
                }
            }
            let exact = x2_reads_nonzero(o, theirs, taps, i_size)
                && x2_nonfinite_exact(o, &ours, theirs, (taps, i_size, true));
            exact.then_some(ours)
        })
        .collect();
    Some(X2Weights { pytorch, ours })
}

/// The two phases' weights (even outputs, then odd) where the per-output weights of an axis of
/// `i_size` inputs (from `x2_weights`) repeat with period 2: equal at every output once the taps
/// that read the same (clamped) index are summed, and treating NaN and inf as PyTorch does. So
/// at a border where PyTorch clamps a linear coordinate (bilinear output 0: weight 1 on index 0)
/// the kernel adds the phase's 0.25 and 0.75 of index 0 instead, which may round differently in
/// the last bit.
fn x2_phases(weights: &X2Weights, i_size: usize, taps: usize) -> Option<[[f32; 4]; 2]> {
    let n = weights.pytorch.len();
    let at = |o: usize, tap: usize| x2_tap(o, tap, taps, i_size);
    // Each phase's weights: PyTorch's at an output away from the borders (where it may clamp
    // the coordinate), or the phase's first output on a short axis.
    let phase = |phi: usize| {
        let o = if n >= 4 { 2 * (n / 4) + phi } else { phi };
        let theirs = weights.pytorch.get(o)?;
        Some(std::array::from_fn(|t| theirs.get(t).map_or(0.0, |p| p.1)))
    };
    let phases = [phase(0)?, phase(1)?];
    let periodic = weights.pytorch.iter().enumerate().all(|(o, theirs)| {
        // Per distinct index, PyTorch's weights and the phase's, each summed in order, agree.
        let sums = (0..taps).all(|tap| {
            let theirs = theirs.iter().filter(|p| p.0 == at(o, tap));
            let phase = (0..taps).filter(|&u| at(o, u) == at(o, tap));
            theirs.fold(0.0f32, |s, p| s + p.1) == phase.fold(0.0f32, |s, u| s + phases[o % 2][u])
        });
        sums && x2_reads_nonzero(o, theirs, taps, i_size)
            && x2_nonfinite_exact(o, &phases[o % 2], theirs, (taps, i_size, false))
    });
    periodic.then_some(phases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::upsample::Upsample;
    use UpsampleMode::*;

    fn kernels(up: &Upsample, shape: &[usize], max_dim: u32) -> Vec<&'static str> {
        gpu_plan(&up.plan(shape).unwrap(), max_dim).kernel_names()
    }

    fn x2(mode: UpsampleMode) -> Upsample {
        Upsample::with_scale_factor([2.0], mode)
    }

    #[test]
    fn every_kernel_has_a_distinct_entry_point() {
        let mut names: Vec<_> = UpsampleKernel::every().iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), UpsampleKernel::every().len());
    }

    #[test]
    fn exact_x2_takes_the_x2_kernels() {
        let d = DEFAULT_MAX_WORKGROUPS;
        assert_eq!(kernels(&x2(Nearest), &[1, 2, 4, 8], d), ["x2_nearest"]);
        assert_eq!(kernels(&x2(NearestExact), &[1, 2, 4, 8], d), ["x2_nearest"]);
        assert_eq!(
            kernels(&x2(Nearest), &[1, 2, 3, 4, 8], d),
            ["x2_nearest_3d"]
        );
        assert_eq!(kernels(&x2(Bilinear), &[2, 3, 5, 12], d), ["x2_linear"]);
        assert_eq!(kernels(&x2(Bicubic), &[1, 1, 5, 4], d), ["x2_cubic"]);
        assert_eq!(
            kernels(&x2(Trilinear), &[1, 1, 3, 5, 4], d),
            ["x2_linear_3d"]
        );
        let ac = |m| x2(m).align_corners(true);
        assert_eq!(kernels(&ac(Bilinear), &[1, 1, 5, 4], d), ["x2w_linear"]);
        assert_eq!(kernels(&ac(Bicubic), &[1, 1, 5, 4], d), ["x2w_cubic"]);
        assert_eq!(
            kernels(&ac(Trilinear), &[1, 1, 3, 5, 4], d),
            ["x2w_linear_3d"]
        );
        // Depth kept on a 5-D input: nearest takes the x2 kernel; trilinear the general one (its
        // kept axis adds PyTorch's zero-weight taps).
        let hw = Upsample::with_scale_factor(vec![1.0, 2.0, 2.0], Nearest);
        assert_eq!(kernels(&hw, &[1, 1, 3, 5, 4], d), ["x2_nearest"]);
        let hw = Upsample::with_scale_factor(vec![1.0, 2.0, 2.0], Trilinear);
        assert_eq!(kernels(&hw, &[1, 1, 3, 5, 4], d), ["linear_3d"]);
    }

    #[test]
    fn other_shapes_take_the_general_kernels() {
        let d = DEFAULT_MAX_WORKGROUPS;
        // Width not a multiple of 4, a ×3 scale, 1-D, area.
        assert_eq!(kernels(&x2(Bilinear), &[1, 1, 4, 6], d), ["linear_2d"]);
        let x3 = Upsample::with_scale_factor([3.0], Bicubic);
        assert_eq!(kernels(&x3, &[1, 1, 4, 4], d), ["bicubic_2d"]);
        assert_eq!(kernels(&x2(Linear), &[1, 1, 6], d), ["linear_1d"]);
        assert_eq!(kernels(&x2(Area), &[1, 1, 4, 6], d), ["area"]);
        assert_eq!(kernels(&x2(Nearest), &[1, 1, 6], d), ["nearest"]);
        // The grid of one plane past the device's limit: the streaming linear kernel (its
        // workgroups spread over the grid like the general kernels').
        assert_eq!(
            kernels(&x2(Bilinear), &[1, 1, 8 * 17, 4], 16),
            ["linear_up_x2"]
        );
        // Per-output y weights past the uniform array: the streaming linear kernel (its taps
        // along a width of 4 follow its pattern with align_corners=True too), or past its
        // own row table the general kernel.
        let tall = x2(Bilinear).align_corners(true);
        assert_eq!(
            kernels(&tall, &[1, 1, X2_YZ_WEIGHTS / 2 + 1, 4], d),
            ["linear_up_x2"]
        );
        assert_eq!(
            kernels(&tall, &[1, 1, 2 * X2_YZ_WEIGHTS, 4], d),
            ["linear_2d"]
        );
        assert_eq!(
            kernels(&tall, &[1, 1, X2_YZ_WEIGHTS / 2, 4], d),
            ["x2w_linear"]
        );
    }

    #[test]
    fn integer_factors_take_the_factor_kernels() {
        let d = DEFAULT_MAX_WORKGROUPS;
        let sf = |f: Vec<f64>, m| Upsample::with_scale_factor(f, m);
        // Area with one-input windows is nearest: ×2 takes the x2 kernel.
        assert_eq!(kernels(&x2(Area), &[1, 1, 4, 4], d), ["x2_nearest"]);
        assert_eq!(kernels(&x2(Nearest), &[1, 1, 8], d), ["nearest_up_x2"]);
        for s in 1..=8 {
            // Height kept (both doubled take the ×2 kernel).
            let up = sf(vec![1.0, s as f64], Nearest);
            let want = format!("nearest_up_x{s}");
            assert_eq!(kernels(&up, &[1, 2, 3, 8], d), [want.as_str()], "×{s}");
        }
        assert_eq!(
            kernels(&sf(vec![3.0], Area), &[1, 2, 5, 8], d),
            ["nearest_up_x3"]
        );
        assert_eq!(
            kernels(&sf(vec![1.5, 3.0], NearestExact), &[1, 2, 5, 8], d),
            ["nearest_up_x3"]
        );
        assert_eq!(
            kernels(&sf(vec![0.5], Nearest), &[1, 2, 6, 8], d),
            ["nearest_down_x2"]
        );
        // nearest-exact ×½ reads inputs 2x + 1.
        let g = gpu_plan(&sf(vec![0.5], NearestExact).plan(&[1, 2, 6, 8]).unwrap(), d);
        assert_eq!(
            (g.kernel_names()[0], g.passes[0].taps),
            ("nearest_down_x2", 1)
        );
        assert_eq!(
            kernels(&sf(vec![0.5], Area), &[1, 2, 7, 8], d),
            ["area_down_x2"]
        );
        assert_eq!(
            kernels(&sf(vec![0.5, 0.5, 0.5], Area), &[1, 2, 3, 7, 8], d),
            ["area_down_x2"]
        );
        // linear ×2..×4 along w, any factor along h.
        assert_eq!(kernels(&x2(Linear), &[1, 1, 8], d), ["linear_up_x2"]);
        assert_eq!(
            kernels(&sf(vec![1.5, 3.0], Bilinear), &[1, 2, 5, 8], d),
            ["linear_up_x3"]
        );
        assert_eq!(
            kernels(&sf(vec![4.0], Bilinear), &[1, 2, 5, 8], d),
            ["linear_up_x4"]
        );
        assert_eq!(
            kernels(
                &sf(vec![3.0], Bilinear).align_corners(true),
                &[1, 2, 5, 8],
                d
            ),
            ["fractional_linear_2"]
        );
        // x weights: the same for every thread but the first (in the uniform array, taps bit
        // 1), or per thread in the tables (align_corners=True).
        let taps_bits =
            |up: &Upsample, shape: &[usize]| gpu_plan(&up.plan(shape).unwrap(), d).passes[0].taps;
        assert_eq!(taps_bits(&x2(Linear), &[1, 1, 64]), 0b11);
        assert_eq!(
            taps_bits(&sf(vec![1.5, 4.0], Bilinear), &[1, 2, 5, 64]),
            0b10
        );
        // ×3: PyTorch's f32 weights differ in the last bits from thread to thread.
        assert_eq!(
            taps_bits(&sf(vec![1.5, 3.0], Bilinear), &[1, 2, 5, 64]),
            0b00
        );
        let ac = x2(Linear).align_corners(true);
        assert_eq!(kernels(&ac, &[1, 1, 64], d), ["linear_up_x2"]);
        assert_eq!(taps_bits(&ac, &[1, 1, 64]), 0b01);
        // linear ×½ along w.
        assert_eq!(
            kernels(&sf(vec![1.5, 0.5], Bilinear), &[1, 2, 5, 16], d),
            ["linear_down_x2"]
        );
        assert_eq!(
            kernels(&sf(vec![0.5], Bilinear), &[1, 2, 5, 12], d),
            ["linear_2d"]
        );
        // Not the pattern: an output width not a multiple of 4, ×9, a fractional factor.
        assert_eq!(kernels(&sf(vec![0.5], Area), &[1, 2, 6, 12], d), ["area"]);
        assert_eq!(
            kernels(&sf(vec![9.0], Nearest), &[1, 1, 2, 4], d),
            ["nearest"]
        );
        assert_eq!(
            kernels(&sf(vec![1.5], Nearest), &[1, 1, 2, 4], d),
            ["nearest"]
        );
    }

    #[test]
    fn antialias_runs_one_pass_per_changed_axis() {
        let d = DEFAULT_MAX_WORKGROUPS;
        let aa = |size: [usize; 2]| Upsample::with_size(size, Bilinear).antialias(true);
        let two = gpu_plan(&aa([3, 5]).plan(&[1, 2, 6, 10]).unwrap(), d);
        assert_eq!(two.kernel_names(), ["window_w", "window_h"]);
        let scratch = (Stage::Scratch(0), Stage::Scratch(0));
        assert_eq!((two.passes[0].dst, two.passes[1].src), scratch);
        assert_eq!(two.scratch_plane(0), 6 * 5);
        assert_eq!(kernels(&aa([6, 5]), &[1, 2, 6, 10], d), ["window_w"]);
        assert_eq!(kernels(&aa([3, 10]), &[1, 2, 6, 10], d), ["window_h"]);
        assert!(kernels(&aa([6, 10]), &[1, 2, 6, 10], d).is_empty());
        // Rows a multiple of 4 long: both passes in one (`window.rs`), one axis the vec4 passes
        // (w: 4 outputs' inputs within WIN4 vec4s).
        assert_eq!(kernels(&aa([3, 4]), &[1, 2, 6, 8], d), ["window_wh_2_t4"]);
        assert_eq!(kernels(&aa([6, 4]), &[1, 2, 6, 8], d), ["window_w4_2"]);
        assert_eq!(kernels(&aa([3, 8]), &[1, 2, 6, 8], d), ["window_h4u"]);
        // ×1/16: 4 outputs span about 64 + 2·16 inputs, past the register window.
        assert_eq!(kernels(&aa([6, 4]), &[1, 2, 6, 64], d), ["window_w"]);
    }

    #[test]
    fn periodic_rows_take_window_w4p() {
        let d = DEFAULT_MAX_WORKGROUPS;
        // The height kept (both axes changed: the fused pass, below).
        let aa = |f: f64, mode| Upsample::with_scale_factor(vec![1.0, f], mode).antialias(true);
        let cases = [
            (aa(0.5, Bilinear), 1024, "window_w4p_4", 1, 2),
            (aa(0.5, Bicubic), 1024, "window_w4p_4", 1, 2),
            (aa(2.0, Lanczos), 512, "window_w4p_4", 2, 1),
        ];
        for (up, n, kernel, period, stride) in cases {
            let g = gpu_plan(&up.plan(&[1, 1, n, n]).unwrap(), d);
            let names = g.kernel_names();
            assert_eq!(names.len(), 2, "{up:?}");
            assert_eq!(names[1], kernel, "{up:?}");
            assert!(g.passes[0].is_border());
            let [qa, qb, p, s] = g.passes[1].edges;
            assert_eq!((p, s), (period, stride), "{up:?}");
            // All but a few groups at each end.
            assert!(
                qa <= 2 && qb as usize >= g.passes[1].out_dims[2] / 4 - 2,
                "{qa} {qb}"
            );
            assert_eq!(
                (g.passes[0].dst, g.passes[1].dst),
                (Stage::Output, Stage::Output)
            );
        }
    }

    #[test]
    fn both_axes_changed_take_the_fused_window_pass() {
        let d = DEFAULT_MAX_WORKGROUPS;
        let aa = |f: Vec<f64>, mode| Upsample::with_scale_factor(f, mode).antialias(true);
        // (Lanczos ×2 forward and the ×½ backwards: the exact ×2 kernels, interior and edge
        // threads, `window_x2.rs`; lanczos ×2 backward `window_x2_backward.rs`.)
        for (up, n, forward, backward) in [
            (
                aa(vec![0.5], Bilinear),
                1024,
                &["window_wh_4_t"][..],
                &["window_x2_2", "window_x2_2_edge"][..],
            ),
            (
                aa(vec![0.5], Bicubic),
                1024,
                &["window_wh_4_t"],
                &["window_x2_4", "window_x2_4_edge"],
            ),
            (
                aa(vec![2.0], Lanczos),
                512,
                &["window_x2_6", "window_x2_6_edge"],
                &["window_x2_backward_12", "window_x2_backward_12_edge"],
            ),
        ] {
            let g = gpu_plan(&up.plan(&[1, 1, n, n]).unwrap(), d);
            let names = g.kernel_names();
            assert!(
                names.len() == forward.len()
                    && names.iter().zip(forward).all(|(k, f)| k.starts_with(f)),
                "{names:?}"
            );
            assert_eq!(
                (g.passes[0].src, g.passes[0].dst),
                (Stage::Input, Stage::Output)
            );
            assert_eq!(g.scratch_plane(0), 0);
            // (Lanczos ×2 backward: its own fused kernel, `window_x2_backward.rs`.)
            let back = backward_plan(&up.plan(&[1, 1, n, n]).unwrap(), d);
            let names = back.kernel_names();
            assert!(
                names.len() == backward.len()
                    && names.iter().zip(backward).all(|(k, f)| k.starts_with(f)),
                "{names:?}"
            );
            assert!(back.passes.iter().all(|p| p.dst == Stage::Output));
        }
        // Height first (the width grows, the height shrinks), a width not a multiple of 4, 4
        // outputs' inputs past 8 vec4s: the separate passes.
        assert_eq!(
            kernels(&aa(vec![0.5, 2.0], Lanczos), &[1, 1, 64, 64], d),
            ["window_h4u", "window_w4_4", "window_w4p_4"]
        );
        assert_eq!(
            kernels(&aa(vec![0.5], Bilinear), &[1, 1, 64, 66], d),
            ["window_w", "window_h"]
        );
        assert_eq!(
            kernels(&aa(vec![0.125], Bilinear), &[1, 1, 64, 64], d),
            ["window_w", "window_h4u"]
        );
        // ×1/4: 4 outputs read about 4 · 4 + 2 · 4 inputs, 8 vec4s; h windows 8 rows long.
        assert_eq!(
            kernels(&aa(vec![0.25], Bilinear), &[1, 1, 64, 64], d),
            ["window_wh_8_t8"]
        );
        // h windows past the ring's 12 rows: every row of a block its output rows' candidate.
        assert_eq!(
            kernels(&aa(vec![0.1, 0.5], Bilinear), &[1, 1, 200, 64], d),
            ["window_wh_4"]
        );
    }

    #[test]
    fn window_w4_table_holds_each_groups_span() {
        // Bilinear antialias 8 → 4: output o reads inputs 2o - 1 ..= 2o + 2 (clipped), so the
        // group reads 0..=7: vec4s 0 and 1.
        let up = Upsample::with_size([1, 4], Bilinear).antialias(true);
        let plan = up.plan(&[1, 1, 1, 8]).unwrap();
        let AxisTaps::Antialias(t) = axis_taps(&plan, 2) else {
            panic!("antialias taps");
        };
        let (words, span) = window_w4_table(&t).unwrap();
        assert_eq!(span, 2);
        assert_eq!(words.len(), 4 * (1 + t.taps));
        let most = t.len.iter().max().unwrap();
        assert_eq!(words[..2], [0, 2 | most << 8]);
        for o in 0..4 {
            assert_eq!(words[2] >> (8 * o) & 255, t.start[o]);
            assert_eq!(words[3] >> (8 * o) & 255, t.len[o]);
            for k in 0..t.taps {
                assert_eq!(
                    f32::from_bits(words[4 + 4 * k + o]),
                    t.weights[o * t.taps + k]
                );
            }
        }
    }

    #[test]
    fn tables_hold_the_taps() {
        // Nearest 4 → 3 along x: PyTorch's indices [0, 1, 2].
        let up = Upsample::with_size([1, 3], Nearest);
        let g = gpu_plan(&up.plan(&[1, 1, 1, 4]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        let w = g.passes[0].tables[2] as usize;
        assert_eq!(&g.tables[w..w + 3], &[0, 1, 2]);
        // Area 5 → 2 windows [0, 3), [2, 5).
        let up = Upsample::with_size([1, 2], Area);
        let g = gpu_plan(&up.plan(&[1, 1, 1, 5]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        let w = g.passes[0].tables[2] as usize;
        assert_eq!(&g.tables[w..w + 4], &[0, 3, 2, 5]);
    }

    #[test]
    fn x2_phases_are_pytorchs_weights() {
        let g = gpu_plan(
            &x2(Bilinear).plan(&[1, 1, 4, 8]).unwrap(),
            DEFAULT_MAX_WORKGROUPS,
        );
        // Even outputs 0.25 · x[i-1] + 0.75 · x[i], odd 0.75 · x[i] + 0.25 · x[i+1].
        assert_eq!(g.passes[0].phases[0][..2], [0.25, 0.75]);
        assert_eq!(g.passes[0].phases[1][..2], [0.75, 0.25]);
        assert!(g.yz.is_none());
    }
}

#[cfg(test)]
mod backward_tests {
    use super::*;
    use crate::ops::upsample::Upsample;
    use UpsampleMode::*;

    fn backward(up: &Upsample, shape: &[usize]) -> GpuPlan {
        backward_plan(&up.plan(shape).unwrap(), DEFAULT_MAX_WORKGROUPS)
    }

    #[test]
    fn one_window_pass_per_changed_axis_chained_through_two_intermediates() {
        let tri = Upsample::with_scale_factor([2.0], Trilinear);
        let g = backward(&tri, &[1, 2, 3, 4, 5]);
        // The depth pass views the planes as (1, d, h·w = 20): rows a multiple of 4, vec4s.
        assert_eq!(
            g.kernel_names(),
            ["window_w", "window_h", "window_h4_indexed"]
        );
        let stages: Vec<_> = g.passes.iter().map(|p| (p.src, p.dst)).collect();
        assert_eq!(
            stages,
            [
                (Stage::Input, Stage::Scratch(0)),
                (Stage::Scratch(0), Stage::Scratch(1)),
                (Stage::Scratch(1), Stage::Output)
            ]
        );
        // w: 10 → 5, then h: 8 → 4, then d viewed as (1, d, h·w): 6 → 3.
        assert_eq!(
            (g.passes[0].in_dims, g.passes[0].out_dims),
            ([6, 8, 10], [6, 8, 5])
        );
        assert_eq!(
            (g.passes[1].in_dims, g.passes[1].out_dims),
            ([6, 8, 5], [6, 4, 5])
        );
        assert_eq!(
            (g.passes[2].in_dims, g.passes[2].out_dims),
            ([1, 6, 20], [1, 3, 20])
        );
        assert_eq!(g.scratch_plane(0), 6 * 8 * 5);
        assert_eq!(g.scratch_plane(1), 6 * 4 * 5);
    }

    #[test]
    fn unchanged_axes_are_skipped() {
        // Height kept: only the w pass; nothing changed: no pass (a copy). (Bilinear's kept
        // axis is not skipped: PyTorch adds its 0-weight tap, 0 · g.)
        let w_only = Upsample::with_size([4, 15], Nearest);
        assert_eq!(
            backward(&w_only, &[1, 1, 4, 5]).kernel_names(),
            ["window_w"]
        );
        let kept = Upsample::with_size([4, 15], Bilinear);
        assert_eq!(backward(&kept, &[1, 1, 4, 5]).passes.len(), 2);
        let same = Upsample::with_size([4, 5], Nearest);
        assert!(backward(&same, &[1, 1, 4, 5]).passes.is_empty());
    }

    #[test]
    fn transposed_linear_x2_taps() {
        // 4 → 8, align_corners=False. Input 0 gets output 0 (1, where PyTorch clamps the
        // coordinate), outputs 1, 2; input 1 outputs 0..=4 (output 0 with PyTorch's zero-weight
        // tap); input 3 outputs 5, 6 and 7 twice (its two clamped taps, kept apart).
        let up = Upsample::with_size([8], Linear);
        let t = backward_taps(&up.plan(&[1, 1, 4]).unwrap(), 2).transpose(4);
        assert_eq!(t[0], [(0, 1.0), (1, 0.75), (2, 0.25)]);
        assert_eq!(t[1], [(0, 0.0), (1, 0.25), (2, 0.75), (3, 0.75), (4, 0.25)]);
        assert_eq!(t[3], [(5, 0.25), (6, 0.75), (7, 0.75), (7, 0.25)]);
        // As windows: listed inputs, since input 3 repeats output 7.
        let w = windows(&t);
        assert_eq!((w.taps, w.input(3, 3)), (5, 7));
        assert!(w.index.is_some());
    }

    #[test]
    fn pytorchs_backward_shortcuts() {
        // Nearest 1-D, 10 → 10 by scale 1.05: the forward reads floor(o / 1.05), the backward
        // the identity (as PyTorch's backward kernel does).
        let up = Upsample::with_scale_factor([1.05], Nearest);
        let plan = up.plan(&[1, 1, 10]).unwrap();
        assert_eq!(axis_taps(&plan, 2).at(1), [(0, 1.0)]);
        assert_eq!(backward_taps(&plan, 2).at(1), [(1, 1.0)]);
        assert!(backward(&up, &[1, 1, 10]).passes.is_empty());
        // Antialias: an unchanged axis is skipped by the forward, weighed by the backward.
        let aa = Upsample::with_scale_factor(vec![1.05, 0.5], Bilinear).antialias(true);
        let plan = aa.plan(&[1, 1, 8, 8]).unwrap();
        assert!(matches!(
            axis_taps(&plan, 1),
            AxisTaps::Gather { taps: 1, .. }
        ));
        assert!(matches!(backward_taps(&plan, 1), AxisTaps::Antialias(_)));
        assert_eq!(
            backward(&aa, &[1, 1, 8, 8]).kernel_names(),
            ["window_w4_2", "window_w4p_2", "window_h4u"]
        );
    }
}
