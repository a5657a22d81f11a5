//! `torch.optim.SGD`: options, the CPU reference and the GPU step (`shaders/optim/sgd.wgsl`).

use super::{WORKGROUP, check_cpu, check_gpu, check_grad, check_state, chunk, py_float};
use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Window, Workgroups};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::{Tensor, copied};

const SHADER: Shader = Shader {
    name: "optim/sgd.wgsl",
    constants: &[("WG", WORKGROUP)],
    parts: &[
        include_str!("../../../shaders/optim/exact.wgsl"),
        include_str!("../../../shaders/optim/sgd.wgsl"),
    ],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/optim/sgd.wgsl`.
    struct Params as "Params" {
        count: u32,
        offset: u32,
        maximize: u32,
        has_weight_decay: u32,
        nesterov: u32,
        first: u32,
        zero: u32,
        _pad1: u32,
        weight_decay: f32,
        momentum: f32,
        one_minus_dampening: f32,
        neg_lr: f32,
    }
}

static SGD: Kernel = Kernel {
    shader: &SHADER,
    entry: "sgd",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::ReadWrite), (2, Slot::Read)],
};

static SGD_MOMENTUM: Kernel = Kernel {
    shader: &SHADER,
    entry: "sgd_momentum",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::ReadWrite), (2, Slot::Read), (3, Slot::ReadWrite)],
};

#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&SGD, &SGD_MOMENTUM]
}

/// The options of `torch.optim.SGD` (PyTorch's defaults, with `lr = 1e-3`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdOptions {
    /// Learning rate, `>= 0`.
    pub lr: f64,
    /// Momentum factor, `>= 0` (0: no momentum buffer).
    pub momentum: f64,
    /// Dampening for momentum.
    pub dampening: f64,
    /// L2 penalty added to the gradient, `>= 0`.
    pub weight_decay: f64,
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    pub nesterov: bool,
    /// Maximise the objective (step along the gradient).
    pub maximize: bool,
}

impl Default for SgdOptions {
    fn default() -> Self {
        SgdOptions {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
        }
    }
}

/// `torch.optim.SGD` for one parameter tensor at a time (PyTorch's `_single_tensor_sgd`):
///
/// ```text
/// g = -grad if maximize else grad
/// if weight_decay != 0: g = g + weight_decay * param
/// if momentum != 0:
///     buf = g (first step)  or  buf = momentum * buf + (1 - dampening) * g
///     g = g + momentum * buf if nesterov else buf
/// param = param - lr * g
/// ```
///
/// ```
/// use wgpu_upsample::{Sgd, SgdOptions, SgdState, Tensor};
/// let sgd = Sgd::new(SgdOptions { lr: 0.5, momentum: 0.9, ..Default::default() }).unwrap();
/// let mut param = Tensor::new(&[2], vec![1.0, 2.0]).unwrap();
/// let grad = Tensor::new(&[2], vec![1.0, -1.0]).unwrap();
/// let mut state = SgdState::default();
/// sgd.step_cpu(&mut state, &mut param, &grad).unwrap();
/// assert_eq!(param.data(), &[0.5, 2.5]);
/// assert_eq!(state.momentum_buffer.unwrap().data(), &[1.0, -1.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    options: SgdOptions,
}

/// The host state of [`Sgd`] for one parameter tensor: the momentum buffer, created by the first
/// step with momentum (a copy of that step's gradient, as PyTorch does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SgdState {
    /// `state["momentum_buffer"]`; `None` before the first step or without momentum.
    pub momentum_buffer: Option<Tensor>,
}

/// The GPU state of [`Sgd`] for one parameter tensor: the momentum buffer, allocated and set to
/// the gradient by the first step with momentum.
#[derive(Debug, Clone, Default)]
pub struct GpuSgdState {
    /// `state["momentum_buffer"]`; `None` before the first step or without momentum.
    pub momentum_buffer: Option<GpuTensor>,
}

/// The f32 scalars of a step, rounded as PyTorch rounds them.
struct Scalars {
    weight_decay: f32,
    momentum: f32,
    one_minus_dampening: f32,
    neg_lr: f32,
}

