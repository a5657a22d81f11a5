//! The training comparison of decoders (x2 super-resolution) on the GPU: random patches of a
//! photo, their area x2 downsample as input, five decoders with one body and different
//! upsamplers, trained with MSE and Adam, each step one command encoder and one submission;
//! PSNR on a held-out crop against the bilinear and bicubic baselines.

use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use wgpu_upsample::{
    Adam, AdamOptions, Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeOptions,
    GpuAdamState, GpuContext, GpuParams, GpuTensor, MseLoss, Op, PixelShuffle, Reduction, Relu,
    Tensor, Upsample, UpsampleMode, icnr_bias, icnr_from,
};

use crate::quality::Image;
use crate::quality::metrics::{Checkerboard, checkerboard, psnr, ssim_plane};

mod cpu;
pub use cpu::cpu_step;

/// The decoders, by their letter.
pub const DECODERS: [(char, &str); 5] = [
    ('a', "ConvT k4 s2 p1"),
    ('b', "ConvT k3 s2 p1 op1"),
    ('c', "nearest x2 + conv3"),
    ('d', "bilinear x2 + conv3"),
    ('e', "conv3 (4C) + PixelShuffle, ICNR"),
];

/// The options of a training comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Optimizer steps per decoder.
    pub steps: usize,
    /// Channels of the decoders' body.
    pub channels: usize,
    /// Patches per batch.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// Seed of the patches and the initial weights.
    pub seed: u64,
    /// Decoders to train (letters of [`DECODERS`]).
    pub decoders: Vec<char>,
    /// Side of a target patch (even; the input is half of it).
    pub patch: usize,
    /// Read the loss back every this many steps.
    pub log_every: usize,
    /// Time this many steps of the CPU twin ([`cpu_step`]) per decoder (0: none).
    pub cpu_steps: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            steps: 240,
            channels: 16,
            batch: 4,
            lr: 5e-3,
            seed: 0,
            decoders: DECODERS.iter().map(|d| d.0).collect(),
            patch: 24,
            log_every: 10,
            cpu_steps: 0,
        }
    }
}

/// The usage text of the `train` example.
pub const USAGE: &str = "\
usage: train [--steps N] [--channels C] [--batch B] [--lr LR] [--seed S] [--decoders a,b,..]
             [--patch P] [--log-every K] [--cpu-steps N]
  decoders: a ConvT k4 s2 p1 | b ConvT k3 s2 p1 op1 | c nearest x2 + conv | d bilinear x2 + conv
            e conv + PixelShuffle (ICNR)
  --cpu-steps N: also time N steps of the CPU reference per decoder (ms/step in the table)";

impl TrainOptions {
    /// Parses command-line arguments (without the program name). `Ok(None)` for `--help`.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Option<Self>> {
        let mut o = Self::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (key, inline) = match arg.split_once('=') {
                Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            if key == "--help" || key == "-h" {
                return Ok(None);
            }
            let mut value = || -> Result<String> {
                match inline.clone() {
                    Some(v) => Ok(v),
                    None => it.next().ok_or_else(|| anyhow!("{key} needs a value")),
                }
            };
            fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
                v.parse()
                    .map_err(|_| anyhow!("{key}: cannot read {v:?} as a number"))
            }
            match key.as_str() {
                "--steps" => o.steps = num(&key, &value()?)?,
                "--channels" => o.channels = num(&key, &value()?)?,
                "--batch" => o.batch = num(&key, &value()?)?,
                "--lr" => o.lr = num(&key, &value()?)?,
                "--seed" => o.seed = num(&key, &value()?)?,
                "--patch" => o.patch = num(&key, &value()?)?,
                "--log-every" => o.log_every = num(&key, &value()?)?,
                "--cpu-steps" => o.cpu_steps = num(&key, &value()?)?,
                "--decoders" => {
                    let v = value()?;
                    o.decoders = Vec::new();
                    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let mut chars = part.chars();
                        let c = chars.next().unwrap_or(' ').to_ascii_lowercase();
                        if chars.next().is_some() || !DECODERS.iter().any(|d| d.0 == c) {
                            bail!(
                                "--decoders: unknown decoder {part:?} (choose from a, b, c, d, e)"
                            );
                        }
                        if !o.decoders.contains(&c) {
                            o.decoders.push(c);
                        }
                    }
                }
                _ => bail!("unknown option {arg:?}\n{USAGE}"),
            }
        }
        o.check()?;
        Ok(Some(o))
    }

    /// Checks the values.
    pub fn check(&self) -> Result<()> {
        if self.steps == 0 {
            bail!("--steps must be at least 1");
        }
        if self.channels == 0 {
            bail!("--channels must be at least 1");
        }
        if self.batch == 0 {
            bail!("--batch must be at least 1");
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            bail!("--lr must be a positive number, got {}", self.lr);
        }
        if self.patch < 8 || !self.patch.is_multiple_of(4) || self.patch > 128 {
            bail!(
                "--patch must be a multiple of 4 in 8..=128, got {}",
                self.patch
            );
        }
        if self.log_every == 0 {
            bail!("--log-every must be at least 1");
        }
        if self.decoders.is_empty() {
            bail!("--decoders: no decoder given");
        }
        Ok(())
    }
}

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

