//! The library on a browser's WebGPU (headless Chromium, `--enable-unsafe-webgpu`): PyTorch's
//! golden cases for every Upsample mode and ConvTranspose1d/2d/3d (the native fixtures, within the
//! native tolerances), the blocking calls refusing instead of hanging, GPU errors reported by the
//! next async call, and timing without blocking.
//!
//! Run with `wgpu-upsample-web/test-browser.sh` (wasm-bindgen-test-runner + chromedriver; see the
//! README).
#![cfg(target_arch = "wasm32")]

#[path = "../../wgpu-upsample/tests/common/upsample.rs"]
mod upsample_options;

use serde::Deserialize;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wgpu_upsample::gpu::timing::{TimingSource, time_gpu_async};
use wgpu_upsample::{
    ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Error, GpuContext, Op, PaddingMode,
    Tensor, Upsample, UpsampleMode,
};

wasm_bindgen_test_configure!(run_in_browser);

/// The native tests' tolerances: |diff| <= RTOL · max(1, |ref|).
const UPSAMPLE_RTOL: f32 = 1e-5;
const CONV_TRANSPOSE_RTOL: f32 = 1e-4;

async fn gpu() -> GpuContext {
    match GpuContext::new_async().await {
        Ok(ctx) => {
            web_sys_log(&format!("browser GPU tests run on {}", ctx.describe()));
            ctx
        }
        Err(e) => panic!("no WebGPU for the browser tests: {e}"),
    }
}

fn web_sys_log(s: &str) {
    wasm_bindgen_test::console_log!("{s}");
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// `|got - want| <= rtol * max(1, |want|)` element-wise (NaN fails); describes the first miss.
fn check_close(got: &[f32], want: &[f32], rtol: f32) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("length {} != {}", got.len(), want.len()));
    }
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        // NaN counts as a miss: only a comparison that holds passes.
        let within = (g - w).abs() <= rtol * w.abs().max(1.0);
        if !within {
            return Err(format!("element {i}: got {g} want {w}"));
        }
    }
    Ok(())
}

/// Runs `op` on `input` on the GPU and reads the output back, without blocking.
async fn forward(ctx: &GpuContext, op: &dyn Op, input: &Tensor) -> wgpu_upsample::Result<Tensor> {
    let x = ctx.upload(input)?;
    let y = op.forward_gpu(ctx, &x)?;
    ctx.download_async(&y).await
}

fn report(what: &str, failures: &[String], total: usize, ctx: &GpuContext) {
    web_sys_log(&format!(
        "{what}: {} of {total} cases match PyTorch",
        total - failures.len()
    ));
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} cases differ from PyTorch on {}:\n{}",
        failures.len(),
        ctx.describe(),
        failures.join("\n")
    );
}

#[derive(Deserialize)]
struct UpsampleGolden {
    cases: Vec<UpsampleCase>,
}

#[derive(Deserialize)]
struct UpsampleCase {
    name: String,
    input_shape: Vec<usize>,
    input: Vec<f64>,
    #[serde(flatten)]
    options: upsample_options::Options,
    output_shape: Vec<usize>,
    output: Vec<f64>,
}

#[wasm_bindgen_test]
async fn upsample_every_mode_matches_pytorch() {
    let ctx = gpu().await;
    let g: UpsampleGolden = serde_json::from_str(include_str!(
        "../../wgpu-upsample/tests/fixtures/upsample_golden.json"
    ))
    .expect("fixture parses");
    assert!(g.cases.len() > 500, "fixture has {} cases", g.cases.len());
    let mut failures = Vec::new();
    let mut modes = std::collections::BTreeSet::new();
    for c in &g.cases {
        let up = c.options.upsample().unwrap().expect("valid case");
        modes.insert(up.mode.name());
        let input = Tensor::new(&c.input_shape, f32s(&c.input)).unwrap();
        match forward(&ctx, &up, &input).await {
            Ok(out) if out.shape() != c.output_shape.as_slice() => failures.push(format!(
                "{}: shape {:?}, want {:?}",
                c.name,
                out.shape(),
                c.output_shape
            )),
            Ok(out) => {
                if let Err(e) = check_close(out.data(), &f32s(&c.output), UPSAMPLE_RTOL) {
                    failures.push(format!("{}: {e}", c.name));
                }
            }
            Err(e) => failures.push(format!("{}: error {e}", c.name)),
        }
    }
    let every: Vec<_> = UpsampleMode::ALL.iter().map(|m| m.name()).collect();
    for mode in &every {
        assert!(modes.contains(mode), "no golden case for mode {mode}");
    }
    report("Upsample", &failures, g.cases.len(), &ctx);
}

#[derive(Deserialize)]
struct Layer {
    dims: usize,
    in_channels: usize,
    out_channels: usize,
    kernel_size: Vec<usize>,
    stride: Vec<usize>,
    padding: Vec<usize>,
    output_padding: Vec<usize>,
    groups: usize,
    dilation: Vec<usize>,
    bias: bool,
}

#[derive(Deserialize)]
struct ConvTransposeCase {
    name: String,
    #[serde(flatten)]
    layer: Layer,
    input_shape: Vec<usize>,
    input: Vec<f64>,
    weight_shape: Vec<usize>,
    weight: Vec<f64>,
    bias_values: Option<Vec<f64>>,
    output_size: Option<Vec<usize>>,
    output_shape: Vec<usize>,
    output: Vec<f64>,
}

#[derive(Deserialize)]
struct ConvTransposeGolden {
    cases: Vec<ConvTransposeCase>,
}

