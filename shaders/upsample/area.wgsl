// area (adaptive average pooling): per output index and axis the table holds the input window
// [start, end); the mean is sum / kd / kh / kw like PyTorch's.

@compute @workgroup_size(64)
fn area(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let z0 = tab[p.tab_d + 2u * c.z];
    let z1 = tab[p.tab_d + 2u * c.z + 1u];
    let y0 = tab[p.tab_h + 2u * c.y];
    let y1 = tab[p.tab_h + 2u * c.y + 1u];
    let x0 = tab[p.tab_w + 2u * c.x];
    let x1 = tab[p.tab_w + 2u * c.x + 1u];
    let volume = p.in_offset + c.plane * p.in_d * p.in_h * p.in_w;
    var sum = 0.0;
    for (var z = z0; z < z1; z++) {
        for (var y = y0; y < y1; y++) {
            let row = volume + (z * p.in_h + y) * p.in_w;
            for (var x = x0; x < x1; x++) {
                sum += src[row + x];
            }
        }
    }
    dst[p.out_offset + i] = sum / f32(z1 - z0) / f32(y1 - y0) / f32(x1 - x0);
}
