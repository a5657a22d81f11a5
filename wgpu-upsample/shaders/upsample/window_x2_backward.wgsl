// The backward of lanczos ×2 (a = 3) with the window passes along w then h fused
// (src/ops/upsample/window_x2_backward.rs checks the transposed tables and lays them out). Along
// each axis grad_input i reads the grad_outputs 2i - 5 + s (s < 12) with weights that do not
// depend on i, except near the ends, where the windows are truncated (the host checks every
// grad_input against that; truncated windows lie within the 12 slots). The same sums as the
// backward's window_w then window_h, in the same order: per grad_output row each grad_input's
// w sum over its window in rising order, then per grad_input row the h sum over its window's
// rows in order. Slots outside a truncated window skip their term (select), so a NaN or inf
// there never enters.
//
// Thread (q, block, plane): grad_inputs 16q .. 16q + 15 of the grad_input rows WXB_ROWS · block
// .. Per grad_output row it loads 12 vec4s (elements 32q - 8 .. 32q + 39), sums them along w
// into its 16 grad_inputs (48 vec4 multiply-adds on even/odd deinterleaved vec4s), keeps a ring of
// the last 12 rows' sums and writes each grad_input row from it (12 taps), 2 rows on. The
// interior threads [edge_qa, edge_qb) (`window_x2_backward_12`) and grad_input rows
// [edge_ja, edge_jb) take the 12 weights of each axis from `p.phases` (x 0 .. 11, y 12 .. 23);
// the others read per-slot weights (ABSENT outside the window): the edge threads'
// (`window_x2_backward_12_edge`, a dispatch of their own) from `tab4`, the edge rows' from `yz`.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w / 4, per edge thread (q < edge_qa, then q >= edge_qb) 48 vec4s: per group
// of its grad_inputs (16q .. 16q + 3, + 4 .., + 8 .., + 12 ..) and slot s < 12, the 4
// grad_inputs' weights (bits), ABSENT outside the window.
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// From vec4 p.tab_h / 4, per edge grad_input row (j < edge_ja, then j >= edge_jb) 3 vec4s: the
// weights of its 12 slots (bits, ABSENT outside the window).
@group(0) @binding(7) var<uniform> yz: array<vec4<u32>, YZ_WEIGHTS>;

const WXB_ABSENT: u32 = 0x80000000u;

// Interior weight i: x 0 .. 11, y 12 .. 23.
fn bw(i: u32) -> f32 {
    return p.phases[i / 4u][i % 4u];
}

// 16 grad_inputs along w: 16q .. 16q + 3 (a), + 4 .. (b), + 8 .. (c), + 12 .. (d).
struct In16 {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
}

// grad_output elements 32q - 8 .. 32q + 39 of a row: vec4 k (-2 .. 9) holds 32q + 4k .. + 3.
struct Span {
    m2: vec4<f32>, m1: vec4<f32>, v0: vec4<f32>, v1: vec4<f32>,
    v2: vec4<f32>, v3: vec4<f32>, v4: vec4<f32>, v5: vec4<f32>,
    v6: vec4<f32>, v7: vec4<f32>, v8: vec4<f32>, v9: vec4<f32>,
}

fn vec_at(x: Span, k: i32) -> vec4<f32> {
    switch (k) {
        case -2: { return x.m2; }
        case -1: { return x.m1; }
        case 0: { return x.v0; }
        case 1: { return x.v1; }
        case 2: { return x.v2; }
        case 3: { return x.v3; }
        case 4: { return x.v4; }
        case 5: { return x.v5; }
        case 6: { return x.v6; }
        case 7: { return x.v7; }
        case 8: { return x.v8; }
        default: { return x.v9; }
    }
}

// Even elements: 32q + 2n, + 2, + 4, + 6.
fn ev(x: Span, n: i32) -> vec4<f32> {
    let k = n >> 1u;
    let a = vec_at(x, k);
    let b = vec_at(x, k + 1);
    if ((n & 1) == 0) {
        return vec4<f32>(a.xz, b.xz);
    }
    return vec4<f32>(a.z, b.xz, vec_at(x, k + 2).x);
}

