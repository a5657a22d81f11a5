// A gather by an index table: dst[i] = src[index[i]], or 0 where the index is 0xffffffff. Re-packs
// a layer's weights for its GEMM kernels after they were updated on the GPU (the tables:
// src/ops/conv_transpose/phases.rs and src/ops/conv/plan.rs, `index_table`).

struct Params {
    count: u32,
    _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> index: array<u32>;

@compute @workgroup_size(WG)
fn repack(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let i = linear_workgroup(wg, nwg) * WG + lid;
    if (i >= p.count) { return; }
    let j = index[i];
    var v = 0.0;
    if (j != 0xffffffffu) {
        v = src[j];
    }
    dst[i] = v;
}
