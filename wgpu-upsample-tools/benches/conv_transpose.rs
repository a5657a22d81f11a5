//! ConvTranspose2d: the direct kernel against the implicit GEMM, on narrow and wide channel
//! counts (GPU kernel time from timestamp queries; throughput in useful FLOPs, zero taps
//! excluded). This is the measurement behind `ConvTransposeKernel::select` (README, "Direct or
//! implicit GEMM").
//!
//! `cargo bench -p wgpu-upsample-tools --bench conv_transpose`

#[path = "common.rs"]
mod common;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wgpu_upsample::{ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Op, Tensor};

fn bench(c: &mut Criterion) {
    let ctx = common::gpu();
    let mut group = c.benchmark_group("conv_transpose2d");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    // (label, C_in, C_out, groups, kernel, padding, output_padding, input H = W): narrow, around
    // the rule's threshold of 8 channels per group, one side wide, depthwise, and wide.
    let configs = [
        ("3to3_k3s2", 3, 3, 1, 3, 1, 1, 128),
        ("4to4_k3s2", 4, 4, 1, 3, 1, 1, 128),
        ("8to8_k3s2", 8, 8, 1, 3, 1, 1, 64),
        ("1to16_k4s2", 1, 16, 1, 4, 1, 0, 128),
        ("2to8_k4s2", 2, 8, 1, 4, 1, 0, 128),
        ("3to64_k4s2", 3, 64, 1, 4, 1, 0, 64),
        ("8to4_k4s2", 8, 4, 1, 4, 1, 0, 128),
        ("64to3_k4s2", 64, 3, 1, 4, 1, 0, 64),
        ("dw32_k4s2", 32, 32, 32, 4, 1, 0, 64),
        ("16to16_k3s2", 16, 16, 1, 3, 1, 1, 64),
        ("16to16_k4s2", 16, 16, 1, 4, 1, 0, 64),
        ("64to64_k4s2", 64, 64, 1, 4, 1, 0, 32),
        ("128to64_k3s2", 128, 64, 1, 3, 1, 1, 32),
        ("128to64_k4s2", 128, 64, 1, 4, 1, 0, 32),
    ];
    for (label, cin, cout, groups, k, p, op, side) in configs {
        let opts = ConvTransposeOptions::new(2, cin, cout, [k])
            .stride([2])
            .padding([p])
            .output_padding([op])
            .groups(groups);
        let shape = [1, cin, side, side];
        let x = ctx
            .upload(&Tensor::from_fn(&shape, |i| (i % 13) as f32 / 13.0).unwrap())
            .unwrap();
        for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
            let layer = ConvTranspose::new(opts.clone(), 0)
                .unwrap()
                .with_kernel(kernel);
            let y = ctx.empty(&layer.output_shape(&shape).unwrap()).unwrap();
            group.throughput(Throughput::Elements(layer.flops(&shape).unwrap().unwrap()));
            group.bench_function(BenchmarkId::new(format!("{kernel:?}"), label), |b| {
                b.iter_custom(|iters| {
                    common::gpu_time(&ctx, iters, |enc, ts| {
                        layer.encode_gpu_timed(&ctx, enc, &x, &y, ts)
                    })
                })
            });
        }
    }
    group.finish();
}

/// Square GEMM through the library's GEMM path (a 1×1 ConvTranspose2d: M = C_out, K = C_in,
/// N = pixels), and the three ConvTranspose2d workloads of issue 13, each with the subgroup core
/// (CPU adapters), the workgroup-tiled kernel (`WGPU_UPSAMPLE_GEMM=workgroup`) and the direct
/// kernel (workloads only). `cargo bench -p wgpu-upsample-tools --bench conv_transpose -- gemm`
fn gemm(c: &mut Criterion) {
    let ctx = common::gpu();
    let mut group = c.benchmark_group("gemm");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));
    // (label, C_in, C_out, kernel, stride, padding, output_padding, H = W).
    let configs = [
        ("square512", 512, 512, 1, 1, 0, 0, 512 / 32 * 2),
        ("square1024", 1024, 1024, 1, 1, 0, 0, 32),
        ("32to32_64sq_k4s2p1", 32, 32, 4, 2, 1, 0, 64),
        ("128to64_32sq_k3s2p1op1", 128, 64, 3, 2, 1, 1, 32),
        ("3to3_256sq_k4s2p1", 3, 3, 4, 2, 1, 0, 256),
    ];
    for (label, cin, cout, k, s, p, op, side) in configs {
        // 512³: a 32 × 16 image (N = 512).
        let (h, w) = if label == "square512" {
            (16, 32)
        } else {
            (side, side)
        };
        let opts = ConvTransposeOptions::new(2, cin, cout, [k])
            .stride([s])
            .padding([p])
            .output_padding([op]);
        let shape = [1, cin, h, w];
        let x = ctx
            .upload(&Tensor::from_fn(&shape, |i| (i % 13) as f32 / 13.0).unwrap())
            .unwrap();
        let runs = [
            ("subgroup", ConvTransposeKernel::Gemm),
            ("workgroup", ConvTransposeKernel::Gemm),
            ("direct", ConvTransposeKernel::Direct),
        ];
        for (core, kernel) in runs {
            if label.starts_with("square") && kernel == ConvTransposeKernel::Direct {
                continue;
            }
            let layer = ConvTranspose::new(opts.clone(), 0)
                .unwrap()
                .with_kernel(kernel);
            let y = ctx.empty(&layer.output_shape(&shape).unwrap()).unwrap();
            let flops = layer.flops(&shape).unwrap().unwrap();
            // SAFETY: the benches are single-threaded here; nothing reads the environment
            // concurrently.
            unsafe { std::env::set_var("WGPU_UPSAMPLE_GEMM", core) };
            let t = common::gpu_time(&ctx, 3, |enc, ts| {
                layer.encode_gpu_timed(&ctx, enc, &x, &y, ts)
            });
            eprintln!(
                "gemm/{core}/{label}: {:.1} ms, {:.2} GFLOP/s",
                t.as_secs_f64() * 1e3 / 3.0,
                flops as f64 * 3.0 / t.as_secs_f64() / 1e9
            );
            group.throughput(Throughput::Elements(flops));
            group.bench_function(BenchmarkId::new(core, label), |b| {
                b.iter_custom(|iters| {
                    common::gpu_time(&ctx, iters, |enc, ts| {
                        layer.encode_gpu_timed(&ctx, enc, &x, &y, ts)
                    })
                })
            });
        }
        unsafe { std::env::remove_var("WGPU_UPSAMPLE_GEMM") };
    }
    group.finish();
}

criterion_group!(benches, bench, gemm);
criterion_main!(benches);
