//! PixelShuffle and PixelUnshuffle, forward and backward, against PyTorch
//! (tools/golden/gen_pixel_shuffle.py: forward and autograd, ranks 3 to 6, factors 1 to 4, NaN and
//! infinities, empty inputs, PyTorch's errors) on the CPU and the GPU, bitwise: both only move
//! elements. GPU against CPU on random shapes and on a device with small bindings and grids;
//! the definition; adjointness; backward = the other op; non-finite values; a caller's encoder
//! and buffers; bitwise-repeatable GPU results; ICNR.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{
    Conv, ConvOptions, Error, GpuContext, GpuTensor, Op, PixelShuffle, PixelUnshuffle, Tensor,
    Upsample, UpsampleMode, icnr, icnr_bias, icnr_from,
};

/// Bytes of the kernel's parameter block (`Params` in shaders/pixel_shuffle/pixel_shuffle.wgsl).
const PARAMS_BYTES: u64 = 80;

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    cases: Vec<Case>,
    empty: Vec<Empty>,
    errors: Vec<ErrorCase>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    op: String,
    factor: usize,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    input: Vec<Value>,
    output: Vec<Value>,
    grad_output: Vec<Value>,
    grad_input: Vec<Value>,
}

#[derive(Deserialize)]
struct Empty {
    name: String,
    op: String,
    factor: usize,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
}

#[derive(Deserialize)]
struct ErrorCase {
    name: String,
    op: String,
    factor: u64,
    input_shape: Vec<usize>,
    error_type: String,
    message: String,
}

fn golden() -> Golden {
    serde_json::from_str(&common::fixture("pixel_shuffle_golden.json")).expect("parses")
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

fn bits(data: &[f32]) -> Vec<u32> {
    data.iter().map(|v| v.to_bits()).collect()
}

/// Whether `got` has `shape` and `want`'s elements, bit for bit; else what differs.
fn same(got: &Tensor, shape: &[usize], want: &[f32]) -> Result<(), String> {
    if got.shape() != shape {
        return Err(format!("shape {:?}, want {shape:?}", got.shape()));
    }
    match bits(got.data())
        .iter()
        .zip(bits(want))
        .position(|(g, w)| *g != w)
    {
        Some(i) => Err(format!(
            "element {i} of {}: got {} want {}",
            want.len(),
            got.data()[i],
            want[i]
        )),
        None if got.numel() != want.len() => Err(format!("{} elements", got.numel())),
        None => Ok(()),
    }
}

/// The op a golden case names, as a forward [`Op`], and its backward for `input_shape`.
fn ops(op: &str, factor: usize, input_shape: &[usize]) -> (Box<dyn Op>, Box<dyn Op>) {
    match op {
        "pixel_shuffle" => {
            let ps = PixelShuffle::new(factor);
            (Box::new(ps), Box::new(ps.backward(input_shape).unwrap()))
        }
        "pixel_unshuffle" => {
            let pu = PixelUnshuffle::new(factor);
            (Box::new(pu), Box::new(pu.backward(input_shape).unwrap()))
        }
        other => panic!("unknown op {other}"),
    }
}

fn gpu_run(ctx: &GpuContext, op: &dyn Op, x: &Tensor) -> wgpu_upsample::Result<Tensor> {
    ctx.download(&op.forward_gpu(ctx, &ctx.upload(x)?)?)
}

/// Runs every golden case's forward and backward through `run` and lists the differences.
fn golden_differences(
    g: &Golden,
    run: impl Fn(&dyn Op, &Tensor) -> wgpu_upsample::Result<Tensor>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for c in &g.cases {
        let (forward, backward) = ops(&c.op, c.factor, &c.input_shape);
        let x = tensor(&c.input_shape, &c.input);
        let want: Vec<f32> = c.output.iter().map(value).collect();
        match run(forward.as_ref(), &x) {
            Ok(y) => {
                if let Err(e) = same(&y, &c.output_shape, &want) {
                    failures.push(format!("{} forward: {e}", c.name));
                }
            }
            Err(e) => failures.push(format!("{} forward: error {e}", c.name)),
        }
        let grad = tensor(&c.output_shape, &c.grad_output);
        let want: Vec<f32> = c.grad_input.iter().map(value).collect();
        match run(backward.as_ref(), &grad) {
            Ok(gi) => {
                if let Err(e) = same(&gi, &c.input_shape, &want) {
                    failures.push(format!("{} backward: {e}", c.name));
                }
            }
            Err(e) => failures.push(format!("{} backward: error {e}", c.name)),
        }
    }
    failures
}

fn report(g: &Golden, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from PyTorch {}:\n{}",
        failures.len(),
        g.cases.len(),
        g.torch_version,
        failures.join("\n")
    );
}

