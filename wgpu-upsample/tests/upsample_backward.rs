//! The Upsample backward (grad_input from grad_output) against PyTorch autograd
//! (tools/golden/gen_upsample_backward.py: every forward golden case, non-finite gradients, many
//! planes) on the CPU and the GPU, within 1e-4 · max(1, |ref|); GPU against CPU on random shapes;
//! finite differences in f64 against the CPU path; adjointness; bitwise-repeatable GPU results;
//! the API's errors.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{Error, GpuContext, Op, Tensor, Upsample, UpsampleMode};

use common::upsample::Options;

/// Gradients are sums of many terms: PyTorch's float64 reference, stored as float32.
const RTOL: f32 = 1e-4;

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input_shape: Vec<usize>,
    #[serde(flatten)]
    options: Options,
    output_shape: Vec<usize>,
    grad_output: Vec<Value>,
    grad_input: Vec<Value>,
}

fn value(v: &Value) -> f32 {
    match v {
        Value::String(s) if s == "nan" => f32::NAN,
        Value::String(s) if s == "inf" => f32::INFINITY,
        Value::String(s) if s == "-inf" => f32::NEG_INFINITY,
        v => v.as_f64().expect("a number") as f32,
    }
}

/// The GPU kernels the backward of golden case `c` runs.
fn backward_kernels(ctx: &GpuContext, c: &Case) -> Vec<&'static str> {
    let up = c.options.upsample().unwrap().expect("a valid case");
    up.backward(&c.input_shape)
        .unwrap()
        .gpu_kernels(ctx, &c.output_shape)
        .unwrap()
}

fn golden() -> Golden {
    serde_json::from_str(&common::fixture("upsample_backward_golden.json")).expect("parses")
}

/// Runs every case through `backward` and lists the ones that differ from PyTorch.
fn differences(
    g: &Golden,
    backward: impl Fn(&Upsample, &[usize], &Tensor) -> wgpu_upsample::Result<Tensor>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for c in &g.cases {
        let up = c.options.upsample().unwrap().expect("a valid case");
        let grad = Tensor::new(&c.output_shape, c.grad_output.iter().map(value).collect());
        let want: Vec<f32> = c.grad_input.iter().map(value).collect();
        match backward(&up, &c.input_shape, &grad.unwrap()) {
            Ok(got) if got.shape() != c.input_shape.as_slice() => {
                failures.push(format!("{}: shape {:?}", c.name, got.shape()))
            }
            Ok(got) => {
                if let Err(e) = common::check_close_nonfinite(got.data(), &want, RTOL) {
                    failures.push(format!("{}: {e}", c.name));
                }
            }
            Err(e) => failures.push(format!("{}: error {e}", c.name)),
        }
    }
    failures
}

fn report(g: &Golden, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from PyTorch {}:\n{}",
        failures.len(),
        g.cases.len(),
        g.torch_version,
        failures.join("\n")
    );
}

#[test]
fn cpu_matches_pytorch_autograd() {
    let g = golden();
    assert!(g.cases.len() > 500, "fixture has {} cases", g.cases.len());
    let failures = differences(&g, |up, shape, grad| up.backward_cpu(shape, grad));
    report(&g, &failures);
}

#[test]
fn gpu_matches_pytorch_autograd() {
    let ctx = common::gpu();
    let g = golden();
    let failures = differences(&g, |up, shape, grad| {
        let out = up.backward_gpu(ctx, shape, &ctx.upload(grad)?)?;
        ctx.download(&out)
    });
    report(&g, &failures);
}

fn random_tensor(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-1.0..1.0)).unwrap()
}

/// A random valid upsample of a random input shape (every mode, both align_corners, sizes and
/// scales, up and down, antialias).
fn random_case(rng: &mut StdRng) -> (Upsample, Vec<usize>) {
    use UpsampleMode::*;
    let mode = UpsampleMode::ALL[rng.random_range(0..UpsampleMode::ALL.len())];
    let rank = mode
        .required_rank()
        .unwrap_or_else(|| rng.random_range(3..=5));
    let mut shape = vec![rng.random_range(1..=3), rng.random_range(1..=3)];
    shape.extend((2..rank).map(|_| rng.random_range(1..=9)));
    let mut up = if rng.random_bool(0.5) {
        let scales = [0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0];
        Upsample::with_scale_factor(
            (2..rank)
                .map(|_| scales[rng.random_range(0..scales.len())])
                .collect::<Vec<_>>(),
            mode,
        )
    } else {
        Upsample::with_size(
            (2..rank)
                .map(|_| rng.random_range(1..=13))
                .collect::<Vec<_>>(),
            mode,
        )
    };
    if mode.takes_align_corners() {
        up = up.align_corners(rng.random_bool(0.5));
    }
    if matches!(mode, Bilinear | Bicubic) && rng.random_bool(0.3) {
        up = up.antialias(true);
    }
    (up, shape)
}

#[test]
fn gpu_matches_cpu_on_random_shapes_and_is_bitwise_repeatable() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(10);
    let mut tried = 0;
    while tried < 80 {
        let (up, shape) = random_case(&mut rng);
        let Ok(out_shape) = up.output_shape(&shape) else {
            continue; // e.g. a size that floors to 0
        };
        tried += 1;
        let g = random_tensor(&mut rng, &out_shape);
        let cpu = up.backward_cpu(&shape, &g).unwrap();
        let gg = ctx.upload(&g).unwrap();
        let first = ctx
            .download(&up.backward_gpu(ctx, &shape, &gg).unwrap())
            .unwrap();
        let again = ctx
            .download(&up.backward_gpu(ctx, &shape, &gg).unwrap())
            .unwrap();
        common::check_close(first.data(), cpu.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?}: {e}"));
        let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&first),
            bits(&again),
            "{up:?} on {shape:?}: not repeatable"
        );
    }
}

