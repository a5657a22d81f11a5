// The two window passes of a separable upsample fused, along w then along h (src/ops/upsample/
// window.rs checks the shape and lays out the tables): the antialias forward (bilinear, bicubic,
// lanczos at any scale) and the backward's transposed windows, both widths multiples of 4.
// The same sums as window_w then window_h, in the same order: per input row each output's
// w sum over its inputs in rising order (acc = 0, then += w · x), then per output row the h sum
// over its window's rows in order (acc = 0, then += w · row).
//
// Two variants: the ring (window_wh_S_tT, below window_wh), where every h window is at most T
// rows long and their ends do not decrease, and the walk (window_wh_S) for any h windows.
// Both sum every input row along w with the group's dense weights from tab4 below. The ring's
// taps-only kind (window_wh_S_tT_halfN, at the end) sums only each output's N taps where the
// host found antialias ×1/2's pattern along w (span 4) or its backward's (span 2), 16 outputs
// a thread.
//
// The walk. Thread (q, block, plane): the 4 outputs 4q .. 4q + 3 of the output rows
// WH_ROWS · block .. (one vec4 store each). It walks the input rows their h windows cover once,
// in order: per row it loads the `span` input vec4s from its group's first and sums them along
// w with the group's dense weights (held in registers for every row), then adds that row to
// each output row whose window holds it. The output rows are the same for every thread of a
// workgroup (their windows from the uniform array, one load for all lanes).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w / 4, per group of 4 outputs 1 + 4 · span vec4s: (first input vec4 of the
// row, -, -, -), then per input e of the span vec4s from it the 4 outputs' weights of that
// input (bits), ABSENT where an output does not read it.
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// From element p.tab_h: the walk's h windows, starts (out_h), lengths (out_h), then p.taps
// weights (bits) per output row; the ring's per output row (see window_wh_ring).
@group(0) @binding(7) var<uniform> yz: array<vec4<u32>, YZ_WEIGHTS>;

const WH_ABSENT: u32 = 0x80000000u;

fn yz_word(e: u32) -> u32 {
    return yz[e / 4u][e % 4u];
}

// acc + wk · x for the outputs whose weight wk is not ABSENT.
fn wh_term(acc: vec4<f32>, wk: vec4<f32>, x: f32) -> vec4<f32> {
    return select(acc, acc + wk * x, bitcast<vec4<u32>>(wk) != vec4<u32>(WH_ABSENT));
}

// A group's dense weights along w: per input e of its span (up to 8 vec4s), the 4 outputs'.
struct Dense {
    w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>,
    w4: vec4<f32>, w5: vec4<f32>, w6: vec4<f32>, w7: vec4<f32>,
    w8: vec4<f32>, w9: vec4<f32>, w10: vec4<f32>, w11: vec4<f32>,
    w12: vec4<f32>, w13: vec4<f32>, w14: vec4<f32>, w15: vec4<f32>,
    w16: vec4<f32>, w17: vec4<f32>, w18: vec4<f32>, w19: vec4<f32>,
    w20: vec4<f32>, w21: vec4<f32>, w22: vec4<f32>, w23: vec4<f32>,
    w24: vec4<f32>, w25: vec4<f32>, w26: vec4<f32>, w27: vec4<f32>,
    w28: vec4<f32>, w29: vec4<f32>, w30: vec4<f32>, w31: vec4<f32>,
}

// The output rows of a block (WH_ROWS of them, written out: lavapipe indexes private arrays
// lane by lane).
const_assert WH_ROWS == 8u;
struct Rows {
    a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>,
    a4: vec4<f32>, a5: vec4<f32>, a6: vec4<f32>, a7: vec4<f32>,
}

