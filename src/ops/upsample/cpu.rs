//! The CPU reference for every upsample mode: plain loops over precomputed per-axis taps,
//! parallel over the N·C planes.

use super::coords::{self, AntialiasTaps};
use super::options::{Axis, Plan, UpsampleMode};
use crate::cpu::for_each_plane;

/// Per-axis taps for the separable gather modes: `taps` (index, weight) pairs per output index.
struct AxisTaps {
    taps: usize,
    index: Vec<u32>,
    weight: Vec<f32>,
}

impl AxisTaps {
    fn from_indices(index: Vec<u32>) -> Self {
        let weight = vec![1.0; index.len()];
        Self {
            taps: 1,
            index,
            weight,
        }
    }

    fn for_axis(plan: &Plan, axis: Axis) -> Self {
        let ac = plan.align_corners;
        match plan.mode {
            UpsampleMode::Nearest => {
                Self::from_indices(coords::nearest(axis, plan.axes.len() == 2))
            }
            UpsampleMode::NearestExact => Self::from_indices(coords::nearest_exact(axis)),
            UpsampleMode::Linear | UpsampleMode::Bilinear | UpsampleMode::Trilinear => {
                let t = coords::linear(axis, ac);
                Self {
                    taps: 2,
                    index: t.iter().flat_map(|t| [t.i0, t.i1]).collect(),
                    weight: t.iter().flat_map(|t| [t.w0, t.w1]).collect(),
                }
            }
            UpsampleMode::Bicubic => {
                let t = coords::cubic(axis, ac);
                Self {
                    taps: 4,
                    index: t.iter().flat_map(|t| t.index).collect(),
                    weight: t.iter().flat_map(|t| t.weight).collect(),
                }
            }
            UpsampleMode::Area => unreachable!("area is not a fixed-tap mode"),
        }
    }

    fn at(&self, o: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let r = o * self.taps..(o + 1) * self.taps;
        self.index[r.clone()]
            .iter()
            .zip(&self.weight[r])
            .map(|(&i, &w)| (i as usize, w))
    }
}

/// Runs the upsample described by `plan` on `input` (contiguous, `plan.planes` planes).
pub(crate) fn forward(plan: &Plan, input: &[f32]) -> Vec<f32> {
    let mut output = vec![0.0; plan.planes * plan.output_plane()];
    if plan.antialias {
        antialias(plan, input, &mut output);
    } else if plan.mode == UpsampleMode::Area {
        area(plan, input, &mut output);
    } else {
        separable_gather(plan, input, &mut output);
    }
    output
}

/// Nearest, nearest-exact, linear family and bicubic: `out = Σz wz Σy wy Σx wx in[z, y, x]`,
/// nested like PyTorch's `interpolate` (outer axis outermost). Works a row at a time; the x taps
/// are a compile-time count (1, 2 or 4) so the inner loop unrolls.
fn separable_gather(plan: &Plan, input: &[f32], output: &mut [f32]) {
    let [_, _, aw] = plan.axes3();
    match AxisTaps::for_axis(plan, aw).taps {
        1 => gather_rows::<1>(plan, input, output),
        2 => gather_rows::<2>(plan, input, output),
        _ => gather_rows::<4>(plan, input, output),
    }
}

fn gather_rows<const T: usize>(plan: &Plan, input: &[f32], output: &mut [f32]) {
    let [ad, ah, aw] = plan.axes3();
    // Axes the input does not have (padding to three) get one tap of weight 1.
    let missing = 3 - plan.axes.len();
    let taps = |k: usize, a: Axis| {
        if k < missing {
            AxisTaps::from_indices(vec![0])
        } else {
            AxisTaps::for_axis(plan, a)
        }
    };
    let (td, th, tw) = (taps(0, ad), taps(1, ah), taps(2, aw));
    debug_assert_eq!(tw.taps, T);
    let x_index: Vec<[usize; T]> = tw
        .index
        .chunks_exact(T)
        .map(|c| std::array::from_fn(|k| c[k] as usize))
        .collect();
    let x_weight: Vec<[f32; T]> = tw
        .weight
        .chunks_exact(T)
        .map(|c| std::array::from_fn(|k| c[k]))
        .collect();
    let (ih, iw, ow) = (ah.input, aw.input, aw.output);
    for_each_plane(
        input,
        plan.input_plane(),
        output,
        plan.output_plane(),
        |_, src, dst| {
            let mut acc_y = vec![0.0f32; ow];
            for (r, out) in dst.chunks_exact_mut(ow).enumerate() {
                let (z, y) = (r / ah.output, r % ah.output);
                out.fill(0.0);
                for (iz, wz) in td.at(z) {
                    acc_y.fill(0.0);
                    for (iy, wy) in th.at(y) {
                        let row = &src[(iz * ih + iy) * iw..][..iw];
                        for ((acc, idx), w) in acc_y.iter_mut().zip(&x_index).zip(&x_weight) {
                            let mut acc_x = 0.0f32;
                            for k in 0..T {
                                acc_x += w[k] * row[idx[k]];
                            }
                            *acc += wy * acc_x;
                        }
                    }
                    for (o, a) in out.iter_mut().zip(&acc_y) {
                        *o += wz * a;
                    }
                }
            }
        },
    );
}

/// Area: the mean over each output cell's input window, `sum / kd / kh / kw` like PyTorch's
/// adaptive average pooling.
fn area(plan: &Plan, input: &[f32], output: &mut [f32]) {
    let [ad, ah, aw] = plan.axes3();
    let (wd, wh, ww) = (coords::area(ad), coords::area(ah), coords::area(aw));
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
fn antialias(plan: &Plan, input: &[f32], output: &mut [f32]) {
    let bicubic = plan.mode == UpsampleMode::Bicubic;
    let [_, ah, aw] = plan.axes3();
    let mut current = input.to_vec();
    let (mut h, mut w) = (ah.input, aw.input);
    if aw.input != aw.output {
        let taps = coords::antialias(aw, plan.align_corners, bicubic);
        current = pass(&current, plan.planes * h, aw.input, aw.output, 1, &taps);
        w = aw.output;
    }
    if ah.input != ah.output {
        let taps = coords::antialias(ah, plan.align_corners, bicubic);
        current = pass(&current, plan.planes, ah.input, ah.output, w, &taps);
        h = ah.output;
    }
    debug_assert_eq!(current.len(), plan.planes * h * w);
    output.copy_from_slice(&current);
}

/// One antialias pass along an axis: `out[o, a, i] = Σj w[a][j] · in[o, start[a] + j, i]` with
/// `outer` blocks, the axis `n_in → n_out`, and `inner` contiguous elements per axis position.
fn pass(
    input: &[f32],
    outer: usize,
    n_in: usize,
    n_out: usize,
    inner: usize,
    t: &AntialiasTaps,
) -> Vec<f32> {
    let mut out = vec![0.0; outer * n_out * inner];
    for_each_plane(
        input,
        n_in * inner,
        &mut out,
        n_out * inner,
        |_, src, dst| {
            for a in 0..n_out {
                let start = t.start[a] as usize;
                let w = &t.weights[a * t.taps..a * t.taps + t.len[a] as usize];
                for i in 0..inner {
                    let mut acc = 0.0f32;
                    for (j, &wj) in w.iter().enumerate() {
                        acc += wj * src[(start + j) * inner + i];
                    }
                    dst[a * inner + i] = acc;
                }
            }
        },
    );
    out
}
