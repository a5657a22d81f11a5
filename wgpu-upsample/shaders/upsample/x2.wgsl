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
// Thread (q, j, plane·in_d + k): input elements 8q..8q+7 (two vec4s) of input row j in input
// slice k → outputs 16q..16q+15 of output rows 2j and 2j+1 in output slices 2k and 2k+1 (`_3d`
// entry points, depth doubled). Where the depth is kept, the thread takes ROWS input rows
// from row ROWS·j on, so that rows read for one output row serve the next ones. Sums nest like
// PyTorch's: taps in order, x innermost, then y, then z.

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

// Depth doubled (trilinear, 5-D nearest): input rows j0 .. j0 + ROWS of input slice k →
// output rows 2j0 .. of output slices 2k and 2k+1; `vol` is the input volume's first element,
// `out` the output index of (output slice 2k, row 0, 16q). Trilinear streams rows like
// `kept_rows`, in each of the input slices k-1, k, k+1 (clamped): y is combined within a slice,
// then z across slices, as PyTorch nests them.
fn doubled_rows(vol: u32, k: u32, out: u32, j0: u32, q: u32, T: u32,
                wx: array<vec4<f32>, 16>) {
    let end = min(j0 + ROWS, p.in_h);
    let in_slice = p.in_h * p.in_w;
    let out_slice = p.out_h * p.out_w;
    if (T == 1u) {
        for (var j = j0; j < end; j++) {
            let h = along_x(vol + k * in_slice + j * p.in_w, q, T, wx);
            store(out_row(out, j, 0u), q, h);
            store(out_row(out, j, 1u), q, h);
            store(out_row(out + out_slice, j, 0u), q, h);
            store(out_row(out + out_slice, j, 1u), q, h);
        }
        return;
    }
    // Output slice 0 is 1 · slice 0 + 0 · slice 1 in PyTorch (its coordinate is 0 or clamped
    // to 0): read as 0 · slice 1 + 1 · slice 0 (see `zero_taps`), so that no step of the loop
    // needs a branch.
    let first = k == 0u && p.in_d > 1u;
    let ze = select(tap_weights(2u, 2u * k), vec4<f32>(0.0, 1.0, 0.0, 0.0), first);
    let zo = tap_weights(2u, 2u * k + 1u);
    let s0 = vol + select(u32(max(i32(k) - 1, 0)), 1u, first) * in_slice;  // slice k-1 (or 1)
    let s1 = vol + k * in_slice;
    let s2 = vol + min(k + 1u, p.in_d - 1u) * in_slice; // slice k+1, clamped
    // Rows j-1 (a) and j (b) of each slice; row j+1 (c) is read per step.
    var a0 = along_x(row_at(s0, j0, -1), q, T, wx);
    var a1 = along_x(row_at(s1, j0, -1), q, T, wx);
    var a2 = along_x(row_at(s2, j0, -1), q, T, wx);
    var b0 = along_x(row_at(s0, j0, 0), q, T, wx);
    var b1 = along_x(row_at(s1, j0, 0), q, T, wx);
    var b2 = along_x(row_at(s2, j0, 0), q, T, wx);
    if (j0 == 0u && p.in_h > 1u) {
        a0 = zero_taps(a0, along_x(row_at(s0, 0u, 1), q, T, wx));
        a1 = zero_taps(a1, along_x(row_at(s1, 0u, 1), q, T, wx));
        a2 = zero_taps(a2, along_x(row_at(s2, 0u, 1), q, T, wx));
    }
    for (var j = j0; j < end; j++) {
        let e = tap_weights(1u, 2u * j);
        let o = tap_weights(1u, 2u * j + 1u);
        // Output row 2j (taps j-1, j) in each slice, then across slices.
        let ye0 = add16(mul16(e.x, a0), e.y, b0);
        let ye1 = add16(mul16(e.x, a1), e.y, b1);
        let ye2 = add16(mul16(e.x, a2), e.y, b2);
        store(out_row(out, j, 0u), q, add16(mul16(ze.x, ye0), ze.y, ye1));
        store(out_row(out + out_slice, j, 0u), q, add16(mul16(zo.x, ye1), zo.y, ye2));
        // Output row 2j+1 (taps j, j+1).
        let c0 = along_x(row_at(s0, j, 1), q, T, wx);
        let c1 = along_x(row_at(s1, j, 1), q, T, wx);
        let c2 = along_x(row_at(s2, j, 1), q, T, wx);
        let yo0 = add16(mul16(o.x, b0), o.y, c0);
        let yo1 = add16(mul16(o.x, b1), o.y, c1);
        let yo2 = add16(mul16(o.x, b2), o.y, c2);
        store(out_row(out, j, 1u), q, add16(mul16(ze.x, yo0), ze.y, yo1));
        store(out_row(out + out_slice, j, 1u), q, add16(mul16(zo.x, yo1), zo.y, yo2));
        a0 = b0;
        a1 = b1;
        a2 = b2;
        b0 = c0;
        b1 = c1;
        b2 = c2;
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
    var plane = wg.z;
    var k = 0u;
    if (p.in_d != 1u) {
        plane = wg.z / p.in_d;
        k = wg.z - plane * p.in_d;
    }
    let out0 = p.out_offset + (plane * p.out_d + 2u * k) * out_slice + 16u * q;
    doubled_rows(in_base - k * in_slice, k, out0, ROWS * wg.y, q, T, wx);
}

