// nearest and nearest-exact: one source index per output index and axis (from the host's table).

@compute @workgroup_size(WG)
fn nearest(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let sz = tab[p.tab_d + r.z];
    let sy = tab[p.tab_h + r.y];
    let row = p.in_offset + ((r.plane * p.in_d + sz) * p.in_h + sy) * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        dst[r.out + x] = src[row + tab[p.tab_w + x]];
    }
}
