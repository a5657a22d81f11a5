// Exact ×2 upsampling (nearest, nearest-exact, bilinear, trilinear, bicubic) on 4-D and 5-D
// inputs whose width is a multiple of 4. The tap weights come from one of two parts that follow
// this one: `x2_phase.wgsl` (weights by phase, align_corners=False) or `x2_output.wgsl` (per
// output, align_corners=True); each defines `x_weights`, `xw`, `tap_weights` and its entry points.
//
// At ×2 output 2i + φ reads source indices i + φ - T/2 + t (t < T, clamped to the axis;
// nearest: i). The host checks every axis's taps against that pattern
// (src/ops/upsample/plan.rs, `x2_pass`). So each thread reads one aligned vec4 of each input row it
// needs (plus the neighbouring elements for the outer taps), interpolates in registers, and
// writes its outputs of each output row as vec4s. On lavapipe every per-thread load or
// store is a loop over the SIMD lanes, whatever its width, so the fewer and wider they are the
// closer the kernel gets to the copy kernel's speed.
//
// Thread (q, j, plane·in_d + k): input elements 8q..8q+7 (two vec4s) of input rows ROWS·j ..
// ROWS·j + ROWS - 1 in input slice k → outputs 16q..16q+15 of their output rows, in output
// slice k (depth kept) or 2k and 2k+1 (`x2_nearest_3d`). Rows read for one output row serve the
// next ones. Trilinear (`_linear_3d`): thread (q, j, plane·⌈in_d / SLICES⌉ + g) takes input
// slices SLICES·g .. SLICES·g + SLICES - 1 too, streaming through them so that each slice's
// rows are read once for all the output slices they reach. Sums nest like PyTorch's: taps in
// order, x innermost, then y, then z.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;

// This thread's 16 consecutive outputs along x, 16q .. 16q+15 (c and d are only stored where
// the row has a second vec4 for the thread: see `second`).
struct Out16 {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
}

fn add16(acc: Out16, w: f32, h: Out16) -> Out16 {
    return Out16(acc.a + w * h.a, acc.b + w * h.b, acc.c + w * h.c, acc.d + w * h.d);
}

fn mul16(w: f32, h: Out16) -> Out16 {
    return Out16(w * h.a, w * h.b, w * h.c, w * h.d);
}

// Input element `i` (of the bound range), read through the vec4 view.
fn src_at(i: u32) -> f32 {
    return src4[i / 4u][i % 4u];
}

// Whether the thread's second vec4 (input elements 8q+4 .. 8q+7) is in the row.
fn second(q: u32) -> bool {
    return 2u * q + 1u < p.in_w / 4u;
}

// Even and odd outputs interleaved: (e.x, o.x, e.y, o.y), (e.z, o.z, e.w, o.w).
fn lo(e: vec4<f32>, o: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(e.x, o.x, e.y, o.y);
}

fn hi(e: vec4<f32>, o: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(e.z, o.z, e.w, o.w);
}

