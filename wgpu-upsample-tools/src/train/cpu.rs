//! The CPU twin of one training step: the library's CPU references for the forward, the MSE
//! loss, every backward and the optimizer's update, in the GPU step's order.

use anyhow::Result;
use wgpu_upsample::{MseLoss, Op, ParamGrads, Reduction, Relu, Tensor};

use super::TrainOptions;
use super::model::{Layer, decoder};
use super::step::{Optimizer, StepResult, check_batch};

impl Layer {
    /// grad_input from grad_output on the CPU (`x` the layer's input).
    fn backward_cpu(&self, x: &Tensor, gy: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Layer::Conv(l) => l.backward(x.shape())?.forward_cpu(gy)?,
            Layer::ConvT(l) => l.backward(x.shape())?.forward_cpu(gy)?,
            Layer::Up(l) => l.backward_cpu(x.shape(), gy)?,
            Layer::Relu => Relu::backward_cpu(x, gy)?,
            Layer::Shuffle(l) => l.backward_cpu(x.shape(), gy)?,
        })
    }

    /// The parameters' gradients on the CPU (`None` for a layer without parameters).
    fn grad_params_cpu(&self, x: &Tensor, gy: &Tensor) -> Result<Option<ParamGrads>> {
        Ok(match self {
            Layer::Conv(l) => Some(l.grad_params_cpu(x, gy)?),
            Layer::ConvT(l) => Some(l.grad_params_cpu(x, gy)?),
            _ => None,
        })
    }

    /// The current weight and bias (`None` for a layer without parameters).
    pub(super) fn parameters_cpu(&self) -> Option<(Tensor, Option<Tensor>)> {
        match self {
            Layer::Conv(l) => Some((l.weight().clone(), l.bias().cloned())),
            Layer::ConvT(l) => Some((l.weight().clone(), l.bias().cloned())),
            _ => None,
        }
    }
}

/// One training step of decoder `key` (its initial weights from `o` and `out_bias`, as
/// [`super::gpu_step`]) on the CPU references, from `input` `(B, 3, P/2, P/2)` and `target`
/// `(B, 3, P, P)`: the forward, the MSE loss, every gradient, the optimizer's first update (at
/// the schedule's step-0 learning rate) of every parameter.
pub fn cpu_step(
    key: char,
    o: &TrainOptions,
    out_bias: [f32; 3],
    input: &Tensor,
    target: &Tensor,
) -> Result<StepResult> {
    check_batch(o, input, target)?;
    let layers = decoder(key, o.channels, o.seed, out_bias)?;
    let opt = Optimizer::new(o, o.lr_at(0))?;
    let mse = MseLoss::new(Reduction::Mean);
    // acts[i]: the input of layer i; the last, the output.
    let mut acts = vec![input.clone()];
    for l in &layers {
        let y = l.op().forward_cpu(acts.last().expect("input"))?;
        acts.push(y);
    }
    let out = acts.last().expect("output");
    let loss = mse.forward_cpu(out, target)?;
    let mut gy = mse.backward_cpu(out, target, 1.0)?;
    let mut layer_grads: Vec<Option<ParamGrads>> = vec![None; layers.len()];
    for i in (0..layers.len()).rev() {
        layer_grads[i] = layers[i].grad_params_cpu(&acts[i], &gy)?;
        if i > 0 {
            gy = layers[i].backward_cpu(&acts[i], &gy)?;
        }
    }
    let mut r = StepResult {
        loss,
        names: Vec::new(),
        grads: Vec::new(),
        before: Vec::new(),
        params: Vec::new(),
    };
    for (i, l) in layers.iter().enumerate() {
        let (Some((mut w, b)), Some(g)) = (l.parameters_cpu(), layer_grads[i].take()) else {
            continue;
        };
        r.before.push(w.clone());
        r.before.extend(b.clone());
        let mut sw = opt.state_cpu(w.shape())?;
        opt.step_cpu(&mut sw, &mut w, &g.weight)?;
        r.names.push((i, "weight"));
        r.grads.push(g.weight);
        r.params.push(w);
        if let (Some(mut b), Some(gb)) = (b, g.bias) {
            let mut sb = opt.state_cpu(b.shape())?;
            opt.step_cpu(&mut sb, &mut b, &gb)?;
            r.names.push((i, "bias"));
            r.grads.push(gb);
            r.params.push(b);
        }
    }
    Ok(r)
}
