//! The comparison tool (`cargo run --release --example compare`): every workload measured on the
//! GPU (kernel time, end-to-end time) and on the CPU reference, checked against each other, and
//! compared with the adapter's practical bandwidth limit (a plain vec4 copy kernel measured in the
//! same run).
//!
//! ```no_run
//! use wgpu_upsample::GpuContext;
//! use wgpu_upsample::compare::{Settings, Sizes, default_workloads, run};
//!
//! # fn main() -> wgpu_upsample::Result<()> {
//! let ctx = GpuContext::new()?;
//! let workloads = default_workloads(&Sizes::default());
//! let report = run(&ctx, &workloads, &Settings::default(), |line| eprintln!("{line}"))?;
//! print!("{}", report.to_text());
//! # Ok(()) }
//! ```

mod render;
mod workload;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use workload::{Sizes, Workload, WorkloadKind, default_workloads, select};

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::timing::{CopyBench, Timing, copy_bandwidth, median, time_gpu};
use crate::tensor::Tensor;

/// How many times each thing is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Timed GPU kernel iterations per workload (the median is reported); also used for the copy
    /// kernel.
    pub iterations: usize,
    /// Untimed GPU iterations before them (pipeline compilation, first-touch of buffers).
    pub warmup: usize,
    /// Timed runs of the CPU reference per workload.
    pub cpu_iterations: usize,
    /// Timed GPU end-to-end runs (upload, kernel, download) per workload.
    pub e2e_iterations: usize,
}

impl Default for Settings {
    /// 7 kernel iterations after 1 warm-up one, 3 CPU runs, 3 end-to-end runs (the default run
    /// of the example stays under a minute on a 2-core machine with lavapipe).
    fn default() -> Self {
        Settings {
            iterations: 7,
            warmup: 1,
            cpu_iterations: 3,
            e2e_iterations: 3,
        }
    }
}

/// The adapter the report was measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdapterSummary {
    /// Adapter name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub name: String,
    /// Backend, e.g. `Vulkan`, `Gl`.
    pub backend: String,
    /// Device type, e.g. `Cpu`, `DiscreteGpu`.
    pub device_type: String,
    /// Driver name and version.
    pub driver: String,
    /// Whether kernel times come from GPU timestamp queries (otherwise the wall clock).
    pub timestamps: bool,
    /// Nanoseconds per timestamp tick (0 without timestamps).
    pub timestamp_period_ns: f64,
}

impl AdapterSummary {
    /// Describes the adapter of `ctx`.
    pub fn of(ctx: &GpuContext) -> Self {
        let i = ctx.adapter_info();
        let driver = [i.driver.as_str(), i.driver_info.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let timestamps = ctx.has_timestamps();
        AdapterSummary {
            name: i.name.clone(),
            backend: format!("{:?}", i.backend),
            device_type: format!("{:?}", i.device_type),
            driver,
            timestamps,
            timestamp_period_ns: if timestamps {
                ctx.queue().get_timestamp_period() as f64
            } else {
                0.0
            },
        }
    }

    /// One line: name, backend, device type, driver, and how kernels are timed.
    pub fn line(&self) -> String {
        format!(
            "adapter: {} ({}, {}, {}); timestamps: {}",
            self.name,
            self.backend,
            self.device_type,
            if self.driver.is_empty() {
                "unknown driver"
            } else {
                &self.driver
            },
            if self.timestamps {
                format!("yes ({} ns/tick)", self.timestamp_period_ns)
            } else {
                "no (kernel times are submit→completion wall clock)".to_string()
            }
        )
    }
}

/// The copy kernel's measurement that serves as the adapter's bandwidth limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyLimit {
    /// Bytes copied (each read once and written once).
    pub bytes: u64,
    /// Median kernel time in milliseconds.
    pub median_ms: f64,
    /// Effective bandwidth, GB/s (10⁹ bytes/s) of bytes read + written.
    pub gb_per_s: f64,
    /// `"timestamps"` or `"wall-clock"`.
    pub timing: String,
}

impl From<&CopyBench> for CopyLimit {
    fn from(c: &CopyBench) -> Self {
        CopyLimit {
            bytes: c.bytes,
            median_ms: ms(c.timing.median),
            gb_per_s: c.gb_per_s(),
            timing: c.timing.source.name().to_string(),
        }
    }
}

