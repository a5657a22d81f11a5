//! One training step on the GPU: forward, MSE loss, backward through every layer, the
//! optimizer's update of every parameter, all recorded into one command encoder; the buffers it
//! keeps; and GPU timestamps between its phases.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use wgpu_upsample::{
    Adam, AdamOptions, AdamState, GpuAdamState, GpuContext, GpuParams, GpuSgdState, GpuTensor,
    MseLoss, Reduction, Sgd, SgdOptions, SgdState, Tensor,
};

use super::model::{Layer, decoder};
use super::{OptimizerKind, TrainOptions};

/// The optimizer of a run, at one learning rate.
#[derive(Debug, Clone, Copy)]
pub(super) enum Optimizer {
    Adam(Adam),
    Sgd(Sgd),
}

/// An optimizer's state for one parameter on the GPU.
#[derive(Debug)]
pub(super) enum GpuState {
    Adam(GpuAdamState),
    Sgd(GpuSgdState),
}

/// An optimizer's state for one parameter on the CPU.
#[derive(Debug)]
pub(super) enum CpuState {
    Adam(AdamState),
    Sgd(SgdState),
}

impl Optimizer {
    /// The optimizer of `o` with learning rate `lr`.
    pub(super) fn new(o: &TrainOptions, lr: f64) -> Result<Self> {
        Ok(match o.optimizer {
            OptimizerKind::Adam => Optimizer::Adam(Adam::new(AdamOptions {
                lr,
                ..Default::default()
            })?),
            OptimizerKind::Sgd => Optimizer::Sgd(Sgd::new(SgdOptions {
                lr,
                momentum: o.momentum,
                ..Default::default()
            })?),
        })
    }

    pub(super) fn state_gpu(&self, ctx: &GpuContext, shape: &[usize]) -> Result<GpuState> {
        Ok(match self {
            Optimizer::Adam(a) => GpuState::Adam(a.state_gpu(ctx, shape)?),
            Optimizer::Sgd(_) => GpuState::Sgd(GpuSgdState::default()),
        })
    }

    pub(super) fn state_cpu(&self, shape: &[usize]) -> Result<CpuState> {
        Ok(match self {
            Optimizer::Adam(a) => CpuState::Adam(a.state_cpu(shape)?),
            Optimizer::Sgd(_) => CpuState::Sgd(SgdState::default()),
        })
    }

    /// Tensors of optimizer state per parameter tensor (Adam: 2, SGD with momentum: 1).
    pub(super) fn state_tensors(&self) -> u64 {
        match self {
            Optimizer::Adam(_) => 2,
            Optimizer::Sgd(s) => u64::from(s.options().momentum != 0.0),
        }
    }

    pub(super) fn encode_step(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        state: &mut GpuState,
        param: &GpuTensor,
        grad: &GpuTensor,
    ) -> Result<()> {
        match (self, state) {
            (Optimizer::Adam(a), GpuState::Adam(s)) => a.encode_step(ctx, enc, s, param, grad)?,
            (Optimizer::Sgd(o), GpuState::Sgd(s)) => o.encode_step(ctx, enc, s, param, grad)?,
            _ => bail!("an optimizer state of another optimizer"),
        }
        Ok(())
    }

    pub(super) fn step_cpu(
        &self,
        state: &mut CpuState,
        param: &mut Tensor,
        grad: &Tensor,
    ) -> Result<()> {
        match (self, state) {
            (Optimizer::Adam(a), CpuState::Adam(s)) => a.step_cpu(s, param, grad)?,
            (Optimizer::Sgd(o), CpuState::Sgd(s)) => o.step_cpu(s, param, grad)?,
            _ => bail!("an optimizer state of another optimizer"),
        }
        Ok(())
    }
}

/// The GPU memory a decoder's training holds, in bytes (f32 tensors as allocated by the step;
/// the kernels' own packed weight copies and scratch not included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Weights and biases.
    pub parameters: u64,
    /// Their gradients.
    pub gradients: u64,
    /// The optimizer's state (Adam: two moments per parameter; SGD: the momentum buffer).
    pub optimizer_state: u64,
    /// The forward's activations, kept for the backward (the batch input included).
    pub activations: u64,
    /// The gradients of the activations (one buffer per activation).
    pub activation_gradients: u64,
}

impl Memory {
    /// The sum of the parts.
    pub fn total(&self) -> u64 {
        self.parameters
            + self.gradients
            + self.optimizer_state
            + self.activations
            + self.activation_gradients
    }
}

/// A trainable layer on the GPU: its index, parameters, gradients and the optimizer's states
/// (weight, bias).
pub(super) struct Trainable {
    pub(super) layer: usize,
    pub(super) params: GpuParams,
    pub(super) grads: GpuParams,
    weight_state: GpuState,
    bias_state: Option<GpuState>,
}

/// Where a step's phases end: [`Stopwatch`] marks between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// Before the forward.
    Start = 0,
    /// After the forward and the loss.
    Forward = 1,
    /// After the loss's and every layer's backward.
    Backward = 2,
    /// After the optimizer's update (and the weights' re-packing).
    Optimizer = 3,
}

