//! The comparison tool (`cargo run --release --example compare`): every workload measured on the
//! GPU (kernel time, end-to-end time) and on the CPU reference, checked against each other, and
//! compared with the adapter's practical limits measured in the same run — the bandwidth of a
//! plain vec4 copy kernel, and for ConvTranspose2d the FLOP rate of the library's own GEMM
//! kernel (the subgroup core on CPU adapters, the workgroup-tiled kernel elsewhere) — followed by the seed's claims about Upsample vs ConvTranspose2d with a measured
//! verdict each ([`Claim`]).
//!
//! ```no_run
//! use wgpu_upsample::GpuContext;
//! use wgpu_upsample_tools::compare::{Settings, Sizes, default_workloads, run};
//!
//! # fn main() -> anyhow::Result<()> {
//! let ctx = GpuContext::new()?;
//! let workloads = default_workloads(&Sizes::default());
//! let report = run(&ctx, &workloads, &Settings::default(), |line| eprintln!("{line}"))?;
//! print!("{}", report.to_text());
//! # Ok(()) }
//! ```

mod render;
mod workload;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use workload::{Sizes, Workload, default_workloads, select};

use anyhow::{Context, Result};
use wgpu_upsample::gpu::timing::{Timing, median, time_gpu};
use wgpu_upsample::{
    ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, GpuContext, Op, Tensor,
};

use crate::bandwidth::{CopyBench, copy_bandwidth};

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
    /// of the example stays under two minutes on a 2-core machine with lavapipe).
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
        let driver = ctx.driver();
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

/// The GEMM kernel's measurement that serves as the adapter's compute limit: a ConvTranspose2d
/// with `kernel_size=1, stride=1`, no bias, forced to [`ConvTransposeKernel::Gemm`] — exactly one
/// GEMM of `M = C_out`, `N = H·W`, `K = C_in` through the library's GEMM kernel (the core
/// [`wgpu_upsample::GemmCore::of`] the context runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmLimit {
    /// GEMM rows (output channels).
    pub m: usize,
    /// GEMM columns (pixels).
    pub n: usize,
    /// GEMM depth (input channels).
    pub k: usize,
    /// FLOPs of one run, `2·M·N·K`.
    pub flops: u64,
    /// Median kernel time in milliseconds.
    pub median_ms: f64,
    /// Fastest kernel run in milliseconds.
    pub min_ms: f64,
    /// `flops / median time`, FLOP/s: the rate the rows' (median) kernel times are compared with.
    pub flops_per_s: f64,
    /// `"timestamps"` or `"wall-clock"`.
    pub timing: String,
}

/// burn-wgpu 0.22.1's `matmul` (cubecl 0.11.3, default features) on 1024³ f32, GFLOP/s, measured
/// on the development machine's lavapipe (2 cores, Mesa 22.3.6) in one process beside this
/// library (the scratch benchmark in wgpu-upsample's README, session 7's quiet run): the outside
/// reference the header quotes. Issue 13 had reported 7.1 for the same call.
pub const BURN_MATMUL_GFLOPS: f64 = 2.0;
/// PyTorch's CPU matmul on the same machine's two cores, GFLOP/s (about).
pub const TORCH_CPU_MATMUL_GFLOPS: f64 = 150.0;

/// The GEMM limit's default size: `M = N_ch`, `K = N_ch` channels on an `S×S` image (N = S²).
pub const GEMM_LIMIT_CHANNELS: usize = 256;
/// See [`GEMM_LIMIT_CHANNELS`].
pub const GEMM_LIMIT_SPATIAL: usize = 64;

