//! The training comparison: a tiny run where every decoder learns.

mod common;

use std::path::Path;

use wgpu_upsample::{Adam, AdamOptions, Op, Tensor, Upsample, UpsampleMode};
use wgpu_upsample_tools::quality::Image;
use wgpu_upsample_tools::train::{
    DECODERS, Dataset, Rng, StepResult, TrainOptions, cpu_step, gpu_step, run,
};

#[test]
fn tiny_run_every_decoder_learns() {
    let ctx = common::gpu();
    let image = Image::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/astronaut.png"))
        .expect("the bundled photo");
    let options = TrainOptions {
        steps: 31,
        channels: 4,
        batch: 2,
        lr: 1e-2,
        seed: 3,
        patch: 8,
        log_every: 10,
        cpu_steps: 2,
        ..Default::default()
    };
    let report = run(ctx, &image, &options, |_| {}).expect("training runs");
    assert_eq!(report.decoders.len(), DECODERS.len());
    assert_eq!(report.baselines.len(), 2);
    assert_eq!(report.baseline_ssim.len(), 2);
    assert!(report.baseline_ssim.iter().all(|s| *s > 0.0 && *s <= 1.0));
    for (_, p) in &report.baselines {
        assert!(p.is_finite() && *p > 15.0, "baseline PSNR {p}");
    }
    for d in &report.decoders {
        assert!(d.params > 0, "{}: no parameters", d.key);
        let first = d.losses.first().expect("loss at step 0");
        let last = d.losses.last().expect("a last loss");
        assert_eq!(first.0, 0);
        assert_eq!(last.0, 30);
        assert!(
            last.1 < first.1,
            "{}: loss did not decrease: {:?}",
            d.key,
            d.losses
        );
        assert!(d.final_loss.is_finite());
        assert!(
            d.psnr.is_finite() && d.psnr > 0.0 && d.ssim > -1.0 && d.ssim <= 1.0,
            "{}: PSNR {}",
            d.key,
            d.psnr
        );
        assert!(d.ms_per_step.is_finite() && d.ms_per_step > 0.0);
        for c in [d.checkerboard_at_init, d.checkerboard_trained] {
            assert!(c.spread.is_finite() && c.spread >= 0.0, "{}: {c:?}", d.key);
        }
        assert!(
            d.cpu_ms_per_step
                .is_some_and(|ms| ms.is_finite() && ms > 0.0)
        );
    }
    let table = report.table();
    for d in &report.decoders {
        assert!(table.contains(&d.name), "{table}");
    }
    assert!(table.contains("CPU ms/step"), "{table}");
    assert!(
        table.contains("bicubic") && table.contains("bilinear"),
        "{table}"
    );
}

#[test]
fn bad_options_are_errors() {
    let parse = |a: &[&str]| TrainOptions::parse(a.iter().map(|s| s.to_string()));
    assert!(parse(&["--steps", "x"]).is_err());
    assert!(parse(&["--steps"]).is_err());
    assert!(parse(&["--decoders", "a,z"]).is_err());
    assert!(parse(&["--lr", "-1"]).is_err());
    assert!(parse(&["--bogus"]).is_err());
    let o = parse(&["--steps=5", "--decoders", "e,a", "--channels", "8"])
        .unwrap()
        .unwrap();
    assert_eq!((o.steps, o.channels, o.cpu_steps), (5, 8, 0));
    assert_eq!(o.decoders, vec!['e', 'a']);
    let o = parse(&["--cpu-steps", "3"]).unwrap().unwrap();
    assert_eq!(o.cpu_steps, 3);
    assert!(parse(&["--cpu-steps", "-1"]).is_err());
    assert!(parse(&["--help"]).unwrap().is_none());
}

/// The largest `|got - want| / max(1, |want|)` over two tensors.
fn max_rel(got: &Tensor, want: &Tensor) -> f32 {
    assert_eq!(got.shape(), want.shape());
    got.data()
        .iter()
        .zip(want.data())
        .map(|(&g, &w)| {
            let d = (g - w).abs() / w.abs().max(1.0);
            if d.is_nan() { f32::INFINITY } else { d }
        })
        .fold(0.0, f32::max)
}

