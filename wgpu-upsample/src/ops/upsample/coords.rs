//! Source coordinates and weights per output index, one axis at a time, computed exactly as
//! PyTorch's CPU kernels compute them (same f32 ratio, same f32/f64 mix, integer arithmetic where
//! PyTorch uses it). Computed once per axis on the host and shared by the CPU reference and the
//! GPU kernels (which receive them as small tables), so both see identical indices.

use super::options::Axis;
use super::taps::Windows;

/// PyTorch's `area_pixel_compute_scale` for float tensors: the ratio `r` the kernels multiply the
/// output index by.
pub(crate) fn ratio(axis: Axis, align_corners: bool) -> f32 {
    if align_corners {
        if axis.output > 1 {
            (axis.input - 1) as f32 / (axis.output - 1) as f32
        } else {
            0.0
        }
    } else {
        scale_ratio(axis)
    }
}

/// PyTorch's `compute_scales_value`: `1 / scale` (in f64, then rounded to f32) when a scale is
/// used, else `I / O` in f32.
fn scale_ratio(axis: Axis) -> f32 {
    match axis.scale {
        Some(s) if s > 0.0 => (1.0 / s) as f32,
        _ => axis.input as f32 / axis.output as f32,
    }
}

/// `nearest`: PyTorch's `nearest_idx`. Its 2-D kernel (4-D input, `shortcuts`) copies an axis
/// with `O == I` and uses `o >> 1` when `O == 2I`, whatever the scale; the 1-D and 3-D kernels
/// always use `min(floor(o * r), I - 1)`.
pub(crate) fn nearest(axis: Axis, shortcuts: bool) -> Vec<u32> {
    let (i_size, o_size) = (axis.input, axis.output);
    let r = scale_ratio(axis);
    (0..o_size)
        .map(|o| {
            let src = if shortcuts && o_size == i_size {
                o
            } else if shortcuts && o_size == 2 * i_size {
                o >> 1
            } else {
                ((o as f32 * r).floor() as usize).min(i_size - 1)
            };
            src as u32
        })
        .collect()
}

/// `nearest-exact`: `min(floor((o + 0.5) * r), I - 1)`; PyTorch forms `(o + 0.5) * r` in f64 and
/// floors it as f32 (`floorf`).
pub(crate) fn nearest_exact(axis: Axis) -> Vec<u32> {
    let r = scale_ratio(axis) as f64;
    (0..axis.output)
        .map(|o| {
            let x = ((o as f64 + 0.5) * r) as f32;
            (x.floor() as usize).min(axis.input - 1) as u32
        })
        .collect()
}

/// The two taps of linear interpolation for one output index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinearTaps {
    pub i0: u32,
    pub i1: u32,
    pub w0: f32,
    pub w1: f32,
}

/// `linear` / `bilinear` / `trilinear` along one axis (PyTorch's
/// `compute_source_index_and_lambda`): an axis of unchanged size is copied whatever the scale.
pub(crate) fn linear(axis: Axis, align_corners: bool) -> Vec<LinearTaps> {
    let (i_size, o_size) = (axis.input, axis.output);
    let r = ratio(axis, align_corners);
    (0..o_size)
        .map(|o| {
            if o_size == i_size {
                return LinearTaps {
                    i0: o as u32,
                    i1: o as u32,
                    w0: 1.0,
                    w1: 0.0,
                };
            }
            let x = source_index(r, o, align_corners, false);
            let (i0, l1) = guard_index_and_lambda(x, i_size);
            // x >= 0 here (clamped by `source_index`), so i0 >= 0.
            let i0 = i0.max(0) as usize;
            let i1 = if i0 < i_size - 1 { i0 + 1 } else { i0 };
            LinearTaps {
                i0: i0 as u32,
                i1: i1 as u32,
                w0: 1.0 - l1,
                w1: l1,
            }
        })
        .collect()
}

/// The four taps of bicubic interpolation for one output index (indices clamped to the edge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CubicTaps {
    pub index: [u32; 4],
    pub weight: [f32; 4],
}

/// Keys' cubic convolution coefficient A used by `bicubic` (PyTorch's and OpenCV's -0.75).
const CUBIC_A: f32 = -0.75;

/// `bicubic` along one axis: source `x = r*(o+0.5) - 0.5` (not clamped), taps `floor(x) - 1 + j`
/// clamped to `[0, I)`, weights from Keys' kernel at the clamped fraction.
pub(crate) fn cubic(axis: Axis, align_corners: bool) -> Vec<CubicTaps> {
    let i_size = axis.input;
    let r = ratio(axis, align_corners);
    (0..axis.output)
        .map(|o| {
            let x = source_index(r, o, align_corners, true);
            let (b, t) = guard_index_and_lambda(x, i_size);
            let last = i_size as i64 - 1;
            let index = std::array::from_fn(|j| (b - 1 + j as i64).clamp(0, last) as u32);
            CubicTaps {
                index,
                weight: cubic_coefficients(t),
            }
        })
        .collect()
}

/// PyTorch's `get_cubic_upsample_coefficients`: Keys' weights for taps at distances
/// `t + 1, t, 1 - t, 2 - t`.
fn cubic_coefficients(t: f32) -> [f32; 4] {
    let a = CUBIC_A;
    let near = |x: f32| ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    let far = |x: f32| ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
    let x1 = t;
    let x2 = 1.0 - t;
    [far(x1 + 1.0), near(x1), near(x2), far(x2 + 1.0)]
}

