//! Direct backward kernels (`shaders/upsample/factor_backward.wgsl`) for the upsamples whose
//! transposed taps give every element of `grad_input` at most one `grad_output` term per axis:
//! downsampling by an integer factor with windows that do not overlap (nearest ×½ ×⅓, bilinear ×½
//! without antialias, area ×½ ×⅓), nearest downsampling by any factor. `grad_input` is then
//! `w_d · (w_h · (w_w · grad_output[o_d, o_h, o_w]))` — the one product of the separable window
//! passes (`cpu.rs`), in their order — or 0 where an axis has no term. One pass, no intermediate.
//!
//! - `factor_backward_x{s}` (vec4 loads and stores): each axis periodic in its factor
//!   `s = inputs / outputs` (input `s·o + φ` takes output `o` with phase `φ`'s weight, or nothing;
//!   the inputs past `s · outputs` nothing), `s ≤ 4` per axis, the width `s · outputs` and the
//!   output width a multiple of 4. A thread spreads one `vec4` of `grad_output` over `s_w` `vec4`s
//!   of `s_d · s_h` rows of `grad_input`.
//! - `direct_backward` (one element at a time, per-axis tables): any other shape whose every axis
//!   has at most one term per input.
//!
//! The host checks the transposed taps ([`AxisTaps::transpose`], the ones the CPU reference runs)
//! against these shapes and falls back to the window passes otherwise.
//!
//! Also here: the linear backward ([`linear_backward`], `factor_linear_backward.wgsl`), linear and
//! bilinear upsampled by an integer factor 2 to 4 along w — each input gathers its `2s` (at the
//! edges up to `3s`) output columns, the w and h passes fused, PyTorch's weights from tables. Also here: area with every
//! changed axis doubled is nearest's ×2 backward (a window of one element), see [`area_x2_shape`].
//!
//! [`AxisTaps::transpose`]: super::taps::AxisTaps::transpose

use super::options::{Axis, Plan, UpsampleMode};
use super::plan::{GpuPlan, Pass, UpsampleKernel, WORKGROUP, X2_ROWS};
use super::taps::{backward_taps, windows};

/// A weight slot without a term (`-0.0`'s bits; a real `-0.0` weight takes the window passes).
pub(crate) const ABSENT: u32 = 0x8000_0000;

/// Largest factor per axis of the vec4 kernels (phase weights in one `vec4` per axis).
pub(crate) const MAX_FACTOR: usize = 4;

/// One axis's transposed taps as at most one term per input: `(output, weight)` or `None`.
/// `None` overall where an input has two terms or a weight is `-0.0`.
fn single_terms(plan: &Plan, k: usize, inputs: usize) -> Option<Vec<Option<(u32, f32)>>> {
    backward_taps(plan, k)
        .transpose(inputs)
        .into_iter()
        .map(|t| match t[..] {
            [] => Some(None),
            [(o, w)] if w.to_bits() != ABSENT => Some(Some((o, w))),
            _ => None,
        })
        .collect()
}

/// The phase weights (bits; [`ABSENT`] for no term) of an axis of `terms.len()` inputs and
/// `outputs` outputs that is periodic in `s = inputs / outputs ≤ MAX_FACTOR`: input `s·o + φ`
/// takes `(o, w_φ)` or nothing for every `o`, the inputs from `s · outputs` nothing.
fn phases(terms: &[Option<(u32, f32)>], outputs: usize) -> Option<[u32; MAX_FACTOR]> {
    let s = terms.len().checked_div(outputs)?;
    if s == 0 || s > MAX_FACTOR {
        return None;
    }
    let bits = |t: &Option<(u32, f32)>| t.map_or(ABSENT, |(_, w)| w.to_bits());
    let mut w = [ABSENT; MAX_FACTOR];
    w[..s].copy_from_slice(&terms[..s].iter().map(bits).collect::<Vec<_>>());
    let fits = terms.iter().enumerate().all(|(i, t)| match t {
        _ if i >= s * outputs => t.is_none(),
        None => w[i % s] == ABSENT,
        Some((o, wt)) => *o as usize == i / s && wt.to_bits() == w[i % s],
    });
    fits.then_some(w)
}

