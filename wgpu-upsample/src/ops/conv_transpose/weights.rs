//! Weights: PyTorch's default initialisation, and loading a `state_dict` saved as safetensors.

use rand::{Rng, SeedableRng};

use super::options::ConvTransposeOptions;
use crate::error::{Error, Result};
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

/// The checks of a weight and bias given to a convolution layer: the weight of `expected` shape,
/// a bias of `channels` exactly when `with_bias` (PyTorch's messages; `transposed` for
/// ConvTranspose's). `layer` describes the layer, e.g. `Conv2d(in_channels=3, ...)`.
pub(crate) fn check_given(
    layer: &str,
    expected: &[usize],
    weight: &Tensor,
    bias: Option<&Tensor>,
    channels: usize,
    with_bias: bool,
    transposed: bool,
) -> Result<()> {
    if weight.shape() != expected {
        return Err(Error::shape(format!(
            "weight of size {:?} does not fit {layer}: expected a weight of size {expected:?}",
            weight.shape()
        )));
    }
    match (bias, with_bias) {
        (Some(b), true) if b.shape() != [channels] => Err(Error::shape(format!(
            "Given {}weight of size {expected:?}, expected bias to be 1-dimensional with \
             {channels} elements, but got bias of size {:?} instead",
            if transposed { "transposed=1, " } else { "" },
            b.shape()
        ))),
        (None, true) => Err(Error::arg(
            "the layer has bias=true but no bias tensor was given",
        )),
        (Some(_), false) => Err(Error::arg(
            "a bias tensor was given for a layer with bias=false",
        )),
        _ => Ok(()),
    }
}
