#!/usr/bin/env python3
"""Golden-data generator for wgpu-upsample (torch.nn.functional.interpolate).

How to run (from the repository root, /work/main):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy   # once
    /tmp/torch/bin/python tools/golden/gen_upsample.py

It (re)writes tests/fixtures/upsample_golden.json, deterministically (every input
is seeded from the case name). The file records torch.__version__; regenerate
it when moving to another PyTorch release and review the diff.

Format (compact JSON, one case per line):
  {"torch_version", "generator", "notes": [str],
   "cases":  [{name, input_shape, input (flat f32, C-contiguous), mode, size,
               scale_factor, align_corners, recompute_scale_factor, antialias,
               output_shape, output (flat f32)}],
   "errors": [{name, input_shape, mode, size, scale_factor, align_corners,
               recompute_scale_factor, antialias, error_type, message}]}
`size` / `scale_factor` are exactly what was passed to F.interpolate (a single
value or a list). Floats are written as float(v) of float32 values: Python's
repr round-trips, so parsing as f64 and casting to f32 is exact.
Only CPU float32 contiguous tensors are used.
"""
import json
import math
import os
import sys
import zlib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "upsample_golden.json")

torch.set_num_threads(1)  # avoid any thread-count dependent reduction order

CASES = []
ERRORS = []
NOTES = []
NAMES = set()

MODE_RANKS = [
    ("nearest", 3), ("nearest", 4), ("nearest", 5),
    ("nearest-exact", 3), ("nearest-exact", 4), ("nearest-exact", 5),
    ("area", 3), ("area", 4), ("area", 5),
    ("linear", 3), ("bilinear", 4), ("bicubic", 4), ("trilinear", 5),
]
INTERP = {"linear", "bilinear", "bicubic", "trilinear"}