/// The direct backward pass, pushed onto `g` where it applies (see the module doc): the vec4
/// kernel where every axis is periodic and the widths allow, else the element kernel with its
/// per-axis tables. Not where every axis is the identity (the launch copies). Returns whether it
/// applied (`g` untouched if not).
pub(crate) fn direct_backward(g: &mut GpuPlan, plan: &Plan, max_dim: u32) -> bool {
    if plan.antialias {
        return false;
    }
    let axes = plan.axes3();
    let Some(terms) = [0, 1, 2]
        .map(|k| single_terms(plan, k, axes[k].input))
        .into_iter()
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let identity = (0..3).all(|k| {
        windows(&backward_taps(plan, k).transpose(axes[k].input)).is_identity(axes[k].output)
    });
    if identity {
        return false;
    }
    let grad_out = axes.map(|a| a.output);
    let grad_in = axes.map(|a| a.input);
    let periodic: Option<Vec<[u32; MAX_FACTOR]>> =
        (0..3).map(|k| phases(&terms[k], axes[k].output)).collect();
    if let Some(w) = periodic
        && let Some(pass) = factor_pass(&axes, &w, max_dim)
    {
        g.passes.push(pass);
        return true;
    }
    // The element kernel: per axis the input's output index (0 where none) and weight bits.
    let mut pass = Pass::new(UpsampleKernel::DirectBackward, grad_out, grad_in);
    for (k, t) in terms.iter().enumerate() {
        let index = t.iter().map(|t| t.map_or(0, |(o, _)| o));
        let weight = t.iter().map(|t| t.map_or(ABSENT, |(_, w)| w.to_bits()));
        pass.tables[k] = g.push(index.chain(weight));
    }
    g.passes.push(pass);
    true
}

/// The vec4 kernel's pass for phase weights `w` (d, h, w), if the widths and the device's grid
/// allow: the phases go to `Pass::phases[0..3]` (x, y, z).
fn factor_pass(axes: &[Axis; 3], w: &[[u32; MAX_FACTOR]], max_dim: u32) -> Option<Pass> {
    let [_, _, aw] = axes;
    let sx = aw.input / aw.output;
    if !aw.output.is_multiple_of(4) || aw.input != sx * aw.output {
        return None;
    }
    let mut pass = Pass::new(
        UpsampleKernel::FactorBackward { sx },
        axes.map(|a| a.output),
        axes.map(|a| a.input),
    );
    for (k, axis) in [2, 1, 0].into_iter().enumerate() {
        pass.phases[k] = w[axis].map(f32::from_bits);
    }
    (pass.x2_grid(1).iter().all(|&d| d <= max_dim)).then_some(pass)
}

/// Grad_input rows per thread of the linear backward (`LB_ROWS` in
/// `factor_linear_backward.wgsl`): each thread also reads the grad_output rows its first row
/// shares with the row before, so more rows a thread read fewer twice.
pub(crate) const LINEAR_BACKWARD_ROWS: usize = 32;

/// The linear backward's grid for `planes` planes: (⌈threads / WORKGROUP⌉,
/// ⌈h / LINEAR_BACKWARD_ROWS⌉, planes · d) (the edge pass: (⌈2 · blocks / WORKGROUP⌉, 1,
/// planes · d), a pair of threads per row block), or where the h pass is
/// the identity (`linear_backward_rows`, `pass.taps == 1`), (⌈w / 4 / WORKGROUP⌉,
/// ⌈planes · d · h / X2_ROWS⌉, 1): X2_ROWS rows of any slices a thread.
pub(crate) fn linear_grid(pass: &Pass, planes: usize) -> [u32; 3] {
    let [d, h, w] = pass.out_dims;
    let threads = match pass.kernel {
        // inner_vecs(sx) interior vec4s a thread.
        UpsampleKernel::LinearBackward {
            inner: true, sx, ..
        } => (w / 4).saturating_sub(2).div_ceil(inner_vecs(sx)),
        // The edges (the rows kernel): threads 0 and 1 of one workgroup.
        _ if pass.indexed => 1,
        _ => w / 4,
    };
    let x = threads.div_ceil(WORKGROUP);
    let blocks = h.div_ceil(LINEAR_BACKWARD_ROWS);
    match pass.taps {
        1 => [x, (planes * d * h).div_ceil(X2_ROWS), 1],
        // The edges: the pairs of threads of every row block of a slice side by side.
        _ if pass.indexed => [(2 * blocks).div_ceil(WORKGROUP), 1, planes * d],
        _ => [x, blocks, planes * d],
    }
    .map(|n| n as u32)
}

