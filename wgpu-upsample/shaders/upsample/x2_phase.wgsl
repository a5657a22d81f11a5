// ×2 tap weights by phase (align_corners=False): they repeat with period 2, so the two phases'
// weights of each axis come from the uniform buffer (`p.phases`: lavapipe reads a storage buffer
// lane by lane even at a uniform address). Follows `x2.wgsl`.

const ALIGN_CORNERS: bool = false;

// Unused here: the weights are read where used (`xw`), so nothing stays live in registers.
fn x_weights(q: u32, T: u32) -> array<vec4<f32>, 16> {
    var w: array<vec4<f32>, 16>;
    return w;
}

// Weight `i` = group · 4 + tap for the thread's 4 outputs of that group (even or odd outputs).
fn xw(wx: array<vec4<f32>, 16>, i: u32) -> vec4<f32> {
    return vec4<f32>(p.phases[(i / 4u) % 2u][i % 4u]);
}

// Weights of output row (or slice) o along y (axis 1) or z (axis 2).
fn tap_weights(axis: u32, o: u32) -> vec4<f32> {
    return p.phases[2u * axis + (o & 1u)];
}

// Entry points per tap count, depth kept (4-D inputs, and 5-D ones scaled (1, 2, 2)) or doubled.

@compute @workgroup_size(WG)
fn x2_nearest(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 1u, true);
}

@compute @workgroup_size(WG)
fn x2_nearest_3d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 1u, false);
}

@compute @workgroup_size(WG)
fn x2_linear(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn x2_linear_3d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn x2_cubic(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    x2_kernel(wg, lid, 4u, true);
}
