//! The parameter-gradient API shared by `Conv` and `ConvTranspose`: results, and the checks of
//! the tensors a trainer passes.

use super::launch::{BiasGrad, encode_param_grads};
use super::plan::{Correlate, channel_sums};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;

/// A layer's parameter gradients on the host: PyTorch's `weight.grad` and `bias.grad`.
#[derive(Debug, Clone)]
pub struct ParamGrads {
    /// The weight's gradient (the weight's shape).
    pub weight: Tensor,
    /// The bias's gradient (`None` for a layer without bias).
    pub bias: Option<Tensor>,
}

impl ParamGrads {
    pub(crate) fn new(
        weight_shape: &[usize],
        weight: Vec<f32>,
        bias: Option<Vec<f32>>,
    ) -> Result<Self> {
        Ok(ParamGrads {
            weight: Tensor::new(weight_shape, weight)?,
            bias: bias.map(|b| Tensor::new(&[b.len()], b)).transpose()?,
        })
    }
}

/// A layer's parameter gradients on the GPU.
#[derive(Debug, Clone)]
pub struct GpuParamGrads {
    /// The weight's gradient (the weight's shape).
    pub weight: GpuTensor,
    /// The bias's gradient (`None` for a layer without bias).
    pub bias: Option<GpuTensor>,
}

impl GpuParamGrads {
    /// Uninitialised tensors of the gradients' shapes on `ctx`.
    pub(crate) fn empty(
        ctx: &GpuContext,
        weight_shape: &[usize],
        bias: Option<usize>,
    ) -> Result<Self> {
        Ok(GpuParamGrads {
            weight: ctx.empty(weight_shape)?,
            bias: bias.map(|c| ctx.empty(&[c])).transpose()?,
        })
    }
}

/// A layer's weight and bias on one GPU context, as the tensors its kernels read: what an
/// optimizer updates in place (see `parameters_gpu` and `encode_weights_changed` of
/// [`Conv`](crate::Conv) and [`ConvTranspose`](crate::ConvTranspose)).
#[derive(Debug, Clone)]
pub struct GpuParams {
    /// The weight (the layer's weight shape).
    pub weight: GpuTensor,
    /// The bias (`None` for a layer without bias).
    pub bias: Option<GpuTensor>,
}

impl GpuParams {
    /// Views of the uploaded `weight` and `bias` buffers.
    pub(crate) fn of(
        ctx: &GpuContext,
        weight: &wgpu::Buffer,
        weight_shape: &[usize],
        bias: Option<(&wgpu::Buffer, usize)>,
    ) -> Result<Self> {
        Ok(GpuParams {
            weight: GpuTensor::from_buffer(ctx, weight.clone(), weight_shape)?,
            bias: bias
                .map(|(b, c)| GpuTensor::from_buffer(ctx, b.clone(), &[c]))
                .transpose()?,
        })
    }
}

/// grad_output must have the forward's output shape.
pub(crate) fn check_grad_output(name: &str, expected: &[usize], got: &[usize]) -> Result<()> {
    if got != expected {
        return Err(Error::shape(format!(
            "{name}: grad_output of shape {got:?} does not match the forward's output shape \
             {expected:?}"
        )));
    }
    Ok(())
}

/// A layer's parameter gradients for one input shape: what they are computed from (the weight
/// correlation, `S` the input or grad_output), and what they write, to check the caller's
/// tensors against. Shared by `Conv` and `ConvTranspose`.
pub(crate) struct GradPlan {
    pub name: String,
    pub weight_shape: Vec<usize>,
    /// The bias's length, for a layer with bias.
    pub bias: Option<usize>,
    pub output_shape: Vec<usize>,
    pub correlate: Correlate,
    /// `S` of the correlation is the input (ConvTranspose), else grad_output (Conv).
    pub input_is_s: bool,
    /// grad_output's batch and spatial sizes.
    pub n: usize,
    pub l_out: [usize; 3],
}