/// Measures the library's GEMM kernel ([`GemmLimit`]) as a ConvTranspose2d
/// `channels → channels, kernel_size=1` on a `1×channels×spatial×spatial` input (a GEMM with
/// `M = K = channels`, `N = spatial²`): `iterations` timed runs after `warmup` (see [`time_gpu`]).
pub fn gemm_rate(
    ctx: &GpuContext,
    channels: usize,
    spatial: usize,
    iterations: usize,
    warmup: usize,
) -> Result<GemmLimit> {
    let opts = ConvTransposeOptions::new(2, channels, channels, [1]).bias(false);
    let layer = ConvTranspose::new(opts, 0)?.with_kernel(ConvTransposeKernel::Gemm);
    let shape = [1, channels, spatial, spatial];
    let g_in = ctx.upload(&input_tensor(&shape)?)?;
    let g_out = ctx.empty(&layer.output_shape(&shape)?)?;
    let timing = time_gpu(ctx, iterations, warmup, |encoder, ts| {
        layer.encode_gpu_timed(ctx, encoder, &g_in, &g_out, ts)
    })?;
    let flops = layer
        .flops(&shape)?
        .context("a ConvTranspose counts its FLOPs")?;
    Ok(GemmLimit {
        m: channels,
        n: spatial * spatial,
        k: channels,
        flops,
        median_ms: ms(timing.median),
        min_ms: ms(timing.min),
        flops_per_s: flops as f64 / timing.median.as_secs_f64().max(1e-12),
        timing: timing.source.name().to_string(),
    })
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
    /// (median). Each step waits for the GPU before the next starts, so a run's time is the sum
    /// of its steps.
    pub e2e_ms: f64,
    /// The op's share of the end-to-end runs: submission to completion of `forward_gpu`
    /// (median), including the output allocation and any bind-group creation. At most `e2e_ms`.
    pub e2e_op_ms: f64,
    /// The library's CPU reference (median).
    pub cpu_ms: f64,
    /// `cpu_ms / kernel_ms`.
    pub speedup: f64,
    /// `cpu_ms / e2e_ms`.
    pub speedup_e2e: f64,
    /// Bytes of GPU memory the op needs (input, output, tables, scratch; for ConvTranspose2d the
    /// weights as given, re-packed when the GEMM kernel runs, and the bias).
    pub gpu_memory_bytes: u64,
    /// Bytes the kernel must read and write at least (input + output, + weights and bias for
    /// ConvTranspose2d).
    pub bytes_moved: u64,
    /// Effective bandwidth: `bytes_moved / kernel time`, GB/s (10⁹ bytes/s).
    pub gb_per_s: f64,
    /// Time the copy kernel needs for the same bytes (`bytes_moved / 2` copied), measured in the
    /// same run.
    pub copy_ms: f64,
    /// `kernel_ms / copy_ms`: 1 means the kernel runs at the copy kernel's bandwidth, 3 means it
    /// takes three times as long as the copy would.
    pub ratio_to_copy: f64,
    /// The same ratio from each side's fastest run: `kernel_min_ms` ÷ the copy kernel's fastest
    /// time for the same bytes. On a shared machine (lavapipe on the CPU) the steadier of the two.
    pub ratio_to_copy_min: f64,
    /// Useful floating-point operations of one forward pass (zero taps excluded), for
    /// compute-bound ops (ConvTranspose2d); `null` for Upsample.
    pub flops: Option<u64>,
    /// Achieved rate, `flops / kernel time`, GFLOP/s (10⁹ FLOP/s); `null` for Upsample.
    pub gflop_per_s: Option<f64>,
    /// Time the GEMM limit ([`Report::gemm`]) needs for the same FLOPs: `flops / GEMM rate`;
    /// `null` for Upsample.
    pub gemm_ms: Option<f64>,
    /// `kernel_ms / gemm_ms`: 1 means the kernel runs at the GEMM kernel's FLOP rate; `null` for
    /// Upsample.
    pub ratio_to_gemm: Option<f64>,
    /// Learnable parameters (weight and bias elements); 0 for Upsample.
    pub parameters: u64,
    /// The GPU kernels the op ran, in order (WGSL entry points), e.g. `["x2_linear"]` or
    /// `["gemm"]`.
    pub kernels: Vec<String>,
    /// Largest |GPU − CPU| over the output.
    pub max_abs_diff: f64,
}

/// One of the seed's claims about Upsample vs ConvTranspose2d, with the measured verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The claim, e.g. `"Upsample is faster than ConvTranspose2d"`.
    pub claim: String,
    /// What is compared, e.g. `"kernel ms (median)"`.
    pub measure: String,
    /// `true` when every comparison holds, `false` when any does not, `null` when the rows
    /// measured allow none.
    pub verdict: Option<bool>,
    /// The comparisons the verdict rests on.
    pub comparisons: Vec<Comparison>,
    /// One line for people: the verdict's numbers, or why there is none.
    pub summary: String,
}

