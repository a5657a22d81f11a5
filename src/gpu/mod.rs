//! The GPU side: context (device, queue, adapter choice, error capture), GPU tensors, the pipeline
//! cache, dispatch-grid helpers and kernel timing ([`timing`]).

mod context;
pub(crate) mod dispatch;
pub(crate) mod pipeline;
mod tensor;
pub mod timing;

pub use context::GpuContext;
pub(crate) use context::SerialLock;
pub use tensor::GpuTensor;
pub(crate) use tensor::check_output;
