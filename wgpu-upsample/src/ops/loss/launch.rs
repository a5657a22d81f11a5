//! The GPU launch of the MSE loss (`shaders/loss/mse.wgsl`): the forward's fixed-order sum
//! (`mse_partials` over chunks of the inputs, then `sum_partials` passes until one workgroup's
//! worth is left, the last one writing the loss) and the backward's elementwise kernel.

use crate::error::{Error, Result};
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups};
use crate::gpu::{GpuContext, GpuTensor};
use crate::ops::relu::launch::elementwise_chunks;

/// Threads per workgroup (`WG` in the shader).
const WORKGROUP: u32 = 64;

/// Elements each thread adds in order (`STRIP` in the shader).
const STRIP: u32 = 16;

/// Elements (or partial sums) per workgroup: one partial sum each.
const PER_WORKGROUP: usize = (WORKGROUP * STRIP) as usize;

const SHADER: Shader = Shader {
    name: "loss/mse.wgsl",
    constants: &[("WG", WORKGROUP), ("STRIP", STRIP)],
    parts: &[include_str!("../../../shaders/loss/mse.wgsl")],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/loss/mse.wgsl`.
    struct Params as "Params" {
        count: u32,
        offset: u32,
        out_offset: u32,
        _pad0: u32,
        divisor: f32,
        norm: f32,
        grad_loss: f32,
        empty_sum: f32,
    }
}

pub(crate) static MSE_PARTIALS: Kernel = Kernel {
    shader: &SHADER,
    entry: "mse_partials",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::Read), (3, Slot::ReadWrite)],
};

pub(crate) static SUM_PARTIALS: Kernel = Kernel {
    shader: &SHADER,
    entry: "sum_partials",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(3, Slot::ReadWrite), (4, Slot::Read)],
};

pub(crate) static MSE_BACKWARD: Kernel = Kernel {
    shader: &SHADER,
    entry: "mse_backward",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: &[(1, Slot::Read), (2, Slot::Read), (3, Slot::ReadWrite)],
};

/// Every kernel of the loss.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&MSE_PARTIALS, &SUM_PARTIALS, &MSE_BACKWARD]
}

/// Bytes of one parameter block.
const PARAMS_BYTES: u64 = std::mem::size_of::<Params>() as u64;

/// The forward's passes for `numel` elements: the chunks of `mse_partials`, then the counts
/// summed by each `sum_partials` pass (the last one, at most one workgroup's worth, writes the
/// loss).
struct ForwardPlan {
    chunks: Vec<(usize, usize)>,
    partials: usize,
    sums: Vec<usize>,
}

fn forward_plan(limits: &Limits, numel: usize) -> Result<ForwardPlan> {
    let chunks = elementwise_chunks(limits, numel, PER_WORKGROUP, "MSE loss")?;
    let partials = numel.div_ceil(PER_WORKGROUP);
    let bytes = partials.max(1) as u64 * 4;
    if bytes > limits.max_binding {
        return Err(Error::LimitExceeded(format!(
            "the MSE loss's partial sums ({bytes} bytes) exceed this adapter's \
             max_storage_buffer_binding_size of {} bytes",
            limits.max_binding
        )));
    }
    let mut sums = Vec::new();
    let mut count = partials;
    loop {
        sums.push(count);
        if count <= PER_WORKGROUP {
            break;
        }
        count = count.div_ceil(PER_WORKGROUP);
    }
    Ok(ForwardPlan {
        chunks,
        partials,
        sums,
    })
}

/// The forward's kernels for `numel` elements, in order.
pub(crate) fn forward_kernels(ctx: &GpuContext, numel: usize) -> Result<Vec<&'static str>> {
    let plan = forward_plan(&Limits::of(ctx), numel)?;
    let mut names = vec![MSE_PARTIALS.name(); plan.chunks.len()];
    names.extend(plan.sums.iter().map(|_| SUM_PARTIALS.name()));
    Ok(names)
}

/// GPU memory of a forward for `numel` elements: inputs, loss, scratch and parameter blocks.
pub(crate) fn forward_memory_bytes(ctx: &GpuContext, numel: usize) -> Result<u64> {
    let plan = forward_plan(&Limits::of(ctx), numel)?;
    let scratch = plan.partials.max(1) + plan.partials.div_ceil(PER_WORKGROUP).max(1);
    let dispatches = plan.chunks.len() + plan.sums.len();
    Ok((2 * numel as u64 + 1 + scratch as u64) * 4 + dispatches as u64 * PARAMS_BYTES)
}

/// GPU memory of a backward for `numel` elements: inputs, gradient and parameter blocks.
pub(crate) fn backward_memory_bytes(ctx: &GpuContext, numel: usize) -> Result<u64> {
    let chunks = elementwise_chunks(&Limits::of(ctx), numel, PER_WORKGROUP, "MSE loss")?;
    Ok(3 * numel as u64 * 4 + chunks.len() as u64 * PARAMS_BYTES)
}

/// Records the loss of `pred` against `target` (one shape) into `loss` (one element) on
/// `encoder`: the sum of squared differences, divided by `divisor`; `empty_sum` for no elements.
pub(crate) fn encode_forward(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    pred: &GpuTensor,
    target: &GpuTensor,
    loss: &GpuTensor,
    divisor: f32,
    empty_sum: f32,
) -> Result<()> {
    let limits = Limits::of(ctx);
    let plan = forward_plan(&limits, pred.numel())?;
    let a = ctx.storage_buffer("MSE loss partial sums", plan.partials.max(1) as u64 * 4)?;
    let b = ctx.storage_buffer(
        "MSE loss partial sums",
        plan.partials.div_ceil(PER_WORKGROUP).max(1) as u64 * 4,
    )?;
    let mut launch = Launch::new(ctx, encoder, "MSE loss", None);
    for &(first, count) in &plan.chunks {
        let p = Window::new(pred.buffer(), first, count, &limits);
        let t = Window::new(target.buffer(), first, count, &limits);
        let params = Params {
            count: count as u32,
            offset: p.offset,
            out_offset: (first / PER_WORKGROUP) as u32,
            ..Default::default()
        };
        launch.dispatch(
            &MSE_PARTIALS,
            &params,
            &[(1, p.resource), (2, t.resource), (3, a.as_entire_binding())],
            Workgroups::Linear(count.div_ceil(PER_WORKGROUP) as u64),
        )?;
    }
    let (mut src, mut dst) = (&a, &b);
    let last = plan.sums.len() - 1;
    for (i, &count) in plan.sums.iter().enumerate() {
        let out = match i == last {
            true => Window::new(loss.buffer(), 0, 1, &limits).resource,
            false => dst.as_entire_binding(),
        };
        let params = Params {
            count: count as u32,
            divisor: if i == last { divisor } else { 1.0 },
            empty_sum,
            ..Default::default()
        };
        launch.dispatch(
            &SUM_PARTIALS,
            &params,
            &[(3, out), (4, src.as_entire_binding())],
            Workgroups::Linear(count.div_ceil(PER_WORKGROUP).max(1) as u64),
        )?;
        std::mem::swap(&mut src, &mut dst);
    }
    Ok(())
}

/// Records `grad = norm · (pred − target) · grad_loss` into `grad` on `encoder`.
pub(crate) fn encode_backward(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    pred: &GpuTensor,
    target: &GpuTensor,
    grad: &GpuTensor,
    norm: f32,
    grad_loss: f32,
) -> Result<()> {
    let limits = Limits::of(ctx);
    let chunks = elementwise_chunks(&limits, pred.numel(), PER_WORKGROUP, "MSE loss backward")?;
    let mut launch = Launch::new(ctx, encoder, "MSE loss backward", None);
    for (first, count) in chunks {
        let p = Window::new(pred.buffer(), first, count, &limits);
        let t = Window::new(target.buffer(), first, count, &limits);
        let g = Window::new(grad.buffer(), first, count, &limits);
        let params = Params {
            count: count as u32,
            offset: p.offset,
            out_offset: g.offset,
            norm,
            grad_loss,
            ..Default::default()
        };
        launch.dispatch(
            &MSE_BACKWARD,
            &params,
            &[(1, p.resource), (2, t.resource), (3, g.resource)],
            Workgroups::Linear(count.div_ceil(PER_WORKGROUP) as u64),
        )?;
    }
    Ok(())
}
