#!/usr/bin/env python3
"""Golden-data generator for wgpu-upsample's ConvTranspose1d / 2d / 3d.

How to run (from the repository root, /work/main):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy safetensors   # once
    /tmp/torch/bin/python tools/golden/gen_conv_transpose.py

It (re)writes, deterministically (every tensor is seeded from the case name):
  tests/fixtures/conv_transpose_golden.json        forward cases + error cases
  tests/fixtures/conv_transpose_2d.safetensors     state_dict of one ConvTranspose2d
  tests/fixtures/conv_transpose_prefixed.safetensors  state_dict of an nn.Sequential
                                                   (the ConvTranspose2d is at key prefix "1.")
  tests/fixtures/conv_transpose_{1d_grouped,3d,2d_float16,2d_bfloat16}.safetensors
                                                   more layers and dtypes
  tests/fixtures/conv_transpose_int64.safetensors  an integer weight (a dtype error)
  tests/fixtures/conv_transpose_safetensors.json   hyper-parameters, input and expected
                                                   output for each layer file
The JSON files record torch.__version__; regenerate when moving to another PyTorch release
and review the diff. Semantics contract: /work/shared/spec/pytorch-semantics.md sections 2, 3.

Format of conv_transpose_golden.json (compact JSON, one case per line):
  {"torch_version", "generator", "notes": [str],
   "cases":  [{name, dims (1|2|3), in_channels, out_channels, kernel_size, stride, padding,
               output_padding, groups, dilation (all per-axis lists), bias (bool),
               input_shape ((N, C, *L) or unbatched (C, *L)), input (flat f32, C-contiguous),
               weight_shape ([C_in, C_out/groups, *k]), weight (flat f32),
               bias_values ([C_out] f32 or null),
               output_size (null, or exactly the list passed to forward(): spatial sizes or
                            with the N, C (unbatched: C) dims in front),
               output_shape, output (flat f32)}],
   "errors": [{name, stage ("construct" | "forward"), dims, in_channels, out_channels,
               kernel_size, stride, padding, output_padding, groups, dilation, bias,
               padding_mode, input_shape, weight_shape (null unless a custom weight is set),
               bias_len (null unless a custom bias is set), output_size, error_type, message}]}
Floats are written as float(v) of float32 values: Python's repr round-trips, so parsing as
f64 and casting to f32 is exact. Only CPU float32 contiguous tensors are used. Every case's
output is also checked here against an independent float64 NumPy scatter reference.
"""
import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT_PATH = os.path.join(FIX, "conv_transpose_golden.json")
GENERATOR = "tools/golden/gen_conv_transpose.py"

torch.set_num_threads(1)  # avoid any thread-count dependent reduction order
torch.manual_seed(0)      # module default init (always overwritten below)

CASES = []
ERRORS = []
NOTES = []
NAMES = set()
MODULES = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


def exp(v, dims):
    """Expand an int to a per-axis list."""
    if isinstance(v, (list, tuple)):
        assert len(v) == dims, (v, dims)
        return [int(a) for a in v]
    return [int(v)] * dims