#[test]
fn golden_fixture_covers_ranks_factors_and_nonfinite_values() {
    let g = golden();
    assert!(g.torch_version.starts_with("2.15"), "{}", g.torch_version);
    assert_eq!(g.cases.len(), 26);
    for op in ["pixel_shuffle", "pixel_unshuffle"] {
        let of_op: Vec<&Case> = g.cases.iter().filter(|c| c.op == op).collect();
        for rank in 3..=6 {
            assert!(
                of_op.iter().any(|c| c.input_shape.len() == rank),
                "{op} {rank}"
            );
        }
        for r in 1..=4 {
            assert!(of_op.iter().any(|c| c.factor == r), "{op} r={r}");
        }
    }
    let nonfinite = |c: &Case| c.input.iter().any(|v| value(v).is_nan());
    assert_eq!(g.cases.iter().filter(|c| nonfinite(c)).count(), 2);
    assert_eq!((g.empty.len(), g.errors.len()), (7, 22));
}

#[test]
fn cpu_matches_pytorch_bitwise() {
    let g = golden();
    report(&g, &golden_differences(&g, |op, x| op.forward_cpu(x)));
}

#[test]
fn gpu_matches_pytorch_bitwise() {
    let ctx = common::gpu();
    let g = golden();
    report(&g, &golden_differences(&g, |op, x| gpu_run(ctx, op, x)));
}

#[test]
fn empty_inputs_give_pytorchs_shapes() {
    let ctx = common::gpu();
    let g = golden();
    for c in &g.empty {
        let (forward, backward) = ops(&c.op, c.factor, &c.input_shape);
        let x = Tensor::zeros(&c.input_shape).unwrap();
        let y = forward.forward_cpu(&x).unwrap();
        assert_eq!(y.shape(), c.output_shape.as_slice(), "{}", c.name);
        let y = gpu_run(ctx, forward.as_ref(), &x).unwrap();
        assert_eq!(y.shape(), c.output_shape.as_slice(), "{} (GPU)", c.name);
        assert!(forward.gpu_kernels(ctx, &c.input_shape).unwrap().is_empty());
        let gi = gpu_run(ctx, backward.as_ref(), &y).unwrap();
        assert_eq!(gi.shape(), c.input_shape.as_slice(), "{} backward", c.name);
        let gi = backward.forward_cpu(&y).unwrap();
        assert_eq!(gi.shape(), c.input_shape.as_slice(), "{} backward", c.name);
    }
}

/// The library's kind for PyTorch's exception: `ValueError` and a non-positive factor are about
/// an argument's value, PyTorch's other `RuntimeError`s here about the input's shape.
fn kind_matches(c: &ErrorCase, err: &Error) -> bool {
    match c.error_type.as_str() {
        "ValueError" => matches!(err, Error::InvalidArgument(_)),
        "RuntimeError" if c.message.contains("expects a positive") => {
            matches!(err, Error::InvalidArgument(_))
        }
        "RuntimeError" => matches!(err, Error::InvalidShape(_)),
        _ => false,
    }
}

