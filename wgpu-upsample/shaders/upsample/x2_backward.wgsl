// Backward of the exact ×2 upsample: grad_input from grad_output, a gather (no atomics). Along a
// doubled axis with T taps per output (1 nearest, 2 linear, 4 cubic), input m receives from the
// outputs 2m - T .. 2m + T (nearest: 2m, 2m + 1): S = 2T + 1 slots, each with its weight per
// input — PyTorch's backward taps transposed on the host (src/ops/upsample/plan.rs,
// `x2_backward`), summed where a clamped output reads m more than once, zero weights kept. A slot
// whose output does not read m holds -0.0 (ABSENT): skipped, not multiplied. A slot whose sum
// merges taps that PyTorch adds one by one, among them a zero or both signs, is marked in a mask:
// there an infinite gradient gives NaN, as PyTorch's separate terms do (0 · inf, inf − inf).
//
// Thread (q, j, slice): grad_input elements 8q .. 8q+7 (two vec4s; the second only where the row
// has it) of input rows ROWS·j .. ROWS·j + ROWS - 1 of one slice (`wg.z`). Along x (the `xy`
// entry points) it reduces each grad_output row it needs (outputs 16q .. 16q + 15 and, with
// weights, up to 4 on either side) to its 8 inputs: the outputs split into even and odd ones, so that every slot is a
// shifted window of one of them (constant swizzles, no indexing), weighed with the thread's
// weights from `wt4` (from p.tab_w: per slot two vec4s, inputs 8q.. and 8q+4.., then two vec4s
// of masks). Along the rows it combines the 2T + 1 reduced rows of each input row with the row
// weights from the uniform array `yz` (3 vec4s per input row from p.tab_h: S weights, the mask
// in the 12th), rolling: each grad_output row is reduced once per thread. The `rows` entry points
// keep x (a row is then a whole slice: the doubled depth of a 5-D input, reduced first on
// (slices, h·w)).
//
// The loads come from a second part: x2_backward_f32.wgsl (vec4<f32>, every adapter) or
// x2_backward_u64.wgsl (64-bit words, two outputs each: on lavapipe, which loads element by
// element in a loop over its lanes, the loads are most of the time; the host picks it where the
// device has SHADER_INT64). Both give the same values, so the same sums.
//
// Params: in_h × in_w is one grad_output slice (rows × row length), out_h × out_w one grad_input
// slice; in_offset / out_offset as everywhere.

@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> wt4: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> yz: array<vec4<f32>, YZ_WEIGHTS>;

const ABSENT: u32 = 0x80000000u;

// A thread's 8 values: a = elements 8q .. 8q+3, b = 8q+4 .. 8q+7.
struct Acc8 {
    a: vec4<f32>,
    b: vec4<f32>,
}

// w · g, 0 where the slot is absent (the compare is the same for every row: hoisted out of the
// row loops).
fn sel(w: vec4<f32>, g: vec4<f32>) -> vec4<f32> {
    return select(w * g, vec4<f32>(0.0), bitcast<vec4<u32>>(w) == vec4<u32>(ABSENT));
}

// sel(w, g), and NaN where the slot is marked (bit s of `mask`) and g infinite.
fn term(w: vec4<f32>, g: vec4<f32>, mask: vec4<u32>, s: u32) -> vec4<f32> {
    let t = select(w * g, vec4<f32>(0.0), bitcast<vec4<u32>>(w) == vec4<u32>(ABSENT));
    let marked = ((mask >> vec4<u32>(s)) & vec4<u32>(1u)) != vec4<u32>(0u);
    let inf = (bitcast<vec4<u32>>(g) & vec4<u32>(0x7fffffffu)) == vec4<u32>(0x7f800000u);
    return select(t, vec4<f32>(bitcast<f32>(0x7fc00000u)), marked & inf);
}

// Row weight t of input row j, and the term it gives for the reduced row x (checked for an
// marked slot only where the row has one: bit 31 of its mask word; never in an `inner`
// kernel, which leaves such rows to its `edge` kernels).
fn row_term(j: u32, t: u32, x: Acc8, general: bool) -> Acc8 {
    let w = yz[p.tab_h + 3u * j + t / 4u][t % 4u];
    let bits = bitcast<u32>(yz[p.tab_h + 3u * j + 2u].w);
    if (!general || bits == 0u) {
        let v = vec4<f32>(w);
        return Acc8(sel(v, x.a), sel(v, x.b));
    }
    let mask = vec4<u32>(bits);
    return Acc8(term(vec4<f32>(w), x.a, mask, t), term(vec4<f32>(w), x.b, mask, t));
}

