// The backward of bilinear and bicubic (4-D) at any scale, both widths multiples of 4
// (src/ops/upsample/backward_fractional.rs checks the taps and lays out the tables): the w and h
// window passes of the CPU reference fused, the same terms in the same order. Per output row
// along w: acc = init, then acc + w · grad_output[o] for each term of each lane in increasing o;
// per input row along h: acc = init, then acc + w · (its output row's w sum) for each term.
//
// Thread (q, block, plane): grad_input vec4 q of input rows FRAC_ROWS · block ... Per output row
// it loads `span` vec4s of grad_output from the thread's first vec4 (tab4) and adds, for each
// column j < 4 span (component j of the loaded vec4s), each lane's weight times it where the
// lane's mask has bit j. The last M (held) rows summed along w stay in registers: the rows
// s .. s + M - 1, s the input row's first output row (non-decreasing, from the uniform array:
// the same in every lane of a workgroup), and each term along h reads slot o - s (term k reads
// slot k where the row is plain).
//
// The edge kernel overwrites the threads listed in its table (a lane reading a column twice) from
// per-lane term lists: columns and weights per term, element loads (`_t4`, `_t8`: at most 4, 8
// terms a lane, the lists read once into registers; `_t8` loads the thread's 4 grad_output vec4s
// per row whole, from the vec4 in its table, and picks the lanes' columns from them).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w, per thread (3 + 4 span vec4s): (first grad_output vec4, -, -, -), per lane
// the mask of its columns, per lane the initial sum (bits), per column the lanes' weights (bits).
// From vec4 p.tab_h, per edge thread (3 + 2 p.taps vec4s): (thread, first vec4 (`_t8`), -, -),
// per lane its terms' count, per lane the initial sum, per term the lanes' columns, then their
// weights.
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// Per input row, from vec4 4 · row: (s, slots (3 bits per term, term k < 10 at bit 3k), terms |
// plain << 8 | slots of terms 10 and 11 from bit 16, the initial sum (bits)), then its 12
// weights along h (bits). Where they do not fit (p.indexed = 1), the same from vec4 p.tab_d of
// tab4.
@group(0) @binding(7) var<uniform> rows_tab: array<vec4<u32>, YZ_WEIGHTS>;

// Vec4 i of the rows' table (the same in every lane of a workgroup).
fn rows(i: u32) -> vec4<u32> {
    if (p.indexed != 0u) {
        return tab4[p.tab_d + i];
    }
    return rows_tab[i];
}

// Four columns' weights (lanes in components).
struct Cols {
    w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>,
}

// The last M rows summed along w (slot s in r_s).
struct Held {
    r0: vec4<f32>, r1: vec4<f32>, r2: vec4<f32>, r3: vec4<f32>,
    r4: vec4<f32>, r5: vec4<f32>, r6: vec4<f32>, r7: vec4<f32>,
}

fn cols(at: u32) -> Cols {
    return Cols(bitcast<vec4<f32>>(tab4[at]), bitcast<vec4<f32>>(tab4[at + 1u]),
                bitcast<vec4<f32>>(tab4[at + 2u]), bitcast<vec4<f32>>(tab4[at + 3u]));
}

// acc + w · x in the lanes whose mask has bit j.
fn term(acc: vec4<f32>, w: vec4<f32>, x: f32, mask: vec4<u32>, j: u32) -> vec4<f32> {
    return select(acc, acc + w * x, (mask & vec4<u32>(1u << j)) != vec4<u32>(0u));
}

// Columns 4c .. 4c + 3: the components of v.
fn four(acc: vec4<f32>, c: Cols, v: vec4<f32>, mask: vec4<u32>, j: u32) -> vec4<f32> {
    var a = term(acc, c.w0, v.x, mask, j);
    a = term(a, c.w1, v.y, mask, j + 1u);
    a = term(a, c.w2, v.z, mask, j + 2u);
    return term(a, c.w3, v.w, mask, j + 3u);
}

fn shift(h: Held, next: vec4<f32>, M: u32) -> Held {
    if (M > 4u) {
        return Held(h.r1, h.r2, h.r3, h.r4, h.r5, h.r6, h.r7, next);
    }
    return Held(h.r1, h.r2, h.r3, next, h.r4, h.r5, h.r6, h.r7);
}

