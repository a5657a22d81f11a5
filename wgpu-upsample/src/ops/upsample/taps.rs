//! The taps of one axis: which input indices each output index reads in a mode, with which
//! weights. [`axis_taps`] is the one place a mode turns into taps; the CPU reference, the GPU
//! planning (tables, ×2 eligibility) and the backward all start from it.

use super::coords::{self, Filter};
use super::options::{Axis, Plan, UpsampleMode};

/// Per output index `len` weighted inputs (`taps` slots per output, the rest zero): a window of
/// consecutive inputs `start..start + len` (the antialias filters), or, where `index` is given,
/// the inputs it lists per slot (the backward's transposed taps, in which an input may repeat).
/// What the window kernels (`window.wgsl`) and the CPU's window pass run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Windows {
    pub start: Vec<u32>,
    pub len: Vec<u32>,
    pub taps: usize,
    pub weights: Vec<f32>,
    /// The input of each slot (`taps` per output), where the inputs are not `start + slot`.
    pub index: Option<Vec<u32>>,
}

impl Windows {
    /// Whether these windows map `n` inputs to `n` outputs unchanged (output `o` = input `o`,
    /// weight 1): a pass that can be skipped.
    pub fn is_identity(&self, n: usize) -> bool {
        self.start.len() == n
            && self.index.is_none()
            && (0..n).all(|o| {
                self.start[o] as usize == o
                    && self.len[o] == 1
                    && self.weights[o * self.taps] == 1.0
            })
    }

    /// The input of slot `j` of output `o`.
    pub fn input(&self, o: usize, j: usize) -> usize {
        match &self.index {
            Some(index) => index[o * self.taps + j] as usize,
            None => self.start[o] as usize + j,
        }
    }

    /// The table the window kernels read: start, len, the weights as bits, then (indexed) the
    /// inputs per slot.
    pub fn words(&self) -> impl Iterator<Item = u32> + '_ {
        self.start
            .iter()
            .chain(&self.len)
            .copied()
            .chain(self.weights.iter().map(|w| w.to_bits()))
            .chain(self.index.iter().flatten().copied())
    }
}

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
    Antialias(Windows),
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

impl AxisTaps {
    /// Every tap as (output, input, weight), outputs in order and each output's taps in
    /// PyTorch's order (zero weights and clamped repeats included). Area's weight is
    /// `1 / window length`.
    fn for_each(&self, mut f: impl FnMut(usize, usize, f32)) {
        match self {
            AxisTaps::Gather { taps, pairs } => {
                for (k, &(i, w)) in pairs.iter().enumerate() {
                    f(k / taps, i as usize, w);
                }
            }
            AxisTaps::Area(windows) => {
                for (o, &(s, e)) in windows.iter().enumerate() {
                    let w = 1.0 / (e - s) as f32;
                    (s..e).for_each(|i| f(o, i as usize, w));
                }
            }
            AxisTaps::Antialias(t) => {
                for o in 0..t.start.len() {
                    for j in 0..t.len[o] as usize {
                        f(o, t.start[o] as usize + j, t.weights[o * t.taps + j]);
                    }
                }
            }
        }
    }

    /// Every tap transposed, for the backward along an axis of `inputs` inputs: per input `i`,
    /// the (output, weight) of each tap that reads it, outputs in increasing order and one
    /// output's taps in PyTorch's order — the order PyTorch's backward adds them in. Nothing is
    /// merged or dropped: zero weights, and the repeats where a clamped output reads `i` more
    /// than once, stay separate terms, so that a non-finite gradient spreads as in PyTorch
    /// (`0 · inf` and `w · inf − w · inf` are NaN).
    pub fn transpose(&self, inputs: usize) -> Vec<Vec<(u32, f32)>> {
        let mut terms: Vec<Vec<(u32, f32)>> = vec![Vec::new(); inputs];
        self.for_each(|o, i, w| terms[i].push((o as u32, w)));
        terms
    }
}

