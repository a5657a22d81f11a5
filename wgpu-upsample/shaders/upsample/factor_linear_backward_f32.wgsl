// factor_linear_backward.wgsl's grad_output loads as vec4<f32>.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;

// The window of grad_output row `row` (its first vec4) for thread q: vec4s S·q - 1 .. S·q + S
// (the first the row's first where q = 0, the others clamped into the row; the weights of the
// columns outside the row are ABSENT).
fn window(row: u32, q: u32, S: u32) -> G6 {
    let last = row + p.in_w / 4u - 1u;
    let v = row + S * q;
    var g: G6;
    g.a = src4[select(v - 1u, row, q == 0u)];
    g.b = src4[v];
    g.c = src4[v + 1u];
    g.d = src4[min(v + 2u, last)];
    if (S > 2u) {
        g.e = src4[min(v + 3u, last)];
    }
    if (S > 3u) {
        g.f = src4[min(v + 4u, last)];
    }
    return g;
}

// An interior thread's window (vec4s q .. q + V - 1 of grad_input, q odd): grad_output vec4s
// S·q - 1 .. S·q + V·S of the row (clamped into it: vec4s past the interior are not stored).
fn window2(row: u32, q: u32, S: u32) -> G34 {
    let last = row + p.in_w / 4u - 1u;
    let v = row + S * q;
    var g: G34;
    g.v0 = src4[v - 1u];
    g.v1 = src4[v];
    g.v2 = src4[v + 1u];
    g.v3 = src4[min(v + 2u, last)];
    g.v4 = src4[min(v + 3u, last)];
    g.v5 = src4[min(v + 4u, last)];
    if (S > 2u) {
        g.v6 = src4[min(v + 5u, last)];
        g.v7 = src4[min(v + 6u, last)];
    }
    if (S > 3u) {
        g.v8 = src4[min(v + 7u, last)];
        g.v9 = src4[min(v + 8u, last)];
        g.v10 = src4[min(v + 9u, last)];
        g.v11 = src4[min(v + 10u, last)];
        g.v12 = src4[min(v + 11u, last)];
        g.v13 = src4[min(v + 12u, last)];
        g.v14 = src4[min(v + 13u, last)];
        g.v15 = src4[min(v + 14u, last)];
        g.v16 = src4[min(v + 15u, last)];
        g.v17 = src4[min(v + 16u, last)];
        g.v18 = src4[min(v + 17u, last)];
        g.v19 = src4[min(v + 18u, last)];
        g.v20 = src4[min(v + 19u, last)];
        g.v21 = src4[min(v + 20u, last)];
        g.v22 = src4[min(v + 21u, last)];
        g.v23 = src4[min(v + 22u, last)];
        g.v24 = src4[min(v + 23u, last)];
        g.v25 = src4[min(v + 24u, last)];
        g.v26 = src4[min(v + 25u, last)];
        g.v27 = src4[min(v + 26u, last)];
        g.v28 = src4[min(v + 27u, last)];
        g.v29 = src4[min(v + 28u, last)];
        g.v30 = src4[min(v + 29u, last)];
        g.v31 = src4[min(v + 30u, last)];
        g.v32 = src4[min(v + 31u, last)];
        g.v33 = src4[min(v + 32u, last)];
    }
    return g;
}
