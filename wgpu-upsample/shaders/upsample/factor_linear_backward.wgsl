// Backward of linear / bilinear upsampled by an integer factor S (2 to 4) along w
// (src/ops/upsample/backward_factor.rs, `linear_backward`): grad_input from grad_output in one
// pass, the w and h window passes of the CPU reference fused, the depth unchanged. PyTorch's taps
// come from the host's tables, never recomputed here; the host checks that they fit:
//
// - along w, every output column o reads two inputs i0(o), i1(o) (weights w0, w1; zero weights and
//   clamped repeats included), and the inputs 4q .. 4q + 3 are read only from the S + 2 output
//   vec4s S·q - 1 .. S·q + S (the thread's window);
// - along h, output row o reads row i0(o) (weight w0) and, unless i1 is NONE, row i1(o) ∈
//   {i0(o), i0(o) + 1} (weight w1), i0 starting at 0, non-decreasing by 0 or 1, ending at the
//   last row.
//
// Where the h pass is the identity (p.taps = 1: a 3-D input, one row per slice), thread
// (q, block, 0) reduces rows ROWS·block .. of the dispatch along w, nothing more. Else thread
// (q, block, slice): grad_input vec4 q of rows ROWS·block .. (ROWS rows) of one slice. It
// streams the grad_output rows whose i0 lies in rows block - 1 .. block + ROWS - 1 in order
// (`first` table), reduces each along w to 4 values (its window, terms in output order, tap 0
// then tap 1: the CPU's w pass, acc = 0 then += w · g), and adds it weighed to the two rows it
// feeds, `cur` (row i0) and `next` (row i0 + 1): again the terms of each row in output order, as
// the CPU's h pass. A term of another input is skipped (select), never multiplied by 0, so a
// NaN or inf gradient reaches only the inputs that read it. No atomics, no intermediate.
//
// Tables: p.tab_w (vec4s, a multiple of 4 words): per window group v + 1 (v = -1 .. in_w / 4,
// the groups past the row NONE) i0, i1, w0 (bits), w1 (bits) of its 4 columns; p.tab_h (vec4s):
// per output row (i0, i1 or NONE, w0, w1 bits); p.tab_d (words): per grad_input row j ≤ out_h,
// the first output row whose i0 is j or more.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;

const NONE: u32 = 0xffffffffu;

// Four output columns' taps along w.
struct Col {
    i0: vec4<u32>,
    i1: vec4<u32>,
    w0: vec4<f32>,
    w1: vec4<f32>,
}

fn col(group: u32) -> Col {
    let at = p.tab_w / 4u + 4u * group;
    return Col(tab4[at], tab4[at + 1u], bitcast<vec4<f32>>(tab4[at + 2u]),
               bitcast<vec4<f32>>(tab4[at + 3u]));
}

// The thread's window of S + 2 groups (those past S + 2 unused), held for all its rows. Written
// out field by field: lavapipe indexes private arrays with a runtime index lane by lane.
struct Win {
    a: Col,
    b: Col,
    c: Col,
    d: Col,
    e: Col,
    f: Col,
}

// One output column's two taps added to the 4 inputs `k` they read.
fn term(acc: vec4<f32>, g: f32, i0: u32, i1: u32, w0: f32, w1: f32, k: vec4<u32>) -> vec4<f32> {
    let a = select(acc, acc + w0 * g, vec4<u32>(i0) == k);
    return select(a, a + w1 * g, vec4<u32>(i1) == k);
}

fn cols(acc: vec4<f32>, g: vec4<f32>, t: Col, k: vec4<u32>) -> vec4<f32> {
    var a = term(acc, g.x, t.i0.x, t.i1.x, t.w0.x, t.w1.x, k);
    a = term(a, g.y, t.i0.y, t.i1.y, t.w0.y, t.w1.y, k);
    a = term(a, g.z, t.i0.z, t.i1.z, t.w0.z, t.w1.z, k);
    return term(a, g.w, t.i0.w, t.i1.w, t.w0.w, t.w1.w, k);
}

