//! The CPU reference for every upsample mode: plain loops over precomputed per-axis taps,
//! parallel over the N·C planes (and over rows within a plane when there are few planes).

use super::options::{Plan, UpsampleMode};
use super::taps::{AxisTaps, Windows, antialias_height_first, axis_taps, backward_taps, windows};
use crate::error::Result;
use crate::parallel::zeroed_output;
use crate::parallel::{for_each_plane, par_bands};

/// Runs the upsample described by `plan` on `input` (contiguous, `plan.planes` planes).
pub(crate) fn forward(plan: &Plan, input: &[f32]) -> Result<Vec<f32>> {
    let mut output = zeroed_output(plan.planes * plan.output_plane())?;
    if plan.antialias {
        antialias(plan, input, &mut output)?;
    } else if plan.mode == UpsampleMode::Area {
        area(plan, input, &mut output);
    } else {
        separable_gather(plan, input, &mut output)?;
    }
    Ok(output)
}

/// Nearest, nearest-exact, linear family and bicubic: `out = Σz wz Σy wy Σx wx in[z, y, x]`,
/// nested like PyTorch's `interpolate` (outer axis outermost). Separable, in two passes that keep
/// that nesting: each input row a band of output rows reads is interpolated along x once per
/// band (`Σx`, a gather with a compile-time tap count so the loop unrolls), then each output row
/// is a weighted sum of those rows (`Σz wz Σy wy`, contiguous loops that vectorise).
fn separable_gather(plan: &Plan, input: &[f32], output: &mut [f32]) -> Result<()> {
    let taps = [0, 1, 2].map(|k| axis_taps(plan, k));
    match taps[2].gather_taps() {
        Some(1) => gather_rows::<1>(plan, &taps, input, output),
        Some(2) => gather_rows::<2>(plan, &taps, input, output),
        _ => gather_rows::<4>(plan, &taps, input, output),
    }
}

/// Floats of interpolated input rows one band may cache: bands are cut so that their rows
/// (at most the band's output rows times the taps along z and y) fit, whatever the input's size.
const ROW_CACHE: usize = 1 << 22;

/// One thread's scratch for [`gather_rows`]: the input rows a band reads (`index`, sorted),
/// interpolated along x (`rows`, one output row long each, in the order of `index`), and a row
/// for `Σy`.
#[derive(Default)]
struct RowCache {
    index: Vec<usize>,
    rows: Vec<f32>,
    acc_y: Vec<f32>,
}

