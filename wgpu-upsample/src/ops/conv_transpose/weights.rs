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
    let fan_in: usize = shape[1..].iter().product();
    let bound = if fan_in > 0 {
        1.0 / (fan_in as f64).sqrt()
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
    let weight = Tensor::from_fn(&shape, &mut uniform)?;
    let bias = options
        .bias
        .then(|| Tensor::from_fn(&[options.out_channels], &mut uniform))
        .transpose()?;
    Ok((weight, bias))
}

/// Reads `{prefix}weight` and (when the layer has a bias) `{prefix}bias` from safetensors bytes.
pub(crate) fn from_safetensors(
    bytes: &[u8],
    prefix: &str,
    with_bias: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let file = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| Error::Weights(format!("not a safetensors file: {e}")))?;
    let read = |name: &str| -> Result<Tensor> {
        let key = format!("{prefix}{name}");
        let view = file.tensor(&key).map_err(|_| {
            let mut keys: Vec<String> = file.names().into_iter().map(str::to_string).collect();
            keys.sort();
            Error::Weights(format!(
                "no tensor {key:?} in the safetensors file (it has: {})",
                keys.join(", ")
            ))
        })?;
        let data: Vec<f32> = match view.dtype() {
            safetensors::Dtype::F32 => view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            safetensors::Dtype::F64 => view
                .data()
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")) as f32)
                .collect(),
            // Half-precision checkpoints: widened exactly to f32 (as `module.float()` would).
            safetensors::Dtype::F16 => view
                .data()
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            safetensors::Dtype::BF16 => view
                .data()
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(Error::Weights(format!(
                    "tensor {key:?} has dtype {other:?}; expected a floating-point tensor \
                     (float32, float64, float16 or bfloat16)"
                )));
            }
        };
        Tensor::new(view.shape(), data)
    };
    let weight = read("weight")?;
    let bias = with_bias.then(|| read("bias")).transpose()?;
    Ok((weight, bias))
}
