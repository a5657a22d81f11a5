//! The streaming plan for bilinear and bicubic at any scale (`shaders/upsample/fractional.wgsl`):
//! a 4-D input and output whose widths are multiples of 4, PyTorch's taps (indices and weights
//! from [`axis_taps`](super::taps::axis_taps), as the general kernels use them) laid out for
//! vec4s. Each thread computes 8 consecutive outputs (two groups of 4, a vec4 store each) of
//! `FRACTIONAL_ROWS` output rows: per input row it loads the few vec4s that hold its outputs'
//! taps along w, picks each tap from them (bicubic: its 4 consecutive taps from one position,
//! the row's ends repeated where PyTorch clamps) and interpolates along w once, keeping the last `taps` such rows in registers while it walks down
//! the output rows (each output row combines them with its weights along h). The host checks
//! that the taps fit (each output row's among `taps` consecutive rows, clamped, from a
//! non-decreasing first row; every pair of groups' taps within one of the spans); anything else
//! runs the general kernels. ×1.5 along w (align_corners false) has its own kernels
//! ([`X1_5`]): 24 outputs per thread, whose taps inside the row are one fixed pattern per 12
//! (host-checked), read by static swizzles instead of picks; the row's ends (records outside
//! the pattern) go to a second pass ([`X1_5_EDGES`]), as lavapipe would run a branch's both sides
//! in every thread.

use super::options::{Plan, UpsampleMode};
use super::plan::{GpuPlan, Pass, UpsampleKernel, X2_YZ_WEIGHTS};
use super::taps::AxisTaps;

/// Output rows per thread (`FRAC_ROWS` in `fractional.wgsl`).
pub(crate) const FRACTIONAL_ROWS: usize = 32;
/// Output rows per thread of the ×1.5 kernels (`X15_ROWS` in `fractional.wgsl`): more than
/// `FRACTIONAL_ROWS`, since their threads read more of the w table and each block of rows starts
/// by reading `taps` input rows.
pub(crate) const X1_5_ROWS: usize = 64;
/// Groups of 4 outputs per thread (`fractional.wgsl`): one load of the span and one table read
/// per input row and output row serve both.
pub(crate) const FRACTIONAL_GROUPS: usize = 2;
/// The input vec4s per row a thread loads, one entry point each (`fractional_linear_2` ...):
/// the least that holds every pair of groups' taps along w.
pub(crate) const FRACTIONAL_SPANS: [usize; 5] = [2, 3, 4, 5, 6];

/// `span` of the ×1.5 kernels (`fractional_linear_x1_5`, `fractional_cubic_x1_5`): per thread
/// two records of 12 outputs (3 groups of 4 each, 6 vec4 loads per input row), the interior's
/// taps static swizzles.
pub(crate) const X1_5: usize = 0;
/// `span` of the ×1.5 kernels' edge pass (`fractional_linear_x1_5_edges`, ...): a thread per
/// record outside the interior pairs (the row's ends), taps picked.
pub(crate) const X1_5_EDGES: usize = 1;
/// The ×1.5 kernels' interior pattern: output `12r + j`'s (bilinear) first tap or (bicubic) its
/// second, among the 4 input vec4s from `2r - 1` (`fractional.wgsl`'s swizzles).
const X1_5_TAPS: [u32; 12] = [3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 10, 11];

/// Output rows per thread of `Fractional { span, .. }`.
pub(crate) fn rows(span: usize) -> usize {
    match span {
        X1_5 | X1_5_EDGES => X1_5_ROWS,
        _ => FRACTIONAL_ROWS,
    }
}

/// Groups of 4 outputs per thread of `Fractional { span, .. }`.
pub(crate) fn groups(span: usize) -> usize {
    match span {
        X1_5 => 6,
        X1_5_EDGES => 3,
        _ => FRACTIONAL_GROUPS,
    }
}

/// The kernels of this plan: 2 (bilinear) or 4 (bicubic) taps, each span, ×1.5 and its edges.
#[cfg(test)]
pub(crate) const ALL: [UpsampleKernel; 14] = {
    let mut all = [UpsampleKernel::Fractional {
        taps: 2,
        span: X1_5,
    }; 14];
    all[11] = UpsampleKernel::Fractional {
        taps: 4,
        span: X1_5,
    };
    all[12] = UpsampleKernel::Fractional {
        taps: 2,
        span: X1_5_EDGES,
    };
    all[13] = UpsampleKernel::Fractional {
        taps: 4,
        span: X1_5_EDGES,
    };
    let mut i = 0;
    while i < 10 {
        all[i] = UpsampleKernel::Fractional {
            taps: 2 + 2 * (i / 5),
            span: FRACTIONAL_SPANS[i % 5],
        };
        i += 1;
    }
    all
};

