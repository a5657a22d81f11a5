//! Launch plumbing shared by every op: chunking work so that every bound range fits one storage
//! binding and every grid fits the device, aligned sub-buffer bindings, and one compute pass that
//! records dispatches (a parameter uniform and a bind group per dispatch).
//!
//! Kernels recover the linear workgroup index of a spread grid with `linear_workgroup` from
//! `shaders/common.wgsl`.

use wgpu::util::DeviceExt;

use super::GpuContext;
use super::kernel::{Compiled, Kernel, Params};
use crate::error::{Error, Result};

/// Workgroup counts `[x, y, z]` covering at least `workgroups` workgroups, each at most `max_dim`.
/// The grid may hold more than `workgroups` workgroups; kernels return early past the end.
pub(crate) fn grid(workgroups: u64, max_dim: u32) -> Result<[u32; 3]> {
    let max = max_dim.max(1) as u64;
    if workgroups == 0 {
        return Ok([0, 0, 0]);
    }
    let x = workgroups.min(max);
    let rows = workgroups.div_ceil(x);
    let y = rows.min(max);
    let z = rows.div_ceil(y);
    if z > max {
        return Err(Error::LimitExceeded(format!(
            "{workgroups} workgroups do not fit a {max}×{max}×{max} dispatch grid"
        )));
    }
    Ok([x as u32, y as u32, z as u32])
}

/// The device limits the plumbing works within.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// `max_storage_buffer_binding_size`, bytes.
    pub max_binding: u64,
    /// `min_storage_buffer_offset_alignment`, bytes.
    pub align: u64,
    /// `max_compute_workgroups_per_dimension`.
    pub max_dim: u32,
}

impl Limits {
    pub fn of(ctx: &GpuContext) -> Self {
        let l = ctx.limits();
        Limits {
            max_binding: l.max_storage_buffer_binding_size,
            align: (l.min_storage_buffer_offset_alignment as u64).max(4),
            max_dim: l.max_compute_workgroups_per_dimension.max(1),
        }
    }

    /// Workgroups a spread grid ([`grid`]) holds: `max_dim³`.
    pub fn grid_capacity(&self) -> u64 {
        (self.max_dim as u64).saturating_pow(3)
    }

    /// How many items (N·C planes, images, ...) one chunk takes so that, for every range bound
    /// as a window of `elems` elements per item, the window of a chunk — including the
    /// misaligned start of any chunk after the first — fits one binding. `None` when not even
    /// one item fits.
    pub fn items_per_binding(&self, elems: usize) -> Option<u64> {
        let item = elems as u64 * 4;
        if item == 0 {
            return Some(u64::MAX);
        }
        let mut n = self.max_binding / item;
        // Chunk k starts at byte k·n·item: rounded down to the alignment, the window grows by
        // at most align − gcd(n·item, align) bytes.
        while n > 0 {
            let step = n * item;
            let slack = if step.is_multiple_of(self.align) {
                0
            } else {
                self.align - gcd(step, self.align)
            };
            if step + slack <= self.max_binding {
                return Some(n);
            }
            n -= 1;
        }
        None
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Items per chunk for `items` items whose bound windows hold `elems` elements per item each
/// (inputs, outputs, scratch), whose dispatches need `workgroups_per_item` workgroups per item
/// in a grid of `grid_capacity` workgroups. `what` names one item in the error, e.g.
/// "one (N, C) plane of the upsample (… bytes)".
pub(crate) fn chunk_items(
    limits: &Limits,
    items: usize,
    elems: &[usize],
    workgroups_per_item: &[(u64, u64)],
    what: impl Fn() -> String,
) -> Result<usize> {
    let mut chunk = items.max(1) as u64;
    for &e in elems {
        chunk = chunk.min(limits.items_per_binding(e).ok_or_else(|| {
            Error::LimitExceeded(format!(
                "{} exceeds this adapter's max_storage_buffer_binding_size of {} bytes",
                what(),
                limits.max_binding
            ))
        })?);
    }
    for &(per_item, capacity) in workgroups_per_item {
        chunk = chunk.min(capacity / per_item.max(1));
    }
    if chunk == 0 {
        return Err(Error::LimitExceeded(format!(
            "{} needs more workgroups than this device's dispatch grid holds ({} per dimension)",
            what(),
            limits.max_dim
        )));
    }
    Ok(chunk as usize)
}

/// A window of a buffer bound to a kernel: `len` elements from element `first`, bound from the
/// aligned byte offset at or below it; `offset` is the element index of `first` in the window
/// (what the kernel adds to its indices).
#[derive(Debug, Clone)]
pub(crate) struct Window<'a> {
    pub resource: wgpu::BindingResource<'a>,
    pub offset: u32,
}

impl<'a> Window<'a> {
    pub fn new(buffer: &'a wgpu::Buffer, first: usize, len: usize, limits: &Limits) -> Self {
        let start = first as u64 * 4;
        let base = start - start % limits.align;
        let size = (start + len as u64 * 4 - base).max(4);
        Window {
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: base,
                size: std::num::NonZeroU64::new(size),
            }),
            offset: ((start - base) / 4) as u32,
        }
    }
}

/// How many workgroups a dispatch launches.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Workgroups {
    /// A 1-D count, spread over up to three dimensions ([`grid`]); kernels read the index with
    /// `linear_workgroup`.
    Linear(u64),
    /// A grid the kernel indexes itself (each dimension within the device's limit).
    Grid([u32; 3]),
}

