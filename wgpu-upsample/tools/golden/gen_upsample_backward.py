#!/usr/bin/env python3
"""Golden data for the Upsample backward (grad_input of F.interpolate), from PyTorch autograd.

How to run (from wgpu-upsample/, after gen_upsample.py):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy   # once
    /tmp/torch/bin/python tools/golden/gen_upsample_backward.py

Every forward case of tests/fixtures/upsample_golden.json (each mode x rank x align_corners x
size/scale x recompute_scale_factor x antialias, PyTorch's corner cases) gets a backward case:
a float32 grad_output seeded from the case name, and grad_input computed by autograd in
float64 from exactly those float32 values (stored as float32). Plus cases with non-finite
gradients (NaN, +inf, -inf), computed in float32 as PyTorch's own float32 backward does, and
larger N·C. Writes tests/fixtures/upsample_backward_golden.json (compact JSON, one case per
line), deterministically.

Format: {"torch_version", "generator", "notes", "cases": [{name, input_shape, mode, size,
scale_factor, align_corners, recompute_scale_factor, antialias, output_shape, grad_output,
grad_input, dtype}]}; non-finite values are written as the strings "nan", "inf", "-inf".
"""
import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORWARD = os.path.join(ROOT, "tests", "fixtures", "upsample_golden.json")
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "upsample_backward_golden.json")

torch.set_num_threads(1)

OPTS = ("mode", "size", "scale_factor", "align_corners", "recompute_scale_factor", "antialias")


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def interpolate(x, o):
    return F.interpolate(x, size=o["size"], scale_factor=o["scale_factor"], mode=o["mode"],
                         align_corners=o["align_corners"],
                         recompute_scale_factor=o["recompute_scale_factor"],
                         antialias=o["antialias"])


def backward(name, shape, o, dtype=torch.float64, grad=None):
    x = torch.zeros(shape, dtype=dtype, requires_grad=True)
    y = interpolate(x, o)
    if grad is None:
        g = torch.Generator().manual_seed(zlib.crc32(("grad " + name).encode()))
        grad = torch.randn(*y.shape, generator=g, dtype=torch.float32)
    assert list(grad.shape) == list(y.shape), name
    y.backward(grad.to(dtype))
    case = {"name": name, "input_shape": list(shape)}
    case.update({k: o[k] for k in OPTS})
    case["output_shape"] = list(y.shape)
    case["grad_output"] = [num(v) for v in grad.flatten().tolist()]
    case["grad_input"] = [num(v) for v in x.grad.to(torch.float32).flatten().tolist()]
    case["dtype"] = str(dtype).replace("torch.", "")
    return case


