//! `nn.Upsample` / `F.interpolate`: every mode, on the GPU and on the CPU.
//!
//! - `options.rs`: the options type with PyTorch's names, its checks, the resolved plan;
//! - `coords.rs`: per-axis source indices and weights, computed as PyTorch computes them;
//! - `gpu.rs`: the launch (kernels in `shaders/upsample/`);
//! - `cpu.rs`: the CPU reference.

mod coords;
mod cpu;
mod gpu;
mod options;

pub use options::{Upsample, UpsampleMode};

use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;

impl Upsample {
    /// Runs the upsample on the CPU (the reference implementation).
    pub fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        let plan = self.plan(input.shape())?;
        Tensor::new(&plan.output_shape, cpu::forward(&plan, input.data())?)
    }

    /// Runs the upsample on the GPU into a new GPU tensor (submitted; not waited for).
    pub fn forward_gpu(&self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        let output = ctx.empty(&self.output_shape(input.shape())?)?;
        ctx.submit("upsample", |encoder| {
            self.encode_gpu(ctx, encoder, input, &output)
        })?;
        Ok(output)
    }

    /// Records the upsample of `input` into `output` (shape [`Upsample::output_shape`]) on a
    /// command encoder of the caller, so it can be chained with other GPU work without a
    /// readback. Nothing is submitted.
    pub fn encode_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        self.encode_gpu_timed(ctx, encoder, input, output, None)
    }

    /// [`Upsample::encode_gpu`] with timestamp writes for the compute pass (to measure the
    /// kernel time with a query set; needs `TIMESTAMP_QUERY`).
    pub fn encode_gpu_timed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let plan = self.plan(input.shape())?;
        crate::gpu::check_output("upsample", input, output, &plan.output_shape)?;
        ctx.scoped(|| gpu::encode(ctx, &plan, encoder, input, output, timestamp_writes))
    }

    /// The GPU kernels (WGSL entry points in `shaders/upsample/`) a forward on an input of
    /// `input_shape` runs, in order: e.g. `["x2_linear"]` for a bilinear ×2 that takes the exact
    /// ×2 path, `["linear_2d"]` for other bilinear sizes, or the two antialias passes. The choice
    /// depends on `ctx`'s limits (the ×2 kernels need their grid within
    /// `max_compute_workgroups_per_dimension`).
    pub fn gpu_kernels(
        &self,
        ctx: &GpuContext,
        input_shape: &[usize],
    ) -> Result<Vec<&'static str>> {
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        Ok(gpu::kernels(&self.plan(input_shape)?, max_dim))
    }

    /// [`Upsample::gpu_kernels`] on a device with WebGPU's default limits (every adapter's).
    pub(crate) fn default_gpu_kernels(&self, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        Ok(gpu::kernels(
            &self.plan(input_shape)?,
            gpu::DEFAULT_MAX_WORKGROUPS,
        ))
    }

    /// Bytes of GPU memory the op needs for an input of `input_shape`: input, output, and the
    /// scratch it allocates (per-axis tables, the antialias intermediate, parameters).
    pub fn gpu_memory_bytes(&self, input_shape: &[usize]) -> Result<u64> {
        let plan = self.plan(input_shape)?;
        let io = (plan.planes * (plan.input_plane() + plan.output_plane())) as u64 * 4;
        Ok(io + gpu::scratch_bytes(&plan))
    }
}
