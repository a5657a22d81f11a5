// The antialias window passes along w then h fused for exact ×2 with 6-tap windows (lanczos,
// a = 3; src/ops/upsample/window_x2.rs checks the tables and lays them out). At ×2 the
// windows of output 2m + φ are the inputs m + φ - 3 + t (t < 6) with weights that depend on φ
// only, except near the ends of each axis, where PyTorch truncates and renormalises them
// (the host checks every output against that; truncated windows lie within the 6 slots).
// The same sums as window_w then window_h, in the same order: per input row each output's w
// sum over its window's inputs in rising order, then per output row the h sum over its
// window's rows in order. Outputs whose window leaves out a slot skip that term (select), so a
// NaN or inf there never enters.
//
// Thread (q, block, plane): input elements 8q .. 8q + 7 of the input rows WX2_ROWS · block ..
// → outputs 16q .. 16q + 15 of output rows 2j and 2j + 1 for each of those rows j. Per input
// row it loads 4 vec4s (8q - 4 .. 8q + 11), sums them along w into 16 outputs (24 vec4
// multiply-adds), shifts that into a ring of the last 7 rows' sums and writes the two output
// rows from it (6 taps each). The interior threads [edge_qa, edge_qb) (`window_x2_6`) and
// output rows [edge_ja, edge_jb) take the weights of the two phases from `p.phases` (x even,
// x odd, y even, y odd, 6 each); the others read per-slot weights (ABSENT outside the
// window): the edge threads' (`window_x2_6_edge`, a dispatch of their own, so that no
// interior lane runs their selects) from `tab4` (the same registers for all their rows), the
// edge rows' from `yz` (the same address in every lane).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w / 4, per edge thread (q < edge_qa, then q >= edge_qb) 24 vec4s: per group
// of its outputs (even outputs 16q, +2, +4, +6; odd ones 16q + 1, ..; even 16q + 8, ..; odd
// 16q + 9, ..) and slot t < 6, the 4 outputs' weights (bits), ABSENT outside the window.
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// From vec4 p.tab_h / 4, per edge output row (y < edge_ja, then y >= edge_jb) 2 vec4s: the
// weights of its 6 slots (bits, ABSENT outside the window), then 2 unused.
@group(0) @binding(7) var<uniform> yz: array<vec4<u32>, YZ_WEIGHTS>;

const WX2_ABSENT: u32 = 0x80000000u;

// Phase weight i: x even 0 .. 5, x odd 6 .. 11, y even 12 .. 17, y odd 18 .. 23.
fn pw(i: u32) -> f32 {
    return p.phases[i / 4u][i % 4u];
}

// 16 outputs along w: outputs 16q .. 16q + 3 (a), + 4 .. (b), + 8 .. (c), + 12 .. (d).
struct Out16 {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
}

// An edge thread's weights: per group of outputs (e0, o0, e1, o1) and slot.
struct EdgeW {
    e0: array<vec4<f32>, 6>,
    o0: array<vec4<f32>, 6>,
    e1: array<vec4<f32>, 6>,
    o1: array<vec4<f32>, 6>,
}

// Input elements 8q - 4 .. 8q + 11 of a row: x(s) = the vec4 of elements 8q + s .. 8q + s + 3.
struct Span {
    l: vec4<f32>,
    v0: vec4<f32>,
    v1: vec4<f32>,
    r: vec4<f32>,
}

fn x_at(x: Span, s: i32) -> vec4<f32> {
    switch (s) {
        case -3: { return vec4<f32>(x.l.yzw, x.v0.x); }
        case -2: { return vec4<f32>(x.l.zw, x.v0.xy); }
        case -1: { return vec4<f32>(x.l.w, x.v0.xyz); }
        case 0: { return x.v0; }
        case 1: { return vec4<f32>(x.v0.yzw, x.v1.x); }
        case 2: { return vec4<f32>(x.v0.zw, x.v1.xy); }
        case 3: { return vec4<f32>(x.v0.w, x.v1.xyz); }
        case 4: { return x.v1; }
        case 5: { return vec4<f32>(x.v1.yzw, x.r.x); }
        case 6: { return vec4<f32>(x.v1.zw, x.r.xy); }
        default: { return vec4<f32>(x.v1.w, x.r.xyz); }
    }
}

// Even and odd outputs interleaved: (e.x, o.x, e.y, o.y), (e.z, o.z, e.w, o.w).
fn lo(e: vec4<f32>, o: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(e.x, o.x, e.y, o.y);
}

fn hi(e: vec4<f32>, o: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(e.z, o.z, e.w, o.w);
}

// Whether the thread's second vec4 (input elements 8q + 4 .. 8q + 7) is in the row.
fn second(q: u32) -> bool {
    return 2u * q + 1u < p.in_w / 4u;
}