/// One measured workload.
///
/// Times are in milliseconds. Serialised (`--json`) with these field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The workload's name.
    pub name: String,
    /// The op, e.g. `"Upsample"`.
    pub op: String,
    /// The op's parameters, PyTorch spelling.
    pub params: String,
    /// Input shape.
    pub input_shape: Vec<usize>,
    /// Output shape.
    pub output_shape: Vec<usize>,
    /// GPU kernel time: median of `kernel_samples` iterations.
    pub kernel_ms: f64,
    /// Fastest GPU kernel iteration.
    pub kernel_min_ms: f64,
    /// How the kernel was timed: `"timestamps"` (GPU timestamp queries around the compute pass)
    /// or `"wall-clock"` (submit to completion).
    pub kernel_timing: String,
    /// Timed kernel iterations.
    pub kernel_samples: usize,
    /// GPU end to end: upload the input, run the op (output allocated), download the output
    /// (median).
    pub e2e_ms: f64,
    /// The library's CPU reference (median).
    pub cpu_ms: f64,
    /// `cpu_ms / kernel_ms`.
    pub speedup: f64,
    /// `cpu_ms / e2e_ms`.
    pub speedup_e2e: f64,
    /// Bytes of GPU memory the op needs (input, output, tables, scratch).
    pub gpu_memory_bytes: u64,
    /// Bytes the kernel must read and write at least (input + output).
    pub bytes_moved: u64,
    /// Effective bandwidth: `bytes_moved / kernel time`, GB/s (10⁹ bytes/s).
    pub gb_per_s: f64,
    /// Time the copy kernel needs for the same bytes (`bytes_moved / 2` copied), measured in the
    /// same run.
    pub copy_ms: f64,
    /// `kernel_ms / copy_ms`: 1 means the kernel runs at the copy kernel's bandwidth, 3 means it
    /// takes three times as long as the copy would.
    pub ratio_to_copy: f64,
    /// Floating-point operations of one forward pass, for compute-bound ops (ConvTranspose);
    /// `null` for Upsample.
    pub flops: Option<u64>,
    /// Largest |GPU − CPU| over the output.
    pub max_abs_diff: f64,
}

/// The result of [`run`]: the adapter, its copy-kernel limit, and one row per workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The adapter measured.
    pub adapter: AdapterSummary,
    /// The copy kernel at the largest workload's size: the bandwidth limit quoted in the header.
    /// (Each row's `copy_ms` is measured at that row's own size.)
    pub copy: CopyLimit,
    /// The compute limit, FLOP/s, from the library's tiled GEMM kernel — for compute-bound rows
    /// (ConvTranspose). `None` until that kernel exists.
    pub gemm_flops_per_s: Option<f64>,
    /// How many times things were measured.
    pub settings: Settings,
    /// One row per workload, in the order given.
    pub rows: Vec<Row>,
}

impl Report {
    /// The copy-kernel bandwidth line, e.g. `copy kernel: 3.1 GB/s (64.0 MiB read + written, ...)`.
    pub fn limit_line(&self) -> String {
        let mut s = format!(
            "copy kernel (bandwidth limit): {:.2} GB/s ({} read + {} written in {} ms, {})",
            self.copy.gb_per_s,
            render::bytes(self.copy.bytes),
            render::bytes(self.copy.bytes),
            render::num(self.copy.median_ms),
            self.copy.timing,
        );
        match self.gemm_flops_per_s {
            Some(f) => s.push_str(&format!("; GEMM rate: {:.2} GFLOP/s", f / 1e9)),
            None => s.push_str("; GEMM rate: not measured yet"),
        }
        s
    }
}

/// Milliseconds of a duration.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A deterministic input with values in [-1, 1) (a 32-bit LCG; no extra dependency).
fn input_tensor(shape: &[usize]) -> Result<Tensor> {
    let mut state: u32 = 0x2545_f491;
    Tensor::from_fn(shape, |_| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    })
}

