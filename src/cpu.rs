//! Helpers for the CPU references: running independent output chunks on all cores.

/// Splits `output` into chunks of `chunk` elements and calls `f(chunk_index, chunk)` for each, on
/// all available cores (small jobs stay on the calling thread).
pub(crate) fn par_chunks<F>(output: &mut [f32], chunk: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    if chunk == 0 || output.is_empty() {
        return;
    }
    let chunks = output.len().div_ceil(chunk);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(chunks)
        .max(1);
    if threads == 1 || output.len() < 1 << 14 {
        for (i, out) in output.chunks_mut(chunk).enumerate() {
            f(i, out);
        }
        return;
    }
    let per_thread = chunks.div_ceil(threads);
    std::thread::scope(|scope| {
        for (t, block) in output.chunks_mut(per_thread * chunk).enumerate() {
            let f = &f;
            scope.spawn(move || {
                for (k, out) in block.chunks_mut(chunk).enumerate() {
                    f(t * per_thread + k, out);
                }
            });
        }
    });
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