fn gather_rows<const T: usize>(
    plan: &Plan,
    [td, th, tw]: &[AxisTaps; 3],
    input: &[f32],
    output: &mut [f32],
) -> Result<()> {
    let [ad, ah, aw] = plan.axes3();
    debug_assert_eq!(tw.gather_taps(), Some(T));
    let (x_taps, _) = tw.pairs().as_chunks::<T>();
    let x2 = Period2::find(x_taps, aw.input);
    let x2 = x2.as_ref();
    let (ih, iw, ow) = (ah.input, aw.input, aw.output);
    let in_plane = plan.input_plane();
    // The input rows (z, y) output row `r` reads, with their weights.
    let (z_one, y_one) = (td.gather_taps() == Some(1), th.gather_taps() == Some(1));
    let z_taps = |r: usize| td.at(r / ah.output).iter().map(|&(i, w)| (i as usize, w));
    let y_taps = |r: usize| th.at(r % ah.output).iter().map(|&(i, w)| (i as usize, w));
    // Output rows per band: their input rows fit the cache.
    let per_row = td.gather_taps().unwrap_or(1) * th.gather_taps().unwrap_or(1) * ow;
    let max_rows = (ROW_CACHE / per_row.max(1)).max(1);
    let failed = std::sync::Mutex::new(None);
    par_bands(
        output,
        ad.output * ah.output,
        ow,
        max_rows,
        RowCache::default,
        |cache, plane, first_row, band| {
            let src = &input[plane * in_plane..][..in_plane];
            let src_row = |k: usize| &src[k * iw..][..iw];
            let band_rows = first_row..first_row + band.len() / ow;
            if z_one && y_one {
                // One input row per output row, of weight 1 (the nearest modes, 1-D): Σx straight
                // into the output, or a copy of the previous output row when it read the same row.
                let mut previous = None;
                for (i, r) in band_rows.enumerate() {
                    let k = z_taps(r).next().unwrap().0 * ih + y_taps(r).next().unwrap().0;
                    let (earlier, rest) = band.split_at_mut(i * ow);
                    let out = &mut rest[..ow];
                    if previous == Some(k) {
                        out.copy_from_slice(&earlier[(i - 1) * ow..]);
                    } else {
                        interpolate_row(src_row(k), x_taps, x2, out);
                    }
                    previous = Some(k);
                }
                return;
            }
            // Σx for the input rows the band reads, each once.
            cache.index.clear();
            for r in band_rows.clone() {
                for (iz, _) in z_taps(r) {
                    cache.index.extend(y_taps(r).map(|(iy, _)| iz * ih + iy));
                }
            }
            cache.index.sort_unstable();
            cache.index.dedup();
            let need = cache.index.len() * ow;
            let more = need.saturating_sub(cache.rows.len()) + ow.saturating_sub(cache.acc_y.len());
            if cache.rows.try_reserve(more).is_err() {
                *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(need);
                return;
            }
            cache.rows.resize(need, 0.0);
            cache.acc_y.resize(ow, 0.0);
            for (&k, row) in cache.index.iter().zip(cache.rows.chunks_exact_mut(ow)) {
                interpolate_row(src_row(k), x_taps, x2, row);
            }
            let (index, rows) = (&cache.index, &cache.rows);
            let row = |k: usize| {
                let slot = index
                    .binary_search(&k)
                    .expect("every row the band reads is cached");
                &rows[slot * ow..][..ow]
            };
            for (r, out) in band_rows.zip(band.chunks_exact_mut(ow)) {
                let y_rows = |iz: usize| y_taps(r).map(move |(iy, wy)| (row(iz * ih + iy), wy));
                if z_one {
                    // A single z tap has weight 1 (nearest, or no z axis): Σy straight into out.
                    let (iz, _) = z_taps(r).next().unwrap();
                    weighted_sum(out, y_rows(iz));
                } else {
                    for (j, (iz, wz)) in z_taps(r).enumerate() {
                        weighted_sum(&mut cache.acc_y, y_rows(iz));
                        accumulate(out, &cache.acc_y, wz, j == 0);
                    }
                }
            }
        },
    );
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(floats) => Err(crate::tensor::alloc_error(floats)),
        None => Ok(()),
    }
}

/// `out[o] = Σk w · row[i]` over the `T` pairs `(i, w)` of `taps[o]`: one row along x. Where
/// `x2` says the taps repeat with period 2 (×2 upsampling's interior), those outputs come from
/// a loop over contiguous input that the compiler vectorises, the same sums in the same order.
fn interpolate_row<const T: usize>(
    row: &[f32],
    taps: &[[(u32, f32); T]],
    x2: Option<&Period2<T>>,
    out: &mut [f32],
) {
    let gather = |out: &mut [f32], taps: &[[(u32, f32); T]]| {
        for (o, taps) in out.iter_mut().zip(taps) {
            let mut acc = 0.0f32;
            for &(i, w) in taps {
                acc += w * row[i as usize];
            }
            *o = acc;
        }
    };
    let Some(p) = x2 else {
        return gather(out, taps);
    };
    let (lo, hi) = (2 * p.lo, 2 * p.hi);
    gather(&mut out[..lo], &taps[..lo]);
    gather(&mut out[hi..], &taps[hi..]);
    let n = p.hi - p.lo;
    // Input index of tap t of output 2(lo + i) + r: lo + i + first[r] + t.
    let src = |r: usize, t: usize| &row[(p.lo as isize + p.first[r]) as usize + t..][..n];
    let (even, odd): ([&[f32]; T], [&[f32]; T]) = (
        std::array::from_fn(|t| src(0, t)),
        std::array::from_fn(|t| src(1, t)),
    );
    let (pairs, _) = out[lo..hi].as_chunks_mut::<2>();
    for (i, o) in pairs.iter_mut().enumerate() {
        let (mut e, mut d) = (0.0f32, 0.0f32);
        for t in 0..T {
            e += p.w[0][t] * even[t][i];
            d += p.w[1][t] * odd[t][i];
        }
        *o = [e, d];
    }
}

