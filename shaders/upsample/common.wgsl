// Shared by the upsample kernels: parameters, bindings, output coordinates.
// Layout mirrors `Params` in src/ops/upsample/gpu.rs.

struct Params {
    total: u32,       // outputs (threads) in this dispatch
    in_offset: u32,   // element offset of this chunk's first input plane in the bound range
    out_offset: u32,  // element offset of this chunk's first output plane in the bound range
    taps: u32,        // antialias: weight slots per output index
    in_d: u32, in_h: u32, in_w: u32, _pad0: u32,
    out_d: u32, out_h: u32, out_w: u32, _pad1: u32,
    tab_d: u32, tab_h: u32, tab_w: u32, _pad2: u32,  // word offsets of each axis's table in `tab`
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
// Per-axis source indices and weights (f32 weights stored as bits), computed on the host.
@group(0) @binding(3) var<storage, read> tab: array<u32>;

const WG: u32 = 64u;

struct OutCoord { plane: u32, z: u32, y: u32, x: u32 }

fn out_coord(i: u32) -> OutCoord {
    let x = i % p.out_w;
    let t = i / p.out_w;
    let y = t % p.out_h;
    let t2 = t / p.out_h;
    return OutCoord(t2 / p.out_d, t2 % p.out_d, y, x);
}

// Flat thread index of this invocation.
fn thread_index(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return linear_workgroup(wg, nwg) * WG + lid;
}
