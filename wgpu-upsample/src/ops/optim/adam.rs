//! `torch.optim.Adam` / `AdamW`: options, the CPU reference and the GPU step
//! (`shaders/optim/adam.wgsl`).

use super::{WORKGROUP, check_cpu, check_gpu, check_grad, check_state, chunk, py_float};
use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;

const SHADER: Shader = Shader {
    name: "optim/adam.wgsl",
    constants: &[("WG", WORKGROUP)],
    parts: &[
        include_str!("../../../shaders/optim/exact.wgsl"),
        include_str!("../../../shaders/optim/adam.wgsl"),
    ],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/optim/adam.wgsl`.
    struct Params as "Params" {
        count: u32,
        offset: u32,
        maximize: u32,
        weight_decay_mode: u32,
        zero: u32,
        _pad0: u32,
        _pad1: u32,
        _pad2: u32,
        weight_decay: f32,
        decay_factor: f32,
        lerp_weight: f32,
        beta2: f32,
        one_minus_beta2: f32,
        bias_correction2_sqrt: f32,
        eps: f32,
        neg_step_size: f32,
    }
}

static ADAM: Kernel = Kernel {
    shader: &SHADER,
    entry: "adam",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::ReadWrite),
        (2, Slot::Read),
        (3, Slot::ReadWrite),
        (4, Slot::ReadWrite),
    ],
};

static ADAM_AMSGRAD: Kernel = Kernel {
    shader: &SHADER,
    entry: "adam_amsgrad",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[
        (1, Slot::ReadWrite),
        (2, Slot::Read),
        (3, Slot::ReadWrite),
        (4, Slot::ReadWrite),
        (5, Slot::ReadWrite),
    ],
};

#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&ADAM, &ADAM_AMSGRAD]
}

/// The options of `torch.optim.Adam` (its defaults) and, with `decoupled_weight_decay`, of
/// `torch.optim.AdamW` (see [`AdamOptions::adamw`] for its defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamOptions {
    /// Learning rate, `>= 0`.
    pub lr: f64,
    /// `(beta1, beta2)`, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator, `>= 0`.
    pub eps: f64,
    /// Weight decay, `>= 0`: an L2 penalty added to the gradient (Adam), or with
    /// `decoupled_weight_decay` a decay of the parameter by `1 - lr * weight_decay` (AdamW).
    pub weight_decay: f64,
    /// The AMSGrad variant (a running maximum of the second moment).
    pub amsgrad: bool,
    /// Maximise the objective.
    pub maximize: bool,
    /// Decoupled weight decay (AdamW).
    pub decoupled_weight_decay: bool,
}

impl Default for AdamOptions {
    /// `torch.optim.Adam`'s defaults: `lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0`.
    fn default() -> Self {
        AdamOptions {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
            decoupled_weight_decay: false,
        }
    }
}

impl AdamOptions {
    /// `torch.optim.AdamW`'s defaults: Adam's with `weight_decay=1e-2` and decoupled weight decay.
    pub fn adamw() -> Self {
        AdamOptions {
            weight_decay: 1e-2,
            decoupled_weight_decay: true,
            ..Default::default()
        }
    }
}

/// `torch.optim.Adam` (and `AdamW`) for one parameter tensor at a time (PyTorch's
/// `_single_tensor_adam`, non-capturable): with `step` counted from 1,
///
/// ```text
/// g = -grad if maximize else grad
/// AdamW: param = param * (1 - lr * weight_decay)    Adam: g = g + weight_decay * param
/// exp_avg = exp_avg.lerp(g, 1 - beta1)
/// exp_avg_sq = exp_avg_sq * beta2 + ((1 - beta2) * g) * g   (the last add fused)
/// (amsgrad: max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq), used below instead)
/// denom = sqrt(exp_avg_sq) / sqrt(1 - beta2**step) + eps
/// param = param - lr / (1 - beta1**step) * exp_avg / denom
/// ```
///
/// The weight-decay step is skipped when `weight_decay` is 0, as in PyTorch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adam {
    options: AdamOptions,
}

