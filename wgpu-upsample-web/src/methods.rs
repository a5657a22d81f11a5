//! The methods the page compares: every Upsample mode that takes an image, and ConvTranspose2d
//! initialised as bilinear interpolation and at random.

use wgpu_upsample::gpu::timing::{Timing, time_gpu_async};
use wgpu_upsample::{
    ConvTranspose, ConvTransposeOptions, Error, GpuContext, Op, Result, Tensor, Upsample,
    UpsampleMode,
};

/// One method's result on an image.
#[derive(Debug, Clone)]
pub struct Run {
    /// The output image, RGBA bytes (the GPU output clamped to [0, 1]).
    pub rgba: Vec<u8>,
    /// Output width in pixels.
    pub width: usize,
    /// Output height in pixels.
    pub height: usize,
    /// The kernel time (median of the timed runs, from timestamps where the device has them).
    pub timing: Timing,
    /// Max |GPU − CPU| over the output.
    pub max_diff: f32,
    /// The WGSL entry points the method ran.
    pub kernels: Vec<&'static str>,
}

/// One way to upsample an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `nn.Upsample(scale_factor=s, mode=...)` on the `[1, 3, H, W]` image.
    Upsample(UpsampleMode),
    /// Bilinear with `align_corners=True`.
    BilinearAlignCorners,
    /// Trilinear on the image as a `[1, 3, 1, H, W]` volume, depth kept (equals bilinear).
    TrilinearDepth1,
    /// Depthwise `ConvTranspose2d(3, 3, 2s - s % 2, stride=s, padding=s / 2)` whose kernel is
    /// the bilinear one (FCN's initialisation): bilinear interpolation, no checkerboard.
    ConvTransposeBilinear,
    /// Depthwise `ConvTranspose2d(3, 3, s + 1, stride=s, padding=1, output_padding=1)` with a
    /// random kernel (PyTorch's default initialisation, seed 0; absolute values, scaled to a
    /// mean gain of 1): each output phase gets its own gain, the checkerboard.
    ConvTransposeRandom,
}

/// Every method the page shows, in order.
pub const METHODS: [Method; 10] = [
    Method::Upsample(UpsampleMode::Nearest),
    Method::Upsample(UpsampleMode::NearestExact),
    Method::Upsample(UpsampleMode::Bilinear),
    Method::BilinearAlignCorners,
    Method::TrilinearDepth1,
    Method::Upsample(UpsampleMode::Bicubic),
    Method::Upsample(UpsampleMode::Area),
    Method::Upsample(UpsampleMode::Lanczos),
    Method::ConvTransposeBilinear,
    Method::ConvTransposeRandom,
];

impl Method {
    /// The name the page shows.
    pub fn name(self) -> &'static str {
        match self {
            Method::Upsample(UpsampleMode::Lanczos) => "lanczos (antialias)",
            Method::Upsample(mode) => mode.name(),
            Method::BilinearAlignCorners => "bilinear (align_corners)",
            Method::TrilinearDepth1 => "trilinear (depth 1)",
            Method::ConvTransposeBilinear => "ConvTranspose2d (bilinear init)",
            Method::ConvTransposeRandom => "ConvTranspose2d (random init)",
        }
    }

    /// The method called `name`.
    pub fn from_name(name: &str) -> Option<Method> {
        METHODS.into_iter().find(|m| m.name() == name)
    }

    /// The op, and the shape it takes the `[1, 3, h, w]` image in.
    pub fn op(self, h: usize, w: usize, s: usize) -> Result<(Box<dyn Op>, Vec<usize>)> {
        let image = vec![1, 3, h, w];
        let sf = s as f64;
        Ok(match self {
            Method::Upsample(UpsampleMode::Lanczos) => (
                Box::new(Upsample::with_scale_factor([sf], UpsampleMode::Lanczos).antialias(true)),
                image,
            ),
            Method::Upsample(mode) => (Box::new(Upsample::with_scale_factor([sf], mode)), image),
            Method::BilinearAlignCorners => (
                Box::new(
                    Upsample::with_scale_factor([sf], UpsampleMode::Bilinear).align_corners(true),
                ),
                image,
            ),
            Method::TrilinearDepth1 => (
                Box::new(Upsample::with_scale_factor(
                    [1.0, sf, sf],
                    UpsampleMode::Trilinear,
                )),
                vec![1, 3, 1, h, w],
            ),
            Method::ConvTransposeBilinear => (Box::new(bilinear_conv_transpose(s)?), image),
            Method::ConvTransposeRandom => (Box::new(random_conv_transpose(s)?), image),
        })
    }
}