fn dense(g: u32, span: u32) -> Dense {
    var d: Dense;
    d.w0 = bitcast<vec4<f32>>(tab4[g + 1u]);
    d.w1 = bitcast<vec4<f32>>(tab4[g + 2u]);
    d.w2 = bitcast<vec4<f32>>(tab4[g + 3u]);
    d.w3 = bitcast<vec4<f32>>(tab4[g + 4u]);
    d.w4 = bitcast<vec4<f32>>(tab4[g + 5u]);
    d.w5 = bitcast<vec4<f32>>(tab4[g + 6u]);
    d.w6 = bitcast<vec4<f32>>(tab4[g + 7u]);
    d.w7 = bitcast<vec4<f32>>(tab4[g + 8u]);
    if (span > 2u) {
        d.w8 = bitcast<vec4<f32>>(tab4[g + 9u]);
        d.w9 = bitcast<vec4<f32>>(tab4[g + 10u]);
        d.w10 = bitcast<vec4<f32>>(tab4[g + 11u]);
        d.w11 = bitcast<vec4<f32>>(tab4[g + 12u]);
        d.w12 = bitcast<vec4<f32>>(tab4[g + 13u]);
        d.w13 = bitcast<vec4<f32>>(tab4[g + 14u]);
        d.w14 = bitcast<vec4<f32>>(tab4[g + 15u]);
        d.w15 = bitcast<vec4<f32>>(tab4[g + 16u]);
    }
    if (span > 4u) {
        d.w16 = bitcast<vec4<f32>>(tab4[g + 17u]);
        d.w17 = bitcast<vec4<f32>>(tab4[g + 18u]);
        d.w18 = bitcast<vec4<f32>>(tab4[g + 19u]);
        d.w19 = bitcast<vec4<f32>>(tab4[g + 20u]);
        d.w20 = bitcast<vec4<f32>>(tab4[g + 21u]);
        d.w21 = bitcast<vec4<f32>>(tab4[g + 22u]);
        d.w22 = bitcast<vec4<f32>>(tab4[g + 23u]);
        d.w23 = bitcast<vec4<f32>>(tab4[g + 24u]);
        d.w24 = bitcast<vec4<f32>>(tab4[g + 25u]);
        d.w25 = bitcast<vec4<f32>>(tab4[g + 26u]);
        d.w26 = bitcast<vec4<f32>>(tab4[g + 27u]);
        d.w27 = bitcast<vec4<f32>>(tab4[g + 28u]);
        d.w28 = bitcast<vec4<f32>>(tab4[g + 29u]);
        d.w29 = bitcast<vec4<f32>>(tab4[g + 30u]);
        d.w30 = bitcast<vec4<f32>>(tab4[g + 31u]);
        d.w31 = bitcast<vec4<f32>>(tab4[g + 32u]);
    }
    return d;
}

// One input row's sum along w for the group: its inputs in rising order.
fn along_w(at: u32, d: Dense, span: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    var x = src4[at];
    v = wh_term(v, d.w0, x.x);
    v = wh_term(v, d.w1, x.y);
    v = wh_term(v, d.w2, x.z);
    v = wh_term(v, d.w3, x.w);
    x = src4[at + 1u];
    v = wh_term(v, d.w4, x.x);
    v = wh_term(v, d.w5, x.y);
    v = wh_term(v, d.w6, x.z);
    v = wh_term(v, d.w7, x.w);
    if (span > 2u) {
        x = src4[at + 2u];
        v = wh_term(v, d.w8, x.x);
        v = wh_term(v, d.w9, x.y);
        v = wh_term(v, d.w10, x.z);
        v = wh_term(v, d.w11, x.w);
        x = src4[at + 3u];
        v = wh_term(v, d.w12, x.x);
        v = wh_term(v, d.w13, x.y);
        v = wh_term(v, d.w14, x.z);
        v = wh_term(v, d.w15, x.w);
    }
    if (span > 4u) {
        x = src4[at + 4u];
        v = wh_term(v, d.w16, x.x);
        v = wh_term(v, d.w17, x.y);
        v = wh_term(v, d.w18, x.z);
        v = wh_term(v, d.w19, x.w);
        x = src4[at + 5u];
        v = wh_term(v, d.w20, x.x);
        v = wh_term(v, d.w21, x.y);
        v = wh_term(v, d.w22, x.z);
        v = wh_term(v, d.w23, x.w);
        x = src4[at + 6u];
        v = wh_term(v, d.w24, x.x);
        v = wh_term(v, d.w25, x.y);
        v = wh_term(v, d.w26, x.z);
        v = wh_term(v, d.w27, x.w);
        x = src4[at + 7u];
        v = wh_term(v, d.w28, x.x);
        v = wh_term(v, d.w29, x.y);
        v = wh_term(v, d.w30, x.z);
        v = wh_term(v, d.w31, x.w);
    }
    return v;
}

// acc + w · v where input row r is tap k = r - s of an output row whose window is n long and
// whose weights start at element b of yz (the same in every lane); else acc.
fn along_h(acc: vec4<f32>, v: vec4<f32>, r: u32, s: u32, n: u32, b: u32) -> vec4<f32> {
    let k = r - s;
    if (k < n) {
        return acc + bitcast<f32>(yz_word(b + k)) * v;
    }
    return acc;
}

