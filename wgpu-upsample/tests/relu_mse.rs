//! ReLU and MSELoss, forward and backward, against PyTorch (tools/golden/gen_relu_mse.py: ReLU on
//! several shapes and on NaN, ±inf, ±0, subnormals; MSELoss 'mean' and 'sum', loss and gradient,
//! several shapes, NaN and infinities, empty inputs) on the CPU and the GPU; GPU against CPU on
//! random shapes (the loss against the CPU's f64 sum); chunking on a device with small bindings
//! and grids; a bitwise-repeatable GPU loss; a training step in one caller's encoder; bad shapes
//! and tensors refused with typed errors.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{Error, GpuContext, GpuTensor, MseLoss, Op, Reduction, Relu, Tensor};

/// Relative tolerance of a GPU or CPU loss against PyTorch's (or the f64 reference).
const LOSS_RTOL: f64 = 1e-5;

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    relu: Vec<ReluCase>,
    mse: Vec<MseCase>,
}

#[derive(Deserialize)]
struct ReluCase {
    name: String,
    shape: Vec<usize>,
    input: Vec<Value>,
    output: Vec<Value>,
    grad_output: Vec<Value>,
    grad_input: Vec<Value>,
}

#[derive(Deserialize)]
struct MseCase {
    name: String,
    reduction: String,
    shape: Vec<usize>,
    pred: Vec<Value>,
    target: Vec<Value>,
    grad_loss: Value,
    loss: Value,
    grad: Vec<Value>,
}

impl MseCase {
    fn op(&self) -> MseLoss {
        MseLoss::new(match self.reduction.as_str() {
            "mean" => Reduction::Mean,
            "sum" => Reduction::Sum,
            other => panic!("reduction {other}"),
        })
    }
}

fn golden() -> Golden {
    let g: Golden = serde_json::from_str(&common::fixture("relu_mse_golden.json")).expect("parses");
    assert!(g.torch_version.starts_with("2."), "{}", g.torch_version);
    assert!(
        g.relu.len() >= 5 && g.mse.len() >= 20,
        "the golden file lost cases"
    );
    g
}

fn value(v: &Value) -> f32 {
    match v {
        Value::String(s) if s == "nan" => f32::NAN,
        Value::String(s) if s == "inf" => f32::INFINITY,
        Value::String(s) if s == "-inf" => f32::NEG_INFINITY,
        v => v.as_f64().expect("a number") as f32,
    }
}

fn tensor(shape: &[usize], values: &[Value]) -> Tensor {
    Tensor::new(shape, values.iter().map(value).collect()).unwrap()
}

/// Bitwise equality, any NaN matching any NaN.
fn same_bits(got: &[f32], want: &[f32]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("length {} != {}", got.len(), want.len()));
    }
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if !(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan())) {
            return Err(format!(
                "element {i}: got {g:e} ({:#x}) want {w:e} ({:#x})",
                g.to_bits(),
                w.to_bits()
            ));
        }
    }
    Ok(())
}

/// A loss within `rtol` of `want` (relative), NaN for NaN, the same infinity for an infinity.
fn loss_close(got: f32, want: f64, rtol: f64) -> Result<(), String> {
    let ok = if want.is_nan() {
        got.is_nan()
    } else if want.is_infinite() {
        got as f64 == want
    } else {
        (got as f64 - want).abs() <= rtol * want.abs().max(f64::MIN_POSITIVE)
    };
    match ok {
        true => Ok(()),
        false => Err(format!("loss {got:e}, want {want:e} (rtol {rtol:e})")),
    }
}

fn download_scalar(ctx: &GpuContext, t: &GpuTensor) -> f32 {
    ctx.download(t).unwrap().data()[0]
}

// --- ReLU ------------------------------------------------------------------------------------

#[test]
fn relu_cpu_matches_pytorch_bitwise() {
    for c in golden().relu {
        let x = tensor(&c.shape, &c.input);
        let g = tensor(&c.shape, &c.grad_output);
        let y = Relu.forward_cpu(&x).unwrap();
        assert_eq!(y.shape(), c.shape.as_slice(), "{}", c.name);
        same_bits(y.data(), tensor(&c.shape, &c.output).data())
            .unwrap_or_else(|e| panic!("{} forward: {e}", c.name));
        let gi = Relu::backward_cpu(&x, &g).unwrap();
        same_bits(gi.data(), tensor(&c.shape, &c.grad_input).data())
            .unwrap_or_else(|e| panic!("{} backward: {e}", c.name));
    }
}

