// PixelShuffle and PixelUnshuffle: a gather. Both move whole planes of r²·h·w elements, held as
// (r², h, w) in the channel-stacked form and as (h·r, w·r) in the spatial form: pixel_shuffle
// reads the first and writes the second, pixel_unshuffle the reverse. The host binds a chunk of
// whole planes per dispatch (src/ops/pixel_shuffle/launch.rs), so indices start at the chunk's
// offsets; a chunk holds at most 2^30 elements, so no index overflows.
//
// Work layout: each workgroup owns WG·STRIP consecutive output elements; its threads walk them
// WG apart, STRIP times, so neighbouring threads write neighbouring addresses. Within a plane,
// an output index has four digits d (d.w fastest) in the radices `radix`, and its input index
// is dot(d, stride):
//   pixel_shuffle:   out[y·r + i, x·r + j] = in[i·r + j, y, x]: d = (y, i, x, j),
//                    radix = (h, r, w, r), stride = (w, r·h·w, 1, h·w);
//   pixel_unshuffle: out[i·r + j, y, x] = in[y·r + i, x·r + j]: d = (i, j, y, x),
//                    radix = (r, r, h, w), stride = (w·r, 1, r·w·r, r).
// A thread divides once to find its first element's digits, then adds the digits of WG
// (`step`, from the host) with carries, moving the input index along: no division per element
// (lavapipe cannot vectorise them).

struct Params {
    count: u32,       // output elements in this chunk (whole planes)
    in_offset: u32,   // element offset of the chunk in the bound input range
    out_offset: u32,  // element offset of the chunk in the bound output range
    plane: u32,       // elements per plane: r·r·h·w
    radix: vec4<u32>,
    stride: vec4<u32>,
    step: vec4<u32>,  // WG = step_plane · plane + the index of the digits `step`
    step_plane: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn gather(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) {
    let e0 = linear_workgroup(wg, nwg) * (WG * STRIP) + lid;
    if (e0 >= p.count) { return; }
    let plane = e0 / p.plane;
    var rest = e0 - plane * p.plane;
    var d: vec4<u32>;
    d.w = rest % p.radix.w;
    rest = rest / p.radix.w;
    d.z = rest % p.radix.z;
    rest = rest / p.radix.z;
    d.y = rest % p.radix.y;
    d.x = rest / p.radix.y;
    var s = p.in_offset + plane * p.plane + dot(d, p.stride);
    // The input index moves by `inc` per step, and back by corr[k] where digit k carries (into
    // the next digit, or the next plane): u32 arithmetic wraps, so "back" may be forward.
    let inc = dot(p.step, p.stride) + p.step_plane * p.plane;
    let corr = p.radix * p.stride - vec4(p.plane, p.stride.xyz);
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e >= p.count) { return; }
        dst[p.out_offset + e] = src[s];
        // d += step: each digit and step digit is below its radix, so one carry at most.
        s += inc;
        d.w += p.step.w;
        var c = select(0u, 1u, d.w >= p.radix.w);
        d.w -= c * p.radix.w;
        s -= c * corr.w;
        d.z += p.step.z + c;
        c = select(0u, 1u, d.z >= p.radix.z);
        d.z -= c * p.radix.z;
        s -= c * corr.z;
        d.y += p.step.y + c;
        c = select(0u, 1u, d.y >= p.radix.y);
        d.y -= c * p.radix.y;
        s -= c * corr.y;
        d.x += p.step.x + c;
        c = select(0u, 1u, d.x >= p.radix.x);
        d.x -= c * p.radix.x;
        s -= c * corr.x;
    }
}

@compute @workgroup_size(WG)
fn pixel_shuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    gather(wg, nwg, lid);
}

@compute @workgroup_size(WG)
fn pixel_unshuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    gather(wg, nwg, lid);
}
