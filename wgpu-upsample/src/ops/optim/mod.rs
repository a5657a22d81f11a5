//! Optimizers: PyTorch's `torch.optim.SGD`, `Adam` and `AdamW` as GPU kernels with CPU references,
//! each step the single-tensor (`foreach=False`, non-fused, non-capturable) path of PyTorch on
//! float32, operation for operation.
//!
//! An optimizer ([`Sgd`], [`Adam`]) holds its validated options (PyTorch's `ValueError` messages
//! for bad ones). The state of one parameter tensor is a separate value: [`SgdState`] /
//! [`AdamState`] on the host, [`GpuSgdState`] / [`GpuAdamState`] on the GPU. A step updates the
//! parameter and its state in place:
//!
//! - `step_cpu(&state, &mut param, &grad)`: the CPU reference;
//! - `encode_step(ctx, encoder, &mut gpu_state, &param, &grad)`: one kernel dispatch per chunk of
//!   at most one storage binding (one for any tensor that fits a binding) recorded into the
//!   caller's encoder, with the step-dependent scalars computed on the host and passed as a
//!   uniform. Nothing is submitted; the state's step counter advances when the step is recorded;
//! - `step_gpu(ctx, &mut gpu_state, &param, &grad)`: the same, submitted (not waited for).
//!
//! Exactness: the hyperparameters are `f64` (Python floats), and every scalar PyTorch derives in
//! Python (`1 - dampening`, `1 - beta1`, `1 - beta2`, `1 - lr * weight_decay`, `beta**step`,
//! `lr / bias_correction1`, `bias_correction2 ** 0.5`) is computed in `f64` and rounded to `f32`
//! where PyTorch hands it to a float32 kernel. The tensor arithmetic follows PyTorch's vectorised
//! CPU kernels: `add(.., alpha)` and `lerp` are fused multiply-adds, `addcmul` / `addcdiv` are not.
//!
//! ```
//! use wgpu_upsample::{Adam, AdamOptions, Tensor};
//! let adam = Adam::new(AdamOptions { lr: 0.01, ..Default::default() }).unwrap();
//! let mut param = Tensor::from_fn(&[4], |i| i as f32).unwrap();
//! let grad = Tensor::from_fn(&[4], |_| 1.0).unwrap();
//! let mut state = adam.state_cpu(param.shape()).unwrap();
//! adam.step_cpu(&mut state, &mut param, &grad).unwrap();
//! assert_eq!(state.step, 1);
//! assert!((param.data()[1] - 0.99).abs() < 1e-6);
//! ```

mod adam;
mod sgd;

pub use adam::{Adam, AdamOptions, AdamState, GpuAdamState};
pub use sgd::{GpuSgdState, Sgd, SgdOptions, SgdState};

use crate::error::{Error, Result};
use crate::gpu::launch::{Limits, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;

/// Threads per workgroup (`WG` in the shaders), one element each.
const WORKGROUP: u32 = 64;

/// A float as Python's `repr` writes it (`0.1`, `-1.0`, `1e-08`, `inf`, `nan`), for PyTorch's
/// messages.
pub(crate) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Shortest round-trip digits and the decimal exponent, from Rust's `{:e}`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else if exp + 1 >= n {
            format!("{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
        } else {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let es = if exp < 0 { "-" } else { "+" };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Checks the gradient's shape against the parameter's (`what`: the optimizer's name).
fn check_grad(what: &str, param: &[usize], grad: &[usize]) -> Result<()> {
    if param != grad {
        return Err(Error::shape(format!(
            "{what}: the gradient has shape {grad:?}, the parameter shape {param:?}"
        )));
    }
    Ok(())
}

/// Checks a state tensor's shape against the parameter's.
fn check_state(what: &str, name: &str, param: &[usize], state: &[usize]) -> Result<()> {
    if param != state {
        return Err(Error::shape(format!(
            "{what}: the state's {name} has shape {state:?}, the parameter shape {param:?} (a \
             state belongs to one parameter tensor)"
        )));
    }
    Ok(())
}

/// Checks that GPU tensors belong to `ctx` and use distinct buffers (each is read or written by
/// the kernel; one buffer bound twice would be a hazard).
fn check_gpu(ctx: &GpuContext, what: &str, tensors: &[(&GpuTensor, &str)]) -> Result<()> {
    for (i, (t, name)) in tensors.iter().enumerate() {
        ctx.check_owner(t, name)?;
        for (u, other) in &tensors[..i] {
            if t.buffer() == u.buffer() {
                return Err(Error::arg(format!(
                    "{what}: the {other} and the {name} must be different buffers"
                )));
            }
        }
    }
    Ok(())
}

/// A host tensor's data after a shape check of the host step.
fn check_cpu(what: &str, param: &Tensor, grad: &Tensor) -> Result<()> {
    check_grad(what, param.shape(), grad.shape())
}

/// Elements per dispatch for a parameter of `numel` elements, every bound range a window of the
/// chunk: fits one binding, the grid and a `u32`.
fn chunk(ctx: &GpuContext, numel: usize, what: &str) -> Result<(Limits, usize)> {
    let limits = Limits::of(ctx);
    let threads = limits
        .grid_capacity()
        .saturating_mul(WORKGROUP as u64)
        .min(u32::MAX as u64 / 2);
    let chunk = chunk_items(&limits, numel, &[1], &[(1, threads)], || {
        format!("one element of the {what} step")
    })?;
    Ok((limits, chunk))
}

/// The optimizers' kernels.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static crate::gpu::kernel::Kernel> {
    [sgd::kernels(), adam::kernels()].concat()
}

#[cfg(test)]
mod tests {
    use super::py_float;

    #[test]
    fn floats_as_python_writes_them() {
        for (x, s) in [
            (0.1, "0.1"),
            (-0.1, "-0.1"),
            (-1.0, "-1.0"),
            (1.0, "1.0"),
            (-1e-8, "-1e-08"),
            (1e-8, "1e-08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123.5, "123.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (-0.5, "-0.5"),
            (2.5e-7, "2.5e-07"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float(x), s, "{x}");
        }
    }
}
