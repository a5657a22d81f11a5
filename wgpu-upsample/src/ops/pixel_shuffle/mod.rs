//! `nn.PixelShuffle` and `nn.PixelUnshuffle`, forward and backward, on the GPU and on the CPU,
//! and the ICNR initialisation for the convolution before a pixel shuffle.
//!
//! - `options.rs`: PyTorch's checks and the resolved `Plan`, both directions;
//! - `launch.rs`: the GPU launch (one gather kernel per direction in `shaders/pixel_shuffle/`);
//! - `cpu.rs`: the CPU reference;
//! - `icnr.rs`: [`icnr`], [`icnr_from`], [`icnr_bias`].
//!
//! Both ops only move elements, so GPU and CPU agree bitwise (NaN and infinity included), and the
//! backward of each is the other on `grad_output`.

mod cpu;
mod icnr;
mod launch;
mod options;

pub use icnr::{icnr, icnr_bias, icnr_from};

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::tensor::Tensor;
use options::{Direction, Plan};

/// `nn.PixelShuffle(upscale_factor)`: `(*, C·r², H, W) -> (*, C, H·r, W·r)` with
/// `y[..., c, h·r + i, w·r + j] = x[..., c·r² + i·r + j, h, w]`, any number of leading dimensions
/// (at least 3 dimensions in all). Empty tensors are accepted, as in PyTorch. On the GPU, every
/// element of the output tensor is overwritten; the backward is [`PixelShuffle::backward`].
///
/// Errors as PyTorch's: fewer than 3 dimensions or `C·r²` not divisible by `r²`
/// ([`Error::InvalidShape`]), a factor of 0 or one whose square overflows PyTorch's `int64`
/// ([`Error::InvalidArgument`]).
///
/// ```
/// use wgpu_upsample::{Op, PixelShuffle, Tensor};
/// let ps = PixelShuffle::new(2);
/// let x = Tensor::from_fn(&[1, 4, 1, 1], |i| i as f32).unwrap();
/// let y = ps.forward_cpu(&x).unwrap();
/// assert_eq!(y.shape(), &[1, 1, 2, 2]);
/// assert_eq!(y.data(), &[0.0, 1.0, 2.0, 3.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PixelShuffle {
    /// The factor `r` by which height and width grow.
    pub upscale_factor: usize,
}

/// `nn.PixelUnshuffle(downscale_factor)`, the inverse of [`PixelShuffle`]:
/// `(*, C, H·r, W·r) -> (*, C·r², H, W)` with
/// `y[..., c·r² + i·r + j, h, w] = x[..., c, h·r + i, w·r + j]`.
///
/// Errors as PyTorch's: fewer than 3 dimensions, a height or width not divisible by `r`
/// ([`Error::InvalidShape`]), a factor of 0 ([`Error::InvalidArgument`]). For an empty input the
/// output has the shape above, as on PyTorch's `meta` device (its CPU kernel returns the input's
/// shape then). On the GPU, every element of the output tensor is overwritten; the backward is
/// [`PixelUnshuffle::backward`].
///
/// ```
/// use wgpu_upsample::{Op, PixelUnshuffle, Tensor};
/// let pu = PixelUnshuffle::new(2);
/// let x = Tensor::from_fn(&[1, 1, 2, 2], |i| i as f32).unwrap();
/// assert_eq!(pu.forward_cpu(&x).unwrap().shape(), &[1, 4, 1, 1]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PixelUnshuffle {
    /// The factor `r` by which height and width shrink.
    pub downscale_factor: usize,
}

impl PixelShuffle {
    /// `nn.PixelShuffle(upscale_factor)`. The factor is checked when the op runs, as in PyTorch.
    pub fn new(upscale_factor: usize) -> Self {
        PixelShuffle { upscale_factor }
    }

    /// The op that undoes this one: `PixelUnshuffle` with the same factor.
    pub fn inverse(&self) -> PixelUnshuffle {
        PixelUnshuffle::new(self.upscale_factor)
    }

    fn plan(&self, input_shape: &[usize]) -> Result<Plan> {
        Plan::new(Direction::Shuffle, self.upscale_factor, input_shape)
    }
}

impl PixelUnshuffle {
    /// `nn.PixelUnshuffle(downscale_factor)`. The factor is checked when the op runs, as in
    /// PyTorch.
    pub fn new(downscale_factor: usize) -> Self {
        PixelUnshuffle { downscale_factor }
    }

    /// The op that undoes this one: `PixelShuffle` with the same factor.
    pub fn inverse(&self) -> PixelShuffle {
        PixelShuffle::new(self.downscale_factor)
    }

    fn plan(&self, input_shape: &[usize]) -> Result<Plan> {
        Plan::new(Direction::Unshuffle, self.downscale_factor, input_shape)
    }
}

/// The CPU reference of `plan` on `input`.
fn run_cpu(plan: &Plan, input: &Tensor) -> Result<Tensor> {
    Tensor::new(&plan.output_shape, cpu::forward(plan, input.data())?)
}

/// The kernels a run of `plan` dispatches: none for an empty tensor.
fn kernel_names(plan: &Plan) -> Vec<&'static str> {
    match plan.numel {
        0 => Vec::new(),
        _ => vec![launch::kernel(plan.direction).name()],
    }
}

