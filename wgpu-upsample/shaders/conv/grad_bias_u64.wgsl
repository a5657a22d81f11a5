// grad_bias_vec4.wgsl's load where the device has SHADER_INT64: 8 positions, grad_output bound as
// vec4<u64>s (binding 6), each word two neighbouring positions (low and high half), added in
// pairs. lavapipe runs a load as a loop over its lanes, one component at a time, so this halves
// the loads.

@group(0) @binding(6) var<storage, read> y_u64: array<vec4<u64>>;

fn bias_load(i: u32) -> vec4<f32> {
    let v = y_u64[i];
    return bitcast<vec4<f32>>(vec4<u32>(v)) + bitcast<vec4<f32>>(vec4<u32>(v >> vec4<u32>(32u)));
}