/// The linear backward kernels (`linear_backward_x{2,3,4}`: linear and bilinear upsampled by an
/// integer factor along w, any upsampling along h) against the CPU on random shapes: batch and
/// channels past 1, odd heights, widths from 4 to 28, align_corners both ways, h by scale or size;
/// bitwise repeatable. Most cases must take the kernels (checked), the rest fall back.
#[test]
fn linear_backward_kernels_match_cpu_on_random_shapes() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(13);
    let mut routed = [0; 3];
    for _ in 0..60 {
        let s = rng.random_range(2..=4usize);
        // Up to 48 wide: the inner ×4 kernel's threads own 8 interior vec4s.
        let w = 4 * rng.random_range(1..=12);
        let h = rng.random_range(1..=9);
        let planes = [rng.random_range(1..=3), rng.random_range(1..=4)];
        let bilinear = rng.random_bool(0.7);
        let (mut up, shape) = if bilinear {
            let up = match rng.random_range(0..3) {
                0 => Upsample::with_scale_factor([s as f64], Bilinear),
                1 => Upsample::with_scale_factor(vec![[1.0, 1.5, 2.0][h % 3], s as f64], Bilinear),
                _ => Upsample::with_size([h + rng.random_range(0..=9), s * w], Bilinear),
            };
            (up, vec![planes[0], planes[1], h, w])
        } else {
            let up = Upsample::with_scale_factor([s as f64], Linear);
            (up, vec![planes[0], planes[1], w])
        };
        up = up.align_corners(rng.random_bool(0.3));
        let out_shape = up.output_shape(&shape).unwrap();
        let back = up.backward(&shape).unwrap();
        let kernels = back.gpu_kernels(ctx, &out_shape).unwrap();
        let rows = if bilinear { "" } else { "rows_" };
        let ours = |inner: &str| format!("linear_backward_{rows}{inner}x{s}");
        if kernels == [ours("")] || kernels == [ours("inner_"), ours("")] {
            routed[s - 2] += 1;
        }
        let g = random_tensor(&mut rng, &out_shape);
        let cpu = back.forward_cpu(&g).unwrap();
        let gg = ctx.upload(&g).unwrap();
        let first = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        let again = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        common::check_close(first.data(), cpu.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?} ({kernels:?}): {e}"));
        assert!(
            first
                .data()
                .iter()
                .zip(again.data())
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{up:?} on {shape:?}: not repeatable"
        );
    }
    assert!(
        routed.iter().all(|&n| n >= 5),
        "cases per factor: {routed:?}"
    );
}

/// The linear backward kernels over several row blocks of a thread (grad_input heights past
/// `LINEAR_BACKWARD_ROWS` = 32: a block also reads the grad_output rows it shares with the block
/// before; the edge pass packs the edge threads of every block), ×3 and ×4, both align_corners,
/// widths with an odd and an even count of interior vec4s, against the CPU.
#[test]
fn linear_backward_kernels_match_cpu_over_several_row_blocks() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(31);
    for (s, h, w, align) in [
        (3, 70, 16, false),
        (4, 65, 12, false),
        (3, 33, 24, true),
        (4, 97, 20, true),
        (3, 64, 8, false),
    ] {
        let up = Upsample::with_scale_factor([s as f64], Bilinear).align_corners(align);
        let shape = [2, 1, h, w];
        let out_shape = up.output_shape(&shape).unwrap();
        let back = up.backward(&shape).unwrap();
        let kernels = back.gpu_kernels(ctx, &out_shape).unwrap();
        assert!(
            kernels.contains(&format!("linear_backward_x{s}").as_str()),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        let g = random_tensor(&mut rng, &out_shape);
        let cpu = back.forward_cpu(&g).unwrap();
        let gpu = ctx
            .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
            .unwrap();
        common::check_close(gpu.data(), cpu.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?} ({kernels:?}): {e}"));
    }
}

/// ⟨forward(x), g⟩ = ⟨x, backward(g)⟩ (the upsample is linear), in f64 sums.
#[test]
fn backward_is_the_adjoint_of_forward() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut tried = 0;
    while tried < 200 {
        let (up, shape) = random_case(&mut rng);
        let Ok(out_shape) = up.output_shape(&shape) else {
            continue;
        };
        tried += 1;
        let x = random_tensor(&mut rng, &shape);
        let g = random_tensor(&mut rng, &out_shape);
        let y = up.forward_cpu(&x).unwrap();
        let gx = up.backward_cpu(&shape, &g).unwrap();
        let dot = |a: &Tensor, b: &Tensor| -> f64 {
            a.data()
                .iter()
                .zip(b.data())
                .map(|(&p, &q)| p as f64 * q as f64)
                .sum()
        };
        let (lhs, rhs) = (dot(&y, &g), dot(&x, &gx));
        let scale = y.data().len().max(1) as f64;
        assert!(
            (lhs - rhs).abs() <= 1e-5 * scale.sqrt().max(lhs.abs()),
            "{up:?} on {shape:?}: <Ax, g> = {lhs}, <x, A'g> = {rhs}"
        );
    }
}

/// Finite differences: d⟨forward(x), g⟩/dx_i = backward(g)_i. The forward is linear, so a central
/// difference in f64 of ⟨forward(x ± h e_i), g⟩ is exact up to rounding; checked on every input
/// element of small cases.
#[test]
fn finite_differences_agree_with_the_analytic_gradient() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut tried = 0;
    while tried < 40 {
        let (up, shape) = random_case(&mut rng);
        let Ok(out_shape) = up.output_shape(&shape) else {
            continue;
        };
        if shape.iter().product::<usize>() > 200 {
            continue;
        }
        tried += 1;
        let g = random_tensor(&mut rng, &out_shape);
        let grad = up.backward_cpu(&shape, &g).unwrap();
        let x = random_tensor(&mut rng, &shape);
        let loss = |x: &Tensor| -> f64 {
            let y = up.forward_cpu(x).unwrap();
            y.data()
                .iter()
                .zip(g.data())
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum()
        };
        let h = 0.5f32; // exact in f32; the forward is linear, so h need not be small
        for i in 0..x.numel() {
            let mut plus = x.clone();
            plus.data_mut()[i] += h;
            let mut minus = x.clone();
            minus.data_mut()[i] -= h;
            let fd = (loss(&plus) - loss(&minus)) / (2.0 * h as f64);
            let an = grad.data()[i] as f64;
            assert!(
                (fd - an).abs() <= 1e-4 * an.abs().max(1.0),
                "{up:?} on {shape:?}, element {i}: finite difference {fd}, backward {an}"
            );
        }
    }
}

