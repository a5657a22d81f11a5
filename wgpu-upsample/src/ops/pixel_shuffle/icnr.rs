//! ICNR (Aitken et al. 2017, "Checkerboard artifact free sub-pixel convolution"): the
//! initialisation of the convolution before a [`PixelShuffle`](super::PixelShuffle) under which
//! the pair starts out as a nearest-neighbour upsample of a convolution, free of checkerboard
//! artifacts.
//!
//! PixelShuffle(r) reads output channel `c` of its input from channels `c·r² .. (c+1)·r²`. When
//! those `r²` channels of the convolution's weight (and bias) are equal, every `r×r` block of the
//! shuffled output holds one value: `PixelShuffle(conv(x; W)) = nearest×r(conv(x; W0))` exactly,
//! where `W[c·r² + i] = W0[c]`.

use crate::error::{Error, Result};
use crate::tensor::{Tensor, checked_numel, with_capacity};

/// `r²`, or PyTorch's error for a factor of 0 or one whose square overflows.
fn square(upscale_factor: usize) -> Result<usize> {
    if upscale_factor == 0 {
        return Err(Error::arg(
            "icnr expects a positive upscale_factor, but got 0",
        ));
    }
    upscale_factor
        .checked_mul(upscale_factor)
        .filter(|&r2| r2 as u64 <= i64::MAX as u64)
        .ok_or_else(|| {
            Error::arg(format!(
                "upscale factor is too large, (upscale_factor)^2 overflowed: \
                 upscale_factor={upscale_factor}"
            ))
        })
}

/// `tensor`'s first dimension and the elements per index of it, or an error for a scalar.
fn rows(tensor: &Tensor, what: &str) -> Result<(usize, usize)> {
    match tensor.shape() {
        [] => Err(Error::shape(format!(
            "icnr expects {what} with at least 1 dimension, but got a tensor with 0 dimensions"
        ))),
        [n, rest @ ..] => Ok((*n, rest.iter().product())),
    }
}

/// The ICNR version of a convolution weight (or bias) meant to feed a
/// [`PixelShuffle(upscale_factor)`](super::PixelShuffle): for `weight` of shape
/// `(C_out·r², C_in/groups, *kernel_size)`, the weight of the same shape in which each group of
/// `r²` consecutive output channels holds the group's first: `W[c·r² + i] = weight[c·r²]` for
/// `i` in `0..r²`. Any rank from 1 works, so a bias of shape `(C_out·r²,)` is made ICNR the same
/// way, as it must be for the property to hold.
///
/// To initialise a layer from a weight `W0` of shape `(C_out, ...)` (e.g. drawn by PyTorch's
/// default init for `C_out` channels, as Aitken et al. do), use [`icnr_from`] and [`icnr_bias`].
///
/// Errors: a factor of 0 or whose square overflows ([`Error::InvalidArgument`]), a scalar or a
/// first dimension not divisible by `r²` ([`Error::InvalidShape`]).
///
/// ```
/// use wgpu_upsample::{Tensor, icnr};
/// let w = Tensor::from_fn(&[8, 1, 1, 1], |i| i as f32).unwrap();
/// assert_eq!(icnr(&w, 2).unwrap().data(), &[0.0, 0.0, 0.0, 0.0, 4.0, 4.0, 4.0, 4.0]);
/// ```
pub fn icnr(weight: &Tensor, upscale_factor: usize) -> Result<Tensor> {
    let r2 = square(upscale_factor)?;
    let (n, inner) = rows(weight, "a weight")?;
    if !n.is_multiple_of(r2) {
        return Err(Error::shape(format!(
            "icnr expects the weight's output-channel dimension to be divisible by the square of \
             upscale_factor, but weight.size(0)={n} is not divisible by {r2}"
        )));
    }
    let mut data = with_capacity(weight.numel())?;
    for group in weight.data().chunks_exact(r2 * inner.max(1)).take(n / r2) {
        for _ in 0..r2 {
            data.extend_from_slice(&group[..inner]);
        }
    }
    Tensor::new(weight.shape(), data)
}

/// The ICNR weight for a [`PixelShuffle(upscale_factor)`](super::PixelShuffle) built from a
/// weight `base` of shape `(C_out, C_in/groups, *kernel_size)`: the weight of shape
/// `(C_out·r², C_in/groups, *kernel_size)` with `W[c·r² + i] = base[c]` for `i` in `0..r²` (each
/// output channel repeated `r²` times, PyTorch's `base.repeat_interleave(r * r, dim=0)`). The
/// convolution's bias must be repeated the same way: [`icnr_bias`].
///
/// Errors: a factor of 0 or whose square overflows ([`Error::InvalidArgument`]), a scalar
/// ([`Error::InvalidShape`]), a result too large ([`Error::LimitExceeded`]).
///
/// ```
/// use wgpu_upsample::{Tensor, icnr_from};
/// let w0 = Tensor::from_fn(&[2, 1, 1, 1], |i| i as f32).unwrap();
/// let w = icnr_from(&w0, 2).unwrap();
/// assert_eq!(w.shape(), &[8, 1, 1, 1]);
/// assert_eq!(w.data(), &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
/// ```
pub fn icnr_from(base: &Tensor, upscale_factor: usize) -> Result<Tensor> {
    let r2 = square(upscale_factor)?;
    let (n, inner) = rows(base, "a weight")?;
    let mut shape = base.shape().to_vec();
    shape[0] = n.checked_mul(r2).ok_or_else(|| {
        Error::LimitExceeded(format!(
            "the ICNR weight of shape {:?} with upscale_factor={upscale_factor} has too many \
             output channels",
            base.shape()
        ))
    })?;
    let mut data = with_capacity(checked_numel(&shape)?)?;
    if inner > 0 {
        for row in base.data().chunks_exact(inner) {
            for _ in 0..r2 {
                data.extend_from_slice(row);
            }
        }
    }
    Tensor::new(&shape, data)
}

/// The bias for the ICNR weight of [`icnr_from`]: `bias` of shape `(C_out,)` with each element
/// repeated `r²` times, shape `(C_out·r²,)`. With it, `PixelShuffle(conv(x; icnr_from(W0),
/// icnr_bias(b0)))` equals the nearest ×r upsample of `conv(x; W0, b0)` exactly.
///
/// Errors: as [`icnr_from`], and a `bias` of another rank than 1 ([`Error::InvalidShape`]).
///
/// ```
/// use wgpu_upsample::{Tensor, icnr_bias};
/// let b0 = Tensor::new(&[2], vec![1.0, 2.0]).unwrap();
/// assert_eq!(icnr_bias(&b0, 2).unwrap().data(), &[1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
/// ```
pub fn icnr_bias(bias: &Tensor, upscale_factor: usize) -> Result<Tensor> {
    if bias.shape().len() != 1 {
        return Err(Error::shape(format!(
            "icnr_bias expects a bias of 1 dimension, but got a tensor of shape {:?}",
            bias.shape()
        )));
    }
    icnr_from(bias, upscale_factor)
}
