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

/// Per-output y and z weights the `x2w_` kernels hold in a uniform array (`YZ_WEIGHTS` in
/// `x2.wgsl`: 64 KiB, WebGPU's guaranteed uniform binding size).
const X2_YZ_WEIGHTS: usize = 4096;

/// Input rows per thread of the ×2 kernels (`ROWS` in `x2.wgsl`).
const X2_ROWS: usize = 8;

/// Threads per workgroup of every upsample kernel (`WG` in `common.wgsl`), and outputs per thread
/// along x (`STRIP`): a workgroup covers a row segment of `WORKGROUP * STRIP` outputs.
const WORKGROUP: usize = 64;
/// WebGPU's default `max_compute_workgroups_per_dimension`, for sizing scratch memory (the x2
/// kernels, when a device allows them, need no scratch, so a lower limit only lowers the need).
pub(crate) const DEFAULT_MAX_WORKGROUPS: u32 = 65_535;
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
    /// (⌈in_w / 8 / WORKGROUP⌉, ⌈in_h / X2_ROWS⌉, planes · in_d); `src`, `src4`, `dst4`, the
    /// tables as `wt4` and the uniform array `yz` bound. `depth_kept`: the depth is not doubled.
    X2 {
        depth_kept: bool,
        /// Tap weights of even and odd outputs along x, y, z (`p.phases`; the `x2w_` kernels
        /// read weights per output from the tables instead).
        phases: [[f32; 4]; 6],
    },
}

/// All per-axis tables of one upsample, packed into one `u32` buffer.
#[derive(Default)]
struct Tables {
    words: Vec<u32>,
}

impl Tables {
    /// Appends a table at a multiple of 4 words (for kernels that read it as `vec4`s), returning
    /// its word offset.
    fn push_vec4(&mut self, words: impl IntoIterator<Item = u32>) -> u32 {
        self.words.resize(self.words.len().next_multiple_of(4), 0);
        self.push(words)
    }

    /// Appends a table, returning its word offset.
    fn push(&mut self, words: impl IntoIterator<Item = u32>) -> u32 {
        let at = self.words.len() as u32;
        self.words.extend(words);
        at
    }
}

