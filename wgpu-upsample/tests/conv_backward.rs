//! Conv1d/2d/3d forward and backward, and ConvTranspose1d/2d/3d backward, against PyTorch's
//! autograd (tools/golden/gen_conv_backward.py: float64 reference rounded to float32): output,
//! grad_input, grad_weight and grad_bias on the CPU and on the GPU within
//! 1e-4 · max(1, |ref|). Conv's construction and forward errors carry PyTorch's messages. On
//! random layers the GPU equals the CPU, repeated GPU gradients are bitwise identical, and
//! `accumulate` adds to the gradient already there.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{
    Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeOptions, GpuContext, GpuTensor, Op,
    Tensor,
};

const RTOL: f32 = 1e-4;

/// Floats written as numbers, or as the strings "nan", "inf", "-inf".
fn floats<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let values: Vec<Value> = Deserialize::deserialize(d)?;
    values
        .iter()
        .map(|v| value(v).map_err(serde::de::Error::custom))
        .collect()
}

fn opt_floats<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    let values: Option<Vec<Value>> = Deserialize::deserialize(d)?;
    values
        .map(|v| {
            v.iter()
                .map(|v| value(v).map_err(serde::de::Error::custom))
                .collect()
        })
        .transpose()
}

fn value(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n}")),
        Value::String(s) if s == "nan" => Ok(f64::NAN),
        Value::String(s) if s == "inf" => Ok(f64::INFINITY),
        Value::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        other => Err(format!("not a float: {other}")),
    }
}

#[derive(Deserialize)]
struct Case {
    name: String,
    op: String,
    dims: usize,
    in_channels: usize,
    out_channels: usize,
    kernel_size: Vec<usize>,
    stride: Vec<usize>,
    padding: Value,
    output_padding: Vec<usize>,
    groups: usize,
    dilation: Vec<usize>,
    bias: bool,
    input_shape: Vec<usize>,
    #[serde(deserialize_with = "floats")]
    input: Vec<f64>,
    weight_shape: Vec<usize>,
    #[serde(deserialize_with = "floats")]
    weight: Vec<f64>,
    #[serde(deserialize_with = "opt_floats")]
    bias_values: Option<Vec<f64>>,
    output_size: Option<Vec<usize>>,
    output_shape: Vec<usize>,
    #[serde(deserialize_with = "floats")]
    output: Vec<f64>,
    #[serde(deserialize_with = "floats")]
    grad_output: Vec<f64>,
    #[serde(deserialize_with = "floats")]
    grad_input: Vec<f64>,
    #[serde(deserialize_with = "floats")]
    grad_weight: Vec<f64>,
    #[serde(deserialize_with = "opt_floats")]
    grad_bias: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct ErrorCase {
    name: String,
    op: String,
    dims: usize,
    in_channels: i64,
    out_channels: i64,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Value,
    groups: i64,
    dilation: Vec<i64>,
    bias: bool,
    input_shape: Vec<usize>,
    error_type: String,
    message: String,
}

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    cases: Vec<Case>,
    errors: Vec<ErrorCase>,
}