/// The interior grad_input vec4s of a thread of the inner linear backward (`vecs` in
/// `factor_linear_backward.wgsl`): 8 for ×4 (its halo of 2 grad_output columns a row amortised
/// over 32 inputs), else 2.
fn inner_vecs(sx: usize) -> usize {
    if sx == 4 { 8 } else { 2 }
}

/// The vec4 kernel's grid for `planes` planes of grad_output `[d, h, w]`: a thread per `vec4` of
/// X2_ROWS rows, (⌈w / 4 / WORKGROUP⌉, ⌈h / X2_ROWS⌉, planes · d).
pub(crate) fn factor_grid(grad_out: [usize; 3], planes: usize) -> [u32; 3] {
    let [d, h, w] = grad_out;
    [
        w.div_ceil(4).div_ceil(WORKGROUP),
        h.div_ceil(X2_ROWS),
        planes * d,
    ]
    .map(|n| n as u32)
}

/// The block backward pass (`block_backward_x{s}`), pushed onto `g` where it applies: every axis
/// upsampled by an integer factor `s ≤ MAX_FACTOR` (outputs exactly `s` times the inputs) whose
/// transposed taps are nearest's — input `i` takes outputs `s·i .. s·i + s - 1`, each with weight
/// 1, in that order (nearest, nearest-exact and area at an integer factor) —, not every axis the
/// identity, and the grad_input width a multiple of 4. Returns whether it applied.
pub(crate) fn block_backward(g: &mut GpuPlan, plan: &Plan, max_dim: u32) -> bool {
    if plan.antialias {
        return false;
    }
    let axes = plan.axes3();
    let block = |k: usize| -> Option<usize> {
        let a = axes[k];
        let s = a.output.checked_div(a.input)?;
        if s == 0 || s > MAX_FACTOR || a.output != s * a.input {
            return None;
        }
        let terms = backward_taps(plan, k).transpose(a.input);
        let fits = terms.iter().enumerate().all(|(i, t)| {
            t.len() == s
                && t.iter()
                    .enumerate()
                    .all(|(j, &(o, w))| o as usize == s * i + j && w == 1.0)
        });
        fits.then_some(s)
    };
    let Some(s) = [0, 1, 2].map(block).into_iter().collect::<Option<Vec<_>>>() else {
        return false;
    };
    let [_, _, aw] = axes;
    if s.iter().all(|&s| s == 1) || !aw.input.is_multiple_of(4) {
        return false;
    }
    let pass = Pass::new(
        UpsampleKernel::BlockBackward { sx: s[2] },
        axes.map(|a| a.output),
        axes.map(|a| a.input),
    );
    if pass.x2_grid(1).iter().any(|&d| d > max_dim) {
        return false;
    }
    g.passes.push(pass);
    true
}

/// No tap (`factor_linear_backward.wgsl`'s `NONE`): a second tap along h that is not there, a
/// column past the row along w.
const NONE: u32 = u32::MAX;

/// An axis's gather taps as `(i0, w0, i1, w1)` per output, `i1` [`NONE`] where the output has one
/// tap; `None` for other taps than one or two per output.
fn two_taps(plan: &Plan, k: usize) -> Option<Vec<(u32, f32, u32, f32)>> {
    let taps = backward_taps(plan, k);
    match taps.gather_taps()? {
        1 => Some(
            taps.pairs()
                .iter()
                .map(|&(i, w)| (i, w, NONE, 0.0))
                .collect(),
        ),
        2 => Some(
            taps.pairs()
                .chunks(2)
                .map(|t| (t[0].0, t[0].1, t[1].0, t[1].1))
                .collect(),
        ),
        _ => None,
    }
}