fn slot(h: Held, s: u32) -> vec4<f32> {
    switch (s) {
        case 0u: { return h.r0; }
        case 1u: { return h.r1; }
        case 2u: { return h.r2; }
        case 3u: { return h.r3; }
        case 4u: { return h.r4; }
        case 5u: { return h.r5; }
        case 6u: { return h.r6; }
        default: { return h.r7; }
    }
}

// One input row's entries in the rows' table: (s, slots, terms | plain, init), 8 weights.
struct RowH {
    row: vec4<u32>, wa: vec4<f32>, wb: vec4<f32>,
}

fn row_h(y: u32) -> RowH {
    return RowH(rows(4u * y), bitcast<vec4<f32>>(rows(4u * y + 1u)),
                bitcast<vec4<f32>>(rows(4u * y + 2u)));
}

// One input row's sum along h over the held rows.
fn along_h(h: Held, y: u32, M: u32) -> vec4<f32> {
    return sum_h(h, row_h(y), y, M);
}

// Input row y's sum along h over the M held rows, its table entries in `r` (a plain row's
// terms at most M).
fn sum_h(h: Held, r: RowH, y: u32, M: u32) -> vec4<f32> {
    let row = r.row;
    let wa = r.wa;
    let wb = r.wb;
    let n = row.z & 255u;
    var acc = vec4<f32>(bitcast<f32>(row.w));
    if ((row.z >> 8u) != 0u) {
        // Plain: term k reads slot k.
        if (n > 0u) { acc = acc + wa.x * h.r0; }
        if (n > 1u) { acc = acc + wa.y * h.r1; }
        if (n > 2u) { acc = acc + wa.z * h.r2; }
        if (n > 3u) { acc = acc + wa.w * h.r3; }
        if (M > 4u) {
            if (n > 4u) { acc = acc + wb.x * h.r4; }
            if (n > 5u) { acc = acc + wb.y * h.r5; }
            if (n > 6u) { acc = acc + wb.z * h.r6; }
            if (n > 7u) { acc = acc + wb.w * h.r7; }
        }
        return acc;
    }
    for (var k = 0u; k < n; k++) {
        let w = bitcast<f32>(rows(4u * y + 1u + k / 4u)[k & 3u]);
        let s = select(row.y >> (3u * k), row.z >> (16u + 3u * (k - 10u)), k >= 10u) & 7u;
        acc = acc + w * slot(h, s);
    }
    return acc;
}

// The ×1.5 kernel's four grad_input vec4s of a row.
struct Four {
    a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>,
}

// sum_h of four held sets at once (one decoding of the row, one loop).
fn sum_h4(ha: Held, hb: Held, hc: Held, hd: Held, r: RowH, y: u32, M: u32) -> Four {
    let row = r.row;
    let wa = r.wa;
    let wb = r.wb;
    let n = row.z & 255u;
    let init = vec4<f32>(bitcast<f32>(row.w));
    var x = Four(init, init, init, init);
    if ((row.z >> 8u) != 0u) {
        if (n > 0u) {
            x = Four(x.a + wa.x * ha.r0, x.b + wa.x * hb.r0, x.c + wa.x * hc.r0, x.d + wa.x * hd.r0);
        }
        if (n > 1u) {
            x = Four(x.a + wa.y * ha.r1, x.b + wa.y * hb.r1, x.c + wa.y * hc.r1, x.d + wa.y * hd.r1);
        }
        if (n > 2u) {
            x = Four(x.a + wa.z * ha.r2, x.b + wa.z * hb.r2, x.c + wa.z * hc.r2, x.d + wa.z * hd.r2);
        }
        if (n > 3u) {
            x = Four(x.a + wa.w * ha.r3, x.b + wa.w * hb.r3, x.c + wa.w * hc.r3, x.d + wa.w * hd.r3);
        }
        if (M > 4u) {
            if (n > 4u) {
                x = Four(x.a + wb.x * ha.r4, x.b + wb.x * hb.r4, x.c + wb.x * hc.r4,
                         x.d + wb.x * hd.r4);
            }
            if (n > 5u) {
                x = Four(x.a + wb.y * ha.r5, x.b + wb.y * hb.r5, x.c + wb.y * hc.r5,
                         x.d + wb.y * hd.r5);
            }
            if (n > 6u) {
                x = Four(x.a + wb.z * ha.r6, x.b + wb.z * hb.r6, x.c + wb.z * hc.r6,
                         x.d + wb.z * hd.r6);
            }
            if (n > 7u) {
                x = Four(x.a + wb.w * ha.r7, x.b + wb.w * hb.r7, x.c + wb.w * hc.r7,
                         x.d + wb.w * hd.r7);
            }
        }
        return x;
    }
    for (var k = 0u; k < n; k++) {
        let w = bitcast<f32>(rows(4u * y + 1u + k / 4u)[k & 3u]);
        let s = select(row.y >> (3u * k), row.z >> (16u + 3u * (k - 10u)), k >= 10u) & 7u;
        x = Four(x.a + w * slot(ha, s), x.b + w * slot(hb, s), x.c + w * slot(hc, s),
                 x.d + w * slot(hd, s));
    }
    return x;
}