// The row's elements around the thread's (`at` its vec4 2q); outside the row (edge threads
// only), repeats of its ends, which the edge weights leave out.
fn load(at: u32, q: u32) -> Span {
    let in_w4 = p.in_w / 4u;
    let v0 = src4[at];
    let v1 = select(vec4<f32>(v0.w), src4[at + 1u], second(q));
    let l = select(src4[at - 1u], vec4<f32>(v0.x), q == 0u);
    let r = select(src4[at + 2u], vec4<f32>(v1.w), 2u * q + 2u >= in_w4);
    return Span(l, v0, v1, r);
}

// One group's interior sum: phase weights from `w0` on, inputs x(s0) .. x(s0 + 5).
fn taps6(x: Span, w0: u32, s0: i32) -> vec4<f32> {
    var v = pw(w0) * x_at(x, s0);
    v += pw(w0 + 1u) * x_at(x, s0 + 1);
    v += pw(w0 + 2u) * x_at(x, s0 + 2);
    v += pw(w0 + 3u) * x_at(x, s0 + 3);
    v += pw(w0 + 4u) * x_at(x, s0 + 4);
    v += pw(w0 + 5u) * x_at(x, s0 + 5);
    return v;
}

// acc + w · x in the lanes whose weight is not ABSENT.
fn term(acc: vec4<f32>, w: vec4<f32>, x: vec4<f32>) -> vec4<f32> {
    return select(acc, acc + w * x, bitcast<vec4<u32>>(w) != vec4<u32>(WX2_ABSENT));
}

// One group's edge sum: per-slot weights `w`, inputs x(s0) .. x(s0 + 5).
fn edge6(x: Span, w: array<vec4<f32>, 6>, s0: i32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    v = term(v, w[0], x_at(x, s0));
    v = term(v, w[1], x_at(x, s0 + 1));
    v = term(v, w[2], x_at(x, s0 + 2));
    v = term(v, w[3], x_at(x, s0 + 3));
    v = term(v, w[4], x_at(x, s0 + 4));
    v = term(v, w[5], x_at(x, s0 + 5));
    return v;
}

// One input row's sums along w: even output 2m reads m - 3 .. m + 2, odd 2m + 1 m - 2 .. m + 3.
fn along_w(at: u32, q: u32, edge: bool, ew: EdgeW) -> Out16 {
    let x = load(at, q);
    var e0: vec4<f32>;
    var o0: vec4<f32>;
    var e1: vec4<f32>;
    var o1: vec4<f32>;
    if (edge) {
        e0 = edge6(x, ew.e0, -3);
        o0 = edge6(x, ew.o0, -2);
        e1 = edge6(x, ew.e1, 1);
        o1 = edge6(x, ew.o1, 2);
    } else {
        e0 = taps6(x, 0u, -3);
        o0 = taps6(x, 6u, -2);
        e1 = taps6(x, 0u, 1);
        o1 = taps6(x, 6u, 2);
    }
    return Out16(lo(e0, o0), hi(e0, o0), lo(e1, o1), hi(e1, o1));
}

fn madd(acc: Out16, w: f32, h: Out16) -> Out16 {
    return Out16(acc.a + w * h.a, acc.b + w * h.b, acc.c + w * h.c, acc.d + w * h.d);
}

fn mul16(w: f32, h: Out16) -> Out16 {
    return Out16(w * h.a, w * h.b, w * h.c, w * h.d);
}

fn hterm(acc: Out16, w: f32, h: Out16) -> Out16 {
    if (bitcast<u32>(w) == WX2_ABSENT) {
        return acc;
    }
    return madd(acc, w, h);
}

// The 7 rows of the ring: input rows j - 3 .. j + 3 summed along w.
struct Ring {
    h0: Out16, h1: Out16, h2: Out16, h3: Out16, h4: Out16, h5: Out16, h6: Out16,
}

// Output row y from the 6 rows h(k) .. h(k + 5) of the ring (k = 0 even rows, 1 odd).
fn out_row(r: Ring, y: u32) -> Out16 {
    let odd = (y & 1u) == 1u;
    if (y >= p.edge_ja && y < p.edge_jb) {
        let w0 = select(12u, 18u, odd);
        if (odd) {
            var v = mul16(pw(w0), r.h1);
            v = madd(v, pw(w0 + 1u), r.h2);
            v = madd(v, pw(w0 + 2u), r.h3);
            v = madd(v, pw(w0 + 3u), r.h4);
            v = madd(v, pw(w0 + 4u), r.h5);
            return madd(v, pw(w0 + 5u), r.h6);
        }
        var v = mul16(pw(w0), r.h0);
        v = madd(v, pw(w0 + 1u), r.h1);
        v = madd(v, pw(w0 + 2u), r.h2);
        v = madd(v, pw(w0 + 3u), r.h3);
        v = madd(v, pw(w0 + 4u), r.h4);
        return madd(v, pw(w0 + 5u), r.h5);
    }
    // An edge row: its slots' weights from the uniform array.
    let e = select(y - (p.edge_jb - p.edge_ja), y, y < p.edge_ja);
    let at = p.tab_h / 4u + 2u * e;
    let wa = bitcast<vec4<f32>>(yz[at]);
    let wb = bitcast<vec4<f32>>(yz[at + 1u]);
    var v: Out16;
    if (odd) {
        v = hterm(v, wa.x, r.h1);
        v = hterm(v, wa.y, r.h2);
        v = hterm(v, wa.z, r.h3);
        v = hterm(v, wa.w, r.h4);
        v = hterm(v, wb.x, r.h5);
        return hterm(v, wb.y, r.h6);
    }
    v = hterm(v, wa.x, r.h0);
    v = hterm(v, wa.y, r.h1);
    v = hterm(v, wa.z, r.h2);
    v = hterm(v, wa.w, r.h3);
    v = hterm(v, wb.x, r.h4);
    return hterm(v, wb.y, r.h5);
}