fn conv_transpose_of(c: &ConvTransposeCase) -> ConvTranspose {
    let l = &c.layer;
    let options = ConvTransposeOptions {
        dims: l.dims,
        in_channels: l.in_channels,
        out_channels: l.out_channels,
        kernel_size: l.kernel_size.clone(),
        stride: l.stride.clone(),
        padding: l.padding.clone(),
        output_padding: l.output_padding.clone(),
        groups: l.groups,
        bias: l.bias,
        dilation: l.dilation.clone(),
        padding_mode: PaddingMode::Zeros,
    };
    let weight = Tensor::new(&c.weight_shape, f32s(&c.weight)).unwrap();
    let bias = c
        .bias_values
        .as_ref()
        .map(|b| Tensor::new(&[b.len()], f32s(b)).unwrap());
    ConvTranspose::from_weights(options, weight, bias).unwrap_or_else(|e| panic!("{}: {e}", c.name))
}

#[wasm_bindgen_test]
async fn conv_transpose_1d_2d_3d_match_pytorch_on_both_kernels() {
    let ctx = gpu().await;
    let g: ConvTransposeGolden = serde_json::from_str(include_str!(
        "../../wgpu-upsample/tests/fixtures/conv_transpose_golden.json"
    ))
    .expect("fixture parses");
    assert!(g.cases.len() > 200, "fixture has {} cases", g.cases.len());
    let dims: std::collections::BTreeSet<_> = g.cases.iter().map(|c| c.layer.dims).collect();
    assert_eq!(dims.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
        let mut failures = Vec::new();
        for c in &g.cases {
            let layer = conv_transpose_of(c).with_kernel(kernel);
            let sized = layer.with_output_size(c.output_size.as_deref());
            let input = Tensor::new(&c.input_shape, f32s(&c.input)).unwrap();
            match forward(&ctx, &sized, &input).await {
                Ok(out) if out.shape() != c.output_shape.as_slice() => failures.push(format!(
                    "{}: shape {:?}, want {:?}",
                    c.name,
                    out.shape(),
                    c.output_shape
                )),
                Ok(out) => {
                    if let Err(e) = check_close(out.data(), &f32s(&c.output), CONV_TRANSPOSE_RTOL) {
                        failures.push(format!("{}: {e}", c.name));
                    }
                }
                Err(e) => failures.push(format!("{}: error {e}", c.name)),
            }
        }
        report(
            &format!("ConvTranspose ({kernel:?} kernel)"),
            &failures,
            g.cases.len(),
            &ctx,
        );
    }
}

#[wasm_bindgen_test]
async fn blocking_calls_refuse_instead_of_hanging() {
    let ctx = gpu().await;
    assert!(
        matches!(GpuContext::new(), Err(Error::NoAdapter(m)) if m.contains("new_async")),
        "GpuContext::new in the browser"
    );
    let x = ctx.upload(&Tensor::zeros(&[1, 1, 2, 2]).unwrap()).unwrap();
    assert!(
        matches!(ctx.download(&x), Err(Error::BufferMap(m)) if m.contains("download_async")),
        "download in the browser"
    );
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
    let y = ctx.empty(&[1, 1, 4, 4]).unwrap();
    let blocking = wgpu_upsample::gpu::timing::time_gpu(&ctx, 2, 0, |e, ts| {
        up.encode_gpu_timed(&ctx, e, &x, &y, ts)
    });
    assert!(matches!(blocking, Err(Error::Gpu(m)) if m.contains("time_gpu_async")));
    // wait() returns at once; wait_async() waits.
    ctx.wait().unwrap();
    ctx.wait_async().await.unwrap();
}

#[wasm_bindgen_test]
async fn gpu_errors_reach_the_next_async_call() {
    // A run on a destroyed buffer is a WebGPU validation error, which the browser reports after
    // the call returned: the next wait_async returns it, and the one after that is clean again.
    let ctx = gpu().await;
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Nearest);
    let x = ctx.upload(&Tensor::zeros(&[1, 1, 4, 4]).unwrap()).unwrap();
    ctx.wait_async().await.unwrap();
    x.buffer().destroy();
    let _y = up
        .forward_gpu(&ctx, &x)
        .expect("argument checks pass; the GPU error comes later");
    let err = ctx.wait_async().await;
    assert!(matches!(err, Err(Error::Gpu(_))), "{err:?}");
    web_sys_log(&format!("deferred error: {}", err.unwrap_err()));
    ctx.wait_async().await.unwrap();
}

#[wasm_bindgen_test]
async fn kernel_times_without_blocking() {
    let ctx = gpu().await;
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    let input = Tensor::from_fn(&[1, 3, 32, 32], |i| (i % 7) as f32).unwrap();
    let x = ctx.upload(&input).unwrap();
    let y = ctx.empty(&up.output_shape(x.shape()).unwrap()).unwrap();
    let t = time_gpu_async(&ctx, 3, 1, |e, ts| up.encode_gpu_timed(&ctx, e, &x, &y, ts))
        .await
        .unwrap();
    assert_eq!(t.samples.len(), 3);
    assert!(matches!(
        t.source,
        TimingSource::Timestamps | TimingSource::WallClock
    ));
    web_sys_log(&format!(
        "bilinear x2 of 3x32x32: {:?} ({})",
        t.median, t.source
    ));
    let got = ctx.download_async(&y).await.unwrap();
    assert!(got.max_abs_diff(&up.forward_cpu(&input).unwrap()).unwrap() <= 1e-5);
}
