//! Many threads on one context while another keeps the device busy with a long kernel: every
//! entry point (upload, write, forward, backward, encode into an own encoder, download, the
//! async download awaited after `wait`, timing, allocation and release) gives the right result,
//! and nothing panics. On GL (llvmpipe) this is what the library's lock is for: wgpu's GL backend
//! panics when a thread waits too long for the shared context.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use wgpu_upsample::gpu::timing::time_gpu;
use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Tensor, Upsample, UpsampleMode};

fn close(got: &Tensor, want: &Tensor) {
    assert_eq!(got.shape(), want.shape());
    common::check_close(got.data(), want.data(), 1e-4).unwrap();
}

#[test]
fn every_entry_point_from_several_threads_beside_a_long_kernel() {
    let ctx = common::gpu();
    let stop = AtomicBool::new(false);
    // The long kernel: a wide transposed convolution, run until the workers are done.
    let long = ConvTranspose::new(
        ConvTransposeOptions::new(2, 16, 16, [4])
            .stride([2])
            .padding([1]),
        0,
    )
    .unwrap();
    let big = ctx
        .upload(&Tensor::from_fn(&[1, 16, 64, 64], |i| (i % 7) as f32).unwrap())
        .unwrap();
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    let conv = ConvTranspose::new(ConvTransposeOptions::new(2, 3, 3, [3]).stride([2]), 1).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let y = long.forward_gpu(ctx, &big).unwrap();
                ctx.wait().unwrap();
                drop(y);
            }
        });
        let workers: Vec<_> = (0..3)
            .map(|t| {
                let (up, conv) = (&up, &conv);
                s.spawn(move || {
                    for round in 0..3 {
                        let x = Tensor::from_fn(&[1, 3, 8, 12], |i| (i * (t + 2) + round) as f32)
                            .unwrap();
                        let want = up.forward_cpu(&x).unwrap();
                        // Upload, forward, blocking download.
                        let gx = ctx.upload(&x).unwrap();
                        let y = up.forward_gpu(ctx, &gx).unwrap();
                        close(&ctx.download(&y).unwrap(), &want);
                        // The async download: submitted, then awaited after a wait.
                        let pending = ctx.download_async(&y);
                        ctx.wait().unwrap();
                        let got = pollster::block_on(pending).unwrap();
                        close(&got, &want);
                        // Write into an existing tensor, encode into an own encoder, submit.
                        ctx.write(&gx, &x).unwrap();
                        let out = ctx.empty(want.shape()).unwrap();
                        let mut encoder = ctx.encoder("worker");
                        up.encode_gpu(ctx, &mut encoder, &gx, &out).unwrap();
                        ctx.queue().submit([encoder.finish()]);
                        close(&ctx.download(&out).unwrap(), &want);
                        // Backward and a layer with weights.
                        let g = up.backward_gpu(ctx, x.shape(), &y).unwrap();
                        let g_want = up.backward_cpu(x.shape(), &want).unwrap();
                        close(&ctx.download(&g).unwrap(), &g_want);
                        let c = conv.forward_gpu(ctx, &gx).unwrap();
                        let c_want = conv.forward_cpu(&x).unwrap();
                        close(&ctx.download(&c).unwrap(), &c_want);
                        // Timing.
                        let t = time_gpu(ctx, 2, 0, |e, ts| {
                            up.encode_gpu_timed(ctx, e, &gx, &out, ts)
                        })
                        .unwrap();
                        assert_eq!(t.samples.len(), 2);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
    });
}