/// Taps along x that repeat with period 2 for outputs `2·lo .. 2·hi`: output `2j + r` reads
/// inputs `j + first[r] + t` with weights `w[r][t]` (checked against the plan's table, so
/// every such input lies in the row).
struct Period2<const T: usize> {
    lo: usize,
    hi: usize,
    first: [isize; 2],
    w: [[f32; T]; 2],
}

impl<const T: usize> Period2<T> {
    /// The longest run of output pairs around the middle whose taps follow the pattern of the
    /// middle pair (`None` where that pair's taps are not consecutive inputs).
    fn find(taps: &[[(u32, f32); T]], in_len: usize) -> Option<Self> {
        let pairs = taps.len() / 2;
        if pairs == 0 {
            return None;
        }
        let mid = pairs / 2;
        let at = |j: usize, r: usize| &taps[2 * j + r];
        // The pattern of the middle pair; taps must be consecutive inputs.
        let mut first = [0isize; 2];
        let mut w = [[0.0f32; T]; 2];
        for r in 0..2 {
            let t0 = at(mid, r)[0].0 as usize;
            first[r] = t0 as isize - mid as isize;
            for (t, &(i, wt)) in at(mid, r).iter().enumerate() {
                if i as usize != t0 + t {
                    return None;
                }
                w[r][t] = wt;
            }
        }
        let fits = |j: usize| {
            (0..2).all(|r| {
                at(j, r).iter().enumerate().all(|(t, &(i, wt))| {
                    i as isize == j as isize + first[r] + t as isize
                        && wt.to_bits() == w[r][t].to_bits()
                })
            })
        };
        let mut lo = mid;
        while lo > 0 && fits(lo - 1) {
            lo -= 1;
        }
        let mut hi = mid + 1;
        while hi < pairs && fits(hi) {
            hi += 1;
        }
        // (Every input read lies in the row: the table's indices do.)
        debug_assert!(hi as isize - 1 + first[0].max(first[1]) + T as isize <= in_len as isize);
        debug_assert!(lo as isize + first[0].min(first[1]) >= 0);
        Some(Period2 { lo, hi, first, w })
    }
}

/// `out = Σ w · row` over the `(row, w)` pairs (at least one), added in order.
fn weighted_sum<'a>(out: &mut [f32], taps: impl Iterator<Item = (&'a [f32], f32)>) {
    for (j, (row, w)) in taps.enumerate() {
        accumulate(out, row, w, j == 0);
    }
}

/// `out = w · row` when `first`, else `out += w · row`.
fn accumulate(out: &mut [f32], row: &[f32], w: f32, first: bool) {
    if first {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = w * v;
        }
    } else {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += w * v;
        }
    }
}

/// Area: the mean over each output cell's input window, `sum / kd / kh / kw` like PyTorch's
/// adaptive average pooling.
fn area(plan: &Plan, input: &[f32], output: &mut [f32]) {
    let [_, ah, aw] = plan.axes3();
    let window = |k| match axis_taps(plan, k) {
        AxisTaps::Area(w) => w,
        other => unreachable!("area taps, not {other:?}"),
    };
    let (wd, wh, ww) = (window(0), window(1), window(2));
    let (ih, iw) = (ah.input, aw.input);
    for_each_plane(
        input,
        plan.input_plane(),
        output,
        plan.output_plane(),
        |_, src, dst| {
            let mut k = 0;
            for &(z0, z1) in &wd {
                for &(y0, y1) in &wh {
                    for &(x0, x1) in &ww {
                        let mut sum = 0.0f32;
                        for z in z0 as usize..z1 as usize {
                            for y in y0 as usize..y1 as usize {
                                let row = &src[(z * ih + y) * iw..][..iw];
                                for v in &row[x0 as usize..x1 as usize] {
                                    sum += v;
                                }
                            }
                        }
                        dst[k] = sum / (z1 - z0) as f32 / (y1 - y0) as f32 / (x1 - x0) as f32;
                        k += 1;
                    }
                }
            }
        },
    );
}

