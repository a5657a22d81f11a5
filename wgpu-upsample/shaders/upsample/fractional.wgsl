// Bilinear and bicubic (4-D input) at any scale, both widths multiples of 4: vec4 loads and
// stores, input rows streamed (src/ops/upsample/fractional.rs checks the shape and lays out
// PyTorch's taps). The same sums as linear.wgsl and bicubic.wgsl, in the same order: along w
// w0 · x[i0] + w1 · x[i1] (+ w2 · x[i2] + w3 · x[i3]) per input row, then along h
// h0 · row0 + h1 · row1 (+ h2 · row2 + h3 · row3).
//
// Thread (q, block, plane): two groups of 4 outputs, 8q .. 8q + 7, of output rows
// FRAC_ROWS · block .. (one vec4 store per group). Per input row it loads the `span` input vec4s
// from the pair's first (tab4) and picks each tap of its 8 outputs from them by position
// (selects: lavapipe indexes private arrays lane by lane; bicubic picks the vec4 holding an
// output's first tap and the next, then its 4 consecutive taps), interpolating along w once; the last
// T (taps) such rows stay in registers, and each output row combines them with its weights
// along h. They are the rows clamp(b + s - T, 0, in_h - 1), s < T, with b non-decreasing (from
// the uniform array: the same for every thread of a workgroup), so walking down the output rows
// only ever interpolates the next input rows; each tap along h reads one of them (bicubic: tap k
// reads slot k, PyTorch's rows being clamp(i0 - 1 + k); bilinear: slot s, the least whose row
// is the tap's: s = k inside, repeats where PyTorch clamps, or row o twice on an axis of
// unchanged size).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w, per pair of groups of 4 outputs (3 + 2 T vec4s): (first input vec4 of the
// row, -, -, -), the first group's positions (per tap, component k, the 4 outputs' positions in
// the loaded vec4s, 8 bits each, output j at bits 8j; bicubic: only tap 0's, in the extended
// row of `extend`), the second group's, then per group per tap the 4 outputs' weights (bits).
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// Per output row y, from vec4 R·y (R = 1 for T = 2, 2 for T = 4): b | each tap's slot << 24
// (2 bits each, tap k at bit 24 + 2k), then its T weights along h (bits).
@group(0) @binding(7) var<uniform> rows_tab: array<vec4<u32>, YZ_WEIGHTS>;

// One group's taps along w: positions and weights per tap.
struct Taps {
    p0: vec4<u32>, p1: vec4<u32>, p2: vec4<u32>, p3: vec4<u32>,
    w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>,
}

// The loaded input vec4s of one row (the first `span`).
struct Span {
    a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>, e: vec4<f32>, f: vec4<f32>,
}

// The last T rows interpolated along w for one group (slot s in r_s).
struct Held {
    r0: vec4<f32>, r1: vec4<f32>, r2: vec4<f32>, r3: vec4<f32>,
}