def make_input(name, shape, kind="randn"):
    numel = math.prod(shape)
    if kind == "randn":
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
        x = torch.randn(*shape, generator=g, dtype=torch.float32)
    elif kind == "ramp":  # value == flat index (== spatial index for N=C=1 1-D)
        x = torch.arange(numel, dtype=torch.float32).reshape(shape)
    elif kind == "step":  # 0 on the first half of every spatial axis, 1 after (sum over axes)
        x = torch.zeros(shape, dtype=torch.float32)
        for ax in range(2, len(shape)):
            idx = torch.arange(shape[ax])
            step = (idx >= (shape[ax] + 1) // 2).float()
            view = [1] * len(shape)
            view[ax] = shape[ax]
            x = x + step.reshape(view)
    else:
        raise ValueError(kind)
    return x.contiguous()


def _fmt(v):
    return "x".join(str(a) for a in v) if isinstance(v, (list, tuple)) else str(v)


def auto_name(prefix, shape, mode, size, sf, ac, rsf, aa, kind):
    parts = [prefix, mode, f"{len(shape)}d", "in" + "x".join(map(str, shape))]
    if size is not None:
        parts.append(("sizeL" if isinstance(size, list) else "size") + _fmt(size))
    if sf is not None:
        parts.append(("sfL" if isinstance(sf, list) else "sf") + _fmt(sf))
    if ac is not None:
        parts.append(f"ac{int(ac)}")
    if rsf is not None:
        parts.append(f"rsf{int(rsf)}")
    if aa:
        parts.append("aa")
    if kind != "randn":
        parts.append(kind)
    return "_".join(p for p in parts if p)


def opts(mode, size, sf, ac, rsf, aa):
    return {"mode": mode, "size": size, "scale_factor": sf, "align_corners": ac,
            "recompute_scale_factor": rsf, "antialias": aa}


def call(x, mode, size, sf, ac, rsf, aa):
    return F.interpolate(x, size=size, scale_factor=sf, mode=mode, align_corners=ac,
                         recompute_scale_factor=rsf, antialias=aa)


def add_case(shape, mode, size=None, sf=None, ac=None, rsf=None, aa=False,
             kind="randn", name=None, prefix=""):
    shape = list(shape)
    if name is None:
        name = auto_name(prefix, shape, mode, size, sf, ac, rsf, aa, kind)
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    x = make_input(name, shape, kind)
    y = call(x, mode, size, sf, ac, rsf, aa)
    assert y.dtype == torch.float32
    y = y.contiguous()
    case = {"name": name, "input_shape": shape,
            "input": [float(v) for v in x.flatten().tolist()]}
    case.update(opts(mode, size, sf, ac, rsf, aa))
    case["output_shape"] = list(y.shape)
    case["output"] = [float(v) for v in y.flatten().tolist()]
    assert all(math.isfinite(v) for v in case["output"]), name
    CASES.append(case)
    return y


def add_error(name, shape, mode, size=None, sf=None, ac=None, rsf=None, aa=False):
    shape = list(shape)
    name = "err_" + name
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    x = make_input(name, shape)
    try:
        call(x, mode, size, sf, ac, rsf, aa)
    except Exception as e:  # noqa: BLE001 - we record whatever torch raises
        err = {"name": name, "input_shape": shape}
        err.update(opts(mode, size, sf, ac, rsf, aa))
        err["error_type"] = type(e).__name__
        err["message"] = str(e)
        ERRORS.append(err)
        return err
    raise AssertionError(f"error case {name} did not raise in torch {torch.__version__}")


def outcome(shape, mode, size=None, sf=None, ac=None, rsf=None, aa=False, tag=""):
    """Record a case or an error, whichever torch does; return a note string."""
    desc = f"{mode} input {tuple(shape)} " + ", ".join(
        f"{k}={v}" for k, v in (("size", size), ("scale_factor", sf), ("align_corners", ac),
                                ("antialias", aa)) if v is not None and v is not False)
    x = make_input("probe", list(shape))
    try:
        y = call(x, mode, size, sf, ac, rsf, aa)
    except Exception as e:  # noqa: BLE001
        add_error(auto_name(tag, shape, mode, size, sf, ac, rsf, aa, "randn"),
                  shape, mode, size, sf, ac, rsf, aa)
        return f"{desc}: raises {type(e).__name__}: {e}"
    add_case(shape, mode, size, sf, ac, rsf, aa, prefix=tag)
    return f"{desc}: returns an empty tensor of shape {tuple(y.shape)} (no error)"


# ---------------------------------------------------------------------------
# 1. Generic grid: every mode x rank, sizes and scales, align_corners, recompute.
# ---------------------------------------------------------------------------
GRID_SHAPE = {3: [2, 3, 5], 4: [1, 1, 4, 5], 5: [1, 1, 3, 3, 4]}
SF_PLAIN = [2.0, 3.0, 2.5, 1.3, 0.5, 0.34, 1.0]          # recompute None only
SF_RSF = [1.7, 0.6]                                         # recompute None/True/False
SF_LIST = {3: [1.7], 4: [2.0, 0.6], 5: [2.0, 0.6, 1.3]}     # per-axis (mixed) scales
SIZE_INT = {3: 7, 4: 7, 5: 5}
SIZE_LIST = {3: [3], 4: [3, 8], 5: [3, 5, 2]}

for mode, rank in MODE_RANKS:
    shape = GRID_SHAPE[rank]
    acs = [False, True] if mode in INTERP else [None]
    for ac in acs:
        for sf in SF_PLAIN:
            if rank == 5 and sf == 3.0:
                continue  # keeps the file small; 5-D x3 is covered just below
            add_case(shape, mode, sf=sf, ac=ac, prefix="grid")
        if rank == 5:
            add_case([1, 1, 2, 2, 3], mode, sf=3.0, ac=ac, prefix="grid")
        for sf in SF_RSF + [SF_LIST[rank]]:
            for rsf in (None, True, False):
                add_case(shape, mode, sf=sf, ac=ac, rsf=rsf, prefix="grid")
        add_case(shape, mode, size=SIZE_INT[rank], ac=ac, prefix="grid")
        add_case(shape, mode, size=SIZE_LIST[rank], ac=ac, prefix="grid")
        add_case(shape, mode, size=SIZE_LIST[rank], ac=ac, rsf=False, prefix="grid")

# A different per-axis scale on each axis (all upsampling / all downsampling).
add_case([1, 1, 6, 7], "bilinear", sf=[1.5, 2.5], ac=False, prefix="peraxis")
add_case([1, 1, 6, 7], "bicubic", sf=[0.5, 1.7], ac=False, rsf=True, prefix="peraxis")
add_case([1, 1, 6, 7], "nearest", sf=[1.5, 0.34], prefix="peraxis")
add_case([1, 1, 6, 7], "nearest-exact", sf=[1.5, 0.34], prefix="peraxis")
add_case([1, 1, 6, 7], "area", sf=[0.5, 1.7], prefix="peraxis")
add_case([1, 1, 3, 4, 5], "trilinear", sf=[1.5, 0.5, 1.3], ac=True, prefix="peraxis")
add_case([1, 1, 3, 4, 5], "nearest-exact", sf=[2.0, 0.6, 1.7], prefix="peraxis")

# ---------------------------------------------------------------------------
# 2. Spec section 3 edge cases.
# ---------------------------------------------------------------------------
# 1-D 4 -> 3: nearest picks [0,1,2], nearest-exact [0,2,3] (ramp: value == index).
for mode in ("nearest", "nearest-exact", "linear", "area"):
    add_case([1, 1, 4], mode, size=3, ac=(False if mode == "linear" else None),
             kind="ramp", prefix="spec")
for mode in ("nearest", "nearest-exact"):
    add_case([1, 1, 4], mode, sf=0.75, kind="ramp", prefix="spec")
    add_case([1, 1, 4, 4], mode, size=[3, 3], kind="ramp", prefix="spec")

# Scales 1.7 and 0.6 with recompute True vs False on a ramp (I/O != 1/s for I=7, 9).
for mode in ("nearest", "nearest-exact", "linear", "area"):
    for I, sf in ((7, 1.7), (9, 0.6)):
        for rsf in (True, False):
            add_case([1, 1, I], mode, sf=sf, rsf=rsf, kind="ramp",
                     ac=(False if mode == "linear" else None), prefix="spec")
for mode in ("bilinear", "bicubic"):
    for rsf in (True, False):
        add_case([1, 1, 7, 9], mode, sf=[1.7, 0.6], rsf=rsf, ac=False, prefix="spec")

# Output size 1, align_corners True and False (and for the non-interpolating modes).
for ac in (False, True):
    add_case([1, 1, 5], "linear", size=1, ac=ac, kind="ramp", prefix="spec_out1")
    add_case([1, 1, 5], "linear", sf=0.2, ac=ac, kind="ramp", prefix="spec_out1")
    add_case([1, 1, 5, 6], "bilinear", size=1, ac=ac, prefix="spec_out1")
    add_case([1, 1, 5, 6], "bilinear", size=[1, 4], ac=ac, prefix="spec_out1")
    add_case([1, 1, 5, 6], "bicubic", size=1, ac=ac, prefix="spec_out1")
    add_case([1, 1, 5, 6], "bicubic", size=[4, 1], ac=ac, prefix="spec_out1")
    add_case([1, 1, 3, 4, 5], "trilinear", size=1, ac=ac, prefix="spec_out1")
    add_case([1, 1, 3, 4, 5], "trilinear", sf=[0.34, 0.5, 0.2], ac=ac, prefix="spec_out1")
for mode in ("nearest", "nearest-exact", "area"):
    add_case([1, 1, 5], mode, size=1, kind="ramp", prefix="spec_out1")
    add_case([1, 1, 5, 6], mode, size=[1, 3], prefix="spec_out1")

# Input size 1 (upsampled).
for ac in (False, True):
    add_case([1, 1, 1], "linear", size=4, ac=ac, prefix="spec_in1")
    add_case([1, 1, 1], "linear", sf=3.0, ac=ac, prefix="spec_in1")
    add_case([1, 1, 1, 3], "bilinear", size=[4, 5], ac=ac, prefix="spec_in1")
    add_case([1, 1, 1, 1], "bicubic", size=3, ac=ac, prefix="spec_in1")
    add_case([1, 1, 1, 3], "bicubic", sf=2.5, ac=ac, prefix="spec_in1")
    add_case([1, 1, 1, 2, 1], "trilinear", size=[2, 3, 3], ac=ac, prefix="spec_in1")
for mode in ("nearest", "nearest-exact", "area"):
    add_case([1, 1, 1], mode, size=4, prefix="spec_in1")
    add_case([1, 1, 1, 2], mode, sf=[3.0, 1.5], prefix="spec_in1")

# align_corners=True with scale 2: 4 -> 8 (not 7).
add_case([1, 1, 4], "linear", sf=2.0, ac=True, kind="ramp", prefix="spec_ac_sf2")
add_case([1, 1, 4, 4], "bilinear", sf=2.0, ac=True, kind="ramp", prefix="spec_ac_sf2")
add_case([1, 1, 4, 4], "bicubic", sf=2.0, ac=True, kind="ramp", prefix="spec_ac_sf2")
add_case([1, 1, 2, 2, 4], "trilinear", sf=2.0, ac=True, kind="ramp", prefix="spec_ac_sf2")

# Bicubic near the borders, align_corners False (negative source coordinates; overshoot).
for kind in ("step", "ramp", "randn"):
    add_case([1, 1, 6, 6], "bicubic", size=11, ac=False, kind=kind, prefix="spec_border")
add_case([1, 1, 6, 6], "bicubic", sf=0.5, ac=False, kind="step", prefix="spec_border")
add_case([1, 1, 6, 6], "bicubic", sf=1.7, ac=False, kind="step", prefix="spec_border")
add_case([1, 1, 2, 3], "bicubic", sf=3.0, ac=False, prefix="spec_border")
add_case([1, 1, 6, 6], "bilinear", size=11, ac=False, kind="step", prefix="spec_border")

# Area: I not divisible by O, and upsampling.
add_case([1, 1, 7], "area", size=3, kind="ramp", prefix="spec_area")
add_case([1, 1, 9], "area", size=4, kind="ramp", prefix="spec_area")
add_case([1, 1, 3], "area", size=7, kind="ramp", prefix="spec_area")
add_case([1, 1, 7, 9], "area", size=[3, 4], prefix="spec_area")
add_case([1, 1, 3, 2], "area", size=[7, 5], prefix="spec_area")
add_case([1, 1, 7, 3, 9], "area", size=[3, 7, 4], prefix="spec_area")
add_case([1, 1, 9], "area", sf=0.34, prefix="spec_area")  # 9*0.34 -> 3, uses 9/3
add_case([1, 1, 3], "area", sf=2.5, prefix="spec_area")   # 3 -> 7

# Unchanged-size axis but a scale given (linear modes: identity? test it).
for ac in (False, True):
    for rsf in (None, True):
        add_case([1, 1, 10], "linear", sf=1.05, ac=ac, rsf=rsf, prefix="spec_same")
        add_case([1, 1, 10, 6], "bilinear", sf=[1.05, 2.0], ac=ac, rsf=rsf, prefix="spec_same")
        add_case([1, 1, 10, 10], "bicubic", sf=1.05, ac=ac, rsf=rsf, prefix="spec_same")
        add_case([1, 1, 10, 4], "bicubic", sf=[1.05, 1.5], ac=ac, rsf=rsf, prefix="spec_same")
        add_case([1, 1, 10, 3, 4], "trilinear", sf=[1.05, 1.0, 2.0], ac=ac, rsf=rsf,
                 prefix="spec_same")
    add_case([1, 1, 8, 10], "bilinear", sf=[0.9, 0.95], ac=ac, prefix="spec_same")
    add_case([1, 1, 8, 10], "bicubic", sf=[0.9, 0.95], ac=ac, prefix="spec_same")

# Nearest: O == 2*I from a non-2 scale, and O == I from scale 1.05.
for mode in ("nearest", "nearest-exact", "area"):
    for rsf in (None, True):
        add_case([1, 1, 10], mode, sf=2.05, rsf=rsf, kind="ramp", prefix="spec_near")
        add_case([1, 1, 10], mode, sf=1.05, rsf=rsf, kind="ramp", prefix="spec_near")
    add_case([1, 1, 10, 10], mode, sf=[2.05, 1.05], kind="ramp", prefix="spec_near")
    add_case([1, 1, 4, 10, 10], mode, sf=[1.0, 2.05, 1.05], kind="ramp", prefix="spec_near")

# torch 2.15 CPU: 4-D nearest short-cuts O == I (identity) and O == 2*I (i >> 1) whatever the
# scale; 3-D / 5-D nearest and nearest-exact (any rank) use r = 1/scale. Pin it per rank/axis.
for shape in ([1, 1, 19], [1, 1, 1, 19], [1, 1, 19, 1], [1, 1, 1, 1, 19], [1, 1, 19, 1, 1]):
    for mode in ("nearest", "nearest-exact"):
        add_case(shape, mode, sf=1.05, kind="ramp", prefix="spec_near")
for shape in ([1, 1, 1, 10], [1, 1, 10, 1], [1, 1, 1, 1, 10]):
    add_case(shape, "nearest", sf=2.05, kind="ramp", prefix="spec_near")
add_case([2, 3, 3, 19], "nearest", sf=[2.05, 1.05], prefix="spec_near_batch")
add_case([2, 3, 3, 19], "nearest-exact", sf=[2.05, 1.05], prefix="spec_near_batch")
add_case([1, 1, 10, 19], "nearest", sf=[2.05, 1.05], rsf=True, kind="ramp", prefix="spec_near")

# ---------------------------------------------------------------------------
# 3. Antialias (bilinear, bicubic, 4-D).
# ---------------------------------------------------------------------------
for mode in ("bilinear", "bicubic"):
    for ac in (False, True):
        sh = [1, 2, 8, 9]
        add_case(sh, mode, sf=0.5, ac=ac, aa=True, prefix="aa")
        add_case(sh, mode, sf=0.3, ac=ac, aa=True, prefix="aa")
        add_case(sh, mode, sf=0.6, ac=ac, rsf=True, aa=True, prefix="aa")
        add_case(sh, mode, sf=[0.6, 1.5], ac=ac, aa=True, prefix="aa")
        add_case(sh, mode, size=[3, 4], ac=ac, aa=True, prefix="aa")
        add_case(sh, mode, size=5, ac=ac, aa=True, prefix="aa")
        add_case(sh, mode, size=[8, 4], ac=ac, aa=True, prefix="aa")   # H unchanged
        add_case(sh, mode, size=[3, 9], ac=ac, aa=True, prefix="aa")   # W unchanged
        add_case(sh, mode, sf=[1.05, 0.5], ac=ac, aa=True, prefix="aa")  # H 8->8 via scale
        add_case([1, 1, 5, 6], mode, sf=2.0, ac=ac, aa=True, prefix="aa")
        add_case([1, 1, 5, 6], mode, sf=1.7, ac=ac, aa=True, prefix="aa")
        add_case([1, 1, 5, 6], mode, size=[9, 11], ac=ac, aa=True, prefix="aa")
        add_case([1, 1, 16, 13], mode, sf=0.3, ac=ac, aa=True, prefix="aa")
        add_case([1, 1, 16, 13], mode, size=[3, 5], ac=ac, aa=True, kind="step", prefix="aa")
    add_case([1, 1, 8, 9], mode, sf=0.5, aa=True, prefix="aa")  # align_corners None
    add_case([1, 1, 8, 9], mode, sf=0.3, rsf=False, aa=True, prefix="aa")
    add_case([1, 1, 8, 8], mode, size=8, aa=True, prefix="aa")  # both axes unchanged

# ---------------------------------------------------------------------------
# 3b. Lanczos (torch 2.15: 4-D only, antialias=True required, align_corners False or unset).
# ---------------------------------------------------------------------------
for sh in ([1, 2, 8, 9], [1, 1, 16, 13]):
    add_case(sh, "lanczos", sf=0.5, aa=True, prefix="lz")
    add_case(sh, "lanczos", sf=0.3, ac=False, aa=True, prefix="lz")
    add_case(sh, "lanczos", size=[3, 4], aa=True, prefix="lz")
    add_case(sh, "lanczos", sf=2.0, aa=True, prefix="lz")
    add_case(sh, "lanczos", sf=1.7, ac=False, aa=True, prefix="lz")
    add_case(sh, "lanczos", sf=0.6, rsf=True, aa=True, prefix="lz")
    add_case(sh, "lanczos", sf=[0.6, 1.5], aa=True, prefix="lz")
add_case([1, 2, 8, 9], "lanczos", size=[8, 4], aa=True, prefix="lz")   # H unchanged
add_case([1, 2, 8, 9], "lanczos", size=[3, 9], aa=True, prefix="lz")   # W unchanged
add_case([1, 1, 8, 8], "lanczos", size=8, aa=True, prefix="lz")        # both unchanged
add_case([1, 1, 1, 5], "lanczos", size=[3, 7], aa=True, prefix="lz")   # input size 1
add_case([1, 1, 12, 12], "lanczos", size=1, aa=True, prefix="lz")      # output size 1
add_case([2, 3, 20, 17], "lanczos", size=[7, 30], aa=True, kind="step", prefix="lz")
# Branch `window`: widths a multiple of 4 whose groups of 4 outputs repeat (window_w4p: x1/2
# period 1, x2 period 2 groups), with border groups at both ends.
add_case([1, 2, 6, 64], "bilinear", sf=0.5, ac=False, aa=True, prefix="aa_periodic")
add_case([1, 2, 5, 64], "bicubic", sf=0.5, ac=False, aa=True, prefix="aa_periodic")
add_case([1, 2, 4, 32], "lanczos", sf=2.0, aa=True, prefix="lz_periodic")
add_case([1, 1, 3, 64], "lanczos", sf=[1.0, 0.5], aa=True, prefix="lz_periodic")
# Branch s10lz: lanczos x2 with interior threads and rows (window_x2_6: the static phase
# weights inside, the truncated windows at both ends of each axis), widths 8k and 8k + 4.
add_case([1, 2, 12, 40], "lanczos", sf=2.0, aa=True, prefix="lz_x2")
add_case([2, 1, 11, 36], "lanczos", sf=2.0, aa=True, prefix="lz_x2")
# Branch s10aa: x1/2 rows wide enough that threads' 4 groups of 4 outputs are all interior
# (window_wh_4_t4_half4, window_wh_4_t8_half8: a row's 10 input vec4s loaded once per thread),
# and x1/4 along h with x1/2 along w (8-row h windows, 4-tap w windows: window_wh_4_t8).
add_case([1, 2, 6, 128], "bilinear", sf=0.5, ac=False, aa=True, prefix="aa_periodic")
add_case([1, 2, 5, 128], "bicubic", sf=0.5, ac=False, aa=True, prefix="aa_periodic")
add_case([1, 1, 16, 64], "bilinear", sf=[0.25, 0.5], ac=False, aa=True, prefix="aa_periodic")
# Merge of s10aa and s10lz: the dense ring with 4-row h windows (window_wh_4_t4), which no
# x1/2 or lanczos x2 case runs any more: x1/2 along h, x3/4 along w.
add_case([1, 2, 6, 64], "bilinear", sf=[0.5, 0.75], ac=False, aa=True, prefix="aa_periodic")
# Branch s10aab: bilinear and bicubic antialiased x1/2 whose backward is an exact x2
# (window_x2_2, window_x2_4: interior threads and rows with the static phase weights, the
# truncated windows at both ends of each axis), grad_output widths 8k and 8k + 4.
add_case([1, 2, 24, 80], "bicubic", sf=0.5, ac=False, aa=True, prefix="aa_x2bwd")
add_case([1, 1, 16, 72], "bicubic", sf=0.5, ac=False, aa=True, prefix="aa_x2bwd")
add_case([2, 1, 14, 72], "bilinear", sf=0.5, ac=False, aa=True, prefix="aa_x2bwd")
# And antialiased bilinear and bicubic x2 (the same kernels forward: window_x2_2, window_x2_4).
add_case([1, 2, 12, 40], "bilinear", sf=2.0, ac=False, aa=True, prefix="aa_x2")
add_case([2, 1, 11, 36], "bicubic", sf=2.0, ac=False, aa=True, prefix="aa_x2")
# Merge of s10aa and s10aab: an odd input height, so the x1/2 backward is not an exact x2
# along h and keeps the taps-only ring (window_wh_2_t4_half2) rather than window_x2_2.
add_case([1, 2, 7, 128], "bilinear", sf=0.5, ac=False, aa=True, prefix="aa_periodic")

# ---------------------------------------------------------------------------
# 4. Larger-ish spatial sizes.
# ---------------------------------------------------------------------------
for mode, ac in (("bilinear", False), ("bicubic", False)):
    add_case([1, 2, 13, 17], mode, sf=1.7, ac=ac, prefix="big")
for mode, ac in (("bilinear", True), ("bicubic", True), ("nearest", None),
                 ("nearest-exact", None), ("area", None)):
    add_case([1, 1, 13, 17], mode, sf=1.7, ac=ac, prefix="big")
for ac in (False, True):
    add_case([1, 1, 16, 16], "bicubic", size=7, ac=ac, prefix="big")
add_case([1, 1, 16, 16], "bilinear", size=7, ac=False, prefix="big")
add_case([1, 1, 16, 16], "area", size=7, prefix="big")
add_case([1, 1, 37], "linear", sf=1.7, ac=False, prefix="big")
add_case([1, 1, 37], "linear", size=23, ac=True, prefix="big")
add_case([1, 1, 6, 7, 9], "trilinear", sf=0.6, ac=False, prefix="big")
add_case([1, 1, 6, 7, 9], "area", size=[4, 3, 5], prefix="big")

# ---------------------------------------------------------------------------
# 4b. Exact x2 (the GPU's x2.wgsl kernels: height and width doubled, width a multiple of 4,
# align_corners False): both borders in one vec4 (W = 4), one row (H = 1), several vec4s per
# row, size given instead of the scale, recompute, 5-D with the depth doubled and kept.
# ---------------------------------------------------------------------------
for mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
    ac = False if mode in ("bilinear", "bicubic") else None
    add_case([2, 3, 5, 8], mode, sf=2.0, ac=ac, prefix="x2")
    add_case([1, 2, 4, 4], mode, sf=2.0, ac=ac, prefix="x2")
    add_case([1, 1, 1, 12], mode, size=[2, 24], ac=ac, prefix="x2")
    add_case([1, 2, 3, 16], mode, sf=2.0, ac=ac, rsf=True, prefix="x2")
for mode in ("nearest", "nearest-exact", "trilinear"):
    ac = False if mode == "trilinear" else None
    add_case([1, 2, 3, 2, 8], mode, sf=2.0, ac=ac, prefix="x2")
    add_case([2, 1, 3, 5, 4], mode, sf=[1.0, 2.0, 2.0], ac=ac, prefix="x2")
    add_case([1, 1, 1, 1, 4], mode, size=[2, 2, 8], ac=ac, prefix="x2")

# x2 with align_corners=True: the same taps, weights per output (x2w_ kernels).
for mode in ("bilinear", "bicubic"):
    add_case([2, 3, 5, 8], mode, sf=2.0, ac=True, prefix="x2ac")
    add_case([1, 2, 4, 4], mode, sf=2.0, ac=True, prefix="x2ac")
    add_case([1, 1, 9, 20], mode, size=[18, 40], ac=True, prefix="x2ac")
add_case([1, 2, 3, 2, 8], "trilinear", sf=2.0, ac=True, prefix="x2ac")
add_case([2, 1, 3, 5, 4], "trilinear", sf=[1.0, 2.0, 2.0], ac=True, prefix="x2ac")

# ---------------------------------------------------------------------------
# 4c. Integer factors along w (the GPU's factor.wgsl kernels: nearest, nearest-exact and area,
# input width a multiple of 4): up x1..x8 (w) with any factor along h and d, area with
# one-input windows (= nearest), down x2 (output width a multiple of 4: nearest reads 2x,
# nearest-exact 2x + 1, area the mean of 2x, 2x + 1), and widths where the pattern does not fit.
# ---------------------------------------------------------------------------
for mode in ("nearest", "nearest-exact", "area"):
    add_case([2, 3, 5, 8], mode, sf=3.0, prefix="factor")
    add_case([1, 2, 3, 4], mode, sf=4.0, prefix="factor")
    add_case([1, 2, 20], mode, sf=2.0, prefix="factor")
    add_case([1, 2, 2, 4], mode, sf=[1.5, 8.0], prefix="factor")
    add_case([1, 1, 2, 3, 8], mode, sf=[2.0, 0.5, 3.0], prefix="factor")
    add_case([2, 3, 6, 16], mode, sf=0.5, prefix="factor")
    add_case([1, 2, 7, 24], mode, size=[3, 12], prefix="factor")
    add_case([1, 2, 3, 5, 8], mode, sf=0.5, prefix="factor")
    add_case([1, 2, 40], mode, sf=0.5, prefix="factor")
    add_case([1, 2, 5, 12], mode, sf=0.5, prefix="factor")  # output width 6: general kernels

# Linear and bilinear x2..x4 along w (factor_linear.wgsl: input width a multiple of 4,
# align_corners False), any factor along h; align_corners True and other widths fall back.
for sf in (2.0, 3.0, 4.0):
    add_case([2, 3, 8], "linear", sf=sf, ac=False, prefix="factor")
    add_case([1, 2, 4], "linear", sf=sf, prefix="factor")
    add_case([2, 3, 5, 8], "bilinear", sf=sf, ac=False, prefix="factor")
add_case([1, 2, 6, 12], "bilinear", sf=[1.5, 3.0], ac=False, prefix="factor")
add_case([1, 2, 1, 4], "bilinear", sf=[0.5 * 2, 4.0], prefix="factor")
add_case([1, 2, 9, 20], "bilinear", size=[4, 60], prefix="factor")
add_case([1, 2, 5, 8], "bilinear", sf=3.0, ac=True, prefix="factor")
# Linear and bilinear x1/2 along w (linear_down_x2: inputs 2x, 2x + 1, weights 0.5, 0.5).
add_case([2, 3, 16], "linear", sf=0.5, ac=False, prefix="factor")
add_case([1, 2, 7, 16], "bilinear", sf=0.5, prefix="factor")
add_case([1, 2, 5, 24], "bilinear", sf=[1.5, 0.5], ac=False, prefix="factor")
# Bilinear and bicubic at fractional scales, both widths multiples of 4 (branch frac: the
# streaming kernels, fractional.wgsl): scale and size, align_corners both, up and down, odd
# heights, more than 32 output rows (several row blocks).
for mode in ("bilinear", "bicubic"):
    for ac in (False, True):
        add_case([1, 2, 7, 8], mode, sf=1.5, ac=ac, prefix="frac")
        add_case([2, 1, 5, 16], mode, sf=[2.6, 0.75], ac=ac, prefix="frac")
        add_case([1, 2, 9, 12], mode, size=[13, 20], ac=ac, prefix="frac")
    add_case([1, 1, 6, 40], mode, sf=[0.7, 0.6], ac=False, rsf=True, prefix="frac")
    add_case([1, 1, 3, 8], mode, size=[40, 12], prefix="frac")
    add_case([1, 2, 25, 8], mode, sf=1.5, ac=False, prefix="frac")
# Branch frac3: x1.5 wide enough for interior threads (fractional_linear_x1_5 and
# fractional_cubic_x1_5: 12 outputs per thread, the interior's taps static, the ends' picked).
for mode in ("bilinear", "bicubic"):
    add_case([1, 2, 7, 56], mode, sf=1.5, ac=False, prefix="frac")

# ---------------------------------------------------------------------------
# 5. Batched (N=2, C=3).
# ---------------------------------------------------------------------------
add_case([2, 3, 4, 5], "bilinear", sf=1.5, ac=False, prefix="batch")
add_case([2, 3, 4, 5], "bilinear", size=[3, 7], ac=True, prefix="batch")
add_case([2, 3, 4, 4], "bicubic", size=6, ac=False, prefix="batch")
add_case([2, 3, 4, 4], "nearest", sf=[2.0, 0.6], prefix="batch")
add_case([2, 3, 4, 4], "nearest-exact", sf=1.7, prefix="batch")
add_case([2, 3, 6, 5], "area", size=[4, 3], prefix="batch")
add_case([2, 3, 6, 8], "bilinear", sf=0.5, ac=False, aa=True, prefix="batch")
add_case([2, 3, 6, 8], "bicubic", size=[6, 3], ac=False, aa=True, prefix="batch")
add_case([2, 3, 2, 3, 3], "trilinear", size=[3, 4, 2], ac=False, prefix="batch")
add_case([2, 3, 2, 2, 3], "nearest", sf=1.5, prefix="batch")
add_case([2, 3, 2, 3, 4], "area", size=[1, 2, 3], prefix="batch")
add_case([2, 3, 6], "linear", sf=1.7, ac=False, rsf=True, prefix="batch")

# ---------------------------------------------------------------------------
# 6. Errors (each must raise in torch).
# ---------------------------------------------------------------------------
add_error("both_size_and_scale", [1, 1, 4, 4], "bilinear", size=8, sf=2.0)
add_error("neither_size_nor_scale", [1, 1, 4, 4], "bilinear")
add_error("neither_size_nor_scale_nearest", [1, 1, 4], "nearest")
add_error("size_list_too_long", [1, 1, 4, 4], "bilinear", size=[8, 8, 8])
add_error("size_list_too_short", [1, 1, 4, 4, 4], "trilinear", size=[8, 8])
add_error("size_list_too_long_3d", [1, 1, 4], "nearest", size=[2, 2])
add_error("scale_list_too_long", [1, 1, 4, 4], "bilinear", sf=[2.0, 2.0, 2.0])
add_error("scale_list_too_short", [1, 1, 4, 4, 4], "nearest", sf=[2.0, 2.0])
add_error("scale_list_too_long_3d", [1, 1, 4], "linear", sf=[2.0, 2.0])
add_error("align_corners_nearest_true", [1, 1, 4, 4], "nearest", size=8, ac=True)
add_error("align_corners_nearest_false", [1, 1, 4], "nearest", size=8, ac=False)
add_error("align_corners_area", [1, 1, 4, 4], "area", size=2, ac=True)
add_error("align_corners_area_false", [1, 1, 4, 4, 4], "area", size=2, ac=False)
add_error("align_corners_nearest_exact", [1, 1, 4, 4], "nearest-exact", size=8, ac=False)
add_error("align_corners_nearest_exact_true", [1, 1, 4, 4, 4], "nearest-exact", sf=2.0,
          ac=True)
add_error("recompute_true_with_size", [1, 1, 4, 4], "bilinear", size=8, rsf=True)
add_error("recompute_true_with_size_nearest", [1, 1, 4], "nearest", size=8, rsf=True)
add_error("antialias_nearest", [1, 1, 4, 4], "nearest", size=2, aa=True)
add_error("antialias_nearest_exact", [1, 1, 4, 4], "nearest-exact", size=2, aa=True)
add_error("antialias_area", [1, 1, 4, 4], "area", size=2, aa=True)
add_error("antialias_linear_3d", [1, 1, 4], "linear", size=2, aa=True)
add_error("antialias_nearest_3d", [1, 1, 4], "nearest", size=2, aa=True)
add_error("antialias_trilinear_5d", [1, 1, 4, 4, 4], "trilinear", size=2, aa=True)
add_error("antialias_nearest_5d", [1, 1, 4, 4, 4], "nearest", size=2, aa=True)
add_error("antialias_bilinear_3d", [1, 1, 4], "bilinear", size=2, aa=True)
add_error("antialias_bicubic_5d", [1, 1, 4, 4, 4], "bicubic", size=2, aa=True)
add_error("lanczos_no_antialias", [1, 1, 4, 4], "lanczos", size=8)
add_error("lanczos_align_corners", [1, 1, 4, 4], "lanczos", size=8, ac=True, aa=True)
add_error("lanczos_align_corners_no_aa", [1, 1, 4, 4], "lanczos", size=8, ac=True)
add_error("lanczos_3d_aa", [1, 1, 4], "lanczos", size=8, aa=True)
add_error("lanczos_3d", [1, 1, 4], "lanczos", size=8)
add_error("lanczos_5d", [1, 1, 4, 4, 4], "lanczos", size=8)
add_error("lanczos_size_0", [1, 1, 4, 4], "lanczos", size=[0, 3], aa=True)
add_error("bilinear_3d", [1, 1, 4], "bilinear", size=8)
add_error("bilinear_5d", [1, 1, 4, 4, 4], "bilinear", size=8)
add_error("bicubic_3d", [1, 1, 4], "bicubic", size=8)
add_error("linear_4d", [1, 1, 4, 4], "linear", size=8)
add_error("linear_5d", [1, 1, 4, 4, 4], "linear", size=8)
add_error("trilinear_4d", [1, 1, 4, 4], "trilinear", size=8)
add_error("trilinear_3d", [1, 1, 4], "trilinear", size=8)
add_error("bicubic_5d", [1, 1, 4, 4, 4], "bicubic", size=8)
add_error("input_2d_nearest", [4, 4], "nearest", size=8)
add_error("input_2d_bilinear", [4, 4], "bilinear", size=8)
add_error("input_6d_nearest", [1, 1, 2, 2, 2, 2], "nearest", size=4)
add_error("input_6d_area", [1, 1, 2, 2, 2, 2], "area", size=1)
add_error("scale_floors_to_zero_nearest", [1, 1, 4], "nearest", sf=0.1)
add_error("scale_floors_to_zero_linear", [1, 1, 4], "linear", sf=0.1)
add_error("scale_floors_to_zero_bilinear_one_axis", [1, 1, 4, 20], "bilinear", sf=0.1)
add_error("scale_floors_to_zero_trilinear", [1, 1, 4, 4, 4], "trilinear", sf=0.2)
add_error("scale_floors_to_zero_antialias", [1, 1, 4, 4], "bicubic", sf=0.2, aa=True)
add_error("scale_zero", [1, 1, 4], "nearest", sf=0.0)
add_error("size_zero", [1, 1, 4], "nearest", size=0)
add_error("size_zero_in_list", [1, 1, 4, 4], "bilinear", size=[3, 0])
add_error("size_negative_area", [1, 1, 4, 4], "area", size=-1)
add_error("scale_negative_area_3d", [1, 1, 4], "area", sf=-2.0)
add_error("size_negative", [1, 1, 4], "linear", size=-2)
add_error("size_negative_in_list", [1, 1, 4, 4], "nearest", size=[3, -1])
add_error("scale_negative", [1, 1, 4], "nearest", sf=-2.0)
add_error("scale_negative_bilinear", [1, 1, 4, 4], "bilinear", sf=-2.0)
add_error("scale_negative_in_list", [1, 1, 4, 4], "bicubic", sf=[2.0, -1.0])

# ---------------------------------------------------------------------------
# 7. Zero-size inputs: record whatever torch does, and describe it in "notes".
# ---------------------------------------------------------------------------
zero_notes = []
for mode, rank in MODE_RANKS:
    sp = [3] * (rank - 2)
    ac = False if mode in INTERP else None
    zero_notes.append(outcome([0, 2] + sp, mode, size=5, ac=ac, tag="zero_batch"))
    zero_notes.append(outcome([0, 2] + sp, mode, sf=2.0, ac=ac, tag="zero_batch"))
    zero_notes.append(outcome([1, 0] + sp, mode, size=5, ac=ac, tag="zero_channel"))
    zero_notes.append(outcome([1, 1, 0] + sp[1:], mode, size=5, ac=ac, tag="zero_spatial"))
    zero_notes.append(outcome([1, 1] + sp[:-1] + [0], mode, sf=2.0, ac=ac,
                              tag="zero_spatial"))
for mode in ("bilinear", "bicubic"):
    zero_notes.append(outcome([0, 2, 4, 4], mode, size=2, ac=False, aa=True, tag="zero_batch"))
    zero_notes.append(outcome([1, 0, 4, 4], mode, size=2, ac=False, aa=True,
                              tag="zero_channel"))
    zero_notes.append(outcome([1, 1, 0, 4], mode, size=2, ac=False, aa=True,
                              tag="zero_spatial"))
zero_notes.append(outcome([0, 2, 4, 4], "bilinear", sf=0.1, ac=False, tag="zero_batch"))
# Output size 0 (area goes through adaptive_avg_pool, which allows it).
zero_notes.append(outcome([1, 1, 4, 4], "area", sf=[0.5, 0.2], tag="zero_out"))
zero_notes.append(outcome([1, 1, 4], "area", sf=0.1, tag="zero_out"))
zero_notes.append(outcome([1, 1, 4, 4], "area", size=0, tag="zero_out"))
zero_notes.append(outcome([1, 1, 4, 4, 4], "area", size=[2, 0, 2], tag="zero_out"))
zero_notes.append(outcome([1, 1, 4], "area", sf=0.0, tag="zero_out"))
zero_notes.append(outcome([1, 1, 4, 4], "nearest", size=[2, 0], tag="zero_out"))

NOTES.append(
    "Summary (torch %s, CPU): an input with N == 0 is accepted by every mode and returns an "
    "empty tensor of shape (0, C, *out) with the usual output size, provided the output size is "
    ">= 1 (a scale that floors to 0 still raises). An input with a zero-size spatial axis always "
    "raises RuntimeError (interpolating/nearest kernels: 'Input and output sizes should be "
    "greater than 0, but got input (...) output (...)'; area: adaptive_avg_pool 'Expected input "
    "to have non-zero size for non-batch dimensions'). C == 0 raises 'Non-empty ND data tensor "
    "expected' for all modes except area 3-D/4-D, which return an empty (1, 0, *out) tensor "
    "(area 5-D raises). Zero-size cases are in 'cases' (names zero_*) or 'errors' (err_zero_*), "
    "whichever torch does. Output size 0 (size=0 or a scale that floors to 0) raises "
    "'Input and output sizes should be greater than 0' for every mode EXCEPT area, which "
    "returns an empty tensor with that zero-size axis (area only raises for a negative output "
    "size: 'adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
    "received {...}')." % torch.__version__)
NOTES.append(
    "Not zero-size, but easy to miss (checked in torch %s, CPU): 4-D 'nearest' treats an axis "
    "with O == I as identity and O == 2*I as src = i >> 1 whatever scale_factor was given "
    "(e.g. 10 -> 20 from 2.05, 19 -> 19 from 1.05), while 3-D and 5-D 'nearest' and "
    "'nearest-exact' (all ranks) use r = 1/scale there (cases spec_near_*). "
    "linear/bilinear/trilinear treat O == I as identity; bicubic does not (align_corners=False "
    "with scale 1.05 on 10 -> 10 resamples with r = 1/1.05). Antialias leaves O == I axes "
    "unchanged, and accepts align_corners=True (then r = (I-1)/(O-1), centre still r*(i+0.5))."
    % torch.__version__)
NOTES.extend(zero_notes)

# ---------------------------------------------------------------------------
# Write.
# ---------------------------------------------------------------------------
def dump(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
    f.write('{"torch_version":%s,"generator":"tools/golden/gen_upsample.py",\n'
            % dump(torch.__version__))
    f.write('"notes":[\n' + ",\n".join(dump(n) for n in NOTES) + "],\n")
    f.write('"cases":[\n' + ",\n".join(dump(c) for c in CASES) + "],\n")
    f.write('"errors":[\n' + ",\n".join(dump(e) for e in ERRORS) + "]}\n")

# Sanity: reload and check shapes/lengths.
with open(OUT_PATH, encoding="utf-8") as f:
    data = json.load(f)
for c in data["cases"]:
    assert len(c["input"]) == math.prod(c["input_shape"]), c["name"]
    assert len(c["output"]) == math.prod(c["output_shape"]), c["name"]
print(f"torch {torch.__version__}: wrote {len(data['cases'])} cases, {len(data['errors'])} errors, "
      f"{os.path.getsize(OUT_PATH)} bytes to {os.path.relpath(OUT_PATH, ROOT)}", file=sys.stderr)