impl GradPlan {
    /// The CPU references.
    pub fn cpu(&self, input: &Tensor, grad_output: &Tensor) -> Result<ParamGrads> {
        check_grad_output(&self.name, &self.output_shape, grad_output.shape())?;
        let (s, l) = self.order(input.data(), grad_output.data());
        let weight = self.correlate.cpu(s, l)?;
        let plane = self.l_out.iter().product();
        let bias = self
            .bias
            .map(|c| channel_sums(grad_output.data(), self.n, c, plane))
            .transpose()?;
        ParamGrads::new(&self.weight_shape, weight, bias)
    }

    /// Checks the tensors, then records both gradients in one compute pass.
    #[allow(clippy::too_many_arguments)] // the gradient's tensors
    pub fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        grad_output: &GpuTensor,
        grad_weight: &GpuTensor,
        grad_bias: Option<&GpuTensor>,
        accumulate: bool,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        self.check(ctx, input, grad_output, grad_weight, grad_bias)?;
        let bias = grad_bias.zip(self.bias).map(|(grad, channels)| BiasGrad {
            y: grad_output,
            channels,
            l: self.l_out,
            grad,
        });
        let (s, l) = self.order(input, grad_output);
        ctx.scoped(|| {
            encode_param_grads(
                ctx,
                encoder,
                &self.correlate,
                s,
                l,
                grad_weight,
                bias,
                accumulate,
                timestamp_writes,
            )
        })
    }

    /// [`GradPlan::encode`] into new tensors, submitted.
    pub fn gpu(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        grad_output: &GpuTensor,
    ) -> Result<GpuParamGrads> {
        let grads = GpuParamGrads::empty(ctx, &self.weight_shape, self.bias)?;
        ctx.submit(&self.name, |encoder| {
            self.encode(
                ctx,
                encoder,
                input,
                grad_output,
                &grads.weight,
                grads.bias.as_ref(),
                false,
                None,
            )
        })?;
        Ok(grads)
    }

    fn order<T>(&self, input: T, grad_output: T) -> (T, T) {
        if self.input_is_s {
            (input, grad_output)
        } else {
            (grad_output, input)
        }
    }
}

impl GradPlan {
    /// Every tensor on `ctx`, of its shape, the written ones in buffers of their own.
    fn check(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        grad_output: &GpuTensor,
        grad_weight: &GpuTensor,
        grad_bias: Option<&GpuTensor>,
    ) -> Result<()> {
        ctx.check_owner(input, "input")?;
        ctx.check_owner(grad_output, "grad_output")?;
        ctx.check_owner(grad_weight, "grad_weight")?;
        check_grad_output(&self.name, &self.output_shape, grad_output.shape())?;
        if grad_weight.shape() != self.weight_shape {
            return Err(Error::shape(format!(
                "{}: grad_weight has shape {:?}, the weight has shape {:?}",
                self.name,
                grad_weight.shape(),
                self.weight_shape
            )));
        }
        match (self.bias, grad_bias) {
            (Some(c), Some(gb)) => {
                ctx.check_owner(gb, "grad_bias")?;
                if gb.shape() != [c] {
                    return Err(Error::shape(format!(
                        "{}: grad_bias has shape {:?}, the bias has shape [{c}]",
                        self.name,
                        gb.shape()
                    )));
                }
            }
            (Some(_), None) => {
                return Err(Error::arg(format!(
                    "{}: the layer has a bias but no grad_bias tensor was given",
                    self.name
                )));
            }
            (None, Some(_)) => {
                return Err(Error::arg(format!(
                    "{}: a grad_bias tensor was given for a layer without bias",
                    self.name
                )));
            }
            (None, None) => {}
        }
        let read = [input.buffer(), grad_output.buffer()];
        let mut written = vec![grad_weight.buffer()];
        written.extend(grad_bias.map(GpuTensor::buffer));
        for (i, w) in written.iter().enumerate() {
            if read.contains(w) || written[..i].contains(w) {
                return Err(Error::arg(format!(
                    "{}: grad_weight and grad_bias must be buffers of their own (not the input's, \
                     grad_output's or each other's)",
                    self.name
                )));
            }
        }
        Ok(())
    }
}
