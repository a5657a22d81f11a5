// ConvTranspose implicit GEMM, per output phase: the parameters, bindings and pixel decoding
// shared by the workgroup-tiled kernel (gemm.wgsl) and the subgroup kernel (gemm_sg.wgsl).

struct Params {
    in_offset: u32, out_offset: u32, has_bias: u32, w_offset: u32,   // w_offset: this phase's A
    c_in: u32, c_out: u32, cig: u32, cog: u32,
    m: u32, n: u32, k: u32, kp: u32,            // GEMM sizes; kp: K padded (rows of A per group)
    mp: u32, tiles_n: u32, tiles_m: u32, _pad: u32,
    l_in: vec4<u32>,
    l_out: vec4<u32>,
    o0: vec4<u32>,    // first output index of the phase per axis
    cnt: vec4<u32>,   // outputs of the phase per axis
    b0: vec4<i32>,    // input index of tap 0 for the phase's first output, per axis
    nt: vec4<u32>,    // taps of the phase per axis
    e: vec4<u32>,     // input step between taps
    s: vec4<u32>,     // stride (output step between the phase's pixels)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> packed: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// A pixel of the phase: image n and its per-axis index within the phase.
struct Pix { n: u32, jz: u32, jy: u32, jx: u32 }

fn pixel(q: u32) -> Pix {
    let jx = q % p.cnt.z;
    let t0 = q / p.cnt.z;
    let jy = t0 % p.cnt.y;
    let t1 = t0 / p.cnt.y;
    return Pix(t1 / p.cnt.x, t1 % p.cnt.x, jy, jx);
}

