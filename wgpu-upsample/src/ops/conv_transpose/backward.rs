//! ConvTranspose's backward: grad_input is the ordinary convolution of grad_output with the same
//! weight (`ops/conv`'s [`Gather`], its direct kernel or GEMM), the weight gradient the
//! correlation of the input with grad_output ([`Correlate`], `S = x`, `L = grad_y`), the bias
//! gradient the channel sums of grad_output.

use super::options::Geometry;
use super::{ConvTranspose, ConvTransposeKernel, ConvTransposeSized};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::ops::conv::plan::{self, Correlate, Gather};
use crate::ops::conv::{GpuParamGrads, GpuParams, ParamGrads, grads, launch};
use crate::ops::gemm::GemmCore;
use crate::tensor::Tensor;

impl Geometry {
    pub fn input_shape(&self) -> Vec<usize> {
        let mut s = if self.batched {
            vec![self.n, self.layer.c_in]
        } else {
            vec![self.layer.c_in]
        };
        s.extend_from_slice(&self.l_in[3 - self.layer.dims..]);
        s
    }

    /// grad_input: the convolution of grad_output (`c_out` channels of `l_out`) with the weight
    /// read as `(c_in, c_out/g, k…)`; output_padding only lengthened grad_output, whose tail the
    /// convolution does not read.
    pub fn gather(&self) -> Gather {
        let l = &self.layer;
        Gather {
            n: self.n,
            c_in: l.c_out,
            c_out: l.c_in,
            groups: l.groups,
            k: l.k,
            s: l.s,
            p: l.p,
            d: l.d,
            l_in: self.l_out,
            l_out: self.l_in,
        }
    }

    /// The weight gradient: `S = input`, `L = grad_output`.
    pub fn correlate(&self) -> Correlate {
        let l = &self.layer;
        Correlate {
            n: self.n,
            a: l.c_in,
            b: l.c_out,
            groups: l.groups,
            k: l.k,
            s: l.s,
            p: l.p,
            d: l.d,
            l_s: self.l_in,
            l_l: self.l_out,
        }
    }
}

/// A [`ConvTranspose`]'s backward for one input shape (see [`ConvTranspose::backward`]): an op
/// from grad_output to grad_input.
#[derive(Debug, Clone)]
pub struct ConvTransposeBackward<'a> {
    layer: &'a ConvTranspose,
    geo: Geometry,
}

impl ConvTransposeBackward<'_> {
    /// The kernel grad_input runs on `ctx`: the convolution's implicit GEMM
    /// ([`ConvTransposeKernel::select`]'s rule for the GEMM core `ctx` runs, with the channel
    /// roles swapped; every weight finite) or its direct kernel.
    pub fn kernel(&self, ctx: &GpuContext) -> ConvTransposeKernel {
        let (cig, cog) = self.geo.layer.per_group();
        let core = Some(GemmCore::of(ctx));
        ConvTransposeKernel::Auto.resolve(cog, cig, core, self.layer.finite_weight)
    }

    fn gemm_weights(&self, ctx: &GpuContext) -> Result<std::sync::Arc<launch::GemmWeights>> {
        let g = self.geo.gather();
        let packing = || plan::GatherPacking::new(&g, self.layer.weight.data());
        self.layer
            .gemm_state
            .get(ctx, || launch::GemmWeights::new(ctx, &g, &packing()?))
    }

    fn check(&self, grad_output: &[usize]) -> Result<()> {
        grads::check_grad_output(&self.name(), &self.geo.output_shape(), grad_output)
    }
}

