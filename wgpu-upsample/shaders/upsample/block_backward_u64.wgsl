// block_backward.wgsl's grad_output loads as vec4<u64>, where the device has SHADER_INT64: each
// 64-bit word is two grad_output elements (low and high half), and lavapipe, which loads element
// by element, loads two at a time. The host picks these kernels where the bound grad_output
// starts on a multiple of 8 elements and its rows are a multiple of 8 long (`wide_loads`), so a
// row starts on a word pair boundary: f32 vec4 t of a row is the low (t even) or high (t odd)
// half of vec4<u64> t / 2.

@group(0) @binding(4) var<storage, read> src8: array<vec4<u64>>;

fn pair(v: u64) -> vec2<f32> {
    return vec2<f32>(bitcast<f32>(u32(v)), bitcast<f32>(u32(v >> 32u)));
}

fn lower(v: vec4<u64>) -> vec4<f32> {
    return vec4<f32>(pair(v.x), pair(v.y));
}

fn upper(v: vec4<u64>) -> vec4<f32> {
    return vec4<f32>(pair(v.z), pair(v.w));
}

// The sx f32 vec4s from vec4 `at` of one grad_output row (the same values as
// factor_backward.wgsl's loads), reduced along x to 4 grad_input elements.
fn block_row(at: u32, sx: u32) -> vec4<f32> {
    let z = vec4<f32>(0.0);
    let u = src8[at / 2u];
    if (sx == 1u) {
        return select(lower(u), upper(u), (at & 1u) == 1u);
    }
    if (sx == 2u) {
        // at even (the row's start and 2q).
        return block_sum(lower(u), upper(u), z, z, 2u);
    }
    let v = src8[at / 2u + 1u];
    if (sx == 3u) {
        let odd = (at & 1u) == 1u;
        let a = select(lower(u), upper(u), odd);
        let b = select(upper(u), lower(v), odd);
        let c = select(lower(v), upper(v), odd);
        return block_sum(a, b, c, z, 3u);
    }
    return block_sum(lower(u), upper(u), lower(v), upper(v), 4u);
}
