// Separable window passes: one axis at a time, each output a weighted sum over a window of
// consecutive inputs along that axis. The antialias forward (bilinear, bicubic, lanczos) runs
// them with its normalised filter windows, every backward with the forward's taps transposed.
// The axis's table holds start[O], len[O], then `taps` weights per output index, then (where
// p.indexed: the backward's transposed taps, in which an input may repeat) `taps` input indices
// per output index; else slot k reads input start + k.

// The input of slot k of output o, whose table starts at `table` (`n` outputs).
fn slot_input(table: u32, n: u32, o: u32, start: u32, k: u32) -> u32 {
    if (p.indexed != 0u) {
        return tab[table + 2u * n + n * p.taps + o * p.taps + k];
    }
    return start + k;
}

// Along w (the contiguous axis).
@compute @workgroup_size(WG)
fn window_w(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let row = p.in_offset + ((r.plane * p.in_d + r.z) * p.in_h + r.y) * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let start = tab[p.tab_w + x];
        let n = tab[p.tab_w + p.out_w + x];
        let w = p.tab_w + 2u * p.out_w + x * p.taps;
        var acc = 0.0;
        for (var k = 0u; k < n; k++) {
            acc += bitcast<f32>(tab[w + k]) * src[row + slot_input(p.tab_w, p.out_w, x, start, k)];
        }
        dst[r.out + x] = acc;
    }
}

// Along h: whole rows weighted, neighbouring threads on neighbouring x. (Along d the host views
// each plane as (1, d, h·w).)
@compute @workgroup_size(WG)
fn window_h(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let start = tab[p.tab_h + r.y];
    let n = tab[p.tab_h + p.out_h + r.y];
    let w = p.tab_h + 2u * p.out_h + r.y * p.taps;
    let col = p.in_offset + (r.plane * p.in_d + r.z) * p.in_h * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        var acc = 0.0;
        for (var k = 0u; k < n; k++) {
            let y = slot_input(p.tab_h, p.out_h, r.y, start, k);
            acc += bitcast<f32>(tab[w + k]) * src[col + y * p.in_w + x];
        }
        dst[r.out + x] = acc;
    }
}
