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

@compute @workgroup_size(WG)
fn linear_1d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let row = p.in_offset + r.plane * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        dst[r.out + x] = row_lerp(row, lin(p.tab_w, x));
    }
}

@compute @workgroup_size(WG)
fn linear_2d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let plane = p.in_offset + r.plane * p.in_h * p.in_w;
    let ty = lin(p.tab_h, r.y);
    let row0 = plane + ty.i0 * p.in_w;
    let row1 = plane + ty.i1 * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let tx = lin(p.tab_w, x);
        dst[r.out + x] = ty.w0 * row_lerp(row0, tx) + ty.w1 * row_lerp(row1, tx);
    }
}

@compute @workgroup_size(WG)
fn linear_3d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let volume = p.in_offset + r.plane * p.in_d * p.in_h * p.in_w;
    let tz = lin(p.tab_d, r.z);
    let ty = lin(p.tab_h, r.y);
    let slice0 = volume + tz.i0 * p.in_h * p.in_w;
    let slice1 = volume + tz.i1 * p.in_h * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let tx = lin(p.tab_w, x);
        let v0 = ty.w0 * row_lerp(slice0 + ty.i0 * p.in_w, tx)
               + ty.w1 * row_lerp(slice0 + ty.i1 * p.in_w, tx);
        let v1 = ty.w0 * row_lerp(slice1 + ty.i0 * p.in_w, tx)
               + ty.w1 * row_lerp(slice1 + ty.i1 * p.in_w, tx);
        dst[r.out + x] = tz.w0 * v0 + tz.w1 * v1;
    }
}
