//! Inputs holding NaN, +inf and -inf (tools/golden/gen_upsample_nonfinite.py): the CPU reference
//! and the GPU (the exact ×2 kernels included) give PyTorch's output element for element —
//! NaN where PyTorch has NaN, the same infinity where it has one, else within 1e-5 · max(1, |ref|).
//! Then the GPU against the CPU reference the same way: one NaN or inf at every position of the
//! ×2 kernels' inputs, and NaN / inf sprinkled over random shapes and options.

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

/// GPU against CPU for `up` on `x`, NaN for NaN and inf for inf.
fn gpu_vs_cpu(up: &Upsample, x: &Tensor) -> Result<(), String> {
    let ctx = common::gpu();
    let want = up.forward_cpu(x).map_err(|e| e.to_string())?;
    let got = ctx
        .download(&up.forward_gpu(ctx, &ctx.upload(x).unwrap()).unwrap())
        .unwrap();
    common::check_close_nonfinite(got.data(), want.data(), 1e-5)
        .map_err(|e| format!("{up:?} on {:?}: {e}", x.shape()))
}

#[test]
fn x2_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    // Channel c of the input holds one non-finite value, at element c of its plane: every
    // position (borders, next to them, inside) in one run per kernel.
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
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let shape = [vec![1, plane], spatial.clone()].concat();
            let mut rng = StdRng::seed_from_u64(plane as u64);
            let x = Tensor::from_fn(&shape, |i| {
                let (c, at) = (i / plane, i % plane);
                if c == at {
                    bad
                } else {
                    rng.random_range(-2.0f32..2.0)
                }
            })
            .unwrap();
            assert_eq!(up.gpu_kernels(ctx, &shape).unwrap(), [kernel], "{up:?}");
            if let Err(e) = gpu_vs_cpu(&up, &x) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gpu_matches_cpu_with_nan_and_inf_on_random_shapes_and_options() {
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
    }
    assert!(ran >= 150, "only {ran} cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
