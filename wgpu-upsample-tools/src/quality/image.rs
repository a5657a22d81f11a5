//! A planar floating-point image (values on the 8-bit scale, 0..=255), its conversions to and from
//! 8-bit image files and to [`Tensor`]s, and the synthetic test patterns.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use wgpu_upsample::Tensor;

/// An image stored planar (channel, row, column), values on the 8-bit scale (0.0..=255.0, but not
/// clamped: filters may over- and undershoot). 1 to 4 channels: gray, gray+alpha, RGB, RGBA.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Number of channels (1..=4).
    pub channels: usize,
    /// `channels * height * width` values, planar.
    pub data: Vec<f32>,
}

impl Image {
    /// A `width`×`height` image of `channels` channels filled with `value`.
    pub fn filled(width: usize, height: usize, channels: usize, value: f32) -> Self {
        Self {
            width,
            height,
            channels,
            data: vec![value; width * height * channels],
        }
    }

    /// An image whose value at (channel, y, x) is `f(channel, y, x)`.
    pub fn from_fn(
        width: usize,
        height: usize,
        channels: usize,
        mut f: impl FnMut(usize, usize, usize) -> f32,
    ) -> Self {
        let mut data = Vec::with_capacity(width * height * channels);
        for c in 0..channels {
            for y in 0..height {
                for x in 0..width {
                    data.push(f(c, y, x));
                }
            }
        }
        Self {
            width,
            height,
            channels,
            data,
        }
    }

    /// The value at (channel, y, x).
    pub fn get(&self, c: usize, y: usize, x: usize) -> f32 {
        self.data[(c * self.height + y) * self.width + x]
    }

    /// Sets the value at (channel, y, x); positions outside the image are ignored.
    pub fn set(&mut self, c: usize, y: usize, x: usize, v: f32) {
        if c < self.channels && y < self.height && x < self.width {
            self.data[(c * self.height + y) * self.width + x] = v;
        }
    }

    /// One channel's plane (`height * width` values, row-major).
    pub fn plane(&self, c: usize) -> &[f32] {
        let n = self.width * self.height;
        &self.data[c * n..(c + 1) * n]
    }

    /// Decodes an 8-bit image (16-bit and float images are converted to 8 bits; palette and
    /// other formats to RGB or RGBA).
    pub fn from_dynamic(img: &image::DynamicImage) -> Self {
        use image::DynamicImage as D;
        let (width, height) = (img.width() as usize, img.height() as usize);
        let (channels, bytes): (usize, Vec<u8>) = match img {
            D::ImageLuma8(b) => (1, b.as_raw().clone()),
            D::ImageLumaA8(b) => (2, b.as_raw().clone()),
            D::ImageRgb8(b) => (3, b.as_raw().clone()),
            D::ImageRgba8(b) => (4, b.as_raw().clone()),
            D::ImageLuma16(_) => (1, img.to_luma8().into_raw()),
            D::ImageLumaA16(_) => (2, img.to_luma_alpha8().into_raw()),
            other if other.color().has_alpha() => (4, other.to_rgba8().into_raw()),
            other => (3, other.to_rgb8().into_raw()),
        };
        Self::from_interleaved_u8(width, height, channels, &bytes)
    }

    /// An image from interleaved 8-bit samples (`height * width * channels` bytes).
    pub fn from_interleaved_u8(width: usize, height: usize, channels: usize, bytes: &[u8]) -> Self {
        assert_eq!(bytes.len(), width * height * channels, "byte count");
        Self::from_fn(width, height, channels, |c, y, x| {
            bytes[(y * width + x) * channels + c] as f32
        })
    }

