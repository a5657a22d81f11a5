//! The GPU side: the context (device, queue, adapter choice, error capture), GPU tensors, kernels
//! (shaders with their constants, compiled once per context), the launch plumbing every op uses,
//! and kernel timing ([`timing`]).

mod context;
pub(crate) mod kernel;
pub(crate) mod launch;
mod tensor;
pub mod timing;

pub use context::GpuContext;
pub(crate) use context::SerialLock;
pub use tensor::GpuTensor;
pub(crate) use tensor::check_output;
