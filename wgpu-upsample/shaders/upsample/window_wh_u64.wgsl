// window_wh.wgsl's taps-only row sums with 64-bit loads (`SHADER_INT64`; launch.rs picks this
// module where the bound input starts on a multiple of 8 elements and its rows are a multiple of
// 8 long): each 64-bit element an even and an odd input (low and high half), so a thread's 4
// groups' 40 inputs (and 8 more) come in 6 loads, not 10 (the backward's: 3, not 4), and in
// the forward each tap's 4 inputs, 2 apart, are one vector of even or of odd inputs. The dense sums (the row ends) load through
// src4 as before.

@group(0) @binding(8) var<storage, read> src8: array<vec4<u64>>;

fn lo8(v: vec4<u64>) -> vec4<f32> {
    return bitcast<vec4<f32>>(vec4<u32>(v));
}

fn hi8(v: vec4<u64>) -> vec4<f32> {
    return bitcast<vec4<f32>>(vec4<u32>(v >> vec4<u32>(32u)));
}

// The sums along w of one input row for the 4 groups whose first vec4 is `at` (odd: the host
// checked), as window_wh_f32.wgsl's: word i holds input vec4s at - 1 + 2i and at + 2i, li its
// even inputs and hi its odd ones.
fn along_w_half4(at: u32, d0: Dense, d1: Dense, d2: Dense, d3: Dense, span: u32, n: u32) -> Slot {
    let w = (at - 1u) / 2u;
    if (span == 2u) {
        return along_w_back4(w, d0, d1, d2, d3, n);
    }
    let a0 = src8[w + 0u];
    let a1 = src8[w + 1u];
    let a2 = src8[w + 2u];
    let a3 = src8[w + 3u];
    let a4 = src8[w + 4u];
    let a5 = src8[w + 5u];
    let l0 = lo8(a0);
    let h0 = hi8(a0);
    let l1 = lo8(a1);
    let h1 = hi8(a1);
    let l2 = lo8(a2);
    let h2 = hi8(a2);
    let l3 = lo8(a3);
    let h3 = hi8(a3);
    let l4 = lo8(a4);
    let h4 = hi8(a4);
    let l5 = lo8(a5);
    let h5 = hi8(a5);
    var s: Slot;
    if (n == 4u) {
        s.a = s.a + d0.w0 * vec4<f32>(h0.w, h1.x, h1.y, h1.z);
        s.a = s.a + d0.w1 * l1;
        s.a = s.a + d0.w2 * h1;
        s.a = s.a + d0.w3 * vec4<f32>(l1.y, l1.z, l1.w, l2.x);
        s.b = s.b + d1.w0 * vec4<f32>(h1.w, h2.x, h2.y, h2.z);
        s.b = s.b + d1.w1 * l2;
        s.b = s.b + d1.w2 * h2;
        s.b = s.b + d1.w3 * vec4<f32>(l2.y, l2.z, l2.w, l3.x);
        s.c = s.c + d2.w0 * vec4<f32>(h2.w, h3.x, h3.y, h3.z);
        s.c = s.c + d2.w1 * l3;
        s.c = s.c + d2.w2 * h3;
        s.c = s.c + d2.w3 * vec4<f32>(l3.y, l3.z, l3.w, l4.x);
        s.d = s.d + d3.w0 * vec4<f32>(h3.w, h4.x, h4.y, h4.z);
        s.d = s.d + d3.w1 * l4;
        s.d = s.d + d3.w2 * h4;
        s.d = s.d + d3.w3 * vec4<f32>(l4.y, l4.z, l4.w, l5.x);
    } else {
        s.a = s.a + d0.w0 * vec4<f32>(h0.z, h0.w, h1.x, h1.y);
        s.a = s.a + d0.w1 * vec4<f32>(l0.w, l1.x, l1.y, l1.z);
        s.a = s.a + d0.w2 * vec4<f32>(h0.w, h1.x, h1.y, h1.z);
        s.a = s.a + d0.w3 * l1;
        s.a = s.a + d0.w4 * h1;
        s.a = s.a + d0.w5 * vec4<f32>(l1.y, l1.z, l1.w, l2.x);
        s.a = s.a + d0.w6 * vec4<f32>(h1.y, h1.z, h1.w, h2.x);
        s.a = s.a + d0.w7 * vec4<f32>(l1.z, l1.w, l2.x, l2.y);
        s.b = s.b + d1.w0 * vec4<f32>(h1.z, h1.w, h2.x, h2.y);
        s.b = s.b + d1.w1 * vec4<f32>(l1.w, l2.x, l2.y, l2.z);
        s.b = s.b + d1.w2 * vec4<f32>(h1.w, h2.x, h2.y, h2.z);
        s.b = s.b + d1.w3 * l2;
        s.b = s.b + d1.w4 * h2;
        s.b = s.b + d1.w5 * vec4<f32>(l2.y, l2.z, l2.w, l3.x);
        s.b = s.b + d1.w6 * vec4<f32>(h2.y, h2.z, h2.w, h3.x);
        s.b = s.b + d1.w7 * vec4<f32>(l2.z, l2.w, l3.x, l3.y);
        s.c = s.c + d2.w0 * vec4<f32>(h2.z, h2.w, h3.x, h3.y);
        s.c = s.c + d2.w1 * vec4<f32>(l2.w, l3.x, l3.y, l3.z);
        s.c = s.c + d2.w2 * vec4<f32>(h2.w, h3.x, h3.y, h3.z);
        s.c = s.c + d2.w3 * l3;
        s.c = s.c + d2.w4 * h3;
        s.c = s.c + d2.w5 * vec4<f32>(l3.y, l3.z, l3.w, l4.x);
        s.c = s.c + d2.w6 * vec4<f32>(h3.y, h3.z, h3.w, h4.x);
        s.c = s.c + d2.w7 * vec4<f32>(l3.z, l3.w, l4.x, l4.y);
        s.d = s.d + d3.w0 * vec4<f32>(h3.z, h3.w, h4.x, h4.y);
        s.d = s.d + d3.w1 * vec4<f32>(l3.w, l4.x, l4.y, l4.z);
        s.d = s.d + d3.w2 * vec4<f32>(h3.w, h4.x, h4.y, h4.z);
        s.d = s.d + d3.w3 * l4;
        s.d = s.d + d3.w4 * h4;
        s.d = s.d + d3.w5 * vec4<f32>(l4.y, l4.z, l4.w, l5.x);
        s.d = s.d + d3.w6 * vec4<f32>(h4.y, h4.z, h4.w, h5.x);
        s.d = s.d + d3.w7 * vec4<f32>(l4.z, l4.w, l5.x, l5.y);
    }
    return s;
}