fn positions(word: u32) -> vec4<u32> {
    return (vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(255u);
}

// Group `k` (0 or 1) of the pair whose table starts at vec4 g.
fn group_taps(g: u32, k: u32, T: u32) -> Taps {
    return record_taps(g, k, T, 2u);
}

// Group `k` of the `groups` groups whose table starts at vec4 g: (first input vec4, ...), the
// groups' positions (one vec4 each), then per group per tap the 4 outputs' weights.
fn record_taps(g: u32, k: u32, T: u32, groups: u32) -> Taps {
    let pos = tab4[g + 1u + k];
    let w = g + 1u + groups + k * T;
    var x: Taps;
    x.p0 = positions(pos.x);
    x.p1 = positions(pos.y);
    x.w0 = bitcast<vec4<f32>>(tab4[w]);
    x.w1 = bitcast<vec4<f32>>(tab4[w + 1u]);
    if (T > 2u) {
        x.p2 = positions(pos.z);
        x.p3 = positions(pos.w);
        x.w2 = bitcast<vec4<f32>>(tab4[w + 2u]);
        x.w3 = bitcast<vec4<f32>>(tab4[w + 3u]);
    }
    return x;
}

fn load_span(at: u32, span: u32) -> Span {
    var s: Span;
    s.a = src4[at];
    s.b = src4[at + 1u];
    if (span > 2u) { s.c = src4[at + 2u]; }
    if (span > 3u) { s.d = src4[at + 3u]; }
    if (span > 4u) { s.e = src4[at + 4u]; }
    if (span > 5u) { s.f = src4[at + 5u]; }
    return s;
}

// Each output's element `at & 3` of x (bit 0 and bit 1 of `at` as masks).
fn pick4(x: vec4<f32>, b0: vec4<bool>, b1: vec4<bool>) -> vec4<f32> {
    return select(select(vec4<f32>(x.x), vec4<f32>(x.y), b0),
                  select(vec4<f32>(x.z), vec4<f32>(x.w), b0), b1);
}

// Each output's element at position `at` of the loaded vec4s: a tree of selects on the bits of
// `at` (4 span - 1 selects, a mask per bit).
fn pick(at: vec4<u32>, s: Span, span: u32) -> vec4<f32> {
    let bit = vec4<u32>(0u);
    let b0 = (at & vec4<u32>(1u)) != bit;
    let b1 = (at & vec4<u32>(2u)) != bit;
    let b2 = (at & vec4<u32>(4u)) != bit;
    let ab = select(pick4(s.a, b0, b1), pick4(s.b, b0, b1), b2);
    if (span == 2u) { return ab; }
    let b3 = (at & vec4<u32>(8u)) != bit;
    var cd = pick4(s.c, b0, b1);
    if (span > 3u) { cd = select(cd, pick4(s.d, b0, b1), b2); }
    let ad = select(ab, cd, b3);
    if (span < 5u) { return ad; }
    let b4 = (at & vec4<u32>(16u)) != bit;
    var ef = pick4(s.e, b0, b1);
    if (span > 5u) { ef = select(ef, pick4(s.f, b0, b1), b2); }
    return select(ad, ef, b4);
}

// Bicubic's loaded row as seen from 2 elements before it, the ends repeated: vec4 m holds
// elements 4m - 2 .. 4m + 1, clamped to the loaded ones (m <= span). Where PyTorch clamps a
// tap the span is the row's first or last (the host checks), so an output's 4 taps are the
// 4 consecutive elements from its position in this view.
struct Ext {
    v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>, v4: vec4<f32>, v5: vec4<f32>,
    v6: vec4<f32>,
}

fn extend(s: Span, span: u32) -> Ext {
    var x: Ext;
    x.v0 = vec4<f32>(s.a.xx, s.a.xy);
    x.v1 = vec4<f32>(s.a.zw, s.b.xy);
    var last = s.b;
    if (span > 2u) { x.v2 = vec4<f32>(s.b.zw, s.c.xy); last = s.c; }
    if (span > 3u) { x.v3 = vec4<f32>(s.c.zw, s.d.xy); last = s.d; }
    if (span > 4u) { x.v4 = vec4<f32>(s.d.zw, s.e.xy); last = s.e; }
    if (span > 5u) { x.v5 = vec4<f32>(s.e.zw, s.f.xy); last = s.f; }
    let end = vec4<f32>(last.zw, last.ww);
    switch (span) {
        case 2u: { x.v2 = end; }
        case 3u: { x.v3 = end; }
        case 4u: { x.v4 = end; }
        case 5u: { x.v5 = end; }
        default: { x.v6 = end; }
    }
    return x;
}

// Candidates c.v0 .. c.v{n-1} (n >= 2) picked by lane from the bits of the index (n - 1
// selects; an index past them picks any).
fn tree(c: Ext, n: u32, h0: vec4<bool>, h1: vec4<bool>, h2: vec4<bool>) -> vec4<f32> {
    let r01 = select(c.v0, c.v1, h0);
    if (n == 2u) { return r01; }
    var r23 = c.v2;
    if (n > 3u) { r23 = select(c.v2, c.v3, h0); }
    let r03 = select(r01, r23, h1);
    if (n <= 4u) { return r03; }
    var r47 = c.v4;
    if (n > 5u) { r47 = select(c.v4, c.v5, h0); }
    if (n > 6u) { r47 = select(r47, c.v6, h1); }
    return select(r03, r47, h2);
}

// Component `k` of each of the vec4s from `off`, one candidate each (splat).
fn column(x: Ext, k: u32, off: u32) -> Ext {
    var c: Ext;
    c.v0 = vec4<f32>(select(x.v0[k], x.v1[k], off == 1u));
    c.v1 = vec4<f32>(select(x.v1[k], x.v2[k], off == 1u));
    c.v2 = vec4<f32>(select(x.v2[k], x.v3[k], off == 1u));
    c.v3 = vec4<f32>(select(x.v3[k], x.v4[k], off == 1u));
    c.v4 = vec4<f32>(select(x.v4[k], x.v5[k], off == 1u));
    c.v5 = vec4<f32>(select(x.v5[k], x.v6[k], off == 1u));
    c.v6 = vec4<f32>(x.v6[k]);
    return c;
}

// Bicubic along w: output j's taps are elements at .. at + 3 of the extended row (`at` in
// x.p0, 8 bits each). The vec4 `at / 4` and the next one's first 3 elements are picked by
// lane (span + 1 and span candidates), then each tap from those 7 by `at % 4`.
fn along_w_cubic(s: Span, x: Taps, span: u32) -> vec4<f32> {
    let e = extend(s, span);
    let bit = vec4<u32>(0u);
    let hi = x.p0 >> vec4<u32>(2u);
    let h0 = (hi & vec4<u32>(1u)) != bit;
    let h1 = (hi & vec4<u32>(2u)) != bit;
    let h2 = (hi & vec4<u32>(4u)) != bit;
    let b0 = (x.p0 & vec4<u32>(1u)) != bit;
    let b1 = (x.p0 & vec4<u32>(2u)) != bit;
    let a0 = tree(column(e, 0u, 0u), span + 1u, h0, h1, h2);
    let a1 = tree(column(e, 1u, 0u), span + 1u, h0, h1, h2);
    let a2 = tree(column(e, 2u, 0u), span + 1u, h0, h1, h2);
    let a3 = tree(column(e, 3u, 0u), span + 1u, h0, h1, h2);
    let n0 = tree(column(e, 0u, 1u), span, h0, h1, h2);
    let n1 = tree(column(e, 1u, 1u), span, h0, h1, h2);
    let n2 = tree(column(e, 2u, 1u), span, h0, h1, h2);
    // Element i + at % 2 of (a0 .. a3, n0 .. n2), then i + at % 4.
    let o0 = select(a0, a1, b0);
    let o1 = select(a1, a2, b0);
    let o2 = select(a2, a3, b0);
    let o3 = select(a3, n0, b0);
    let o4 = select(n0, n1, b0);
    let o5 = select(n1, n2, b0);
    let t0 = select(o0, o2, b1);
    let t1 = select(o1, o3, b1);
    let t2 = select(o2, o4, b1);
    let t3 = select(o3, o5, b1);
    var v = x.w0 * t0 + x.w1 * t1;
    v = v + x.w2 * t2 + x.w3 * t3;
    return v;
}

// One group's outputs along w from the loaded row.
fn along_w(s: Span, x: Taps, T: u32, span: u32) -> vec4<f32> {
    if (T > 2u) {
        return along_w_cubic(s, x, span);
    }
    return x.w0 * pick(x.p0, s, span) + x.w1 * pick(x.p1, s, span);
}

// The held rows with `next` shifted in (the oldest dropped).
fn shift(h: Held, next: vec4<f32>, T: u32) -> Held {
    if (T > 2u) {
        return Held(h.r1, h.r2, h.r3, next);
    }
    return Held(h.r1, next, h.r2, h.r3);
}

// One group's outputs of an output row: its weights along h over the held rows (bilinear: tap
// k reads slot s.k; bicubic: tap k reads held row k, the host checks).
fn along_h(h: Held, s: vec4<u32>, hw: vec4<f32>, T: u32) -> vec4<f32> {
    if (T > 2u) {
        return hw.x * h.r0 + hw.y * h.r1 + hw.z * h.r2 + hw.w * h.r3;
    }
    return hw.x * select(h.r0, h.r1, s.x == 1u) + hw.y * select(h.r0, h.r1, s.y == 1u);
}

fn fractional(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, T: u32, span: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    let out_w4 = p.out_w / 4u;
    if (unit >= p.rows || 2u * q >= out_w4) { return; }
    // The pair's second group (the table pads it where the groups are odd in number).
    let second = 2u * q + 1u < out_w4;
    let blocks = (p.out_h + FRAC_ROWS - 1u) / FRAC_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * FRAC_ROWS;
    let y1 = min(y0 + FRAC_ROWS, p.out_h);
    let g = p.tab_w + q * (3u + 2u * T);
    let xa = group_taps(g, 0u, T);
    let xb = group_taps(g, 1u, T);
    let in_w4 = p.in_w / 4u;
    let first = (p.in_offset / 4u) + plane * p.in_h * in_w4 + tab4[g].x;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + 2u * q;
    let last = i32(p.in_h) - 1;
    let R = (T + 4u) / 4u;
    var ha: Held;
    var hb: Held;
    // Virtual row v is input row clamp(v - T, 0, in_h - 1); the rows held are the virtual
    // cur .. cur + T - 1 (none yet: y0's load in the loop).
    var cur = i32(rows_tab[R * y0].x & 0xffffffu) - i32(T);
    for (var y = y0; y < y1; y++) {
        let row = rows_tab[R * y];
        let b = i32(row.x & 0xffffffu);
        // The rows past those held: shift them in one by one (at most T: older ones are unused).
        cur = max(cur, b - i32(T));
        for (; cur < b; cur++) {
            // Virtual row cur + T.
            let s = load_span(first + in_w4 * u32(clamp(cur, 0, last)), span);
            ha = shift(ha, along_w(s, xa, T, span), T);
            hb = shift(hb, along_w(s, xb, T, span), T);
        }
        let s = (vec4<u32>(row.x >> 24u) >> vec4<u32>(0u, 2u, 4u, 6u)) & vec4<u32>(3u);
        var h = bitcast<vec4<f32>>(vec4<u32>(row.yzw, 0u));
        if (T > 2u) {
            h.w = bitcast<f32>(rows_tab[R * y + 1u].x);
        }
        let at = out + y * out_w4;
        dst4[at] = along_h(ha, s, h, T);
        if (second) {
            dst4[at + 1u] = along_h(hb, s, h, T);
        }
    }
}

@compute @workgroup_size(WG)
fn fractional_linear_2(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 2u, 2u);
}