#[test]
fn relu_gpu_matches_pytorch_bitwise() {
    let ctx = common::gpu();
    for c in golden().relu {
        let x = tensor(&c.shape, &c.input);
        let g = tensor(&c.shape, &c.grad_output);
        let (gx, gg) = (ctx.upload(&x).unwrap(), ctx.upload(&g).unwrap());
        let y = ctx.download(&Relu.forward_gpu(ctx, &gx).unwrap()).unwrap();
        assert_eq!(y.shape(), c.shape.as_slice(), "{}", c.name);
        same_bits(y.data(), tensor(&c.shape, &c.output).data())
            .unwrap_or_else(|e| panic!("{} forward: {e}", c.name));
        let gi = ctx
            .download(&Relu::backward_gpu(ctx, &gx, &gg).unwrap())
            .unwrap();
        same_bits(gi.data(), tensor(&c.shape, &c.grad_input).data())
            .unwrap_or_else(|e| panic!("{} backward: {e}", c.name));
    }
}

/// PyTorch's behaviours at the edges, spelled out (the golden file holds them too).
#[test]
fn relu_edge_values() {
    let x = Tensor::new(&[5], vec![f32::NAN, -0.0, 0.0, f32::NEG_INFINITY, -1e-45]).unwrap();
    let y = Relu.forward_cpu(&x).unwrap();
    assert!(y.data()[0].is_nan());
    assert_eq!(
        y.data()[1].to_bits(),
        (-0.0f32).to_bits(),
        "relu(-0.0) is -0.0"
    );
    assert_eq!(bits(&y.data()[2..]), bits(&[0.0; 3]));
    let g = Tensor::new(&[5], vec![7.0; 5]).unwrap();
    // The gradient passes at NaN, and is 0 at ±0 and below.
    assert_eq!(
        Relu::backward_cpu(&x, &g).unwrap().data(),
        &[7.0, 0.0, 0.0, 0.0, 0.0]
    );
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|v| v.to_bits()).collect()
}

fn random_tensor(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-4.0f32..4.0)).unwrap()
}

fn random_shape(rng: &mut StdRng) -> Vec<usize> {
    let rank = rng.random_range(0..5);
    let mut shape: Vec<usize> = (0..rank).map(|_| rng.random_range(1..20)).collect();
    if rng.random_bool(0.3) {
        shape.push(rng.random_range(1..3000));
    }
    shape
}

#[test]
fn relu_gpu_equals_cpu_on_random_shapes() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x5e1u64);
    for _ in 0..25 {
        let shape = random_shape(&mut rng);
        let x = random_tensor(&mut rng, &shape);
        let g = random_tensor(&mut rng, &shape);
        let (gx, gg) = (ctx.upload(&x).unwrap(), ctx.upload(&g).unwrap());
        let y = ctx.download(&Relu.forward_gpu(ctx, &gx).unwrap()).unwrap();
        same_bits(y.data(), Relu.forward_cpu(&x).unwrap().data())
            .unwrap_or_else(|e| panic!("{shape:?} forward: {e}"));
        let gi = ctx
            .download(&Relu::backward_gpu(ctx, &gx, &gg).unwrap())
            .unwrap();
        same_bits(gi.data(), Relu::backward_cpu(&x, &g).unwrap().data())
            .unwrap_or_else(|e| panic!("{shape:?} backward: {e}"));
        // x and grad_output may be one buffer (both only read).
        let gi = ctx
            .download(&Relu::backward_gpu(ctx, &gx, &gx).unwrap())
            .unwrap();
        same_bits(gi.data(), Relu::backward_cpu(&x, &x).unwrap().data()).unwrap();
    }
}