/// Antialiased bilinear/bicubic: separable, width pass then height pass, an axis of unchanged
/// size skipped (PyTorch's `separable_upsample_generic_Nd_kernel_impl`).
fn antialias(plan: &Plan, input: &[f32], output: &mut [f32]) -> Result<()> {
    let [_, ah, aw] = plan.axes3();
    let taps = |k| match axis_taps(plan, k) {
        AxisTaps::Antialias(t) => Some(t),
        _ => None, // an axis of unchanged size: skipped
    };
    let (ih, iw, oh, ow) = (ah.input, aw.input, ah.output, aw.output);
    match (taps(2), taps(1)) {
        (Some(tw), Some(th)) if antialias_height_first(plan) => {
            let mut tmp = zeroed_output(plan.planes * oh * iw)?;
            pass(input, &mut tmp, plan.planes, ih, oh, iw, &th);
            pass(&tmp, output, plan.planes * oh, iw, ow, 1, &tw);
        }
        (Some(tw), Some(th)) => {
            let mut tmp = zeroed_output(plan.planes * ih * ow)?;
            pass(input, &mut tmp, plan.planes * ih, iw, ow, 1, &tw);
            pass(&tmp, output, plan.planes, ih, oh, ow, &th);
        }
        (Some(tw), None) => pass(input, output, plan.planes * ih, iw, ow, 1, &tw),
        (None, Some(th)) => pass(input, output, plan.planes, ih, oh, iw, &th),
        (None, None) => output.copy_from_slice(input),
    }
    Ok(())
}

/// The backward: `grad_input` from `grad_output` (`plan.planes` planes of the forward's output
/// shape), one window pass per axis with the taps transposed (w, then h, then d; an axis whose
/// transpose is the identity skipped). Each element of the result is a sum in a fixed order
/// (PyTorch's along each axis): deterministic.
pub(crate) fn backward(plan: &Plan, grad_output: &[f32]) -> Result<Vec<f32>> {
    let axes = plan.axes3();
    let mut dims = axes.map(|a| a.output);
    let mut cur: Option<Vec<f32>> = None;
    for k in [2, 1, 0] {
        let t = windows(&backward_taps(plan, k).transpose(axes[k].input));
        if t.is_identity(dims[k]) {
            continue;
        }
        let outer = plan.planes * dims[..k].iter().product::<usize>();
        let inner: usize = dims[k + 1..].iter().product();
        let mut next = zeroed_output(outer * axes[k].input * inner)?;
        let src = cur.as_deref().unwrap_or(grad_output);
        pass(src, &mut next, outer, dims[k], axes[k].input, inner, &t);
        dims[k] = axes[k].input;
        cur = Some(next);
    }
    match cur {
        Some(v) => Ok(v),
        None => crate::tensor::copied(grad_output),
    }
}

/// `dst[a] = Σj w[a][j] · src[start[a] + j]` (from 0, in the order of `j`) for every output
/// `a` of a row along its contiguous axis. Where `run` says the windows repeat (the interior of
/// an integer downscale, ×½ antialiasing), those outputs come from loops over contiguous
/// copies of the input that the compiler vectorises: the same sums in the same order.
fn window_row(src: &[f32], dst: &mut [f32], t: &Windows, run: Option<&Strided>) {
    let gather = |dst: &mut [f32], first: usize| {
        for (a, dst) in (first..).zip(dst) {
            let start = t.start[a] as usize;
            let w = &t.weights[a * t.taps..a * t.taps + t.len[a] as usize];
            let window = &src[start..start + w.len()];
            *dst = w
                .iter()
                .zip(window)
                .fold(0.0f32, |acc, (wj, v)| acc + wj * v);
        }
    };
    let Some(r) = run else {
        return gather(dst, 0);
    };
    gather(&mut dst[..r.lo], 0);
    gather(&mut dst[r.hi..], r.hi);
    let (q, w) = (r.step, &r.w[..r.len]);
    // The input as `q` phases, `phase[k % q][k / q] = src[b + k]`, for CHUNK outputs at a
    // time: output `i` of the chunk reads `src[b + q·i + j]` = `phase[j % q][i + j / q]`.
    let mut phase = [[0.0f32; CHUNK + Strided::MAX_LEN]; Strided::MAX_STEP];
    for (c, dst) in dst[r.lo..r.hi].chunks_mut(CHUNK).enumerate() {
        let b = r.start + c * CHUNK * q;
        let reach = q * (dst.len() - 1) + r.len;
        let x = &src[b..b + reach];
        if q == 2 {
            let (pairs, last) = x.as_chunks::<2>();
            for (i, &[e, d]) in pairs.iter().enumerate() {
                (phase[0][i], phase[1][i]) = (e, d);
            }
            if let [v] = last {
                phase[0][pairs.len()] = *v;
            }
        } else {
            for (r, phase) in phase[..q].iter_mut().enumerate() {
                for (p, &v) in phase.iter_mut().zip(x.iter().skip(r).step_by(q)) {
                    *p = v;
                }
            }
        }
        let mut acc = [0.0f32; CHUNK];
        for (j, &wj) in w.iter().enumerate() {
            let x = &phase[j % q][j / q..][..CHUNK];
            for (acc, &v) in acc.iter_mut().zip(x) {
                *acc += wj * v;
            }
        }
        dst.copy_from_slice(&acc[..dst.len()]);
    }
}

