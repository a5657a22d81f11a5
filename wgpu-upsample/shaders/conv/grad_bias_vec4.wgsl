// The bias gradient's partial sums as channel_partials in grad.wgsl, loading 4 positions per
// load: grad_output bound as vec4s (binding 5). The host picks it where every 4 positions a split
// walks are one aligned vec4 of one channel plane (planes, offset and splits' lengths multiples
// of 4); each thread sums its 4 lanes of positions, then the lanes, in a fixed order.

@group(0) @binding(5) var<storage, read> y_vec: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn channel_partials_vec4(@builtin(workgroup_id) wg: vec3<u32>,
                         @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let split = w / p.wg_per_split;
    let c = (w - split * p.wg_per_split) * WG + lid;
    if (split >= p.splits || c >= p.len) { return; }
    let plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let e0 = split * p.per_split;
    let e1 = min(e0 + p.per_split, p.n * plane);
    var acc = vec4<f32>();
    for (var e = e0; e < e1; e += 4u) {
        let n = e / plane;
        acc += y_vec[(p.s_offset + (n * p.a + c) * plane + e - n * plane) / 4u];
    }
    partials[(p.split0 + split) * p.len + c] = (acc.x + acc.y) + (acc.z + acc.w);
}