#[test]
fn relu_overwrites_the_whole_output_and_reports_its_kernels() {
    let ctx = common::gpu();
    let x = Tensor::from_fn(&[3, 1000], |i| i as f32 - 1500.0).unwrap();
    let out = ctx
        .upload(&Tensor::new(&[3, 1000], vec![f32::NAN; 3000]).unwrap())
        .unwrap();
    let gx = ctx.upload(&x).unwrap();
    ctx.submit_for_test(|e| Relu.encode_gpu(ctx, e, &gx, &out));
    same_bits(
        ctx.download(&out).unwrap().data(),
        Relu.forward_cpu(&x).unwrap().data(),
    )
    .unwrap();
    assert_eq!(Relu.gpu_kernels(ctx, &[3, 1000]).unwrap(), ["relu_forward"]);
    assert!(Relu.gpu_kernels(ctx, &[0, 5]).unwrap().is_empty());
    assert_eq!(Relu::backward_gpu_kernels(&[4]).unwrap(), ["relu_backward"]);
    assert!(Relu.gpu_memory_bytes(ctx, &[3, 1000]).unwrap() >= 2 * 3000 * 4);
    assert_eq!(Relu.name(), "ReLU");
}

/// Records with a new encoder of the context and submits.
trait SubmitForTest {
    fn submit_for_test(
        &self,
        f: impl FnOnce(&mut wgpu::CommandEncoder) -> wgpu_upsample::Result<()>,
    );
}

impl SubmitForTest for GpuContext {
    fn submit_for_test(
        &self,
        f: impl FnOnce(&mut wgpu::CommandEncoder) -> wgpu_upsample::Result<()>,
    ) {
        let mut encoder = self.encoder("test");
        f(&mut encoder).unwrap();
        self.queue().submit([encoder.finish()]);
    }
}

// --- MSELoss ---------------------------------------------------------------------------------

#[test]
fn mse_cpu_matches_pytorch() {
    for c in golden().mse {
        let (p, t) = (tensor(&c.shape, &c.pred), tensor(&c.shape, &c.target));
        let loss = c.op().forward_cpu(&p, &t).unwrap();
        loss_close(loss, value(&c.loss) as f64, LOSS_RTOL)
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        // The gradient in PyTorch's order: bitwise.
        let grad = c.op().backward_cpu(&p, &t, value(&c.grad_loss)).unwrap();
        assert_eq!(grad.shape(), c.shape.as_slice(), "{}", c.name);
        same_bits(grad.data(), tensor(&c.shape, &c.grad).data())
            .unwrap_or_else(|e| panic!("{} grad: {e}", c.name));
    }
}

#[test]
fn mse_gpu_matches_pytorch() {
    let ctx = common::gpu();
    for c in golden().mse {
        let (p, t) = (tensor(&c.shape, &c.pred), tensor(&c.shape, &c.target));
        let (gp, gt) = (ctx.upload(&p).unwrap(), ctx.upload(&t).unwrap());
        let loss = c.op().forward_gpu(ctx, &gp, &gt).unwrap();
        assert_eq!(loss.shape(), &[] as &[usize]);
        loss_close(
            download_scalar(ctx, &loss),
            value(&c.loss) as f64,
            LOSS_RTOL,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let grad = c
            .op()
            .backward_gpu(ctx, &gp, &gt, value(&c.grad_loss))
            .unwrap();
        let grad = ctx.download(&grad).unwrap();
        common::check_close_nonfinite(grad.data(), tensor(&c.shape, &c.grad).data(), 1e-6)
            .unwrap_or_else(|e| panic!("{} grad: {e}", c.name));
    }
}

/// The sum of the f32 terms (pred − target)² in f64: the reference the losses are held to.
fn f64_loss(p: &Tensor, t: &Tensor, reduction: Reduction) -> f64 {
    let sum: f64 = p
        .data()
        .iter()
        .zip(t.data())
        .map(|(&a, &b)| ((a - b) * (a - b)) as f64)
        .sum();
    match reduction {
        Reduction::Mean => sum / p.numel() as f64,
        Reduction::Sum => sum,
    }
}

#[test]
fn mse_gpu_equals_cpu_on_random_shapes() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x3e5);
    let mut shapes: Vec<Vec<usize>> = (0..20).map(|_| random_shape(&mut rng)).collect();
    // Several sum passes: over 1024² elements leaves over 1024 partial sums.
    shapes.push(vec![3, 1000, 1001]);
    shapes.push(vec![1024 * 1024 + 1]);
    for (i, shape) in shapes.iter().enumerate() {
        let reduction = if i % 2 == 0 {
            Reduction::Mean
        } else {
            Reduction::Sum
        };
        let op = MseLoss::new(reduction);
        let (p, t) = (
            random_tensor(&mut rng, shape),
            random_tensor(&mut rng, shape),
        );
        let (gp, gt) = (ctx.upload(&p).unwrap(), ctx.upload(&t).unwrap());
        let want = f64_loss(&p, &t, reduction);
        let gpu = download_scalar(ctx, &op.forward_gpu(ctx, &gp, &gt).unwrap());
        loss_close(gpu, want, LOSS_RTOL).unwrap_or_else(|e| panic!("{shape:?} GPU: {e}"));
        let cpu = op.forward_cpu(&p, &t).unwrap();
        loss_close(cpu, want, 1e-7).unwrap_or_else(|e| panic!("{shape:?} CPU: {e}"));
        let grad_loss = rng.random_range(-2.0f32..2.0);
        let g = ctx
            .download(&op.backward_gpu(ctx, &gp, &gt, grad_loss).unwrap())
            .unwrap();
        let want = op.backward_cpu(&p, &t, grad_loss).unwrap();
        common::check_close(g.data(), want.data(), 1e-6)
            .unwrap_or_else(|e| panic!("{shape:?} grad: {e}"));
    }
}

