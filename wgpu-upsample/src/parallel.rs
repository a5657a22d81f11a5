//! A parallel-for for the CPU references: independent pieces of an output on all cores.

use std::sync::Mutex;

/// Outputs smaller than this many elements are computed on the calling thread.
const SERIAL_BELOW: usize = 1 << 14;

/// The number of worker threads to use: the available cores (one in the browser, where
/// wasm32-unknown-unknown has no threads).
#[cfg(target_arch = "wasm32")]
fn cores() -> usize {
    1
}

/// The number of worker threads to use: the available cores.
#[cfg(not(target_arch = "wasm32"))]
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Calls `f(scratch, item)` for every item, on up to `cores()` threads that each take the next
/// item when they finish one (so a core slowed by other work takes fewer). Each thread makes its
/// `scratch` once with `init`; items run in order on a single thread when `serial`.
pub(crate) fn par_items<T, S, I, F>(items: Vec<T>, serial: bool, init: I, f: F)
where
    T: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, T) + Sync,
{
    let threads = if serial { 1 } else { cores().min(items.len()) };
    if threads <= 1 {
        let mut scratch = init();
        for item in items {
            f(&mut scratch, item);
        }
        return;
    }
    let queue = Mutex::new(items.into_iter());
    let next = || queue.lock().unwrap_or_else(|e| e.into_inner()).next();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut scratch = init();
                while let Some(item) = next() {
                    f(&mut scratch, item);
                }
            });
        }
    });
}

/// Splits `output` into chunks of `chunk` elements and calls `f(chunk_index, chunk)` for each, on
/// all available cores (small jobs stay on the calling thread). Consecutive chunks are handed out
/// in groups, about four per core.
pub(crate) fn par_chunks<T, F>(output: &mut [T], chunk: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    if chunk == 0 || output.is_empty() {
        return;
    }
    let serial = output.len() < SERIAL_BELOW;
    let per_item = output.len().div_ceil(chunk).div_ceil(4 * cores());
    let items: Vec<_> = output.chunks_mut(per_item * chunk).enumerate().collect();
    par_items(
        items,
        serial,
        || (),
        |_, (i, group)| {
            for (k, out) in group.chunks_mut(chunk).enumerate() {
                f(i * per_item + k, out);
            }
        },
    );
}

/// Splits `output` into planes of `out_plane` elements (and `input` into planes of `in_plane`)
/// and calls `f(plane_index, input_plane, output_plane)` for each, on all available cores.
pub(crate) fn for_each_plane<F>(
    input: &[f32],
    in_plane: usize,
    output: &mut [f32],
    out_plane: usize,
    f: F,
) where
    F: Fn(usize, &[f32], &mut [f32]) + Sync,
{
    par_chunks(output, out_plane, |p, out| {
        f(p, &input[p * in_plane..(p + 1) * in_plane], out)
    });
}

/// Splits `output`, planes of `rows` rows of `row_len` elements, into bands of whole rows within
/// one plane (at most `max_rows` each) and calls `f(scratch, plane, first_row, band)` for each,
/// on all available cores. Planes are cut into more bands when there are too few of them to keep
/// every core busy. Each thread makes its `scratch` once with `init`.
pub(crate) fn par_bands<S, I, F>(
    output: &mut [f32],
    rows: usize,
    row_len: usize,
    max_rows: usize,
    init: I,
    f: F,
) where
    I: Fn() -> S + Sync,
    F: Fn(&mut S, usize, usize, &mut [f32]) + Sync,
{
    let plane_len = rows * row_len;
    if plane_len == 0 || output.is_empty() {
        return;
    }
    let serial = output.len() < SERIAL_BELOW;
    let planes = output.len() / plane_len;
    // About four bands per core in all, so that a busy core does not hold the others up.
    let bands = (4 * cores()).div_ceil(planes).clamp(1, rows);
    let band_rows = rows.div_ceil(bands).clamp(1, max_rows.max(1));
    let mut items = Vec::with_capacity(planes * rows.div_ceil(band_rows));
    for (p, plane) in output.chunks_mut(plane_len).enumerate() {
        for (b, band) in plane.chunks_mut(band_rows * row_len).enumerate() {
            items.push((p, b * band_rows, band));
        }
    }
    par_items(items, serial, init, |scratch, (p, first_row, band)| {
        f(scratch, p, first_row, band)
    });
}

/// `len` zeros for the CPU references' outputs and scratch, allocated zeroed (`calloc`): fresh
/// pages come from the OS already zero, so unlike `tensor::zeroed` no pass writes the zeros
/// first, and a large output is written once, not twice. An allocation the machine cannot make
/// is an error (the message of `tensor::zeroed`).
pub(crate) fn zeroed_output(len: usize) -> crate::error::Result<Vec<f32>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout =
        std::alloc::Layout::array::<f32>(len).map_err(|_| crate::tensor::alloc_error(len))?;
    // SAFETY: the layout's size is not zero (len > 0).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<f32>();
    if ptr.is_null() {
        return Err(crate::tensor::alloc_error(len));
    }
    huge_pages(ptr.cast(), layout.size());
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `len` f32s, all
    // initialised (all-zero bits are 0.0f32), so it is a valid Vec of length and capacity `len`.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// Asks Linux to back the whole 2 MiB pages inside `size` fresh bytes at `ptr` with transparent
/// huge pages (`madvise(MADV_HUGEPAGE)`; a hint, ignored where they are off): a large output
/// then costs one page fault per 2 MiB instead of per 4 KiB, most of the time of the
/// memory-bound references. The contents are unchanged (still zeros, not yet touched).
#[cfg(target_os = "linux")]
fn huge_pages(ptr: *mut u8, size: usize) {
    const HUGE: usize = 2 << 20;
    // Outputs of at least this many bytes ask.
    const HUGE_BELOW: usize = 4 << 20;
    const MADV_HUGEPAGE: std::ffi::c_int = 14;
    unsafe extern "C" {
        fn madvise(
            addr: *mut std::ffi::c_void,
            len: usize,
            advice: std::ffi::c_int,
        ) -> std::ffi::c_int;
    }
    if size < HUGE_BELOW {
        return;
    }
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + size) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation just made, which this call owns;
        // the advice changes how its pages are backed, never their contents. A failure (e.g.
        // a kernel without THP) leaves the default pages: ignored.
        unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn huge_pages(_: *mut u8, _: usize) {}