impl Claim {
    /// `"TRUE"`, `"FALSE"` or `"NOT MEASURED"`.
    pub fn verdict_word(&self) -> &'static str {
        match self.verdict {
            Some(true) => "TRUE",
            Some(false) => "FALSE",
            None => "NOT MEASURED",
        }
    }
}

/// One comparison behind a [`Claim`]: an Upsample row against a ConvTranspose2d row with the same
/// input and output shapes (or, for the parameter count, any ConvTranspose2d row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The Upsample row's name (`null` where the comparison needs no Upsample row).
    pub upsample: Option<String>,
    /// The ConvTranspose2d row's name.
    pub conv: String,
    /// The Upsample side's value (0 parameters where `upsample` is `null`).
    pub upsample_value: f64,
    /// The ConvTranspose2d side's value.
    pub conv_value: f64,
    /// Whether the claim holds for this pair.
    pub holds: bool,
}

/// The result of [`run`]: the adapter, its copy-kernel limit, and one row per workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The adapter measured.
    pub adapter: AdapterSummary,
    /// The copy kernel at the largest workload's size: the bandwidth limit quoted in the header.
    /// (Each row's `copy_ms` is measured at that row's own size.)
    pub copy: CopyLimit,
    /// The compute limit, FLOP/s, from the library's GEMM kernel ([`Report::gemm`]) — for
    /// compute-bound rows (ConvTranspose2d).
    pub gemm_flops_per_s: Option<f64>,
    /// The GEMM kernel's measurement behind `gemm_flops_per_s`.
    pub gemm: GemmLimit,
    /// How many times things were measured.
    pub settings: Settings,
    /// One row per workload, in the order given.
    pub rows: Vec<Row>,
    /// The seed's claims, each with a verdict from `rows` ([`claims`]).
    pub claims: Vec<Claim>,
}

impl Report {
    /// The copy-kernel bandwidth line, e.g. `copy kernel: 3.1 GB/s (64.0 MiB read + written, ...)`.
    pub fn limit_line(&self) -> String {
        format!(
            "copy kernel (bandwidth limit): {:.2} GB/s ({} read + {} written in {} ms, {})",
            self.copy.gb_per_s,
            render::bytes(self.copy.bytes),
            render::bytes(self.copy.bytes),
            render::num(self.copy.median_ms),
            self.copy.timing,
        )
    }

    /// The GEMM-rate line, e.g. `GEMM kernel (compute limit): 0.91 GFLOP/s (ConvTranspose2d
    /// 256→256, kernel_size=1 on 1×256×64×64 = GEMM M=256 N=4096 K=256: ...)`.
    pub fn gemm_line(&self) -> String {
        let (head, detail) = self.gemm_line_parts();
        format!("{head} ({detail})")
    }

    /// How the compute limit relates to outside references (the library's GEMM kernel is the
    /// subgroup core on CPU adapters, the workgroup-tiled kernel elsewhere), and what "× limit"
    /// means.
    pub fn gemm_reference_line(&self) -> String {
        format!(
            "compute limit = this library's GEMM kernel, not the hardware peak; for scale, on the \
             development machine's lavapipe (2 cores, Mesa 22.3.6; not measured in this run) \
             burn-wgpu 0.22's matmul (cubecl) ran 1024³ at {BURN_MATMUL_GFLOPS:.1} GFLOP/s (7.1 in \
             issue 13's report) and \
             PyTorch's CPU matmul at ~{TORCH_CPU_MATMUL_GFLOPS} GFLOP/s. × limit = a row's GPU \
             time / the time this GEMM kernel needs for the row's FLOPs"
        )
    }

    /// [`Report::gemm_line`] in two parts: the rate, and what was measured.
    pub(crate) fn gemm_line_parts(&self) -> (String, String) {
        let g = &self.gemm;
        (
            format!(
                "GEMM kernel (compute limit): {:.2} GFLOP/s",
                g.flops_per_s / 1e9
            ),
            format!(
                "ConvTranspose2d {}→{}, kernel_size=1 on 1×{}×{} = GEMM M={} N={} K={}: {:.3} \
                 GFLOP in {} ms, fastest run {:.2} GFLOP/s, {}",
                g.k,
                g.m,
                g.k,
                spatial_label(g.n),
                g.m,
                g.n,
                g.k,
                g.flops as f64 / 1e9,
                render::num(g.median_ms),
                g.flops as f64 / g.min_ms / 1e6,
                g.timing,
            ),
        )
    }
}

