//! The training comparison of decoders (x2 super-resolution) on the GPU: random patches of a
//! photo, their area x2 downsample as input, five decoders with one body and different
//! upsamplers ([`DECODERS`]), trained with MSE and Adam or SGD, each step one command encoder
//! and one submission (parameters, gradients and optimizer state stay on the GPU); held-out PSNR
//! and SSIM on a second photo during training, against the bilinear and bicubic baselines; GPU
//! time per phase, memory, the checkerboard before and after training; verdicts on the claims.
//!
//! - `options`: [`TrainOptions`] and the command line.
//! - `data`: [`Dataset`] (training patches, the held-out image).
//! - `model`: the decoders.
//! - `step`: one GPU step ([`gpu_step`]), its buffers ([`Memory`]) and phase timestamps.
//! - `cpu`: the CPU twin of a step ([`cpu_step`]).
//! - `report`: [`Report`], its table, JSON and [`verdicts`].
//! - `pictures`: the chart, the contact sheet and the page ([`write_outputs`]).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use wgpu_upsample::{GpuContext, GpuTensor, Op, Tensor, Upsample, UpsampleMode};

use crate::quality::Image;
use crate::quality::metrics::{Checkerboard, checkerboard, psnr, ssim_plane};

mod cpu;
mod data;
mod model;
mod options;
mod pictures;
mod report;
mod step;

pub use cpu::cpu_step;
pub use data::{Dataset, Rng, default_image, default_test_image};
pub use model::{DECODERS, decoder_name, is_conv_transpose, is_resize_conv};
pub use options::{OptimizerKind, Schedule, TrainOptions, USAGE};
pub use pictures::{chart_svg, sheet, write_outputs};
pub use report::{
    Baseline, CHECKERBOARD_TOL, DecoderReport, EvalPoint, Phases, Pictures, Report,
    ReportedOptions, verdicts,
};
pub use step::{Memory, StepResult, gpu_step};

use model::{Layer, decoder};
use step::{GpuStep, Optimizer, Stopwatch, alloc_acts, encode_forward};

/// The `(1, 3, H/2, W/2)` area downsample of an image, on the GPU.
fn downsample(ctx: &GpuContext, target: &GpuTensor) -> Result<GpuTensor> {
    let s = target.shape();
    let down = Upsample::with_size([s[2] / 2, s[3] / 2], UpsampleMode::Area);
    Ok(down.forward_gpu(ctx, target)?)
}

