// linear (3-D input), bilinear (4-D), trilinear (5-D). Per output index and axis the table holds
// (i0, i1, w0, w1); the sums nest like PyTorch's: outer axis outermost.

struct Lin { i0: u32, i1: u32, w0: f32, w1: f32 }

fn lin(table: u32, o: u32) -> Lin {
    let b = table + 4u * o;
    return Lin(tab[b], tab[b + 1u], bitcast<f32>(tab[b + 2u]), bitcast<f32>(tab[b + 3u]));
}

fn row_lerp(row: u32, tx: Lin) -> f32 {
    return tx.w0 * src[row + tx.i0] + tx.w1 * src[row + tx.i1];
}

fn plane_lerp(plane: u32, ty: Lin, tx: Lin) -> f32 {
    return ty.w0 * row_lerp(plane + ty.i0 * p.in_w, tx) + ty.w1 * row_lerp(plane + ty.i1 * p.in_w, tx);
}

@compute @workgroup_size(64)
fn linear_1d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    dst[p.out_offset + i] = row_lerp(p.in_offset + c.plane * p.in_w, lin(p.tab_w, c.x));
}

@compute @workgroup_size(64)
fn linear_2d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let plane = p.in_offset + c.plane * p.in_h * p.in_w;
    dst[p.out_offset + i] = plane_lerp(plane, lin(p.tab_h, c.y), lin(p.tab_w, c.x));
}

@compute @workgroup_size(64)
fn linear_3d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let tz = lin(p.tab_d, c.z);
    let ty = lin(p.tab_h, c.y);
    let tx = lin(p.tab_w, c.x);
    let volume = p.in_offset + c.plane * p.in_d * p.in_h * p.in_w;
    let slice = p.in_h * p.in_w;
    dst[p.out_offset + i] = tz.w0 * plane_lerp(volume + tz.i0 * slice, ty, tx)
                          + tz.w1 * plane_lerp(volume + tz.i1 * slice, ty, tx);
}
