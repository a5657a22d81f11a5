//! The data: random patches of the training photo and the held-out test photo.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wgpu_upsample::Tensor;

use super::TrainOptions;
use crate::quality::Image;

/// SplitMix64: the seeded generator of the patch positions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The bundled training photo.
pub fn default_image() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/astronaut.png")
}

/// The bundled held-out photo (CC0; `assets/README.md`).
pub fn default_test_image() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/coffee.png")
}

/// The training photo and the held-out test photo, RGB, values in [0, 1], sides cropped to
/// multiples of 4.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Where training patches come from.
    pub train: Image,
    /// The held-out test image (never trained on).
    pub test: Image,
}

fn prepared(image: &Image, what: &str, min: usize) -> Result<Image> {
    let img = image.with_channels(3);
    let (w, h) = (img.width / 4 * 4, img.height / 4 * 4);
    if w < min || h < min {
        bail!(
            "the {what} image is {}x{}; at least {min}x{min} is needed",
            img.width,
            img.height
        );
    }
    let mut out = img.crop(0, 0, w, h);
    out.data.iter_mut().for_each(|v| *v /= 255.0);
    Ok(out)
}

impl Dataset {
    /// From a training and a held-out image (values 0..=255, any channels: made RGB).
    pub fn new(train: &Image, test: &Image) -> Result<Self> {
        Ok(Self {
            train: prepared(train, "training", 16)?,
            test: prepared(test, "test", 32)?,
        })
    }

    /// The images the options name (or the bundled ones), with the path in any error.
    pub fn load(o: &TrainOptions) -> Result<Self> {
        let load = |p: Option<&PathBuf>, default: PathBuf, what: &str| -> Result<Image> {
            let path = p.cloned().unwrap_or(default);
            Image::load(&path)
                .with_context(|| format!("cannot read the {what} image {}", path.display()))
        };
        let train = load(o.image.as_ref(), default_image(), "training")?;
        let test = load(o.test_image.as_ref(), default_test_image(), "test")?;
        let d = Self::new(&train, &test)?;
        if d.train.width < o.patch || d.train.height < o.patch {
            bail!(
                "--patch {} is larger than the training image ({}x{})",
                o.patch,
                d.train.width,
                d.train.height
            );
        }
        Ok(d)
    }

    /// The training image's mean per channel.
    pub fn train_mean(&self) -> [f32; 3] {
        let n = (self.train.width * self.train.height) as f64;
        std::array::from_fn(|c| {
            (self.train.plane(c).iter().map(|&v| v as f64).sum::<f64>() / n) as f32
        })
    }

    /// A batch of `batch` random `patch`×`patch` crops of the training image, `(B, 3, P, P)`.
    pub fn batch(&self, rng: &mut Rng, batch: usize, patch: usize) -> Result<Tensor> {
        let t = &self.train;
        if t.width < patch || t.height < patch {
            bail!(
                "patch {patch} is larger than the training image {}x{}",
                t.width,
                t.height
            );
        }
        let mut data = Vec::with_capacity(batch * 3 * patch * patch);
        for _ in 0..batch {
            let x0 = rng.below(t.width - patch + 1);
            let y0 = rng.below(t.height - patch + 1);
            for c in 0..3 {
                for y in 0..patch {
                    let row = (c * t.height + y0 + y) * t.width + x0;
                    data.extend_from_slice(&t.data[row..row + patch]);
                }
            }
        }
        Ok(Tensor::new(&[batch, 3, patch, patch], data)?)
    }
}
