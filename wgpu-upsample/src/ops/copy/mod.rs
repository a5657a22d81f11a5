//! The vec4 copy kernel as an op: `output = input`, the yardstick for memory-bound kernels (a
//! kernel that reads and writes each byte once, nothing else).

use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};
use crate::op::Op;
use crate::tensor::Tensor;

/// Threads per workgroup (`WG` in the shader), one vec4 each.
const WORKGROUP: u32 = 64;

const SHADER: Shader = Shader {
    name: "copy/copy.wgsl",
    constants: &[("WG", WORKGROUP)],
    parts: &[include_str!("../../../shaders/copy/copy.wgsl")],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/copy/copy.wgsl`.
    struct Params as "Params" {
        count: u32,
        in_offset: u32,
        out_offset: u32,
        _pad: u32,
    }
}

const REPACK_SHADER: Shader = Shader {
    name: "copy/repack.wgsl",
    constants: &[("WG", WORKGROUP)],
    parts: &[include_str!("../../../shaders/copy/repack.wgsl")],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/copy/repack.wgsl`.
    struct RepackParams as "Params" {
        count: u32,
        _pad0: u32,
        _pad1: u32,
        _pad2: u32,
    }
}

pub(crate) const REPACK: Kernel = Kernel {
    shader: &REPACK_SHADER,
    entry: "repack",
    params: &<RepackParams as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::ReadWrite), (3, Slot::Read)],
};

/// Records `dst[i] = src[index[i]]` (0 where the index is `u32::MAX`) for `count` elements: a
/// layer's weights re-packed on the GPU (`count`, `src` and `dst` within one binding).
pub(crate) fn encode_repack(
    launch: &mut Launch<'_>,
    src: &wgpu::Buffer,
    index: &wgpu::Buffer,
    dst: &wgpu::Buffer,
    count: usize,
) -> Result<()> {
    if count == 0 {
        return Ok(());
    }
    let params = RepackParams {
        count: count as u32,
        ..Default::default()
    };
    let resources = [
        (1, src.as_entire_binding()),
        (2, dst.as_entire_binding()),
        (3, index.as_entire_binding()),
    ];
    let groups = count.div_ceil(WORKGROUP as usize) as u64;
    launch.dispatch(&REPACK, &params, &resources, Workgroups::Linear(groups))
}

pub(crate) const COPY_VEC4: Kernel = Kernel {
    shader: &SHADER,
    entry: "copy_vec4",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::ReadWrite)],
};

/// A plain WGSL vec4 copy of a tensor (`output = input`, any shape whose element count is a
/// multiple of 4): one vec4 per thread, in chunks of at most one storage binding. Its time for a
/// number of bytes is the adapter's practical memory-bandwidth limit, what memory-bound kernels
/// are compared with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyKernel;

impl Op for CopyKernel {
    fn name(&self) -> String {
        "Copy".into()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let numel = crate::tensor::checked_numel(input_shape)?;
        if !numel.is_multiple_of(4) {
            return Err(Error::shape(format!(
                "the copy kernel copies whole vec4s: a tensor of shape {input_shape:?} has {numel} \
                 elements, not a multiple of 4"
            )));
        }
        Ok(input_shape.to_vec())
    }

    fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        self.output_shape(input.shape())?;
        Tensor::new(input.shape(), crate::tensor::copied(input.data())?)
    }

    fn record_gpu(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        let vec4s = input.numel() / 4;
        let limits = Limits::of(ctx);
        // One thread per vec4: a chunk's vec4s fit the grid and a u32.
        let threads = limits.grid_capacity().saturating_mul(WORKGROUP as u64);
        let chunk = chunk_items(
            &limits,
            vec4s,
            &[4],
            &[(1, threads.min(u32::MAX as u64))],
            || "a vec4".into(),
        )?;
        let mut launch = Launch::new(ctx, encoder, "copy", timestamp_writes);
        for first in (0..vec4s).step_by(chunk) {
            let count = chunk.min(vec4s - first);
            let src = Window::new(input.buffer(), 4 * first, 4 * count, &limits);
            let dst = Window::new(output.buffer(), 4 * first, 4 * count, &limits);
            let params = Params {
                count: count as u32,
                in_offset: src.offset / 4,
                out_offset: dst.offset / 4,
                _pad: 0,
            };
            launch.dispatch(
                &COPY_VEC4,
                &params,
                &[(1, src.resource), (2, dst.resource)],
                Workgroups::Linear((count as u64).div_ceil(WORKGROUP as u64)),
            )?;
        }
        Ok(())
    }

    fn gpu_kernels(&self, _: &GpuContext, input_shape: &[usize]) -> Result<Vec<&'static str>> {
        self.output_shape(input_shape)?;
        Ok(vec![COPY_VEC4.name()])
    }

    fn gpu_memory_bytes(&self, _: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        let numel = crate::tensor::checked_numel(self.output_shape(input_shape)?.as_slice())?;
        Ok(2 * numel as u64 * 4 + std::mem::size_of::<Params>() as u64)
    }
}

/// The copy op's kernels.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&COPY_VEC4, &REPACK]
}