    /// Interleaved 8-bit samples, each value rounded to nearest and clamped to 0..=255 (NaN
    /// becomes 0).
    pub fn to_interleaved_u8(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.data.len()];
        for c in 0..self.channels {
            for y in 0..self.height {
                for x in 0..self.width {
                    out[(y * self.width + x) * self.channels + c] = quantize(self.get(c, y, x));
                }
            }
        }
        out
    }

    /// The image rounded to nearest and clamped to 0..=255, as a `DynamicImage` of the matching
    /// 8-bit colour type (L8, LA8, RGB8, RGBA8).
    pub fn to_dynamic(&self) -> Result<image::DynamicImage> {
        use image::{DynamicImage as D, ImageBuffer};
        let (w, h) = (self.width as u32, self.height as u32);
        let raw = self.to_interleaved_u8();
        let bad = || anyhow!("image buffer size mismatch");
        Ok(match self.channels {
            1 => D::ImageLuma8(ImageBuffer::from_raw(w, h, raw).ok_or_else(bad)?),
            2 => D::ImageLumaA8(ImageBuffer::from_raw(w, h, raw).ok_or_else(bad)?),
            3 => D::ImageRgb8(ImageBuffer::from_raw(w, h, raw).ok_or_else(bad)?),
            4 => D::ImageRgba8(ImageBuffer::from_raw(w, h, raw).ok_or_else(bad)?),
            n => {
                bail!(format!("cannot save an image of {n} channels"));
            }
        })
    }

    /// The same image with every value rounded to nearest and clamped to 0..=255 (what saving it
    /// as an 8-bit file keeps).
    pub fn quantized(&self) -> Self {
        Self {
            data: self.data.iter().map(|&v| quantize(v) as f32).collect(),
            ..self.clone()
        }
    }

    /// Reads a PNG or JPEG file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let img = image::open(path)
            .map_err(|e| anyhow!(format!("cannot read {}: {e}", path.display())))?;
        Ok(Self::from_dynamic(&img))
    }

    /// Writes the image as an 8-bit file (format from the extension: `.png`, `.jpg`). An image
    /// with alpha (2 or 4 channels) cannot be written as JPEG, which would drop the alpha: that is
    /// an error.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let jpeg = image::ImageFormat::from_path(path).ok() == Some(image::ImageFormat::Jpeg);
        if jpeg && matches!(self.channels, 2 | 4) {
            bail!(format!(
                "cannot write {}: JPEG has no alpha channel (write a PNG to keep it)",
                path.display()
            ));
        }
        self.to_dynamic()?
            .save(path)
            .map_err(|e| anyhow!(format!("cannot write {}: {e}", path.display())))
    }

    /// The `1 × C × H × W` tensor of the image.
    pub fn to_tensor(&self) -> Result<Tensor> {
        Ok(Tensor::new(
            &[1, self.channels, self.height, self.width],
            self.data.clone(),
        )?)
    }

    /// The image of a `1 × C × H × W` or `C × H × W` tensor.
    pub fn from_tensor(t: &Tensor) -> Result<Self> {
        let s = t.shape();
        let (c, h, w) = match *s {
            [1, c, h, w] | [c, h, w] => (c, h, w),
            _ => {
                bail!(format!(
                    "an image tensor must be 1×C×H×W or C×H×W, got {s:?}"
                ));
            }
        };
        Ok(Self {
            width: w,
            height: h,
            channels: c,
            data: t.data().to_vec(),
        })
    }

    /// The `w`×`h` region with top-left corner (`x`, `y`) (clipped to the image).
    pub fn crop(&self, x: usize, y: usize, w: usize, h: usize) -> Self {
        let w = w.min(self.width.saturating_sub(x));
        let h = h.min(self.height.saturating_sub(y));
        Self::from_fn(w, h, self.channels, |c, yy, xx| self.get(c, y + yy, x + xx))
    }

    /// The image with `channels` channels: gray is repeated to RGB, alpha dropped or set opaque.
    pub fn with_channels(&self, channels: usize) -> Self {
        let src = self.channels;
        Self::from_fn(self.width, self.height, channels, |c, y, x| {
            let colour = |c: usize| match src {
                1 | 2 => self.get(0, y, x),
                _ => self.get(c.min(2), y, x),
            };
            match (channels, c) {
                (2, 1) | (4, 3) => {
                    if src == 2 || src == 4 {
                        self.get(src - 1, y, x)
                    } else {
                        255.0
                    }
                }
                (1, _) | (2, 0) => {
                    if src >= 3 {
                        0.299 * self.get(0, y, x)
                            + 0.587 * self.get(1, y, x)
                            + 0.114 * self.get(2, y, x)
                    } else {
                        self.get(0, y, x)
                    }
                }
                _ => colour(c),
            }
        })
    }

    /// Places `tile` with its top-left corner at (`x`, `y`) (clipped; channels are matched with
    /// [`Image::with_channels`]).
    pub fn paste(&mut self, tile: &Image, x: usize, y: usize) {
        let tile = if tile.channels == self.channels {
            tile.clone()
        } else {
            tile.with_channels(self.channels)
        };
        for c in 0..self.channels {
            for yy in 0..tile.height {
                for xx in 0..tile.width {
                    self.set(c, y + yy, x + xx, tile.get(c, yy, xx));
                }
            }
        }
    }
}

