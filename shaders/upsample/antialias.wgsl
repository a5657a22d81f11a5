// Antialiased bilinear / bicubic: one separable pass along width or height. Per axis the table
// holds start[O], len[O], then `taps` normalised weights per output index.

@compute @workgroup_size(64)
fn antialias_width(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let start = tab[p.tab_w + c.x];
    let n = tab[p.tab_w + p.out_w + c.x];
    let w = p.tab_w + 2u * p.out_w + c.x * p.taps;
    let row = p.in_offset + (c.plane * p.in_h + c.y) * p.in_w + start;
    var acc = 0.0;
    for (var j = 0u; j < n; j++) {
        acc += bitcast<f32>(tab[w + j]) * src[row + j];
    }
    dst[p.out_offset + i] = acc;
}

@compute @workgroup_size(64)
fn antialias_height(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let start = tab[p.tab_h + c.y];
    let n = tab[p.tab_h + p.out_h + c.y];
    let w = p.tab_h + 2u * p.out_h + c.y * p.taps;
    let col = p.in_offset + c.plane * p.in_h * p.in_w + start * p.in_w + c.x;
    var acc = 0.0;
    for (var j = 0u; j < n; j++) {
        acc += bitcast<f32>(tab[w + j]) * src[col + j * p.in_w];
    }
    dst[p.out_offset + i] = acc;
}
