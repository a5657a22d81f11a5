//! Loss functions: `nn.MSELoss`, forward and backward, on the GPU and on the CPU.
//!
//! - `launch.rs`: the GPU launch (`shaders/loss/mse.wgsl`): a fixed-order blocked sum without
//!   atomics (per-workgroup partial sums, then passes summing them in order), so the GPU loss is
//!   bitwise the same on every run, and the elementwise gradient;
//! - this file: the op, its checks and the CPU reference (the sum in `f64`).

mod launch;

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor, check_output};
use crate::tensor::Tensor;

/// How a loss reduces its elementwise terms, as PyTorch's `reduction` argument.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// `'mean'` (PyTorch's default): the sum divided by the element count (NaN for no elements).
    #[default]
    Mean,
    /// `'sum'`: the sum (0 for no elements).
    Sum,
}

/// `nn.MSELoss(reduction)`: `loss = Σ (pred − target)²`, divided by the element count for
/// [`Reduction::Mean`]. `pred` and `target` must have exactly one shape: PyTorch only warns and
/// broadcasts when they differ, this refuses with [`Error::InvalidShape`].
///
/// The elementwise terms are PyTorch's (`(pred − target)²` in `f32`, so NaN and infinities
/// propagate as in PyTorch: `inf − inf` gives a NaN loss); the sum differs from PyTorch's only
/// in rounding: the CPU reference adds in `f64`, the GPU in `f32` in a fixed blocked order
/// (bitwise repeatable, within about 1e-6 relative of the `f64` sum; one exception: a mean
/// whose sum passes `f32::MAX` is `inf` for PyTorch and the GPU, which sum in `f32`, but finite
/// on the CPU when the mean itself fits). The gradient is PyTorch's
/// `norm · (pred − target) · grad_loss` with `norm = 2/N` (mean) or `2` (sum), in that order.
///
/// ```
/// use wgpu_upsample::{MseLoss, Reduction, Tensor};
/// let pred = Tensor::new(&[2], vec![1.0, 3.0]).unwrap();
/// let target = Tensor::new(&[2], vec![0.0, 1.0]).unwrap();
/// assert_eq!(MseLoss::default().forward_cpu(&pred, &target).unwrap(), 2.5);
/// assert_eq!(MseLoss::new(Reduction::Sum).forward_cpu(&pred, &target).unwrap(), 5.0);
/// let grad = MseLoss::default().backward_cpu(&pred, &target, 1.0).unwrap();
/// assert_eq!(grad.data(), &[1.0, 2.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MseLoss {
    /// `'mean'` or `'sum'`.
    pub reduction: Reduction,
}

/// Checks that `pred` and `target` have one shape.
fn check_shapes(pred: &[usize], target: &[usize]) -> Result<()> {
    if pred != target {
        return Err(Error::shape(format!(
            "MSELoss: target has shape {target:?}, but the input has shape {pred:?}; they must \
             match (PyTorch would broadcast with a warning, which is refused here)"
        )));
    }
    Ok(())
}

impl MseLoss {
    /// `nn.MSELoss(reduction=...)`.
    pub fn new(reduction: Reduction) -> Self {
        MseLoss { reduction }
    }

    /// `2/N` for a mean over `numel` elements (computed in `f64`, then rounded, as PyTorch), `2`
    /// for a sum.
    fn norm(&self, numel: usize) -> f32 {
        match self.reduction {
            Reduction::Mean => (2.0 / numel as f64) as f32,
            Reduction::Sum => 2.0,
        }
    }

    /// The loss on the CPU (the reference): the `f32` terms `(pred − target)²` added in `f64`,
    /// divided by the count for a mean, rounded to `f32`.
    pub fn forward_cpu(&self, pred: &Tensor, target: &Tensor) -> Result<f32> {
        check_shapes(pred.shape(), target.shape())?;
        let sum: f64 = pred
            .data()
            .iter()
            .zip(target.data())
            .map(|(&p, &t)| {
                let d = p - t;
                (d * d) as f64
            })
            .sum();
        Ok(match self.reduction {
            Reduction::Mean => (sum / pred.numel() as f64) as f32,
            Reduction::Sum => sum as f32,
        })
    }

    /// The gradient of the loss for `pred`, scaled by the loss's gradient `grad_loss` (1 for a
    /// loss that is the end of the graph), on the CPU: `norm · (pred − target) · grad_loss`.
    pub fn backward_cpu(&self, pred: &Tensor, target: &Tensor, grad_loss: f32) -> Result<Tensor> {
        check_shapes(pred.shape(), target.shape())?;
        let norm = self.norm(pred.numel());
        let mut out = crate::tensor::with_capacity(pred.numel())?;
        out.extend(
            pred.data()
                .iter()
                .zip(target.data())
                .map(|(&p, &t)| norm * (p - t) * grad_loss),
        );
        Tensor::new(pred.shape(), out)
    }