fn add8(x: Acc8, y: Acc8) -> Acc8 {
    return Acc8(x.a + y.a, x.b + y.b);
}

// Windows of a sequence held in vec4s (p, a, n: previous, current, next), shifted by c.
fn sm2(p: vec4<f32>, a: vec4<f32>) -> vec4<f32> { return vec4<f32>(p.zw, a.xy); }
fn sm1(p: vec4<f32>, a: vec4<f32>) -> vec4<f32> { return vec4<f32>(p.w, a.xyz); }
fn sp1(a: vec4<f32>, n: vec4<f32>) -> vec4<f32> { return vec4<f32>(a.yzw, n.x); }
fn sp2(a: vec4<f32>, n: vec4<f32>) -> vec4<f32> { return vec4<f32>(a.zw, n.xy); }

// One grad_output row around the thread's outputs 16q .. 16q+15, as even and odd outputs:
// e_k = output 16q + 2k, o_k = 16q + 2k + 1; `el`/`ol` end with k = -2, -1, `er`/`or` start with
// k = 8, 9 (loads outside the row clamped: their slots are absent; lanes a mode never reads may
// hold anything). Loaded by `load_row(row, q, T)` of the load part (x2_backward_f32.wgsl or
// x2_backward_u64.wgsl), which also gives `load_kept(row, q)`: 8 elements 8q .. 8q+7 of a row.
struct OutRow {
    el: vec4<f32>, ea: vec4<f32>, eb: vec4<f32>, er: vec4<f32>,
    ol: vec4<f32>, oa: vec4<f32>, ob: vec4<f32>, or: vec4<f32>,
}

// The thread's x weights (S slots) and masks; `plain`: no slot marked (absent ones skipped by
// `sel`).
struct XWeights {
    w: array<vec4<f32>, 18>,
    ma: vec4<u32>,
    mb: vec4<u32>,
    plain: bool,
}

// `general`: false in the `inner` kernels, whose threads are all plain (the host leaves the
// others to the `edge` kernels); lavapipe runs both sides of every branch, so only a kernel
// without the general code is faster.
fn x_weights(q: u32, T: u32, general: bool) -> XWeights {
    let s = 2u * T + 1u;
    let at = p.tab_w + (2u * s + 2u) * q;
    var x: XWeights;
    x.w[0] = wt4[at];
    x.w[1] = wt4[at + 1u];
    x.w[2] = wt4[at + 2u];
    x.w[3] = wt4[at + 3u];
    x.w[4] = wt4[at + 4u];
    x.w[5] = wt4[at + 5u];
    x.w[6] = wt4[at + 6u];
    x.w[7] = wt4[at + 7u];
    x.w[8] = wt4[at + 8u];
    x.w[9] = wt4[at + 9u];
    if (T == 4u) {
        x.w[10] = wt4[at + 10u];
        x.w[11] = wt4[at + 11u];
        x.w[12] = wt4[at + 12u];
        x.w[13] = wt4[at + 13u];
        x.w[14] = wt4[at + 14u];
        x.w[15] = wt4[at + 15u];
        x.w[16] = wt4[at + 16u];
        x.w[17] = wt4[at + 17u];
    }
    x.ma = bitcast<vec4<u32>>(wt4[at + 2u * s]);
    x.mb = bitcast<vec4<u32>>(wt4[at + 2u * s + 1u]);
    // The host sets bit 31 of every mask where a slot of the 8 inputs is marked.
    x.plain = !general || (x.ma.x >> 31u) == 0u;
    return x;
}

// A grad_output row reduced along x to the thread's 8 inputs. Nearest: input k = e_k + o_k.
fn reduce_nearest(r: OutRow) -> Acc8 {
    return Acc8(r.ea + r.oa, r.eb + r.ob);
}

