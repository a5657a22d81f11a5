//! The GPU context: pipeline cache, a caller's own device/queue/buffers/encoder, async download,
//! and wgpu errors returned as errors (never panics).

mod common;

use wgpu_upsample::{GpuContext, GpuTensor, Op, Tensor, Upsample, UpsampleMode};

fn ramp(shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |i| ((i * 37) % 101) as f32 / 7.0 - 5.0).unwrap()
}

#[test]
fn second_forward_compiles_nothing_new() {
    // A context of its own, so no other test's kernels are counted.
    let ctx = GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ctx.pipelines_compiled(), 0);
    let x = ctx.upload(&ramp(&[1, 2, 5, 6])).unwrap();
    let modes = [
        Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear),
        Upsample::with_scale_factor([1.5], UpsampleMode::Bicubic).antialias(true),
        Upsample::with_size([3, 4], UpsampleMode::Area),
    ];
    for up in &modes {
        ctx.download(&up.forward_gpu(&ctx, &x).unwrap()).unwrap();
    }
    let compiled = ctx.pipelines_compiled();
    // bilinear 1 (linear_2d: the width is not a multiple of 4) + antialias (width, height) 2 +
    // area 1.
    let mut kernels: Vec<_> = modes
        .iter()
        .flat_map(|up| up.gpu_kernels(&ctx, x.shape()).unwrap())
        .collect();
    kernels.sort();
    kernels.dedup();
    assert_eq!(kernels.len(), 4, "{kernels:?}");
    assert_eq!(compiled, 4);
    // Other shapes and options of the same kernels reuse the pipelines.
    let y = ctx.upload(&ramp(&[2, 3, 7, 10])).unwrap();
    for up in &modes {
        for k in up.gpu_kernels(&ctx, y.shape()).unwrap() {
            assert!(kernels.contains(&k), "{k}");
        }
    }
    for up in &modes {
        ctx.download(&up.forward_gpu(&ctx, &y).unwrap()).unwrap();
        ctx.download(&up.clone().forward_gpu(&ctx, &x).unwrap())
            .unwrap();
    }
    assert_eq!(ctx.pipelines_compiled(), compiled);
}

/// A device made by the caller with plain wgpu (default limits), as a renderer would have.
fn callers_device() -> (wgpu::Device, wgpu::Queue) {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
        ..Default::default()
    }))
    .expect("an adapter for the caller's device");
    pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor::default())).unwrap()
}

#[test]
fn ops_chain_on_a_callers_device_buffers_and_encoder() {
    let (device, queue) = callers_device();
    let ctx = GpuContext::from_device(device.clone(), queue.clone());
    let x = ramp(&[2, 3, 6, 5]);
    // The caller's own buffer, filled by the caller.
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("caller input"),
        size: x.numel() as u64 * 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    queue.write_buffer(&buffer, 0, bytemuck::cast_slice(x.data()));
    let gx = GpuTensor::from_buffer(&ctx, buffer, x.shape()).unwrap();

    let first = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
    let second = Upsample::with_size([9, 7], UpsampleMode::Bicubic).align_corners(true);
    let mid = ctx.empty(&first.output_shape(gx.shape()).unwrap()).unwrap();
    let out = ctx
        .empty(&second.output_shape(mid.shape()).unwrap())
        .unwrap();
    let mut encoder = device.create_command_encoder(&Default::default());
    first.encode_gpu(&ctx, &mut encoder, &gx, &mid).unwrap();
    second.encode_gpu(&ctx, &mut encoder, &mid, &out).unwrap();
    queue.submit([encoder.finish()]);

    let want = second.forward_cpu(&first.forward_cpu(&x).unwrap()).unwrap();
    let got = ctx.download(&out).unwrap();
    assert_eq!(got.shape(), want.shape());
    common::check_close(got.data(), want.data(), 1e-5).unwrap();
}

#[test]
fn async_download_resolves_after_polling() {
    let ctx = common::gpu();
    let x = ramp(&[1, 1, 3, 3]);
    let y = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear)
        .forward_gpu(ctx, &ctx.upload(&x).unwrap())
        .unwrap();
    let pending = ctx.download_async(&y);
    ctx.wait().unwrap();
    let got = pollster::block_on(pending).unwrap();
    let want = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear)
        .forward_cpu(&x)
        .unwrap();
    assert_eq!(got, want);
}

#[test]
fn the_context_names_its_adapter() {
    let ctx = common::gpu();
    let d = ctx.describe();
    assert!(d.contains(&ctx.adapter_info().name), "{d}");
    assert!(
        d.contains(&format!("{:?}", ctx.adapter_info().backend)),
        "{d}"
    );
    assert!(ctx.limits().max_storage_buffer_binding_size >= 128 << 20);
}