fn window_wh(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    let out_w4 = p.out_w / 4u;
    if (unit >= p.rows || q >= out_w4) {
        return;
    }
    let blocks = (p.out_h + WH_ROWS - 1u) / WH_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * WH_ROWS;
    let g = p.tab_w / 4u + q * (1u + 4u * span);
    let in_w4 = p.in_w / 4u;
    let first = p.in_offset / 4u + plane * p.in_h * in_w4 + tab4[g].x;
    let d = dense(g, span);
    // The block's rows (past out_h: the last row again, not stored): windows [s, s + n),
    // weights from element b of yz; the input rows [lo, hi) they cover.
    let last = vec4<u32>(p.out_h - 1u);
    let ya = min(vec4<u32>(y0) + vec4<u32>(0u, 1u, 2u, 3u), last);
    let yb = min(vec4<u32>(y0) + vec4<u32>(4u, 5u, 6u, 7u), last);
    let sa = vec4<u32>(yz_word(p.tab_h + ya.x), yz_word(p.tab_h + ya.y),
                       yz_word(p.tab_h + ya.z), yz_word(p.tab_h + ya.w));
    let sb = vec4<u32>(yz_word(p.tab_h + yb.x), yz_word(p.tab_h + yb.y),
                       yz_word(p.tab_h + yb.z), yz_word(p.tab_h + yb.w));
    let n0 = p.tab_h + p.out_h;
    let na = vec4<u32>(yz_word(n0 + ya.x), yz_word(n0 + ya.y), yz_word(n0 + ya.z),
                       yz_word(n0 + ya.w));
    let nb = vec4<u32>(yz_word(n0 + yb.x), yz_word(n0 + yb.y), yz_word(n0 + yb.z),
                       yz_word(n0 + yb.w));
    let ba = vec4<u32>(p.tab_h + 2u * p.out_h) + ya * p.taps;
    let bb = vec4<u32>(p.tab_h + 2u * p.out_h) + yb * p.taps;
    let none = vec4<u32>(0xffffffffu);
    let lo4 = min(select(none, sa, na > vec4<u32>(0u)), select(none, sb, nb > vec4<u32>(0u)));
    let hi4 = max(sa + na, sb + nb);
    let lo = min(min(lo4.x, lo4.y), min(lo4.z, lo4.w));
    let hi = max(max(hi4.x, hi4.y), max(hi4.z, hi4.w));
    var o: Rows;
    for (var r = lo; r < hi; r++) {
        let v = along_w(first + r * in_w4, d, span);
        o.a0 = along_h(o.a0, v, r, sa.x, na.x, ba.x);
        o.a1 = along_h(o.a1, v, r, sa.y, na.y, ba.y);
        o.a2 = along_h(o.a2, v, r, sa.z, na.z, ba.z);
        o.a3 = along_h(o.a3, v, r, sa.w, na.w, ba.w);
        o.a4 = along_h(o.a4, v, r, sb.x, nb.x, bb.x);
        o.a5 = along_h(o.a5, v, r, sb.y, nb.y, bb.y);
        o.a6 = along_h(o.a6, v, r, sb.z, nb.z, bb.z);
        o.a7 = along_h(o.a7, v, r, sb.w, nb.w, bb.w);
    }
    let out = p.out_offset / 4u + (plane * p.out_h + y0) * out_w4 + q;
    let left = p.out_h - y0;
    dst4[out] = o.a0;
    if (left > 1u) { dst4[out + out_w4] = o.a1; }
    if (left > 2u) { dst4[out + 2u * out_w4] = o.a2; }
    if (left > 3u) { dst4[out + 3u * out_w4] = o.a3; }
    if (left > 4u) { dst4[out + 4u * out_w4] = o.a4; }
    if (left > 5u) { dst4[out + 5u * out_w4] = o.a5; }
    if (left > 6u) { dst4[out + 6u * out_w4] = o.a6; }
    if (left > 7u) { dst4[out + 7u * out_w4] = o.a7; }
}

