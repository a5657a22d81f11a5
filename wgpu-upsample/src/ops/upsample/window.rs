//! The fused window pass (`shaders/upsample/window_wh.wgsl`): the window passes along w and
//! along h of a separable upsample in one kernel, where both widths are multiples of 4, the h
//! windows are consecutive inputs (`start + k`), each group of 4 outputs' inputs along w lie
//! within one of [`WINDOW_WH_SPANS`] vec4s, rising slot by slot, and the h windows fit in the
//! uniform array. The antialias forward (width first) and the backward's transposed windows
//! take it; anything else runs the separate passes (`plan.rs`). No intermediate: each thread
//! sums its input rows along w once, in registers, and adds them into its output rows along h:
//! with a ring of the last input rows where the h windows are at most 16 rows long and their
//! ends do not decrease (each output row then sums its window from the ring), else walking the
//! input rows of a block of output rows and adding each to the rows whose window holds it.
//! Antialias ×1/2 along w (bilinear, bicubic: `WINDOW_WH_HALVES`) and its backward: the
//! groups whose outputs' windows follow the pattern (checked here) sum only their taps, 4
//! groups a thread loading each input row once (`window_wh_f32.wgsl`, or with 64-bit loads
//! `window_wh_u64.wgsl`).

use super::plan::{GpuPlan, Pass, UpsampleKernel, WINDOW_ABSENT, X2_YZ_WEIGHTS};
use super::taps::Windows;

/// Output rows per thread of the fused pass (`WH_ROWS` in `window_wh.wgsl`).
pub(crate) const WINDOW_WH_ROWS: usize = 8;
/// The input vec4s per row and group of 4 outputs the fused pass loads, one entry point each
/// (`window_wh_2`, `window_wh_4`, `window_wh_8`; the shader holds at most 8 vec4s' dense
/// weights).
pub(crate) const WINDOW_WH_SPANS: [usize; 3] = [2, 4, 8];

/// Output rows per thread of the ring variant (`WH_RING_ROWS`), and the input rows it may hold
/// (one entry point each, `window_wh_S_tT`; the shader's registers hold the last
/// [`WINDOW_WH_HELD`]).
pub(crate) const WINDOW_WH_RING_ROWS: usize = 64;
pub(crate) const WINDOW_WH_RINGS: [usize; 4] = [4, 8, 12, 16];
/// The input rows the ring variant holds in registers (`Held` in `window_wh.wgsl`).
const WINDOW_WH_HELD: usize = 16;

/// Groups of 4 outputs per thread of the taps-only entry points (`WH_HALF_GROUPS`).
pub(crate) const WINDOW_WH_HALF_GROUPS: usize = 4;

/// Groups of 4 outputs per thread of `WindowWH { half, .. }`.
pub(crate) fn groups_per_thread(half: usize) -> usize {
    match half {
        0 => 1,
        _ => WINDOW_WH_HALF_GROUPS,
    }
}

/// The taps-only entry points `window_wh_S_tT_halfN`: (span S, ring T, w taps N); span 4 the
/// antialias ×1/2 forward (bilinear, bicubic), span 2 its backward (`halve`).
const WINDOW_WH_HALVES: [(usize, usize, usize); 4] = [(4, 4, 4), (4, 8, 8), (2, 4, 2), (2, 4, 4)];

/// The kernels of the fused pass: per span, without a ring and with each, then the ×1/2 ones.
#[cfg(test)]
pub(crate) const ALL: [UpsampleKernel; 19] = {
    let mut all = [UpsampleKernel::WindowWH {
        span: 2,
        ring: 0,
        half: 0,
    }; 19];
    let mut i = 0;
    while i < 19 {
        if i >= 15 {
            let (span, ring, half) = WINDOW_WH_HALVES[i - 15];
            all[i] = UpsampleKernel::WindowWH { span, ring, half };
            i += 1;
            continue;
        }
        let ring = if i % 5 == 0 {
            0
        } else {
            WINDOW_WH_RINGS[i % 5 - 1]
        };
        all[i] = UpsampleKernel::WindowWH {
            span: WINDOW_WH_SPANS[i / 5],
            ring,
            half: 0,
        };
        i += 1;
    }
    all
};