impl Sgd {
    /// An SGD optimizer, or PyTorch's `ValueError` message for bad options
    /// ([`Error::InvalidArgument`]).
    pub fn new(options: SgdOptions) -> Result<Self> {
        let o = &options;
        // PyTorch's checks, in its order (`lr < 0.0` is false for NaN, as in Python).
        if o.lr < 0.0 {
            return Err(Error::arg(format!(
                "Invalid learning rate: {}",
                py_float(o.lr)
            )));
        }
        if o.momentum < 0.0 {
            return Err(Error::arg(format!(
                "Invalid momentum value: {}",
                py_float(o.momentum)
            )));
        }
        if o.weight_decay < 0.0 {
            return Err(Error::arg(format!(
                "Invalid weight_decay value: {}",
                py_float(o.weight_decay)
            )));
        }
        if o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0) {
            return Err(Error::arg(
                "Nesterov momentum requires a momentum and zero dampening",
            ));
        }
        Ok(Sgd { options })
    }

    /// The options.
    pub fn options(&self) -> &SgdOptions {
        &self.options
    }

    fn scalars(&self) -> Scalars {
        let o = &self.options;
        Scalars {
            weight_decay: o.weight_decay as f32,
            momentum: o.momentum as f32,
            one_minus_dampening: (1.0 - o.dampening) as f32,
            neg_lr: (-o.lr) as f32,
        }
    }

    /// One step on the host: updates `param` (and `state`) in place from `grad` (of `param`'s
    /// shape). The reference for [`Sgd::encode_step`].
    pub fn step_cpu(&self, state: &mut SgdState, param: &mut Tensor, grad: &Tensor) -> Result<()> {
        check_cpu("SGD", param, grad)?;
        let o = &self.options;
        let s = self.scalars();
        if let Some(buf) = &state.momentum_buffer {
            check_state("SGD", "momentum_buffer", param.shape(), buf.shape())?;
        }
        let effective = |x: f32, g: f32| -> f32 {
            let g = if o.maximize { -g } else { g };
            if o.weight_decay != 0.0 {
                x.mul_add(s.weight_decay, g)
            } else {
                g
            }
        };
        if o.momentum == 0.0 {
            for (x, &g) in param.data_mut().iter_mut().zip(grad.data()) {
                *x = effective(*x, g).mul_add(s.neg_lr, *x);
            }
            return Ok(());
        }
        let first = state.momentum_buffer.is_none();
        let mut buf = match state.momentum_buffer.take() {
            Some(b) => b,
            None => Tensor::new(param.shape(), copied(grad.data())?)?,
        };
        for ((x, &g), b) in param
            .data_mut()
            .iter_mut()
            .zip(grad.data())
            .zip(buf.data_mut())
        {
            let g = effective(*x, g);
            *b = if first {
                g
            } else {
                g.mul_add(s.one_minus_dampening, *b * s.momentum)
            };
            let d = if o.nesterov {
                b.mul_add(s.momentum, g)
            } else {
                *b
            };
            *x = d.mul_add(s.neg_lr, *x);
        }
        state.momentum_buffer = Some(buf);
        Ok(())
    }

    /// Records one step on the GPU into `encoder`: updates `param` (and `state`) in place from
    /// `grad` (of `param`'s shape; all of `ctx`, distinct buffers). Allocates the momentum buffer
    /// on the first step with momentum. Nothing is submitted.
    pub fn encode_step(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        state: &mut GpuSgdState,
        param: &GpuTensor,
        grad: &GpuTensor,
    ) -> Result<()> {
        check_grad("SGD", param.shape(), grad.shape())?;
        let o = &self.options;
        let momentum = o.momentum != 0.0;
        let (buf, first) = match (&state.momentum_buffer, momentum) {
            (_, false) => (None, false),
            (Some(b), true) => (Some(b.clone()), false),
            (None, true) => (Some(ctx.empty(param.shape())?), true),
        };
        let mut tensors = vec![(param, "parameter"), (grad, "gradient")];
        if let Some(b) = &buf {
            check_state("SGD", "momentum_buffer", param.shape(), b.shape())?;
            tensors.push((b, "momentum buffer"));
        }
        check_gpu(ctx, "SGD", &tensors)?;
        let s = self.scalars();
        let numel = param.numel();
        ctx.scoped(|| {
            let (limits, chunk) = chunk(ctx, numel, "SGD")?;
            let mut launch = Launch::new(ctx, encoder, "SGD step", None);
            for start in (0..numel).step_by(chunk.max(1)) {
                let count = chunk.min(numel - start);
                let p = Window::new(param.buffer(), start, count, &limits);
                let g = Window::new(grad.buffer(), start, count, &limits);
                let params = Params {
                    count: count as u32,
                    offset: p.offset,
                    maximize: o.maximize as u32,
                    has_weight_decay: (o.weight_decay != 0.0) as u32,
                    nesterov: o.nesterov as u32,
                    first: first as u32,
                    weight_decay: s.weight_decay,
                    momentum: s.momentum,
                    one_minus_dampening: s.one_minus_dampening,
                    neg_lr: s.neg_lr,
                    ..Default::default()
                };
                let groups = Workgroups::Linear((count as u64).div_ceil(WORKGROUP as u64));
                match &buf {
                    None => launch.dispatch(
                        &SGD,
                        &params,
                        &[(1, p.resource), (2, g.resource)],
                        groups,
                    )?,
                    Some(b) => {
                        let b = Window::new(b.buffer(), start, count, &limits);
                        launch.dispatch(
                            &SGD_MOMENTUM,
                            &params,
                            &[(1, p.resource), (2, g.resource), (3, b.resource)],
                            groups,
                        )?
                    }
                }
            }
            Ok(())
        })?;
        if first {
            state.momentum_buffer = buf;
        }
        Ok(())
    }

    /// [`Sgd::encode_step`] on a new encoder of `ctx`, submitted (not waited for).
    pub fn step_gpu(
        &self,
        ctx: &GpuContext,
        state: &mut GpuSgdState,
        param: &GpuTensor,
        grad: &GpuTensor,
    ) -> Result<()> {
        let mut encoder = ctx.encoder("SGD step");
        self.encode_step(ctx, &mut encoder, state, param, grad)?;
        ctx.scoped(|| {
            ctx.queue().submit([encoder.finish()]);
            Ok(())
        })
    }
}