// The thread's w sum of output row `r` (main kernel: its tables in registers).
struct Wide {
    base: u32,
    mask: vec4<u32>,
    init: vec4<f32>,
    a: Cols, b: Cols, c: Cols, d: Cols, e: Cols,
}

fn along_w(x: Wide, at: u32, span: u32) -> vec4<f32> {
    var acc = four(x.init, x.a, src4[at], x.mask, 0u);
    acc = four(acc, x.b, src4[at + 1u], x.mask, 4u);
    if (span > 2u) { acc = four(acc, x.c, src4[at + 2u], x.mask, 8u); }
    if (span > 3u) { acc = four(acc, x.d, src4[at + 3u], x.mask, 12u); }
    if (span > 4u) { acc = four(acc, x.e, src4[at + 4u], x.mask, 16u); }
    return acc;
}

// The edge thread's w sum of the output row starting at element `at`: up to p.taps terms per
// lane from the table at vec4 e.
fn along_w_edge(e: u32, at: u32) -> vec4<f32> {
    let n = tab4[e + 1u];
    var acc = bitcast<vec4<f32>>(tab4[e + 2u]);
    for (var k = 0u; k < p.taps; k++) {
        let c = vec4<u32>(at) + tab4[e + 3u + 2u * k];
        let w = bitcast<vec4<f32>>(tab4[e + 4u + 2u * k]);
        let v = vec4<f32>(src4[c.x >> 2u][c.x & 3u], src4[c.y >> 2u][c.y & 3u],
                          src4[c.z >> 2u][c.z & 3u], src4[c.w >> 2u][c.w & 3u]);
        acc = select(acc, acc + w * v, vec4<u32>(k) < n);
    }
    return acc;
}

// An edge thread's terms where there are at most 4 (8) a lane (p.taps = 4 (8): the `_t4`
// (`_t8`) edge kernels), read once: per lane the count and initial sum, per term the columns and
// weights (terms 4 to 7 only where `T` is 8).
struct EdgeTerms {
    n: vec4<u32>, init: vec4<f32>,
    c0: vec4<u32>, c1: vec4<u32>, c2: vec4<u32>, c3: vec4<u32>,
    w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>,
    c4: vec4<u32>, c5: vec4<u32>, c6: vec4<u32>, c7: vec4<u32>,
    w4: vec4<f32>, w5: vec4<f32>, w6: vec4<f32>, w7: vec4<f32>,
}

fn edge_terms(e: u32, T: u32) -> EdgeTerms {
    var x: EdgeTerms;
    x.n = tab4[e + 1u];
    x.init = bitcast<vec4<f32>>(tab4[e + 2u]);
    x.c0 = tab4[e + 3u];
    x.c1 = tab4[e + 5u];
    x.c2 = tab4[e + 7u];
    x.c3 = tab4[e + 9u];
    x.w0 = bitcast<vec4<f32>>(tab4[e + 4u]);
    x.w1 = bitcast<vec4<f32>>(tab4[e + 6u]);
    x.w2 = bitcast<vec4<f32>>(tab4[e + 8u]);
    x.w3 = bitcast<vec4<f32>>(tab4[e + 10u]);
    if (T > 4u) {
        x.c4 = tab4[e + 11u];
        x.c5 = tab4[e + 13u];
        x.c6 = tab4[e + 15u];
        x.c7 = tab4[e + 17u];
        x.w4 = bitcast<vec4<f32>>(tab4[e + 12u]);
        x.w5 = bitcast<vec4<f32>>(tab4[e + 14u]);
        x.w6 = bitcast<vec4<f32>>(tab4[e + 16u]);
        x.w7 = bitcast<vec4<f32>>(tab4[e + 18u]);
    }
    return x;
}

