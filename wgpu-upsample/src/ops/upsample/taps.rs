//! The taps of one axis: which input indices each output index reads in a mode, with which
//! weights. [`axis_taps`] is the one place a mode turns into taps; the CPU reference, the GPU
//! planning (tables, ×2 eligibility) and the backward all start from it.

use super::coords::{self, AntialiasTaps};
use super::options::{Axis, Plan, UpsampleMode};

/// One axis's taps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisTaps {
    /// nearest and nearest-exact (1 tap of weight 1), the linear family (2) and bicubic (4):
    /// `taps` (index, weight) pairs per output index, in PyTorch's order (weights may be 0,
    /// indices may repeat where PyTorch clamps them).
    Gather { taps: usize, pairs: Vec<(u32, f32)> },
    /// area: per output index the window `[start, end)` it averages.
    Area(Vec<(u32, u32)>),
    /// antialias: per output index a normalised window.
    Antialias(AntialiasTaps),
}

impl AxisTaps {
    /// Identity along an axis of size `n` (one tap of weight 1 per output).
    fn identity(n: usize) -> Self {
        AxisTaps::Gather {
            taps: 1,
            pairs: (0..n as u32).map(|i| (i, 1.0)).collect(),
        }
    }

    /// Taps per output of a gather axis (1, 2 or 4); `None` for area and antialias.
    pub fn gather_taps(&self) -> Option<usize> {
        match self {
            AxisTaps::Gather { taps, .. } => Some(*taps),
            _ => None,
        }
    }

    /// The (index, weight) pairs of output `o` of a gather axis (empty for other kinds).
    pub fn at(&self, o: usize) -> &[(u32, f32)] {
        match self {
            AxisTaps::Gather { taps, pairs } => &pairs[o * taps..(o + 1) * taps],
            _ => &[],
        }
    }

    /// The pairs of a gather axis, `taps` per output (empty for other kinds).
    pub fn pairs(&self) -> &[(u32, f32)] {
        match self {
            AxisTaps::Gather { pairs, .. } => pairs,
            _ => &[],
        }
    }

    /// Per output of a gather axis, its pairs padded to `n` slots with weight-0 repeats of the
    /// first index (for kernels with a fixed tap count).
    pub fn padded(&self, n: usize) -> impl Iterator<Item = Vec<(u32, f32)>> + '_ {
        let taps = self.gather_taps().unwrap_or(1);
        self.pairs().chunks(taps).map(move |c| {
            let mut v = c.to_vec();
            v.resize(n.max(c.len()), (c[0].0, 0.0));
            v
        })
    }
}

/// The taps along axis `k` of `plan.axes3()` (0: depth, 1: height, 2: width). Axes the input
/// does not have, and antialias axes of unchanged size (which PyTorch skips), are the identity.
pub(crate) fn axis_taps(plan: &Plan, k: usize) -> AxisTaps {
    let axis = plan.axes3()[k];
    let missing = k < 3 - plan.axes.len();
    if plan.antialias {
        let bicubic = plan.mode == UpsampleMode::Bicubic;
        return if missing || axis.input == axis.output {
            AxisTaps::identity(axis.output)
        } else {
            AxisTaps::Antialias(coords::antialias(axis, plan.align_corners, bicubic))
        };
    }
    if plan.mode == UpsampleMode::Area {
        return AxisTaps::Area(coords::area(axis));
    }
    if missing {
        return AxisTaps::identity(1);
    }
    gather(plan, axis)
}

/// The gather modes' taps along `axis`.
fn gather(plan: &Plan, axis: Axis) -> AxisTaps {
    let ac = plan.align_corners;
    let index = |v: Vec<u32>| AxisTaps::Gather {
        taps: 1,
        pairs: v.into_iter().map(|i| (i, 1.0)).collect(),
    };
    match plan.mode {
        UpsampleMode::Nearest => index(coords::nearest(axis, plan.axes.len() == 2)),
        UpsampleMode::NearestExact => index(coords::nearest_exact(axis)),
        UpsampleMode::Linear | UpsampleMode::Bilinear | UpsampleMode::Trilinear => {
            AxisTaps::Gather {
                taps: 2,
                pairs: coords::linear(axis, ac)
                    .iter()
                    .flat_map(|t| [(t.i0, t.w0), (t.i1, t.w1)])
                    .collect(),
            }
        }
        UpsampleMode::Bicubic => AxisTaps::Gather {
            taps: 4,
            pairs: coords::cubic(axis, ac)
                .iter()
                .flat_map(|t| t.index.into_iter().zip(t.weight))
                .collect(),
        },
        UpsampleMode::Area => AxisTaps::Area(coords::area(axis)),
    }
}