/// The host state of [`Adam`] for one parameter tensor (PyTorch's `state[p]`), made zeroed by
/// [`Adam::state_cpu`].
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    /// Steps taken (PyTorch's `state["step"]`).
    pub step: u64,
    /// The first moment, `state["exp_avg"]`.
    pub exp_avg: Tensor,
    /// The second moment, `state["exp_avg_sq"]`.
    pub exp_avg_sq: Tensor,
    /// `state["max_exp_avg_sq"]`, with `amsgrad` only.
    pub max_exp_avg_sq: Option<Tensor>,
}

/// The GPU state of [`Adam`] for one parameter tensor, made zeroed by [`Adam::state_gpu`].
#[derive(Debug, Clone)]
pub struct GpuAdamState {
    /// Steps taken (PyTorch's `state["step"]`); advanced when a step is recorded.
    pub step: u64,
    /// The first moment, `state["exp_avg"]`.
    pub exp_avg: GpuTensor,
    /// The second moment, `state["exp_avg_sq"]`.
    pub exp_avg_sq: GpuTensor,
    /// `state["max_exp_avg_sq"]`, with `amsgrad` only.
    pub max_exp_avg_sq: Option<GpuTensor>,
}

/// The f32 scalars of a step, rounded as PyTorch rounds them.
#[derive(Debug, Clone, Copy)]
struct Scalars {
    weight_decay: f32,
    decay_factor: f32,
    lerp_weight: f32,
    beta2: f32,
    one_minus_beta2: f32,
    bias_correction2_sqrt: f32,
    eps: f32,
    neg_step_size: f32,
}