// Input row `row` (element index of its first element, a multiple of 4) at outputs 16q..16q+15,
// from input elements 8q .. 8q+7 (two vec4s) and the neighbours the outer taps reach, clamped to
// the row like PyTorch's indices. Where the row ends after the first vec4, the second repeats
// its last element (what clamping reads).
fn along_x(row: u32, q: u32, T: u32, wx: array<vec4<f32>, 16>) -> Out16 {
    let at = row / 4u + 2u * q;
    let v0 = src4[at];
    let v1 = select(vec4<f32>(v0.w), src4[at + 1u], second(q));
    if (T == 1u) {
        return Out16(vec4<f32>(v0.x, v0.x, v0.y, v0.y), vec4<f32>(v0.z, v0.z, v0.w, v0.w),
                   vec4<f32>(v1.x, v1.x, v1.y, v1.y), vec4<f32>(v1.z, v1.z, v1.w, v1.w));
    }
    if (T == 2u) {
        // Even output 2i: taps i-1, i. Odd output 2i+1: taps i, i+1. Output 0 reads input 0
        // twice, and (see `zero_taps`) input 1 with weight 0.
        let l0 = src_at(row + select(8u * q - 1u, 0u, q == 0u));
        let l = select(l0, l0 + p.zero * v0.y, q == 0u);
        let r = src_at(row + min(8u * q + 8u, p.in_w - 1u));
        let e0 = xw(wx, 0u) * vec4<f32>(l, v0.xyz) + xw(wx, 1u) * v0;
        let o0 = xw(wx, 4u) * v0 + xw(wx, 5u) * vec4<f32>(v0.yzw, v1.x);
        let e1 = xw(wx, 8u) * vec4<f32>(v0.w, v1.xyz) + xw(wx, 9u) * v1;
        let o1 = xw(wx, 12u) * v1 + xw(wx, 13u) * vec4<f32>(v1.yzw, r);
        return Out16(lo(e0, o0), hi(e0, o0), lo(e1, o1), hi(e1, o1));
    }
    // T == 4. Even output 2i: taps i-2 .. i+1. Odd output 2i+1: taps i-1 .. i+2.
    let left = select(src4[at - 1u], vec4<f32>(v0.x), q == 0u);
    let right = select(src4[at + 2u], vec4<f32>(v1.w), 2u * q + 2u >= p.in_w / 4u);
    var e0 = xw(wx, 0u) * vec4<f32>(left.zw, v0.xy) + xw(wx, 1u) * vec4<f32>(left.w, v0.xyz)
           + xw(wx, 2u) * v0 + xw(wx, 3u) * vec4<f32>(v0.yzw, v1.x);
    // align_corners=True, output 0: input 2 with weight 0 (see `zero_taps`).
    e0.x = select(e0.x, e0.x + p.zero * v0.z, ALIGN_CORNERS && q == 0u);
    let o0 = xw(wx, 4u) * vec4<f32>(left.w, v0.xyz) + xw(wx, 5u) * v0
           + xw(wx, 6u) * vec4<f32>(v0.yzw, v1.x) + xw(wx, 7u) * vec4<f32>(v0.zw, v1.xy);
    let e1 = xw(wx, 8u) * vec4<f32>(v0.zw, v1.xy) + xw(wx, 9u) * vec4<f32>(v0.w, v1.xyz)
           + xw(wx, 10u) * v1 + xw(wx, 11u) * vec4<f32>(v1.yzw, right.x);
    let o1 = xw(wx, 12u) * vec4<f32>(v0.w, v1.xyz) + xw(wx, 13u) * v1
           + xw(wx, 14u) * vec4<f32>(v1.yzw, right.x) + xw(wx, 15u) * vec4<f32>(v1.zw, right.xy);
    return Out16(lo(e0, o0), hi(e0, o0), lo(e1, o1), hi(e1, o1));
}

// PyTorch's zero-weight taps at the first output of an axis (a linear axis: its coordinate
// clamped to 0, weights 1 and 0 on inputs 0 and 1; a cubic one with align_corners=True: weights
// 0, 1, 0, 0 on inputs 0, 0, 1, 2) multiply inputs that the ×2 taps do not read: NaN · 0 or
// inf · 0 gives NaN there in PyTorch. The kernel adds `p.zero` (0.0) times that input into the
// tap it reads only for output 0 (`l` in `along_x`, the first input row `a` or `h0`; the first
// slice in `doubled_rows` reads slice 1 with weight 0 instead), which changes nothing else:
// 0 · x is ±0 or NaN.
fn zero_taps(first: Out16, other: Out16) -> Out16 {
    return add16(first, p.zero, other);
}

// Start of input row j + u (clamped) of the slice starting at `slice`.
fn row_at(slice: u32, j: u32, u: i32) -> u32 {
    return slice + u32(clamp(i32(j) + u, 0, i32(p.in_h) - 1)) * p.in_w;
}

// Stores the thread's outputs of one output row, `at` = output index of output 16q.
fn store(at: u32, q: u32, h: Out16) {
    dst4[at / 4u] = h.a;
    dst4[at / 4u + 1u] = h.b;
    if (second(q)) {
        dst4[at / 4u + 2u] = h.c;
        dst4[at / 4u + 3u] = h.d;
    }
}


fn out_row(out: u32, j0: u32, k: u32) -> u32 {
    return out + (2u * j0 + k) * p.out_w;
}


