//! Kernel timing (`gpu::timing`): timestamps and the wall-clock fallback; and the vec4 copy
//! kernel (the yardstick the timings are compared with), including its chunking over
//! binding-sized ranges and big dispatch grids.

mod common;

use wgpu_upsample::gpu::timing::{MAX_TIMED_ITERATIONS, TimingSource, time_gpu};
use wgpu_upsample::{CopyKernel, Error, GpuContext, GpuTensor, Op, Tensor, Upsample, UpsampleMode};

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
    let (a, b) = (
        ctx.empty(&[1 << 14]).unwrap(),
        ctx.empty(&[1 << 14]).unwrap(),
    );
    let c = time_gpu(&ctx, 3, 1, |e, ts| {
        CopyKernel.encode_gpu_timed(&ctx, e, &a, &b, ts)
    })
    .unwrap();
    assert_eq!(c.source, TimingSource::WallClock);
    assert!(c.min > std::time::Duration::ZERO);
}

#[test]
fn errors_are_returned() {
    let ctx = common::gpu();
    let e = time_gpu(ctx, MAX_TIMED_ITERATIONS + 1, 0, |_, _| Ok(())).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded(_)), "{e}");
    // The recording's own error comes back as it is.
    let e = time_gpu(ctx, 2, 0, |_, _| Err(Error::InvalidArgument("mine".into()))).unwrap_err();
    assert_eq!(e, Error::InvalidArgument("mine".into()));
    // The copy kernel's own checks: whole vec4s, the output's shape, two buffers.
    let a = ctx.empty(&[64]).unwrap();
    let b = ctx.empty(&[64]).unwrap();
    let odd = ctx.empty(&[63]).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    let e = CopyKernel
        .encode_gpu(ctx, &mut encoder, &odd, &odd)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e}");
    let e = CopyKernel
        .encode_gpu(ctx, &mut encoder, &a, &odd)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e}");
    let e = CopyKernel
        .encode_gpu(ctx, &mut encoder, &a, &a)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    CopyKernel.encode_gpu(ctx, &mut encoder, &a, &b).unwrap();
}

#[test]
fn copy_kernel_chunks_over_small_bindings_and_big_grids() {
    // A device whose storage bindings hold a bit over 1 MiB and whose grids are at most 16 wide:
    // 3 MiB + 48 bytes take four chunks (1 MiB + 96, 1 MiB + 96, 1 MiB + 96, the rest), three
    // at misaligned starts, each a grid of at most 16×16×16 64-thread workgroups.
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
    // Copy the first `elems` elements into a view of the first `elems` of `dst`.
    let head = |t: &GpuTensor| GpuTensor::from_buffer(&ctx, t.buffer().clone(), &[elems]).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    CopyKernel
        .encode_gpu(&ctx, &mut encoder, &head(&src), &head(&dst))
        .unwrap();
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
