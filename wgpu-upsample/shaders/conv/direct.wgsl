// Convolution (the ordinary, gathering one), direct kernel: a thread per output (STRIP of them
// along x), looping over the input channels of its group and, per axis, only the taps whose
// input index o·s − p + k·d lies inside the input (src/ops/conv/plan.rs: tap_span); bias fused.
// Conv's forward and ConvTranspose's grad_input. Spatial axes are padded in front to three.

struct Params {
    rows: u32,        // output rows (n, c_out, z, y) in this dispatch
    in_offset: u32,   // element offsets of this chunk in the bound ranges
    out_offset: u32,
    has_bias: u32,
    c_in: u32, c_out: u32, cig: u32, cog: u32,   // channels, per group
    segs: u32,        // row segments per row
    row0: u32,        // the first row's index in the bound images' rows
    pad_terms: u32,   // the weight holds NaN or inf: add 0 · w for the taps on the zero padding
    zero: f32,        // 0.0 the compiler cannot fold away (0 · inf must stay NaN)
    l_in: vec4<u32>,  // (D, H, W, _)
    l_out: vec4<u32>,
    k: vec4<u32>,
    s: vec4<u32>,
    p: vec4<u32>,     // padding before each axis
    d: vec4<u32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// Taps [lo, hi) of axis `a` that read inside the input for output `o`; `base` = index of tap 0.
struct Span { lo: u32, hi: u32, base: i32 }

fn tap_span(a: u32, o: u32) -> Span {
    let base = i32(o * p.s[a]) - i32(p.p[a]);
    var lo = 0u;
    if (base < 0) {
        lo = (u32(-base) + p.d[a] - 1u) / p.d[a];
    }
    let last = i32(p.l_in[a]) - 1 - base;
    var hi = 0u;
    if (last >= 0) {
        hi = min(u32(last) / p.d[a] + 1u, p.k[a]);
    }
    return Span(min(lo, hi), hi, base);
}

// Each workgroup owns a segment of one output row (n, c_out, z, y); its threads walk x positions
// WG apart, STRIP times.
@compute @workgroup_size(WG)
fn conv_direct(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
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

    let sz = tap_span(0u, oz);
    let sy = tap_span(1u, oy);
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
        let sx = tap_span(2u, ox);
        var acc = b;
        for (var c = 0u; c < p.cig; c++) {
            let x0 = p.in_offset + (n * p.c_in + g * p.cig + c) * in_plane;
            let w0 = (co * p.cig + c) * k_plane;
            for (var kz = sz.lo; kz < sz.hi; kz++) {
                let iz = u32(sz.base + i32(kz * p.d.x));
                for (var ky = sy.lo; ky < sy.hi; ky++) {
                    let iy = u32(sy.base + i32(ky * p.d.y));
                    let xrow = x0 + (iz * p.l_in.y + iy) * p.l_in.z;
                    let wrow = w0 + (kz * p.k.y + ky) * p.k.z;
                    for (var kx = sx.lo; kx < sx.hi; kx++) {
                        let ix = u32(sx.base + i32(kx * p.d.z));
                        acc += src[xrow + ix] * weight[wrow + kx];
                    }
                }
            }
            // PyTorch's im2col multiplies the zero padding by the weight: 0 · inf is NaN.
            if (p.pad_terms != 0u) {
                for (var t = 0u; t < k_plane; t++) {
                    let kx = t % p.k.z;
                    let ky = (t / p.k.z) % p.k.y;
                    let kz = t / (p.k.z * p.k.y);
                    if (kz < sz.lo || kz >= sz.hi || ky < sy.lo || ky >= sy.hi
                        || kx < sx.lo || kx >= sx.hi) {
                        acc += p.zero * weight[w0 + t];
                    }
                }
            }
        }
        dst[out_row + ox] = acc;
    }
}