// The backward's (span 2; window_wh_f32.wgsl's taps) from the 3 words from `w`: 24 inputs
// from the vec4 before `at`.
fn along_w_back4(w: u32, d0: Dense, d1: Dense, d2: Dense, d3: Dense, n: u32) -> Slot {
    let a0 = src8[w];
    let a1 = src8[w + 1u];
    let a2 = src8[w + 2u];
    let l0 = lo8(a0);
    let h0 = hi8(a0);
    let l1 = lo8(a1);
    let h1 = hi8(a1);
    let l2 = lo8(a2);
    let h2 = hi8(a2);
    var s: Slot;
    if (n == 2u) {
        s.a = s.a + d0.w0 * vec4<f32>(h0.w, l1.x, l1.x, h1.x);
        s.a = s.a + d0.w1 * vec4<f32>(l1.x, h1.x, h1.x, l1.y);
        s.b = s.b + d1.w0 * vec4<f32>(h1.x, l1.y, l1.y, h1.y);
        s.b = s.b + d1.w1 * vec4<f32>(l1.y, h1.y, h1.y, l1.z);
        s.c = s.c + d2.w0 * vec4<f32>(h1.y, l1.z, l1.z, h1.z);
        s.c = s.c + d2.w1 * vec4<f32>(l1.z, h1.z, h1.z, l1.w);
        s.d = s.d + d3.w0 * vec4<f32>(h1.z, l1.w, l1.w, h1.w);
        s.d = s.d + d3.w1 * vec4<f32>(l1.w, h1.w, h1.w, l2.x);
    } else {
        s.a = s.a + d0.w0 * vec4<f32>(l0.w, h0.w, h0.w, l1.x);
        s.a = s.a + d0.w1 * vec4<f32>(h0.w, l1.x, l1.x, h1.x);
        s.a = s.a + d0.w2 * vec4<f32>(l1.x, h1.x, h1.x, l1.y);
        s.a = s.a + d0.w3 * vec4<f32>(h1.x, l1.y, l1.y, h1.y);
        s.b = s.b + d1.w0 * vec4<f32>(l1.x, h1.x, h1.x, l1.y);
        s.b = s.b + d1.w1 * vec4<f32>(h1.x, l1.y, l1.y, h1.y);
        s.b = s.b + d1.w2 * vec4<f32>(l1.y, h1.y, h1.y, l1.z);
        s.b = s.b + d1.w3 * vec4<f32>(h1.y, l1.z, l1.z, h1.z);
        s.c = s.c + d2.w0 * vec4<f32>(l1.y, h1.y, h1.y, l1.z);
        s.c = s.c + d2.w1 * vec4<f32>(h1.y, l1.z, l1.z, h1.z);
        s.c = s.c + d2.w2 * vec4<f32>(l1.z, h1.z, h1.z, l1.w);
        s.c = s.c + d2.w3 * vec4<f32>(h1.z, l1.w, l1.w, h1.w);
        s.d = s.d + d3.w0 * vec4<f32>(l1.z, h1.z, h1.z, l1.w);
        s.d = s.d + d3.w1 * vec4<f32>(h1.z, l1.w, l1.w, h1.w);
        s.d = s.d + d3.w2 * vec4<f32>(l1.w, h1.w, h1.w, l2.x);
        s.d = s.d + d3.w3 * vec4<f32>(h1.w, l2.x, l2.x, h2.x);
    }
    return s;
}
