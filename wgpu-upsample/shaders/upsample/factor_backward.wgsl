// Direct backward where every element of grad_input has at most one grad_output term per axis
// (src/ops/upsample/backward_factor.rs): downsampling by an integer factor with windows that do
// not overlap (nearest, bilinear ×½, area), nearest by any factor. grad_input is
// w_d · (w_h · (w_w · g)) — the separable window passes' one product, in their order — or 0 where
// an axis has no term (weight ABSENT, -0.0's bits: skipped, not multiplied, so a NaN or inf
// gradient reaches only the inputs that read it). One pass, no atomics, no intermediate.
//
// Params: in_d × in_h × in_w is one grad_output plane, out_d × out_h × out_w one grad_input plane.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
// dst4 (binding 5): block_backward.wgsl.

const ABSENT: u32 = 0x80000000u;

fn sel(w: f32, g: vec4<f32>) -> vec4<f32> {
    return select(w * g, vec4<f32>(0.0), bitcast<u32>(w) == ABSENT);
}

fn one(w: f32, g: f32) -> f32 {
    return select(w * g, 0.0, bitcast<u32>(w) == ABSENT);
}

// factor_backward_x{sx}: every axis periodic in its factor s = out / in (grad_input over
// grad_output, 1 to 4): grad_input s·o + φ takes grad_output o with phase φ's weight
// (p.phases[0], [1], [2]: x, y, z), the ones past s · in none. Thread (q, row block, slice):
// grad_output vec4 q of ROWS rows of one slice, spread over sx vec4s of grad_input (the row a
// multiple of 4 long and exactly sx times the grad_output row) in each of its sy rows of its sz
// slices. The last row block and the last slice also write the rows and slices past the factor's
// (zeros).

// The 4·sx grad_input values of one grad_output vec4 g, weighed along x, as sx vec4s.
struct Cols {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
}

fn spread(g: vec4<f32>, sx: u32) -> Cols {
    let w = p.phases[0];
    let z = vec4<f32>(0.0);
    let a = sel(w.x, g);
    if (sx == 1u) {
        return Cols(a, z, z, z);
    }
    let b = sel(w.y, g);
    if (sx == 2u) {
        return Cols(vec4<f32>(a.x, b.x, a.y, b.y), vec4<f32>(a.z, b.z, a.w, b.w), z, z);
    }
    let c = sel(w.z, g);
    if (sx == 3u) {
        return Cols(vec4<f32>(a.x, b.x, c.x, a.y), vec4<f32>(b.y, c.y, a.z, b.z),
                    vec4<f32>(c.z, a.w, b.w, c.w), z);
    }
    let d = sel(w.w, g);
    return Cols(vec4<f32>(a.x, b.x, c.x, d.x), vec4<f32>(a.y, b.y, c.y, d.y),
                vec4<f32>(a.z, b.z, c.z, d.z), vec4<f32>(a.w, b.w, c.w, d.w));
}

// The sx vec4s of c weighed along y then z, from vec4 `at` of dst4.
fn put(at: u32, c: Cols, sx: u32, wy: f32, wz: f32) {
    dst4[at] = sel(wz, sel(wy, c.a));
    if (sx > 1u) {
        dst4[at + 1u] = sel(wz, sel(wy, c.b));
    }
    if (sx > 2u) {
        dst4[at + 2u] = sel(wz, sel(wy, c.c));
    }
    if (sx > 3u) {
        dst4[at + 3u] = sel(wz, sel(wy, c.d));
    }
}

fn factor(wg: vec3<u32>, lid: u32, sx: u32) {
    let q = wg.x * WG + lid;
    if (4u * q >= p.in_w) {
        return;
    }
    let zo = wg.z % p.in_d;
    let plane = wg.z / p.in_d;
    let sy = p.out_h / p.in_h;
    let sz = p.out_d / p.in_d;
    let r0 = ROWS * wg.y;
    let r1 = min(r0 + ROWS, p.in_h);
    let z0 = sz * zo;
    let z1 = select(z0 + sz, p.out_d, zo + 1u == p.in_d);
    let src = (p.in_offset + (wg.z * p.in_h + r0) * p.in_w) / 4u + q;
    let dst = (p.out_offset + plane * p.out_d * p.out_h * p.out_w) / 4u + sx * q;
    let row4 = p.out_w / 4u;
    let none = bitcast<f32>(ABSENT);
    for (var r = r0; r < r1; r++) {
        let c = spread(src4[src + (r - r0) * (p.in_w / 4u)], sx);
        for (var zi = z0; zi < z1; zi++) {
            let wz = select(p.phases[2][min(zi - z0, 3u)], none, zi - z0 >= sz);
            for (var f = 0u; f < sy; f++) {
                put(dst + (zi * p.out_h + sy * r + f) * row4, c, sx, p.phases[1][f], wz);
            }
        }
    }
    if (r1 == p.in_h) {
        let z = vec4<f32>(0.0);
        for (var zi = z0; zi < z1; zi++) {
            for (var y = sy * p.in_h; y < p.out_h; y++) {
                put(dst + (zi * p.out_h + y) * row4, Cols(z, z, z, z), sx, none, none);
            }
        }
    }
}

@compute @workgroup_size(WG)
fn factor_backward_x1(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    factor(wg, lid, 1u);
}

@compute @workgroup_size(WG)
fn factor_backward_x2(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    factor(wg, lid, 2u);
}

@compute @workgroup_size(WG)
fn factor_backward_x3(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    factor(wg, lid, 3u);
}

@compute @workgroup_size(WG)
fn factor_backward_x4(@builtin(workgroup_id) wg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
    factor(wg, lid, 4u);
}

// direct_backward: any shape with at most one term per input and axis, one grad_input element
// at a time (the row-segment layout of common.wgsl). Per axis a table from p.tab_d / tab_h /
// tab_w: each grad_input index's grad_output index (0 where none), then its weight's bits
// (ABSENT where none).
@compute @workgroup_size(WG)
fn direct_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) {
        return;
    }
    let wz = bitcast<f32>(tab[p.tab_d + p.out_d + r.z]);
    let wy = bitcast<f32>(tab[p.tab_h + p.out_h + r.y]);
    let oz = tab[p.tab_d + r.z];
    let oy = tab[p.tab_h + r.y];
    let row = p.in_offset + ((r.plane * p.in_d + oz) * p.in_h + oy) * p.in_w;
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) {
            break;
        }
        let wx = bitcast<f32>(tab[p.tab_w + p.out_w + x]);
        dst[r.out + x] = one(wz, one(wy, one(wx, src[row + tab[p.tab_w + x]])));
    }
}

// The block backward's loads (block_backward.wgsl has the kernels): the sx vec4s of one
// grad_output row from vec4 `at`, reduced along x to 4 grad_input elements.
fn block_row(at: u32, sx: u32) -> vec4<f32> {
    let z = vec4<f32>(0.0);
    let a = src4[at];
    if (sx == 1u) {
        return block_sum(a, z, z, z, 1u);
    }
    let b = src4[at + 1u];
    if (sx == 2u) {
        return block_sum(a, b, z, z, 2u);
    }
    let c = src4[at + 2u];
    if (sx == 3u) {
        return block_sum(a, b, c, z, 3u);
    }
    return block_sum(a, b, c, src4[at + 3u], 4u);
}