fn clamped(out: &Tensor) -> Vec<f32> {
    out.data().iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// PSNR and mean SSIM over the channels (Gaussian window, range 1) of `out` clamped to [0, 1].
fn scores(out: &Tensor, want: &Image) -> (f64, f64) {
    let c = clamped(out);
    let n = want.width * want.height;
    let ssim = (0..want.channels)
        .map(|ch| {
            ssim_plane(
                &c[ch * n..(ch + 1) * n],
                want.plane(ch),
                want.height,
                want.width,
                1.0,
            )
        })
        .sum::<f64>()
        / want.channels as f64;
    (psnr(&c, &want.data, 1.0), ssim)
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

/// Runs the comparison on `ctx` with the images `o` names (or the bundled ones). `progress` gets
/// a line per loss readback and per evaluation.
pub fn run(ctx: &GpuContext, o: &TrainOptions, progress: impl FnMut(&str)) -> Result<Report> {
    o.check()?;
    let data = Dataset::load(o)?;
    run_on(ctx, &data, o, progress)
}

/// Runs the comparison on `ctx` with `data`.
pub fn run_on(
    ctx: &GpuContext,
    data: &Dataset,
    o: &TrainOptions,
    mut progress: impl FnMut(&str),
) -> Result<Report> {
    o.check()?;
    let test_target = ctx.upload(&data.test.to_tensor()?)?;
    let test_input = downsample(ctx, &test_target)?;
    let mut baselines = Vec::new();
    let mut pictures = Pictures {
        original: data.test.clone(),
        baselines: Vec::new(),
        decoders: Vec::new(),
    };
    for (name, mode) in [
        ("bilinear", UpsampleMode::Bilinear),
        ("bicubic", UpsampleMode::Bicubic),
    ] {
        let up = Upsample::with_scale_factor([2.0], mode);
        let out = ctx.download(&up.forward_gpu(ctx, &test_input)?)?;
        let (psnr, ssim) = scores(&out, &data.test);
        baselines.push(Baseline {
            name: name.into(),
            psnr,
            ssim,
        });
        pictures
            .baselines
            .push((name.into(), Image::from_tensor(&out)?));
    }
    let bicubic = baselines[1].psnr;
    let mut decoders = Vec::new();
    for &key in &o.decoders {
        let (r, out) = train_one(ctx, data, &test_input, key, o, bicubic, &mut progress)
            .with_context(|| format!("decoder {key}"))?;
        decoders.push(r);
        pictures.decoders.push((key, out));
    }
    Ok(Report {
        options: o.into(),
        device: ctx.describe(),
        train_size: (data.train.width, data.train.height),
        test_size: (data.test.width, data.test.height),
        verdicts: verdicts(&decoders, &baselines),
        baselines,
        decoders,
        pictures,
    })
}

/// The training verdicts from a short run ([`TrainOptions::short`] with `steps`), for `compare`:
/// each summary says how short the run was.
pub fn short_run_claims(
    ctx: &GpuContext,
    steps: usize,
    progress: impl FnMut(&str),
) -> Result<Vec<crate::compare::Claim>> {
    let o = TrainOptions {
        steps,
        log_every: steps,
        ..TrainOptions::short()
    };
    let report = run(ctx, &o, progress)?;
    Ok(report
        .verdicts
        .into_iter()
        .map(|mut c| {
            c.summary = format!(
                "short training run ({} steps, C={}, batch {} of {}x{}; `cargo run --release \
                 --example train` trains longer): {}",
                o.steps, o.channels, o.batch, o.patch, o.patch, c.summary
            );
            c
        })
        .collect())
}

/// The median of each phase over `steps` (the first, which compiles, left out when there are
/// others).
fn phase_medians(steps: &[[f64; 3]]) -> Option<Phases> {
    let steps = if steps.len() > 1 { &steps[1..] } else { steps };
    if steps.is_empty() {
        return None;
    }
    let med = |i: usize| {
        let mut v: Vec<f64> = steps.iter().map(|s| s[i]).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Some(Phases {
        forward_ms: med(0),
        backward_ms: med(1),
        optimizer_ms: med(2),
        steps: steps.len(),
    })
}

/// Trains decoder `key`; its report and its output for the held-out image.
fn train_one(
    ctx: &GpuContext,
    data: &Dataset,
    test_input: &GpuTensor,
    key: char,
    o: &TrainOptions,
    bicubic_psnr: f64,
    progress: &mut impl FnMut(&str),
) -> Result<(DecoderReport, Image)> {
    let name = decoder_name(key).ok_or_else(|| anyhow!("unknown decoder {key:?}"))?;
    let out_bias = data.train_mean();
    let layers = decoder(key, o.channels, o.seed, out_bias)?;
    let params_count: usize = layers.iter().map(|l| l.op().parameter_count()).sum();
    let mut st = GpuStep::new(ctx, layers, key, o)?;
    let memory = st.memory();
    let checkerboard_at_init = flat_checkerboard(ctx, &st.layers, test_input)?;
    let test_acts = alloc_acts(ctx, &st.layers, test_input)?;
    let watch = Stopwatch::new(ctx, o.steps);
    let evals = o.eval_steps();
    let p = o.patch;
    let down = Upsample::with_size([p / 2, p / 2], UpsampleMode::Area);
    let mut rng = Rng::new(o.seed);
    let mut losses = Vec::new();
    let mut curve = Vec::new();
    let mut test_out = None;
    // Training time: from the end of step 0 (which compiles the kernels), evaluations excluded.
    let mut trained = Duration::ZERO;
    let mut since: Option<Instant> = None;
    for step in 0..o.steps {
        let opt = Optimizer::new(o, o.lr_at(step))?;
        ctx.write(&st.target, &data.batch(&mut rng, o.batch, p)?)?;
        let mut enc = ctx.encoder("train step");
        down.encode_gpu(ctx, &mut enc, &st.target, &st.input)?;
        st.encode(ctx, &mut enc, &opt, watch.as_ref().map(|w| (w, step)))?;
        ctx.queue().submit([enc.finish()]);
        if step.is_multiple_of(o.log_every) || step + 1 == o.steps {
            let l = ctx.download(&st.loss)?.data()[0];
            losses.push((step, l));
            progress(&format!("  [{key}] step {step:>5}  loss {l:.6}"));
        }
        if step == 0 {
            ctx.wait()?;
            since = Some(Instant::now());
        }
        if evals.contains(&(step + 1)) {
            ctx.wait()?;
            if let Some(t) = since.take() {
                trained += t.elapsed();
            }
            let mut enc = ctx.encoder("held-out forward");
            encode_forward(ctx, &mut enc, &st.layers, &test_acts)?;
            ctx.queue().submit([enc.finish()]);
            let out = ctx.download(test_acts.last().expect("output"))?;
            let (psnr, ssim) = scores(&out, &data.test);
            curve.push(EvalPoint {
                step: step + 1,
                seconds: trained.as_secs_f64(),
                psnr,
                ssim,
            });
            progress(&format!(
                "  [{key}] after {:>5} steps ({:.1} s): held-out PSNR {psnr:.2} dB, SSIM {ssim:.4}",
                step + 1,
                trained.as_secs_f64()
            ));
            test_out = Some(out);
            since = Some(Instant::now());
        }
    }
    let ms_per_step = if o.steps > 1 {
        trained.as_secs_f64() * 1e3 / (o.steps - 1) as f64
    } else {
        f64::NAN
    };
    let phases = match &watch {
        Some(w) => w.read(ctx, o.steps)?.and_then(|s| phase_medians(&s)),
        None => None,
    };
    let tail = &losses[losses.len().saturating_sub(3)..];
    let final_loss = tail.iter().map(|l| l.1).sum::<f32>() / tail.len() as f32;
    let last = *curve.last().expect("the last step is evaluated");
    let reached_bicubic = curve
        .iter()
        .find(|p| p.psnr >= bicubic_psnr)
        .map(|p| (p.step, p.seconds));
    let checkerboard_trained = flat_checkerboard(ctx, &st.layers, test_input)?;
    let cpu_ms_per_step = if o.cpu_steps > 0 {
        let mut rng = Rng::new(o.seed);
        let mut total = 0.0;
        for _ in 0..o.cpu_steps {
            let target = data.batch(&mut rng, o.batch, p)?;
            let input = down.forward_cpu(&target)?;
            let t = Instant::now();
            cpu_step(key, o, out_bias, &input, &target)?;
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
    let out = Image::from_tensor(&test_out.expect("the last step is evaluated"))?;
    Ok((
        DecoderReport {
            key,
            name: name.to_string(),
            params: params_count,
            memory,
            losses,
            final_loss,
            curve,
            psnr: last.psnr,
            ssim: last.ssim,
            reached_bicubic,
            checkerboard_at_init,
            checkerboard_trained,
            ms_per_step,
            phases,
            cpu_ms_per_step,
        },
        out,
    ))
}
