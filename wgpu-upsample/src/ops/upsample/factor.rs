//! The integer-factor plans (`shaders/upsample/factor.wgsl`): nearest, nearest-exact and area
//! whose taps along w follow an integer factor — up ×s (output x reads input x / s), nearest down
//! ×2 (input 2x or 2x + 1), area down ×2 (the mean of inputs 2x, 2x + 1) — with any taps along h
//! and d (one source row per output row, or area's windows of rows), and area whose every window
//! holds one input (bitwise nearest: a sum of one input from 0, divided by 1) routed to the
//! nearest kernels, the ×2 one included. The host checks PyTorch's taps against each pattern
//! before taking it; anything else runs the general kernels.

use super::options::{Axis, Plan, UpsampleMode};
use super::plan::{
    GpuPlan, Pass, STRIP, UpsampleKernel, WINDOW_H4_VECS, WORKGROUP, X2_ROWS, X2_YZ_WEIGHTS,
};
use super::taps::AxisTaps;

/// The largest up factor along w with an entry point (`nearest_up_x1` .. `nearest_up_x8`).
pub(crate) const MAX_UP: usize = 8;

/// What a [`UpsampleKernel::Factor`] kernel does along w.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactorOp {
    /// nearest ×s: output x reads input x / s (s in 1..=MAX_UP).
    NearestUp(usize),
    /// nearest ×½: output x reads input 2x + offset (`Pass::taps`, 0 or 1).
    NearestDown2,
    /// area ×½: output x averages inputs 2x and 2x + 1.
    AreaDown2,
    /// linear, bilinear ×s along w (s in 2..=4, `factor_linear.wgsl`): see [`linear_up`].
    LinearUp(usize),
    /// linear, bilinear ×½ along w: see [`linear_down`].
    LinearDown2,
}

impl FactorOp {
    /// The WGSL entry point.
    pub fn name(self) -> &'static str {
        match self {
            FactorOp::NearestUp(s) => [
                "nearest_up_x1",
                "nearest_up_x2",
                "nearest_up_x3",
                "nearest_up_x4",
                "nearest_up_x5",
                "nearest_up_x6",
                "nearest_up_x7",
                "nearest_up_x8",
            ][s - 1],
            FactorOp::NearestDown2 => "nearest_down_x2",
            FactorOp::AreaDown2 => "area_down_x2",
            FactorOp::LinearUp(s) => ["linear_up_x2", "linear_up_x3", "linear_up_x4"][s - 2],
            FactorOp::LinearDown2 => "linear_down_x2",
        }
    }

    /// Every op.
    #[cfg(test)]
    pub const ALL: [FactorOp; MAX_UP + 6] = {
        let mut all = [FactorOp::NearestDown2; MAX_UP + 6];
        let mut s = 1;
        while s <= MAX_UP {
            all[s - 1] = FactorOp::NearestUp(s);
            s += 1;
        }
        all[MAX_UP + 1] = FactorOp::AreaDown2;
        all[MAX_UP + 2] = FactorOp::LinearUp(2);
        all[MAX_UP + 3] = FactorOp::LinearUp(3);
        all[MAX_UP + 4] = FactorOp::LinearUp(4);
        all[MAX_UP + 5] = FactorOp::LinearDown2;
        all
    };
}