#[test]
fn errors_are_pytorchs() {
    let ctx = common::gpu();
    let g = golden();
    let mut failures = Vec::new();
    for c in &g.errors {
        let factor = usize::try_from(c.factor).unwrap();
        let (op, backward): (Box<dyn Op>, _) = match c.op.as_str() {
            "pixel_shuffle" => {
                let ps = PixelShuffle::new(factor);
                (Box::new(ps), ps.backward(&c.input_shape).map(|_| ()))
            }
            _ => {
                let pu = PixelUnshuffle::new(factor);
                (Box::new(pu), pu.backward(&c.input_shape).map(|_| ()))
            }
        };
        let x = Tensor::zeros(&c.input_shape).unwrap();
        let results = [
            ("output_shape", op.output_shape(&c.input_shape).map(|_| ())),
            ("forward_cpu", op.forward_cpu(&x).map(|_| ())),
            ("forward_gpu", gpu_run(ctx, op.as_ref(), &x).map(|_| ())),
            (
                "gpu_kernels",
                op.gpu_kernels(ctx, &c.input_shape).map(|_| ()),
            ),
            (
                "gpu_memory_bytes",
                op.gpu_memory_bytes(ctx, &c.input_shape).map(|_| ()),
            ),
            ("backward", backward),
        ];
        for (what, result) in results {
            match result {
                Err(e) if e.to_string() == c.message && kind_matches(c, &e) => {}
                Err(e) => failures.push(format!("{} {what}: {e:?}\n  want {}", c.name, c.message)),
                Ok(()) => failures.push(format!("{} {what}: accepted", c.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn other_errors_are_errors_not_panics() {
    let ctx = common::gpu();
    let ps = PixelShuffle::new(2);
    // grad_output of another shape than the forward's output.
    let back = ps.backward(&[1, 8, 3, 3]).unwrap();
    let err = back.forward_cpu(&Tensor::zeros(&[1, 2, 6, 5]).unwrap());
    assert_eq!(
        err.unwrap_err(),
        Error::InvalidShape(
            "grad_output has shape [1, 2, 6, 5], but the pixel_shuffle of an input of shape \
             [1, 8, 3, 3] has output shape [1, 2, 6, 6]"
                .into()
        )
    );
    let g = ctx.upload(&Tensor::zeros(&[1, 2, 6, 5]).unwrap()).unwrap();
    assert!(matches!(
        ps.backward_gpu(ctx, &[1, 8, 3, 3], &g),
        Err(Error::InvalidShape(_))
    ));
    // Shapes whose output cannot be represented.
    let big = usize::MAX / 2 + 1;
    assert!(matches!(
        PixelShuffle::new(2).output_shape(&[1, 4, 0, big]),
        Err(Error::LimitExceeded(_))
    ));
    assert!(matches!(
        PixelUnshuffle::new(1 << 40).output_shape(&[1, 1 << 20, 0, 0]),
        Err(Error::LimitExceeded(_))
    ));
    // The output tensor: its shape, and a buffer other than the input's.
    let x = ctx.upload(&Tensor::zeros(&[1, 8, 3, 3]).unwrap()).unwrap();
    let mut encoder = ctx.encoder("errors");
    let wrong = ctx.empty(&[1, 8, 3, 3]).unwrap();
    assert!(matches!(
        ps.encode_gpu(ctx, &mut encoder, &x, &wrong),
        Err(Error::InvalidShape(_))
    ));
    let aliased = x.reshape(&[1, 2, 6, 6]).unwrap();
    assert!(matches!(
        ps.encode_gpu(ctx, &mut encoder, &x, &aliased),
        Err(Error::InvalidArgument(_))
    ));
    drop(encoder);
}

/// `y[..., c, h·r + i, w·r + j] = x[..., c·r² + i·r + j, h, w]`, straight from the definition.
fn shuffle_by_definition(x: &Tensor, r: usize) -> Tensor {
    let s = x.shape();
    let n = s.len();
    let (c, h, w) = (s[n - 3] / (r * r), s[n - 2], s[n - 1]);
    let lead: usize = s[..n - 3].iter().product();
    let mut shape = s[..n - 3].to_vec();
    shape.extend([c, h * r, w * r]);
    let mut y = Tensor::zeros(&shape).unwrap();
    for b in 0..lead {
        for ci in 0..c {
            for hi in 0..h {
                for i in 0..r {
                    for wi in 0..w {
                        for j in 0..r {
                            let src = (((b * c + ci) * r * r + i * r + j) * h + hi) * w + wi;
                            let dst = ((b * c + ci) * h * r + hi * r + i) * w * r + wi * r + j;
                            y.data_mut()[dst] = x.data()[src];
                        }
                    }
                }
            }
        }
    }
    y
}

fn random_tensor(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-1.0f32..1.0)).unwrap()
}

/// A random shape for PixelShuffle(r): 3 to 6 dimensions, `C·r²` channels, odd sizes.
fn random_shuffle_shape(rng: &mut StdRng, r: usize) -> Vec<usize> {
    let rank = rng.random_range(3..=6);
    let mut shape: Vec<usize> = (0..rank - 3).map(|_| rng.random_range(1..=3)).collect();
    shape.push(rng.random_range(1..=3) * r * r);
    shape.push(rng.random_range(1..=9));
    shape.push(rng.random_range(1..=9));
    shape
}

#[test]
fn cpu_follows_the_definition() {
    let mut rng = StdRng::seed_from_u64(0xd3f);
    for _ in 0..200 {
        let r = rng.random_range(1..=5);
        let shape = random_shuffle_shape(&mut rng, r);
        let x = random_tensor(&mut rng, &shape);
        let want = shuffle_by_definition(&x, r);
        let y = PixelShuffle::new(r).forward_cpu(&x).unwrap();
        same(&y, want.shape(), want.data()).unwrap();
        let back = PixelUnshuffle::new(r).forward_cpu(&y).unwrap();
        same(&back, x.shape(), x.data()).unwrap();
    }
}

#[test]
fn gpu_matches_cpu_on_random_shapes() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let cases = 100;
    for k in 0..cases {
        let r = rng.random_range(1..=5);
        let shuffled = random_shuffle_shape(&mut rng, r);
        let unshuffled = PixelShuffle::new(r).output_shape(&shuffled).unwrap();
        let (op, shape): (Box<dyn Op>, _) = if k % 2 == 0 {
            (Box::new(PixelShuffle::new(r)), shuffled)
        } else {
            (Box::new(PixelUnshuffle::new(r)), unshuffled)
        };
        let x = random_tensor(&mut rng, &shape);
        let want = op.forward_cpu(&x).unwrap();
        let got = gpu_run(ctx, op.as_ref(), &x).unwrap();
        same(&got, want.shape(), want.data()).unwrap_or_else(|e| panic!("{op:?} {shape:?}: {e}"));
        // The backward, on a random grad_output.
        let grad = random_tensor(&mut rng, want.shape());
        let (cpu, gpu) = match k % 2 {
            0 => {
                let ps = PixelShuffle::new(r);
                let g = ps.backward_gpu(ctx, &shape, &ctx.upload(&grad).unwrap());
                (ps.backward_cpu(&shape, &grad), g)
            }
            _ => {
                let pu = PixelUnshuffle::new(r);
                let g = pu.backward_gpu(ctx, &shape, &ctx.upload(&grad).unwrap());
                (pu.backward_cpu(&shape, &grad), g)
            }
        };
        let (cpu, gpu) = (cpu.unwrap(), ctx.download(&gpu.unwrap()).unwrap());
        same(&gpu, &shape, cpu.data()).unwrap_or_else(|e| panic!("{op:?} {shape:?} backward: {e}"));
    }
}

#[test]
fn gpu_chunks_on_devices_with_small_bindings_or_grids() {
    // Bindings of 256 KiB + 100 bytes (chunks start at misaligned planes), and grids of at most
    // 4 workgroups per dimension (64 workgroups of 512 elements: 32 768 elements per dispatch).
    let small_binding = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: (256 << 10) + 100,
        max_compute_workgroups_per_dimension: 16,
        min_storage_buffer_offset_alignment: 256,
        ..l
    });
    let small_grid = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_compute_workgroups_per_dimension: 4,
        ..l
    });
    let mut rng = StdRng::seed_from_u64(0xc4);
    let mut chunked = 0;
    for (r, shape) in [
        (3, vec![5, 7, 45, 17, 13]), // planes of 1989 elements, 1.4 MB
        (2, vec![3, 40, 33, 31]),    // planes of 4092 elements, 491 KB
        (1, vec![4, 100, 17, 19]),   // the identity, 517 KB
        (4, vec![2, 64, 60, 50]),    // planes of 48 000 elements, 1.5 MB
    ] {
        let x = random_tensor(&mut rng, &shape);
        let bytes = x.numel() * 4;
        assert!(bytes > 256 << 10, "{shape:?} fits one binding");
        let y = PixelShuffle::new(r).forward_cpu(&x).unwrap();
        for (op, input) in [
            (Box::new(PixelShuffle::new(r)) as Box<dyn Op>, &x),
            (Box::new(PixelUnshuffle::new(r)), &y),
        ] {
            let want = op.forward_cpu(input).unwrap();
            for (ctx, per_dispatch) in [(&small_binding, 256 << 10), (&small_grid, 32768 * 4)] {
                // A plane of more than 32 768 elements needs more than a dispatch holds.
                if ctx.limits().max_compute_workgroups_per_dimension == 4 && r == 4 {
                    match gpu_run(ctx, op.as_ref(), input) {
                        Err(Error::LimitExceeded(msg)) => {
                            assert!(msg.contains("dispatch grid"), "{msg}")
                        }
                        other => panic!("expected LimitExceeded, got {other:?}"),
                    }
                    continue;
                }
                // One parameter block per dispatch.
                let memory = op.gpu_memory_bytes(ctx, input.shape()).unwrap();
                let dispatches = (memory - 2 * bytes as u64) / PARAMS_BYTES;
                assert!(
                    dispatches >= bytes.div_ceil(per_dispatch) as u64,
                    "{shape:?}: {dispatches} dispatches"
                );
                let got = gpu_run(ctx, op.as_ref(), input).unwrap();
                same(&got, want.shape(), want.data())
                    .unwrap_or_else(|e| panic!("{} {shape:?}: {e}", op.name()));
                chunked += 1;
            }
        }
    }
    assert_eq!(chunked, 14);
    // One plane larger than a binding: a clear error.
    let x = small_binding
        .upload(&Tensor::zeros(&[1, 4, 175, 100]).unwrap())
        .unwrap();
    match PixelShuffle::new(2).forward_gpu(&small_binding, &x) {
        Err(Error::LimitExceeded(msg)) => {
            assert!(msg.contains("max_storage_buffer_binding_size"), "{msg}")
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}

/// `Σ a·b` in f64 over the products in ascending order: equal multisets of products give equal
/// sums, bit for bit.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    let mut products: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| x as f64 * y as f64)
        .collect();
    products.sort_by(f64::total_cmp);
    products.iter().sum()
}

