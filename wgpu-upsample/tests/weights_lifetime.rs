//! A context's uploaded weights go with the context, and a layer's with the layer
//! (`gpu::live_layer_states` counts them process-wide: this binary has one test, so nothing else
//! moves the count).

mod common;

use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, GpuContext, Op, Tensor};

#[test]
fn weights_go_with_their_context() {
    let opts = ConvTransposeOptions::new(2, 4, 4, [3]).stride([2]);
    let layer = ConvTranspose::new(opts, 0).unwrap();
    let x = Tensor::from_fn(&[1, 4, 5, 5], |i| i as f32 / 100.0).unwrap();
    let want = layer.forward_cpu(&x).unwrap();
    for round in 1..=5 {
        let ctx = GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
        let before = wgpu_upsample::gpu::live_layer_states();
        let y = ctx
            .download(&layer.forward_gpu(&ctx, &ctx.upload(&x).unwrap()).unwrap())
            .unwrap();
        assert!(y.max_abs_diff(&want).unwrap() < 1e-4);
        assert_eq!(wgpu_upsample::gpu::live_layer_states(), before + 1);
        assert_eq!(layer.weight_uploads(), round);
        drop(ctx);
        assert_eq!(
            wgpu_upsample::gpu::live_layer_states(),
            before,
            "round {round}: the context went, its weights stayed"
        );
    }
    // And a layer that goes takes its weights off a context that stays.
    let ctx = common::gpu();
    let before = wgpu_upsample::gpu::live_layer_states();
    let other = ConvTranspose::new(ConvTransposeOptions::new(2, 4, 4, [3]), 1).unwrap();
    other.forward_gpu(ctx, &ctx.upload(&x).unwrap()).unwrap();
    assert_eq!(wgpu_upsample::gpu::live_layer_states(), before + 1);
    drop(other);
    assert_eq!(wgpu_upsample::gpu::live_layer_states(), before);
}
