// Antialiased bilinear / bicubic: one separable pass along width or height. Per axis the table
// holds start[O], len[O], then `taps` normalised weights per output index.

@compute @workgroup_size(WG)
fn antialias_width(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let row = p.in_offset + (r.plane * p.in_h + r.y) * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let start = tab[p.tab_w + x];
        let n = tab[p.tab_w + p.out_w + x];
        let w = p.tab_w + 2u * p.out_w + x * p.taps;
        var acc = 0.0;
        for (var k = 0u; k < n; k++) {
            acc += bitcast<f32>(tab[w + k]) * src[row + start + k];
        }
        dst[r.out + x] = acc;
    }
}

@compute @workgroup_size(WG)
fn antialias_height(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let start = tab[p.tab_h + r.y];
    let n = tab[p.tab_h + p.out_h + r.y];
    let w = p.tab_h + 2u * p.out_h + r.y * p.taps;
    let col = p.in_offset + (r.plane * p.in_h + start) * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        var acc = 0.0;
        for (var k = 0u; k < n; k++) {
            acc += bitcast<f32>(tab[w + k]) * src[col + k * p.in_w + x];
        }
        dst[r.out + x] = acc;
    }
}
