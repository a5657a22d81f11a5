// ConvTranspose, direct gather kernel: a thread per output (STRIP of them along x). Per axis it
// finds the exact
// range of contributing taps from the output's phase (see src/ops/conv_transpose/taps.rs) and
// loops over those only; bias fused. Handles every stride, dilation, padding, output_padding and
// groups. Spatial axes are padded in front to three (D, H, W).

struct Params {
    rows: u32,        // output rows (n, c_out, z, y) in this dispatch
    in_offset: u32,   // element offsets of this chunk in the bound ranges
    out_offset: u32,
    has_bias: u32,
    c_in: u32, c_out: u32, cig: u32, cog: u32,   // channels, per group
    segs: u32,        // row segments per row
    row0: u32,        // the first row's index in the bound input images' rows (an image's rows
                      // may be split into chunks when it is larger than one binding)
    _pad1: u32, _pad2: u32,
    l_in: vec4<u32>,  // (D, H, W, _)
    l_out: vec4<u32>,
    k: vec4<u32>,
    s: vec4<u32>,
    p: vec4<u32>,
    d: vec4<u32>,
    step: vec4<u32>,  // tap step s/gcd(d, s)
    e: vec4<u32>,     // input step d/gcd(d, s)
    tab: vec4<u32>,   // word offset of each axis's phase table: (first tap, count) per phase
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> tab: array<u32>;

// Taps k0 + j*step for j in [lo, hi] reach input index base - j*e.
struct Range { k0: u32, base: i32, lo: i32, hi: i32 }

fn tap_range(a: u32, o: u32) -> Range {
    let q = o + p.p[a];
    let r = q % p.s[a];
    let k0 = tab[p.tab[a] + 2u * r];
    let n = i32(tab[p.tab[a] + 2u * r + 1u]);
    let base = (i32(q) - i32(k0 * p.d[a])) / i32(p.s[a]);
    let e = i32(p.e[a]);
    let lo = (max(base - i32(p.l_in[a]) + 1, 0) + e - 1) / e;
    var hi = -1;
    if (base >= 0) {
        hi = min(base / e, n - 1);
    }
    return Range(k0, base, lo, hi);
}

// Each workgroup owns a segment of one output row (n, c_out, z, y); its threads walk x positions
// WG apart, STRIP times, so the row's coordinates and tap ranges are computed once per thread.
@compute @workgroup_size(WG)
fn direct(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let row = w / p.segs;
    if (row >= p.rows) { return; }
    let seg = w - row * p.segs;
    let oy = (p.row0 + row) % p.l_out.y;
    let t1 = (p.row0 + row) / p.l_out.y;
    let oz = t1 % p.l_out.x;
    let t2 = t1 / p.l_out.x;
    let co = t2 % p.c_out;
    let n = t2 / p.c_out;
    let g = co / p.cog;
    let co_g = co % p.cog;

    let rz = tap_range(0u, oz);
    let ry = tap_range(1u, oy);
    let in_plane = p.l_in.x * p.l_in.y * p.l_in.z;
    let k_plane = p.k.x * p.k.y * p.k.z;
    var b = 0.0;
    if (p.has_bias != 0u) {
        b = bias[co];
    }
    let out_row = p.out_offset + row * p.l_out.z;
    for (var j = 0u; j < STRIP; j++) {
        let ox = seg * WG * STRIP + j * WG + lid;
        if (ox >= p.l_out.z) { break; }
        let rx = tap_range(2u, ox);
        var acc = b;
        for (var c = 0u; c < p.cig; c++) {
            let ci = g * p.cig + c;
            let x0 = p.in_offset + (n * p.c_in + ci) * in_plane;
            let w0 = (ci * p.cog + co_g) * k_plane;
            for (var jz = rz.lo; jz <= rz.hi; jz++) {
                let iz = u32(rz.base - jz * i32(p.e.x));
                let kz = rz.k0 + u32(jz) * p.step.x;
                for (var jy = ry.lo; jy <= ry.hi; jy++) {
                    let iy = u32(ry.base - jy * i32(p.e.y));
                    let ky = ry.k0 + u32(jy) * p.step.y;
                    let xrow = x0 + (iz * p.l_in.y + iy) * p.l_in.z;
                    let wrow = w0 + (kz * p.k.y + ky) * p.k.z;
                    for (var jx = rx.lo; jx <= rx.hi; jx++) {
                        let ix = u32(rx.base - jx * i32(p.e.z));
                        let kx = rx.k0 + u32(jx) * p.step.z;
                        acc += src[xrow + ix] * weight[wrow + kx];
                    }
                }
            }
        }
        dst[out_row + ox] = acc;
    }
}
