//! Shared by the benches: the GPU context and criterion's `iter_custom` measured with timestamp
//! queries (kernel time only; submit-to-completion time where the adapter has no timestamps).

use std::time::Duration;

use wgpu_upsample::GpuContext;
use wgpu_upsample::gpu::timing::{MAX_TIMED_ITERATIONS, time_gpu};

pub fn gpu() -> GpuContext {
    let ctx = GpuContext::new().unwrap_or_else(|e| panic!("the benches need a GPU: {e}"));
    eprintln!(
        "benchmarking on {} (timestamps: {})",
        ctx.describe(),
        ctx.has_timestamps()
    );
    ctx
}

/// Total GPU time of `iters` runs of `record`, for `Bencher::iter_custom`.
pub fn gpu_time<F>(ctx: &GpuContext, iters: u64, mut record: F) -> Duration
where
    F: FnMut(
        &mut wgpu::CommandEncoder,
        Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> wgpu_upsample::Result<()>,
{
    let mut total = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(MAX_TIMED_ITERATIONS);
        let timing = time_gpu(ctx, n, 0, &mut record).expect("timed run");
        total += timing.samples.iter().sum::<Duration>();
        left -= n;
    }
    total
}