#[test]
fn shuffle_and_unshuffle_are_adjoint() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0xad7);
    for _ in 0..30 {
        let r = rng.random_range(1..=4);
        let shape = random_shuffle_shape(&mut rng, r);
        let ps = PixelShuffle::new(r);
        let pu = PixelUnshuffle::new(r);
        let x = random_tensor(&mut rng, &shape);
        let y = random_tensor(&mut rng, &ps.output_shape(&shape).unwrap());
        // <y, PS(x)> = <PU(y), x>: f32 products are exact in f64.
        let lhs = dot(y.data(), ps.forward_cpu(&x).unwrap().data());
        let rhs = dot(pu.forward_cpu(&y).unwrap().data(), x.data());
        assert_eq!(
            lhs.to_bits(),
            rhs.to_bits(),
            "{shape:?} r={r}: {lhs} vs {rhs}"
        );
        let lhs = dot(y.data(), gpu_run(ctx, &ps, &x).unwrap().data());
        let rhs = dot(gpu_run(ctx, &pu, &y).unwrap().data(), x.data());
        assert_eq!(lhs.to_bits(), rhs.to_bits(), "{shape:?} r={r} (GPU)");
    }
}

#[test]
fn backward_of_each_is_the_other() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0xbac);
    for _ in 0..20 {
        let r = rng.random_range(1..=4);
        let shape = random_shuffle_shape(&mut rng, r);
        let ps = PixelShuffle::new(r);
        let pu = ps.inverse();
        let out_shape = ps.output_shape(&shape).unwrap();
        let g = random_tensor(&mut rng, &out_shape);
        // grad_input of PixelShuffle = PixelUnshuffle(grad_output), on the CPU and the GPU.
        let want = pu.forward_cpu(&g).unwrap();
        same(&ps.backward_cpu(&shape, &g).unwrap(), &shape, want.data()).unwrap();
        let gpu = ps
            .backward_gpu(ctx, &shape, &ctx.upload(&g).unwrap())
            .unwrap();
        same(&ctx.download(&gpu).unwrap(), &shape, want.data()).unwrap();
        // grad_input of PixelUnshuffle = PixelShuffle(grad_output).
        let g = random_tensor(&mut rng, &shape);
        let want = ps.forward_cpu(&g).unwrap();
        same(
            &pu.backward_cpu(&out_shape, &g).unwrap(),
            &out_shape,
            want.data(),
        )
        .unwrap();
        let gpu = pu
            .backward_gpu(ctx, &out_shape, &ctx.upload(&g).unwrap())
            .unwrap();
        same(&ctx.download(&gpu).unwrap(), &out_shape, want.data()).unwrap();
        // The backward ops know their forward.
        let back = ps.backward(&shape).unwrap();
        assert_eq!(
            (back.forward_op(), back.input_shape()),
            (ps, shape.as_slice())
        );
        assert_eq!(back.output_shape(&out_shape).unwrap(), shape);
    }
}

