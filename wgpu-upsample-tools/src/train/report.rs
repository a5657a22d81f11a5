//! The report of a training comparison: per decoder its numbers, the baselines, and the verdicts
//! on the seed's and the literature's claims; as a table or JSON.

use serde::Serialize;

use super::model::{is_conv_transpose, is_resize_conv};
use super::step::Memory;
use super::{OptimizerKind, Schedule, TrainOptions};
use crate::compare::Claim;
use crate::quality::Image;
use crate::quality::metrics::Checkerboard;

/// A checkerboard (spread or stride energy) above this counts as visible: a 1% difference
/// between the phases' gains, or 1% of the interior's energy at the stride frequency.
pub const CHECKERBOARD_TOL: f64 = 0.01;

/// One held-out evaluation during training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvalPoint {
    /// Steps done.
    pub step: usize,
    /// Training wall-clock seconds so far (evaluations and loss readbacks excluded).
    pub seconds: f64,
    /// PSNR (dB, range 1) on the held-out image.
    pub psnr: f64,
    /// SSIM (Gaussian window, range 1) on the held-out image.
    pub ssim: f64,
}

/// Median GPU time per phase of a step (timestamps written between the phases).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Phases {
    /// Forward and loss, ms.
    pub forward_ms: f64,
    /// The loss's and every layer's backward (grad_input and parameter gradients), ms.
    pub backward_ms: f64,
    /// The optimizer's update of every parameter and the weights' re-packing, ms.
    pub optimizer_ms: f64,
    /// Steps the medians are over.
    pub steps: usize,
}

impl Phases {
    /// Their sum: the GPU time of a step.
    pub fn total_ms(&self) -> f64 {
        self.forward_ms + self.backward_ms + self.optimizer_ms
    }
}

/// The result for one decoder.
#[derive(Debug, Clone, Serialize)]
pub struct DecoderReport {
    /// Its letter.
    pub key: char,
    /// Its description.
    pub name: String,
    /// Learnable parameters.
    pub params: usize,
    /// GPU memory of its training.
    pub memory: Memory,
    /// `(step, loss)` read back every `log_every` steps (the loss of that step's forward, before
    /// its update), the last step included.
    pub losses: Vec<(usize, f32)>,
    /// The mean of the last (up to 3) losses read back.
    pub final_loss: f32,
    /// Held-out PSNR and SSIM during training (the last after the last step).
    pub curve: Vec<EvalPoint>,
    /// PSNR (dB, range 1) of the trained decoder on the held-out image, output clamped to [0, 1].
    pub psnr: f64,
    /// SSIM of the same.
    pub ssim: f64,
    /// The first evaluation whose PSNR reached the bicubic baseline's: `(step, seconds)`.
    pub reached_bicubic: Option<(usize, f64)>,
    /// The checkerboard of its output for a flat input of 0.5 (the held-out input's shape; 8
    /// border pixels dropped) at initialisation: per-phase gain spread and the energy at the
    /// stride's frequency (`quality::metrics::checkerboard`).
    pub checkerboard_at_init: Checkerboard,
    /// The same after training.
    pub checkerboard_trained: Checkerboard,
    /// Wall-clock ms per step, end to end (submit to done; steps after the first).
    pub ms_per_step: f64,
    /// GPU time per phase, where the device writes timestamps inside encoders.
    pub phases: Option<Phases>,
    /// Wall-clock ms per step of the CPU twin ([`super::cpu_step`], on the same batches), when
    /// `cpu_steps` > 0.
    pub cpu_ms_per_step: Option<f64>,
}

/// An untrained interpolation of the held-out input.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// `"bilinear"` or `"bicubic"`.
    pub name: String,
    /// PSNR on the held-out image.
    pub psnr: f64,
    /// SSIM on the held-out image.
    pub ssim: f64,
}

/// The held-out image and every method's output for it (for the contact sheet).
#[derive(Debug, Clone)]
pub struct Pictures {
    /// The original held-out image.
    pub original: Image,
    /// `(name, output)` of each baseline.
    pub baselines: Vec<(String, Image)>,
    /// `(key, output)` of each trained decoder.
    pub decoders: Vec<(char, Image)>,
}

/// The options as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedOptions {
    /// Steps per decoder.
    pub steps: usize,
    /// Channels.
    pub channels: usize,
    /// Batch.
    pub batch: usize,
    /// Patch side.
    pub patch: usize,
    /// `"Adam"` or `"SGD"`.
    pub optimizer: String,
    /// Learning rate.
    pub lr: f64,
    /// SGD's momentum (`null` for Adam).
    pub momentum: Option<f64>,
    /// `"cosine"` or `"constant"`.
    pub schedule: String,
    /// Seed.
    pub seed: u64,
}