#[test]
fn mse_gpu_loss_is_bitwise_repeatable() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0xb17);
    for shape in [vec![2_500_000], vec![7, 333]] {
        let (p, t) = (
            random_tensor(&mut rng, &shape),
            random_tensor(&mut rng, &shape),
        );
        let (gp, gt) = (ctx.upload(&p).unwrap(), ctx.upload(&t).unwrap());
        for op in [MseLoss::new(Reduction::Mean), MseLoss::new(Reduction::Sum)] {
            let first = download_scalar(ctx, &op.forward_gpu(ctx, &gp, &gt).unwrap());
            assert!(first.is_finite() && first > 0.0);
            for _ in 0..4 {
                let again = download_scalar(ctx, &op.forward_gpu(ctx, &gp, &gt).unwrap());
                assert_eq!(again.to_bits(), first.to_bits(), "{shape:?} {op:?}");
            }
        }
    }
}

#[test]
fn mse_loss_into_a_caller_tensor_of_shape_one() {
    let ctx = common::gpu();
    let p = Tensor::from_fn(&[5000], |i| (i % 17) as f32 * 0.25).unwrap();
    let t = Tensor::from_fn(&[5000], |i| (i % 5) as f32).unwrap();
    let (gp, gt) = (ctx.upload(&p).unwrap(), ctx.upload(&t).unwrap());
    let loss = ctx
        .upload(&Tensor::new(&[1], vec![f32::NAN]).unwrap())
        .unwrap();
    let op = MseLoss::default();
    ctx.submit_for_test(|e| op.encode_forward(ctx, e, &gp, &gt, &loss));
    loss_close(
        download_scalar(ctx, &loss),
        f64_loss(&p, &t, Reduction::Mean),
        LOSS_RTOL,
    )
    .unwrap();
    // pred and target may be one buffer: a zero loss.
    ctx.submit_for_test(|e| op.encode_forward(ctx, e, &gp, &gp, &loss));
    assert_eq!(download_scalar(ctx, &loss), 0.0);
    assert_eq!(
        op.gpu_kernels(ctx, &[5000]).unwrap(),
        ["mse_partials", "sum_partials"]
    );
    assert_eq!(op.gpu_kernels(ctx, &[0]).unwrap(), ["sum_partials"]);
    assert_eq!(
        op.gpu_kernels(ctx, &[3 << 20]).unwrap(),
        ["mse_partials", "sum_partials", "sum_partials"]
    );
    assert!(op.gpu_memory_bytes(ctx, &[5000]).unwrap() >= 2 * 5000 * 4 + 4);
    assert!(op.backward_gpu_memory_bytes(ctx, &[5000]).unwrap() >= 3 * 5000 * 4);
}