#[test]
fn nonfinite_values_pass_through_unchanged() {
    let ctx = common::gpu();
    let specials = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7fc0_1234), // a NaN with a payload
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        f32::from_bits(1), // the smallest subnormal
        f32::MAX,
    ];
    let mut rng = StdRng::seed_from_u64(0x1af);
    for (r, shape) in [
        (2, vec![2, 8, 3, 5]),
        (3, vec![9, 4, 2]),
        (1, vec![1, 2, 3, 3, 3]),
    ] {
        let mut x = random_tensor(&mut rng, &shape);
        for (k, v) in x.data_mut().iter_mut().enumerate() {
            if k % 3 == 0 {
                *v = specials[(k / 3) % specials.len()];
            }
        }
        let want = shuffle_by_definition(&x, r);
        let ps = PixelShuffle::new(r);
        same(&ps.forward_cpu(&x).unwrap(), want.shape(), want.data()).unwrap();
        same(&gpu_run(ctx, &ps, &x).unwrap(), want.shape(), want.data()).unwrap();
        // Back again: the unshuffle and the shuffle's backward restore every bit.
        let gy = ctx.upload(&want).unwrap();
        let back = ctx.download(&ps.backward_gpu(ctx, &shape, &gy).unwrap());
        same(&back.unwrap(), &shape, x.data()).unwrap();
        same(&ps.backward_cpu(&shape, &want).unwrap(), &shape, x.data()).unwrap();
        let pu = ps.inverse();
        same(&gpu_run(ctx, &pu, &want).unwrap(), &shape, x.data()).unwrap();
    }
}