/// The transposed taps of one axis as windows over the outputs (`index` only where some input
/// reads an output twice or the outputs are not consecutive).
pub(crate) fn windows(terms: &[Vec<(u32, f32)>]) -> Windows {
    let taps = terms.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let consecutive = terms
        .iter()
        .all(|t| t.windows(2).all(|p| p[1].0 == p[0].0 + 1));
    let mut w = Windows {
        start: terms.iter().map(|t| t.first().map_or(0, |p| p.0)).collect(),
        len: terms.iter().map(|t| t.len() as u32).collect(),
        taps,
        weights: vec![0.0; terms.len() * taps],
        index: (!consecutive).then(|| vec![0; terms.len() * taps]),
    };
    for (i, t) in terms.iter().enumerate() {
        for (j, &(o, wt)) in t.iter().enumerate() {
            w.weights[i * taps + j] = wt;
            if let Some(index) = &mut w.index {
                index[i * taps + j] = o;
            }
        }
    }
    w
}

/// Whether the antialias passes go height first: PyTorch goes width first, and so does the
/// library, except where the width grows while the height shrinks — there the intermediate of
/// width first (input rows × output columns) would be larger than both the input and the output,
/// and height first's (output rows × input columns) is smaller than both. The two orders differ
/// by rounding only.
pub(crate) fn antialias_height_first(plan: &Plan) -> bool {
    let [_, ah, aw] = plan.axes3();
    aw.output > aw.input && ah.output < ah.input
}

/// Which pass the taps are for: PyTorch's backward kernels read the axes a little differently
/// from its forward kernels in three corner cases (see [`backward_taps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    Forward,
    Backward,
}

/// The taps along axis `k` of `plan.axes3()` (0: depth, 1: height, 2: width) for the forward.
/// Axes the input does not have, and antialias axes of unchanged size (which PyTorch's forward
/// skips), are the identity.
pub(crate) fn axis_taps(plan: &Plan, k: usize) -> AxisTaps {
    taps_for(plan, k, Pass::Forward)
}

/// The taps whose transpose PyTorch's backward applies along axis `k`. As the forward's, except
/// where PyTorch's backward kernels differ from its forward kernels (measured on torch 2.15):
/// nearest takes the shortcuts of the 4-D forward on every rank (an axis of unchanged size is
/// the identity, a doubled one reads `o >> 1`, whatever the scale); bicubic with every axis
/// unchanged is a copy; antialias weighs an axis of unchanged size with its filter instead of
/// skipping it.
pub(crate) fn backward_taps(plan: &Plan, k: usize) -> AxisTaps {
    taps_for(plan, k, Pass::Backward)
}

fn taps_for(plan: &Plan, k: usize, pass: Pass) -> AxisTaps {
    let axis = plan.axes3()[k];
    let missing = k < 3 - plan.axes.len();
    let backward = pass == Pass::Backward;
    if backward && !missing && !plan.antialias {
        let unchanged = plan.axes.iter().all(|a| a.input == a.output);
        match plan.mode {
            UpsampleMode::Nearest => {
                return gather_index(coords::nearest(axis, true));
            }
            UpsampleMode::Bicubic if unchanged => return AxisTaps::identity(axis.output),
            _ => {}
        }
    }
    if plan.antialias {
        let filter = match plan.mode {
            UpsampleMode::Bicubic => Filter::Keys,
            UpsampleMode::Lanczos => Filter::Lanczos3,
            _ => Filter::Triangle,
        };
        return if missing || (axis.input == axis.output && !backward) {
            AxisTaps::identity(axis.output)
        } else {
            AxisTaps::Antialias(coords::antialias(axis, plan.align_corners, filter))
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

/// One tap of weight 1 per output, at `index[o]`.
fn gather_index(index: Vec<u32>) -> AxisTaps {
    AxisTaps::Gather {
        taps: 1,
        pairs: index.into_iter().map(|i| (i, 1.0)).collect(),
    }
}

/// The gather modes' taps along `axis`.
fn gather(plan: &Plan, axis: Axis) -> AxisTaps {
    let ac = plan.align_corners;
    match plan.mode {
        UpsampleMode::Nearest => gather_index(coords::nearest(axis, plan.axes.len() == 2)),
        UpsampleMode::NearestExact => gather_index(coords::nearest_exact(axis)),
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
        UpsampleMode::Lanczos => unreachable!("lanczos is antialiased (checked by the plan)"),
    }
}
