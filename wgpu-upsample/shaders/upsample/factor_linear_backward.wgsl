// Backward of linear / bilinear upsampled by an integer factor S (2 to 4) along w
// (src/ops/upsample/backward_factor.rs, `linear_backward`): grad_input from grad_output in one
// pass, the w and h window passes of the CPU reference fused, the depth unchanged. PyTorch's taps
// and weights come from the host's tables, never recomputed here; the host checks that they fit:
//
// - along w, input i is read (by tap 0 or tap 1 of an output column, zero weights and clamped
//   repeats included) only by output columns S·i - S .. S·i + 2S - 1: its terms j = 0 .. 3S;
// - along h, output row o reads row i0(o) (weight w0) and, unless i1 is NONE, row i1(o) ∈
//   {i0(o), i0(o) + 1} (weight w1), i0 starting at 0, non-decreasing by 0 or 1, ending at the
//   last row.
//
// linear_backward_rows_x{S}, where the h pass is the identity (a 3-D input, one row per slice):
// thread (q, block, 0) reduces rows ROWS·block .. of the dispatch along w, nothing more.
// linear_backward_x{S}: thread (q, block, slice): grad_input vec4 q (an interior thread of the
// `inner_` kernel: vec4s q .. q + V - 1, V = vecs(S), the halo loaded once for all; the edge
// pass after it: the
// edge threads of every block side by side along x, see `row_block`) of rows y0 = LB_ROWS·block
// .. y0 + LB_ROWS - 1 of one slice. It streams the grad_output rows whose i0 lies in rows
// y0 - 1 .. y0 + LB_ROWS - 1 in order (`first` table), reduces each along w to 4 values per
// vec4 (the S + 2 vec4s around its columns, terms j in order, tap 0 then tap 1: the CPU's w
// pass, acc = 0 then += w · g), and adds it weighed to
// the two rows it feeds, `cur` (row i0) and `next` (row i0 + 1): again the terms of each row in
// output order, as the CPU's h pass. A term of another input is skipped (select), never
// multiplied by 0, so a NaN or inf gradient reaches only the inputs that read it. No atomics, no
// intermediate.
//
// Tables: p.tab_w (vec4s): per thread q and term j < 3S, the 4 lanes' tap 0 weights (bits;
// ABSENT where the tap reads another input or the column is past the row), then their tap 1
// weights; p.tab_h (vec4s): per output row (i0, i1 or NONE, w0, w1 bits); p.tab_d (words): per
// grad_input row j ≤ out_h, the first output row whose i0 is j or more.

// The grad_output window loads (`window`, and the binding they read) are in
// factor_linear_backward_f32.wgsl (vec4<f32>) or factor_linear_backward_u64.wgsl (vec4<u64>: two
// elements per loaded element, where the device has SHADER_INT64 and the rows allow).

@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;

const NONE: u32 = 0xffffffffu;
const ABSENT: u32 = 0x80000000u;

// Term j (0 .. 3S) of the thread's 4 inputs (lane k: input 4q + k, its output column
// S·(4q + k) - S + j, window column S·k + 4 - S + j): the column's tap 0 then tap 1, each added
// where its weight is not ABSENT (the tap reads another input).
fn term(acc: vec4<f32>, g: vec4<f32>, w0: vec4<u32>, w1: vec4<u32>) -> vec4<f32> {
    let a = select(acc + bitcast<vec4<f32>>(w0) * g, acc, w0 == vec4<u32>(ABSENT));
    return select(a + bitcast<vec4<f32>>(w1) * g, a, w1 == vec4<u32>(ABSENT));
}

// The thread's window of S + 2 grad_output vec4s (those past S + 2 unused) and its weights
// (6S vec4s), held in named fields and picked with constant indices once inlined: lavapipe
// indexes private arrays and vector components with a runtime index lane by lane.
struct G6 {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
    e: vec4<f32>,
    f: vec4<f32>,
}