/// One training step of `loss = mse(relu(x), target)` recorded into one encoder: forward,
/// loss, the loss's gradient, ReLU's backward; against the CPU.
#[test]
fn a_training_step_in_one_encoder() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x7a1);
    let shape = [2, 3, 33, 17];
    let (x, t) = (
        random_tensor(&mut rng, &shape),
        random_tensor(&mut rng, &shape),
    );
    let (gx, gt) = (ctx.upload(&x).unwrap(), ctx.upload(&t).unwrap());
    let [y, grad_y, grad_x] = [(); 3].map(|_| ctx.empty(&shape).unwrap());
    let loss = ctx.empty(&[]).unwrap();
    let mse = MseLoss::default();
    ctx.submit_for_test(|e| {
        Relu.encode_gpu(ctx, e, &gx, &y)?;
        mse.encode_forward(ctx, e, &y, &gt, &loss)?;
        mse.encode_backward(ctx, e, &y, &gt, &grad_y, 1.0)?;
        Relu::encode_backward(ctx, e, &gx, &grad_y, &grad_x)
    });
    let y_cpu = Relu.forward_cpu(&x).unwrap();
    let loss_cpu = mse.forward_cpu(&y_cpu, &t).unwrap();
    let grad_y_cpu = mse.backward_cpu(&y_cpu, &t, 1.0).unwrap();
    let grad_x_cpu = Relu::backward_cpu(&x, &grad_y_cpu).unwrap();
    loss_close(download_scalar(ctx, &loss), loss_cpu as f64, LOSS_RTOL).unwrap();
    let got = ctx.download(&grad_x).unwrap();
    common::check_close(got.data(), grad_x_cpu.data(), 1e-6).unwrap();
    assert!(got.data().iter().any(|&v| v != 0.0) && got.data().contains(&0.0));
}

// --- Chunking --------------------------------------------------------------------------------

#[test]
fn gpu_chunks_on_devices_with_small_bindings_and_grids() {
    // Bindings of 64 KiB + 100 bytes (16 409 elements: chunks of whole blocks, misaligned ends)
    // and grids of at most 3 workgroups per dimension (27 per dispatch).
    let small = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: (64 << 10) + 100,
        max_compute_workgroups_per_dimension: 3,
        min_storage_buffer_offset_alignment: 256,
        ..l
    });
    let mut rng = StdRng::seed_from_u64(0xc7);
    for n in [1usize, 1023, 1025, 16_409, 50_000, 100_003] {
        let (x, t) = (random_tensor(&mut rng, &[n]), random_tensor(&mut rng, &[n]));
        let (gx, gt) = (small.upload(&x).unwrap(), small.upload(&t).unwrap());
        let y = small
            .download(&Relu.forward_gpu(&small, &gx).unwrap())
            .unwrap();
        same_bits(y.data(), Relu.forward_cpu(&x).unwrap().data())
            .unwrap_or_else(|e| panic!("{n} relu: {e}"));
        let gi = small
            .download(&Relu::backward_gpu(&small, &gx, &gt).unwrap())
            .unwrap();
        same_bits(gi.data(), Relu::backward_cpu(&x, &t).unwrap().data())
            .unwrap_or_else(|e| panic!("{n} relu backward: {e}"));
        for reduction in [Reduction::Mean, Reduction::Sum] {
            let op = MseLoss::new(reduction);
            let loss = download_scalar(&small, &op.forward_gpu(&small, &gx, &gt).unwrap());
            loss_close(loss, f64_loss(&x, &t, reduction), LOSS_RTOL)
                .unwrap_or_else(|e| panic!("{n} {reduction:?}: {e}"));
            let g = small
                .download(&op.backward_gpu(&small, &gx, &gt, 0.5).unwrap())
                .unwrap();
            common::check_close(g.data(), op.backward_cpu(&x, &t, 0.5).unwrap().data(), 1e-6)
                .unwrap_or_else(|e| panic!("{n} {reduction:?} grad: {e}"));
        }
    }
    // More than 27 workgroups' worth in one chunk would not fit the grid: several dispatches.
    let op = MseLoss::default();
    let kernels = op.gpu_kernels(&small, &[100_003]).unwrap();
    assert!(
        kernels.iter().filter(|k| **k == "mse_partials").count() > 1,
        "{kernels:?}"
    );
}

// --- Errors ----------------------------------------------------------------------------------

