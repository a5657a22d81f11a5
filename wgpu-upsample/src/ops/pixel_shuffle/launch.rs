//! The GPU launch: one gather kernel per direction (`shaders/pixel_shuffle/pixel_shuffle.wgsl`),
//! dispatched over chunks of whole planes that fit one storage binding and the dispatch grid.

use super::options::{Direction, Plan};
use crate::error::Result;
use crate::gpu::kernel::{Kernel, Shader, Slot};
use crate::gpu::launch::{Launch, Limits, Window, Workgroups, chunk_items};
use crate::gpu::{GpuContext, GpuTensor};

/// Threads per workgroup (`WG` in the shader).
const WORKGROUP: u32 = 64;

/// Consecutive output elements per thread (`STRIP` in the shader).
const STRIP: u32 = 8;

/// Output elements per workgroup.
const PER_WORKGROUP: u64 = (WORKGROUP * STRIP) as u64;

/// Elements one dispatch may cover, so that the kernel's `u32` element indices cannot overflow
/// (even in the workgroups a spread grid adds past the end: fewer than as many again).
const MAX_CHUNK_ELEMENTS: u64 = 1 << 30;

const SHADER: Shader = Shader {
    name: "pixel_shuffle/pixel_shuffle.wgsl",
    constants: &[("WG", WORKGROUP), ("STRIP", STRIP)],
    parts: &[include_str!(
        "../../../shaders/pixel_shuffle/pixel_shuffle.wgsl"
    )],
};

crate::gpu_params! {
    /// Mirrors `Params` in `shaders/pixel_shuffle/pixel_shuffle.wgsl`.
    struct Params as "Params" {
        count: u32,
        in_offset: u32,
        out_offset: u32,
        plane: u32,
        radix: [u32; 4],
        stride: [u32; 4],
        step: [u32; 4],
        step_plane: u32,
        _pad0: u32,
        _pad1: u32,
        _pad2: u32,
    }
}

/// How the kernel walks a plane: an output index's four digits (the last fastest) in `radix`,
/// the input index's `stride` per unit of each, and the digits of the `WG` elements between a
/// thread's consecutive outputs (`step_plane` planes and `step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Walk {
    plane: u32,
    radix: [u32; 4],
    stride: [u32; 4],
    step: [u32; 4],
    step_plane: u32,
}

impl Walk {
    /// The walk of `plan`, whose planes (of at most 2^30 elements) hold elements.
    fn new(plan: &Plan) -> Self {
        let [r, h, w] = [plan.factor, plan.h, plan.w].map(|v| v as u32);
        let (radix, stride) = match plan.direction {
            // out[y·r + i, x·r + j] = in[i·r + j, y, x]: digits (y, i, x, j).
            Direction::Shuffle => ([h, r, w, r], [w, r * h * w, 1, h * w]),
            // out[i·r + j, y, x] = in[y·r + i, x·r + j]: digits (i, j, y, x).
            Direction::Unshuffle => ([r, r, h, w], [w * r, 1, r * w * r, r]),
        };
        let plane = plan.plane() as u32;
        let mut rest = WORKGROUP % plane;
        let mut step = [0; 4];
        for k in (1..4).rev() {
            step[k] = rest % radix[k];
            rest /= radix[k];
        }
        step[0] = rest;
        Walk {
            plane,
            radix,
            stride,
            step,
            step_plane: WORKGROUP / plane,
        }
    }
}

const BINDINGS: &[(u32, Slot)] = &[(1, Slot::Read), (2, Slot::ReadWrite)];

static PIXEL_SHUFFLE: Kernel = Kernel {
    shader: &SHADER,
    entry: "pixel_shuffle",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: BINDINGS,
};

static PIXEL_UNSHUFFLE: Kernel = Kernel {
    shader: &SHADER,
    entry: "pixel_unshuffle",
    params: &<Params as crate::gpu::kernel::Params>::LAYOUT,
    bindings: BINDINGS,
};

/// The kernel of a direction.
pub(crate) fn kernel(direction: Direction) -> &'static Kernel {
    match direction {
        Direction::Shuffle => &PIXEL_SHUFFLE,
        Direction::Unshuffle => &PIXEL_UNSHUFFLE,
    }
}

/// Both kernels.
#[cfg(test)]
pub(crate) fn kernels() -> Vec<&'static Kernel> {
    vec![&PIXEL_SHUFFLE, &PIXEL_UNSHUFFLE]
}

/// Planes per dispatch on a device of `limits`.
fn chunk(plan: &Plan, limits: &Limits) -> Result<usize> {
    let plane = plan.plane();
    let capacity = limits
        .grid_capacity()
        .min(MAX_CHUNK_ELEMENTS / PER_WORKGROUP);
    chunk_items(
        limits,
        plan.planes,
        &[plane],
        &[((plane as u64).div_ceil(PER_WORKGROUP), capacity)],
        || {
            format!(
                "one plane of the {} ({} bytes)",
                plan.direction.name(),
                plane as u64 * 4
            )
        },
    )
}