// The ring variant (window_wh_S_tT): for h windows at most T rows long whose ends do not
// decrease down the rows (checked on the host). Thread (q, block, plane) walks WH_RING_ROWS
// output rows; the last 16 input rows summed along w stay in registers (slot i: input row
// top - 16 + i, top the next row to load), each output row shifts in the rows up to its
// window's end (skipping those before its start) and sums its window over the last T slots
// with per-slot weights from the uniform array (ABSENT outside its window; from element
// p.tab_h, per output row 1 + T / 4 vec4s: (start, length, -, -), then the weights):
// each input row is loaded and summed along w once per block, and each output row costs T
// terms, not one per row of the block.
struct Held {
    h0: vec4<f32>, h1: vec4<f32>, h2: vec4<f32>, h3: vec4<f32>,
    h4: vec4<f32>, h5: vec4<f32>, h6: vec4<f32>, h7: vec4<f32>,
    h8: vec4<f32>, h9: vec4<f32>, h10: vec4<f32>, h11: vec4<f32>,
    h12: vec4<f32>, h13: vec4<f32>, h14: vec4<f32>, h15: vec4<f32>,
}

fn shift(h: Held, v: vec4<f32>) -> Held {
    return Held(h.h1, h.h2, h.h3, h.h4, h.h5, h.h6, h.h7, h.h8, h.h9, h.h10, h.h11, h.h12, h.h13,
                h.h14, h.h15, v);
}

// acc + w · x where w is not ABSENT (x a slot outside the output row's window).
fn ring_term(acc: vec4<f32>, x: vec4<f32>, w: f32) -> vec4<f32> {
    return select(acc, acc + w * x, bitcast<u32>(w) != WH_ABSENT);
}

fn window_wh_ring(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32, T: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    let out_w4 = p.out_w / 4u;
    if (unit >= p.rows || q >= out_w4) {
        return;
    }
    let blocks = (p.out_h + WH_RING_ROWS - 1u) / WH_RING_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * WH_RING_ROWS;
    let y1 = min(y0 + WH_RING_ROWS, p.out_h);
    let g = p.tab_w / 4u + q * (1u + 4u * span);
    let in_w4 = p.in_w / 4u;
    let first = p.in_offset / 4u + plane * p.in_h * in_w4 + tab4[g].x;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + q;
    ring_rows(first, in_w4, out, out_w4, y0, y1, dense(g, span), span, T, 0u);
}

// A ×1/2 group's weights (`window_wh_S_tT_halfN`): per tap j of N, the 4 outputs' (in d.wj).
fn compact(g: u32, n: u32) -> Dense {
    var d: Dense;
    d.w0 = bitcast<vec4<f32>>(tab4[g + 1u]);
    d.w1 = bitcast<vec4<f32>>(tab4[g + 2u]);
    d.w2 = bitcast<vec4<f32>>(tab4[g + 3u]);
    d.w3 = bitcast<vec4<f32>>(tab4[g + 4u]);
    if (n > 4u) {
        d.w4 = bitcast<vec4<f32>>(tab4[g + 5u]);
        d.w5 = bitcast<vec4<f32>>(tab4[g + 6u]);
        d.w6 = bitcast<vec4<f32>>(tab4[g + 7u]);
        d.w7 = bitcast<vec4<f32>>(tab4[g + 8u]);
    }
    return d;
}

// One input row's sum along w for a ×1/2 group (the host checked the pattern) from its 4 vec4s
// x0 .. x3: output k of the group reads the n inputs from element o + 2k (o = 3 for n = 4, 1
// for n = 8: `half_first` in window.rs), in rising order: the same terms as along_w adds, in
// its order.
fn half_sum(x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, x3: vec4<f32>, d: Dense,
            n: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if (n == 4u) {
        v = v + d.w0 * vec4<f32>(x0.w, x1.y, x1.w, x2.y);
        v = v + d.w1 * vec4<f32>(x1.x, x1.z, x2.x, x2.z);
        v = v + d.w2 * vec4<f32>(x1.y, x1.w, x2.y, x2.w);
        v = v + d.w3 * vec4<f32>(x1.z, x2.x, x2.z, x3.x);
    } else {
        v = v + d.w0 * vec4<f32>(x0.y, x0.w, x1.y, x1.w);
        v = v + d.w1 * vec4<f32>(x0.z, x1.x, x1.z, x2.x);
        v = v + d.w2 * vec4<f32>(x0.w, x1.y, x1.w, x2.y);
        v = v + d.w3 * vec4<f32>(x1.x, x1.z, x2.x, x2.z);
        v = v + d.w4 * vec4<f32>(x1.y, x1.w, x2.y, x2.w);
        v = v + d.w5 * vec4<f32>(x1.z, x2.x, x2.z, x3.x);
        v = v + d.w6 * vec4<f32>(x1.w, x2.y, x2.w, x3.y);
        v = v + d.w7 * vec4<f32>(x2.x, x2.z, x3.x, x3.z);
    }
    return v;
}

