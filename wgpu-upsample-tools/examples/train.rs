//! The training comparison of decoders (x2 super-resolution) on the GPU.
//!
//! `cargo run --release -p wgpu-upsample-tools --example train -- [--steps N] [--channels C]
//! [--batch B] [--lr LR] [--seed S] [--decoders a,b,..] [--patch P] [--log-every K]
//! [--cpu-steps N]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use wgpu_upsample::GpuContext;
use wgpu_upsample_tools::quality::Image;
use wgpu_upsample_tools::train::{TrainOptions, USAGE, run};

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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/astronaut.png");
    let image = Image::load(&path)?;
    let ctx = GpuContext::new()?;
    println!("running on {}", ctx.describe());
    let start = Instant::now();
    let report = run(&ctx, &image, &options, |line| println!("{line}"))?;
    println!();
    print!("{}", report.table());
    println!("\ntotal {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