fn store(at: u32, q: u32, h: Out16) {
    dst4[at] = h.a;
    dst4[at + 1u] = h.b;
    if (second(q)) {
        dst4[at + 2u] = h.c;
        dst4[at + 3u] = h.d;
    }
}

// Thread q's outputs of the output rows from input row block `blk` of `plane`: an interior
// thread (`edge` false: no edge weights at all, the phases' only) or an edge one.
fn x2_rows(q: u32, blk: u32, plane: u32, edge: bool) {
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let slice = p.in_offset / 4u + plane * p.in_h * in_w4 + 2u * q;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + 4u * q;
    var ew: EdgeW;
    if (edge) {
        let e = select(q - (p.edge_qb - p.edge_qa), q, q < p.edge_qa);
        let g = p.tab_w / 4u + 24u * e;
        for (var t = 0u; t < 6u; t++) {
            ew.e0[t] = bitcast<vec4<f32>>(tab4[g + t]);
            ew.o0[t] = bitcast<vec4<f32>>(tab4[g + 6u + t]);
            ew.e1[t] = bitcast<vec4<f32>>(tab4[g + 12u + t]);
            ew.o1[t] = bitcast<vec4<f32>>(tab4[g + 18u + t]);
        }
    }
    let last = i32(p.in_h) - 1;
    let j0 = blk * WX2_ROWS;
    let j1 = min(j0 + WX2_ROWS, p.in_h);
    // Rows j0 - 3 .. j0 + 2 (clamped to the plane: the edge rows leave those out).
    var r: Ring;
    r.h1 = along_w(slice + u32(clamp(i32(j0) - 3, 0, last)) * in_w4, q, edge, ew);
    r.h2 = along_w(slice + u32(clamp(i32(j0) - 2, 0, last)) * in_w4, q, edge, ew);
    r.h3 = along_w(slice + u32(clamp(i32(j0) - 1, 0, last)) * in_w4, q, edge, ew);
    r.h4 = along_w(slice + j0 * in_w4, q, edge, ew);
    r.h5 = along_w(slice + u32(min(i32(j0) + 1, last)) * in_w4, q, edge, ew);
    r.h6 = along_w(slice + u32(min(i32(j0) + 2, last)) * in_w4, q, edge, ew);
    for (var j = j0; j < j1; j++) {
        r = Ring(r.h1, r.h2, r.h3, r.h4, r.h5, r.h6, r.h6);
        store(out + 2u * j * out_w4, q, out_row(r, 2u * j));
        r.h6 = along_w(slice + u32(min(i32(j) + 3, last)) * in_w4, q, edge, ew);
        store(out + (2u * j + 1u) * out_w4, q, out_row(r, 2u * j + 1u));
    }
}

// The interior threads [edge_qa, edge_qb): grid (threads / WG, row blocks, planes).
@compute @workgroup_size(WG)
fn window_x2_6(@builtin(workgroup_id) wg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let q = p.edge_qa + wg.x * WG + lid;
    if (q >= p.edge_qb) {
        return;
    }
    x2_rows(q, wg.y, wg.z, false);
}

// The edge threads (q < edge_qa, q >= edge_qb), one lane per edge thread and row block (the
// lanes of a workgroup busy however few edge threads a row has): grid (edge threads · row
// blocks / WG, 1, planes).
@compute @workgroup_size(WG)
fn window_x2_6_edge(@builtin(workgroup_id) wg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let threads = (p.in_w / 4u + 1u) / 2u;
    let edges = threads - (p.edge_qb - p.edge_qa);
    let blocks = (p.in_h + WX2_ROWS - 1u) / WX2_ROWS;
    let i = wg.x * WG + lid;
    if (i >= edges * blocks) {
        return;
    }
    let blk = i / edges;
    let e = i - blk * edges;
    x2_rows(select(e + (p.edge_qb - p.edge_qa), e, e < p.edge_qa), blk, wg.z, true);
}
