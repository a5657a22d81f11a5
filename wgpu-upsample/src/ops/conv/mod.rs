//! `nn.Conv1d/2d/3d`, forward and backward, on the GPU and on the CPU; and the computations the
//! gradients of both convolutions are made of.
//!
//! - `options.rs`: the hyper-parameters with PyTorch's names (padding `"same"` / `"valid"`
//!   included), its checks, the resolved geometry;
//! - `plan.rs`: the ordinary convolution (`Gather`: Conv's forward and ConvTranspose's
//!   grad_input) and the weight gradient (`Correlate`: both layers'), with their CPU references;
//! - `launch.rs`: their GPU launches (`shaders/conv/`);
//! - `grads.rs`: the parameter-gradient API both layers share ([`ParamGrads`]).
//!
//! Conv's grad_input is a transposed convolution of grad_output with the same weight: it runs
//! `ConvTranspose`'s kernels (`ops/conv_transpose`), and `ConvTranspose`'s grad_input runs this
//! module's gather kernels, direct or GEMM (`ops/conv_transpose/backward.rs`). Every choice
//! between a direct kernel and a GEMM is [`ConvTransposeKernel::select`]'s, for the GEMM core the
//! context runs ([`GemmCore`]).

#[cfg(test)]
mod fd_tests;
pub(crate) mod grads;
pub(crate) mod launch;
mod options;
pub(crate) mod plan;

#[cfg(feature = "safetensors")]
use std::path::Path;
use std::sync::Arc;

pub use grads::{GpuParamGrads, GpuParams, ParamGrads};
pub use options::{ConvOptions, ConvPadding};

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::{Error, Result};
use crate::gpu::context::OpState;
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::ops::conv_transpose::{self, ConvTransposeKernel};
use crate::ops::gemm::GemmCore;
use crate::tensor::Tensor;
use options::{ConvGeometry, ConvLayer};

/// A convolution layer (`nn.Conv1d/2d/3d`) with its weights, padding `zeros` (PyTorch's
/// default; `"same"` and `"valid"` included).
///
/// Weights live on the host and, after the first GPU call on a [`GpuContext`], on its device too
/// (kept by the context, as [`ConvTranspose`](crate::ConvTranspose)'s).
///
/// ```
/// use wgpu_upsample::{Conv, ConvOptions, ConvPadding, Op, Tensor};
/// let conv = Conv::new(ConvOptions::new(2, 3, 8, [3]).padding(ConvPadding::Same), 0).unwrap();
/// let x = Tensor::zeros(&[1, 3, 16, 16]).unwrap();
/// assert_eq!(conv.forward_cpu(&x).unwrap().shape(), &[1, 8, 16, 16]);
/// // Backward: grad_input is an op on grad_output; the parameter gradients come apart.
/// let gy = Tensor::from_fn(&[1, 8, 16, 16], |i| (i % 7) as f32).unwrap();
/// let gx = conv.backward(x.shape()).unwrap().forward_cpu(&gy).unwrap();
/// assert_eq!(gx.shape(), x.shape());
/// let grads = conv.grad_params_cpu(&x, &gy).unwrap();
/// assert_eq!(grads.weight.shape(), &[8, 3, 3, 3]);
/// ```
pub struct Conv {
    options: ConvOptions,
    layer: ConvLayer,
    weight: Tensor,
    bias: Option<Tensor>,
    finite_weight: bool,
    /// The weight re-packed for the transposed convolution of the backward's GEMM path.
    packed: conv_transpose::phases::PackedWeights,
    state: OpState,
}

/// Clones share nothing on the GPU.
impl Clone for Conv {
    fn clone(&self) -> Self {
        Self {
            options: self.options.clone(),
            layer: self.layer,
            weight: self.weight.clone(),
            bias: self.bias.clone(),
            finite_weight: self.finite_weight,
            packed: self.packed.clone(),
            state: OpState::new(),
        }
    }
}