// Linear: input k reads outputs 2k - 2 .. 2k + 2 = e_{k-1}, o_{k-1}, e_k, o_k, e_{k+1}.
fn reduce_linear(r: OutRow, x: XWeights) -> Acc8 {
    if (x.plain) {
        var a = sel(x.w[0], sm1(r.el, r.ea));
        a += sel(x.w[2], sm1(r.ol, r.oa));
        a += sel(x.w[4], r.ea);
        a += sel(x.w[6], r.oa);
        a += sel(x.w[8], sp1(r.ea, r.eb));
        var b = sel(x.w[1], sm1(r.ea, r.eb));
        b += sel(x.w[3], sm1(r.oa, r.ob));
        b += sel(x.w[5], r.eb);
        b += sel(x.w[7], r.ob);
        b += sel(x.w[9], sp1(r.eb, r.er));
        return Acc8(a, b);
    }
    var a = term(x.w[0], sm1(r.el, r.ea), x.ma, 0u);
    a += term(x.w[2], sm1(r.ol, r.oa), x.ma, 1u);
    a += term(x.w[4], r.ea, x.ma, 2u);
    a += term(x.w[6], r.oa, x.ma, 3u);
    a += term(x.w[8], sp1(r.ea, r.eb), x.ma, 4u);
    var b = term(x.w[1], sm1(r.ea, r.eb), x.mb, 0u);
    b += term(x.w[3], sm1(r.oa, r.ob), x.mb, 1u);
    b += term(x.w[5], r.eb, x.mb, 2u);
    b += term(x.w[7], r.ob, x.mb, 3u);
    b += term(x.w[9], sp1(r.eb, r.er), x.mb, 4u);
    return Acc8(a, b);
}

// Cubic: input k reads outputs 2k - 4 .. 2k + 4 = e_{k-2}, o_{k-2}, .., o_{k+1}, e_{k+2}.
fn reduce_cubic(r: OutRow, x: XWeights) -> Acc8 {
    if (x.plain) {
        var a = sel(x.w[0], sm2(r.el, r.ea));
        a += sel(x.w[2], sm2(r.ol, r.oa));
        a += sel(x.w[4], sm1(r.el, r.ea));
        a += sel(x.w[6], sm1(r.ol, r.oa));
        a += sel(x.w[8], r.ea);
        a += sel(x.w[10], r.oa);
        a += sel(x.w[12], sp1(r.ea, r.eb));
        a += sel(x.w[14], sp1(r.oa, r.ob));
        a += sel(x.w[16], sp2(r.ea, r.eb));
        var b = sel(x.w[1], sm2(r.ea, r.eb));
        b += sel(x.w[3], sm2(r.oa, r.ob));
        b += sel(x.w[5], sm1(r.ea, r.eb));
        b += sel(x.w[7], sm1(r.oa, r.ob));
        b += sel(x.w[9], r.eb);
        b += sel(x.w[11], r.ob);
        b += sel(x.w[13], sp1(r.eb, r.er));
        b += sel(x.w[15], sp1(r.ob, r.or));
        b += sel(x.w[17], sp2(r.eb, r.er));
        return Acc8(a, b);
    }
    var a = term(x.w[0], sm2(r.el, r.ea), x.ma, 0u);
    a += term(x.w[2], sm2(r.ol, r.oa), x.ma, 1u);
    a += term(x.w[4], sm1(r.el, r.ea), x.ma, 2u);
    a += term(x.w[6], sm1(r.ol, r.oa), x.ma, 3u);
    a += term(x.w[8], r.ea, x.ma, 4u);
    a += term(x.w[10], r.oa, x.ma, 5u);
    a += term(x.w[12], sp1(r.ea, r.eb), x.ma, 6u);
    a += term(x.w[14], sp1(r.oa, r.ob), x.ma, 7u);
    a += term(x.w[16], sp2(r.ea, r.eb), x.ma, 8u);
    var b = term(x.w[1], sm2(r.ea, r.eb), x.mb, 0u);
    b += term(x.w[3], sm2(r.oa, r.ob), x.mb, 1u);
    b += term(x.w[5], sm1(r.ea, r.eb), x.mb, 2u);
    b += term(x.w[7], sm1(r.oa, r.ob), x.mb, 3u);
    b += term(x.w[9], r.eb, x.mb, 4u);
    b += term(x.w[11], r.ob, x.mb, 5u);
    b += term(x.w[13], sp1(r.eb, r.er), x.mb, 6u);
    b += term(x.w[15], sp1(r.ob, r.or), x.mb, 7u);
    b += term(x.w[17], sp2(r.eb, r.er), x.mb, 8u);
    return Acc8(a, b);
}

// The thread and its first grad_input element and rows.
struct Thread {
    q: u32,
    dst: u32,   // grad_input index of (slice, row 0, 8q)
    src: u32,   // grad_output index of (slice, row 0, 0), from the bound offset
    j0: u32,
    end: u32,
    live: bool,
    second: bool,
}