/// The WGSL entry point of `Fractional { taps, span }`.
pub(crate) fn name(taps: usize, span: usize) -> &'static str {
    match (taps, span) {
        (2, X1_5) => "fractional_linear_x1_5",
        (_, X1_5) => "fractional_cubic_x1_5",
        (2, X1_5_EDGES) => "fractional_linear_x1_5_edges",
        (_, X1_5_EDGES) => "fractional_cubic_x1_5_edges",
        (2, 2) => "fractional_linear_2",
        (2, 3) => "fractional_linear_3",
        (2, 4) => "fractional_linear_4",
        (2, 5) => "fractional_linear_5",
        (2, _) => "fractional_linear_6",
        (_, 2) => "fractional_cubic_2",
        (_, 3) => "fractional_cubic_3",
        (_, 4) => "fractional_cubic_4",
        (_, 5) => "fractional_cubic_5",
        (_, _) => "fractional_cubic_6",
    }
}

/// Vec4s per pair of groups of 4 outputs in the w table: the first input vec4 to load, per group
/// the 4 outputs' window positions per tap (8 bits each; bicubic: only the first tap's, counted
/// from 2 elements before the window), then per group per tap the 4 outputs' weights.
pub(crate) fn pair_vec4s(taps: usize) -> usize {
    1 + FRACTIONAL_GROUPS * (1 + taps)
}

/// Vec4s per output row in the uniform array: its first row and slots, then its `taps` weights.
pub(crate) fn row_vec4s(taps: usize) -> usize {
    (1 + taps).div_ceil(4)
}

/// Where one output row's taps `r` along an axis of `n` inputs lie among `t` consecutive
/// (clamped) rows: the least virtual first row `b` from `least` such that every tap reads some
/// `clamp(b + s, 0, n - 1)`, `s < t` (PyTorch's rows `i0 - 1 ..= i0 + 2` for bicubic, `i0, i0 + 1`
/// or `i0, i0` for the linear modes, clamped), and each tap's `s`: `k` for tap `k` where `fixed`
/// (bicubic: the kernel reads no slots), else the least. `None` where there is none.
fn row_slots(
    r: &[(u32, f32)],
    n: usize,
    t: usize,
    least: i64,
    fixed: bool,
) -> Option<(i64, Vec<u32>)> {
    let first = r.iter().map(|p| p.0).min()? as i64;
    let clamp = |i: i64| i.clamp(0, n as i64 - 1) as u32;
    ((first - t as i64 + 1).max(least)..=first).find_map(|b| {
        r.iter()
            .enumerate()
            .map(|(k, p)| match fixed {
                true => (clamp(b + k as i64) == p.0).then_some(k as u32),
                false => (0..t as u32).find(|&s| clamp(b + s as i64) == p.0),
            })
            .collect::<Option<Vec<u32>>>()
            .map(|slots| (b, slots))
    })
}

