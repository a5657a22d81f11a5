//! `nn.ConvTranspose1d/2d/3d`: every argument, on the GPU and on the CPU.
//!
//! - `options.rs`: the hyper-parameters with PyTorch's names, its checks, the resolved geometry;
//! - `taps.rs`: which taps reach which output (phase decomposition), shared by both paths;
//! - `weights.rs`: PyTorch's default initialisation, safetensors loading;
//! - `gpu.rs`: the launch (kernels in `shaders/conv_transpose/`);
//! - `cpu.rs`: the CPU reference.

mod cpu;
mod gpu;
mod options;
mod phases;
mod taps;
mod weights;

use std::path::Path;
use std::sync::{Arc, Mutex};

pub use gpu::ConvTransposeKernel;
pub use options::{ConvTransposeOptions, PaddingMode};

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;
use options::{Geometry, Layer};

/// A transposed convolution layer (`nn.ConvTranspose1d/2d/3d`) with its weights.
///
/// Weights live on the host (as given, and re-packed per output phase for the GEMM kernel when the
/// layer is created) and, after the first GPU forward on a [`GpuContext`], also on its device
/// (the re-packed copy only once the GEMM kernel runs there); later calls reuse them.
///
/// ```
/// use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Tensor};
/// let opts = ConvTransposeOptions::new(2, 3, 3, [3]).stride([2]).padding([1]).output_padding([1]);
/// let layer = ConvTranspose::new(opts, 0).unwrap(); // PyTorch's default init, seeded
/// let x = Tensor::zeros(&[1, 3, 8, 8]).unwrap();
/// let y = layer.forward_cpu(&x, None).unwrap();
/// assert_eq!(y.shape(), &[1, 3, 16, 16]);
/// ```
pub struct ConvTranspose {
    options: ConvTransposeOptions,
    layer: Layer,
    weight: Tensor,
    bias: Option<Tensor>,
    kernel: ConvTransposeKernel,
    /// The weights re-packed per output phase for the GEMM kernel (done once, here).
    packed: phases::PackedWeights,
    /// The weights on each GPU context (by [`GpuContext`] identity) the layer has run on.
    gpu: Mutex<Vec<(u64, Arc<gpu::GpuWeights>)>>,
    /// Weight uploads so far (one per context the layer has run on).
    uploads: std::sync::atomic::AtomicUsize,
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
            packed: self.packed.clone(),
            gpu: Mutex::new(Vec::new()),
            uploads: Default::default(),
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
        if weight.shape() != expected.as_slice() {
            return Err(Error::shape(format!(
                "weight of size {:?} does not fit {}(in_channels={}, out_channels={}, \
                 kernel_size={:?}, groups={}): expected a weight of size {expected:?}",
                weight.shape(),
                options.layer_name(),
                options.in_channels,
                options.out_channels,
                options.kernel_size,
                options.groups
            )));
        }
        match (&bias, options.bias) {
            (Some(b), true) if b.shape() != [options.out_channels] => {
                return Err(Error::shape(format!(
                    "Given transposed=1, weight of size {expected:?}, expected bias to be \
                     1-dimensional with {} elements, but got bias of size {:?} instead",
                    options.out_channels,
                    b.shape()
                )));
            }
            (None, true) => {
                return Err(Error::arg(
                    "the layer has bias=true but no bias tensor was given",
                ));
            }
            (Some(_), false) => {
                return Err(Error::arg(
                    "a bias tensor was given for a layer with bias=false",
                ));
            }
            _ => {}
        }
        let packed = phases::PackedWeights::new(&layer, &weight)?;
        Ok(Self {
            options,
            layer,
            weight,
            bias,
            kernel: ConvTransposeKernel::Auto,
            packed,
            gpu: Mutex::new(Vec::new()),
            uploads: Default::default(),
        })
    }

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

    /// The kernel a GPU forward runs ([`ConvTransposeKernel::Auto`] resolved).
    pub fn kernel(&self) -> ConvTransposeKernel {
        match self.kernel {
            ConvTransposeKernel::Auto => {
                let (cig, cog) = self.layer.per_group();
                ConvTransposeKernel::select(cig, cog)
            }
            k => k,
        }
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

    /// Number of learnable parameters (weight and bias elements).
    pub fn parameter_count(&self) -> usize {
        self.weight.numel() + self.bias.as_ref().map_or(0, Tensor::numel)
    }

    fn geometry(&self, input_shape: &[usize], output_size: Option<&[usize]>) -> Result<Geometry> {
        self.layer.geometry(input_shape, output_size)
    }

    /// The output shape for an input of `input_shape` (batched `(N, C_in, *L)` or unbatched
    /// `(C_in, *L)`), with PyTorch's optional `output_size` (spatial sizes, optionally with N and
    /// C in front), or the error PyTorch would raise.
    pub fn output_shape(
        &self,
        input_shape: &[usize],
        output_size: Option<&[usize]>,
    ) -> Result<Vec<usize>> {
        Ok(self.geometry(input_shape, output_size)?.output_shape())
    }

    /// Multiply-adds × 2 that actually contribute (no zero taps), for an input of `input_shape`.
    pub fn flops(&self, input_shape: &[usize], output_size: Option<&[usize]>) -> Result<u64> {
        let geo = self.geometry(input_shape, output_size)?;
        let l = &geo.layer;
        let taps: u64 = (0..3)
            .map(|a| {
                let axis = taps::AxisTaps::new(l.k[a], l.s[a], l.p[a], l.d[a]);
                (0..geo.l_out[a])
                    .map(|o| axis.taps(o, geo.l_in[a]).count() as u64)
                    .sum::<u64>()
            })
            .product();
        Ok(2 * geo.n as u64 * l.c_out as u64 * (l.c_in / l.groups) as u64 * taps)
    }

    /// Runs the layer on the CPU: per output phase an im2col and an SGEMM (`matrixmultiply`)
    /// writing into the phase's output positions, in bands of rows on all cores, or, with [`ConvTransposeKernel::Direct`], the plain gather reference (one thread per
    /// (n, c_out) plane). On the CPU the SGEMM path was faster at every width measured (3→3,
    /// 16→16, 128→64), so `Auto` uses it.
    pub fn forward_cpu(&self, input: &Tensor, output_size: Option<&[usize]>) -> Result<Tensor> {
        let geo = self.geometry(input.shape(), output_size)?;
        let bias = self.bias.as_ref().map(Tensor::data);
        let y = match self.kernel {
            ConvTransposeKernel::Direct => {
                cpu::forward(&geo, input.data(), self.weight.data(), bias)
            }
            _ => cpu::forward_gemm(&geo, input.data(), &self.packed, bias),
        };
        Tensor::new(&geo.output_shape(), y?)
    }

    /// Runs the layer on the GPU into a new GPU tensor (submitted, not waited for).
    pub fn forward_gpu(
        &self,
        ctx: &GpuContext,
        input: &GpuTensor,
        output_size: Option<&[usize]>,
    ) -> Result<GpuTensor> {
        let output = ctx.empty(&self.output_shape(input.shape(), output_size)?)?;
        ctx.submit("conv_transpose", |encoder| {
            self.encode_gpu(ctx, encoder, input, &output, output_size)
        })?;
        Ok(output)
    }

    /// Records the layer on a caller's command encoder (input and output in GPU tensors; output of
    /// shape [`ConvTranspose::output_shape`]). Nothing is submitted.
    pub fn encode_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        output_size: Option<&[usize]>,
    ) -> Result<()> {
        self.encode_gpu_timed(ctx, encoder, input, output, output_size, None)
    }

    /// [`ConvTranspose::encode_gpu`] with timestamp writes for the compute pass.
    pub fn encode_gpu_timed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        output_size: Option<&[usize]>,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let geo = self.geometry(input.shape(), output_size)?;
        let shape = geo.output_shape();
        crate::gpu::check_output("transposed convolution", input, output, &shape)?;
        let weights = self.gpu_weights(ctx)?;
        ctx.scoped(|| {
            gpu::encode(
                ctx,
                &geo,
                &weights,
                self.kernel,
                encoder,
                input,
                output,
                timestamp_writes,
            )
        })
    }

    /// The weights on `ctx`'s device, uploaded on first use.
    fn gpu_weights(&self, ctx: &GpuContext) -> Result<Arc<gpu::GpuWeights>> {
        let mut cache = self.gpu.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, w)) = cache.iter().find(|(id, _)| *id == ctx.id()) {
            return Ok(w.clone());
        }
        let w = Arc::new(gpu::GpuWeights::new(
            ctx,
            &self.weight,
            self.bias.as_ref(),
            &self.packed,
        )?);
        cache.push((ctx.id(), w.clone()));
        self.uploads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(w)
    }

    /// How many times this layer has uploaded its weights to a GPU: once per [`GpuContext`] (and
    /// its clones) it has run on; the weights then stay there for later calls.
    pub fn weight_uploads(&self) -> usize {
        self.uploads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bytes of GPU memory the layer needs for an input of `input_shape`: input, output, weights
    /// (as given, and re-packed per phase when the GEMM kernel runs), bias and tables. Uploads the
    /// weights to `ctx`'s device if they are not there yet.
    pub fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let geo = self.geometry(input_shape, None)?;
        let io = (geo.n * (geo.in_image() + geo.out_image())) as u64 * 4;
        Ok(io + self.gpu_weights(ctx)?.bytes(self.kernel()))
    }
}