impl Op for ConvTransposeBackward<'_> {
    fn name(&self) -> String {
        format!("{}Backward", self.layer.options.layer_name())
    }

    fn output_shape(&self, grad_output_shape: &[usize]) -> Result<Vec<usize>> {
        self.check(grad_output_shape)?;
        Ok(self.geo.input_shape())
    }

    fn forward_cpu(&self, grad_output: &Tensor) -> Result<Tensor> {
        self.check(grad_output.shape())?;
        let gx = self
            .geo
            .gather()
            .cpu(grad_output.data(), self.layer.weight.data(), None)?;
        Tensor::new(&self.geo.input_shape(), gx)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        self.check(input.shape())?;
        let w = self.layer.gpu_weights(ctx)?;
        if self.kernel(ctx) == ConvTransposeKernel::Gemm {
            return launch::encode_gather_gemm(
                ctx,
                &self.geo.gather(),
                &*self.gemm_weights(ctx)?,
                w.weight(),
                None,
                encoder,
                input,
                output,
                timestamp_writes,
            );
        }
        launch::encode_gather(
            ctx,
            &self.geo.gather(),
            w.weight(),
            self.layer.finite_weight,
            None,
            encoder,
            input,
            output,
            timestamp_writes,
        )
    }

    fn gpu_kernels(
        &self,
        ctx: &GpuContext,
        grad_output_shape: &[usize],
    ) -> Result<Vec<&'static str>> {
        self.check(grad_output_shape)?;
        Ok(vec![match self.kernel(ctx) {
            ConvTransposeKernel::Gemm => launch::gather_gemm_kernel_name(ctx, &self.geo.gather()),
            _ => launch::DIRECT.name(),
        }])
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, grad_output_shape: &[usize]) -> Result<u64> {
        self.check(grad_output_shape)?;
        let g = self.geo.gather();
        let io = (g.n * (g.in_image() + g.out_image())) as u64 * 4;
        let w = self.layer.gpu_weights(ctx)?;
        let gemm = match self.kernel(ctx) {
            ConvTransposeKernel::Gemm => self.gemm_weights(ctx)?.bytes(),
            _ => 0,
        };
        Ok(io + w.bytes(ConvTransposeKernel::Direct) + gemm)
    }

    fn flops(&self, grad_output_shape: &[usize]) -> Result<Option<u64>> {
        self.check(grad_output_shape)?;
        Ok(Some(2 * self.geo.gather().macs()))
    }
}

impl<'a> ConvTransposeSized<'a> {
    /// The backward pass for an input of `input_shape` (with this `output_size`): an op on
    /// grad_output whose output is grad_input (overwritten, not accumulated).
    pub fn backward(&self, input_shape: &[usize]) -> Result<ConvTransposeBackward<'a>> {
        Ok(ConvTransposeBackward {
            layer: self.layer,
            geo: self.geometry(input_shape)?,
        })
    }

    fn grad_plan(&self, input_shape: &[usize]) -> Result<grads::GradPlan> {
        let geo = self.geometry(input_shape)?;
        let l = &geo.layer;
        Ok(grads::GradPlan {
            name: self.name(),
            weight_shape: l.weight_shape(),
            bias: l.bias.then_some(l.c_out),
            output_shape: geo.output_shape(),
            correlate: geo.correlate(),
            input_is_s: true,
            n: geo.n,
            l_out: geo.l_out,
        })
    }

    /// The weight and bias gradients for the forward of `input` and the loss's gradient
    /// `grad_output` at its output (PyTorch's `weight.grad`, `bias.grad` after one backward).
    pub fn grad_params_cpu(&self, input: &Tensor, grad_output: &Tensor) -> Result<ParamGrads> {
        self.grad_plan(input.shape())?.cpu(input, grad_output)
    }

    /// Records the weight and bias gradients into `grad_weight` and `grad_bias` (`None` for a
    /// layer without bias) on the caller's encoder: overwritten, or, with `accumulate`, added to
    /// (PyTorch's `.grad` accumulation). A fixed reduction order: bitwise the same on every run.
    #[allow(clippy::too_many_arguments)] // the gradient's tensors
    pub fn encode_grad_params(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        grad_output: &GpuTensor,
        grad_weight: &GpuTensor,
        grad_bias: Option<&GpuTensor>,
        accumulate: bool,
    ) -> Result<()> {
        self.encode_grad_params_timed(
            ctx,
            encoder,
            input,
            grad_output,
            grad_weight,
            grad_bias,
            accumulate,
            None,
        )
    }

    /// [`ConvTransposeSized::encode_grad_params`] with timestamp writes at the ends of its one
    /// compute pass (to measure the kernel time; needs `TIMESTAMP_QUERY`).
    #[allow(clippy::too_many_arguments)] // the gradient's tensors
    pub fn encode_grad_params_timed(
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
        self.grad_plan(input.shape())?.encode(
            ctx,
            encoder,
            input,
            grad_output,
            grad_weight,
            grad_bias,
            accumulate,
            timestamp_writes,
        )
    }

    /// [`ConvTransposeSized::encode_grad_params`] into new GPU tensors (submitted; not waited
    /// for).
    pub fn grad_params_gpu(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        grad_output: &GpuTensor,
    ) -> Result<GpuParamGrads> {
        self.grad_plan(input.shape())?.gpu(ctx, input, grad_output)
    }
}