const MARKS: u32 = 4;

/// GPU timestamps written between the phases of up to `runs` steps (command-encoder timestamps:
/// `TIMESTAMP_QUERY_INSIDE_ENCODERS`), read back once at the end.
pub(super) struct Stopwatch {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    runs: u32,
}

impl Stopwatch {
    /// A stopwatch for the first `runs` steps, or `None` when the device cannot write
    /// timestamps inside an encoder (GL, for one).
    pub(super) fn new(ctx: &GpuContext, runs: usize) -> Option<Self> {
        let wanted =
            wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS;
        if !ctx.device().features().contains(wanted) || runs == 0 {
            return None;
        }
        let runs = runs.min((wgpu::QUERY_SET_MAX_QUERIES / MARKS) as usize) as u32;
        let bytes = u64::from(runs * MARKS) * u64::from(wgpu::QUERY_SIZE);
        let device = ctx.device();
        Some(Self {
            set: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("train phases"),
                ty: wgpu::QueryType::Timestamp,
                count: runs * MARKS,
            }),
            resolve: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("train phases resolve"),
                size: bytes,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            readback: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("train phases readback"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            runs,
        })
    }

    /// Writes mark `m` of step `run` (nothing past the steps it holds).
    pub(super) fn mark(&self, enc: &mut wgpu::CommandEncoder, run: usize, m: Mark) {
        if run < self.runs as usize {
            enc.write_timestamp(&self.set, run as u32 * MARKS + m as u32);
        }
    }

    /// Reads the marks of the first `runs` steps back: per step, the ms of forward, backward
    /// and optimizer; `None` when a step's marks are unusable.
    pub(super) fn read(&self, ctx: &GpuContext, runs: usize) -> Result<Option<Vec<[f64; 3]>>> {
        let runs = runs.min(self.runs as usize) as u32;
        if runs == 0 {
            return Ok(None);
        }
        let bytes = u64::from(runs * MARKS) * u64::from(wgpu::QUERY_SIZE);
        let mut enc = ctx.encoder("train phases resolve");
        enc.resolve_query_set(&self.set, 0..runs * MARKS, &self.resolve, 0);
        enc.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, bytes);
        ctx.queue().submit([enc.finish()]);
        let (sender, receiver) = std::sync::mpsc::channel();
        self.readback
            .map_async(wgpu::MapMode::Read, ..bytes, move |r| {
                let _ = sender.send(r);
            });
        ctx.wait()?;
        receiver.recv()??;
        let ticks: Vec<u64> = self
            .readback
            .get_mapped_range(..bytes)?
            .chunks_exact(8)
            .map(|b| u64::from_ne_bytes(b.try_into().expect("8 bytes")))
            .collect();
        self.readback.unmap();
        let period_ms = f64::from(ctx.queue().get_timestamp_period()) * 1e-6;
        let mut out = Vec::with_capacity(runs as usize);
        for t in ticks.chunks_exact(MARKS as usize) {
            if t.windows(2).any(|w| w[1] < w[0]) || t[0] == 0 || period_ms <= 0.0 {
                return Ok(None);
            }
            out.push(std::array::from_fn(|i| {
                (t[i + 1] - t[i]) as f64 * period_ms
            }));
        }
        Ok(Some(out))
    }
}

/// One training step of a decoder on the GPU, with all its buffers: `input` and `target` are
/// filled by the caller, [`GpuStep::encode`] records forward, loss, backward and the update.
pub(super) struct GpuStep {
    pub(super) layers: Vec<Layer>,
    pub(super) trainable: Vec<Trainable>,
    pub(super) input: GpuTensor,
    pub(super) target: GpuTensor,
    pub(super) acts: Vec<GpuTensor>,
    /// `grads[i]`: dL/d `acts[i]` (none for the network input).
    grads: Vec<Option<GpuTensor>>,
    pub(super) loss: GpuTensor,
    mse: MseLoss,
    state_tensors: u64,
}

/// Forward of `layers` from `input` into fresh activations (the input first, the output last).
pub(super) fn alloc_acts(
    ctx: &GpuContext,
    layers: &[Layer],
    input: &GpuTensor,
) -> Result<Vec<GpuTensor>> {
    let mut acts = vec![input.clone()];
    for l in layers {
        let shape = l.op().output_shape(acts.last().expect("input").shape())?;
        acts.push(ctx.empty(&shape)?);
    }
    Ok(acts)
}