/// The fractional pass, pushed onto `g` with its tables where it applies: bilinear or bicubic on
/// a 4-D input, no antialias, both widths multiples of 4 (at least the span's vec4s of input),
/// every output row's taps along h among `taps` consecutive rows (clamped) from a
/// non-decreasing first row,
/// each pair of groups of 4 outputs' taps along w within [`FRACTIONAL_SPANS`] vec4s, and the rows' words
/// (2 vec4s per output row) within the uniform array. Returns whether it applied (`g` untouched
/// if not).
pub(crate) fn fractional_pass(g: &mut GpuPlan, plan: &Plan, taps: &[AxisTaps; 3]) -> bool {
    let t = match plan.mode {
        _ if plan.antialias || plan.axes.len() != 2 => return false,
        UpsampleMode::Bilinear => 2,
        UpsampleMode::Bicubic => 4,
        _ => return false,
    };
    let [ad, ah, aw] = plan.axes3();
    let (iw, ow, ih, oh) = (aw.input, aw.output, ah.input, ah.output);
    if !iw.is_multiple_of(4)
        || !ow.is_multiple_of(4)
        || ow == 0
        || row_vec4s(t) * oh > X2_YZ_WEIGHTS
    {
        return false;
    }
    let (AxisTaps::Gather { taps: tx, pairs: x }, AxisTaps::Gather { taps: ty, pairs: y }) =
        (&taps[2], &taps[1])
    else {
        return false;
    };
    if (*tx, *ty) != (t, t) {
        return false;
    }
    // Rows: per output row `row_vec4s(t)` vec4s: b + t (the virtual first row, non-negative)
    // | each tap's slot among the t rows from b << 24 (2 bits each, tap k at bit 24 + 2k), then
    // its t weights.
    let rv = row_vec4s(t);
    let mut rows = vec![0u32; 4 * X2_YZ_WEIGHTS];
    let mut last = i64::MIN;
    for (o, r) in y.chunks(t).enumerate() {
        let Some((b, slots)) = row_slots(r, ih, t, last, t == 4) else {
            return false;
        };
        if b + t as i64 >= 1 << 24 {
            return false;
        }
        last = b;
        let slots = slots
            .iter()
            .enumerate()
            .fold(0, |w, (k, s)| w | s << (24 + 2 * k));
        rows[4 * rv * o] = (b + t as i64) as u32 | slots;
        for (k, p) in r.iter().enumerate() {
            rows[4 * rv * o + 1 + k] = p.1.to_bits();
        }
    }
    if let Some((words, [ra, rb])) = x1_5_table(x, t, iw, ow) {
        // The interior pairs of records, then (where there are any) the records outside them.
        let at = g.push_vec4(words) / 4;
        let records = (ow / 12) as u32;
        for span in [X1_5, X1_5_EDGES] {
            if span == X1_5_EDGES && ra == 0 && rb == records {
                break;
            }
            let mut pass = Pass::new(
                UpsampleKernel::Fractional { taps: t, span },
                [ad, ah, aw].map(|a| a.input),
                [ad, ah, aw].map(|a| a.output),
            );
            pass.tables[2] = at;
            pass.edges = [ra, rb, records, 0];
            g.passes.push(pass);
        }
        g.yz = Some(rows);
        return true;
    }
    // w: per pair of groups of 4 outputs the input vec4s its taps span.
    let pairs: Vec<(usize, usize)> = x
        .chunks(4 * FRACTIONAL_GROUPS * t)
        .map(|c| {
            let lo = c.iter().map(|p| p.0).min().unwrap_or(0) as usize;
            let hi = c.iter().map(|p| p.0).max().unwrap_or(0) as usize;
            (lo / 4, hi / 4 + 1 - lo / 4)
        })
        .collect();
    let widest = pairs.iter().map(|g| g.1).max().unwrap_or(1);
    let Some(span) = FRACTIONAL_SPANS.into_iter().find(|&s| s >= widest) else {
        return false;
    };
    if span > iw / 4 {
        return false;
    }
    let mut words = Vec::with_capacity(pairs.len() * 4 * pair_vec4s(t));
    for (q, &(lo, _)) in pairs.iter().enumerate() {
        // The last vec4 loaded stays within the row.
        let base = lo.min(iw / 4 - span);
        words.extend([base as u32, 0, 0, 0]);
        // Output o's tap k: its position among the loaded vec4s and its weight (a second group
        // past the last output, where the groups are odd in number, reads position 0 with
        // weight 0, and the kernel does not store it).
        let tap = |o: usize, k: usize| match x.get(o * t + k) {
            Some(&(i, w)) => ((i as usize - 4 * base) as u32, w.to_bits()),
            None => (0, 0),
        };
        // Bicubic: output o's first tap's position in the loaded vec4s seen from 2 elements
        // before them, the ends repeated (`extend` in the kernel), from which its 4 taps are
        // consecutive.
        let ext = |o: usize| match x.get(o * t..o * t + t) {
            Some(r) => (0..=4 * span as u32).find(|&at| {
                r.iter().enumerate().all(|(k, p)| {
                    let e = (at as i64 + k as i64 - 2).clamp(0, 4 * span as i64 - 1);
                    e as usize + 4 * base == p.0 as usize
                })
            }),
            None => Some(0),
        };
        let groups = (0..FRACTIONAL_GROUPS).map(|j| 4 * (FRACTIONAL_GROUPS * q + j));
        for g in groups.clone() {
            for k in 0..4 {
                words.push(match (t, k) {
                    (2, 0 | 1) => (0..4).fold(0, |w, j| w | tap(g + j, k).0 << (8 * j)),
                    (4, 0) => {
                        let mut w = 0;
                        for j in 0..4 {
                            let Some(at) = ext(g + j) else {
                                return false;
                            };
                            w |= at << (8 * j);
                        }
                        w
                    }
                    _ => 0,
                });
            }
        }
        for g in groups {
            for k in 0..t {
                words.extend((0..4).map(|j| tap(g + j, k).1));
            }
        }
    }
    let mut pass = Pass::new(
        UpsampleKernel::Fractional { taps: t, span },
        [ad, ah, aw].map(|a| a.input),
        [ad, ah, aw].map(|a| a.output),
    );
    pass.tables[2] = g.push_vec4(words) / 4;
    g.yz = Some(rows);
    g.passes.push(pass);
    true
}

