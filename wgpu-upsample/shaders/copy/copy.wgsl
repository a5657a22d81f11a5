// The reference kernel for the adapter's memory-bandwidth limit: a plain vec4 copy, one vec4 per
// thread. The host binds one chunk of at most max_storage_buffer_binding_size bytes per dispatch
// (src/ops/copy), so indices start at the chunk's offsets.

struct Params {
    count: u32,       // vec4s in this chunk
    in_offset: u32,   // vec4 offset of the chunk in the bound input range
    out_offset: u32,  // vec4 offset of the chunk in the bound output range
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn copy_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = linear_workgroup(wg, nwg) * WG + lid;
    if (i >= p.count) { return; }
    dst[p.out_offset + i] = src[p.in_offset + i];
}
