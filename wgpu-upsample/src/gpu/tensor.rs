//! GPU tensors: a storage buffer and a shape.

use std::sync::Arc;

use super::{GpuContext, SerialLock};
use crate::error::{Error, Result};
use crate::tensor::checked_numel;

/// A tensor in a GPU storage buffer: contiguous `f32`, row-major (NCHW), starting at byte 0.
///
/// Create one with [`GpuContext::upload`](crate::GpuContext::upload) or
/// [`GpuContext::empty`](crate::GpuContext::empty), or wrap a buffer of your own with
/// [`GpuTensor::from_buffer`]. It belongs to that context (and its clones): other contexts
/// refuse it. Cloning shares the buffer.
#[derive(Clone)]
pub struct GpuTensor {
    /// Always `Some` until the tensor is dropped.
    buffer: Option<wgpu::Buffer>,
    shape: Vec<usize>,
    /// The identity of the context it belongs to.
    owner: u64,
    /// On GL, the buffer is released under the context's lock.
    serial: Option<Arc<SerialLock>>,
}

impl std::fmt::Debug for GpuTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuTensor")
            .field("buffer", &self.buffer)
            .field("shape", &self.shape)
            .finish()
    }
}

impl Drop for GpuTensor {
    fn drop(&mut self) {
        let _guard = self.serial.as_deref().map(SerialLock::lock);
        drop(self.buffer.take());
    }
}

impl GpuTensor {
    /// Wraps a caller's buffer, made on `ctx`'s device, as a tensor of `shape` belonging to
    /// `ctx`. The buffer needs `STORAGE` usage (and `COPY_SRC` to be downloaded, `COPY_DST` to
    /// be written) and at least `4 * numel` bytes.
    pub fn from_buffer(ctx: &GpuContext, buffer: wgpu::Buffer, shape: &[usize]) -> Result<Self> {
        let numel = checked_numel(shape)?;
        if !buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::arg(format!(
                "a GPU tensor's buffer needs STORAGE usage, this one has {:?}",
                buffer.usage()
            )));
        }
        if (buffer.size() as u128) < numel as u128 * 4 {
            return Err(Error::shape(format!(
                "a buffer of {} bytes cannot hold a tensor of shape {shape:?} ({} bytes)",
                buffer.size(),
                numel as u128 * 4
            )));
        }
        Ok(Self {
            buffer: Some(buffer),
            shape: shape.to_vec(),
            owner: ctx.id(),
            serial: ctx.serial_lock(),
        })
    }

    /// The identity of the context it belongs to.
    pub(crate) fn owner(&self) -> u64 {
        self.owner
    }

    /// The buffer holding the elements.
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buffer
            .as_ref()
            .expect("a GpuTensor has its buffer until it is dropped")
    }

    /// The shape, outermost axis first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Bytes the elements occupy (`4 * numel`).
    pub fn size_bytes(&self) -> u64 {
        self.numel() as u64 * 4
    }

    /// The same buffer viewed with another shape of the same number of elements.
    pub fn reshape(&self, shape: &[usize]) -> Result<Self> {
        if checked_numel(shape)? != self.numel() {
            return Err(Error::shape(format!(
                "shape {shape:?} is invalid for input of size {}",
                self.numel()
            )));
        }
        Ok(Self {
            buffer: self.buffer.clone(),
            shape: shape.to_vec(),
            owner: self.owner,
            serial: self.serial.clone(),
        })
    }
}

/// Checks the output tensor an op records into: the shape the op produces for `input`, and a
/// buffer other than the input's (reading and writing one buffer in a pass is a hazard).
pub(crate) fn check_output(
    op: &str,
    input: &GpuTensor,
    output: &GpuTensor,
    expected: &[usize],
) -> Result<()> {
    if output.shape() != expected {
        return Err(Error::shape(format!(
            "the output tensor has shape {:?}, the {op} of an input of shape {:?} has shape \
             {expected:?}",
            output.shape(),
            input.shape()
        )));
    }
    if input.buffer() == output.buffer() {
        return Err(Error::arg(format!(
            "the input and output of {op} must be different buffers"
        )));
    }
    Ok(())
}
