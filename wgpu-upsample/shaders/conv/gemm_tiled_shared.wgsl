// The K loop the workgroup-tiled implicit GEMMs share (GPUs, GL): ConvTranspose's
// (shaders/conv_transpose/gemm.wgsl), Conv's (gemm.wgsl) and the weight gradient's (weight_gemm in
// grad.wgsl). Per block of BK rows of K, every thread calls the kernel's hook
// `tiled_load(k0, lid)`, which fills a_tile (BK × BM of A, [kk][m/4]) and b_tile (BK × BN of B,
// [kk][col]; zeros past the end); then each of the BN/4 × BM/4 threads accumulates its 4 × 4
// register block (rows 4·lid3.y.., columns 4·lid3.x..). Call from uniform control flow with a
// K range uniform per workgroup: every thread reaches every barrier.

var<workgroup> a_tile: array<vec4<f32>, BK * BM / 4u>;   // [kk][m/4]
var<workgroup> b_tile: array<f32, BK * BN>;              // [kk][col]

fn tiled_gemm(k_begin: u32, k_end: u32, lid: u32, lid3: vec3<u32>) -> array<vec4<f32>, 4> {
    var acc: array<vec4<f32>, 4>;
    for (var k0 = k_begin; k0 < k_end; k0 += BK) {
        tiled_load(k0, lid);
        workgroupBarrier();
        let kmax = min(BK, k_end - k0);
        for (var kk = 0u; kk < kmax; kk++) {
            let a = a_tile[kk * (BM / 4u) + lid3.y];
            let bb = kk * BN + lid3.x * 4u;
            let b = vec4<f32>(b_tile[bb], b_tile[bb + 1u], b_tile[bb + 2u], b_tile[bb + 3u]);
            acc[0] += a.x * b;
            acc[1] += a.y * b;
            acc[2] += a.z * b;
            acc[3] += a.w * b;
        }
        workgroupBarrier();
    }
    return acc;
}