fn along_w_half(at: u32, d: Dense, n: u32) -> vec4<f32> {
    return half_sum(src4[at], src4[at + 1u], src4[at + 2u], src4[at + 3u], d, n);
}

// The ring's rows y0 .. y1 of one thread, each input row summed along w with d: the dense
// weights of `span` vec4s (half 0) or a ×1/2 group's (along_w_half).
fn ring_rows(first: u32, in_w4: u32, out: u32, out_w4: u32, y0: u32, y1: u32, d: Dense,
             span: u32, T: u32, half: u32) {
    var h: Held;
    var top = 0u;
    for (var y = y0; y < y1; y++) {
        // (start, length, -, -), then the last T slots' weights (window_wh_ring_table).
        var at = p.tab_h / 4u + y * (1u + T / 4u);
        let row = yz[at];
        top = max(top, row.x);
        for (; top < row.x + row.y; top++) {
            var v: vec4<f32>;
            if (half > 0u) {
                v = along_w_half(first + top * in_w4, d, half);
            } else {
                v = along_w(first + top * in_w4, d, span);
            }
            h = shift(h, v);
        }
        var acc = vec4<f32>(0.0);
        if (T > 12u) {
            at += 1u;
            let w = bitcast<vec4<f32>>(yz[at]);
            acc = ring_term(acc, h.h0, w.x);
            acc = ring_term(acc, h.h1, w.y);
            acc = ring_term(acc, h.h2, w.z);
            acc = ring_term(acc, h.h3, w.w);
        }
        if (T > 8u) {
            at += 1u;
            let w = bitcast<vec4<f32>>(yz[at]);
            acc = ring_term(acc, h.h4, w.x);
            acc = ring_term(acc, h.h5, w.y);
            acc = ring_term(acc, h.h6, w.z);
            acc = ring_term(acc, h.h7, w.w);
        }
        if (T > 4u) {
            at += 1u;
            let w = bitcast<vec4<f32>>(yz[at]);
            acc = ring_term(acc, h.h8, w.x);
            acc = ring_term(acc, h.h9, w.y);
            acc = ring_term(acc, h.h10, w.z);
            acc = ring_term(acc, h.h11, w.w);
        }
        let w = bitcast<vec4<f32>>(yz[at + 1u]);
        acc = ring_term(acc, h.h12, w.x);
        acc = ring_term(acc, h.h13, w.y);
        acc = ring_term(acc, h.h14, w.z);
        acc = ring_term(acc, h.h15, w.w);
        dst4[out + y * out_w4] = acc;
    }
}

// The taps-only variant (window_wh_S_tT_halfN: antialias ×1/2 along w, span 4, or its
// backward, span 2): the ring variant where thread (t, block, plane) owns the WH_HALF_GROUPS
// groups of 4 outputs from 4t. Where the host marked the thread (tab4[g].z: its groups all
// follow the pattern, the first vec4 odd) it loads the input vec4s of a row its groups read
// once (along_w_half4: window_wh_f32.wgsl, vec4 loads, or window_wh_u64.wgsl, 64-bit ones;
// 10 or 4 vec4s, not 16 or 8: loads are most of the time on lavapipe) and sums each output's
// taps only; else (the row's ends) it runs each group in turn, a ×1/2 group's taps only
// (tab4[g].y) or the dense sums.
const_assert WH_HALF_GROUPS == 4u;
struct Slot {
    a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>,
}
struct Held4 {
    s0: Slot, s1: Slot, s2: Slot, s3: Slot, s4: Slot, s5: Slot, s6: Slot, s7: Slot,
}

fn shift4(h: Held4, v: Slot) -> Held4 {
    return Held4(h.s1, h.s2, h.s3, h.s4, h.s5, h.s6, h.s7, v);
}

fn slot_term(acc: Slot, x: Slot, w: f32) -> Slot {
    return Slot(ring_term(acc.a, x.a, w), ring_term(acc.b, x.b, w), ring_term(acc.c, x.c, w),
                ring_term(acc.d, x.d, w));
}

