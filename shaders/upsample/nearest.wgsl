// nearest and nearest-exact: one source index per output index and axis (from the host's table).

@compute @workgroup_size(64)
fn nearest(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let sz = tab[p.tab_d + c.z];
    let sy = tab[p.tab_h + c.y];
    let sx = tab[p.tab_w + c.x];
    dst[p.out_offset + i] = src[p.in_offset + ((c.plane * p.in_d + sz) * p.in_h + sy) * p.in_w + sx];
}