/// `S×S` for a square pixel count, else the count.
fn spatial_label(n: usize) -> String {
    let s = n.isqrt();
    if s * s == n {
        format!("{s}×{s}")
    } else {
        n.to_string()
    }
}

/// Milliseconds of a duration.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A deterministic input with values in [-1, 1) (a 32-bit LCG; no extra dependency).
fn input_tensor(shape: &[usize]) -> Result<Tensor> {
    let mut state: u32 = 0x2545_f491;
    Ok(Tensor::from_fn(shape, |_| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    })?)
}

/// Measures `workloads` on `ctx` and on the CPU; `progress` gets one line per step (for stderr).
///
/// Per workload: the CPU reference (`settings.cpu_iterations` runs), the GPU kernel ([`time_gpu`],
/// `settings.iterations` after `settings.warmup`), end to end (`settings.e2e_iterations` runs of
/// upload + `forward_gpu` + download, each step waited for), the copy kernel for the same bytes
/// (right after the kernel), and the largest |GPU − CPU|.
pub fn run(
    ctx: &GpuContext,
    workloads: &[Workload],
    settings: &Settings,
    mut progress: impl FnMut(&str),
) -> Result<Report> {
    let adapter = AdapterSummary::of(ctx);
    progress(&format!(
        "[GEMM limit] ConvTranspose2d {c}→{c}, kernel_size=1 (gemm kernel) on [1, {c}, {s}, {s}]",
        c = GEMM_LIMIT_CHANNELS,
        s = GEMM_LIMIT_SPATIAL
    ));
    let gemm = gemm_rate(
        ctx,
        GEMM_LIMIT_CHANNELS,
        GEMM_LIMIT_SPATIAL,
        settings.iterations,
        settings.warmup,
    )
    .context("GEMM limit")?;
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
        let row = measure(ctx, w, settings, &gemm, &mut copies).context(w.name.clone())?;
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
    let claims = claims(&rows);
    Ok(Report {
        adapter,
        copy,
        gemm_flops_per_s: Some(gemm.flops_per_s),
        gemm,
        settings: *settings,
        rows,
        claims,
    })
}