/// Implements [`Op`] for a type with `fn plan(&self, shape) -> Result<Plan>`: the output is
/// overwritten.
macro_rules! rearrange_op {
    ($ty:ty, $name:literal) => {
        impl Op for $ty {
            fn name(&self) -> String {
                $name.into()
            }

            fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                Ok(self.plan(input_shape)?.output_shape)
            }

            fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
                run_cpu(&self.plan(input.shape())?, input)
            }

            fn record_gpu(
                &self,
                ctx: &GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                input: &GpuTensor,
                output: &GpuTensor,
                timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
            ) -> Result<()> {
                let plan = self.plan(input.shape())?;
                launch::encode(ctx, &plan, encoder, input, output, timestamp_writes)
            }

            fn gpu_kernels(
                &self,
                _: &GpuContext,
                input_shape: &[usize],
            ) -> Result<Vec<&'static str>> {
                Ok(kernel_names(&self.plan(input_shape)?))
            }

            /// Input and output, and one small parameter block per dispatch.
            fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
                Ok(launch::memory_bytes(ctx, &self.plan(input_shape)?))
            }
        }
    };
}

rearrange_op!(PixelShuffle, "PixelShuffle");
rearrange_op!(PixelUnshuffle, "PixelUnshuffle");
rearrange_op!(PixelShuffleBackward, "PixelShuffleBackward");
rearrange_op!(PixelUnshuffleBackward, "PixelUnshuffleBackward");

/// The backward of a [`PixelShuffle`] for one input shape, as an [`Op`] on `grad_output` (the
/// forward's output shape) whose output is `grad_input` (the forward's input shape): a pixel
/// unshuffle of `grad_output`, exactly (the forward is a permutation). Build it with
/// [`PixelShuffle::backward`].
///
/// The result **overwrites** the output tensor; nothing is accumulated (to accumulate into a
/// running gradient as PyTorch's `.grad` does, add the result to it). A `grad_output` of another
/// shape than the forward's output is an [`Error::InvalidShape`].
///
/// ```
/// use wgpu_upsample::{Op, PixelShuffle, Tensor};
/// let ps = PixelShuffle::new(2);
/// let back = ps.backward(&[1, 4, 1, 1]).unwrap();
/// let g = Tensor::from_fn(&[1, 1, 2, 2], |i| i as f32).unwrap();
/// let grad_input = back.forward_cpu(&g).unwrap();
/// assert_eq!(grad_input.shape(), &[1, 4, 1, 1]);
/// assert_eq!(grad_input.data(), &[0.0, 1.0, 2.0, 3.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelShuffleBackward {
    forward: PixelShuffle,
    /// The forward's plan (the backward runs its inverse).
    plan: Plan,
}

/// The backward of a [`PixelUnshuffle`] for one input shape, as an [`Op`] on `grad_output` whose
/// output is `grad_input`: a pixel shuffle of `grad_output`. Build it with
/// [`PixelUnshuffle::backward`]. As [`PixelShuffleBackward`], it **overwrites** its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelUnshuffleBackward {
    forward: PixelUnshuffle,
    plan: Plan,
}

/// The backward's plan (the inverse of the forward's `plan`) for a `grad_output` of the
/// forward's output shape.
fn backward_plan(name: &str, plan: &Plan, grad_output_shape: &[usize]) -> Result<Plan> {
    if grad_output_shape != plan.output_shape.as_slice() {
        return Err(Error::shape(format!(
            "grad_output has shape {grad_output_shape:?}, but the {name} of an input of shape \
             {:?} has output shape {:?}",
            plan.input_shape, plan.output_shape
        )));
    }
    Ok(plan.inverse())
}

/// The backward types' helpers on their forward op, and their own accessors.
macro_rules! backward {
    ($fwd:ident, $bwd:ident, $name:literal) => {
        impl $fwd {
            /// The backward of this op for an input of `input_shape` (checked as the forward
            /// checks it): an [`Op`] mapping `grad_output` to `grad_input`.
            pub fn backward(&self, input_shape: &[usize]) -> Result<$bwd> {
                Ok($bwd {
                    forward: *self,
                    plan: self.plan(input_shape)?,
                })
            }

            /// `grad_input` for an input of `input_shape`, on the CPU (the reference).
            pub fn backward_cpu(
                &self,
                input_shape: &[usize],
                grad_output: &Tensor,
            ) -> Result<Tensor> {
                self.backward(input_shape)?.forward_cpu(grad_output)
            }

            /// `grad_input` for an input of `input_shape` from a `grad_output` on the GPU, into a
            /// new GPU tensor (submitted; not waited for).
            pub fn backward_gpu(
                &self,
                ctx: &GpuContext,
                input_shape: &[usize],
                grad_output: &GpuTensor,
            ) -> Result<GpuTensor> {
                self.backward(input_shape)?.forward_gpu(ctx, grad_output)
            }

            /// Records the backward into a caller's encoder: `grad_input` (the forward's input
            /// shape) is **overwritten** with the gradient for `grad_output`. Nothing is
            /// submitted, so a forward and its backward (and anything else) can go in one
            /// submission.
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

        impl $bwd {
            /// The forward this is the backward of.
            pub fn forward_op(&self) -> $fwd {
                self.forward
            }

            /// The forward's input shape (`grad_input`'s).
            pub fn input_shape(&self) -> &[usize] {
                &self.plan.input_shape
            }

            fn plan(&self, grad_output_shape: &[usize]) -> Result<Plan> {
                backward_plan($name, &self.plan, grad_output_shape)
            }
        }
    };
}

backward!(PixelShuffle, PixelShuffleBackward, "pixel_shuffle");
backward!(PixelUnshuffle, PixelUnshuffleBackward, "pixel_unshuffle");