/// Measures `workloads` on `ctx` and on the CPU; `progress` gets one line per step (for stderr).
///
/// Per workload: the CPU reference (`settings.cpu_iterations` runs), the GPU kernel
/// ([`time_gpu`], `settings.iterations` after `settings.warmup`), end to end
/// (`settings.e2e_iterations` runs of upload + `forward_gpu` + download), the copy kernel for the
/// same bytes (cached per size), and the largest |GPU − CPU|.
pub fn run(
    ctx: &GpuContext,
    workloads: &[Workload],
    settings: &Settings,
    mut progress: impl FnMut(&str),
) -> Result<Report> {
    let adapter = AdapterSummary::of(ctx);
    let mut copies: HashMap<u64, CopyBench> = HashMap::new();
    let mut rows = Vec::with_capacity(workloads.len());
    for (i, w) in workloads.iter().enumerate() {
        progress(&format!(
            "[{}/{}] {} ({}) {:?}",
            i + 1,
            workloads.len(),
            w.name,
            w.params,
            w.input_shape
        ));
        let row = measure(ctx, w, settings, &mut copies).map_err(|e| match e {
            Error::Gpu(m) => Error::Gpu(format!("{}: {m}", w.name)),
            other => other,
        })?;
        rows.push(row);
    }
    let copy = copies
        .values()
        .max_by_key(|c| c.bytes)
        .map(CopyLimit::from)
        .map_or_else(
            || {
                // No workloads: still report the adapter's limit, at 16 MiB.
                copy_bandwidth(ctx, 16 << 20, settings.iterations, settings.warmup)
                    .map(|c| CopyLimit::from(&c))
            },
            Ok,
        )?;
    Ok(Report {
        adapter,
        copy,
        gemm_flops_per_s: None,
        settings: *settings,
        rows,
    })
}

fn measure(
    ctx: &GpuContext,
    w: &Workload,
    settings: &Settings,
    copies: &mut HashMap<u64, CopyBench>,
) -> Result<Row> {
    let kind = &w.kind;
    let input = input_tensor(&w.input_shape)?;
    let output_shape = kind.output_shape(&w.input_shape)?;

    // CPU reference.
    let mut cpu_times = Vec::new();
    let mut cpu_out = None;
    for _ in 0..settings.cpu_iterations.max(1) {
        let t0 = Instant::now();
        let y = kind.forward_cpu(&input)?;
        cpu_times.push(t0.elapsed());
        cpu_out = Some(y);
    }
    let cpu_out = cpu_out.expect("at least one CPU run");

    // GPU kernel alone.
    let g_in = ctx.upload(&input)?;
    let g_out = ctx.empty(&output_shape)?;
    let kernel: Timing = time_gpu(ctx, settings.iterations, settings.warmup, |encoder, ts| {
        kind.encode_gpu_timed(ctx, encoder, &g_in, &g_out, ts)
    })?;
    drop((g_in, g_out));

    // GPU end to end.
    let mut e2e_times = Vec::new();
    let mut gpu_out = None;
    for _ in 0..settings.e2e_iterations.max(1) {
        let t0 = Instant::now();
        let g = ctx.upload(&input)?;
        let y = kind.forward_gpu(ctx, &g)?;
        let host = ctx.download(&y)?;
        e2e_times.push(t0.elapsed());
        gpu_out = Some(host);
    }
    let gpu_out = gpu_out.expect("at least one end-to-end run");
    let max_abs_diff = gpu_out.max_abs_diff(&cpu_out)? as f64;

    // The copy kernel over the same bytes.
    let bytes_moved = kind.bytes_moved(&w.input_shape)?;
    let copy_bytes = (bytes_moved / 2).max(16).next_multiple_of(16);
    let copy = match copies.entry(copy_bytes) {
        Entry::Occupied(e) => e.into_mut(),
        Entry::Vacant(e) => e.insert(copy_bandwidth(
            ctx,
            copy_bytes,
            settings.iterations,
            settings.warmup,
        )?),
    };

    let kernel_ms = ms(kernel.median);
    let cpu_ms = ms(median(&cpu_times));
    let e2e_ms = ms(median(&e2e_times));
    let copy_ms = ms(copy.time_for(bytes_moved));
    Ok(Row {
        name: w.name.clone(),
        op: kind.op_name().to_string(),
        params: w.params.clone(),
        input_shape: w.input_shape.clone(),
        output_shape,
        kernel_ms,
        kernel_min_ms: ms(kernel.min),
        kernel_timing: kernel.source.name().to_string(),
        kernel_samples: kernel.samples.len(),
        e2e_ms,
        cpu_ms,
        speedup: cpu_ms / kernel_ms,
        speedup_e2e: cpu_ms / e2e_ms,
        gpu_memory_bytes: kind.gpu_memory_bytes(&w.input_shape)?,
        bytes_moved,
        gb_per_s: bytes_moved as f64 / (kernel_ms * 1e-3) / 1e9,
        copy_ms,
        ratio_to_copy: kernel_ms / copy_ms,
        flops: kind.flops(&w.input_shape),
        max_abs_diff,
    })
}
