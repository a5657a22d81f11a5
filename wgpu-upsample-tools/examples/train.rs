//! The training comparison of decoders (x2 super-resolution) on the GPU: a table, the verdicts,
//! and a chart, a contact sheet and a page written to a folder it prints.
//!
//! `cargo run --release --example train -- [--steps N] [--channels C] [--batch B] [--patch P]
//! [--optimizer adam|sgd] [--lr LR] [--momentum M] [--schedule cosine|constant] [--seed S]
//! [--decoders a,b,..] [--log-every K] [--evals N] [--cpu-steps N] [--image PATH]
//! [--test-image PATH] [--out DIR] [--json]` (`--help` explains each).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use wgpu_upsample::GpuContext;
use wgpu_upsample_tools::train::{TrainOptions, USAGE, run, write_outputs};

fn main() -> ExitCode {
    env_logger::init();
    match main_inner() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main_inner() -> anyhow::Result<()> {
    let Some(options) = TrainOptions::parse(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let json = options.json;
    // With --json, stdout holds the JSON only.
    let say = |line: &str| {
        if json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let ctx = GpuContext::new()?;
    say(&format!("running on {}", ctx.describe()));
    let start = Instant::now();
    let report = run(&ctx, &options, say)?;
    let out = options.out.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/train-report")
    });
    let page = write_outputs(&report, &out)?;
    if json {
        println!("{}", report.to_json());
    } else {
        println!();
        print!("{}", report.table());
    }
    say(&format!(
        "\nchart, contact sheet, report.json: {} (open {})\ntotal {:.1} s",
        out.display(),
        page.display(),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}