struct Weights {
    t0: vec4<u32>,
    t1: vec4<u32>,
    t2: vec4<u32>,
    t3: vec4<u32>,
    t4: vec4<u32>,
    t5: vec4<u32>,
    t6: vec4<u32>,
    t7: vec4<u32>,
    t8: vec4<u32>,
    t9: vec4<u32>,
    t10: vec4<u32>,
    t11: vec4<u32>,
    t12: vec4<u32>,
    t13: vec4<u32>,
    t14: vec4<u32>,
    t15: vec4<u32>,
    t16: vec4<u32>,
    t17: vec4<u32>,
    t18: vec4<u32>,
    t19: vec4<u32>,
    t20: vec4<u32>,
    t21: vec4<u32>,
    t22: vec4<u32>,
    t23: vec4<u32>,
}

// Window column c (a constant).
fn at(g: G6, c: u32) -> f32 {
    var v = g.a;
    switch (c / 4u) {
        case 1u: { v = g.b; }
        case 2u: { v = g.c; }
        case 3u: { v = g.d; }
        case 4u: { v = g.e; }
        case 5u: { v = g.f; }
        default: {}
    }
    return v[c % 4u];
}

// The 4 lanes' window columns of term j (S·k + 4 - S + j for lane k).
fn lanes(g: G6, S: u32, j: u32) -> vec4<f32> {
    let c = 4u - S + j;
    return vec4<f32>(at(g, c), at(g, c + S), at(g, c + 2u * S), at(g, c + 3u * S));
}

// The thread's weights (see the tables above).
fn weights(q: u32, S: u32) -> Weights {
    var t: Weights;
    let base = p.tab_w / 4u + 6u * S * q;
    t.t0 = tab4[base + 0u];
    t.t1 = tab4[base + 1u];
    t.t2 = tab4[base + 2u];
    t.t3 = tab4[base + 3u];
    t.t4 = tab4[base + 4u];
    t.t5 = tab4[base + 5u];
    t.t6 = tab4[base + 6u];
    t.t7 = tab4[base + 7u];
    t.t8 = tab4[base + 8u];
    t.t9 = tab4[base + 9u];
    t.t10 = tab4[base + 10u];
    t.t11 = tab4[base + 11u];
    if (S > 2u) {
        t.t12 = tab4[base + 12u];
        t.t13 = tab4[base + 13u];
        t.t14 = tab4[base + 14u];
        t.t15 = tab4[base + 15u];
        t.t16 = tab4[base + 16u];
        t.t17 = tab4[base + 17u];
    }
    if (S > 3u) {
        t.t18 = tab4[base + 18u];
        t.t19 = tab4[base + 19u];
        t.t20 = tab4[base + 20u];
        t.t21 = tab4[base + 21u];
        t.t22 = tab4[base + 22u];
        t.t23 = tab4[base + 23u];
    }
    return t;
}

// grad_output row `row` (its first vec4) reduced along w to the thread's 4 inputs: window vec4s
// S·q - 1 .. S·q + S (clamped into the row: the weights past the row are ABSENT), terms
// j = 0 .. 3S in order (the columns in increasing order).
fn reduce(row: u32, q: u32, S: u32, t: Weights) -> vec4<f32> {
    let g = window(row, q, S);
    var a = vec4<f32>(0.0);
    a = term(a, lanes(g, S, 0u), t.t0, t.t1);
    a = term(a, lanes(g, S, 1u), t.t2, t.t3);
    a = term(a, lanes(g, S, 2u), t.t4, t.t5);
    a = term(a, lanes(g, S, 3u), t.t6, t.t7);
    a = term(a, lanes(g, S, 4u), t.t8, t.t9);
    a = term(a, lanes(g, S, 5u), t.t10, t.t11);
    if (S > 2u) {
        a = term(a, lanes(g, S, 6u), t.t12, t.t13);
        a = term(a, lanes(g, S, 7u), t.t14, t.t15);
        a = term(a, lanes(g, S, 8u), t.t16, t.t17);
    }
    if (S > 3u) {
        a = term(a, lanes(g, S, 9u), t.t18, t.t19);
        a = term(a, lanes(g, S, 10u), t.t20, t.t21);
        a = term(a, lanes(g, S, 11u), t.t22, t.t23);
    }
    return a;
}

