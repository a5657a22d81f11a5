// ConvTranspose implicit GEMM for one output phase on the subgroup core (src/ops/gemm.rs): each
// lane's 8 pixels decoded once (the phase's outputs, their first input tap) and the phase's taps;
// the gather and the store are conv/gemm_sg_shared.wgsl's. A workgroup is TM rows (output channels
// of one group) × 64 pixels. K runs channel-major, taps inner (as the packing).

// Pixel j of this lane (column q0 + j): its input and output offsets.
fn setup(j: u32, q0: u32) {
    let q = q0 + j;
    let px = pixel(q);
    px_ok[j] = live && q < p.n;
    px_img[j] = p.in_offset + (px.n * p.c_in + g * p.cig) * p.l_in.x * p.l_in.y * p.l_in.z;
    px_b[j] = p.b0.xyz + vec3<i32>(vec3<u32>(px.jz, px.jy, px.jx));
    let oz = p.o0.x + px.jz * p.s.x;
    let oy = p.o0.y + px.jy * p.s.y;
    let ox = p.o0.z + px.jx * p.s.z;
    let out_plane = p.l_out.x * p.l_out.y * p.l_out.z;
    px_out[j] = p.out_offset + px.n * p.c_out * out_plane + (oz * p.l_out.y + oy) * p.l_out.z + ox;
}

fn gemm_begin(w: u32, lane: u32) -> u32 {
    let tile_n = w % p.tiles_n;
    let rest = w / p.tiles_n;
    let tile_m = rest % p.tiles_m;
    g = rest / p.tiles_m;
    live = g < p.c_out / p.cog;
    row0 = tile_m * TM;
    a_base = (p.w_offset + g * p.kp * p.mp + row0 + A_LANE * lane) / 4u;
    // Unrolled: private arrays indexed only by constants stay in registers.
    let q0 = tile_n * 64u + lane * 8u;
    setup(0u, q0); setup(1u, q0); setup(2u, q0); setup(3u, q0);
    setup(4u, q0); setup(5u, q0); setup(6u, q0); setup(7u, q0);
    k_chan = 0u;
    k_tap = vec3<u32>(0u);
    return select(0u, p.k, live);
}

// The tap hooks of conv/gemm_sg_shared.wgsl.
fn tap_offset(t: vec3<u32>) -> vec3<i32> {
    return -vec3<i32>(t * p.e.xyz);
}

fn tap_count() -> vec3<u32> {
    return p.nt.xyz;
}
