// MSELoss: the sum of (pred - target)² in a fixed order, without atomics, then its gradient.
//
// mse_partials: workgroup w sums the squared differences of its BLOCK = WG·STRIP consecutive
//   elements: each thread adds its STRIP elements (WG apart) in order, then the workgroup adds
//   the WG thread sums as a binary tree; the sum goes to out[p.out_offset + w].
// sum_partials: the same blocked sum of `count` values of `src` (the partial sums of the pass
//   before), divided by `divisor` (1 but for the last pass of a mean: the element count).
// The host repeats sum_partials until one value remains (src/ops/loss/launch.rs), so the order of
// every addition is fixed by the element count: bitwise-repeatable, with an error that grows
// with STRIP + log2(WG) per pass and a few passes, not with the element count.
// mse_backward: grad = norm · (pred - target) · grad_loss, PyTorch's order (norm = 2/N or 2).

struct Params {
    count: u32,       // elements (or partial sums) in this chunk
    offset: u32,      // element offset of the chunk in the bound input windows
    out_offset: u32,  // mse_partials: index of this chunk's first partial; mse_backward: the
                      // chunk's element offset in the bound gradient window
    _pad0: u32,
    divisor: f32,     // sum_partials: the sum is divided by it
    norm: f32,        // mse_backward: 2/N (mean) or 2 (sum)
    grad_loss: f32,   // mse_backward: the loss's gradient
    empty_sum: f32,   // sum_partials: what a count of 0 writes (0 for a sum, NaN for a mean)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;

var<workgroup> tree: array<f32, WG>;

// Adds the WG values of `tree` (thread lid's is `v`) as a binary tree; thread 0 returns the sum.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
    tree[lid] = v;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half = half / 2u) {
        if (lid < half) {
            tree[lid] = tree[lid] + tree[lid + half];
        }
        workgroupBarrier();
    }
    return tree[0];
}

@compute @workgroup_size(WG)
fn mse_partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    // Every thread of a workgroup reaches the barriers: a workgroup past the end sums nothing
    // and writes nothing.
    let e0 = w * (WG * STRIP) + lid;
    var acc = 0.0;
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e < p.count) {
            let d = pred[p.offset + e] - tgt[p.offset + e];
            acc = acc + d * d;
        }
    }
    let total = workgroup_sum(lid, acc);
    if (lid == 0u && w * (WG * STRIP) < p.count) {
        out[p.out_offset + w] = total;
    }
}

@compute @workgroup_size(WG)
fn sum_partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let e0 = w * (WG * STRIP) + lid;
    var acc = 0.0;
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e < p.count) {
            acc = acc + src[p.offset + e];
        }
    }
    let total = workgroup_sum(lid, acc);
    if (lid == 0u && w * (WG * STRIP) < p.count) {
        out[p.out_offset + w] = total / p.divisor;
    }
    // No elements (an empty input): PyTorch's empty sum, 0, or its empty mean, 0/0 = NaN (from
    // the host: a division by 0 need not give NaN on every device).
    if (lid == 0u && w == 0u && p.count == 0u) {
        out[p.out_offset] = p.empty_sum;
    }
}

@compute @workgroup_size(WG)
fn mse_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let e0 = linear_workgroup(wg, nwg) * (WG * STRIP) + lid;
    for (var k = 0u; k < STRIP; k++) {
        let e = e0 + k * WG;
        if (e >= p.count) { return; }
        let d = pred[p.offset + e] - tgt[p.offset + e];
        out[p.out_offset + e] = p.norm * d * p.grad_loss;
    }
}
