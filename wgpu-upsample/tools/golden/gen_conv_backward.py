#!/usr/bin/env python3
"""Golden data for the forward and the autograd backward of Conv1d/2d/3d and
ConvTranspose1d/2d/3d (grad_input, grad_weight, grad_bias), from PyTorch.

How to run (from wgpu-upsample/):

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy   # once
    /tmp/torch/bin/python tools/golden/gen_conv_backward.py

It (re)writes tests/fixtures/conv_backward_golden.json deterministically: every tensor is
drawn from a torch.Generator seeded with zlib.crc32(case name), torch runs on one CPU thread,
and the script re-executes itself with PYTHONHASHSEED=0 (some PyTorch messages print a Python
set, whose order depends on the hash seed). The file records torch.__version__; regenerate
when moving to another PyTorch release and review the diff.

For each case: input x, weight W, bias b are uniform in [-1, 1) float32, grad_output gy is
uniform in [-1, 1) float32 of the output's shape. They are cast to float64 and the
functional form (F.conv{d}d / F.conv_transpose{d}d) is run with requires_grad on x, W, b,
then y.backward(gy64); output, grad_input, grad_weight, grad_bias are that float64 result
rounded to float32. output_f32 is the float32 forward of the nn module itself (so it also
covers forward(output_size=...) and padding="same" as the module does them). Every case is
checked here against an independent float64 NumPy reference (gather over taps with explicit
asymmetric padding for Conv; scatter into an uncropped buffer for ConvTranspose) for output,
grad_input, grad_weight and grad_bias to 1e-9 (abs + rel), and input positions that no tap
reads (resp. weight taps that touch no valid position) are asserted to get exactly 0.

Format of conv_backward_golden.json (compact JSON, one case per line):
  {"torch_version", "generator", "notes": [str],
   "cases": [{name, op ("Conv" | "ConvTranspose"), dims (1|2|3), in_channels, out_channels,
              kernel_size, stride (per-axis lists),
              padding (per-axis list, or for Conv the string "same" or "valid"),
              output_padding (per-axis list; all zeros for Conv), groups,
              dilation (per-axis list), bias (bool),
              input_shape ((N, C, *L) or unbatched (C, *L)), input (flat f32, C-contiguous),
              weight_shape (Conv: [C_out, C_in/groups, *k]; ConvTranspose:
                            [C_in, C_out/groups, *k]), weight (flat f32),
              bias_values ([C_out] f32 or null),
              output_size (null; for ConvTranspose, or exactly the list passed to
                           forward(output_size=...): spatial sizes, or with the N, C
                           (unbatched: C) dims in front),
              output_shape, output (float64 result rounded to f32), output_f32 (torch float32
              forward), grad_output (f32, output_shape), grad_input (f32, input_shape),
              grad_weight (f32, weight_shape), grad_bias ([C_out] f32, or null without bias)}],
   "errors": [{name, op, stage ("construct" | "forward"), dims, in_channels, out_channels,
               kernel_size, stride, padding, output_padding, groups, dilation, bias,
               padding_mode, input_shape, error_type, message}]}
All tensors are flat, C-contiguous. Floats are written as float(v) of float32 values:
Python's repr round-trips, so parsing as f64 and casting to f32 is exact.
"""
import json
import math
import os
import sys
import warnings
import zlib

if os.environ.get("PYTHONHASHSEED") != "0":  # set-valued messages print in hash order
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT_PATH = os.path.join(FIX, "conv_backward_golden.json")
GENERATOR = "tools/golden/gen_conv_backward.py"

torch.set_num_threads(1)  # avoid any thread-count dependent reduction order
torch.manual_seed(0)      # module default init (always overwritten below)
# Conv padding='same' with an even kernel and odd dilation warns that it copies the input.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")

CASES = []
ERRORS = []
NOTES = []
NAMES = set()
STATS = {"checked": 0, "unread_inputs": 0, "cases_with_unread_inputs": 0, "dead_taps": 0,
         "cases_with_dead_taps": 0, "max_ref_err": 0.0, "max_f32_err": 0.0,
         "bitwise_equal": 0, "compared": 0, "max_abs_sum": 0.0, "exact": 0}
MAX_ELEMS = int(os.environ.get("MAX_ELEMS", 640))  # per tensor; keeps the fixture small

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONVT = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
F_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
F_CONVT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def exp(v, dims):
    """Expand an int to a per-axis list (strings are kept)."""
    if isinstance(v, str):
        return v
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
    return [float(v) for v in t.detach().to(torch.float32).contiguous().flatten().tolist()]


def _fmt(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        if len(set(v)) == 1:
            return str(v[0])
        return "x".join(str(a) for a in v)
    return str(v)


def same_pads(k, d):
    """PyTorch's padding='same': total d*(k-1) per axis, left total//2, right the rest."""
    tot = [d[a] * (k[a] - 1) for a in range(len(k))]
    left = [t // 2 for t in tot]
    return left, [tot[a] - left[a] for a in range(len(k))]


def conv_out(L, k, s, pl, pr, d):
    return (L + pl + pr - d * (k - 1) - 1) // s + 1


def convt_min(L, k, s, p, d):
    return (L - 1) * s - 2 * p + d * (k - 1) + 1


# ---------------------------------------------------------------------------
# Independent float64 NumPy references (batched: x is (N, C_in, *L)).
# ---------------------------------------------------------------------------
def _gsl(gi, n):
    return slice(gi * n, (gi + 1) * n)


def _contract(a, b):
    """sum over batch and every spatial position: (N, A, *S), (N, B, *S) -> (A, B)."""
    P = math.prod(a.shape[2:])
    return np.einsum("nap,nbp->ab", a.reshape(a.shape[0], a.shape[1], P),
                     b.reshape(b.shape[0], b.shape[1], P))


def ref_conv(x, w, b, gy, s, pl, pr, d, g):
    """Gather form over taps on an explicitly (asymmetrically) padded input."""
    dims = x.ndim - 2
    N, cin = x.shape[:2]
    L = x.shape[2:]
    cout = w.shape[0]
    k = w.shape[2:]
    cig, cog = cin // g, cout // g
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pl[a], pr[a]) for a in range(dims)])
    Lo = [conv_out(L[a], k[a], s[a], pl[a], pr[a], d[a]) for a in range(dims)]
    assert list(gy.shape[2:]) == Lo, (gy.shape, Lo)
    y = np.zeros([N, cout] + Lo)
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    for taps in np.ndindex(*k):
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (Lo[a] - 1) * s[a] + 1, s[a])
                    for a in range(dims))
        for gi in range(g):
            xsel = (slice(None), _gsl(gi, cig)) + idx
            xs = xp[xsel]                                   # N, cig, *Lo
            ws = w[(_gsl(gi, cog), slice(None)) + taps]     # cog, cig
            gys = gy[:, _gsl(gi, cog)]                      # N, cog, *Lo
            y[:, _gsl(gi, cog)] += np.einsum("nc...,oc->no...", xs, ws)
            gxp[xsel] += np.einsum("no...,oc->nc...", gys, ws)
            gw[(_gsl(gi, cog), slice(None)) + taps] += _contract(gys, xs)
    if b is not None:
        y += b.reshape([1, cout] + [1] * dims)
    gx = gxp[(slice(None), slice(None)) + tuple(slice(pl[a], pl[a] + L[a])
                                                   for a in range(dims))]
    gb = gy.sum(axis=tuple([0] + list(range(2, dims + 2))))
    return y, gx, gw, gb


