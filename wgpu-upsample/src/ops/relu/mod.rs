//! `nn.ReLU`, forward and backward, on the GPU and on the CPU.
//!
//! - `launch.rs`: the GPU launch (two kernels in `shaders/relu/relu.wgsl`) and the elementwise
//!   chunking the loss shares;
//! - this file: the op, its backward and the CPU reference.
//!
//! Both directions only select between a value and zero, on the values' bits, so GPU and CPU
//! agree bitwise with PyTorch (NaN, infinities, signed zeros and subnormals included).

pub(crate) mod launch;

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor, check_output};
use crate::op::Op;
use crate::tensor::Tensor;

/// `nn.ReLU()`: `y = max(x, 0)` elementwise, any shape (empty included), exactly as PyTorch:
/// `relu(NaN) = NaN`, `relu(-0.0) = -0.0`, `relu(x) = +0.0` for `x < 0` (so `-inf` too).
///
/// Its backward ([`Relu::backward_cpu`], [`Relu::encode_backward`]) takes the forward's input
/// `x` and `grad_output`: `grad_input = x <= 0 ? 0 : grad_output`, as PyTorch's
/// `threshold_backward`: the gradient at `x = ±0` is 0, at `x = NaN` it is `grad_output`, and a
/// NaN or infinite `grad_output` where `x <= 0` gives 0.
///
/// ```
/// use wgpu_upsample::{Op, Relu, Tensor};
/// let x = Tensor::new(&[4], vec![-1.0, 0.0, 2.0, f32::NAN]).unwrap();
/// let y = Relu.forward_cpu(&x).unwrap();
/// assert_eq!(&y.data()[..3], &[0.0, 0.0, 2.0]);
/// assert!(y.data()[3].is_nan());
/// let g = Tensor::new(&[4], vec![5.0; 4]).unwrap();
/// assert_eq!(Relu::backward_cpu(&x, &g).unwrap().data(), &[0.0, 0.0, 5.0, 5.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Relu;

/// `relu(x)`: `x < 0` (not NaN, not `-0.0`) gives `+0.0`, anything else itself (bit for bit).
fn relu_value(x: f32) -> f32 {
    if x < 0.0 { 0.0 } else { x }
}

/// Whether the gradient at `x` is blocked: `x <= 0` (not NaN).
fn blocked(x: f32) -> bool {
    x <= 0.0
}

/// Checks that `grad_output` has the shape of `x`.
fn check_backward_shapes(x: &[usize], grad_output: &[usize]) -> Result<()> {
    if x != grad_output {
        return Err(Error::shape(format!(
            "ReLU backward: grad_output has shape {grad_output:?}, but the input x has shape \
             {x:?} (they must match)"
        )));
    }
    Ok(())
}

impl Relu {
    /// `nn.ReLU()`.
    pub fn new() -> Self {
        Relu
    }

    /// The gradient of the input for `grad_output`, given the forward's input `x`, on the CPU
    /// (the reference): `x <= 0 ? 0 : grad_output`. Shapes must match
    /// ([`Error::InvalidShape`]).
    pub fn backward_cpu(x: &Tensor, grad_output: &Tensor) -> Result<Tensor> {
        check_backward_shapes(x.shape(), grad_output.shape())?;
        let mut out = crate::tensor::with_capacity(x.numel())?;
        out.extend(
            x.data()
                .iter()
                .zip(grad_output.data())
                .map(|(&x, &g)| if blocked(x) { 0.0 } else { g }),
        );
        Tensor::new(x.shape(), out)
    }

    /// Records the backward into a caller's encoder: `grad_input` (the shape of `x`) is
    /// **overwritten** with `x <= 0 ? 0 : grad_output`. Nothing is submitted. `x` and
    /// `grad_output` must have one shape, every tensor must belong to `ctx`, and `grad_input`
    /// must be a buffer other than those of `x` and `grad_output` (they may share one).
    pub fn encode_backward(
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        grad_output: &GpuTensor,
        grad_input: &GpuTensor,
    ) -> Result<()> {
        ctx.check_owner(x, "x")?;
        ctx.check_owner(grad_output, "grad_output")?;
        ctx.check_owner(grad_input, "grad_input")?;
        check_backward_shapes(x.shape(), grad_output.shape())?;
        check_output("ReLU backward", x, grad_input, x.shape())?;
        check_output("ReLU backward", grad_output, grad_input, x.shape())?;
        ctx.scoped(|| launch::encode(ctx, encoder, x, Some(grad_output), grad_input, None))
    }

    /// The backward on the GPU into a new GPU tensor (submitted; not waited for).
    pub fn backward_gpu(
        ctx: &GpuContext,
        x: &GpuTensor,
        grad_output: &GpuTensor,
    ) -> Result<GpuTensor> {
        check_backward_shapes(x.shape(), grad_output.shape())?;
        let grad_input = ctx.empty(x.shape())?;
        ctx.submit("ReLU backward", |encoder| {
            Self::encode_backward(ctx, encoder, x, grad_output, &grad_input)
        })?;
        Ok(grad_input)
    }

    /// The kernels a backward runs for an input of `input_shape`: none for an empty tensor.
    pub fn backward_gpu_kernels(input_shape: &[usize]) -> Result<Vec<&'static str>> {
        Ok(match crate::tensor::checked_numel(input_shape)? {
            0 => Vec::new(),
            _ => vec![launch::RELU_BACKWARD.name()],
        })
    }
}

impl Op for Relu {
    fn name(&self) -> String {
        "ReLU".into()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        crate::tensor::checked_numel(input_shape)?;
        Ok(input_shape.to_vec())
    }

    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        let mut out = crate::tensor::with_capacity(input.numel())?;
        out.extend(input.data().iter().map(|&x| relu_value(x)));
        Tensor::new(input.shape(), out)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        launch::encode(ctx, encoder, input, None, output, timestamp_writes)
    }

    fn gpu_kernels(&self, _: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        Ok(match crate::tensor::checked_numel(input_shape)? {
            0 => Vec::new(),
            _ => vec![launch::RELU_FORWARD.name()],
        })
    }

    /// Input and output, and one parameter block per dispatch.
    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let numel = crate::tensor::checked_numel(input_shape)?;
        Ok(2 * numel as u64 * 4 + launch::dispatches(ctx, numel) as u64 * launch::PARAMS_BYTES)
    }
}
