//! Image-quality measures: PSNR, SSIM, and the checkerboard measures (per-phase gains and the
//! share of energy at the stride's frequencies).
//!
//! Conventions (those of scikit-image's `peak_signal_noise_ratio` and
//! `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`, which
//! `tests/quality.rs` checks against values it computed): the images' data range is given (255
//! for 8-bit images); PSNR uses the MSE over every value of every channel; SSIM is Wang et al.
//! (2004) with an 11×11 Gaussian window of σ = 1.5, K1 = 0.01, K2 = 0.03, population (co)variances,
//! averaged over the windows that lie fully inside the image and then over the channels.

use super::image::Image;

/// Peak signal-to-noise ratio in dB, `10 log10(range² / MSE)`, over all values of `a` and `b`
/// (same length). `f64::INFINITY` for identical inputs.
pub fn psnr(a: &[f32], b: &[f32], data_range: f64) -> f64 {
    assert_eq!(a.len(), b.len(), "psnr: lengths differ");
    let mse = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (data_range * data_range / mse).log10()
    }
}

/// PSNR of two images of the same size on the 8-bit scale (range 255), over all channels.
pub fn psnr_image(a: &Image, b: &Image) -> f64 {
    assert_eq!(
        (a.width, a.height, a.channels),
        (b.width, b.height, b.channels),
        "psnr: image sizes differ"
    );
    psnr(&a.data, &b.data, 255.0)
}