// Term k of an edge thread: acc + w · (the lanes' elements at + c) where k < n.
fn edge_term(acc: vec4<f32>, x: EdgeTerms, at: u32, c4: vec4<u32>, w: vec4<f32>,
             k: u32) -> vec4<f32> {
    let c = vec4<u32>(at) + c4;
    let v = vec4<f32>(src4[c.x >> 2u][c.x & 3u], src4[c.y >> 2u][c.y & 3u],
                      src4[c.z >> 2u][c.z & 3u], src4[c.w >> 2u][c.w & 3u]);
    return select(acc, acc + w * v, vec4<u32>(k) < x.n);
}

// along_w_edge with the terms in registers (p.taps = T, 4 or 8).
fn along_w_edge4(x: EdgeTerms, at: u32, T: u32) -> vec4<f32> {
    var acc = edge_term(x.init, x, at, x.c0, x.w0, 0u);
    acc = edge_term(acc, x, at, x.c1, x.w1, 1u);
    acc = edge_term(acc, x, at, x.c2, x.w2, 2u);
    acc = edge_term(acc, x, at, x.c3, x.w3, 3u);
    if (T > 4u) {
        acc = edge_term(acc, x, at, x.c4, x.w4, 4u);
        acc = edge_term(acc, x, at, x.c5, x.w5, 5u);
        acc = edge_term(acc, x, at, x.c6, x.w6, 6u);
        acc = edge_term(acc, x, at, x.c7, x.w7, 7u);
    }
    return acc;
}

// The elements j (per lane, < 16) of the vec4s v0 .. v3 (none: 0).
fn pick16(v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>,
          j: vec4<u32>) -> vec4<f32> {
    var r = vec4<f32>(0.0);
    r = select(r, vec4<f32>(v0.x), j == vec4<u32>(0u));
    r = select(r, vec4<f32>(v0.y), j == vec4<u32>(1u));
    r = select(r, vec4<f32>(v0.z), j == vec4<u32>(2u));
    r = select(r, vec4<f32>(v0.w), j == vec4<u32>(3u));
    r = select(r, vec4<f32>(v1.x), j == vec4<u32>(4u));
    r = select(r, vec4<f32>(v1.y), j == vec4<u32>(5u));
    r = select(r, vec4<f32>(v1.z), j == vec4<u32>(6u));
    r = select(r, vec4<f32>(v1.w), j == vec4<u32>(7u));
    r = select(r, vec4<f32>(v2.x), j == vec4<u32>(8u));
    r = select(r, vec4<f32>(v2.y), j == vec4<u32>(9u));
    r = select(r, vec4<f32>(v2.z), j == vec4<u32>(10u));
    r = select(r, vec4<f32>(v2.w), j == vec4<u32>(11u));
    r = select(r, vec4<f32>(v3.x), j == vec4<u32>(12u));
    r = select(r, vec4<f32>(v3.y), j == vec4<u32>(13u));
    r = select(r, vec4<f32>(v3.z), j == vec4<u32>(14u));
    return select(r, vec4<f32>(v3.w), j == vec4<u32>(15u));
}

// Term k of a `_t8` edge thread from its 4 loaded vec4s (first element `b`): acc + w · (the
// lanes' elements c - b) where k < n.
fn edge_term16(acc: vec4<f32>, x: EdgeTerms, v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>,
               v3: vec4<f32>, b: u32, c: vec4<u32>, w: vec4<f32>, k: u32) -> vec4<f32> {
    let v = pick16(v0, v1, v2, v3, c - vec4<u32>(b));
    return select(acc, acc + w * v, vec4<u32>(k) < x.n);
}

// The `_t8` edge thread's w sum of the row from vec4 `row`: its 4 vec4s from row + base loaded
// whole, each term's columns picked from them.
fn along_w_edge8(x: EdgeTerms, row: u32, base: u32) -> vec4<f32> {
    let v0 = src4[row + base];
    let v1 = src4[row + base + 1u];
    let v2 = src4[row + base + 2u];
    let v3 = src4[row + base + 3u];
    let b = 4u * base;
    var acc = edge_term16(x.init, x, v0, v1, v2, v3, b, x.c0, x.w0, 0u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c1, x.w1, 1u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c2, x.w2, 2u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c3, x.w3, 3u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c4, x.w4, 4u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c5, x.w5, 5u);
    acc = edge_term16(acc, x, v0, v1, v2, v3, b, x.c6, x.w6, 6u);
    return edge_term16(acc, x, v0, v1, v2, v3, b, x.c7, x.w7, 7u);
}

