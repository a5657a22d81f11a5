//! The backward of lanczos ×2 (a = 3) with the w and h passes fused
//! (`shaders/upsample/window_x2_backward.wgsl`). The transposed windows of exact ×2 with 6-tap
//! forward windows: along each axis grad_input `i` reads the grad_outputs `2i - 5 + s`
//! (`s < 12`) with weights that do not depend on `i`, except near the ends, where the forward
//! truncated its windows (and the transposed windows are then shorter, within the same 12
//! slots). The host checks every grad_input of both axes against that, bitwise: those that
//! match (the interior) take the 12 weights from the parameters, the others (the edges: whole
//! threads of 16 grad_inputs along w, whole grad_input rows along h) per-slot weights from the
//! tables, marked absent outside their windows. Anything else runs the general fused pass
//! (`window.rs`).

use super::plan::{GpuPlan, Pass, UpsampleKernel, WINDOW_ABSENT, WORKGROUP, X2_YZ_WEIGHTS};
use super::taps::Windows;
use super::window_x2::{Axis, run, slot_axis, split_grid};

/// The kernels: the interior threads', the edge threads'.
#[cfg(test)]
pub(crate) const ALL: [UpsampleKernel; 2] = [
    UpsampleKernel::WindowX2Backward { edge: false },
    UpsampleKernel::WindowX2Backward { edge: true },
];

/// grad_input rows per thread (`WXB_ROWS` in `window_x2_backward.wgsl`): each thread loads 10
/// grad_output rows more than twice the rows it writes.
pub(crate) const WINDOW_X2_BACKWARD_ROWS: usize = 64;
/// Taps per grad_input (the slots of a window).
const TAPS: usize = 12;
/// grad_inputs along w per thread.
const THREAD_INPUTS: usize = 16;

/// The first slot's grad_output of grad_input `i` (may be negative).
fn first_slot(i: usize) -> i64 {
    2 * i as i64 - 5
}

/// `t`'s windows (`2n` grad_outputs to `n` grad_inputs) as an axis of one phase with 12 slots
/// (`window_x2.rs`'s check).
fn axis(t: &Windows, n: usize) -> Option<Axis<TAPS, 1>> {
    slot_axis(t, n, 2 * n, TAPS, first_slot)
}

/// Threads per row: one per 16 grad_inputs (the last may have 4, 8 or 12).
fn threads(in_w: usize) -> usize {
    (in_w / 4).div_ceil(4)
}

/// The fused ×2 backward over the transposed windows `w` along w then `h` along h from the
/// grad_output (d, h, w) `cur` to the grad_input `next` (the interior threads' pass where there
/// are some, then the edge threads'), pushed onto `g` (empty) with their tables where they
/// apply (see the module) and their grids fit in `max_dim` workgroups per dimension. Returns
/// whether it did (`g` untouched if not).
pub(crate) fn fused_pass(
    g: &mut GpuPlan,
    w: &Windows,
    h: &Windows,
    cur: [usize; 3],
    next: [usize; 3],
    max_dim: u32,
) -> bool {
    let [d, in_h, in_w] = next;
    let max_dim = max_dim as usize;
    let fits = g.passes.is_empty()
        && g.yz.is_none()
        && cur == [d, 2 * in_h, 2 * in_w]
        && in_w.is_multiple_of(4)
        && in_h > 0;
    if !fits {
        return false;
    }
    let (Some(x), Some(y)) = (axis(w, in_w), axis(h, in_h)) else {
        return false;
    };
    // Threads along w: interior where all 16 grad_inputs are and every grad_output vec4 it
    // loads (8q - 2 .. 8q + 9) lies in the row.
    let nq = threads(in_w);
    let (qa, qb) = run((0..nq).map(|q| {
        q > 0
            && 8 * q + 9 < in_w / 2
            && (THREAD_INPUTS * q..THREAD_INPUTS * (q + 1))
                .all(|i| x.interior.get(i).copied().unwrap_or(false))
    }));
    let (ja, jb) = run(y.interior.iter().copied());
    let blocks = in_h.div_ceil(WINDOW_X2_BACKWARD_ROWS);
    let edge_threads = nq - (qb - qa);
    if blocks > max_dim || (edge_threads * blocks).div_ceil(WORKGROUP) > max_dim {
        return false;
    }
    // The edge threads' weights: per group (grad_inputs 16q .. 16q + 3, + 4 .., + 8 ..,
    // + 12 ..) and slot, the 4 grad_inputs' weights.
    let mut words = Vec::new();
    for q in (0..qa).chain(qb..nq) {
        for group in 0..4 {
            for s in 0..TAPS {
                words.extend((0..4).map(|l| {
                    let i = THREAD_INPUTS * q + 4 * group + l;
                    x.slots.get(i).map_or(WINDOW_ABSENT, |w| w[s])
                }));
            }
        }
    }
    let rows: Vec<u32> = (0..ja).chain(jb..in_h).flat_map(|j| y.slots[j]).collect();
    if rows.len() > 4 * X2_YZ_WEIGHTS {
        return false;
    }
    let Some(at) = g.push_uniform(&rows) else {
        return false;
    };
    let mut pass = Pass::new(UpsampleKernel::WindowX2Backward { edge: true }, cur, next);
    pass.tables[2] = g.push_vec4(words);
    pass.tables[1] = at;
    pass.edges = [qa, qb, ja, jb].map(|e| e as u32);
    let weights: Vec<f32> = x.phases[0].into_iter().chain(y.phases[0]).collect();
    for (k, w) in weights.chunks(4).enumerate() {
        pass.phases[k].copy_from_slice(w);
    }
    if qb > qa {
        let mut interior = pass.clone();
        interior.kernel = UpsampleKernel::WindowX2Backward { edge: false };
        g.passes.push(interior);
    }
    g.passes.push(pass);
    true
}

