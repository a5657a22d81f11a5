// area (adaptive average pooling): per output index and axis the table holds the input window
// [start, end); the mean is sum / kd / kh / kw like PyTorch's.

@compute @workgroup_size(WG)
fn area(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let z0 = tab[p.tab_d + 2u * r.z];
    let z1 = tab[p.tab_d + 2u * r.z + 1u];
    let y0 = tab[p.tab_h + 2u * r.y];
    let y1 = tab[p.tab_h + 2u * r.y + 1u];
    let volume = p.in_offset + r.plane * p.in_d * p.in_h * p.in_w;
    let kdh = f32(z1 - z0);
    let kh = f32(y1 - y0);
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let x0 = tab[p.tab_w + 2u * x];
        let x1 = tab[p.tab_w + 2u * x + 1u];
        var sum = 0.0;
        for (var z = z0; z < z1; z++) {
            for (var y = y0; y < y1; y++) {
                let row = volume + (z * p.in_h + y) * p.in_w;
                for (var i = x0; i < x1; i++) {
                    sum += src[row + i];
                }
            }
        }
        dst[r.out + x] = sum / kdh / kh / f32(x1 - x0);
    }
}
