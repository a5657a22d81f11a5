// torch.optim.SGD, single-tensor path (_single_tensor_sgd), one element per thread, updating the
// parameter (and the momentum buffer) in place. Every f32 operation is the one PyTorch's
// vectorised CPU kernels do, in their order: `a.add(b, alpha=s)` is a fused multiply-add
// fma(b, s, a) (correctly rounded: `fma_exact`, shaders/optim/exact.wgsl), `a.mul_(s)` a rounded
// product. The scalars come from the host, rounded to f32 as PyTorch rounds them
// (src/ops/optim/sgd.rs). The host binds one chunk of at most one storage binding per dispatch,
// so indices start at the chunk's offset (the same in every bound range).

struct Params {
    count: u32,         // elements in this chunk
    offset: u32,        // element offset of the chunk in each bound range
    maximize: u32,      // 1: the gradient is negated
    has_weight_decay: u32, // 1: weight_decay != 0 (PyTorch skips the add when it is 0)
    nesterov: u32,      // 1: nesterov momentum
    first: u32,         // 1: the momentum buffer is created (a copy of the gradient)
    zero: u32,          // 0 (see `opaque` in shaders/optim/exact.wgsl)
    _pad1: u32,
    weight_decay: f32,  // f32(weight_decay)
    momentum: f32,      // f32(momentum)
    one_minus_dampening: f32, // f32(1 - dampening), computed in f64
    neg_lr: f32,        // f32(-lr)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;

// The gradient PyTorch steps with before momentum: maximize, then weight decay.
fn effective_grad(i: u32) -> f32 {
    var g = grad[i];
    if (p.maximize != 0u) { g = -g; }
    if (p.has_weight_decay != 0u) { g = fma_exact(param[i], p.weight_decay, g); }
    return g;
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    let e = linear_workgroup(wg, nwg) * WG + lid;
    if (e >= p.count) { return; }
    let i = p.offset + e;
    let g = effective_grad(i);
    param[i] = fma_exact(g, p.neg_lr, param[i]);
}

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let e = linear_workgroup(wg, nwg) * WG + lid;
    if (e >= p.count) { return; }
    let i = p.offset + e;
    var g = effective_grad(i);
    var b: f32;
    if (p.first != 0u) {
        b = g;
    } else {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        b = fma_exact(g, p.one_minus_dampening, opaque(buf[i] * p.momentum));
    }
    buf[i] = b;
    if (p.nesterov != 0u) {
        g = fma_exact(b, p.momentum, g);
    } else {
        g = b;
    }
    param[i] = fma_exact(g, p.neg_lr, param[i]);
}