def gen_for(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def uniform(g, shape):
    """Values in [-1, 1), float32."""
    return (torch.rand(*shape, generator=g, dtype=torch.float32) * 2.0 - 1.0).contiguous()


def flat(t):
    return [float(v) for v in t.contiguous().flatten().tolist()]


def l_out(L, k, s, p, op, d):
    return (L - 1) * s - 2 * p + d * (k - 1) + op + 1


def _fmt(v):
    if isinstance(v, (list, tuple)):
        if len(set(v)) == 1:
            return str(v[0])
        return "x".join(str(a) for a in v)
    return str(v)


def auto_name(tag, dims, cin, cout, k, s, p, op, g, d, bias, in_shape, output_size, kind):
    parts = [tag, f"{dims}d", f"c{cin}to{cout}", "k" + _fmt(k), "s" + _fmt(s), "p" + _fmt(p),
             "op" + _fmt(op), "d" + _fmt(d), f"g{g}", "b" if bias else "nb",
             "in" + "x".join(map(str, in_shape))]
    if output_size is not None:
        parts.append("os" + "x".join(map(str, output_size)))
    if kind != "rand":
        parts.append(kind)
    return "_".join(x for x in parts if x)


def reference(x, w, b, dims, s, p, op_eff, g, d, out_spatial):
    """float64 NumPy scatter form of conv_transpose (batched x: (N, C_in, *L))."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    N, cin = x.shape[:2]
    L = x.shape[2:]
    k = w.shape[2:]
    cog = w.shape[1]
    cout = cog * g
    cig = cin // g
    # buffer index = i*s + t*d ; output o = buffer index - p
    B = [(L[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 + op_eff[a] for a in range(dims)]
    buf = np.zeros([N, cout] + B, dtype=np.float64)
    for taps in np.ndindex(*k):
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (L[a] - 1) * s[a] + 1, s[a])
                    for a in range(dims))
        for gi in range(g):
            xs = x[:, gi * cig:(gi + 1) * cig]                       # N, cig, *L
            ws = w[gi * cig:(gi + 1) * cig, :, *taps]                # cig, cog
            contrib = np.einsum("nc...,co->no...", xs, ws)
            buf[(slice(None), slice(gi * cog, (gi + 1) * cog)) + idx] += contrib
    crop = tuple(slice(p[a], p[a] + out_spatial[a]) for a in range(dims))
    y = np.zeros([N, cout] + list(out_spatial), dtype=np.float64)
    sub = buf[(slice(None), slice(None)) + crop]
    y[(slice(None), slice(None)) + tuple(slice(0, n) for n in sub.shape[2:])] = sub
    if b is not None:
        y += b.astype(np.float64).reshape([1, cout] + [1] * dims)
    return y


def build(dims, cin, cout, k, s, p, op, g, d, bias, padding_mode="zeros"):
    return MODULES[dims](cin, cout, tuple(k), stride=tuple(s), padding=tuple(p),
                         output_padding=tuple(op), groups=g, bias=bias, dilation=tuple(d),
                         padding_mode=padding_mode)


def make_tensors(name, in_shape, w_shape, cout, bias, kind):
    g = gen_for(name)
    if kind == "rand":
        x = torch.randn(*in_shape, generator=g, dtype=torch.float32).contiguous()
        w = uniform(g, w_shape)
        b = uniform(g, [cout]) if bias else None
    elif kind == "ones":  # integer outputs: tap counts per output position (+ bias)
        x = torch.ones(in_shape, dtype=torch.float32)
        w = torch.ones(w_shape, dtype=torch.float32)
        b = torch.full([cout], 0.5, dtype=torch.float32) if bias else None
    elif kind == "bias10":  # bias far from the data range: gaps (holding only bias) stand out
        x = torch.randn(*in_shape, generator=g, dtype=torch.float32).contiguous()
        w = uniform(g, w_shape)
        b = (uniform(g, [cout]) + 10.0) if bias else None
    else:
        raise ValueError(kind)
    return x, w, b


def add_case(tag, dims, cin, cout, k, s=1, p=0, op=0, g=1, d=1, bias=True, spatial=None, n=1,
             output_size=None, kind="rand", name=None):
    """n=None makes an unbatched input (C, *L)."""
    k, s, p, op, d = (exp(v, dims) for v in (k, s, p, op, d))
    spatial = exp(spatial, dims)
    in_shape = ([n] if n is not None else []) + [cin] + spatial
    if name is None:
        name = auto_name(tag, dims, cin, cout, k, s, p, op, g, d, bias, in_shape, output_size,
                         kind)
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    w_shape = [cin, cout // g] + k
    x, w, b = make_tensors(name, in_shape, w_shape, cout, bias, kind)
    m = build(dims, cin, cout, k, s, p, op, g, d, bias)
    assert list(m.weight.shape) == w_shape
    with torch.no_grad():
        m.weight.copy_(w)
        if bias:
            m.bias.copy_(b)
        y = m(x, output_size=output_size) if output_size is not None else m(x)
    assert y.dtype == torch.float32
    y = y.contiguous()
    # Independent check against the spec's formula.
    out_spatial = list(y.shape[-dims:])
    op_eff = [out_spatial[a] - l_out(spatial[a], k[a], s[a], p[a], 0, d[a]) for a in range(dims)]
    if output_size is None:
        assert op_eff == op, name
    xb = x.numpy() if n is not None else x.numpy()[None]
    ref = reference(xb, w.numpy(), None if b is None else b.numpy(), dims, s, p, op_eff, g, d,
                    out_spatial)
    if n is None:
        ref = ref[0]
    assert list(ref.shape) == list(y.shape), (name, ref.shape, y.shape)
    err = np.abs(ref - y.double().numpy())
    tol = 1e-5 * (1.0 + np.abs(ref))
    assert (err <= tol).all(), (name, float(err.max()))
    case = {"name": name, "dims": dims, "in_channels": cin, "out_channels": cout,
            "kernel_size": k, "stride": s, "padding": p, "output_padding": op, "groups": g,
            "dilation": d, "bias": bool(bias),
            "input_shape": in_shape, "input": flat(x),
            "weight_shape": w_shape, "weight": flat(w),
            "bias_values": flat(b) if bias else None,
            "output_size": list(output_size) if output_size is not None else None,
            "output_shape": list(y.shape), "output": flat(y)}
    assert all(math.isfinite(v) for v in case["output"]), name
    CASES.append(case)
    return y


def add_error(tag, dims, cin, cout, k, s=1, p=0, op=0, g=1, d=1, bias=True, spatial=None,
              n=1, in_shape=None, output_size=None, padding_mode="zeros", weight_shape=None,
              bias_len=None):
    name = "err_" + tag
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    k, s, p, op, d = (exp(v, dims) for v in (k, s, p, op, d))
    if in_shape is None:
        in_shape = ([n] if n is not None else []) + [cin] + exp(spatial, dims)
    rec = {"name": name, "stage": None, "dims": dims, "in_channels": cin,
           "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
           "output_padding": op, "groups": g, "dilation": d, "bias": bool(bias),
           "padding_mode": padding_mode, "input_shape": list(in_shape),
           "weight_shape": weight_shape, "bias_len": bias_len,
           "output_size": list(output_size) if output_size is not None else None}
    g_ = gen_for(name)
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kernel_size 0 warns in default init
            m = build(dims, cin, cout, k, s, p, op, g, d, bias, padding_mode)
    except Exception as e:  # noqa: BLE001 - we record whatever torch raises
        rec.update(stage="construct", error_type=type(e).__name__, message=str(e))
        ERRORS.append(rec)
        return rec
    with torch.no_grad():
        if weight_shape is not None:
            m.weight = nn.Parameter(uniform(g_, weight_shape))
        if bias_len is not None:
            m.bias = nn.Parameter(uniform(g_, [bias_len]))
    x = torch.randn(*in_shape, generator=g_, dtype=torch.float32)
    try:
        with torch.no_grad():
            m(x, output_size=output_size) if output_size is not None else m(x)
    except Exception as e:  # noqa: BLE001
        rec.update(stage="forward", error_type=type(e).__name__, message=str(e))
        ERRORS.append(rec)
        return rec
    raise AssertionError(f"error case {name} did not raise in torch {torch.__version__}")


# ---------------------------------------------------------------------------
# 1. Grid: every dims x stride x padding x dilation (81 cases). Groups config, bias,
#    kernel size, output_padding (cycling through the valid ones, including op >= s when
#    d > s), batched / unbatched are rotated through so that each pair appears.
# ---------------------------------------------------------------------------
GROUP_CFGS = [  # (C_in, C_out, groups)
    (2, 3, 1),   # plain
    (4, 2, 2),   # grouped, C_out/groups = 1
    (3, 3, 3),   # depthwise
    (4, 6, 2),   # grouped, C_out/groups = 3
]
GRID_SPATIAL = {1: 5, 2: [3, 4], 3: [2, 2, 2]}
KERNELS = [3, 2, 4, 1]
i = 0
for dims in (1, 2, 3):
    for s in (1, 2, 3):
        for p in (0, 1, 2):
            for d in (1, 2, 3):
                cin, cout, g = GROUP_CFGS[(i + dims + s) % 4]
                if dims == 3 and cout > 3:
                    cin, cout, g = (2, 4, 2)  # keep 3-D small: C_out/groups = 2
                bias = (i % 3) != 1
                ops = list(range(max(s, d)))
                op = ops[(i // 2) % len(ops)]
                spatial = exp(GRID_SPATIAL[dims], dims)
                k0 = KERNELS[(i + p) % 4]
                k1 = KERNELS[(i + p + 1) % 4]
                # Different kernel on the last axis for 2-D; 3-D keeps the other axes small.
                k = {1: [k0], 2: [k0, k1], 3: [k0, min(k1, 2), 1]}[dims]
                # Grow the kernel on each axis until it has L_out >= 1.
                for a in range(dims):
                    while l_out(spatial[a], k[a], s, p, op, d) < 1:
                        k[a] += 1
                n = None if i % 5 == 4 else (2 if (dims == 1 or (dims == 2 and i % 4 == 0))
                                             else 1)
                add_case("grid", dims, cin, cout, k, s, p, op, g, d, bias, spatial, n)
                i += 1

# ---------------------------------------------------------------------------
# 2. Checkerboard specials (spec section 3): k not divisible by s, s > k (gaps hold only the
#    bias), k=4 s=2 p=1, k=3 s=2 p=1 op=1. Both random and all-ones data (integer tap counts).
# ---------------------------------------------------------------------------
CB = [  # (k, s, p, op, tag)
    (3, 2, 0, 0, "cb_k3s2"),
    (3, 2, 0, 1, "cb_k3s2"),
    (2, 3, 0, 0, "cb_k2s3_gap"),
    (2, 3, 0, 2, "cb_k2s3_gap"),
    (1, 3, 0, 1, "cb_k1s3_gap"),
    (4, 2, 1, 0, "cb_k4s2p1"),
    (3, 2, 1, 1, "cb_k3s2p1op1"),
    (5, 3, 1, 2, "cb_k5s3"),
]
for k, s, p, op, tag in CB:
    add_case(tag, 1, 1, 1, k, s, p, op, spatial=5, kind="ones")
    add_case(tag, 1, 2, 3, k, s, p, op, spatial=5, n=2,
             kind="bias10" if "gap" in tag else "rand")
    add_case(tag, 2, 2, 2, k, s, p, op, spatial=[3, 4],
             kind="bias10" if "gap" in tag else "rand")
    add_case(tag, 2, 1, 1, k, s, p, op, bias=False, spatial=[3, 3], kind="ones")
for k, s, p, op, tag in (CB[0], CB[2], CB[5], CB[6]):
    add_case(tag, 3, 2, 2, k, s, p, op, spatial=[2, 2, 3],
             kind="bias10" if "gap" in tag else "rand")
add_case("cb_k3s2", 3, 1, 1, 3, 2, 0, 0, bias=False, spatial=2, kind="ones")
add_case("cb_k2s3_gap", 3, 1, 1, 2, 3, 0, 0, bias=True, spatial=2, kind="ones")

# ---------------------------------------------------------------------------
# 3. output_padding specials: op >= s allowed by dilation; padding > 0 with op.
# ---------------------------------------------------------------------------
for dims, sp in ((1, 5), (2, [3, 4]), (3, [2, 2, 3])):
    c = (2, 2) if dims == 3 else (2, 3)
    add_case("op_ge_s", dims, *c, k=3, s=1, p=0, op=1, d=2, spatial=sp)      # s1 d2 op1
    add_case("op_ge_s", dims, *c, k=2, s=2, p=1, op=2, d=3, spatial=sp)      # s2 d3 op2
    add_case("op_ge_s", dims, *c, k=3, s=1, p=2, op=2, d=3, bias=False, spatial=sp)
    add_case("pad_op", dims, *c, k=3, s=2, p=1, op=1, spatial=sp)
    add_case("pad_op", dims, *c, k=4, s=3, p=2, op=2, bias=False, spatial=sp)
    add_case("pad_op", dims, *c, k=3, s=3, p=1, op=1, d=2, spatial=sp, n=None)
add_case("op_gt_p", 1, 2, 2, k=2, s=3, p=0, op=2, spatial=4)   # op columns past the buffer
add_case("op_gt_p", 2, 1, 2, k=1, s=3, p=0, op=2, spatial=[2, 3])  # op region = bias only

# ---------------------------------------------------------------------------
# 4. Groups specials (depthwise, C_out/groups > 1) with stride / dilation / padding.
# ---------------------------------------------------------------------------
for dims, sp in ((1, 6), (2, [3, 4]), (3, [2, 3, 2])):
    c = 2 if dims == 3 else 4
    add_case("dw", dims, c, c, k=3, s=2, p=1, op=1, g=c, spatial=sp)
    add_case("dw", dims, c, c, k=2, s=1, p=0, d=2, g=c, bias=False, spatial=sp, n=None)
    add_case("dw_mult", dims, c, 2 * c, k=3, s=2, p=0, g=c, spatial=sp)  # depthwise multiplier
    if dims < 3:
        add_case("grp_cog3", dims, 4, 6, k=3, s=2, p=1, op=1, g=2, spatial=sp)
        add_case("grp_cog3", dims, 4, 6, k=2, s=3, p=0, d=2, g=2, bias=False, spatial=sp,
                 n=None)
        add_case("grp_cig3", dims, 6, 2, k=3, s=2, p=1, g=2, spatial=sp)   # C_in/groups = 3
        add_case("grp3", dims, 6, 3, k=3, s=1, p=1, g=3, spatial=sp)
    else:
        add_case("grp_cog3", dims, 2, 6, k=2, s=2, p=0, g=2, spatial=sp)
        add_case("grp_cig2", dims, 4, 2, k=2, s=2, p=1, op=1, g=2, spatial=sp, n=None)

# ---------------------------------------------------------------------------
# 5. Different values per axis.
# ---------------------------------------------------------------------------
add_case("peraxis", 2, 2, 3, k=[3, 2], s=[2, 1], p=[0, 0], op=[0, 0], d=[1, 2], spatial=[4, 3])
add_case("peraxis", 2, 2, 3, k=[3, 2], s=[2, 1], p=[1, 0], op=[1, 1], d=[1, 2], spatial=[4, 3])
add_case("peraxis", 2, 2, 2, k=[1, 4], s=[3, 2], p=[0, 1], op=[2, 0], d=[1, 1], spatial=[3, 4])
add_case("peraxis", 2, 4, 4, k=[2, 3], s=[1, 3], p=[1, 2], op=[1, 2], d=[3, 1], g=2,
         spatial=[4, 3], n=None)
add_case("peraxis", 2, 3, 3, k=[4, 1], s=[2, 2], p=[2, 0], op=[0, 1], d=[2, 1], g=3,
         bias=False, spatial=[3, 3], n=2)
add_case("peraxis", 3, 2, 2, k=[2, 3, 1], s=[1, 2, 3], p=[0, 1, 0], op=[1, 1, 2],
         d=[2, 1, 1], spatial=[2, 3, 2])
add_case("peraxis", 3, 2, 3, k=[3, 1, 2], s=[2, 3, 1], p=[1, 0, 1], op=[0, 2, 0],
         d=[1, 1, 3], bias=False, spatial=[3, 2, 2])
add_case("peraxis", 3, 2, 2, k=[1, 2, 3], s=[3, 1, 2], p=[0, 0, 2], op=[1, 0, 1],
         d=[2, 2, 1], g=2, spatial=[2, 2, 3], n=None)

# ---------------------------------------------------------------------------
# 6. forward(output_size): min and max of the range, spatial-only and with the N, C (or
#    unbatched: C) dims in front; output_size replaces the layer's output_padding.
# ---------------------------------------------------------------------------
OS_CFGS = {  # dims: (cin, cout, k, s, p, d, spatial)
    1: [(2, 3, 3, 2, 1, 1, 5), (2, 2, 2, 3, 0, 2, 4), (3, 3, 4, 3, 2, 1, 4)],
    2: [(2, 3, 3, 2, 1, 1, [3, 4]), (2, 2, [2, 3], [3, 2], [0, 1], [1, 2], [3, 3])],
    3: [(2, 2, 3, 2, 1, 1, [2, 2, 3]), (1, 2, [2, 1, 3], [3, 2, 1], [0, 0, 1], [1, 2, 1],
                                        [2, 3, 2])],
}
for dims, cfgs in OS_CFGS.items():
    for j, (cin, cout, k, s, p, d, sp) in enumerate(cfgs):
        k_, s_, p_, d_, sp_ = (exp(v, dims) for v in (k, s, p, d, sp))
        mins = [l_out(sp_[a], k_[a], s_[a], p_[a], 0, d_[a]) for a in range(dims)]
        maxs = [mins[a] + s_[a] - 1 for a in range(dims)]
        mixed = [mins[a] if a % 2 == 0 else maxs[a] for a in range(dims)]
        n = 2 if dims == 1 else 1
        add_case("os_min", dims, cin, cout, k, s, p, 0, 1, d, True, sp, n, output_size=mins)
        add_case("os_max", dims, cin, cout, k, s, p, 0, 1, d, j % 2 == 0, sp, n,
                 output_size=maxs)
        add_case("os_min_nc", dims, cin, cout, k, s, p, 0, 1, d, True, sp, n,
                 output_size=[n, cout] + mins)
        add_case("os_max_nc", dims, cin, cout, k, s, p, 0, 1, d, True, sp, n,
                 output_size=[n, cout] + maxs)
        if dims > 1:
            add_case("os_mixed", dims, cin, cout, k, s, p, 0, 1, d, True, sp, n,
                     output_size=mixed)
        # The layer's own output_padding is replaced by output_size.
        op_layer = [min(1, s_[a] - 1) for a in range(dims)]
        add_case("os_overrides_op", dims, cin, cout, k, s, p, op_layer, 1, d, True, sp, n,
                 output_size=mins)
        # Unbatched: spatial only, and with the C dim in front.
        add_case("os_unbatched", dims, cin, cout, k, s, p, 0, 1, d, False, sp, None,
                 output_size=maxs)
        add_case("os_unbatched_c", dims, cin, cout, k, s, p, 0, 1, d, True, sp, None,
                 output_size=[cout] + mixed)
# Groups with output_size.
add_case("os_grp", 2, 4, 6, 3, 2, 1, 0, 2, 1, True, [3, 3], 1, output_size=[6, 6])
add_case("os_dw", 1, 3, 3, 3, 3, 0, 0, 3, 1, True, 4, 2, output_size=[14])
# Stride 1: the range is the single value min (op = 0), even with dilation > 1.
add_case("os_s1", 1, 2, 2, 3, 1, 1, 0, 1, 2, True, 5, 1, output_size=[7])
add_case("os_s1", 2, 2, 2, 3, 1, 0, [1, 0], 1, [2, 1], True, [3, 3], 1, output_size=[7, 5])
# Dilation > stride: the layer accepts op up to d-1 but output_size only up to min + s - 1.
add_case("os_d_gt_s", 1, 2, 2, 3, 2, 0, 0, 1, 3, True, 4, 1, output_size=[14])
# The N, C prefix values are not checked by torch (it only uses the trailing dims).
add_case("os_nc_prefix_ignored", 2, 2, 3, 3, 2, 1, 0, 1, 1, True, [3, 3], 1,
         output_size=[7, 5, 6, 5])
# Padding so large that the default output is < 1, rescued by output_size (min < 1).
add_case("os_rescues_small", 1, 1, 2, 3, 3, 2, 0, 1, 1, True, 1, 1, output_size=[1])
add_case("os_rescues_small", 2, 1, 1, 3, 3, [2, 0], 0, 1, 1, True, [1, 2], 1,
         output_size=[1, 7])

# ---------------------------------------------------------------------------
# 7. Unbatched input (plain) and a few batched N = 2.
# ---------------------------------------------------------------------------
add_case("unbatched", 1, 3, 2, 3, 2, 0, 1, spatial=6, n=None)
add_case("unbatched", 2, 3, 2, 3, 2, 1, 1, spatial=[3, 4], n=None)
add_case("unbatched", 3, 2, 2, 2, 2, 0, 0, spatial=[2, 3, 2], n=None)
add_case("unbatched", 3, 1, 1, 1, 1, 0, 0, spatial=[2, 2, 2], n=None)
add_case("batch", 2, 2, 3, 3, 2, 1, 1, spatial=[3, 3], n=2)
add_case("batch", 3, 2, 2, 2, 2, 1, 0, spatial=[2, 2, 2], n=2)

# ---------------------------------------------------------------------------
# 8. Misc small: 1x1 kernel, identity-like, size-1 inputs, kernel larger than input.
# ---------------------------------------------------------------------------
add_case("k1s1", 2, 3, 4, 1, 1, 0, 0, spatial=[3, 4])
add_case("k1s2", 2, 2, 2, 1, 2, 0, 1, spatial=[3, 3])
add_case("k1p1", 1, 2, 2, 1, 1, 1, 0, spatial=6)            # padding crops both ends
add_case("in1", 1, 2, 3, 3, 2, 0, 1, spatial=1)
add_case("in1", 2, 2, 2, 4, 3, 1, 2, spatial=[1, 1])
add_case("in1", 3, 1, 2, 3, 2, 1, 0, spatial=[1, 1, 1])
add_case("kbig", 1, 1, 2, 7, 1, 2, 0, spatial=3)
add_case("kbig", 2, 2, 2, [5, 6], [2, 1], [3, 2], 0, spatial=[2, 2])
add_case("out1", 1, 1, 1, 3, 1, 2, 0, spatial=3, kind="ones")        # L_out exactly 1
add_case("out1", 2, 2, 1, 3, 2, [1, 0], 0, spatial=[1, 1], bias=True)  # 1 x 3

# ---------------------------------------------------------------------------
# 9. Wider channels (GEMM path).
# ---------------------------------------------------------------------------
add_case("wide", 2, 16, 8, 3, 2, 1, 1, spatial=[5, 5])
add_case("wide", 2, 16, 8, 3, 1, 1, 0, bias=False, spatial=[4, 4])
add_case("wide", 2, 8, 12, 2, 2, 0, 0, spatial=[3, 4])
add_case("wide", 2, 16, 16, 3, 2, 0, 0, g=4, spatial=[2, 3])
add_case("wide", 1, 16, 8, 3, 2, 1, 1, spatial=7, n=2)
add_case("wide", 1, 32, 8, 2, 2, 0, 0, d=2, spatial=6, n=None)
add_case("wide", 3, 8, 4, 2, 2, 0, 0, spatial=[3, 3, 3])
add_case("wide", 3, 12, 6, 3, 1, 1, 0, g=3, bias=False, spatial=[2, 3, 3])

# ---------------------------------------------------------------------------
# 10. Zero-size batch: torch accepts N == 0 (empty output); recorded as a case.
# ---------------------------------------------------------------------------
add_case("zero_batch", 2, 2, 3, 3, 2, 1, 1, spatial=[3, 3], n=0)
add_case("zero_batch", 1, 2, 2, 3, 1, 0, 0, spatial=4, n=0, output_size=[6])

# ---------------------------------------------------------------------------
# 11. Errors (each must raise in torch).
# ---------------------------------------------------------------------------
E2 = dict(dims=2, cin=2, cout=2, k=3, spatial=[4, 4])
add_error("stride_zero_2d", **E2, s=0)
add_error("stride_zero_one_axis_2d", **E2, s=[2, 0])
add_error("stride_zero_1d", dims=1, cin=2, cout=2, k=3, s=0, spatial=4)
add_error("stride_negative_3d", dims=3, cin=1, cout=1, k=2, s=[1, -1, 1], spatial=2)
add_error("dilation_zero_2d", **E2, d=0)
add_error("dilation_zero_1d", dims=1, cin=2, cout=2, k=3, d=0, spatial=4)
add_error("dilation_zero_one_axis_3d", dims=3, cin=1, cout=1, k=2, d=[1, 0, 1], spatial=2)
add_error("groups_zero", **E2, g=0)
add_error("groups_zero_1d", dims=1, cin=2, cout=2, k=3, g=0, spatial=4)
add_error("padding_negative_2d", **E2, p=-1)
add_error("padding_negative_one_axis_2d", **E2, p=[1, -1])
add_error("padding_negative_1d", dims=1, cin=2, cout=2, k=3, p=-1, spatial=4)
add_error("padding_negative_3d", dims=3, cin=1, cout=1, k=2, p=[0, 0, -2], spatial=2)
add_error("output_padding_negative_2d", **E2, s=2, op=-1)
add_error("output_padding_negative_1d", dims=1, cin=2, cout=2, k=3, s=2, op=-1, spatial=4)
add_error("output_padding_ge_stride_2d", **E2, s=2, op=2)
add_error("output_padding_ge_stride_s1_2d", **E2, s=1, op=1)
add_error("output_padding_ge_stride_and_dilation_2d", **E2, s=2, d=2, op=2)
add_error("output_padding_ge_one_axis_2d", **E2, s=[2, 1], d=[1, 1], op=[1, 1])
add_error("output_padding_ge_stride_1d", dims=1, cin=2, cout=2, k=3, s=2, op=2, spatial=4)
add_error("output_padding_ge_stride_dilation_1d", dims=1, cin=2, cout=2, k=3, s=2, d=3, op=3,
          spatial=4)
add_error("output_padding_ge_one_axis_3d", dims=3, cin=1, cout=1, k=2, s=[2, 1, 1],
          op=[0, 1, 0], spatial=2)
add_error("in_channels_not_divisible_by_groups", dims=2, cin=3, cout=2, k=3, g=2,
          spatial=[4, 4])
add_error("in_channels_not_divisible_by_groups_1d", dims=1, cin=4, cout=6, k=3, g=3, spatial=4)
add_error("out_channels_not_divisible_by_groups", dims=2, cin=2, cout=3, k=3, g=2,
          spatial=[4, 4])
add_error("out_channels_not_divisible_by_groups_3d", dims=3, cin=4, cout=2, k=2, g=4,
          spatial=2)
add_error("channel_mismatch_2d", dims=2, cin=3, cout=2, k=3, in_shape=[1, 2, 4, 4])
add_error("channel_mismatch_2d_grouped", dims=2, cin=4, cout=2, k=3, g=2,
          in_shape=[2, 2, 3, 3])
add_error("channel_mismatch_2d_unbatched", dims=2, cin=3, cout=2, k=3, in_shape=[2, 4, 4])
add_error("channel_mismatch_1d", dims=1, cin=2, cout=2, k=3, in_shape=[1, 3, 2])
add_error("channel_mismatch_1d_unbatched", dims=1, cin=2, cout=2, k=3, in_shape=[3, 2])
add_error("channel_mismatch_3d", dims=3, cin=2, cout=2, k=3, in_shape=[1, 3, 2, 2, 2])
add_error("channel_zero_2d", dims=2, cin=2, cout=2, k=3, in_shape=[1, 0, 3, 3])
add_error("rank_2d_input_to_2d", dims=2, cin=2, cout=2, k=3, in_shape=[2, 4])
add_error("rank_5d_input_to_2d", dims=2, cin=2, cout=2, k=3, in_shape=[1, 2, 2, 4, 4])
add_error("rank_1d_input_to_1d", dims=1, cin=2, cout=2, k=3, in_shape=[2])
add_error("rank_4d_input_to_1d", dims=1, cin=1, cout=1, k=3, in_shape=[1, 1, 2, 2])
add_error("rank_6d_input_to_3d", dims=3, cin=1, cout=1, k=3, in_shape=[1, 1, 2, 3, 3, 3])
add_error("rank_3d_input_to_3d", dims=3, cin=2, cout=2, k=3, in_shape=[2, 3, 3])
# 4-D input to ConvTranspose3d is read as unbatched (C, D, H, W): a channel mismatch here.
add_error("rank_4d_input_to_3d_is_unbatched", dims=3, cin=2, cout=2, k=3, in_shape=[1, 2, 3, 3])
add_error("output_too_small_1d", dims=1, cin=1, cout=1, k=3, s=1, p=3, spatial=2)
add_error("output_zero_1d", dims=1, cin=1, cout=1, k=3, s=1, p=2, spatial=2)
add_error("output_too_small_2d", dims=2, cin=1, cout=1, k=3, s=1, p=[0, 3], spatial=[2, 2])
add_error("output_too_small_3d", dims=3, cin=1, cout=1, k=3, s=1, p=[0, 3, 0], spatial=2)
add_error("output_too_small_despite_op", dims=1, cin=1, cout=1, k=1, s=2, p=2, op=1,
          spatial=1)
add_error("output_size_below_min_2d", **E2, s=2, output_size=[8, 8])
add_error("output_size_above_max_2d", **E2, s=2, output_size=[11, 11])
add_error("output_size_above_max_one_axis_2d", **E2, s=2, output_size=[9, 11])
add_error("output_size_below_min_nc_2d", **E2, s=2, output_size=[1, 2, 8, 9])
add_error("output_size_below_min_1d", dims=1, cin=2, cout=2, k=3, s=3, spatial=4,
          output_size=[11])
add_error("output_size_above_max_1d", dims=1, cin=2, cout=2, k=3, s=3, spatial=4,
          output_size=[15])
add_error("output_size_above_max_3d", dims=3, cin=1, cout=1, k=2, s=[2, 1, 3], spatial=2,
          output_size=[4, 4, 7])
add_error("output_size_above_max_s1", dims=1, cin=1, cout=1, k=3, s=1, spatial=4,
          output_size=[7])
add_error("output_size_above_max_d_gt_s", dims=1, cin=1, cout=1, k=3, s=2, d=3, spatial=4,
          output_size=[15])
add_error("output_size_below_min_unbatched_2d", dims=2, cin=2, cout=2, k=3, s=2,
          in_shape=[2, 4, 4], output_size=[8, 9])
add_error("output_size_below_min_unbatched_1d", dims=1, cin=2, cout=2, k=3, s=2,
          in_shape=[2, 4], output_size=[8])
add_error("output_size_wrong_len_3_for_2d", **E2, s=2, output_size=[9, 9, 9])
add_error("output_size_wrong_len_1_for_2d", **E2, s=2, output_size=[9])
add_error("output_size_wrong_len_2_for_1d", dims=1, cin=2, cout=2, k=3, s=2, spatial=4,
          output_size=[1, 9])
add_error("output_size_wrong_len_2_for_3d", dims=3, cin=1, cout=1, k=2, s=2, spatial=2,
          output_size=[4, 4])
add_error("output_size_wrong_len_4_for_2d_unbatched", dims=2, cin=2, cout=2, k=3, s=2,
          in_shape=[2, 4, 4], output_size=[1, 2, 9, 9])
add_error("output_size_zero_when_min_below_1", dims=1, cin=1, cout=1, k=3, s=1, p=2,
          spatial=1, output_size=[0])
add_error("padding_mode_reflect_2d", **E2, padding_mode="reflect")
add_error("padding_mode_reflect_1d", dims=1, cin=2, cout=2, k=3, spatial=4,
          padding_mode="reflect")
add_error("padding_mode_circular_3d", dims=3, cin=1, cout=1, k=2, spatial=2,
          padding_mode="circular")
add_error("padding_mode_replicate_2d", **E2, padding_mode="replicate")
add_error("zero_size_spatial_2d", dims=2, cin=2, cout=2, k=3, in_shape=[1, 2, 0, 4])
add_error("zero_size_spatial_1d", dims=1, cin=1, cout=1, k=3, in_shape=[1, 1, 0])
add_error("zero_size_spatial_3d", dims=3, cin=1, cout=1, k=3, in_shape=[1, 1, 2, 0, 2])
add_error("zero_size_spatial_unbatched_2d", dims=2, cin=2, cout=2, k=3, in_shape=[2, 3, 0])
add_error("kernel_size_zero_2d", **{**E2, "k": 0})
add_error("kernel_size_zero_one_axis_2d", **{**E2, "k": [2, 0]})
add_error("kernel_size_zero_1d", dims=1, cin=1, cout=1, k=0, spatial=2)
add_error("kernel_size_zero_3d", dims=3, cin=1, cout=1, k=[1, 0, 1], spatial=2)
add_error("kernel_size_negative_2d", **{**E2, "k": -1})
add_error("bias_wrong_len", dims=2, cin=4, cout=2, k=3, spatial=[4, 4], bias_len=3)
add_error("weight_wrong_in_channels", dims=2, cin=4, cout=2, k=3, spatial=[4, 4],
          weight_shape=[3, 2, 3, 3])
add_error("weight_wrong_rank", dims=2, cin=4, cout=2, k=3, spatial=[4, 4],
          weight_shape=[4, 2, 3])
add_error("weight_out_channels_vs_bias", dims=2, cin=4, cout=2, k=3, g=2, spatial=[4, 4],
          weight_shape=[4, 2, 3, 3])

# ---------------------------------------------------------------------------
# Notes: where torch differs from, or says more than, the spec.
# ---------------------------------------------------------------------------
V = torch.__version__
NOTES += [
    f"torch {V} CPU: forward(output_size=[N, C, *spatial]) ignores the N and C values (only "
    "the trailing spatial dims are used); case os_nc_prefix_ignored passes [7, 5, 6, 5] for an "
    "input of N=1, C_out=3 and succeeds. Only the length is checked (spatial or spatial+2, "
    "unbatched spatial or spatial+1).",
    f"torch {V}: output_size range is always min..min+stride-1 per axis, even where dilation > "
    "stride would allow a larger layer output_padding (err_output_size_above_max_d_gt_s, "
    "case os_d_gt_s). op = size - min replaces the layer's output_padding (os_overrides_op).",
    f"torch {V}: output_size can rescue a layer whose default output would be < 1: the range "
    "check uses min (which may be <= 0) and then op = size - min (< stride) gives L_out >= 1 "
    "(cases os_rescues_small_*; e.g. L_in=1, k=3, s=3, p=2: min=-1, output_size [1] is valid). "
    "Conversely output_size [0] there fails the range check with 'valid sizes range from [-1] "
    "to [-1]' (s=1) rather than 'Output size is too small'.",
    f"torch {V}: the output_size range error for an UNBATCHED input prints input.size()[2:], "
    "i.e. it drops the first spatial dim ('for an input of torch.Size([4])' for a (2, 4, 4) "
    "input; err_output_size_below_min_unbatched_*). For a 1-D unbatched input it prints "
    "torch.Size([]).",
    f"torch {V}: ConvTranspose1d is run through the 2-D kernel, so its forward errors name "
    "height/width with a dummy height of 1 ('output_padding_height: 0 output_padding_width: 2 "
    "stride_height: 1 ...', 'dilation_height: 1, dilation_width: 0', 'Given input size per "
    "channel: (1 x 2)', zero-size input shape printed as [1, 1, 1, 0]). Unbatched inputs are "
    "unsqueezed first, so channel-mismatch messages print input[1, C, ...].",
    f"torch {V}: kernel_size 0 is accepted at construction (default init only warns) and "
    "fails in forward: 2-D/1-D 'kernel size should be greater than zero, ...'; 3-D 'non-empty "
    "5D (...) tensor expected for weight, but got: [...]'. A negative kernel_size fails at "
    "construction ('Trying to create tensor with negative dimension'). The spec does not list "
    "kernel_size >= 1; torch requires it.",
    f"torch {V}: an input with a zero-size spatial dim raises 'Only zero batch or zero channel "
    "inputs are supported, but got input shape: [...]'. N == 0 is accepted and returns an empty "
    "(0, C_out, *L_out) tensor (cases zero_batch_*). C == 0 fails the channel check "
    "(err_channel_zero_2d). The spec does not mention zero-size inputs.",
    f"torch {V}: a 4-D input to ConvTranspose3d (or 3-D to 2d, 2-D to 1d) is treated as "
    "unbatched (C, *L); only other ranks give the 'Expected ... input to conv_transposeNd' "
    "error (err_rank_4d_input_to_3d_is_unbatched gives a channel-mismatch error).",
    f"torch {V}: groups/in/out divisibility and padding_mode are checked at construction "
    "(ValueError); stride/dilation/padding/output_padding/kernel/size checks happen in forward "
    "(RuntimeError), except output_size range/length checks (ValueError, in Python). 'stage' "
    "in each error records which.",
    f"torch {V}: forward(output_size=int) raises TypeError (\"object of type 'int' has no "
    "len()\"); only sequences are accepted. Not recorded as an error case.",
    f"torch {V}: the error checks agree with the spec otherwise: op must be < stride OR < "
    "dilation per axis; L_out >= 1 ('Output size is too small'); padding_mode other than "
    "'zeros' raises ValueError at construction.",
]


# ---------------------------------------------------------------------------
# Write the main fixture.
# ---------------------------------------------------------------------------
def dump(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


os.makedirs(FIX, exist_ok=True)
with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
    f.write('{"torch_version":%s,"generator":%s,\n' % (dump(V), dump(GENERATOR)))
    f.write('"notes":[\n' + ",\n".join(dump(n) for n in NOTES) + "],\n")
    f.write('"cases":[\n' + ",\n".join(dump(c) for c in CASES) + "],\n")
    f.write('"errors":[\n' + ",\n".join(dump(e) for e in ERRORS) + "]}\n")

with open(OUT_PATH, encoding="utf-8") as f:
    data = json.load(f)
for c in data["cases"]:
    assert len(c["input"]) == math.prod(c["input_shape"]), c["name"]
    assert len(c["weight"]) == math.prod(c["weight_shape"]), c["name"]
    assert len(c["output"]) == math.prod(c["output_shape"]), c["name"]
    assert c["bias_values"] is None or len(c["bias_values"]) == c["out_channels"]
print(f"torch {V}: wrote {len(data['cases'])} cases, {len(data['errors'])} errors, "
      f"{os.path.getsize(OUT_PATH)} bytes to {os.path.relpath(OUT_PATH, ROOT)}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Safetensors fixtures.
# ---------------------------------------------------------------------------
def layer_fields(m, dims):
    return {"dims": dims, "in_channels": m.in_channels, "out_channels": m.out_channels,
            "kernel_size": list(m.kernel_size), "stride": list(m.stride),
            "padding": list(m.padding), "output_padding": list(m.output_padding),
            "groups": m.groups, "dilation": list(m.dilation), "bias": m.bias is not None}


def st_entry(file, prefix, sd, layer, x, dims=2, dtype="float32"):
    with torch.no_grad():
        y = layer(x).contiguous()
    e = {"file": file, "prefix": prefix, "dtype": dtype,
         "tensors": {k: list(v.shape) for k, v in sd.items()}}
    e.update(layer_fields(layer, dims))
    e.update({"input_shape": list(x.shape), "input": flat(x),
              "output_shape": list(y.shape), "output": flat(y)})
    return e


ST = []
g = gen_for("safetensors/conv_transpose_2d")
m = nn.ConvTranspose2d(4, 3, kernel_size=3, stride=2, padding=1, output_padding=1, bias=True)
with torch.no_grad():
    m.weight.copy_(uniform(g, list(m.weight.shape)))
    m.bias.copy_(uniform(g, [3]))
sd = {k: v.detach().contiguous() for k, v in m.state_dict().items()}
save_file(sd, os.path.join(FIX, "conv_transpose_2d.safetensors"), metadata={"format": "pt"})
x = torch.randn(2, 4, 3, 4, generator=g, dtype=torch.float32)
ST.append(st_entry("conv_transpose_2d.safetensors", "", sd, m, x))

g = gen_for("safetensors/conv_transpose_prefixed")
seq = nn.Sequential(nn.Conv2d(2, 3, kernel_size=3, padding=1),
                    nn.ConvTranspose2d(3, 2, kernel_size=4, stride=2, padding=1, groups=1,
                                       bias=False))
with torch.no_grad():
    for p_ in seq.parameters():
        p_.copy_(uniform(g, list(p_.shape)))
sd = {k: v.detach().contiguous() for k, v in seq.state_dict().items()}
assert sorted(sd) == ["0.bias", "0.weight", "1.weight"], sorted(sd)
save_file(sd, os.path.join(FIX, "conv_transpose_prefixed.safetensors"),
          metadata={"format": "pt"})
x = torch.randn(1, 3, 4, 3, generator=g, dtype=torch.float32)  # input of seq[1]
ST.append(st_entry("conv_transpose_prefixed.safetensors", "1.", sd, seq[1], x))

g = gen_for("safetensors/conv_transpose_1d_grouped")
m = nn.ConvTranspose1d(4, 6, kernel_size=5, stride=3, padding=2, output_padding=1, groups=2,
                       dilation=2, bias=True)
with torch.no_grad():
    for p_ in m.parameters():
        p_.copy_(uniform(g, list(p_.shape)))
sd = {k: v.detach().contiguous() for k, v in m.state_dict().items()}
save_file(sd, os.path.join(FIX, "conv_transpose_1d_grouped.safetensors"), metadata={"format": "pt"})
x = torch.randn(2, 4, 7, generator=g, dtype=torch.float32)
ST.append(st_entry("conv_transpose_1d_grouped.safetensors", "", sd, m, x, dims=1))

g = gen_for("safetensors/conv_transpose_3d")
m = nn.ConvTranspose3d(2, 3, kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1),
                       output_padding=(1, 0, 0), bias=True)
with torch.no_grad():
    for p_ in m.parameters():
        p_.copy_(uniform(g, list(p_.shape)))
sd = {k: v.detach().contiguous() for k, v in m.state_dict().items()}
save_file(sd, os.path.join(FIX, "conv_transpose_3d.safetensors"), metadata={"format": "pt"})
x = torch.randn(1, 2, 3, 4, 3, generator=g, dtype=torch.float32)
ST.append(st_entry("conv_transpose_3d.safetensors", "", sd, m, x, dims=3))

# Half-precision checkpoints: the file holds float16 / bfloat16 tensors; the expected output is
# PyTorch's after module.float() (weights widened exactly, computed in float32).
for dtype, name in [(torch.float16, "float16"), (torch.bfloat16, "bfloat16")]:
    g = gen_for(f"safetensors/conv_transpose_2d_{name}")
    m = nn.ConvTranspose2d(3, 4, kernel_size=4, stride=2, padding=1, bias=True)
    with torch.no_grad():
        for p_ in m.parameters():
            p_.copy_(uniform(g, list(p_.shape)))
    sd = {k: v.detach().to(dtype).contiguous() for k, v in m.state_dict().items()}
    file = f"conv_transpose_2d_{name}.safetensors"
    save_file(sd, os.path.join(FIX, file), metadata={"format": "pt"})
    m = m.to(dtype).float()
    x = torch.randn(1, 3, 3, 4, generator=g, dtype=torch.float32)
    ST.append(st_entry(file, "", sd, m, x, dtype=name))

# Not floating point: loading it is an error naming the dtype.
save_file({"weight": torch.arange(4 * 3 * 3 * 3, dtype=torch.int64).reshape(4, 3, 3, 3)},
          os.path.join(FIX, "conv_transpose_int64.safetensors"), metadata={"format": "pt"})

ST_PATH = os.path.join(FIX, "conv_transpose_safetensors.json")
with open(ST_PATH, "w", encoding="utf-8", newline="\n") as f:
    f.write('{"torch_version":%s,"generator":%s,\n' % (dump(V), dump(GENERATOR)))
    f.write('"note":%s,\n' % dump(
        "input/output are for the ConvTranspose layer at key prefix 'prefix' alone (for the "
        "Sequential file: the input of layer 1, not of the Sequential)."))
    f.write('"files":[\n' + ",\n".join(dump(e) for e in ST) + "]}\n")
with open(ST_PATH, encoding="utf-8") as f:
    json.load(f)
print(f"wrote {os.path.relpath(ST_PATH, ROOT)} and {len(ST)} safetensors files", file=sys.stderr)
