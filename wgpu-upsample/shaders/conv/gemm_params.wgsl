// Convolution implicit GEMM: the parameters, bindings and pixel decoding shared by the
// workgroup-tiled kernel (gemm.wgsl) and the subgroup kernel (gemm_sg.wgsl).

struct Params {
    in_offset: u32, out_offset: u32, has_bias: u32, _pad0: u32,
    c_in: u32, c_out: u32, cig: u32, cog: u32,
    m: u32, n: u32, k: u32, kp: u32,            // GEMM sizes; kp: K padded (rows of A per group)
    mp: u32, tiles_n: u32, tiles_m: u32, _pad1: u32,
    l_in: vec4<u32>,
    l_out: vec4<u32>,
    kdim: vec4<u32>,  // kernel size per axis
    s: vec4<u32>,
    p: vec4<u32>,     // padding before each axis
    d: vec4<u32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> packed: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// An output pixel: image n and its position.
struct Pix { n: u32, oz: u32, oy: u32, ox: u32 }

fn pixel(q: u32) -> Pix {
    let ox = q % p.l_out.z;
    let t0 = q / p.l_out.z;
    let oy = t0 % p.l_out.y;
    let t1 = t0 / p.l_out.y;
    return Pix(t1 / p.l_out.x, t1 % p.l_out.x, oy, ox);
}

