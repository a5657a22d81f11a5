// Backward of the exact ×2 upsample: grad_input from grad_output, a gather (no atomics). Along a
// doubled axis with T taps per output (1 nearest, 2 linear, 4 cubic), input m receives from the
// outputs 2m - T .. 2m + T (nearest: 2m, 2m + 1): S = 2T + 1 slots, each with its weight per
// input — PyTorch's backward taps transposed on the host (src/ops/upsample/plan.rs,
// `x2_backward`), summed where a clamped output reads m more than once, zero weights kept. A slot
// whose output does not read m holds -0.0 (ABSENT): skipped, not multiplied. A slot whose sum
// merges taps that PyTorch adds one by one, among them a zero or both signs, is marked in a mask:
// there an infinite gradient gives NaN, as PyTorch's separate terms do (0 · inf, inf − inf).
//
// Thread (q, j, slice): grad_input elements 4q .. 4q+3 of input rows ROWS·j .. ROWS·j + ROWS - 1
// of one slice (`wg.z`). Along x (the `xy` entry points) it reduces each grad_output row it needs
// to its 4 inputs with the per-thread weights `wt4` (from p.tab_w: S vec4s, slot s for inputs
// 4q .. 4q+3, then a vec4 of their masks); along the rows it combines 2T + 1 reduced rows per
// input row with the row weights from the uniform array `yz` (3 vec4s per input row from
// p.tab_h: S weights, the mask in the 12th), rolling: each grad_output row is reduced once per
// thread. The `rows` entry points keep x (a row is then a whole slice, so the depth of a 5-D
// input is reduced by running them first on (slices, h·w)).
//
// Params: in_h × in_w is one grad_output slice (rows × row length), out_h × out_w one grad_input
// slice; in_offset / out_offset as everywhere.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> wt4: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> yz: array<vec4<f32>, YZ_WEIGHTS>;

const ABSENT: u32 = 0x80000000u;

// w · g per lane, 0 where the slot is absent (whatever g holds).
fn gated(w: vec4<f32>, g: vec4<f32>) -> vec4<f32> {
    return select(w * g, vec4<f32>(0.0), bitcast<vec4<u32>>(w) == vec4<u32>(ABSENT));
}

fn gated1(w: f32, g: vec4<f32>) -> vec4<f32> {
    return select(w * g, vec4<f32>(0.0), bitcast<u32>(w) == ABSENT);
}

// `term`, or NaN where the slot is marked (`marked`) and the gradient is infinite.
fn poisoned(term: vec4<f32>, g: vec4<f32>, marked: vec4<bool>) -> vec4<f32> {
    let inf = (bitcast<vec4<u32>>(g) & vec4<u32>(0x7fffffffu)) == vec4<u32>(0x7f800000u);
    return select(term, vec4<f32>(bitcast<f32>(0x7fc00000u)), marked & inf);
}

// Element i (0 .. 16) of the outputs 8q - 4 .. 8q + 11 held in four vec4s.
fn at16(v: array<vec4<f32>, 4>, i: i32) -> f32 {
    return v[i / 4][i % 4];
}

// grad_output row `row` (the element index of its start, from the bound range's offset) at the
// thread's four inputs 4q .. 4q+3 where x is doubled by nearest: input m = outputs 2m + 2m + 1
// (in PyTorch's order); where x is kept (`keep`), the row's vec4 at 4q.
fn sum_x(row: u32, q: u32, keep: bool) -> vec4<f32> {
    let base = p.in_offset + row;
    if (keep) {
        return src4[base / 4u + q];
    }
    let b = src4[base / 4u + 2u * q];
    let c = src4[base / 4u + 2u * q + 1u];
    return vec4<f32>(b.x + b.y, b.z + b.w, c.x + c.y, c.z + c.w);
}

// The same row reduced along x with T taps (the weights `wx`), or where x is kept its vec4.
fn reduce_x(row: u32, q: u32, T: u32, keep: bool, wx: array<vec4<f32>, 10>) -> vec4<f32> {
    let base = p.in_offset + row;
    if (keep) {
        return src4[base / 4u + q];
    }
    let at = base / 4u + 2u * q;             // vec4 of output 8q
    let last = base / 4u + p.in_w / 4u - 1u; // the row's last vec4
    // Outputs 8q - 4 .. 8q + 11; outside the row (left of the first thread, right of the last)
    // the loads are clamped and the slots absent.
    let v = array<vec4<f32>, 4>(src4[select(at - 1u, at, q == 0u)], src4[at], src4[at + 1u],
                                src4[min(at + 2u, last)]);
    let masks = bitcast<vec4<u32>>(wx[2u * T + 1u]);
    var acc = vec4<f32>(0.0);
    for (var s = 0u; s <= 2u * T; s++) {
        let d = i32(s) - i32(T); // output 2m + d
        let g = vec4<f32>(at16(v, d + 4), at16(v, d + 6), at16(v, d + 8), at16(v, d + 10));
        let marked = ((masks >> vec4<u32>(s)) & vec4<u32>(1u)) != vec4<u32>(0u);
        acc += poisoned(gated(wx[s], g), g, marked);
    }
    return acc;
}

