// The window pass along h (along d the host views each plane as (1, d, h·w)) with vec4s, where
// the rows are a multiple of 4 long: window_h (window.wgsl) four elements at a time, for the
// backward (its tables may list the inputs: p.indexed) and the antialias forward (start + k).
// Every element of a row has the same taps along h, so each tap is one vec4 load for four
// outputs instead of four loads (lavapipe runs each load as a loop over its lanes). The same
// table, the same terms in the same order (acc = 0, then += w · g tap by tap), so the same sums.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> yz: array<vec4<f32>, YZ_WEIGHTS>;

// Thread lid of a row segment (WG · H4 vec4s) computes vec4s lid, lid + WG, ... of it: each tap's
// table words are loaded once for H4 vec4s (lavapipe runs those loads lane by lane too).
// One entry point for tables with start + k, one for listed inputs (p.indexed): lavapipe would
// run the list's load either way.
@compute @workgroup_size(WG)
fn window_h4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    window_h4_rows(wg, nwg, lid, false);
}

@compute @workgroup_size(WG)
fn window_h4_indexed(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    window_h4_rows(wg, nwg, lid, true);
}

fn window_h4_rows(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, indexed: bool) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let x4 = (r.x0 - lid) / (WG * STRIP) * WG * H4 + lid;
    let n4 = p.out_w / 4u;
    if (x4 >= n4) {
        return;
    }
    let start = tab[p.tab_h + r.y];
    let n = tab[p.tab_h + p.out_h + r.y];
    let w = p.tab_h + 2u * p.out_h + r.y * p.taps;
    let index = p.tab_h + 2u * p.out_h + p.out_h * p.taps + r.y * p.taps;
    let row4 = p.in_w / 4u;
    let col = (p.in_offset + (r.plane * p.in_d + r.z) * p.in_h * p.in_w) / 4u;
    var acc: array<vec4<f32>, H4>;
    for (var k = 0u; k < n; k++) {
        var y = start + k;
        if (indexed) {
            y = tab[index + k];
        }
        let wk = bitcast<f32>(tab[w + k]);
        let at = col + y * row4;
        for (var j = 0u; j < H4; j++) {
            // Past the row: its last vec4 again (read, not stored).
            acc[j] += wk * src4[at + min(x4 + j * WG, n4 - 1u)];
        }
    }
    for (var j = 0u; j < H4; j++) {
        if (x4 + j * WG < n4) {
            dst4[r.out / 4u + x4 + j * WG] = acc[j];
        }
    }
}

// window_h4 (start + k) with the weights in the uniform array yz from element p.edge_qa: every
// lane of a workgroup reads the same weights, one load for all, where window_h4 loads them lane
// by lane. The same terms in the same order. (A function of its own: window_h4 binds no yz.)
@compute @workgroup_size(WG)
fn window_h4u(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let x4 = (r.x0 - lid) / (WG * STRIP) * WG * H4 + lid;
    let n4 = p.out_w / 4u;
    if (x4 >= n4) {
        return;
    }
    let start = tab[p.tab_h + r.y];
    let n = tab[p.tab_h + p.out_h + r.y];
    let w = p.edge_qa + r.y * p.taps;
    let row4 = p.in_w / 4u;
    let col = (p.in_offset + (r.plane * p.in_d + r.z) * p.in_h * p.in_w) / 4u;
    var acc: array<vec4<f32>, H4>;
    for (var k = 0u; k < n; k++) {
        let e = w + k;
        let wk = yz[e / 4u][e % 4u];
        let at = col + (start + k) * row4;
        for (var j = 0u; j < H4; j++) {
            // Past the row: its last vec4 again (read, not stored).
            acc[j] += wk * src4[at + min(x4 + j * WG, n4 - 1u)];
        }
    }
    for (var j = 0u; j < H4; j++) {
        if (x4 + j * WG < n4) {
            dst4[r.out / 4u + x4 + j * WG] = acc[j];
        }
    }
}
