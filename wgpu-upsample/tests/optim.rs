//! The optimizers (SGD, Adam, AdamW) against PyTorch's golden data (tools/golden/gen_optim.py),
//! GPU against the CPU reference on random sizes, repeatability, and argument errors.
//!
//! Tolerance. SGD: bitwise against PyTorch, CPU and GPU (the kernels follow PyTorch's f32
//! operations, fused multiply-adds included). Adam/AdamW: within `MAX_ULPS` ulps or
//! `REL` · max(1, |want|) per element: PyTorch's CPU `sqrt` of float32 goes through MKL's VML,
//! which is 1 ulp off the correctly rounded square root in ~15 % of elements, while the library
//! (and WGSL on lavapipe) rounds correctly; the moments of Adam without weight decay are checked
//! bitwise. GPU against CPU: the same tolerance (WGSL only bounds `sqrt` and `/` to a few ulps on
//! hardware GPUs); on lavapipe and llvmpipe they agree bitwise.

mod common;

use rand::{Rng, SeedableRng};
use serde_json::Value;
use wgpu_upsample::{
    Adam, AdamOptions, Error, GpuAdamState, GpuContext, GpuSgdState, GpuTensor, Sgd, SgdOptions,
    SgdState, Tensor,
};

/// Largest distance in ulps allowed between a result and PyTorch's, or GPU and CPU...
const MAX_ULPS: u32 = 4;

/// ... or relative error (to max(1, |want|)).
const REL: f32 = 1e-6;

fn golden() -> Value {
    serde_json::from_str(&common::fixture("optim_golden.json")).expect("valid JSON")
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

/// Distance in ulps of two finite floats (0 for equal bits or ±0).
fn ulps(a: f32, b: f32) -> u32 {
    if a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() {
        return u32::MAX;
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32;
        if i < 0 { i32::MIN - i } else { i }
    };
    (key(a) as i64 - key(b) as i64)
        .unsigned_abs()
        .min(u32::MAX as u64) as u32
}

/// The worst ulp distance of `got` from `want` among elements outside the tolerance (0 when all
/// are within it), and how many elements differ at all.
fn compare(got: &[f32], want: &[f32]) -> (u32, usize) {
    assert_eq!(got.len(), want.len());
    let mut worst = 0;
    let mut differ = 0;
    for (&g, &w) in got.iter().zip(want) {
        let u = ulps(g, w);
        differ += (u > 0) as usize;
        let within = (g - w).abs() <= REL * w.abs().max(1.0);
        if u > MAX_ULPS && !within {
            worst = worst.max(u);
        }
    }
    (worst, differ)
}

/// Whether `got` equals `want` bitwise (what SGD guarantees).
fn bitwise(got: &[f32], want: &[f32]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g.to_bits() == w.to_bits())
}

fn sgd_options(o: &Value) -> SgdOptions {
    let f = |k: &str, d: f64| o.get(k).and_then(Value::as_f64).unwrap_or(d);
    let b = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
    SgdOptions {
        lr: f("lr", 1e-3),
        momentum: f("momentum", 0.0),
        dampening: f("dampening", 0.0),
        weight_decay: f("weight_decay", 0.0),
        nesterov: b("nesterov"),
        maximize: b("maximize"),
    }
}

