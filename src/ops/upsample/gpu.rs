//! The GPU launch for every upsample mode: per-axis tables on the host, one kernel per mode family
//! (`shaders/upsample/`), dispatches chunked over N·C planes so that no binding exceeds the
//! adapter's storage-binding limit.

use wgpu::util::DeviceExt;

use super::coords;
use super::options::{Plan, UpsampleMode};
use crate::error::{Error, Result};
use crate::gpu::dispatch::grid;
use crate::gpu::pipeline::{Kernel, Shader};
use crate::gpu::{GpuContext, GpuTensor};

const COMMON: &str = include_str!("../../../shaders/upsample/common.wgsl");

macro_rules! shader {
    ($name:literal) => {
        Shader {
            name: concat!("upsample/", $name, ".wgsl"),
            parts: &[
                COMMON,
                include_str!(concat!("../../../shaders/upsample/", $name, ".wgsl")),
            ],
        }
    };
}

const NEAREST: Shader = shader!("nearest");
const LINEAR: Shader = shader!("linear");
const BICUBIC: Shader = shader!("bicubic");
const AREA: Shader = shader!("area");
const ANTIALIAS: Shader = shader!("antialias");

/// Threads per workgroup of every upsample kernel (`WG` in `common.wgsl`), and outputs per thread
/// along x (`STRIP`): a workgroup covers a row segment of `WORKGROUP * STRIP` outputs.
const WORKGROUP: usize = 64;
const STRIP: usize = 4;

/// Mirrors `Params` in `shaders/upsample/common.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    in_offset: u32,
    out_offset: u32,
    taps: u32,
    in_dims: [u32; 3],
    segs: u32,
    out_dims: [u32; 3],
    _pad1: u32,
    tables: [u32; 3],
    _pad2: u32,
}

/// Where a pass reads or writes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Input,
    Scratch,
    Output,
}

/// One dispatch per chunk: a kernel mapping a (planes, d, h, w) block to another.
#[derive(Debug, Clone, Copy)]
struct Pass {
    kernel: Kernel,
    src: Stage,
    dst: Stage,
    in_dims: [usize; 3],
    out_dims: [usize; 3],
    tables: [u32; 3],
    taps: u32,
}

/// All per-axis tables of one upsample, packed into one `u32` buffer.
#[derive(Default)]
struct Tables {
    words: Vec<u32>,
}

impl Tables {
    /// Appends a table, returning its word offset.
    fn push(&mut self, words: impl IntoIterator<Item = u32>) -> u32 {
        let at = self.words.len() as u32;
        self.words.extend(words);
        at
    }
}