def ref_convt(x, w, b, gy, s, p, d, g):
    """Scatter form into the uncropped buffer (length L_out + 2p), cropped by p per side."""
    dims = x.ndim - 2
    N, cin = x.shape[:2]
    L = x.shape[2:]
    cog = w.shape[1]
    cout = cog * g
    cig = cin // g
    k = w.shape[2:]
    Lo = list(gy.shape[2:])
    B = [Lo[a] + 2 * p[a] for a in range(dims)]
    crop = (slice(None), slice(None)) + tuple(slice(p[a], p[a] + Lo[a]) for a in range(dims))
    buf = np.zeros([N, cout] + B)
    gbuf = np.zeros([N, cout] + B)
    gbuf[crop] = gy
    gx = np.zeros_like(x)
    gw = np.zeros_like(w)
    for taps in np.ndindex(*k):
        # Buffer index i*s + t*d <= (L-1)s + d(k-1) < B, as output_padding >= 0.
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (L[a] - 1) * s[a] + 1, s[a])
                    for a in range(dims))
        for gi in range(g):
            xs = x[:, _gsl(gi, cig)]                         # N, cig, *L
            ws = w[(_gsl(gi, cig), slice(None)) + taps]      # cig, cog
            osel = (slice(None), _gsl(gi, cog)) + idx
            buf[osel] += np.einsum("nc...,co->no...", xs, ws)
            gys = gbuf[osel]                                 # N, cog, *L
            gx[:, _gsl(gi, cig)] += np.einsum("no...,co->nc...", gys, ws)
            gw[(_gsl(gi, cig), slice(None)) + taps] += _contract(xs, gys)
    y = buf[crop].copy()
    if b is not None:
        y += b.reshape([1, cout] + [1] * dims)
    gb = gy.sum(axis=tuple([0] + list(range(2, dims + 2))))
    return y, gx, gw, gb


def read_mask_conv(L, k, s, pl, d, Lo):
    """Per axis: input positions read by some (output, tap)."""
    m = np.zeros(L, dtype=bool)
    for o in range(Lo):
        for t in range(k):
            i = o * s + t * d - pl
            if 0 <= i < L:
                m[i] = True
    return m


def live_taps_conv(L, k, s, pl, d, Lo):
    return np.array([any(0 <= o * s + t * d - pl < L for o in range(Lo)) for t in range(k)])


def read_mask_convt(L, k, s, p, d, Lo):
    return np.array([any(0 <= i * s + t * d - p < Lo for t in range(k)) for i in range(L)])


def live_taps_convt(L, k, s, p, d, Lo):
    return np.array([any(0 <= i * s + t * d - p < Lo for i in range(L)) for t in range(k)])


def _outer_mask(masks):
    m = masks[0]
    for a in range(1, len(masks)):
        m = np.logical_and.outer(m, masks[a])
    return m


# ---------------------------------------------------------------------------
# Cases.
# ---------------------------------------------------------------------------
def auto_name(tag, op, dims, cin, cout, k, s, p, opad, g, d, bias, in_shape, output_size):
    parts = [tag, "convT" if op == "ConvTranspose" else "conv", f"{dims}d", f"c{cin}to{cout}",
             "k" + _fmt(k), "s" + _fmt(s), "p" + _fmt(p),
             ("op" + _fmt(opad)) if op == "ConvTranspose" else "", "d" + _fmt(d), f"g{g}",
             "b" if bias else "nb", "in" + "x".join(map(str, in_shape))]
    if output_size is not None:
        parts.append("os" + "x".join(map(str, output_size)))
    return "_".join(x for x in parts if x)


def close(a, b, rtol, atol):
    err = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    ok = (err <= atol + rtol * np.abs(np.asarray(b, dtype=np.float64))).all()
    return ok, float(err.max()) if err.size else 0.0


