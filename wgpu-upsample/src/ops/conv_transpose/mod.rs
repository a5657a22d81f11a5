//! `nn.ConvTranspose1d/2d/3d`: every argument, on the GPU and on the CPU.
//!
//! - `options.rs`: the hyper-parameters with PyTorch's names, its checks, the resolved geometry,
//!   and the kernel choice ([`ConvTransposeKernel`], `Auto` resolved in one place);
//! - `taps.rs`: which taps reach which output along one axis, shared by every path;
//! - `phases.rs`: the phase decomposition and the weights re-packed per phase (GEMM paths);
//! - `weights.rs`: PyTorch's default initialisation, safetensors loading;
//! - `launch.rs`: the GPU launch (kernels in `shaders/conv_transpose/`);
//! - `cpu.rs`: the CPU paths (gather reference, im2col + SGEMM).

mod backward;
pub(crate) mod cpu;
pub(crate) mod launch;
mod options;
pub(crate) mod phases;
mod taps;
pub(crate) mod weights;

#[cfg(feature = "safetensors")]
use std::path::Path;
use std::sync::Arc;

use crate::gpu::context::OpState;

pub use backward::ConvTransposeBackward;
pub use options::{ConvTransposeKernel, ConvTransposeOptions, PaddingMode};

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::ops::gemm::GemmCore;
use crate::tensor::Tensor;
pub(crate) use options::{Geometry, Layer, per_axis};

/// A transposed convolution layer (`nn.ConvTranspose1d/2d/3d`) with its weights.
///
/// Weights live on the host (as given, and re-packed per output phase for the GEMM kernel when the
/// layer is created) and, after the first GPU forward on a [`GpuContext`], also on its device
/// (the re-packed copy only once the GEMM kernel runs there); later calls reuse them. The
/// context keeps them: they go when the context's last clone goes, or when the layer goes (an
/// encoded but not yet submitted command keeps what it uses alive until the GPU is done).
///
/// ```
/// use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Tensor};
/// let opts = ConvTransposeOptions::new(2, 3, 3, [3]).stride([2]).padding([1]).output_padding([1]);
/// let layer = ConvTranspose::new(opts, 0).unwrap(); // PyTorch's default init, seeded
/// let x = Tensor::zeros(&[1, 3, 8, 8]).unwrap();
/// let y = layer.forward_cpu(&x).unwrap();
/// assert_eq!(y.shape(), &[1, 3, 16, 16]);
/// ```
pub struct ConvTranspose {
    options: ConvTransposeOptions,
    layer: Layer,
    weight: Tensor,
    bias: Option<Tensor>,
    kernel: ConvTransposeKernel,
    /// Whether every weight is finite (else the direct kernel runs: see
    /// [`ConvTransposeKernel::resolve`]).
    finite_weight: bool,
    /// The weights re-packed per output phase for the GEMM kernel (done once, here).
    packed: phases::PackedWeights,
    /// Its weights on the contexts it ran on.
    state: OpState,
    /// Its weight re-packed for the backward's GEMM (grad_input), on the contexts it ran on.
    gemm_state: OpState,
}

/// Clones share nothing on the GPU: a clone uploads its weights on its first GPU forward.
impl Clone for ConvTranspose {
    fn clone(&self) -> Self {
        Self {
            options: self.options.clone(),
            layer: self.layer,
            weight: self.weight.clone(),
            bias: self.bias.clone(),
            kernel: self.kernel,
            finite_weight: self.finite_weight,
            packed: self.packed.clone(),
            state: OpState::new(),
            gemm_state: OpState::new(),
        }
    }
}

impl std::fmt::Debug for ConvTranspose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConvTranspose")
            .field("options", &self.options)
            .field("kernel", &self.kernel)
            .finish_non_exhaustive()
    }
}

impl ConvTranspose {
    /// A layer with PyTorch's default initialisation (weight and bias uniform in ±1/sqrt(fan_in),
    /// fan_in = out_channels/groups · prod(kernel_size)), drawn from an RNG seeded with `seed`.
    pub fn new(options: ConvTransposeOptions, seed: u64) -> Result<Self> {
        let (weight, bias) = weights::default_init(&options, seed)?;
        Self::from_weights(options, weight, bias)
    }