@compute @workgroup_size(WG)
fn fractional_linear_3(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 2u, 3u);
}

@compute @workgroup_size(WG)
fn fractional_linear_4(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 2u, 4u);
}

@compute @workgroup_size(WG)
fn fractional_linear_5(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 2u, 5u);
}

@compute @workgroup_size(WG)
fn fractional_linear_6(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 2u, 6u);
}

@compute @workgroup_size(WG)
fn fractional_cubic_2(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 4u, 2u);
}

@compute @workgroup_size(WG)
fn fractional_cubic_3(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 4u, 3u);
}

@compute @workgroup_size(WG)
fn fractional_cubic_4(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 4u, 4u);
}

@compute @workgroup_size(WG)
fn fractional_cubic_5(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 4u, 5u);
}

@compute @workgroup_size(WG)
fn fractional_cubic_6(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    fractional(wg, nwg, lid, 4u, 6u);
}

// ×1.5 along w (fractional_linear_x1_5, fractional_cubic_x1_5): records of three groups of 4
// outputs, record r's outputs 12r .. 12r + 11 reading inputs 8r - 2 .. 8r + 9, each from the 4
// input vec4s from 2r - 1 (the table's first, clamped at the row's end). Where a record's taps
// are the interior pattern (the table's flag, host-checked: output 12r + j's first tap at P[j]
// of the loaded elements, P = 3 4 5 5 6 7 7 8 9 9 10 11, bicubic's from P[j] - 1), they are
// static swizzles; elsewhere (the row's ends) picked by position as above. A thread of the main
// entry points computes two interior records (6 vec4 stores per output row), one of the `_edges`
// entry points one of the others (see `fractional_x1_5`). Same products, same order.
// Table per record (1 + 3 (1 + T) vec4s): (first input vec4, flag, -, -), the three groups'
// positions, then per group per tap the 4 outputs' weights.

