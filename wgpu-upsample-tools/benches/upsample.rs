//! Upsample: every kernel family at ×2 on 1×16×512×512 (80 MiB read + written; trilinear on
//! 1×4×32×128×128, 72 MiB), GPU kernel time from timestamp queries, throughput in bytes read +
//! written, next to the plain vec4 copy kernel moving the same bytes on the same adapter: the
//! ratio of the two is the distance to the memory-bandwidth limit. `nearest*`, `bilinear`,
//! `bilinear-align-corners`, `bicubic` and `trilinear` run the exact ×2 kernels (`x2.wgsl`);
//! `area` and the antialias passes the general ones. Each backward (`backward`: grad_input from a
//! grad_output of the output's shape) runs next to its forward on the same tensors.
//!
//! `cargo bench -p wgpu-upsample-tools --bench upsample`

#[path = "common.rs"]
mod common;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wgpu_upsample::{CopyKernel, Op, Tensor, Upsample, UpsampleMode};

fn bench(c: &mut Criterion) {
    let ctx = common::gpu();
    let mut group = c.benchmark_group("upsample");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let shape4 = [1, 16, 512, 512];
    let shape5 = [1, 4, 32, 128, 128];
    let cases = [
        (
            "nearest",
            Upsample::with_scale_factor([2.0], UpsampleMode::Nearest),
        ),
        (
            "nearest-exact",
            Upsample::with_scale_factor([2.0], UpsampleMode::NearestExact),
        ),
        (
            "bilinear",
            Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear),
        ),
        (
            "bilinear-align-corners",
            Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear).align_corners(true),
        ),
        (
            "bicubic",
            Upsample::with_scale_factor([2.0], UpsampleMode::Bicubic),
        ),
        (
            "trilinear",
            Upsample::with_scale_factor([2.0], UpsampleMode::Trilinear),
        ),
        (
            "area",
            Upsample::with_scale_factor([2.0], UpsampleMode::Area),
        ),
        (
            "bilinear-aa-down",
            Upsample::with_scale_factor([0.5], UpsampleMode::Bilinear).antialias(true),
        ),
    ];
    for (label, up) in cases {
        let shape: &[usize] = if label == "trilinear" {
            &shape5
        } else {
            &shape4
        };
        let x = ctx
            .upload(&Tensor::from_fn(shape, |i| (i % 13) as f32).unwrap())
            .unwrap();
        let out_shape = up.output_shape(shape).unwrap();
        let y = ctx.empty(&out_shape).unwrap();
        let bytes = x.size_bytes() + y.size_bytes();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(BenchmarkId::new("kernel", label), |b| {
            b.iter_custom(|iters| {
                common::gpu_time(&ctx, iters, |enc, ts| {
                    up.encode_gpu_timed(&ctx, enc, &x, &y, ts)
                })
            })
        });
        let back = up.backward(shape).unwrap();
        group.bench_function(BenchmarkId::new("backward", label), |b| {
            b.iter_custom(|iters| {
                common::gpu_time(&ctx, iters, |enc, ts| {
                    back.encode_gpu_timed(&ctx, enc, &y, &x, ts)
                })
            })
        });
        // The limit: a vec4 copy moving the same number of bytes (half read, half written).
        let half = (bytes / 2).next_multiple_of(16);
        let src = ctx.empty(&[half as usize / 4]).unwrap();
        let dst = ctx.empty(&[half as usize / 4]).unwrap();
        group.bench_function(BenchmarkId::new("copy-same-bytes", label), |b| {
            b.iter_custom(|iters| {
                common::gpu_time(&ctx, iters, |enc, ts| {
                    CopyKernel.encode_gpu_timed(&ctx, enc, &src, &dst, ts)
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
