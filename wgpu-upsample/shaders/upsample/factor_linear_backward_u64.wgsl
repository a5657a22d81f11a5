// factor_linear_backward.wgsl's grad_output loads as vec4<u64>, where the device has
// SHADER_INT64: each 64-bit word is two grad_output elements (low and high half), and lavapipe,
// which loads element by element, loads two at a time; the halo vec4s load only the words the
// terms read. The host picks these kernels where the bound grad_output starts on a multiple of 8
// elements and its rows are a multiple of 8 long (`wide_loads`), so a row starts on a word pair
// boundary: f32 vec4 t of a row is the low (t even) or high (t odd) half of vec4<u64> t / 2.

@group(0) @binding(4) var<storage, read> src8: array<vec4<u64>>;

fn pair(v: u64) -> vec2<f32> {
    return vec2<f32>(bitcast<f32>(u32(v)), bitcast<f32>(u32(v >> 32u)));
}

fn lower(v: vec4<u64>) -> vec4<f32> {
    return vec4<f32>(pair(v.x), pair(v.y));
}

fn upper(v: vec4<u64>) -> vec4<f32> {
    return vec4<f32>(pair(v.z), pair(v.w));
}

// The same window as factor_linear_backward_f32.wgsl's, the same values where a term reads them
// (the columns outside the row, whose weights are ABSENT, may differ). An inner thread reads
// window columns 2 .. 5S / 2 + 4S - 1 only (terms j = S / 2 .. S / 2 + 2S).
fn window(row: u32, q: u32, S: u32, inner: bool) -> G6 {
    let r8 = row / 2u;
    let last = r8 + p.in_w / 8u - 1u;
    let v = row + S * q;
    var g: G6;
    if (S == 3u) {
        // v of either parity: pairs (v - 1) / 2 .. (v + 3) / 2, halves picked by v's parity.
        let a = src8[select((v - 1u) / 2u, r8, q == 0u)];
        let b = src8[(v + 1u) / 2u];
        let c = src8[min((v + 3u) / 2u, last)];
        let odd = (v & 1u) == 1u;
        g.a = select(upper(a), lower(a), odd);
        g.b = select(lower(b), upper(a), odd);
        g.c = select(upper(b), lower(b), odd);
        g.d = select(lower(c), upper(b), odd);
        g.e = select(upper(c), lower(c), odd);
        return g;
    }
    // S = 2 or 4: v even; vec4 v - 1 is the high half of pair v / 2 - 1.
    let h = v / 2u;
    let left = select(h - 1u, r8, q == 0u);
    if (!inner) {
        let z = pair(src8[left].z);
        g.a.x = z.x;
        g.a.y = z.y;
    }
    let w = pair(src8[left].w);
    g.a.z = w.x;
    g.a.w = w.y;
    let m = src8[h];
    g.b = lower(m);
    g.c = upper(m);
    if (S == 2u) {
        // Vec4 v + 2: its first two columns.
        let x = pair(src8[min(h + 1u, last)].x);
        g.d.x = x.x;
        g.d.y = x.y;
        return g;
    }
    let n = src8[min(h + 1u, last)];
    g.d = lower(n);
    g.e = upper(n);
    let x = pair(src8[min(h + 2u, last)].x);
    g.f.x = x.x;
    g.f.y = x.y;
    if (!inner) {
        let y = pair(src8[min(h + 2u, last)].y);
        g.f.z = y.x;
        g.f.w = y.y;
    }
    return g;
}