    /// A layer with the given weight `(in_channels, out_channels/groups, *kernel_size)` and bias
    /// `(out_channels)` (required exactly when `options.bias`).
    pub fn from_weights(
        options: ConvTransposeOptions,
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
        weights::check_given(
            &described,
            &expected,
            &weight,
            bias.as_ref(),
            options.out_channels,
            options.bias,
            true,
        )?;
        let packed = phases::PackedWeights::new(&layer, &weight)?;
        let finite_weight = weight.data().iter().all(|w| w.is_finite());
        Ok(Self {
            options,
            layer,
            weight,
            bias,
            kernel: ConvTransposeKernel::Auto,
            finite_weight,
            packed,
            state: OpState::new(),
            gemm_state: OpState::new(),
        })
    }

    #[cfg(feature = "safetensors")]
    /// Loads `{prefix}weight` and `{prefix}bias` from a safetensors file written by PyTorch
    /// (`safetensors.torch.save_file(module.state_dict(), path)`); `prefix` is e.g. `""` or
    /// `"decoder.up1."`. Shapes are checked against `options`. float32, float64, float16 and
    /// bfloat16 tensors are read (widened or narrowed to f32, as `module.float()` does).
    pub fn from_safetensors(
        options: ConvTransposeOptions,
        path: impl AsRef<Path>,
        prefix: &str,
    ) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Weights(format!("cannot read {}: {e}", path.display())))?;
        Self::from_safetensors_bytes(options, &bytes, prefix)
    }

    #[cfg(feature = "safetensors")]
    /// [`ConvTranspose::from_safetensors`] from bytes in memory.
    pub fn from_safetensors_bytes(
        options: ConvTransposeOptions,
        bytes: &[u8],
        prefix: &str,
    ) -> Result<Self> {
        let (weight, bias) = weights::from_safetensors(bytes, prefix, options.bias)?;
        Self::from_weights(options, weight, bias)
    }

    /// Forces a kernel (default: [`ConvTransposeKernel::Auto`]), on the GPU and on the CPU.
    pub fn with_kernel(mut self, kernel: ConvTransposeKernel) -> Self {
        self.kernel = kernel;
        self
    }

    /// The kernel a GPU forward runs on `ctx` ([`ConvTransposeKernel::Auto`] resolved for the
    /// GEMM core `ctx` runs, [`GemmCore::of`]).
    pub fn kernel(&self, ctx: &GpuContext) -> ConvTransposeKernel {
        let (cig, cog) = self.layer.per_group();
        let core = Some(GemmCore::of(ctx));
        self.kernel.resolve(cig, cog, core, self.finite_weight)
    }

    /// The path a CPU forward runs ([`ConvTransposeKernel::Auto`] resolved).
    pub fn cpu_kernel(&self) -> ConvTransposeKernel {
        let (cig, cog) = self.layer.per_group();
        self.kernel.resolve(cig, cog, None, self.finite_weight)
    }

    /// The hyper-parameters.
    pub fn options(&self) -> &ConvTransposeOptions {
        &self.options
    }

    /// The weight, `(in_channels, out_channels/groups, *kernel_size)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, `(out_channels)`, if the layer has one.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    /// The layer applied with PyTorch's `forward(output_size=...)` (`None`: the layer itself):
    /// `output_size` holds the spatial sizes (optionally with N and C in front), each within the
    /// range PyTorch allows
    /// (`min` to `min + stride - 1`); it replaces the layer's `output_padding`.
    ///
    /// ```
    /// use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Tensor};
    /// let opts = ConvTransposeOptions::new(2, 1, 1, [3]).stride([2]).padding([1]);
    /// let layer = ConvTranspose::new(opts, 0).unwrap();
    /// let x = Tensor::zeros(&[1, 1, 4, 4]).unwrap();
    /// assert_eq!(layer.forward_cpu(&x).unwrap().shape(), &[1, 1, 7, 7]);
    /// let sized = layer.with_output_size(Some(&[8, 7]));
    /// assert_eq!(sized.forward_cpu(&x).unwrap().shape(), &[1, 1, 8, 7]);
    /// ```
    pub fn with_output_size(&self, output_size: Option<&[usize]>) -> ConvTransposeSized<'_> {
        ConvTransposeSized {
            layer: self,
            output_size: output_size.map(<[usize]>::to_vec),
        }
    }

    fn plain(&self) -> ConvTransposeSized<'_> {
        ConvTransposeSized {
            layer: self,
            output_size: None,
        }
    }

    /// The weights on `ctx`'s device, uploaded on first use (kept by the context).
    pub(crate) fn gpu_weights(&self, ctx: &GpuContext) -> Result<Arc<launch::GpuWeights>> {
        self.state.get(ctx, || {
            launch::GpuWeights::new(ctx, &self.weight, self.bias.as_ref(), &self.packed)
        })
    }

    /// How many times this layer has uploaded its weights to a GPU: once per [`GpuContext`] (and
    /// its clones) it has run on; the weights then stay there for later calls.
    pub fn weight_uploads(&self) -> usize {
        self.state.made()
    }
}