impl std::fmt::Debug for Conv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conv")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Conv {
    /// A layer with PyTorch's default initialisation (weight and bias uniform in ±1/sqrt(fan_in),
    /// fan_in = in_channels/groups · prod(kernel_size)), drawn from an RNG seeded with `seed`.
    pub fn new(options: ConvOptions, seed: u64) -> Result<Self> {
        let shape = options.weight_shape()?;
        let (weight, bias) = conv_transpose::weights::uniform_init(
            &shape,
            options.out_channels,
            options.bias,
            seed,
        )?;
        Self::from_weights(options, weight, bias)
    }

    /// A layer with the given weight `(out_channels, in_channels/groups, *kernel_size)` and bias
    /// `(out_channels)` (required exactly when `options.bias`).
    pub fn from_weights(
        options: ConvOptions,
        weight: Tensor,
        bias: Option<Tensor>,
    ) -> Result<Self> {
        let layer = options.layer()?;
        let expected = layer.weight_shape();
        let described = format!(
            "{}(in_channels={}, out_channels={}, kernel_size={:?}, groups={})",
            options.layer_name(),
            options.in_channels,
            options.out_channels,
            options.kernel_size,
            options.groups
        );
        conv_transpose::weights::check_given(
            &described,
            &expected,
            &weight,
            bias.as_ref(),
            options.out_channels,
            options.bias,
            false,
        )?;
        let packed = conv_transpose::phases::PackedWeights::new(&layer.transposed(), &weight)?;
        let finite_weight = weight.data().iter().all(|w| w.is_finite());
        Ok(Self {
            options,
            layer,
            weight,
            bias,
            finite_weight,
            packed,
            state: OpState::new(),
        })
    }

    #[cfg(feature = "safetensors")]
    /// Loads `{prefix}weight` and `{prefix}bias` from a safetensors file written by PyTorch
    /// (`safetensors.torch.save_file(module.state_dict(), path)`); shapes are checked against
    /// `options`.
    pub fn from_safetensors(
        options: ConvOptions,
        path: impl AsRef<Path>,
        prefix: &str,
    ) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Weights(format!("cannot read {}: {e}", path.display())))?;
        Self::from_safetensors_bytes(options, &bytes, prefix)
    }

    #[cfg(feature = "safetensors")]
    /// [`Conv::from_safetensors`] from bytes in memory.
    pub fn from_safetensors_bytes(
        options: ConvOptions,
        bytes: &[u8],
        prefix: &str,
    ) -> Result<Self> {
        let (weight, bias) =
            conv_transpose::weights::from_safetensors(bytes, prefix, options.bias)?;
        Self::from_weights(options, weight, bias)
    }

    /// The hyper-parameters.
    pub fn options(&self) -> &ConvOptions {
        &self.options
    }

    /// The weight, `(out_channels, in_channels/groups, *kernel_size)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, `(out_channels)`, if the layer has one.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    /// How many times this layer has uploaded its weights to a GPU (once per context).
    pub fn weight_uploads(&self) -> usize {
        self.state.made()
    }

    fn gpu_weights(&self, ctx: &GpuContext) -> Result<Arc<conv_transpose::launch::GpuWeights>> {
        Ok(self.gpu_state(ctx)?.weights.clone())
    }

    fn gpu_state(&self, ctx: &GpuContext) -> Result<Arc<GpuState>> {
        self.state.get(ctx, || {
            let weights = conv_transpose::launch::GpuWeights::new(
                ctx,
                &self.weight,
                self.bias.as_ref(),
                &self.packed,
            )?;
            Ok(GpuState {
                weights: Arc::new(weights),
                gemm: Default::default(),
            })
        })
    }

    /// The layer's weight and bias on `ctx` as GPU tensors: the buffers its kernels read
    /// (uploaded on first use). A trainer updates them in place (an optimizer step on the GPU),
    /// then records [`Conv::encode_weights_changed`] before the next forward or backward. The
    /// host copy ([`Conv::weight`]) and the kernel choice (made from the weights given) stay as
    /// they were.
    pub fn parameters_gpu(&self, ctx: &GpuContext) -> Result<GpuParams> {
        let w = self.gpu_weights(ctx)?;
        // Every re-packed copy a kernel of this layer will read, made now from the weights as
        // given, so that encode_weights_changed keeps them all up to date.
        if self.kernel(ctx) == ConvTransposeKernel::Gemm {
            self.gemm_weights(ctx, &self.layer_gather())?;
        }
        let (cig, cog) = self.layer.per_group();
        let core = Some(GemmCore::of(ctx));
        if ConvTransposeKernel::Auto.resolve(cog, cig, core, self.finite_weight)
            == ConvTransposeKernel::Gemm
        {
            w.packed(ctx)?;
        }
        let bias = self.layer.bias.then(|| (w.bias(), self.layer.c_out));
        GpuParams::of(ctx, w.weight(), self.weight.shape(), bias)
    }

    /// The forward's gather for no input in particular (what its GEMM packing depends on).
    fn layer_gather(&self) -> plan::Gather {
        let l = &self.layer;
        plan::Gather {
            n: 0,
            c_in: l.c_in,
            c_out: l.c_out,
            groups: l.groups,
            k: l.k,
            s: l.s,
            p: l.p_lo,
            d: l.d,
            l_in: [1; 3],
            l_out: [1; 3],
        }
    }

    /// Records, on the caller's encoder, the re-packing of the weight copies the GEMM kernels
    /// read on `ctx` from the GPU weight (after it was updated in place; see
    /// [`Conv::parameters_gpu`]).
    pub fn encode_weights_changed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
    ) -> Result<()> {
        let Some(state) = self.state.existing::<GpuState>(ctx) else {
            return Ok(()); // never uploaded: nothing to re-pack
        };
        let gemm = state.gemm.lock().unwrap_or_else(|p| p.into_inner()).clone();
        ctx.scoped(|| {
            let mut launch = crate::gpu::launch::Launch::new(ctx, encoder, "re-pack weights", None);
            state.weights.encode_repack(ctx, &mut launch)?;
            if let Some(g) = gemm {
                g.encode_repack(ctx, &mut launch, state.weights.weight())?;
            }
            Ok(())
        })
    }

    /// The weight re-packed for the forward's GEMM on `ctx`, uploaded on first use.
    fn gemm_weights(&self, ctx: &GpuContext, g: &plan::Gather) -> Result<Arc<launch::GemmWeights>> {
        let state = self.gpu_state(ctx)?;
        let mut gemm = state.gemm.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = gemm.as_ref() {
            return Ok(g.clone());
        }
        let packing = plan::GatherPacking::new(g, self.weight.data())?;
        let made = Arc::new(launch::GemmWeights::new(ctx, g, &packing)?);
        *gemm = Some(made.clone());
        Ok(made)
    }

    /// The forward's kernel on `ctx`: the implicit GEMM ([`ConvTransposeKernel::select`]'s rule
    /// on the channels per group for the GEMM core `ctx` runs; every weight finite) or the
    /// direct gather.
    pub fn kernel(&self, ctx: &GpuContext) -> ConvTransposeKernel {
        let (cig, cog) = self.layer.per_group();
        let core = Some(GemmCore::of(ctx));
        ConvTransposeKernel::Auto.resolve(cig, cog, core, self.finite_weight)
    }

    /// The backward pass for an input of `input_shape`: an op on grad_output (the forward's
    /// output shape) whose output is grad_input (PyTorch's `input.grad` of one backward, not
    /// accumulated: a GPU output tensor is overwritten). The parameter gradients come from
    /// [`Conv::grad_params_cpu`] / [`Conv::encode_grad_params`].
    pub fn backward(&self, input_shape: &[usize]) -> Result<ConvBackward<'_>> {
        let geo = self.layer.geometry(input_shape)?;
        Ok(ConvBackward { layer: self, geo })
    }

    fn grad_plan(&self, input_shape: &[usize]) -> Result<grads::GradPlan> {
        let geo = self.layer.geometry(input_shape)?;
        Ok(grads::GradPlan {
            name: self.name(),
            weight_shape: self.layer.weight_shape(),
            bias: self.layer.bias.then_some(self.layer.c_out),
            output_shape: geo.output_shape(),
            correlate: geo.correlate(),
            input_is_s: false,
            n: geo.n,
            l_out: geo.l_out,
        })
    }

    /// The weight and bias gradients of the loss whose gradient at the output is `grad_output`,
    /// for the forward of `input` (PyTorch's `weight.grad`, `bias.grad` after one backward).
    pub fn grad_params_cpu(&self, input: &Tensor, grad_output: &Tensor) -> Result<ParamGrads> {
        self.grad_plan(input.shape())?.cpu(input, grad_output)
    }

    /// Records the weight and bias gradients into `grad_weight` (the weight's shape) and
    /// `grad_bias` (`(out_channels)`; `None` for a layer without bias), on the caller's
    /// encoder: overwritten, or, with `accumulate`, added to (PyTorch's `.grad` accumulation over
    /// backward calls). A fixed reduction order: bitwise the same on every run.
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

    /// [`Conv::encode_grad_params`] with timestamp writes at the ends of its one compute pass
    /// (to measure the kernel time; needs `TIMESTAMP_QUERY`).
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

    /// [`Conv::encode_grad_params`] into new GPU tensors (submitted; not waited for).
    pub fn grad_params_gpu(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        grad_output: &GpuTensor,
    ) -> Result<GpuParamGrads> {
        self.grad_plan(input.shape())?.gpu(ctx, input, grad_output)
    }
}

