#!/usr/bin/env python3
"""Golden data for the forward and the autograd backward of Conv1d/2d/3d and
ConvTranspose1d/2d/3d where the input, the weight, the bias or grad_output hold NaN, +inf and
-inf: PyTorch's own float32 CPU answer, NaN / inf pattern included.

How to run (from wgpu-upsample/):

    /tmp/torch/bin/python tools/golden/gen_conv_backward_nonfinite.py

It (re)writes tests/fixtures/conv_backward_nonfinite_golden.json deterministically. About a dozen
layers per op (strides 1-3, padding 0-2, Conv padding "same" with even kernels and "valid",
output_padding, dilation 1-2, groups 1-2, bias on/off, batched and unbatched) each get cases with
the non-finite values in the input (tag x), the weight (w), the bias (b), grad_output (gy), and
input and weight together (xw). Three placements rotate over the layers:
  r0: NaN at flat index 1, +inf in the middle (n // 2), -inf at the end (n - 1)
  r1: +inf at index 0,     -inf in the middle,          NaN at the end
  r2: -inf at index 1,     NaN in the middle,           +inf at the end
(index 0 / 1 and n - 1 are the first / last spatial positions of the first / last channel, or
the first / last taps of the weight, so they meet the zero padding).

Finite values are odd multiples of 1/16 in (-1, 1) (never 0, so that the only zeros a
non-finite value can meet are PyTorch's own padding zeros), drawn from a torch.Generator seeded
with zlib.crc32(case name). Every product is then a multiple of 2^-8 and every partial sum stays
far below 2^16, so all float32 arithmetic is exact: the finite results do not depend on the
summation order, and output_f32 == output.

For each case: the nn module in float32 on the CPU (torch.set_num_threads(1)) with the weight and
bias copied in, y = m(x) with x.requires_grad, then y.backward(grad_output): output (= output_f32)
is y, grad_input / grad_weight / grad_bias are x.grad / m.weight.grad / m.bias.grad. Every case
is checked against two float64 NumPy references that differ only in what happens to the products
with PyTorch's zero padding: "multiplied" (im2col / vol2col: the zero is multiplied, so
non-finite * 0 = NaN) and "skipped" (padding terms are never formed). For the two scatter-form
tensors (Conv grad_input, ConvTranspose output) "multiplied" means the gather form with its
out-of-range source reads multiplied, which only oneDNN's strided brgemm kernel ever does (see the
notes). Every value of output, grad_input and grad_weight must equal (bitwise: NaN where it has
NaN, the same infinity, the same finite value) the value of one of the two references, and
grad_bias must equal the sum of grad_output. Which one PyTorch followed is recorded per case in
"padding_products": PyTorch picks its CPU backend (and oneDNN its kernel) per call and per
tensor, and they differ here (see the notes).

The claims in the notes are checked by explicit probes (asserts) at the start of the run.

oneDNN's kernel choice depends on the CPU's instruction set, so the script caps oneDNN at AVX2
(ONEDNN_MAX_CPU_ISA=AVX2 unless already set) for reproducibility; the cap is recorded in the notes.

Format of conv_backward_nonfinite_golden.json (compact JSON, one case per line):
  {"torch_version", "generator", "notes": [str],
   "cases": [same fields as conv_backward_golden.json's cases (see gen_conv_backward.py):
             name, op, dims, in_channels, out_channels, kernel_size, stride, padding,
             output_padding, groups, dilation, bias, input_shape, input, weight_shape, weight,
             bias_values, output_size (always null), output_shape, output, output_f32,
             grad_output, grad_input, grad_weight, grad_bias;
             every float list may hold the strings "nan", "inf" and "-inf"],
   "padding_products": [{name, backend (torch's ConvBackend for the call: "Slow2d", "Slow3d",
                         "SlowDilated2d", "SlowDilated3d", "SlowTranspose2d", "SlowTranspose3d",
                         "Mkldnn", "MkldnnTranspose"),
                         output, grad_input, grad_weight: "same" (both references give this
                         tensor bitwise) | "multiplied" | "skipped" | "mixed" (some positions each),
                         other: {output, grad_input, grad_weight: [[flat index, the reference
                                 PyTorch followed there, the other reference's value], ...] over
                                 the positions where the references differ}}],
   one entry per case, in the same order}
"""
import json
import math
import os
import sys
import warnings
import zlib

os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")  # before torch loads oneDNN

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "conv_backward_nonfinite_golden.json")
GENERATOR = "tools/golden/gen_conv_backward_nonfinite.py"
ISA = os.environ["ONEDNN_MAX_CPU_ISA"]

torch.set_num_threads(1)
torch.manual_seed(0)  # module default init (always overwritten)
# torch.backends.mkldnn.flags() (used by the probes) warns about TF32 on Intel GPUs.
warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONVT = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
NAN, INF = float("nan"), float("inf")
MAX_ELEMS = 300
C, T = "Conv", "ConvTranspose"


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def flat(t):
    return [num(v) for v in t.detach().to(torch.float32).contiguous().flatten().tolist()]


def exp(v, dims):
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        assert len(v) == dims
        return [int(a) for a in v]
    return [int(v)] * dims


def dyadic(g, shape):
    """Odd multiples of 1/16 in (-1, 1): never zero, products and sums exact in float32."""
    k = torch.randint(0, 16, tuple(shape), generator=g)
    return ((2 * k - 15).to(torch.float32) / 16.0).contiguous()


def backend_name(x, w, b, s, p, d, transposed, opad, g):
    xb = x if x.dim() == w.dim() else x.unsqueeze(0)
    be = torch._C._select_conv_backend(xb, w, b, list(s), list(p), list(d), transposed,
                                       list(opad), g, None)
    return BACKENDS[int(be)]


# torch's Python binding of at::native::ConvBackend leaves MkldnnTranspose (between Mkldnn and
# MkldnnEmpty) unnamed ("???"); name it from the C++ enum's order.
BACKENDS = {int(v): k for k, v in torch._C._ConvBackend.__members__.items()}
assert BACKENDS[8] == "Mkldnn" and BACKENDS[10] == "MkldnnEmpty" and 9 not in BACKENDS, BACKENDS
BACKENDS[9] = "MkldnnTranspose"


# ---------------------------------------------------------------------------
# float64 NumPy references, batched x (N, C, *L). sem: "multiplied" (padding zeros are
# multiplied by whatever they meet) or "skipped" (padding terms are not formed).
# ---------------------------------------------------------------------------
def _gsl(gi, n):
    return slice(gi * n, (gi + 1) * n)


def _contract(a, b):
    P = math.prod(a.shape[2:])
    return np.einsum("nap,nbp->ab", a.reshape(a.shape[0], a.shape[1], P),
                     b.reshape(b.shape[0], b.shape[1], P))