/// Outputs per vectorised step of [`window_row`].
const CHUNK: usize = 64;

/// A run of outputs `lo .. hi` whose windows repeat: output `a` reads `len` inputs from
/// `start + step·(a − lo)` with the weights `w` (bitwise the same for all), checked against
/// the table, so every input read lies in the row.
struct Strided {
    lo: usize,
    hi: usize,
    start: usize,
    step: usize,
    len: usize,
    w: [f32; Strided::MAX_LEN],
}

impl Strided {
    const MAX_LEN: usize = 32;
    const MAX_STEP: usize = 4;
    /// Shorter runs are left to the gather.
    const MIN_RUN: usize = 4;

    /// The longest run around the middle output with its pattern (step: the middle's next
    /// start less its own), `None` where it is short or not of the shape above.
    fn find(t: &Windows) -> Option<Self> {
        let n = t.start.len();
        if n < 2 || t.index.is_some() {
            return None;
        }
        let mid = (n - 1) / 2;
        let (len, s0) = (t.len[mid] as usize, t.start[mid] as usize);
        let step = (t.start[mid + 1] as usize).checked_sub(s0)?;
        if !(1..=Self::MAX_STEP).contains(&step) || !(1..=Self::MAX_LEN).contains(&len) {
            return None;
        }
        let weights = |a: usize| &t.weights[a * t.taps..][..t.len[a] as usize];
        let mut w = [0.0f32; Self::MAX_LEN];
        w[..len].copy_from_slice(weights(mid));
        let fits = |a: usize| {
            t.len[a] as usize == len
                && t.start[a] as i64 == (s0 + step * a) as i64 - (step * mid) as i64
                && weights(a)
                    .iter()
                    .zip(&w)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        };
        let mut lo = mid;
        while lo > 0 && fits(lo - 1) {
            lo -= 1;
        }
        let mut hi = mid + 1;
        while hi < n && fits(hi) {
            hi += 1;
        }
        (hi - lo >= Self::MIN_RUN).then(|| Strided {
            lo,
            hi,
            start: t.start[lo] as usize,
            step,
            len,
            w,
        })
    }
}