// Row weight t of input row j.
fn row_weight(j: u32, t: u32) -> f32 {
    return yz[p.tab_h + 3u * j + t / 4u][t % 4u];
}

// Whether row weight t of input row j is marked.
fn row_marked(j: u32, t: u32) -> bool {
    return ((bitcast<u32>(yz[p.tab_h + 3u * j + 2u].w) >> t) & 1u) != 0u;
}

// The thread's first grad_input element and first input row; false past the slice's end.
struct Thread { q: u32, dst: u32, src: u32, j0: u32, end: u32, live: bool }

fn thread(wg: vec3<u32>, lid: u32) -> Thread {
    let q = wg.x * WG + lid;
    let j0 = ROWS * wg.y;
    return Thread(q, p.out_offset + wg.z * p.out_h * p.out_w + 4u * q, wg.z * p.in_h * p.in_w,
                  j0, min(j0 + ROWS, p.out_h), 4u * q < p.out_w);
}

// Nearest (and nearest-exact) ×2: input row j = output rows 2j + 2j + 1, no weights.
fn x2_backward_sum(wg: vec3<u32>, lid: u32, keep: bool) {
    let th = thread(wg, lid);
    if (!th.live) { return; }
    for (var j = th.j0; j < th.end; j++) {
        let a = sum_x(th.src + 2u * j * p.in_w, th.q, keep);
        let b = sum_x(th.src + (2u * j + 1u) * p.in_w, th.q, keep);
        dst4[(th.dst + j * p.out_w) / 4u] = a + b;
    }
}

// The thread's x weights: slot s for its inputs 4q .. 4q+3, then their masks.
fn x_weights(q: u32, T: u32) -> array<vec4<f32>, 10> {
    var wx: array<vec4<f32>, 10>;
    for (var s = 0u; s <= 2u * T + 1u; s++) {
        wx[s] = wt4[p.tab_w + (2u * T + 2u) * q + s];
    }
    return wx;
}

// Linear and cubic ×2 (T = 2, 4): weighted, rolling over the rows; `wx` are the thread's x
// weights (unused where x is kept).
fn x2_backward(th: Thread, T: u32, keep: bool, wx: array<vec4<f32>, 10>) {
    if (!th.live) { return; }
    // Reduced rows 2j - T .. 2j + T of the current input row j (clamped where outside the
    // slice: their weights are absent).
    var xr: array<vec4<f32>, 9>;
    for (var t = 0u; t < 2u * T - 1u; t++) {
        let r = clamp(i32(2u * th.j0 + t) - i32(T), 0, i32(p.in_h) - 1);
        xr[t] = reduce_x(th.src + u32(r) * p.in_w, th.q, T, keep, wx);
    }
    for (var j = th.j0; j < th.end; j++) {
        // The two rows that enter the window: 2j + T - 1 and 2j + T.
        for (var t = 2u * T - 1u; t <= 2u * T; t++) {
            let r = min(2u * j + t - T, p.in_h - 1u);
            xr[t] = reduce_x(th.src + r * p.in_w, th.q, T, keep, wx);
        }
        var acc = vec4<f32>(0.0);
        for (var t = 0u; t <= 2u * T; t++) {
            let term = gated1(row_weight(j, t), xr[t]);
            acc += poisoned(term, xr[t], vec4<bool>(row_marked(j, t)));
        }
        dst4[(th.dst + j * p.out_w) / 4u] = acc;
        for (var t = 0u; t < 2u * T - 1u; t++) {
            xr[t] = xr[t + 2u];
        }
    }
}

@compute @workgroup_size(WG)
fn x2_backward_nearest(@builtin(workgroup_id) wg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    x2_backward_sum(wg, lid, false);
}

@compute @workgroup_size(WG)
fn x2_backward_linear(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    x2_backward(th, 2u, false, x_weights(th.q, 2u));
}

@compute @workgroup_size(WG)
fn x2_backward_cubic(@builtin(workgroup_id) wg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let th = thread(wg, lid);
    x2_backward(th, 4u, false, x_weights(th.q, 4u));
}

// x kept: the depth pass of a 5-D input, on (slices, h·w).

@compute @workgroup_size(WG)
fn x2_backward_rows_nearest(@builtin(workgroup_id) wg: vec3<u32>,
                            @builtin(local_invocation_index) lid: u32) {
    x2_backward_sum(wg, lid, true);
}

@compute @workgroup_size(WG)
fn x2_backward_rows_linear(@builtin(workgroup_id) wg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
    var unused: array<vec4<f32>, 10>;
    x2_backward(thread(wg, lid), 2u, true, unused);
}