impl Op for Conv {
    fn name(&self) -> String {
        self.options.layer_name()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(self.layer.geometry(input_shape)?.output_shape())
    }

    /// The gather reference: a thread per (n, c_out) plane.
    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        let geo = self.layer.geometry(input.shape())?;
        let bias = self.bias.as_ref().map(Tensor::data);
        let y = geo.gather().cpu(input.data(), self.weight.data(), bias)?;
        Tensor::new(&geo.output_shape(), y)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let geo = self.layer.geometry(input.shape())?;
        let w = self.gpu_weights(ctx)?;
        let bias = self.layer.bias.then(|| w.bias());
        if self.kernel(ctx) == ConvTransposeKernel::Gemm {
            let gemm = self.gemm_weights(ctx, &geo.gather())?;
            return launch::encode_gather_gemm(
                ctx,
                &geo.gather(),
                &gemm,
                w.weight(),
                bias,
                encoder,
                input,
                output,
                timestamp_writes,
            );
        }
        launch::encode_gather(
            ctx,
            &geo.gather(),
            w.weight(),
            self.finite_weight,
            bias,
            encoder,
            input,
            output,
            timestamp_writes,
        )
    }

    fn gpu_kernels(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        let geo = self.layer.geometry(input_shape)?;
        Ok(vec![match self.kernel(ctx) {
            ConvTransposeKernel::Gemm => launch::gather_gemm_kernel_name(ctx, &geo.gather()),
            _ => launch::DIRECT.name(),
        }])
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let geo = self.layer.geometry(input_shape)?;
        let g = geo.gather();
        let io = (g.n * (g.in_image() + g.out_image())) as u64 * 4;
        let gemm = match self.kernel(ctx) {
            ConvTransposeKernel::Gemm => self.gemm_weights(ctx, &geo.gather())?.bytes(),
            _ => 0,
        };
        Ok(io + self.gpu_weights(ctx)?.bytes(ConvTransposeKernel::Direct) + gemm)
    }

    fn parameter_count(&self) -> usize {
        self.weight.numel() + self.bias.as_ref().map_or(0, Tensor::numel)
    }

    /// 2 × the multiply-adds that read inside the input (padding taps excluded).
    fn flops(&self, input_shape: &[usize]) -> Result<Option<u64>> {
        Ok(Some(2 * self.layer.geometry(input_shape)?.gather().macs()))
    }
}

