#!/usr/bin/env python3
"""Golden data for ConvTranspose1d / 2d / 3d on inputs, weights and biases holding NaN, +inf and
-inf (PyTorch's float32 CPU forward).

How to run (from wgpu-upsample/):

    /tmp/torch/bin/python tools/golden/gen_conv_transpose_nonfinite.py

Each layer (every rank; strides below, equal to and above the kernel size; padding, output
padding, dilation, groups) gets cases with the non-finite values in the input, in the weight, in
the bias, and in input and weight together: NaN near the start, +inf inside, -inf at the end.
Writes tests/fixtures/conv_transpose_nonfinite_golden.json in the format of
conv_transpose_golden.json's "cases" (see gen_conv_transpose.py), except that every float list
may hold the strings "nan", "inf" and "-inf".
"""
import json
import math
import os
import zlib

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "conv_transpose_nonfinite_golden.json")
torch.set_num_threads(1)
MODULES = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def per_axis(v, dims):
    return list(v) if isinstance(v, (list, tuple)) else [v] * dims


def spoil(t, g):
    """NaN near the start, +inf inside, -inf at the end (in place)."""
    flat = t.view(-1)
    n = flat.numel()
    flat[min(1, n - 1)] = float("nan")
    flat[n // 2] = float("inf")
    flat[n - 1] = float("-inf")


def case(name, dims, cin, cout, k, spatial, where, stride=1, padding=0, output_padding=0,
         dilation=1, groups=1, bias=True, batch=2):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    m = MODULES[dims](cin, cout, k, stride=stride, padding=padding,
                      output_padding=output_padding, groups=groups, bias=bias,
                      dilation=dilation)
    x = torch.randn(batch, cin, *spatial, generator=g, dtype=torch.float32)
    w = torch.randn(*m.weight.shape, generator=g, dtype=torch.float32)
    b = torch.randn(cout, generator=g, dtype=torch.float32) if bias else None
    if "x" in where:
        spoil(x, g)
    if "w" in where:
        spoil(w, g)
    if "b" in where:
        b[0] = float("inf")
        b[-1] = float("nan")
    with torch.no_grad():
        m.weight.copy_(w)
        if bias:
            m.bias.copy_(b)
        y = m(x)
    return {"name": name, "dims": dims, "in_channels": cin, "out_channels": cout,
            "kernel_size": per_axis(k, dims), "stride": per_axis(stride, dims),
            "padding": per_axis(padding, dims), "output_padding": per_axis(output_padding, dims),
            "groups": groups, "dilation": per_axis(dilation, dims), "bias": bias,
            "input_shape": list(x.shape), "input": [num(v) for v in x.flatten().tolist()],
            "weight_shape": list(w.shape), "weight": [num(v) for v in w.flatten().tolist()],
            "bias_values": None if b is None else [num(v) for v in b.tolist()],
            "output_size": None, "output_shape": list(y.shape),
            "output": [num(v) for v in y.flatten().tolist()]}


def main():
    layers = [
        # (tag, dims, cin, cout, k, spatial, options)
        ("1d_s1", 1, 2, 3, 3, [5], {}),
        ("1d_s2_p1", 1, 2, 3, 4, [5], {"stride": 2, "padding": 1}),
        ("1d_s3_k2_holes", 1, 3, 2, 2, [4], {"stride": 3}),
        ("1d_d2_s2_op1_g2", 1, 4, 4, 3, [5], {"stride": 2, "dilation": 2, "output_padding": 1,
                                                "groups": 2}),
        ("2d_s2_p1_op1", 2, 2, 3, 3, [4, 5], {"stride": 2, "padding": 1, "output_padding": 1}),
        ("2d_k24_s12", 2, 3, 2, [2, 4], [3, 4], {"stride": [1, 2]}),
        ("2d_gemm_8x8", 2, 8, 8, 4, [4, 4], {"stride": 2, "padding": 1}),
        ("2d_d2", 2, 2, 2, 3, [4, 4], {"dilation": 2, "padding": 1}),
        ("2d_depthwise", 2, 4, 4, 3, [4, 4], {"stride": 2, "groups": 4}),
        ("3d_s2_p1", 3, 2, 2, 3, [3, 3, 4], {"stride": 2, "padding": 1}),
        ("3d_k2", 3, 2, 3, 2, [2, 3, 3], {}),
    ]
    cases = []
    for tag, dims, cin, cout, k, spatial, o in layers:
        for where in ["x", "w", "b", "xw"]:
            cases.append(case(f"{tag}_{where}", dims, cin, cout, k, spatial, where, **o))
    out = {"torch_version": torch.__version__,
           "generator": "tools/golden/gen_conv_transpose_nonfinite.py",
           "cases": cases}
    with open(OUT_PATH, "w") as f:
        f.write("{" + f'"torch_version": {json.dumps(out["torch_version"])}, '
                f'"generator": {json.dumps(out["generator"])}, "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT_PATH}")


if __name__ == "__main__":
    main()