impl Pass {
    /// Workgroups per output row: segments of `WORKGROUP * STRIP` outputs, or for a factor
    /// kernel of `WORKGROUP` threads, each on 4 inputs (up) or 4 outputs (down) (the linear
    /// kernel on a 3-D input: `X2_ROWS` such units per thread).
    pub(crate) fn row_segments(&self) -> usize {
        match self.kernel {
            // linear on a 3-D input: X2_ROWS units per thread.
            UpsampleKernel::Factor(FactorOp::LinearUp(_)) if self.taps & 1 != 0 => {
                (self.in_dims[2] / 4).div_ceil(WORKGROUP * X2_ROWS)
            }
            UpsampleKernel::Factor(FactorOp::NearestUp(_) | FactorOp::LinearUp(_)) => {
                (self.in_dims[2] / 4).div_ceil(WORKGROUP)
            }
            UpsampleKernel::Factor(_) => (self.out_dims[2] / 4).div_ceil(WORKGROUP),
            UpsampleKernel::WindowH4 { .. } | UpsampleKernel::WindowH4U => {
                (self.out_dims[2] / 4).div_ceil(WORKGROUP * WINDOW_H4_VECS)
            }
            // A thread per period of the interior, or per border group.
            UpsampleKernel::WindowW4P { .. } => {
                let [qa, qb, period, _] = self.edges.map(|e| e as usize);
                ((qb - qa) / period).div_ceil(WORKGROUP)
            }
            UpsampleKernel::WindowW4 { .. } if self.is_border() => {
                let [qa, qb, _, _] = self.edges.map(|e| e as usize);
                (self.out_dims[2] / 4 - (qb - qa)).div_ceil(WORKGROUP)
            }
            // ×1.5: a thread per interior pair of records, or per record outside them.
            UpsampleKernel::Fractional {
                span: super::fractional::X1_5,
                ..
            } => ((self.edges[1] - self.edges[0]) as usize / 2).div_ceil(WORKGROUP),
            UpsampleKernel::Fractional {
                span: super::fractional::X1_5_EDGES,
                ..
            } => {
                let [ra, rb, records, _] = self.edges.map(|e| e as usize);
                (ra + records - rb).div_ceil(WORKGROUP)
            }
            UpsampleKernel::Fractional { span, .. } => {
                (self.out_dims[2] / 4).div_ceil(WORKGROUP * super::fractional::groups(span))
            }
            UpsampleKernel::WindowWH { half, .. } => (self.out_dims[2] / 4)
                .div_ceil(super::window::groups_per_thread(half))
                .div_ceil(WORKGROUP),
            _ => self.out_dims[2].div_ceil(WORKGROUP * STRIP),
        }
    }
}

impl Pass {
    /// Row units of one plane, each `row_segments` workgroups: output rows, or for the streaming
    /// linear kernel blocks of `X2_ROWS` input rows (3-D: the one row).
    pub(crate) fn row_units(&self) -> usize {
        let [od, oh, _] = self.out_dims;
        match self.kernel {
            UpsampleKernel::Factor(FactorOp::LinearUp(_)) if self.taps & 1 != 0 => 1,
            UpsampleKernel::Factor(FactorOp::LinearUp(_)) => self.in_dims[1].div_ceil(X2_ROWS),
            UpsampleKernel::Fractional { span, .. } => oh.div_ceil(super::fractional::rows(span)),
            UpsampleKernel::WindowWH { ring, .. } => {
                od * oh.div_ceil(super::window::block_rows(ring))
            }
            _ => od * oh,
        }
    }
}

/// One source index per output of an axis: nearest's taps, or area's where every window holds
/// exactly one input. `None` otherwise.
fn picks(axis: &AxisTaps) -> Option<Vec<u32>> {
    match axis {
        AxisTaps::Gather { taps: 1, pairs } => Some(pairs.iter().map(|p| p.0).collect()),
        AxisTaps::Area(w) => w.iter().map(|&(s, e)| (e == s + 1).then_some(s)).collect(),
        _ => None,
    }
}

/// Area whose every window along every axis holds one input: the same plan as nearest with those
/// indices (a sum from 0 of one input divided by 1 is that input). The plan in nearest mode and
/// its taps, for the nearest kernels (`x2_pass` among them); `None` otherwise.
pub(crate) fn area_as_nearest(plan: &Plan, taps: &[AxisTaps; 3]) -> Option<(Plan, [AxisTaps; 3])> {
    if plan.mode != UpsampleMode::Area || plan.antialias {
        return None;
    }
    let mut nearest = [None, None, None];
    for (k, t) in taps.iter().enumerate() {
        let pairs = picks(t)?.into_iter().map(|i| (i, 1.0)).collect();
        nearest[k] = Some(AxisTaps::Gather { taps: 1, pairs });
    }
    let plan = Plan {
        mode: UpsampleMode::Nearest,
        ..plan.clone()
    };
    Some((plan, nearest.map(|t| t.expect("every axis"))))
}