/// The linear backward passes (`factor_linear_backward.wgsl`), pushed onto `g` where they apply:
/// `linear_backward_inner_x{s}` for the interior threads where their terms fit one pattern, then
/// `linear_backward_x{s}` for the two edge threads (or for all); `rows_` for a 3-D input. Where: linear, bilinear or trilinear without antialias, the depth's transposed
/// taps the identity, the width upsampled by `s` ∈ {2, 3, 4} (a multiple of 4 inputs), every
/// output column reading two inputs whose threads' windows (output vec4s `s·q - 1 .. s·q + s` for
/// inputs `4q .. 4q + 3`) hold it, and along h every output row reading row `i0` and maybe
/// `i0` or `i0 + 1`, `i0` from 0 to the last row by steps of 0 or 1 (PyTorch's taps at an
/// integer factor, align_corners false or true, and any upsampling along h). The tables hold
/// PyTorch's taps as the CPU reference reads them; the kernel adds the same terms in the same
/// order. Returns whether it applied.
pub(crate) fn linear_backward(g: &mut GpuPlan, plan: &Plan, max_dim: u32) -> bool {
    use UpsampleMode::*;
    if plan.antialias || !matches!(plan.mode, Linear | Bilinear | Trilinear) {
        return false;
    }
    let [ad, ah, aw] = plan.axes3();
    if !windows(&backward_taps(plan, 0).transpose(ad.input)).is_identity(ad.output) {
        return false;
    }
    let (Some(x), Some(y)) = (two_taps(plan, 2), two_taps(plan, 1)) else {
        return false;
    };
    let s = aw.output / aw.input.max(1);
    if !(2..=MAX_FACTOR).contains(&s) || aw.output != s * aw.input || !aw.input.is_multiple_of(4) {
        return false;
    }
    // Along w: input i reads only output columns s·i - s .. s·i + 2s - 1 (term j = o - s·i + s
    // of its thread's lane), no weight is -0.0 (ABSENT's bits).
    let fits = x.iter().enumerate().all(|(o, &(i0, w0, i1, w1))| {
        i1 != NONE
            && [w0, w1].iter().all(|w| w.to_bits() != ABSENT)
            && [i0, i1].iter().all(|&i| {
                let term = (o + s).checked_sub(s * i as usize);
                (i as usize) < aw.input && term.is_some_and(|j| j < 3 * s)
            })
    });
    // Along h: i0 from 0 to the last row by steps of 0 or 1, i1 (if any) i0 or the next row.
    let rows = ah.input;
    let steps = y.first().is_some_and(|t| t.0 == 0)
        && y.last().is_some_and(|t| t.0 as usize + 1 == rows)
        && y.windows(2)
            .all(|p| p[1].0 == p[0].0 || p[1].0 == p[0].0 + 1)
        && y.iter().all(|&(i0, _, i1, _)| {
            i1 == NONE || i1 == i0 || (i1 == i0 + 1 && (i1 as usize) < rows)
        });
    if !fits || !steps {
        return false;
    }
    // One row per slice, the h pass the identity: the rows of all slices in one grid dimension.
    let rows_only = ah.output == 1
        && windows(&backward_taps(plan, 1).transpose(ah.input)).is_identity(ah.output);
    // w: per thread q and term j < 3s, the weights (bits) of tap 0 and of tap 1 of lanes k < 4:
    // those of output column s·(4q + k) - s + j where the tap reads input 4q + k, else ABSENT.
    let terms = 3 * s;
    let threads = aw.input / 4;
    let mut words = Vec::with_capacity(threads * terms * 8);
    for q in 0..threads {
        for j in 0..terms {
            let tap = |k: usize, t: usize| -> u32 {
                let i = 4 * q + k;
                let Some(&c) = (s * i + j).checked_sub(s).and_then(|o| x.get(o)) else {
                    return ABSENT;
                };
                let (index, w) = if t == 0 { (c.0, c.1) } else { (c.2, c.3) };
                if index as usize == i {
                    w.to_bits()
                } else {
                    ABSENT
                }
            };
            words.extend([0, 1, 2, 3].map(|k| tap(k, 0)));
            words.extend([0, 1, 2, 3].map(|k| tap(k, 1)));
        }
    }
    // The interior threads 1 .. threads - 1 take the inner kernel where each has exactly one tap
    // per term j = s/2 .. s/2 + 2s on every lane (tap 1 for the first s, tap 0 for the next s)
    // and none elsewhere; the edge threads (or all, where some interior thread does not) the
    // general one.
    let pattern = |q: usize| {
        (0..terms).all(|j| {
            let t1 = (s / 2..s / 2 + s).contains(&j);
            let t0 = (s / 2 + s..s / 2 + 2 * s).contains(&j);
            let at = (q * terms + j) * 8;
            words[at..at + 4].iter().all(|&w| (w != ABSENT) == t0)
                && words[at + 4..at + 8].iter().all(|&w| (w != ABSENT) == t1)
        })
    };
    let inner = threads > 2 && (1..threads - 1).all(pattern);
    let mark = g.tables.len();
    let x_at = g.push_vec4(words);
    let y_at = g.push_vec4(
        y.iter()
            .flat_map(|&(i0, w0, i1, w1)| [i0, i1, w0.to_bits(), w1.to_bits()]),
    );
    // Per grad_input row j ≤ rows: the first output row whose i0 is j or more.
    let first = (0..=rows).map(|j| y.partition_point(|t| (t.0 as usize) < j) as u32);
    let first_at = g.push(first);
    let pass = |inner: bool, edges: bool| {
        let mut pass = Pass::new(
            UpsampleKernel::LinearBackward {
                sx: s,
                rows: rows_only,
                inner,
            },
            [ad.output, ah.output, aw.output],
            [ad.input, ah.input, aw.input],
        );
        pass.taps = if rows_only { 1 } else { 2 };
        pass.indexed = edges;
        pass.tables = [first_at, y_at, x_at];
        pass
    };
    let passes = match inner {
        true => vec![pass(true, false), pass(false, true)],
        false => vec![pass(false, false)],
    };
    if passes
        .iter()
        .any(|p| p.x2_grid(1).iter().any(|&d| d > max_dim))
    {
        g.tables.truncate(mark);
        return false;
    }
    g.passes.extend(passes);
    true
}

