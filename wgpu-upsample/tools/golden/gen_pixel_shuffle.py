#!/usr/bin/env python3
"""Golden data for PixelShuffle and PixelUnshuffle (forward and autograd backward), from PyTorch.

How to run (from wgpu-upsample/):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy   # once
    /tmp/torch/bin/python tools/golden/gen_pixel_shuffle.py

Cases: F.pixel_shuffle and F.pixel_unshuffle on inputs of 3 to 6 dimensions, factors 1 to 4,
odd sizes; each with a float32 input and grad_output drawn from generators seeded from the case
name, the output, and grad_input from autograd (y.backward(grad_output)). Two cases hold NaN and
infinities. Empty inputs: shapes only (PyTorch's CPU pixel_unshuffle returns its input's shape
for an empty input and its backward then fails, so those output shapes come from the meta
device). Errors: the exception type and message PyTorch gives for bad inputs and factors.
Writes tests/fixtures/pixel_shuffle_golden.json (compact JSON, one case per line),
deterministically.

Format: {"torch_version", "generator", "notes", "cases": [{name, op, factor, input_shape,
output_shape, input, output, grad_output, grad_input}], "empty": [{name, op, factor,
input_shape, output_shape, device}], "errors": [{name, op, factor, input_shape, error_type,
message}]}. Values are float32 written in their shortest round-trip form; non-finite ones as the
strings "nan", "inf", "-inf".
"""
import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "pixel_shuffle_golden.json")

torch.set_num_threads(1)

OPS = {"pixel_shuffle": F.pixel_shuffle, "pixel_unshuffle": F.pixel_unshuffle}


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
    assert np.float32(x) == v and np.float32(x).tobytes() == v.tobytes(), (v, s)
    return x if x != int(x) or abs(x) >= 1e15 else int(x)


def values(name, shape):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    return torch.randn(*shape, generator=g, dtype=torch.float32)


def case(op, factor, shape, special=False):
    name = f"{op}_r{factor}_{'x'.join(map(str, shape))}" + ("_nonfinite" if special else "")
    x = values("input " + name, shape)
    if special:
        flat = x.view(-1)
        for k, v in zip(range(0, flat.numel(), 5), [math.nan, math.inf, -math.inf, -0.0]):
            flat[k] = v
    x.requires_grad_(True)
    y = OPS[op](x, factor)
    grad = values("grad " + name, y.shape)
    if special:
        grad.view(-1)[1::7] = math.inf
        grad.view(-1)[2::7] = math.nan
    y.backward(grad)
    return {
        "name": name,
        "op": op,
        "factor": factor,
        "input_shape": list(shape),
        "output_shape": list(y.shape),
        "input": [num(v) for v in x.detach().flatten().tolist()],
        "output": [num(v) for v in y.detach().flatten().tolist()],
        "grad_output": [num(v) for v in grad.flatten().tolist()],
        "grad_input": [num(v) for v in x.grad.flatten().tolist()],
    }


def empty(op, factor, shape):
    name = f"empty_{op}_r{factor}_{'x'.join(map(str, shape))}"
    y_cpu = OPS[op](torch.zeros(shape), factor)
    y_meta = OPS[op](torch.zeros(shape, device="meta"), factor)
    # PyTorch's CPU kernel returns an empty input as it is (right for pixel_shuffle's shapes
    # only); the meta device gives the shape the definition gives.
    device = "cpu" if y_cpu.shape == y_meta.shape else "meta"
    return {"name": name, "op": op, "factor": factor, "input_shape": list(shape),
            "output_shape": list(y_meta.shape), "device": device}


def error(op, factor, shape):
    name = f"error_{op}_r{factor}_{'x'.join(map(str, shape))}"
    try:
        OPS[op](torch.zeros(shape), factor)
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        return {"name": name, "op": op, "factor": factor, "input_shape": list(shape),
                "error_type": type(e).__name__, "message": str(e)}
    raise AssertionError(f"{name}: PyTorch accepted it")