/// The WGSL entry point of `WindowWH { span, ring, half }`.
pub(crate) fn name(span: usize, ring: usize, half: usize) -> &'static str {
    match (span, ring, half) {
        (4, 4, 4) => "window_wh_4_t4_half4",
        (4, 8, 8) => "window_wh_4_t8_half8",
        (2, 4, 2) => "window_wh_2_t4_half2",
        (2, 4, 4) => "window_wh_2_t4_half4",
        (2, 0, 0) => "window_wh_2",
        (2, 4, 0) => "window_wh_2_t4",
        (2, 8, 0) => "window_wh_2_t8",
        (2, 12, 0) => "window_wh_2_t12",
        (2, 16, 0) => "window_wh_2_t16",
        (4, 0, 0) => "window_wh_4",
        (4, 4, 0) => "window_wh_4_t4",
        (4, 8, 0) => "window_wh_4_t8",
        (4, 12, 0) => "window_wh_4_t12",
        (4, 16, 0) => "window_wh_4_t16",
        (8, 0, 0) => "window_wh_8",
        (8, 4, 0) => "window_wh_8_t4",
        (8, 8, 0) => "window_wh_8_t8",
        (8, 12, 0) => "window_wh_8_t12",
        (8, 16, 0) => "window_wh_8_t16",
        _ => unreachable!("window_wh span {span}, ring {ring}, half {half}"),
    }
}

/// Output rows per block (thread) of the fused pass with `ring` (0: without).
pub(crate) fn block_rows(ring: usize) -> usize {
    match ring {
        0 => WINDOW_WH_ROWS,
        _ => WINDOW_WH_RING_ROWS,
    }
}

/// The least ring of [`WINDOW_WH_RINGS`] that holds every window of `h` where their ends do
/// not decrease down the rows (empty windows aside), else 0.
fn ring(h: &Windows) -> usize {
    let mut end = 0;
    for (&s, &n) in h.start.iter().zip(&h.len) {
        if n == 0 {
            continue;
        }
        if s + n < end {
            return 0;
        }
        end = s + n;
    }
    let longest = h.len.iter().copied().max().unwrap_or(0) as usize;
    WINDOW_WH_RINGS
        .into_iter()
        .find(|&r| r >= longest)
        .unwrap_or(0)
}

/// The w table of the fused pass for windows `w` from `in_w` inputs (both `w`'s outputs and
/// `in_w` multiples of 4): per group of 4 outputs, its first input vec4 then, per input `e` of
/// the `span` vec4s from it, the 4 outputs' weights of that input (bits, [`WINDOW_ABSENT`] where
/// an output does not read it). With the least span of [`WINDOW_WH_SPANS`] that holds every
/// group; `None` where none does, an output's inputs do not rise slot by slot (the dense sum
/// goes input by input) or a weight is `-0.0` (the mark of an absent one).
fn dense_table(w: &Windows, in_w: usize) -> Option<(Vec<u32>, usize)> {
    let groups = w.start.len() / 4;
    let in_w4 = in_w / 4;
    // Each group's least and greatest input.
    let mut bounds = Vec::with_capacity(groups);
    for q in 0..groups {
        let (mut lo, mut hi) = (usize::MAX, 0);
        for o in 4 * q..4 * q + 4 {
            for j in 0..w.len[o] as usize {
                let i = w.input(o, j);
                if j > 0 && i <= w.input(o, j - 1) {
                    return None;
                }
                if w.weights[o * w.taps + j].to_bits() == WINDOW_ABSENT {
                    return None;
                }
                (lo, hi) = (lo.min(i), hi.max(i));
            }
        }
        bounds.push((lo, hi));
    }
    let widest = bounds
        .iter()
        .filter(|b| b.0 != usize::MAX)
        .map(|&(lo, hi)| hi / 4 - lo / 4 + 1)
        .max()
        .unwrap_or(1);
    let span = WINDOW_WH_SPANS.into_iter().find(|&s| s >= widest)?;
    if span > in_w4 {
        return None;
    }
    let mut words = Vec::with_capacity(groups * 4 * (1 + 4 * span));
    for (q, &(lo, _)) in bounds.iter().enumerate() {
        // The first vec4, moved back where the span would run past the row.
        let base = if lo == usize::MAX { 0 } else { lo / 4 }.min(in_w4 - span);
        words.extend([base as u32, 0, 0, 0]);
        let mut dense = vec![WINDOW_ABSENT; 16 * span];
        for (j, o) in (4 * q..4 * q + 4).enumerate() {
            for k in 0..w.len[o] as usize {
                let e = w.input(o, k) - 4 * base;
                dense[4 * e + j] = w.weights[o * w.taps + k].to_bits();
            }
        }
        words.extend(dense);
    }
    Some((words, span))
}

/// Where output 0 of a ×1/2 group reads its first input: `half_first(n)` past the group's
/// first input vec4 (the shader's `along_w_half`; output k from 2k further). With `n` taps
/// centred on inputs 2k + 1 .. of the 8 the group's outputs cover from there (antialias
/// bilinear ×1/2: 4 taps from 3, bicubic: 8 from 1).
fn half_first(n: usize) -> usize {
    (4 - (n / 2 - 1) % 4) % 4
}

