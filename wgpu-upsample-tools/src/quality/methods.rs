//! The upsamplers compared: every 2-D interpolation mode of `nn.Upsample`, and depthwise
//! `ConvTranspose2d` with the FCN bilinear initialisation or PyTorch's default random
//! initialisation (rescaled to unit mean gain). All of them run the library's own layers
//! ([`Upsample`], [`ConvTranspose`]).

use super::image::Image;
use super::metrics::{Checkerboard, checkerboard};
use anyhow::{Result, bail};
use wgpu_upsample::Tensor;
use wgpu_upsample::{ConvTranspose, ConvTransposeOptions};
use wgpu_upsample::{GpuContext, GpuTensor, Op};
use wgpu_upsample::{Upsample, UpsampleMode};

/// An upsampling method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `nn.Upsample(scale_factor=factor, mode=mode, align_corners=...)`; `align_corners` is only
    /// passed to the modes that take it (bilinear, bicubic).
    Interpolate {
        /// The interpolation mode.
        mode: UpsampleMode,
        /// `align_corners=True`.
        align_corners: bool,
    },
    /// Depthwise `ConvTranspose2d(C, C, k=2s, stride=s, padding=s/2, groups=C, bias=False)` with
    /// every channel's weight the bilinear kernel (FCN's initialisation): bilinear
    /// (align_corners=False) away from the border. Needs an even factor `s`.
    ConvTransposeBilinear,
    /// `ConvTranspose2d(1, 1, k, stride=2, padding=1, output_padding=k mod 2, bias=False)` with
    /// PyTorch's default random initialisation, applied to each channel
    /// ([`random_conv_transpose`]), its kernel rescaled so that its mean gain over the 4 output
    /// phases is 1 (see [`normalise_mean_gain`]). A factor 2ⁿ stacks n such ×2 layers, each drawn
    /// independently, as a decoder would.
    ConvTransposeRandom {
        /// Kernel size (3 or 4 in the comparison).
        k: usize,
    },
}

/// Shorthand for the interpolation entries of [`Method::ALL`].
const fn interp(mode: UpsampleMode, align_corners: bool) -> Method {
    Method::Interpolate {
        mode,
        align_corners,
    }
}

impl Method {
    /// The methods of the comparison, in order: every interpolation mode that applies to 4-D
    /// input (bilinear and bicubic with and without align_corners; lanczos, which PyTorch runs
    /// with `antialias=True` only), then the three `ConvTranspose2d` settings.
    pub const ALL: [Method; 11] = [
        interp(UpsampleMode::Nearest, false),
        interp(UpsampleMode::NearestExact, false),
        interp(UpsampleMode::Bilinear, false),
        interp(UpsampleMode::Bilinear, true),
        interp(UpsampleMode::Bicubic, false),
        interp(UpsampleMode::Bicubic, true),
        interp(UpsampleMode::Area, false),
        interp(UpsampleMode::Lanczos, false),
        Method::ConvTransposeBilinear,
        Method::ConvTransposeRandom { k: 3 },
        Method::ConvTransposeRandom { k: 4 },
    ];

    /// A short name, e.g. `bilinear align_corners` or `convT k3s2 random`.
    pub fn name(&self) -> String {
        match self {
            Method::Interpolate {
                mode,
                align_corners: true,
            } => format!("{mode} align_corners"),
            Method::Interpolate { mode, .. } => mode.name().to_string(),
            Method::ConvTransposeBilinear => "convT bilinear-init".into(),
            Method::ConvTransposeRandom { k } => format!("convT k{k}s2 random"),
        }
    }