/// The photo split into the training region and the held-out test crop, values in [0, 1].
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Where training patches come from (the left three quarters).
    pub train: Image,
    /// The held-out test image (the right-most quarter), sides multiples of 4.
    pub test: Image,
}

impl Dataset {
    /// Splits `image` (RGB, values 0..=255) at 3/4 of its width.
    pub fn new(image: &Image) -> Result<Self> {
        let img = image.with_channels(3);
        let w = img.width / 4 * 4;
        let h = img.height / 4 * 4;
        if w < 64 || h < 16 {
            bail!(
                "the image is {}x{}; at least 64x16 is needed",
                img.width,
                img.height
            );
        }
        let mut scaled = img.crop(0, 0, w, h);
        scaled.data.iter_mut().for_each(|v| *v /= 255.0);
        let split = w / 4 * 3;
        Ok(Self {
            train: scaled.crop(0, 0, split, h),
            test: scaled.crop(split, 0, w - split, h),
        })
    }

    /// A batch of `batch` random `patch`×`patch` crops of the training region, `(B, 3, P, P)`.
    pub fn batch(&self, rng: &mut Rng, batch: usize, patch: usize) -> Result<Tensor> {
        let t = &self.train;
        if t.width < patch || t.height < patch {
            bail!(
                "patch {patch} is larger than the training region {}x{}",
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

/// One layer of a decoder.
#[derive(Debug)]
enum Layer {
    Conv(Conv),
    ConvT(ConvTranspose),
    Up(Upsample),
    Relu,
    Shuffle(PixelShuffle),
}

impl Layer {
    fn op(&self) -> &dyn Op {
        match self {
            Layer::Conv(l) => l,
            Layer::ConvT(l) => l,
            Layer::Up(l) => l,
            Layer::Relu => &Relu,
            Layer::Shuffle(l) => l,
        }
    }

    fn parameters_gpu(&self, ctx: &GpuContext) -> Result<Option<GpuParams>> {
        Ok(match self {
            Layer::Conv(l) => Some(l.parameters_gpu(ctx)?),
            Layer::ConvT(l) => Some(l.parameters_gpu(ctx)?),
            _ => None,
        })
    }

    /// grad_input from grad_output (`x` the layer's input).
    fn encode_backward(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        gy: &GpuTensor,
        gx: &GpuTensor,
    ) -> Result<()> {
        match self {
            Layer::Conv(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::ConvT(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::Up(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::Relu => Relu::encode_backward(ctx, enc, x, gy, gx)?,
            Layer::Shuffle(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
        }
        Ok(())
    }

    fn encode_grad_params(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        gy: &GpuTensor,
        grads: &GpuParams,
    ) -> Result<()> {
        let (w, b) = (&grads.weight, grads.bias.as_ref());
        match self {
            Layer::Conv(l) => l.encode_grad_params(ctx, enc, x, gy, w, b, false)?,
            Layer::ConvT(l) => l.encode_grad_params(ctx, enc, x, gy, w, b, false)?,
            _ => {}
        }
        Ok(())
    }

    fn encode_weights_changed(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
    ) -> Result<()> {
        match self {
            Layer::Conv(l) => l.encode_weights_changed(ctx, enc)?,
            Layer::ConvT(l) => l.encode_weights_changed(ctx, enc)?,
            _ => {}
        }
        Ok(())
    }
}

fn conv3(c_in: usize, c_out: usize) -> ConvOptions {
    ConvOptions::new(2, c_in, c_out, [3]).padding(ConvPadding::Explicit(vec![1]))
}

/// The layers of decoder `key` with `c` channels, weights from `seed`.
fn decoder(key: char, c: usize, seed: u64) -> Result<Vec<Layer>> {
    let s = |i: u64| seed.wrapping_mul(1000).wrapping_add(i);
    let mut layers = vec![Layer::Conv(Conv::new(conv3(3, c), s(1))?), Layer::Relu];
    match key {
        'a' => layers.push(Layer::ConvT(ConvTranspose::new(
            ConvTransposeOptions::new(2, c, c, [4])
                .stride([2])
                .padding([1]),
            s(2),
        )?)),
        'b' => layers.push(Layer::ConvT(ConvTranspose::new(
            ConvTransposeOptions::new(2, c, c, [3])
                .stride([2])
                .padding([1])
                .output_padding([1]),
            s(2),
        )?)),
        'c' | 'd' => {
            let mode = if key == 'c' {
                UpsampleMode::Nearest
            } else {
                UpsampleMode::Bilinear
            };
            layers.push(Layer::Up(Upsample::with_scale_factor([2.0], mode)));
            layers.push(Layer::Conv(Conv::new(conv3(c, c), s(2))?));
        }
        'e' => {
            let base = Conv::new(conv3(c, c), s(2))?;
            let w = icnr_from(base.weight(), 2)?;
            let b = base.bias().map(|b| icnr_bias(b, 2)).transpose()?;
            layers.push(Layer::Conv(Conv::from_weights(conv3(c, 4 * c), w, b)?));
            layers.push(Layer::Shuffle(PixelShuffle::new(2)));
        }
        _ => bail!("unknown decoder {key:?}"),
    }
    layers.push(Layer::Conv(Conv::new(conv3(c, 3), s(3))?));
    Ok(layers)
}

/// The result for one decoder.
#[derive(Debug, Clone)]
pub struct DecoderReport {
    /// Its letter.
    pub key: char,
    /// Its description.
    pub name: String,
    /// Learnable parameters.
    pub params: usize,
    /// `(step, loss)` read back every `log_every` steps (the loss of that step's forward, before
    /// its update), the last step included.
    pub losses: Vec<(usize, f32)>,
    /// The mean of the last (up to 3) losses read back.
    pub final_loss: f32,
    /// PSNR (dB, range 1) of the x2 output on the held-out crop, clamped to [0, 1].
    pub psnr: f64,
    /// SSIM on the held-out crop (Gaussian window, range 1).
    pub ssim: f64,
    /// The checkerboard of its output for a flat input of 0.5 (the held-out input's shape; 8
    /// border pixels dropped) at initialisation: per-phase gain spread and the energy at the
    /// stride's frequency (`quality::metrics::checkerboard`).
    pub checkerboard_at_init: Checkerboard,
    /// The same after training.
    pub checkerboard_trained: Checkerboard,
    /// Wall-clock ms per step (steps after the first, waited for).
    pub ms_per_step: f64,
    /// Wall-clock ms per step of the CPU twin ([`cpu_step`], on the same batches), when
    /// `cpu_steps` > 0.
    pub cpu_ms_per_step: Option<f64>,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// The options it ran with.
    pub options: TrainOptions,
    /// The adapter.
    pub device: String,
    /// The held-out crop's size (width, height).
    pub test_size: (usize, usize),
    /// `(name, PSNR)` of the untrained baselines.
    pub baselines: Vec<(String, f64)>,
    /// Their SSIM, in the same order.
    pub baseline_ssim: Vec<f64>,
    /// One per decoder, in the order asked.
    pub decoders: Vec<DecoderReport>,
}

/// The `(1, 3, H/2, W/2)` area downsample of an image, on the GPU.
fn downsample(ctx: &GpuContext, target: &GpuTensor) -> Result<GpuTensor> {
    let s = target.shape();
    let down = Upsample::with_size([s[2] / 2, s[3] / 2], UpsampleMode::Area);
    Ok(down.forward_gpu(ctx, target)?)
}

fn psnr_clamped(out: &Tensor, want: &Image) -> f64 {
    let clamped: Vec<f32> = out.data().iter().map(|v| v.clamp(0.0, 1.0)).collect();
    psnr(&clamped, &want.data, 1.0)
}

/// The checkerboard of a decoder's output for a flat input of 0.5 shaped like `like`.
fn flat_checkerboard(ctx: &GpuContext, layers: &[Layer], like: &GpuTensor) -> Result<Checkerboard> {
    let flat = ctx.upload(&Tensor::from_fn(like.shape(), |_| 0.5)?)?;
    let acts = alloc_acts(ctx, layers, &flat)?;
    let mut enc = ctx.encoder("flat input");
    encode_forward(ctx, &mut enc, layers, &acts)?;
    ctx.queue().submit([enc.finish()]);
    let out = Image::from_tensor(&ctx.download(acts.last().expect("an output"))?)?;
    Ok(checkerboard(&out, 2, 8, 0.5))
}

/// Mean SSIM over the channels (Gaussian window, range 1) of `out` clamped to [0, 1].
fn ssim_clamped(out: &Tensor, want: &Image) -> f64 {
    let clamped: Vec<f32> = out.data().iter().map(|v| v.clamp(0.0, 1.0)).collect();
    let n = want.width * want.height;
    (0..want.channels)
        .map(|c| {
            ssim_plane(
                &clamped[c * n..(c + 1) * n],
                want.plane(c),
                want.height,
                want.width,
                1.0,
            )
        })
        .sum::<f64>()
        / want.channels as f64
}

/// Runs the comparison on `ctx` with `image` (values 0..=255). `progress` gets a line per
/// loss readback.
pub fn run(
    ctx: &GpuContext,
    image: &Image,
    o: &TrainOptions,
    mut progress: impl FnMut(&str),
) -> Result<Report> {
    o.check()?;
    let data = Dataset::new(image)?;
    let test_target = ctx.upload(&data.test.to_tensor()?)?;
    let test_input = downsample(ctx, &test_target)?;
    let mut baselines = Vec::new();
    let mut baseline_ssim = Vec::new();
    for (name, mode) in [
        ("bilinear", UpsampleMode::Bilinear),
        ("bicubic", UpsampleMode::Bicubic),
    ] {
        let up = Upsample::with_scale_factor([2.0], mode);
        let out = ctx.download(&up.forward_gpu(ctx, &test_input)?)?;
        baselines.push((name.to_string(), psnr_clamped(&out, &data.test)));
        baseline_ssim.push(ssim_clamped(&out, &data.test));
    }
    let mut decoders = Vec::new();
    for &key in &o.decoders {
        let r = train_one(ctx, &data, &test_input, key, o, &mut progress)
            .with_context(|| format!("decoder {key}"))?;
        decoders.push(r);
    }
    Ok(Report {
        options: o.clone(),
        device: ctx.describe(),
        test_size: (data.test.width, data.test.height),
        baselines,
        baseline_ssim,
        decoders,
    })
}

/// Forward of `layers` from `input` into fresh activations (the input first, the output last).
fn alloc_acts(ctx: &GpuContext, layers: &[Layer], input: &GpuTensor) -> Result<Vec<GpuTensor>> {
    let mut acts = vec![input.clone()];
    for l in layers {
        let shape = l.op().output_shape(acts.last().expect("input").shape())?;
        acts.push(ctx.empty(&shape)?);
    }
    Ok(acts)
}

fn encode_forward(
    ctx: &GpuContext,
    enc: &mut wgpu::CommandEncoder,
    layers: &[Layer],
    acts: &[GpuTensor],
) -> Result<()> {
    for (i, l) in layers.iter().enumerate() {
        l.op().encode_gpu(ctx, enc, &acts[i], &acts[i + 1])?;
    }
    Ok(())
}

/// A trainable layer on the GPU: its index, parameters, gradients and Adam's states (weight,
/// bias).
type Trainable = (
    usize,
    GpuParams,
    GpuParams,
    GpuAdamState,
    Option<GpuAdamState>,
);

/// One training step of a decoder on the GPU, with all its buffers: `input` and `target` are
/// filled by the caller, [`GpuStep::encode`] records forward, loss, backward and Adam's update.
struct GpuStep {
    layers: Vec<Layer>,
    adam: Adam,
    trainable: Vec<Trainable>,
    input: GpuTensor,
    target: GpuTensor,
    acts: Vec<GpuTensor>,
    /// `grads[i]`: dL/d `acts[i]` (none for the network input).
    grads: Vec<Option<GpuTensor>>,
    loss: GpuTensor,
    mse: MseLoss,
}

impl GpuStep {
    fn new(ctx: &GpuContext, layers: Vec<Layer>, key: char, o: &TrainOptions) -> Result<Self> {
        let adam = Adam::new(AdamOptions {
            lr: o.lr,
            ..Default::default()
        })?;
        // Parameters, their gradients and Adam's state, per layer.
        let mut trainable = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            if let Some(p) = l.parameters_gpu(ctx)? {
                let g = GpuParams {
                    weight: ctx.empty(p.weight.shape())?,
                    bias: p.bias.as_ref().map(|b| ctx.empty(b.shape())).transpose()?,
                };
                let sw = adam.state_gpu(ctx, p.weight.shape())?;
                let sb = p
                    .bias
                    .as_ref()
                    .map(|b| adam.state_gpu(ctx, b.shape()))
                    .transpose()?;
                trainable.push((i, p, g, sw, sb));
            }
        }
        let p = o.patch;
        let target = ctx.empty(&[o.batch, 3, p, p])?;
        let input = ctx.empty(&[o.batch, 3, p / 2, p / 2])?;
        let acts = alloc_acts(ctx, &layers, &input)?;
        let out = acts.last().expect("output");
        if out.shape() != target.shape() {
            bail!(
                "decoder {key} gives {:?} for a target of {:?}",
                out.shape(),
                target.shape()
            );
        }
        let grads: Vec<Option<GpuTensor>> = acts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if i == 0 {
                    Ok(None)
                } else {
                    ctx.empty(a.shape()).map(Some)
                }
            })
            .collect::<wgpu_upsample::Result<_>>()?;
        Ok(Self {
            layers,
            adam,
            trainable,
            input,
            target,
            acts,
            grads,
            loss: ctx.empty(&[1])?,
            mse: MseLoss::new(Reduction::Mean),
        })
    }

    /// Records one step from `input` and `target`: forward, the loss into `loss`, the
    /// gradients, Adam's update of every parameter.
    fn encode(&mut self, ctx: &GpuContext, enc: &mut wgpu::CommandEncoder) -> Result<()> {
        let (layers, acts, grads) = (&self.layers, &self.acts, &self.grads);
        let out = acts.last().expect("output");
        encode_forward(ctx, enc, layers, acts)?;
        self.mse
            .encode_forward(ctx, enc, out, &self.target, &self.loss)?;
        let n = layers.len();
        self.mse.encode_backward(
            ctx,
            enc,
            out,
            &self.target,
            grads[n].as_ref().expect("grad"),
            1.0,
        )?;
        for i in (0..n).rev() {
            let gy = grads[i + 1].as_ref().expect("grad");
            if let Some(t) = self.trainable.iter().find(|t| t.0 == i) {
                layers[i].encode_grad_params(ctx, enc, &acts[i], gy, &t.2)?;
            }
            if let Some(gx) = &grads[i] {
                layers[i].encode_backward(ctx, enc, &acts[i], gy, gx)?;
            }
        }
        for (i, p, g, sw, sb) in self.trainable.iter_mut() {
            self.adam.encode_step(ctx, enc, sw, &p.weight, &g.weight)?;
            if let (Some(pb), Some(gb), Some(sb)) = (&p.bias, &g.bias, sb.as_mut()) {
                self.adam.encode_step(ctx, enc, sb, pb, gb)?;
            }
            layers[*i].encode_weights_changed(ctx, enc)?;
        }
        Ok(())
    }
}

/// The result of one training step (GPU or CPU): the loss of its forward, and for every
/// parameter (per trainable layer in order, its weight then its bias) the gradient and the
/// value after Adam's update.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// The MSE of the forward, before the update.
    pub loss: f32,
    /// `(layer index, "weight" | "bias")` of each parameter, in order.
    pub names: Vec<(usize, &'static str)>,
    /// The gradient of each parameter.
    pub grads: Vec<Tensor>,
    /// Each parameter before the update (the initial weights).
    pub before: Vec<Tensor>,
    /// Each parameter after the update.
    pub params: Vec<Tensor>,
}

fn check_batch(o: &TrainOptions, input: &Tensor, target: &Tensor) -> Result<()> {
    let p = o.patch;
    if target.shape() != [o.batch, 3, p, p] || input.shape() != [o.batch, 3, p / 2, p / 2] {
        bail!(
            "the batch is input {:?}, target {:?}; want ({b}, 3, {h}, {h}), ({b}, 3, {p}, {p})",
            input.shape(),
            target.shape(),
            b = o.batch,
            h = p / 2
        );
    }
    Ok(())
}

/// One training step of decoder `key` (its initial weights from `o`) on the GPU, with the
/// training loop's own code, from `input` `(B, 3, P/2, P/2)` and `target` `(B, 3, P, P)`; the
/// loss, gradients and updated parameters downloaded.
pub fn gpu_step(
    ctx: &GpuContext,
    key: char,
    o: &TrainOptions,
    input: &Tensor,
    target: &Tensor,
) -> Result<StepResult> {
    check_batch(o, input, target)?;
    let mut st = GpuStep::new(ctx, decoder(key, o.channels, o.seed)?, key, o)?;
    ctx.write(&st.input, input)?;
    ctx.write(&st.target, target)?;
    let mut enc = ctx.encoder("train step");
    st.encode(ctx, &mut enc)?;
    ctx.queue().submit([enc.finish()]);
    let mut r = StepResult {
        loss: ctx.download(&st.loss)?.data()[0],
        names: Vec::new(),
        grads: Vec::new(),
        before: Vec::new(),
        params: Vec::new(),
    };
    for (i, p, g, _, _) in &st.trainable {
        let (w0, b0) = st.layers[*i].parameters_cpu().expect("a trainable layer");
        r.before.push(w0);
        r.before.extend(b0);
        r.names.push((*i, "weight"));
        r.grads.push(ctx.download(&g.weight)?);
        r.params.push(ctx.download(&p.weight)?);
        if let (Some(pb), Some(gb)) = (&p.bias, &g.bias) {
            r.names.push((*i, "bias"));
            r.grads.push(ctx.download(gb)?);
            r.params.push(ctx.download(pb)?);
        }
    }
    Ok(r)
}

fn train_one(
    ctx: &GpuContext,
    data: &Dataset,
    test_input: &GpuTensor,
    key: char,
    o: &TrainOptions,
    progress: &mut impl FnMut(&str),
) -> Result<DecoderReport> {
    let name = DECODERS
        .iter()
        .find(|d| d.0 == key)
        .map(|d| d.1)
        .ok_or_else(|| anyhow!("unknown decoder {key:?}"))?;
    let layers = decoder(key, o.channels, o.seed)?;
    let params_count: usize = layers.iter().map(|l| l.op().parameter_count()).sum();
    let mut st = GpuStep::new(ctx, layers, key, o)?;
    let checkerboard_at_init = flat_checkerboard(ctx, &st.layers, test_input)?;
    let p = o.patch;
    let down = Upsample::with_size([p / 2, p / 2], UpsampleMode::Area);
    let mut rng = Rng::new(o.seed);
    let mut losses = Vec::new();
    let mut timer = None;
    for step in 0..o.steps {
        ctx.write(&st.target, &data.batch(&mut rng, o.batch, p)?)?;
        let mut enc = ctx.encoder("train step");
        down.encode_gpu(ctx, &mut enc, &st.target, &st.input)?;
        st.encode(ctx, &mut enc)?;
        ctx.queue().submit([enc.finish()]);
        if step.is_multiple_of(o.log_every) || step + 1 == o.steps {
            let l = ctx.download(&st.loss)?.data()[0];
            losses.push((step, l));
            progress(&format!("  [{key}] step {step:>5}  loss {l:.6}"));
        }
        if step == 0 {
            ctx.wait()?;
            timer = Some(Instant::now());
        }
    }
    ctx.wait()?;
    let ms_per_step = match timer {
        Some(t) if o.steps > 1 => t.elapsed().as_secs_f64() * 1e3 / (o.steps - 1) as f64,
        _ => f64::NAN,
    };
    let tail = &losses[losses.len().saturating_sub(3)..];
    let final_loss = tail.iter().map(|l| l.1).sum::<f32>() / tail.len() as f32;
    // The held-out crop.
    let test_acts = alloc_acts(ctx, &st.layers, test_input)?;
    let mut enc = ctx.encoder("test forward");
    encode_forward(ctx, &mut enc, &st.layers, &test_acts)?;
    ctx.queue().submit([enc.finish()]);
    let test_out = ctx.download(test_acts.last().expect("output"))?;
    let psnr = psnr_clamped(&test_out, &data.test);
    let ssim = ssim_clamped(&test_out, &data.test);
    let checkerboard_trained = flat_checkerboard(ctx, &st.layers, test_input)?;
    let cpu_ms_per_step = if o.cpu_steps > 0 {
        let mut rng = Rng::new(o.seed);
        let mut total = 0.0;
        for _ in 0..o.cpu_steps {
            let target = data.batch(&mut rng, o.batch, p)?;
            let input = down.forward_cpu(&target)?;
            let t = Instant::now();
            cpu_step(key, o, &input, &target)?;
            total += t.elapsed().as_secs_f64() * 1e3;
        }
        progress(&format!(
            "  [{key}] CPU twin {:.1} ms/step",
            total / o.cpu_steps as f64
        ));
        Some(total / o.cpu_steps as f64)
    } else {
        None
    };
    Ok(DecoderReport {
        key,
        name: name.to_string(),
        params: params_count,
        losses,
        final_loss,
        psnr,
        ssim,
        checkerboard_at_init,
        checkerboard_trained,
        ms_per_step,
        cpu_ms_per_step,
    })
}

impl Report {
    /// The table of the report.
    pub fn table(&self) -> String {
        let o = &self.options;
        let mut s = format!(
            "x2 super-resolution, {} steps, batch {} of {}x{} patches, C={}, Adam lr={}, seed {}\n\
             held-out crop {}x{}; device: {}\n\n",
            o.steps,
            o.batch,
            o.patch,
            o.patch,
            o.channels,
            o.lr,
            o.seed,
            self.test_size.0,
            self.test_size.1,
            self.device
        );
        let cpu = o.cpu_steps > 0;
        s += "| decoder | params | loss step 0 | final loss | test PSNR (dB) | test SSIM | checkerboard spread init → trained | ms/step |";
        s += if cpu { " CPU ms/step |\n" } else { "\n" };
        s += "|---|---:|---:|---:|---:|---:|---:|---:|";
        s += if cpu { "---:|\n" } else { "\n" };
        for d in &self.decoders {
            s += &format!(
                "| {} {} | {} | {:.5} | {:.5} | {:.2} | {:.4} | {:.4} → {:.4} | {:.1} |",
                d.key,
                d.name,
                d.params,
                d.losses.first().map_or(f32::NAN, |l| l.1),
                d.final_loss,
                d.psnr,
                d.ssim,
                d.checkerboard_at_init.spread,
                d.checkerboard_trained.spread,
                d.ms_per_step
            );
            if cpu {
                s += &format!(" {:.1} |", d.cpu_ms_per_step.unwrap_or(f64::NAN));
            }
            s += "\n";
        }
        for ((name, p), ssim) in self.baselines.iter().zip(&self.baseline_ssim) {
            s += &format!(
                "| {name} upsample (no training) | 0 | - | - | {p:.2} | {ssim:.4} | 0 | - |"
            );
            s += if cpu { " - |\n" } else { "\n" };
        }
        s
    }
}
