//! ConvTranspose on inputs, weights and biases holding NaN, +inf and -inf: PyTorch's float32
//! forward (tools/golden/gen_conv_transpose_nonfinite.py) against the CPU gather reference, the
//! CPU SGEMM path and both GPU kernels, each forced (a weight with NaN or inf takes the direct
//! kernel anyway) — NaN where PyTorch has NaN, the same infinity where it has one, else within
//! 1e-4 · max(1, |ref|); then both GPU kernels and the CPU SGEMM path against the gather
//! reference on random layers with NaN / inf sprinkled into inputs, weights and biases (half
//! the layers with finite weights, so that the GEMMs run).

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Op, Tensor};

/// As conv_transpose_golden.rs: sums over channels and taps.
const RTOL: f32 = 1e-4;

const KERNELS: [ConvTransposeKernel; 2] = [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm];

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
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
    input_shape: Vec<usize>,
    input: Vec<Value>,
    weight_shape: Vec<usize>,
    weight: Vec<Value>,
    bias_values: Option<Vec<Value>>,
    output_shape: Vec<usize>,
    output: Vec<Value>,
}

fn values(v: &[Value]) -> Vec<f32> {
    v.iter()
        .map(|v| match v {
            Value::String(s) if s == "nan" => f32::NAN,
            Value::String(s) if s == "inf" => f32::INFINITY,
            Value::String(s) if s == "-inf" => f32::NEG_INFINITY,
            v => v.as_f64().expect("a number") as f32,
        })
        .collect()
}

impl Case {
    fn layer(&self) -> ConvTranspose {
        let options = ConvTransposeOptions::new(
            self.dims,
            self.in_channels,
            self.out_channels,
            self.kernel_size.clone(),
        )
        .stride(self.stride.clone())
        .padding(self.padding.clone())
        .output_padding(self.output_padding.clone())
        .dilation(self.dilation.clone())
        .groups(self.groups)
        .bias(self.bias);
        let weight = Tensor::new(&self.weight_shape, values(&self.weight)).unwrap();
        let bias = self
            .bias_values
            .as_ref()
            .map(|b| Tensor::new(&[b.len()], values(b)).unwrap());
        ConvTranspose::from_weights(options, weight, bias).unwrap()
    }
}

#[test]
fn cpu_and_gpu_match_pytorch_on_nan_and_inf() {
    let ctx = common::gpu();
    let g: Golden =
        serde_json::from_str(&common::fixture("conv_transpose_nonfinite_golden.json")).unwrap();
    assert!(g.cases.len() >= 40);
    let mut failures = Vec::new();
    let mut check = |name: String, got: wgpu_upsample::Result<Tensor>, c: &Case| match got {
        Ok(y) if y.shape() == c.output_shape.as_slice() => {
            if let Err(e) = common::check_close_nonfinite(y.data(), &values(&c.output), RTOL) {
                failures.push(format!("{name}: {e}"));
            }
        }
        Ok(y) => failures.push(format!("{name}: shape {:?}", y.shape())),
        Err(e) => failures.push(format!("{name}: {e}")),
    };
    for c in &g.cases {
        let x = Tensor::new(&c.input_shape, values(&c.input)).unwrap();
        // A weight holding NaN or inf takes the direct kernel even where the GEMM is forced (its
        // zero padding times inf would be NaN); non-finite inputs and biases run the GEMM.
        let gemm = c.layer().with_kernel(ConvTransposeKernel::Gemm);
        let spoiled_weight = c.name.ends_with("_w") || c.name.ends_with("_xw");
        let want = if spoiled_weight {
            ConvTransposeKernel::Direct
        } else {
            ConvTransposeKernel::Gemm
        };
        assert_eq!(
            (gemm.kernel(ctx), gemm.cpu_kernel()),
            (want, want),
            "{}",
            c.name
        );
        for kernel in KERNELS {
            let layer = c.layer().with_kernel(kernel);
            check(
                format!("{} CPU {kernel:?}", c.name),
                layer.forward_cpu(&x),
                c,
            );
            let got = ctx
                .upload(&x)
                .and_then(|gx| layer.forward_gpu(ctx, &gx))
                .and_then(|gy| ctx.download(&gy));
            check(format!("{} GPU {kernel:?}", c.name), got, c);
        }
    }
    assert!(
        failures.is_empty(),
        "{} results differ from PyTorch {}:\n{}",
        failures.len(),
        g.torch_version,
        failures.join("\n")
    );
}