/// Records the forward of `layers` through `acts` (from [`alloc_acts`]).
pub(super) fn encode_forward(
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

fn bytes(t: &GpuTensor) -> u64 {
    t.size_bytes()
}

impl GpuStep {
    pub(super) fn new(
        ctx: &GpuContext,
        layers: Vec<Layer>,
        key: char,
        o: &TrainOptions,
    ) -> Result<Self> {
        let opt = Optimizer::new(o, o.lr)?;
        // Parameters, their gradients and the optimizer's state, per layer.
        let mut trainable = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            if let Some(p) = l.parameters_gpu(ctx)? {
                let grads = GpuParams {
                    weight: ctx.empty(p.weight.shape())?,
                    bias: p.bias.as_ref().map(|b| ctx.empty(b.shape())).transpose()?,
                };
                let weight_state = opt.state_gpu(ctx, p.weight.shape())?;
                let bias_state = p
                    .bias
                    .as_ref()
                    .map(|b| opt.state_gpu(ctx, b.shape()))
                    .transpose()?;
                trainable.push(Trainable {
                    layer: i,
                    params: p,
                    grads,
                    weight_state,
                    bias_state,
                });
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
            trainable,
            input,
            target,
            acts,
            grads,
            loss: ctx.empty(&[1])?,
            mse: MseLoss::new(Reduction::Mean),
            state_tensors: opt.state_tensors(),
        })
    }

    /// The GPU memory this step holds.
    pub(super) fn memory(&self) -> Memory {
        let params: u64 = self
            .trainable
            .iter()
            .map(|t| bytes(&t.params.weight) + t.params.bias.as_ref().map_or(0, bytes))
            .sum();
        Memory {
            parameters: params,
            gradients: params,
            optimizer_state: self.state_tensors * params,
            activations: self.acts.iter().map(bytes).sum::<u64>() + bytes(&self.target),
            activation_gradients: self.grads.iter().flatten().map(bytes).sum(),
        }
    }

    /// Records one step from `input` and `target`: forward, the loss into `loss`, the
    /// gradients, `opt`'s update of every parameter; marks on `watch` as step `run`.
    pub(super) fn encode(
        &mut self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        opt: &Optimizer,
        watch: Option<(&Stopwatch, usize)>,
    ) -> Result<()> {
        let mark = |enc: &mut wgpu::CommandEncoder, m: Mark| {
            if let Some((w, run)) = watch {
                w.mark(enc, run, m);
            }
        };
        let (layers, acts, grads) = (&self.layers, &self.acts, &self.grads);
        let out = acts.last().expect("output");
        mark(enc, Mark::Start);
        encode_forward(ctx, enc, layers, acts)?;
        self.mse
            .encode_forward(ctx, enc, out, &self.target, &self.loss)?;
        mark(enc, Mark::Forward);
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
            if let Some(t) = self.trainable.iter().find(|t| t.layer == i) {
                layers[i].encode_grad_params(ctx, enc, &acts[i], gy, &t.grads)?;
            }
            if let Some(gx) = &grads[i] {
                layers[i].encode_backward(ctx, enc, &acts[i], gy, gx)?;
            }
        }
        mark(enc, Mark::Backward);
        for t in self.trainable.iter_mut() {
            opt.encode_step(
                ctx,
                enc,
                &mut t.weight_state,
                &t.params.weight,
                &t.grads.weight,
            )?;
            if let (Some(pb), Some(gb), Some(sb)) =
                (&t.params.bias, &t.grads.bias, t.bias_state.as_mut())
            {
                opt.encode_step(ctx, enc, sb, pb, gb)?;
            }
            layers[t.layer].encode_weights_changed(ctx, enc)?;
        }
        mark(enc, Mark::Optimizer);
        Ok(())
    }
}

/// The result of one training step (GPU or CPU): the loss of its forward, and for every
/// parameter (per trainable layer in order, its weight then its bias) the gradient and the
/// value after the optimizer's update.
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

pub(super) fn check_batch(o: &TrainOptions, input: &Tensor, target: &Tensor) -> Result<()> {
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

/// One training step of decoder `key` (its initial weights from `o`, the last bias
/// `out_bias`) on the GPU, with the training loop's own code, from `input` `(B, 3, P/2, P/2)`
/// and `target` `(B, 3, P, P)`; the loss, gradients and updated parameters downloaded.
pub fn gpu_step(
    ctx: &GpuContext,
    key: char,
    o: &TrainOptions,
    out_bias: [f32; 3],
    input: &Tensor,
    target: &Tensor,
) -> Result<StepResult> {
    check_batch(o, input, target)?;
    let mut st = GpuStep::new(ctx, decoder(key, o.channels, o.seed, out_bias)?, key, o)?;
    ctx.write(&st.input, input)?;
    ctx.write(&st.target, target)?;
    let opt = Optimizer::new(o, o.lr_at(0))?;
    let mut enc = ctx.encoder("train step");
    st.encode(ctx, &mut enc, &opt, None)?;
    ctx.queue().submit([enc.finish()]);
    let mut r = StepResult {
        loss: ctx.download(&st.loss)?.data()[0],
        names: Vec::new(),
        grads: Vec::new(),
        before: Vec::new(),
        params: Vec::new(),
    };
    for t in &st.trainable {
        let (w0, b0) = st.layers[t.layer]
            .parameters_cpu()
            .expect("a trainable layer");
        r.before.push(w0);
        r.before.extend(b0);
        r.names.push((t.layer, "weight"));
        r.grads.push(ctx.download(&t.grads.weight)?);
        r.params.push(ctx.download(&t.params.weight)?);
        if let (Some(pb), Some(gb)) = (&t.params.bias, &t.grads.bias) {
            r.names.push((t.layer, "bias"));
            r.grads.push(ctx.download(gb)?);
            r.params.push(ctx.download(pb)?);
        }
    }
    Ok(r)
}