// Weight vec4 i of t (a constant).
fn weight(t: Weights, i: u32) -> vec4<u32> {
    var v = t.t0;
    switch (i) {
        case 1u: { v = t.t1; }
        case 2u: { v = t.t2; }
        case 3u: { v = t.t3; }
        case 4u: { v = t.t4; }
        case 5u: { v = t.t5; }
        case 6u: { v = t.t6; }
        case 7u: { v = t.t7; }
        case 8u: { v = t.t8; }
        case 9u: { v = t.t9; }
        case 10u: { v = t.t10; }
        case 11u: { v = t.t11; }
        case 12u: { v = t.t12; }
        case 13u: { v = t.t13; }
        case 14u: { v = t.t14; }
        case 15u: { v = t.t15; }
        case 16u: { v = t.t16; }
        case 17u: { v = t.t17; }
        case 18u: { v = t.t18; }
        case 19u: { v = t.t19; }
        case 20u: { v = t.t20; }
        case 21u: { v = t.t21; }
        case 22u: { v = t.t22; }
        case 23u: { v = t.t23; }
        default: {}
    }
    return v;
}

// The interior's term m < 2S: term j = S / 2 + m, tap 1 for m < S (the row's input i - 1 and i),
// else tap 0.
fn inner_weight(t: Weights, S: u32, m: u32) -> vec4<u32> {
    let j = S / 2u + m;
    return weight(t, select(2u * j + 1u, 2u * j, m >= S));
}

// An interior thread's window: grad_output vec4s S·q - 1 .. S·q + V·S of the row (V = vecs(S);
// at most 34, those past unused), for its vec4s q .. q + V - 1 of grad_input: the halo loaded
// once for all.
struct G34 {
    v0: vec4<f32>,
    v1: vec4<f32>,
    v2: vec4<f32>,
    v3: vec4<f32>,
    v4: vec4<f32>,
    v5: vec4<f32>,
    v6: vec4<f32>,
    v7: vec4<f32>,
    v8: vec4<f32>,
    v9: vec4<f32>,
    v10: vec4<f32>,
    v11: vec4<f32>,
    v12: vec4<f32>,
    v13: vec4<f32>,
    v14: vec4<f32>,
    v15: vec4<f32>,
    v16: vec4<f32>,
    v17: vec4<f32>,
    v18: vec4<f32>,
    v19: vec4<f32>,
    v20: vec4<f32>,
    v21: vec4<f32>,
    v22: vec4<f32>,
    v23: vec4<f32>,
    v24: vec4<f32>,
    v25: vec4<f32>,
    v26: vec4<f32>,
    v27: vec4<f32>,
    v28: vec4<f32>,
    v29: vec4<f32>,
    v30: vec4<f32>,
    v31: vec4<f32>,
    v32: vec4<f32>,
    v33: vec4<f32>,
}

// The interior grad_input vec4s of a thread of an `inner` kernel: 8 for S = 4, else 2
// (`inner_vecs` in backward_factor.rs).
fn vecs(S: u32) -> u32 {
    return select(2u, 8u, S == 4u);
}

// Window column c of g (a constant).
fn at34(g: G34, c: u32) -> f32 {
    var v = g.v0;
    switch (c / 4u) {
        case 1u: { v = g.v1; }
        case 2u: { v = g.v2; }
        case 3u: { v = g.v3; }
        case 4u: { v = g.v4; }
        case 5u: { v = g.v5; }
        case 6u: { v = g.v6; }
        case 7u: { v = g.v7; }
        case 8u: { v = g.v8; }
        case 9u: { v = g.v9; }
        case 10u: { v = g.v10; }
        case 11u: { v = g.v11; }
        case 12u: { v = g.v12; }
        case 13u: { v = g.v13; }
        case 14u: { v = g.v14; }
        case 15u: { v = g.v15; }
        case 16u: { v = g.v16; }
        case 17u: { v = g.v17; }
        case 18u: { v = g.v18; }
        case 19u: { v = g.v19; }
        case 20u: { v = g.v20; }
        case 21u: { v = g.v21; }
        case 22u: { v = g.v22; }
        case 23u: { v = g.v23; }
        case 24u: { v = g.v24; }
        case 25u: { v = g.v25; }
        case 26u: { v = g.v26; }
        case 27u: { v = g.v27; }
        case 28u: { v = g.v28; }
        case 29u: { v = g.v29; }
        case 30u: { v = g.v30; }
        case 31u: { v = g.v31; }
        case 32u: { v = g.v32; }
        case 33u: { v = g.v33; }
        default: {}
    }
    return v[c % 4u];
}

