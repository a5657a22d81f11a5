#!/usr/bin/env python3
"""Golden data for F.interpolate on inputs holding NaN, +inf and -inf (PyTorch's float32 CPU).

How to run (from wgpu-upsample/):

    /tmp/torch/bin/python tools/golden/gen_upsample_nonfinite.py

Every mode and rank, the exact x2 shapes (the GPU's fast kernels) with both align_corners, and
the general ones, each with NaN / inf / -inf placed at a border, next to a border and inside.
Writes tests/fixtures/upsample_nonfinite_golden.json: {"torch_version", "generator", "cases":
[{name, input_shape, input, mode, size, scale_factor, align_corners, recompute_scale_factor,
antialias, output_shape, output}]}, non-finite values as the strings "nan", "inf", "-inf".
"""
import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "upsample_nonfinite_golden.json")
torch.set_num_threads(1)


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def case(name, shape, mode, size=None, sf=None, ac=None, aa=False, places=None):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    x = torch.randn(*shape, generator=g, dtype=torch.float32)
    flat = x.view(-1)
    n = flat.numel()
    w = shape[-1]
    # NaN at element 1 (next to the first border), +inf inside, -inf at the last element, and a
    # NaN one row down (the second row's second element) where there are rows.
    for at, v in (places or [(1, float("nan")), (n // 2, float("inf")), (n - 1, float("-inf")),
                             (min(w + 1, n - 1), float("nan"))]):
        flat[at] = v
    y = F.interpolate(x, size=size, scale_factor=sf, mode=mode, align_corners=ac, antialias=aa)
    return {"name": name, "input_shape": list(shape),
            "input": [num(v) for v in x.flatten().tolist()],
            "mode": mode, "size": size, "scale_factor": sf, "align_corners": ac,
            "recompute_scale_factor": None, "antialias": aa,
            "output_shape": list(y.shape), "output": [num(v) for v in y.flatten().tolist()]}


def main():
    cases = []
    # The exact x2 shapes (W a multiple of 4), align_corners False and True.
    for mode, shape in [("nearest", [1, 2, 4, 8]), ("nearest-exact", [1, 1, 3, 4]),
                        ("bilinear", [1, 2, 4, 8]), ("bicubic", [1, 2, 4, 8]),
                        ("nearest", [1, 1, 3, 4, 8]), ("trilinear", [1, 1, 3, 4, 8])]:
        for ac in ([None] if "nearest" in mode else [False, True]):
            cases.append(case(f"x2_{mode}_{len(shape)}d_ac{ac}", shape, mode, sf=2.0, ac=ac))
    # Depth kept on a 5-D input.
    cases.append(case("x2_trilinear_depth_kept", [1, 1, 3, 4, 8], "trilinear",
                      sf=[1.0, 2.0, 2.0], ac=False))
    # The general kernels: other scales, every rank, area, antialias, lanczos.
    for mode, shape, kw in [
        ("nearest", [1, 2, 9], dict(sf=1.7)),
        ("nearest-exact", [1, 1, 5, 7], dict(size=[3, 9])),
        ("linear", [1, 2, 9], dict(sf=1.7, ac=False)),
        ("linear", [1, 2, 9], dict(size=9, ac=False)),  # same size: 1 · x + 0 · x
        ("bilinear", [1, 1, 5, 7], dict(sf=1.5, ac=False)),
        ("bilinear", [1, 1, 5, 7], dict(size=[3, 4], ac=True)),
        ("bicubic", [1, 1, 5, 7], dict(sf=1.5, ac=False)),
        ("bicubic", [1, 1, 6, 6], dict(size=[4, 9], ac=True)),
        ("trilinear", [1, 1, 3, 4, 5], dict(sf=1.5, ac=False)),
        ("area", [1, 1, 7, 9], dict(size=[3, 4])),
        ("area", [1, 1, 3, 4], dict(size=[5, 9])),
        ("bilinear", [1, 1, 9, 8], dict(size=[4, 3], aa=True)),
        ("bicubic", [1, 1, 9, 8], dict(size=[4, 5], aa=True)),
        ("bilinear", [1, 1, 9, 8], dict(size=[4, 12], aa=True)),  # height first
        ("lanczos", [1, 1, 9, 8], dict(size=[5, 6], aa=True)),
    ]:
        name = f"{mode}_{len(shape)}d_" + "_".join(f"{k}{v}" for k, v in kw.items())
        cases.append(case(name, shape, mode, **kw))
    with open(OUT_PATH, "w") as f:
        f.write('{"torch_version": %s, "generator": "tools/golden/gen_upsample_nonfinite.py",'
                ' "cases": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT_PATH} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
