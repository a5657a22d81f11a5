//! Reliability: tensors of another context are refused (never another device's buffer read or
//! written), and a layer dropped between recording and submission leaves a correct result.

mod common;

use wgpu_upsample::{
    ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Error, GpuContext, Op, Tensor,
    Upsample, UpsampleMode,
};

fn foreign(e: &Error) -> bool {
    matches!(e, Error::InvalidArgument(m) if m.contains("belongs to another GpuContext"))
}

#[test]
fn another_contexts_tensors_are_refused_everywhere() {
    // Two contexts of their own (two wgpu instances: buffer ids collide between them).
    let a = GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
    let b = GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
    let x = Tensor::from_fn(&[1, 2, 4, 8], |i| i as f32).unwrap();
    let xa = a.upload(&x).unwrap();
    let xb = b.upload(&x).unwrap();
    // A's own calls on B's tensor.
    assert!(foreign(&a.download(&xb).unwrap_err()));
    assert!(foreign(&a.write(&xb, &x).unwrap_err()));
    assert!(foreign(
        &pollster::block_on(a.download_async(&xb)).unwrap_err()
    ));
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    assert!(foreign(&up.forward_gpu(&a, &xb).unwrap_err()));
    let layer = ConvTranspose::new(ConvTransposeOptions::new(2, 2, 2, [3]), 0).unwrap();
    assert!(foreign(&layer.forward_gpu(&a, &xb).unwrap_err()));
    let back = up.backward(x.shape()).unwrap();
    let g = b.upload(&up.forward_cpu(&x).unwrap()).unwrap();
    assert!(foreign(&back.forward_gpu(&a, &g).unwrap_err()));
    // Encoding: the input or the output of another context.
    let ya = a.empty(&up.output_shape(x.shape()).unwrap()).unwrap();
    let yb = b.empty(&up.output_shape(x.shape()).unwrap()).unwrap();
    let mut encoder = a.encoder("test");
    assert!(foreign(
        &up.encode_gpu(&a, &mut encoder, &xb, &ya).unwrap_err()
    ));
    assert!(foreign(
        &up.encode_gpu(&a, &mut encoder, &xa, &yb).unwrap_err()
    ));
    // The weights of a layer never used there are not uploaded to A.
    assert_eq!(layer.weight_uploads(), 0);
    // A's own tensors still work, and B's are untouched.
    up.encode_gpu(&a, &mut encoder, &xa, &ya).unwrap();
    a.queue().submit([encoder.finish()]);
    let want = up.forward_cpu(&x).unwrap();
    assert!(a.download(&ya).unwrap().max_abs_diff(&want).unwrap() < 1e-5);
    assert_eq!(b.download(&xb).unwrap(), x);
    // A clone of a context shares its tensors.
    let a2 = a.clone();
    assert_eq!(a2.download(&xa).unwrap(), x);
}

#[test]
fn a_layer_dropped_before_submission_leaves_a_correct_result() {
    let ctx = common::gpu();
    let x = Tensor::from_fn(&[1, 8, 6, 7], |i| ((i * 13) % 17) as f32 - 8.0).unwrap();
    for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
        let opts = ConvTransposeOptions::new(2, 8, 8, [4])
            .stride([2])
            .padding([1]);
        let layer = ConvTranspose::new(opts, 3).unwrap().with_kernel(kernel);
        let want = layer.forward_cpu(&x).unwrap();
        let gx = ctx.upload(&x).unwrap();
        let y = ctx.empty(want.shape()).unwrap();
        let mut encoder = ctx.encoder("drop before submit");
        layer.encode_gpu(ctx, &mut encoder, &gx, &y).unwrap();
        drop(layer); // its weights leave the context; the recorded command keeps them
        ctx.queue().submit([encoder.finish()]);
        let got = ctx.download(&y).unwrap();
        common::check_close(got.data(), want.data(), 1e-4)
            .unwrap_or_else(|e| panic!("{kernel:?}: {e}"));
    }
}

/// A device whose storage bindings hold 256 KiB.
fn small_bindings() -> GpuContext {
    common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: 256 << 10,
        ..l
    })
}

#[test]
fn a_plane_of_exactly_the_binding_size_is_accepted() {
    let ctx = small_bindings();
    // Output planes of 256 × 256 floats: exactly one binding each.
    let x = Tensor::from_fn(&[3, 1, 128, 128], |i| (i % 251) as f32).unwrap();
    for up in [
        Upsample::with_scale_factor([2.0], UpsampleMode::Nearest),
        Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear),
    ] {
        let y = ctx
            .download(&up.forward_gpu(&ctx, &ctx.upload(&x).unwrap()).unwrap())
            .unwrap();
        let want = up.forward_cpu(&x).unwrap();
        common::check_close(y.data(), want.data(), 1e-5).unwrap_or_else(|e| panic!("{up:?}: {e}"));
    }
}

#[test]
fn a_conv_transpose_image_larger_than_a_binding_runs_in_bands_of_rows() {
    let ctx = small_bindings();
    // Output images of 8 × 128 × 128 floats (512 KiB) from inputs of 128 KiB.
    let x = Tensor::from_fn(&[2, 8, 64, 64], |i| ((i * 7) % 23) as f32 / 23.0 - 0.5).unwrap();
    for kernel in [ConvTransposeKernel::Gemm, ConvTransposeKernel::Direct] {
        let opts = ConvTransposeOptions::new(2, 8, 8, [4])
            .stride([2])
            .padding([1]);
        let layer = ConvTranspose::new(opts, 5).unwrap().with_kernel(kernel);
        let want = layer.forward_cpu(&x).unwrap();
        let y = ctx
            .download(&layer.forward_gpu(&ctx, &ctx.upload(&x).unwrap()).unwrap())
            .unwrap();
        common::check_close(y.data(), want.data(), 1e-4)
            .unwrap_or_else(|e| panic!("{kernel:?}: {e}"));
    }
    // An input image larger than a binding is still refused, with a clear error.
    let wide = ConvTranspose::new(ConvTransposeOptions::new(2, 32, 1, [1]), 0).unwrap();
    let big = ctx.empty(&[1, 32, 64, 64]).unwrap();
    let e = wide.forward_gpu(&ctx, &big).unwrap_err();
    assert!(
        matches!(&e, Error::LimitExceeded(m) if m.contains("max_storage_buffer_binding_size")),
        "{e}"
    );
}