fn window_wh_half(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, span: u32, T: u32, n: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = ((w - unit * p.segs) * WG + lid) * WH_HALF_GROUPS;
    let out_w4 = p.out_w / 4u;
    if (unit >= p.rows || q >= out_w4) {
        return;
    }
    let blocks = (p.out_h + WH_RING_ROWS - 1u) / WH_RING_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * WH_RING_ROWS;
    let y1 = min(y0 + WH_RING_ROWS, p.out_h);
    let stride = 1u + 4u * span;
    let g = p.tab_w / 4u + q * stride;
    let in_w4 = p.in_w / 4u;
    let row0 = p.in_offset / 4u + plane * p.in_h * in_w4;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + q;
    if (tab4[g].z == 0u) {
        for (var i = 0u; i < min(WH_HALF_GROUPS, out_w4 - q); i++) {
            let gi = g + i * stride;
            let first = row0 + tab4[gi].x;
            if (tab4[gi].y != 0u) {
                ring_rows(first, in_w4, out + i, out_w4, y0, y1, compact(gi, n), span, T, n);
            } else {
                ring_rows(first, in_w4, out + i, out_w4, y0, y1, dense(gi, span), span, T, 0u);
            }
        }
        return;
    }
    let first = row0 + tab4[g].x;
    let d0 = compact(g, n);
    let d1 = compact(g + stride, n);
    let d2 = compact(g + 2u * stride, n);
    let d3 = compact(g + 3u * stride, n);
    var h: Held4;
    var top = 0u;
    for (var y = y0; y < y1; y++) {
        // As ring_rows, T at most 8: the last T of the 8 slots held.
        var at = p.tab_h / 4u + y * (1u + T / 4u);
        let row = yz[at];
        top = max(top, row.x);
        for (; top < row.x + row.y; top++) {
            h = shift4(h, along_w_half4(first + top * in_w4, d0, d1, d2, d3, span, n));
        }
        // Zeroed explicitly: Chromium's WebGPU (SwiftShader) kept the last row's sums in a
        // `var acc: Slot;` declared here instead of zeroing it each time round.
        var acc = Slot(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
        if (T > 4u) {
            at += 1u;
            let w = bitcast<vec4<f32>>(yz[at]);
            acc = slot_term(acc, h.s0, w.x);
            acc = slot_term(acc, h.s1, w.y);
            acc = slot_term(acc, h.s2, w.z);
            acc = slot_term(acc, h.s3, w.w);
        }
        let w = bitcast<vec4<f32>>(yz[at + 1u]);
        acc = slot_term(acc, h.s4, w.x);
        acc = slot_term(acc, h.s5, w.y);
        acc = slot_term(acc, h.s6, w.z);
        acc = slot_term(acc, h.s7, w.w);
        let o = out + y * out_w4;
        dst4[o] = acc.a;
        dst4[o + 1u] = acc.b;
        dst4[o + 2u] = acc.c;
        dst4[o + 3u] = acc.d;
    }
}

// One entry point per span (input vec4s loaded per row, the least that holds every group's)
// and ring (T, or none: the walk).

@compute @workgroup_size(WG)
fn window_wh_2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_wh(wg, nwg, lid, 2u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 2u, 4u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 2u, 8u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t12(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 2u, 12u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 2u, 16u);
}

@compute @workgroup_size(WG)
fn window_wh_4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_wh(wg, nwg, lid, 4u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 4u, 4u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 4u, 8u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t12(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 4u, 12u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 4u, 16u);
}

@compute @workgroup_size(WG)
fn window_wh_8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    window_wh(wg, nwg, lid, 8u);
}

@compute @workgroup_size(WG)
fn window_wh_8_t4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 8u, 4u);
}

@compute @workgroup_size(WG)
fn window_wh_8_t8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 8u, 8u);
}

@compute @workgroup_size(WG)
fn window_wh_8_t12(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 8u, 12u);
}

@compute @workgroup_size(WG)
fn window_wh_8_t16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    window_wh_ring(wg, nwg, lid, 8u, 16u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t4_half4(@builtin(workgroup_id) wg: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    window_wh_half(wg, nwg, lid, 4u, 4u, 4u);
}

@compute @workgroup_size(WG)
fn window_wh_4_t8_half8(@builtin(workgroup_id) wg: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    window_wh_half(wg, nwg, lid, 4u, 8u, 8u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t4_half2(@builtin(workgroup_id) wg: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    window_wh_half(wg, nwg, lid, 2u, 4u, 2u);
}

@compute @workgroup_size(WG)
fn window_wh_2_t4_half4(@builtin(workgroup_id) wg: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    window_wh_half(wg, nwg, lid, 2u, 4u, 4u);
}