/// The factor pass, pushed onto `g` with its row table where it applies: nearest, nearest-exact
/// (or area with one-input windows, see [`area_as_nearest`]) or area, no antialias, the input
/// width a multiple of 4, PyTorch's taps along w one of the [`FactorOp`] patterns (down: the
/// output width a multiple of 4 too), and the rows' table within the uniform array. Returns
/// whether it applied (`g` untouched if not).
pub(crate) fn factor_pass(g: &mut GpuPlan, plan: &Plan, taps: &[AxisTaps; 3]) -> bool {
    use UpsampleMode::*;
    if plan.antialias || !matches!(plan.mode, Nearest | NearestExact | Area) {
        return false;
    }
    let [ad, ah, aw] = plan.axes3();
    let (iw, ow) = (aw.input, aw.output);
    if !iw.is_multiple_of(4) || ow == 0 {
        return false;
    }
    let down = ow.is_multiple_of(4) && 2 * ow <= iw;
    if let Some(x) = picks(&taps[2]) {
        let s = ow / iw;
        let op = if (1..=MAX_UP).contains(&s)
            && ow == s * iw
            && x.iter().enumerate().all(|(o, &i)| i as usize == o / s)
        {
            Some((FactorOp::NearestUp(s), 0))
        } else {
            let off = x.first().copied().unwrap_or(0);
            let fits = down
                && off <= 1
                && x.iter()
                    .enumerate()
                    .all(|(o, &i)| i as usize == 2 * o + off as usize);
            fits.then_some((FactorOp::NearestDown2, off))
        };
        // Rows: one source index each, h then d.
        return match (op, picks(&taps[1]), picks(&taps[0])) {
            (Some((op, off)), Some(h), Some(d)) => push(g, [ad, ah, aw], op, off, h, d),
            _ => false,
        };
    }
    // Area down ×2 along w; rows: the windows [start, end) as two words each, h then d.
    let windows = |k: usize| match &taps[k] {
        AxisTaps::Area(w) => Some(w.iter().flat_map(|&(s, e)| [s, e]).collect::<Vec<_>>()),
        _ => None,
    };
    let x2 = |w: &[u32]| {
        w.chunks(2)
            .enumerate()
            .all(|(o, se)| se == [2 * o as u32, 2 * o as u32 + 2])
    };
    match (windows(2), windows(1), windows(0)) {
        (Some(x), Some(h), Some(d)) if down && x2(&x) => {
            push(g, [ad, ah, aw], FactorOp::AreaDown2, 0, h, d)
        }
        _ => false,
    }
}

/// Pushes the factor pass `op` with the rows' words `h` (from 0) and `d` (from `h.len()`) in the
/// uniform array, if they fit.
fn push(
    g: &mut GpuPlan,
    axes: [Axis; 3],
    op: FactorOp,
    taps: u32,
    h: Vec<u32>,
    d: Vec<u32>,
) -> bool {
    if h.len() + d.len() > 4 * X2_YZ_WEIGHTS {
        return false;
    }
    let mut words = vec![0u32; 4 * X2_YZ_WEIGHTS];
    words[..h.len()].copy_from_slice(&h);
    words[h.len()..h.len() + d.len()].copy_from_slice(&d);
    let mut pass = Pass::new(
        UpsampleKernel::Factor(op),
        axes.map(|a| a.input),
        axes.map(|a| a.output),
    );
    pass.tables = [h.len() as u32, 0, 0];
    pass.taps = taps;
    g.yz = Some(words);
    g.passes.push(pass);
    true
}