// Term j of grad_input vec4 q + h (h < V) from the thread's window: lane k reads window
// column 4S·h + S·k + 4 - S + j, as `lanes` for a thread of its own.
fn lanes34(g: G34, S: u32, h: u32, j: u32) -> vec4<f32> {
    let c = 4u * S * h + 4u - S + j;
    return vec4<f32>(at34(g, c), at34(g, c + S), at34(g, c + 2u * S), at34(g, c + 3u * S));
}

// The grad_input vec4s q .. q + V - 1 of an interior thread (those past V unused).
struct Vecs {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
    e: vec4<f32>,
    f: vec4<f32>,
    g: vec4<f32>,
    h: vec4<f32>,
}

// The weights of an interior thread's vec4s q .. q + V - 1.
struct WeightsV {
    w0: Weights,
    w1: Weights,
    w2: Weights,
    w3: Weights,
    w4: Weights,
    w5: Weights,
    w6: Weights,
    w7: Weights,
}

// reduce for an interior thread's vec4s q .. q + V - 1 (weights w; the host checked their
// pattern): each of the 2S terms is there for every lane, exactly one tap per term, so plain
// multiply-adds in the same order as `reduce`.
fn reduce_inner(row: u32, q: u32, S: u32, w: WeightsV) -> Vecs {
    let g = window2(row, q, S);
    let z = vec4<f32>(0.0);
    var r = Vecs(reduce_half(g, S, 0u, w.w0), reduce_half(g, S, 1u, w.w1), z, z, z, z, z, z);
    if (vecs(S) > 2u) {
        r.c = reduce_half(g, S, 2u, w.w2);
    }
    if (vecs(S) > 3u) {
        r.d = reduce_half(g, S, 3u, w.w3);
    }
    if (vecs(S) > 4u) {
        r.e = reduce_half(g, S, 4u, w.w4);
    }
    if (vecs(S) > 5u) {
        r.f = reduce_half(g, S, 5u, w.w5);
    }
    if (vecs(S) > 6u) {
        r.g = reduce_half(g, S, 6u, w.w6);
    }
    if (vecs(S) > 7u) {
        r.h = reduce_half(g, S, 7u, w.w7);
    }
    return r;
}

// Vec4 q + h (h a constant) of reduce_inner, weights w.
fn reduce_half(g: G34, S: u32, h: u32, w: Weights) -> vec4<f32> {
    var a = vec4<f32>(0.0);
    a += bitcast<vec4<f32>>(inner_weight(w, S, 0u)) * lanes34(g, S, h, S / 2u + 0u);
    a += bitcast<vec4<f32>>(inner_weight(w, S, 1u)) * lanes34(g, S, h, S / 2u + 1u);
    a += bitcast<vec4<f32>>(inner_weight(w, S, 2u)) * lanes34(g, S, h, S / 2u + 2u);
    a += bitcast<vec4<f32>>(inner_weight(w, S, 3u)) * lanes34(g, S, h, S / 2u + 3u);
    if (S > 2u) {
        a += bitcast<vec4<f32>>(inner_weight(w, S, 4u)) * lanes34(g, S, h, S / 2u + 4u);
        a += bitcast<vec4<f32>>(inner_weight(w, S, 5u)) * lanes34(g, S, h, S / 2u + 5u);
    }
    if (S > 3u) {
        a += bitcast<vec4<f32>>(inner_weight(w, S, 6u)) * lanes34(g, S, h, S / 2u + 6u);
        a += bitcast<vec4<f32>>(inner_weight(w, S, 7u)) * lanes34(g, S, h, S / 2u + 7u);
    }
    return a;
}

