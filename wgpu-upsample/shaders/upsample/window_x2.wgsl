// The antialias window passes along w then h fused for exact ×2 with windows of T = 2, 4 or 6
// slots (lanczos ×2 forward, a = 3: T = 6; the backward of bilinear and bicubic ×½: T = 2, 4;
// src/ops/upsample/window_x2.rs checks the tables and lays them out). At ×2 the windows of
// output 2m + φ are the inputs m + φ - T/2 + t (t < T) with weights that depend on φ only,
// except near the ends of each axis, where they are truncated (the host checks every output
// against that; truncated windows lie within the T slots). T is a literal per entry point
// (`window_x2_T`, `window_x2_T_edge`), passed down as `n`.
// The same sums as window_w then window_h, in the same order: per input row each output's w
// sum over its window's inputs in rising order, then per output row the h sum over its
// window's rows in order. Outputs whose window leaves out a slot skip that term (select), so a
// NaN or inf there never enters.
//
// Thread (q, block, plane): input elements 8q .. 8q + 7 of the input rows WX2_ROWS · block ..
// → outputs 16q .. 16q + 15 of output rows 2j and 2j + 1 for each of those rows j. Per input
// row it loads 4 vec4s (8q - 4 .. 8q + 11), sums them along w into 16 outputs (4T vec4
// multiply-adds), shifts that into a ring of the last T + 1 rows' sums and writes the two
// output rows from it (T taps each). The interior threads [edge_qa, edge_qb) (`window_x2_T`)
// and output rows [edge_ja, edge_jb) take the weights of the two phases from `p.phases` (x
// even, x odd, y even, y odd, 6 each, the first T used); the others read per-slot weights
// (ABSENT outside the window): the edge threads' (`window_x2_T_edge`, a dispatch of their own,
// so that no interior lane runs their selects) from `tab4` (the same registers for all their
// rows), the edge rows' from `yz` (the same address in every lane).

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

// One group's interior sum: phase weights from `w0` on, inputs x(s0) .. x(s0 + n - 1).
fn taps(x: Span, w0: u32, s0: i32, n: u32) -> vec4<f32> {
    var v = pw(w0) * x_at(x, s0);
    v += pw(w0 + 1u) * x_at(x, s0 + 1);
    if (n > 2u) {
        v += pw(w0 + 2u) * x_at(x, s0 + 2);
        v += pw(w0 + 3u) * x_at(x, s0 + 3);
    }
    if (n > 4u) {
        v += pw(w0 + 4u) * x_at(x, s0 + 4);
        v += pw(w0 + 5u) * x_at(x, s0 + 5);
    }
    return v;
}

// acc + w · x in the lanes whose weight is not ABSENT.
fn term(acc: vec4<f32>, w: vec4<f32>, x: vec4<f32>) -> vec4<f32> {
    return select(acc, acc + w * x, bitcast<vec4<u32>>(w) != vec4<u32>(WX2_ABSENT));
}

// One group's edge sum: per-slot weights `w`, inputs x(s0) .. x(s0 + n - 1).
fn edge_taps(x: Span, w: array<vec4<f32>, 6>, s0: i32, n: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    v = term(v, w[0], x_at(x, s0));
    v = term(v, w[1], x_at(x, s0 + 1));
    if (n > 2u) {
        v = term(v, w[2], x_at(x, s0 + 2));
        v = term(v, w[3], x_at(x, s0 + 3));
    }
    if (n > 4u) {
        v = term(v, w[4], x_at(x, s0 + 4));
        v = term(v, w[5], x_at(x, s0 + 5));
    }
    return v;
}

