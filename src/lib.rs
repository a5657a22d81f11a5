#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod compare;
mod cpu;
pub mod error;
pub mod gpu;
pub mod ops;
pub mod quality;
mod tensor;

pub use error::{Error, Result};
pub use gpu::{GpuContext, GpuTensor};
pub use ops::conv_transpose::{
    ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, PaddingMode,
};
pub use ops::upsample::{Upsample, UpsampleMode};
pub use tensor::Tensor;
