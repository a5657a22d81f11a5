//! Error paths the PyTorch fixture cannot show: tensors, GPU buffers, wgpu's own errors. (Every
//! argument PyTorch rejects is checked against PyTorch's message in upsample_golden.rs.)

mod common;

use wgpu_upsample::{Error, GpuTensor, Op, Tensor, Upsample, UpsampleMode};

#[test]
fn tensor_data_must_match_shape() {
    let err = Tensor::new(&[2, 3], vec![0.0; 5]).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidShape("shape [2, 3] is invalid for input of size 5".into())
    );
    assert!(matches!(
        Tensor::zeros(&[usize::MAX, 2]),
        Err(Error::LimitExceeded(_))
    ));
}

#[test]
fn unknown_mode_names_the_modes() {
    let err = "lanczos3".parse::<UpsampleMode>().unwrap_err();
    assert!(matches!(&err, Error::NotImplemented(m) if m.contains("trilinear | lanczos | area")));
    assert_eq!("lanczos".parse::<UpsampleMode>(), Ok(UpsampleMode::Lanczos));
    assert_eq!(
        "nearest-exact".parse::<UpsampleMode>(),
        Ok(UpsampleMode::NearestExact)
    );
}

#[test]
fn non_finite_or_overflowing_scale_is_rejected_as_in_pytorch() {
    // torch 2.15: F.interpolate(torch.zeros(1, 1, 4), scale_factor=s) raises RuntimeError
    // "value cannot be converted to type int64_t without overflow" for NaN, ±inf and 1e300 (not
    // in the JSON fixture: JSON has no NaN or infinity).
    for mode in [
        UpsampleMode::Nearest,
        UpsampleMode::Area,
        UpsampleMode::Linear,
    ] {
        for s in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            let err = Upsample::with_scale_factor([s], mode)
                .output_shape(&[1, 1, 4])
                .unwrap_err();
            assert_eq!(
                err,
                Error::InvalidArgument(
                    "value cannot be converted to type int64_t without overflow".into()
                ),
                "{mode} {s}"
            );
        }
    }
    // A negative scale is an output size below 1, as in PyTorch (also in the fixture).
    let err = Upsample::with_scale_factor([-1.0], UpsampleMode::Nearest)
        .output_shape(&[1, 1, 4])
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidShape(
            "Input and output sizes should be greater than 0, but got input (W: 4) and output \
             (W: -4)"
                .into()
        )
    );
}

#[test]
fn sizes_too_large_to_address_are_refused_not_panicked_on() {
    let x = Tensor::zeros(&[1, 1, 4, 4]).unwrap();
    // The output's element count overflows (2^62 elements, 2^64 bytes).
    let up = Upsample::with_size([1 << 31, 1 << 31], UpsampleMode::Bilinear);
    for err in [
        up.forward_cpu(&x).unwrap_err(),
        up.output_shape(x.shape()).unwrap_err(),
        up.gpu_memory_bytes(common::gpu(), x.shape()).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::LimitExceeded(m) if m.contains("too many elements")),
            "{err:?}"
        );
    }
    // The input shape's own product overflows.
    let err = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest)
        .output_shape(&[usize::MAX, 2, 4])
        .unwrap_err();
    assert!(matches!(&err, Error::LimitExceeded(_)), "{err:?}");
    // A spatial size of 2^32 or more.
    let err = Upsample::with_size([1 << 32], UpsampleMode::Nearest)
        .output_shape(&[1, 1, 4])
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded(
            "spatial sizes must be below 2^32, got input [4] and output [4294967296]".into()
        )
    );
    // Addressable, but more memory than any machine's address space (2^50 bytes, whatever the
    // kernel's overcommit policy): an error, not an abort.
    let err = Upsample::with_size([1 << 24, 1 << 24], UpsampleMode::Nearest)
        .forward_cpu(&x)
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded(
            "can't allocate memory: you tried to allocate 1125899906842624 bytes".into()
        )
    );
    // On the GPU: over the adapter's max_buffer_size.
    let ctx = common::gpu();
    let err = Upsample::with_size([1 << 24, 1 << 24], UpsampleMode::Nearest)
        .forward_gpu(ctx, &ctx.upload(&x).unwrap())
        .unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded(m) if m.contains("max_buffer_size")),
        "{err:?}"
    );
}

#[test]
fn output_tensor_must_have_the_output_shape() {
    let ctx = common::gpu();
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
    let x = ctx.upload(&Tensor::zeros(&[1, 1, 4, 4]).unwrap()).unwrap();
    let wrong = ctx.empty(&[1, 1, 8, 7]).unwrap();
    let mut enc = ctx.device().create_command_encoder(&Default::default());
    let err = up.encode_gpu(ctx, &mut enc, &x, &wrong).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidShape(
            "the output tensor has shape [1, 1, 8, 7], the Upsample of an input of shape \
             [1, 1, 4, 4] has shape [1, 1, 8, 8]"
                .into()
        )
    );
    let err = up.encode_gpu(ctx, &mut enc, &x, &x.reshape(&[1, 1, 8, 2]).unwrap());
    assert!(matches!(err, Err(Error::InvalidShape(_))));
    // Input and output in one buffer (of the right shapes) would be a read/write hazard.
    let big = ctx.empty(&[1, 1, 8, 8]).unwrap();
    let front = GpuTensor::from_buffer(ctx, big.buffer().clone(), &[1, 1, 4, 4]).unwrap();
    let err = up.encode_gpu(ctx, &mut enc, &front, &big).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidArgument("the input and output of Upsample must be different buffers".into())
    );
}

#[test]
fn callers_buffers_are_checked() {
    let ctx = common::gpu();
    let device = ctx.device();
    let uniform = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 64,
        usage: wgpu::BufferUsages::UNIFORM,
        mapped_at_creation: false,
    });
    assert!(matches!(
        GpuTensor::from_buffer(ctx, uniform, &[4, 4]),
        Err(Error::InvalidArgument(m)) if m.contains("STORAGE")
    ));
    let small = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 60,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    });
    assert_eq!(
        GpuTensor::from_buffer(ctx, small, &[4, 4]).unwrap_err(),
        Error::InvalidShape(
            "a buffer of 60 bytes cannot hold a tensor of shape [4, 4] (64 bytes)".into()
        )
    );
}

#[test]
fn buffer_over_the_adapters_limit_is_refused() {
    let ctx = common::gpu();
    let max = ctx.limits().max_buffer_size;
    let elems = (max / 4 + 1) as usize;
    let err = ctx.empty(&[elems]).unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded(m) if m.contains("max_buffer_size")),
        "{err:?}"
    );
}

#[test]
fn wgpu_validation_errors_are_returned_not_raised() {
    let ctx = common::gpu();
    let x = ctx.upload(&Tensor::zeros(&[1, 1, 4, 4]).unwrap()).unwrap();
    // A buffer the caller destroyed: wgpu rejects the submission; we return that as an error.
    x.buffer().destroy();
    let err = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear)
        .forward_gpu(ctx, &x)
        .unwrap_err();
    assert!(matches!(&err, Error::Gpu(_)), "{err:?}");
    let err = ctx.download(&x).unwrap_err();
    assert!(
        matches!(&err, Error::Gpu(_) | Error::BufferMap(_)),
        "{err:?}"
    );
}
