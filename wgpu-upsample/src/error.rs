//! The library's error type.
//!
//! Every fallible call returns [`Result<T>`](crate::Result). Argument errors carry the message
//! PyTorch gives for the same mistake (or one a PyTorch user recognises), so they can be matched on
//! by kind and read by people.

/// What went wrong. Implements [`std::error::Error`], so it converts into `anyhow::Error` with `?`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No GPU adapter could be found (no driver, or the chosen backend is missing).
    #[error("{0}")]
    NoAdapter(String),
    /// The adapter refused to create a device with the requested features and limits.
    #[error("could not create a GPU device: {0}")]
    DeviceRequest(String),
    /// An argument PyTorch rejects (`ValueError` / `RuntimeError` in PyTorch).
    #[error("{0}")]
    InvalidArgument(String),
    /// A tensor of the wrong rank, with a zero-sized dimension, or whose data length does not match
    /// its shape.
    #[error("{0}")]
    InvalidShape(String),
    /// Something PyTorch itself does not implement (e.g. a mode for an input rank it has no kernel
    /// for), `NotImplementedError` in PyTorch.
    #[error("{0}")]
    NotImplemented(String),
    /// The work exceeds a limit of the adapter (buffer or binding size) or of the library.
    #[error("{0}")]
    LimitExceeded(String),
    /// wgpu reported an error (validation, out of memory, internal) while the library was using it.
    /// Caught with error scopes: this is returned, never raised as a panic.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Weights could not be loaded (missing file or key, unsupported dtype).
    #[error("{0}")]
    Weights(String),
    /// Reading a buffer back from the GPU failed.
    #[error("could not read a buffer back from the GPU: {0}")]
    BufferMap(String),
    /// An image file could not be read, decoded, encoded or written (the `quality` module).
    #[error("{0}")]
    Image(String),
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand constructors used across the crate.
impl Error {
    pub(crate) fn arg(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
    pub(crate) fn shape(msg: impl Into<String>) -> Self {
        Error::InvalidShape(msg.into())
    }
}