fn adam_options(name: &str, o: &Value) -> AdamOptions {
    let base = if name == "AdamW" {
        AdamOptions::adamw()
    } else {
        AdamOptions::default()
    };
    let f = |k: &str, d: f64| o.get(k).and_then(Value::as_f64).unwrap_or(d);
    let b = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
    let betas = o
        .get("betas")
        .map(|v| {
            let v = v.as_array().unwrap();
            (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
        })
        .unwrap_or(base.betas);
    AdamOptions {
        lr: f("lr", base.lr),
        betas,
        eps: f("eps", base.eps),
        weight_decay: f("weight_decay", base.weight_decay),
        amsgrad: b("amsgrad"),
        maximize: b("maximize"),
        decoupled_weight_decay: base.decoupled_weight_decay,
    }
}

/// An optimizer of either kind with its CPU and GPU states, stepping a parameter.
enum Runner {
    Sgd(Sgd, SgdState, GpuSgdState),
    Adam(Adam, Box<wgpu_upsample::AdamState>, Box<GpuAdamState>),
}

impl Runner {
    fn new(ctx: &GpuContext, name: &str, o: &Value, shape: &[usize]) -> Self {
        if name == "SGD" {
            Runner::Sgd(
                Sgd::new(sgd_options(o)).unwrap(),
                SgdState::default(),
                GpuSgdState::default(),
            )
        } else {
            let adam = Adam::new(adam_options(name, o)).unwrap();
            let cpu = adam.state_cpu(shape).unwrap();
            let gpu = adam.state_gpu(ctx, shape).unwrap();
            Runner::Adam(adam, Box::new(cpu), Box::new(gpu))
        }
    }

    fn step_cpu(&mut self, param: &mut Tensor, grad: &Tensor) {
        match self {
            Runner::Sgd(o, s, _) => o.step_cpu(s, param, grad).unwrap(),
            Runner::Adam(o, s, _) => o.step_cpu(s, param, grad).unwrap(),
        }
    }

    fn step_gpu(&mut self, ctx: &GpuContext, param: &GpuTensor, grad: &GpuTensor) {
        match self {
            Runner::Sgd(o, _, s) => o.step_gpu(ctx, s, param, grad).unwrap(),
            Runner::Adam(o, _, s) => o.step_gpu(ctx, s, param, grad).unwrap(),
        }
    }

    /// (name, CPU state, GPU state) of every state tensor.
    fn states(&self, ctx: &GpuContext) -> Vec<(&'static str, Tensor, Tensor)> {
        let mut out = Vec::new();
        match self {
            Runner::Sgd(_, c, g) => {
                if let (Some(c), Some(g)) = (&c.momentum_buffer, &g.momentum_buffer) {
                    out.push(("momentum_buffer", c.clone(), ctx.download(g).unwrap()));
                }
            }
            Runner::Adam(_, c, g) => {
                out.push((
                    "exp_avg",
                    c.exp_avg.clone(),
                    ctx.download(&g.exp_avg).unwrap(),
                ));
                out.push((
                    "exp_avg_sq",
                    c.exp_avg_sq.clone(),
                    ctx.download(&g.exp_avg_sq).unwrap(),
                ));
                if let (Some(c), Some(g)) = (&c.max_exp_avg_sq, &g.max_exp_avg_sq) {
                    out.push(("max_exp_avg_sq", c.clone(), ctx.download(g).unwrap()));
                }
            }
        }
        out
    }
}

#[test]
fn cpu_and_gpu_match_pytorch_after_every_step() {
    let ctx = common::gpu();
    let g = golden();
    eprintln!("golden data from torch {}", g["torch_version"]);
    let n = g["numel"].as_u64().unwrap() as usize;
    let param0 = Tensor::new(&[n], floats(&g["param0"])).unwrap();
    let grads: Vec<Tensor> = g["grads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Tensor::new(&[n], floats(v)).unwrap())
        .collect();
    let gpu_grads: Vec<GpuTensor> = grads.iter().map(|t| ctx.upload(t).unwrap()).collect();
    let mut failures = Vec::new();
    let (mut cpu_differing, mut gpu_differing, mut total) = (0, 0, 0);
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let name = case["optimizer"].as_str().unwrap();
        let what = format!("{name} {}", case["options"]);
        let mut runner = Runner::new(ctx, name, &case["options"], &[n]);
        let mut param = param0.clone();
        let gpu_param = ctx.upload(&param0).unwrap();
        for (step, want) in case["params"].as_array().unwrap().iter().enumerate() {
            let want = floats(want);
            runner.step_cpu(&mut param, &grads[step]);
            runner.step_gpu(ctx, &gpu_param, &gpu_grads[step]);
            let got_gpu = ctx.download(&gpu_param).unwrap();
            let (cpu_ulps, cpu_n) = compare(param.data(), &want);
            let (gpu_ulps, gpu_n) = compare(got_gpu.data(), &want);
            if name == "SGD" && !(bitwise(param.data(), &want) && bitwise(got_gpu.data(), &want)) {
                failures.push(format!("{what} step {}: not bitwise PyTorch's", step + 1));
            }
            cpu_differing += cpu_n;
            gpu_differing += gpu_n;
            total += n;
            if cpu_ulps > MAX_ULPS || gpu_ulps > MAX_ULPS {
                failures.push(format!(
                    "{what} step {}: CPU {cpu_ulps} ulps, GPU {gpu_ulps} ulps",
                    step + 1
                ));
            }
        }
        for (key, cpu, gpu) in runner.states(ctx) {
            let want = floats(&case["state"][key]);
            let (c, _) = compare(cpu.data(), &want);
            let (gg, _) = compare(gpu.data(), &want);
            let exact = name == "SGD"
                || (case["options"].get("weight_decay").is_none() && key != "max_exp_avg_sq");
            if exact && !(bitwise(cpu.data(), &want) && bitwise(gpu.data(), &want)) {
                failures.push(format!("{what} state {key}: not bitwise PyTorch's"));
            }
            if c > MAX_ULPS || gg > MAX_ULPS {
                failures.push(format!("{what} state {key}: CPU {c} ulps, GPU {gg} ulps"));
            }
        }
        if let (Runner::Adam(_, c, gs), Some(step)) = (&runner, case["state"]["step"].as_f64()) {
            assert_eq!(c.step as f64, step, "{what}");
            assert_eq!(gs.step as f64, step, "{what}");
        }
    }
    eprintln!(
        "parameter elements differing from PyTorch's bits: CPU {cpu_differing}/{total}, GPU \
         {gpu_differing}/{total}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A random option set of each kind, indexed by `k`.
fn random_runner(ctx: &GpuContext, k: usize, shape: &[usize]) -> Runner {
    let o = match k % 6 {
        0 => {
            serde_json::json!({"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01})
        }
        1 => serde_json::json!({"lr": 0.05, "momentum": 0.8, "nesterov": true, "maximize": true}),
        2 => serde_json::json!({"lr": 0.3, "weight_decay": 0.1}),
        3 => serde_json::json!({"lr": 0.01, "amsgrad": true, "weight_decay": 0.1}),
        4 => serde_json::json!({"lr": 0.02, "betas": [0.3, 0.6], "maximize": true}),
        _ => serde_json::json!({"lr": 0.05, "weight_decay": 0.2, "amsgrad": true}),
    };
    let name = match k % 6 {
        0..=2 => "SGD",
        5 => "AdamW",
        _ => "Adam",
    };
    Runner::new(ctx, name, &o, shape)
}

fn random_tensor(rng: &mut impl Rng, shape: &[usize], scale: f32) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-scale..scale)).unwrap()
}

#[test]
fn gpu_matches_cpu_on_random_sizes() {
    let ctx = common::gpu();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let shapes: &[&[usize]] = &[
        &[1],
        &[7],
        &[63],
        &[64],
        &[65],
        &[3, 5, 7],
        &[1000],
        &[4099],
        &[16, 3, 3, 3],
        &[70_001],
    ];
    let cpu_adapter = ctx.adapter_info().device_type == wgpu::DeviceType::Cpu;
    let mut failures = Vec::new();
    for (k, shape) in shapes.iter().enumerate() {
        for variant in 0..2 {
            let mut runner = random_runner(ctx, k + variant * 3, shape);
            let mut param = random_tensor(&mut rng, shape, 2.0);
            let gpu_param = ctx.upload(&param).unwrap();
            for step in 0..4 {
                let grad = random_tensor(&mut rng, shape, 1.0 + step as f32);
                let gpu_grad = ctx.upload(&grad).unwrap();
                runner.step_cpu(&mut param, &grad);
                runner.step_gpu(ctx, &gpu_param, &gpu_grad);
            }
            let got = ctx.download(&gpu_param).unwrap();
            let (u, d) = compare(got.data(), param.data());
            // A CPU adapter (lavapipe, llvmpipe) rounds `sqrt` and `/` correctly: bitwise.
            if cpu_adapter && d > 0 {
                failures.push(format!(
                    "{shape:?} variant {variant}: {d} elements not bitwise"
                ));
            }
            if u > MAX_ULPS {
                failures.push(format!(
                    "{shape:?} variant {variant}: {u} ulps ({d} differ)"
                ));
            }
            for (key, cpu, gpu) in runner.states(ctx) {
                let (u, _) = compare(gpu.data(), cpu.data());
                if u > MAX_ULPS {
                    failures.push(format!("{shape:?} variant {variant} {key}: {u} ulps"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gpu_steps_are_bitwise_repeatable_and_chain_in_one_encoder() {
    let ctx = common::gpu();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let shape = [5000];
    let param0 = random_tensor(&mut rng, &shape, 1.0);
    let grads: Vec<Tensor> = (0..3)
        .map(|_| random_tensor(&mut rng, &shape, 1.0))
        .collect();
    let adam = Adam::new(AdamOptions {
        lr: 0.01,
        amsgrad: true,
        weight_decay: 0.1,
        ..Default::default()
    })
    .unwrap();
    let sgd = Sgd::new(SgdOptions {
        lr: 0.1,
        momentum: 0.9,
        nesterov: true,
        ..Default::default()
    })
    .unwrap();
    let gpu_grads: Vec<GpuTensor> = grads.iter().map(|t| ctx.upload(t).unwrap()).collect();
    let run = |one_encoder: bool| -> (Vec<u32>, Vec<u32>) {
        let pa = ctx.upload(&param0).unwrap();
        let ps = ctx.upload(&param0).unwrap();
        let mut sa = adam.state_gpu(ctx, &shape).unwrap();
        let mut ss = GpuSgdState::default();
        if one_encoder {
            let mut encoder = ctx.encoder("optim test");
            for g in &gpu_grads {
                adam.encode_step(ctx, &mut encoder, &mut sa, &pa, g)
                    .unwrap();
                sgd.encode_step(ctx, &mut encoder, &mut ss, &ps, g).unwrap();
            }
            ctx.queue().submit([encoder.finish()]);
        } else {
            for g in &gpu_grads {
                adam.step_gpu(ctx, &mut sa, &pa, g).unwrap();
                sgd.step_gpu(ctx, &mut ss, &ps, g).unwrap();
            }
        }
        assert_eq!(sa.step, 3);
        let bits = |t: &GpuTensor| -> Vec<u32> {
            ctx.download(t)
                .unwrap()
                .data()
                .iter()
                .map(|x| x.to_bits())
                .collect()
        };
        (bits(&pa), bits(&ps))
    };
    let a = run(false);
    let b = run(false);
    let c = run(true);
    assert_eq!(a, b, "two runs differ");
    assert_eq!(a, c, "one encoder differs from separate submits");
    // And the CPU reference agrees.
    let mut pa = param0.clone();
    let mut sa = adam.state_cpu(&shape).unwrap();
    for g in &grads {
        adam.step_cpu(&mut sa, &mut pa, g).unwrap();
    }
    let got: Vec<f32> = a.0.iter().map(|&b| f32::from_bits(b)).collect();
    assert!(compare(&got, pa.data()).0 <= MAX_ULPS);
}

#[test]
fn option_errors_are_pytorchs() {
    let g = golden();
    let errors = g["errors"].as_array().unwrap();
    assert!(errors.len() >= 19);
    for e in errors {
        let name = e["optimizer"].as_str().unwrap();
        let o = &e["options"];
        let err = if name == "SGD" {
            Sgd::new(sgd_options(o)).unwrap_err()
        } else {
            Adam::new(adam_options(name, o)).unwrap_err()
        };
        let (ty, msg) = (e["type"].as_str().unwrap(), e["message"].as_str().unwrap());
        assert_eq!(err.to_string(), msg, "{name} {o}");
        assert!(
            common::same_kind_as_pytorch(ty, msg, &err),
            "{name} {o}: {err:?}"
        );
    }
    // NaN fails PyTorch's `not 0.0 <= x` checks of Adam.
    let err = Adam::new(AdamOptions {
        lr: f64::NAN,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "Invalid learning rate: nan");
    // Valid edge values pass.
    Adam::new(AdamOptions {
        lr: 0.0,
        betas: (0.0, 0.0),
        eps: 0.0,
        ..Default::default()
    })
    .unwrap();
    Adam::adamw(AdamOptions::adamw()).unwrap();
    Sgd::new(SgdOptions {
        lr: 0.0,
        momentum: 0.5,
        nesterov: true,
        ..Default::default()
    })
    .unwrap();
}

#[test]
fn shape_and_state_errors() {
    let ctx = common::gpu();
    let sgd = Sgd::new(SgdOptions {
        lr: 0.1,
        momentum: 0.9,
        ..Default::default()
    })
    .unwrap();
    let adam = Adam::new(AdamOptions::default()).unwrap();
    let ams = Adam::new(AdamOptions {
        amsgrad: true,
        ..Default::default()
    })
    .unwrap();
    let mut p = Tensor::zeros(&[2, 3]).unwrap();
    let g_bad = Tensor::zeros(&[3, 2]).unwrap();
    let g = Tensor::zeros(&[2, 3]).unwrap();

    // CPU: gradient shape, state shape, amsgrad mismatch.
    let e = sgd
        .step_cpu(&mut SgdState::default(), &mut p, &g_bad)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e:?}");
    let e = adam
        .step_cpu(&mut adam.state_cpu(&[6]).unwrap(), &mut p, &g)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e:?}");
    let e = ams
        .step_cpu(&mut adam.state_cpu(&[2, 3]).unwrap(), &mut p, &g)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let mut st = SgdState {
        momentum_buffer: Some(Tensor::zeros(&[7]).unwrap()),
    };
    let e = sgd.step_cpu(&mut st, &mut p, &g).unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e:?}");
    assert_eq!(p.data(), &[0.0; 6], "a failed step leaves the parameter");

    // GPU: the same, plus aliasing and foreign tensors; the state is left as it was.
    let gp = ctx.upload(&p).unwrap();
    let gg = ctx.upload(&g).unwrap();
    let gg_bad = ctx.upload(&g_bad).unwrap();
    let mut ss = GpuSgdState::default();
    let e = sgd.step_gpu(ctx, &mut ss, &gp, &gg_bad).unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e:?}");
    assert!(ss.momentum_buffer.is_none());
    let e = sgd.step_gpu(ctx, &mut ss, &gp, &gp).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let mut sa = adam.state_gpu(ctx, &[6]).unwrap();
    let e = adam.step_gpu(ctx, &mut sa, &gp, &gg).unwrap_err();
    assert!(matches!(e, Error::InvalidShape(_)), "{e:?}");
    assert_eq!(sa.step, 0);
    let mut sa = adam.state_gpu(ctx, &[2, 3]).unwrap();
    let e = ams.step_gpu(ctx, &mut sa, &gp, &gg).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let mut aliased = sa.clone();
    aliased.exp_avg_sq = aliased.exp_avg.clone();
    let e = adam.step_gpu(ctx, &mut aliased, &gp, &gg).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let other = common::device_with(wgpu::Features::empty(), |l| l);
    let foreign = other.upload(&g).unwrap();
    let e = adam.step_gpu(ctx, &mut sa, &gp, &foreign).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let e = sgd.step_gpu(ctx, &mut ss, &gp, &foreign).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert_eq!(sa.step, 0);
    assert!(ss.momentum_buffer.is_none());
    adam.step_gpu(ctx, &mut sa, &gp, &gg).unwrap();
    assert_eq!(sa.step, 1);
}

#[test]
fn empty_parameters_step() {
    let ctx = common::gpu();
    let adam = Adam::new(AdamOptions::default()).unwrap();
    let mut p = Tensor::zeros(&[0, 3]).unwrap();
    let g = Tensor::zeros(&[0, 3]).unwrap();
    let mut s = adam.state_cpu(&[0, 3]).unwrap();
    adam.step_cpu(&mut s, &mut p, &g).unwrap();
    let gp = ctx.upload(&p).unwrap();
    let gg = ctx.upload(&g).unwrap();
    let mut gs = adam.state_gpu(ctx, &[0, 3]).unwrap();
    adam.step_gpu(ctx, &mut gs, &gp, &gg).unwrap();
    assert_eq!(gs.step, 1);
}
