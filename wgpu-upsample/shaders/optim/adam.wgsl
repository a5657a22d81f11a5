// torch.optim.Adam / AdamW, single-tensor non-capturable path (_single_tensor_adam), one element
// per thread, updating the parameter and the moments in place. Every f32 operation is the one
// PyTorch's vectorised CPU kernels do, in their order:
//   grad = -grad (maximize);
//   grad = fma(param, wd, grad) (L2)  or  param = param · (1 - lr·wd) (AdamW);
//   exp_avg.lerp_(grad, w):  |w| < 0.5 ? fma(w, grad - m, m) : fma(w - 1, grad - m, grad);
//   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2):  fma((1 - b2)·g, g, v·b2);
//   (amsgrad: max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq), NaN-propagating;)
//   denom = sqrt(v) / bias_correction2_sqrt + eps;
//   param.addcdiv_(exp_avg, denom, value=-step_size):  param + (-step_size · m) / denom,
// each fma correctly rounded (`fma_exact`, shaders/optim/exact.wgsl). The step-dependent scalars
// come from the host, computed in f64 and rounded to f32 as PyTorch does
// (src/ops/optim/adam.rs). Every rounded intermediate goes through `opaque` so that no shader
// compiler fuses or reassociates it.

struct Params {
    count: u32,          // elements in this chunk
    offset: u32,         // element offset of the chunk in each bound range
    maximize: u32,       // 1: the gradient is negated
    weight_decay_mode: u32, // 0: none, 1: L2 (Adam), 2: decoupled (AdamW)
    zero: u32,           // 0 (see `opaque`)
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    weight_decay: f32,   // f32(weight_decay)
    decay_factor: f32,   // f32(1 - lr * weight_decay), computed in f64
    lerp_weight: f32,    // f32(1 - beta1), computed in f64
    beta2: f32,          // f32(beta2)
    one_minus_beta2: f32, // f32(1 - beta2), computed in f64
    bias_correction2_sqrt: f32, // f32((1 - beta2**step) ** 0.5), computed in f64
    eps: f32,            // f32(eps)
    neg_step_size: f32,  // f32(-(lr / (1 - beta1**step))), computed in f64
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(5) var<storage, read_write> max_exp_avg_sq: array<f32>;

// torch.maximum: NaN if either is NaN.
fn maximum(a: f32, b: f32) -> f32 {
    if (a != a) { return a; }
    if (b != b) { return b; }
    return max(a, b);
}

struct Moments {
    param: f32,
    m: f32,
    v: f32,
}

// Everything up to the second moment: the (decayed) parameter and both moments.
fn moments(i: u32) -> Moments {
    var g = grad[i];
    var x = param[i];
    if (p.maximize != 0u) { g = -g; }
    if (p.weight_decay_mode == 1u) {
        g = fma_exact(x, p.weight_decay, g);
    } else if (p.weight_decay_mode == 2u) {
        x = opaque(x * p.decay_factor);
    }
    let m0 = exp_avg[i];
    let w = p.lerp_weight;
    var m: f32;
    if (abs(w) < 0.5) {
        m = fma_exact(w, opaque(g - m0), m0);
    } else {
        m = fma_exact(w - 1.0, opaque(g - m0), g);
    }
    let v = fma_exact(opaque(p.one_minus_beta2 * g), g, opaque(exp_avg_sq[i] * p.beta2));
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    return Moments(x, m, v);
}

fn update(x: f32, m: f32, v: f32) -> f32 {
    let denom = opaque(opaque(sqrt(v)) / p.bias_correction2_sqrt) + p.eps;
    return x + opaque(opaque(p.neg_step_size * m) / denom);
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let e = linear_workgroup(wg, nwg) * WG + lid;
    if (e >= p.count) { return; }
    let i = p.offset + e;
    let s = moments(i);
    param[i] = update(s.param, s.m, s.v);
}

@compute @workgroup_size(WG)
fn adam_amsgrad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let e = linear_workgroup(wg, nwg) * WG + lid;
    if (e >= p.count) { return; }
    let i = p.offset + e;
    let s = moments(i);
    let vmax = maximum(max_exp_avg_sq[i], s.v);
    max_exp_avg_sq[i] = vmax;
    param[i] = update(s.param, s.m, vmax);
}