fn golden() -> Golden {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/conv_backward_golden.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tensor(shape: &[usize], v: &[f64]) -> Tensor {
    Tensor::new(shape, v.iter().map(|&x| x as f32).collect()).unwrap()
}

fn padding(v: &Value) -> Option<ConvPadding> {
    match v {
        Value::String(s) => ConvPadding::parse(s).ok(),
        Value::Array(a) => Some(ConvPadding::Explicit(
            a.iter()
                .map(|x| x.as_u64().map(|x| x as usize))
                .collect::<Option<_>>()?,
        )),
        _ => None,
    }
}

/// A layer of the case, as an op, its backward and its parameter gradients.
enum Layer {
    Conv(Conv),
    ConvTranspose(ConvTranspose, Option<Vec<usize>>),
}

impl Layer {
    fn of(c: &Case) -> Layer {
        let weight = tensor(&c.weight_shape, &c.weight);
        let bias = c.bias_values.as_ref().map(|b| tensor(&[b.len()], b));
        if c.op == "Conv" {
            let opts =
                ConvOptions::new(c.dims, c.in_channels, c.out_channels, c.kernel_size.clone())
                    .stride(c.stride.clone())
                    .padding(padding(&c.padding).expect("a padding"))
                    .dilation(c.dilation.clone())
                    .groups(c.groups)
                    .bias(c.bias);
            Layer::Conv(Conv::from_weights(opts, weight, bias).unwrap())
        } else {
            let opts = ConvTransposeOptions::new(
                c.dims,
                c.in_channels,
                c.out_channels,
                c.kernel_size.clone(),
            )
            .stride(c.stride.clone())
            .padding(serde_json::from_value::<Vec<usize>>(c.padding.clone()).unwrap())
            .output_padding(c.output_padding.clone())
            .dilation(c.dilation.clone())
            .groups(c.groups)
            .bias(c.bias);
            Layer::ConvTranspose(
                ConvTranspose::from_weights(opts, weight, bias).unwrap(),
                c.output_size.clone(),
            )
        }
    }

    /// Runs `f` with the forward op, its backward for `input_shape` and the gradients' makers.
    fn with<R>(&self, input_shape: &[usize], f: impl FnOnce(Parts<'_>) -> R) -> R {
        match self {
            Layer::Conv(l) => f(Parts {
                forward: l,
                backward: Box::new(l.backward(input_shape).unwrap()),
                grads_cpu: Box::new(|x, gy| {
                    let g = l.grad_params_cpu(x, gy).unwrap();
                    (g.weight, g.bias)
                }),
                grads_gpu: Box::new(|ctx, x, gy| {
                    let g = l.grad_params_gpu(ctx, x, gy).unwrap();
                    (
                        ctx.download(&g.weight).unwrap(),
                        g.bias.map(|b| ctx.download(&b).unwrap()),
                    )
                }),
            }),
            Layer::ConvTranspose(l, size) => {
                let sized = l.with_output_size(size.as_deref());
                f(Parts {
                    forward: &sized,
                    backward: Box::new(sized.backward(input_shape).unwrap()),
                    grads_cpu: Box::new(|x, gy| {
                        let g = sized.grad_params_cpu(x, gy).unwrap();
                        (g.weight, g.bias)
                    }),
                    grads_gpu: Box::new(|ctx, x, gy| {
                        let g = sized.grad_params_gpu(ctx, x, gy).unwrap();
                        (
                            ctx.download(&g.weight).unwrap(),
                            g.bias.map(|b| ctx.download(&b).unwrap()),
                        )
                    }),
                })
            }
        }
    }
}

type Grads = (Tensor, Option<Tensor>);
type CpuGrads<'a> = Box<dyn Fn(&Tensor, &Tensor) -> Grads + 'a>;
type GpuGrads<'a> = Box<dyn Fn(&GpuContext, &GpuTensor, &GpuTensor) -> Grads + 'a>;

struct Parts<'a> {
    forward: &'a dyn Op,
    backward: Box<dyn Op + 'a>,
    grads_cpu: CpuGrads<'a>,
    grads_gpu: GpuGrads<'a>,
}

impl Parts<'_> {
    /// Output, grad_input and the parameter gradients of `x` and `gy`, on the GPU or the CPU.
    fn run(&self, gpu: bool, x: &Tensor, gy: &Tensor) -> (Tensor, Tensor, Grads) {
        if !gpu {
            let y = self.forward.forward_cpu(x).unwrap();
            let gx = self.backward.forward_cpu(gy).unwrap();
            return (y, gx, (self.grads_cpu)(x, gy));
        }
        let ctx = common::gpu();
        let (xg, gyg) = (ctx.upload(x).unwrap(), ctx.upload(gy).unwrap());
        let y = ctx
            .download(&self.forward.forward_gpu(ctx, &xg).unwrap())
            .unwrap();
        let gx = ctx
            .download(&self.backward.forward_gpu(ctx, &gyg).unwrap())
            .unwrap();
        (y, gx, (self.grads_gpu)(ctx, &xg, &gyg))
    }
}

fn compare(failures: &mut Vec<String>, what: String, got: &[f32], want: &[f64]) {
    let want: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    if let Err(e) = common::check_close(got, &want, RTOL) {
        failures.push(format!("{what}: {e}"));
    }
}

fn run_golden(gpu: bool) {
    let g = golden();
    let mut failures = Vec::new();
    for c in &g.cases {
        let layer = Layer::of(c);
        let x = tensor(&c.input_shape, &c.input);
        let gy = tensor(&c.output_shape, &c.grad_output);
        layer.with(&c.input_shape, |p| {
            let (y, gx, (gw, gb)) = p.run(gpu, &x, &gy);
            assert_eq!(y.shape(), c.output_shape.as_slice(), "{}", c.name);
            compare(
                &mut failures,
                format!("{} output", c.name),
                y.data(),
                &c.output,
            );
            assert_eq!(gx.shape(), c.input_shape.as_slice(), "{}", c.name);
            compare(
                &mut failures,
                format!("{} grad_input", c.name),
                gx.data(),
                &c.grad_input,
            );
            compare(
                &mut failures,
                format!("{} grad_weight", c.name),
                gw.data(),
                &c.grad_weight,
            );
            match (gb, &c.grad_bias) {
                (Some(gb), Some(want)) => compare(
                    &mut failures,
                    format!("{} grad_bias", c.name),
                    gb.data(),
                    want,
                ),
                (None, None) => {}
                _ => failures.push(format!(
                    "{}: bias gradient present on one side only",
                    c.name
                )),
            }
        });
    }
    assert!(g.cases.len() >= 200, "only {} cases", g.cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} PyTorch {} cases differ ({}):\n{}",
        failures.len(),
        g.cases.len(),
        g.torch_version,
        if gpu { "GPU" } else { "CPU" },
        failures.join("\n")
    );
}

#[test]
fn cpu_matches_pytorch_autograd() {
    run_golden(false);
}

#[test]
fn gpu_matches_pytorch_autograd() {
    run_golden(true);
}