impl ConvTranspose {
    /// The layer's weight and bias on `ctx` as GPU tensors: the buffers its kernels read
    /// (uploaded on first use). A trainer updates them in place (an optimizer step on the GPU),
    /// then records [`ConvTranspose::encode_weights_changed`] before the next forward or
    /// backward. The host copy ([`ConvTranspose::weight`]) and the kernel choice (made from the
    /// weights given) stay as they were.
    pub fn parameters_gpu(&self, ctx: &GpuContext) -> Result<GpuParams> {
        let w = self.gpu_weights(ctx)?;
        let l = &self.layer;
        // Every re-packed copy a kernel of this layer will read, made now from the weights as
        // given, so that encode_weights_changed keeps them all up to date.
        if self.kernel(ctx) == ConvTransposeKernel::Gemm {
            w.packed(ctx)?;
        }
        let (cig, cog) = l.per_group();
        let core = Some(GemmCore::of(ctx));
        if ConvTransposeKernel::Auto.resolve(cog, cig, core, self.finite_weight)
            == ConvTransposeKernel::Gemm
        {
            let g = Gather {
                n: 0,
                c_in: l.c_out,
                c_out: l.c_in,
                groups: l.groups,
                k: l.k,
                s: l.s,
                p: l.p,
                d: l.d,
                l_in: [1; 3],
                l_out: [1; 3],
            };
            let weight = self.weight.data();
            self.gemm_state.get(ctx, || {
                launch::GemmWeights::new(ctx, &g, &plan::GatherPacking::new(&g, weight)?)
            })?;
        }
        let bias = l.bias.then(|| (w.bias(), l.c_out));
        GpuParams::of(ctx, w.weight(), self.weight.shape(), bias)
    }

    /// Records, on the caller's encoder, the re-packing of the weight copies the GEMM kernels
    /// read on `ctx` (the forward's per phase, the backward's) from the GPU weight (after it was
    /// updated in place; see [`ConvTranspose::parameters_gpu`]).
    pub fn encode_weights_changed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
    ) -> Result<()> {
        let weights = self.state.existing::<super::launch::GpuWeights>(ctx);
        let Some(weights) = weights else {
            return Ok(()); // never uploaded: nothing to re-pack
        };
        let gemm = self.gemm_state.existing::<launch::GemmWeights>(ctx);
        ctx.scoped(|| {
            let mut launch = crate::gpu::launch::Launch::new(ctx, encoder, "re-pack weights", None);
            weights.encode_repack(ctx, &mut launch)?;
            if let Some(g) = gemm {
                g.encode_repack(ctx, &mut launch, weights.weight())?;
            }
            Ok(())
        })
    }

    /// The backward pass for an input of `input_shape`: an op on grad_output (the forward's
    /// output shape) whose output is grad_input (PyTorch's `input.grad` of one backward; a GPU
    /// output tensor is overwritten). With `forward(output_size=..)`, use
    /// [`ConvTransposeSized::backward`].
    pub fn backward(&self, input_shape: &[usize]) -> Result<ConvTransposeBackward<'_>> {
        self.with_output_size(None).backward(input_shape)
    }

    /// The weight and bias gradients (see [`ConvTransposeSized::grad_params_cpu`]).
    pub fn grad_params_cpu(&self, input: &Tensor, grad_output: &Tensor) -> Result<ParamGrads> {
        self.with_output_size(None)
            .grad_params_cpu(input, grad_output)
    }

    /// Records the weight and bias gradients (see [`ConvTransposeSized::encode_grad_params`]).
    #[allow(clippy::too_many_arguments)] // the gradient's tensors
    pub fn encode_grad_params(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        grad_output: &GpuTensor,
        grad_weight: &GpuTensor,
        grad_bias: Option<&GpuTensor>,
        accumulate: bool,
    ) -> Result<()> {
        self.with_output_size(None).encode_grad_params(
            ctx,
            encoder,
            input,
            grad_output,
            grad_weight,
            grad_bias,
            accumulate,
        )
    }

    /// The weight and bias gradients into new GPU tensors (see
    /// [`ConvTransposeSized::grad_params_gpu`]).
    pub fn grad_params_gpu(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        grad_output: &GpuTensor,
    ) -> Result<GpuParamGrads> {
        self.with_output_size(None)
            .grad_params_gpu(ctx, input, grad_output)
    }
}
