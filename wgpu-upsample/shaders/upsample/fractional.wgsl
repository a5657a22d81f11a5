// Bilinear and bicubic (4-D input) at any scale, both widths multiples of 4: vec4 loads and
// stores, input rows streamed (src/ops/upsample/fractional.rs checks the shape and lays out
// PyTorch's taps). The same sums as linear.wgsl and bicubic.wgsl, in the same order: along w
// w0 · x[i0] + w1 · x[i1] (+ w2 · x[i2] + w3 · x[i3]) per input row, then along h
// h0 · row0 + h1 · row1 (+ h2 · row2 + h3 · row3).
//
// Thread (q, block, plane): outputs 4q .. 4q + 3 of output rows FRAC_ROWS · block .. (one vec4
// store each). Per input row it loads the `span` input vec4s from the group's first (tab4) and
// picks each tap of its 4 outputs from them by position (selects: lavapipe indexes private
// arrays lane by lane), interpolating along w once; the last T (taps) such rows stay in
// registers, and each output row combines them with its weights along h. They are the rows
// clamp(b + s - T, 0, in_h - 1), s < T, with b non-decreasing (from the uniform array: the same
// for every thread of a workgroup), so walking down the output rows only ever interpolates the
// next input rows; each tap along h reads one of them (slot s, the least whose row is the
// tap's: s = k inside, repeats where PyTorch clamps, or row o twice for the linear modes on an
// axis of unchanged size).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// From vec4 p.tab_w, per group of 4 outputs (2 + T vec4s): (first input vec4 of the row, -, -, -),
// per tap the 4 outputs' positions in the loaded vec4s (8 bits each, output j at bits 8j), then
// per tap the 4 outputs' weights (bits).
@group(0) @binding(6) var<storage, read> tab4: array<vec4<u32>>;
// Per output row y, from vec4 R·y (R = 1 for T = 2, 2 for T = 4): b | each tap's slot << 24
// (2 bits each, tap k at bit 24 + 2k), then its T weights along h (bits).
@group(0) @binding(7) var<uniform> rows_tab: array<vec4<u32>, YZ_WEIGHTS>;

// One group's taps along w: positions and weights per tap.
struct Taps {
    p0: vec4<u32>, p1: vec4<u32>, p2: vec4<u32>, p3: vec4<u32>,
    w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>,
}

