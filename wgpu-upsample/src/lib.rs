#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod error;
pub mod gpu;
mod op;
pub mod ops;
mod parallel;
#[cfg(feature = "safetensors")]
mod safetensors;
mod tensor;

pub use error::{Error, Result};
pub use gpu::{GpuContext, GpuTensor};
pub use op::Op;
pub use ops::conv::{
    Conv, ConvBackward, ConvOptions, ConvPadding, GpuParamGrads, GpuParams, ParamGrads,
};
pub use ops::conv_transpose::{
    ConvTranspose, ConvTransposeBackward, ConvTransposeKernel, ConvTransposeOptions,
    ConvTransposeSized, PaddingMode,
};
pub use ops::copy::CopyKernel;
pub use ops::gemm::GemmCore;
pub use ops::loss::{MseLoss, Reduction};
pub use ops::optim::{
    Adam, AdamOptions, AdamState, GpuAdamState, GpuSgdState, Sgd, SgdOptions, SgdState,
};
pub use ops::pixel_shuffle::{
    PixelShuffle, PixelShuffleBackward, PixelUnshuffle, PixelUnshuffleBackward, icnr, icnr_bias,
    icnr_from,
};
pub use ops::relu::Relu;
pub use ops::upsample::{Upsample, UpsampleBackward, UpsampleMode};
pub use tensor::Tensor;