// grad_output row `row` (its first vec4) reduced along w to the thread's 4 inputs `k`: window
// vec4s `v0` (S·q - 1, clamped into the row) .. S·q + S (clamped; the table's groups past the
// row read nothing).
fn reduce(row: u32, q: u32, S: u32, t: Win, k: vec4<u32>) -> vec4<f32> {
    let last = p.in_w / 4u - 1u;
    let v = row + S * q;
    var acc = cols(vec4<f32>(0.0), src4[select(v - 1u, row, q == 0u)], t.a, k);
    acc = cols(acc, src4[v], t.b, k);
    acc = cols(acc, src4[v + 1u], t.c, k);
    acc = cols(acc, src4[min(v + 2u, row + last)], t.d, k);
    if (S > 2u) {
        acc = cols(acc, src4[min(v + 3u, row + last)], t.e, k);
    }
    if (S > 3u) {
        acc = cols(acc, src4[min(v + 4u, row + last)], t.f, k);
    }
    return acc;
}

fn linear_backward(wg: vec3<u32>, lid: u32, S: u32) {
    let q = wg.x * WG + lid;
    let out4 = p.out_w / 4u;
    if (q >= out4) {
        return;
    }
    let k = vec4<u32>(4u * q) + vec4<u32>(0u, 1u, 2u, 3u);
    var t: Win;
    t.a = col(S * q);
    t.b = col(S * q + 1u);
    t.c = col(S * q + 2u);
    t.d = col(S * q + 3u);
    if (S > 2u) {
        t.e = col(S * q + 4u);
    }
    if (S > 3u) {
        t.f = col(S * q + 5u);
    }
    let in4 = p.in_w / 4u;
    if (p.taps == 1u) {
        // One row per slice, the h pass the identity (a 3-D input): rows ROWS·wg.y .. of the
        // dispatch's p.rows, each grad_output row reduced along w.
        let src = p.in_offset / 4u;
        let dst = p.out_offset / 4u + q;
        for (var y = ROWS * wg.y; y < min(ROWS * wg.y + ROWS, p.rows); y++) {
            dst4[dst + y * out4] = reduce(src + y * in4, q, S, t, k);
        }
        return;
    }
    let y0 = ROWS * wg.y;
    let y1 = min(y0 + ROWS, p.out_h);
    let src = (p.in_offset + wg.z * p.in_h * p.in_w) / 4u;
    let dst = (p.out_offset + wg.z * p.out_h * p.out_w) / 4u + q;
    let end = tab[p.tab_d + y1];
    var c = i32(y0) - 1;
    var cur = vec4<f32>(0.0);
    var next = vec4<f32>(0.0);
    for (var o = select(0u, tab[p.tab_d + y0 - 1u], y0 > 0u); o < end; o++) {
        let h = tab4[p.tab_h / 4u + o];
        if (i32(h.x) > c) {
            // Row c has all its terms (i0 steps by at most 1).
            if (c >= i32(y0)) {
                dst4[dst + u32(c) * out4] = cur;
            }
            cur = next;
            next = vec4<f32>(0.0);
            c = i32(h.x);
        }
        let r = reduce(src + o * in4, q, S, t, k);
        cur += bitcast<f32>(h.z) * r;
        if (h.y == h.x) {
            cur += bitcast<f32>(h.w) * r;
        } else if (h.y != NONE) {
            next += bitcast<f32>(h.w) * r;
        }
    }
    if (c >= i32(y0)) {
        dst4[dst + u32(c) * out4] = cur;
    }
}

@compute @workgroup_size(WG)
fn linear_backward_x2(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 2u);
}

@compute @workgroup_size(WG)
fn linear_backward_x3(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 3u);
}

@compute @workgroup_size(WG)
fn linear_backward_x4(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    linear_backward(wg, lid, 4u);
}