#[test]
fn grad_output_of_another_shape_is_an_error() {
    let ctx = common::gpu();
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    let wrong = Tensor::zeros(&[1, 1, 8, 7]).unwrap();
    let e = up.backward_cpu(&[1, 1, 4, 4], &wrong).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidShape(m) if m.contains("[1, 1, 8, 7]") && m.contains("[1, 1, 8, 8]")),
        "{e}"
    );
    let e = up
        .backward_gpu(ctx, &[1, 1, 4, 4], &ctx.upload(&wrong).unwrap())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e}");
    // The forward's own argument errors.
    let e = up.backward(&[1, 4, 4]).unwrap_err();
    assert!(
        matches!(e, Error::NotImplemented(_) | Error::InvalidShape(_)),
        "{e}"
    );
    // grad_input of the wrong shape for encode.
    let g = ctx.upload(&Tensor::zeros(&[1, 1, 8, 8]).unwrap()).unwrap();
    let gi = ctx.empty(&[1, 1, 4, 5]).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    let e = up
        .encode_backward_gpu(ctx, &mut encoder, &g, &gi)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e}");
}

/// A forward and its backward recorded into one encoder, submitted once.
#[test]
fn forward_and_backward_in_one_submission() {
    let ctx = common::gpu();
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bicubic).align_corners(true);
    let x = Tensor::from_fn(&[2, 3, 5, 8], |i| (i % 11) as f32 - 5.0).unwrap();
    let gx = ctx.upload(&x).unwrap();
    let y = ctx.empty(&up.output_shape(x.shape()).unwrap()).unwrap();
    let grad_in = ctx.empty(x.shape()).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    up.encode_gpu(ctx, &mut encoder, &gx, &y).unwrap();
    // The gradient of 0.5·|y|² is y itself.
    up.encode_backward_gpu(ctx, &mut encoder, &y, &grad_in)
        .unwrap();
    ctx.queue().submit([encoder.finish()]);
    let got = ctx.download(&grad_in).unwrap();
    let want = up
        .backward_cpu(x.shape(), &up.forward_cpu(&x).unwrap())
        .unwrap();
    common::check_close(got.data(), want.data(), 1e-5).unwrap();
}

/// Many planes on a device whose bindings are small: the backward chunks its planes, and its
/// intermediates, like the forward.
#[test]
fn backward_chunks_over_small_bindings() {
    let small = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: 256 << 10,
        max_compute_workgroups_per_dimension: 16,
        ..l
    });
    let mut rng = StdRng::seed_from_u64(13);
    for (shape, up) in [
        (
            vec![3, 7, 20, 24],
            Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear),
        ),
        (
            vec![2, 5, 6, 10, 12],
            Upsample::with_scale_factor([2.0], UpsampleMode::Trilinear),
        ),
        (
            vec![2, 3, 60, 50],
            Upsample::with_size([21, 17], UpsampleMode::Bicubic).antialias(true),
        ),
        // The direct backward (factor_backward_x2), the 5-D one in chunks of 5 planes bound
        // from an offset that is not a multiple of the binding alignment.
        (
            vec![3, 7, 20, 24],
            Upsample::with_scale_factor([0.5], UpsampleMode::Bilinear),
        ),
        (
            vec![2, 5, 6, 10, 16],
            Upsample::with_scale_factor([0.5], UpsampleMode::Trilinear),
        ),
        // The block backward (block_backward_x3), likewise in chunks of 5 planes.
        (
            vec![2, 5, 3, 3, 8],
            Upsample::with_scale_factor([3.0], UpsampleMode::Nearest),
        ),
        // Branch fracbwd: the fractional backward (and its edge kernel), 21 planes in chunks of
        // 16 (the grid's z).
        (
            vec![3, 7, 20, 24],
            Upsample::with_scale_factor([1.5], UpsampleMode::Bicubic),
        ),
        // Branch s10aab: the antialiased ×½ backward (window_x2_2, window_x2_4 and their edge
        // kernels), 21 planes in chunks.
        (
            vec![3, 7, 20, 48],
            Upsample::with_scale_factor([0.5], UpsampleMode::Bilinear).antialias(true),
        ),
        (
            vec![3, 7, 24, 48],
            Upsample::with_scale_factor([0.5], UpsampleMode::Bicubic).antialias(true),
        ),
        // Branch s10lzb: the lanczos ×2 backward (interior and edge threads), 21 planes in
        // chunks.
        (
            vec![3, 7, 20, 48],
            Upsample::with_scale_factor([2.0], UpsampleMode::Lanczos).antialias(true),
        ),
    ] {
        let out = up.output_shape(&shape).unwrap();
        if up.mode == UpsampleMode::Lanczos {
            let kernels = up.backward(&shape).unwrap().gpu_kernels(&small, &out);
            assert_eq!(
                kernels.unwrap(),
                ["window_x2_backward_12", "window_x2_backward_12_edge"]
            );
        } else if up.antialias && shape[3] == 48 {
            let kernels = up
                .backward(&shape)
                .unwrap()
                .gpu_kernels(&small, &out)
                .unwrap();
            assert!(kernels[0].starts_with("window_x2_"), "{kernels:?}");
        }
        let g = random_tensor(&mut rng, &out);
        let want = up.backward_cpu(&shape, &g).unwrap();
        let got = small
            .download(
                &up.backward_gpu(&small, &shape, &small.upload(&g).unwrap())
                    .unwrap(),
            )
            .unwrap();
        common::check_close(got.data(), want.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?}: {e}"));
    }
}