fn measure(
    ctx: &GpuContext,
    w: &Workload,
    settings: &Settings,
    gemm: &GemmLimit,
    copies: &mut HashMap<u64, CopyBench>,
) -> Result<Row> {
    let op = &w.op;
    let input = input_tensor(&w.input_shape)?;
    let output_shape = op.output_shape(&w.input_shape)?;

    // CPU reference.
    let mut cpu_times = Vec::new();
    let mut cpu_out = None;
    for _ in 0..settings.cpu_iterations.max(1) {
        let t0 = Instant::now();
        let y = op.forward_cpu(&input)?;
        cpu_times.push(t0.elapsed());
        cpu_out = Some(y);
    }
    let cpu_out = cpu_out.expect("at least one CPU run");

    // GPU kernel alone.
    let g_in = ctx.upload(&input)?;
    let g_out = ctx.empty(&output_shape)?;
    let kernel: Timing = time_gpu(ctx, settings.iterations, settings.warmup, |encoder, ts| {
        op.encode_gpu_timed(ctx, encoder, &g_in, &g_out, ts)
    })?;
    drop((g_in, g_out));

    // The copy kernel over the same bytes, measured right after the kernel: on a shared machine
    // (lavapipe on the CPU) the two then see the same load, so their ratio holds.
    let bytes_moved = w.bytes_moved()?;
    let copy_bytes = (bytes_moved / 2).max(16).next_multiple_of(16);
    let copy = copy_bandwidth(ctx, copy_bytes, settings.iterations, settings.warmup)?;
    // The report's limit line shows the latest measurement at the largest size.
    copies.insert(copy_bytes, copy.clone());

    // GPU end to end.
    let mut e2e_times = Vec::new();
    let mut e2e_op_times = Vec::new();
    let mut gpu_out = None;
    for _ in 0..settings.e2e_iterations.max(1) {
        let t0 = Instant::now();
        let g = ctx.upload(&input)?;
        ctx.wait()?;
        let t1 = Instant::now();
        let y = op.forward_gpu(ctx, &g)?;
        ctx.wait()?;
        let t2 = Instant::now();
        let host = ctx.download(&y)?;
        e2e_times.push(t0.elapsed());
        e2e_op_times.push(t2 - t1);
        gpu_out = Some(host);
    }
    let gpu_out = gpu_out.expect("at least one end-to-end run");
    let max_abs_diff = gpu_out.max_abs_diff(&cpu_out)? as f64;

    let kernel_ms = ms(kernel.median);
    let cpu_ms = ms(median(&cpu_times));
    let e2e_ms = ms(median(&e2e_times));
    let copy_ms = ms(copy.time_for(bytes_moved));
    let flops = op.flops(&w.input_shape)?;
    let gemm_ms = flops.map(|f| f as f64 / gemm.flops_per_s * 1e3);
    Ok(Row {
        name: w.name.clone(),
        op: op.name(),
        params: w.params.clone(),
        input_shape: w.input_shape.clone(),
        output_shape,
        kernel_ms,
        kernel_min_ms: ms(kernel.min),
        kernel_timing: kernel.source.name().to_string(),
        kernel_samples: kernel.samples.len(),
        e2e_ms,
        e2e_op_ms: ms(median(&e2e_op_times)),
        cpu_ms,
        speedup: cpu_ms / kernel_ms,
        speedup_e2e: cpu_ms / e2e_ms,
        gpu_memory_bytes: op.gpu_memory_bytes(ctx, &w.input_shape)?,
        bytes_moved,
        gb_per_s: bytes_moved as f64 / (kernel_ms * 1e-3) / 1e9,
        copy_ms,
        ratio_to_copy: kernel_ms / copy_ms,
        ratio_to_copy_min: ms(kernel.min) / ms(copy.min_time_for(bytes_moved)),
        flops,
        gflop_per_s: flops.map(|f| f as f64 / (kernel_ms * 1e-3) / 1e9),
        gemm_ms,
        ratio_to_gemm: gemm_ms.map(|g| kernel_ms / g),
        parameters: op.parameter_count() as u64,
        kernels: op
            .gpu_kernels(ctx, &w.input_shape)?
            .into_iter()
            .map(String::from)
            .collect(),
        max_abs_diff,
    })
}

/// The claim that Upsample is faster than ConvTranspose2d.
pub const CLAIM_FASTER: &str = "Upsample is faster than ConvTranspose2d";
/// The claim that Upsample needs less memory.
pub const CLAIM_MEMORY: &str = "Upsample needs less memory";
/// The claim that ConvTranspose2d has learnable parameters.
pub const CLAIM_PARAMETERS: &str = "ConvTranspose2d has learnable parameters (count)";