#[test]
fn conv_errors_are_pytorchs() {
    let g = golden();
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in g.errors.iter().filter(|e| e.op == "Conv") {
        let u = |v: i64| usize::try_from(v).ok();
        let us = |v: &[i64]| v.iter().map(|&x| u(x)).collect::<Option<Vec<usize>>>();
        let (Some(cin), Some(cout), Some(groups), Some(k), Some(s), Some(d)) = (
            u(e.in_channels),
            u(e.out_channels),
            u(e.groups),
            us(&e.kernel_size),
            us(&e.stride),
            us(&e.dilation),
        ) else {
            continue; // negative values: Rust's usize cannot express them
        };
        let pad = match &e.padding {
            Value::String(s) => match ConvPadding::parse(s) {
                Ok(p) => p,
                Err(err) => {
                    // Python prints a set in hash order: compare up to it.
                    let want = e.message.split("should be one of").next().unwrap();
                    if !err.to_string().contains(want) {
                        failures.push(format!("{}: got {err}, PyTorch: {}", e.name, e.message));
                    }
                    checked += 1;
                    continue;
                }
            },
            Value::Array(_) => match padding(&e.padding) {
                Some(p) => p,
                None => continue,
            },
            _ => continue,
        };
        let opts = ConvOptions::new(e.dims, cin, cout, k)
            .stride(s)
            .padding(pad)
            .dilation(d)
            .groups(groups)
            .bias(e.bias);
        let got = Conv::new(opts, 0).and_then(|l| l.forward_cpu(&Tensor::zeros(&e.input_shape)?));
        checked += 1;
        match got {
            Ok(_) => failures.push(format!("{}: accepted; PyTorch: {}", e.name, e.message)),
            Err(err) => {
                let text = err.to_string();
                if !text.contains(&e.message)
                    || !common::same_kind_as_pytorch(&e.error_type, &e.message, &err)
                {
                    failures.push(format!(
                        "{}: got {err:?}\n   PyTorch {}: {}",
                        e.name, e.error_type, e.message
                    ));
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} error cases checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn random_tensor(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-1.0..1.0)).unwrap()
}

fn per_axis(rng: &mut StdRng, dims: usize, lo: usize, hi: usize) -> Vec<usize> {
    (0..dims).map(|_| rng.random_range(lo..=hi)).collect()
}

/// A random layer of either kind and an input shape it accepts.
fn random_layer(rng: &mut StdRng) -> (Layer, Vec<usize>) {
    loop {
        let dims = rng.random_range(1..=3);
        let groups = [1, 1, 2, 3][rng.random_range(0..4)];
        let cin = groups * rng.random_range(1..=4);
        let cout = groups * rng.random_range(1..=4);
        let k = per_axis(rng, dims, 1, 4);
        let dilation = per_axis(rng, dims, 1, 2);
        let mut shape = vec![rng.random_range(0..=3), cin];
        shape.extend(per_axis(rng, dims, 1, [0, 24, 10, 5][dims]));
        if rng.random_bool(0.2) {
            shape.remove(0);
        }
        let bias = rng.random_bool(0.7);
        let layer = if rng.random_bool(0.5) {
            let pad = match rng.random_range(0..3) {
                0 => ConvPadding::Same,
                1 => ConvPadding::Valid,
                _ => ConvPadding::Explicit(per_axis(rng, dims, 0, 2)),
            };
            let stride = if pad == ConvPadding::Same {
                vec![1]
            } else {
                per_axis(rng, dims, 1, 3)
            };
            let opts = ConvOptions::new(dims, cin, cout, k)
                .stride(stride)
                .padding(pad)
                .dilation(dilation)
                .groups(groups)
                .bias(bias);
            let seed = rng.random();
            Layer::Conv(Conv::new(opts, seed).unwrap())
        } else {
            let stride = per_axis(rng, dims, 1, 3);
            let op: Vec<usize> = stride
                .iter()
                .zip(&dilation)
                .map(|(&s, &d)| rng.random_range(0..s.max(d)))
                .collect();
            let opts = ConvTransposeOptions::new(dims, cin, cout, k)
                .stride(stride)
                .padding(per_axis(rng, dims, 0, 2))
                .output_padding(op)
                .dilation(dilation)
                .groups(groups)
                .bias(bias);
            let seed = rng.random();
            Layer::ConvTranspose(ConvTranspose::new(opts, seed).unwrap(), None)
        };
        let ok = match &layer {
            Layer::Conv(l) => l.output_shape(&shape).is_ok(),
            Layer::ConvTranspose(l, _) => l.output_shape(&shape).is_ok(),
        };
        if ok {
            return (layer, shape);
        }
    }
}

#[test]
fn gpu_matches_cpu_on_random_layers_and_repeats_bitwise() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut failures = Vec::new();
    let cases = 150;
    for case in 0..cases {
        let (layer, shape) = random_layer(&mut rng);
        layer.with(&shape, |p| {
            let what = format!("case {case}: {:?} on {shape:?}", p.forward);
            let x = random_tensor(&mut rng, &shape);
            let out = p.forward.output_shape(&shape).unwrap();
            let gy = random_tensor(&mut rng, &out);
            let (xg, gyg) = (ctx.upload(&x).unwrap(), ctx.upload(&gy).unwrap());
            let y = ctx
                .download(&p.forward.forward_gpu(ctx, &xg).unwrap())
                .unwrap();
            let y_cpu = p.forward.forward_cpu(&x).unwrap();
            if let Err(e) = common::check_close(y.data(), y_cpu.data(), RTOL) {
                failures.push(format!("{what}: output {e}"));
            }
            let gx = ctx
                .download(&p.backward.forward_gpu(ctx, &gyg).unwrap())
                .unwrap();
            let gx_cpu = p.backward.forward_cpu(&gy).unwrap();
            if let Err(e) = common::check_close(gx.data(), gx_cpu.data(), RTOL) {
                failures.push(format!("{what}: grad_input {e}"));
            }
            let gx2 = ctx
                .download(&p.backward.forward_gpu(ctx, &gyg).unwrap())
                .unwrap();
            if bits(&gx) != bits(&gx2) {
                failures.push(format!("{what}: grad_input not bitwise repeatable"));
            }
            let (gw, gb) = (p.grads_gpu)(ctx, &xg, &gyg);
            let (gw_cpu, gb_cpu) = (p.grads_cpu)(&x, &gy);
            if let Err(e) = common::check_close(gw.data(), gw_cpu.data(), RTOL) {
                failures.push(format!("{what}: grad_weight {e}"));
            }
            match (&gb, &gb_cpu) {
                (Some(a), Some(b)) => {
                    if let Err(e) = common::check_close(a.data(), b.data(), RTOL) {
                        failures.push(format!("{what}: grad_bias {e}"));
                    }
                }
                (None, None) => {}
                _ => failures.push(format!("{what}: bias gradient on one side only")),
            }
            let (gw2, gb2) = (p.grads_gpu)(ctx, &xg, &gyg);
            if bits(&gw) != bits(&gw2) || gb.map(|t| bits(&t)) != gb2.map(|t| bits(&t)) {
                failures.push(format!(
                    "{what}: parameter gradients not bitwise repeatable"
                ));
            }
        });
    }
    assert!(
        failures.is_empty(),
        "{} failures in {cases} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.data().iter().map(|v| v.to_bits()).collect()
}

/// Overwrite, then accumulate: the second call adds its (identical) gradient, so the result is
/// exactly twice the first; a caller's encoder holds forward, backward and both gradients.
#[test]
fn accumulate_adds_to_the_gradient_and_one_encoder_holds_a_training_step() {
    let ctx = common::gpu();
    let opts = ConvOptions::new(2, 4, 6, [3])
        .padding(ConvPadding::Same)
        .groups(2);
    let conv = Conv::new(opts, 5).unwrap();
    let up = ConvTranspose::new(
        ConvTransposeOptions::new(2, 6, 3, [4])
            .stride([2])
            .padding([1]),
        6,
    )
    .unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let x = ctx.upload(&random_tensor(&mut rng, &[2, 4, 9, 7])).unwrap();
    let h = ctx.empty(&conv.output_shape(x.shape()).unwrap()).unwrap();
    let y = ctx.empty(&up.output_shape(h.shape()).unwrap()).unwrap();
    let gy = ctx.upload(&random_tensor(&mut rng, y.shape())).unwrap();
    let gh = ctx.empty(h.shape()).unwrap();
    let gx = ctx.empty(x.shape()).unwrap();
    let w_up = ctx.empty(up.weight().shape()).unwrap();
    let b_up = ctx.empty(&[3]).unwrap();
    let w_conv = ctx.empty(conv.weight().shape()).unwrap();
    let b_conv = ctx.empty(&[6]).unwrap();
    let step = |accumulate: bool| {
        let mut encoder = ctx.encoder("training step");
        conv.encode_gpu(ctx, &mut encoder, &x, &h).unwrap();
        up.encode_gpu(ctx, &mut encoder, &h, &y).unwrap();
        up.backward(h.shape())
            .unwrap()
            .encode_gpu(ctx, &mut encoder, &gy, &gh)
            .unwrap();
        up.encode_grad_params(ctx, &mut encoder, &h, &gy, &w_up, Some(&b_up), accumulate)
            .unwrap();
        conv.backward(x.shape())
            .unwrap()
            .encode_gpu(ctx, &mut encoder, &gh, &gx)
            .unwrap();
        conv.encode_grad_params(
            ctx,
            &mut encoder,
            &x,
            &gh,
            &w_conv,
            Some(&b_conv),
            accumulate,
        )
        .unwrap();
        ctx.queue().submit([encoder.finish()]);
        [&w_up, &b_up, &w_conv, &b_conv].map(|t| ctx.download(t).unwrap())
    };
    let once = step(false);
    let twice = step(true);
    for (a, b) in once.iter().zip(&twice) {
        let doubled: Vec<u32> = a.data().iter().map(|v| (2.0 * v).to_bits()).collect();
        assert_eq!(
            bits(b),
            doubled,
            "accumulate must add the same gradient once more"
        );
        assert!(a.data().iter().any(|&v| v != 0.0));
    }
    // And the chain matches the CPU references.
    let hx = conv.forward_cpu(&ctx.download(&x).unwrap()).unwrap();
    let gh_cpu = up
        .backward(h.shape())
        .unwrap()
        .forward_cpu(&ctx.download(&gy).unwrap())
        .unwrap();
    let want = up
        .grad_params_cpu(&hx, &ctx.download(&gy).unwrap())
        .unwrap();
    common::check_close(once[0].data(), want.weight.data(), RTOL).unwrap();
    let want = conv
        .grad_params_cpu(&ctx.download(&x).unwrap(), &gh_cpu)
        .unwrap();
    common::check_close(once[2].data(), want.weight.data(), RTOL).unwrap();
    common::check_close(once[3].data(), want.bias.unwrap().data(), RTOL).unwrap();
}

#[test]
fn gradient_tensors_are_checked() {
    let ctx = common::gpu();
    let conv = Conv::new(ConvOptions::new(1, 2, 3, [3]), 0).unwrap();
    let x = ctx.upload(&Tensor::zeros(&[1, 2, 8]).unwrap()).unwrap();
    let gy = ctx.upload(&Tensor::zeros(&[1, 3, 6]).unwrap()).unwrap();
    let w = ctx.empty(&[3, 2, 3]).unwrap();
    let b = ctx.empty(&[3]).unwrap();
    let mut enc = ctx.encoder("checks");
    let mut call = |x: &GpuTensor, gy: &GpuTensor, w: &GpuTensor, b: Option<&GpuTensor>| {
        conv.encode_grad_params(ctx, &mut enc, x, gy, w, b, false)
    };
    assert!(call(&x, &gy, &w, Some(&b)).is_ok());
    let bad_gy = ctx.upload(&Tensor::zeros(&[1, 3, 5]).unwrap()).unwrap();
    let e = call(&x, &bad_gy, &w, Some(&b)).unwrap_err().to_string();
    assert!(e.contains("grad_output of shape [1, 3, 5]"), "{e}");
    let bad_w = ctx.empty(&[3, 2, 2]).unwrap();
    assert!(
        call(&x, &gy, &bad_w, Some(&b))
            .unwrap_err()
            .to_string()
            .contains("grad_weight")
    );
    assert!(
        call(&x, &gy, &w, None)
            .unwrap_err()
            .to_string()
            .contains("no grad_bias")
    );
    assert!(
        call(&x, &gy, &w, Some(&w)).is_err(),
        "grad_bias in grad_weight's buffer"
    );
    // grad_weight in the input's buffer (one buffer viewed as both).
    let shared = ctx.empty(&[18]).unwrap();
    let x_view = GpuTensor::from_buffer(ctx, shared.buffer().clone(), &[1, 2, 8]).unwrap();
    let w_view = GpuTensor::from_buffer(ctx, shared.buffer().clone(), &[3, 2, 3]).unwrap();
    let e = call(&x_view, &gy, &w_view, Some(&b))
        .unwrap_err()
        .to_string();
    assert!(e.contains("buffers of their own"), "{e}");
    let other = common::device_with(wgpu::Features::empty(), |l| l);
    let foreign = other.empty(&[3, 2, 3]).unwrap();
    assert!(
        call(&x, &gy, &foreign, Some(&b))
            .unwrap_err()
            .to_string()
            .contains("another GpuContext")
    );
    let e = conv
        .backward(&[1, 2, 8])
        .unwrap()
        .forward_cpu(&Tensor::zeros(&[1, 3, 7]).unwrap());
    assert!(e.is_err());
}

/// Wide layers run the implicit GEMMs: Conv's forward (any stride, padding "same" asymmetric,
/// dilation, groups, 1-3 axes), ConvTranspose's grad_input and both weight gradients, matching the
/// CPU references; narrow ones the direct kernel on the workgroup-tiled core (the GEMM on the
/// subgroup core), depthwise ones and a weight holding inf the direct kernel on both.
#[test]
fn wide_layers_run_the_gemm_and_match_the_cpu() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(8);
    let convs = [
        (
            ConvOptions::new(2, 16, 16, [3]).padding(ConvPadding::Same),
            vec![2, 16, 13, 11],
        ),
        (
            ConvOptions::new(1, 16, 16, [4]).padding(ConvPadding::Same),
            vec![3, 16, 21],
        ),
        (
            ConvOptions::new(2, 8, 32, [5, 3])
                .padding_explicit([1, 2])
                .dilation([2, 1]),
            vec![1, 8, 12, 9],
        ),
        (
            ConvOptions::new(2, 16, 32, [3])
                .groups(2)
                .padding(ConvPadding::Valid),
            vec![2, 16, 7, 8],
        ),
        (
            ConvOptions::new(3, 8, 8, [3])
                .padding_explicit([1])
                .bias(false),
            vec![1, 8, 5, 6, 4],
        ),
        (
            ConvOptions::new(2, 16, 16, [2])
                .padding(ConvPadding::Same)
                .dilation([3]),
            vec![16, 9, 9],
        ),
        (
            ConvOptions::new(2, 16, 16, [3])
                .stride([2, 3])
                .padding_explicit([4]),
            vec![2, 16, 9, 10],
        ),
    ];
    // The GEMM's entry point: the subgroup core's on CPU adapters, else the workgroup-tiled one.
    let gemm = match wgpu_upsample::GemmCore::of(ctx) {
        wgpu_upsample::GemmCore::Subgroup => "gemm_sg",
        wgpu_upsample::GemmCore::Workgroup => "conv_gemm",
    };
    for (opts, shape) in convs {
        let conv = Conv::new(opts.clone(), 1).unwrap();
        assert_eq!(conv.gpu_kernels(ctx, &shape).unwrap(), [gemm], "{opts:?}");
        let x = random_tensor(&mut rng, &shape);
        let gpu = ctx
            .download(&conv.forward_gpu(ctx, &ctx.upload(&x).unwrap()).unwrap())
            .unwrap();
        let cpu = conv.forward_cpu(&x).unwrap();
        common::check_close(gpu.data(), cpu.data(), RTOL)
            .unwrap_or_else(|e| panic!("{opts:?}: {e}"));
        // The weight gradient's GEMM (M = C_out/g >= 8).
        let gy = random_tensor(&mut rng, cpu.shape());
        let want = conv.grad_params_cpu(&x, &gy).unwrap();
        let got = conv
            .grad_params_gpu(ctx, &ctx.upload(&x).unwrap(), &ctx.upload(&gy).unwrap())
            .unwrap();
        let w = ctx.download(&got.weight).unwrap();
        common::check_close(w.data(), want.weight.data(), RTOL)
            .unwrap_or_else(|e| panic!("{opts:?} grad_weight: {e}"));
    }
    let transposed = [
        (
            ConvTransposeOptions::new(2, 16, 16, [4])
                .stride([2])
                .padding([1]),
            vec![2, 16, 9, 7],
        ),
        (
            ConvTransposeOptions::new(1, 32, 8, [3])
                .stride([3])
                .output_padding([2]),
            vec![1, 32, 11],
        ),
        (
            ConvTransposeOptions::new(3, 16, 16, [2, 3, 3])
                .stride([1, 2, 2])
                .groups(2)
                .dilation([2]),
            vec![1, 16, 3, 4, 5],
        ),
    ];
    for (opts, shape) in transposed {
        let layer = ConvTranspose::new(opts.clone(), 2).unwrap();
        let back = layer.backward(&shape).unwrap();
        let out = layer.output_shape(&shape).unwrap();
        assert_eq!(back.gpu_kernels(ctx, &out).unwrap(), [gemm], "{opts:?}");
        let gy = random_tensor(&mut rng, &out);
        let gpu = ctx
            .download(&back.forward_gpu(ctx, &ctx.upload(&gy).unwrap()).unwrap())
            .unwrap();
        let cpu = back.forward_cpu(&gy).unwrap();
        common::check_close(gpu.data(), cpu.data(), RTOL)
            .unwrap_or_else(|e| panic!("{opts:?}: {e}"));
        let x = random_tensor(&mut rng, &shape);
        let want = layer.grad_params_cpu(&x, &gy).unwrap();
        let got = layer
            .grad_params_gpu(ctx, &ctx.upload(&x).unwrap(), &ctx.upload(&gy).unwrap())
            .unwrap();
        let w = ctx.download(&got.weight).unwrap();
        common::check_close(w.data(), want.weight.data(), RTOL)
            .unwrap_or_else(|e| panic!("{opts:?} grad_weight: {e}"));
        let b = ctx.download(got.bias.as_ref().unwrap()).unwrap();
        common::check_close(b.data(), want.bias.unwrap().data(), RTOL).unwrap();
    }
    // Narrow layers: the GEMM on the subgroup core, the direct kernel on the workgroup-tiled
    // one; depthwise layers the direct kernel on both.
    let narrow = Conv::new(ConvOptions::new(2, 4, 4, [3]), 0).unwrap();
    let want = match wgpu_upsample::GemmCore::of(ctx) {
        wgpu_upsample::GemmCore::Subgroup => "gemm_sg",
        wgpu_upsample::GemmCore::Workgroup => "conv_direct",
    };
    assert_eq!(narrow.gpu_kernels(ctx, &[1, 4, 9, 9]).unwrap(), [want]);
    let depthwise = Conv::new(ConvOptions::new(2, 4, 4, [3]).groups(4), 0).unwrap();
    assert_eq!(
        depthwise.gpu_kernels(ctx, &[1, 4, 9, 9]).unwrap(),
        ["conv_direct"]
    );
    let mut w = Tensor::zeros(&[16, 16, 3, 3]).unwrap();
    w.data_mut()[5] = f32::INFINITY;
    let inf = Conv::from_weights(ConvOptions::new(2, 16, 16, [3]).bias(false), w, None).unwrap();
    assert_eq!(
        inf.gpu_kernels(ctx, &[1, 16, 9, 9]).unwrap(),
        ["conv_direct"]
    );
}

/// Conv weights saved by PyTorch as safetensors (tools/golden/gen_conv_safetensors.py: a
/// Conv2d under a key prefix, a grouped Conv1d without bias, padding "same") load and reproduce
/// PyTorch's output on the CPU and the GPU.
#[test]
fn safetensors_written_by_pytorch_load_and_match_pytorch() {
    #[derive(Deserialize)]
    struct Saved {
        file: String,
        prefix: String,
        dims: usize,
        in_channels: usize,
        out_channels: usize,
        kernel_size: Vec<usize>,
        stride: Vec<usize>,
        padding: Value,
        dilation: Vec<usize>,
        groups: usize,
        bias: bool,
        input_shape: Vec<usize>,
        input: Vec<f64>,
        output_shape: Vec<usize>,
        output: Vec<f64>,
    }
    #[derive(Deserialize)]
    struct File {
        layers: Vec<Saved>,
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let file: File = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}conv_safetensors.json")).unwrap(),
    )
    .unwrap();
    let ctx = common::gpu();
    assert_eq!(file.layers.len(), 2);
    for l in file.layers {
        let opts = ConvOptions::new(l.dims, l.in_channels, l.out_channels, l.kernel_size)
            .stride(l.stride)
            .padding(padding(&l.padding).unwrap())
            .dilation(l.dilation)
            .groups(l.groups)
            .bias(l.bias);
        let conv = Conv::from_safetensors(opts, format!("{dir}{}", l.file), &l.prefix).unwrap();
        let x = tensor(&l.input_shape, &l.input);
        let cpu = conv.forward_cpu(&x).unwrap();
        assert_eq!(cpu.shape(), l.output_shape.as_slice());
        let want: Vec<f32> = l.output.iter().map(|&v| v as f32).collect();
        common::check_close(cpu.data(), &want, RTOL).unwrap();
        let gpu = ctx
            .download(&conv.forward_gpu(ctx, &ctx.upload(&x).unwrap()).unwrap())
            .unwrap();
        common::check_close(gpu.data(), &want, RTOL).unwrap();
    }
}