def add_case(tag, op, dims, cin, cout, k, s=1, p=0, opad=0, g=1, d=1, bias=True, spatial=None,
             n=1, output_size=None, name=None, expect_unread=False):
    """op: "Conv" or "ConvTranspose". n=None makes an unbatched input (C, *L)."""
    conv = op == "Conv"
    k, s, p, opad, d = (exp(v, dims) for v in (k, s, p, opad, d))
    spatial = exp(spatial, dims)
    assert not (conv and output_size is not None)
    assert not (conv and any(opad))
    in_shape = ([n] if n is not None else []) + [cin] + spatial
    if name is None:
        name = auto_name(tag, op, dims, cin, cout, k, s, p, opad, g, d, bias, in_shape,
                         output_size)
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    w_shape = ([cout, cin // g] if conv else [cin, cout // g]) + k
    gen = gen_for(name)
    x = uniform(gen, in_shape)
    w = uniform(gen, w_shape)
    b = uniform(gen, [cout]) if bias else None

    # float32 forward through the module (the layer as users call it).
    if conv:
        m = CONV[dims](cin, cout, tuple(k), stride=tuple(s),
                       padding=p if isinstance(p, str) else tuple(p), groups=g, bias=bias,
                       dilation=tuple(d))
    else:
        m = CONVT[dims](cin, cout, tuple(k), stride=tuple(s), padding=tuple(p),
                        output_padding=tuple(opad), groups=g, bias=bias, dilation=tuple(d))
    assert list(m.weight.shape) == w_shape, (name, list(m.weight.shape), w_shape)
    with torch.no_grad():
        m.weight.copy_(w)
        if bias:
            m.bias.copy_(b)
        y32 = m(x, output_size=output_size) if output_size is not None else m(x)
    y32 = y32.contiguous()
    assert y32.dtype == torch.float32

    # The output_padding the module used (output_size replaces the layer's).
    if conv:
        op_eff = [0] * dims
    else:
        op_eff = m._output_padding(x, output_size, list(s), list(p), list(k), dims, list(d))
        op_eff = [int(v) for v in op_eff]
        if output_size is None:
            assert op_eff == opad, name

    # float64 autograd through the functional form.
    x64 = x.double().requires_grad_(True)
    w64 = w.double().requires_grad_(True)
    b64 = b.double().requires_grad_(True) if bias else None
    if conv:
        y64 = F_CONV[dims](x64, w64, b64, stride=s, padding=p, dilation=d, groups=g)
    else:
        y64 = F_CONVT[dims](x64, w64, b64, stride=s, padding=p, output_padding=op_eff,
                            groups=g, dilation=d)
    assert list(y64.shape) == list(y32.shape), (name, y64.shape, y32.shape)
    gy = uniform(gen, list(y64.shape))
    y64.backward(gy.double())
    gx64, gw64 = x64.grad.numpy(), w64.grad.numpy()
    gb64 = b64.grad.numpy() if bias else None
    yd = y64.detach().numpy()

    # Independent NumPy check (batched view).
    def bat(a):
        return a if n is not None else a[None]

    out_sp = list(y64.shape[-dims:])
    xn, wn, gyn = bat(x.double().numpy()), w.double().numpy(), bat(gy.double().numpy())
    bn = b.double().numpy() if bias else None
    if conv:
        if p == "same":
            pl, pr = same_pads(k, d)
            assert out_sp == spatial, name
        elif p == "valid":
            pl, pr = [0] * dims, [0] * dims
        else:
            pl, pr = p, p
        ry, rgx, rgw, rgb = ref_conv(xn, wn, bn, gyn, s, pl, pr, d, g)
        bound = ref_conv(abs(xn), abs(wn), None if bn is None else abs(bn), abs(gyn), s, pl, pr,
                         d, g)
        rmask = [read_mask_conv(spatial[a], k[a], s[a], pl[a], d[a], out_sp[a])
                 for a in range(dims)]
        tmask = [live_taps_conv(spatial[a], k[a], s[a], pl[a], d[a], out_sp[a])
                 for a in range(dims)]
    else:
        assert out_sp == [convt_min(spatial[a], k[a], s[a], p[a], d[a]) + op_eff[a]
                          for a in range(dims)], name
        ry, rgx, rgw, rgb = ref_convt(xn, wn, bn, gyn, s, p, d, g)
        bound = ref_convt(abs(xn), abs(wn), None if bn is None else abs(bn), abs(gyn), s, p, d,
                          g)
        rmask = [read_mask_convt(spatial[a], k[a], s[a], p[a], d[a], out_sp[a])
                 for a in range(dims)]
        tmask = [live_taps_convt(spatial[a], k[a], s[a], p[a], d[a], out_sp[a])
                 for a in range(dims)]
    unb = (lambda a: a[0]) if n is None else (lambda a: a)
    pairs = [("output", yd, unb(ry)), ("grad_input", gx64, unb(rgx)), ("grad_weight", gw64, rgw)]
    if bias:
        pairs.append(("grad_bias", gb64, rgb))
    for what, got, ref in pairs:
        assert list(np.shape(got)) == list(np.shape(ref)), (name, what)
        ok, e = close(got, ref, 1e-9, 1e-9)
        assert ok, (name, what, e)
        STATS["max_ref_err"] = max(STATS["max_ref_err"], e)
        STATS["bitwise_equal"] += int(np.array_equal(got, ref))
        STATS["compared"] += 1
    # Exactness: inputs are multiples of 2^-23 in [-1, 1) (torch.rand draws multiples of
    # 2^-24), so every product is a multiple of 2^-46; if the sum of |terms| stays below 2^7,
    # every partial sum in any order is exact in float64 (53 bits).
    hi = max(float(np.max(a, initial=0.0)) for a in bound)
    STATS["max_abs_sum"] = max(STATS["max_abs_sum"], hi)
    assert hi < 2.0 ** 7, f"{name}: float64 sums not provably exact (sum |terms| {hi})"
    STATS["exact"] += 1
    ok, e = close(y32.double().numpy(), yd, 1e-5, 1e-5)
    assert ok, (name, "output_f32", e)
    STATS["max_f32_err"] = max(STATS["max_f32_err"], e)
    STATS["checked"] += 1

    # Input positions no tap reads get exactly 0; taps touching no valid position too.
    unread = ~_outer_mask(rmask)
    if unread.any():
        gxb = bat(gx64)
        assert (gxb[(slice(None), slice(None)) + (unread,)] == 0.0).all(), name
        STATS["unread_inputs"] += int(unread.sum())
        STATS["cases_with_unread_inputs"] += 1
    assert unread.any() or not expect_unread, f"{name}: expected unread input positions"
    dead = ~_outer_mask(tmask)
    if dead.any():
        assert (gw64[(slice(None), slice(None)) + (dead,)] == 0.0).all(), name
        STATS["dead_taps"] += int(dead.sum())
        STATS["cases_with_dead_taps"] += 1

    case = {"name": name, "op": op, "dims": dims, "in_channels": cin, "out_channels": cout,
            "kernel_size": k, "stride": s, "padding": p, "output_padding": opad,
            "groups": g, "dilation": d, "bias": bool(bias),
            "input_shape": in_shape, "input": flat(x),
            "weight_shape": w_shape, "weight": flat(w),
            "bias_values": flat(b) if bias else None,
            "output_size": list(output_size) if output_size is not None else None,
            "output_shape": list(y64.shape), "output": flat(y64), "output_f32": flat(y32),
            "grad_output": flat(gy), "grad_input": flat(x64.grad),
            "grad_weight": flat(w64.grad), "grad_bias": flat(b64.grad) if bias else None}
    for key in ("input", "weight", "output", "grad_output"):
        assert len(case[key]) <= MAX_ELEMS, (name, key, len(case[key]))
        assert all(math.isfinite(v) for v in case[key]), (name, key)
    CASES.append(case)
    return case


def add_error(tag, op, dims, cin, cout, k, s=1, p=0, opad=0, g=1, d=1, bias=True, spatial=None,
              n=1, in_shape=None, padding_mode="zeros"):
    name = "err_" + tag
    assert name not in NAMES, f"duplicate name {name}"
    NAMES.add(name)
    k, s, p, opad, d = (exp(v, dims) for v in (k, s, p, opad, d))
    if in_shape is None:
        in_shape = ([n] if n is not None else []) + [cin] + exp(spatial, dims)
    rec = {"name": name, "op": op, "stage": None, "dims": dims, "in_channels": cin,
           "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
           "output_padding": opad, "groups": g, "dilation": d, "bias": bool(bias),
           "padding_mode": padding_mode, "input_shape": list(in_shape)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kernel_size 0 warns in default init
            if op == "Conv":
                m = CONV[dims](cin, cout, tuple(k), stride=tuple(s),
                               padding=p if isinstance(p, str) else tuple(p), groups=g,
                               bias=bias, dilation=tuple(d), padding_mode=padding_mode)
            else:
                m = CONVT[dims](cin, cout, tuple(k), stride=tuple(s), padding=tuple(p),
                                output_padding=tuple(opad), groups=g, bias=bias,
                                dilation=tuple(d), padding_mode=padding_mode)
    except Exception as e:  # noqa: BLE001 - we record whatever torch raises
        rec.update(stage="construct", error_type=type(e).__name__, message=str(e))
        ERRORS.append(rec)
        return rec
    x = uniform(gen_for(name), in_shape)
    try:
        with torch.no_grad():
            m(x)
    except Exception as e:  # noqa: BLE001
        rec.update(stage="forward", error_type=type(e).__name__, message=str(e))
        ERRORS.append(rec)
        return rec
    raise AssertionError(f"error case {name} did not raise in torch {torch.__version__}")


C, T = "Conv", "ConvTranspose"

# ---------------------------------------------------------------------------
# 1. Conv grid: 1-D and 2-D every stride x padding x dilation (27 each), 3-D an orthogonal
#    array (9: every pair of s, p, d values). Groups config, bias, kernel size (1..5), batch
#    (1..3 / unbatched) are rotated; the input grows until the dilated kernel fits.
#    Many of these have a stride that does not divide L + 2p - d(k-1) - 1.
# ---------------------------------------------------------------------------
CONV_GROUPS = [  # (C_in, C_out, groups); weight (C_out, C_in/groups, *k)
    (2, 3, 1),   # plain
    (4, 2, 2),   # grouped, C_out/groups = 1, C_in/groups = 2
    (3, 3, 3),   # depthwise
    (2, 4, 2),   # depthwise multiplier 2
]
GROUP_CFGS = [  # ConvTranspose (C_in, C_out, groups); weight (C_in, C_out/groups, *k)
    (2, 3, 1),   # plain
    (4, 2, 2),   # grouped, C_out/groups = 1
    (3, 3, 3),   # depthwise
    (2, 4, 2),   # grouped, C_out/groups = 2, C_in/groups = 1
]
KERNELS = [3, 2, 4, 1, 5]
L9 = [(a, b, (a + b) % 3) for a in range(3) for b in range(3)]


def grid(op):
    i = 0
    for dims in (1, 2, 3):
        combos = ([(s, p, d) for s in range(3) for p in range(3) for d in range(3)]
                  if dims < 3 else L9)
        for si, pi, di in combos:
            s, p, d = si + 1, pi, di + 1
            groups = CONV_GROUPS if op == C else GROUP_CFGS
            cin, cout, g = groups[(i + dims + s) % 4]
            if dims == 3 and (max(cin, cout) > 3 or (op == T and s * d > 3)):
                cin, cout, g = (2, 2, 2) if op == C else (1, 2, 1)
            bias = (i % 3) != 1
            k0 = KERNELS[(i + p) % 5]
            k1 = KERNELS[(i + p + 2) % 5]
            if dims == 1:
                k = [k0]
                base = [5 + i % 4]
                n = [1, 2, 3, None][i % 4]
            elif dims == 2:
                k = [k0, min(k1, 3 if op == C else 2)]
                base = [4, 5] if op == C else [2, 3]
                n = [1, 2, None][i % 3] if op == C else [1, None][i % 2]
            else:
                k = [min(k0, 3), min(k1, 2), 1]
                base = [3, 3, 2] if op == C else ([2, 2, 2] if s * d <= 3 else [2, 1, 2])
                n = [1, None][i % 2]
            if op == C:
                spatial = [max(base[a], d * (k[a] - 1) + 1 - 2 * p) for a in range(dims)]
                add_case("grid", C, dims, cin, cout, k, s, p, 0, g, d, bias, spatial, n)
            else:
                ops = list(range(max(s, d)))
                opad = ops[(i // 2) % len(ops)]
                for a in range(dims):
                    while convt_min(base[a], k[a], s, p, d) + opad < 1:
                        k[a] += 1
                add_case("grid", T, dims, cin, cout, k, s, p, opad, g, d, bias, base, n)
            i += 1


grid(C)

# ---------------------------------------------------------------------------
# 2. Conv padding="same" (odd and even kernels, dilation 1..3: asymmetric where d(k-1) is
#    odd, the extra column on the right / bottom / back) and padding="valid".
# ---------------------------------------------------------------------------
for k, d in [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (2, 2), (3, 2), (4, 3)]:
    add_case("same", C, 1, 2, 3, k, 1, "same", 0, 1, d, (k + d) % 2 == 0, 6, [1, 2][k % 2])
add_case("same", C, 1, 2, 2, 4, 1, "same", 0, 2, 1, True, 5, None)     # grouped, unbatched
add_case("same_kbig", C, 1, 1, 2, 5, 1, "same", 0, 1, 1, True, 2, 2)   # kernel > input
add_case("same_kbig", C, 1, 1, 1, 6, 1, "same", 0, 1, 1, False, 1, 1)  # 5 pad: 2 + 3, L = 1
add_case("same_kbig", C, 1, 2, 2, 3, 1, "same", 0, 1, 3, True, 2, 1)   # dilated kernel > input
add_case("same", C, 2, 2, 3, [2, 3], 1, "same", 0, 1, [1, 2], True, [4, 5], 1)
add_case("same", C, 2, 3, 3, [4, 2], 1, "same", 0, 3, [3, 1], False, [5, 4], 2)
add_case("same", C, 2, 2, 2, [2, 2], 1, "same", 0, 1, [3, 2], True, [3, 4], None)
add_case("same", C, 2, 2, 4, [5, 4], 1, "same", 0, 2, 1, True, [3, 3], 1)
add_case("same", C, 3, 2, 2, [2, 3, 1], 1, "same", 0, 1, [1, 1, 2], True, [3, 3, 2], 1)
add_case("same", C, 3, 2, 2, 2, 1, "same", 0, 2, [1, 2, 3], True, [2, 3, 3], None)
add_case("valid", C, 1, 2, 3, 3, 2, "valid", 0, 1, 2, True, 8, 2)
add_case("valid", C, 2, 2, 2, [3, 2], [1, 2], "valid", 0, 2, 1, False, [4, 5], 1)
add_case("valid", C, 3, 1, 2, 2, [2, 1, 1], "valid", 0, 1, 1, True, [3, 2, 2], None)

# ---------------------------------------------------------------------------
# 3. Conv whose stride leaves the input's tail unread (its grad must be exactly 0), kernels
#    larger than the input (with padding), per-axis values, groups, batch, wider channels.
# ---------------------------------------------------------------------------
add_case("tail", C, 1, 2, 2, 3, 3, 0, 0, 1, 1, True, 8, 2, expect_unread=True)   # 2 unread
add_case("tail", C, 1, 1, 2, 2, 3, 1, 0, 1, 2, True, 9, 1, expect_unread=True)
add_case("tail", C, 1, 2, 2, 1, 3, 0, 0, 2, 1, False, 7, None, expect_unread=True)  # k=1 gaps
add_case("tail", C, 2, 2, 3, [3, 2], [2, 3], [0, 1], 0, 1, [1, 2], True, [6, 7], 1,
         expect_unread=True)
add_case("tail", C, 3, 2, 2, [2, 1, 3], [3, 2, 2], 0, 0, 2, 1, True, [4, 3, 4], 1,
         expect_unread=True)
add_case("kbig", C, 1, 1, 2, 5, 1, 2, 0, 1, 1, True, 3, 2)
add_case("kbig", C, 1, 2, 2, 4, 2, 2, 0, 1, 1, False, 1, 1)     # only the middle taps live
add_case("kbig", C, 2, 2, 2, [4, 5], [1, 2], [1, 2], 0, 1, 1, True, [2, 3], 1)
add_case("kbig", C, 3, 1, 2, 3, 1, 1, 0, 1, 1, True, [1, 1, 1], 2)
add_case("peraxis", C, 2, 2, 3, [3, 2], [1, 3], [2, 0], 0, 1, [1, 2], True, [4, 6], 1)
add_case("peraxis", C, 2, 4, 4, [2, 3], [2, 1], [0, 1], 0, 2, [3, 1], False, [5, 4], None)
add_case("peraxis", C, 3, 2, 3, [3, 1, 2], [1, 2, 3], [1, 0, 2], 0, 1, [2, 1, 1], True,
         [3, 3, 3], 1)
add_case("dw", C, 1, 4, 4, 3, 2, 1, 0, 4, 1, True, 7, 2)
add_case("dw", C, 2, 4, 4, 3, 1, 1, 0, 4, 2, False, [4, 4], 1)
add_case("dw_mult", C, 2, 2, 6, 2, 2, 0, 0, 2, 1, True, [4, 5], 1)    # C_out/groups = 3
add_case("grp_cig3", C, 1, 6, 2, 3, 1, 1, 0, 2, 1, True, 5, 2)       # C_in/groups = 3
add_case("grp3", C, 2, 6, 3, 3, 2, 1, 0, 3, 1, True, [3, 4], 1)
add_case("batch3", C, 3, 1, 2, 2, 1, 0, 0, 1, 1, False, [2, 2, 3], 3)
add_case("out1", C, 2, 2, 1, [3, 4], 1, 0, 0, 1, 1, True, [3, 4], 2)   # 1 x 1 output
add_case("wide", C, 1, 16, 8, 3, 2, 1, 0, 1, 1, True, 6, 1)
add_case("wide", C, 2, 16, 8, 3, 2, 0, 0, 4, 1, True, [3, 4], 1)
add_case("zero_batch", C, 2, 2, 3, 3, 1, 1, 0, 1, 1, True, [3, 3], 0)

# ---------------------------------------------------------------------------
# 4. ConvTranspose grid (as section 1; output_padding cycles through the valid values,
#    including output_padding >= stride where dilation > stride), then specials.
# ---------------------------------------------------------------------------
grid(T)

# Checkerboard / gap specials: k not divisible by s, s > k (gaps hold only the bias, so their
# grad_output reaches grad_bias alone), output_padding (extra rows hold only the bias).
for j, (k, s, p, opad) in enumerate([(3, 2, 0, 1), (2, 3, 0, 2), (1, 3, 0, 1), (4, 2, 1, 0),
                                     (5, 3, 1, 2)]):
    add_case("cb", T, 1, 2, 3, k, s, p, opad, 1, 1, True, 5, 2)
    if j in (1, 3):
        add_case("cb", T, 2, 2, 2, k, s, p, opad, 1, 1, True, [2, 2], 1)
# output_padding >= stride (allowed because dilation > stride).
add_case("op_ge_s", T, 1, 2, 2, 3, 1, 0, 2, 1, 3, True, 4, 2)
add_case("op_ge_s", T, 2, 2, 2, 2, [2, 1], [1, 0], [2, 1], 1, [3, 2], True, [3, 3], 1)
add_case("op_ge_s", T, 3, 1, 2, 2, [1, 1, 2], 0, [1, 2, 1], 1, [2, 3, 2], False, [2, 2, 2],
         None)
# Padding that crops every output of some input positions (their grad is exactly 0).
add_case("crop_all", T, 1, 2, 2, 2, 3, 2, 0, 1, 1, True, 3, 2, expect_unread=True)
add_case("crop_all", T, 2, 2, 1, [1, 3], [2, 1], [1, 2], 0, 1, 1, True, [3, 4], 1,
         expect_unread=True)
# forward(output_size): min and max of the range, spatial-only and with N, C (or C) in front.
OS_CFGS = {  # dims: (cin, cout, k, s, p, d, spatial)
    1: [(2, 3, 3, 2, 1, 1, 5), (2, 2, 2, 3, 0, 2, 4)],
    2: [(2, 3, 3, 2, 1, 1, [3, 3]), (2, 2, [2, 3], [3, 2], [0, 1], [1, 2], [2, 3])],
    3: [(2, 2, 2, 2, 1, 1, [2, 2, 2])],
}
for dims, cfgs in OS_CFGS.items():
    for j, (cin, cout, k, s, p, d, sp) in enumerate(cfgs):
        full = j == 0 and dims < 3
        k_, s_, p_, d_, sp_ = (exp(v, dims) for v in (k, s, p, d, sp))
        mins = [convt_min(sp_[a], k_[a], s_[a], p_[a], d_[a]) for a in range(dims)]
        maxs = [mins[a] + s_[a] - 1 for a in range(dims)]
        mixed = [mins[a] if a % 2 == 0 else maxs[a] for a in range(dims)]
        n = 2 if dims == 1 else 1
        add_case("os_min", T, dims, cin, cout, k, s, p, 0, 1, d, True, sp, n, output_size=mins)
        if full or dims == 3:
            add_case("os_max_nc", T, dims, cin, cout, k, s, p, 0, 1, d, True, sp, n,
                     output_size=[n, cout] + maxs)
            add_case("os_unbatched_c", T, dims, cin, cout, k, s, p, 0, 1, d, True, sp, None,
                     output_size=[cout] + maxs)
        if not full or dims == 3:
            add_case("os_max", T, dims, cin, cout, k, s, p, 0, 1, d, j % 2 == 0, sp, n,
                     output_size=maxs)
        if dims > 1 and dims < 3:
            add_case("os_mixed_nc", T, dims, cin, cout, k, s, p, 0, 1, d, True, sp, n,
                     output_size=[n, cout] + mixed)
        if full:
            op_layer = [min(1, s_[a] - 1) for a in range(dims)]
            add_case("os_overrides_op", T, dims, cin, cout, k, s, p, op_layer, 1, d, True, sp,
                     n, output_size=mins)
add_case("os_unbatched", T, 2, 2, 2, 3, 2, 0, 0, 1, 1, False, [2, 3], None, output_size=[6, 8])
add_case("os_grp", T, 2, 4, 4, 3, 2, 1, 0, 2, 1, True, [2, 3], 1, output_size=[4, 6])
add_case("os_d_gt_s", T, 1, 2, 2, 3, 2, 0, 0, 1, 3, True, 4, 1, output_size=[14])
add_case("os_rescues_small", T, 1, 1, 2, 3, 3, 2, 0, 1, 1, True, 1, 1, output_size=[1])
# Groups, per axis, batch, unbatched, small inputs, big kernels, wider channels.
add_case("dw", T, 1, 4, 4, 3, 2, 1, 1, 4, 1, True, 6, 2)
add_case("dw", T, 2, 3, 3, 2, 1, 0, 0, 3, 2, False, [3, 3], None)
add_case("dw_mult", T, 2, 2, 4, 3, 2, 0, 0, 2, 1, True, [2, 3], 1)
add_case("grp_cig3", T, 1, 6, 2, 3, 2, 1, 1, 2, 1, True, 4, 2)
add_case("grp3", T, 2, 6, 3, 3, 1, 1, 0, 3, 1, True, [3, 3], 1)
add_case("peraxis", T, 2, 2, 3, [3, 2], [2, 1], [1, 0], [1, 1], 1, [1, 2], True, [3, 3], 1)
add_case("peraxis", T, 2, 4, 4, [2, 3], [1, 3], [1, 2], [1, 2], 2, [3, 1], True, [3, 3], None)
add_case("peraxis", T, 3, 2, 2, [2, 3, 1], [1, 2, 3], [0, 1, 0], [1, 1, 2], 1, [2, 1, 1], True,
         [2, 2, 2], 1)
add_case("batch3", T, 3, 1, 2, 2, 1, 0, 0, 1, 1, False, [2, 2, 2], 3)
add_case("in1", T, 1, 2, 3, 3, 2, 0, 1, 1, 1, True, 1, 1)
add_case("kbig", T, 1, 1, 2, 7, 1, 2, 0, 1, 1, True, 3, 1)
add_case("kbig", T, 2, 2, 2, [5, 4], [2, 1], [3, 2], 0, 1, 1, True, [2, 2], 1)
add_case("out1", T, 1, 1, 1, 3, 1, 2, 0, 1, 1, True, 3, 1)      # L_out exactly 1
add_case("wide", T, 1, 16, 8, 3, 2, 1, 1, 1, 1, True, 4, 1)
add_case("wide", T, 2, 16, 8, 3, 2, 0, 0, 4, 1, True, [2, 2], 1)
add_case("zero_batch", T, 2, 2, 3, 3, 2, 1, 1, 1, 1, True, [3, 3], 0)

# Branch gemm2: narrow GEMMs (<= 16 rows) on rows the x-window kernels take on the subgroup core
# (output rows a multiple of 8, input rows a multiple of 4): Conv 4->3's forward and
# ConvTranspose 3->4's grad_input.
add_case("xwin", C, 2, 4, 3, 3, 1, 1, 0, 1, 1, True, [4, 16], 1)
add_case("xwin", T, 2, 3, 4, 4, 2, 1, 0, 1, 1, True, [2, 8], 1)

# ---------------------------------------------------------------------------
# 5. Conv errors (each must raise in torch).
# ---------------------------------------------------------------------------
E2 = dict(op=C, dims=2, cin=2, cout=2, k=3, spatial=[5, 5])
add_error("same_stride2", **E2, s=2, p="same")
add_error("same_stride_one_axis_2d", **E2, s=[1, 2], p="same")
add_error("same_stride3_1d", op=C, dims=1, cin=1, cout=1, k=2, s=3, p="same", spatial=6)
add_error("padding_string_unknown", **E2, p="full")
add_error("padding_string_uppercase_1d", op=C, dims=1, cin=1, cout=1, k=3, p="SAME", spatial=5)
add_error("in_channels_not_divisible_by_groups", op=C, dims=2, cin=3, cout=2, k=3, g=2,
          spatial=[5, 5])
add_error("out_channels_not_divisible_by_groups", op=C, dims=2, cin=2, cout=3, k=3, g=2,
          spatial=[5, 5])
add_error("out_channels_not_divisible_by_groups_1d", op=C, dims=1, cin=6, cout=4, k=3, g=3,
          spatial=5)
add_error("groups_zero", **E2, g=0)
add_error("groups_negative_3d", op=C, dims=3, cin=2, cout=2, k=2, g=-1, spatial=3)
add_error("kernel_size_zero_2d", **{**E2, "k": 0})
add_error("kernel_size_zero_one_axis_2d", **{**E2, "k": [2, 0]})
add_error("kernel_size_zero_1d", op=C, dims=1, cin=1, cout=1, k=0, spatial=4)
add_error("kernel_size_zero_3d", op=C, dims=3, cin=1, cout=1, k=[1, 0, 1], spatial=3)
add_error("kernel_size_zero_same_1d", op=C, dims=1, cin=1, cout=1, k=0, p="same", spatial=4)
add_error("kernel_size_negative_2d", **{**E2, "k": -1})
add_error("stride_zero_2d", **E2, s=0)
add_error("stride_zero_one_axis_2d", **E2, s=[2, 0])
add_error("stride_zero_1d", op=C, dims=1, cin=2, cout=2, k=3, s=0, spatial=5)
add_error("stride_negative_3d", op=C, dims=3, cin=1, cout=1, k=2, s=[1, -1, 1], spatial=3)
add_error("dilation_zero_2d", **E2, d=0)
add_error("dilation_zero_1d", op=C, dims=1, cin=2, cout=2, k=3, d=0, spatial=5)
add_error("dilation_zero_one_axis_3d", op=C, dims=3, cin=1, cout=1, k=2, d=[1, 0, 1],
          spatial=3)
add_error("dilation_zero_same_1d", op=C, dims=1, cin=1, cout=1, k=3, d=0, p="same", spatial=5)
add_error("padding_negative_2d", **E2, p=-1)
add_error("padding_negative_one_axis_2d", **E2, p=[1, -1])
add_error("padding_negative_1d", op=C, dims=1, cin=2, cout=2, k=3, p=-1, spatial=5)
add_error("channel_mismatch_2d", op=C, dims=2, cin=3, cout=2, k=3, in_shape=[1, 2, 5, 5])
add_error("channel_mismatch_2d_grouped", op=C, dims=2, cin=4, cout=2, k=3, g=2,
          in_shape=[2, 2, 5, 5])
add_error("channel_mismatch_2d_unbatched", op=C, dims=2, cin=3, cout=2, k=3, in_shape=[2, 5, 5])
add_error("channel_mismatch_1d", op=C, dims=1, cin=2, cout=2, k=3, in_shape=[1, 3, 5])
add_error("channel_mismatch_1d_unbatched", op=C, dims=1, cin=2, cout=2, k=3, in_shape=[3, 5])
add_error("channel_mismatch_3d", op=C, dims=3, cin=2, cout=2, k=2, in_shape=[1, 3, 3, 3, 3])
add_error("channel_zero_2d", op=C, dims=2, cin=2, cout=2, k=3, in_shape=[1, 0, 5, 5])
add_error("rank_2d_input_to_2d", op=C, dims=2, cin=2, cout=2, k=3, in_shape=[2, 5])
add_error("rank_5d_input_to_2d", op=C, dims=2, cin=2, cout=2, k=3, in_shape=[1, 2, 2, 5, 5])
add_error("rank_1d_input_to_1d", op=C, dims=1, cin=2, cout=2, k=3, in_shape=[5])
add_error("rank_4d_input_to_1d", op=C, dims=1, cin=1, cout=1, k=3, in_shape=[1, 1, 5, 5])
add_error("rank_6d_input_to_3d", op=C, dims=3, cin=1, cout=1, k=2, in_shape=[1, 1, 2, 3, 3, 3])
# 4-D input to Conv3d is read as unbatched (C, D, H, W): a channel mismatch here.
add_error("rank_4d_input_to_3d_is_unbatched", op=C, dims=3, cin=2, cout=2, k=2,
          in_shape=[1, 2, 3, 3])
add_error("input_smaller_than_kernel_1d", op=C, dims=1, cin=1, cout=1, k=3, spatial=2)
add_error("input_smaller_than_dilated_kernel_1d", op=C, dims=1, cin=1, cout=1, k=3, d=2,
          spatial=4)
add_error("input_smaller_than_kernel_despite_padding_1d", op=C, dims=1, cin=1, cout=1, k=5,
          p=1, spatial=2)
add_error("input_smaller_than_kernel_one_axis_2d", op=C, dims=2, cin=1, cout=1, k=[2, 4],
          spatial=[3, 3])
add_error("input_smaller_than_dilated_kernel_one_axis_2d", op=C, dims=2, cin=1, cout=1, k=3,
          d=[1, 3], spatial=[5, 6])
add_error("input_smaller_than_kernel_3d", op=C, dims=3, cin=1, cout=1, k=3, spatial=[3, 2, 3])
add_error("input_smaller_than_kernel_unbatched_2d", op=C, dims=2, cin=2, cout=1, k=3, n=None,
          spatial=[2, 4])
add_error("input_smaller_than_kernel_valid_1d", op=C, dims=1, cin=1, cout=1, k=3, p="valid",
          spatial=2)
add_error("zero_size_spatial_2d", op=C, dims=2, cin=2, cout=2, k=1, in_shape=[1, 2, 0, 4])
add_error("zero_size_spatial_padded_2d", op=C, dims=2, cin=2, cout=2, k=1, p=1,
          in_shape=[1, 2, 0, 4])

# ---------------------------------------------------------------------------
# Notes.
# ---------------------------------------------------------------------------
V = torch.__version__
NOTES += [
    "Every float64 result here is exact: the float32 inputs are multiples of 2^-23 in [-1, 1) "
    "(torch.rand draws multiples of 2^-24), so every product is a multiple of 2^-46, and the "
    "generator asserts that each sum of |terms| stays below 2^7, where all partial sums (in any "
    "order) fit float64's 53 bits. output / grad_* are therefore the correctly rounded float32 "
    "of the exact real value, independent of summation order (and NumPy's reference agrees "
    "bitwise). A float32 implementation should be compared with a tolerance (output_f32 "
    "differs from output by up to ~1e-6 here).",
    "output, grad_input, grad_weight, grad_bias: PyTorch autograd in float64 on the float32 "
    "inputs (x, weight, bias, grad_output cast exactly), rounded to float32 once. output_f32: "
    "the nn module's own float32 forward (|output_f32 - output| <= 1e-5 (1 + |output|) here). "
    "grad_bias is grad_output summed over N and every spatial position.",
    f"torch {V}: Conv padding='same' pads d*(k-1) per axis in total, left = total // 2 and "
    "right = total - left, so it is asymmetric exactly where d*(k-1) is odd (even kernel with "
    "odd dilation; the extra zero goes to the right / bottom / back); even kernels with even "
    "dilation pad symmetrically. The output has the input's spatial shape, also where the "
    "(dilated) kernel is larger than the input (cases same_kbig_*). padding='valid' is "
    "padding 0. Cases keep the string in 'padding'.",
    f"torch {V}: padding='same' with any stride > 1 (on any axis) raises ValueError at "
    "construction ('padding='same' is not supported for strided convolutions'); padding "
    "strings are case-sensitive ('SAME' is an unknown string).",
    f"torch {V}: the unknown padding string message prints a Python set, whose order depends "
    "on the hash seed (\"{'valid', 'same'}\" or \"{'same', 'valid'}\"); this generator "
    "re-executes itself with PYTHONHASHSEED=0. Compare that message up to 'should be one of'.",
    f"torch {V}: Conv input positions no tap reads (the tail when the stride does not divide "
    "L + 2p - d(k-1) - 1, gaps between taps when s > d(k-1)+1) get grad_input exactly 0; "
    "ConvTranspose input positions whose every output is cropped by padding likewise. Weight "
    "taps that only ever meet padding get grad_weight exactly 0. The generator asserts both.",
    f"torch {V}: ConvTranspose output_padding (and output_size, which sets op = size - min "
    "per axis and replaces the layer's output_padding) appends op positions at the high end of "
    "each axis of the output only: in buffer terms the output is [p, p + L_out) of the "
    "uncropped scatter buffer, so op first uncovers positions the right padding would crop "
    "(real input contributions, when p > 0), and beyond the last tap's reach positions holding "
    "only the bias, whose grad_output reaches grad_bias alone. The backward is exactly the "
    "adjoint of that forward: grad_input[i] = sum over taps of grad_output at i*s + t*d - p "
    "where that lies in [0, L_out). output_size may have the N, C (unbatched: C) dims in "
    "front (cases os_max_nc, os_mixed_nc, os_unbatched_c).",
    f"torch {V}: output_padding >= stride is allowed where dilation > stride (op < max(s, d) "
    "per axis), including in the backward (cases op_ge_s_*, grid).",
    f"torch {V}: zero-batch (N = 0) inputs run forward and backward: empty output and "
    "grad_input, grad_weight and grad_bias all zeros (cases zero_batch_*). A zero-size spatial "
    "dim fails: without padding with the 'Calculated padded input size per channel' message, "
    "with padding with 'Only zero batch or zero channel inputs are supported'.",
    f"torch {V}: Conv1d's parameter checks run on the 2-D form (a dummy height of 1): kernel "
    "size 0 prints 'kernel_height: 1 kernel_width: 0', dilation 0 prints '[1, 0]'; Conv3d's "
    "kernel message ends in '(TxHxW)'. The input-size message stays 1-D ('(2)'). kernel_size 0 "
    "is accepted at construction (default init only warns) and fails in forward; a negative "
    "kernel_size fails "
    "at construction ('Trying to create tensor with negative dimension'). Conv3d given a 4-D "
    "input treats it as unbatched (C, D, H, W) (err_rank_4d_input_to_3d_is_unbatched is a "
    "channel mismatch); unbatched channel mismatches print the input with a leading 1.",
    f"torch {V}: 'Kernel size' in 'Kernel size can't be greater than actual input size' is the "
    "DILATED kernel d*(k-1)+1 and the input size is the padded one (L + 2p).",
    f"torch {V}: groups/in/out divisibility, padding strings and padding='same' with stride > 1 "
    "are checked at construction (ValueError); stride/dilation/padding/kernel/shape checks "
    "happen in forward (RuntimeError). 'stage' records which.",
    f"torch {V}: padding_mode 'reflect', 'replicate' and 'circular' with nonzero (or 'same') "
    "padding are valid PyTorch Conv layers; they are not recorded here because wgpu-upsample "
    "rejects every padding_mode other than 'zeros' on purpose.",
]


# ---------------------------------------------------------------------------
# Write, reload, summarize.
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
counts = {}
for c in data["cases"]:
    assert len(c["input"]) == len(c["grad_input"]) == math.prod(c["input_shape"]), c["name"]
    assert len(c["weight"]) == len(c["grad_weight"]) == math.prod(c["weight_shape"]), c["name"]
    assert (len(c["output"]) == len(c["output_f32"]) == len(c["grad_output"])
            == math.prod(c["output_shape"])), c["name"]
    if c["bias"]:
        assert len(c["bias_values"]) == len(c["grad_bias"]) == c["out_channels"], c["name"]
    else:
        assert c["bias_values"] is None and c["grad_bias"] is None, c["name"]
    key = f"{c['op']} {c['dims']}d"
    counts[key] = counts.get(key, 0) + 1
err_counts = {}
for e in data["errors"]:
    err_counts[e["stage"]] = err_counts.get(e["stage"], 0) + 1
summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
print(f"torch {V}: {len(data['cases'])} cases ({summary}),"
      f" {len(data['errors'])} errors ({err_counts}); {os.path.getsize(OUT_PATH)} bytes to "
      f"{os.path.relpath(OUT_PATH, ROOT)}", file=sys.stderr)
print(f"checked against NumPy float64: {STATS['checked']} cases (output, grad_input, "
      f"grad_weight, grad_bias), max abs err {STATS['max_ref_err']:.3g}; max |output_f32 - "
      f"output| {STATS['max_f32_err']:.3g}; exact-zero grad_input at {STATS['unread_inputs']} "
      f"unread input positions in {STATS['cases_with_unread_inputs']} cases; exact-zero "
      f"grad_weight at {STATS['dead_taps']} dead taps in {STATS['cases_with_dead_taps']} cases; "
      f"{STATS['bitwise_equal']} of {STATS['compared']} float64 tensors bitwise equal to NumPy's; "
      f"{STATS['exact']} of {STATS['checked']} cases provably exact in float64 (largest sum of "
      f"|terms| {STATS['max_abs_sum']:.4g} < 128)", file=sys.stderr)