/// The largest up factor of the streaming linear kernel (`linear_up_x2` .. `linear_up_x4`).
pub(crate) const MAX_LINEAR_UP: usize = 4;

/// The linear pass (`factor_linear.wgsl`), pushed onto `g` with its tables where it applies:
/// linear (3-D) or bilinear (4-D), no antialias, the input width a multiple of 4, the output
/// width `s` times it (s in 2..=MAX_LINEAR_UP), and PyTorch's taps following the kernel's
/// pattern: along w output `s·b + φ` reads inputs `b + off(φ)` and `b + off(φ) + 1`, clamped to
/// the row (`off = -1` where `2φ + 1 < s`, else 0), except that where `b + off = -1` it reads
/// inputs 0 and 1 as PyTorch's clamped coordinate does; along h each output row reads rows `i0`
/// and `min(i0 + 1, in_h - 1)`, `i0` non-decreasing. The weights are PyTorch's, per output along
/// w (tables, or where every thread but the first has the same ones the uniform array) and per
/// output row (the uniform array, after the first output row of each input row). Returns
/// whether it applied (`g` untouched if not).
pub(crate) fn linear_up(g: &mut GpuPlan, plan: &Plan, taps: &[AxisTaps; 3]) -> bool {
    use UpsampleMode::*;
    if plan.antialias || !matches!(plan.mode, Linear | Bilinear) || plan.axes.len() > 2 {
        return false;
    }
    let [ad, ah, aw] = plan.axes3();
    let (iw, ow) = (aw.input, aw.output);
    let s = ow / iw.max(1);
    if !iw.is_multiple_of(4) || !(2..=MAX_LINEAR_UP).contains(&s) || ow != s * iw {
        return false;
    }
    let AxisTaps::Gather { taps: 2, pairs: x } = &taps[2] else {
        return false;
    };
    let clamp = |i: i64| i.clamp(0, iw as i64 - 1) as u32;
    let fits_x = x.chunks(2).enumerate().all(|(o, t)| {
        let (b, phi) = ((o / s) as i64, o % s);
        let i = b - (2 * phi + 1 < s) as i64;
        let ours = if i < 0 {
            (0, 1)
        } else {
            (clamp(i), clamp(i + 1))
        };
        (t[0].0, t[1].0) == ours
    });
    if !fits_x {
        return false;
    }
    // Rows: the first output row of each input row, then per output row its two weights.
    let ih = ah.input;
    let (starts, weights, kept): (Vec<u32>, Vec<u32>, bool) = if plan.axes.len() == 1 {
        (vec![0, 1], vec![0, 0], true)
    } else {
        let AxisTaps::Gather { taps: 2, pairs: y } = &taps[1] else {
            return false;
        };
        let rows: Vec<(u32, u32)> = y.chunks(2).map(|t| (t[0].0, t[1].0)).collect();
        let fits = rows
            .iter()
            .all(|&(i0, i1)| (i0 as usize) < ih && i1 as usize == (i0 as usize + 1).min(ih - 1))
            && rows.windows(2).all(|r| r[0].0 <= r[1].0);
        if !fits {
            return false;
        }
        let starts = (0..=ih as u32)
            .map(|j| rows.iter().filter(|r| r.0 < j).count() as u32)
            .collect();
        let weights = y.iter().map(|t| t.1.to_bits()).collect();
        (starts, weights, false)
    };
    // x: per thread q, the w0 of its 4s outputs, then their w1.
    let thread = |q: usize| -> Vec<u32> {
        (0..2)
            .flat_map(|t| (0..4 * s).map(move |j| x[2 * (4 * s * q + j) + t].1.to_bits()))
            .collect()
    };
    // Where every thread but thread 0 has the same weights (bit for bit), both sets go to the
    // uniform array after the rows' words, at a vec4.
    let threads = iw / 4;
    let same = threads < 2 || (2..threads).all(|q| thread(q) == thread(1));
    let at_x = (starts.len() + weights.len()).next_multiple_of(4);
    let uniform_x = same.then(|| [thread(0), thread(threads.min(2) - 1)].concat());
    let words_needed = at_x + uniform_x.as_ref().map_or(0, Vec::len);
    if words_needed > 4 * X2_YZ_WEIGHTS {
        return false;
    }
    let mut words = vec![0u32; 4 * X2_YZ_WEIGHTS];
    words[..starts.len()].copy_from_slice(&starts);
    words[starts.len()..starts.len() + weights.len()].copy_from_slice(&weights);
    let at = match &uniform_x {
        Some(xw) => {
            words[at_x..at_x + xw.len()].copy_from_slice(xw);
            0
        }
        None => g.push_vec4((0..threads).flat_map(thread)) / 4,
    };
    let mut pass = Pass::new(
        UpsampleKernel::Factor(FactorOp::LinearUp(s)),
        [ad, ah, aw].map(|a| a.input),
        [ad, ah, aw].map(|a| a.output),
    );
    pass.tables = [(at_x / 4) as u32, starts.len() as u32, at];
    pass.taps = kept as u32 | (uniform_x.is_some() as u32) << 1;
    g.yz = Some(words);
    g.passes.push(pass);
    true
}