/// PyTorch's CPU float32 answers with NaN, +inf and -inf in the input, weight, bias and
/// grad_output (tools/golden/gen_conv_backward_nonfinite.py: 281 cases, values exact in f32).
/// PyTorch has no single rule for the products of a non-finite value with the zero padding:
/// its im2col backends form them (0 · inf = NaN), some oneDNN kernels skip them; the fixture
/// records both answers where they differ. The library forms them where the im2col computation
/// does — Conv's forward and both weight gradients, ConvTranspose's grad_input — and skips them
/// in the transposed convolution (ConvTranspose's forward, Conv's grad_input), as every PyTorch
/// backend but one oneDNN kernel does. Checked NaN-for-NaN and inf-for-inf, CPU and GPU.
#[test]
fn nonfinite_values_as_pytorch() {
    #[derive(Deserialize)]
    struct Products {
        name: String,
        other: std::collections::HashMap<String, Vec<(usize, String, Value)>>,
    }
    #[derive(Deserialize)]
    struct Fixture {
        cases: Vec<Case>,
        padding_products: Vec<Products>,
    }
    let f: Fixture =
        serde_json::from_str(&common::fixture("conv_backward_nonfinite_golden.json")).unwrap();
    assert_eq!(f.cases.len(), f.padding_products.len());
    let mut failures = Vec::new();
    let mut replaced = 0;
    for (c, pp) in f.cases.iter().zip(&f.padding_products) {
        assert_eq!(c.name, pp.name);
        let ours = |tensor: &str| match (c.op.as_str(), tensor) {
            ("Conv", "grad_input") | ("ConvTranspose", "output") => "skipped",
            _ => "multiplied",
        };
        // PyTorch's values, with the other rule's value where PyTorch followed the other rule.
        let expected = |tensor: &str, stored: &[f64]| -> Vec<f32> {
            let mut v: Vec<f32> = stored.iter().map(|&x| x as f32).collect();
            for (i, followed, other) in pp.other.get(tensor).into_iter().flatten() {
                if followed != ours(tensor) {
                    v[*i] = value(other).unwrap() as f32;
                }
            }
            v
        };
        replaced += ["output", "grad_input", "grad_weight"]
            .iter()
            .flat_map(|t| pp.other.get(*t).into_iter().flatten().map(move |o| (t, o)))
            .filter(|(t, (_, followed, _))| followed != ours(t))
            .count();
        let want_y = expected("output", &c.output);
        let want_gx = expected("grad_input", &c.grad_input);
        let want_gw = expected("grad_weight", &c.grad_weight);
        let layer = Layer::of(c);
        let x = tensor(&c.input_shape, &c.input);
        let gy = tensor(&c.output_shape, &c.grad_output);
        layer.with(&c.input_shape, |p| {
            for gpu in [false, true] {
                let side = if gpu { "GPU" } else { "CPU" };
                let (y, gx, (gw, gb)) = p.run(gpu, &x, &gy);
                for (what, got, want) in [
                    ("output", y.data(), &want_y[..]),
                    ("grad_input", gx.data(), &want_gx[..]),
                    ("grad_weight", gw.data(), &want_gw[..]),
                ] {
                    if let Err(e) = common::check_close_nonfinite(got, want, RTOL) {
                        failures.push(format!("{} {side} {what}: {e}", c.name));
                    }
                }
                if let (Some(gb), Some(want)) = (gb, &c.grad_bias) {
                    let want: Vec<f32> = want.iter().map(|&v| v as f32).collect();
                    if let Err(e) = common::check_close_nonfinite(gb.data(), &want, RTOL) {
                        failures.push(format!("{} {side} grad_bias: {e}", c.name));
                    }
                }
            }
        });
    }
    eprintln!(
        "{} cases; {replaced} values where PyTorch's backend followed the other rule",
        f.cases.len()
    );
    assert!(f.cases.len() >= 250);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A trainer updates a layer's weights in place on the GPU (`parameters_gpu`), records
/// `encode_weights_changed`, and every kernel then computes with the new weights: forward and
/// grad_input on the direct kernels and on the GEMMs (whose re-packed copies are re-packed on the
/// GPU), equal to a layer made from the new weights on the CPU.
#[test]
fn weights_updated_on_the_gpu_reach_every_kernel() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(21);
    let layers: Vec<(Layer, Vec<usize>)> = vec![
        (
            Layer::Conv(
                Conv::new(
                    ConvOptions::new(2, 16, 16, [3]).padding(ConvPadding::Same),
                    1,
                )
                .unwrap(),
            ),
            vec![2, 16, 9, 8],
        ),
        (
            Layer::Conv(Conv::new(ConvOptions::new(1, 3, 4, [3]).stride([2]), 2).unwrap()),
            vec![2, 3, 11],
        ),
        (
            Layer::ConvTranspose(
                ConvTranspose::new(
                    ConvTransposeOptions::new(2, 16, 16, [4])
                        .stride([2])
                        .padding([1]),
                    3,
                )
                .unwrap(),
                None,
            ),
            vec![1, 16, 6, 5],
        ),
        (
            Layer::ConvTranspose(
                ConvTranspose::new(
                    ConvTransposeOptions::new(1, 2, 3, [3])
                        .stride([2])
                        .bias(false),
                    4,
                )
                .unwrap(),
                None,
            ),
            vec![2, 2, 7],
        ),
    ];
    for (layer, shape) in layers {
        let (params, weight_shape, bias_len) = match &layer {
            Layer::Conv(l) => (
                l.parameters_gpu(ctx).unwrap(),
                l.weight().shape().to_vec(),
                l.bias().map(Tensor::numel),
            ),
            Layer::ConvTranspose(l, _) => (
                l.parameters_gpu(ctx).unwrap(),
                l.weight().shape().to_vec(),
                l.bias().map(Tensor::numel),
            ),
        };
        assert_eq!(params.weight.shape(), weight_shape.as_slice());
        assert_eq!(params.bias.as_ref().map(GpuTensor::numel), bias_len);
        // New weights, written on the GPU (as an optimizer step would).
        let w1 = random_tensor(&mut rng, &weight_shape);
        let b1 = bias_len.map(|n| random_tensor(&mut rng, &[n]));
        ctx.write(&params.weight, &w1).unwrap();
        if let (Some(b), Some(t)) = (&params.bias, &b1) {
            ctx.write(b, t).unwrap();
        }
        let mut encoder = ctx.encoder("weights changed");
        match &layer {
            Layer::Conv(l) => l.encode_weights_changed(ctx, &mut encoder).unwrap(),
            Layer::ConvTranspose(l, _) => l.encode_weights_changed(ctx, &mut encoder).unwrap(),
        }
        ctx.queue().submit([encoder.finish()]);
        // The reference: a layer made from the new weights, on the CPU.
        let reference = match &layer {
            Layer::Conv(l) => Layer::Conv(
                Conv::from_weights(l.options().clone(), w1.clone(), b1.clone()).unwrap(),
            ),
            Layer::ConvTranspose(l, s) => Layer::ConvTranspose(
                ConvTranspose::from_weights(l.options().clone(), w1.clone(), b1.clone()).unwrap(),
                s.clone(),
            ),
        };
        let x = random_tensor(&mut rng, &shape);
        let (want_y, want_gx, gy) = reference.with(&shape, |p| {
            let y = p.forward.forward_cpu(&x).unwrap();
            let gy = random_tensor(&mut rng, y.shape());
            (y, p.backward.forward_cpu(&gy).unwrap(), gy)
        });
        layer.with(&shape, |p| {
            let what = format!("{:?}", p.forward);
            let y = ctx
                .download(
                    &p.forward
                        .forward_gpu(ctx, &ctx.upload(&x).unwrap())
                        .unwrap(),
                )
                .unwrap();
            common::check_close(y.data(), want_y.data(), RTOL).unwrap_or_else(|e| {
                panic!(
                    "{what} forward ({:?}): {e}",
                    p.forward.gpu_kernels(ctx, &shape)
                )
            });
            let gx = ctx
                .download(
                    &p.backward
                        .forward_gpu(ctx, &ctx.upload(&gy).unwrap())
                        .unwrap(),
                )
                .unwrap();
            common::check_close(gx.data(), want_gx.data(), RTOL)
                .unwrap_or_else(|e| panic!("{what} grad_input: {e}"));
        });
    }
}
