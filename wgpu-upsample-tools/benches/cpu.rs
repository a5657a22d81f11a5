//! The CPU path: its GEMM (a 1×1, stride-1 ConvTranspose2d is one GEMM, `M = C_out`, `K = C_in`,
//! `N = H·W`) at 512³ and 1024³, next to `matrixmultiply::sgemm` called once on one thread (the
//! crate's floor on one core), and every workload of `compare --size 512x512` (Upsample in each
//! mode, ConvTranspose2d) on the CPU path. The GEMM's throughput is in FLOPs (2·M·N·K). PyTorch's
//! numbers for the same shapes and names: `tools/bench/torch_compare.py 512`.
//!
//! `cargo bench -p wgpu-upsample-tools --bench cpu`; with `CPU_BENCH_CLOCK=cpu` the times are the
//! process's CPU time (user + system, all threads: the work done, whatever else shares the cores)
//! instead of wall time.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Tensor};
use wgpu_upsample_tools::compare::{Sizes, default_workloads};

/// The process's CPU time (user + system, all its threads) so far.
fn process_cpu_time() -> Duration {
    // SAFETY: getrusage writes the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let d = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    d(usage.ru_utime) + d(usage.ru_stime)
}

/// Time of `iters` calls of `f`: wall time, or process CPU time with `CPU_BENCH_CLOCK=cpu`.
fn timed<R>(iters: u64, mut f: impl FnMut() -> R) -> Duration {
    let cpu = std::env::var("CPU_BENCH_CLOCK").is_ok_and(|v| v == "cpu");
    let (wall, work) = (Instant::now(), process_cpu_time());
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    if cpu {
        process_cpu_time() - work
    } else {
        wall.elapsed()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_gemm");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (n, (h, w)) in [(512usize, (16usize, 32usize)), (1024, (32, 32))] {
        group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
        let layer = ConvTranspose::new(ConvTransposeOptions::new(2, n, n, [1]), 0).unwrap();
        let x = Tensor::from_fn(&[1, n, h, w], |i| (i % 13) as f32 / 13.0).unwrap();
        group.bench_function(BenchmarkId::new("library", n), |b| {
            b.iter_custom(|n| timed(n, || layer.forward_cpu(&x).unwrap()))
        });
        let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 / 7.0).collect();
        let bm: Vec<f32> = (0..n * n).map(|i| (i % 11) as f32 / 11.0).collect();
        let mut out = vec![0.0f32; n * n];
        group.bench_function(BenchmarkId::new("matrixmultiply_1_thread", n), |b| {
            b.iter_custom(|iters| {
                timed(iters, || {
                    // SAFETY: three n × n row-major matrices, each of n² elements.
                    unsafe {
                        matrixmultiply::sgemm(
                            n,
                            n,
                            n,
                            1.0,
                            a.as_ptr(),
                            n as isize,
                            1,
                            bm.as_ptr(),
                            n as isize,
                            1,
                            0.0,
                            out.as_mut_ptr(),
                            n as isize,
                            1,
                        )
                    }
                })
            })
        });
    }
    group.finish();

    // compare's workloads at --size 512x512 (Upsample in every mode, ConvTranspose2d), by the
    // names tools/bench/torch_compare.py prints.
    let mut group = c.benchmark_group("cpu_compare");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let sizes = Sizes {
        batch: 1,
        channels: 16,
        height: 512,
        width: 512,
    };
    for w in default_workloads(&sizes) {
        let x = Tensor::from_fn(&w.input_shape, |i| (i % 13) as f32 / 13.0).unwrap();
        group.bench_function(&w.name, |b| {
            b.iter_custom(|n| timed(n, || w.op.forward_cpu(&x).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