/// The ×1.5 kernels' w table (`t` taps per output, `iw` inputs, `ow` outputs), where it applies:
/// `ow` a multiple of 12, every record's (12 outputs') taps within the 4 input vec4s from `2r - 1`
/// (clamped to the row), all records but at most 2 at the row's ends the interior pattern
/// [`X1_5_TAPS`], at least 2 so. Per record: (first vec4, flag: the pattern, 0, 0), the 3 groups'
/// positions (as [`fractional_pass`]'s with span 4), then per group per tap the 4 outputs'
/// weights. With it `[ra, rb)`: the records the main kernel takes in pairs (an even number, all
/// the pattern, each pair's second record's vec4s 2 past its first's); the edge kernel takes the
/// rest.
fn x1_5_table(x: &[(u32, f32)], t: usize, iw: usize, ow: usize) -> Option<(Vec<u32>, [u32; 2])> {
    if !ow.is_multiple_of(12) || iw / 4 < 4 || x.len() != ow * t {
        return None;
    }
    let mut words = Vec::with_capacity(ow / 12 * 4 * (4 + 3 * t));
    let mut flags = Vec::with_capacity(ow / 12);
    for (q, c) in x.chunks(12 * t).enumerate() {
        let base = (2 * q).saturating_sub(1).min(iw / 4 - 4);
        let rel = |i: u32| (i as usize).checked_sub(4 * base).filter(|&r| r < 16);
        // Output j's position word entry: bilinear tap k's position; bicubic its first tap's
        // seen from 2 elements before the loaded ones, the ends repeated (as `ext` above).
        let pos = |j: usize, k: usize| -> Option<u32> {
            let r = &c[j * t..j * t + t];
            if t == 2 {
                return rel(r[k].0).map(|r| r as u32);
            }
            (0..=16u32).find(|&at| {
                r.iter().enumerate().all(|(k, p)| {
                    let e = (at as i64 + k as i64 - 2).clamp(0, 15);
                    e as usize + 4 * base == p.0 as usize
                })
            })
        };
        let mut groups = [[0u32; 4]; 3];
        let mut fixed = true;
        for (j, &want) in X1_5_TAPS.iter().enumerate() {
            let group = &mut groups[j / 4];
            for (k, word) in group
                .iter_mut()
                .enumerate()
                .take(if t == 2 { 2 } else { 1 })
            {
                let at = pos(j, k)?;
                fixed &= at == want + 1 - (t == 2 && k == 0) as u32;
                *word |= at << (8 * (j % 4));
            }
        }
        flags.push((fixed, base));
        words.extend([base as u32, fixed as u32, 0, 0]);
        words.extend(groups.into_iter().flatten());
        for gi in 0..3 {
            for k in 0..t {
                words.extend((4 * gi..4 * gi + 4).map(|j| c[j * t + k].1.to_bits()));
            }
        }
    }
    let ra = flags.iter().take_while(|f| !f.0).count();
    let rb = flags.len() - flags.iter().rev().take_while(|f| !f.0).count();
    if ra > 1 || flags.len() - rb > 1 || rb < ra + 2 {
        return None;
    }
    // An even number of interior records (the last one to the edge kernel where odd).
    let rb = rb - (rb - ra) % 2;
    let pairs_fit = flags[ra..rb]
        .chunks(2)
        .all(|p| p[0].0 && p[1].0 && p[1].1 == p[0].1 + 2);
    pairs_fit.then_some((words, [ra as u32, rb as u32]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::upsample::Upsample;
    use crate::ops::upsample::plan::{DEFAULT_MAX_WORKGROUPS, gpu_plan};
    use crate::ops::upsample::taps::axis_taps;
    use UpsampleMode::*;

    fn kernels(up: &Upsample, shape: &[usize]) -> Vec<&'static str> {
        gpu_plan(&up.plan(shape).unwrap(), DEFAULT_MAX_WORKGROUPS).kernel_names()
    }

    #[test]
    fn fractional_scales_take_the_fractional_kernels() {
        let sf = |f: f64, m| Upsample::with_scale_factor([f], m);
        assert_eq!(
            kernels(&sf(1.5, Bilinear), &[1, 2, 6, 8]),
            ["fractional_linear_2"]
        );
        assert_eq!(
            kernels(&sf(1.5, Bicubic), &[1, 2, 6, 8]),
            ["fractional_cubic_2"]
        );
        assert_eq!(
            kernels(&sf(1.5, Bicubic).align_corners(true), &[1, 2, 6, 16]),
            ["fractional_cubic_2"]
        );
        assert_eq!(
            kernels(&sf(0.75, Bilinear), &[1, 1, 5, 16]),
            ["fractional_linear_3"]
        );
        // Down by 0.6: 8 outputs read up to 16 inputs.
        assert_eq!(
            kernels(&sf(0.6, Bicubic), &[1, 1, 5, 40]),
            ["fractional_cubic_4"]
        );
        // ×1.5 with interior records of 12 outputs: the ×1.5 kernels, the interior's pairs of
        // records then the rest (the row's ends, and one interior record where they are odd in
        // number).
        assert_eq!(
            kernels(&sf(1.5, Bilinear), &[1, 2, 6, 32]),
            ["fractional_linear_x1_5", "fractional_linear_x1_5_edges"]
        );
        assert_eq!(
            kernels(&sf(1.5, Bicubic), &[1, 2, 6, 40]),
            ["fractional_cubic_x1_5", "fractional_cubic_x1_5_edges"]
        );
        // Not the shape: widths not multiples of 4, a 1-D or 5-D input, the input narrower than
        // the span, a large down scale.
        assert_eq!(kernels(&sf(1.5, Bilinear), &[1, 1, 4, 6]), ["linear_2d"]);
        assert_eq!(kernels(&sf(1.25, Bilinear), &[1, 1, 4, 8]), ["linear_2d"]);
        assert_eq!(kernels(&sf(1.5, Linear), &[1, 1, 8]), ["linear_1d"]);
        assert_eq!(
            kernels(&sf(1.5, Trilinear), &[1, 1, 2, 4, 8]),
            ["linear_3d"]
        );
        assert_eq!(kernels(&sf(1.5, Bicubic), &[1, 1, 4, 4]), ["bicubic_2d"]);
        assert_eq!(
            kernels(&sf(0.125, Bicubic), &[1, 1, 16, 128]),
            ["bicubic_2d"]
        );
    }

    #[test]
    fn tables_hold_pytorchs_taps() {
        let up = Upsample::with_scale_factor([1.5], Bicubic);
        let plan = up.plan(&[1, 1, 6, 8]).unwrap();
        let g = gpu_plan(&plan, DEFAULT_MAX_WORKGROUPS);
        let UpsampleKernel::Fractional { taps: 4, span } = g.passes[0].kernel else {
            panic!("{:?}", g.kernel_names());
        };
        let x = axis_taps(&plan, 2);
        let at = 4 * g.passes[0].tables[2] as usize;
        // 12 outputs: 2 pairs of groups of 4 (the last group padded), 11 vec4s each.
        assert_eq!(g.tables.len() - at, 2 * 4 * pair_vec4s(4));
        for o in 0..12 {
            let (q, group, j) = (o / 8, o / 4 % 2, o % 4);
            let w = &g.tables[at + 4 * 11 * q..][..4 * 11];
            let base = w[0] as usize;
            assert!(base + span <= 2);
            // The first tap's position 2 elements before the loaded ones, the ends repeated.
            let at = (w[4 + 4 * group] >> (8 * j) & 255) as i64;
            for k in 0..4 {
                let pos = (at + k as i64 - 2).clamp(0, 4 * span as i64 - 1) as usize;
                assert_eq!(pos + 4 * base, x.at(o)[k].0 as usize, "output {o} tap {k}");
                let weight = w[4 * (3 + 4 * group + k) + j];
                assert_eq!(f32::from_bits(weight), x.at(o)[k].1);
            }
        }
        // Rows: output row 0 reads rows clamp(-2 ..= 1) = 0 0 0 1 (b = -2, stored + 4; bicubic's
        // slots are 0 1 2 3).
        let yz = g.yz.unwrap();
        let y = axis_taps(&plan, 1);
        assert_eq!(
            y.at(0).iter().map(|p| p.0).collect::<Vec<_>>(),
            [0, 0, 0, 1]
        );
        assert_eq!(yz[0], 2 | 0b11100100 << 24);
        for o in 0..9 {
            for k in 0..4 {
                assert_eq!(f32::from_bits(yz[8 * o + 1 + k]), y.at(o)[k].1);
            }
        }
        // A kept height: PyTorch reads row o twice (weights 1, 0). Row 1: b = 0, slots 1 1.
        let kept = Upsample::with_scale_factor(vec![1.25, 1.5], Bilinear);
        let g = gpu_plan(&kept.plan(&[1, 1, 3, 8]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), ["fractional_linear_2"]);
        let yz = g.yz.unwrap();
        assert_eq!([yz[4], yz[5], yz[6]], [2 | 0b0101 << 24, 1f32.to_bits(), 0]);
    }
}