/// One window pass along an axis: `out[o, a, i] = Σj w[a][j] · in[o, start[a] + j, i]` with
/// `outer` blocks, the axis `n_in → n_out`, and `inner` contiguous elements per axis position.
fn pass(
    input: &[f32],
    out: &mut [f32],
    outer: usize,
    n_in: usize,
    n_out: usize,
    inner: usize,
    t: &Windows,
) {
    debug_assert_eq!(out.len(), outer * n_out * inner);
    if inner == 1 && t.index.is_none() {
        // Along the contiguous axis: a dot product with each output's window.
        let run = Strided::find(t);
        for_each_plane(input, n_in, out, n_out, |_, src, dst| {
            window_row(src, dst, t, run.as_ref())
        });
        return;
    }
    for_each_plane(input, n_in * inner, out, n_out * inner, |_, src, dst| {
        for (a, dst) in dst.chunks_exact_mut(inner).enumerate() {
            let start = t.start[a] as usize;
            let w = &t.weights[a * t.taps..a * t.taps + t.len[a] as usize];
            if w.is_empty() {
                dst.fill(0.0);
            } else if t.index.is_some() {
                // Listed inputs (a transposed axis where an input repeats).
                let rows = w
                    .iter()
                    .enumerate()
                    .map(|(j, &wj)| (&src[t.input(a, j) * inner..][..inner], wj));
                weighted_sum(dst, rows);
            } else {
                // Along an outer axis: a weighted sum of whole rows.
                let rows = w
                    .iter()
                    .enumerate()
                    .map(|(j, &wj)| (&src[(start + j) * inner..][..inner], wj));
                weighted_sum(dst, rows);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Upsample, UpsampleMode::*};

    /// The window pass along x with its strided runs (antialiased integer downscales) against
    /// the plain gather, bitwise (NaN for NaN), with signed zeros and non-finite inputs; the run
    /// is found where the windows have the pattern.
    #[test]
    fn strided_window_pass_is_the_gather_bitwise() {
        for mode in [Bilinear, Bicubic] {
            for (iw, scale, run) in [
                (512, 0.5, true),
                (301, 0.5, true),
                (1000, 0.25, true),
                (900, 1.0 / 3.0, true),
                (100, 0.5, true),
                (9, 0.5, false),
                (700, 0.4, false),
            ] {
                let up = Upsample::with_scale_factor([1.0, scale], mode).antialias(true);
                let plan = up.plan(&[1, 1, 2, iw]).unwrap();
                let AxisTaps::Antialias(t) = axis_taps(&plan, 2) else {
                    panic!("antialias taps")
                };
                let found = Strided::find(&t);
                assert_eq!(found.is_some(), run, "{mode:?} width {iw} ×{scale}");
                let specials = [-0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0];
                let row: Vec<f32> = (0..iw)
                    .map(|i| {
                        specials
                            .get(i % 37)
                            .copied()
                            .unwrap_or(i as f32 * 0.37 - 2.0)
                    })
                    .collect();
                let n = t.start.len();
                let (mut a, mut b) = (vec![1.0; n], vec![2.0; n]);
                window_row(&row, &mut a, &t, found.as_ref());
                window_row(&row, &mut b, &t, None);
                // (A NaN's sign is the compiler's choice of operand order: NaN for NaN.)
                for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                    assert!(
                        x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(),
                        "{mode:?} width {iw} ×{scale}, output {i}: {x} vs {y}"
                    );
                }
            }
        }
    }

    /// The x pass with its period-2 run (×2 upsampling) against the plain gather, bitwise, with
    /// signed zeros and non-finite inputs; the run is found where the taps have the pattern.
    #[test]
    fn period2_x_pass_is_the_gather_bitwise() {
        fn check<const T: usize>(taps: &AxisTaps, iw: usize, run: Option<bool>) {
            let (x_taps, _) = taps.pairs().as_chunks::<T>();
            let x2 = Period2::find(x_taps, iw);
            if let Some(run) = run {
                assert_eq!(x2.is_some(), run, "width {iw}");
            }
            let specials = [-0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0];
            let row: Vec<f32> = (0..iw)
                .map(|i| {
                    specials
                        .get(i % 11)
                        .copied()
                        .unwrap_or(i as f32 * 0.37 - 2.0)
                })
                .collect();
            let (mut a, mut b) = (vec![1.0; x_taps.len()], vec![2.0; x_taps.len()]);
            interpolate_row(&row, x_taps, x2.as_ref(), &mut a);
            interpolate_row(&row, x_taps, None, &mut b);
            assert!(a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        for (mode, ac) in [
            (Nearest, None),
            (NearestExact, None),
            (Bilinear, Some(false)),
            (Bilinear, Some(true)),
            (Bicubic, Some(false)),
        ] {
            for iw in [1, 2, 3, 8, 33] {
                let mut up = Upsample::with_scale_factor([2.0], mode);
                if let Some(ac) = ac {
                    up = up.align_corners(ac);
                }
                let plan = up.plan(&[1, 1, 3, iw]).unwrap();
                let taps = axis_taps(&plan, 2);
                // A long row, half-pixel or nearest: a run (align_corners=True may have short
                // ones).
                let run = (iw > 8 && ac != Some(true)).then_some(true);
                match taps.gather_taps() {
                    Some(1) => check::<1>(&taps, iw, run),
                    Some(2) => check::<2>(&taps, iw, run),
                    _ => check::<4>(&taps, iw, run),
                }
            }
        }
    }
}