// One input row's sums along w: even output 2m reads m - n/2 .. m + n/2 - 1, odd 2m + 1
// m - n/2 + 1 .. m + n/2.
fn along_w(at: u32, q: u32, edge: bool, ew: EdgeW, n: u32) -> Out16 {
    let x = load(at, q);
    let h = i32(n / 2u);
    var e0: vec4<f32>;
    var o0: vec4<f32>;
    var e1: vec4<f32>;
    var o1: vec4<f32>;
    if (edge) {
        e0 = edge_taps(x, ew.e0, -h, n);
        o0 = edge_taps(x, ew.o0, 1 - h, n);
        e1 = edge_taps(x, ew.e1, 4 - h, n);
        o1 = edge_taps(x, ew.o1, 5 - h, n);
    } else {
        e0 = taps(x, 0u, -h, n);
        o0 = taps(x, 6u, 1 - h, n);
        e1 = taps(x, 0u, 4 - h, n);
        o1 = taps(x, 6u, 5 - h, n);
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

// The 7 rows of the ring: input rows j - 3 .. j + 3 summed along w (rows j - n/2 .. j + n/2
// used).
struct Ring {
    h0: Out16, h1: Out16, h2: Out16, h3: Out16, h4: Out16, h5: Out16, h6: Out16,
}

// Ring row i (a literal after inlining).
fn ring_at(r: Ring, i: u32) -> Out16 {
    switch (i) {
        case 0u: { return r.h0; }
        case 1u: { return r.h1; }
        case 2u: { return r.h2; }
        case 3u: { return r.h3; }
        case 4u: { return r.h4; }
        case 5u: { return r.h5; }
        default: { return r.h6; }
    }
}

// Output row y from the n rows h(k) .. h(k + n - 1) of the ring (k = 3 - n/2 for even rows,
// one more for odd ones).
fn out_row(r: Ring, y: u32, n: u32) -> Out16 {
    let odd = (y & 1u) == 1u;
    let k = 3u - n / 2u + select(0u, 1u, odd);
    if (y >= p.edge_ja && y < p.edge_jb) {
        let w0 = select(12u, 18u, odd);
        var v = mul16(pw(w0), ring_at(r, k));
        v = madd(v, pw(w0 + 1u), ring_at(r, k + 1u));
        if (n > 2u) {
            v = madd(v, pw(w0 + 2u), ring_at(r, k + 2u));
            v = madd(v, pw(w0 + 3u), ring_at(r, k + 3u));
        }
        if (n > 4u) {
            v = madd(v, pw(w0 + 4u), ring_at(r, k + 4u));
            v = madd(v, pw(w0 + 5u), ring_at(r, k + 5u));
        }
        return v;
    }
    // An edge row: its slots' weights from the uniform array.
    let e = select(y - (p.edge_jb - p.edge_ja), y, y < p.edge_ja);
    let at = p.tab_h / 4u + 2u * e;
    let wa = bitcast<vec4<f32>>(yz[at]);
    let wb = bitcast<vec4<f32>>(yz[at + 1u]);
    var v: Out16;
    v = hterm(v, wa.x, ring_at(r, k));
    v = hterm(v, wa.y, ring_at(r, k + 1u));
    if (n > 2u) {
        v = hterm(v, wa.z, ring_at(r, k + 2u));
        v = hterm(v, wa.w, ring_at(r, k + 3u));
    }
    if (n > 4u) {
        v = hterm(v, wb.x, ring_at(r, k + 4u));
        v = hterm(v, wb.y, ring_at(r, k + 5u));
    }
    return v;
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
// thread (`edge` false: no edge weights at all, the phases' only) or an edge one; `n` taps.
fn x2_rows(q: u32, blk: u32, plane: u32, edge: bool, n: u32) {
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let slice = p.in_offset / 4u + plane * p.in_h * in_w4 + 2u * q;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + 4u * q;
    var ew: EdgeW;
    if (edge) {
        let e = select(q - (p.edge_qb - p.edge_qa), q, q < p.edge_qa);
        let g = p.tab_w / 4u + 24u * e;
        for (var t = 0u; t < n; t++) {
            ew.e0[t] = bitcast<vec4<f32>>(tab4[g + t]);
            ew.o0[t] = bitcast<vec4<f32>>(tab4[g + 6u + t]);
            ew.e1[t] = bitcast<vec4<f32>>(tab4[g + 12u + t]);
            ew.o1[t] = bitcast<vec4<f32>>(tab4[g + 18u + t]);
        }
    }
    let last = i32(p.in_h) - 1;
    let j0 = blk * WX2_ROWS;
    let j1 = min(j0 + WX2_ROWS, p.in_h);
    // Ring rows 4 - n/2 .. 3 + n/2 (before the first shift): input rows j0 - n/2 .. j0 + n/2 - 1
    // (clamped to the plane: the edge rows leave those out).
    var r: Ring;
    if (n > 4u) {
        r.h1 = along_w(slice + u32(clamp(i32(j0) - 3, 0, last)) * in_w4, q, edge, ew, n);
    }
    if (n > 2u) {
        r.h2 = along_w(slice + u32(clamp(i32(j0) - 2, 0, last)) * in_w4, q, edge, ew, n);
    }
    r.h3 = along_w(slice + u32(clamp(i32(j0) - 1, 0, last)) * in_w4, q, edge, ew, n);
    r.h4 = along_w(slice + j0 * in_w4, q, edge, ew, n);
    if (n > 2u) {
        r.h5 = along_w(slice + u32(min(i32(j0) + 1, last)) * in_w4, q, edge, ew, n);
    }
    if (n > 4u) {
        r.h6 = along_w(slice + u32(min(i32(j0) + 2, last)) * in_w4, q, edge, ew, n);
    }
    let h = n / 2u;
    for (var j = j0; j < j1; j++) {
        r = Ring(r.h1, r.h2, r.h3, r.h4, r.h5, r.h6, r.h6);
        store(out + 2u * j * out_w4, q, out_row(r, 2u * j, n));
        // Input row j + n/2 into ring row 3 + n/2.
        let next = along_w(slice + u32(min(i32(j + h), last)) * in_w4, q, edge, ew, n);
        if (n == 2u) {
            r.h4 = next;
        } else if (n == 4u) {
            r.h5 = next;
        } else {
            r.h6 = next;
        }
        store(out + (2u * j + 1u) * out_w4, q, out_row(r, 2u * j + 1u, n));
    }
}

// The interior threads [edge_qa, edge_qb) with n taps: grid (threads / WG, row blocks, planes).
fn interior(wg: vec3<u32>, lid: u32, n: u32) {
    let q = p.edge_qa + wg.x * WG + lid;
    if (q >= p.edge_qb) {
        return;
    }
    x2_rows(q, wg.y, wg.z, false, n);
}

// The edge threads (q < edge_qa, q >= edge_qb) with n taps, one lane per edge thread and row
// block (the lanes of a workgroup busy however few edge threads a row has): grid (edge
// threads · row blocks / WG, 1, planes).
fn edge_threads(wg: vec3<u32>, lid: u32, n: u32) {
    let threads = (p.in_w / 4u + 1u) / 2u;
    let edges = threads - (p.edge_qb - p.edge_qa);
    let blocks = (p.in_h + WX2_ROWS - 1u) / WX2_ROWS;
    let i = wg.x * WG + lid;
    if (i >= edges * blocks) {
        return;
    }
    let blk = i / edges;
    let e = i - blk * edges;
    x2_rows(select(e + (p.edge_qb - p.edge_qa), e, e < p.edge_qa), blk, wg.z, true, n);
}

@compute @workgroup_size(WG)
fn window_x2_2(@builtin(workgroup_id) wg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    interior(wg, lid, 2u);
}

@compute @workgroup_size(WG)
fn window_x2_2_edge(@builtin(workgroup_id) wg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    edge_threads(wg, lid, 2u);
}

@compute @workgroup_size(WG)
fn window_x2_4(@builtin(workgroup_id) wg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    interior(wg, lid, 4u);
}

@compute @workgroup_size(WG)
fn window_x2_4_edge(@builtin(workgroup_id) wg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    edge_threads(wg, lid, 4u);
}

@compute @workgroup_size(WG)
fn window_x2_6(@builtin(workgroup_id) wg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    interior(wg, lid, 6u);
}

@compute @workgroup_size(WG)
fn window_x2_6_edge(@builtin(workgroup_id) wg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    edge_threads(wg, lid, 6u);
}
