// ×2 tap weights per output (align_corners=True): along y and z one vec4 of tap weights per
// output row / slice in the uniform array `yz` (rows from p.tab_h, slices from p.tab_d;
// out_h + out_d ≤ YZ_WEIGHTS), along x from `wt4`, the host's table of vec4s: per thread, for
// each of its 4 output groups (even and odd outputs of each input vec4) and each tap, the vec4 of
// the group's 4 weights (from p.tab_w). Follows `x2.wgsl`.

// Cubic output 0 (coordinate exactly 0) also reads input 2 with weight 0: see `along_x`.
const ALIGN_CORNERS: bool = true;

@group(0) @binding(6) var<storage, read> wt4: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> yz: array<vec4<f32>, YZ_WEIGHTS>;

// The thread's x weights: [group · 4 + tap], groups (even outputs of its first input vec4, odd
// outputs, even of the second, odd of the second).
fn x_weights(q: u32, T: u32) -> array<vec4<f32>, 16> {
    var w: array<vec4<f32>, 16>;
    let at = p.tab_w + 4u * T * q;
    if (T == 2u) {
        w[0] = wt4[at];
        w[1] = wt4[at + 1u];
        w[4] = wt4[at + 2u];
        w[5] = wt4[at + 3u];
        w[8] = wt4[at + 4u];
        w[9] = wt4[at + 5u];
        w[12] = wt4[at + 6u];
        w[13] = wt4[at + 7u];
        return w;
    }
    w[0] = wt4[at];
    w[1] = wt4[at + 1u];
    w[2] = wt4[at + 2u];
    w[3] = wt4[at + 3u];
    w[4] = wt4[at + 4u];
    w[5] = wt4[at + 5u];
    w[6] = wt4[at + 6u];
    w[7] = wt4[at + 7u];
    w[8] = wt4[at + 8u];
    w[9] = wt4[at + 9u];
    w[10] = wt4[at + 10u];
    w[11] = wt4[at + 11u];
    w[12] = wt4[at + 12u];
    w[13] = wt4[at + 13u];
    w[14] = wt4[at + 14u];
    w[15] = wt4[at + 15u];
    return w;
}

// Weight `i` = group · 4 + tap for the thread's 4 outputs of that group.
fn xw(wx: array<vec4<f32>, 16>, i: u32) -> vec4<f32> {
    return wx[i];
}

// Weights of output row (or slice) o along y (axis 1) or z (axis 2).
fn tap_weights(axis: u32, o: u32) -> vec4<f32> {
    return yz[select(p.tab_h, p.tab_d, axis == 2u) + o];
}

@compute @workgroup_size(WG)
fn x2w_linear(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn x2w_linear_3d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn x2w_cubic(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 4u, true);
}
