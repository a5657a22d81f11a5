//! The fractional backward (`shaders/upsample/fractional_backward.wgsl`): bilinear and bicubic
//! on a 4-D input at any scale, both widths multiples of 4, the w and h passes fused. Each
//! element of `grad_input` gathers its terms from the transposed taps
//! ([`AxisTaps::transpose`], the ones the CPU reference runs), in their order: along w
//! `Σ w · grad_output[o_h, o_w]` per output row (the w pass), then along h `Σ w · that` (the h
//! pass). No atomics, no intermediate in memory.
//!
//! A thread owns 4 consecutive inputs of a row (a vec4) and `FRACTIONAL_ROWS` input rows. Per
//! output row it loads `span` vec4s of grad_output (the thread's columns, from a first vec4 in
//! its table) and sums along w with per-lane weights and masks for each of the `4 · span`
//! columns (no picks: column `j` is component `j` of the loaded vec4s); the last `held` such
//! sums stay in registers while it walks down its input rows, each input row's terms along h
//! reading them (the uniform array: every lane of a workgroup has the same rows). Where a lane
//! reads an output column twice (PyTorch clamps at the borders) its thread is an edge thread:
//! the main kernel writes it anyway, and `fractional_backward_edge_*` overwrites it from per-lane
//! term lists.
//!
//! Upsampling only (every axis's output at least its input). The host checks the taps: along h
//! at most [`MAX_TERMS`] terms per input row within `held` consecutive output rows from a
//! non-decreasing first row; along w every non-edge thread's columns within [`SPANS`] vec4s;
//! few edge threads. Anything else takes the window passes. The rows' table goes to the uniform
//! array where it fits (1024 input rows), else to the tables (`Pass::indexed`).
//!
//! Bilinear ×1.5 along w (align_corners false) has its own main kernel ([`X1_5`]): inside the
//! row each record of 8 inputs reads its 12 outputs in one fixed pattern ([`X1_5_OUTPUTS`],
//! checked per record), static swizzles of whole grad_output vec4s instead of masked columns;
//! the records not of the pattern (the row's ends) go to the edge kernel. Bicubic ×1.5 likewise
//! ([`X1_5_CUBIC`], [`X1_5_CUBIC_OUTPUTS`]: 6 terms per input from the same grad_output vec4s).
//!
//! [`AxisTaps::transpose`]: super::taps::AxisTaps::transpose

use super::fractional::FRACTIONAL_ROWS;
use super::options::{Plan, UpsampleMode};
use super::plan::{GpuPlan, Pass, UpsampleKernel, WORKGROUP, X2_YZ_WEIGHTS};
use super::taps::{backward_taps, windows};

/// The grad_output vec4s per row a thread loads, one entry point each.
pub(crate) const SPANS: [usize; 4] = [2, 3, 4, 5];
/// The output rows summed along w that a thread holds (one entry point each).
pub(crate) const HELDS: [usize; 2] = [4, 8];
/// Terms along h per input row (weights in 3 vec4s of the uniform array; past 8 at the borders,
/// where PyTorch clamps bicubic's rows).
pub(crate) const MAX_TERMS: usize = 12;
/// Vec4s per input row in the uniform array.
const ROW_VEC4S: usize = 4;
/// Edge threads at most (each a whole per-lane term list).
const MAX_EDGES: usize = 8;
/// `span` of the ×1.5 main kernel (`fractional_backward_x1_5_*`): per thread two records of 8
/// inputs, 8 grad_output vec4s per row.
pub(crate) const X1_5: usize = 1;
/// The ×1.5 kernel's pattern: inside the row input `8r + m`'s terms along w are the outputs
/// `12r + X1_5_OUTPUTS[m] + k`, `k < 3` (`fractional_backward.wgsl`'s swizzles).
const X1_5_OUTPUTS: [i64; 8] = [-1, 1, 2, 4, 5, 7, 8, 10];
/// `span` of bicubic's ×1.5 main kernel (`fractional_backward_x1_5_cubic_*`): as [`X1_5`],
/// 6 terms per input.
pub(crate) const X1_5_CUBIC: usize = 6;
/// Bicubic's ×1.5 pattern: inside the row input `8r + m`'s terms along w are the outputs
/// `12r + X1_5_CUBIC_OUTPUTS[m] + k`, `k < 6` (the same 5 grad_output vec4s as bilinear's).
const X1_5_CUBIC_OUTPUTS: [i64; 8] = [-2, -1, 1, 2, 4, 5, 7, 8];
/// Input rows per thread of the ×1.5 kernel (`X1_5_ROWS` in the shader).
pub(crate) const X1_5_ROWS: usize = 2 * FRACTIONAL_ROWS;
/// `span` of the edge kernels whose threads have at most 4 terms a lane (`_t4`: the terms read
/// once into registers; the table padded to 4 terms).
pub(crate) const EDGE_T4: usize = 4;
/// As [`EDGE_T4`] with at most 8 terms a lane (`_t8`, the table padded to 8), each thread's
/// columns within [`EDGE_T8_VEC4S`] grad_output vec4s (loaded whole, the lanes' columns picked).
pub(crate) const EDGE_T8: usize = 8;
/// The grad_output vec4s per row of a `_t8` edge thread (`pick16` in the shader).
const EDGE_T8_VEC4S: usize = 4;