/// A [`Conv`]'s backward for one input shape (see [`Conv::backward`]): an op from grad_output to
/// grad_input, a transposed convolution with the layer's weight.
#[derive(Debug, Clone)]
pub struct ConvBackward<'a> {
    layer: &'a Conv,
    geo: ConvGeometry,
}

impl ConvBackward<'_> {
    /// The kernel the grad_input runs on `ctx` (the transposed convolution's choice for the GEMM
    /// core `ctx` runs).
    pub fn kernel(&self, ctx: &GpuContext) -> ConvTransposeKernel {
        let (cig, cog) = self.geo.layer.per_group();
        let core = Some(GemmCore::of(ctx));
        ConvTransposeKernel::Auto.resolve(cog, cig, core, self.layer.finite_weight)
    }

    fn cpu_kernel(&self) -> ConvTransposeKernel {
        let (cig, cog) = self.geo.layer.per_group();
        ConvTransposeKernel::Auto.resolve(cog, cig, None, self.layer.finite_weight)
    }

    fn check(&self, grad_output: &[usize]) -> Result<()> {
        grads::check_grad_output(&self.name(), &self.geo.output_shape(), grad_output)
    }
}

impl Op for ConvBackward<'_> {
    fn name(&self) -> String {
        format!("{}Backward", self.layer.name())
    }

    fn output_shape(&self, grad_output_shape: &[usize]) -> Result<Vec<usize>> {
        self.check(grad_output_shape)?;
        Ok(self.geo.input_shape())
    }

    fn forward_cpu(&self, grad_output: &Tensor) -> Result<Tensor> {
        self.check(grad_output.shape())?;
        let t = self.geo.transposed();
        let w = self.layer.weight.data();
        let gx = match self.cpu_kernel() {
            ConvTransposeKernel::Direct => {
                conv_transpose::cpu::forward(&t, grad_output.data(), w, None)?
            }
            _ => conv_transpose::cpu::forward_gemm(
                &t,
                grad_output.data(),
                &self.layer.packed,
                w,
                None,
            )?,
        };
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
        conv_transpose::launch::encode(
            ctx,
            &self.geo.transposed(),
            &w,
            self.kernel(ctx),
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
        Ok(vec![
            conv_transpose::launch::kernel(self.kernel(ctx)).name(),
        ])
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, grad_output_shape: &[usize]) -> Result<u64> {
        self.check(grad_output_shape)?;
        let g = self.geo.gather();
        let io = (g.n * (g.in_image() + g.out_image())) as u64 * 4;
        Ok(io + self.layer.gpu_weights(ctx)?.bytes(self.kernel(ctx)))
    }

    fn flops(&self, grad_output_shape: &[usize]) -> Result<Option<u64>> {
        self.check(grad_output_shape)?;
        Ok(Some(2 * self.geo.gather().macs()))
    }
}

/// A layer's weights on one device: as given (direct kernel, and the backward's transposed
/// convolution), and re-packed for the forward's GEMM once it runs.
struct GpuState {
    weights: Arc<conv_transpose::launch::GpuWeights>,
    gemm: std::sync::Mutex<Option<Arc<launch::GemmWeights>>>,
}
