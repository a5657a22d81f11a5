// The loads of x2_backward.wgsl as vec4<f32>: the kernels for every adapter.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;

fn load_row(row: u32, q: u32, T: u32) -> OutRow {
    let base = (p.in_offset + row) / 4u;
    let last = base + p.in_w / 4u - 1u;
    let at = base + 4u * q;
    let a = src4[min(at, last)];
    let b = src4[min(at + 1u, last)];
    let c = src4[min(at + 2u, last)];
    let d = src4[min(at + 3u, last)];
    var m = vec4<f32>(0.0);
    var n = vec4<f32>(0.0);
    if (T > 1u) {
        m = src4[select(at - 1u, at, q == 0u)];
        n = src4[min(at + 4u, last)];
    }
    return OutRow(vec4<f32>(0.0, 0.0, m.x, m.z), vec4<f32>(a.xz, b.xz), vec4<f32>(c.xz, d.xz),
               vec4<f32>(n.x, n.z, 0.0, 0.0),
               vec4<f32>(0.0, 0.0, m.y, m.w), vec4<f32>(a.yw, b.yw), vec4<f32>(c.yw, d.yw),
               vec4<f32>(n.y, n.w, 0.0, 0.0));
}

fn load_kept(row: u32, q: u32) -> Acc8 {
    let at = (p.in_offset + row) / 4u + 2u * q;
    let last = (p.in_offset + row) / 4u + p.in_w / 4u - 1u;
    return Acc8(src4[at], src4[min(at + 1u, last)]);
}