/// The kernels of this plan: the main kernel per span and held rows, the edge kernel per held.
#[cfg(test)]
pub(crate) const ALL: [UpsampleKernel; 18] = {
    let mut all = [UpsampleKernel::FractionalBackward {
        span: 0,
        held: 4,
        edge: true,
    }; 18];
    let mut i = 0;
    while i < 8 {
        all[i] = UpsampleKernel::FractionalBackward {
            span: SPANS[i % 4],
            held: HELDS[i / 4],
            edge: false,
        };
        i += 1;
    }
    all[9] = UpsampleKernel::FractionalBackward {
        span: 0,
        held: 8,
        edge: true,
    };
    all[10] = UpsampleKernel::FractionalBackward {
        span: X1_5,
        held: 4,
        edge: false,
    };
    all[11] = UpsampleKernel::FractionalBackward {
        span: X1_5,
        held: 8,
        edge: false,
    };
    all[12] = UpsampleKernel::FractionalBackward {
        span: EDGE_T4,
        held: 4,
        edge: true,
    };
    all[13] = UpsampleKernel::FractionalBackward {
        span: EDGE_T4,
        held: 8,
        edge: true,
    };
    all[14] = UpsampleKernel::FractionalBackward {
        span: X1_5_CUBIC,
        held: 4,
        edge: false,
    };
    all[15] = UpsampleKernel::FractionalBackward {
        span: X1_5_CUBIC,
        held: 8,
        edge: false,
    };
    all[16] = UpsampleKernel::FractionalBackward {
        span: EDGE_T8,
        held: 4,
        edge: true,
    };
    all[17] = UpsampleKernel::FractionalBackward {
        span: EDGE_T8,
        held: 8,
        edge: true,
    };
    all
};

/// The WGSL entry point of `FractionalBackward { span, held, edge }`.
pub(crate) fn name(span: usize, held: usize, edge: bool) -> &'static str {
    match (edge, held, span) {
        (true, 4, EDGE_T4) => "fractional_backward_edge_4_t4",
        (true, _, EDGE_T4) => "fractional_backward_edge_8_t4",
        (true, 4, EDGE_T8) => "fractional_backward_edge_4_t8",
        (true, _, EDGE_T8) => "fractional_backward_edge_8_t8",
        (true, 4, _) => "fractional_backward_edge_4",
        (true, _, _) => "fractional_backward_edge_8",
        (false, 4, X1_5) => "fractional_backward_x1_5_4",
        (false, _, X1_5) => "fractional_backward_x1_5_8",
        (false, 4, X1_5_CUBIC) => "fractional_backward_x1_5_cubic_4",
        (false, _, X1_5_CUBIC) => "fractional_backward_x1_5_cubic_8",
        (false, 4, 2) => "fractional_backward_2_4",
        (false, 4, 3) => "fractional_backward_3_4",
        (false, 4, 4) => "fractional_backward_4_4",
        (false, 4, _) => "fractional_backward_5_4",
        (false, _, 2) => "fractional_backward_2_8",
        (false, _, 3) => "fractional_backward_3_8",
        (false, _, 4) => "fractional_backward_4_8",
        (false, _, _) => "fractional_backward_5_8",
    }
}

