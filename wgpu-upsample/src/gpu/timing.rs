//! Measuring GPU work: kernel times from timestamp queries (wall clock where the device has none).
//! The yardstick for memory-bound kernels is the [`CopyKernel`](crate::CopyKernel) moving the
//! same bytes, timed the same way.
//!
//! ```no_run
//! use wgpu_upsample::gpu::timing::time_gpu;
//! use wgpu_upsample::{CopyKernel, GpuContext, Op, Upsample, UpsampleMode};
//!
//! # fn main() -> wgpu_upsample::Result<()> {
//! let ctx = GpuContext::new()?;
//! let up = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
//! let input = ctx.empty(&[1, 16, 256, 256])?;
//! let output = ctx.empty(&up.output_shape(input.shape())?)?;
//! let t = time_gpu(&ctx, 10, 2, |encoder, ts| {
//!     up.encode_gpu_timed(&ctx, encoder, &input, &output, ts)
//! })?;
//! let (a, b) = (ctx.empty(&[2 * output.numel()])?, ctx.empty(&[2 * output.numel()])?);
//! let copy = time_gpu(&ctx, 10, 2, |encoder, ts| {
//!     CopyKernel.encode_gpu_timed(&ctx, encoder, &a, &b, ts)
//! })?;
//! println!("{:?} ({}), copy kernel {:?}", t.median, t.source, copy.median);
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;

// std::time::Instant panics on wasm32-unknown-unknown; web-time's reads `performance.now()`.
#[cfg(target_arch = "wasm32")]
use web_time::Instant;

use super::GpuContext;
use crate::error::{Error, Result};

/// Where the samples of a [`Timing`] come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimingSource {
    /// GPU timestamp queries written at the beginning and the end of the compute pass: the time
    /// the GPU spent in the pass, nothing else.
    Timestamps,
    /// Host wall clock from `queue.submit` until the device reports the work done (devices
    /// without `TIMESTAMP_QUERY`): includes submission and synchronisation overhead.
    WallClock,
}

impl TimingSource {
    /// `"timestamps"` or `"wall-clock"`.
    pub fn name(self) -> &'static str {
        match self {
            TimingSource::Timestamps => "timestamps",
            TimingSource::WallClock => "wall-clock",
        }
    }
}

impl fmt::Display for TimingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of timing some GPU work over several iterations.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Median of [`Timing::samples`].
    pub median: Duration,
    /// Smallest of [`Timing::samples`].
    pub min: Duration,
    /// One time per measured iteration (warm-up iterations excluded), in run order.
    pub samples: Vec<Duration>,
    /// Whether the samples are GPU timestamps or wall clock.
    pub source: TimingSource,
    /// Median wall clock from submit to completion of the same iterations (equal to
    /// [`Timing::median`] when the source is already the wall clock).
    pub wall_median: Duration,
}

impl Timing {
    /// Builds a timing from samples (at least one).
    fn from_samples(samples: Vec<Duration>, source: TimingSource, wall: &[Duration]) -> Self {
        Timing {
            median: median(&samples),
            min: samples.iter().copied().min().unwrap_or_default(),
            source,
            wall_median: median(wall),
            samples,
        }
    }
}

/// The median of `samples` (the mean of the two middle ones for an even count; zero when empty).
pub fn median(samples: &[Duration]) -> Duration {
    let mut s = samples.to_vec();
    s.sort();
    match s.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2,
    }
}

/// Largest number of measured iterations one [`time_gpu`] call accepts (two queries each, within
/// wgpu's `QUERY_SET_MAX_QUERIES`).
pub const MAX_TIMED_ITERATIONS: usize = (wgpu::QUERY_SET_MAX_QUERIES / 2) as usize;

/// Times GPU work: runs `warmup` untimed iterations, then `iterations` timed ones, and returns
/// the median, minimum and every sample.
///
/// `record` is called once per iteration with a fresh command encoder, which is then submitted on
/// its own and waited for before the next iteration starts. On a device with `TIMESTAMP_QUERY`
/// the timed iterations get `Some(timestamp_writes)` (beginning and end of pass in a query set
/// of this call), and `record` must hand them to **exactly one** compute pass — the work being
/// measured (e.g. [`Op::encode_gpu_timed`](crate::Op::encode_gpu_timed) of an [`Upsample`](crate::Upsample)). The
/// queries are resolved and read back at the end and converted to time with
/// `queue.get_timestamp_period()`. Without `TIMESTAMP_QUERY` (and during warm-up) `record` gets
/// `None` and the samples are the wall clock from submit to completion.
///
/// wgpu validation errors raised while recording are returned as [`Error::Gpu`].
///
/// This blocks between iterations, which the browser cannot do: there (wasm32) it returns
/// [`Error::Gpu`] saying so; use [`time_gpu_async`].
pub fn time_gpu<F>(ctx: &GpuContext, iterations: usize, warmup: usize, record: F) -> Result<Timing>
where
    F: FnMut(&mut wgpu::CommandEncoder, Option<wgpu::ComputePassTimestampWrites<'_>>) -> Result<()>,
{
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (ctx, iterations, warmup, record);
        Err(Error::Gpu(
            "time_gpu blocks, which the browser cannot do: use time_gpu_async".into(),
        ))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Every wait in the async version is a blocking device poll on native backends, so its
        // futures are ready whenever they are awaited.
        pollster::block_on(time_gpu_async(ctx, iterations, warmup, record))
    }
}