/// Lays out the groups of the dense table `words` (of `w`, `span` vec4s, from `in_w` inputs)
/// that follow a taps-only entry point's pattern of `n` taps for `along_w_half4` / `half_sum`:
/// `(first, 1, 0, 0)`, then per tap `j` the 4 outputs' weights (the rest 0); and marks with
/// `z = 1` the first group of each thread ([`WINDOW_WH_HALF_GROUPS`] groups) that loads its
/// row once (its first vec4 odd: the 64-bit loads of `window_wh_u64.wgsl` start a vec4 before
/// it). Span 4, the ×1/2 forward: each group whose output k reads `n` consecutive inputs from
/// element `half_first(n) + 2k` of its first vec4; threads whose groups all do, their first
/// vec4s 2 apart. Span 2, its backward: threads t whose output k of group i reads from input
/// `8t + 2i + (k + 1) / 2 - n / 2`, their first vec4 `2t - 1` and their 64-bit loads (to
/// input `8t + 16`) within the row; only those. Returns how many groups it laid out.
fn halve(words: &mut [u32], w: &Windows, span: usize, n: usize, in_w: usize) -> usize {
    let group = 4 * (1 + 4 * span);
    let reads =
        |o: usize, at: usize| w.len[o] as usize == n && (0..n).all(|j| w.input(o, j) == at + j);
    let compact = |g: &mut [u32], q: usize| {
        g[1] = 1;
        g[4..].fill(0);
        for j in 0..n {
            for k in 0..4 {
                g[4 + 4 * j + k] = w.weights[(4 * q + k) * w.taps + j].to_bits();
            }
        }
    };
    let mut count = 0;
    if span == 4 {
        let first = half_first(n);
        for (q, g) in words.chunks_exact_mut(group).enumerate() {
            let at = 4 * g[0] as usize + first;
            if (0..4).all(|k| reads(4 * q + k, at + 2 * k)) {
                compact(g, q);
                count += 1;
            }
        }
        for t in words.chunks_exact_mut(WINDOW_WH_HALF_GROUPS * group) {
            let g = |i: usize| &t[i * group..i * group + 2];
            let odd = g(0)[0] % 2 == 1;
            if odd
                && (0..WINDOW_WH_HALF_GROUPS)
                    .all(|i| g(i)[1] == 1 && g(i)[0] == g(0)[0] + 2 * i as u32)
            {
                t[2] = 1;
            }
        }
        return count;
    }
    for (t, th) in words
        .chunks_exact_mut(WINDOW_WH_HALF_GROUPS * group)
        .enumerate()
    {
        let fits = t >= 1
            && 8 * t + 16 <= in_w
            && th[0] as usize == 2 * t - 1
            && (0..WINDOW_WH_HALF_GROUPS).all(|i| {
                (0..4usize).all(|k| {
                    (8 * t + 2 * i + k.div_ceil(2))
                        .checked_sub(n / 2)
                        .is_some_and(|at| reads(4 * (4 * t + i) + k, at))
                })
            });
        if fits {
            for (i, g) in th.chunks_exact_mut(group).enumerate() {
                compact(g, WINDOW_WH_HALF_GROUPS * t + i);
            }
            th[2] = 1;
            count += WINDOW_WH_HALF_GROUPS;
        }
    }
    count
}

/// The ring variant's h table: per output row `(start, length, 0, 0)`, then the weights of the
/// last `ring` of the [`WINDOW_WH_HELD`] slots the shader holds after loading the row's window
/// (slot `i` holds input row `end - HELD + i`, `end` the window's end), [`WINDOW_ABSENT`]
/// outside its window.
fn ring_table(h: &Windows, ring: usize) -> Vec<u32> {
    let mut words = Vec::with_capacity(h.start.len() * (4 + ring));
    for (y, (&s, &n)) in h.start.iter().zip(&h.len).enumerate() {
        words.extend([s, n, 0, 0]);
        for i in WINDOW_WH_HELD - ring..WINDOW_WH_HELD {
            // Tap k = i + n - HELD of the window.
            let k = (i + n as usize)
                .checked_sub(WINDOW_WH_HELD)
                .filter(|&k| k < n as usize);
            words.push(k.map_or(WINDOW_ABSENT, |k| h.weights[y * h.taps + k].to_bits()));
        }
    }
    words
}