/// The grid for `planes` planes: (⌈threads / WORKGROUP⌉, ⌈input rows / FRACTIONAL_ROWS⌉,
/// planes), a thread per vec4 of grad_input (the edge kernel: per edge thread, `edges[0]`; the
/// ×1.5 kernel: per two records of 8 inputs and `X1_5_ROWS` rows).
pub(crate) fn grid(pass: &Pass, planes: usize) -> [u32; 3] {
    let [_, ih, iw] = pass.out_dims;
    let (threads, rows) = match pass.kernel {
        UpsampleKernel::FractionalBackward { edge: true, .. } => {
            (pass.edges[0] as usize, FRACTIONAL_ROWS)
        }
        UpsampleKernel::FractionalBackward {
            span: X1_5 | X1_5_CUBIC,
            ..
        } => ((iw / 8).div_ceil(2), X1_5_ROWS),
        _ => (iw / 4, FRACTIONAL_ROWS),
    };
    [threads.div_ceil(WORKGROUP), ih.div_ceil(rows), planes].map(|n| n as u32)
}

/// The initial sum (bits) of an input with `terms` terms: `+0.0` where it has none (the window
/// passes fill 0), `-0.0` where the pass adds its first term as `w · v` (`-0.0 + w · v` is
/// `w · v`, bitwise), `+0.0` where it folds from `0.0` (the CPU's w pass without listed inputs).
fn init(terms: usize, from_zero: bool) -> u32 {
    match terms == 0 || from_zero {
        true => 0,
        false => (-0.0f32).to_bits(),
    }
}