// Odd elements: 32q + 2n + 1, + 2, + 4, + 6.
fn od(x: Span, n: i32) -> vec4<f32> {
    let k = n >> 1u;
    let a = vec_at(x, k);
    let b = vec_at(x, k + 1);
    if ((n & 1) == 0) {
        return vec4<f32>(a.yw, b.yw);
    }
    return vec4<f32>(a.w, b.yw, vec_at(x, k + 2).y);
}

// Grad_input 16q + base + l reads 32q + 2(base + l) - 5 + s: s = 2u the odd elements from
// base + u - 3, s = 2u + 1 the even ones from base + u - 2.
fn taps12(x: Span, base: i32) -> vec4<f32> {
    var v = bw(0u) * od(x, base - 3);
    v += bw(1u) * ev(x, base - 2);
    v += bw(2u) * od(x, base - 2);
    v += bw(3u) * ev(x, base - 1);
    v += bw(4u) * od(x, base - 1);
    v += bw(5u) * ev(x, base);
    v += bw(6u) * od(x, base);
    v += bw(7u) * ev(x, base + 1);
    v += bw(8u) * od(x, base + 1);
    v += bw(9u) * ev(x, base + 2);
    v += bw(10u) * od(x, base + 2);
    v += bw(11u) * ev(x, base + 3);
    return v;
}

// acc + w · x in the lanes whose weight is not ABSENT.
fn term(acc: vec4<f32>, w: vec4<f32>, x: vec4<f32>) -> vec4<f32> {
    return select(acc, acc + w * x, bitcast<vec4<u32>>(w) != vec4<u32>(WXB_ABSENT));
}

// One group's edge sum: per-slot weights `w`.
fn edge12(x: Span, w: array<vec4<f32>, 12>, base: i32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    v = term(v, w[0], od(x, base - 3));
    v = term(v, w[1], ev(x, base - 2));
    v = term(v, w[2], od(x, base - 2));
    v = term(v, w[3], ev(x, base - 1));
    v = term(v, w[4], od(x, base - 1));
    v = term(v, w[5], ev(x, base));
    v = term(v, w[6], od(x, base));
    v = term(v, w[7], ev(x, base + 1));
    v = term(v, w[8], od(x, base + 1));
    v = term(v, w[9], ev(x, base + 2));
    v = term(v, w[10], od(x, base + 2));
    v = term(v, w[11], ev(x, base + 3));
    return v;
}

// An edge thread's weights: per group and slot.
struct EdgeW {
    a: array<vec4<f32>, 12>,
    b: array<vec4<f32>, 12>,
    c: array<vec4<f32>, 12>,
    d: array<vec4<f32>, 12>,
}

// The row's vec4 `at + k` (`at` the thread's vec4 8q); for edge threads clamped to the row
// (`row` its first vec4), repeats the edge weights leave out.
fn ld(row: u32, at: u32, k: i32, edge: bool) -> vec4<f32> {
    if (edge) {
        return src4[row + u32(clamp(i32(at) + k, 0, i32(p.in_w / 4u) - 1))];
    }
    return src4[row + u32(i32(at) + k)];
}

// One grad_output row's sums along w.
fn along_w(row: u32, q: u32, edge: bool, ew: EdgeW) -> In16 {
    let at = 8u * q;
    let x = Span(ld(row, at, -2, edge), ld(row, at, -1, edge), ld(row, at, 0, edge),
                 ld(row, at, 1, edge), ld(row, at, 2, edge), ld(row, at, 3, edge),
                 ld(row, at, 4, edge), ld(row, at, 5, edge), ld(row, at, 6, edge),
                 ld(row, at, 7, edge), ld(row, at, 8, edge), ld(row, at, 9, edge));
    if (edge) {
        return In16(edge12(x, ew.a, 0), edge12(x, ew.b, 4), edge12(x, ew.c, 8),
                    edge12(x, ew.d, 12));
    }
    return In16(taps12(x, 0), taps12(x, 4), taps12(x, 8), taps12(x, 12));
}

