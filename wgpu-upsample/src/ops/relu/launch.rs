//! The GPU launch of ReLU (`shaders/relu/relu.wgsl`) and the chunking of elementwise kernels the
//! MSE loss shares: each dispatch covers a chunk of whole blocks of `WG·STRIP` elements whose
//! windows fit one storage binding and whose workgroups fit the dispatch grid.

use crate::error::Result;
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};

/// Threads per workgroup (`WG` in the shader).
const WORKGROUP: u32 = 64;

/// Elements per thread (`STRIP` in the shader).
const STRIP: u32 = 8;

/// Elements one dispatch may cover, so that no `u32` index overflows (even in the workgroups a
/// spread grid adds past the end: fewer than as many again).
const MAX_CHUNK_ELEMENTS: u64 = 1 << 30;

const SHADER: Shader = Shader {
    name: "relu/relu.wgsl",
    constants: &[("WG", WORKGROUP), ("STRIP", STRIP)],
    parts: &[include_str!("../../../shaders/relu/relu.wgsl")],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/relu/relu.wgsl`.
    struct Params as "Params" {
        count: u32,
        offset: u32,
        _pad0: u32,
        _pad1: u32,
    }
}

pub(crate) static RELU_FORWARD: Kernel = Kernel {
    shader: &SHADER,
    entry: "relu_forward",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (3, Slot::ReadWrite)],
};

pub(crate) static RELU_BACKWARD: Kernel = Kernel {
    shader: &SHADER,
    entry: "relu_backward",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::Read), (3, Slot::ReadWrite)],
};

/// Both kernels.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&RELU_FORWARD, &RELU_BACKWARD]
}

/// The chunks `(first element, elements)` of an elementwise pass over `numel` elements, in
/// blocks of `per_workgroup` elements (one workgroup each), such that every window of a chunk
/// fits one storage binding and its workgroups fit the grid; `what` names the op in errors.
pub(crate) fn elementwise_chunks(
    limits: &Limits,
    numel: usize,
    per_workgroup: usize,
    what: &str,
) -> Result<Vec<(usize, usize)>> {
    if numel == 0 {
        return Ok(Vec::new());
    }
    let blocks = numel.div_ceil(per_workgroup);
    let capacity = limits
        .grid_capacity()
        .min(MAX_CHUNK_ELEMENTS / per_workgroup as u64);
    let chunk = chunk_items(limits, blocks, &[per_workgroup], &[(1, capacity)], || {
        format!("a block of {per_workgroup} elements of the {what}")
    })? * per_workgroup;
    Ok((0..numel)
        .step_by(chunk)
        .map(|first| (first, chunk.min(numel - first)))
        .collect())
}

/// Number of dispatches an elementwise pass over `numel` elements takes on `ctx` (1 when the
/// chunking fails: the run reports that error).
pub(crate) fn dispatches(ctx: &GpuContext, numel: usize) -> usize {
    elementwise_chunks(&Limits::of(ctx), numel, PER_WORKGROUP, "ReLU")
        .map(|c| c.len())
        .unwrap_or(1)
}

/// Elements per workgroup.
const PER_WORKGROUP: usize = (WORKGROUP * STRIP) as usize;

/// Bytes of one parameter block.
pub(crate) const PARAMS_BYTES: u64 = std::mem::size_of::<Params>() as u64;

/// Records ReLU of `x` into `out` (forward, `grad_output: None`) or the gradient
/// `grad_output · relu'(x)` into `out` (backward) on `encoder`, overwriting `out`.
pub(crate) fn encode(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    x: &GpuTensor,
    grad_output: Option<&GpuTensor>,
    out: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let limits = Limits::of(ctx);
    let (kernel, label) = match grad_output {
        None => (&RELU_FORWARD, "relu"),
        Some(_) => (&RELU_BACKWARD, "relu backward"),
    };
    let chunks = elementwise_chunks(&limits, x.numel(), PER_WORKGROUP, label)?;
    let mut launch = Launch::new(ctx, encoder, label, timestamp_writes);
    for (first, count) in chunks {
        let src = Window::new(x.buffer(), first, count, &limits);
        let dst = Window::new(out.buffer(), first, count, &limits);
        let params = Params {
            count: count as u32,
            offset: src.offset,
            ..Default::default()
        };
        let mut resources = vec![(1, src.resource), (3, dst.resource)];
        if let Some(g) = grad_output {
            resources.push((2, Window::new(g.buffer(), first, count, &limits).resource));
        }
        launch.dispatch(
            kernel,
            &params,
            &resources,
            Workgroups::Linear((count as u64).div_ceil(PER_WORKGROUP as u64)),
        )?;
    }
    Ok(())
}