fn reduce_any(row: u32, q: u32, S: u32, w: WeightsV, inner: bool) -> Vecs {
    if (inner) {
        return reduce_inner(row, q, S, w);
    }
    let z = vec4<f32>(0.0);
    return Vecs(reduce(row, q, S, w.w0), z, z, z, z, z, z, z);
}

// The thread's first q: `inner` threads 1, 1 + V, 1 + 2V, .. (vec4s q .. q + V - 1, those from
// 1 to out_w / 4 - 2); else every thread, or where p.indexed (the edges after an inner pass) thread
// 2k → 0 and thread 2k + 1 → the last (NONE: none), k the row block in linear_backward
// (`row_block`; the rows kernel takes threads 0 and 1 only).
fn thread(wg: vec3<u32>, lid: u32, S: u32, inner: bool) -> u32 {
    let out4 = p.out_w / 4u;
    var q = wg.x * WG + lid;
    if (inner) {
        q = vecs(S) * q + 1u;
        return select(NONE, q, q + 1u < out4);
    }
    if (p.indexed == 1u) {
        let side = q % 2u;
        q = select(select(NONE, out4 - 1u, out4 > 1u), 0u, side == 0u);
    }
    return select(NONE, q, q < out4);
}

// The row block of a linear_backward thread: grid y, or for the edges (p.indexed) k of `thread`
// (NONE past the last block: the edge pairs of all blocks of a slice along grid x).
fn row_block(wg: vec3<u32>, lid: u32) -> u32 {
    if (p.indexed == 1u) {
        let k = (wg.x * WG + lid) / 2u;
        return select(NONE, k, k * LB_ROWS < p.out_h);
    }
    return wg.y;
}

// Stores r at vec4 `at` of grad_input (thread q), and where the thread is `inner` those of r.b ..
// (V - 1 of them) that are interior vec4s after it.
fn put(at: u32, q: u32, S: u32, r: Vecs, inner: bool) {
    dst4[at] = r.a;
    let out4 = p.out_w / 4u;
    if (inner && vecs(S) > 1u && q + 2u < out4) {
        dst4[at + 1u] = r.b;
    }
    if (inner && vecs(S) > 2u && q + 3u < out4) {
        dst4[at + 2u] = r.c;
    }
    if (inner && vecs(S) > 3u && q + 4u < out4) {
        dst4[at + 3u] = r.d;
    }
    if (inner && vecs(S) > 4u && q + 5u < out4) {
        dst4[at + 4u] = r.e;
    }
    if (inner && vecs(S) > 5u && q + 6u < out4) {
        dst4[at + 5u] = r.f;
    }
    if (inner && vecs(S) > 6u && q + 7u < out4) {
        dst4[at + 6u] = r.g;
    }
    if (inner && vecs(S) > 7u && q + 8u < out4) {
        dst4[at + 7u] = r.h;
    }
}

// The weights of the thread's vec4s: an interior thread's q .. q + V - 1 (clamped into the
// row: unused where past the interior), else t (q's) only.
fn weights4(q: u32, S: u32, inner: bool) -> WeightsV {
    let t = weights(q, S);
    var w = WeightsV(t, t, t, t, t, t, t, t);
    if (inner) {
        let last = p.out_w / 4u - 1u;
        if (vecs(S) > 1u) {
            w.w1 = weights(min(q + 1u, last), S);
        }
        if (vecs(S) > 2u) {
            w.w2 = weights(min(q + 2u, last), S);
        }
        if (vecs(S) > 3u) {
            w.w3 = weights(min(q + 3u, last), S);
        }
        if (vecs(S) > 4u) {
            w.w4 = weights(min(q + 4u, last), S);
        }
        if (vecs(S) > 5u) {
            w.w5 = weights(min(q + 5u, last), S);
        }
        if (vecs(S) > 6u) {
            w.w6 = weights(min(q + 6u, last), S);
        }
        if (vecs(S) > 7u) {
            w.w7 = weights(min(q + 7u, last), S);
        }
    }
    return w;
}