def main():
    cases = []
    # pixel_shuffle: (*, C·r², H, W), ranks 3 to 6, factors 1 to 4, odd sizes.
    for r, shape in [
        (1, (3, 5, 7)),
        (2, (4, 3, 5)),
        (2, (12, 1, 1)),
        (3, (9, 2, 3)),
        (4, (16, 3, 1)),
        (1, (2, 3, 2, 5)),
        (2, (1, 8, 3, 3)),
        (2, (3, 4, 5, 1)),
        (3, (2, 18, 1, 3)),
        (4, (1, 32, 2, 1)),
        (2, (2, 1, 8, 3, 2)),
        (3, (1, 2, 9, 1, 2)),
        (2, (2, 3, 1, 4, 3, 1)),
    ]:
        assert shape[-3] % (r * r) == 0
        cases.append(case("pixel_shuffle", r, shape))
    # pixel_unshuffle: (*, C, H·r, W·r).
    for r, shape in [
        (1, (3, 5, 7)),
        (2, (1, 6, 10)),
        (3, (2, 3, 9)),
        (4, (1, 4, 8)),
        (2, (2, 3, 2, 6)),
        (3, (1, 2, 6, 3)),
        (4, (1, 1, 8, 4)),
        (1, (2, 2, 3, 3)),
        (2, (1, 2, 3, 4, 2)),
        (3, (2, 1, 1, 3, 6)),
        (2, (1, 2, 1, 2, 4, 2)),
    ]:
        assert shape[-2] % r == 0 and shape[-1] % r == 0
        cases.append(case("pixel_unshuffle", r, shape))
    cases.append(case("pixel_shuffle", 2, (1, 8, 3, 3), special=True))
    cases.append(case("pixel_unshuffle", 2, (2, 1, 4, 6), special=True))

    empties = [
        empty("pixel_shuffle", 2, (0, 4, 2, 2)),
        empty("pixel_shuffle", 2, (1, 0, 2, 2)),
        empty("pixel_shuffle", 3, (4, 9, 0, 2)),
        empty("pixel_shuffle", 2, (4, 0, 3)),
        empty("pixel_unshuffle", 2, (0, 1, 4, 4)),
        empty("pixel_unshuffle", 2, (1, 0, 4, 6)),
        empty("pixel_unshuffle", 3, (2, 1, 0, 3)),
    ]

    big = 3037000499  # the largest factor whose square fits int64
    errors = [
        error("pixel_shuffle", 2, ()),
        error("pixel_shuffle", 2, (4,)),
        error("pixel_shuffle", 2, (4, 4)),
        error("pixel_shuffle", 0, (4, 4)),
        error("pixel_shuffle", 0, (1, 4, 2, 2)),
        error("pixel_shuffle", 2, (1, 5, 2, 2)),
        error("pixel_shuffle", 3, (2, 3, 3, 3)),
        error("pixel_shuffle", 2, (6, 1, 1)),
        error("pixel_shuffle", 3, (0, 1, 1, 1)),
        error("pixel_shuffle", big, (1, 5, 2, 2)),
        error("pixel_shuffle", big + 1, (1, 5, 2, 2)),
        error("pixel_shuffle", big + 1, (0, 4, 2, 2)),
        error("pixel_shuffle", 2**32, (1, 4, 2, 2)),
        error("pixel_unshuffle", 2, ()),
        error("pixel_unshuffle", 2, (4, 4)),
        error("pixel_unshuffle", 0, (4, 4)),
        error("pixel_unshuffle", 0, (1, 4, 2, 2)),
        error("pixel_unshuffle", 2, (1, 4, 3, 2)),
        error("pixel_unshuffle", 2, (1, 4, 2, 3)),
        error("pixel_unshuffle", 2, (1, 4, 3, 3)),
        error("pixel_unshuffle", 3, (2, 1, 2, 6, 7)),
        error("pixel_unshuffle", 2**32, (1, 4, 2, 2)),
    ]

    doc = {
        "torch_version": torch.__version__,
        "generator": "tools/golden/gen_pixel_shuffle.py",
        "notes": "float32 values; grad_input from autograd of y.backward(grad_output); empty "
                 "output shapes from the meta device where PyTorch's CPU kernel returns the "
                 "input's shape",
        "cases": cases,
        "empty": empties,
        "errors": errors,
    }
    with open(OUT_PATH, "w") as f:
        f.write("{")
        head = [k for k in doc if k not in ("cases", "empty", "errors")]
        for k in head:
            f.write(f"{json.dumps(k)}: {json.dumps(doc[k])},\n")
        for i, k in enumerate(("cases", "empty", "errors")):
            f.write(f'{json.dumps(k)}: [\n')
            f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in doc[k]))
            f.write("\n]" + (",\n" if i < 2 else "}\n"))
    n = sum(len(c["input"]) for c in cases)
    print(f"{len(cases)} cases ({n} elements), {len(empties)} empty, {len(errors)} errors: "
          f"{OUT_PATH} ({os.path.getsize(OUT_PATH)} bytes)")


if __name__ == "__main__":
    main()