struct Out3 {
    a: vec4<f32>, b: vec4<f32>, c: vec4<f32>,
}

fn group_taps3(g: u32, k: u32, T: u32) -> Taps {
    return record_taps(g, k, T, 3u);
}

// The three groups along w: the interior pattern's static taps (`pattern`), else picked.
fn along_w3(s: Span, xa: Taps, xb: Taps, xc: Taps, T: u32, pattern: bool) -> Out3 {
    if (!pattern) {
        return Out3(along_w(s, xa, T, 4u), along_w(s, xb, T, 4u), along_w(s, xc, T, 4u));
    }
    let A = s.a;
    let B = s.b;
    let C = s.c;
    let D = s.d;
    if (T > 2u) {
        var a = xa.w0 * vec4<f32>(A.z, A.w, B.x, B.x) + xa.w1 * vec4<f32>(A.w, B.x, B.y, B.y);
        a = a + xa.w2 * vec4<f32>(B.x, B.y, B.z, B.z) + xa.w3 * vec4<f32>(B.y, B.z, B.w, B.w);
        var b = xb.w0 * vec4<f32>(B.y, B.z, B.z, B.w) + xb.w1 * vec4<f32>(B.z, B.w, B.w, C.x);
        b = b + xb.w2 * vec4<f32>(B.w, C.x, C.x, C.y) + xb.w3 * vec4<f32>(C.x, C.y, C.y, C.z);
        var c = xc.w0 * vec4<f32>(C.x, C.x, C.y, C.z) + xc.w1 * vec4<f32>(C.y, C.y, C.z, C.w);
        c = c + xc.w2 * vec4<f32>(C.z, C.z, C.w, D.x) + xc.w3 * vec4<f32>(C.w, C.w, D.x, D.y);
        return Out3(a, b, c);
    }
    return Out3(
        xa.w0 * vec4<f32>(A.w, B.x, B.y, B.y) + xa.w1 * vec4<f32>(B.x, B.y, B.z, B.z),
        xb.w0 * vec4<f32>(B.z, B.w, B.w, C.x) + xb.w1 * vec4<f32>(B.w, C.x, C.x, C.y),
        xc.w0 * vec4<f32>(C.y, C.y, C.z, C.w) + xc.w1 * vec4<f32>(C.z, C.z, C.w, D.x),
    );
}