/// A [`ConvTranspose`] applied with PyTorch's `output_size` (see
/// [`ConvTranspose::with_output_size`]).
#[derive(Debug, Clone)]
pub struct ConvTransposeSized<'a> {
    layer: &'a ConvTranspose,
    output_size: Option<Vec<usize>>,
}

impl Op for ConvTransposeSized<'_> {
    fn name(&self) -> String {
        self.layer.options.layer_name()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(self.geometry(input_shape)?.output_shape())
    }

    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        let l = self.layer;
        let geo = self.geometry(input.shape())?;
        let bias = l.bias.as_ref().map(Tensor::data);
        let y = match l.cpu_kernel() {
            ConvTransposeKernel::Direct => cpu::forward(&geo, input.data(), l.weight.data(), bias),
            _ => cpu::forward_gemm(&geo, input.data(), &l.packed, l.weight.data(), bias),
        };
        Tensor::new(&geo.output_shape(), y?)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let geo = self.geometry(input.shape())?;
        let weights = self.layer.gpu_weights(ctx)?;
        let kind = self.layer.kernel(ctx);
        launch::encode(
            ctx,
            &geo,
            &weights,
            kind,
            encoder,
            input,
            output,
            timestamp_writes,
        )
    }

    fn gpu_kernels(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        let cog = self.geometry(input_shape)?.layer.per_group().1;
        Ok(vec![
            launch::kernel(ctx, self.layer.kernel(ctx), cog).name(),
        ])
    }

    /// Input, output, weights (as given, and re-packed per phase when the GEMM kernel runs),
    /// bias and tables. Uploads the weights to `ctx`'s device if they are not there yet.
    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let geo = self.geometry(input_shape)?;
        let io = (geo.n * (geo.in_image() + geo.out_image())) as u64 * 4;
        let kind = self.layer.kernel(ctx);
        Ok(io + self.layer.gpu_weights(ctx)?.bytes(kind))
    }

    fn parameter_count(&self) -> usize {
        let l = self.layer;
        l.weight.numel() + l.bias.as_ref().map_or(0, Tensor::numel)
    }

    /// 2 × the multiply-adds that reach an output (zero taps excluded).
    fn flops(&self, input_shape: &[usize]) -> Result<Option<u64>> {
        let geo = self.geometry(input_shape)?;
        let l = &geo.layer;
        let taps: u64 = (0..3)
            .map(|a| {
                let axis = taps::AxisTaps::new(l.k[a], l.s[a], l.p[a], l.d[a]);
                (0..geo.l_out[a])
                    .map(|o| axis.taps(o, geo.l_in[a]).count() as u64)
                    .sum::<u64>()
            })
            .product();
        let (cig, _) = l.per_group();
        Ok(Some(2 * geo.n as u64 * l.c_out as u64 * cig as u64 * taps))
    }
}

impl ConvTransposeSized<'_> {
    fn geometry(&self, input_shape: &[usize]) -> Result<Geometry> {
        self.layer
            .layer
            .geometry(input_shape, self.output_size.as_deref())
    }
}

/// The layer without `output_size` (its own `output_padding`): forwards to
/// [`ConvTransposeSized`].
impl Op for ConvTranspose {
    fn name(&self) -> String {
        self.options.layer_name()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        self.plain().output_shape(input_shape)
    }

    /// Per output phase an im2col and an SGEMM (`matrixmultiply`) writing into the phase's
    /// output positions, in bands of rows on all cores, or, with
    /// [`ConvTransposeKernel::Direct`], the plain gather reference (a thread per (n, c_out)
    /// plane).
    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        self.plain().forward_cpu(input)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        self.plain()
            .record_gpu(ctx, encoder, input, output, timestamp_writes)
    }

    fn gpu_kernels(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        self.plain().gpu_kernels(ctx, input_shape)
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        self.plain().gpu_memory_bytes(ctx, input_shape)
    }

    fn parameter_count(&self) -> usize {
        self.plain().parameter_count()
    }

    fn flops(&self, input_shape: &[usize]) -> Result<Option<u64>> {
        self.plain().flops(input_shape)
    }
}