// Depth kept: input rows j0 .. j0 + ROWS (those in the slice) → output rows 2j0 .. ,
// streamed: each input row is read once and each output row stored once its last tap is in;
// the rows in flight move down one input row per step. `out` is the output index of (slice,
// row 0, 16q).
fn kept_rows(slice: u32, out: u32, j0: u32, q: u32, T: u32, wx: array<vec4<f32>, 16>) {
    let end = min(j0 + ROWS, p.in_h);
    if (T == 1u) {
        for (var j = j0; j < end; j++) {
            let h = along_x(slice + j * p.in_w, q, T, wx);
            store(out_row(out, j, 0u), q, h);
            store(out_row(out, j, 1u), q, h);
        }
        return;
    }
    if (T == 2u) {
        // Even output row 2j: taps j-1, j; odd row 2j+1: taps j, j+1.
        var a = along_x(row_at(slice, j0, -1), q, T, wx);
        var b = along_x(row_at(slice, j0, 0), q, T, wx);
        if (j0 == 0u && p.in_h > 1u) {
            a = zero_taps(a, along_x(row_at(slice, 0u, 1), q, T, wx));
        }
        for (var j = j0; j < end; j++) {
            let e = tap_weights(1u, 2u * j);
            let o = tap_weights(1u, 2u * j + 1u);
            store(out_row(out, j, 0u), q, add16(mul16(e.x, a), e.y, b));
            let c = along_x(row_at(slice, j, 1), q, T, wx);
            store(out_row(out, j, 1u), q, add16(mul16(o.x, b), o.y, c));
            a = b;
            b = c;
        }
        return;
    }
    // T == 4. Even output row 2j: taps j-2 .. j+1; odd row 2j+1: taps j-1 .. j+2.
    var h0 = along_x(row_at(slice, j0, -2), q, T, wx);
    var h1 = along_x(row_at(slice, j0, -1), q, T, wx);
    var h2 = along_x(row_at(slice, j0, 0), q, T, wx);
    var h3 = along_x(row_at(slice, j0, 1), q, T, wx);
    if (ALIGN_CORNERS && j0 == 0u && p.in_h > 2u) {
        h0 = zero_taps(h0, along_x(row_at(slice, 0u, 2), q, T, wx));
    }
    for (var j = j0; j < end; j++) {
        let e = tap_weights(1u, 2u * j);
        let o = tap_weights(1u, 2u * j + 1u);
        store(out_row(out, j, 0u), q,
              add16(add16(add16(mul16(e.x, h0), e.y, h1), e.z, h2), e.w, h3));
        let h4 = along_x(row_at(slice, j, 2), q, T, wx);
        store(out_row(out, j, 1u), q,
              add16(add16(add16(mul16(o.x, h1), o.y, h2), o.z, h3), o.w, h4));
        h0 = h1;
        h1 = h2;
        h2 = h3;
        h3 = h4;
    }
}

// 5-D nearest, depth doubled: input rows j0 .. j0 + ROWS of input slice k → output rows 2j0 ..
// of output slices 2k and 2k+1; `vol` is the input volume's first element, `out` the output
// index of (output slice 2k, row 0, 16q).
fn doubled_rows_nearest(vol: u32, k: u32, out: u32, j0: u32, q: u32, wx: array<vec4<f32>, 16>) {
    let end = min(j0 + ROWS, p.in_h);
    let out_slice = p.out_h * p.out_w;
    for (var j = j0; j < end; j++) {
        let h = along_x(vol + k * p.in_h * p.in_w + j * p.in_w, q, 1u, wx);
        store(out_row(out, j, 0u), q, h);
        store(out_row(out, j, 1u), q, h);
        store(out_row(out + out_slice, j, 0u), q, h);
        store(out_row(out + out_slice, j, 1u), q, h);
    }
}

