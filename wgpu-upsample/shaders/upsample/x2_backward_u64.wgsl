// The loads of x2_backward.wgsl as 64-bit words, where the device has SHADER_INT64 (Vulkan): each
// word is an even and an odd output (low and high half), so a row's even and odd outputs come
// without swizzles, and lavapipe — which runs every load as a loop over its SIMD lanes, one
// element at a time — loads two outputs per element. The host picks these kernels where the
// bound grad_output starts on a multiple of 8 elements and (`load_kept`) its rows are a multiple
// of 8 long.

@group(0) @binding(4) var<storage, read> src8: array<vec4<u64>>;

fn lo(v: vec4<u64>) -> vec4<f32> {
    return bitcast<vec4<f32>>(vec4<u32>(v));
}

fn hi(v: vec4<u64>) -> vec4<f32> {
    return bitcast<vec4<f32>>(vec4<u32>(v >> vec4<u32>(32u)));
}

fn lo1(v: u64) -> f32 {
    return bitcast<f32>(u32(v));
}

fn hi1(v: u64) -> f32 {
    return bitcast<f32>(u32(v >> 32u));
}

fn load_row(row: u32, q: u32, T: u32) -> OutRow {
    let base = (p.in_offset + row) / 8u;
    let last = base + p.in_w / 8u - 1u;
    let at = base + 2u * q;
    let a = src8[min(at, last)];
    let b = src8[min(at + 1u, last)];
    var r = OutRow(vec4<f32>(0.0), lo(a), lo(b), vec4<f32>(0.0),
                   vec4<f32>(0.0), hi(a), hi(b), vec4<f32>(0.0));
    let left = select(at - 1u, at, q == 0u);
    let right = min(at + 2u, last);
    if (T == 2u) {
        // Outputs 16q - 2, 16q - 1 and 16q + 16 (its odd neighbour comes along).
        let m = src8[left].w;
        let n = src8[right].x;
        r.el.w = lo1(m);
        r.ol.w = hi1(m);
        r.er.x = lo1(n);
        r.or.x = hi1(n);
    } else if (T == 4u) {
        // Outputs 16q - 4 .. 16q - 1 and 16q + 16 .. 16q + 19.
        let mz = src8[left].z;
        let mw = src8[left].w;
        let nx = src8[right].x;
        let ny = src8[right].y;
        r.el = vec4<f32>(0.0, 0.0, lo1(mz), lo1(mw));
        r.ol = vec4<f32>(0.0, 0.0, hi1(mz), hi1(mw));
        r.er = vec4<f32>(lo1(nx), lo1(ny), 0.0, 0.0);
        r.or = vec4<f32>(hi1(nx), hi1(ny), 0.0, 0.0);
    }
    return r;
}

fn load_kept(row: u32, q: u32) -> Acc8 {
    let v = src8[(p.in_offset + row) / 8u + q];
    let e = lo(v);
    let o = hi(v);
    return Acc8(vec4<f32>(e.x, o.x, e.y, o.y), vec4<f32>(e.z, o.z, e.w, o.w));
}
