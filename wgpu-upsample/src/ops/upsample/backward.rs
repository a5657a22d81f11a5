//! The backward of an upsample: `grad_input` from `grad_output`, as PyTorch's autograd computes
//! it, as an op of its own ([`UpsampleBackward`]). Every mode is separable, so the backward is one
//! window pass per axis with the forward's taps transposed (`taps.rs`, [`AxisTaps::transpose`]):
//! each element of `grad_input` gathers its own contributions in a fixed order — no atomics,
//! bitwise the same result every time, on every backend. Faster kernels take the shapes they
//! fit, checked on the host against the same transposed taps: the exact ×2 backward
//! (`x2_backward.wgsl`, `plan.rs`; area ×2 too), and the direct and block backwards
//! (`backward_factor.rs`: at most one grad_output term per input and axis, or nearest and area
//! upsampled by an integer factor), the linear backward (`backward_factor.rs`: linear and
//! bilinear upsampled by an integer factor along w), the fractional backward
//! (`backward_fractional.rs`: bilinear and bicubic upsampled by any scale, w and h fused), the
//! antialiased bilinear and bicubic ×½ (`window_x2.rs`: their transposed windows an exact ×2
//! with 2 and 4 slots, w and h fused), and lanczos ×2's (`window_x2_backward.rs`: w and h
//! fused, 12 static taps in the interior).
//!
//! [`AxisTaps::transpose`]: super::taps::AxisTaps::transpose

use super::options::{Plan, Upsample};
use super::{cpu, launch, plan};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::tensor::Tensor;

/// The backward of an [`Upsample`] for one input shape, as an [`Op`] on `grad_output` (the
/// forward's output shape) whose output is `grad_input` (the forward's input shape). Build it with
/// [`Upsample::backward`].
///
/// The result **overwrites** the output tensor; nothing is accumulated. (PyTorch accumulates
/// into a leaf's `.grad` across backward calls; to do that here, add the result to your running
/// gradient.) A `grad_output` of another shape than the forward's output is an
/// [`Error::InvalidShape`].
///
/// ```
/// use wgpu_upsample::{Op, Tensor, Upsample, UpsampleMode};
/// let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
/// let back = up.backward(&[1, 1, 2, 2]).unwrap();
/// // The gradient of the sum of the output: each input's total weight (4 at ×2).
/// let g = Tensor::from_fn(&[1, 1, 4, 4], |_| 1.0).unwrap();
/// let grad_input = back.forward_cpu(&g).unwrap();
/// assert_eq!(grad_input.data(), &[4.0; 4]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UpsampleBackward {
    forward: Upsample,
    plan: Plan,
    input_shape: Vec<usize>,
}

impl Upsample {
    /// The backward of this upsample for an input of `input_shape` (checked as the forward
    /// checks it): an [`Op`] mapping `grad_output` to `grad_input`.
    pub fn backward(&self, input_shape: &[usize]) -> Result<UpsampleBackward> {
        Ok(UpsampleBackward {
            forward: self.clone(),
            plan: self.plan(input_shape)?,
            input_shape: input_shape.to_vec(),
        })
    }

    /// `grad_input` for an input of `input_shape`, on the CPU (the reference).
    pub fn backward_cpu(&self, input_shape: &[usize], grad_output: &Tensor) -> Result<Tensor> {
        self.backward(input_shape)?.forward_cpu(grad_output)
    }

    /// `grad_input` for an input of `input_shape` from a `grad_output` on the GPU, into a new GPU
    /// tensor (submitted; not waited for).
    pub fn backward_gpu(
        &self,
        ctx: &GpuContext,
        input_shape: &[usize],
        grad_output: &GpuTensor,
    ) -> Result<GpuTensor> {
        self.backward(input_shape)?.forward_gpu(ctx, grad_output)
    }

    /// Records the backward into a caller's encoder: `grad_input` (the forward's input shape) is
    /// overwritten with the gradient for `grad_output`. Nothing is submitted, so a forward and
    /// its backward (and anything else) can go in one submission.
    pub fn encode_backward_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        grad_output: &GpuTensor,
        grad_input: &GpuTensor,
    ) -> Result<()> {
        self.backward(grad_input.shape())?
            .encode_gpu(ctx, encoder, grad_output, grad_input)
    }
}

impl UpsampleBackward {
    /// The forward this is the backward of.
    pub fn upsample(&self) -> &Upsample {
        &self.forward
    }

    /// The forward's input shape (`grad_input`'s).
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    fn check(&self, grad_output_shape: &[usize]) -> Result<()> {
        if grad_output_shape != self.plan.output_shape.as_slice() {
            return Err(Error::shape(format!(
                "grad_output has shape {grad_output_shape:?}, but the upsample of an input of \
                 shape {:?} has output shape {:?}",
                self.input_shape, self.plan.output_shape
            )));
        }
        Ok(())
    }
}

impl Op for UpsampleBackward {
    fn name(&self) -> String {
        "UpsampleBackward".into()
    }

    /// The forward's input shape, for a `grad_output` of the forward's output shape.
    fn output_shape(&self, grad_output_shape: &[usize]) -> Result<Vec<usize>> {
        self.check(grad_output_shape)?;
        Ok(self.input_shape.clone())
    }

    fn forward_cpu(&self, grad_output: &Tensor) -> Result<Tensor> {
        self.check(grad_output.shape())?;
        Tensor::new(
            &self.input_shape,
            cpu::backward(&self.plan, grad_output.data())?,
        )
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        grad_output: &GpuTensor,
        grad_input: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        let g = plan::backward_plan(&self.plan, max_dim);
        let planes = launch::Planes::backward(&self.plan);
        launch::encode(
            ctx,
            planes,
            &g,
            encoder,
            grad_output,
            grad_input,
            timestamp_writes,
        )
    }

    /// The kernels depend on `ctx`'s limits: the ×2 kernels need one plane's grid within
    /// `max_compute_workgroups_per_dimension`.
    fn gpu_kernels(
        &self,
        ctx: &GpuContext,
        grad_output_shape: &[usize],
    ) -> Result<Vec<&'static str>> {
        self.check(grad_output_shape)?;
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        Ok(plan::backward_plan(&self.plan, max_dim).kernel_names())
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, grad_output_shape: &[usize]) -> Result<u64> {
        self.check(grad_output_shape)?;
        let p = &self.plan;
        let io = (p.planes * (p.input_plane() + p.output_plane())) as u64 * 4;
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        let g = plan::backward_plan(p, max_dim);
        Ok(io + g.scratch_bytes(p.planes, launch::PARAMS_BYTES))
    }
}
