//! The options of the training comparison and their command line.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use super::DECODERS;

/// The optimizer every decoder trains with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    /// `torch.optim.Adam` (betas 0.9, 0.999; eps 1e-8).
    Adam,
    /// `torch.optim.SGD` with [`TrainOptions::momentum`].
    Sgd,
}

impl OptimizerKind {
    /// `"Adam"` or `"SGD"`.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "Adam",
            OptimizerKind::Sgd => "SGD",
        }
    }

    /// The learning rate used when none is given: 5e-3 for Adam, 5e-2 for SGD.
    pub fn default_lr(self) -> f64 {
        match self {
            OptimizerKind::Adam => 5e-3,
            OptimizerKind::Sgd => 5e-2,
        }
    }
}

/// How the learning rate changes over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// `lr` at every step.
    Constant,
    /// Cosine decay from `lr` at step 0 to `lr / 20` at the last step
    /// (`torch.optim.lr_scheduler.CosineAnnealingLR` with `eta_min = lr / 20`).
    Cosine,
}

/// The options of a training comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Optimizer steps per decoder.
    pub steps: usize,
    /// Channels of the decoders' body.
    pub channels: usize,
    /// Patches per batch.
    pub batch: usize,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Learning rate (at step 0 with a cosine schedule).
    pub lr: f64,
    /// SGD's momentum (ignored by Adam).
    pub momentum: f64,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Seed of the patches and the initial weights.
    pub seed: u64,
    /// Decoders to train (letters of [`DECODERS`]).
    pub decoders: Vec<char>,
    /// Side of a target patch (a multiple of 4; the input is half of it).
    pub patch: usize,
    /// Read the loss back every this many steps.
    pub log_every: usize,
    /// Held-out evaluations (PSNR, SSIM) during training, evenly spaced; the last after the last
    /// step. Their time is not counted as training time.
    pub evals: usize,
    /// Time this many steps of the CPU twin ([`super::cpu_step`]) per decoder (0: none).
    pub cpu_steps: usize,
    /// The training photo (`None`: the bundled `assets/astronaut.png`).
    pub image: Option<PathBuf>,
    /// The held-out test photo (`None`: the bundled `assets/coffee.png`).
    pub test_image: Option<PathBuf>,
    /// Where the chart, the contact sheet and `report.json` go (`None`: no files).
    pub out: Option<PathBuf>,
    /// Print the report as JSON on stdout (progress to stderr).
    pub json: bool,
}

impl Default for TrainOptions {
    /// 1000 Adam steps (lr 5e-3, cosine) of batch 4, 16×16 patches, C = 16: about 35 s per
    /// decoder on lavapipe with 2 cores, so the five decoders take about 3 minutes. Chosen from
    /// runs here as the setting that learned most in that time: more steps of small patches beat
    /// fewer of 24×24 ones, C = 16 beat C = 8 at equal time, lr 1e-2 and 2e-2 did worse.
    fn default() -> Self {
        Self {
            steps: 1000,
            channels: 16,
            batch: 4,
            optimizer: OptimizerKind::Adam,
            lr: OptimizerKind::Adam.default_lr(),
            momentum: 0.9,
            schedule: Schedule::Cosine,
            seed: 0,
            decoders: DECODERS.iter().map(|d| d.0).collect(),
            patch: 16,
            log_every: 100,
            evals: 10,
            cpu_steps: 0,
            image: None,
            test_image: None,
            out: None,
            json: false,
        }
    }
}

/// The usage text of the `train` example.
pub const USAGE: &str = "\
usage: train [OPTIONS]
  --steps N          optimizer steps per decoder (default 1000)
  --channels C       channels of the body (16)
  --batch B          patches per step (4)
  --patch P          side of a target patch, a multiple of 4 in 8..=128 (16)
  --optimizer adam|sgd  (adam)
  --lr LR            learning rate (adam 5e-3, sgd 5e-2)
  --momentum M       SGD's momentum (0.9)
  --schedule cosine|constant  learning-rate schedule (cosine: down to lr/20 at the last step)
  --seed S           patches and initial weights (0)
  --decoders a,b,..  which decoders (all):
                     a ConvT k4 s2 p1 | b ConvT k3 s2 p1 op1 | c nearest x2 + conv
                     d bilinear x2 + conv | e conv + PixelShuffle (ICNR)
  --log-every K      read the loss back every K steps (100)
  --evals N          held-out PSNR/SSIM evaluations during training (10)
  --cpu-steps N      also time N steps of the CPU reference per decoder
  --image PATH       training photo (assets/astronaut.png)
  --test-image PATH  held-out photo (assets/coffee.png)
  --out DIR          write chart.svg, sheet.png, report.json and index.html there
  --json             print the report as JSON (progress goes to stderr)";

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| anyhow!("{key}: cannot read {v:?} as a number"))
}

