// The bias gradient's partial sums as channel_partials in grad.wgsl, loading BIAS_Q positions per
// load (`bias_load`: 4 from grad_output bound as vec4s, grad_bias_f32.wgsl, or 8 from it bound as
// vec4<u64>s, grad_bias_u64.wgsl). The host picks it where every BIAS_Q positions a split walks
// are one aligned load of one channel plane (planes, offset and splits' lengths multiples of
// BIAS_Q); each thread sums its loads' 4 lanes of positions, then the lanes, in a fixed order.

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
    // The first position decoded once, then walked with counters (no division per step).
    let n = e0 / plane;
    var pos = e0 - n * plane;
    var i = (p.s_offset + (n * p.a + c) * plane + pos) / BIAS_Q;
    let next_image = (p.a - 1u) * plane / BIAS_Q;
    var acc = vec4<f32>();
    for (var e = e0; e < e1; e += BIAS_Q) {
        acc += bias_load(i);
        i += 1u;
        pos += BIAS_Q;
        if (pos == plane) {
            pos = 0u;
            i += next_image;
        }
    }
    partials[(p.split0 + split) * p.len + c] = (acc.x + acc.y) + (acc.z + acc.w);
}