fn positions(word: u32) -> vec4<u32> {
    return (vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(255u);
}

// Each output's element at position `at` of the loaded vec4s a, b, c, d (the first `span`).
fn pick(at: vec4<u32>, a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>, span: u32)
    -> vec4<f32> {
    var v = vec4<f32>(a.x);
    v = select(v, vec4<f32>(a.y), at == vec4<u32>(1u));
    v = select(v, vec4<f32>(a.z), at == vec4<u32>(2u));
    v = select(v, vec4<f32>(a.w), at == vec4<u32>(3u));
    v = select(v, vec4<f32>(b.x), at == vec4<u32>(4u));
    v = select(v, vec4<f32>(b.y), at == vec4<u32>(5u));
    v = select(v, vec4<f32>(b.z), at == vec4<u32>(6u));
    v = select(v, vec4<f32>(b.w), at == vec4<u32>(7u));
    if (span > 2u) {
        v = select(v, vec4<f32>(c.x), at == vec4<u32>(8u));
        v = select(v, vec4<f32>(c.y), at == vec4<u32>(9u));
        v = select(v, vec4<f32>(c.z), at == vec4<u32>(10u));
        v = select(v, vec4<f32>(c.w), at == vec4<u32>(11u));
    }
    if (span > 3u) {
        v = select(v, vec4<f32>(d.x), at == vec4<u32>(12u));
        v = select(v, vec4<f32>(d.y), at == vec4<u32>(13u));
        v = select(v, vec4<f32>(d.z), at == vec4<u32>(14u));
        v = select(v, vec4<f32>(d.w), at == vec4<u32>(15u));
    }
    return v;
}

// Held row s.
fn slot(s: u32, r0: vec4<f32>, r1: vec4<f32>, r2: vec4<f32>, r3: vec4<f32>) -> vec4<f32> {
    return select(select(select(r0, r1, s == 1u), r2, s == 2u), r3, s == 3u);
}

// The input row whose group's first vec4 is `at` interpolated along w at the thread's 4 outputs.
fn along_w(at: u32, x: Taps, T: u32, span: u32) -> vec4<f32> {
    let a = src4[at];
    let b = src4[at + 1u];
    var c = vec4<f32>();
    var d = vec4<f32>();
    if (span > 2u) { c = src4[at + 2u]; }
    if (span > 3u) { d = src4[at + 3u]; }
    var v = x.w0 * pick(x.p0, a, b, c, d, span) + x.w1 * pick(x.p1, a, b, c, d, span);
    if (T > 2u) {
        v = v + x.w2 * pick(x.p2, a, b, c, d, span) + x.w3 * pick(x.p3, a, b, c, d, span);
    }
    return v;
}

fn fractional(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, T: u32, span: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    if (unit >= p.rows || q >= p.out_w / 4u) { return; }
    let blocks = (p.out_h + FRAC_ROWS - 1u) / FRAC_ROWS;
    let plane = unit / blocks;
    let y0 = (unit - plane * blocks) * FRAC_ROWS;
    let y1 = min(y0 + FRAC_ROWS, p.out_h);
    let g = p.tab_w + q * (2u + T);
    let pos = tab4[g + 1u];
    var x: Taps;
    x.p0 = positions(pos.x);
    x.p1 = positions(pos.y);
    x.w0 = bitcast<vec4<f32>>(tab4[g + 2u]);
    x.w1 = bitcast<vec4<f32>>(tab4[g + 3u]);
    if (T > 2u) {
        x.p2 = positions(pos.z);
        x.p3 = positions(pos.w);
        x.w2 = bitcast<vec4<f32>>(tab4[g + 4u]);
        x.w3 = bitcast<vec4<f32>>(tab4[g + 5u]);
    }
    let in_w4 = p.in_w / 4u;
    let out_w4 = p.out_w / 4u;
    let first = (p.in_offset / 4u) + plane * p.in_h * in_w4 + tab4[g].x;
    let out = p.out_offset / 4u + plane * p.out_h * out_w4 + q;
    let last = i32(p.in_h) - 1;
    // Virtual row v is input row clamp(v - T, 0, in_h - 1).
    let R = (T + 4u) / 4u;
    var cur = rows_tab[R * y0].x & 0xffffffu;
    var r0 = along_w(first + in_w4 * u32(clamp(i32(cur) - i32(T), 0, last)), x, T, span);
    var r1 = along_w(first + in_w4 * u32(clamp(i32(cur) + 1 - i32(T), 0, last)), x, T, span);
    var r2 = vec4<f32>();
    var r3 = vec4<f32>();
    if (T > 2u) {
        r2 = along_w(first + in_w4 * u32(clamp(i32(cur) + 2 - i32(T), 0, last)), x, T, span);
        r3 = along_w(first + in_w4 * u32(clamp(i32(cur) + 3 - i32(T), 0, last)), x, T, span);
    }
    for (var y = y0; y < y1; y++) {
        let row = rows_tab[R * y];
        let b = row.x & 0xffffffu;
        // The rows past those held: shift them in one by one (at most T: older ones are unused).
        cur = max(cur, b - min(b, T));
        for (; cur < b; cur++) {
            // Virtual row cur + T.
            let next = along_w(first + in_w4 * u32(clamp(i32(cur), 0, last)), x, T, span);
            if (T > 2u) {
                r0 = r1;
                r1 = r2;
                r2 = r3;
                r3 = next;
            } else {
                r0 = r1;
                r1 = next;
            }
        }
        let s = (vec4<u32>(row.x >> 24u) >> vec4<u32>(0u, 2u, 4u, 6u)) & vec4<u32>(3u);
        var h = bitcast<vec4<f32>>(vec4<u32>(row.yzw, 0u));
        if (T > 2u) {
            h.w = bitcast<f32>(rows_tab[R * y + 1u].x);
        }
        var v = h.x * slot(s.x, r0, r1, r2, r3) + h.y * slot(s.y, r0, r1, r2, r3);
        if (T > 2u) {
            v = v + h.z * slot(s.z, r0, r1, r2, r3) + h.w * slot(s.w, r0, r1, r2, r3);
        }
        dst4[out + y * out_w4] = v;
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
