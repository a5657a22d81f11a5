// The part the Conv and ConvTranspose implicit GEMMs on the subgroup core (src/ops/gemm.rs) share:
// the per-lane state, A's loads, B's gather (input index px_b + tap_offset(k_tap) per axis, zero
// outside the input), the walk over K (channel-major, taps inner) and the tile's store. Each
// kernel file supplies setup / gemm_begin and the two tap hooks: tap_offset(t), the input step of
// tap t per axis, and tap_count(), the taps per axis.

var<private> live: bool;
var<private> g: u32;
var<private> row0: u32;                  // first row (channel within the group) of the tile
var<private> a_base: u32;                // vec4 index of A[g][0][row0 + A_LANE·lane]
var<private> px_ok: array<bool, 8>;
var<private> px_img: array<u32, 8>;      // input offset of (image, first channel of the group)
var<private> px_b: array<vec3<i32>, 8>;  // input index of tap 0 per axis
var<private> px_out: array<u32, 8>;      // output offset of (image, channel 0, position)
// Per-k state: the channel's input offset and the tap (z, y, x).
var<private> k_chan: u32;
var<private> k_tap: vec3<u32>;

fn gemm_a(k: u32, v: u32) -> vec4<f32> {
    return packed[a_base + k * (p.mp / 4u) + v * (A_STEP / 4u)];
}

// Pixel j's input value at the current k (zero outside the input).
fn gather(j: u32) -> f32 {
    let i = px_b[j] + tap_offset(k_tap);
    let inside = all(i >= vec3<i32>(0)) && all(i < vec3<i32>(p.l_in.xyz)) && px_ok[j];
    var v = 0.0;
    if (inside) {
        v = src[px_img[j] + k_chan + (u32(i.x) * p.l_in.y + u32(i.y)) * p.l_in.z + u32(i.z)];
    }
    return v;
}

fn gemm_b(k: u32, h: u32) -> vec4<f32> {
    return vec4<f32>(gather(4u * h), gather(4u * h + 1u), gather(4u * h + 2u), gather(4u * h + 3u));
}

fn gemm_next() {
    let n = tap_count();
    k_tap.z += 1u;
    if (k_tap.z == n.z) {
        k_tap.z = 0u;
        k_tap.y += 1u;
        if (k_tap.y == n.y) {
            k_tap.y = 0u;
            k_tap.x += 1u;
            if (k_tap.x == n.x) {
                k_tap.x = 0u;
                k_chan += p.l_in.x * p.l_in.y * p.l_in.z;
            }
        }
    }
}

fn store1(j: u32, co: u32, v: f32) {
    if (px_ok[j]) {
        dst[px_out[j] + co * p.l_out.x * p.l_out.y * p.l_out.z] = v;
    }
}

fn gemm_store(r: u32, c0: vec4<f32>, c1: vec4<f32>) {
    let m = row0 + r;
    if (!live || m >= p.m) { return; }
    let co = g * p.cog + m;
    var v0 = c0;
    var v1 = c1;
    if (p.has_bias != 0u) {
        v0 += bias[co];
        v1 += bias[co];
    }
    store1(0u, co, v0.x); store1(1u, co, v0.y); store1(2u, co, v0.z); store1(3u, co, v0.w);
    store1(4u, co, v1.x); store1(5u, co, v1.y); store1(6u, co, v1.z); store1(7u, co, v1.w);
}
