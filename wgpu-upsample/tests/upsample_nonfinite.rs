//! Inputs holding NaN, +inf and -inf (tools/golden/gen_upsample_nonfinite.py): the CPU reference
//! and the GPU (the exact ×2 kernels included) give PyTorch's output element for element —
//! NaN where PyTorch has NaN, the same infinity where it has one, else within 1e-5 · max(1, |ref|).
//! Then the GPU against the CPU reference the same way: one NaN or inf at every position of the
//! ×2 kernels' inputs (forward and backward), and NaN / inf sprinkled over random shapes and
//! options (forward and backward). PyTorch's backward on non-finite gradients is in
//! upsample_backward.rs.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{Op, Tensor, Upsample, UpsampleMode};

use common::upsample::Options;

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input_shape: Vec<usize>,
    input: Vec<Value>,
    #[serde(flatten)]
    options: Options,
    output_shape: Vec<usize>,
    output: Vec<Value>,
}

fn value(v: &Value) -> f32 {
    match v {
        Value::String(s) if s == "nan" => f32::NAN,
        Value::String(s) if s == "inf" => f32::INFINITY,
        Value::String(s) if s == "-inf" => f32::NEG_INFINITY,
        v => v.as_f64().expect("a number") as f32,
    }
}

fn check(forward: impl Fn(&Upsample, &Tensor) -> wgpu_upsample::Result<Tensor>) {
    let g: Golden =
        serde_json::from_str(&common::fixture("upsample_nonfinite_golden.json")).unwrap();
    assert!(g.cases.len() >= 20);
    let mut failures = Vec::new();
    for c in &g.cases {
        let up = c.options.upsample().unwrap().expect("a valid case");
        let x = Tensor::new(&c.input_shape, c.input.iter().map(value).collect()).unwrap();
        let want: Vec<f32> = c.output.iter().map(value).collect();
        match forward(&up, &x) {
            Ok(y) if y.shape() == c.output_shape.as_slice() => {
                if let Err(e) = common::check_close_nonfinite(y.data(), &want, 1e-5) {
                    failures.push(format!("{}: {e}", c.name));
                }
            }
            Ok(y) => failures.push(format!("{}: shape {:?}", c.name, y.shape())),
            Err(e) => failures.push(format!("{}: {e}", c.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ from PyTorch {}:\n{}",
        failures.len(),
        g.torch_version,
        failures.join("\n")
    );
}

#[test]
fn cpu_matches_pytorch_on_nan_and_inf() {
    check(|up, x| up.forward_cpu(x));
}

#[test]
fn gpu_matches_pytorch_on_nan_and_inf() {
    let ctx = common::gpu();
    check(|up, x| ctx.download(&up.forward_gpu(ctx, &ctx.upload(x)?)?));
    // The ×2 cases do run the ×2 kernels.
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    assert_eq!(up.gpu_kernels(ctx, &[1, 2, 4, 8]).unwrap(), ["x2_linear"]);
}

/// GPU against CPU for `op` on `x`, NaN for NaN and inf for inf, within `rtol` elsewhere.
fn gpu_vs_cpu_within(op: &dyn Op, x: &Tensor, rtol: f32) -> Result<(), String> {
    let ctx = common::gpu();
    let want = op.forward_cpu(x).map_err(|e| e.to_string())?;
    let got = ctx
        .download(&op.forward_gpu(ctx, &ctx.upload(x).unwrap()).unwrap())
        .unwrap();
    common::check_close_nonfinite(got.data(), want.data(), rtol)
        .map_err(|e| format!("{op:?} on {:?}: {e}", x.shape()))
}

fn gpu_vs_cpu(up: &Upsample, x: &Tensor) -> Result<(), String> {
    gpu_vs_cpu_within(up, x, 1e-5)
}

/// Gradients are sums of more terms: the backward's tolerance (as upsample_backward.rs).
const GRAD_RTOL: f32 = 1e-4;

/// `shape`'s planes each holding one `bad` value, plane c at element c of its plane (the planes
/// cover every position), random values elsewhere.
fn one_bad_per_plane(shape: &[usize], bad: f32, seed: u64) -> Tensor {
    let plane: usize = shape[2..].iter().product();
    let mut rng = StdRng::seed_from_u64(seed);
    Tensor::from_fn(shape, |i| {
        if i / plane % plane == i % plane {
            bad
        } else {
            rng.random_range(-2.0f32..2.0)
        }
    })
    .unwrap()
}

/// Each case's forward runs exactly `kernel` (asserted; the ×1.5 kernels with their `_edges`
/// pass) on `(1, plane, *spatial)` with one NaN / inf / -inf per plane at every position, and
/// matches the CPU reference.
fn routed_forward_matches_cpu_with_a_bad_value_everywhere(
    ctx: &wgpu_upsample::GpuContext,
    cases: impl IntoIterator<Item = (Upsample, Vec<usize>, &'static str)>,
) {
    let cases = cases.into_iter().map(|(up, spatial, kernel)| {
        let kernels = match kernel.ends_with("_x1_5") {
            true => vec![kernel.to_string(), format!("{kernel}_edges")],
            false => vec![kernel.to_string()],
        };
        (up, spatial, kernels)
    });
    forward_runs_and_matches_cpu_with_a_bad_value_everywhere(ctx, cases);
}

/// Each case's forward runs exactly `kernels` (asserted) on `(1, plane, *spatial)` with one
/// NaN / inf / -inf per plane at every position, and matches the CPU reference.
fn forward_runs_and_matches_cpu_with_a_bad_value_everywhere(
    ctx: &wgpu_upsample::GpuContext,
    cases: impl IntoIterator<Item = (Upsample, Vec<usize>, Vec<String>)>,
) {
    let mut failures = Vec::new();
    for (up, spatial, kernels) in cases {
        let plane: usize = spatial.iter().product();
        let shape = [vec![1, plane], spatial.clone()].concat();
        assert_eq!(up.gpu_kernels(ctx, &shape).unwrap(), kernels, "{up:?}");
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let x = one_bad_per_plane(&shape, bad, plane as u64);
            if let Err(e) = gpu_vs_cpu(&up, &x) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn factor_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    // As below, for the integer-factor kernels (shaders/upsample/factor.wgsl), forward.
    use UpsampleMode::*;
    let ctx = common::gpu();
    let sf = |f: &[f64], mode| Upsample::with_scale_factor(f.to_vec(), mode);
    let cases = [
        (sf(&[3.0], Nearest), vec![3, 8], "nearest_up_x3"),
        (sf(&[2.0], Nearest), vec![8], "nearest_up_x2"),
        (sf(&[4.0], Area), vec![2, 4], "nearest_up_x4"),
        (sf(&[0.5], Nearest), vec![4, 8], "nearest_down_x2"),
        (sf(&[0.5], NearestExact), vec![4, 8], "nearest_down_x2"),
        (sf(&[0.5], Area), vec![5, 8], "area_down_x2"),
        (sf(&[0.5, 0.5, 0.5], Area), vec![2, 3, 8], "area_down_x2"),
        (sf(&[2.0], Linear), vec![8], "linear_up_x2"),
        (sf(&[3.0], Bilinear), vec![3, 8], "linear_up_x3"),
        (sf(&[1.5, 4.0], Bilinear), vec![4, 4], "linear_up_x4"),
        (sf(&[3.0], Linear), vec![4], "linear_up_x3"),
        (sf(&[0.5], Bilinear), vec![5, 16], "linear_down_x2"),
        (sf(&[0.5], Linear), vec![16], "linear_down_x2"),
        // x weights per thread from the tables (not the same for every thread).
        (sf(&[3.0], Bilinear), vec![2, 64], "linear_up_x3"),
        (
            sf(&[2.0], Linear).align_corners(true),
            vec![64],
            "linear_up_x2",
        ),
    ];
    routed_forward_matches_cpu_with_a_bad_value_everywhere(ctx, cases);
}

#[test]
fn fractional_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    // As above, for the streaming fractional-scale kernels (shaders/upsample/fractional.wgsl),
    // forward: up and down, align_corners both, the borders where PyTorch clamps.
    use UpsampleMode::*;
    let ctx = common::gpu();
    let sf = |f: &[f64], mode| Upsample::with_scale_factor(f.to_vec(), mode);
    let cases = [
        (sf(&[1.5], Bilinear), vec![5, 8], "fractional_linear_2"),
        (sf(&[1.5], Bicubic), vec![5, 8], "fractional_cubic_2"),
        (
            sf(&[1.5], Bilinear).align_corners(true),
            vec![4, 8],
            "fractional_linear_2",
        ),
        (
            sf(&[1.5], Bicubic).align_corners(true),
            vec![4, 8],
            "fractional_cubic_2",
        ),
        (sf(&[0.7, 0.75], Bicubic), vec![6, 16], "fractional_cubic_3"),
        // ×1.5 with interior records: the static taps (and the ends picked).
        (sf(&[1.5], Bilinear), vec![3, 56], "fractional_linear_x1_5"),
        (sf(&[1.5], Bicubic), vec![3, 56], "fractional_cubic_x1_5"),
        (sf(&[1.5], Bicubic), vec![3, 64], "fractional_cubic_x1_5"),
        (sf(&[2.5, 0.6], Bicubic), vec![3, 20], "fractional_cubic_4"),
        (
            sf(&[1.25, 1.5], Bilinear),
            vec![3, 8],
            "fractional_linear_2",
        ),
    ];
    routed_forward_matches_cpu_with_a_bad_value_everywhere(ctx, cases);
}

#[test]
fn lanczos_x2_kernel_matches_cpu_with_a_nan_or_inf_at_every_position() {
    // As above, for lanczos ×2 (shaders/upsample/window_x2.wgsl), forward: interior threads
    // and rows with the phases' weights, the truncated windows at the ends (widths 8k and
    // 8k + 4, a single block of rows and two); antialiased bilinear and bicubic ×2 too (the
    // same kernel with 2 and 4 taps).
    use UpsampleMode::*;
    let ctx = common::gpu();
    let x2 = |mode| Upsample::with_scale_factor([2.0], mode).antialias(true);
    let cases = [
        (
            x2(Lanczos),
            vec![10, 40],
            &["window_x2_6", "window_x2_6_edge"][..],
        ),
        (
            x2(Lanczos),
            vec![7, 36],
            &["window_x2_6", "window_x2_6_edge"],
        ),
        (x2(Lanczos), vec![35, 8], &["window_x2_6_edge"]),
        (
            x2(Bilinear),
            vec![9, 40],
            &["window_x2_2", "window_x2_2_edge"],
        ),
        (x2(Bilinear), vec![4, 8], &["window_x2_2_edge"]),
        (
            x2(Bicubic),
            vec![10, 36],
            &["window_x2_4", "window_x2_4_edge"],
        ),
        (x2(Bicubic), vec![5, 12], &["window_x2_4_edge"]),
    ];
    let cases = cases.map(|(up, spatial, kernels)| {
        (up, spatial, kernels.iter().map(|k| k.to_string()).collect())
    });
    forward_runs_and_matches_cpu_with_a_bad_value_everywhere(ctx, cases);
}

#[test]
fn trilinear_x2_kernels_match_cpu_with_a_nan_or_inf_at_every_position_across_slice_groups() {
    // The trilinear ×2 kernels stream X2_SLICES (8) input slices and X2_ROWS (8) input rows a
    // thread: depths and heights over one group of each, so that outputs at the groups' seams
    // (and in the last, partial groups) see a non-finite value on either side.
    use UpsampleMode::*;
    let ctx = common::gpu();
    let x2_3d = |mode| Upsample::with_scale_factor([2.0, 2.0, 2.0], mode);
    let cases = [
        (x2_3d(Trilinear), vec![17, 9, 4], "x2_linear_3d"),
        (
            x2_3d(Trilinear).align_corners(true),
            vec![10, 9, 4],
            "x2w_linear_3d",
        ),
    ];
    routed_forward_matches_cpu_with_a_bad_value_everywhere(ctx, cases);
}

#[test]
fn half_window_kernels_match_cpu_with_a_nan_or_inf_at_every_position_forward_and_backward() {
    // As below, for the fused window pass's antialias ×1/2 kernels and their backward's
    // (shaders/upsample/window_wh.wgsl, window_wh_{f32,u64}.wgsl): rows wide enough for
    // threads whose 4 groups sum only their taps from one load of the row, and the row ends'
    // groups; odd heights, so that the backward is not an exact ×2 (window_x2_T).
    use UpsampleMode::*;
    let ctx = common::gpu();
    let aa = |mode| Upsample::with_scale_factor([0.5], mode).antialias(true);
    let cases = [
        (
            aa(Bilinear),
            vec![7, 128],
            "window_wh_4_t4_half4",
            "window_wh_2_t4_half2",
        ),
        (
            aa(Bicubic),
            vec![5, 128],
            "window_wh_4_t8_half8",
            "window_wh_2_t4_half4",
        ),
    ];
    let mut failures = Vec::new();
    for (up, spatial, kernel, back_kernel) in cases {
        let plane: usize = spatial.iter().product();
        let shape = [vec![1, plane], spatial.clone()].concat();
        assert_eq!(up.gpu_kernels(ctx, &shape).unwrap(), [kernel], "{up:?}");
        let out_spatial = up.output_shape(&shape).unwrap()[2..].to_vec();
        let out_plane: usize = out_spatial.iter().product();
        let back = up
            .backward(&[vec![1, out_plane], spatial.clone()].concat())
            .unwrap();
        let back_shape = [vec![1, out_plane], out_spatial].concat();
        assert_eq!(back.gpu_kernels(ctx, &back_shape).unwrap(), [back_kernel]);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let x = one_bad_per_plane(&shape, bad, plane as u64);
            if let Err(e) = gpu_vs_cpu(&up, &x) {
                failures.push(e);
            }
            let g = one_bad_per_plane(&back_shape, bad, plane as u64);
            if let Err(e) = gpu_vs_cpu_within(&back, &g, GRAD_RTOL) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn x2_kernels_match_cpu_with_a_nan_or_inf_at_every_position_forward_and_backward() {
    // Channel c of the input holds one non-finite value, at element c of its plane: every
    // position (borders, next to them, inside) in one run per kernel and value.
    use UpsampleMode::*;
    let ctx = common::gpu();
    let x2 = |mode| Upsample::with_scale_factor([2.0], mode);
    let x2_3d = |mode| Upsample::with_scale_factor([2.0, 2.0, 2.0], mode);
    let cases = [
        (x2(Nearest), vec![3, 8], "x2_nearest"),
        (x2(NearestExact), vec![3, 8], "x2_nearest"),
        (x2(Bilinear), vec![3, 8], "x2_linear"),
        (x2(Bilinear).align_corners(true), vec![3, 8], "x2w_linear"),
        (x2(Bicubic), vec![4, 8], "x2_cubic"),
        (x2(Bicubic).align_corners(true), vec![4, 8], "x2w_cubic"),
        (x2_3d(Nearest), vec![3, 2, 4], "x2_nearest_3d"),
        (x2_3d(Trilinear), vec![3, 3, 4], "x2_linear_3d"),
        (
            x2_3d(Trilinear).align_corners(true),
            vec![3, 3, 4],
            "x2w_linear_3d",
        ),
    ];
    let mut failures = Vec::new();
    for (up, spatial, kernel) in cases {
        let plane: usize = spatial.iter().product();
        let shape = [vec![1, plane], spatial.clone()].concat();
        assert_eq!(up.gpu_kernels(ctx, &shape).unwrap(), [kernel], "{up:?}");
        // The backward: a gradient with as many planes as the output has elements, each with its
        // non-finite value at another position.
        let out_spatial = up.output_shape(&shape).unwrap()[2..].to_vec();
        let out_plane: usize = out_spatial.iter().product();
        let back = up
            .backward(&[vec![1, out_plane], spatial.clone()].concat())
            .unwrap();
        let back_shape = [vec![1, out_plane], out_spatial].concat();
        let back_kernel = back.gpu_kernels(ctx, &back_shape).unwrap()[0];
        assert!(
            back_kernel.starts_with("x2_backward"),
            "{up:?}: {back_kernel}"
        );
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let x = one_bad_per_plane(&shape, bad, plane as u64);
            if let Err(e) = gpu_vs_cpu(&up, &x) {
                failures.push(e);
            }
            let g = one_bad_per_plane(&back_shape, bad, plane as u64);
            if let Err(e) = gpu_vs_cpu_within(&back, &g, GRAD_RTOL) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gpu_matches_cpu_with_nan_and_inf_on_random_shapes_and_options_forward_and_backward() {
    let seed = 0x0f1a7;
    eprintln!("seed {seed:#x}");
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut ran, mut failures) = (0, Vec::new());
    for case in 0..200 {
        let mode = UpsampleMode::ALL[rng.random_range(0..UpsampleMode::ALL.len())];
        let rank = mode
            .required_rank()
            .unwrap_or_else(|| rng.random_range(3..=5));
        let mut shape = vec![rng.random_range(1..=2), rng.random_range(1..=3)];
        let side = [0, 0, 0, 40, 12, 6][rank];
        // Half the cases: ×2 with the width a multiple of 4 (the exact ×2 kernels' shapes).
        let x2 = rank >= 4 && rng.random_bool(0.5);
        for d in 2..rank {
            shape.push(if x2 && d == rank - 1 {
                4 * rng.random_range(1..=3)
            } else {
                rng.random_range(1..=side)
            });
        }
        let mut up = if x2 {
            Upsample::with_scale_factor([2.0], mode)
        } else if rng.random_bool(0.5) {
            let size: Vec<usize> = (2..rank).map(|_| rng.random_range(1..=2 * side)).collect();
            Upsample::with_size(size, mode)
        } else {
            let scale: Vec<f64> = (2..rank).map(|_| rng.random_range(0.3f64..3.5)).collect();
            Upsample::with_scale_factor(scale, mode)
        };
        if mode.takes_align_corners() && rng.random_bool(0.5) {
            up = up.align_corners(rng.random_bool(0.5));
        }
        if matches!(mode, UpsampleMode::Bilinear | UpsampleMode::Bicubic) && rng.random_bool(0.3) {
            up = up.antialias(true);
        }
        match up.output_shape(&shape) {
            Ok(out) if out.iter().product::<usize>() > 0 => {}
            _ => continue,
        }
        // About one element in ten NaN, inf or -inf.
        let x = Tensor::from_fn(&shape, |_| match rng.random_range(0..30) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            _ => rng.random_range(-2.0f32..2.0),
        })
        .unwrap();
        ran += 1;
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(format!("case {case} (seed {seed:#x}): {e}"));
        }
        // The backward, with NaN and inf in the gradient.
        let back = up.backward(&shape).unwrap();
        let out_shape = up.output_shape(&shape).unwrap();
        let g = Tensor::from_fn(&out_shape, |_| match rng.random_range(0..30) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            _ => rng.random_range(-2.0f32..2.0),
        })
        .unwrap();
        if let Err(e) = gpu_vs_cpu_within(&back, &g, GRAD_RTOL) {
            failures.push(format!("case {case} backward (seed {seed:#x}): {e}"));
        }
    }
    assert!(ran >= 150, "only {ran} cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