#[test]
fn forward_and_backward_encode_into_a_callers_encoder_and_buffers() {
    let ctx = common::gpu();
    let device = ctx.device();
    let mut rng = StdRng::seed_from_u64(0xe4c);
    let shape = [2, 18, 5, 7];
    let ps = PixelShuffle::new(3);
    let out_shape = ps.output_shape(&shape).unwrap();
    let x = random_tensor(&mut rng, &shape);
    let buffer = |shape: &[usize]| {
        let numel: usize = shape.iter().product();
        let b = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("caller's buffer"),
            size: numel as u64 * 4,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let t = GpuTensor::from_buffer(ctx, b, shape).unwrap();
        // NaN everywhere: every element must be overwritten.
        ctx.write(&t, &Tensor::from_fn(shape, |_| f32::NAN).unwrap())
            .unwrap();
        t
    };
    let (gx, gy, grad_in) = (buffer(&shape), buffer(&out_shape), buffer(&shape));
    ctx.write(&gx, &x).unwrap();
    // Forward, then the backward of its output as grad_output, in one encoder and submission.
    let mut encoder = ctx.encoder("caller's");
    ps.encode_gpu(ctx, &mut encoder, &gx, &gy).unwrap();
    ps.encode_backward_gpu(ctx, &mut encoder, &gy, &grad_in)
        .unwrap();
    ctx.queue().submit([encoder.finish()]);
    let want = ps.forward_cpu(&x).unwrap();
    same(&ctx.download(&gy).unwrap(), &out_shape, want.data()).unwrap();
    same(&ctx.download(&grad_in).unwrap(), &shape, x.data()).unwrap();
    // The unshuffle and its backward the same way, into the same buffers again.
    let pu = ps.inverse();
    let mut encoder = ctx.encoder("caller's");
    pu.encode_gpu(ctx, &mut encoder, &gy, &grad_in).unwrap();
    pu.encode_backward_gpu(ctx, &mut encoder, &grad_in, &gy)
        .unwrap();
    ctx.queue().submit([encoder.finish()]);
    same(&ctx.download(&grad_in).unwrap(), &shape, x.data()).unwrap();
    same(&ctx.download(&gy).unwrap(), &out_shape, want.data()).unwrap();
}

#[test]
fn gpu_results_are_bitwise_repeatable() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x4e9);
    let x = random_tensor(&mut rng, &[3, 32, 41, 23]);
    let y = random_tensor(&mut rng, &[3, 8, 82, 46]);
    for (op, input) in [
        (Box::new(PixelShuffle::new(4)) as Box<dyn Op>, &x),
        (Box::new(PixelUnshuffle::new(2)), &y),
        (
            Box::new(PixelShuffle::new(2).backward(x.shape()).unwrap()),
            &y,
        ),
    ] {
        let first = bits(gpu_run(ctx, op.as_ref(), input).unwrap().data());
        for _ in 0..3 {
            assert_eq!(
                bits(gpu_run(ctx, op.as_ref(), input).unwrap().data()),
                first,
                "{op:?}"
            );
        }
    }
}

#[test]
fn op_metadata() {
    let ctx = common::gpu();
    let (ps, pu) = (PixelShuffle::new(2), PixelUnshuffle::new(2));
    let shape = [2, 8, 3, 5];
    assert_eq!(
        (ps.name(), pu.name()),
        ("PixelShuffle".into(), "PixelUnshuffle".into())
    );
    assert_eq!(ps.gpu_kernels(ctx, &shape).unwrap(), ["pixel_shuffle"]);
    assert_eq!(
        pu.gpu_kernels(ctx, &[2, 2, 6, 10]).unwrap(),
        ["pixel_unshuffle"]
    );
    let back = ps.backward(&shape).unwrap();
    assert_eq!(back.name(), "PixelShuffleBackward");
    assert_eq!(
        back.gpu_kernels(ctx, &[2, 2, 6, 10]).unwrap(),
        ["pixel_unshuffle"]
    );
    let back = pu.backward(&[2, 2, 6, 10]).unwrap();
    assert_eq!(back.name(), "PixelUnshuffleBackward");
    assert_eq!(back.gpu_kernels(ctx, &shape).unwrap(), ["pixel_shuffle"]);
    // Input and output, and one parameter block.
    assert_eq!(
        ps.gpu_memory_bytes(ctx, &shape).unwrap(),
        2 * 240 * 4 + PARAMS_BYTES
    );
    assert_eq!((ps.parameter_count(), ps.flops(&shape).unwrap()), (0, None));
}

