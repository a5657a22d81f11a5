// grad_bias_vec4.wgsl's load: 4 positions, grad_output bound as vec4s (binding 5).

@group(0) @binding(5) var<storage, read> y_vec: array<vec4<f32>>;

fn bias_load(i: u32) -> vec4<f32> {
    return y_vec[i];
}