// Output rows y0 .. y1 of the thread's records of 12 outputs (tables g0, g1; the second stored
// where `two`). `pattern` and `two` are constants where called: both records the interior
// pattern, the second's vec4s 2 past the first's, so one load of 6 vec4s serves both; else
// (one record) its 4 vec4s loaded and its taps picked.
fn rows_x1_5(g0: u32, g1: u32, first0: u32, first1: u32, out: u32, y0: u32, y1: u32, T: u32,
             pattern: bool, two: bool) {
    let xa = group_taps3(g0, 0u, T);
    let xb = group_taps3(g0, 1u, T);
    let xc = group_taps3(g0, 2u, T);
    let xd = group_taps3(g1, 0u, T);
    let xe = group_taps3(g1, 1u, T);
    let xf = group_taps3(g1, 2u, T);
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let last = i32(p.in_h) - 1;
    let R = (T + 4u) / 4u;
    var ha: Held;
    var hb: Held;
    var hc: Held;
    var hd: Held;
    var he: Held;
    var hf: Held;
    var cur = i32(rows_tab[R * y0].x & 0xffffffu) - i32(T);
    for (var y = y0; y < y1; y++) {
        let row = rows_tab[R * y];
        let b = i32(row.x & 0xffffffu);
        cur = max(cur, b - i32(T));
        for (; cur < b; cur++) {
            let r = in_w4 * u32(clamp(cur, 0, last));
            var v: Out3;
            var u: Out3;
            if (pattern) {
                let s = load_span(first0 + r, 6u);
                v = along_w3(s, xa, xb, xc, T, true);
                u = along_w3(Span(s.c, s.d, s.e, s.f, s.e, s.f), xd, xe, xf, T, true);
            } else {
                v = along_w3(load_span(first0 + r, 4u), xa, xb, xc, T, false);
                u = along_w3(load_span(first1 + r, 4u), xd, xe, xf, T, false);
            }
            ha = shift(ha, v.a, T);
            hb = shift(hb, v.b, T);
            hc = shift(hc, v.c, T);
            hd = shift(hd, u.a, T);
            he = shift(he, u.b, T);
            hf = shift(hf, u.c, T);
        }
        let s = (vec4<u32>(row.x >> 24u) >> vec4<u32>(0u, 2u, 4u, 6u)) & vec4<u32>(3u);
        var h = bitcast<vec4<f32>>(vec4<u32>(row.yzw, 0u));
        if (T > 2u) {
            h.w = bitcast<f32>(rows_tab[R * y + 1u].x);
        }
        let at = out + y * out_w4;
        dst4[at] = along_h(ha, s, h, T);
        dst4[at + 1u] = along_h(hb, s, h, T);
        dst4[at + 2u] = along_h(hc, s, h, T);
        if (two) {
            dst4[at + 3u] = along_h(hd, s, h, T);
            dst4[at + 4u] = along_h(he, s, h, T);
            dst4[at + 5u] = along_h(hf, s, h, T);
        }
    }
}