/// `conv2d(x, weight, bias)` with stride 1 and `padding = (k - 1) / 2`, in f32, every output
/// summed in one fixed order: the bias, then input channels, kernel rows, kernel columns.
fn conv2d(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Tensor {
    let [n, ci, h, w] = x.shape().try_into().unwrap();
    let [co, wci, k, k2] = weight.shape().try_into().unwrap();
    assert_eq!((wci, k, k2, bias.shape()), (ci, k, k, &[co][..]));
    let pad = (k - 1) / 2;
    let (xd, wd) = (x.data(), weight.data());
    Tensor::from_fn(&[n, co, h, w], |idx| {
        let (b, o, y, xx) = (idx / (co * h * w), idx / (h * w) % co, idx / w % h, idx % w);
        let mut acc = bias.data()[o];
        for c in 0..ci {
            for ky in 0..k {
                for kx in 0..k {
                    let (iy, ix) = ((y + ky).wrapping_sub(pad), (xx + kx).wrapping_sub(pad));
                    if iy < h && ix < w {
                        acc += xd[((b * ci + c) * h + iy) * w + ix]
                            * wd[((o * ci + c) * k + ky) * k + kx];
                    }
                }
            }
        }
        acc
    })
    .unwrap()
}

#[test]
fn icnr_makes_the_pixel_shuffle_of_a_conv_a_nearest_upsample() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x1c4);
    let mut checked = 0;
    for k in [1, 3] {
        for r in 1..=4 {
            let (ci, co) = (3, 2);
            let x = random_tensor(&mut rng, &[2, ci, 5, 7]);
            let w0 = random_tensor(&mut rng, &[co, ci, k, k]);
            let b0 = random_tensor(&mut rng, &[co]);
            let (w, b) = (icnr_from(&w0, r).unwrap(), icnr_bias(&b0, r).unwrap());
            assert_eq!(w.shape(), &[co * r * r, ci, k, k]);
            let ps = PixelShuffle::new(r);
            let got = ps.forward_cpu(&conv2d(&x, &w, &b)).unwrap();
            let nearest = Upsample::with_scale_factor([r as f64], UpsampleMode::Nearest);
            let y0 = conv2d(&x, &w0, &b0);
            let want = nearest.forward_cpu(&y0).unwrap();
            same(&got, want.shape(), want.data()).unwrap_or_else(|e| panic!("k={k} r={r}: {e}"));
            let got = gpu_run(ctx, &ps, &conv2d(&x, &w, &b)).unwrap();
            let want = gpu_run(ctx, &nearest, &y0).unwrap();
            same(&got, want.shape(), want.data()).unwrap_or_else(|e| panic!("k={k} r={r}: {e}"));
            // `icnr` of any weight: each group of r² output channels is its first.
            let any = random_tensor(&mut rng, &[co * r * r, ci, k, k]);
            let first: Vec<f32> = any
                .data()
                .chunks(r * r * ci * k * k)
                .flat_map(|g| g[..ci * k * k].to_vec())
                .collect();
            let base = Tensor::new(&[co, ci, k, k], first).unwrap();
            let made = icnr(&any, r).unwrap();
            same(&made, any.shape(), icnr_from(&base, r).unwrap().data()).unwrap();
            same(&icnr(&w, r).unwrap(), w.shape(), w.data()).unwrap();
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
}

/// Checks that every `r×r` block of the last two axes of `y` holds one value, bit for bit, and
/// that `y` is within 1e-5 of `want`.
fn blocks_constant_and_close(y: &Tensor, want: &Tensor, r: usize) -> Result<(), String> {
    let n = y.shape().len();
    let (h, w) = (y.shape()[n - 2], y.shape()[n - 1]);
    for (k, v) in y.data().iter().enumerate() {
        let (plane, row, col) = (k / (h * w), k / w % h, k % w);
        let first = y.data()[(plane * h + row / r * r) * w + col / r * r];
        if v.to_bits() != first.to_bits() {
            return Err(format!(
                "element {k}: {v} differs from its block's first, {first}"
            ));
        }
    }
    if y.shape() != want.shape() {
        return Err(format!("shape {:?}, want {:?}", y.shape(), want.shape()));
    }
    common::check_close(y.data(), want.data(), 1e-5)
}

#[test]
fn icnr_with_the_librarys_conv_on_cpu_and_gpu() {
    // The sub-pixel upsampler as a trainer builds it: Conv2d(C_in, C_out·r², k, padding) with
    // ICNR weights, then PixelShuffle(r), on the GPU in one encoder. Every r×r block of the
    // output is one value, exactly; the nearest ×r upsample of Conv2d(C_in, C_out) with the base
    // weights equals it up to rounding (the library may sum the two convolutions in different
    // orders: another kernel for more channels).
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x1c5);
    for (k, r, groups) in [(1, 2, 1), (3, 2, 1), (3, 3, 2), (3, 4, 1)] {
        let (ci, co) = (4, 2);
        let options = |out| {
            let mut o = ConvOptions::new(2, ci, out, [k]).padding_explicit([(k - 1) / 2]);
            o.groups = groups;
            o
        };
        let w0 = random_tensor(&mut rng, &[co, ci / groups, k, k]);
        let b0 = random_tensor(&mut rng, &[co]);
        let (w, b) = (icnr_from(&w0, r).unwrap(), icnr_bias(&b0, r).unwrap());
        let conv0 = Conv::from_weights(options(co), w0, Some(b0)).unwrap();
        let conv = Conv::from_weights(options(co * r * r), w, Some(b)).unwrap();
        let (ps, nearest) = (
            PixelShuffle::new(r),
            Upsample::with_scale_factor([r as f64], UpsampleMode::Nearest),
        );
        let x = random_tensor(&mut rng, &[2, ci, 6, 5]);
        let want = nearest
            .forward_cpu(&conv0.forward_cpu(&x).unwrap())
            .unwrap();
        let got = ps.forward_cpu(&conv.forward_cpu(&x).unwrap()).unwrap();
        blocks_constant_and_close(&got, &want, r).unwrap_or_else(|e| panic!("k={k} r={r}: {e}"));
        // On the GPU, in one encoder: conv, then shuffle into a second buffer.
        let gx = ctx.upload(&x).unwrap();
        let mid = ctx.empty(&conv.output_shape(x.shape()).unwrap()).unwrap();
        let out = ctx.empty(want.shape()).unwrap();
        let mut encoder = ctx.encoder("icnr");
        conv.encode_gpu(ctx, &mut encoder, &gx, &mid).unwrap();
        ps.encode_gpu(ctx, &mut encoder, &mid, &out).unwrap();
        ctx.queue().submit([encoder.finish()]);
        let got = ctx.download(&out).unwrap();
        let y0 = conv0.forward_gpu(ctx, &gx).unwrap();
        let want = ctx
            .download(&nearest.forward_gpu(ctx, &y0).unwrap())
            .unwrap();
        blocks_constant_and_close(&got, &want, r)
            .unwrap_or_else(|e| panic!("k={k} r={r} (GPU): {e}"));
    }
}