/// The kernels, tables and passes for `plan`.
fn passes(plan: &Plan) -> (Vec<Pass>, Tables) {
    let axes = plan.axes3();
    let dims = |f: fn(&super::options::Axis) -> usize| [f(&axes[0]), f(&axes[1]), f(&axes[2])];
    let (in_dims, out_dims) = (dims(|a| a.input), dims(|a| a.output));
    let mut t = Tables::default();
    let ac = plan.align_corners;
    let single = |kernel, tables, t: Tables| {
        let pass = Pass {
            kernel,
            src: Stage::Input,
            dst: Stage::Output,
            in_dims,
            out_dims,
            tables,
            taps: 0,
        };
        (vec![pass], t)
    };
    if plan.antialias {
        let bicubic = plan.mode == UpsampleMode::Bicubic;
        let [_, ah, aw] = axes;
        let mut out = Vec::new();
        let mut cur = in_dims;
        for (axis, entry, k) in [(aw, "antialias_width", 2), (ah, "antialias_height", 1)] {
            if axis.input == axis.output {
                continue;
            }
            let taps = coords::antialias(axis, ac, bicubic);
            let at = t.push(
                taps.start
                    .iter()
                    .chain(&taps.len)
                    .copied()
                    .chain(taps.weights.iter().map(|w| w.to_bits())),
            );
            let mut next = cur;
            next[k] = axis.output;
            let mut tables = [0; 3];
            tables[k] = at;
            out.push(Pass {
                kernel: Kernel {
                    shader: ANTIALIAS,
                    entry,
                },
                src: Stage::Input,
                dst: Stage::Output,
                in_dims: cur,
                out_dims: next,
                tables,
                taps: taps.taps as u32,
            });
            cur = next;
        }
        if out.len() == 2 {
            out[0].dst = Stage::Scratch;
            out[1].src = Stage::Scratch;
        }
        return (out, t);
    }
    match plan.mode {
        UpsampleMode::Nearest | UpsampleMode::NearestExact => {
            let exact = plan.mode == UpsampleMode::NearestExact;
            let tables = axes.map(|a| {
                t.push(if exact {
                    coords::nearest_exact(a)
                } else {
                    coords::nearest(a, plan.axes.len() == 2)
                })
            });
            single(
                Kernel {
                    shader: NEAREST,
                    entry: "nearest",
                },
                tables,
                t,
            )
        }
        UpsampleMode::Linear | UpsampleMode::Bilinear | UpsampleMode::Trilinear => {
            let tables = axes.map(|a| {
                t.push(
                    coords::linear(a, ac)
                        .iter()
                        .flat_map(|l| [l.i0, l.i1, l.w0.to_bits(), l.w1.to_bits()]),
                )
            });
            let entry = ["linear_1d", "linear_2d", "linear_3d"][plan.axes.len() - 1];
            single(
                Kernel {
                    shader: LINEAR,
                    entry,
                },
                tables,
                t,
            )
        }
        UpsampleMode::Bicubic => {
            let tables = axes.map(|a| {
                t.push(
                    coords::cubic(a, ac)
                        .iter()
                        .flat_map(|c| c.index.into_iter().chain(c.weight.map(f32::to_bits))),
                )
            });
            single(
                Kernel {
                    shader: BICUBIC,
                    entry: "bicubic_2d",
                },
                tables,
                t,
            )
        }
        UpsampleMode::Area => {
            let tables =
                axes.map(|a| t.push(coords::area(a).into_iter().flat_map(|(s, e)| [s, e])));
            single(
                Kernel {
                    shader: AREA,
                    entry: "area",
                },
                tables,
                t,
            )
        }
    }
}

/// Bytes of GPU memory the op needs beyond its input and output (tables, scratch, parameters).
pub(crate) fn scratch_bytes(plan: &Plan) -> u64 {
    let (passes, tables) = passes(plan);
    let scratch = if passes.len() == 2 {
        let d = passes[0].out_dims;
        (plan.planes * d[0] * d[1] * d[2]) as u64 * 4
    } else {
        0
    };
    tables.words.len() as u64 * 4 + scratch + std::mem::size_of::<Params>() as u64
}