/// The seed's three claims about Upsample vs ConvTranspose2d, each with a verdict measured on
/// `rows`:
///
/// - [`CLAIM_FASTER`]: kernel time (median) of each ConvTranspose2d row against the Upsample row
///   doing the same job — same input and output shape — preferring `bilinear` where several do;
/// - [`CLAIM_MEMORY`]: GPU memory bytes of the same pairs;
/// - [`CLAIM_PARAMETERS`]: every ConvTranspose2d row's parameter count (Upsample has none).
///
/// A claim's verdict is `true` when it holds for every pair, `false` when it fails for any, and
/// `None` when the rows allow no pair (e.g. `--only` left out one side).
pub fn claims(rows: &[Row]) -> Vec<Claim> {
    let is_conv = |r: &&Row| r.op.starts_with("ConvTranspose");
    let convs: Vec<&Row> = rows.iter().filter(is_conv).collect();
    let ups: Vec<&Row> = rows.iter().filter(|r| r.op == "Upsample").collect();
    // Per ConvTranspose2d row, the Upsample row doing the same job.
    let pairs: Vec<(&Row, &Row)> = convs
        .iter()
        .filter_map(|c| {
            let same: Vec<&Row> = ups
                .iter()
                .copied()
                .filter(|u| u.input_shape == c.input_shape && u.output_shape == c.output_shape)
                .collect();
            same.iter()
                .find(|u| u.name == "bilinear")
                .or(same.first())
                .map(|u| (*u, *c))
        })
        .collect();
    let no_pair = if convs.is_empty() {
        "no ConvTranspose2d row was measured".to_string()
    } else if ups.is_empty() {
        "no Upsample row was measured".to_string()
    } else {
        "no Upsample row shares a ConvTranspose2d row's input and output shape (the default \
         set pairs bilinear with convt2d-k3-16to16 and convt2d-k4-16to16)"
            .to_string()
    };
    let verdict = |cs: &[Comparison]| (!cs.is_empty()).then(|| cs.iter().all(|c| c.holds));

    let faster: Vec<Comparison> = pairs
        .iter()
        .map(|(u, c)| Comparison {
            upsample: Some(u.name.clone()),
            conv: c.name.clone(),
            upsample_value: u.kernel_ms,
            conv_value: c.kernel_ms,
            holds: u.kernel_ms < c.kernel_ms,
        })
        .collect();
    let faster_summary = if faster.is_empty() {
        no_pair.clone()
    } else {
        faster
            .iter()
            .map(|c| {
                let (u, v) = (c.upsample_value, c.conv_value);
                format!(
                    "{} {} ms vs {} {} ms ({})",
                    c.upsample.as_deref().unwrap_or("Upsample"),
                    render::num(u),
                    c.conv,
                    render::num(v),
                    if u < v {
                        format!("Upsample {}× faster", render::num(v / u))
                    } else {
                        format!("ConvTranspose2d {}× faster", render::num(u / v))
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };

    let memory: Vec<Comparison> = pairs
        .iter()
        .map(|(u, c)| Comparison {
            upsample: Some(u.name.clone()),
            conv: c.name.clone(),
            upsample_value: u.gpu_memory_bytes as f64,
            conv_value: c.gpu_memory_bytes as f64,
            holds: u.gpu_memory_bytes < c.gpu_memory_bytes,
        })
        .collect();
    let memory_summary = if memory.is_empty() {
        no_pair
    } else {
        pairs
            .iter()
            .map(|(u, c)| {
                let d = c.gpu_memory_bytes as i128 - u.gpu_memory_bytes as i128;
                format!(
                    "{} {} B vs {} {} B ({}{}: {})",
                    u.name,
                    u.gpu_memory_bytes,
                    c.name,
                    c.gpu_memory_bytes,
                    if d >= 0 { "+" } else { "−" },
                    render::bytes(d.unsigned_abs() as u64),
                    if d > 0 {
                        "the weights"
                    } else {
                        "ConvTranspose2d needs no more"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };

    let parameters: Vec<Comparison> = convs
        .iter()
        .map(|c| Comparison {
            upsample: pairs
                .iter()
                .find(|(_, pc)| pc.name == c.name)
                .map(|(u, _)| u.name.clone()),
            conv: c.name.clone(),
            upsample_value: 0.0,
            conv_value: c.parameters as f64,
            holds: c.parameters > 0,
        })
        .collect();
    let upsample_parameters: u64 = ups.iter().map(|u| u.parameters).sum();
    let parameters_summary = if parameters.is_empty() {
        "no ConvTranspose2d row was measured".to_string()
    } else {
        format!(
            "Upsample 0; {}",
            convs
                .iter()
                .map(|c| format!("{} {}", c.name, c.parameters))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let parameters_verdict = verdict(&parameters).map(|v| v && upsample_parameters == 0);

    vec![
        Claim {
            claim: CLAIM_FASTER.to_string(),
            measure: "kernel ms (median), same input and output shape".to_string(),
            verdict: verdict(&faster),
            comparisons: faster,
            summary: faster_summary,
        },
        Claim {
            claim: CLAIM_MEMORY.to_string(),
            measure: "GPU memory bytes, same input and output shape".to_string(),
            verdict: verdict(&memory),
            comparisons: memory,
            summary: memory_summary,
        },
        Claim {
            claim: CLAIM_PARAMETERS.to_string(),
            measure: "learnable parameters (weight + bias elements)".to_string(),
            verdict: parameters_verdict,
            comparisons: parameters,
            summary: parameters_summary,
        },
    ]
}
