#!/usr/bin/env python3
"""Golden data for nn.ReLU (forward and autograd backward) and nn.MSELoss (reduction 'mean' and
'sum', loss and autograd gradient), from PyTorch.

How to run (from wgpu-upsample/):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy   # once
    /tmp/torch/bin/python tools/golden/gen_relu_mse.py

ReLU cases: float32 inputs of several shapes (a 0-d tensor, odd sizes, an empty one) drawn from
generators seeded from the case name, and one case of special values (NaN, ±inf, ±0, ±subnormals,
±FLT_MAX) against grad_output values that are themselves NaN/inf where the gradient is blocked;
grad_input from autograd (y.backward(grad_output)).
MSELoss cases: pred and target in multiples of 1/64 (short decimals, so the file stays small),
several shapes (one over 1024 elements: more than one workgroup's block), grad_loss 1 and
others, NaN and infinities, empty inputs; the loss and pred.grad from autograd
(loss.backward(grad_loss)).
Writes tests/fixtures/relu_mse_golden.json (compact JSON, one case per line), deterministically.

Format: {"torch_version", "generator", "relu": [{name, shape, input, output, grad_output,
grad_input}], "mse": [{name, reduction, shape, pred, target, grad_loss, loss, grad}]}. Values
are float32 written in their shortest round-trip form (-0.0 kept); non-finite ones as the strings
"nan", "inf", "-inf".
"""
import json
import math
import os
import zlib

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "relu_mse_golden.json")

torch.set_num_threads(1)


def num(v):
    """A float32 as JSON: its shortest round-trip decimal (checked to read back through f64)."""
    v = np.float32(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return -0.0 if np.signbit(v) else 0
    if abs(v) >= 1e-4:
        s = np.format_float_positional(v, unique=True, trim="-")
    else:
        s = np.format_float_scientific(v, unique=True, trim="-")
    x = float(s)
    assert np.float32(x).tobytes() == v.tobytes(), (v, s)
    return x if x != int(x) or abs(x) >= 1e15 else int(x)


def nums(t):
    return [num(v) for v in t.detach().reshape(-1).numpy()]


def gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def relu_case(name, x, g):
    x = x.clone().requires_grad_(True)
    y = torch.relu(x)
    y.backward(g)
    return {
        "name": name,
        "shape": list(x.shape),
        "input": nums(x),
        "output": nums(y),
        "grad_output": nums(g),
        "grad_input": nums(x.grad),
    }


def relu_cases():
    cases = []
    for name, shape in [("scalar", []), ("vec7", [7]), ("4d", [2, 3, 4, 5]),
                        ("odd", [1, 3, 7, 9]), ("empty", [0, 3])]:
        x = torch.randn(shape, generator=gen("relu " + name))
        g = torch.randn(shape, generator=gen("relu grad " + name))
        cases.append(relu_case(name, x, g))
    tiny = float(np.float32(1e-45))
    big = float(np.finfo(np.float32).max)
    special = [math.nan, 0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, tiny, -tiny, 1e-39, -1e-39,
               big, -big, 2.5, -2.5, math.nan, 0.0, -0.0, -3.0, 4.0]
    grads = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, math.nan,
             math.nan, math.inf, math.inf, -math.inf, -math.inf, -math.inf]
    cases.append(relu_case("special", torch.tensor(special, dtype=torch.float32),
                           torch.tensor(grads, dtype=torch.float32)))
    return cases


def mse_case(name, reduction, pred, target, grad_loss):
    p = pred.clone().requires_grad_(True)
    loss = torch.nn.MSELoss(reduction=reduction)(p, target)
    loss.backward(torch.tensor(grad_loss, dtype=torch.float32))
    return {
        "name": name,
        "reduction": reduction,
        "shape": list(p.shape),
        "pred": nums(p),
        "target": nums(target),
        "grad_loss": num(grad_loss),
        "loss": num(loss.item()),
        "grad": nums(p.grad),
    }


def sixty_fourths(name, shape):
    return torch.randint(-256, 257, shape, generator=gen(name)).to(torch.float32) / 64


def mse_cases():
    cases = []
    for name, shape, grad_loss in [("vec7", [7], 1.0), ("2d", [3, 5], 0.5),
                                   ("4d", [2, 3, 4, 5], 1.0), ("odd", [1, 3, 7, 5], -3.0),
                                   ("scalar", [], 1.0), ("blocks", [1027], 1.0)]:
        for reduction in ["mean", "sum"]:
            n = f"{name} {reduction}"
            cases.append(mse_case(n, reduction, sixty_fourths("mse pred " + n, shape),
                                  sixty_fourths("mse target " + n, shape), grad_loss))
    nan, inf = math.nan, math.inf
    for name, p, t in [
        ("nan pred", [1.0, nan, 2.0, 0.5], [0.0, 1.0, 1.0, 0.5]),
        ("nan target", [1.0, 2.0, 3.0], [0.0, nan, 1.0]),
        ("inf minus inf", [inf, 2.0, -1.0], [inf, 1.0, 0.0]),
        ("inf pred", [inf, 2.0, -1.0], [0.0, 1.0, 0.0]),
        ("-inf target", [1.0, 2.0], [-inf, 1.0]),
        ("overflowing square", [3e38, 1.0], [-3e38, 0.0]),
    ]:
        for reduction in ["mean", "sum"]:
            cases.append(mse_case(f"{name} {reduction}", reduction,
                                  torch.tensor(p, dtype=torch.float32),
                                  torch.tensor(t, dtype=torch.float32), 1.0))
    for shape in [[0], [2, 0]]:
        for reduction in ["mean", "sum"]:
            z = torch.zeros(shape)
            cases.append(mse_case(f"empty {shape} {reduction}", reduction, z, z.clone(), 1.0))
    return cases


def main():
    out = {
        "torch_version": torch.__version__,
        "generator": "tools/golden/gen_relu_mse.py",
        "relu": relu_cases(),
        "mse": mse_cases(),
    }
    lines = ["{"]
    lines.append(f'"torch_version": {json.dumps(out["torch_version"])},')
    lines.append(f'"generator": {json.dumps(out["generator"])},')
    for key in ["relu", "mse"]:
        lines.append(f'"{key}": [')
        items = [json.dumps(c, separators=(",", ":")) for c in out[key]]
        lines.append(",\n".join(items))
        lines.append("]," if key == "relu" else "]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    with open(OUT_PATH, "w") as f:
        f.write(text)
    print(f"wrote {OUT_PATH}: {len(out['relu'])} relu, {len(out['mse'])} mse cases, "
          f"{len(text)} bytes")


if __name__ == "__main__":
    main()