/// One GPU training step (the training loop's code) equals its CPU twin (the library's CPU
/// references), for every decoder: the loss, every parameter's gradient, every updated
/// parameter.
///
/// Tolerances: loss `1e-5` relative, gradients `1e-4 · max(1, |ref|)`, updated parameters
/// `1e-5 · max(1, |ref|)`, every element. On a first Adam step the update is
/// `-lr · g / (|g| + eps)`, about `-lr · sign(g)` whatever `|g|`, so a tiny gradient's small
/// absolute difference could move an update by up to `lr`; Adam alone is therefore also checked
/// (CPU Adam from the GPU's own gradients against the GPU's update), which separates an
/// optimizer error from that sensitivity. With this batch no element needed a wider tolerance.
#[test]
fn one_gpu_step_equals_the_cpu_step() {
    let ctx = common::gpu();
    let image = Image::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/astronaut.png"))
        .expect("the bundled photo");
    let o = TrainOptions {
        channels: 4,
        batch: 2,
        patch: 8,
        seed: 3,
        lr: 1e-2,
        ..Default::default()
    };
    let data = Dataset::new(&image).expect("a dataset");
    let mut rng = Rng::new(o.seed);
    let target = data.batch(&mut rng, o.batch, o.patch).expect("a batch");
    let input = Upsample::with_size([o.patch / 2, o.patch / 2], UpsampleMode::Area)
        .forward_cpu(&target)
        .expect("the input");
    let adam = Adam::new(AdamOptions {
        lr: o.lr,
        ..Default::default()
    })
    .expect("Adam");
    let mut failures = Vec::new();
    for (key, name) in DECODERS {
        let g: StepResult = gpu_step(ctx, key, &o, &input, &target).expect("the GPU step");
        let c: StepResult = cpu_step(key, &o, &input, &target).expect("the CPU step");
        assert_eq!(g.names, c.names, "{key}");
        assert_eq!(g.grads.len(), g.names.len());
        assert_eq!(c.params.len(), c.names.len());
        for (a, b) in g.before.iter().zip(&c.before) {
            assert_eq!(a.data(), b.data(), "{key}: the initial weights differ");
        }
        let loss_rel = (g.loss - c.loss).abs() / c.loss.abs();
        let grad_rel = g
            .grads
            .iter()
            .zip(&c.grads)
            .map(|(a, b)| max_rel(a, b))
            .fold(0.0, f32::max);
        let param_rel = g
            .params
            .iter()
            .zip(&c.params)
            .map(|(a, b)| max_rel(a, b))
            .fold(0.0, f32::max);
        // Every parameter moved (a first Adam step moves each by about lr where g != 0).
        for (p, p0) in c.params.iter().zip(&c.before) {
            let moved = max_rel(p, p0);
            assert!(moved > 0.1 * o.lr as f32, "{key}: a parameter did not move");
        }
        // Adam alone: CPU Adam from the GPU's gradients.
        let mut adam_rel = 0.0f32;
        for ((p0, gg), gp) in g.before.iter().zip(&g.grads).zip(&g.params) {
            let mut p = p0.clone();
            let mut st = adam.state_cpu(p.shape()).expect("state");
            adam.step_cpu(&mut st, &mut p, gg).expect("step");
            adam_rel = adam_rel.max(max_rel(gp, &p));
        }
        eprintln!(
            "{key} {name}: loss {:.6} rel diff {loss_rel:.2e}; grads max {grad_rel:.2e}; \
             params max {param_rel:.2e}; Adam from the same grads max {adam_rel:.2e}",
            c.loss
        );
        if loss_rel.is_nan() || loss_rel > 1e-5 {
            failures.push(format!("{key}: loss {} vs {}", g.loss, c.loss));
        }
        if grad_rel.is_nan() || grad_rel > 1e-4 {
            failures.push(format!("{key}: gradients differ by {grad_rel:e}"));
        }
        if adam_rel.is_nan() || adam_rel > 1e-5 {
            failures.push(format!("{key}: Adam from the same gradients: {adam_rel:e}"));
        }
        if param_rel.is_nan() || param_rel > 1e-5 {
            failures.push(format!("{key}: params differ by {param_rel:e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