/// One compute pass of an op, recording dispatches of the library's kernels.
pub(crate) struct Launch<'e> {
    ctx: &'e GpuContext,
    pass: wgpu::ComputePass<'e>,
    limits: Limits,
}

impl<'e> Launch<'e> {
    /// Begins a compute pass on `encoder` (with `timestamp_writes`, if given, at its beginning
    /// and end).
    pub fn new(
        ctx: &'e GpuContext,
        encoder: &'e mut wgpu::CommandEncoder,
        label: &str,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Self {
        let pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(label),
            timestamp_writes,
        });
        Launch {
            ctx,
            pass,
            limits: Limits::of(ctx),
        }
    }

    /// Records one dispatch of `kernel`: `params` in a new uniform at binding 0, and from
    /// `resources` (binding, resource) the bindings the kernel declares (others are left out;
    /// a declared one missing is an error).
    pub fn dispatch<P: Params>(
        &mut self,
        kernel: &Kernel,
        params: &P,
        resources: &[(u32, wgpu::BindingResource<'_>)],
        workgroups: Workgroups,
    ) -> Result<()> {
        let Compiled { pipeline, layout } = self.ctx.compiled(kernel)?;
        let device = self.ctx.device();
        let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(P::LAYOUT.wgsl),
            contents: bytemuck::bytes_of(params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        for &(binding, _) in kernel.bindings {
            let resource = resources
                .iter()
                .find(|(b, _)| *b == binding)
                .map(|(_, r)| r.clone())
                .ok_or_else(|| {
                    Error::Gpu(format!(
                        "internal: kernel {} needs binding {binding}, which was not given",
                        kernel.entry
                    ))
                })?;
            entries.push(wgpu::BindGroupEntry { binding, resource });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry),
            layout: &layout,
            entries: &entries,
        });
        let [x, y, z] = match workgroups {
            Workgroups::Linear(n) => grid(n, self.limits.max_dim)?,
            Workgroups::Grid(g) => g,
        };
        self.pass.set_pipeline(&pipeline);
        self.pass.set_bind_group(0, &bind_group, &[]);
        self.pass.dispatch_workgroups(x, y, z);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_and_stays_in_limits() {
        for &(n, max) in &[
            (1u64, 65_535u32),
            (65_535, 65_535),
            (65_536, 65_535),
            (10_000_000, 65_535),
            (7, 2),
            (9, 3),
        ] {
            let [x, y, z] = grid(n, max).unwrap();
            assert!(x <= max && y <= max && z <= max, "{n} {max}");
            let total = x as u64 * y as u64 * z as u64;
            assert!(total >= n, "{n}: {x}×{y}×{z}");
        }
        assert!(grid(28, 3).is_err());
        assert_eq!(grid(0, 65_535).unwrap(), [0, 0, 0]);
    }

    fn limits(max_binding: u64, align: u64) -> Limits {
        Limits {
            max_binding,
            align,
            max_dim: 65_535,
        }
    }

    #[test]
    fn a_plane_of_exactly_the_binding_size_fits() {
        let l = limits(128 << 20, 256);
        assert_eq!(l.items_per_binding(32 << 20), Some(1));
        assert_eq!(l.items_per_binding((32 << 20) + 1), None);
        // Aligned item sizes use the whole binding.
        assert_eq!(l.items_per_binding(64), Some((128 << 20) / 256));
    }

    #[test]
    fn misaligned_chunks_stay_within_the_binding() {
        // Every chunk start k·n·item, rounded down to the alignment, plus the chunk must fit.
        for (max, align) in [
            (1000u64, 256u64),
            (4096, 64),
            (128 << 10, 256),
            (1 << 20, 16),
        ] {
            let l = limits(max, align);
            for elems in [1usize, 3, 5, 17, 63, 100, 255, 1000] {
                let Some(n) = l.items_per_binding(elems) else {
                    assert!(elems as u64 * 4 > max, "{elems} refused under {max}");
                    continue;
                };
                let bytes = n * elems as u64 * 4;
                for k in 0..2 * align {
                    let start = k * bytes;
                    assert!(
                        start % align + bytes <= max,
                        "max {max} align {align} elems {elems}"
                    );
                }
                // And one more item per chunk would not always fit.
                let more = (n + 1) * elems as u64 * 4;
                assert!(
                    (0..2 * align).any(|k| (k * more) % align + more > max),
                    "max {max} align {align} elems {elems}: {n} is not the largest"
                );
            }
        }
    }

    #[test]
    fn chunks_respect_every_window_and_the_grid() {
        let l = limits(1 << 20, 256);
        let what = || "x".to_string();
        assert_eq!(chunk_items(&l, 10, &[1024, 4096], &[], what).unwrap(), 10);
        assert_eq!(chunk_items(&l, 1000, &[1024, 4096], &[], what).unwrap(), 64);
        assert_eq!(
            chunk_items(&l, 1000, &[16], &[(10, 100)], what).unwrap(),
            10
        );
        assert!(chunk_items(&l, 1, &[(1 << 18) + 1], &[], what).is_err());
        assert!(chunk_items(&l, 1, &[4], &[(101, 100)], what).is_err());
    }
}
