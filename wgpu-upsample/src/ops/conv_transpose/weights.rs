//! Weights: PyTorch's default initialisation, and loading a `state_dict` saved as safetensors.

use rand::{Rng, SeedableRng};

use super::options::ConvTransposeOptions;
use crate::error::Result;
use crate::tensor::Tensor;

/// PyTorch's `reset_parameters` for transposed convolutions: weight and bias uniform in
/// `[-b, b]`, `b = 1/sqrt(fan_in)`, `fan_in = (out_channels / groups) · prod(kernel_size)` (the
/// weight's dimension 1 times the receptive field). Drawn from a seeded RNG (not PyTorch's).
pub(crate) fn default_init(
    options: &ConvTransposeOptions,
    seed: u64,
) -> Result<(Tensor, Option<Tensor>)> {
    let shape = options.weight_shape()?;
    uniform_init(&shape, options.out_channels, options.bias, seed)
}

/// PyTorch's default initialisation of a convolution's weight of `shape` and (with `bias`) a
/// bias of `channels`: uniform in ±1/sqrt(fan_in), fan_in = the product of `shape[1..]`
/// (`kaiming_uniform_(a=sqrt(5))`), weight first, from an RNG seeded with `seed`.
pub(crate) fn uniform_init(
    shape: &[usize],
    channels: usize,
    bias: bool,
    seed: u64,
) -> Result<(Tensor, Option<Tensor>)> {
    // (In f64: with no input channels the other dims' product may exceed usize.)
    let fan_in: f64 = shape[1..].iter().map(|&d| d as f64).product();
    let bound = if fan_in > 0.0 {
        1.0 / fan_in.sqrt()
    } else {
        0.0
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut uniform = |_| {
        if bound > 0.0 {
            rng.random_range(-bound..bound) as f32
        } else {
            0.0
        }
    };
    let weight = Tensor::from_fn(shape, &mut uniform)?;
    let bias = bias
        .then(|| Tensor::from_fn(&[channels], &mut uniform))
        .transpose()?;
    Ok((weight, bias))
}

/// Reads `{prefix}weight` and (when the layer has a bias) `{prefix}bias` from safetensors bytes.
#[cfg(feature = "safetensors")]
pub(crate) fn from_safetensors(
    bytes: &[u8],
    prefix: &str,
    with_bias: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let file = crate::safetensors::SafeTensors::parse(bytes)?;
    let weight = file.tensor(&format!("{prefix}weight"))?;
    let bias = with_bias
        .then(|| file.tensor(&format!("{prefix}bias")))
        .transpose()?;
    Ok((weight, bias))
}
