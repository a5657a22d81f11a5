//! The GPU side: the context (device, queue, adapter choice, error capture), GPU tensors, kernels
//! (shaders with their constants, compiled once per context), the launch plumbing every op uses,
//! and kernel timing ([`timing`]).

pub(crate) mod context;
pub(crate) mod kernel;
pub(crate) mod launch;
mod tensor;
pub mod timing;

pub use context::GpuContext;
pub(crate) use context::SerialLock;
pub use tensor::GpuTensor;
pub(crate) use tensor::check_output;

/// Layers' weights held on GPU contexts in this process, for [`live_layer_states`].
pub(crate) static LIVE_LAYER_STATES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// How many layers' uploaded weights (one per layer and context it ran on) are alive in this
/// process: a leak check. They go when their context's last clone goes or their layer goes.
pub fn live_layer_states() -> usize {
    LIVE_LAYER_STATES.load(std::sync::atomic::Ordering::Relaxed)
}