/// Bytes of GPU memory one run of `plan` on `ctx` takes: input, output, a parameter block per
/// dispatch.
pub(crate) fn memory_bytes(ctx: &GpuContext, plan: &Plan) -> u64 {
    let dispatches = match chunk(plan, &Limits::of(ctx)) {
        Ok(n) => plan.planes.div_ceil(n.max(1)),
        Err(_) => 1,
    };
    2 * plan.numel as u64 * 4 + (dispatches * std::mem::size_of::<Params>()) as u64
}

/// Records `plan` from `input` into `output` (which it overwrites) on `encoder`.
pub(crate) fn encode(
    ctx: &GpuContext,
    plan: &Plan,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let limits = Limits::of(ctx);
    let plane = plan.plane();
    let chunk = chunk(plan, &limits)?;
    let kernel = kernel(plan.direction);
    let mut launch = Launch::new(ctx, encoder, plan.direction.name(), timestamp_writes);
    if plan.numel == 0 {
        // Nothing to move: an empty pass (its timestamps still written).
        return Ok(());
    }
    let walk = Walk::new(plan);
    for p0 in (0..plan.planes).step_by(chunk) {
        let n = chunk.min(plan.planes - p0);
        let count = n * plane;
        let src = Window::new(input.buffer(), p0 * plane, count, &limits);
        let dst = Window::new(output.buffer(), p0 * plane, count, &limits);
        let params = Params {
            count: count as u32,
            in_offset: src.offset,
            out_offset: dst.offset,
            plane: walk.plane,
            radix: walk.radix,
            stride: walk.stride,
            step: walk.step,
            step_plane: walk.step_plane,
            ..Default::default()
        };
        launch.dispatch(
            kernel,
            &params,
            &[(1, src.resource), (2, dst.resource)],
            Workgroups::Linear((count as u64).div_ceil(PER_WORKGROUP)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel's walk, run on the host with the kernel's (wrapping `u32`) arithmetic: every
    /// thread of every workgroup.
    fn walk_on_host(plan: &Plan, input: &[f32]) -> Vec<f32> {
        let walk = Walk::new(plan);
        let count = plan.numel as u32;
        let mut out = vec![f32::NAN; plan.numel];
        let per_workgroup = WORKGROUP * STRIP;
        for l in 0..count.div_ceil(per_workgroup) {
            for lid in 0..WORKGROUP {
                let e0 = l * per_workgroup + lid;
                if e0 >= count {
                    continue;
                }
                let plane = e0 / walk.plane;
                let mut rest = e0 - plane * walk.plane;
                let mut d = [0; 4];
                for k in (1..4).rev() {
                    d[k] = rest % walk.radix[k];
                    rest /= walk.radix[k];
                }
                d[0] = rest;
                let dot = |a: [u32; 4], b: [u32; 4]| -> u32 {
                    (0..4).fold(0u32, |acc, i| acc.wrapping_add(a[i].wrapping_mul(b[i])))
                };
                let mut s = (plane * walk.plane).wrapping_add(dot(d, walk.stride));
                let inc = dot(walk.step, walk.stride)
                    .wrapping_add(walk.step_plane.wrapping_mul(walk.plane));
                let below = [walk.plane, walk.stride[0], walk.stride[1], walk.stride[2]];
                let corr: [u32; 4] = std::array::from_fn(|i| {
                    (walk.radix[i] * walk.stride[i]).wrapping_sub(below[i])
                });
                for k in 0..STRIP {
                    let e = e0 + k * WORKGROUP;
                    if e >= count {
                        break;
                    }
                    out[e as usize] = input[s as usize];
                    s = s.wrapping_add(inc);
                    let mut carry = 0;
                    for i in (0..4).rev() {
                        d[i] += walk.step[i] + carry;
                        carry = (d[i] >= walk.radix[i]) as u32;
                        d[i] -= carry * walk.radix[i];
                        s = s.wrapping_sub(carry.wrapping_mul(corr[i]));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_kernels_walk_gives_the_cpu_reference() {
        let shapes: &[(usize, &[usize])] = &[
            (1, &[3, 5, 7]),
            (2, &[2, 4, 3, 5]),
            (3, &[1, 18, 7, 5]),
            (4, &[3, 16, 1, 1]),
            (2, &[2, 3, 4, 1, 1]),
            (5, &[2, 25, 3, 2]),
            (2, &[1, 4, 40, 33]),
            (1, &[70, 1, 1]),
            (1, &[2, 1, 3, 100]),
            (2, &[2, 8, 5, 70]),
        ];
        for &(r, shape) in shapes {
            let shuffle = Plan::new(Direction::Shuffle, r, shape).unwrap();
            for plan in [shuffle.clone(), shuffle.inverse()] {
                let input: Vec<f32> = (0..plan.numel).map(|i| i as f32).collect();
                let want = super::super::cpu::forward(&plan, &input).unwrap();
                assert_eq!(walk_on_host(&plan, &input), want, "{plan:?}");
            }
        }
    }
}