/// The 1-D bilinear kernel of size `k` (FCN's `upsample_filt`).
fn bilinear_kernel(k: usize) -> Vec<f32> {
    let f = k.div_ceil(2) as f64;
    let c = if k % 2 == 1 { f - 1.0 } else { f - 0.5 };
    (0..k)
        .map(|i| (1.0 - (i as f64 - c).abs() / f) as f32)
        .collect()
}

/// Depthwise ConvTranspose2d with the bilinear kernel: output exactly `s` times the input.
fn bilinear_conv_transpose(s: usize) -> Result<ConvTranspose> {
    let k = 2 * s - s % 2;
    let k1 = bilinear_kernel(k);
    let options = ConvTransposeOptions::new(2, 3, 3, [k])
        .stride([s])
        .padding([(s - s % 2) / 2])
        .groups(3)
        .bias(false);
    let weight = Tensor::from_fn(&[3, 1, k, k], |i| k1[(i / k) % k] * k1[i % k])?;
    ConvTranspose::from_weights(options, weight, None)
}

/// Depthwise ConvTranspose2d with one random kernel (the same in every channel) of size `s + 1`:
/// output exactly `s` times the input, each phase with its own gain.
fn random_conv_transpose(s: usize) -> Result<ConvTranspose> {
    let k = s + 1;
    let options = ConvTransposeOptions::new(2, 3, 3, [k])
        .stride([s])
        .padding([1])
        .output_padding([1])
        .groups(3)
        .bias(false);
    let drawn = ConvTranspose::new(options.clone(), 0)?;
    let kernel: Vec<f32> = drawn.weight().data()[..k * k]
        .iter()
        .map(|w| w.abs())
        .collect();
    let sum: f32 = kernel.iter().sum();
    if sum <= 0.0 {
        return Err(Error::Weights("the random kernel is all zeros".into()));
    }
    let gain = (s * s) as f32 / sum;
    let weight = Tensor::from_fn(&[3, 1, k, k], |i| kernel[i % (k * k)] * gain)?;
    ConvTranspose::from_weights(options, weight, None)
}

/// Runs `method` on an image (`rgba`: `width × height` RGBA bytes, alpha ignored) at `scale`:
/// upload, one warm-up and `iterations` timed GPU runs, download, CPU reference, difference.
///
/// Portable: awaits only the library's async calls, which wait without blocking in the browser
/// and poll the device (blocking) on native backends, so `pollster::block_on` runs it there.
pub async fn run(
    ctx: &GpuContext,
    method: Method,
    rgba: &[u8],
    width: usize,
    height: usize,
    scale: usize,
    iterations: usize,
) -> Result<Run> {
    let bytes = width.checked_mul(height).and_then(|p| p.checked_mul(4));
    if width == 0 || height == 0 || bytes != Some(rgba.len()) {
        return Err(Error::InvalidShape(format!(
            "{} RGBA bytes do not make a {width}×{height} image",
            rgba.len()
        )));
    }
    if !(2..=8).contains(&scale) {
        return Err(Error::InvalidArgument(format!(
            "the page's scale is 2 to 8, got {scale}"
        )));
    }
    let plane = width * height;
    let image = Tensor::from_fn(&[1, 3, height, width], |i| {
        let (c, p) = (i / plane, i % plane);
        f32::from(rgba[4 * p + c]) / 255.0
    })?;
    let (op, shape) = method.op(height, width, scale)?;
    let input = image.reshape(&shape)?;

    let x = ctx.upload(&input)?;
    let y = ctx.empty(&op.output_shape(x.shape())?)?;
    let timing = time_gpu_async(ctx, iterations.clamp(1, 50), 1, |encoder, ts| {
        op.encode_gpu_timed(ctx, encoder, &x, &y, ts)
    })
    .await?;
    // Native backends map the download only while the device is polled: wait_async polls there
    // (and awaits the browser's work-done promise on the web).
    let pending = ctx.download_async(&y);
    ctx.wait_async().await?;
    let got = pending.await?;
    let want = op.forward_cpu(&input)?;
    let max_diff = got.max_abs_diff(&want)?;

    let out_shape = got.shape();
    let (oh, ow) = (
        out_shape[out_shape.len() - 2],
        out_shape[out_shape.len() - 1],
    );
    let out_plane = oh * ow;
    let data = got.data();
    let mut out = vec![255u8; out_plane * 4];
    for p in 0..out_plane {
        for c in 0..3 {
            out[4 * p + c] = (data[c * out_plane + p].clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    }
    Ok(Run {
        rgba: out,
        width: ow,
        height: oh,
        timing,
        max_diff,
        kernels: op.gpu_kernels(ctx, x.shape())?,
    })
}