/// A 1-D Gaussian window of `taps` taps and standard deviation `sigma`, centred, normalised to sum
/// 1 (SSIM uses 11 taps, σ = 1.5).
pub fn gaussian_window(taps: usize, sigma: f64) -> Vec<f64> {
    let c = (taps as f64 - 1.0) / 2.0;
    let w: Vec<f64> = (0..taps)
        .map(|i| (-((i as f64 - c).powi(2)) / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f64 = w.iter().sum();
    w.into_iter().map(|v| v / s).collect()
}

/// Separable "valid" filtering of a `h`×`w` plane with `k` along both axes.
fn filter_valid(x: &[f64], h: usize, w: usize, k: &[f64]) -> (Vec<f64>, usize, usize) {
    let n = k.len();
    let (oh, ow) = (h + 1 - n, w + 1 - n);
    let mut rows = vec![0.0; h * ow];
    for y in 0..h {
        for ox in 0..ow {
            rows[y * ow + ox] = (0..n).map(|i| k[i] * x[y * w + ox + i]).sum();
        }
    }
    let mut out = vec![0.0; oh * ow];
    for oy in 0..oh {
        for ox in 0..ow {
            out[oy * ow + ox] = (0..n).map(|i| k[i] * rows[(oy + i) * ow + ox]).sum();
        }
    }
    (out, oh, ow)
}

/// Mean SSIM of two `h`×`w` planes (Wang et al. 2004: Gaussian window 11 taps σ = 1.5, K1 = 0.01,
/// K2 = 0.03, `L = data_range`, population variances, windows fully inside the image; the same
/// value as scikit-image's `structural_similarity` with `gaussian_weights=True`,
/// `use_sample_covariance=False`). A plane smaller than 11×11, where scikit-image raises an error,
/// is treated here as one window with uniform weights.
pub fn ssim_plane(a: &[f32], b: &[f32], h: usize, w: usize, data_range: f64) -> f64 {
    assert_eq!(a.len(), h * w, "ssim: plane size");
    assert_eq!(b.len(), h * w, "ssim: plane size");
    let (c1, c2) = ((0.01 * data_range).powi(2), (0.03 * data_range).powi(2));
    let x: Vec<f64> = a.iter().map(|&v| v as f64).collect();
    let y: Vec<f64> = b.iter().map(|&v| v as f64).collect();
    let prod = |p: &[f64], q: &[f64]| -> Vec<f64> { p.iter().zip(q).map(|(u, v)| u * v).collect() };
    let (xx, yy, xy) = (prod(&x, &x), prod(&y, &y), prod(&x, &y));
    let (mx, my, mxx, myy, mxy) = if h >= 11 && w >= 11 {
        let k = gaussian_window(11, 1.5);
        (
            filter_valid(&x, h, w, &k).0,
            filter_valid(&y, h, w, &k).0,
            filter_valid(&xx, h, w, &k).0,
            filter_valid(&yy, h, w, &k).0,
            filter_valid(&xy, h, w, &k).0,
        )
    } else {
        let mean = |v: &[f64]| vec![v.iter().sum::<f64>() / v.len() as f64];
        (mean(&x), mean(&y), mean(&xx), mean(&yy), mean(&xy))
    };
    let n = mx.len();
    (0..n)
        .map(|i| {
            let (ux, uy) = (mx[i], my[i]);
            let vx = mxx[i] - ux * ux;
            let vy = myy[i] - uy * uy;
            let cov = mxy[i] - ux * uy;
            ((2.0 * ux * uy + c1) * (2.0 * cov + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
        })
        .sum::<f64>()
        / n as f64
}

/// Mean SSIM over the channels of two images of the same size (8-bit scale, range 255).
pub fn ssim_image(a: &Image, b: &Image) -> f64 {
    assert_eq!(
        (a.width, a.height, a.channels),
        (b.width, b.height, b.channels),
        "ssim: image sizes differ"
    );
    (0..a.channels)
        .map(|c| ssim_plane(a.plane(c), b.plane(c), a.height, a.width, 255.0))
        .sum::<f64>()
        / a.channels as f64
}

/// Sums of a `h`×`w` plane per output phase `(y mod s, x mod s)`, row-major `s×s`.
pub fn phase_sums(plane: &[f32], h: usize, w: usize, s: usize) -> Vec<f64> {
    let mut sums = vec![0.0; s * s];
    for y in 0..h {
        for x in 0..w {
            sums[(y % s) * s + x % s] += plane[y * w + x] as f64;
        }
    }
    sums
}

/// The share of a plane's spectral energy at the stride's frequencies: the DFT bins
/// `(a·h/s, b·w/s)`, `(a, b) ≠ (0, 0)`, over the total energy (Parseval: `h·w·Σx²`). The plane's
/// size must be a multiple of `s` along both axes. These bins depend only on the per-phase sums
/// (the DFT there is the `s×s` DFT of [`phase_sums`]), so this is exact and cheap. 0 for a
/// constant plane; for an `s`-periodic plane it is the periodic part's share.
pub fn stride_energy(plane: &[f32], h: usize, w: usize, s: usize) -> f64 {
    assert!(
        h.is_multiple_of(s) && w.is_multiple_of(s),
        "stride_energy: size not a multiple of s"
    );
    let sums = phase_sums(plane, h, w, s);
    let total = (h * w) as f64 * plane.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
    if total == 0.0 {
        return 0.0;
    }
    let mut e = 0.0;
    for a in 0..s {
        for b in 0..s {
            if a == 0 && b == 0 {
                continue;
            }
            let (mut re, mut im) = (0.0, 0.0);
            for py in 0..s {
                for px in 0..s {
                    let t = -2.0 * std::f64::consts::PI * ((a * py + b * px) as f64) / s as f64;
                    re += sums[py * s + px] * t.cos();
                    im += sums[py * s + px] * t.sin();
                }
            }
            e += re * re + im * im;
        }
    }
    e / total
}

/// The checkerboard measures of an upsampler, from its output for a constant input. The gains
/// are per output phase `(y mod s, x mod s)`: the mean output over the interior pixels of that
/// phase divided by the constant input value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Checkerboard {
    /// The smallest per-phase gain.
    pub min_gain: f64,
    /// The largest per-phase gain.
    pub max_gain: f64,
    /// The mean gain over the `s²` phases (the output's brightness relative to the input).
    pub mean_gain: f64,
    /// `max_gain / min_gain`: 1 when every phase has the same gain (no checkerboard), larger the
    /// stronger the pattern. Scale-invariant. Infinite when `min_gain <= 0` (a phase goes dark or
    /// negative; written `null` in JSON).
    pub gain_ratio: f64,
    /// `(max_gain - min_gain) / |mean_gain|`: 0 when every phase has the same gain. Scale-invariant
    /// like [`gain_ratio`](Self::gain_ratio), and finite when a phase's gain is negative.
    pub spread: f64,
    /// The interior's share of spectral energy at the stride's frequencies ([`stride_energy`]): 0
    /// for a flat output, 1 for a zero-mean `s`-periodic one.
    pub stride_energy: f64,
}

impl Checkerboard {
    /// Whether the upsampler shows a checkerboard: `spread` or `stride_energy` above `tol`.
    pub fn shows(&self, tol: f64) -> bool {
        self.spread > tol || self.stride_energy > tol
    }
}

/// Measures the checkerboard of the output `out` of an upsampler by `s` whose input was the
/// constant `value`: `border` pixels are dropped on every side (it must be a multiple of `s`, so
/// phases stay aligned, and the rest a multiple of `s`), and the channel with the largest
/// `spread` is reported.
pub fn checkerboard(out: &Image, s: usize, border: usize, value: f64) -> Checkerboard {
    assert!(border.is_multiple_of(s), "border must be a multiple of s");
    let inner = out.crop(
        border,
        border,
        out.width - 2 * border,
        out.height - 2 * border,
    );
    let (h, w) = (inner.height, inner.width);
    let per_phase = (h / s) * (w / s);
    let mut worst: Option<Checkerboard> = None;
    for c in 0..inner.channels {
        let sums = phase_sums(inner.plane(c), h, w, s);
        let gains: Vec<f64> = sums.iter().map(|&v| v / per_phase as f64 / value).collect();
        let min_gain = gains.iter().copied().fold(f64::INFINITY, f64::min);
        let max_gain = gains.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean_gain = gains.iter().sum::<f64>() / gains.len() as f64;
        let cb = Checkerboard {
            min_gain,
            max_gain,
            mean_gain,
            gain_ratio: if min_gain > 0.0 {
                max_gain / min_gain
            } else {
                f64::INFINITY
            },
            spread: if max_gain == min_gain {
                0.0
            } else {
                (max_gain - min_gain) / mean_gain.abs()
            },
            stride_energy: stride_energy(inner.plane(c), h, w, s),
        };
        if worst.is_none_or(|wst| cb.spread > wst.spread || cb.spread.is_nan()) {
            worst = Some(cb);
        }
    }
    worst.expect("an image has at least one channel")
}
