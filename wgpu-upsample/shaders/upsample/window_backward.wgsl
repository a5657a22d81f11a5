// The window pass along h (along d the host views each plane as (1, d, h·w)) with vec4s, where
// the rows are a multiple of 4 long: window_h (window.wgsl) four elements at a time, for the
// backward (its tables may list the inputs: p.indexed) and the antialias forward (start + k).
// Every element of a row has the same taps along h, so each tap is one vec4 load for four
// outputs instead of four loads (lavapipe runs each load as a loop over its lanes). The same
// table, the same terms in the same order (acc = 0, then += w · g tap by tap), so the same sums.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;

// Thread lid of a row segment (WG · STRIP elements) computes vec4 lid of it.
@compute @workgroup_size(WG)
fn window_h4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let x4 = (r.x0 - lid) / STRIP + lid;
    if (4u * x4 >= p.out_w) {
        return;
    }
    let start = tab[p.tab_h + r.y];
    let n = tab[p.tab_h + p.out_h + r.y];
    let w = p.tab_h + 2u * p.out_h + r.y * p.taps;
    let index = p.tab_h + 2u * p.out_h + p.out_h * p.taps + r.y * p.taps;
    let row4 = p.in_w / 4u;
    let col = (p.in_offset + (r.plane * p.in_d + r.z) * p.in_h * p.in_w) / 4u + x4;
    var acc = vec4<f32>(0.0);
    for (var k = 0u; k < n; k++) {
        let y = select(start + k, tab[index + k], p.indexed != 0u);
        acc += bitcast<f32>(tab[w + k]) * src4[col + y * row4];
    }
    dst4[r.out / 4u + x4] = acc;
}