    /// The name with spaces replaced by `_`, for file names.
    pub fn file_stem(&self) -> String {
        self.name().replace(' ', "_")
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
        bail!(format!(
            "the bilinear ConvTranspose needs an even stride, got {s}"
        ));
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
    Ok(ConvTranspose::from_weights(opts, weight, None)?)
}

/// `ConvTranspose2d(1, 1, k, stride=2, padding=1, output_padding=k mod 2, bias=False)` (output
/// exactly twice the input) with PyTorch's default initialisation — its `k×k` kernel uniform in
/// `±1/k`, drawn from an RNG seeded with `seed` — applied to each of `channels` channels: a
/// depthwise layer (`groups = channels`) with that one kernel in every channel.
pub fn random_conv_transpose(channels: usize, k: usize, seed: u64) -> Result<ConvTranspose> {
    let options = |c: usize| {
        ConvTransposeOptions::new(2, c, c, [k])
            .stride([2])
            .padding([1])
            .output_padding([k % 2])
            .groups(c)
            .bias(false)
    };
    let single = ConvTranspose::new(options(1), seed)?;
    let kernel = single.weight().data();
    let weight = Tensor::from_fn(&[channels, 1, k, k], |i| kernel[i % (k * k)])?;
    Ok(ConvTranspose::from_weights(
        options(channels),
        weight,
        None,
    )?)
}

/// Rescales each channel of a depthwise, bias-free transposed convolution so that its mean gain
/// over the output phases is 1, and returns the rescaled layer with each channel's mean gain
/// before rescaling.
///
/// On a constant input, the interior output of output phase `(a, b)` is the input times the sum of
/// the kernel taps that land on that phase (its *gain*); every tap lands on exactly one of the
/// `s_h·s_w` phases, so the mean gain over the phases is `sum(kernel) / (s_h·s_w)`. Dividing the
/// kernel by it keeps the image's brightness (mean gain 1) and leaves the ratios between the
/// phases — the checkerboard — unchanged. A channel whose mean gain is 0 (or within 1e-6 of it)
/// cannot be rescaled and is an error.
pub fn normalise_mean_gain(layer: &ConvTranspose) -> Result<(ConvTranspose, Vec<f64>)> {
    let opts = layer.options().clone();
    let w = layer.weight();
    let channels = w.shape()[0];
    if opts.bias || w.shape()[1] != 1 || opts.groups != channels {
        bail!(
            "normalise_mean_gain needs a depthwise layer (groups = in = out channels) without bias",
        );
    }
    // One stride for every axis, or one per axis.
    let phases: usize = match opts.stride.as_slice() {
        [s] => s.pow(opts.dims as u32),
        per_axis => per_axis.iter().product(),
    };
    let per_channel = w.numel() / channels;
    let mut data = w.data().to_vec();
    let mut gains = Vec::with_capacity(channels);
    for (c, kernel) in data.chunks_exact_mut(per_channel).enumerate() {
        let gain = kernel.iter().map(|&v| v as f64).sum::<f64>() / phases as f64;
        if gain.abs() < 1e-6 {
            bail!(format!(
                "channel {c} of the layer has mean gain {gain:e}: it cannot be rescaled to 1 \
                 (try another seed)"
            ));
        }
        kernel
            .iter_mut()
            .for_each(|v| *v = (*v as f64 / gain) as f32);
        gains.push(gain);
    }
    let weight = Tensor::new(w.shape(), data)?;
    Ok((ConvTranspose::from_weights(opts, weight, None)?, gains))
}

/// How an [`Upsampler`] runs its method.
enum Stages {
    /// One `Upsample` layer.
    Interpolate(Upsample),
    /// Transposed convolutions applied in turn.
    Conv(Vec<ConvTranspose>),
}

/// A [`Method`] made ready for a channel count and an integer factor (layers built once).
pub struct Upsampler {
    method: Method,
    channels: usize,
    factor: usize,
    stages: Stages,
    raw_mean_gains: Vec<f64>,
}

impl Upsampler {
    /// Prepares `method` for `channels`-channel images and upsampling by `factor` (the
    /// bilinear-initialised transposed convolution needs an even factor, the random ones a power
    /// of two). `seed` seeds the random initialisation: the `i`-th ×2 stage uses `seed + i`
    /// (wrapping).
    pub fn new(method: Method, channels: usize, factor: usize, seed: u64) -> Result<Self> {
        let mut raw_mean_gains = Vec::new();
        let stages = match method {
            Method::Interpolate {
                mode,
                align_corners,
            } => {
                let mut up = Upsample::with_scale_factor([factor as f64], mode)
                    .antialias(mode == UpsampleMode::Lanczos);
                if mode.takes_align_corners() {
                    up = up.align_corners(align_corners);
                }
                Stages::Interpolate(up)
            }
            Method::ConvTransposeBilinear => {
                Stages::Conv(vec![bilinear_conv_transpose(channels, factor)?])
            }
            Method::ConvTransposeRandom { k } => {
                if !factor.is_power_of_two() || factor < 2 {
                    bail!(format!(
                        "the stride-2 ConvTranspose needs a power-of-two factor, got {factor}"
                    ));
                }
                let mut layers = Vec::new();
                for i in 0..factor.trailing_zeros() as u64 {
                    let (layer, gains) = normalise_mean_gain(&random_conv_transpose(
                        channels,
                        k,
                        seed.wrapping_add(i),
                    )?)?;
                    layers.push(layer);
                    // Every channel has the same kernel, hence the same gain.
                    raw_mean_gains.push(gains[0]);
                }
                Stages::Conv(layers)
            }
        };
        Ok(Self {
            method,
            channels,
            factor,
            stages,
            raw_mean_gains,
        })
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The upsampling factor.
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// For the random transposed convolutions: each ×2 stage's mean gain as initialised, before
    /// [`normalise_mean_gain`] divided it out. Empty for the other methods.
    pub fn raw_mean_gains(&self) -> &[f64] {
        &self.raw_mean_gains
    }

    /// The transposed-convolution stages, applied in turn (empty for interpolation).
    pub fn conv_stages(&self) -> &[ConvTranspose] {
        match &self.stages {
            Stages::Conv(layers) => layers,
            Stages::Interpolate(_) => &[],
        }
    }

    /// Upsamples a `1 × C × h × w` GPU tensor to `1 × C × (factor·h) × (factor·w)`.
    pub fn forward_gpu(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        match &self.stages {
            Stages::Interpolate(up) => Ok(up.forward_gpu(ctx, x)?),
            Stages::Conv(layers) => {
                let (first, rest) = layers.split_first().expect("at least one stage");
                let mut y = first.forward_gpu(ctx, x)?;
                for layer in rest {
                    y = layer.forward_gpu(ctx, &y)?;
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
    /// 1 and measures the output away from a border of `factor · (ceil(8 / factor) + 1)` pixels,
    /// where the output is periodic (8 is the largest kernel here).
    pub fn checkerboard(&self, ctx: &GpuContext) -> Result<Checkerboard> {
        let input = Image::filled(16, 16, self.channels, 1.0);
        let out = self.upsample_image(ctx, &input)?;
        let s = self.factor;
        let border = s * (8usize.div_ceil(s) + 1);
        Ok(checkerboard(&out, s, border, 1.0))
    }
}
