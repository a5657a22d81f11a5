//! The GPU side: context (device, queue, adapter choice, error capture), GPU tensors, the pipeline
//! cache and dispatch-grid helpers.

mod context;
pub(crate) mod dispatch;
pub(crate) mod pipeline;
mod tensor;

pub use context::GpuContext;
pub(crate) use context::SerialLock;
pub use tensor::GpuTensor;
