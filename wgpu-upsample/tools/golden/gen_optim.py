"""Golden data for the optimizers (src/ops/optim): torch.optim.SGD / Adam / AdamW, single-tensor
(foreach=False) path, float32 on the CPU.

One parameter of N elements (N a multiple of 64, so that every element goes through PyTorch's
vectorised CPU kernels, not their scalar tails), a fixed seeded sequence of gradients, and for
each option combination the parameter after every step and the optimizer state after the last;
and the ValueError messages of bad options.

    /tmp/torch/bin/python tools/golden/gen_optim.py > tests/fixtures/optim_golden.json
"""

import json

import numpy as np
import torch

N = 64
STEPS = 6
# Per-step gradient scales: large then small steps, so amsgrad's running maximum matters.
SCALES = [1.0, 3.0, 0.5, 2.0, 0.1, 1.0]


def f32(values):
    # Shortest decimal that round-trips to the same float32.
    return [float(repr(np.float32(v)).replace("np.float32(", "").rstrip(")")) for v in values]


def run(make, param0, grads, state_keys):
    p = torch.nn.Parameter(param0.clone())
    opt = make([p])
    params = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        params.append(f32(p.detach().numpy().ravel()))
    st = opt.state[p]
    state = {}
    for k in state_keys:
        v = st[k]
        state[k] = float(v.item()) if k == "step" else f32(v.detach().numpy().ravel())
    return params, state


def main():
    gen = torch.Generator().manual_seed(20261129)
    param0 = torch.randn(N, generator=gen, dtype=torch.float32)
    grads = [torch.randn(N, generator=gen, dtype=torch.float32) * s for s in SCALES]
    cases = []

    sgd = [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, dampening=0.3),
        dict(lr=0.05, momentum=0.8, nesterov=True),
        dict(lr=0.03, momentum=0.9, weight_decay=0.01),
        dict(lr=0.07, momentum=0.5, dampening=0.1, weight_decay=0.2, maximize=True),
        dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True),
    ]
    for o in sgd:
        keys = ["momentum_buffer"] if o.get("momentum", 0) != 0 else []
        params, state = run(lambda ps: torch.optim.SGD(ps, foreach=False, **o), param0, grads, keys)
        cases.append(dict(optimizer="SGD", options=o, params=params, state=state))

    adam = [
        ("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.003, betas=(0.8, 0.99), eps=1e-6)),
        ("Adam", dict(lr=0.01, amsgrad=True)),
        ("Adam", dict(lr=0.02, weight_decay=0.1)),
        ("Adam", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.05, amsgrad=True, maximize=True)),
        ("Adam", dict(lr=0.1, betas=(0.95, 0.999), eps=1e-3, maximize=True)),
        ("AdamW", dict(lr=0.01)),
        ("AdamW", dict(lr=0.05, betas=(0.7, 0.95), weight_decay=0.3, amsgrad=True, maximize=True)),
    ]
    for name, o in adam:
        cls = getattr(torch.optim, name)
        keys = ["step", "exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if o.get("amsgrad") else [])
        params, state = run(lambda ps: cls(ps, foreach=False, **o), param0, grads, keys)
        oo = dict(o)
        if "betas" in oo:
            oo["betas"] = list(oo["betas"])
        cases.append(dict(optimizer=name, options=oo, params=params, state=state))

    errors = []
    def err(make):
        try:
            make([torch.nn.Parameter(torch.zeros(2))])
        except (ValueError, RuntimeError) as e:
            return type(e).__name__, str(e)
        raise AssertionError("no error")

    for o in [
        dict(lr=-0.1),
        dict(lr=0.1, momentum=-0.5),
        dict(lr=0.1, weight_decay=-1.0),
        dict(lr=0.1, nesterov=True),
        dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    ]:
        t, m = err(lambda ps: torch.optim.SGD(ps, **o))
        errors.append(dict(optimizer="SGD", options=o, type=t, message=m))
    for name in ["Adam", "AdamW"]:
        for o in [
            dict(lr=-0.001),
            dict(eps=-1e-8),
            dict(betas=(1.0, 0.999)),
            dict(betas=(-0.1, 0.999)),
            dict(betas=(0.9, 1.0)),
            dict(betas=(0.9, -0.5)),
            dict(weight_decay=-0.01),
        ]:
            t, m = err(lambda ps: getattr(torch.optim, name)(ps, **o))
            oo = dict(o)
            if "betas" in oo:
                oo["betas"] = list(oo["betas"])
            errors.append(dict(optimizer=name, options=oo, type=t, message=m))

    out = dict(
        torch_version=torch.__version__,
        # PyTorch's CPU float32 sqrt goes through MKL's VML when MKL is present: not correctly
        # rounded (1 ulp off in ~15 % of elements), hence the Adam tolerance in tests/optim.rs.
        mkl=torch.backends.mkl.is_available(),
        numel=N,
        param0=f32(param0.numpy()),
        grads=[f32(g.numpy()) for g in grads],
        cases=cases,
        errors=errors,
    )
    print(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()
