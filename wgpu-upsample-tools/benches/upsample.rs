//! Upsample: every kernel family at ×2 on 1×16×512×512 (80 MiB read + written; trilinear on
//! 1×4×32×128×128, 72 MiB), GPU kernel time from timestamp queries, throughput in bytes read +
//! written, next to the plain vec4 copy kernel moving the same bytes on the same adapter: the
//! ratio of the two is the distance to the memory-bandwidth limit. `nearest*`, `bilinear`,
//! `bilinear-align-corners`, `bicubic`, `trilinear` and `area` (one-input windows: nearest) run
//! the exact ×2 kernels (`x2.wgsl`); nearest ×3, ×4, ×½, area ×½, bilinear ×½ and linear ×2..×4
//! (bilinear ×3, ×4, 1-D) the integer-factor kernels (`factor.wgsl`, `factor_linear.wgsl`); the
//! antialias passes, the fractional scales and lanczos the general ones (shapes in `cases`). Each backward (`backward`: grad_input from
//! a grad_output of the output's shape) runs next to its forward on the same tensors.
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
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let s4: &[usize] = &[1, 16, 512, 512];
    let s5: &[usize] = &[1, 4, 32, 128, 128];
    use UpsampleMode::*;
    let scale = |f: f64, mode| Upsample::with_scale_factor([f], mode);
    // (label, upsample, input shape). The ×2 kernels first, then the rest; every working
    // set (input + output) is at least 64 MiB except `bilinear-aa-down` (20 MiB, kept for
    // continuity with earlier tables).
    let cases: Vec<(&str, Upsample, &[usize])> = vec![
        ("nearest", scale(2.0, Nearest), s4),
        ("nearest-exact", scale(2.0, NearestExact), s4),
        ("bilinear", scale(2.0, Bilinear), s4),
        (
            "bilinear-align-corners",
            scale(2.0, Bilinear).align_corners(true),
            s4,
        ),
        ("bicubic", scale(2.0, Bicubic), s4),
        ("trilinear", scale(2.0, Trilinear), s5),
        ("area", scale(2.0, Area), s4),
        ("bilinear-aa-down", scale(0.5, Bilinear).antialias(true), s4),
        // Issue 13's other cases: other integer factors, fractional scales, area down,
        // antialias (both passes), 1-D linear, lanczos.
        ("nearest-x3", scale(3.0, Nearest), &[1, 32, 256, 256]),
        ("bilinear-x3", scale(3.0, Bilinear), &[1, 32, 256, 256]),
        ("nearest-x4", scale(4.0, Nearest), &[1, 16, 256, 256]),
        ("bilinear-x4", scale(4.0, Bilinear), &[1, 16, 256, 256]),
        ("nearest-half", scale(0.5, Nearest), &[1, 16, 1024, 1024]),
        ("bilinear-half", scale(0.5, Bilinear), &[1, 16, 1024, 1024]),
        ("bilinear-x1.5", scale(1.5, Bilinear), &[1, 16, 640, 640]),
        ("bicubic-x1.5", scale(1.5, Bicubic), &[1, 16, 640, 640]),
        ("area-half", scale(0.5, Area), &[1, 16, 1024, 1024]),
        (
            "bilinear-aa-half",
            scale(0.5, Bilinear).antialias(true),
            &[1, 16, 1024, 1024],
        ),
        (
            "bicubic-aa-half",
            scale(0.5, Bicubic).antialias(true),
            &[1, 16, 1024, 1024],
        ),
        ("linear-1d", scale(2.0, Linear), &[1, 32, 262_144]),
        (
            "lanczos-x2",
            scale(2.0, Lanczos).antialias(true),
            &[1, 16, 512, 512],
        ),
    ];
    for (label, up, shape) in cases {
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
        // The kernels that run, so that a table row can name them.
        eprintln!(
            "{label}: forward {:?}, backward {:?}",
            up.gpu_kernels(&ctx, shape).unwrap(),
            back.gpu_kernels(&ctx, &out_shape).unwrap()
        );
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