/// The kernels, tables and passes for `plan`.
/// The passes for `plan` on a device allowing `max_dim` workgroups per grid dimension.
fn passes(plan: &Plan, max_dim: u32) -> (Vec<Pass>, Tables) {
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
    if let Some(pass) = x2_pass(plan, in_dims, out_dims, max_dim, &mut t) {
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

/// The ×2 pass (`x2.wgsl`) for `plan` where it applies, with its weight tables (if any) appended
/// to `t`: nearest, nearest-exact, bilinear, trilinear or bicubic on a 4-D or 5-D input, no
/// antialias, height and width doubled (depth doubled or kept), the input width a multiple of 4,
/// and PyTorch's taps (from `coords`) along every axis following the ×2 pattern: output `2i + φ`
/// reads `clamp(i + φ - T/2 + t)` (`T` taps; nearest: `i`). The weights go to the uniform buffer
/// where they repeat with period 2 (`align_corners=False`), else per output to tables (the
/// `x2w_` entry points). Otherwise `None`, and `t` is untouched.
fn x2_pass(
    plan: &Plan,
    in_dims: [usize; 3],
    out_dims: [usize; 3],
    max_dim: u32,
    t: &mut Tables,
) -> Option<Pass> {
    let (entry, taps) = match plan.mode {
        _ if plan.antialias || plan.axes.len() < 2 => return None,
        UpsampleMode::Nearest | UpsampleMode::NearestExact => ("nearest", 1),
        UpsampleMode::Bilinear | UpsampleMode::Trilinear => ("linear", 2),
        UpsampleMode::Bicubic => ("cubic", 4),
        UpsampleMode::Linear | UpsampleMode::Area => return None,
    };
    let [ad, ah, aw] = plan.axes3();
    let doubled = |a: &Axis| a.output == 2 * a.input;
    let depth_kept = ad.output == ad.input;
    if !doubled(&ah) || !doubled(&aw) || !(depth_kept || doubled(&ad)) || aw.input % 4 != 0 {
        return None;
    }
    // Grid (⌈in_w / 8 / WORKGROUP⌉, ⌈in_h / X2_ROWS⌉, planes · in_d) within the device's limit
    // per dimension; `encode` chunks the planes so that planes · in_d stays within it.
    let max_dim = max_dim as usize;
    if (aw.input / 4).div_ceil(2).div_ceil(WORKGROUP) > max_dim
        || ah.input.div_ceil(X2_ROWS) > max_dim
        || ad.input > max_dim
    {
        return None;
    }
    // The axes the kernel interpolates: w, h, and d where it is doubled.
    let axes: Vec<Axis> = [aw, ah, ad]
        .into_iter()
        .take(if depth_kept { 2 } else { 3 })
        .collect();
    if taps == 1 {
        let pattern = |a: &Axis| {
            let idx = if plan.mode == UpsampleMode::NearestExact {
                coords::nearest_exact(*a)
            } else {
                coords::nearest(*a, plan.axes.len() == 2)
            };
            idx.iter().enumerate().all(|(o, &i)| i as usize == o / 2)
        };
        return axes.iter().all(pattern).then(|| Pass {
            kernel: Kernel {
                shader: X2,
                entry: if depth_kept {
                    "x2_nearest"
                } else {
                    "x2_nearest_3d"
                },
            },
            src: Stage::Input,
            dst: Stage::Output,
            in_dims,
            out_dims,
            tables: [0; 3],
            taps: 1,
            layout: Layout::X2 {
                depth_kept,
                phases: Default::default(),
            },
        });
    }
    let weights = axes
        .iter()
        .map(|a| x2_weights(plan, *a, taps))
        .collect::<Option<Vec<_>>>()?;
    let periodic: Option<Vec<[[f32; 4]; 2]>> = axes
        .iter()
        .zip(&weights)
        .map(|(a, w)| x2_phases(w, a.input, taps))
        .collect();
    let mut phases = [[0.0f32; 4]; 6];
    let mut tables = [0u32; 3];
    let per_output = periodic.is_none();
    match periodic {
        Some(periodic) => {
            for (k, [even, odd]) in periodic.into_iter().enumerate() {
                phases[2 * k] = even;
                phases[2 * k + 1] = odd;
            }
        }
        None => {
            // x: per thread (16 outputs), for each of its 4 output groups (even and odd outputs
            // of each input vec4) and each tap, the group's 4 weights; y, z: per output.
            let w = &weights[0].ours;
            let x = (0..aw.input.div_ceil(8)).flat_map(|q| {
                [0, 1, 8, 9].into_iter().flat_map(move |g| {
                    (0..taps).flat_map(move |tap| {
                        (0..4).map(move |m| {
                            w.get(16 * q + g + 2 * m).map_or(0.0, |o| o[tap]).to_bits()
                        })
                    })
                })
            });
            // y and z go to a uniform array of X2_YZ_WEIGHTS vec4s (`encode` builds it from the
            // tables): rows from 0, slices after them.
            let (oh, od) = (ah.output, if depth_kept { 0 } else { ad.output });
            if oh + od > X2_YZ_WEIGHTS {
                return None;
            }
            tables[2] = t.push_vec4(x) / 4;
            tables[1] = t.push_vec4(weights[1].ours.iter().flatten().map(|w| w.to_bits())) / 4;
            if let Some(z) = weights.get(2) {
                tables[0] = t.push_vec4(z.ours.iter().flatten().map(|w| w.to_bits())) / 4;
            }
        }
    }
    let entry = match (per_output, entry, depth_kept) {
        (false, "linear", true) => "x2_linear",
        (false, "linear", false) => "x2_linear_3d",
        (false, _, _) => "x2_cubic",
        (true, "linear", true) => "x2w_linear",
        (true, "linear", false) => "x2w_linear_3d",
        (true, _, _) => "x2w_cubic",
    };
    Some(Pass {
        kernel: Kernel { shader: X2, entry },
        src: Stage::Input,
        dst: Stage::Output,
        in_dims,
        out_dims,
        tables,
        taps: taps as u32,
        layout: Layout::X2 { depth_kept, phases },
    })
}

/// Source index of `x2.wgsl`'s tap `tap` (of `taps`) for output `o` of a doubled axis of `i_size`
/// inputs: output `2i + φ` reads `clamp(i + φ - taps/2 + tap, 0, i_size - 1)`.
fn x2_tap(o: usize, tap: usize, taps: usize, i_size: usize) -> u32 {
    let (i, phi) = ((o / 2) as i64, (o % 2) as i64);
    (i + phi - (taps / 2) as i64 + tap as i64).clamp(0, i_size as i64 - 1) as u32
}

/// Per output of a doubled axis, the weights of `x2.wgsl`'s taps (`T` of them, zero-padded to
/// 4): output `2i + φ` reads `clamp(i + φ - T/2 + t)`. Each of PyTorch's taps (from `coords`) is
/// given to the first of ours at the same index (a later one at the same index gets 0); `None`
/// where one of PyTorch's taps with a nonzero weight is not among ours. Where PyTorch reads two
/// indices and ours repeat one (its clamped coordinate at a linear border: weight 1 on index 0,
/// 0 on index 1) the sum is the same except for a 0 · x term.
fn x2_weights(plan: &Plan, axis: Axis, taps: usize) -> Option<X2Weights> {
    // PyTorch's taps per output: (source index, weight), in order.
    let pytorch: Vec<Vec<(u32, f32)>> = if taps == 2 {
        coords::linear(axis, plan.align_corners)
            .iter()
            .map(|l| vec![(l.i0, l.w0), (l.i1, l.w1)])
            .collect()
    } else {
        coords::cubic(axis, plan.align_corners)
            .iter()
            .map(|c| c.index.into_iter().zip(c.weight).collect())
            .collect()
    };
    let raw = pytorch
        .iter()
        .map(|theirs| std::array::from_fn(|t| theirs.get(t).map_or(0.0, |&(_, w)| w)))
        .collect();
    let ours = pytorch
        .iter()
        .enumerate()
        .map(|(o, theirs)| {
            let mut left: Vec<(u32, f32)> = theirs.iter().copied().filter(|t| t.1 != 0.0).collect();
            let mut ours = [0.0f32; 4];
            for (tap, w) in ours.iter_mut().enumerate().take(taps) {
                let at = x2_tap(o, tap, taps, axis.input);
                // PyTorch's weights at this index, summed in order (clamped duplicates).
                let mut sum = None;
                left.retain(|&(j, wj)| {
                    if j == at {
                        sum = Some(sum.map_or(wj, |s: f32| s + wj));
                        false
                    } else {
                        true
                    }
                });
                *w = sum.unwrap_or(0.0);
            }
            left.is_empty().then_some(ours)
        })
        .collect::<Option<_>>()?;
    Some(X2Weights { raw, ours })
}

/// One doubled axis's weights for `x2.wgsl`, per output: PyTorch's (`raw`, in its tap order)
/// and the kernel's taps' (`ours`, see `x2_weights`).
struct X2Weights {
    raw: Vec<[f32; 4]>,
    ours: Vec<[f32; 4]>,
}

/// The two phases' weights (even outputs, then odd) where the per-output `weights` of an axis
/// of `i_size` inputs (from `x2_weights`) repeat with period 2: equal at every output once the
/// taps that read the same (clamped) index are summed. So at a border where PyTorch clamps a
/// linear coordinate (bilinear output 0: weight 1 on index 0) the kernel adds the phase's 0.25
/// and 0.75 of index 0 instead, which may round differently in the last bit.
fn x2_phases(weights: &X2Weights, i_size: usize, taps: usize) -> Option<[[f32; 4]; 2]> {
    let n = weights.ours.len();
    let at = |o: usize, tap: usize| x2_tap(o, tap, taps, i_size);
    // Each phase's weights: PyTorch's at an output away from the borders (where it may clamp
    // the coordinate), or the phase's first output on a short axis.
    let phase = |phi: usize| {
        let o = if n >= 4 { 2 * (n / 4) + phi } else { phi };
        weights.raw.get(o).copied()
    };
    let phases = [phase(0)?, phase(1)?];
    let periodic = weights.ours.iter().enumerate().all(|(o, w)| {
        // Per distinct index, the summed weights (in tap order) must agree.
        (0..taps).all(|tap| {
            let same = (0..taps).filter(|&u| at(o, u) == at(o, tap));
            let sum = |v: &[f32; 4]| same.clone().fold(0.0f32, |s, u| s + v[u]);
            sum(w) == sum(&phases[o % 2])
        })
    });
    periodic.then_some(phases)
}

/// The entry points `encode` dispatches for `plan`, in order.
pub(crate) fn kernels(plan: &Plan, max_dim: u32) -> Vec<&'static str> {
    passes(plan, max_dim)
        .0
        .iter()
        .map(|p| p.kernel.entry)
        .collect()
}

/// Bytes of GPU memory the op needs beyond its input and output (tables, scratch, parameters).
pub(crate) fn scratch_bytes(plan: &Plan) -> u64 {
    let (passes, tables) = passes(plan, DEFAULT_MAX_WORKGROUPS);
    let scratch = if passes.len() == 2 {
        let d = passes[0].out_dims;
        (plan.planes * d[0] * d[1] * d[2]) as u64 * 4
    } else {
        0
    };
    // The x2w kernels' uniform array of y and z weights (the other x2 kernels bind the context's
    // shared zeros).
    let x2 = passes
        .iter()
        .filter(|p| p.kernel.entry.starts_with("x2w_"))
        .count() as u64
        * 16
        * X2_YZ_WEIGHTS as u64;
    tables.words.len() as u64 * 4 + scratch + x2 + std::mem::size_of::<Params>() as u64
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
    let limits = ctx.limits();
    let (passes, tables) = passes(plan, limits.max_compute_workgroups_per_dimension);
    if passes.is_empty() {
        // Antialias with every axis unchanged: a copy, as in PyTorch.
        encoder.copy_buffer_to_buffer(input.buffer(), 0, output.buffer(), 0, input.size_bytes());
        return Ok(());
    }
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
    let max_dim = limits.max_compute_workgroups_per_dimension.max(1);
    let mut chunk = (chunk as usize).min(planes);
    for p in &passes {
        // Planes per dispatch: the ×2 kernels' grid z is planes · in_d (`x2_pass` checked that
        // one plane fits); the others spread rows · segments over up to max_dim³ workgroups.
        let (per_plane, capacity) = match p.layout {
            Layout::X2 { .. } => (p.in_dims[0], max_dim as usize),
            Layout::RowSegments => {
                let [od, oh, ow] = p.out_dims;
                let capacity = (max_dim as u64).pow(3).min(usize::MAX as u64) as usize;
                (od * oh * ow.div_ceil(WORKGROUP * STRIP), capacity)
            }
        };
        chunk = chunk.min(capacity / per_plane.max(1));
    }
    if chunk == 0 {
        return Err(Error::LimitExceeded(format!(
            "one (N, C) plane of the upsample needs more workgroups than this device's \
             {max_dim}×{max_dim}×{max_dim} dispatch grid holds"
        )));
    }
    if tables.words.len() as u64 * 4 > max_binding {
        return Err(Error::LimitExceeded(format!(
            "the upsample's per-axis index and weight tables ({} bytes) exceed this adapter's \
             max_storage_buffer_binding_size of {max_binding} bytes",
            tables.words.len() as u64 * 4
        )));
    }
    let device = ctx.device();
    // At least one vec4 (the x2 kernels bind it as `array<vec4<f32>>` even when unused), and a
    // whole number of them.
    let mut words = tables.words;
    words.resize(words.len().max(1).next_multiple_of(4), 0);
    let table_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("upsample tables"),
        contents: bytemuck::cast_slice(&words),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let scratch = (scratch_plane > 0)
        .then(|| ctx.storage_buffer("upsample scratch", (chunk * scratch_plane) as u64 * 4))
        .transpose()?;
    let pipelines = passes
        .iter()
        .map(|p| ctx.pipeline(p.kernel))
        .collect::<Result<Vec<_>>>()?;
    // The x2 kernels' uniform array of per-output y and z weights (zeros where the weights are
    // by phase), copied from the tables: rows from 0, slices after them.
    // The x2w kernels' uniform array of per-output y and z weights, copied from the tables: rows
    // from 0, slices after them. The x2 kernels with weights by phase never read it and bind the
    // context's shared zeros.
    let yz = passes
        .iter()
        .find(|p| p.kernel.entry.starts_with("x2w_"))
        .map(|pass| {
            let mut vec4s = vec![0u32; 4 * X2_YZ_WEIGHTS];
            let [od, oh, _] = pass.out_dims;
            let depth = if matches!(
                pass.layout,
                Layout::X2 {
                    depth_kept: true,
                    ..
                }
            ) {
                0
            } else {
                od
            };
            let y = 4 * pass.tables[1] as usize;
            let z = 4 * pass.tables[0] as usize;
            vec4s[..4 * oh].copy_from_slice(&words[y..y + 4 * oh]);
            vec4s[4 * oh..4 * (oh + depth)].copy_from_slice(&words[z..z + 4 * depth]);
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("upsample x2 weights"),
                contents: bytemuck::cast_slice(&vec4s),
                usage: wgpu::BufferUsages::UNIFORM,
            })
        });
    let yz = yz.as_ref().unwrap_or_else(|| ctx.zero_uniform());
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
                tables: match pass.layout {
                    // x2: z and y index the uniform array `yz` (rows from 0, slices after them),
                    // x the table `wt4`.
                    Layout::X2 { .. } => [oh as u32, 0, pass.tables[2]],
                    Layout::RowSegments => pass.tables,
                },
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
                // `src` and its vec4 view `src4`, `dst4`, and the weight tables as vec4s (`wt4`,
                // read by the `x2w_` kernels only; naga keeps it in every x2 entry's layout).
                Layout::X2 { .. } => vec![
                    binding(0, uniform.as_entire_binding()),
                    binding(1, range(src, src_at, src_len)),
                    binding(4, range(src, src_at, src_len)),
                    binding(5, range(dst, dst_at, dst_len)),
                    binding(6, table_buffer.as_entire_binding()),
                    binding(7, yz.as_entire_binding()),
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