fn madd(acc: In16, w: f32, h: In16) -> In16 {
    return In16(acc.a + w * h.a, acc.b + w * h.b, acc.c + w * h.c, acc.d + w * h.d);
}

fn hterm(acc: In16, w: f32, h: In16) -> In16 {
    if (bitcast<u32>(w) == WXB_ABSENT) {
        return acc;
    }
    return madd(acc, w, h);
}

// The 12 rows of the ring: grad_output rows 2j - 5 .. 2j + 6 summed along w.
struct Ring {
    h0: In16, h1: In16, h2: In16, h3: In16, h4: In16, h5: In16,
    h6: In16, h7: In16, h8: In16, h9: In16, h10: In16, h11: In16,
}

// grad_input row j from the ring.
fn in_row(r: Ring, j: u32) -> In16 {
    if (j >= p.edge_ja && j < p.edge_jb) {
        let w0 = bw(12u);
        var v = In16(w0 * r.h0.a, w0 * r.h0.b, w0 * r.h0.c, w0 * r.h0.d);
        v = madd(v, bw(13u), r.h1);
        v = madd(v, bw(14u), r.h2);
        v = madd(v, bw(15u), r.h3);
        v = madd(v, bw(16u), r.h4);
        v = madd(v, bw(17u), r.h5);
        v = madd(v, bw(18u), r.h6);
        v = madd(v, bw(19u), r.h7);
        v = madd(v, bw(20u), r.h8);
        v = madd(v, bw(21u), r.h9);
        v = madd(v, bw(22u), r.h10);
        return madd(v, bw(23u), r.h11);
    }
    // An edge row: its slots' weights from the uniform array.
    let e = select(j - (p.edge_jb - p.edge_ja), j, j < p.edge_ja);
    let at = p.tab_h / 4u + 3u * e;
    let wa = bitcast<vec4<f32>>(yz[at]);
    let wb = bitcast<vec4<f32>>(yz[at + 1u]);
    let wc = bitcast<vec4<f32>>(yz[at + 2u]);
    let z = vec4<f32>(0.0);
    var v = In16(z, z, z, z);
    v = hterm(v, wa.x, r.h0);
    v = hterm(v, wa.y, r.h1);
    v = hterm(v, wa.z, r.h2);
    v = hterm(v, wa.w, r.h3);
    v = hterm(v, wb.x, r.h4);
    v = hterm(v, wb.y, r.h5);
    v = hterm(v, wb.z, r.h6);
    v = hterm(v, wb.w, r.h7);
    v = hterm(v, wc.x, r.h8);
    v = hterm(v, wc.y, r.h9);
    v = hterm(v, wc.z, r.h10);
    return hterm(v, wc.w, r.h11);
}

// Whether the thread's vec4 k (grad_inputs 16q + 4k ..) is in the row.
fn has(q: u32, k: u32) -> bool {
    return 4u * q + k < p.out_w / 4u;
}