/// The golden ×2 cases (and the non-finite ×2 ones) take the ×2 backward kernels, so the checks
/// above cover them.
#[test]
fn golden_x2_cases_run_the_x2_backward_kernels() {
    let ctx = common::gpu();
    let g = golden();
    let mut x2 = 0;
    for c in &g.cases {
        let kernels = backward_kernels(ctx, c);
        let fast = kernels.iter().any(|k| k.starts_with("x2_backward"));
        // A 5-D trilinear with the depth kept takes the general path (its kept axis adds
        // PyTorch's zero-weight taps).
        let kept_linear_depth = c.name.contains("trilinear") && c.name.contains("sfL1.0x");
        if c.name.starts_with("bwd_x2") && !kept_linear_depth {
            assert!(fast, "{}: {kernels:?}", c.name);
        }
        x2 += fast as usize;
    }
    assert!(
        x2 >= 30,
        "only {x2} golden cases run the x2 backward kernels"
    );
}

/// The golden `periodic` cases' forward and backward take the periodic window pass along w
/// (window_w4p) or, both axes changed, the fused window pass (window_wh; lanczos ×2:
/// window_x2_6, its backward window_x2_backward_12; the antialiased ×½ backwards:
/// window_x2_T), so the checks above cover them; the backwards of bilinear and bicubic
/// antialiased ×½ (`aa_periodic_*`, `aa_x2bwd_*`) take window_x2_2 and window_x2_4, their
/// interior threads' kernels and their edge threads'.
#[test]
fn golden_periodic_cases_run_window_w4p() {
    let ctx = common::gpu();
    let g = golden();
    let mut n = 0;
    let mut seen = std::collections::BTreeMap::new();
    let mut backwards = std::collections::BTreeSet::new();
    let mut x2 = std::collections::BTreeMap::new();
    let periodic = |name: &str| name.contains("periodic") || name.contains("aa_x2bwd");
    for c in g.cases.iter().filter(|c| periodic(&c.name)) {
        let up = c.options.upsample().unwrap().expect("a valid case");
        let forward = up.gpu_kernels(ctx, &c.input_shape).unwrap();
        let backward = backward_kernels(ctx, c);
        backwards.extend(backward.iter().copied());
        for kernels in [&forward, &backward] {
            let w4p = kernels.iter().any(|k| k.starts_with("window_w4p_"));
            let wh = kernels
                .iter()
                .any(|k| k.starts_with("window_wh_") || k.starts_with("window_x2_"));
            assert!(w4p || wh, "{}: {kernels:?}", c.name);
            *seen.entry((w4p, wh)).or_insert(0) += 1;
        }
        for k in backward.iter().filter(|k| k.starts_with("window_x2_")) {
            *x2.entry(*k).or_insert(0) += 1;
        }
        n += 1;
    }
    assert!(n >= 4, "only {n} periodic golden cases");
    assert!(seen.len() >= 2, "{seen:?}");
    // Antialias ×1/2's backward, rows wide enough: the taps-only sums (bilinear, bicubic).
    for k in ["window_wh_2_t4_half2", "window_wh_2_t4_half4"] {
        assert!(
            backwards.contains(k),
            "no golden backward runs {k}: {backwards:?}"
        );
    }
    for k in [
        "window_x2_2",
        "window_x2_2_edge",
        "window_x2_4",
        "window_x2_4_edge",
    ] {
        assert!(x2.contains_key(k), "no golden backward runs {k}: {x2:?}");
    }
}

/// Branch s10lzb: the golden lanczos ×2 cases of widths a multiple of 4 take the fused ×2
/// backward (`window_x2_backward_12_edge`; `lz_x2` 12×40 interior threads and rows too,
/// `window_x2_backward_12`), so the PyTorch checks above cover it.
#[test]
fn golden_lanczos_x2_cases_run_the_x2_window_backward() {
    let ctx = common::gpu();
    let g = golden();
    let (mut names, mut interior) = (Vec::new(), Vec::new());
    for c in g.cases.iter().filter(|c| c.name.contains("lanczos")) {
        let kernels = backward_kernels(ctx, c);
        if kernels.last() == Some(&"window_x2_backward_12_edge") {
            names.push(c.name.as_str());
            if kernels[0] == "window_x2_backward_12" {
                interior.push(c.name.as_str());
            }
        }
    }
    eprintln!("golden cases on the x2 window backward: {names:?}, interior threads: {interior:?}");
    assert!(names.len() >= 3, "{names:?}");
    assert!(interior.iter().any(|n| n.contains("lz_x2")), "{interior:?}");
}

/// An area upsample to a size of 0 along H or D: grad_output is empty, grad_input all zeros (the
/// GPU backward once panicked on the empty intermediate of its first pass).
#[test]
fn area_backward_from_an_empty_grad_output_is_zeros() {
    let ctx = common::gpu();
    for (size, input) in [
        (vec![0, 3], vec![2, 3, 4, 5]),
        (vec![0, 0], vec![1, 1, 1, 1]),
        (vec![2, 0, 3], vec![1, 2, 3, 4, 5]),
        (vec![0, 2, 3], vec![1, 2, 3, 4, 5]),
    ] {
        let up = Upsample::with_size(&*size, UpsampleMode::Area);
        let back = up.backward(&input).unwrap();
        let out = up.output_shape(&input).unwrap();
        let gy = Tensor::zeros(&out).unwrap();
        let cpu = back.forward_cpu(&gy).unwrap();
        // A caller's grad_input that held something: every element must be overwritten.
        let gx = ctx
            .upload(&Tensor::from_fn(&input, |_| f32::NAN).unwrap())
            .unwrap();
        let mut encoder = ctx.encoder("area backward, empty grad_output");
        back.encode_gpu(ctx, &mut encoder, &ctx.upload(&gy).unwrap(), &gx)
            .unwrap();
        ctx.queue().submit([encoder.finish()]);
        let gpu = ctx.download(&gx).unwrap();
        assert_eq!(cpu.shape(), input.as_slice());
        assert!(
            cpu.data().iter().all(|&v| v == 0.0),
            "CPU {size:?} {input:?}"
        );
        assert!(
            gpu.data().iter().all(|&v| v == 0.0),
            "GPU {size:?} {input:?}"
        );
    }
}