/// The fractional backward passes, pushed onto `g` where they apply (see the module doc).
/// Returns whether they did (`g` untouched if not).
pub(crate) fn fractional_backward(g: &mut GpuPlan, plan: &Plan, max_dim: u32) -> bool {
    if plan.antialias
        || plan.axes.len() != 2
        || !matches!(plan.mode, UpsampleMode::Bilinear | UpsampleMode::Bicubic)
    {
        return false;
    }
    let [ad, ah, aw] = plan.axes3();
    let (ih, iw, oh, ow) = (ah.input, aw.input, ah.output, aw.output);
    // Upsampling only (downsampling keeps the window passes, which their tests cover).
    if ih == 0 || oh < ih || ow < iw || !iw.is_multiple_of(4) || !ow.is_multiple_of(4) || iw == 0 {
        return false;
    }
    let tx = backward_taps(plan, 2).transpose(iw);
    let ty = backward_taps(plan, 1).transpose(ih);
    // The CPU's passes: an identity pass is skipped, the w pass folds from 0.0 where its inputs
    // are consecutive (`cpu.rs`), the h pass adds its first term as `w · v`.
    let wx = windows(&tx);
    let w_from_zero = wx.index.is_none() && !wx.is_identity(ow);
    if wx.is_identity(ow) && windows(&ty).is_identity(oh) {
        // A copy (the launch's, no pass).
        return false;
    }

    // Along h: per input row its first output row s, its slots o - s, its weights.
    let span_h = ty
        .iter()
        .map(|t| match (t.first(), t.last()) {
            (Some(a), Some(b)) => (b.0 - a.0) as usize + 1,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let Some(held) = HELDS.into_iter().find(|&m| m >= span_h) else {
        return false;
    };
    let mut rows = vec![0u32; 4 * ROW_VEC4S * ih];
    let mut s = 0u32;
    for (i, t) in ty.iter().enumerate() {
        if t.len() > MAX_TERMS {
            return false;
        }
        if let Some(first) = t.first() {
            if first.0 < s || t.windows(2).any(|p| p[1].0 < p[0].0) {
                return false;
            }
            s = first.0;
        }
        let plain = t.iter().enumerate().all(|(k, p)| p.0 == s + k as u32);
        // Slots 3 bits each: terms 0 to 9 in word 1, 10 and 11 from bit 16 of word 2.
        let slots = t.iter().enumerate().fold(0u64, |w, (k, p)| {
            w | u64::from(p.0 - s) << (3 * k + 18 * (k / 10))
        });
        let at = 4 * ROW_VEC4S * i;
        rows[at..at + 4].copy_from_slice(&[
            s,
            slots as u32,
            t.len() as u32 | (plain as u32) << 8 | (slots >> 32) as u32 & 0xffff_0000,
            init(t.len(), false),
        ]);
        for (k, p) in t.iter().enumerate() {
            rows[at + 4 + k] = p.1.to_bits();
        }
    }

    // Along w: per thread (4 inputs) the vec4s its columns span; edge threads where a lane reads
    // a column twice.
    let threads = iw / 4;
    let lanes = |q: usize| &tx[4 * q..4 * q + 4];
    let repeats = |q: usize| {
        lanes(q)
            .iter()
            .any(|t| t.windows(2).any(|p| p[1].0 <= p[0].0))
    };
    let mut edges: Vec<usize> = (0..threads).filter(|&q| repeats(q)).collect();
    if edges.len() > MAX_EDGES {
        return false;
    }
    // ×1.5: its kernel where it applies, the records not of the pattern edge threads too; else
    // the general one.
    let (x1_5_span, pattern, terms) = match plan.mode {
        UpsampleMode::Bilinear => (X1_5, X1_5_OUTPUTS, 3),
        _ => (X1_5_CUBIC, X1_5_CUBIC_OUTPUTS, 6),
    };
    let x1_5 = x1_5_table(&tx, iw, ow, w_from_zero, pattern, terms)
        .map(|(words, odd)| {
            let mut all = edges.clone();
            all.extend(odd);
            all.sort_unstable();
            all.dedup();
            (words, all)
        })
        .filter(|(_, all)| all.len() <= MAX_EDGES);
    let (span, words) = match x1_5 {
        Some((words, all)) => {
            edges = all;
            (x1_5_span, words)
        }
        None => match general_table(&tx, ow, w_from_zero, &edges) {
            Some(x) => x,
            None => return false,
        },
    };
    // Per edge thread: (thread, first vec4 (`_t8`), -, -), per lane its terms' count, per lane the initial sum,
    // then per term k the lanes' columns and the lanes' weights.
    let most = edges
        .iter()
        .flat_map(|&q| lanes(q).iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    // `_t8`: per edge thread the first of the 4 grad_output vec4s its columns lie in (clamped to
    // the row), where every edge thread's do.
    let base = |q: usize| {
        let cols = lanes(q).iter().flatten().map(|p| p.0 as usize);
        let (lo, hi) = (
            cols.clone().min().unwrap_or(0) / 4,
            cols.max().unwrap_or(0) / 4,
        );
        let base = lo.min((ow / 4).saturating_sub(EDGE_T8_VEC4S));
        (ow / 4 >= EDGE_T8_VEC4S && hi < base + EDGE_T8_VEC4S).then_some(base)
    };
    let narrow = edges.iter().all(|&q| base(q).is_some());
    // At most 4 (8) terms: the `_t4` (`_t8`) edge kernel, the lists padded to 4 (8).
    let (most, edge_span) = match [EDGE_T4, EDGE_T8].into_iter().find(|&t| most <= t) {
        Some(EDGE_T8) if !narrow => (most, 0),
        Some(t) => (t, t),
        None => (most, 0),
    };
    let mut edge_words = Vec::with_capacity(edges.len() * (3 + 2 * most) * 4);
    for &q in &edges {
        let mut v = vec![0u32; (3 + 2 * most) * 4];
        v[0] = q as u32;
        v[1] = base(q).unwrap_or(0) as u32;
        for (k, t) in lanes(q).iter().enumerate() {
            v[4 + k] = t.len() as u32;
            v[8 + k] = init(t.len(), w_from_zero);
            for (j, &(o, w)) in t.iter().enumerate() {
                v[4 * (3 + 2 * j) + k] = o;
                v[4 * (4 + 2 * j) + k] = w.to_bits();
            }
        }
        edge_words.extend(v);
    }

    // The rows' table in the uniform array where it fits, else in the tables.
    let uniform = rows.len() <= 4 * X2_YZ_WEIGHTS;
    let mark = g.tables.len();
    let tab_w = g.push_vec4(words) / 4;
    let tab_edge = g.push_vec4(edge_words) / 4;
    let tab_rows = match uniform {
        true => 0,
        false => g.push_vec4(rows.iter().copied()) / 4,
    };
    let pass = |edge: bool| {
        let mut pass = Pass::new(
            UpsampleKernel::FractionalBackward {
                span: if edge { edge_span } else { span },
                held,
                edge,
            },
            [ad.output, oh, ow],
            [ad.input, ih, iw],
        );
        pass.tables = [tab_rows, tab_edge, tab_w];
        pass.indexed = !uniform;
        pass.taps = most as u32;
        pass.edges[0] = edges.len() as u32;
        pass
    };
    let mut passes = vec![pass(false)];
    if !edges.is_empty() {
        passes.push(pass(true));
    }
    if passes
        .iter()
        .any(|p| p.x2_grid(1).iter().any(|&d| d > max_dim))
    {
        g.tables.truncate(mark);
        return false;
    }
    // (Bound either way.)
    if !uniform {
        rows.clear();
    }
    rows.resize(4 * X2_YZ_WEIGHTS, 0);
    g.yz = Some(rows);
    g.passes.extend(passes);
    true
}

/// The general main kernel's w table (see the module doc) and its span: `None` where some
/// non-edge thread's columns span more than the widest of [`SPANS`].
fn general_table(
    tx: &[Vec<(u32, f32)>],
    ow: usize,
    w_from_zero: bool,
    edges: &[usize],
) -> Option<(usize, Vec<u32>)> {
    let threads = tx.len() / 4;
    let lanes = |q: usize| &tx[4 * q..4 * q + 4];
    let bounds = |q: usize| -> Option<(usize, usize)> {
        let cols = lanes(q).iter().flatten().map(|p| p.0 as usize);
        Some((cols.clone().min()?, cols.max()?))
    };
    let widest = (0..threads)
        .filter(|q| edges.binary_search(q).is_err())
        .filter_map(|q| bounds(q).map(|(lo, hi)| hi / 4 + 1 - lo / 4))
        .max()
        .unwrap_or(1);
    let span = SPANS.into_iter().find(|&s| s >= widest)?;
    if span > ow / 4 {
        return None;
    }
    // Per thread: (first vec4, -, -, -), per lane the mask of its columns (bit j: column j),
    // per lane the initial sum, then per column j the lanes' weights (0 where absent).
    let stride = 3 + 4 * span;
    let mut words = vec![0u32; threads * stride * 4];
    for q in (0..threads).filter(|q| edges.binary_search(q).is_err()) {
        let at = q * stride * 4;
        let Some((lo, _)) = bounds(q) else {
            // No terms at all: every lane +0.0 (all zero already).
            continue;
        };
        let base = (lo / 4).min(ow / 4 - span);
        words[at] = base as u32;
        for (k, t) in lanes(q).iter().enumerate() {
            words[at + 8 + k] = init(t.len(), w_from_zero);
            for &(o, w) in t {
                let j = o as usize - 4 * base;
                words[at + 4 + k] |= 1 << j;
                words[at + 4 * (3 + j) + k] = w.to_bits();
            }
        }
    }
    Some((span, words))
}

/// The ×1.5 kernel's w table and the grad_input vec4s of the records not of the pattern, where
/// it applies: `ow = 1.5 iw`, `iw` a multiple of 8, at least one record (8 inputs) of `pattern`
/// ([`X1_5_OUTPUTS`] with 3 terms, [`X1_5_CUBIC_OUTPUTS`] with 6: each input `terms` terms, from
/// the outputs the pattern names, in order). Per record (`1 + 2 terms` vec4s): (its initial
/// sum, 0, 0, 0), then per vec4 of inputs per term the 4 lanes' weights (all 0 for a record not
/// of the pattern: the edge kernel's).
fn x1_5_table(
    tx: &[Vec<(u32, f32)>],
    iw: usize,
    ow: usize,
    w_from_zero: bool,
    pattern: [i64; 8],
    terms: usize,
) -> Option<(Vec<u32>, Vec<usize>)> {
    if 2 * ow != 3 * iw || !iw.is_multiple_of(8) {
        return None;
    }
    let records = iw / 8;
    let mut words = Vec::with_capacity(records * (1 + 2 * terms) * 4);
    let mut odd = Vec::new();
    for (r, ins) in tx.chunks(8).enumerate() {
        let first = 12 * r as i64;
        let fixed = ins.iter().zip(pattern).all(|(t, x)| {
            t.len() == terms
                && t.iter()
                    .enumerate()
                    .all(|(k, p)| i64::from(p.0) == first + x + k as i64)
        });
        words.extend([init(terms, w_from_zero), 0, 0, 0]);
        for half in ins.chunks(4) {
            for k in 0..terms {
                words.extend(half.iter().map(|t| match fixed {
                    true => t[k].1.to_bits(),
                    false => 0,
                }));
            }
        }
        if !fixed {
            odd.extend([2 * r, 2 * r + 1]);
        }
    }
    (odd.len() < 2 * records).then_some((words, odd))
}

#[cfg(test)]
mod tests {
    use super::super::plan::{DEFAULT_MAX_WORKGROUPS, backward_plan};
    use super::*;
    use crate::ops::upsample::Upsample;
    use UpsampleMode::*;

    fn kernels(up: &Upsample, shape: &[usize]) -> Vec<&'static str> {
        backward_plan(&up.plan(shape).unwrap(), DEFAULT_MAX_WORKGROUPS).kernel_names()
    }

    #[test]
    fn fractional_scales_take_the_fractional_backward() {
        let sf = |f: f64, m| Upsample::with_scale_factor([f], m);
        // The bench's shapes.
        assert_eq!(
            kernels(&sf(1.5, Bilinear), &[1, 16, 640, 640]),
            [
                "fractional_backward_x1_5_4",
                "fractional_backward_edge_4_t4"
            ]
        );
        // ×1.5 along w only: the first and last records (4 vec4s) edge threads.
        let g = backward_plan(
            &Upsample::with_scale_factor(vec![2.5, 1.5], Bilinear)
                .plan(&[1, 1, 8, 64])
                .unwrap(),
            DEFAULT_MAX_WORKGROUPS,
        );
        assert_eq!(
            g.kernel_names(),
            [
                "fractional_backward_x1_5_8",
                "fractional_backward_edge_8_t4"
            ]
        );
        assert_eq!(g.passes[1].edges[0], 4);
        // align_corners true: other weights, the same outputs (checked per record).
        assert_eq!(
            kernels(&sf(1.5, Bilinear).align_corners(true), &[1, 1, 4, 640])[0],
            "fractional_backward_x1_5_4"
        );
        // One record (all of it the row's ends), or not ×1.5: the general kernel.
        for (up, shape) in [
            (sf(1.5, Bilinear), vec![1, 1, 4, 8]),
            (sf(1.25, Bilinear), vec![1, 1, 4, 64]),
            (sf(1.25, Bicubic), vec![1, 1, 4, 64]),
            (sf(1.5, Bicubic), vec![1, 1, 4, 16]),
        ] {
            let k = kernels(&up, &shape);
            assert!(
                k[0].starts_with("fractional_backward_") && !k[0].contains("x1_5"),
                "{up:?} {shape:?}: {k:?}"
            );
        }
        // Bicubic ×1.5: its pattern's kernel, the row's ends (5 to 8 terms a lane) the
        // `_t8` edge kernel's.
        assert_eq!(
            kernels(&sf(1.5, Bicubic), &[1, 16, 640, 640]),
            [
                "fractional_backward_x1_5_cubic_8",
                "fractional_backward_edge_8_t8"
            ]
        );
        let g = backward_plan(
            &sf(1.5, Bicubic).plan(&[1, 1, 4, 64]).unwrap(),
            DEFAULT_MAX_WORKGROUPS,
        );
        assert_eq!(g.kernel_names()[0], "fractional_backward_x1_5_cubic_8");
        assert_eq!(g.passes[1].edges[0], 4);
        // Past 1024 input rows: the rows' table in the tables.
        let g = backward_plan(
            &sf(1.5, Bilinear).plan(&[1, 1, 1100, 8]).unwrap(),
            DEFAULT_MAX_WORKGROUPS,
        );
        assert!(g.passes[0].indexed && g.passes[0].tables[0] > 0);
        // Not the shape: widths not multiples of 4, a 5-D input, antialias, downsampling.
        for (up, shape) in [
            (sf(1.5, Bilinear), vec![1, 1, 4, 6]),
            (sf(1.5, Trilinear), vec![1, 1, 2, 4, 8]),
            (sf(1.5, Bilinear).antialias(true), vec![1, 1, 4, 8]),
            (sf(0.75, Bicubic), vec![1, 1, 8, 16]),
        ] {
            let k = kernels(&up, &shape);
            assert!(
                k.iter().all(|k| !k.starts_with("fractional_backward")),
                "{up:?} {shape:?}: {k:?}"
            );
        }
    }
}