impl Adam {
    /// An Adam (or AdamW) optimizer, or PyTorch's `ValueError` message for bad options
    /// ([`Error::InvalidArgument`]).
    pub fn new(options: AdamOptions) -> Result<Self> {
        let o = &options;
        // PyTorch's checks, in its order (`not 0.0 <= x`: NaN fails them, as in Python).
        if negative_or_nan(o.lr) {
            return Err(Error::arg(format!(
                "Invalid learning rate: {}",
                py_float(o.lr)
            )));
        }
        if negative_or_nan(o.eps) {
            return Err(Error::arg(format!(
                "Invalid epsilon value: {}",
                py_float(o.eps)
            )));
        }
        for (i, b) in [o.betas.0, o.betas.1].into_iter().enumerate() {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::arg(format!(
                    "Invalid beta parameter at index {i}: {}",
                    py_float(b)
                )));
            }
        }
        if negative_or_nan(o.weight_decay) {
            return Err(Error::arg(format!(
                "Invalid weight_decay value: {}",
                py_float(o.weight_decay)
            )));
        }
        Ok(Adam { options })
    }

    /// `torch.optim.AdamW` with `options` (their `decoupled_weight_decay` set).
    pub fn adamw(options: AdamOptions) -> Result<Self> {
        Adam::new(AdamOptions {
            decoupled_weight_decay: true,
            ..options
        })
    }

    /// The options.
    pub fn options(&self) -> &AdamOptions {
        &self.options
    }

    /// A zeroed host state for a parameter of `shape` (with `max_exp_avg_sq` under `amsgrad`).
    pub fn state_cpu(&self, shape: &[usize]) -> Result<AdamState> {
        Ok(AdamState {
            step: 0,
            exp_avg: Tensor::zeros(shape)?,
            exp_avg_sq: Tensor::zeros(shape)?,
            max_exp_avg_sq: if self.options.amsgrad {
                Some(Tensor::zeros(shape)?)
            } else {
                None
            },
        })
    }

    /// A zeroed GPU state on `ctx` for a parameter of `shape`.
    pub fn state_gpu(&self, ctx: &GpuContext, shape: &[usize]) -> Result<GpuAdamState> {
        // wgpu zero-initialises new buffers.
        Ok(GpuAdamState {
            step: 0,
            exp_avg: ctx.empty(shape)?,
            exp_avg_sq: ctx.empty(shape)?,
            max_exp_avg_sq: if self.options.amsgrad {
                Some(ctx.empty(shape)?)
            } else {
                None
            },
        })
    }

    /// The scalars of step number `step` (from 1), computed in f64 as PyTorch does in Python
    /// and rounded to f32 where it hands them to a float32 kernel. PyTorch keeps the step count
    /// in a float32 tensor and reads it back as a Python float.
    fn scalars(&self, step: u64) -> Scalars {
        let o = &self.options;
        let (beta1, beta2) = o.betas;
        let step = (step as f32) as f64;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let step_size = o.lr / bias_correction1;
        Scalars {
            weight_decay: o.weight_decay as f32,
            decay_factor: (1.0 - o.lr * o.weight_decay) as f32,
            lerp_weight: (1.0 - beta1) as f32,
            beta2: beta2 as f32,
            one_minus_beta2: (1.0 - beta2) as f32,
            bias_correction2_sqrt: bias_correction2.powf(0.5) as f32,
            eps: o.eps as f32,
            neg_step_size: (-step_size) as f32,
        }
    }

    /// 0: no weight decay, 1: L2, 2: decoupled.
    fn weight_decay_mode(&self) -> u32 {
        match (
            self.options.weight_decay != 0.0,
            self.options.decoupled_weight_decay,
        ) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 2,
        }
    }

    fn name(&self) -> &'static str {
        if self.options.decoupled_weight_decay {
            "AdamW"
        } else {
            "Adam"
        }
    }

    fn check_amsgrad(&self, has_max: bool) -> Result<()> {
        if self.options.amsgrad != has_max {
            return Err(Error::arg(format!(
                "{}: the state {} max_exp_avg_sq but amsgrad={} (make the state with this \
                 optimizer's state_cpu / state_gpu)",
                self.name(),
                if has_max { "has" } else { "lacks" },
                if self.options.amsgrad {
                    "True"
                } else {
                    "False"
                }
            )));
        }
        Ok(())
    }

    /// One step on the host: updates `param` and `state` in place from `grad` (of `param`'s
    /// shape). The reference for [`Adam::encode_step`].
    pub fn step_cpu(&self, state: &mut AdamState, param: &mut Tensor, grad: &Tensor) -> Result<()> {
        let what = self.name();
        check_cpu(what, param, grad)?;
        check_state(what, "exp_avg", param.shape(), state.exp_avg.shape())?;
        check_state(what, "exp_avg_sq", param.shape(), state.exp_avg_sq.shape())?;
        if let Some(m) = &state.max_exp_avg_sq {
            check_state(what, "max_exp_avg_sq", param.shape(), m.shape())?;
        }
        self.check_amsgrad(state.max_exp_avg_sq.is_some())?;
        let o = &self.options;
        let s = self.scalars(state.step + 1);
        let mode = self.weight_decay_mode();
        let n = param.numel();
        let mut max = state.max_exp_avg_sq.as_mut().map(|t| t.data_mut());
        let (ms, vs) = (state.exp_avg.data_mut(), state.exp_avg_sq.data_mut());
        let (xs, gs) = (param.data_mut(), grad.data());
        for i in 0..n {
            let mut g = if o.maximize { -gs[i] } else { gs[i] };
            let mut x = xs[i];
            match mode {
                1 => g = x.mul_add(s.weight_decay, g),
                2 => x *= s.decay_factor,
                _ => {}
            }
            let m0 = ms[i];
            let w = s.lerp_weight;
            let m = if w.abs() < 0.5 {
                w.mul_add(g - m0, m0)
            } else {
                (w - 1.0).mul_add(g - m0, g)
            };
            // addcmul_: PyTorch's vectorised kernel fuses its last add.
            let v = (s.one_minus_beta2 * g).mul_add(g, vs[i] * s.beta2);
            ms[i] = m;
            vs[i] = v;
            let v = match &mut max {
                Some(max) => {
                    let vm = maximum(max[i], v);
                    max[i] = vm;
                    vm
                }
                None => v,
            };
            let denom = v.sqrt() / s.bias_correction2_sqrt + s.eps;
            xs[i] = x + s.neg_step_size * m / denom;
        }
        state.step += 1;
        Ok(())
    }

    /// Records one step on the GPU into `encoder`: updates `param` and `state` in place from
    /// `grad` (of `param`'s shape; all of `ctx`, distinct buffers), one dispatch for a parameter
    /// that fits one storage binding. Advances `state.step`. Nothing is submitted.
    pub fn encode_step(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        state: &mut GpuAdamState,
        param: &GpuTensor,
        grad: &GpuTensor,
    ) -> Result<()> {
        let what = self.name();
        check_grad(what, param.shape(), grad.shape())?;
        check_state(what, "exp_avg", param.shape(), state.exp_avg.shape())?;
        check_state(what, "exp_avg_sq", param.shape(), state.exp_avg_sq.shape())?;
        let mut tensors = vec![
            (param, "parameter"),
            (grad, "gradient"),
            (&state.exp_avg, "exp_avg"),
            (&state.exp_avg_sq, "exp_avg_sq"),
        ];
        if let Some(m) = &state.max_exp_avg_sq {
            check_state(what, "max_exp_avg_sq", param.shape(), m.shape())?;
            tensors.push((m, "max_exp_avg_sq"));
        }
        self.check_amsgrad(state.max_exp_avg_sq.is_some())?;
        check_gpu(ctx, what, &tensors)?;
        let o = &self.options;
        let s = self.scalars(state.step + 1);
        let numel = param.numel();
        ctx.scoped(|| {
            let (limits, chunk) = chunk(ctx, numel, what)?;
            let mut launch = Launch::new(ctx, encoder, "Adam step", None);
            for start in (0..numel).step_by(chunk.max(1)) {
                let count = chunk.min(numel - start);
                fn window<'a>(
                    t: &'a GpuTensor,
                    start: usize,
                    count: usize,
                    l: &Limits,
                ) -> Window<'a> {
                    Window::new(t.buffer(), start, count, l)
                }
                let win = |t| window(t, start, count, &limits);
                let p = win(param);
                let params = Params {
                    count: count as u32,
                    offset: p.offset,
                    maximize: o.maximize as u32,
                    weight_decay_mode: self.weight_decay_mode(),
                    zero: 0,
                    weight_decay: s.weight_decay,
                    decay_factor: s.decay_factor,
                    lerp_weight: s.lerp_weight,
                    beta2: s.beta2,
                    one_minus_beta2: s.one_minus_beta2,
                    bias_correction2_sqrt: s.bias_correction2_sqrt,
                    eps: s.eps,
                    neg_step_size: s.neg_step_size,
                    ..Default::default()
                };
                let mut resources = vec![
                    (1, p.resource),
                    (2, win(grad).resource),
                    (3, win(&state.exp_avg).resource),
                    (4, win(&state.exp_avg_sq).resource),
                ];
                let kernel = match &state.max_exp_avg_sq {
                    Some(m) => {
                        resources.push((5, win(m).resource));
                        &ADAM_AMSGRAD
                    }
                    None => &ADAM,
                };
                launch.dispatch(
                    kernel,
                    &params,
                    &resources,
                    Workgroups::Linear((count as u64).div_ceil(WORKGROUP as u64)),
                )?;
            }
            Ok(())
        })?;
        state.step += 1;
        Ok(())
    }

    /// [`Adam::encode_step`] on a new encoder of `ctx`, submitted (not waited for).
    pub fn step_gpu(
        &self,
        ctx: &GpuContext,
        state: &mut GpuAdamState,
        param: &GpuTensor,
        grad: &GpuTensor,
    ) -> Result<()> {
        let mut encoder = ctx.encoder("Adam step");
        self.encode_step(ctx, &mut encoder, state, param, grad)?;
        ctx.scoped(|| {
            ctx.queue().submit([encoder.finish()]);
            Ok(())
        })
    }
}

/// Python's `not 0.0 <= x`.
fn negative_or_nan(x: f64) -> bool {
    x.is_nan() || x < 0.0
}

/// `torch.maximum`: NaN when either is NaN.
fn maximum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.max(b)
    }
}
