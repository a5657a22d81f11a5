//! The GPU launch for every upsample mode: per-axis tables on the host, one kernel per mode family
//! (`shaders/upsample/`), dispatches chunked over N·C planes so that no binding exceeds the
//! adapter's storage-binding limit.

use wgpu::util::DeviceExt;

use super::coords;
use super::options::{Axis, Plan, UpsampleMode};
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
const X2: Shader = shader!("x2");

/// Input rows per thread of the ×2 kernels (`ROWS` in `x2.wgsl`).
const X2_ROWS: usize = 8;

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
    phases: [[f32; 4]; 6],
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
    /// How threads map to outputs.
    layout: Layout,
}

/// How a kernel's threads cover the output, and which views of the buffers it binds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// A workgroup per row segment of `WORKGROUP * STRIP` outputs (`output_row` in `common.wgsl`);
    /// `src`, `dst` and `tab` bound.
    RowSegments,
    /// `x2.wgsl`: a thread per 8 input elements of `X2_ROWS` input rows of one slice, the grid
    /// (⌈in_w / 8 / WORKGROUP⌉, ⌈in_h / X2_ROWS⌉, planes · in_d); `src`, `src4` and `dst4` bound.
    /// `depth_kept`: the depth is not doubled.
    X2 {
        depth_kept: bool,
        /// Tap weights of even and odd outputs along x, y, z (`p.phases`).
        phases: [[f32; 4]; 6],
    },
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
            layout: Layout::RowSegments,
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
                layout: Layout::RowSegments,
            });
            cur = next;
        }
        if out.len() == 2 {
            out[0].dst = Stage::Scratch;
            out[1].src = Stage::Scratch;
        }
        return (out, t);
    }
    if let Some(pass) = x2_pass(plan, in_dims, out_dims) {
        return (vec![pass], t);
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

/// The ×2 pass (`x2.wgsl`) for `plan` where it applies:
/// nearest, nearest-exact, bilinear, trilinear or bicubic on a 4-D or 5-D input, no antialias,
/// height and width doubled (depth doubled or kept), the input width a multiple of 4, and every
/// axis's taps (PyTorch's, from `coords`) periodic: output `2i + φ` reads `i + OFF_φ + t`, clamped,
/// with weights that depend only on φ. Otherwise `None`.
fn x2_pass(plan: &Plan, in_dims: [usize; 3], out_dims: [usize; 3]) -> Option<Pass> {
    let (entry, taps) = match plan.mode {
        _ if plan.antialias || plan.axes.len() < 2 => return None,
        UpsampleMode::Nearest | UpsampleMode::NearestExact => ("x2_nearest", 1),
        UpsampleMode::Bilinear | UpsampleMode::Trilinear => ("x2_linear", 2),
        UpsampleMode::Bicubic => ("x2_cubic", 4),
        UpsampleMode::Linear | UpsampleMode::Area => return None,
    };
    let [ad, ah, aw] = plan.axes3();
    let doubled = |a: &Axis| a.output == 2 * a.input;
    let depth_kept = ad.output == ad.input;
    if !doubled(&ah) || !doubled(&aw) || !(depth_kept || doubled(&ad)) || aw.input % 4 != 0 {
        return None;
    }
    // Grid (⌈in_w / 4 / WORKGROUP⌉, in_h, planes · in_d): every adapter allows 65 535 per
    // dimension; `encode` keeps planes · in_d within the device's limit.
    if (aw.input / 4).div_ceil(WORKGROUP) > 65_535 || ah.input > 65_535 || ad.input > 65_535 {
        return None;
    }
    let mut phases = [[0.0f32; 4]; 6];
    for (k, axis) in [aw, ah, ad].into_iter().enumerate() {
        if k == 2 && depth_kept {
            continue;
        }
        let [even, odd] = x2_phases(plan, axis, taps)?;
        phases[2 * k][..even.len()].copy_from_slice(&even);
        phases[2 * k + 1][..odd.len()].copy_from_slice(&odd);
    }
    let entry = match (entry, depth_kept) {
        ("x2_nearest", false) => "x2_nearest_3d",
        ("x2_linear", false) => "x2_linear_3d",
        (entry, _) => entry,
    };
    Some(Pass {
        kernel: Kernel { shader: X2, entry },
        src: Stage::Input,
        dst: Stage::Output,
        in_dims,
        out_dims,
        tables: [0; 3],
        taps: taps as u32,
        layout: Layout::X2 { depth_kept, phases },
    })
}

/// The two phases' weights (even outputs, then odd) of a doubled axis when PyTorch's taps along
/// it (from `coords`) follow `x2.wgsl`'s pattern: output `2i + φ` reads `clamp(i + φ - T/2 + t)`
/// (`T` taps; nearest: `i`). Checked at every output as a map from source index to summed
/// weight, zero weights dropped: the same terms, except that where PyTorch clamps a linear
/// coordinate at the border (output 0: weight 1 on index 0) the kernel adds 0.25 and 0.75 of
/// index 0, which may round differently in the last bit.
fn x2_phases(plan: &Plan, axis: Axis, taps: usize) -> Option<[Vec<f32>; 2]> {
    let (i_size, o_size) = (axis.input, axis.output);
    // PyTorch's taps per output: (source index, weight), in order.
    let table: Vec<Vec<(u32, f32)>> = match taps {
        1 => {
            let idx = if plan.mode == UpsampleMode::NearestExact {
                coords::nearest_exact(axis)
            } else {
                coords::nearest(axis, plan.axes.len() == 2)
            };
            return idx
                .iter()
                .enumerate()
                .all(|(o, &i)| i as usize == o / 2)
                .then(|| [vec![], vec![]]);
        }
        2 => coords::linear(axis, plan.align_corners)
            .iter()
            .map(|l| vec![(l.i0, l.w0), (l.i1, l.w1)])
            .collect(),
        _ => coords::cubic(axis, plan.align_corners)
            .iter()
            .map(|c| c.index.into_iter().zip(c.weight).collect())
            .collect(),
    };
    // The phases' weights, from the middle of the axis.
    let mid = 2 * (i_size / 2);
    let phases = [0, 1].map(|phi| {
        table
            .get((mid + phi).min(o_size - 1))
            .map(|taps| taps.iter().map(|&(_, w)| w).collect::<Vec<f32>>())
            .unwrap_or_default()
    });
    let weights = |taps: &mut dyn Iterator<Item = (u32, f32)>| {
        let mut map: Vec<(u32, f32)> = Vec::new();
        for (i, w) in taps {
            match map.iter_mut().find(|(j, _)| *j == i) {
                Some((_, sum)) => *sum += w,
                None => map.push((i, w)),
            }
        }
        map.retain(|&(_, w)| w != 0.0);
        map
    };
    let last = i_size as i64 - 1;
    let half = (taps / 2) as i64;
    let periodic = table.iter().enumerate().all(|(o, pytorch)| {
        let (i, phi) = ((o / 2) as i64, o % 2);
        let ours = phases[phi].iter().enumerate().map(|(t, &w)| {
            let at = (i + phi as i64 - half + t as i64).clamp(0, last);
            (at as u32, w)
        });
        weights(&mut pytorch.iter().copied()) == weights(&mut ours.into_iter())
    });
    (periodic && phases.iter().all(|p| p.len() == taps)).then_some(phases)
}

/// The entry points `encode` dispatches for `plan`, in order.
pub(crate) fn kernels(plan: &Plan) -> Vec<&'static str> {
    passes(plan).0.iter().map(|p| p.kernel.entry).collect()
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
    let mut chunk = (chunk as usize).min(planes);
    if let Some(p) = passes
        .iter()
        .find(|p| matches!(p.layout, Layout::X2 { .. }))
    {
        // The ×2 kernels' grid z is planes · in_d.
        chunk = chunk.min(limits.max_compute_workgroups_per_dimension as usize / p.in_dims[0]);
    }
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
                phases: match pass.layout {
                    Layout::X2 { phases, .. } => phases,
                    Layout::RowSegments => Default::default(),
                },
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
            let binding = |binding, resource| wgpu::BindGroupEntry { binding, resource };
            let entries = match pass.layout {
                Layout::RowSegments => vec![
                    binding(0, uniform.as_entire_binding()),
                    binding(1, range(src, src_at, src_len)),
                    binding(2, range(dst, dst_at, dst_len)),
                    binding(3, table_buffer.as_entire_binding()),
                ],
                // `src` and its vec4 view `src4`, and `dst4`; no tables.
                Layout::X2 { .. } => vec![
                    binding(0, uniform.as_entire_binding()),
                    binding(1, range(src, src_at, src_len)),
                    binding(4, range(src, src_at, src_len)),
                    binding(5, range(dst, dst_at, dst_len)),
                ],
            };
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("upsample"),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &entries,
            });
            let [x, y, z] = match pass.layout {
                Layout::RowSegments => grid((rows * segs) as u64, max_dim)?,
                Layout::X2 { .. } => {
                    let [id, ih, iw] = pass.in_dims;
                    let x = (iw / 4).div_ceil(2).div_ceil(WORKGROUP);
                    [x, ih.div_ceil(X2_ROWS), n * id].map(|d| d as u32)
                }
            };
            cpass.set_pipeline(pipeline);
            cpass.set_bind_group(0, &bind_group, &[]);
            cpass.dispatch_workgroups(x, y, z);
        }
    }
    Ok(())
}
