// window_wh.wgsl's ×1/2 row sums with vec4 loads (the module without `SHADER_INT64`, or where
// the input's alignment does not allow window_wh_u64.wgsl's).

// One input row's sums along w for the 4 groups whose first vec4 is `at`: group i's from its
// 4 vec4s at + 2i .. (half_sum).
fn along_w_half4(at: u32, d0: Dense, d1: Dense, d2: Dense, d3: Dense, n: u32) -> Slot {
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
