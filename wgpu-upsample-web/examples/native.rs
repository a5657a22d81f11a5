//! The demo page's methods on a native adapter, for comparison with the browser: the same image
//! size, scale and timing (one warm-up, median of the timed runs).
//!
//! `cargo run --release -p wgpu-upsample-web --example native -- [SIZE] [SCALE] [ITERATIONS]`
//! (defaults 64 2 5; `WGPU_BACKEND=vulkan` picks lavapipe on a machine without a GPU). The image
//! is synthetic: kernel times do not depend on the pixels.

use wgpu_upsample::GpuContext;
use wgpu_upsample_web::{METHODS, methods};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let size = args.first().copied().unwrap_or(64);
    let scale = args.get(1).copied().unwrap_or(2);
    let iterations = args.get(2).copied().unwrap_or(5);
    let ctx = GpuContext::new()?;
    println!("{} (timestamps: {})", ctx.describe(), ctx.has_timestamps());
    let rgba: Vec<u8> = (0..size * size * 4).map(|i| (i * 37 % 251) as u8).collect();
    for method in METHODS {
        let run = pollster::block_on(methods::run(
            &ctx, method, &rgba, size, size, scale, iterations,
        ))?;
        println!(
            "{:<34} {:>4}x{:<4} {:9.3} ms ({})  max|GPU-CPU| {:.2e}  [{}]",
            method.name(),
            run.width,
            run.height,
            run.timing.median.as_secs_f64() * 1e3,
            run.timing.source,
            run.max_diff,
            run.kernels.join(", ")
        );
    }
    Ok(())
}
