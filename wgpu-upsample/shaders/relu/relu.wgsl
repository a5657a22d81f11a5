// ReLU forward and backward, on the bits of each value, so that the result is PyTorch's exactly
// whatever the device does with subnormals (flush to zero) or NaN payloads:
//   relu(x)         = x < 0 ? +0.0 : x   (NaN and -0.0 pass through; PyTorch's clamp_min)
//   relu'(x, g)     = x <= 0 ? +0.0 : g  (PyTorch's threshold_backward on the result: a NaN x
//                                         passes g, x = ±0 gives 0, and a NaN g at x <= 0 is 0)
// As bits: x < 0 (not NaN, not -0.0) is 0x80000000 < b <= 0xff800000 (-inf); x <= 0 adds b = 0
// and b = 0x80000000.
//
// Work layout: each workgroup owns WG·STRIP consecutive elements; its threads walk them WG apart,
// so neighbouring threads touch neighbouring addresses. The host binds one chunk of at most one
// storage binding per dispatch (src/ops/relu/launch.rs); `offset` is the chunk's first element in
// every bound window (all windows start at the same element, so at the same offset).

struct Params {
    count: u32,   // elements in this chunk
    offset: u32,  // element offset of the chunk in each bound window
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> grad_output: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

fn is_negative(b: u32) -> bool {
    return b > 0x80000000u && b <= 0xff800000u;
}

@compute @workgroup_size(WG)
fn relu_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let e0 = linear_workgroup(wg, nwg) * (WG * STRIP) + lid;
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e >= p.count) { return; }
        let b = x[p.offset + e];
        dst[p.offset + e] = select(b, 0u, is_negative(b));
    }
}

@compute @workgroup_size(WG)
fn relu_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let e0 = linear_workgroup(wg, nwg) * (WG * STRIP) + lid;
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e >= p.count) { return; }
        let b = x[p.offset + e];
        let blocked = b == 0u || b == 0x80000000u || is_negative(b);
        dst[p.offset + e] = select(grad_output[p.offset + e], 0u, blocked);
    }
}