// Thread q's grad_inputs of the rows of block `blk` of `plane`: an interior thread (`edge`
// false: the interior weights only) or an edge one.
fn xb_rows(q: u32, blk: u32, plane: u32, edge: bool) {
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let slice = p.in_offset / 4u + plane * p.in_h * in_w4;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + 4u * q;
    var ew: EdgeW;
    if (edge) {
        let e = select(q - (p.edge_qb - p.edge_qa), q, q < p.edge_qa);
        let g = p.tab_w / 4u + 48u * e;
        for (var t = 0u; t < 12u; t++) {
            ew.a[t] = bitcast<vec4<f32>>(tab4[g + t]);
            ew.b[t] = bitcast<vec4<f32>>(tab4[g + 12u + t]);
            ew.c[t] = bitcast<vec4<f32>>(tab4[g + 24u + t]);
            ew.d[t] = bitcast<vec4<f32>>(tab4[g + 36u + t]);
        }
    }
    let last = i32(p.in_h) - 1;
    let j0 = blk * WXB_ROWS;
    let j1 = min(j0 + WXB_ROWS, p.out_h);
    // Rows 2j0 - 5 .. 2j0 + 4 into h2 .. h11 (clamped to the plane: the edge rows leave those
    // out).
    let y0 = 2 * i32(j0);
    var r: Ring;
    r.h2 = along_w(slice + u32(clamp(y0 - 5, 0, last)) * in_w4, q, edge, ew);
    r.h3 = along_w(slice + u32(clamp(y0 - 4, 0, last)) * in_w4, q, edge, ew);
    r.h4 = along_w(slice + u32(clamp(y0 - 3, 0, last)) * in_w4, q, edge, ew);
    r.h5 = along_w(slice + u32(clamp(y0 - 2, 0, last)) * in_w4, q, edge, ew);
    r.h6 = along_w(slice + u32(clamp(y0 - 1, 0, last)) * in_w4, q, edge, ew);
    r.h7 = along_w(slice + u32(min(y0, last)) * in_w4, q, edge, ew);
    r.h8 = along_w(slice + u32(min(y0 + 1, last)) * in_w4, q, edge, ew);
    r.h9 = along_w(slice + u32(min(y0 + 2, last)) * in_w4, q, edge, ew);
    r.h10 = along_w(slice + u32(min(y0 + 3, last)) * in_w4, q, edge, ew);
    r.h11 = along_w(slice + u32(min(y0 + 4, last)) * in_w4, q, edge, ew);
    for (var j = j0; j < j1; j++) {
        let y = 2 * i32(j);
        r = Ring(r.h2, r.h3, r.h4, r.h5, r.h6, r.h7, r.h8, r.h9, r.h10, r.h11, r.h11, r.h11);
        r.h10 = along_w(slice + u32(min(y + 5, last)) * in_w4, q, edge, ew);
        r.h11 = along_w(slice + u32(min(y + 6, last)) * in_w4, q, edge, ew);
        let v = in_row(r, j);
        let at = out + j * out_w4;
        if (!edge) {
            dst4[at] = v.a;
            dst4[at + 1u] = v.b;
            dst4[at + 2u] = v.c;
            dst4[at + 3u] = v.d;
            continue;
        }
        dst4[at] = v.a;
        if (has(q, 1u)) {
            dst4[at + 1u] = v.b;
        }
        if (has(q, 2u)) {
            dst4[at + 2u] = v.c;
        }
        if (has(q, 3u)) {
            dst4[at + 3u] = v.d;
        }
    }
}

// The interior threads [edge_qa, edge_qb): grid (threads / WG, row blocks, planes).
@compute @workgroup_size(WG)
fn window_x2_backward_12(@builtin(workgroup_id) wg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
    let q = p.edge_qa + wg.x * WG + lid;
    if (q >= p.edge_qb) {
        return;
    }
    xb_rows(q, wg.y, wg.z, false);
}

// The edge threads (q < edge_qa, q >= edge_qb), one lane per edge thread and row block: grid
// (edge threads · row blocks / WG, 1, planes).
@compute @workgroup_size(WG)
fn window_x2_backward_12_edge(@builtin(workgroup_id) wg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    let threads = (p.out_w / 4u + 3u) / 4u;
    let edges = threads - (p.edge_qb - p.edge_qa);
    let blocks = (p.out_h + WXB_ROWS - 1u) / WXB_ROWS;
    let i = wg.x * WG + lid;
    if (i >= edges * blocks) {
        return;
    }
    let blk = i / edges;
    let e = i - blk * edges;
    xb_rows(select(e + (p.edge_qb - p.edge_qa), e, e < p.edge_qa), blk, wg.z, true);
}
