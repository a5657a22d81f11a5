//! The window passes along w then h fused for exact ×2 with windows of `T` = 2, 4 or 6 inputs
//! (`shaders/upsample/window_x2.wgsl`): the lanczos ×2 forward (a = 3: `T` = 6) and the
//! backward of bilinear and bicubic antialiased ×½ (its transposed windows: `T` = 2, 4). At
//! ×2, output `2m + φ` of an axis reads the inputs `m + φ - T/2 + t` (`t < T`) with weights
//! that depend on `φ` alone, except near the ends, where the windows are truncated. The host
//! checks every output of both axes against that, bitwise: those that match (the interior)
//! take the two phases' weights from the parameters, the others (the edges: whole threads of
//! 16 outputs along w, whole output rows along h) per-slot weights from the tables, marked
//! absent outside their windows (whose inputs must then lie within the `T` slots). Anything
//! else runs the general fused pass (`window.rs`).

use super::plan::{GpuPlan, Pass, UpsampleKernel, WINDOW_ABSENT, WORKGROUP, X2_YZ_WEIGHTS};
use super::taps::Windows;

/// The kernels: per tap count, the interior threads', the edge threads'.
#[cfg(test)]
pub(crate) const ALL: [UpsampleKernel; 6] = [
    UpsampleKernel::WindowX2 {
        taps: 2,
        edge: false,
    },
    UpsampleKernel::WindowX2 {
        taps: 2,
        edge: true,
    },
    UpsampleKernel::WindowX2 {
        taps: 4,
        edge: false,
    },
    UpsampleKernel::WindowX2 {
        taps: 4,
        edge: true,
    },
    UpsampleKernel::WindowX2 {
        taps: 6,
        edge: false,
    },
    UpsampleKernel::WindowX2 {
        taps: 6,
        edge: true,
    },
];

/// The tap counts `T` of the kernels, least first.
pub(crate) const WINDOW_X2_TAPS: [usize; 3] = [2, 4, 6];

/// The WGSL entry point of `WindowX2 { taps, edge }`.
pub(crate) fn name(taps: usize, edge: bool) -> &'static str {
    match (taps, edge) {
        (2, false) => "window_x2_2",
        (2, true) => "window_x2_2_edge",
        (4, false) => "window_x2_4",
        (4, true) => "window_x2_4_edge",
        (6, false) => "window_x2_6",
        (6, true) => "window_x2_6_edge",
        _ => unreachable!("window_x2 taps {taps}"),
    }
}

/// Input rows per thread (`WX2_ROWS` in `window_x2.wgsl`): each thread loads 6 rows more
/// than it writes the outputs of.
pub(crate) const WINDOW_X2_ROWS: usize = 64;
/// Slots per output in the tables and parameters (the first `T` used).
const TAPS: usize = 6;
/// Outputs along w per thread.
const THREAD_OUTPUTS: usize = 16;

/// One axis of a ×2 pass (forward, or lanczos ×2's backward in `window_x2_backward.rs`): the
/// `P` phases' weights (output `o` takes phase `o % P`), each output's `S` slot weights (bits,
/// [`WINDOW_ABSENT`] outside its window) and whether it is its phase's.
#[derive(Debug)]
pub(super) struct Axis<const S: usize, const P: usize> {
    pub(super) phases: [[f32; S]; P],
    pub(super) slots: Vec<[u32; S]>,
    pub(super) interior: Vec<bool>,
}

/// The first slot's input of output `o` with `taps` slots (may be negative).
fn first_slot(o: usize, taps: usize) -> i64 {
    (o / 2 + o % 2) as i64 - (taps / 2) as i64
}