/// The grid for `planes` planes: the interior's (its threads along w / WORKGROUP, row blocks,
/// planes · d), the edge's (edge threads · row blocks / WORKGROUP, 1, planes · d).
pub(crate) fn grid(pass: &Pass, planes: usize) -> [u32; 3] {
    let [d, in_h, in_w] = pass.out_dims;
    let interior = matches!(
        pass.kernel,
        UpsampleKernel::WindowX2Backward { edge: false }
    );
    split_grid(
        interior,
        [d, in_h, threads(in_w)],
        WINDOW_X2_BACKWARD_ROWS,
        pass,
        planes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::upsample::options::{Upsample, UpsampleMode};
    use crate::ops::upsample::plan::{DEFAULT_MAX_WORKGROUPS, Stage, backward_plan};
    use crate::ops::upsample::taps::{backward_taps, windows};

    fn lanczos(shape: &[usize]) -> crate::ops::upsample::options::Plan {
        Upsample::with_scale_factor([2.0], UpsampleMode::Lanczos)
            .antialias(true)
            .plan(shape)
            .unwrap()
    }

    #[test]
    fn lanczos_x2_transposed_interior_is_periodic_with_five_edge_inputs_per_end() {
        // grad_input i reads grad_outputs 2i - 5 .. 2i + 6 with the same weights bitwise away
        // from the ends; the first and last 5 read truncated forward windows.
        for n in [12, 16, 37, 512] {
            let p = lanczos(&[1, 1, n, n]);
            let t = windows(&backward_taps(&p, 2).transpose(n));
            let a = axis(&t, n).unwrap();
            let edges: Vec<usize> = (0..n).filter(|&i| !a.interior[i]).collect();
            let want: Vec<usize> = (0..5).chain(n - 5..n).collect();
            assert_eq!(edges, want, "n {n}");
        }
    }

    const BOTH: [&str; 2] = ["window_x2_backward_12", "window_x2_backward_12_edge"];

    #[test]
    fn lanczos_x2_backward_takes_the_fused_x2_backward() {
        let p = lanczos(&[1, 16, 512, 512]);
        let g = backward_plan(&p, DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), BOTH);
        // Threads 1 .. 30 of 32 and grad_input rows 5 .. 506 are the interior.
        assert_eq!(g.passes[0].edges, [1, 31, 5, 507]);
        let blocks = 512 / WINDOW_X2_BACKWARD_ROWS as u32;
        assert_eq!(grid(&g.passes[0], 16), [1, blocks, 16]);
        assert_eq!(grid(&g.passes[1], 16), [(2 * blocks).div_ceil(64), 1, 16]);
        assert!(
            g.passes
                .iter()
                .all(|p| (p.src, p.dst) == (Stage::Input, Stage::Output))
        );
        // No interior thread (16 grad_inputs): the edge threads' pass alone.
        let g = backward_plan(&lanczos(&[1, 1, 8, 16]), DEFAULT_MAX_WORKGROUPS);
        assert_eq!(g.kernel_names(), ["window_x2_backward_12_edge"]);
        // Widths not a multiple of 4 or other scales take the general kernels.
        for shape in [[1, 1, 8, 9], [1, 1, 16, 13]] {
            let g = backward_plan(&lanczos(&shape), DEFAULT_MAX_WORKGROUPS);
            assert!(
                !g.kernel_names()
                    .iter()
                    .any(|k| k.starts_with("window_x2_backward")),
                "{shape:?}"
            );
        }
        let p = Upsample::with_scale_factor([2.0, 3.0], UpsampleMode::Lanczos)
            .antialias(true)
            .plan(&[1, 1, 16, 16])
            .unwrap();
        assert_ne!(
            backward_plan(&p, DEFAULT_MAX_WORKGROUPS).kernel_names(),
            BOTH
        );
        // A grid past the device's workgroups per dimension: the general passes.
        let rows = 17 * WINDOW_X2_BACKWARD_ROWS;
        let p = lanczos(&[1, 1, rows, 64]);
        assert_eq!(backward_plan(&p, 17).kernel_names(), BOTH);
        let names = backward_plan(&p, 16).kernel_names();
        assert!(
            !names.iter().any(|k| k.starts_with("window_x2_backward")),
            "{names:?}"
        );
    }
}
