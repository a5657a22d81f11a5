//! The training comparison: a tiny run where every decoder learns.

mod common;

use std::path::Path;

use wgpu_upsample_tools::quality::Image;
use wgpu_upsample_tools::train::{DECODERS, TrainOptions, run};

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
        ..Default::default()
    };
    let report = run(ctx, &image, &options, |_| {}).expect("training runs");
    assert_eq!(report.decoders.len(), DECODERS.len());
    assert_eq!(report.baselines.len(), 2);
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
            d.psnr.is_finite() && d.psnr > 0.0,
            "{}: PSNR {}",
            d.key,
            d.psnr
        );
        assert!(d.ms_per_step.is_finite() && d.ms_per_step > 0.0);
    }
    let table = report.table();
    for d in &report.decoders {
        assert!(table.contains(&d.name), "{table}");
    }
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
    assert_eq!((o.steps, o.channels), (5, 8));
    assert_eq!(o.decoders, vec!['e', 'a']);
    assert!(parse(&["--help"]).unwrap().is_none());
}