/// `t`'s `outputs` windows as [`Axis`] where each is a run of consecutive inputs (of `inputs`)
/// within the `taps` slots from `first(o)`, no weight `-0.0` (the absent mark). The phases: an
/// output of each with a whole window (the middle ones where they are).
pub(super) fn slot_axis<const S: usize, const P: usize>(
    t: &Windows,
    outputs: usize,
    inputs: usize,
    taps: usize,
    first: impl Fn(usize) -> i64,
) -> Option<Axis<S, P>> {
    if t.index.is_some() || t.start.len() != outputs || outputs == 0 {
        return None;
    }
    let weights = |o: usize| &t.weights[o * t.taps..][..t.len[o] as usize];
    let whole = |o: usize| t.len[o] as usize == taps && t.start[o] as i64 == first(o);
    let mut phases = [[0.0f32; S]; P];
    for (phi, phase) in phases.iter_mut().enumerate() {
        let mid = (outputs / 2 / P) * P + phi;
        if mid < outputs && whole(mid) {
            phase[..taps].copy_from_slice(weights(mid));
        }
    }
    let mut slots = Vec::with_capacity(outputs);
    let mut interior = Vec::with_capacity(outputs);
    for o in 0..outputs {
        let w = weights(o);
        if w.iter().any(|w| w.to_bits() == WINDOW_ABSENT) {
            return None;
        }
        let lo = t.start[o] as i64 - first(o);
        let mut s = [WINDOW_ABSENT; S];
        if !w.is_empty() {
            if lo < 0 || lo as usize + w.len() > taps || t.start[o] as usize + w.len() > inputs {
                return None;
            }
            for (k, w) in w.iter().enumerate() {
                s[lo as usize + k] = w.to_bits();
            }
        }
        slots.push(s);
        let phase = &phases[o % P];
        interior.push(whole(o) && w.iter().zip(phase).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    Some(Axis {
        phases,
        slots,
        interior,
    })
}

/// `t`'s ×2 outputs of `n` inputs with `taps` slots each, two phases.
fn axis(t: &Windows, n: usize, taps: usize) -> Option<Axis<TAPS, 2>> {
    slot_axis(t, 2 * n, n, taps, |o| first_slot(o, taps))
}

/// The longest run `[a, b)` of `ok` (the first of the longest), `(0, 0)` where none is.
pub(super) fn run(ok: impl Iterator<Item = bool>) -> (usize, usize) {
    let (mut best, mut start) = ((0, 0), None);
    for (i, ok) in ok.chain([false]).enumerate() {
        match (ok, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s > best.1 - best.0 {
                    best = (s, i);
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}

/// The ×2 passes over windows `w` along w then `h` along h from (d, h, w) `cur` to `next`
/// (the interior threads' where there are some, then the edge threads'; each reads the input
/// and writes its outputs), pushed onto `g` (empty) with their tables where they apply (see
/// the module; the least `T` of [`WINDOW_X2_TAPS`] that holds both axes' windows) and their
/// grids fit in `max_dim` workgroups per dimension. Returns whether it did (`g` untouched if
/// not).
pub(crate) fn fused_pass(
    g: &mut GpuPlan,
    w: &Windows,
    h: &Windows,
    cur: [usize; 3],
    next: [usize; 3],
    max_dim: u32,
) -> bool {
    let [d, in_h, in_w] = cur;
    let max_dim = max_dim as usize;
    let fits = g.passes.is_empty()
        && g.yz.is_none()
        && next == [d, 2 * in_h, 2 * in_w]
        && in_w.is_multiple_of(4)
        && in_h > 0;
    if !fits {
        return false;
    }
    let Some((taps, x, y)) = WINDOW_X2_TAPS
        .into_iter()
        .find_map(|taps| Some((taps, axis(w, in_w, taps)?, axis(h, in_h, taps)?)))
    else {
        return false;
    };
    // Threads along w: interior where all 16 outputs are and every input vec4 it loads
    // (2q - 1 .. 2q + 2) lies in the row.
    let nq = threads(in_w);
    let (qa, qb) = run((0..nq).map(|q| {
        q > 0
            && 2 * q + 2 < in_w / 4
            && x.interior[THREAD_OUTPUTS * q..THREAD_OUTPUTS * (q + 1)]
                .iter()
                .all(|&i| i)
    }));
    let (ja, jb) = run(y.interior.iter().copied());
    let blocks = in_h.div_ceil(WINDOW_X2_ROWS);
    let edge_threads = nq - (qb - qa);
    if blocks > max_dim || (edge_threads * blocks).div_ceil(WORKGROUP) > max_dim {
        return false;
    }
    // The edge threads' weights: per group (even, odd, even, odd 4 outputs) and slot, the
    // 4 outputs' weights.
    let mut words = Vec::new();
    for q in (0..qa).chain(qb..nq) {
        for group in 0..4 {
            let (half, phi) = (group / 2, group % 2);
            for t in 0..TAPS {
                words.extend((0..4).map(|i| {
                    let o = THREAD_OUTPUTS * q + 8 * half + 2 * i + phi;
                    x.slots.get(o).map_or(WINDOW_ABSENT, |s| s[t])
                }));
            }
        }
    }
    let rows: Vec<u32> = (0..ja)
        .chain(jb..2 * in_h)
        .flat_map(|y0| {
            let s = y.slots[y0];
            [s[0], s[1], s[2], s[3], s[4], s[5], 0, 0]
        })
        .collect();
    if rows.len() > 4 * X2_YZ_WEIGHTS {
        return false;
    }
    let Some(at) = g.push_uniform(&rows) else {
        return false;
    };
    let mut pass = Pass::new(UpsampleKernel::WindowX2 { taps, edge: true }, cur, next);
    pass.tables[2] = g.push_vec4(words);
    pass.tables[1] = at;
    pass.edges = [qa, qb, ja, jb].map(|e| e as u32);
    let weights: Vec<f32> = [x.phases, y.phases]
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    for (k, w) in weights.chunks(4).enumerate() {
        pass.phases[k].copy_from_slice(w);
    }
    if qb > qa {
        let mut interior = pass.clone();
        interior.kernel = UpsampleKernel::WindowX2 { taps, edge: false };
        g.passes.push(interior);
    }
    g.passes.push(pass);
    true
}

/// Threads per row: one per 8 inputs (the last may have 4).
fn threads(in_w: usize) -> usize {
    (in_w / 4).div_ceil(2)
}

/// The grid for `planes` planes: the interior's (its threads along w / WORKGROUP, row
/// blocks, planes · d), the edge's (edge threads · row blocks / WORKGROUP, 1, planes · d).
pub(crate) fn grid(pass: &Pass, planes: usize) -> [u32; 3] {
    let [d, in_h, in_w] = pass.in_dims;
    let interior = matches!(pass.kernel, UpsampleKernel::WindowX2 { edge: false, .. });
    split_grid(
        interior,
        [d, in_h, threads(in_w)],
        WINDOW_X2_ROWS,
        pass,
        planes,
    )
}

/// The grid of an interior pass (its threads along w / WORKGROUP, blocks of `rows` rows,
/// planes · d) or of an edge pass (edge threads · row blocks / WORKGROUP, 1, planes · d) over
/// (d, h, threads per row) `dims`, the interior threads `pass.edges[0..2]`.
pub(super) fn split_grid(
    interior: bool,
    [d, h, nq]: [usize; 3],
    rows: usize,
    pass: &Pass,
    planes: usize,
) -> [u32; 3] {
    let [qa, qb, ..] = pass.edges.map(|e| e as usize);
    let blocks = h.div_ceil(rows);
    let xy = match interior {
        true => [(qb - qa).div_ceil(WORKGROUP), blocks],
        false => [((nq - (qb - qa)) * blocks).div_ceil(WORKGROUP), 1],
    };
    [xy[0], xy[1], planes * d].map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::upsample::options::{Upsample, UpsampleMode};
    use crate::ops::upsample::plan::{DEFAULT_MAX_WORKGROUPS, Stage, gpu_plan};
    use crate::ops::upsample::taps::{AxisTaps, axis_taps};

    fn lanczos(shape: &[usize]) -> crate::ops::upsample::options::Plan {
        Upsample::with_scale_factor([2.0], UpsampleMode::Lanczos)
            .antialias(true)
            .plan(shape)
            .unwrap()
    }

    #[test]
    fn lanczos_x2_interior_is_periodic_with_five_edge_outputs_per_end() {
        // PyTorch's aa weights at ×2 (center 0.5·(i + 0.5), support 3): output 2m reads
        // m - 3 .. m + 2, 2m + 1 reads m - 2 .. m + 3, the same weights bitwise for every m
        // away from the ends; the first and last 5 outputs are truncated.
        for n in [7, 16, 37, 512] {
            let p = lanczos(&[1, 1, n, n]);
            let AxisTaps::Antialias(t) = axis_taps(&p, 2) else {
                panic!("antialias taps");
            };
            let a = axis(&t, n, 6).unwrap();
            let edges: Vec<usize> = (0..2 * n).filter(|&o| !a.interior[o]).collect();
            let want: Vec<usize> = (0..5).chain(2 * n - 5..2 * n).collect();
            assert_eq!(edges, want, "n {n}");
        }
    }

    #[test]
    fn bilinear_and_bicubic_x2_and_their_half_backwards_take_2_and_4_taps() {
        use crate::ops::upsample::plan::backward_plan;
        let d = DEFAULT_MAX_WORKGROUPS;
        for (mode, taps) in [(UpsampleMode::Bilinear, 2), (UpsampleMode::Bicubic, 4)] {
            let both = [name(taps, false), name(taps, true)];
            // Forward ×2 (antialias windows of `taps` inputs) and the ×½ backward (the
            // transposed windows): interior and edge threads.
            let up = Upsample::with_scale_factor([2.0], mode).antialias(true);
            let g = gpu_plan(&up.plan(&[1, 2, 64, 64]).unwrap(), d);
            assert_eq!(g.kernel_names(), both, "{mode:?}");
            let down = Upsample::with_scale_factor([0.5], mode).antialias(true);
            let g = backward_plan(&down.plan(&[1, 2, 128, 128]).unwrap(), d);
            assert_eq!(g.kernel_names(), both, "{mode:?}");
            // The windows checked: the interior phases have `taps` weights, the edges few.
            let AxisTaps::Antialias(t) = axis_taps(&up.plan(&[1, 1, 64, 64]).unwrap(), 2) else {
                panic!("antialias taps");
            };
            let a = axis(&t, 64, taps).unwrap();
            assert!(a.interior[8..120].iter().all(|&i| i), "{mode:?}");
            assert!(axis(&t, 64, taps - 2).is_none_or(|a| !a.interior[64]));
            // Odd grad_input heights (not ×2): the general fused pass.
            let g = backward_plan(&down.plan(&[1, 2, 127, 128]).unwrap(), d);
            assert!(g.kernel_names()[0].starts_with("window_wh_"), "{mode:?}");
        }
    }

    const BOTH: [&str; 2] = ["window_x2_6", "window_x2_6_edge"];

    #[test]
    fn lanczos_x2_takes_the_x2_pass_with_edge_threads_and_rows() {
        let p = lanczos(&[1, 16, 512, 512]);
        let g = gpu_plan(&p, DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), BOTH);
        // Threads 1 .. 62 of 64 and output rows 5 .. 1019 are the interior.
        assert_eq!(g.passes[0].edges, [1, 63, 5, 1019]);
        assert_eq!(g.passes[1].edges, [1, 63, 5, 1019]);
        let blocks = 512 / WINDOW_X2_ROWS as u32;
        assert_eq!(g.passes[0].x2_grid(16), [1, blocks, 16]);
        assert_eq!(g.passes[1].x2_grid(16), [(2 * blocks).div_ceil(64), 1, 16]);
        assert!(
            g.passes
                .iter()
                .all(|p| (p.src, p.dst) == (Stage::Input, Stage::Output))
        );
        // No interior thread (8 inputs): the edge threads' pass alone.
        let g = gpu_plan(&lanczos(&[1, 1, 8, 8]), DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), ["window_x2_6_edge"]);
        // Widths not a multiple of 4 or other scales take the general kernels.
        for shape in [[1, 1, 8, 9], [1, 1, 16, 13]] {
            let g = gpu_plan(&lanczos(&shape), DEFAULT_MAX_WORKGROUPS);
            assert!(
                !g.kernel_names().iter().any(|k| k.starts_with("window_x2")),
                "{shape:?}"
            );
        }
        let p = Upsample::with_scale_factor([2.0, 3.0], UpsampleMode::Lanczos)
            .antialias(true)
            .plan(&[1, 1, 16, 16])
            .unwrap();
        assert_ne!(gpu_plan(&p, DEFAULT_MAX_WORKGROUPS).kernel_names(), BOTH);
        // A grid past the device's workgroups per dimension: the general passes.
        let rows = 17 * WINDOW_X2_ROWS;
        let p = lanczos(&[1, 1, rows, 32]);
        assert_eq!(gpu_plan(&p, 17).kernel_names(), BOTH);
        let names = gpu_plan(&p, 16).kernel_names();
        assert!(
            !names.iter().any(|k| k.starts_with("window_x2")),
            "{names:?}"
        );
    }
}
