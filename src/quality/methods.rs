//! The upsamplers compared: every interpolation mode, and depthwise `ConvTranspose2d` with the FCN
//! bilinear initialisation or PyTorch's default random initialisation.

use super::image::Image;
use super::metrics::{Checkerboard, checkerboard};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuTensor};
use crate::ops::conv_transpose::{ConvTranspose, ConvTransposeOptions};
use crate::ops::upsample::{Upsample, UpsampleMode};
use crate::tensor::Tensor;

/// An upsampling method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `nn.Upsample(size=..., mode)` (align_corners unset, i.e. false).
    Interpolate(UpsampleMode),
    /// Depthwise `ConvTranspose2d(C, C, k=2s, stride=s, padding=s/2, groups=C, bias=False)` with
    /// every channel's weight the bilinear kernel (FCN's initialisation): bilinear
    /// (align_corners=False) away from the border. Needs an even factor `s`.
    ConvTransposeBilinear,
    /// Depthwise `ConvTranspose2d(C, C, k, stride=2, padding=1, output_padding=k mod 2, groups=C,
    /// bias=False)` with PyTorch's default random initialisation; applied `log2(factor)` times
    /// (the same layer) for factors above 2.
    ConvTransposeRandom {
        /// Kernel size (3 or 4 in the comparison).
        k: usize,
    },
}

impl Method {
    /// The methods of the comparison, in order.
    pub const ALL: [Method; 8] = [
        Method::Interpolate(UpsampleMode::Nearest),
        Method::Interpolate(UpsampleMode::NearestExact),
        Method::Interpolate(UpsampleMode::Bilinear),
        Method::Interpolate(UpsampleMode::Bicubic),
        Method::Interpolate(UpsampleMode::Area),
        Method::ConvTransposeBilinear,
        Method::ConvTransposeRandom { k: 3 },
        Method::ConvTransposeRandom { k: 4 },
    ];

    /// A short name (also used for file names after replacing spaces).
    pub fn name(&self) -> String {
        match self {
            Method::Interpolate(m) => m.name().to_string(),
            Method::ConvTransposeBilinear => "convT bilinear-init".into(),
            Method::ConvTransposeRandom { k } => format!("convT k{k}s2 random"),
        }
    }

    /// The name with characters safe for a file name.
    pub fn file_stem(&self) -> String {
        self.name().replace(' ', "_")
    }

    /// Whether the method is an interpolation mode (not a transposed convolution).
    pub fn is_interpolation(&self) -> bool {
        matches!(self, Method::Interpolate(_))
    }
}

/// The 1-D bilinear kernel of size `k` (FCN's `upsample_filt`): `1 - |i - c| / f` with
/// `f = ceil(k / 2)`, `c = f - 1` for odd `k` and `f - 0.5` for even `k`. For `k = 4`:
/// `[0.25, 0.75, 0.75, 0.25]`.
pub fn bilinear_kernel(k: usize) -> Vec<f32> {
    let f = k.div_ceil(2) as f64;
    let c = if k % 2 == 1 { f - 1.0 } else { f - 0.5 };
    (0..k)
        .map(|i| (1.0 - (i as f64 - c).abs() / f) as f32)
        .collect()
}

/// Depthwise `ConvTranspose2d(C, C, 2s, stride=s, padding=s/2, groups=C, bias=False)` with the
/// bilinear kernel (outer product of [`bilinear_kernel`]) in every channel. `s` must be even.
pub fn bilinear_conv_transpose(channels: usize, s: usize) -> Result<ConvTranspose> {
    if s == 0 || !s.is_multiple_of(2) {
        return Err(Error::arg(format!(
            "the bilinear ConvTranspose needs an even stride, got {s}"
        )));
    }
    let k = 2 * s;
    let k1 = bilinear_kernel(k);
    let opts = ConvTransposeOptions::new(2, channels, channels, [k])
        .stride([s])
        .padding([s / 2])
        .groups(channels)
        .bias(false);
    let weight = Tensor::from_fn(&[channels, 1, k, k], |i| {
        let (r, c) = ((i / k) % k, i % k);
        k1[r] * k1[c]
    })?;
    ConvTranspose::from_weights(opts, weight, None)
}

/// Depthwise `ConvTranspose2d(C, C, k, stride=2, padding=1, output_padding=k mod 2, groups=C,
/// bias=False)` (output exactly twice the input) with PyTorch's default initialisation.
pub fn random_conv_transpose(channels: usize, k: usize, seed: u64) -> Result<ConvTranspose> {
    let opts = ConvTransposeOptions::new(2, channels, channels, [k])
        .stride([2])
        .padding([1])
        .output_padding([k % 2])
        .groups(channels)
        .bias(false);
    ConvTranspose::new(opts, seed)
}

enum Inner {
    Interpolate(UpsampleMode),
    /// One layer, applied `repeats` times.
    Conv(Box<ConvTranspose>, usize),
}

/// A [`Method`] made ready for a channel count and an integer factor (layers built once).
pub struct Upsampler {
    method: Method,
    factor: usize,
    inner: Inner,
}

impl Upsampler {
    /// Prepares `method` for `channels`-channel images and upsampling by `factor` (the
    /// transposed convolutions need an even factor; the random ones a power of two). `seed` seeds
    /// the random initialisation.
    pub fn new(method: Method, channels: usize, factor: usize, seed: u64) -> Result<Self> {
        let inner = match method {
            Method::Interpolate(mode) => Inner::Interpolate(mode),
            Method::ConvTransposeBilinear => {
                Inner::Conv(Box::new(bilinear_conv_transpose(channels, factor)?), 1)
            }
            Method::ConvTransposeRandom { k } => {
                if !factor.is_power_of_two() || factor < 2 {
                    return Err(Error::arg(format!(
                        "the stride-2 ConvTranspose needs a power-of-two factor, got {factor}"
                    )));
                }
                Inner::Conv(
                    Box::new(random_conv_transpose(channels, k, seed)?),
                    factor.trailing_zeros() as usize,
                )
            }
        };
        Ok(Self {
            method,
            factor,
            inner,
        })
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Upsamples a `1 × C × h × w` GPU tensor to `1 × C × (factor·h) × (factor·w)`.
    pub fn forward_gpu(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        let s = x.shape();
        let out = [s[2] * self.factor, s[3] * self.factor];
        match &self.inner {
            Inner::Interpolate(mode) => Upsample::with_size(out, *mode).forward_gpu(ctx, x),
            Inner::Conv(layer, repeats) => {
                let mut y = layer.forward_gpu(ctx, x, None)?;
                for _ in 1..*repeats {
                    y = layer.forward_gpu(ctx, &y, None)?;
                }
                Ok(y)
            }
        }
    }

    /// Upsamples an image on the GPU (upload, forward, download).
    pub fn upsample_image(&self, ctx: &GpuContext, img: &Image) -> Result<Image> {
        let y = self.forward_gpu(ctx, &ctx.upload(&img.to_tensor()?)?)?;
        Image::from_tensor(&ctx.download(&y)?)
    }

    /// The checkerboard measures of this upsampler: it upsamples a constant 16×16 image of value
    /// 1 and measures the output away from a border of `factor · (ceil(k_max / factor) + 1)`
    /// pixels (k_max = 8 covers every kernel here).
    pub fn checkerboard(&self, ctx: &GpuContext, channels: usize) -> Result<Checkerboard> {
        let input = Image::filled(16, 16, channels, 1.0);
        let out = self.upsample_image(ctx, &input)?;
        let s = self.factor;
        let border = s * (8usize.div_ceil(s) + 1);
        Ok(checkerboard(&out, s, border, 1.0))
    }
}