/// Records the upsample of `input` into `output` on `encoder`.
pub(crate) fn encode(
    ctx: &GpuContext,
    plan: &Plan,
    encoder: &mut wgpu::CommandEncoder,
    input: &GpuTensor,
    output: &GpuTensor,
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) -> Result<()> {
    let planes = plan.planes;
    let (in_plane, out_plane) = (plan.input_plane(), plan.output_plane());
    if planes == 0 {
        return Ok(());
    }
    let (passes, tables) = passes(plan);
    if passes.is_empty() {
        // Antialias with every axis unchanged: a copy, as in PyTorch.
        encoder.copy_buffer_to_buffer(input.buffer(), 0, output.buffer(), 0, input.size_bytes());
        return Ok(());
    }
    let limits = ctx.limits();
    let max_binding = limits.max_storage_buffer_binding_size;
    let align = limits.min_storage_buffer_offset_alignment as u64;
    let scratch_plane = passes
        .iter()
        .find(|p| p.dst == Stage::Scratch)
        .map_or(0, |p| p.out_dims.iter().product::<usize>());
    // Planes per chunk: every bound range (misaligned start included) must fit one binding.
    let fit = |plane_elems: usize| -> u64 {
        max_binding
            .saturating_sub(align)
            .checked_div(plane_elems as u64 * 4)
            .unwrap_or(u64::MAX)
    };
    let chunk = fit(in_plane).min(fit(out_plane)).min(fit(scratch_plane));
    if chunk == 0 {
        return Err(Error::LimitExceeded(format!(
            "one (N, C) plane of the upsample ({} input and {} output bytes) exceeds this \
             adapter's max_storage_buffer_binding_size of {max_binding} bytes",
            in_plane * 4,
            out_plane * 4
        )));
    }
    let chunk = (chunk as usize).min(planes);
    let device = ctx.device();
    let table_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("upsample tables"),
        contents: bytemuck::cast_slice(if tables.words.is_empty() {
            &[0u32][..]
        } else {
            &tables.words
        }),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let scratch = (scratch_plane > 0)
        .then(|| ctx.storage_buffer("upsample scratch", (chunk * scratch_plane) as u64 * 4))
        .transpose()?;
    let pipelines = passes
        .iter()
        .map(|p| ctx.pipeline(p.kernel))
        .collect::<Result<Vec<_>>>()?;
    let max_dim = limits.max_compute_workgroups_per_dimension;

    let mut cpass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("upsample"),
        timestamp_writes,
    });
    for p0 in (0..planes).step_by(chunk) {
        let n = chunk.min(planes - p0);
        for (pass, pipeline) in passes.iter().zip(&pipelines) {
            let pass_in: usize = pass.in_dims.iter().product();
            let pass_out: usize = pass.out_dims.iter().product();
            let bind = |stage: Stage, plane: usize| -> (&wgpu::Buffer, u64, u64, u32) {
                match stage {
                    Stage::Scratch => {
                        let b = scratch.as_ref().expect("scratch exists for two passes");
                        (b, 0, (n * plane) as u64 * 4, 0)
                    }
                    Stage::Input | Stage::Output => {
                        let b = if stage == Stage::Input {
                            input.buffer()
                        } else {
                            output.buffer()
                        };
                        let start = (p0 * plane) as u64 * 4;
                        let base = start - start % align;
                        let end = ((p0 + n) * plane) as u64 * 4;
                        (b, base, end - base, ((start - base) / 4) as u32)
                    }
                }
            };
            let (src, src_at, src_len, in_offset) = bind(pass.src, pass_in);
            let (dst, dst_at, dst_len, out_offset) = bind(pass.dst, pass_out);
            let [_, oh, ow] = pass.out_dims;
            let rows = n * pass.out_dims[0] * oh;
            let segs = ow.div_ceil(WORKGROUP * STRIP);
            let params = Params {
                rows: rows as u32,
                segs: segs as u32,
                in_offset,
                out_offset,
                taps: pass.taps,
                in_dims: pass.in_dims.map(|d| d as u32),
                out_dims: pass.out_dims.map(|d| d as u32),
                tables: pass.tables,
                ..Default::default()
            };
            let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("upsample params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
            fn range(b: &wgpu::Buffer, at: u64, len: u64) -> wgpu::BindingResource<'_> {
                wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: b,
                    offset: at,
                    size: std::num::NonZeroU64::new(len.max(4)),
                })
            }
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("upsample"),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: uniform.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: range(src, src_at, src_len),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: range(dst, dst_at, dst_len),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: table_buffer.as_entire_binding(),
                    },
                ],
            });
            let [x, y, z] = grid((rows * segs) as u64, max_dim)?;
            cpass.set_pipeline(pipeline);
            cpass.set_bind_group(0, &bind_group, &[]);
            cpass.dispatch_workgroups(x, y, z);
        }
    }
    Ok(())
}