/// The linear ×½ pass (`linear_down_x2` in `factor.wgsl`), pushed onto `g` where it applies:
/// linear (3-D) or bilinear (4-D), no antialias, the input width a multiple of 4 and twice the
/// output width, PyTorch's taps along w reading inputs `2x` and `2x + 1` with the same weights
/// (bit for bit) at every output, and any linear taps along h (PyTorch's rows and weights per
/// output row in the uniform array). Returns whether it applied (`g` untouched if not).
pub(crate) fn linear_down(g: &mut GpuPlan, plan: &Plan, taps: &[AxisTaps; 3]) -> bool {
    use UpsampleMode::*;
    if plan.antialias || !matches!(plan.mode, Linear | Bilinear) || plan.axes.len() > 2 {
        return false;
    }
    let [ad, ah, aw] = plan.axes3();
    let (iw, ow) = (aw.input, aw.output);
    if !iw.is_multiple_of(4) || !ow.is_multiple_of(4) || iw != 2 * ow {
        return false;
    }
    let AxisTaps::Gather { taps: 2, pairs: x } = &taps[2] else {
        return false;
    };
    let (w0, w1) = (x[0].1, x[1].1);
    let fits = x.chunks(2).enumerate().all(|(o, t)| {
        (t[0].0, t[1].0) == (2 * o as u32, 2 * o as u32 + 1)
            && (t[0].1.to_bits(), t[1].1.to_bits()) == (w0.to_bits(), w1.to_bits())
    });
    if !fits {
        return false;
    }
    let kept = plan.axes.len() == 1;
    let rows: Vec<u32> = if kept {
        vec![0, 0, 0, 0]
    } else {
        let AxisTaps::Gather { taps: 2, pairs: y } = &taps[1] else {
            return false;
        };
        y.chunks(2)
            .flat_map(|t| [t[0].0, t[1].0, t[0].1.to_bits(), t[1].1.to_bits()])
            .collect()
    };
    if rows.len() > 4 * X2_YZ_WEIGHTS {
        return false;
    }
    let mut words = vec![0u32; 4 * X2_YZ_WEIGHTS];
    words[..rows.len()].copy_from_slice(&rows);
    let mut pass = Pass::new(
        UpsampleKernel::Factor(FactorOp::LinearDown2),
        [ad, ah, aw].map(|a| a.input),
        [ad, ah, aw].map(|a| a.output),
    );
    pass.taps = kept as u32;
    pass.phases[0] = [w0; 4];
    pass.phases[1] = [w1; 4];
    g.yz = Some(words);
    g.passes.push(pass);
    true
}