/// The direct backward kernels (every input at most one grad_output term per axis: integer
/// downsampling without overlap, nearest by any factor), the block kernels (nearest and area
/// upsampled by an integer factor), the linear backward (linear and bilinear upsampled by an
/// integer factor along w) and area ×2 (nearest's ×2 backward) with a
/// NaN or inf at every position of grad_output, against the CPU; and the golden cases that take
/// them.
/// For each `(upsample, input spatial shape, kernel)`: asserts `routes(kernels, kernel)` on the
/// backward's GPU kernels, then checks the GPU against the CPU reference with a NaN, +inf or
/// -inf at every position of grad_output (as many planes as grad_output has elements: plane c
/// holds its bad value at element c), NaN for NaN and inf for inf.
fn nonfinite_at_every_position(
    ctx: &GpuContext,
    cases: impl IntoIterator<Item = (Upsample, Vec<usize>, &'static str)>,
    routes: impl Fn(&[&str], &str) -> bool,
) {
    let mut failures = Vec::new();
    for (up, spatial, kernel) in cases {
        let out_spatial = up
            .output_shape(&[vec![1, 1], spatial.clone()].concat())
            .unwrap()[2..]
            .to_vec();
        let plane: usize = out_spatial.iter().product();
        let back = up
            .backward(&[vec![1, plane], spatial.clone()].concat())
            .unwrap();
        let shape = [vec![1, plane], out_spatial].concat();
        let kernels = back.gpu_kernels(ctx, &shape).unwrap();
        assert!(
            routes(&kernels, kernel),
            "{up:?} on {spatial:?}: want {kernel}, runs {kernels:?}"
        );
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut rng = StdRng::seed_from_u64(plane as u64);
            let g = Tensor::from_fn(&shape, |i| {
                if i / plane % plane == i % plane {
                    bad
                } else {
                    rng.random_range(-2.0f32..2.0)
                }
            })
            .unwrap();
            let want = back.forward_cpu(&g).unwrap();
            let got = ctx
                .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
                .unwrap();
            if let Err(e) = common::check_close_nonfinite(got.data(), want.data(), 1e-5) {
                failures.push(format!("{up:?} on {spatial:?}, {bad}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn direct_backward_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let sf = |f: f64, mode| Upsample::with_scale_factor([f], mode);
    let cases = [
        (sf(0.5, Nearest), vec![8, 16], "factor_backward_x2"),
        (sf(0.5, NearestExact), vec![8, 16], "factor_backward_x2"),
        (sf(0.5, Bilinear), vec![9, 16], "factor_backward_x2"),
        (sf(0.5, Area), vec![8, 16], "factor_backward_x2"),
        (sf(1.0 / 3.0, Area), vec![9, 12], "factor_backward_x3"),
        (sf(1.0 / 3.0, Bilinear), vec![9, 12], "factor_backward_x3"),
        (sf(0.25, Nearest), vec![8, 16], "factor_backward_x4"),
        (
            Upsample::with_scale_factor(vec![0.5, 1.0], Nearest),
            vec![7, 16],
            "factor_backward_x1",
        ),
        (sf(0.5, Trilinear), vec![5, 4, 16], "factor_backward_x2"),
        (sf(0.5, Linear), vec![64], "factor_backward_x2"),
        (sf(0.5, Linear), vec![67], "direct_backward"),
        (sf(0.5, Nearest), vec![4, 5], "direct_backward"),
        (sf(0.5, Bilinear), vec![5, 12], "direct_backward"),
        (sf(0.5, Area), vec![4, 6], "direct_backward"),
        (sf(0.6, Nearest), vec![5, 10], "direct_backward"),
        (sf(0.2, Nearest), vec![5, 10], "direct_backward"),
        (sf(2.0, Area), vec![5, 8], "x2_backward_nearest"),
        (sf(2.0, Area), vec![3, 2, 4], "x2_backward_rows_nearest"),
        (sf(3.0, Nearest), vec![5, 8], "block_backward_x3"),
        (sf(3.0, NearestExact), vec![3, 8], "block_backward_x3"),
        (sf(4.0, Nearest), vec![3, 4], "block_backward_x4"),
        (sf(3.0, Area), vec![2, 8], "block_backward_x3"),
        (sf(3.0, Nearest), vec![2, 3, 4], "block_backward_x3"),
        (sf(4.0, Nearest), vec![12], "block_backward_x4"),
        (
            Upsample::with_scale_factor(vec![1.0, 2.0], Nearest),
            vec![3, 8],
            "block_backward_x2",
        ),
        (
            Upsample::with_scale_factor(vec![3.0, 1.0], Area),
            vec![3, 8],
            "block_backward_x1",
        ),
        (sf(3.0, Bilinear), vec![5, 8], "linear_backward_x3"),
        (sf(4.0, Bilinear), vec![3, 4], "linear_backward_x4"),
        (sf(2.0, Linear), vec![12], "linear_backward_rows_inner_x2"),
        (sf(4.0, Linear), vec![8], "linear_backward_rows_x4"),
        (
            sf(3.0, Bilinear).align_corners(true),
            vec![3, 8],
            "linear_backward_x3",
        ),
        (
            Upsample::with_scale_factor(vec![1.5, 2.0], Bilinear),
            vec![4, 8],
            "linear_backward_x2",
        ),
        (
            Upsample::with_scale_factor(vec![1.0, 3.0], Bilinear),
            vec![3, 4],
            "linear_backward_x3",
        ),
        // Wider: the interior threads' kernel first, then the edges'.
        (sf(3.0, Bilinear), vec![3, 16], "linear_backward_inner_x3"),
        (sf(4.0, Bilinear), vec![2, 12], "linear_backward_inner_x4"),
        (
            sf(3.0, Linear).align_corners(true),
            vec![16],
            "linear_backward_rows_x3",
        ),
        (sf(3.0, Linear), vec![20], "linear_backward_rows_inner_x3"),
    ];
    nonfinite_at_every_position(ctx, cases, |kernels, kernel| kernels[0] == kernel);
    // The golden cases that take them (so the PyTorch checks above cover them), and the vec4
    // window pass along h (window_h4u, rows a multiple of 4).
    let g = golden();
    let mut count = std::collections::BTreeMap::new();
    for c in &g.cases {
        let kernels = backward_kernels(ctx, c);
        let ours = |k: &&&str| {
            ["direct", "factor", "block", "linear_backward"]
                .iter()
                .any(|n| k.contains(n))
        };
        if let Some(k) = kernels.first().filter(ours) {
            *count.entry(*k).or_insert(0) += 1;
        }
        for k in [
            "window_h4u",
            "window_h4_indexed",
            "window_w4_2",
            "window_w4_4",
            "window_w4_8",
            "window_w4_2_indexed",
            "window_w4_4_indexed",
            "window_w4_8_indexed",
        ] {
            *count.entry(k).or_insert(0) += kernels.contains(&k) as usize;
        }
        let area_x2 = c.name.contains("area")
            && kernels
                .first()
                .is_some_and(|k| k.starts_with("x2_backward"));
        *count.entry("area x2").or_insert(0) += area_x2 as usize;
    }
    eprintln!("golden cases per direct backward kernel: {count:?}");
    for k in [
        "direct_backward",
        "factor_backward_x1",
        "factor_backward_x2",
        "factor_backward_x3",
        "factor_backward_x4",
        "block_backward_x2",
        "block_backward_x3",
        "block_backward_x4",
        "linear_backward_x2",
        "linear_backward_x3",
        "linear_backward_x4",
        "linear_backward_rows_x2",
        "linear_backward_rows_x3",
        "linear_backward_rows_x4",
        "linear_backward_inner_x3",
        "linear_backward_inner_x4",
        "linear_backward_rows_inner_x2",
        "area x2",
        "window_h4u",
        // The golden shapes are small: the least span (the other spans' entry points run the
        // same function, checked against the CPU in upsample_random.rs).
        "window_w4_2",
        "window_h4_indexed",
        "window_w4_2_indexed",
    ] {
        assert!(count.get(k).copied().unwrap_or(0) > 0, "{k}: {count:?}");
    }
}

/// Branch fracbwd: the fractional backward (`fractional_backward_*`: bilinear and bicubic
/// upsampled by any scale, widths multiples of 4) against the CPU on random shapes — scales
/// and sizes per axis, align_corners both ways, batch and channels past 1, heights past one
/// block of rows — bitwise (the same terms in the same order) and repeatable; most cases take
/// the kernel (checked; integer factors along w the linear backward), with the edge kernel
/// where a border lane reads a column twice.
#[test]
fn fractional_backward_kernels_match_cpu_bitwise_on_random_shapes() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(1513);
    let mut routed = std::collections::BTreeMap::new();
    for i in 0..64 {
        let mode = [Bilinear, Bicubic][i % 2];
        let w = 4 * rng.random_range(1..=12);
        let h = rng.random_range(1..=40);
        let planes = [rng.random_range(1..=2), rng.random_range(1..=3)];
        // Bicubic reads 4 rows an output: up to about ×2 its 8 held rows hold an input row's.
        let scales = match mode {
            Bilinear => [1.25, 1.5, 1.75, 2.5, 1.0, 3.3],
            _ => [1.25, 1.5, 1.75, 1.2, 1.0, 1.9],
        };
        let mut up = match rng.random_range(0..3) {
            0 => Upsample::with_scale_factor([scales[rng.random_range(0..4)]], mode),
            1 => Upsample::with_scale_factor(
                vec![
                    scales[rng.random_range(0..6)],
                    scales[rng.random_range(0..4)],
                ],
                mode,
            ),
            _ => Upsample::with_size(
                [
                    h + rng.random_range(0..=h * 9 / 10),
                    w + 4 * rng.random_range(1..=w / 5 + 1),
                ],
                mode,
            ),
        };
        up = up.align_corners(rng.random_bool(0.3));
        let shape = vec![planes[0], planes[1], h, w];
        let out_shape = up.output_shape(&shape).unwrap();
        if out_shape[3] % 4 != 0 {
            continue;
        }
        let back = up.backward(&shape).unwrap();
        let kernels = back.gpu_kernels(ctx, &out_shape).unwrap();
        // An integer factor along w (or ×2) takes the linear or ×2 backward: never the window
        // passes.
        assert!(
            kernels.iter().all(|k| !k.starts_with("window")),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        for k in &kernels {
            *routed.entry(*k).or_insert(0) += 1;
        }
        let g = random_tensor(&mut rng, &out_shape);
        let cpu = back.forward_cpu(&g).unwrap();
        let gg = ctx.upload(&g).unwrap();
        let first = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        let again = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        common::check_close(first.data(), cpu.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?} ({kernels:?}): {e}"));
        let bits = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(
            bits(first.data(), cpu.data()),
            "{up:?} on {shape:?} ({kernels:?}): not bitwise the CPU's"
        );
        assert!(
            bits(first.data(), again.data()),
            "{up:?} on {shape:?}: not repeatable"
        );
    }
    eprintln!("fractional backward kernels run: {routed:?}");
    let ours: usize = routed
        .iter()
        .filter(|(k, _)| !k.contains("edge") && k.starts_with("fractional_backward_"))
        .map(|(_, n)| n)
        .sum();
    assert!(ours >= 30, "{routed:?}");
    for k in [
        "fractional_backward_edge_4",
        "fractional_backward_edge_8",
        "fractional_backward_edge_4_t4",
        "fractional_backward_x1_5_4",
        "fractional_backward_x1_5_cubic_8",
        "fractional_backward_edge_8_t8",
    ] {
        assert!(routed.get(k).copied().unwrap_or(0) > 0, "{k}: {routed:?}");
    }
}

/// Branch fracbwd: the fractional backward past 1024 input rows (its rows' table then in the
/// storage tables, not the uniform array), bitwise the CPU's; branch s10fb: also bilinear ×1.5's
/// static-tap kernel (many blocks of rows); branch s10fc: bicubic's.
#[test]
fn fractional_backward_of_a_tall_input_matches_cpu() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(1100);
    for (mode, h, w, kernel) in [
        (UpsampleMode::Bilinear, 1100, 8, "fractional_backward_"),
        (UpsampleMode::Bicubic, 1100, 8, "fractional_backward_"),
        (
            UpsampleMode::Bilinear,
            1100,
            32,
            "fractional_backward_x1_5_4",
        ),
        // Three blocks of rows, the rows' table in the uniform array.
        (
            UpsampleMode::Bilinear,
            150,
            48,
            "fractional_backward_x1_5_4",
        ),
        // Branch s10fc: bicubic ×1.5's static-tap kernel, both rows' tables.
        (
            UpsampleMode::Bicubic,
            1100,
            32,
            "fractional_backward_x1_5_cubic_8",
        ),
        (
            UpsampleMode::Bicubic,
            150,
            48,
            "fractional_backward_x1_5_cubic_8",
        ),
    ] {
        let up = Upsample::with_scale_factor([1.5], mode);
        let shape = [1, 2, h, w];
        let out = up.output_shape(&shape).unwrap();
        let back = up.backward(&shape).unwrap();
        let kernels = back.gpu_kernels(ctx, &out).unwrap();
        assert!(kernels[0].starts_with(kernel), "{kernels:?}");
        let g = random_tensor(&mut rng, &out);
        let want = back.forward_cpu(&g).unwrap();
        let got = ctx
            .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
            .unwrap();
        assert!(
            got.data()
                .iter()
                .zip(want.data())
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{mode:?}: not bitwise the CPU's"
        );
    }
}

/// Branch fracbwd: the fractional backward with a NaN or inf at every position of grad_output
/// (one plane per position), against the CPU, NaN for NaN, inf for inf.
#[test]
fn fractional_backward_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let sf = |f: Vec<f64>, mode| Upsample::with_scale_factor(f, mode);
    let cases = [
        (sf(vec![1.5], Bilinear), vec![4, 8], "fractional_backward_"),
        (sf(vec![1.5], Bicubic), vec![4, 8], "fractional_backward_"),
        (
            sf(vec![1.5], Bicubic).align_corners(true),
            vec![3, 16],
            "fractional_backward_",
        ),
        (
            sf(vec![1.0, 1.25], Bilinear),
            vec![3, 16],
            "fractional_backward_",
        ),
        (
            sf(vec![2.5, 1.5], Bilinear),
            vec![2, 8],
            "fractional_backward_",
        ),
        // Branch s10fb: bilinear ×1.5 along w's static-tap kernel (4 records: the middle 2 its
        // pattern, the ends the edge kernel's), align_corners both ways, held 4 and 8.
        (
            sf(vec![1.5], Bilinear),
            vec![3, 32],
            "fractional_backward_x1_5_4",
        ),
        (
            sf(vec![1.5], Bilinear).align_corners(true),
            vec![3, 32],
            "fractional_backward_x1_5_4",
        ),
        (
            sf(vec![2.5, 1.5], Bilinear),
            vec![2, 32],
            "fractional_backward_x1_5_8",
        ),
        // Branch s10fc: bicubic ×1.5 along w's static-tap kernel (the ends the edge kernel's),
        // held 8 and 4.
        (
            sf(vec![1.5], Bicubic),
            vec![6, 32],
            "fractional_backward_x1_5_cubic_8",
        ),
        (
            sf(vec![1.0, 1.5], Bicubic),
            vec![2, 40],
            "fractional_backward_x1_5_cubic_4",
        ),
    ];
    nonfinite_at_every_position(ctx, cases, |kernels, kernel| kernels[0].starts_with(kernel));
}

/// Branch fracbwd: the golden cases whose backward takes the fractional backward (so the
/// PyTorch checks above cover it), with its edge kernel.
#[test]
fn golden_fractional_cases_run_the_fractional_backward() {
    let ctx = common::gpu();
    let g = golden();
    let mut names = Vec::new();
    let mut edge = 0;
    let mut x1_5 = 0;
    let mut cubic = Vec::new();
    for c in &g.cases {
        let kernels = backward_kernels(ctx, c);
        if kernels
            .first()
            .is_some_and(|k| k.starts_with("fractional_backward_"))
        {
            names.push(c.name.as_str());
            edge += kernels.iter().any(|k| k.contains("edge")) as usize;
            x1_5 += kernels[0].starts_with("fractional_backward_x1_5") as usize;
            if kernels[0].starts_with("fractional_backward_x1_5_cubic") {
                cubic.push(c.name.as_str());
            }
        }
    }
    eprintln!("golden cases on the fractional backward: {names:?}");
    assert!(names.len() >= 4 && edge >= 2, "{names:?}");
    // Branch s10fb: bilinear ×1.5 along w's static-tap kernel (frac3's 56 wide case).
    assert!(x1_5 >= 1, "{names:?}");
    // Branch s10fc: bicubic ×1.5 along w's static-tap kernel (a frac3 case).
    eprintln!("golden cases on the bicubic x1.5 kernel: {cubic:?}");
    assert!(
        cubic
            .iter()
            .any(|n| n.contains("bicubic") && n.contains("sf1.5")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("nonfinite")),
        "no non-finite case: {names:?}"
    );
}

/// Branch s10aab: the backward of bilinear and bicubic antialiased ×½ (its transposed windows
/// an exact ×2 with 2 and 4 slots: `window_x2_2`, `window_x2_4`, `shaders/upsample/window_x2.wgsl`)
/// with a NaN or inf at every position of grad_output: interior threads and rows, the edge
/// threads alone (grad_output 8 wide), grad_output widths 8k and 8k + 4.
#[test]
fn antialias_half_backward_x2_kernels_match_cpu_with_a_nan_or_inf_at_every_position() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let aa = |mode| Upsample::with_scale_factor([0.5], mode).antialias(true);
    let cases = [
        (aa(Bilinear), vec![20, 80], "window_x2_2"),
        (aa(Bilinear), vec![14, 72], "window_x2_2"),
        (aa(Bilinear), vec![6, 16], "window_x2_2_edge"),
        (aa(Bicubic), vec![24, 80], "window_x2_4"),
        (aa(Bicubic), vec![18, 72], "window_x2_4"),
        (aa(Bicubic), vec![8, 16], "window_x2_4_edge"),
    ];
    nonfinite_at_every_position(ctx, cases, |kernels, kernel| {
        let edge = format!("{}_edge", kernel.trim_end_matches("_edge"));
        match kernel.ends_with("_edge") {
            true => kernels == [edge.as_str()],
            false => kernels == [kernel, edge.as_str()],
        }
    });
}

/// Branch s10aab: the antialiased ×½ backward's ×2 kernels against the CPU on random shapes
/// (batch and channels past 1, heights past one block of rows, odd heights, grad_output widths
/// 8k and 8k + 4): within RTOL, bitwise where the device does not fuse multiply-adds
/// (reported); every case takes the kernels (checked).
#[test]
fn antialias_half_backward_x2_kernels_match_cpu_on_random_shapes() {
    use UpsampleMode::*;
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x5a_ab);
    let mut bitwise = 0;
    for case in 0..24 {
        let mode = [Bilinear, Bicubic][case % 2];
        let up = Upsample::with_scale_factor([0.5], mode).antialias(true);
        let shape = [
            rng.random_range(1..=2),
            rng.random_range(1..=3),
            2 * rng.random_range(1..=80),
            8 * rng.random_range(1..=24),
        ];
        let out_shape = up.output_shape(&shape).unwrap();
        let kernels = up
            .backward(&shape)
            .unwrap()
            .gpu_kernels(ctx, &out_shape)
            .unwrap();
        let t = [2, 4][case % 2];
        let (inner, edge) = (format!("window_x2_{t}"), format!("window_x2_{t}_edge"));
        assert!(
            kernels == [inner.as_str(), edge.as_str()] || kernels == [edge.as_str()],
            "{up:?} on {shape:?}: {kernels:?}"
        );
        let g = random_tensor(&mut rng, &out_shape);
        let want = up.backward_cpu(&shape, &g).unwrap();
        let got = ctx
            .download(
                &up.backward_gpu(ctx, &shape, &ctx.upload(&g).unwrap())
                    .unwrap(),
            )
            .unwrap();
        bitwise += usize::from(got.data() == want.data());
        common::check_close(got.data(), want.data(), RTOL)
            .unwrap_or_else(|e| panic!("case {case}, {up:?} on {shape:?}: {e}"));
    }
    eprintln!("{bitwise} of 24 antialiased x1/2 backward cases bitwise the CPU's");
}

/// Branch s10lzb: the lanczos ×2 backward's fused kernel (`window_x2_backward_12`, its edge
/// threads' `window_x2_backward_12_edge`) against the CPU on random shapes — widths multiples
/// of 4 (the last thread with 4, 8 or 12 grad_inputs where not of 16), heights past one block of
/// rows, batch and channels past 1 — bitwise (the same terms in the same order) and
/// repeatable; every case takes the kernels (checked), most with interior threads.
#[test]
fn lanczos_x2_backward_kernel_matches_cpu_bitwise_on_random_shapes() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(1310);
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Lanczos).antialias(true);
    let mut interior = 0;
    for i in 0..24 {
        let w = 4 * rng.random_range(1..=40);
        let h = match i % 4 {
            0 => rng.random_range(65..=150),
            _ => rng.random_range(1..=40),
        };
        let shape = vec![rng.random_range(1..=2), rng.random_range(1..=3), h, w];
        let out_shape = up.output_shape(&shape).unwrap();
        let back = up.backward(&shape).unwrap();
        let kernels = back.gpu_kernels(ctx, &out_shape).unwrap();
        assert_eq!(
            kernels.last(),
            Some(&"window_x2_backward_12_edge"),
            "{shape:?}: {kernels:?}"
        );
        interior += (kernels[0] == "window_x2_backward_12") as usize;
        let g = random_tensor(&mut rng, &out_shape);
        let cpu = back.forward_cpu(&g).unwrap();
        let gg = ctx.upload(&g).unwrap();
        let first = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        let again = ctx.download(&back.forward_gpu(ctx, &gg).unwrap()).unwrap();
        common::check_close(first.data(), cpu.data(), 1e-5)
            .unwrap_or_else(|e| panic!("{shape:?} ({kernels:?}): {e}"));
        let bits = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(
            bits(first.data(), cpu.data()),
            "{shape:?} ({kernels:?}): not bitwise the CPU's"
        );
        assert!(
            bits(first.data(), again.data()),
            "{shape:?}: not repeatable"
        );
    }
    assert!(
        interior >= 12,
        "only {interior} cases with interior threads"
    );
}

/// Branch s10lzb: the lanczos ×2 backward's fused kernel with a NaN or inf at every position
/// of grad_output, against the CPU: edge threads alone, and interior threads and rows.
#[test]
fn lanczos_x2_backward_kernel_matches_cpu_with_a_nan_or_inf_at_every_position() {
    let ctx = common::gpu();
    let up = || Upsample::with_scale_factor([2.0], UpsampleMode::Lanczos).antialias(true);
    let cases = [
        (up(), vec![5, 8], "window_x2_backward_12_edge"),
        (up(), vec![12, 40], "window_x2_backward_12"),
        (up(), vec![11, 44], "window_x2_backward_12"),
    ];
    nonfinite_at_every_position(ctx, cases, |kernels, kernel| kernels[0] == kernel);
}
