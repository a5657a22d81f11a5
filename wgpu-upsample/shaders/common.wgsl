// Shared by every kernel of wgpu-upsample (prepended to each shader by the pipeline cache).

// Index of this workgroup in the flattened dispatch grid (see src/gpu/dispatch.rs): grids spread
// a 1-D range of workgroups over x, then y, then z, so no dimension exceeds 65 535.
fn linear_workgroup(wg: vec3<u32>, num: vec3<u32>) -> u32 {
    return wg.x + num.x * (wg.y + num.y * wg.z);
}