// span: the main kernel's grad_output vec4s per row; the edge kernel's 4 (8) where its terms
// are in registers (`_t4`, `_t8`).
fn fractional_backward(wg: vec3<u32>, lid: u32, span: u32, M: u32, edge: bool) {
    let t = wg.x * WG + lid;
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    var q = t;
    var e = 0u;
    var x: Wide;
    var et: EdgeTerms;
    var base = 0u;
    if (edge) {
        if (t >= p.edge_qa) { return; }
        e = p.tab_h + t * (3u + 2u * p.taps);
        q = tab4[e].x;
        if (span >= 4u) { et = edge_terms(e, span); }
        base = tab4[e].y;
    } else {
        if (t >= out_w4) { return; }
        let g = p.tab_w + t * (3u + 4u * span);
        x.base = tab4[g].x;
        x.mask = tab4[g + 1u];
        x.init = bitcast<vec4<f32>>(tab4[g + 2u]);
        x.a = cols(g + 3u);
        x.b = cols(g + 7u);
        if (span > 2u) { x.c = cols(g + 11u); }
        if (span > 3u) { x.d = cols(g + 15u); }
        if (span > 4u) { x.e = cols(g + 19u); }
    }
    let plane = wg.z;
    let y0 = wg.y * FRAC_ROWS;
    let y1 = min(y0 + FRAC_ROWS, p.out_h);
    let src_plane = p.in_offset / 4u + plane * p.in_h * in_w4;
    let dst = p.out_offset / 4u + plane * p.out_h * out_w4 + q;
    let last = p.in_h - 1u;
    var h: Held;
    // The output rows summed so far: those before `top`; held: top - M .. top - 1.
    var top = rows(4u * y0).x;
    for (var y = y0; y < y1; y++) {
        let s = rows(4u * y).x;
        top = max(top, s);
        for (; top < s + M; top++) {
            let r = min(top, last);
            var v: vec4<f32>;
            if (edge && span == 8u) {
                v = along_w_edge8(et, src_plane + r * in_w4, base);
            } else if (edge && span == 4u) {
                v = along_w_edge4(et, 4u * (src_plane + r * in_w4), span);
            } else if (edge) {
                v = along_w_edge(e, 4u * (src_plane + r * in_w4));
            } else {
                v = along_w(x, src_plane + r * in_w4 + x.base, span);
            }
            h = shift(h, v, M);
        }
        dst4[dst + y * out_w4] = along_h(h, y, M);
    }
}

