//! The layers: one folder per op, each with its options and checks, GPU launch and CPU reference.

pub mod conv_transpose;
pub mod upsample;