/// Rounds to nearest (halves away from zero) and clamps to 0..=255; NaN becomes 0.
pub fn quantize(v: f32) -> u8 {
    if v.is_nan() {
        0
    } else {
        v.round().clamp(0.0, 255.0) as u8
    }
}

/// A circular zone plate, `0.5 + 0.5 cos(π r² / size)` on the 8-bit scale, with `r` measured from
/// the centre: the local frequency rises linearly from 0 at the centre to the Nyquist frequency
/// (0.5 cycles/pixel) at the middle of each edge, and aliases beyond. Gray, repeated to
/// `channels`.
pub fn zone_plate(size: usize, channels: usize) -> Image {
    let c = size as f64 / 2.0;
    Image::from_fn(size, size, channels, |_, y, x| {
        let (dx, dy) = (x as f64 + 0.5 - c, y as f64 + 0.5 - c);
        let r2 = dx * dx + dy * dy;
        (255.0 * (0.5 + 0.5 * (std::f64::consts::PI * r2 / size as f64).cos())) as f32
    })
}

/// A text-and-edges test card: black text in the built-in 5×7 font at scales 1 to 3, bars 1 to 4
/// pixels wide, a hard-edged disc and a diagonal edge, on white. Gray, repeated to `channels`.
pub fn text_pattern(size: usize, channels: usize) -> Image {
    let mut img = Image::filled(size, size, channels, 255.0);
    let black = [0.0];
    let lines = [
        (1, "THE QUICK BROWN FOX JUMPS"),
        (1, "OVER THE LAZY DOG 0123456789"),
        (2, "UPSAMPLE x2 x4"),
        (3, "WGPU 30"),
    ];
    let mut y = 4;
    for (scale, text) in lines {
        super::font::draw_text(&mut img, 4, y, text, scale, &black);
        y += 9 * scale + 2;
    }
    // Vertical and horizontal bars of widths 1..=4, period twice the width.
    let top = y + 4;
    let bar_h = size / 6;
    let mut x0 = 4;
    for w in 1..=4 {
        for i in 0..6 {
            for yy in top..top + bar_h {
                for xx in x0 + 2 * i * w..x0 + 2 * i * w + w {
                    for c in 0..channels {
                        img.set(c, yy, xx, 0.0);
                        // The same bars, turned, below.
                        img.set(c, top + bar_h + 4 + (xx - x0), x0 + (yy - top), 0.0);
                    }
                }
            }
        }
        x0 += 12 * w + 6;
    }
    // A disc and a diagonal edge in the lower right.
    let (cx, cy, r) = (size as f64 * 0.78, size as f64 * 0.72, size as f64 * 0.14);
    for yy in 0..size {
        for xx in 0..size {
            let (fx, fy) = (xx as f64 + 0.5, yy as f64 + 0.5);
            let in_disc = (fx - cx).powi(2) + (fy - cy).powi(2) <= r * r;
            let below_diag =
                fy > size as f64 * 0.88 + 0.3 * (fx - size as f64 * 0.5) && fx > size as f64 * 0.5;
            if in_disc || below_diag {
                for c in 0..channels {
                    img.set(c, yy, xx, 0.0);
                }
            }
        }
    }
    img
}