#[test]
fn icnr_errors() {
    let w = Tensor::zeros(&[5, 3, 3, 3]).unwrap();
    assert_eq!(
        icnr(&w, 2).unwrap_err(),
        Error::InvalidShape(
            "icnr expects the weight's output-channel dimension to be divisible by the square of \
             upscale_factor, but weight.size(0)=5 is not divisible by 4"
                .into()
        )
    );
    assert!(matches!(icnr(&w, 0), Err(Error::InvalidArgument(_))));
    assert!(matches!(icnr_from(&w, 0), Err(Error::InvalidArgument(_))));
    assert!(matches!(
        icnr_from(&w, 1 << 33),
        Err(Error::InvalidArgument(_))
    ));
    let scalar = Tensor::zeros(&[]).unwrap();
    assert!(matches!(icnr(&scalar, 2), Err(Error::InvalidShape(_))));
    assert!(matches!(icnr_from(&scalar, 2), Err(Error::InvalidShape(_))));
    assert!(matches!(icnr_bias(&w, 2), Err(Error::InvalidShape(_))));
    // Empty weights are fine; r = 1 changes nothing.
    let empty = Tensor::zeros(&[4, 0, 3, 3]).unwrap();
    assert_eq!(icnr(&empty, 2).unwrap().shape(), &[4, 0, 3, 3]);
    assert_eq!(icnr_from(&empty, 2).unwrap().shape(), &[16, 0, 3, 3]);
    let mut rng = StdRng::seed_from_u64(1);
    let w = random_tensor(&mut rng, &[6, 2, 3]);
    same(&icnr(&w, 1).unwrap(), w.shape(), w.data()).unwrap();
    same(&icnr_from(&w, 1).unwrap(), w.shape(), w.data()).unwrap();
}