impl From<&TrainOptions> for ReportedOptions {
    fn from(o: &TrainOptions) -> Self {
        Self {
            steps: o.steps,
            channels: o.channels,
            batch: o.batch,
            patch: o.patch,
            optimizer: o.optimizer.name().into(),
            lr: o.lr,
            momentum: (o.optimizer == OptimizerKind::Sgd).then_some(o.momentum),
            schedule: match o.schedule {
                Schedule::Cosine => "cosine",
                Schedule::Constant => "constant",
            }
            .into(),
            seed: o.seed,
        }
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The options it ran with.
    pub options: ReportedOptions,
    /// The adapter.
    pub device: String,
    /// The training image's size (width, height).
    pub train_size: (usize, usize),
    /// The held-out image's size (width, height).
    pub test_size: (usize, usize),
    /// The untrained baselines.
    pub baselines: Vec<Baseline>,
    /// One per decoder, in the order asked.
    pub decoders: Vec<DecoderReport>,
    /// The claims about training, each with its verdict ([`verdicts`]).
    pub verdicts: Vec<Claim>,
    /// The pictures (not in JSON).
    #[serde(skip)]
    pub pictures: Pictures,
}

fn ms(v: f64) -> String {
    format!("{v:.1} ms")
}

fn gpu_or_wall(d: &DecoderReport) -> (f64, &'static str) {
    match d.phases {
        Some(p) => (p.total_ms(), "GPU ms/step"),
        None => (d.ms_per_step, "wall ms/step"),
    }
}

/// The verdicts on the three claims about training, from the decoders measured (a claim whose
/// decoders were not trained gets `null`):
/// 1. "ConvTranspose2d trains slower than Upsample + Conv": every ConvTranspose decoder's step
///    time (GPU time where timestamps exist, else wall clock) above every resize-convolution
///    decoder's.
/// 2. "A learned upsampler beats fixed interpolation": the best decoder's held-out PSNR above the
///    best baseline's.
/// 3. "ConvTranspose2d leaves checkerboard artifacts after training; resize-convolution and ICNR
///    sub-pixel do not": every trained ConvTranspose decoder shows a checkerboard (spread or
///    stride energy above [`CHECKERBOARD_TOL`]) and no other decoder does.
pub fn verdicts(decoders: &[DecoderReport], baselines: &[Baseline]) -> Vec<Claim> {
    let claim = |claim: &str, measure: &str, verdict: Option<bool>, summary: String| Claim {
        claim: claim.into(),
        measure: measure.into(),
        verdict,
        comparisons: Vec::new(),
        summary,
    };
    let convt: Vec<&DecoderReport> = decoders
        .iter()
        .filter(|d| is_conv_transpose(d.key))
        .collect();
    let resize: Vec<&DecoderReport> = decoders.iter().filter(|d| is_resize_conv(d.key)).collect();
    let mut out = Vec::new();
    // 1. Step time.
    let (verdict, summary) = if convt.is_empty() || resize.is_empty() {
        (
            None,
            "needs a ConvTranspose decoder (a, b) and a resize-convolution decoder (c, d)".into(),
        )
    } else {
        let unit = gpu_or_wall(convt[0]).1;
        let slowest_fast = resize.iter().map(|d| gpu_or_wall(d).0).fold(0.0, f64::max);
        let holds = convt.iter().all(|d| gpu_or_wall(d).0 > slowest_fast);
        let list = |ds: &[&DecoderReport]| {
            ds.iter()
                .map(|d| {
                    format!(
                        "{} {} ({} end to end)",
                        d.key,
                        ms(gpu_or_wall(d).0),
                        ms(d.ms_per_step)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        (
            Some(holds),
            format!(
                "{unit}: ConvTranspose {} vs resize-convolution {}",
                list(&convt),
                list(&resize)
            ),
        )
    };
    out.push(claim(
        "ConvTranspose2d trains slower than Upsample + Conv",
        "time per training step",
        verdict,
        summary,
    ));
    // 2. Quality against interpolation.
    let best_base = baselines.iter().max_by(|a, b| a.psnr.total_cmp(&b.psnr));
    let best = decoders.iter().max_by(|a, b| a.psnr.total_cmp(&b.psnr));
    let (verdict, summary) = match (best, best_base) {
        (Some(d), Some(b)) => {
            let beat: Vec<String> = decoders
                .iter()
                .filter(|d| d.psnr > b.psnr)
                .map(|d| d.key.to_string())
                .collect();
            (
                Some(d.psnr > b.psnr),
                format!(
                    "best decoder {} {:.2} dB / SSIM {:.3} vs {} {:.2} dB / {:.3}; above {}: {}",
                    d.key,
                    d.psnr,
                    d.ssim,
                    b.name,
                    b.psnr,
                    b.ssim,
                    b.name,
                    if beat.is_empty() {
                        "none".to_string()
                    } else {
                        beat.join(", ")
                    }
                ),
            )
        }
        _ => (None, "no decoder or no baseline".into()),
    };
    out.push(claim(
        "A learned upsampler beats fixed interpolation",
        "held-out PSNR after training",
        verdict,
        summary,
    ));
    // 3. Checkerboard after training.
    let others: Vec<&DecoderReport> = decoders
        .iter()
        .filter(|d| !is_conv_transpose(d.key))
        .collect();
    let (verdict, summary) = if convt.is_empty() || others.is_empty() {
        (
            None,
            "needs a ConvTranspose decoder (a, b) and another (c, d, e)".into(),
        )
    } else {
        let shows = |d: &DecoderReport| d.checkerboard_trained.shows(CHECKERBOARD_TOL);
        let holds = convt.iter().all(|d| shows(d)) && !others.iter().any(|d| shows(d));
        let list = decoders
            .iter()
            .map(|d| {
                format!(
                    "{} {:.3}/{:.3} ({:.3} at init)",
                    d.key,
                    d.checkerboard_trained.spread,
                    d.checkerboard_trained.stride_energy,
                    d.checkerboard_at_init.spread
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        (
            Some(holds),
            format!(
                "spread/stride energy after training (visible above {CHECKERBOARD_TOL}): {list}"
            ),
        )
    };
    out.push(claim(
        "ConvTranspose2d leaves checkerboard artifacts after training; resize-convolution and ICNR sub-pixel do not",
        "checkerboard of the trained decoder on a flat input",
        verdict,
        summary,
    ));
    out
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

impl Report {
    /// The report as a Markdown table, the curves' summary and the verdicts.
    pub fn table(&self) -> String {
        let o = &self.options;
        let mut s = format!(
            "x2 super-resolution, {} steps, batch {} of {}x{} patches, C={}, {} lr={} ({}), seed {}\n\
             trained on {}x{}, held-out image {}x{}; device: {}\n\n",
            o.steps,
            o.batch,
            o.patch,
            o.patch,
            o.channels,
            o.optimizer,
            o.lr,
            o.schedule,
            o.seed,
            self.train_size.0,
            self.train_size.1,
            self.test_size.0,
            self.test_size.1,
            self.device
        );
        let cpu = self.decoders.iter().any(|d| d.cpu_ms_per_step.is_some());
        s += "| decoder | params | memory MiB (param+grad+opt / act+grad) | loss step 0 → final | held-out PSNR dB | SSIM | reached bicubic (step, s) | checkerboard spread init → trained (stride energy) | ms/step end to end | GPU ms fwd / bwd / opt |";
        s += if cpu { " CPU ms/step |\n" } else { "\n" };
        s += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
        s += if cpu { "---:|\n" } else { "\n" };
        for d in &self.decoders {
            let m = &d.memory;
            s += &format!(
                "| {} {} | {} | {:.3} / {:.3} | {:.5} → {:.5} | {:.2} | {:.4} | {} | {:.4} → {:.4} ({:.4}) | {:.1} | {} |",
                d.key,
                d.name,
                d.params,
                mib(m.parameters + m.gradients + m.optimizer_state),
                mib(m.activations + m.activation_gradients),
                d.losses.first().map_or(f32::NAN, |l| l.1),
                d.final_loss,
                d.psnr,
                d.ssim,
                d.reached_bicubic
                    .map_or("not reached".into(), |(st, sec)| format!("{st}, {sec:.1}")),
                d.checkerboard_at_init.spread,
                d.checkerboard_trained.spread,
                d.checkerboard_trained.stride_energy,
                d.ms_per_step,
                d.phases.map_or("n/a (no timestamps)".into(), |p| format!(
                    "{:.1} / {:.1} / {:.1}",
                    p.forward_ms, p.backward_ms, p.optimizer_ms
                )),
            );
            if cpu {
                s += &format!(" {:.1} |", d.cpu_ms_per_step.unwrap_or(f64::NAN));
            }
            s += "\n";
        }
        for b in &self.baselines {
            s += &format!(
                "| {} upsample (no training) | 0 | - | - | {:.2} | {:.4} | - | 0 | - | - |",
                b.name, b.psnr, b.ssim
            );
            s += if cpu { " - |\n" } else { "\n" };
        }
        s += "\nheld-out PSNR (dB) during training, at (step, training seconds):\n";
        for d in &self.decoders {
            let pts: Vec<String> = d
                .curve
                .iter()
                .map(|p| format!("{}:{:.2}", p.step, p.psnr))
                .collect();
            let secs = d.curve.last().map_or(0.0, |p| p.seconds);
            s += &format!("  {} ({secs:.1} s): {}\n", d.key, pts.join(" "));
        }
        s += "\n";
        for c in &self.verdicts {
            s += &format!(
                "{}: {} — {}: {}\n",
                c.claim,
                c.verdict_word(),
                c.measure,
                c.summary
            );
        }
        s
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises to JSON")
    }
}