// linear_backward_rows_x{S}: h the identity (p.taps = 1).
fn linear_backward_rows(wg: vec3<u32>, lid: u32, S: u32, inner: bool) {
    // The edges: threads 0 and 1 of the workgroup.
    let q = select(thread(wg, lid, S, inner), NONE, p.indexed == 1u && lid > 1u);
    let out4 = p.out_w / 4u;
    if (q != NONE) {
        let w = weights4(q, S, inner);
        let in4 = p.in_w / 4u;
        let src = p.in_offset / 4u;
        let dst = p.out_offset / 4u + q;
        for (var y = ROWS * wg.y; y < min(ROWS * wg.y + ROWS, p.rows); y++) {
            put(dst + y * out4, q, S, reduce_any(src + y * in4, q, S, w, inner), inner);
        }
    }
}

// x + w · r, vec4 by vec4 (the first 2, or V of an inner thread; those past V are zero).
fn add(x: Vecs, w: f32, r: Vecs, S: u32) -> Vecs {
    var y = x;
    y.a += w * r.a;
    y.b += w * r.b;
    if (vecs(S) > 2u) {
        y.c += w * r.c;
    }
    if (vecs(S) > 3u) {
        y.d += w * r.d;
    }
    if (vecs(S) > 4u) {
        y.e += w * r.e;
    }
    if (vecs(S) > 5u) {
        y.f += w * r.f;
    }
    if (vecs(S) > 6u) {
        y.g += w * r.g;
    }
    if (vecs(S) > 7u) {
        y.h += w * r.h;
    }
    return y;
}

// linear_backward_x{S}: rows streamed along h.
fn linear_backward(wg: vec3<u32>, lid: u32, S: u32, inner: bool) {
    let q = thread(wg, lid, S, inner);
    let out4 = p.out_w / 4u;
    let block = row_block(wg, lid);
    if (q == NONE || block == NONE) {
        return;
    }
    let w = weights4(q, S, inner);
    let in4 = p.in_w / 4u;
    let y0 = LB_ROWS * block;
    let y1 = min(y0 + LB_ROWS, p.out_h);
    let src = (p.in_offset + wg.z * p.in_h * p.in_w) / 4u;
    let dst = (p.out_offset + wg.z * p.out_h * p.out_w) / 4u + q;
    let end = tab[p.tab_d + y1];
    var c = i32(y0) - 1;
    let v0 = vec4<f32>(0.0);
    let z = Vecs(v0, v0, v0, v0, v0, v0, v0, v0);
    var cur = z;
    var next = z;
    for (var o = select(0u, tab[p.tab_d + y0 - 1u], y0 > 0u); o < end; o++) {
        let h = tab4[p.tab_h / 4u + o];
        if (i32(h.x) > c) {
            // Row c has all its terms (i0 steps by at most 1).
            if (c >= i32(y0)) {
                put(dst + u32(c) * out4, q, S, cur, inner);
            }
            cur = next;
            next = z;
            c = i32(h.x);
        }
        let r = reduce_any(src + o * in4, q, S, w, inner);
        let w0 = bitcast<f32>(h.z);
        let w1 = bitcast<f32>(h.w);
        cur = add(cur, w0, r, S);
        if (h.y == h.x) {
            cur = add(cur, w1, r, S);
        } else if (h.y != NONE) {
            next = add(next, w1, r, S);
        }
    }
    if (c >= i32(y0)) {
        put(dst + u32(c) * out4, q, S, cur, inner);
    }
}

@compute @workgroup_size(WG)
fn linear_backward_x2(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_x3(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 3u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_x4(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 4u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_inner_x2(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn linear_backward_inner_x3(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 3u, true);
}

@compute @workgroup_size(WG)
fn linear_backward_inner_x4(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 4u, true);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_x2(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 2u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_x3(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 3u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_x4(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 4u, false);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_inner_x2(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 2u, true);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_inner_x3(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 3u, true);
}

@compute @workgroup_size(WG)
fn linear_backward_rows_inner_x4(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    linear_backward_rows(wg, lid, 4u, true);
}