/// [`time_gpu`] without blocking: each iteration is awaited with [`GpuContext::wait_async`]
/// (the page's event loop in the browser, where the wall clock is `performance.now()`), and the
/// timestamps are read back with a mapped buffer that is awaited. Same arguments and result.
///
/// In the browser timestamps need the `timestamp-query` feature (Chrome may quantise them to
/// 100 µs); without it the samples are the wall clock from submit to the work-done promise.
pub async fn time_gpu_async<F>(
    ctx: &GpuContext,
    iterations: usize,
    warmup: usize,
    mut record: F,
) -> Result<Timing>
where
    F: FnMut(&mut wgpu::CommandEncoder, Option<wgpu::ComputePassTimestampWrites<'_>>) -> Result<()>,
{
    let iterations = iterations.max(1);
    if iterations > MAX_TIMED_ITERATIONS {
        return Err(Error::LimitExceeded(format!(
            "{iterations} timed iterations exceed the {MAX_TIMED_ITERATIONS} one query set holds"
        )));
    }
    // The whole measurement under the GL lock (re-entrant: the calls below take it again):
    // submissions, the readback's unmap and the release of the query set touch the GL context.
    // Declared first, dropped last.
    let _serial = ctx.serialise();
    let device = ctx.device();
    let queue = ctx.queue();
    let queries = if ctx.has_timestamps() {
        Some(Queries::new(ctx, 2 * iterations as u32)?)
    } else {
        None
    };
    let encoder = || {
        device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("wgpu-upsample timing"),
        })
    };

    for _ in 0..warmup {
        let commands = ctx.scoped(|| {
            let mut e = encoder();
            record(&mut e, None)?;
            Ok(e.finish())
        })?;
        queue.submit([commands]);
        ctx.wait_async().await?;
    }

    let mut wall = Vec::with_capacity(iterations);
    for i in 0..iterations as u32 {
        let writes = queries.as_ref().map(|q| wgpu::ComputePassTimestampWrites {
            query_set: &q.set,
            beginning_of_pass_write_index: Some(2 * i),
            end_of_pass_write_index: Some(2 * i + 1),
        });
        let commands = ctx.scoped(|| {
            let mut e = encoder();
            record(&mut e, writes)?;
            Ok(e.finish())
        })?;
        let t0 = Instant::now();
        queue.submit([commands]);
        ctx.wait_async().await?;
        wall.push(t0.elapsed());
    }

    if let Some(q) = &queries {
        match q.read(ctx).await? {
            Some(samples) => {
                return Ok(Timing::from_samples(
                    samples,
                    TimingSource::Timestamps,
                    &wall,
                ));
            }
            None => log::warn!(
                "timestamp queries gave no usable values; falling back to the wall clock"
            ),
        }
    }
    Ok(Timing::from_samples(
        wall.clone(),
        TimingSource::WallClock,
        &wall,
    ))
}

/// A timestamp query set with its resolve and readback buffers.
struct Queries {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    count: u32,
}

impl Queries {
    fn new(ctx: &GpuContext, count: u32) -> Result<Self> {
        let bytes = count as u64 * wgpu::QUERY_SIZE as u64;
        ctx.scoped(|| {
            let device = ctx.device();
            Ok(Queries {
                set: device.create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some("wgpu-upsample timing"),
                    ty: wgpu::QueryType::Timestamp,
                    count,
                }),
                resolve: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("wgpu-upsample timing resolve"),
                    size: bytes,
                    usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                }),
                readback: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("wgpu-upsample timing readback"),
                    size: bytes,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                count,
            })
        })
    }

    /// Resolves and reads the queries back: one duration per (begin, end) pair, or `None` when
    /// any pair is unusable (never written, or the end before the beginning).
    async fn read(&self, ctx: &GpuContext) -> Result<Option<Vec<Duration>>> {
        let bytes = self.count as u64 * wgpu::QUERY_SIZE as u64;
        let commands = ctx.scoped(|| {
            let mut e = ctx
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("wgpu-upsample timing resolve"),
                });
            e.resolve_query_set(&self.set, 0..self.count, &self.resolve, 0);
            e.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, bytes);
            Ok(e.finish())
        })?;
        ctx.queue().submit([commands]);
        let (sender, receiver) = futures_intrusive::channel::shared::oneshot_channel();
        self.readback.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = sender.send(r);
        });
        ctx.wait_async().await?;
        receiver
            .receive()
            .await
            .ok_or_else(|| Error::BufferMap("the map callback was dropped".into()))?
            .map_err(|e| Error::BufferMap(e.to_string()))?;
        let ticks: Vec<u64> = {
            let view = self
                .readback
                .get_mapped_range(..)
                .map_err(|e| Error::BufferMap(e.to_string()))?;
            view.chunks_exact(8)
                .map(|b| u64::from_ne_bytes(b.try_into().expect("8 bytes")))
                .collect()
        };
        self.readback.unmap();
        let period_ns = ctx.queue().get_timestamp_period() as f64;
        if period_ns <= 0.0 {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(ticks.len() / 2);
        for pair in ticks.chunks_exact(2) {
            let (begin, end) = (pair[0], pair[1]);
            if end < begin || (begin == 0 && end == 0) {
                return Ok(None);
            }
            out.push(Duration::from_secs_f64(
                (end - begin) as f64 * period_ns * 1e-9,
            ));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&[ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(&[]), Duration::ZERO);
    }
}