    /// Records the loss into a caller's encoder: `loss` (shape `[]` or `[1]`, a buffer other
    /// than the inputs') is **overwritten** with it. Nothing is submitted. Every tensor must
    /// belong to `ctx`; `pred` and `target` must have one shape (they may share a buffer).
    pub fn encode_forward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        pred: &GpuTensor,
        target: &GpuTensor,
        loss: &GpuTensor,
    ) -> Result<()> {
        ctx.check_owner(pred, "pred")?;
        ctx.check_owner(target, "target")?;
        ctx.check_owner(loss, "loss")?;
        check_shapes(pred.shape(), target.shape())?;
        if !matches!(loss.shape(), [] | [1]) {
            return Err(Error::shape(format!(
                "MSELoss: the loss tensor has shape {:?}; it must have shape [] or [1]",
                loss.shape()
            )));
        }
        check_output("MSELoss", pred, loss, loss.shape())?;
        check_output("MSELoss", target, loss, loss.shape())?;
        let (divisor, empty_sum) = match self.reduction {
            Reduction::Mean => (pred.numel() as f32, f32::NAN),
            Reduction::Sum => (1.0, 0.0),
        };
        ctx.scoped(|| launch::encode_forward(ctx, encoder, pred, target, loss, divisor, empty_sum))
    }

    /// The loss on the GPU into a new GPU tensor of shape `[]` (submitted; not waited for).
    pub fn forward_gpu(
        &self,
        ctx: &GpuContext,
        pred: &GpuTensor,
        target: &GpuTensor,
    ) -> Result<GpuTensor> {
        check_shapes(pred.shape(), target.shape())?;
        let loss = ctx.empty(&[])?;
        ctx.submit("MSELoss", |encoder| {
            self.encode_forward(ctx, encoder, pred, target, &loss)
        })?;
        Ok(loss)
    }

    /// Records the gradient into a caller's encoder: `grad_pred` (the shape of `pred`, a buffer
    /// other than the inputs') is **overwritten** with `norm · (pred − target) · grad_loss`.
    /// Nothing is submitted.
    pub fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        pred: &GpuTensor,
        target: &GpuTensor,
        grad_pred: &GpuTensor,
        grad_loss: f32,
    ) -> Result<()> {
        ctx.check_owner(pred, "pred")?;
        ctx.check_owner(target, "target")?;
        ctx.check_owner(grad_pred, "grad_pred")?;
        check_shapes(pred.shape(), target.shape())?;
        check_output("MSELoss backward", pred, grad_pred, pred.shape())?;
        check_output("MSELoss backward", target, grad_pred, pred.shape())?;
        let norm = self.norm(pred.numel());
        ctx.scoped(|| {
            launch::encode_backward(ctx, encoder, pred, target, grad_pred, norm, grad_loss)
        })
    }

    /// The gradient on the GPU into a new GPU tensor (submitted; not waited for).
    pub fn backward_gpu(
        &self,
        ctx: &GpuContext,
        pred: &GpuTensor,
        target: &GpuTensor,
        grad_loss: f32,
    ) -> Result<GpuTensor> {
        check_shapes(pred.shape(), target.shape())?;
        let grad = ctx.empty(pred.shape())?;
        ctx.submit("MSELoss backward", |encoder| {
            self.encode_backward(ctx, encoder, pred, target, &grad, grad_loss)
        })?;
        Ok(grad)
    }

    /// The kernels a GPU forward on inputs of `shape` runs on `ctx`, in order.
    pub fn gpu_kernels(&self, ctx: &GpuContext, shape: &[usize]) -> Result<Vec<&'static str>> {
        launch::forward_kernels(ctx, crate::tensor::checked_numel(shape)?)
    }

    /// Bytes of GPU memory a forward on inputs of `shape` needs on `ctx`: inputs, loss, the
    /// partial sums and the parameter blocks.
    pub fn gpu_memory_bytes(&self, ctx: &GpuContext, shape: &[usize]) -> Result<u64> {
        launch::forward_memory_bytes(ctx, crate::tensor::checked_numel(shape)?)
    }

    /// Bytes of GPU memory a backward on inputs of `shape` needs on `ctx`.
    pub fn backward_gpu_memory_bytes(&self, ctx: &GpuContext, shape: &[usize]) -> Result<u64> {
        launch::backward_memory_bytes(ctx, crate::tensor::checked_numel(shape)?)
    }
}
