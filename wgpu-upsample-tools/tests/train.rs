//! The training comparison: a tiny run where every decoder learns.

mod common;

use wgpu_upsample::{
    Adam, AdamOptions, Op, Sgd, SgdOptions, SgdState, Tensor, Upsample, UpsampleMode,
};
use wgpu_upsample_tools::quality::Image;
use wgpu_upsample_tools::train::{
    CHECKERBOARD_TOL, DECODERS, Dataset, OptimizerKind, Rng, StepResult, TrainOptions, cpu_step,
    gpu_step, run, write_outputs,
};

fn tiny() -> TrainOptions {
    TrainOptions {
        steps: 31,
        channels: 4,
        batch: 2,
        lr: 1e-2,
        seed: 3,
        patch: 8,
        log_every: 10,
        evals: 3,
        cpu_steps: 2,
        ..Default::default()
    }
}

#[test]
fn tiny_run_every_decoder_learns_and_the_report_is_consistent() {
    let ctx = common::gpu();
    let options = tiny();
    let report = run(ctx, &options, |_| {}).expect("training runs");
    assert_eq!(report.decoders.len(), DECODERS.len());
    assert_eq!(report.test_size, (192, 128));
    assert_eq!(report.train_size, (256, 256));
    assert_eq!(report.baselines.len(), 2);
    for b in &report.baselines {
        assert!(b.psnr.is_finite() && b.psnr > 15.0, "baseline {b:?}");
        assert!(b.ssim > 0.0 && b.ssim <= 1.0, "baseline {b:?}");
    }
    let bicubic = report.baselines[1].psnr;
    for d in &report.decoders {
        assert!(d.params > 0, "{}: no parameters", d.key);
        // Memory: f32 tensors; gradients as large as the parameters, Adam's state twice that.
        let m = d.memory;
        assert_eq!(m.parameters, 4 * d.params as u64, "{}", d.key);
        assert_eq!(m.gradients, m.parameters);
        assert_eq!(m.optimizer_state, 2 * m.parameters);
        assert!(m.activations > 0 && m.activation_gradients > 0);
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
        // The curve: one point per evaluation, the last after the last step, time going on.
        let steps: Vec<usize> = d.curve.iter().map(|p| p.step).collect();
        assert_eq!(steps, options.eval_steps());
        assert_eq!(*steps.last().unwrap(), options.steps);
        assert!(d.curve.windows(2).all(|w| w[1].seconds >= w[0].seconds));
        let end = d.curve.last().unwrap();
        assert_eq!((end.psnr, end.ssim), (d.psnr, d.ssim));
        assert!(
            d.psnr.is_finite() && d.psnr > 0.0 && d.ssim > -1.0 && d.ssim <= 1.0,
            "{}: PSNR {}",
            d.key,
            d.psnr
        );
        // Reaching bicubic is the first evaluation at or above it.
        let reached = d
            .curve
            .iter()
            .find(|p| p.psnr >= bicubic)
            .map(|p| (p.step, p.seconds));
        assert_eq!(d.reached_bicubic, reached);
        assert!(d.ms_per_step.is_finite() && d.ms_per_step > 0.0);
        if let Some(p) = d.phases {
            assert!(p.forward_ms > 0.0 && p.backward_ms > 0.0 && p.optimizer_ms > 0.0);
            assert_eq!(p.steps, options.steps - 1);
        }
        if ctx.device().features().contains(
            wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS,
        ) {
            assert!(d.phases.is_some(), "{}: no phase times", d.key);
        }
        for c in [d.checkerboard_at_init, d.checkerboard_trained] {
            assert!(c.spread.is_finite() && c.spread >= 0.0, "{}: {c:?}", d.key);
        }
        assert!(
            d.cpu_ms_per_step
                .is_some_and(|ms| ms.is_finite() && ms > 0.0)
        );
    }
    // The interpolation decoders start without a checkerboard, the transposed ones with one.
    for d in &report.decoders {
        let init = d.checkerboard_at_init.spread;
        match d.key {
            'a' | 'b' => assert!(init > CHECKERBOARD_TOL, "{}: {init}", d.key),
            'c' | 'd' | 'e' => assert!(init < 1e-6, "{}: {init}", d.key),
            _ => unreachable!(),
        }
    }
    // Every claim has a verdict (every decoder ran), consistent with the numbers.
    assert_eq!(report.verdicts.len(), 3);
    assert!(report.verdicts.iter().all(|c| c.verdict.is_some()));
    let best = report
        .decoders
        .iter()
        .map(|d| d.psnr)
        .fold(f64::MIN, f64::max);
    let best_base = report
        .baselines
        .iter()
        .map(|b| b.psnr)
        .fold(f64::MIN, f64::max);
    assert_eq!(report.verdicts[1].verdict, Some(best > best_base));
    let table = report.table();
    for d in &report.decoders {
        assert!(table.contains(&d.name), "{table}");
    }
    for c in &report.verdicts {
        assert!(table.contains(&c.claim), "{table}");
    }
    assert!(table.contains("CPU ms/step"), "{table}");
    assert!(
        table.contains("bicubic") && table.contains("bilinear"),
        "{table}"
    );
    // JSON: every decoder with its fields.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(json["decoders"].as_array().unwrap().len(), DECODERS.len());
    for key in [
        "memory",
        "curve",
        "psnr",
        "ssim",
        "phases",
        "checkerboard_trained",
        "ms_per_step",
    ] {
        assert!(json["decoders"][0].get(key).is_some(), "{key} missing");
    }
    assert_eq!(json["verdicts"].as_array().unwrap().len(), 3);
    // The files.
    let dir = std::env::temp_dir().join(format!("wgpu-upsample-train-{}", std::process::id()));
    let page = write_outputs(&report, &dir).expect("outputs written");
    assert!(page.exists());
    let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
    assert_eq!(svg.matches("<polyline").count(), 2 * DECODERS.len());
    let sheet = Image::load(dir.join("sheet.png")).expect("the contact sheet");
    assert!(
        sheet.width > 5 * 192 && sheet.height > 2 * 192,
        "{}x{}",
        sheet.width,
        sheet.height
    );
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(back, json);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_options_are_errors() {
    let parse = |a: &[&str]| TrainOptions::parse(a.iter().map(|s| s.to_string()));
    let err = |a: &[&str]| format!("{:#}", parse(a).expect_err("an error"));
    assert!(err(&["--steps", "x"]).contains("--steps"));
    assert!(err(&["--steps", "0"]).contains("--steps must be at least 1"));
    assert!(parse(&["--steps"]).is_err());
    assert!(err(&["--decoders", "a,z"]).contains("unknown decoder"));
    assert!(err(&["--decoders", ""]).contains("no decoder"));
    assert!(parse(&["--lr", "-1"]).is_err());
    assert!(parse(&["--lr", "nan"]).is_err());
    assert!(err(&["--optimizer", "lamb"]).contains("unknown optimizer"));
    assert!(err(&["--schedule", "step"]).contains("unknown schedule"));
    assert!(parse(&["--momentum", "1.5"]).is_err());
    assert!(parse(&["--patch", "130"]).is_err());
    assert!(parse(&["--patch", "10"]).is_err());
    assert!(parse(&["--evals", "0"]).is_err());
    assert!(parse(&["--steps", "4", "--evals", "5"]).is_err());
    assert!(err(&["--bogus"]).contains("unknown option"));
    let o = parse(&[
        "--steps=5",
        "--decoders",
        "e,a",
        "--channels",
        "8",
        "--evals",
        "2",
    ])
    .unwrap()
    .unwrap();
    assert_eq!((o.steps, o.channels, o.cpu_steps), (5, 8, 0));
    assert_eq!(o.decoders, vec!['e', 'a']);
    assert_eq!(o.eval_steps(), vec![3, 5]);
    let o = parse(&["--optimizer", "sgd", "--json", "--out", "x"])
        .unwrap()
        .unwrap();
    assert_eq!(o.optimizer, OptimizerKind::Sgd);
    assert_eq!(o.lr, OptimizerKind::Sgd.default_lr());
    assert!(o.json);
    let o = parse(&["--cpu-steps", "3"]).unwrap().unwrap();
    assert_eq!(o.cpu_steps, 3);
    assert!(parse(&["--cpu-steps", "-1"]).is_err());
    assert!(parse(&["--help"]).unwrap().is_none());
    // The cosine schedule: lr at step 0, lr/20 at the last step.
    let o = TrainOptions::default();
    assert_eq!(o.lr_at(0), o.lr);
    assert!((o.lr_at(o.steps - 1) - o.lr / 20.0).abs() < 1e-12);
}

#[test]
fn bad_images_are_errors() {
    let ctx = common::gpu();
    let o = |image: Option<&str>, test: Option<&str>, patch: usize| TrainOptions {
        steps: 2,
        evals: 1,
        patch,
        image: image.map(Into::into),
        test_image: test.map(Into::into),
        ..Default::default()
    };
    let missing = "/nonexistent/photo.png";
    let e = format!(
        "{:#}",
        run(ctx, &o(Some(missing), None, 8), |_| {}).unwrap_err()
    );
    assert!(
        e.contains("cannot read the training image") && e.contains(missing),
        "{e}"
    );
    let e = format!(
        "{:#}",
        run(ctx, &o(None, Some(missing), 8), |_| {}).unwrap_err()
    );
    assert!(e.contains("cannot read the test image"), "{e}");
    // Not an image.
    let e = format!(
        "{:#}",
        run(ctx, &o(Some(file!()), None, 8), |_| {}).unwrap_err()
    );
    assert!(e.contains("cannot read the training image"), "{e}");
    // A patch larger than the training image.
    let dir = std::env::temp_dir().join(format!("wgpu-upsample-small-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("small.png");
    Image::filled(40, 40, 3, 100.0).save(&small).unwrap();
    let e = format!(
        "{:#}",
        run(ctx, &o(small.to_str(), None, 64), |_| {}).unwrap_err()
    );
    assert!(e.contains("larger than the training image"), "{e}");
    // A test image too small to evaluate on.
    let tiny = dir.join("tiny.png");
    Image::filled(16, 16, 3, 100.0).save(&tiny).unwrap();
    let e = format!(
        "{:#}",
        run(ctx, &o(None, tiny.to_str(), 8), |_| {}).unwrap_err()
    );
    assert!(e.contains("the test image is 16x16"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
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
/// Both optimizers (Adam; SGD with momentum).
///
/// Tolerances: loss `1e-5` relative, gradients `1e-4 · max(1, |ref|)`, updated parameters
/// `1e-5 · max(1, |ref|)`, every element. On a first Adam step the update is
/// `-lr · g / (|g| + eps)`, about `-lr · sign(g)` whatever `|g|`, so a tiny gradient's small
/// absolute difference could move an update by up to `lr`; the optimizer alone is therefore also
/// checked (the CPU optimizer from the GPU's own gradients against the GPU's update), which
/// separates an optimizer error from that sensitivity. With this batch no element needed a wider
/// tolerance.
#[test]
fn one_gpu_step_equals_the_cpu_step() {
    let ctx = common::gpu();
    let mut failures = Vec::new();
    for kind in [OptimizerKind::Adam, OptimizerKind::Sgd] {
        let o = TrainOptions {
            channels: 4,
            batch: 2,
            patch: 8,
            seed: 3,
            optimizer: kind,
            lr: 1e-2,
            ..Default::default()
        };
        let data = Dataset::load(&o).expect("the bundled photos");
        let bias = data.train_mean();
        let mut rng = Rng::new(o.seed);
        let target = data.batch(&mut rng, o.batch, o.patch).expect("a batch");
        let input = Upsample::with_size([o.patch / 2, o.patch / 2], UpsampleMode::Area)
            .forward_cpu(&target)
            .expect("the input");
        // The optimizer alone, on the CPU.
        let step_alone = |p: &mut Tensor, g: &Tensor| match kind {
            OptimizerKind::Adam => {
                let adam = Adam::new(AdamOptions {
                    lr: o.lr,
                    ..Default::default()
                })
                .unwrap();
                let mut st = adam.state_cpu(p.shape()).unwrap();
                adam.step_cpu(&mut st, p, g).unwrap();
            }
            OptimizerKind::Sgd => {
                let sgd = Sgd::new(SgdOptions {
                    lr: o.lr,
                    momentum: o.momentum,
                    ..Default::default()
                })
                .unwrap();
                sgd.step_cpu(&mut SgdState::default(), p, g).unwrap();
            }
        };
        for (key, name) in DECODERS {
            let g: StepResult =
                gpu_step(ctx, key, &o, bias, &input, &target).expect("the GPU step");
            let c: StepResult = cpu_step(key, &o, bias, &input, &target).expect("the CPU step");
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
                let floor = match kind {
                    OptimizerKind::Adam => 0.1 * o.lr as f32,
                    OptimizerKind::Sgd => 0.0,
                };
                assert!(moved > floor, "{key}: a parameter did not move");
            }
            let mut alone_rel = 0.0f32;
            for ((p0, gg), gp) in g.before.iter().zip(&g.grads).zip(&g.params) {
                let mut p = p0.clone();
                step_alone(&mut p, gg);
                alone_rel = alone_rel.max(max_rel(gp, &p));
            }
            let opt = kind.name();
            eprintln!(
                "{opt} {key} {name}: loss {:.6} rel diff {loss_rel:.2e}; grads max \
                 {grad_rel:.2e}; params max {param_rel:.2e}; {opt} from the same grads max \
                 {alone_rel:.2e}",
                c.loss
            );
            if loss_rel.is_nan() || loss_rel > 1e-5 {
                failures.push(format!("{opt} {key}: loss {} vs {}", g.loss, c.loss));
            }
            if grad_rel.is_nan() || grad_rel > 1e-4 {
                failures.push(format!("{opt} {key}: gradients differ by {grad_rel:e}"));
            }
            if alone_rel.is_nan() || alone_rel > 1e-5 {
                failures.push(format!(
                    "{opt} {key}: from the same gradients: {alone_rel:e}"
                ));
            }
            if param_rel.is_nan() || param_rel > 1e-5 {
                failures.push(format!("{opt} {key}: params differ by {param_rel:e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
