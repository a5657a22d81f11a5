//! The bandwidth probe: the library's vec4 copy kernel ([`CopyKernel`]) timed over a number of
//! bytes — the adapter's practical memory-bandwidth limit, what memory-bound kernels are compared
//! with.

use std::time::Duration;

use wgpu_upsample::gpu::timing::{Timing, time_gpu};
use wgpu_upsample::{CopyKernel, GpuContext, Op};

/// The copy kernel measured for one size.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyBench {
    /// Bytes copied: read once and written once.
    pub bytes: u64,
    /// The copy kernel's time (see [`time_gpu`]).
    pub timing: Timing,
}

impl CopyBench {
    /// Bytes the kernel moves: `2 * bytes` (read + written).
    pub fn bytes_moved(&self) -> u64 {
        2 * self.bytes
    }

    /// Effective bandwidth in GB/s (10⁹ bytes per second): bytes read + written / median time.
    pub fn gb_per_s(&self) -> f64 {
        self.bytes_moved() as f64 / self.timing.median.as_secs_f64().max(1e-12) / 1e9
    }

    /// The time the copy kernel would need to move `bytes_moved` bytes (read + written) at the
    /// bandwidth measured here.
    pub fn time_for(&self, bytes_moved: u64) -> Duration {
        Duration::from_secs_f64(bytes_moved as f64 / (self.gb_per_s() * 1e9))
    }

    /// [`CopyBench::time_for`] at the bandwidth of the fastest run.
    pub fn min_time_for(&self, bytes_moved: u64) -> Duration {
        self.timing
            .min
            .mul_f64(bytes_moved as f64 / self.bytes_moved().max(1) as f64)
    }
}

/// Measures the copy kernel copying `bytes` bytes (rounded up to a multiple of 16) between two
/// fresh GPU tensors: `bytes` read + `bytes` written, median of `iterations` after `warmup`.
pub fn copy_bandwidth(
    ctx: &GpuContext,
    bytes: u64,
    iterations: usize,
    warmup: usize,
) -> wgpu_upsample::Result<CopyBench> {
    let bytes = bytes.max(16).next_multiple_of(16);
    let shape = [(bytes / 4) as usize];
    let (src, dst) = (ctx.empty(&shape)?, ctx.empty(&shape)?);
    let timing = time_gpu(ctx, iterations, warmup, |encoder, ts| {
        CopyKernel.encode_gpu_timed(ctx, encoder, &src, &dst, ts)
    })?;
    Ok(CopyBench { bytes, timing })
}
