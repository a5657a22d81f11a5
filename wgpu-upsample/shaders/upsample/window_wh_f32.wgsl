// window_wh.wgsl's taps-only row sums with vec4 loads (the module without `SHADER_INT64`, or where
// the input's alignment does not allow window_wh_u64.wgsl's).

// One input row's sums along w for the 4 groups whose first vec4 is `at`. Span 4 (the ×1/2
// forward): group i's from its 4 vec4s at + 2i .. (half_sum). Span 2 (its backward): output k
// of group i reads the n inputs from element 4 + 2i + (k + 1) / 2 - n / 2 of the 4 vec4s from
// `at` (`window.rs`, `halve`), in rising order.
fn along_w_half4(at: u32, d0: Dense, d1: Dense, d2: Dense, d3: Dense, span: u32, n: u32) -> Slot {
    if (span == 4u) {
        let x0 = src4[at];
        let x1 = src4[at + 1u];
        let x2 = src4[at + 2u];
        let x3 = src4[at + 3u];
        let x4 = src4[at + 4u];
        let x5 = src4[at + 5u];
        let x6 = src4[at + 6u];
        let x7 = src4[at + 7u];
        let x8 = src4[at + 8u];
        let x9 = src4[at + 9u];
        return Slot(half_sum(x0, x1, x2, x3, d0, n), half_sum(x2, x3, x4, x5, d1, n),
                    half_sum(x4, x5, x6, x7, d2, n), half_sum(x6, x7, x8, x9, d3, n));
    }
    let x0 = src4[at];
    let x1 = src4[at + 1u];
    let x2 = src4[at + 2u];
    let x3 = src4[at + 3u];
    var s: Slot;
    if (n == 2u) {
        s.a = s.a + d0.w0 * vec4<f32>(x0.w, x1.x, x1.x, x1.y);
        s.a = s.a + d0.w1 * vec4<f32>(x1.x, x1.y, x1.y, x1.z);
        s.b = s.b + d1.w0 * vec4<f32>(x1.y, x1.z, x1.z, x1.w);
        s.b = s.b + d1.w1 * vec4<f32>(x1.z, x1.w, x1.w, x2.x);
        s.c = s.c + d2.w0 * vec4<f32>(x1.w, x2.x, x2.x, x2.y);
        s.c = s.c + d2.w1 * vec4<f32>(x2.x, x2.y, x2.y, x2.z);
        s.d = s.d + d3.w0 * vec4<f32>(x2.y, x2.z, x2.z, x2.w);
        s.d = s.d + d3.w1 * vec4<f32>(x2.z, x2.w, x2.w, x3.x);
    } else {
        s.a = s.a + d0.w0 * vec4<f32>(x0.z, x0.w, x0.w, x1.x);
        s.a = s.a + d0.w1 * vec4<f32>(x0.w, x1.x, x1.x, x1.y);
        s.a = s.a + d0.w2 * vec4<f32>(x1.x, x1.y, x1.y, x1.z);
        s.a = s.a + d0.w3 * vec4<f32>(x1.y, x1.z, x1.z, x1.w);
        s.b = s.b + d1.w0 * vec4<f32>(x1.x, x1.y, x1.y, x1.z);
        s.b = s.b + d1.w1 * vec4<f32>(x1.y, x1.z, x1.z, x1.w);
        s.b = s.b + d1.w2 * vec4<f32>(x1.z, x1.w, x1.w, x2.x);
        s.b = s.b + d1.w3 * vec4<f32>(x1.w, x2.x, x2.x, x2.y);
        s.c = s.c + d2.w0 * vec4<f32>(x1.z, x1.w, x1.w, x2.x);
        s.c = s.c + d2.w1 * vec4<f32>(x1.w, x2.x, x2.x, x2.y);
        s.c = s.c + d2.w2 * vec4<f32>(x2.x, x2.y, x2.y, x2.z);
        s.c = s.c + d2.w3 * vec4<f32>(x2.y, x2.z, x2.z, x2.w);
        s.d = s.d + d3.w0 * vec4<f32>(x2.x, x2.y, x2.y, x2.z);
        s.d = s.d + d3.w1 * vec4<f32>(x2.y, x2.z, x2.z, x2.w);
        s.d = s.d + d3.w2 * vec4<f32>(x2.z, x2.w, x2.w, x3.x);
        s.d = s.d + d3.w3 * vec4<f32>(x2.w, x3.x, x3.x, x3.y);
    }
    return s;
}
