// Convolution (the ordinary, gathering one), implicit GEMM:
//   out[n, g*cog + m, pix] = bias + Σ_kk A[g][kk][m] · B[kk][pix]
// with M = cog, N = the output pixels (all images of the chunk), K = cig × taps. A is the weight
// re-packed once per layer ([kk][m], padded to Kp × Mp with zeros: src/ops/conv/plan.rs,
// GatherPacking); B is gathered from the input on the fly: input index o·s − p + t·d per axis,
// zero outside the input. Tiles of 32 (M) × 64 (N) × 16 (K) in workgroup memory; each of the 128
// threads accumulates a 4 × 4 register block (as shaders/conv_transpose/gemm.wgsl).


// The K loop is gemm_tiled_shared.wgsl's; this file supplies its tiled_load.

// This thread's state for tiled_load, set once per workgroup (as in
// shaders/conv_transpose/gemm.wgsl): whether the group exists, the packed A's vec4 index of the
// tile, the input index of tap 0 per axis, the input offset of (image, first channel of the
// group), whether the pixel exists.
var<private> t_live: bool;
var<private> t_a_base: u32;
var<private> t_b: vec3<i32>;
var<private> t_img: u32;
var<private> t_col_ok: bool;

fn tiled_load(k0: u32, lid: u32) {
    // A tile: 16 rows × 8 vec4, one vec4 per thread (A is zero-padded to kp × mp).
    let ar = lid / (BM / 4u);
    let ac = lid % (BM / 4u);
    if (t_live) {
        a_tile[lid] = packed[t_a_base + ((k0 + ar) * p.mp) / 4u + ac];
    }
    // B tile: 16 rows × 64 columns, 8 values per thread.
    let col = lid % BN;
    let taps = p.kdim.x * p.kdim.y * p.kdim.z;
    let in_plane = p.l_in.x * p.l_in.y * p.l_in.z;
    for (var r = lid / BN; r < BK; r += BM / 16u) {
        let kk = k0 + r;
        var v = 0.0;
        if (t_col_ok && kk < p.k) {
            let c = kk / taps;
            let t = kk % taps;
            let tx = t % p.kdim.z;
            let t2 = t / p.kdim.z;
            let ty = t2 % p.kdim.y;
            let tz = t2 / p.kdim.y;
            let iz = t_b.x + i32(tz * p.d.x);
            let iy = t_b.y + i32(ty * p.d.y);
            let ix = t_b.z + i32(tx * p.d.z);
            if (iz >= 0 && iz < i32(p.l_in.x) && iy >= 0 && iy < i32(p.l_in.y)
                && ix >= 0 && ix < i32(p.l_in.z)) {
                let at = (u32(iz) * p.l_in.y + u32(iy)) * p.l_in.z + u32(ix);
                v = src[t_img + c * in_plane + at];
            }
        }
        b_tile[r * BN + col] = v;
    }
}

@compute @workgroup_size(BN / 4u, BM / 4u)
fn conv_gemm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid3: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let tile_n = w % p.tiles_n;
    let rest = w / p.tiles_n;
    let tile_m = rest % p.tiles_m;
    let g = rest / p.tiles_m;
    // Uniform control flow: workgroups past the end still reach every barrier.
    let live = g < p.c_out / p.cog;
    t_live = live;
    t_a_base = (g * p.kp * p.mp + tile_m * BM) / 4u;
    // This thread's B column (pixel) for loading, fixed for the whole K loop.
    let q = tile_n * BN + lid % BN;
    let pix = pixel(q);
    t_b = vec3<i32>(vec3<u32>(pix.oz, pix.oy, pix.ox) * p.s.xyz) - vec3<i32>(p.p.xyz);
    let in_plane = p.l_in.x * p.l_in.y * p.l_in.z;
    t_img = p.in_offset + (pix.n * p.c_in + g * p.cig) * in_plane;
    t_col_ok = q < p.n && live;

    var acc = tiled_gemm(0u, p.k, lid, lid3);
    if (!live) { return; }
    let out_plane = p.l_out.x * p.l_out.y * p.l_out.z;
    for (var c = 0u; c < 4u; c++) {
        let qq = tile_n * BN + lid3.x * 4u + c;
        if (qq >= p.n) { break; }
        let img_out = qq / out_plane;
        let pos = qq - img_out * out_plane;
        for (var r = 0u; r < 4u; r++) {
            let m = tile_m * BM + lid3.y * 4u + r;
            if (m < p.m) {
                let co = g * p.cog + m;
                var v = acc[r][c];
                if (p.has_bias != 0u) {
                    v += bias[co];
                }
                dst[p.out_offset + (img_out * p.c_out + co) * out_plane + pos] = v;
            }
        }
    }
}
