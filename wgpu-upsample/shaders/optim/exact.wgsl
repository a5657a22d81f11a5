// Exact f32 arithmetic for the optimizer kernels, shared by shaders/optim/{sgd,adam}.wgsl (each
// defines `p.zero`, a 0 from the uniform).
//
// PyTorch's CPU kernels use fused multiply-adds (`add(.., alpha)`, `lerp`, `addcmul`), but WGSL's
// `fma` need not be fused (lavapipe/llvmpipe compute it as a rounded product and a rounded sum).
// `fma_exact` is a correctly rounded a·b + c from rounded f32 operations: Dekker's exact product,
// a TwoSum, and the sum of the error terms rounded to odd (Boldo & Melquiond, "Emulation of FMA
// and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008). Every
// intermediate goes through `opaque` so that no compiler contracts or reassociates it. Outside
// its range (a product or operand near overflow, non-finite values) it falls back to `fma`; a
// product whose error term underflows may be off by the flushed error.

// `x`, as a value the compiler cannot see through (an OR with a zero from the uniform), so it
// stays a rounded f32 and is never fused or reassociated with what follows.
fn opaque(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) | p.zero);
}

// (s, e) with s = RN(a + b) and s + e = a + b exactly (Knuth's TwoSum).
fn two_sum(a: f32, b: f32) -> vec2<f32> {
    let s = opaque(a + b);
    let bb = opaque(s - a);
    let ab = opaque(s - bb);
    let e = opaque(a - ab) + opaque(b - bb);
    return vec2<f32>(s, opaque(e));
}

// (hi, lo) with hi + lo = a, each of at most 12 significant bits (Veltkamp's split).
fn split(a: f32) -> vec2<f32> {
    let g = opaque(4097.0 * a);
    let hi = opaque(g - opaque(g - a));
    return vec2<f32>(hi, opaque(a - hi));
}

// (p, e) with p = RN(a·b) and p + e = a·b exactly (Dekker's product).
fn two_prod(a: f32, b: f32) -> vec2<f32> {
    let q = opaque(a * b);
    let x = split(a);
    let y = split(b);
    var e = opaque(opaque(x.x * y.x) - q);
    e = opaque(e + opaque(x.x * y.y));
    e = opaque(e + opaque(x.y * y.x));
    e = opaque(e + opaque(x.y * y.y));
    return vec2<f32>(q, e);
}

// RO(a + b): the sum rounded to odd (the neighbour with an odd significand when inexact).
fn add_odd(a: f32, b: f32) -> f32 {
    let s = two_sum(a, b);
    var bits = bitcast<u32>(s.x);
    if (s.y != 0.0 && (bits & 1u) == 0u) {
        // Step one ulp towards the exact sum: away from zero when the error has the sum's sign.
        if ((bits >> 31u) == (bitcast<u32>(s.y) >> 31u)) {
            bits = bits + 1u;
        } else {
            bits = bits - 1u;
        }
    }
    return bitcast<f32>(bits);
}

// RN(a·b + c), correctly rounded as a fused multiply-add.
fn fma_exact(a: f32, b: f32, c: f32) -> f32 {
    let q = opaque(a * b);
    let s = opaque(q + c);
    // Dekker's split needs 4097·x finite; the result must be finite (this also sends NaN and
    // infinities to the fallback, which handles them as IEEE's fma does).
    if (!(abs(a) < 1e34 && abs(b) < 1e34 && abs(q) < 1e37 && abs(c) < 1e37 && abs(s) < 1e37)) {
        return fma(a, b, c);
    }
    let u = two_prod(a, b);
    let t = two_sum(c, u.x);
    let v = add_odd(t.y, u.y);
    return opaque(t.x + v);
}
