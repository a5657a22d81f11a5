//! `nn.Upsample` / `F.interpolate`: every mode, on the GPU and on the CPU.
//!
//! - `options.rs`: the options with PyTorch's names, its checks, the resolved
//!   `Plan`;
//! - `coords.rs`: source coordinates and weights per axis, computed as PyTorch computes them;
//! - `taps.rs`: a mode's taps along one axis (the one place a mode becomes taps);
//! - `plan.rs`: the GPU plan (kernels, passes, ×2 eligibility, tables), testable without a GPU;
//! - `factor.rs`: the integer-factor plans (nearest, area, linear at integer factors along w);
//! - `fractional.rs`: bilinear and bicubic at any scale, input rows streamed;
//! - `window.rs`: the window passes along w and h fused (antialias, lanczos, backward);
//! - `window_x2.rs`: the same for lanczos ×2, its periodic interior with static weights;
//! - `window_x2_backward.rs`: its backward, w and h fused, the transposed windows' interior
//!   with static weights;
//! - `backward_fractional.rs`: their backward upsampled by any scale, the w and h passes fused;
//! - `launch.rs`: the GPU launch (kernels in `shaders/upsample/`);
//! - `cpu.rs`: the CPU reference.

mod backward;
mod backward_factor;
mod backward_fractional;
mod coords;
mod cpu;
mod factor;
mod fractional;
mod launch;
mod options;
mod plan;
mod taps;
mod window;
mod window_x2;
mod window_x2_backward;

pub use backward::UpsampleBackward;
pub use options::{Upsample, UpsampleMode};

#[cfg(test)]
pub(crate) use launch::kernels;

use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::tensor::Tensor;

impl Op for Upsample {
    fn name(&self) -> String {
        "Upsample".into()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(self.plan(input_shape)?.output_shape)
    }

    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        let plan = self.plan(input.shape())?;
        Tensor::new(&plan.output_shape, cpu::forward(&plan, input.data())?)
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
        let g = plan::gpu_plan(&plan, ctx.limits().max_compute_workgroups_per_dimension);
        let planes = launch::Planes::forward(&plan);
        launch::encode(ctx, planes, &g, encoder, input, output, timestamp_writes)
    }

    /// The kernels depend on `ctx`'s limits: the ×2 kernels need one plane's grid within
    /// `max_compute_workgroups_per_dimension`.
    fn gpu_kernels(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        Ok(plan::gpu_plan(&self.plan(input_shape)?, max_dim).kernel_names())
    }

    fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let plan = self.plan(input_shape)?;
        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        let g = plan::gpu_plan(&plan, max_dim);
        let io = (plan.planes * (plan.input_plane() + plan.output_plane())) as u64 * 4;
        Ok(io + g.scratch_bytes(plan.planes, launch::PARAMS_BYTES))
    }
}
