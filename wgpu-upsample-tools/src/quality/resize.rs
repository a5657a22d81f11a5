//! Resizing 8-bit image files on the GPU (the `resize` example): u8 in, f32 in the kernel, u8
//! out rounded to nearest and clamped to 0..=255. Every channel, alpha included, is resized with
//! the same mode, as an independent channel (straight, not premultiplied, alpha).

use std::path::Path;

use super::image::Image;
use anyhow::{Result, bail};
use wgpu_upsample::{GpuContext, Op};
use wgpu_upsample::{Upsample, UpsampleMode};

/// The output size of a resize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResizeTarget {
    /// `scale_factor` (both axes), output `floor(size · scale)` as in `F.interpolate`.
    Scale(f64),
    /// An explicit output size.
    Size {
        /// Output width.
        width: usize,
        /// Output height.
        height: usize,
    },
}

/// Options of [`resize_image`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResizeOptions {
    /// Output size.
    pub target: ResizeTarget,
    /// Interpolation mode (a 2-D one: nearest, nearest-exact, bilinear, bicubic, lanczos, area).
    pub mode: UpsampleMode,
    /// `align_corners=True` (bilinear and bicubic only).
    pub align_corners: bool,
    /// `antialias=True` (bilinear, bicubic and lanczos only; matters when shrinking; lanczos
    /// requires it).
    pub antialias: bool,
}

impl ResizeOptions {
    /// The options for `target` and `mode`, no align_corners, and antialias only for lanczos
    /// (which PyTorch runs with `antialias=True` only).
    pub fn new(target: ResizeTarget, mode: UpsampleMode) -> Self {
        Self {
            target,
            mode,
            align_corners: false,
            antialias: mode == UpsampleMode::Lanczos,
        }
    }

    /// The `Upsample` layer these options describe (align_corners is only set when true, so the
    /// modes that do not take it accept the options).
    pub fn upsample(&self) -> Upsample {
        let up = match self.target {
            ResizeTarget::Scale(s) => Upsample::with_scale_factor([s], self.mode),
            ResizeTarget::Size { width, height } => Upsample::with_size([height, width], self.mode),
        };
        let up = up.antialias(self.antialias);
        if self.align_corners {
            up.align_corners(true)
        } else {
            up
        }
    }
}

/// Resizes an image on the GPU: the 8-bit values go in as f32 (0..=255), the library's upsample
/// runs on all channels (alpha too, same mode), and the result is rounded to nearest and clamped
/// to 0..=255.
pub fn resize_image(ctx: &GpuContext, img: &Image, opts: &ResizeOptions) -> Result<Image> {
    let up = opts.upsample();
    let y = up.forward_gpu(ctx, &ctx.upload(&img.quantized().to_tensor()?)?)?;
    Ok(Image::from_tensor(&ctx.download(&y)?)?.quantized())
}

/// Reads `input` (PNG or JPEG), resizes it with [`resize_image`] and writes `output` (format from
/// the extension). Gray, gray+alpha, RGB and RGBA keep their layout. Returns the output image.
pub fn resize_file(
    ctx: &GpuContext,
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    opts: &ResizeOptions,
) -> Result<Image> {
    let img = Image::load(input)?;
    if img.channels > 4 {
        bail!(format!("{} channels", img.channels));
    }
    let out = resize_image(ctx, &img, opts)?;
    out.save(output)?;
    Ok(out)
}