fn thread_at(q: u32, j0: u32, end: u32, z: u32) -> Thread {
    return Thread(q, p.out_offset + z * p.out_h * p.out_w + 8u * q, z * p.in_h * p.in_w,
                  j0, min(end, p.out_h), 8u * q < p.out_w, 8u * q + 4u < p.out_w);
}

fn thread(wg: vec3<u32>, lid: u32) -> Thread {
    let j0 = ROWS * wg.y;
    return thread_at(wg.x * WG + lid, j0, j0 + ROWS, wg.z);
}

// The edges of an `inner` kernel's grid, left to the `edge` kernels: the threads q < edge_qa and
// q >= edge_qb along x (every row), the rows j < edge_ja and j >= edge_jb (every thread).
// `edge_x`: thread t (8 per workgroup) is edge thread t % n of row block t / n (n edge threads);
// `edge_y`: thread q, the edge rows at both ends.
fn edge_x(wg: vec3<u32>, lid: u32) -> Thread {
    let t = wg.x * 8u + lid;
    let n = p.edge_qa + (p.out_w + 7u) / 8u - p.edge_qb;
    let e = t % n;
    let j0 = ROWS * (t / n);
    let th = thread_at(select(p.edge_qb + e - p.edge_qa, e, e < p.edge_qa), j0, j0 + ROWS, wg.z);
    return Thread(th.q, th.dst, th.src, th.j0, th.end, th.live && j0 < p.out_h, th.second);
}

// grad_output row r of the slice (clamped) reduced along x: doubled with T taps, or kept.
fn x_row(th: Thread, r: i32, T: u32, keep: bool, x: XWeights) -> Acc8 {
    let row = th.src + u32(clamp(r, 0, i32(p.in_h) - 1)) * p.in_w;
    if (keep) {
        return load_kept(row, th.q);
    }
    let v = load_row(row, th.q, T);
    if (T == 1u) {
        return reduce_nearest(v);
    }
    if (T == 2u) {
        return reduce_linear(v, x);
    }
    return reduce_cubic(v, x);
}

fn store(th: Thread, j: u32, v: Acc8) {
    let at = (th.dst + j * p.out_w) / 4u;
    dst4[at] = v.a;
    if (th.second) {
        dst4[at + 1u] = v.b;
    }
}

// Nearest: input row j = output rows 2j + 2j + 1, no weights.
fn rows_nearest(th: Thread, keep: bool) {
    var none: XWeights;
    for (var j = th.j0; j < th.end; j++) {
        let r = i32(2u * j);
        store(th, j, add8(x_row(th, r, 1u, keep, none), x_row(th, r + 1, 1u, keep, none)));
    }
}

// Linear: input row j = reduced rows 2j - 2 .. 2j + 2 weighed, rolling two rows per step.
fn rows_linear(th: Thread, keep: bool, x: XWeights, general: bool) {
    let r0 = i32(2u * th.j0);
    var x0 = x_row(th, r0 - 2, 2u, keep, x);
    var x1 = x_row(th, r0 - 1, 2u, keep, x);
    var x2 = x_row(th, r0, 2u, keep, x);
    for (var j = th.j0; j < th.end; j++) {
        let r = i32(2u * j);
        let x3 = x_row(th, r + 1, 2u, keep, x);
        let x4 = x_row(th, r + 2, 2u, keep, x);
        var acc = row_term(j, 0u, x0, general);
        acc = add8(acc, row_term(j, 1u, x1, general));
        acc = add8(acc, row_term(j, 2u, x2, general));
        acc = add8(acc, row_term(j, 3u, x3, general));
        acc = add8(acc, row_term(j, 4u, x4, general));
        store(th, j, acc);
        x0 = x2;
        x1 = x3;
        x2 = x4;
    }
}