def _outer(masks):
    m = masks[0]
    for a in range(1, len(masks)):
        m = np.logical_and.outer(m, masks[a])
    return m


def scatter_gathered(src, w, s, d, p, out_len, g):
    """The scatter-form tensors (Conv grad_input, ConvTranspose output) in their gather form
    with the out-of-range reads multiplied: out[j] = sum over taps t and source positions
    i = (j + p - t*d) / s that are integers, with src[i] = 0 outside the source. The source is
    extended by E zeros per side and scattered as usual, so every such product 0 * w[t] is
    formed (NaN where w[t] is not finite); positions with no integer i stay untouched.
    Conv grad_input: src is grad_output (N, C_out, *L_out), w is (C_out, C_in/g, *k);
    ConvTranspose output: src is the input (N, C_in, *L), w is (C_in, C_out/g, *k)."""
    dims = src.ndim - 2
    k = w.shape[2:]
    S = src.shape[2:]
    E = [-(-(p[a] + out_len[a] + d[a] * k[a]) // s[a]) + 1 for a in range(dims)]
    se = np.pad(src, [(0, 0), (0, 0)] + [(E[a], E[a]) for a in range(dims)])
    B = [(S[a] + 2 * E[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 for a in range(dims)]
    ca = src.shape[1] // g                       # source channels per group
    cb = w.shape[1]                              # destination channels per group
    buf = np.zeros([src.shape[0], cb * g] + B)
    for taps in np.ndindex(*k):
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (S[a] + 2 * E[a] - 1) * s[a] + 1,
                          s[a]) for a in range(dims))
        for gi in range(g):
            ws = w[(_gsl(gi, ca), slice(None)) + taps]  # ca, cb
            buf[(slice(None), _gsl(gi, cb)) + idx] += np.einsum(
                "na...,ab->nb...", se[:, _gsl(gi, ca)], ws)
    crop = tuple(slice(E[a] * s[a] + p[a], E[a] * s[a] + p[a] + out_len[a]) for a in range(dims))
    assert all(E[a] * s[a] + p[a] + out_len[a] <= B[a] for a in range(dims))
    return buf[(slice(None), slice(None)) + crop]


def ref_conv(x, w, b, gy, s, p, d, g, ex, sem):
    """p: symmetric padding per axis (padding zeros); ex: explicit zeros appended on the right
    of each axis first (padding='same' with odd total d*(k-1): PyTorch F.pads the input by the
    difference, so those zeros are real input to the convolution)."""
    dims = x.ndim - 2
    N, cin = x.shape[:2]
    L = x.shape[2:]
    cout = w.shape[0]
    k = w.shape[2:]
    cig, cog = cin // g, cout // g
    xe = np.pad(x, [(0, 0), (0, 0)] + [(0, ex[a]) for a in range(dims)])
    Le = xe.shape[2:]
    xp = np.pad(xe, [(0, 0), (0, 0)] + [(p[a], p[a]) for a in range(dims)])
    Lo = [(Le[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in range(dims)]
    assert list(gy.shape[2:]) == Lo
    real = [np.arange(Le[a] + 2 * p[a]) - p[a] for a in range(dims)]
    real = [(r >= 0) & (r < Le[a]) for a, r in enumerate(real)]
    y = np.zeros([N, cout] + Lo)
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    for taps in np.ndindex(*k):
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (Lo[a] - 1) * s[a] + 1, s[a])
                    for a in range(dims))
        valid = _outer([real[a][idx[a]] for a in range(dims)])  # *Lo
        for gi in range(g):
            xsel = (slice(None), _gsl(gi, cig)) + idx
            xs = xp[xsel]
            ws = w[(_gsl(gi, cog), slice(None)) + taps]
            gys = gy[:, _gsl(gi, cog)]
            fw = np.einsum("nc...,oc->no...", xs, ws)
            if sem == "skipped":
                fw = np.where(valid, fw, 0.0)
                xs, gys = np.where(valid, xs, 0.0), np.where(valid, gys, 0.0)
            y[:, _gsl(gi, cog)] += fw
            # grad_input: scattered into the padded buffer, then cropped (either way).
            gxp[xsel] += np.einsum("no...,oc->nc...", gy[:, _gsl(gi, cog)], ws)
            gw[(_gsl(gi, cog), slice(None)) + taps] += _contract(gys, xs)
    if b is not None:
        y += b.reshape([1, cout] + [1] * dims)
    gx = gxp[(slice(None), slice(None)) + tuple(slice(p[a], p[a] + L[a]) for a in range(dims))]
    if sem == "multiplied":
        # w as (C_out, C_in/g, *k): scattering grad_output maps group gi's C_out slice onto its
        # C_in slice, as w's layout already says (source channels first).
        gx = scatter_gathered(gy, w, s, d, p, list(L), g)
    return y, gx, gw


def ref_convt(x, w, b, gy, s, p, d, g, sem):
    """Scatter into the uncropped buffer (L_out + 2p per axis), cropped by p per side; the
    backward reads grad_output through the same buffer, zero outside the crop (the padding)."""
    dims = x.ndim - 2
    N, cin = x.shape[:2]
    L = x.shape[2:]
    cog = w.shape[1]
    cout = cog * g
    cig = cin // g
    k = w.shape[2:]
    Lo = list(gy.shape[2:])
    B = [Lo[a] + 2 * p[a] for a in range(dims)]
    real = [(np.arange(B[a]) >= p[a]) & (np.arange(B[a]) < p[a] + Lo[a]) for a in range(dims)]
    crop = (slice(None), slice(None)) + tuple(slice(p[a], p[a] + Lo[a]) for a in range(dims))
    buf = np.zeros([N, cout] + B)
    gbuf = np.zeros([N, cout] + B)
    gbuf[crop] = gy
    gx = np.zeros_like(x)
    gw = np.zeros_like(w)
    for taps in np.ndindex(*k):
        idx = tuple(slice(taps[a] * d[a], taps[a] * d[a] + (L[a] - 1) * s[a] + 1, s[a])
                    for a in range(dims))
        valid = _outer([real[a][idx[a]] for a in range(dims)])  # *L
        for gi in range(g):
            xs = x[:, _gsl(gi, cig)]
            ws = w[(_gsl(gi, cig), slice(None)) + taps]
            osel = (slice(None), _gsl(gi, cog)) + idx
            buf[osel] += np.einsum("nc...,co->no...", xs, ws)  # cropped later (either way)
            gys = gbuf[osel]
            gi_ = np.einsum("no...,co->nc...", gys, ws)
            if sem == "skipped":
                gi_ = np.where(valid, gi_, 0.0)
                xs, gys = np.where(valid, xs, 0.0), np.where(valid, gys, 0.0)
            gx[:, _gsl(gi, cig)] += gi_
            gw[(_gsl(gi, cig), slice(None)) + taps] += _contract(xs, gys)
    y = buf[crop].copy()
    if sem == "multiplied":
        y = scatter_gathered(x, w, s, d, p, Lo, g)
    if b is not None:
        y += b.reshape([1, cout] + [1] * dims)
    return y, gx, gw


def same_bits(got, ref):
    """Bitwise agreement of a float32 result with a float64 reference: same NaN positions, the
    same infinities, equal finite values (all exact here)."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64).astype(np.float32).astype(np.float64)
    if got.shape != ref.shape:
        return False
    gn, rn = np.isnan(got), np.isnan(ref)
    return bool((gn == rn).all() and (got[~gn] == ref[~rn]).all())


# ---------------------------------------------------------------------------
# Running one layer in PyTorch.
# ---------------------------------------------------------------------------
def make_module(op, dims, cin, cout, k, s, p, opad, g, d, bias):
    if op == C:
        return CONV[dims](cin, cout, tuple(k), stride=tuple(s),
                          padding=p if isinstance(p, str) else tuple(p), groups=g, bias=bias,
                          dilation=tuple(d))
    return CONVT[dims](cin, cout, tuple(k), stride=tuple(s), padding=tuple(p),
                       output_padding=tuple(opad), groups=g, bias=bias, dilation=tuple(d))


def torch_run(m, x, w, b, gy_fn):
    """float32 forward of the module and y.backward(gy); gy_fn(shape) makes grad_output."""
    with torch.no_grad():
        m.weight.copy_(w)
        if b is not None:
            m.bias.copy_(b)
    m.zero_grad(set_to_none=True)
    xr = x.clone().requires_grad_(True)
    y = m(xr)
    gy = gy_fn(list(y.shape))
    y.backward(gy)
    return (y.detach(), gy, xr.grad, m.weight.grad,
            None if m.bias is None else m.bias.grad)


def conv_geometry(dims, k, s, p, d):
    """(symmetric padding the backend sees, explicit right zeros) for a Conv padding spec."""
    if p == "valid":
        return [0] * dims, [0] * dims
    if p == "same":
        tot = [d[a] * (k[a] - 1) for a in range(dims)]
        left = [t // 2 for t in tot]
        return left, [tot[a] - 2 * left[a] for a in range(dims)]
    return list(p), [0] * dims


def eq_elem(a, b):
    """Elementwise: both NaN, or equal (infinities included)."""
    return (np.isnan(a) & np.isnan(b)) | (a == b)


def classify(op, dims, s, p, opad, g, d, x, w, b, gy, y, gx, gw, gb):
    """Checks PyTorch's float32 results against the two float64 references, elementwise: each
    value must equal the "multiplied" or the "skipped" reference's value (bitwise up to NaN
    payloads; the finite values are exact). Returns (backend, {tensor: label}, {tensor: [[flat
    index, which reference PyTorch followed there, the other reference's value]]} over the
    positions where the references differ). label: "same" (no such position), "multiplied",
    "skipped", or "mixed"."""
    conv = op == C
    unbatched = x.dim() == w.dim() - 1
    if conv:
        ps, ex = conv_geometry(dims, k_of(w), s, p, d)
        xb = torch.nn.functional.pad(x, [v for a in reversed(range(dims)) for v in (0, ex[a])])
        be = backend_name(xb, w, b, s, ps, d, False, [0] * dims, g)
    else:
        be = backend_name(x, w, b, s, p, d, True, opad, g)
    bat = (lambda a: a[None]) if unbatched else (lambda a: a)
    unb = (lambda a: a[0]) if unbatched else (lambda a: a)
    xn, wn, gyn = bat(x.double().numpy()), w.double().numpy(), bat(gy.double().numpy())
    bn = None if b is None else b.double().numpy()
    refs = {}
    with np.errstate(invalid="ignore", over="ignore"):
        for sem in ("multiplied", "skipped"):
            if conv:
                refs[sem] = ref_conv(xn, wn, bn, gyn, s, ps, d, g, ex, sem)
            else:
                refs[sem] = ref_convt(xn, wn, bn, gyn, s, p, d, g, sem)
        gb_ref = gyn.sum(axis=tuple([0] + list(range(2, dims + 2))))
    if b is not None:
        assert same_bits(gb.numpy(), gb_ref), "grad_bias"
    else:
        assert gb is None
    labels, other = {}, {}
    for i, (what, got) in enumerate([("output", y), ("grad_input", gx), ("grad_weight", gw)]):
        r_m, r_s = refs["multiplied"][i], refs["skipped"][i]
        if what != "grad_weight":
            r_m, r_s = unb(r_m), unb(r_s)
        f32 = lambda a: np.asarray(a, np.float64).astype(np.float32).astype(np.float64).ravel()
        gv, rm, rs = f32(got.numpy()), f32(r_m), f32(r_s)
        assert gv.shape == rm.shape == rs.shape, what
        em, es = eq_elem(gv, rm), eq_elem(gv, rs)
        bad = np.flatnonzero(~(em | es))
        assert bad.size == 0, (what, be, bad[:8], gv[bad[:8]], rm[bad[:8]], rs[bad[:8]])
        amb = np.flatnonzero(~eq_elem(rm, rs))
        if amb.size == 0:
            labels[what] = "same"
        elif em[amb].all():
            labels[what] = "multiplied"
        elif es[amb].all():
            labels[what] = "skipped"
        else:
            labels[what] = "mixed"
        other[what] = [[int(j), "multiplied" if em[j] else "skipped",
                        num(rs[j] if em[j] else rm[j])] for j in amb]
    return be, labels, other


def k_of(w):
    return list(w.shape[2:])


# ---------------------------------------------------------------------------
# 1. Probes: the claims in the notes, each asserted on a small layer with all-positive finite
#    values (so NaN can only come from 0 * inf) and one +inf.
# ---------------------------------------------------------------------------
PROBE = {}  # observations used in the notes


def mkldnn(enabled):
    return torch.backends.mkldnn.flags(enabled=enabled)


def probe_layer(op, dims, cin, cout, k, s, p, d, g, n, spatial, inf_at, opad=0, mk=True):
    """Returns (backend, y, grad_input, grad_weight, padded-read masks). inf_at: 'w0' (weight
    tap 0 of [0, 0]), 'wl' (last weight tap of [0, 0]), 'x0' (input position 0 of batch 0 channel
    0), 'gy0' (grad_output position 0 of batch 0 channel 0)."""
    k, s, d, opad = exp(k, dims), exp(s, dims), exp(d, dims), exp(opad, dims)
    p = exp(p, dims)
    spatial = exp(spatial, dims)
    m = make_module(op, dims, cin, cout, k, s, p, opad, g, d, False)
    x = torch.full([n, cin] + spatial, 0.5)
    w = torch.full(list(m.weight.shape), 0.25)
    tap0, tapl = (0,) * dims, tuple(a - 1 for a in k)
    if inf_at == "w0":
        w[(0, 0) + tap0] = INF
    if inf_at == "wl":
        w[(0, 0) + tapl] = INF
    if inf_at == "x0":
        x[(0, 0) + (0,) * dims] = INF

    def gy_fn(shape):
        gy = torch.full(shape, 0.75)
        if inf_at == "gy0":
            gy[(0, 0) + (0,) * dims] = INF
        return gy

    with mkldnn(mk):
        if op == C:
            ps, ex = conv_geometry(dims, k, s, p, d)
            xb = torch.nn.functional.pad(x, [v for a in reversed(range(dims)) for v in (0, ex[a])])
            be = backend_name(xb, w, None, s, ps, d, False, [0] * dims, g)
        else:
            be = backend_name(x, w, None, s, p, d, True, opad, g)
        y, gy, gx, gw, _ = torch_run(m, x, w, None, gy_fn)
    return be, y, gy, gx, gw


def reads_pad_conv(Lo, L, t, s, p, d):
    """Per-axis mask over outputs: tap t reads zero padding (or beyond the input)."""
    return np.array([not (0 <= o * s + t * d - p < L) for o in range(Lo)])


def reads_pad_convt(L, Lo, t, s, p, d):
    """Per-axis mask over inputs: tap t of input i lands in the cropped padding."""
    return np.array([not (0 <= i * s + t * d - p < Lo) for i in range(L)])


def any_axis(masks):
    """Outer 'or' over axes."""
    m = masks[0]
    for a in range(1, len(masks)):
        m = np.logical_or.outer(m, masks[a])
    return m


def run_probes():
    # (1) Conv forward, +inf at weight tap 0 / last tap of (oc 0, ic 0), padding 1, all else
    #     positive: output channel 0 is +inf except NaN exactly where that tap reads padding on
    #     the im2col paths; on oneDNN's direct kernel there is no NaN at all.
    fwd = {}
    for dims, n, g, k, s, d, mk, spatial in [
            (1, 1, 1, 3, 1, 1, True, 5), (1, 1, 1, 3, 2, 1, True, 6), (2, 1, 1, 3, 1, 1, True, 4),
            (3, 1, 1, 3, 1, 1, True, 3), (1, 1, 1, 3, 1, 2, True, 5), (3, 1, 1, 2, 2, 2, True, 4),
            (1, 2, 1, 3, 1, 1, True, 5), (2, 2, 1, 3, 1, 1, True, 4), (3, 2, 1, 2, 1, 1, True, 3),
            (1, 1, 2, 3, 1, 1, True, 5), (2, 1, 1, 5, 1, 1, True, 5), (2, 2, 1, 3, 1, 1, False, 4),
            (1, 2, 2, 3, 1, 1, False, 5)]:
        for inf_at in ("w0", "wl"):
            cin = 2 * g
            be, y, _, gx, _ = probe_layer(C, dims, cin, 2, k, s, 1, d, g, n, spatial, inf_at, mk=mk)
            k_, s_, d_, L_ = exp(k, dims), exp(s, dims), exp(d, dims), exp(spatial, dims)
            t = [0] * dims if inf_at == "w0" else [a - 1 for a in k_]
            Lo = list(y.shape[2:])
            pad = any_axis([reads_pad_conv(Lo[a], L_[a], t[a], s_[a], 1, d_[a])
                            for a in range(dims)])
            assert not pad.all()
            if not pad.any():  # this tap never reads padding here
                assert np.isposinf(y[:, 0].numpy()).all()
                continue
            y0 = y[:, 0].numpy()
            assert np.isposinf(y0[:, ~pad]).all(), (dims, n, g, be)  # real reads: +inf
            assert np.isfinite(y[:, 1:].numpy()).all()
            nan_pad = bool(np.isnan(y0[:, pad]).all())
            assert nan_pad or np.isfinite(y0[:, pad]).all(), (dims, n, g, be)
            if be.startswith("Slow"):
                assert nan_pad, f"claim 1: im2col backend {be} must give NaN at padding reads"
            # (3b) Conv grad_input with the same inf weight: +inf / finite, never NaN.
            assert not torch.isnan(gx).any(), ("claim 3: Conv grad_input", dims, n, g, be)
            fwd.setdefault(be, set()).add(nan_pad)
    assert fwd.get("Mkldnn") == {False, True}, fwd  # oneDNN: both, by kernel
    assert all(v == {True} for b, v in fwd.items() if b.startswith("Slow")), fwd
    PROBE["conv_fwd"] = {b: sorted(v) for b, v in fwd.items()}

    # padding='same' with an even kernel (d(k-1) odd): the extra right zero is an explicit
    # F.pad of the input, so inf at the last tap gives NaN at the last output on every backend,
    # while the left padding zero (tap 0) follows the backend.
    for n, mk in [(1, True), (2, True), (2, False)]:
        be, y, _, _, _ = probe_layer(C, 1, 2, 2, 4, 1, "same", 1, 1, n, 6, "wl", mk=mk)
        # left 1, right 2 = 1 explicit (x[6]) + 1 symmetric; output o, tap 3 reads x[o + 2].
        y0 = y[:, 0].numpy()
        assert np.isnan(y0[:, 4]).all(), ("same: explicit zero", n, be)  # reads x[6]
        nan_right = bool(np.isnan(y0[:, 5]).all())  # reads the symmetric padding
        assert nan_right or np.isfinite(y0[:, 5]).all(), be
        if be.startswith("Slow"):
            assert nan_right, be
        assert np.isposinf(y0[:, :4]).all()
        be0, y, _, _, _ = probe_layer(C, 1, 2, 2, 4, 1, "same", 1, 1, n, 6, "w0", mk=mk)
        nan_left = bool(np.isnan(y[:, 0, 0].numpy()).all())
        if be0.startswith("Slow"):
            assert nan_left
        PROBE.setdefault("same_left", {}).setdefault(be0, [])
        PROBE["same_left"][be0] = sorted(set(PROBE["same_left"][be0]) | {nan_left})

    # (2a) Conv grad_weight with +inf at grad_output position 0 (channel 0): taps of output
    #      channel 0 that pair it with padding (tap 0 with p = 1) are NaN on im2col paths.
    gwc = {}
    for dims, n, g, mk in [(1, 1, 1, True), (2, 1, 1, True), (3, 1, 1, True), (1, 2, 1, True),
                           (2, 2, 1, True), (1, 1, 2, True), (1, 2, 1, False)]:
        cin = 2 * g
        be, y, _, gx, gw = probe_layer(C, dims, cin, 2, 3, 1, 1, 1, g, n, 4, "gy0", mk=mk)
        gw0 = gw[0].numpy()  # (cin/g, *k) for output channel 0
        pad = any_axis([np.array([t - 1 < 0 for t in range(3)])] * dims)  # o=0: tap t reads t-1
        assert np.isposinf(gw0[:, ~pad]).all()
        assert np.isfinite(gw[1:].numpy()).all()
        nan_pad = bool(np.isnan(gw0[:, pad]).all())
        assert nan_pad or np.isfinite(gw0[:, pad]).all(), be
        if be.startswith("Slow"):
            assert nan_pad, f"claim 2: im2col backend {be}: Conv grad_weight NaN at padding"
        assert not torch.isnan(gx).any()  # Conv grad_input with inf grad_output: no NaN
        gwc.setdefault(be, set()).add(nan_pad)
    PROBE["conv_gw"] = {b: sorted(v) for b, v in gwc.items()}

    # (2b) ConvTranspose grad_weight with +inf at input position 0 (channel 0), padding 1:
    #      taps t with 0*s + t*d - p < 0 pair it with grad_output's padding: NaN on im2col.
    # (3a) ConvTranspose forward with +inf at a weight tap: never NaN (the scatter drops the
    #      cropped positions). (3c) ConvTranspose grad_input with that weight: NaN where the tap
    #      reads grad_output's padding on the im2col paths.
    gwt, fwdt, gxt = {}, {}, {}
    for dims, n, g, s, d, mk in [(1, 1, 1, 2, 1, True), (2, 1, 1, 2, 1, True),
                                 (3, 1, 1, 2, 1, True), (1, 2, 1, 2, 1, True),
                                 (2, 2, 1, 1, 1, True), (1, 1, 2, 2, 2, True),
                                 (3, 2, 1, 1, 1, True), (1, 2, 1, 2, 1, False)]:
        cin = 2 * g
        L = 3
        be, y, _, gx, gw = probe_layer(T, dims, cin, 2, 3, s, 1, d, g, n, L, "x0", mk=mk)
        gw0 = gw[0].numpy()  # (cout/g, *k) for input channel 0
        pad = any_axis([np.array([t * d - 1 < 0 for t in range(3)])] * dims)
        assert np.isposinf(gw0[:, ~pad]).all()
        nan_pad = bool(np.isnan(gw0[:, pad]).all())
        assert nan_pad or np.isfinite(gw0[:, pad]).all(), be
        if be.startswith("Slow"):
            assert nan_pad, f"claim 2: im2col backend {be}: ConvT grad_weight NaN at padding"
        assert not torch.isnan(y).any()
        gwt.setdefault(be, set()).add(nan_pad)
        for inf_at in ("w0", "wl"):
            be, y, _, gx, _ = probe_layer(T, dims, cin, 2, 3, s, 1, d, g, n, L, inf_at, mk=mk)
            assert not torch.isnan(y).any(), ("claim 3: ConvT forward", dims, n, g, be)
            assert torch.isposinf(y).any()
            t = [0] * dims if inf_at == "w0" else [2] * dims
            Lo = list(y.shape[2:])
            pad = any_axis([reads_pad_convt(L, Lo[a], t[a], s, 1, d) for a in range(dims)])
            gx0 = gx[:, 0].numpy()
            assert np.isposinf(gx0[:, ~pad]).all()
            if pad.any():
                nan_pad = bool(np.isnan(gx0[:, pad]).all())
                assert nan_pad or np.isfinite(gx0[:, pad]).all(), be
                if be.startswith("Slow"):
                    assert nan_pad, f"im2col backend {be}: ConvT grad_input NaN at padding"
                gxt.setdefault(be, set()).add(nan_pad)
            fwdt.setdefault(be, set()).add(False)
    PROBE["convt_gw"] = {b: sorted(v) for b, v in gwt.items()}
    PROBE["convt_gx"] = {b: sorted(v) for b, v in gxt.items()}
    PROBE["convt_fwd"] = {b: sorted(v) for b, v in fwdt.items()}
    # (3, exception) oneDNN's strided brgemm kernel (brgconv_strided; ConvTranspose forward as
    #      brg_deconv, Conv backward_data) with stride > kernel: a position that no in-range tap
    #      reaches but an out-of-range one does (the ConvTranspose output_padding tail, the
    #      unread tail of a Conv input) gets 0 * w[t] = NaN for an inf tap t. Checked against
    #      the references (classify): "multiplied"/"mixed" on oneDNN, "skipped" without it.
    brg = {}
    for key, op, dims, k, s, opad, spatial, what in [
            ("convT1d_k2_s3_op2", T, 1, 2, 3, 2, 4, "output"),
            ("convT2d_k2_s3_op12", T, 2, 2, 3, [1, 2], [2, 3], "output"),
            ("conv2d_k2_s3_L7", C, 2, 2, 3, 0, [7, 7], "grad_input"),
            ("convT1d_k3_s2_p1_op1", T, 1, 3, 2, 1, 4, "output")]:
        for mk in (True, False):
            k_, s_, op_, sp_ = exp(k, dims), exp(s, dims), exp(opad, dims), exp(spatial, dims)
            p_ = exp(1 if key.endswith("p1_op1") else 0, dims)
            m = make_module(op, dims, 2, 2, k_, s_, p_, op_, 1, [1] * dims, False)
            x = torch.full([2, 2] + sp_, 0.5)
            w = torch.full(list(m.weight.shape), 0.25)
            w[(0, 0) + (0,) * dims] = INF
            with mkldnn(mk):
                y, gy, gx, gw, gb = torch_run(m, x, w, None, lambda sh: torch.full(sh, 0.75))
                be, labels, other = classify(op, dims, s_, p_, op_, 1, [1] * dims, x, w, None,
                                             gy, y, gx, gw, gb)
            brg[(key, mk)] = (be, labels[what])
            if not mk:
                assert labels[what] in ("skipped", "same"), (key, be, labels)
    assert brg[("convT1d_k2_s3_op2", True)] == ("MkldnnTranspose", "multiplied"), brg
    assert brg[("convT2d_k2_s3_op12", True)] == ("MkldnnTranspose", "multiplied"), brg
    assert brg[("conv2d_k2_s3_L7", True)][0] == "Mkldnn", brg
    assert brg[("conv2d_k2_s3_L7", True)][1] in ("multiplied", "mixed"), brg
    assert brg[("convT1d_k3_s2_p1_op1", True)] == ("MkldnnTranspose", "skipped"), brg
    PROBE["brg"] = {f"{k_}{'' if mk else ' (mkldnn off)'}": v for (k_, mk), v in brg.items()}

    # Both behaviours occur on oneDNN; only NaN on the im2col backends.
    assert PROBE["conv_gw"].get("Mkldnn") == [False, True], PROBE["conv_gw"]
    for key in ("convt_gw", "convt_gx"):
        assert PROBE[key].get("MkldnnTranspose") == [False, True], (key, PROBE[key])
    for key in ("conv_gw", "convt_gw", "convt_gx"):
        assert all(v == [True] for b, v in PROBE[key].items() if b.startswith("Slow")), key
    print("probes:", PROBE, file=sys.stderr)


# ---------------------------------------------------------------------------
# 2. Cases.
# ---------------------------------------------------------------------------
CASES = []
PADPROD = []
NAMES = set()
STATS = {}
PATTERNS = {  # (start index, value), middle, end
    "r0": ((1, NAN), INF, -INF),
    "r1": ((0, INF), -INF, NAN),
    "r2": ((1, -INF), NAN, INF),
}


def spoil(t, pattern):
    """Writes the pattern's three values into t (in place), start first, then the end, then the
    middle; a position already taken (tiny tensors) keeps its first value. Tensors of <= 3
    elements (biases) start at index 0."""
    fl = t.view(-1)
    n = fl.numel()
    (i0, v0), vm, ve = PATTERNS[pattern]
    taken = set()
    if n <= 3:  # biases: keep the start and the end apart
        i0 = 0
    for i, v in ((i0, v0), (n - 1, ve), (n // 2, vm)):
        if i not in taken:
            fl[i] = v
            taken.add(i)
    return len(taken)


def add_case(op, tag, where, pattern, dims, cin, cout, k, s=1, p=0, opad=0, g=1, d=1,
             bias=True, spatial=None, n=1):
    conv = op == C
    k, s, opad, d, p = (exp(v, dims) for v in (k, s, opad, d, p))
    spatial = exp(spatial, dims)
    name = f"{'conv' if conv else 'convT'}{dims}d_{tag}_{where}_{pattern}"
    assert name not in NAMES, name
    NAMES.add(name)
    in_shape = ([n] if n is not None else []) + [cin] + spatial
    m = make_module(op, dims, cin, cout, k, s, p, opad, g, d, bias)
    w_shape = list(m.weight.shape)
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    x = dyadic(gen, in_shape)
    w = dyadic(gen, w_shape)
    b = dyadic(gen, [cout]) if bias else None
    spoiled = [0]
    if "x" in where:
        spoiled[0] += spoil(x, pattern)
    if "w" in where:
        spoiled[0] += spoil(w, pattern)
    if where == "b":
        spoiled[0] += spoil(b, pattern)

    def gy_fn(shape):
        gy = dyadic(gen, shape)
        if where == "gy":
            spoiled[0] += spoil(gy, pattern)
        return gy

    y, gy, gx, gw, gb = torch_run(m, x, w, b, gy_fn)
    assert y.dtype == gx.dtype == gw.dtype == torch.float32

    be, labels, other = classify(op, dims, s, p, opad, g, d, x, w, b, gy, y, gx, gw, gb)
    rec = {"name": name, "backend": be, **labels, "other": other}
    for what, label in labels.items():
        key = (op, be, what, label)
        STATS[key] = STATS.get(key, 0) + 1
    case = {"name": name, "op": op, "dims": dims, "in_channels": cin, "out_channels": cout,
            "kernel_size": k, "stride": s, "padding": p,
            "output_padding": opad if not conv else [0] * dims, "groups": g, "dilation": d,
            "bias": bool(bias), "input_shape": in_shape, "input": flat(x),
            "weight_shape": w_shape, "weight": flat(w),
            "bias_values": flat(b) if bias else None, "output_size": None,
            "output_shape": list(y.shape), "output": flat(y), "output_f32": flat(y),
            "grad_output": flat(gy), "grad_input": flat(gx), "grad_weight": flat(gw),
            "grad_bias": flat(gb) if bias else None}
    for key in ("input", "weight", "output", "grad_output", "grad_input", "grad_weight"):
        assert len(case[key]) <= MAX_ELEMS, (name, key, len(case[key]))
    nonfinite = [v for key in ("input", "weight", "bias_values", "grad_output")
                 for v in (case[key] or []) if isinstance(v, str)]
    assert len(nonfinite) == spoiled[0] >= 2, name
    CASES.append(case)
    PADPROD.append(rec)


# (tag, dims, cin, cout, k, stride, padding, dilation, groups, bias, spatial, n)
CONV_LAYERS = [
    ("s1_p1", 1, 2, 3, 3, 1, 1, 1, 1, True, 6, 1),
    ("d2_p2", 1, 2, 2, 3, 1, 2, 2, 1, True, 5, 1),
    ("s1_p2_n2", 1, 2, 2, 3, 1, 2, 1, 1, True, 5, 2),
    ("s2_p2_d2_g2_n2", 1, 4, 4, 3, 2, 2, 2, 2, False, 7, 2),
    ("same_k4", 1, 2, 2, 4, 1, "same", 1, 1, True, 6, 1),
    ("same_k2_n2", 1, 2, 3, 2, 1, "same", 1, 1, False, 5, 2),
    ("valid_s3_unb", 1, 2, 3, 2, 3, "valid", 1, 1, True, 8, None),
    ("s1_p1", 2, 2, 2, 3, 1, 1, 1, 1, True, [4, 4], 1),
    ("s2_p1_n2", 2, 2, 3, 3, 2, 1, 1, 1, False, [5, 4], 2),
    ("same_k42_g2_unb", 2, 2, 2, [4, 2], 1, "same", 1, 2, True, [4, 4], None),
    ("d2_p2_g2", 2, 4, 2, 3, 1, 2, 2, 2, True, [4, 3], 1),
    ("peraxis", 2, 1, 2, [3, 2], [3, 1], [0, 1], [1, 2], 1, True, [6, 4], 2),
    ("s3_k2_tail_n2", 2, 1, 2, 2, 3, 0, 1, 1, True, [4, 7], 2),
    ("s1_p1", 3, 1, 2, 3, 1, 1, 1, 1, True, [3, 3, 3], 1),
    ("s2_p1_n2", 3, 2, 2, 2, 2, 1, 1, 1, False, [3, 2, 3], 2),
    ("same_k2_g2_unb", 3, 2, 2, 2, 1, "same", 1, 2, True, [2, 3, 3], None),
    ("d2_p1", 3, 1, 2, 2, 1, 1, 2, 1, True, [3, 3, 2], 1),
]
# (tag, dims, cin, cout, k, stride, padding, output_padding, dilation, groups, bias, spatial, n)
CONVT_LAYERS = [
    ("s1_p1", 1, 2, 3, 3, 1, 1, 0, 1, 1, True, 5, 1),
    ("s2_p1_op1_n2", 1, 2, 2, 3, 2, 1, 1, 1, 1, True, 4, 2),
    ("s3_k2_op2_holes_unb", 1, 2, 2, 2, 3, 0, 2, 1, 1, False, 4, None),
    ("s3_k2_op2_holes_n2", 1, 2, 2, 2, 3, 0, 2, 1, 1, True, 4, 2),
    ("s2_p2_op1_d2_g2_n2", 1, 4, 4, 3, 2, 2, 1, 2, 2, True, 5, 2),
    ("k4_p2", 1, 1, 2, 4, 1, 2, 0, 1, 1, True, 4, 1),
    ("s2_p1_op1", 2, 2, 2, 3, 2, 1, 1, 1, 1, True, [3, 3], 1),
    ("s1_p1_n2", 2, 2, 3, 3, 1, 1, 0, 1, 1, False, [3, 4], 2),
    ("peraxis_g2_unb", 2, 2, 2, [2, 3], [1, 2], [1, 2], [0, 1], 1, 2, True, [3, 4], None),
    ("d2_p1_g2", 2, 4, 2, 2, 1, 1, 0, 2, 2, True, [4, 3], 1),
    ("s3_k2_holes_n2", 2, 1, 2, 2, 3, 0, [1, 2], 1, 1, True, [2, 2], 2),
    ("s2_p1_op1", 3, 1, 2, 3, 2, 1, 1, 1, 1, True, [2, 2, 2], 1),
    ("k2_p1_n2", 3, 2, 2, 2, 1, 1, 0, 1, 1, False, [3, 3, 2], 2),
    ("s2_p1_op1_d2_g2_unb", 3, 2, 2, 2, 2, 1, 1, 2, 2, True, [2, 2, 2], None),
    ("d2_p2", 3, 1, 2, 3, 1, 2, 0, 2, 1, True, [2, 2, 2], 1),
]
PATTERN_NAMES = list(PATTERNS)


def patterns_for(li, where):
    """Two placements per layer and tag (one for the bias), rotating over the layers."""
    first = PATTERN_NAMES[li % 3]
    if where == "b":
        return [first]
    return [first, PATTERN_NAMES[(li + 1) % 3]]


def main():
    run_probes()
    wheres = ["x", "w", "b", "gy", "xw"]
    for li, (tag, dims, cin, cout, k, s, p, d, g, bias, sp, n) in enumerate(CONV_LAYERS):
        for where in wheres:
            if where == "b" and not bias:
                continue
            for pat in patterns_for(li, where):
                add_case(C, tag, where, pat, dims, cin, cout, k, s, p, 0, g, d, bias, sp, n)
    for li, (tag, dims, cin, cout, k, s, p, op, d, g, bias, sp, n) in enumerate(CONVT_LAYERS):
        for where in wheres:
            if where == "b" and not bias:
                continue
            for pat in patterns_for(li, where):
                add_case(T, tag, where, pat, dims, cin, cout, k, s, p, op, g, d, bias, sp, n)
    # Branch gemm2: narrow GEMMs (<= 16 rows) on rows the x-window kernels take on the subgroup
    # core (output rows a multiple of 8, input rows a multiple of 4): Conv 4->3's forward and
    # ConvTranspose 3->4's grad_input.
    for li, where in enumerate(["x", "gy"]):
        pat = PATTERN_NAMES[li]
        add_case(C, "xwin", where, pat, 2, 4, 3, 3, 1, 1, 0, 1, 1, True, [4, 16], 1)
        add_case(T, "xwin", where, pat, 2, 3, 4, 4, 2, 1, 0, 1, 1, True, [2, 8], 1)
    for k_ in sorted(STATS):
        print("  ", k_, STATS[k_], file=sys.stderr)
    write()


def seen(op, what, sem):
    """Backends on which some case of op gave `sem` for `what`."""
    return sorted({be for (o, be, w, s), c in STATS.items() if o == op and w == what and s == sem})


def names_with(op, what, labels):
    return sorted({r["name"].rsplit("_", 2)[0] for r, c in zip(PADPROD, CASES)
                   if c["op"] == op and r[what] in labels})


def notes():
    V = torch.__version__
    # What the cases show (asserted, so that the notes below stay true when regenerating).
    for op, what in [(C, "output"), (C, "grad_weight"), (T, "grad_input"), (T, "grad_weight")]:
        m = seen(op, what, "multiplied")
        assert any(b.startswith("Slow") for b in m) and any(b.startswith("Mkldnn") for b in m)
        assert not any(b.startswith("Slow") for b in seen(op, what, "skipped")), (op, what)
        assert any(b.startswith("Mkldnn") for b in seen(op, what, "skipped")), (op, what)
    for op, what in [(C, "grad_input"), (T, "output")]:
        for lab in ("multiplied", "mixed"):
            assert not any(b.startswith("Slow") for b in seen(op, what, lab)), (op, what)
    conv_gx_odd = names_with(C, "grad_input", ("multiplied", "mixed"))
    convt_y_odd = names_with(T, "output", ("multiplied", "mixed"))
    assert conv_gx_odd and convt_y_odd
    slow_c = sorted(b for b in PROBE["conv_fwd"] if b.startswith("Slow"))
    brg = "; ".join(f"{k}: {v[0]} {v[1]}" for k, v in PROBE["brg"].items())
    return [
        f"torch {V}, CPU, float32, torch.set_num_threads(1), oneDNN capped at "
        f"ONEDNN_MAX_CPU_ISA={ISA} (oneDNN's kernel choice, hence the NaN pattern at the "
        "padding, depends on the instruction set). output (= output_f32) is the nn module's "
        "float32 forward; grad_input, grad_weight, grad_bias come from y.backward(grad_output). "
        "Non-finite values are written as the strings 'nan', 'inf', '-inf'. Finite values are "
        "odd multiples of 1/16 (never 0), so every float32 result here is exact and "
        "independent of the summation order: the generator checks every value bitwise against "
        "float64 NumPy references, and finite values can be compared exactly.",
        f"torch {V}: PyTorch's CPU convolution has NO single NaN semantics at the zero padding; "
        "it depends on the backend picked per call. The im2col / vol2col backends (ConvBackend "
        + ", ".join(slow_c) + ", SlowTranspose2d, SlowTranspose3d: batch 1 and groups 1 with "
        "small kernels, unbatched inputs included) MULTIPLY the padding zeros, so a non-finite "
        "value that meets one gives NaN (0 * inf = NaN). The oneDNN backend (Mkldnn / "
        "MkldnnTranspose: batch >= 2, groups >= 2, kernels > 3 on the last two axes, ...) "
        "runs, per tensor, either a GEMM kernel (x64:gemm:jit; e.g. groups 2 here, and some "
        "weight gradients) that multiplies like im2col, or a direct kernel (jit:avx2, jit_dw, "
        "brdgmm_dw, brgconv) that SKIPS the padding terms: no product is formed, so the value "
        "is the sum of the remaining terms (finite if they are). A single case can mix them "
        "(e.g. conv2d_peraxis: forward skips, grad_weight multiplies).",
        "padding_products (one entry per case, same order): backend = torch's ConvBackend for "
        "the call; output / grad_input / grad_weight = 'same' (both semantics give this result "
        "bitwise: the case does not tell them apart), 'multiplied' (PyTorch formed the padding "
        "products; for Conv grad_input and ConvTranspose output that means the products with "
        "the out-of-range source positions of the gather form, i.e. index (j + p - t*d) / s an "
        "integer outside the source), 'skipped' (it did not), or 'mixed' (some of each); other "
        "= for every position where the two semantics differ: [flat index, the semantics "
        "PyTorch followed there, the value under the other one]. Substituting 'other' values "
        "at the positions PyTorch marked 'multiplied' gives the pure 'skipped' answer, and "
        "vice versa.",
        f"torch {V} (claim 1, probes): Conv forward with a non-finite weight tap gives NaN at "
        "exactly the outputs where that tap reads the zero padding on the im2col backends ("
        + ", ".join(slow_c) + ") and on oneDNN's GEMM kernel (groups 2); +/-inf elsewhere. On "
        "oneDNN's direct kernel (batch 2, groups 1) those outputs get no NaN: the tap's term is "
        "absent. A NaN weight gives NaN wherever it is multiplied, so likewise.",
        f"torch {V}: Conv padding='same' with d*(k-1) odd (even kernel, odd dilation) F.pads "
        "the input by the extra zero on the right / bottom / back and convolves with the "
        "symmetric padding d*(k-1)//2: that extra zero is real input to the convolution, so a "
        "non-finite tap reading it gives NaN on every backend (and a non-finite grad_output "
        "pairing with it gives NaN in grad_weight), while the symmetric part follows the "
        "backend (probes; cases *_same_*).",
        f"torch {V} (claim 2, probes): grad_weight pairs grad_output with the zero-padded input "
        "(Conv) and the input with the zero-padded grad_output (ConvTranspose). On the im2col "
        "backends an inf in grad_output (Conv) or in the input (ConvTranspose) gives NaN at "
        "exactly the weight taps that pair it with padding (for every input channel of that "
        "output channel, resp. every output channel of that input channel); on oneDNN it "
        "depends on the kernel (GEMM: NaN; direct: no NaN, those taps stay finite). An inf in "
        "the Conv input or in ConvTranspose's grad_output never meets padding there.",
        f"torch {V} (claim 3, probes and every case): on the im2col backends and on oneDNN's "
        "GEMM and direct kernels, ConvTranspose's forward and Conv's grad_input never get NaN "
        "from padding: they scatter (col2im) and drop what lands in the padding, so a "
        "non-finite weight gives +/-inf (NaN only from NaN values or inf - inf). EXCEPTION: "
        "oneDNN's strided brgemm kernel (brgconv_strided: ConvTranspose forward as brg_deconv, "
        "Conv backward_data; seen here for strided layers with batch 2 and groups 1) with "
        "stride > kernel: "
        "positions that no in-range tap reaches but an out-of-range tap does (the "
        "ConvTranspose output_padding tail; the unread tail of a Conv input, whose grad_input "
        "should be 0) can get 0 * w = NaN. Cases: ConvTranspose output " +
        ", ".join(convt_y_odd) + "; Conv grad_input " + ", ".join(conv_gx_odd) + ". It is not a clean "
        "rule: where an in-range tap also reaches the position, the out-of-range one was "
        "skipped (convT1d_s2_p1_op1_n2; probe convT1d_k3_s2_p1_op1), and the 2-D Conv "
        "grad_input is 'mixed' (see 'other'). Probes: " + brg
        + ".",
        f"torch {V} (probes): ConvTranspose's grad_input (a Conv of grad_output with the "
        "weight) mirrors claim 1: a non-finite weight tap gives NaN where it reads "
        "grad_output's zero padding on SlowTranspose2d/3d and oneDNN's GEMM kernel, not on "
        "oneDNN's direct kernel. Conv's grad_input with inf in grad_output gets no NaN from "
        "padding.",
        f"torch {V}: grad_bias is grad_output summed over N and every spatial position (NaN if "
        "it holds NaN or both +inf and -inf); a non-finite bias only changes its own output "
        "channel (NaN bias: NaN everywhere in it; inf bias: that inf unless the rest is the "
        "other inf or NaN) and no gradient. Positions nothing reaches (ConvTranspose stride "
        "holes and output_padding beyond every tap: bias only; Conv input positions no tap "
        "reads: grad_input 0) stay finite, except for the brgconv_strided exception above.",
        "Placements: r0 = NaN at flat index 1, +inf at n // 2, -inf at n - 1; r1 = +inf at 0, "
        "-inf at n // 2, NaN at n - 1; r2 = -inf at 1, NaN at n // 2, +inf at n - 1 (in the "
        "tensor named by the tag: x input, w weight, b bias, gy grad_output, xw input and "
        "weight; tensors of <= 3 elements (biases) start at index 0, and a position already "
        "taken keeps its first value). Case names: {conv|convT}{dims}d_{layer}_{tag}_"
        "{placement}.",
    ]


def dump(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def write():
    V = torch.__version__
    ns = notes()
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"torch_version":%s,"generator":%s,\n' % (dump(V), dump(GENERATOR)))
        f.write('"notes":[\n' + ",\n".join(dump(x) for x in ns) + "],\n")
        f.write('"cases":[\n' + ",\n".join(dump(c) for c in CASES) + "],\n")
        f.write('"padding_products":[\n' + ",\n".join(dump(r) for r in PADPROD) + "]}\n")
    with open(OUT_PATH, encoding="utf-8") as f:
        data = json.load(f)
    counts = {}
    for c in data["cases"]:
        assert len(c["input"]) == len(c["grad_input"]) == math.prod(c["input_shape"])
        assert len(c["weight"]) == len(c["grad_weight"]) == math.prod(c["weight_shape"])
        assert (len(c["output"]) == len(c["output_f32"]) == len(c["grad_output"])
                == math.prod(c["output_shape"]))
        key = f"{c['op']} {c['dims']}d"
        counts[key] = counts.get(key, 0) + 1
    assert [r["name"] for r in data["padding_products"]] == [c["name"] for c in data["cases"]]
    size = os.path.getsize(OUT_PATH)
    assert size < 800_000, size
    print(f"torch {V}: {len(data['cases'])} cases ({counts}); {size} bytes to "
          f"{os.path.relpath(OUT_PATH, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
