//! Helpers for the CPU references: running independent planes on all cores.

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
    if out_plane == 0 || output.is_empty() {
        return;
    }
    let planes = output.len() / out_plane;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(planes)
        .max(1);
    // Small jobs are not worth a thread.
    if threads == 1 || output.len() < 1 << 14 {
        for (p, out) in output.chunks_mut(out_plane).enumerate() {
            f(p, &input[p * in_plane..(p + 1) * in_plane], out);
        }
        return;
    }
    let per_thread = planes.div_ceil(threads);
    std::thread::scope(|scope| {
        for (t, chunk) in output.chunks_mut(per_thread * out_plane).enumerate() {
            let f = &f;
            scope.spawn(move || {
                for (k, out) in chunk.chunks_mut(out_plane).enumerate() {
                    let p = t * per_thread + k;
                    f(p, &input[p * in_plane..(p + 1) * in_plane], out);
                }
            });
        }
    });
}