@compute @workgroup_size(WG)
fn fractional_backward_2_4(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 2u, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_3_4(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 3u, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_4_4(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 4u, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_5_4(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 5u, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_2_8(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 2u, 8u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_3_8(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 3u, 8u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_4_8(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 4u, 8u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_5_8(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 5u, 8u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_4(@builtin(workgroup_id) wg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 0u, 4u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_8(@builtin(workgroup_id) wg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 0u, 8u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_4_t4(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 4u, 4u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_4_t8(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 8u, 4u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_8_t8(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 8u, 8u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_edge_8_t4(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    fractional_backward(wg, lid, 4u, 8u, true);
}

// ×1.5 along w (bilinear, align_corners false: fractional_backward_x1_5_*): records of 8
// inputs (2 grad_input vec4s) and their 12 outputs. Inside the row input 8r + m's terms are
// the outputs 12r + X[m] + k, k < 3, X = -1 1 2 4 5 7 8 10 (host-checked per record,
// `X1_5_OUTPUTS`): static swizzles of the grad_output vec4s 3r - 1 .. 3r + 3, in the CPU's order
// (increasing output). Thread (q, block, plane) sums records 2q and 2q + 1 of input rows
// X1_5_ROWS · block .. (8 vec4 loads per output row, one
// load per output vec4 of grad_input's 4 is shared). Records not of the pattern (the row's ends)
// are the edge kernel's: this one writes them anyway (its loads clamped to the row) and the edge
// kernel overwrites them. The h pass as above.
// Table per record (7 vec4s): (the initial sum (bits), -, -, -), then its first vec4's 3 terms'
// weights (bits; lanes in components), its second's.

struct Rec {
    init: vec4<f32>,
    a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>,
    b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>,
}

fn rec(g: u32) -> Rec {
    return Rec(vec4<f32>(bitcast<f32>(tab4[g].x)),
               bitcast<vec4<f32>>(tab4[g + 1u]), bitcast<vec4<f32>>(tab4[g + 2u]),
               bitcast<vec4<f32>>(tab4[g + 3u]), bitcast<vec4<f32>>(tab4[g + 4u]),
               bitcast<vec4<f32>>(tab4[g + 5u]), bitcast<vec4<f32>>(tab4[g + 6u]));
}

// A record's two w sums: P, G0, G1, G2, N its grad_output vec4s 3r - 1 .. 3r + 3.
struct Pair {
    a: vec4<f32>, b: vec4<f32>,
}

fn record_w(x: Rec, P: vec4<f32>, G0: vec4<f32>, G1: vec4<f32>, G2: vec4<f32>,
            N: vec4<f32>) -> Pair {
    var a = x.init + x.a0 * vec4<f32>(P.w, G0.y, G0.z, G1.x);
    a = a + x.a1 * vec4<f32>(G0.x, G0.z, G0.w, G1.y);
    a = a + x.a2 * vec4<f32>(G0.y, G0.w, G1.x, G1.z);
    var b = x.init + x.b0 * vec4<f32>(G1.y, G1.w, G2.x, G2.z);
    b = b + x.b1 * vec4<f32>(G1.z, G2.x, G2.y, G2.w);
    b = b + x.b2 * vec4<f32>(G1.w, G2.y, G2.z, N.x);
    return Pair(a, b);
}

// Bicubic ×1.5 (align_corners false: fractional_backward_x1_5_cubic_*): inside the row input
// 8r + m's terms are the outputs 12r + X[m] + k, k < 6, X = -2 -1 1 2 4 5 7 8 (host-checked per
// record, `X1_5_CUBIC_OUTPUTS`): the same 5 grad_output vec4s, 6 terms per input.
// Table per record (13 vec4s): (the initial sum (bits), -, -, -), then its first vec4's 6 terms'
// weights, its second's.

struct Rec6 {
    init: vec4<f32>,
    a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>, a4: vec4<f32>, a5: vec4<f32>,
    b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>, b4: vec4<f32>, b5: vec4<f32>,
}

fn rec6(g: u32) -> Rec6 {
    return Rec6(vec4<f32>(bitcast<f32>(tab4[g].x)),
                bitcast<vec4<f32>>(tab4[g + 1u]), bitcast<vec4<f32>>(tab4[g + 2u]),
                bitcast<vec4<f32>>(tab4[g + 3u]), bitcast<vec4<f32>>(tab4[g + 4u]),
                bitcast<vec4<f32>>(tab4[g + 5u]), bitcast<vec4<f32>>(tab4[g + 6u]),
                bitcast<vec4<f32>>(tab4[g + 7u]), bitcast<vec4<f32>>(tab4[g + 8u]),
                bitcast<vec4<f32>>(tab4[g + 9u]), bitcast<vec4<f32>>(tab4[g + 10u]),
                bitcast<vec4<f32>>(tab4[g + 11u]), bitcast<vec4<f32>>(tab4[g + 12u]));
}

fn record_w6(x: Rec6, P: vec4<f32>, G0: vec4<f32>, G1: vec4<f32>, G2: vec4<f32>,
             N: vec4<f32>) -> Pair {
    var a = x.init + x.a0 * vec4<f32>(P.z, P.w, G0.y, G0.z);
    a = a + x.a1 * vec4<f32>(P.w, G0.x, G0.z, G0.w);
    a = a + x.a2 * vec4<f32>(G0.x, G0.y, G0.w, G1.x);
    a = a + x.a3 * vec4<f32>(G0.y, G0.z, G1.x, G1.y);
    a = a + x.a4 * vec4<f32>(G0.z, G0.w, G1.y, G1.z);
    a = a + x.a5 * vec4<f32>(G0.w, G1.x, G1.z, G1.w);
    var b = x.init + x.b0 * vec4<f32>(G1.x, G1.y, G1.w, G2.x);
    b = b + x.b1 * vec4<f32>(G1.y, G1.z, G2.x, G2.y);
    b = b + x.b2 * vec4<f32>(G1.z, G1.w, G2.y, G2.z);
    b = b + x.b3 * vec4<f32>(G1.w, G2.x, G2.z, G2.w);
    b = b + x.b4 * vec4<f32>(G2.x, G2.y, G2.w, N.x);
    b = b + x.b5 * vec4<f32>(G2.y, G2.z, N.x, N.y);
    return Pair(a, b);
}

// Input rows per thread (`X1_5_ROWS` in backward_fractional.rs): fewer output rows summed twice
// where blocks meet.
const X1_5_ROWS: u32 = 2u * FRAC_ROWS;

// cubic: bicubic's pattern (records of 13 vec4s), else bilinear's (7).
fn fractional_backward_x1_5(wg: vec3<u32>, lid: u32, M: u32, cubic: bool) {
    let t = wg.x * WG + lid;
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let records = out_w4 / 2u;
    if (2u * t >= records) { return; }
    let two = 2u * t + 1u < records;
    var x0: Rec;
    var x1: Rec;
    var k0: Rec6;
    var k1: Rec6;
    if (cubic) {
        let g = p.tab_w + 26u * t;
        k0 = rec6(g);
        k1 = rec6(select(g, g + 13u, two));
    } else {
        let g = p.tab_w + 14u * t;
        x0 = rec(g);
        x1 = rec(select(g, g + 7u, two));
    }
    // The grad_output vec4s 6t - 1 .. 6t + 6, clamped to the row.
    let c = 6u * t;
    let end = in_w4 - 1u;
    let c0 = max(c, 1u) - 1u;
    let c1 = min(c, end);
    let c2 = min(c + 1u, end);
    let c3 = min(c + 2u, end);
    let c4 = min(c + 3u, end);
    let c5 = min(c + 4u, end);
    let c6 = min(c + 5u, end);
    let c7 = min(c + 6u, end);
    let plane = wg.z;
    let y0 = wg.y * X1_5_ROWS;
    let y1 = min(y0 + X1_5_ROWS, p.out_h);
    let src_plane = p.in_offset / 4u + plane * p.in_h * in_w4;
    let dst = p.out_offset / 4u + plane * p.out_h * out_w4 + 4u * t;
    let last = p.in_h - 1u;
    var ha: Held;
    var hb: Held;
    var hc: Held;
    var hd: Held;
    var top = rows(4u * y0).x;
    for (var y = y0; y < y1; y++) {
        let r = row_h(y);
        let s = r.row.x;
        top = max(top, s);
        for (; top < s + M; top++) {
            let at = src_plane + min(top, last) * in_w4;
            let v3 = src4[at + c3];
            let v4 = src4[at + c4];
            var u: Pair;
            var w: Pair;
            if (cubic) {
                u = record_w6(k0, src4[at + c0], src4[at + c1], src4[at + c2], v3, v4);
                w = record_w6(k1, v3, v4, src4[at + c5], src4[at + c6], src4[at + c7]);
            } else {
                u = record_w(x0, src4[at + c0], src4[at + c1], src4[at + c2], v3, v4);
                w = record_w(x1, v3, v4, src4[at + c5], src4[at + c6], src4[at + c7]);
            }
            ha = shift(ha, u.a, M);
            hb = shift(hb, u.b, M);
            hc = shift(hc, w.a, M);
            hd = shift(hd, w.b, M);
        }
        let o = dst + y * out_w4;
        let x = sum_h4(ha, hb, hc, hd, r, y, M);
        dst4[o] = x.a;
        dst4[o + 1u] = x.b;
        if (two) {
            dst4[o + 2u] = x.c;
            dst4[o + 3u] = x.d;
        }
    }
}

@compute @workgroup_size(WG)
fn fractional_backward_x1_5_4(@builtin(workgroup_id) wg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    fractional_backward_x1_5(wg, lid, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_x1_5_8(@builtin(workgroup_id) wg: vec3<u32>,
                              @builtin(local_invocation_index) lid: u32) {
    fractional_backward_x1_5(wg, lid, 8u, false);
}

@compute @workgroup_size(WG)
fn fractional_backward_x1_5_cubic_4(@builtin(workgroup_id) wg: vec3<u32>,
                                    @builtin(local_invocation_index) lid: u32) {
    fractional_backward_x1_5(wg, lid, 4u, true);
}

@compute @workgroup_size(WG)
fn fractional_backward_x1_5_cubic_8(@builtin(workgroup_id) wg: vec3<u32>,
                                    @builtin(local_invocation_index) lid: u32) {
    fractional_backward_x1_5(wg, lid, 8u, true);
}
