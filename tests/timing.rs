//! Kernel timing (`gpu::timing`): timestamps and the wall-clock fallback, and the vec4 copy
//! kernel, including its chunking over binding-sized ranges and big dispatch grids.

mod common;

use wgpu_upsample::gpu::timing::{
    CopyKernel, MAX_TIMED_ITERATIONS, TimingSource, copy_bandwidth, time_gpu,
};
use wgpu_upsample::{Error, GpuContext, Tensor, Upsample, UpsampleMode};

fn upsample_job(
    ctx: &GpuContext,
) -> (Upsample, wgpu_upsample::GpuTensor, wgpu_upsample::GpuTensor) {
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    let x = Tensor::from_fn(&[1, 4, 32, 32], |i| i as f32).unwrap();
    let input = ctx.upload(&x).unwrap();
    let output = ctx.empty(&up.output_shape(x.shape()).unwrap()).unwrap();
    (up, input, output)
}

#[test]
fn timestamps_time_the_pass_when_the_device_has_them() {
    let ctx = common::gpu();
    let (up, input, output) = upsample_job(ctx);
    let (mut warm, mut timed) = (0, 0);
    let t = time_gpu(ctx, 5, 2, |encoder, ts| {
        if ts.is_some() {
            timed += 1;
        } else {
            warm += 1;
        }
        up.encode_gpu_timed(ctx, encoder, &input, &output, ts)
    })
    .unwrap();
    assert_eq!(t.samples.len(), 5);
    assert!(t.min <= t.median && t.samples.iter().all(|s| *s >= t.min));
    assert!(t.min > std::time::Duration::ZERO);
    if ctx.has_timestamps() {
        assert_eq!((warm, timed), (2, 5));
        assert_eq!(t.source, TimingSource::Timestamps);
        // The pass is part of what the wall clock sees.
        assert!(t.median <= t.wall_median, "{t:?}");
    } else {
        assert_eq!((warm, timed), (7, 0));
        assert_eq!(t.source, TimingSource::WallClock);
    }
    // The output is still right.
    let y = ctx.download(&output).unwrap();
    let want = up
        .forward_cpu(&Tensor::from_fn(&[1, 4, 32, 32], |i| i as f32).unwrap())
        .unwrap();
    assert!(y.max_abs_diff(&want).unwrap() < 1e-4);
}

#[test]
fn wall_clock_without_timestamp_query() {
    let ctx = common::device_with(wgpu::Features::empty(), |l| l);
    assert!(!ctx.has_timestamps());
    let (up, input, output) = upsample_job(&ctx);
    let t = time_gpu(&ctx, 4, 1, |encoder, ts| {
        assert!(ts.is_none());
        up.encode_gpu_timed(&ctx, encoder, &input, &output, ts)
    })
    .unwrap();
    assert_eq!(t.source, TimingSource::WallClock);
    assert_eq!(t.samples.len(), 4);
    assert_eq!(t.median, t.wall_median);
    assert!(t.min > std::time::Duration::ZERO);
    let c = copy_bandwidth(&ctx, 1 << 16, 3, 1).unwrap();
    assert_eq!(c.timing.source, TimingSource::WallClock);
    assert!(c.gb_per_s() > 0.0);
}

#[test]
fn errors_are_returned() {
    let ctx = common::gpu();
    let e = time_gpu(ctx, MAX_TIMED_ITERATIONS + 1, 0, |_, _| Ok(())).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded(_)), "{e}");
    // The recording's own error comes back as it is.
    let e = time_gpu(ctx, 2, 0, |_, _| Err(Error::InvalidArgument("mine".into()))).unwrap_err();
    assert_eq!(e, Error::InvalidArgument("mine".into()));
    let a = ctx.empty(&[64]).unwrap();
    let b = ctx.empty(&[64]).unwrap();
    assert!(CopyKernel::new(ctx, a.buffer(), b.buffer(), 100).is_err()); // not whole vec4s
    assert!(CopyKernel::new(ctx, a.buffer(), b.buffer(), 512).is_err()); // larger than buffers
    assert!(CopyKernel::new(ctx, a.buffer(), a.buffer(), 256).is_err()); // same buffer
}

#[test]
fn copy_bandwidth_rounds_to_vec4s_and_is_positive() {
    let ctx = common::gpu();
    let c = copy_bandwidth(ctx, 1000, 3, 1).unwrap();
    assert_eq!(c.bytes, 1008);
    assert_eq!(c.bytes_moved(), 2016);
    assert_eq!(c.timing.samples.len(), 3);
    assert!(c.gb_per_s() > 0.0 && c.gb_per_s().is_finite());
    // time_for is linear in the bytes, and gives back the median for the measured size.
    let t = c.time_for(c.bytes_moved()).as_secs_f64();
    let m = c.timing.median.as_secs_f64();
    assert!((t - m).abs() <= 1e-9 + 1e-6 * m, "{t} vs {m}");
}

#[test]
fn copy_kernel_chunks_over_small_bindings_and_big_grids() {
    // A device whose storage bindings hold a bit over 1 MiB and whose grids are at most 16 wide:
    // 3 MiB + 48 bytes take four chunks (1 MiB, 1 MiB, 1 MiB, 48 bytes) at 256-aligned offsets,
    // each a 16×16×4 grid of 64-thread workgroups.
    let ctx = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: (1 << 20) + 100,
        max_compute_workgroups_per_dimension: 16,
        min_storage_buffer_offset_alignment: 256,
        ..l
    });
    let elems = (3 << 20) / 4 + 12;
    let x = Tensor::from_fn(&[elems + 64], |i| i as f32 * 0.5 - 7.0).unwrap();
    let src = ctx.upload(&x).unwrap();
    let dst = ctx.empty(&[elems + 64]).unwrap();
    let bytes = elems as u64 * 4;
    let kernel = CopyKernel::new(&ctx, src.buffer(), dst.buffer(), bytes).unwrap();
    assert_eq!(kernel.chunks(), 4);
    assert_eq!(kernel.bytes(), bytes);
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    kernel.encode(&mut encoder, None);
    ctx.queue().submit([encoder.finish()]);
    let y = ctx.download(&dst).unwrap();
    assert_eq!(&y.data()[..elems], &x.data()[..elems]);
    assert!(
        y.data()[elems..].iter().all(|&v| v == 0.0),
        "wrote past the end"
    );

    // The upsample kernels respect the same limits.
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
    let x = Tensor::from_fn(&[1, 3, 64, 96], |i| i as f32).unwrap();
    let g = ctx.upload(&x).unwrap();
    let y = ctx.download(&up.forward_gpu(&ctx, &g).unwrap()).unwrap();
    assert_eq!(y, up.forward_cpu(&x).unwrap());
}
