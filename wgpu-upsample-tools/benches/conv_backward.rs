//! The gradients of ConvTranspose2d and Conv2d against their forward, on the same adapter and
//! layer: forward, backward-input (grad_input) and backward-weight (weight and bias gradients),
//! GPU kernel time from timestamp queries, throughput in useful FLOPs (zero taps excluded; the
//! three passes do the same useful multiply-adds).
//!
//! `cargo bench -p wgpu-upsample-tools --bench conv_backward`

#[path = "common.rs"]
mod common;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use wgpu_upsample::{
    Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeOptions, GpuContext, GpuTensor, Op,
    Result, Tensor,
};

type Timestamps<'a> = Option<wgpu::ComputePassTimestampWrites<'a>>;

/// Benchmarks forward, backward-input and backward-weight of one layer.
fn layer(
    group: &mut BenchmarkGroup<'_, WallTime>,
    ctx: &GpuContext,
    label: &str,
    forward: &dyn Op,
    backward: &dyn Op,
    shape: &[usize],
    grads: impl Fn(&mut wgpu::CommandEncoder, &GpuTensor, &GpuTensor, Timestamps<'_>) -> Result<()>,
) {
    let x = ctx
        .upload(&Tensor::from_fn(shape, |i| (i % 13) as f32 / 13.0 - 0.5).unwrap())
        .unwrap();
    let out = forward.output_shape(shape).unwrap();
    let y = ctx.empty(&out).unwrap();
    let gy = ctx
        .upload(&Tensor::from_fn(&out, |i| (i % 7) as f32 / 7.0 - 0.5).unwrap())
        .unwrap();
    let gx = ctx.empty(shape).unwrap();
    group.throughput(Throughput::Elements(forward.flops(shape).unwrap().unwrap()));
    group.bench_function(BenchmarkId::new("forward", label), |b| {
        b.iter_custom(|iters| {
            common::gpu_time(ctx, iters, |enc, ts| {
                forward.encode_gpu_timed(ctx, enc, &x, &y, ts)
            })
        })
    });
    group.bench_function(BenchmarkId::new("backward_input", label), |b| {
        b.iter_custom(|iters| {
            common::gpu_time(ctx, iters, |enc, ts| {
                backward.encode_gpu_timed(ctx, enc, &gy, &gx, ts)
            })
        })
    });
    group.bench_function(BenchmarkId::new("backward_weight", label), |b| {
        b.iter_custom(|iters| common::gpu_time(ctx, iters, |enc, ts| grads(enc, &x, &gy, ts)))
    });
}

fn bench(c: &mut Criterion) {
    let ctx = common::gpu();
    let mut group = c.benchmark_group("conv_backward");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    // The decoder's upsampling layer (stride 2) and the resize-convolution's 3x3 conv, narrow
    // and wide: (label, C_in, C_out, input H = W).
    for (label, cin, cout, side) in [
        ("convT_16to16_k4s2", 16, 16, 64),
        ("convT_64to64_k4s2", 64, 64, 32),
        ("convT_3to64_k4s2", 3, 64, 64),
    ] {
        let opts = ConvTransposeOptions::new(2, cin, cout, [4])
            .stride([2])
            .padding([1]);
        let l = ConvTranspose::new(opts, 0).unwrap();
        let shape = [1, cin, side, side];
        let gw = ctx.empty(l.weight().shape()).unwrap();
        let gb = ctx.empty(&[cout]).unwrap();
        let sized = l.with_output_size(None);
        layer(
            &mut group,
            &ctx,
            label,
            &l,
            &l.backward(&shape).unwrap(),
            &shape,
            |enc, x, gy, ts| {
                sized.encode_grad_params_timed(&ctx, enc, x, gy, &gw, Some(&gb), false, ts)
            },
        );
    }
    for (label, cin, cout, side) in [
        ("conv_16to16_k3", 16, 16, 64),
        ("conv_64to64_k3", 64, 64, 32),
        ("conv_64to3_k3", 64, 3, 64),
    ] {
        let opts = ConvOptions::new(2, cin, cout, [3]).padding(ConvPadding::Same);
        let l = Conv::new(opts, 0).unwrap();
        let shape = [1, cin, side, side];
        let gw = ctx.empty(l.weight().shape()).unwrap();
        let gb = ctx.empty(&[cout]).unwrap();
        layer(
            &mut group,
            &ctx,
            label,
            &l,
            &l.backward(&shape).unwrap(),
            &shape,
            |enc, x, gy, ts| {
                l.encode_grad_params_timed(&ctx, enc, x, gy, &gw, Some(&gb), false, ts)
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
