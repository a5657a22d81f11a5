// The window pass along w (window_w, window.wgsl) four outputs a thread, with vec4s, where the
// rows are a multiple of 4 long and the inputs of every 4 consecutive outputs lie within WIN4
// aligned vec4s (checked on the host, plan.rs `window_w4_table`). The thread loads those vec4s
// once into a register window and picks each tap from it: WIN4 loads instead of one per tap and
// output (lavapipe runs each load as a loop over its lanes). The same terms in the same order as
// window_w (acc = 0, then += w · x tap by tap, a slot past an output's length skipped), so the
// same sums.
//
// The table (a multiple of 4 words from p.tab_w) holds per group of 4 outputs 1 + taps
// (indexed: 1 + 2 taps) vec4s: (first input vec4 of the row, vec4s loaded | most slots << 8,
// each output's first input relative to that vec4's first element, each output's slot count:
// 8 bits each, output j at bits 8j); per slot the 4 outputs' weights (as bits); where p.indexed,
// per slot the 4 outputs' inputs relative to that first element.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;

// One entry point per span (window_w4_N loads N vec4s per thread, the host picks the least N
// that holds every group's span: lavapipe runs every load, needed or not), and per table kind
// (`_indexed`: the table lists the inputs, p.indexed).
@compute @workgroup_size(WG)
fn window_w4_2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn window_w4_2_indexed(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn window_w4_4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 4u, false);
}

@compute @workgroup_size(WG)
fn window_w4_4_indexed(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 4u, true);
}

@compute @workgroup_size(WG)
fn window_w4_8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 8u, false);
}

@compute @workgroup_size(WG)
fn window_w4_8_indexed(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    window_w4(wg, nwg, lid, 8u, true);
}

// Thread lid of a row segment (WG · STRIP outputs) computes vec4 lid of it, from `span` input
// vec4s (at most WIN4; past a group's own span they are read and not used).
fn window_w4(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32, indexed: bool) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let x4 = (r.x0 - lid) / STRIP + lid;
    if (4u * x4 >= p.out_w) {
        return;
    }
    let g = p.tab_w / 4u + x4 * (1u + p.taps * (1u + p.indexed));
    let head = tab4[g];
    let bytes = vec4<u32>(0u, 8u, 16u, 24u);
    let start = (vec4<u32>(head.z) >> bytes) & vec4<u32>(255u);
    let len = (vec4<u32>(head.w) >> bytes) & vec4<u32>(255u);
    let most = head.y >> 8u;
    let row4 = (p.in_offset + ((r.plane * p.in_d + r.z) * p.in_h + r.y) * p.in_w) / 4u + head.x;
    var win: array<f32, 4u * WIN4>;
    for (var i = 0u; i < span; i++) {
        let v = src4[row4 + i];
        win[4u * i] = v.x;
        win[4u * i + 1u] = v.y;
        win[4u * i + 2u] = v.z;
        win[4u * i + 3u] = v.w;
    }
    var acc = vec4<f32>(0.0);
    let index = g + 1u + p.taps;
    for (var k = 0u; k < most; k++) {
        let w = bitcast<vec4<f32>>(tab4[g + 1u + k]);
        var at = start + vec4<u32>(k);
        if (indexed) {
            at = tab4[index + k];
        }
        let on = vec4<u32>(k) < len;
        acc = select(acc, acc + w * vec4<f32>(win[at.x], win[at.y], win[at.z], win[at.w]), on);
    }
    dst4[r.out / 4u + x4] = acc;
}