// Records of 12 outputs (the host checks out_w4 % 3 == 0). The interior [p.edge_qa,
// p.edge_qb) (an even number of records, all the pattern, host-checked) goes in pairs to the
// main entry points (`edges` false: thread q takes records qa + 2q and qa + 2q + 1, static taps);
// the records outside it, one a thread, to the `_edges` ones (taps picked). Two entry points, as
// lavapipe runs both sides of a branch. X15_ROWS output rows a thread.
fn fractional_x1_5(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, T: u32, edges: bool) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    let out_w4 = p.out_w / 4u;
    var r = p.edge_qa + 2u * q;
    if (edges) {
        r = select(p.edge_qb + q - p.edge_qa, q, q < p.edge_qa);
    }
    if (unit >= p.rows || r >= select(p.edge_qb, out_w4 / 3u, edges)) { return; }
    let blocks = (p.out_h + X15_ROWS - 1u) / X15_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * X15_ROWS;
    let y1 = min(y0 + X15_ROWS, p.out_h);
    let size = 4u + 3u * T;
    let g0 = p.tab_w + r * size;
    let row0 = (p.in_offset / 4u) + plane * p.in_h * (p.in_w / 4u) + tab4[g0].x;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + 3u * r;
    if (edges) {
        rows_x1_5(g0, g0, row0, row0, out, y0, y1, T, false, false);
    } else {
        rows_x1_5(g0, g0 + size, row0, row0 + 2u, out, y0, y1, T, true, true);
    }
}

@compute @workgroup_size(WG)
fn fractional_linear_x1_5(@builtin(workgroup_id) wg: vec3<u32>,
                          @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) lid: u32) {
    fractional_x1_5(wg, nwg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn fractional_cubic_x1_5(@builtin(workgroup_id) wg: vec3<u32>,
                         @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
    fractional_x1_5(wg, nwg, lid, 4u, false);
}

@compute @workgroup_size(WG)
fn fractional_linear_x1_5_edges(@builtin(workgroup_id) wg: vec3<u32>,
                                @builtin(num_workgroups) nwg: vec3<u32>,
                                @builtin(local_invocation_index) lid: u32) {
    fractional_x1_5(wg, nwg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn fractional_cubic_x1_5_edges(@builtin(workgroup_id) wg: vec3<u32>,
                               @builtin(num_workgroups) nwg: vec3<u32>,
                               @builtin(local_invocation_index) lid: u32) {
    fractional_x1_5(wg, nwg, lid, 4u, true);
}