/// PyTorch's `area_pixel_compute_source_index` in f32.
fn source_index(r: f32, o: usize, align_corners: bool, cubic: bool) -> f32 {
    if align_corners {
        r * o as f32
    } else {
        let x = r * (o as f32 + 0.5) - 0.5;
        if !cubic && x < 0.0 { 0.0 } else { x }
    }
}

/// PyTorch's `guard_index_and_lambda`: `i = min(floor(x), I - 1)`, `l = clamp(x - i, 0, 1)`.
/// `i` is -1 when bicubic's source coordinate lies left of -0 (its taps are clamped later).
fn guard_index_and_lambda(x: f32, i_size: usize) -> (i64, f32) {
    let i = (x.floor() as i64).min(i_size as i64 - 1);
    let l = (x - i as f32).clamp(0.0, 1.0);
    (i, l)
}

/// The input window `[start, end)` that `area` (adaptive average pooling) averages for each
/// output index: `start = floor(o*I/O)`, `end = ceil((o+1)*I/O)`, in integer arithmetic.
pub(crate) fn area(axis: Axis) -> Vec<(u32, u32)> {
    let (i, o_size) = (axis.input as u64, axis.output as u64);
    (0..o_size)
        .map(|o| {
            let start = o * i / o_size;
            let end = ((o + 1) * i).div_ceil(o_size);
            (start as u32, end as u32)
        })
        .collect()
}

/// The filters of the antialiased modes (PyTorch's `_upsample_{bilinear,bicubic,lanczos}2d_aa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    /// bilinear: the triangle `max(0, 1 - |x|)`, support 1.
    Triangle,
    /// bicubic: Keys' kernel with A = -0.5, support 2.
    Keys,
    /// lanczos: `sinc(x) · sinc(x / 3)` on `[-3, 3)`, support 3 (PIL's `Image.LANCZOS`),
    /// evaluated in f32 as PyTorch does (the sign of the tiny weights at its zero crossings, what
    /// an infinite input multiplies, depends on it).
    Lanczos3,
}

impl Filter {
    /// PyTorch's `interp_size`: twice the support.
    fn interp_size(self) -> f32 {
        match self {
            Filter::Triangle => 2.0,
            Filter::Keys => 4.0,
            Filter::Lanczos3 => 6.0,
        }
    }

    /// The filter at `x`, as PyTorch computes it: the triangle and Keys in f64, lanczos in f32.
    fn at(self, x: f64) -> f64 {
        match self {
            Filter::Triangle => (1.0 - x.abs()).max(0.0),
            Filter::Keys => keys(x, -0.5),
            Filter::Lanczos3 => lanczos3(x as f32) as f64,
        }
    }
}

/// `sinc(x) · sinc(x / 3)` on `[-3, 3)` in f32, as PyTorch: `πx` first, then
/// `sin(πx) / πx · sin(πx / 3) / (πx / 3)`.
fn lanczos3(x: f32) -> f32 {
    if !(-3.0..3.0).contains(&x) {
        return 0.0;
    }
    if x == 0.0 {
        return 1.0;
    }
    let px = std::f32::consts::PI * x;
    let third = px / 3.0;
    (px.sin() / px) * (third.sin() / third)
}

/// PyTorch's `_compute_indices_min_size_weights_aa` (float): `filter` stretched by the ratio
/// when downsampling, out-of-range taps dropped, weights normalised.
pub(crate) fn antialias(axis: Axis, align_corners: bool, filter: Filter) -> Windows {
    let scale = ratio(axis, align_corners);
    let interp_size = filter.interp_size();
    let support = if scale >= 1.0 {
        interp_size * 0.5 * scale
    } else {
        interp_size * 0.5
    };
    let taps = (support.ceil() as usize) * 2 + 1;
    // PyTorch forms 1/scale in f64 and stores it as f32; its filters compute in f64.
    let invscale = if scale >= 1.0 {
        (1.0 / scale as f64) as f32
    } else {
        1.0
    };
    let i_size = axis.input as i64;
    let mut out = Windows {
        start: Vec::with_capacity(axis.output),
        len: Vec::with_capacity(axis.output),
        taps,
        weights: vec![0.0; axis.output * taps],
        index: None,
    };
    for o in 0..axis.output {
        // PyTorch: `center = scale * (i + 0.5)` formed in f64, stored as f32.
        let center = (scale as f64 * (o as f64 + 0.5)) as f32;
        let xmin = (((center - support) as f64 + 0.5) as i64).max(0);
        let xmax = (((center + support) as f64 + 0.5) as i64).min(i_size);
        let len = (xmax - xmin).clamp(0, taps as i64) as usize;
        let w = &mut out.weights[o * taps..o * taps + len];
        let mut total = 0.0f32;
        for (j, wj) in w.iter_mut().enumerate() {
            let d = ((((j as i64 + xmin) as f32 - center) as f64 + 0.5) * invscale as f64) as f32;
            *wj = filter.at(d as f64) as f32;
            total += *wj;
        }
        if total != 0.0 {
            for wj in w.iter_mut() {
                *wj /= total;
            }
        }
        out.start.push(xmin as u32);
        out.len.push(len as u32);
    }
    out
}

/// Keys' cubic convolution kernel with coefficient `a` (in f64, like PyTorch's antialias filter).
fn keys(x: f64, a: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * a
    } else {
        0.0
    }
}
