// block_backward_x{sx}: nearest (and area) upsampled by an integer factor s per axis (1 to 4;
// grad_output s times grad_input along it): grad_input i is the sum of grad_output s·i .. s·i +
// s - 1 along each axis (weights 1), summed along x, then y, then z, in increasing order as the
// window passes do. Thread (q, row block, slice): grad_input vec4 q of ROWS rows of one slice,
// each the sum of sz · sy grad_output rows of sx vec4s reduced along x.
//
// `block_row` (the loads) is factor_backward.wgsl's (vec4<f32>) or block_backward_u64.wgsl's
// (vec4<u64>, where the device has SHADER_INT64 and the rows allow).

@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;

// The sx vec4s a, b, c, d (those past sx unused) of one grad_output row reduced along x to 4
// grad_input elements, in increasing order.
fn block_sum(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>, sx: u32) -> vec4<f32> {
    if (sx == 1u) {
        return a;
    }
    if (sx == 2u) {
        return vec4<f32>(a.x + a.y, a.z + a.w, b.x + b.y, b.z + b.w);
    }
    if (sx == 3u) {
        return vec4<f32>(a.x + a.y + a.z, a.w + b.x + b.y, b.z + b.w + c.x, c.y + c.z + c.w);
    }
    return vec4<f32>(a.x + a.y + a.z + a.w, b.x + b.y + b.z + b.w, c.x + c.y + c.z + c.w,
                     d.x + d.y + d.z + d.w);
}

fn block(wg: vec3<u32>, lid: u32, sx: u32) {
    let q = wg.x * WG + lid;
    if (4u * q >= p.out_w) {
        return;
    }
    let zi = wg.z % p.out_d;
    let plane = wg.z / p.out_d;
    let sy = p.in_h / p.out_h;
    let sz = p.in_d / p.out_d;
    let j0 = ROWS * wg.y;
    let j1 = min(j0 + ROWS, p.out_h);
    let in_row4 = p.in_w / 4u;
    let src = (p.in_offset + (plane * p.in_d + sz * zi) * p.in_h * p.in_w) / 4u + sx * q;
    let dst = (p.out_offset + (wg.z * p.out_h + j0) * p.out_w) / 4u + q;
    for (var j = j0; j < j1; j++) {
        var acc = vec4<f32>(0.0);
        for (var t = 0u; t < sz; t++) {
            let slice = src + t * p.in_h * in_row4;
            var rows = block_row(slice + sy * j * in_row4, sx);
            for (var u = 1u; u < sy; u++) {
                rows += block_row(slice + (sy * j + u) * in_row4, sx);
            }
            acc = select(acc + rows, rows, t == 0u);
        }
        dst4[dst + (j - j0) * (p.out_w / 4u)] = acc;
    }
}

@compute @workgroup_size(WG)
fn block_backward_x1(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    block(wg, lid, 1u);
}

@compute @workgroup_size(WG)
fn block_backward_x2(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    block(wg, lid, 2u);
}

@compute @workgroup_size(WG)
fn block_backward_x3(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    block(wg, lid, 3u);
}

@compute @workgroup_size(WG)
fn block_backward_x4(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    block(wg, lid, 4u);
}