/// One in ten values NaN, inf or -inf.
fn spoiled(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| match rng.random_range(0..30) {
        0 => f32::NAN,
        1 => f32::INFINITY,
        2 => f32::NEG_INFINITY,
        _ => rng.random_range(-1.0f32..1.0),
    })
    .unwrap()
}

#[test]
fn gpu_and_sgemm_match_the_gather_reference_with_nan_and_inf_on_random_layers() {
    let ctx = common::gpu();
    let seed = 0x0c7f;
    eprintln!("seed {seed:#x}");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    for case in 0..80 {
        let dims = rng.random_range(1..=3);
        let groups = [1, 1, 2, 3][rng.random_range(0..4)];
        let cig = rng.random_range(1..=if dims == 3 { 3 } else { 9 });
        let cog = rng.random_range(1..=if dims == 3 { 3 } else { 12 });
        let per_axis = |rng: &mut StdRng, lo: usize, hi: usize| -> Vec<usize> {
            (0..dims).map(|_| rng.random_range(lo..=hi)).collect()
        };
        let (k, s, d, p) = (
            per_axis(&mut rng, 1, 4),
            per_axis(&mut rng, 1, 3),
            per_axis(&mut rng, 1, 2),
            per_axis(&mut rng, 0, 2),
        );
        let op: Vec<usize> = (0..dims)
            .map(|a| rng.random_range(0..s[a].max(d[a])))
            .collect();
        let bias = rng.random_bool(0.7);
        let options = ConvTransposeOptions::new(dims, cig * groups, cog * groups, k)
            .stride(s)
            .padding(p)
            .output_padding(op)
            .dilation(d)
            .groups(groups)
            .bias(bias);
        let side = if dims == 3 { 4 } else { 7 };
        let shape: Vec<usize> = [rng.random_range(1..=2), cig * groups]
            .into_iter()
            .chain((0..dims).map(|_| rng.random_range(1..=side)))
            .collect();
        let Ok(weight_shape) = options.weight_shape() else {
            continue;
        };
        let weight = if rng.random_bool(0.5) {
            spoiled(&mut rng, &weight_shape)
        } else {
            Tensor::from_fn(&weight_shape, |_| rng.random_range(-1.0f32..1.0)).unwrap()
        };
        let b = bias.then(|| spoiled(&mut rng, &[cog * groups]));
        let layer = ConvTranspose::from_weights(options, weight, b).unwrap();
        if layer.output_shape(&shape).is_err() {
            continue;
        }
        let x = spoiled(&mut rng, &shape);
        let want = layer
            .clone()
            .with_kernel(ConvTransposeKernel::Direct)
            .forward_cpu(&x)
            .unwrap();
        let name =
            |what: &str| format!("case {case} (seed {seed:#x}) {what} {layer:?} on {shape:?}");
        let sgemm = layer
            .clone()
            .with_kernel(ConvTransposeKernel::Gemm)
            .forward_cpu(&x)
            .unwrap();
        if let Err(e) = common::check_close_nonfinite(sgemm.data(), want.data(), RTOL) {
            failures.push(format!("{}: {e}", name("CPU Gemm")));
        }
        let gx = ctx.upload(&x).unwrap();
        for kernel in KERNELS {
            let got = layer
                .clone()
                .with_kernel(kernel)
                .forward_gpu(ctx, &gx)
                .unwrap();
            let got = ctx.download(&got).unwrap();
            if let Err(e) = common::check_close_nonfinite(got.data(), want.data(), RTOL) {
                failures.push(format!("{}: {e}", name(&format!("GPU {kernel:?}"))));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
