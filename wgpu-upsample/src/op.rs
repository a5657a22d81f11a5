//! The interface every layer implements: output shape, CPU forward, GPU encode, GPU memory.

use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor, check_output};
use crate::tensor::Tensor;

/// A layer mapping one tensor to another, on the CPU (the reference) and on the GPU.
///
/// Implementors provide the shape rule, the CPU reference and [`Op::record_gpu`] (the kernels,
/// recorded into one compute pass); [`Op::forward_gpu`], [`Op::encode_gpu`] and
/// [`Op::encode_gpu_timed`] are provided once for every op: they check the output tensor (shape,
/// and a buffer other than the input's), capture wgpu errors as [`Error::Gpu`](crate::Error) and
/// allocate or submit. Ops are object safe, so a tool can hold any of them as `&dyn Op`.
///
/// A backward pass fits the same mould: an op on `grad_output` whose output is `grad_input`.
///
/// ```
/// use wgpu_upsample::{Op, Tensor, Upsample, UpsampleMode};
/// let ops: Vec<Box<dyn Op>> = vec![
///     Box::new(Upsample::with_scale_factor([2.0], UpsampleMode::Nearest)),
///     Box::new(Upsample::with_size([3, 3], UpsampleMode::Area)),
/// ];
/// let x = Tensor::from_fn(&[1, 1, 4, 4], |i| i as f32).unwrap();
/// for op in &ops {
///     let y = op.forward_cpu(&x).unwrap();
///     assert_eq!(y.shape(), op.output_shape(x.shape()).unwrap().as_slice());
/// }
/// ```
pub trait Op: Send + Sync + std::fmt::Debug {
    /// The op's name as in PyTorch's `nn` module, e.g. `"Upsample"`, `"ConvTranspose2d"`.
    fn name(&self) -> String;

    /// The output shape for an input of `input_shape`, or the error PyTorch would raise.
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>>;

    /// Runs the op on the CPU (the reference implementation).
    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor>;

    /// Records the op's kernels into one compute pass on `encoder`, with `timestamp_writes` (if
    /// given) at the pass's beginning and end. Called by [`Op::encode_gpu_timed`] after it has
    /// checked `output` and inside its error capture: call that (or [`Op::encode_gpu`]) instead.
    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()>;

    /// The GPU kernels (WGSL entry points) a forward on an input of `input_shape` runs on `ctx`,
    /// in order, e.g. `["x2_linear"]`, `["window_w", "window_h"]`, `["gemm"]`.
    fn gpu_kernels(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>>;

    /// Bytes of GPU memory a forward on `ctx` needs for an input of `input_shape`: input, output,
    /// parameters and the scratch the op allocates (tables, intermediates, uniforms).
    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64>;

    /// Learnable parameters (weight and bias elements); 0 for ops without any.
    fn parameter_count(&self) -> usize {
        0
    }

    /// Useful floating-point operations of one forward (2 × the multiply-adds that reach an
    /// output, zero taps excluded) for ops limited by arithmetic; `None` for memory-bound ops.
    fn flops(&self, input_shape: &[usize]) -> Result<Option<u64>> {
        self.output_shape(input_shape)?;
        Ok(None)
    }

    /// Records the op of `input` into `output` (shape [`Op::output_shape`]) on a command encoder
    /// of the caller, with timestamp writes for its compute pass (to measure the kernel time; needs
    /// `TIMESTAMP_QUERY`). Nothing is submitted. `input` and `output` must be different buffers.
    fn encode_gpu_timed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        ctx.check_owner(input, "input")?;
        ctx.check_owner(output, "output")?;
        let expected = self.output_shape(input.shape())?;
        check_output(&self.name(), input, output, &expected)?;
        ctx.scoped(|| self.record_gpu(ctx, encoder, input, output, timestamp_writes))
    }

    /// Records the op of `input` into `output` on a command encoder of the caller, so it can be
    /// chained with other GPU work without a readback. Nothing is submitted. The encoder must come
    /// from `ctx`'s device ([`GpuContext::encoder`]; wgpu cannot tell, and another device's
    /// encoder fails at its `finish`); the tensors must belong to `ctx`.
    fn encode_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        self.encode_gpu_timed(ctx, encoder, input, output, None)
    }

    /// Runs the op on the GPU into a new GPU tensor (submitted; not waited for).
    ///
    /// In the browser a GPU error this causes comes back from the next
    /// [`GpuContext::wait_async`] or [`GpuContext::download_async`] (argument errors still come
    /// back from this call).
    fn forward_gpu(&self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        let output = ctx.empty(&self.output_shape(input.shape())?)?;
        ctx.submit(&self.name(), |encoder| {
            self.encode_gpu(ctx, encoder, input, &output)
        })?;
        Ok(output)
    }
}