/// Area with h and w doubled (and the depth doubled or kept) on a 4-D or 5-D input whose width is
/// a multiple of 4: each output's window is one input, so its backward is nearest's ×2 backward
/// (`x2_backward.wgsl`; the caller still checks the transposed taps against nearest's pattern).
/// `Some((1 tap, depth doubled))`, as `x2_shape` gives for nearest.
pub(crate) fn area_x2_shape(plan: &Plan) -> Option<(usize, bool)> {
    if plan.mode != UpsampleMode::Area || plan.antialias {
        return None;
    }
    super::plan::x2_axes(plan).map(|depth_doubled| (1, depth_doubled))
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
    fn integer_downsampling_takes_the_factor_kernels() {
        let half = |m| Upsample::with_scale_factor([0.5], m);
        let third = |m| Upsample::with_scale_factor([1.0 / 3.0], m);
        for m in [Nearest, NearestExact, Bilinear, Area] {
            assert_eq!(kernels(&half(m), &[1, 2, 8, 16]), ["factor_backward_x2"]);
        }
        assert_eq!(
            kernels(&third(Area), &[1, 2, 9, 12]),
            ["factor_backward_x3"]
        );
        assert_eq!(
            kernels(&third(Nearest), &[1, 2, 9, 12]),
            ["factor_backward_x3"]
        );
        // Bilinear ⅓ reads 3o + 1 and 3o + 2 (weights 1 and 0): one term per input.
        assert_eq!(
            kernels(&third(Bilinear), &[1, 1, 9, 12]),
            ["factor_backward_x3"]
        );
        // The bench's shapes.
        for m in [Nearest, Bilinear, Area] {
            assert_eq!(
                kernels(&half(m), &[1, 16, 1024, 1024]),
                ["factor_backward_x2"]
            );
        }
        let quarter = Upsample::with_scale_factor([0.25], Nearest);
        assert_eq!(kernels(&quarter, &[1, 1, 8, 16]), ["factor_backward_x4"]);
        // The last window partial (odd height): its inputs get nothing.
        assert_eq!(
            kernels(&half(Nearest), &[1, 1, 9, 16]),
            ["factor_backward_x2"]
        );
        assert_eq!(
            kernels(&half(Trilinear), &[1, 1, 5, 8, 16]),
            ["factor_backward_x2"]
        );
        assert_eq!(kernels(&half(Linear), &[1, 3, 64]), ["factor_backward_x2"]);
        // Width kept: x1.
        let h_only = Upsample::with_scale_factor(vec![0.5, 1.0], Nearest);
        assert_eq!(kernels(&h_only, &[1, 1, 8, 16]), ["factor_backward_x1"]);
        // Widths not a multiple of 4, an odd width, a factor past 4: the element kernel.
        assert_eq!(
            kernels(&half(Bilinear), &[1, 1, 8, 12]),
            ["direct_backward"]
        );
        assert_eq!(kernels(&half(Area), &[1, 1, 4, 6]), ["direct_backward"]);
        let fifth = Upsample::with_scale_factor([0.2], Nearest);
        assert_eq!(kernels(&fifth, &[1, 1, 10, 40]), ["direct_backward"]);
        // Nearest by 0.6: one term per input, not periodic.
        let n06 = Upsample::with_scale_factor([0.6], Nearest);
        assert_eq!(kernels(&n06, &[1, 1, 10, 20]), ["direct_backward"]);
    }

    #[test]
    fn overlapping_windows_take_the_window_passes() {
        // Area 5 → 2 overlaps at input 2; bilinear ½ with align_corners; bicubic ½.
        let area = Upsample::with_size([2, 2], Area);
        assert_eq!(kernels(&area, &[1, 1, 5, 5]), ["window_w", "window_h"]);
        let ac = Upsample::with_scale_factor([0.5], Bilinear).align_corners(true);
        assert_eq!(
            kernels(&ac, &[1, 1, 8, 16]),
            ["window_w4_2_indexed", "window_w4p_2", "window_h4_indexed"]
        );
        let cubic = Upsample::with_scale_factor([0.5], Bicubic);
        assert_eq!(
            kernels(&cubic, &[1, 1, 8, 16]),
            ["window_w4_2_indexed", "window_w4p_2", "window_h4_indexed"]
        );
        // Antialias and every axis unchanged: not here (both windows consecutive: the fused
        // window pass; exact ×2 transposed windows: the ×2 one, `window_x2.rs`).
        let aa = Upsample::with_scale_factor([0.5], Bilinear).antialias(true);
        assert_eq!(kernels(&aa, &[1, 1, 9, 16]), ["window_wh_2_t4"]);
        assert_eq!(kernels(&aa, &[1, 1, 8, 16]), ["window_x2_2_edge"]);
        let same = Upsample::with_scale_factor([1.0], Nearest);
        assert!(kernels(&same, &[1, 1, 8, 16]).is_empty());
    }

    #[test]
    fn phases_are_the_transposed_weights() {
        let up = Upsample::with_scale_factor([0.5], Bilinear);
        let g = backward_plan(&up.plan(&[1, 1, 9, 16]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        let bits = |v: [f32; 4]| v.map(f32::to_bits);
        let half = 0.5f32.to_bits();
        assert_eq!(bits(g.passes[0].phases[0]), [half, half, ABSENT, ABSENT]);
        assert_eq!(bits(g.passes[0].phases[1]), [half, half, ABSENT, ABSENT]);
        assert_eq!(
            bits(g.passes[0].phases[2]),
            [1f32.to_bits(), ABSENT, ABSENT, ABSENT]
        );
        let up = Upsample::with_scale_factor([0.5], Nearest);
        let g = backward_plan(&up.plan(&[1, 1, 8, 16]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        assert_eq!(
            bits(g.passes[0].phases[0]),
            [1f32.to_bits(), ABSENT, ABSENT, ABSENT]
        );
    }

    #[test]
    fn integer_upsampling_of_nearest_takes_the_block_kernels() {
        let x = |f: f64, m| Upsample::with_scale_factor([f], m);
        assert_eq!(
            kernels(&x(3.0, Nearest), &[1, 2, 5, 8]),
            ["block_backward_x3"]
        );
        assert_eq!(
            kernels(&x(4.0, Nearest), &[1, 2, 5, 8]),
            ["block_backward_x4"]
        );
        assert_eq!(kernels(&x(3.0, Area), &[1, 2, 5, 8]), ["block_backward_x3"]);
        assert_eq!(
            kernels(&x(3.0, NearestExact), &[1, 2, 5, 8]),
            ["block_backward_x3"]
        );
        assert_eq!(
            kernels(&x(3.0, Nearest), &[1, 2, 3, 5, 8]),
            ["block_backward_x3"]
        );
        assert_eq!(
            kernels(&x(3.0, Nearest), &[1, 2, 16]),
            ["block_backward_x3"]
        );
        let mixed = Upsample::with_scale_factor(vec![3.0, 1.0], Nearest);
        assert_eq!(kernels(&mixed, &[1, 2, 5, 8]), ["block_backward_x1"]);
        let mixed = Upsample::with_scale_factor(vec![1.0, 2.0], Nearest);
        assert_eq!(kernels(&mixed, &[1, 2, 5, 8]), ["block_backward_x2"]);
        // The ×2 kernels first; a width not a multiple of 4, a factor past 4, bilinear: not here.
        assert_eq!(
            kernels(&x(2.0, Nearest), &[1, 2, 5, 8]),
            ["x2_backward_nearest"]
        );
        assert_eq!(
            kernels(&x(3.0, Nearest), &[1, 2, 5, 6]),
            ["window_w", "window_h"]
        );
        assert_eq!(kernels(&x(5.0, Nearest), &[1, 2, 5, 8]), ["window_wh_8_t8"]);
        assert_eq!(
            kernels(&x(3.0, Bilinear), &[1, 2, 5, 8]),
            ["linear_backward_x3"]
        );
    }

    #[test]
    fn integer_upsampling_of_linear_takes_the_linear_backward() {
        let x = |f: f64, m| Upsample::with_scale_factor([f], m);
        // The bench's shapes: interior threads, then the edges.
        assert_eq!(
            kernels(&x(3.0, Bilinear), &[1, 32, 256, 256]),
            ["linear_backward_inner_x3", "linear_backward_x3"]
        );
        assert_eq!(
            kernels(&x(4.0, Bilinear), &[1, 16, 256, 256]),
            ["linear_backward_inner_x4", "linear_backward_x4"]
        );
        assert_eq!(
            kernels(&x(2.0, Linear), &[1, 32, 262_144]),
            ["linear_backward_rows_inner_x2", "linear_backward_rows_x2"]
        );
        // Two threads or fewer: the general kernel only.
        assert_eq!(
            kernels(&x(3.0, Bilinear), &[1, 2, 5, 8]),
            ["linear_backward_x3"]
        );
        // A width not a multiple of 4, ×5, the depth changed, antialias: not here.
        for (up, shape) in [
            (x(3.0, Bilinear), vec![1, 2, 5, 6]),
            (x(5.0, Bilinear), vec![1, 2, 5, 8]),
            (x(3.0, Trilinear), vec![1, 2, 2, 5, 8]),
            (x(3.0, Bilinear).antialias(true), vec![1, 2, 5, 8]),
        ] {
            let k = kernels(&up, &shape);
            assert!(
                k.iter().all(|k| !k.starts_with("linear_backward")),
                "{up:?} {shape:?}: {k:?}"
            );
        }
    }

    #[test]
    fn area_doubled_takes_the_x2_nearest_backward() {
        let up = Upsample::with_scale_factor([2.0], Area);
        assert_eq!(kernels(&up, &[1, 2, 5, 8]), ["x2_backward_nearest"]);
        assert_eq!(
            kernels(&up, &[1, 2, 3, 5, 8]),
            ["x2_backward_rows_nearest", "x2_backward_nearest"]
        );
        let hw = Upsample::with_scale_factor(vec![1.0, 2.0, 2.0], Area);
        assert_eq!(kernels(&hw, &[1, 2, 3, 5, 8]), ["x2_backward_nearest"]);
        // Width not a multiple of 4: the window passes.
        assert_eq!(kernels(&up, &[1, 2, 5, 6]), ["window_w", "window_h"]);
    }
}