impl TrainOptions {
    /// The short run `compare` makes for its training verdicts: the default run's decoders and
    /// sizes, 300 steps instead of 1000, one evaluation at the end (about 10 s per decoder on
    /// lavapipe).
    pub fn short() -> Self {
        Self {
            steps: 300,
            log_every: 300,
            evals: 1,
            ..Self::default()
        }
    }

    /// Parses command-line arguments (without the program name). `Ok(None)` for `--help`.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Option<Self>> {
        let mut o = Self::default();
        let mut lr = None;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (key, inline) = match arg.split_once('=') {
                Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            match key.as_str() {
                "--help" | "-h" => return Ok(None),
                "--json" => {
                    o.json = true;
                    continue;
                }
                _ => {}
            }
            let mut value = || -> Result<String> {
                match inline.clone() {
                    Some(v) => Ok(v),
                    None => it.next().ok_or_else(|| anyhow!("{key} needs a value")),
                }
            };
            match key.as_str() {
                "--steps" => o.steps = num(&key, &value()?)?,
                "--channels" => o.channels = num(&key, &value()?)?,
                "--batch" => o.batch = num(&key, &value()?)?,
                "--lr" => lr = Some(num(&key, &value()?)?),
                "--momentum" => o.momentum = num(&key, &value()?)?,
                "--seed" => o.seed = num(&key, &value()?)?,
                "--patch" => o.patch = num(&key, &value()?)?,
                "--log-every" => o.log_every = num(&key, &value()?)?,
                "--evals" => o.evals = num(&key, &value()?)?,
                "--cpu-steps" => o.cpu_steps = num(&key, &value()?)?,
                "--image" => o.image = Some(value()?.into()),
                "--test-image" => o.test_image = Some(value()?.into()),
                "--out" => o.out = Some(value()?.into()),
                "--optimizer" => {
                    o.optimizer = match value()?.to_ascii_lowercase().as_str() {
                        "adam" => OptimizerKind::Adam,
                        "sgd" => OptimizerKind::Sgd,
                        v => bail!("--optimizer: unknown optimizer {v:?} (adam or sgd)"),
                    }
                }
                "--schedule" => {
                    o.schedule = match value()?.to_ascii_lowercase().as_str() {
                        "cosine" => Schedule::Cosine,
                        "constant" => Schedule::Constant,
                        v => bail!("--schedule: unknown schedule {v:?} (cosine or constant)"),
                    }
                }
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
        o.lr = lr.unwrap_or(o.optimizer.default_lr());
        o.check()?;
        Ok(Some(o))
    }

    /// Checks the values.
    pub fn check(&self) -> Result<()> {
        if self.steps == 0 {
            bail!("--steps must be at least 1");
        }
        if self.channels == 0 || self.channels > 256 {
            bail!("--channels must be in 1..=256, got {}", self.channels);
        }
        if self.batch == 0 || self.batch > 256 {
            bail!("--batch must be in 1..=256, got {}", self.batch);
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            bail!("--lr must be a positive number, got {}", self.lr);
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            bail!("--momentum must be in [0, 1), got {}", self.momentum);
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
        if self.evals == 0 || self.evals > self.steps {
            bail!(
                "--evals must be in 1..=steps ({}), got {}",
                self.steps,
                self.evals
            );
        }
        if self.decoders.is_empty() {
            bail!("--decoders: no decoder given");
        }
        Ok(())
    }

    /// The learning rate of step `step` (from 0) under the schedule.
    pub fn lr_at(&self, step: usize) -> f64 {
        match self.schedule {
            Schedule::Constant => self.lr,
            Schedule::Cosine => {
                let min = self.lr / 20.0;
                let t = if self.steps > 1 {
                    step as f64 / (self.steps - 1) as f64
                } else {
                    0.0
                };
                min + (self.lr - min) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }

    /// The steps after which the held-out crop is evaluated (`evals` of them, the last step's
    /// included; 1-based counts of steps done).
    pub fn eval_steps(&self) -> Vec<usize> {
        (1..=self.evals)
            .map(|i| (i * self.steps).div_ceil(self.evals))
            .collect()
    }
}
