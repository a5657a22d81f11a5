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
// (the columns outside the row, whose weights are ABSENT, may differ).
fn window(row: u32, q: u32, S: u32) -> G6 {
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
    let left = src8[select(h - 1u, r8, q == 0u)];
    g.a = upper(left);
    let m = src8[h];
    g.b = lower(m);
    g.c = upper(m);
    let n = src8[min(h + 1u, last)];
    g.d = lower(n);
    if (S == 2u) {
        return g;
    }
    g.e = upper(n);
    g.f = lower(src8[min(h + 2u, last)]);
    return g;
}

// The same window as factor_linear_backward_f32.wgsl's window2 (q odd), the words its terms
// read (window columns 2 .. 4SV + S / 2 + 3): for S even vec4 S·q - 1 is the high half of a
// pair, for S = 3 (S·q odd) the low half.
fn window2(row: u32, q: u32, S: u32) -> G34 {
    let last = row / 2u + p.in_w / 8u - 1u;
    let v = row + S * q;
    var g: G34;
    if (S == 3u) {
        // Pairs (v - 1) / 2 (words y, z, w) .. (v + 5) / 2 (words x, y, z).
        let h = (v - 1u) / 2u;
        let y = pair(src8[h].y);
        g.v0.z = y.x;
        g.v0.w = y.y;
        g.v1 = vec4<f32>(pair(src8[h].z), pair(src8[h].w));
        let m = src8[min(h + 1u, last)];
        g.v2 = lower(m);
        g.v3 = upper(m);
        let n = src8[min(h + 2u, last)];
        g.v4 = lower(n);
        g.v5 = upper(n);
        let e = min(h + 3u, last);
        g.v6 = vec4<f32>(pair(src8[e].x), pair(src8[e].y));
        let z = pair(src8[e].z);
        g.v7.x = z.x;
        return g;
    }
    // S = 2: pairs v / 2 - 1 (word w) .. v / 2 + 2 (word x); S = 4 (vec4s q .. q + 7): .. v / 2 + 16.
    let h = v / 2u;
    let w = pair(src8[h - 1u].w);
    g.v0.z = w.x;
    g.v0.w = w.y;
    let a = src8[h];
    g.v1 = lower(a);
    g.v2 = upper(a);
    let b = src8[min(h + 1u, last)];
    g.v3 = lower(b);
    g.v4 = upper(b);
    if (S == 2u) {
        g.v5.x = pair(src8[min(h + 2u, last)].x).x;
        return g;
    }
    let c = src8[min(h + 2u, last)];
    g.v5 = lower(c);
    g.v6 = upper(c);
    let d = src8[min(h + 3u, last)];
    g.v7 = lower(d);
    g.v8 = upper(d);
    let w4 = src8[min(h + 4u, last)];
    g.v9 = lower(w4);
    g.v10 = upper(w4);
    let w5 = src8[min(h + 5u, last)];
    g.v11 = lower(w5);
    g.v12 = upper(w5);
    let w6 = src8[min(h + 6u, last)];
    g.v13 = lower(w6);
    g.v14 = upper(w6);
    let w7 = src8[min(h + 7u, last)];
    g.v15 = lower(w7);
    g.v16 = upper(w7);
    let w8 = src8[min(h + 8u, last)];
    g.v17 = lower(w8);
    g.v18 = upper(w8);
    let w9 = src8[min(h + 9u, last)];
    g.v19 = lower(w9);
    g.v20 = upper(w9);
    let w10 = src8[min(h + 10u, last)];
    g.v21 = lower(w10);
    g.v22 = upper(w10);
    let w11 = src8[min(h + 11u, last)];
    g.v23 = lower(w11);
    g.v24 = upper(w11);
    let w12 = src8[min(h + 12u, last)];
    g.v25 = lower(w12);
    g.v26 = upper(w12);
    let w13 = src8[min(h + 13u, last)];
    g.v27 = lower(w13);
    g.v28 = upper(w13);
    let w14 = src8[min(h + 14u, last)];
    g.v29 = lower(w14);
    g.v30 = upper(w14);
    let w15 = src8[min(h + 15u, last)];
    g.v31 = lower(w15);
    g.v32 = upper(w15);
    let x = pair(src8[min(h + 16u, last)].x);
    g.v33.x = x.x;
    g.v33.y = x.y;
    return g;
}