// Trilinear: input rows j0 .. j0 + ROWS of input slices k0 .. k0 + SLICES → output rows 2j0 ..
// of output slices 2k0 ..; `out` is the output index of (output slice 2k0, row 0, 16q). The
// thread streams through the slices k0 - 1 .. k0 + SLICES (clamped), each one's rows like
// `kept_rows`: y is combined within a slice (output rows 2j and 2j+1 of slice s), then z with
// the previous slice's (kept in `prev`), as PyTorch nests them: output slice 2s - 1 from slices
// s - 1 and s, output slice 2s from the same two. So each input row is read once per slice step
// (ROWS + 2 rows for ROWS), not once per neighbouring slice.
fn doubled_linear(vol: u32, k0: u32, out: u32, j0: u32, q: u32, wx: array<vec4<f32>, 16>) {
    let in_slice = p.in_h * p.in_w;
    let out_slice = p.out_h * p.out_w;
    let k1 = i32(min(k0 + SLICES, p.in_d));
    // Output slice 0 is 1 · slice 0 + 0 · slice 1 in PyTorch (its coordinate is 0 or clamped
    // to 0): read as 0 · slice 1 + 1 · slice 0 (see `zero_taps`), so the step before slice 0
    // reads slice 1.
    let first = k0 == 0u && p.in_d > 1u;
    // Rows 2j and 2j+1 of the previous slice step, [2(j - j0)] and [2(j - j0) + 1].
    var prev: array<Out16, 2u * ROWS>;
    for (var s = i32(k0) - 1; s <= k1; s++) {
        let at = select(u32(clamp(s, 0, i32(p.in_d) - 1)), 1u, s < 0 && first);
        let slice = vol + at * in_slice;
        // Output slice 2s - 1 (taps s - 1, s) and 2s (taps s - 1, s), where this thread's.
        let odd = s > i32(k0);
        let even = s >= i32(k0) && s < k1;
        let zo = tap_weights(2u, u32(max(2 * s - 1, 0)));
        let ze = select(tap_weights(2u, u32(max(2 * s, 0))), vec4<f32>(0.0, 1.0, 0.0, 0.0),
                        s == 0 && first);
        let out_odd = out + u32(max(2 * (s - i32(k0)) - 1, 0)) * out_slice;
        let out_even = out + u32(max(2 * (s - i32(k0)), 0)) * out_slice;
        // Rows j-1 (a) and j (b); row j+1 (c) is read per step.
        var a = along_x(row_at(slice, j0, -1), q, 2u, wx);
        var b = along_x(row_at(slice, j0, 0), q, 2u, wx);
        if (j0 == 0u && p.in_h > 1u) {
            a = zero_taps(a, along_x(row_at(slice, 0u, 1), q, 2u, wx));
        }
        // A fixed trip count (rows past the end are read clamped and not stored), so that
        // `prev` is indexed by constants once the loop is unrolled.
        for (var i = 0u; i < ROWS; i++) {
            let j = j0 + i;
            let jw = min(j, p.in_h - 1u);
            let e = tap_weights(1u, 2u * jw);
            let o = tap_weights(1u, 2u * jw + 1u);
            let ye = add16(mul16(e.x, a), e.y, b);
            let c = along_x(row_at(slice, j, 1), q, 2u, wx);
            let yo = add16(mul16(o.x, b), o.y, c);
            if (j < p.in_h) {
                if (odd) {
                    store(out_row(out_odd, j, 0u), q, add16(mul16(zo.x, prev[2u * i]), zo.y, ye));
                    store(out_row(out_odd, j, 1u), q,
                          add16(mul16(zo.x, prev[2u * i + 1u]), zo.y, yo));
                }
                if (even) {
                    store(out_row(out_even, j, 0u), q,
                          add16(mul16(ze.x, prev[2u * i]), ze.y, ye));
                    store(out_row(out_even, j, 1u), q,
                          add16(mul16(ze.x, prev[2u * i + 1u]), ze.y, yo));
                }
            }
            prev[2u * i] = ye;
            prev[2u * i + 1u] = yo;
            a = b;
            b = c;
        }
    }
}

fn x2_kernel(wg: vec3<u32>, lid: u32, T: u32, depth_kept: bool) {
    let q = wg.x * WG + lid;
    if (2u * q >= p.in_w / 4u) { return; }
    let in_slice = p.in_h * p.in_w;
    let out_slice = p.out_h * p.out_w;
    let in_base = p.in_offset + wg.z * in_slice;  // wg.z = plane · in_d + k
    let wx = x_weights(q, T);
    if (depth_kept) {
        // One input slice, one output slice; this thread's input rows start at ROWS·wg.y.
        kept_rows(in_base, p.out_offset + wg.z * out_slice + 16u * q, ROWS * wg.y, q, T, wx);
        return;
    }
    if (T == 1u) {
        var plane = wg.z;
        var k = 0u;
        if (p.in_d != 1u) {
            plane = wg.z / p.in_d;
            k = wg.z - plane * p.in_d;
        }
        let out0 = p.out_offset + (plane * p.out_d + 2u * k) * out_slice + 16u * q;
        doubled_rows_nearest(in_base - k * in_slice, k, out0, ROWS * wg.y, q, wx);
        return;
    }
    // Trilinear: wg.z = plane · ⌈in_d / SLICES⌉ + slice group.
    let groups = (p.in_d + SLICES - 1u) / SLICES;
    let plane = wg.z / groups;
    let k0 = (wg.z - plane * groups) * SLICES;
    let vol = p.in_offset + plane * p.in_d * in_slice;
    let out0 = p.out_offset + (plane * p.out_d + 2u * k0) * out_slice + 16u * q;
    doubled_linear(vol, k0, out0, ROWS * wg.y, q, wx);
}