/// The fused pass over windows `w` along w then `h` along h from (d, h, w) `cur` to `next` (d
/// unchanged), pushed onto `g` with its tables where it applies (see the module). Returns
/// whether it did (`g` untouched if not).
pub(crate) fn fused_pass(
    g: &mut GpuPlan,
    w: &Windows,
    h: &Windows,
    cur: [usize; 3],
    next: [usize; 3],
) -> bool {
    let fits = cur[0] == next[0]
        && cur[2].is_multiple_of(4)
        && next[2].is_multiple_of(4)
        && next[1] > 0
        && next[2] > 0
        && w.start.len() == next[2]
        && h.start.len() == next[1]
        && h.index.is_none()
        && (2 + h.taps) * next[1] <= 4 * X2_YZ_WEIGHTS
        && g.yz.is_none();
    if !fits {
        return false;
    }
    let Some((mut words, span)) = dense_table(w, cur[2]) else {
        return false;
    };
    let mut ring = ring(h);
    if ring > 0 && h.weights.iter().any(|w| w.to_bits() == WINDOW_ABSENT) {
        ring = 0;
    }
    let rows: Vec<u32> = match ring {
        0 => h.words().collect(),
        _ => ring_table(h, ring),
    };
    let Some(at) = g.push_uniform(&rows).or_else(|| {
        // The walk's table is the smaller one.
        ring = 0;
        g.push_uniform(&h.words().collect::<Vec<_>>())
    }) else {
        return false;
    };
    // The taps-only groups (×1/2 or its backward) where an entry point takes them (the rest: the dense sums).
    let half = WINDOW_WH_HALVES
        .iter()
        .filter(|h| (h.0, h.1) == (span, ring))
        .find_map(|&(_, _, n)| (halve(&mut words, w, span, n, cur[2]) > 0).then_some(n))
        .unwrap_or(0);
    let mut pass = Pass::new(UpsampleKernel::WindowWH { span, ring, half }, cur, next);
    pass.tables[2] = g.push_vec4(words);
    pass.tables[1] = at;
    pass.taps = h.taps as u32;
    g.passes.push(pass);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::upsample::plan::{DEFAULT_MAX_WORKGROUPS, backward_plan, gpu_plan};
    use crate::ops::upsample::{Upsample, UpsampleMode};

    #[test]
    fn antialias_halves_take_the_taps_only_sums_but_at_the_row_ends() {
        // The shader's swizzles: bilinear's 4 taps from element 3, bicubic's 8 from 1.
        assert_eq!((half_first(4), half_first(8)), (3, 1));
        for (mode, ring, n) in [
            (UpsampleMode::Bilinear, 4, 4),
            (UpsampleMode::Bicubic, 8, 8),
        ] {
            let up = Upsample::with_scale_factor([0.5], mode).antialias(true);
            let g = gpu_plan(&up.plan(&[1, 1, 64, 256]).unwrap(), DEFAULT_MAX_WORKGROUPS);
            let pass = &g.passes[0];
            let half = UpsampleKernel::WindowWH {
                span: 4,
                ring,
                half: n,
            };
            assert_eq!((g.passes.len(), pass.kernel), (1, half));
            // 32 groups: every group but the first and last taps-only, every thread (4 groups)
            // but the first and last loading its row once.
            let at = pass.tables[2] as usize;
            let group = |q: usize| &g.tables[at + q * 4 * 17..][..3];
            let marked: Vec<bool> = (0..32).map(|q| group(q)[1] == 1).collect();
            assert_eq!(marked, (0..32).map(|q| q > 0 && q < 31).collect::<Vec<_>>());
            let threads: Vec<bool> = (0..8).map(|t| group(4 * t)[2] == 1).collect();
            assert_eq!(threads, (0..8).map(|t| t > 0 && t < 7).collect::<Vec<_>>());
        }
        // The backward (grad_input 256 wide from 128): every thread but the first and last
        // (of 16) taps-only, its 4 groups' grad_output row loaded once. An odd height: an
        // exact ×2 backward takes window_x2_T instead.
        for (mode, n) in [(UpsampleMode::Bilinear, 2), (UpsampleMode::Bicubic, 4)] {
            let up = Upsample::with_scale_factor([0.5], mode).antialias(true);
            let g = backward_plan(&up.plan(&[1, 1, 65, 256]).unwrap(), DEFAULT_MAX_WORKGROUPS);
            let pass = &g.passes[0];
            let half = UpsampleKernel::WindowWH {
                span: 2,
                ring: 4,
                half: n,
            };
            assert_eq!((g.passes.len(), pass.kernel), (1, half));
            let at = pass.tables[2] as usize;
            let group = |q: usize| &g.tables[at + q * 4 * 9..][..3];
            let marked: Vec<bool> = (0..64).map(|q| group(q)[1] == 1).collect();
            assert_eq!(
                marked,
                (0..64).map(|q| (4..60).contains(&q)).collect::<Vec<_>>()
            );
            let threads: Vec<bool> = (0..16).map(|t| group(4 * t)[2] == 1).collect();
            assert_eq!(
                threads,
                (0..16).map(|t| t > 0 && t < 15).collect::<Vec<_>>()
            );
        }
        // ×1/2 along w, ×1/4 along h: no entry point for 4 taps with an 8-row ring.
        let up = Upsample::with_scale_factor([0.25, 0.5], UpsampleMode::Bilinear).antialias(true);
        let g = gpu_plan(&up.plan(&[1, 1, 64, 256]).unwrap(), DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), ["window_wh_4_t8"]);
    }
}