#[test]
fn mismatched_shapes_are_refused_on_the_cpu() {
    let a = Tensor::zeros(&[3]).unwrap();
    let b = Tensor::zeros(&[1, 3]).unwrap();
    let op = MseLoss::default();
    let err = op.forward_cpu(&a, &b).unwrap_err();
    assert!(matches!(err, Error::InvalidShape(_)), "{err:?}");
    assert!(
        err.to_string().contains("[1, 3]") && err.to_string().contains("[3]"),
        "{err}"
    );
    assert!(matches!(
        op.backward_cpu(&a, &b, 1.0),
        Err(Error::InvalidShape(_))
    ));
    assert!(matches!(
        Relu::backward_cpu(&a, &b),
        Err(Error::InvalidShape(_))
    ));
}

#[test]
fn bad_gpu_tensors_are_refused() {
    let ctx = common::gpu();
    let a = ctx.upload(&Tensor::zeros(&[4, 3]).unwrap()).unwrap();
    let b = ctx.upload(&Tensor::zeros(&[4, 3]).unwrap()).unwrap();
    let other_shape = ctx.upload(&Tensor::zeros(&[12]).unwrap()).unwrap();
    let op = MseLoss::default();
    let shape_err = |r: wgpu_upsample::Result<GpuTensor>| {
        assert!(matches!(r, Err(Error::InvalidShape(_))), "{r:?}")
    };
    shape_err(op.forward_gpu(ctx, &a, &other_shape));
    shape_err(op.backward_gpu(ctx, &a, &other_shape, 1.0));
    shape_err(Relu::backward_gpu(ctx, &a, &other_shape));

    let mut e = ctx.encoder("errors");
    // A loss tensor of another shape, or the buffer of an input.
    let loss2 = ctx.empty(&[2]).unwrap();
    assert!(matches!(
        op.encode_forward(ctx, &mut e, &a, &b, &loss2),
        Err(Error::InvalidShape(_))
    ));
    let a1 = GpuTensor::from_buffer(ctx, a.buffer().clone(), &[1]).unwrap();
    let r = op.encode_forward(ctx, &mut e, &a, &b, &a1);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let r = op.encode_forward(ctx, &mut e, &b, &a, &a1);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    // A gradient of another shape, or in an input's buffer.
    let r = op.encode_backward(ctx, &mut e, &a, &b, &other_shape, 1.0);
    assert!(matches!(r, Err(Error::InvalidShape(_))), "{r:?}");
    let r = op.encode_backward(ctx, &mut e, &a, &b, &b, 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let r = Relu::encode_backward(ctx, &mut e, &a, &b, &other_shape);
    assert!(matches!(r, Err(Error::InvalidShape(_))), "{r:?}");
    let r = Relu::encode_backward(ctx, &mut e, &a, &b, &a);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let r = Relu::encode_backward(ctx, &mut e, &a, &b, &b);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let r = Relu.encode_gpu(ctx, &mut e, &a, &a);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let r = Relu.encode_gpu(ctx, &mut e, &a, &other_shape);
    assert!(matches!(r, Err(Error::InvalidShape(_))), "{r:?}");
    drop(e);

    // Tensors of another context.
    let other = common::device_with(wgpu::Features::empty(), |l| l);
    let foreign = other.upload(&Tensor::zeros(&[4, 3]).unwrap()).unwrap();
    let foreign_loss = other.empty(&[]).unwrap();
    let mut e = ctx.encoder("foreign");
    let arg = |r: wgpu_upsample::Result<()>| {
        assert!(
            matches!(r, Err(Error::InvalidArgument(ref m)) if m.contains("another GpuContext")),
            "{r:?}"
        )
    };
    let loss = ctx.empty(&[]).unwrap();
    arg(op.encode_forward(ctx, &mut e, &foreign, &b, &loss));
    arg(op.encode_forward(ctx, &mut e, &a, &foreign, &loss));
    arg(op.encode_forward(ctx, &mut e, &a, &b, &foreign_loss));
    let grad = ctx.empty(&[4, 3]).unwrap();
    arg(op.encode_backward(ctx, &mut e, &a, &b, &foreign, 1.0));
    arg(op.encode_backward(ctx, &mut e, &foreign, &b, &grad, 1.0));
    arg(Relu::encode_backward(ctx, &mut e, &foreign, &b, &grad));
    arg(Relu::encode_backward(ctx, &mut e, &a, &foreign, &grad));
    arg(Relu::encode_backward(ctx, &mut e, &a, &b, &foreign));
    arg(Relu.encode_gpu(ctx, &mut e, &foreign, &grad));
}
