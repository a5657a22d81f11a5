// The reference kernel for the adapter's memory-bandwidth limit: a plain vec4 copy, one vec4 per
// thread. The host binds one chunk of at most max_storage_buffer_binding_size bytes per dispatch
// (at offsets aligned to min_storage_buffer_offset_alignment), so indices start at 0 in each chunk.

struct CopyParams {
    count: u32,  // vec4s in this chunk
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: CopyParams;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

const COPY_WG: u32 = 64u;

@compute @workgroup_size(64)
fn copy_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = linear_workgroup(wg, nwg) * COPY_WG + lid;
    if (i >= p.count) { return; }
    dst[i] = src[i];
}