def main():
    forward = json.load(open(FORWARD))
    cases = []
    for c in forward["cases"]:
        o = {k: c.get(k) for k in OPTS}
        o["antialias"] = bool(o["antialias"])
        if math.prod(c["output_shape"]) == 0:
            continue
        cases.append(backward("bwd_" + c["name"], c["input_shape"], o))

    def opts(mode, size=None, sf=None, ac=None, rsf=None, aa=False):
        return {"mode": mode, "size": size, "scale_factor": sf, "align_corners": ac,
                "recompute_scale_factor": rsf, "antialias": aa}

    # Non-finite gradients: where PyTorch's backward spreads NaN and inf, in float32.
    nonfinite = [
        ("nearest", [1, 1, 4, 4], opts("nearest", sf=2.0)),
        ("nearest-exact", [1, 1, 3, 5], opts("nearest-exact", size=[4, 7])),
        ("linear", [1, 2, 5], opts("linear", sf=2.0, ac=False)),
        ("bilinear", [1, 1, 4, 8], opts("bilinear", sf=2.0, ac=False)),
        ("bilinear_ac", [1, 1, 4, 8], opts("bilinear", sf=2.0, ac=True)),
        ("bilinear_down", [1, 1, 9, 7], opts("bilinear", size=[4, 3], ac=False)),
        ("bicubic", [1, 1, 4, 8], opts("bicubic", sf=2.0, ac=False)),
        ("bicubic_ac", [1, 1, 5, 6], opts("bicubic", sf=1.7, ac=True)),
        ("trilinear", [1, 1, 2, 3, 4], opts("trilinear", sf=2.0, ac=False)),
        ("area", [1, 1, 7, 9], opts("area", size=[3, 4])),
        ("area_up", [1, 1, 3, 4], opts("area", size=[5, 9])),
        ("aa_bilinear", [1, 1, 9, 8], opts("bilinear", size=[4, 3], aa=True)),
        ("aa_bicubic", [1, 1, 9, 8], opts("bicubic", size=[4, 5], aa=True)),
    ]
    for tag, shape, o in nonfinite:
        x = torch.zeros(shape)
        out = interpolate(x, o).shape
        g = torch.Generator().manual_seed(zlib.crc32(("nonfinite " + tag).encode()))
        grad = torch.randn(*out, generator=g, dtype=torch.float32)
        flat = grad.view(-1)
        n = flat.numel()
        # NaN at a border, +inf inside, -inf at the far border.
        flat[0] = float("nan")
        flat[n // 2] = float("inf")
        flat[n - 1] = float("-inf")
        cases.append(backward("bwd_nonfinite_" + tag, shape, o, dtype=torch.float32, grad=grad))

    # Many planes (N·C), every mode.
    for mode, shape, o in [
        ("bilinear", [3, 5, 6, 8], opts("bilinear", sf=2.0, ac=False)),
        ("bicubic", [2, 7, 5, 6], opts("bicubic", sf=1.5, ac=True)),
        ("nearest", [4, 3, 5], opts("nearest", sf=3.0)),
        ("trilinear", [2, 3, 3, 4, 4], opts("trilinear", sf=[2.0, 1.0, 0.5], ac=False)),
        ("area", [3, 4, 6, 7], opts("area", size=[4, 3])),
        ("aa", [2, 3, 10, 9], opts("bicubic", size=[4, 6], aa=True)),
    ]:
        cases.append(backward(f"bwd_planes_{mode}", shape, o))

    # Integer downsampling without overlapping windows (at most one grad_output term per input
    # and axis: the direct backward kernels, vec4 widths and partial last windows) and area x2
    # (nearest's x2 backward); float64 autograd, then the same with NaN / inf in float32.
    third = 1.0 / 3.0
    direct = [
        ("nearest_half", [1, 2, 8, 16], opts("nearest", sf=0.5)),
        ("nearest-exact_half", [2, 1, 8, 16], opts("nearest-exact", sf=0.5)),
        ("bilinear_half_oddh", [1, 2, 9, 16], opts("bilinear", sf=0.5, ac=False)),
        ("area_half", [1, 2, 8, 16], opts("area", sf=0.5)),
        ("area_third", [1, 1, 9, 12], opts("area", sf=third)),
        ("bilinear_third", [1, 1, 9, 12], opts("bilinear", sf=third, ac=False)),
        ("nearest_quarter", [1, 1, 8, 16], opts("nearest", sf=0.25)),
        ("nearest_h_half", [1, 1, 7, 16], opts("nearest", sf=[0.5, 1.0])),
        ("trilinear_half_oddd", [1, 1, 5, 4, 16], opts("trilinear", sf=0.5, ac=False)),
        ("linear_half", [1, 2, 64], opts("linear", sf=0.5, ac=False)),
        ("area_x2", [1, 2, 5, 8], opts("area", sf=2.0)),
        ("area_x2_5d", [1, 1, 3, 2, 4], opts("area", sf=2.0)),
        # Integer upsampling of nearest and area: sums of blocks.
        ("nearest_x3", [1, 2, 5, 8], opts("nearest", sf=3.0)),
        ("nearest-exact_x3", [1, 1, 3, 8], opts("nearest-exact", sf=3.0)),
        ("nearest_x4", [2, 1, 3, 4], opts("nearest", sf=4.0)),
        ("area_x3", [1, 2, 3, 8], opts("area", sf=3.0)),
        ("nearest_x3_5d", [1, 1, 2, 3, 4], opts("nearest", sf=3.0)),
        ("nearest_w_x2", [1, 1, 3, 8], opts("nearest", sf=[1.0, 2.0])),
    ]
    for tag, shape, o in direct:
        cases.append(backward("bwd_direct_" + tag, shape, o))
    for tag, shape, o in [direct[i] for i in (2, 4, 5, 8, 10, 12, 15)]:
        out = interpolate(torch.zeros(shape), o).shape
        g = torch.Generator().manual_seed(zlib.crc32(("nonfinite direct " + tag).encode()))
        grad = torch.randn(*out, generator=g, dtype=torch.float32)
        flat = grad.view(-1)
        n = flat.numel()
        flat[0] = float("nan")
        flat[n // 2] = float("inf")
        flat[n - 1] = float("-inf")
        cases.append(backward("bwd_direct_nonfinite_" + tag, shape, o, dtype=torch.float32,
                              grad=grad))

    # Branch linbwd: linear and bilinear upsampled by an integer factor along w (the linear
    # backward kernels, linear_backward_x{2,3,4}): many planes, odd heights, align_corners, a
    # fractional or size-given h; float64 autograd, then some with NaN / inf in float32.
    linear = [
        ("bilinear_x3", [2, 3, 5, 8], opts("bilinear", sf=3.0, ac=False)),
        ("bilinear_x4", [1, 2, 3, 12], opts("bilinear", sf=4.0, ac=False)),
        ("bilinear_x3_ac", [1, 1, 4, 8], opts("bilinear", sf=3.0, ac=True)),
        ("linear_x2", [2, 3, 20], opts("linear", sf=2.0, ac=False)),
        ("linear_x3", [1, 2, 8], opts("linear", sf=3.0, ac=False)),
        ("linear_x4_ac", [1, 1, 12], opts("linear", sf=4.0, ac=True)),
        ("bilinear_h1.5_wx2", [1, 2, 4, 8], opts("bilinear", sf=[1.5, 2.0], ac=False)),
        ("bilinear_size_wx4", [1, 1, 3, 4], opts("bilinear", size=[7, 16], ac=False)),
    ]
    for tag, shape, o in linear:
        cases.append(backward("bwd_linear_" + tag, shape, o))
    for tag, shape, o in [linear[i] for i in (0, 1, 2, 3)]:
        out = interpolate(torch.zeros(shape), o).shape
        g = torch.Generator().manual_seed(zlib.crc32(("nonfinite linear " + tag).encode()))
        grad = torch.randn(*out, generator=g, dtype=torch.float32)
        flat = grad.view(-1)
        n = flat.numel()
        flat[0] = float("nan")
        flat[n // 2] = float("inf")
        flat[n - 1] = float("-inf")
        cases.append(backward("bwd_linear_nonfinite_" + tag, shape, o, dtype=torch.float32,
                              grad=grad))

    # Branch fracbwd: bilinear and bicubic upsampled by a fractional scale, widths multiples of 4
    # (the fractional backward, fractional_backward_*, with its edge kernel), with NaN / inf in
    # float32 (the finite ones are the forward's frac_ cases above).
    fracbwd = [
        ("bilinear_x1.5", [1, 2, 7, 8], opts("bilinear", sf=1.5, ac=False)),
        ("bicubic_x1.5", [1, 2, 7, 8], opts("bicubic", sf=1.5, ac=False)),
        ("bicubic_x1.5_ac", [2, 1, 6, 12], opts("bicubic", sf=1.5, ac=True)),
        ("bilinear_size", [1, 1, 9, 12], opts("bilinear", size=[13, 20], ac=True)),
    ]
    for tag, shape, o in fracbwd:
        out = interpolate(torch.zeros(shape), o).shape
        g = torch.Generator().manual_seed(zlib.crc32(("nonfinite fracbwd " + tag).encode()))
        grad = torch.randn(*out, generator=g, dtype=torch.float32)
        flat = grad.view(-1)
        n = flat.numel()
        flat[0] = float("nan")
        flat[n // 2] = float("inf")
        flat[n - 1] = float("-inf")
        cases.append(backward("bwd_fracbwd_nonfinite_" + tag, shape, o, dtype=torch.float32,
                              grad=grad))

    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate names"
    doc = {
        "torch_version": torch.__version__,
        "generator": "tools/golden/gen_upsample_backward.py",
        "notes": [
            "grad_input = autograd of F.interpolate for grad_output (float32 values), computed "
            "in float64 (dtype float64) or, for the non-finite cases, float32; stored as float32",
        ],
        "cases": cases,
    }
    with open(OUT_PATH, "w") as f:
        f.write("{")
        f.write(",".join(f"{json.dumps(k)}: {json.dumps(doc[k])}"
                         for k in ("torch_version", "generator", "notes")))
        f.write(', "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT_PATH} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