// Cubic: input row j = reduced rows 2j - 4 .. 2j + 4 weighed, rolling two rows per step.
fn rows_cubic(th: Thread, x: XWeights, general: bool) {
    let r0 = i32(2u * th.j0);
    var x0 = x_row(th, r0 - 4, 4u, false, x);
    var x1 = x_row(th, r0 - 3, 4u, false, x);
    var x2 = x_row(th, r0 - 2, 4u, false, x);
    var x3 = x_row(th, r0 - 1, 4u, false, x);
    var x4 = x_row(th, r0, 4u, false, x);
    var x5 = x_row(th, r0 + 1, 4u, false, x);
    var x6 = x_row(th, r0 + 2, 4u, false, x);
    for (var j = th.j0; j < th.end; j++) {
        let r = i32(2u * j);
        let x7 = x_row(th, r + 3, 4u, false, x);
        let x8 = x_row(th, r + 4, 4u, false, x);
        var acc = row_term(j, 0u, x0, general);
        acc = add8(acc, row_term(j, 1u, x1, general));
        acc = add8(acc, row_term(j, 2u, x2, general));
        acc = add8(acc, row_term(j, 3u, x3, general));
        acc = add8(acc, row_term(j, 4u, x4, general));
        acc = add8(acc, row_term(j, 5u, x5, general));
        acc = add8(acc, row_term(j, 6u, x6, general));
        acc = add8(acc, row_term(j, 7u, x7, general));
        acc = add8(acc, row_term(j, 8u, x8, general));
        store(th, j, acc);
        x0 = x2;
        x1 = x3;
        x2 = x4;
        x3 = x5;
        x4 = x6;
        x5 = x7;
        x6 = x8;
    }
}

@compute @workgroup_size(WG)
fn x2_backward_nearest(@builtin(workgroup_id) wg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_nearest(th, false);
}

// Linear and cubic: `x2_backward_linear` / `_cubic` check every term (the general kernels, for
// any edges); `_inner` sums plainly, with `_edge_x` and `_edge_y` (general) after it on its edges.

@compute @workgroup_size(WG)
fn x2_backward_linear(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_linear(th, false, x_weights(th.q, 2u, true), true);
}

@compute @workgroup_size(WG)
fn x2_backward_linear_inner(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_linear(th, false, x_weights(th.q, 2u, false), false);
}

@compute @workgroup_size(8)
fn x2_backward_linear_edge_x(@builtin(workgroup_id) wg: vec3<u32>,
                             @builtin(local_invocation_index) lid: u32) {
    let th = edge_x(wg, lid);
    if (!th.live) { return; }
    rows_linear(th, false, x_weights(th.q, 2u, true), true);
}

@compute @workgroup_size(8)
fn x2_backward_linear_edge_y(@builtin(workgroup_id) wg: vec3<u32>,
                             @builtin(local_invocation_index) lid: u32) {
    let q = wg.x * 8u + lid;
    let x = x_weights(min(q, (p.out_w - 1u) / 8u), 2u, true);
    let top = thread_at(q, 0u, p.edge_ja, wg.z);
    if (!top.live) { return; }
    rows_linear(top, false, x, true);
    rows_linear(thread_at(q, p.edge_jb, p.out_h, wg.z), false, x, true);
}

@compute @workgroup_size(WG)
fn x2_backward_cubic(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_cubic(th, x_weights(th.q, 4u, true), true);
}

@compute @workgroup_size(WG)
fn x2_backward_cubic_inner(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_cubic(th, x_weights(th.q, 4u, false), false);
}

@compute @workgroup_size(8)
fn x2_backward_cubic_edge_x(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    let th = edge_x(wg, lid);
    if (!th.live) { return; }
    rows_cubic(th, x_weights(th.q, 4u, true), true);
}

@compute @workgroup_size(8)
fn x2_backward_cubic_edge_y(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    let q = wg.x * 8u + lid;
    let x = x_weights(min(q, (p.out_w - 1u) / 8u), 4u, true);
    let top = thread_at(q, 0u, p.edge_ja, wg.z);
    if (!top.live) { return; }
    rows_cubic(top, x, true);
    rows_cubic(thread_at(q, p.edge_jb, p.out_h, wg.z), x, true);
}

// x kept: the depth pass of a 5-D input, on (slices, h·w).

@compute @workgroup_size(WG)
fn x2_backward_rows_nearest(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    rows_nearest(th, true);
}

@compute @workgroup_size(WG)
fn x2_backward_rows_linear(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    var none: XWeights;
    rows_linear(th, true, none, true);
}

@compute @workgroup_size(WG)
fn x2_backward_rows_linear_inner(@builtin(workgroup_id) wg: vec3<u32>,
                                 @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    var none: XWeights;
    rows_linear(th, true, none, false);
}

@compute @workgroup_size(8)
fn x2_backward_rows_linear_edge_y(@builtin(workgroup_id) wg: vec3<u32>,
                                  @builtin(local_invocation_index) lid: u32) {
    let q = wg.x * 8u + lid;
    var none: XWeights;
    let top = thread_at(q, 0u, p.edge_ja, wg.z);
    if (!top.live) { return; }
    rows_linear(top, true, none, true);
    rows_linear(thread_at(q, p.edge_jb, p.out_h, wg.z), true, none, true);
}
