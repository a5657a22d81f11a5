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
@group(0) @binding(7) var<uniform> yz: array<vec4<f32>, YZ_WEIGHTS>;

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
// vec4s (at most WIN4; past a group's own span they are read and not used). In the border pass
// of a window_w4p (p.edge_ja, its period, not 0) thread lid takes the row's border groups in turn.
fn window_w4(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32, indexed: bool) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    var x4 = (r.x0 - lid) / STRIP + lid;
    if (p.edge_ja != 0u && x4 >= p.edge_qa) {
        // The border pass of a window_w4p: the groups before edge_qa, then from edge_qb.
        x4 += p.edge_qb - p.edge_qa;
    }
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

// The periodic interior of a row, groups [edge_qa, edge_qb) of 4 outputs (plan.rs
// `window_w4_periodic`): group q + P (P = edge_ja) reads the inputs of group q moved on by
// edge_jb vec4s, with the same weights. Thread t of a row computes the P groups qa + P t + phase;
// each phase's dense weights are in the uniform array yz from vec4 p.tab_h, 4 · span vec4s: for input e of the
// span vec4s from the group's first, the 4 outputs' weights of it (ABSENT where an output does
// not read it). Every lane reads the same yz address (loaded once, not lane by lane), and the
// inputs are picked by constant indices. Each output's inputs rise slot by slot (checked on the
// host), so input order is slot order: the same terms in the same order as window_w.
const ABSENT: u32 = 0x80000000u;

@compute @workgroup_size(WG)
fn window_w4p_2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    window_w4p(wg, nwg, lid, 2u);
}

@compute @workgroup_size(WG)
fn window_w4p_4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    window_w4p(wg, nwg, lid, 4u);
}

@compute @workgroup_size(WG)
fn window_w4p_8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    window_w4p(wg, nwg, lid, 8u);
}

fn window_w4p(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let t = (r.x0 - lid) / STRIP + lid;
    let period = p.edge_ja;
    let q0 = p.edge_qa + t * period;
    if (q0 >= p.edge_qb) {
        return;
    }
    let row4 = (p.in_offset + ((r.plane * p.in_d + r.z) * p.in_h + r.y) * p.in_w) / 4u
        + t * p.edge_jb;
    let stride = 1u + p.taps * (1u + p.indexed);
    for (var phase = 0u; phase < period; phase++) {
        // The phase's first input vec4 (group qa + phase's, the same in every lane).
        let at = row4 + tab4[p.tab_w / 4u + (p.edge_qa + phase) * stride].x;
        let w = p.tab_h + phase * 4u * span;
        var acc = vec4<f32>(0.0);
        for (var i = 0u; i < span; i++) {
            let v = src4[at + i];
            acc = dense_term(acc, yz[w + 4u * i], v.x);
            acc = dense_term(acc, yz[w + 4u * i + 1u], v.y);
            acc = dense_term(acc, yz[w + 4u * i + 2u], v.z);
            acc = dense_term(acc, yz[w + 4u * i + 3u], v.w);
        }
        dst4[r.out / 4u + q0 + phase] = acc;
    }
}

// acc + wk · x for the outputs whose weight wk is not ABSENT.
fn dense_term(acc: vec4<f32>, wk: vec4<f32>, x: f32) -> vec4<f32> {
    return select(acc, acc + wk * x, bitcast<vec4<u32>>(wk) != vec4<u32>(ABSENT));
}
