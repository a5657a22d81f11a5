// Integer factors along w with vec4 loads and stores: nearest and nearest-exact (and area where
// every window holds one input, which is the same) scaled up ×SX (output x reads input x / SX),
// nearest down ×2 (output x reads input 2x + p.taps), area down ×2 (the mean of inputs 2x, 2x+1).
// The host checks PyTorch's taps against these patterns (src/ops/upsample/factor.rs). Along h
// and d each output row reads the input rows the host's table gives (`rows_tab`, a uniform array:
// lavapipe reads a storage buffer lane by lane even at a uniform address): nearest one source
// index per output index, area a window [start, end) as two words.
//
// Work layout: each workgroup owns one segment of one output row (p.segs segments per row); a
// thread takes one "unit" of it: up, the 4 inputs 4q .. 4q+3 → outputs 4·SX·q .. (SX vec4
// stores); down, the 4 outputs 4q .. 4q+3 ← inputs 8q .. 8q+7 (two vec4 loads per input row).
// On lavapipe each load or store is a loop over the SIMD lanes whatever its width, so the cost is
// the number of memory operations: up 1 + SX per SX output vec4s.

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// h's words from 0, d's from p.tab_d.
@group(0) @binding(7) var<uniform> rows_tab: array<vec4<u32>, YZ_WEIGHTS>;

fn row_word(i: u32) -> u32 {
    return rows_tab[i / 4u][i % 4u];
}

struct Unit {
    valid: bool,
    plane: u32,
    z: u32,
    y: u32,
    q: u32,
    out: u32,   // vec4 index in dst4 of (plane, z, y, 0)
}

// `units`: units per output row.
fn unit_of(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, units: u32) -> Unit {
    let w = linear_workgroup(wg, nwg);
    let row = w / p.segs;
    let seg = w - row * p.segs;
    let q = seg * WG + lid;
    let y = row % p.out_h;
    let t = row / p.out_h;
    return Unit(row < p.rows && q < units, t / p.out_d, t % p.out_d, y, q,
                (p.out_offset + row * p.out_w) / 4u);
}

// vec4 index in src4 of input row (plane, z, y).
fn in_row(plane: u32, z: u32, y: u32) -> u32 {
    return (p.in_offset + ((plane * p.in_d + z) * p.in_h + y) * p.in_w) / 4u;
}

fn nearest_up(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, SX: u32) {
    let u = unit_of(wg, nwg, lid, p.in_w / 4u);
    if (!u.valid) { return; }
    let v = src4[in_row(u.plane, row_word(p.tab_d + u.z), row_word(u.y)) + u.q];
    let out = u.out + SX * u.q;
    for (var k = 0u; k < SX; k++) {
        let o = 4u * k;
        dst4[out + k] = vec4<f32>(v[o / SX], v[(o + 1u) / SX], v[(o + 2u) / SX],
                                  v[(o + 3u) / SX]);
    }
}

@compute @workgroup_size(WG)
fn nearest_up_x1(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 1u);
}

@compute @workgroup_size(WG)
fn nearest_up_x2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 2u);
}

@compute @workgroup_size(WG)
fn nearest_up_x3(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 3u);
}

@compute @workgroup_size(WG)
fn nearest_up_x4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 4u);
}

@compute @workgroup_size(WG)
fn nearest_up_x5(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 5u);
}

@compute @workgroup_size(WG)
fn nearest_up_x6(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 6u);
}

@compute @workgroup_size(WG)
fn nearest_up_x7(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 7u);
}

@compute @workgroup_size(WG)
fn nearest_up_x8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    nearest_up(wg, nwg, lid, 8u);
}

// Output x reads input 2x + p.taps (0 or 1).
@compute @workgroup_size(WG)
fn nearest_down_x2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let u = unit_of(wg, nwg, lid, p.out_w / 4u);
    if (!u.valid) { return; }
    let at = in_row(u.plane, row_word(p.tab_d + u.z), row_word(u.y)) + 2u * u.q;
    let v0 = src4[at];
    let v1 = src4[at + 1u];
    dst4[u.out + u.q] = select(vec4<f32>(v0.xz, v1.xz), vec4<f32>(v0.yw, v1.yw), p.taps == 1u);
}

// The mean of inputs 2x, 2x+1 of the window's rows: summed from 0 over z, then y, then x in
// order, divided by kd, kh, kw, as `area.wgsl` (PyTorch's adaptive average pooling).
@compute @workgroup_size(WG)
fn area_down_x2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let u = unit_of(wg, nwg, lid, p.out_w / 4u);
    if (!u.valid) { return; }
    let z0 = row_word(p.tab_d + 2u * u.z);
    let z1 = row_word(p.tab_d + 2u * u.z + 1u);
    let y0 = row_word(2u * u.y);
    let y1 = row_word(2u * u.y + 1u);
    var sum = vec4<f32>(0.0);
    for (var z = z0; z < z1; z++) {
        for (var y = y0; y < y1; y++) {
            let at = in_row(u.plane, z, y) + 2u * u.q;
            let v0 = src4[at];
            let v1 = src4[at + 1u];
            sum += vec4<f32>(v0.xz, v1.xz);
            sum += vec4<f32>(v0.yw, v1.yw);
        }
    }
    dst4[u.out + u.q] = sum / f32(z1 - z0) / f32(y1 - y0) / 2.0;
}

// linear (3-D) and bilinear (4-D) ×½ along w: output x reads inputs 2x and 2x + 1 with the same
// weights everywhere (p.phases[0] and [1], checked on the host); rows: per output row, words
// 4y .. 4y+3 of the table are PyTorch's i0, i1, h0, h1 (p.taps = 1: no h axis, the row itself).
@compute @workgroup_size(WG)
fn linear_down_x2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let u = unit_of(wg, nwg, lid, p.out_w / 4u);
    if (!u.valid) { return; }
    let t = 4u * u.y;
    let at0 = in_row(u.plane, 0u, row_word(t)) + 2u * u.q;
    let a0 = src4[at0];
    let a1 = src4[at0 + 1u];
    let x0 = p.phases[0] * vec4<f32>(a0.xz, a1.xz) + p.phases[1] * vec4<f32>(a0.yw, a1.yw);
    if (p.taps == 1u) {
        dst4[u.out + u.q] = x0;
        return;
    }
    let at1 = in_row(u.plane, 0u, row_word(t + 1u)) + 2u * u.q;
    let b0 = src4[at1];
    let b1 = src4[at1 + 1u];
    let x1 = p.phases[0] * vec4<f32>(b0.xz, b1.xz) + p.phases[1] * vec4<f32>(b0.yw, b1.yw);
    let h0 = bitcast<f32>(row_word(t + 2u));
    let h1 = bitcast<f32>(row_word(t + 3u));
    dst4[u.out + u.q] = h0 * x0 + h1 * x1;
}
