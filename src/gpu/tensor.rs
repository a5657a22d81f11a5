//! GPU tensors: a storage buffer and a shape.

use crate::error::{Error, Result};
use crate::tensor::checked_numel;

/// A tensor in a GPU storage buffer: contiguous `f32`, row-major (NCHW), starting at byte 0.
///
/// Create one with [`GpuContext::upload`](crate::GpuContext::upload) or
/// [`GpuContext::empty`](crate::GpuContext::empty), or wrap a buffer of your own with
/// [`GpuTensor::from_buffer`]. Cloning shares the buffer.
#[derive(Debug, Clone)]
pub struct GpuTensor {
    buffer: wgpu::Buffer,
    shape: Vec<usize>,
}

impl GpuTensor {
    /// Wraps a caller's buffer as a tensor of `shape`. The buffer needs `STORAGE` usage (and
    /// `COPY_SRC` to be downloaded) and at least `4 * numel` bytes.
    pub fn from_buffer(buffer: wgpu::Buffer, shape: &[usize]) -> Result<Self> {
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
            buffer,
            shape: shape.to_vec(),
        })
    }

    /// The buffer holding the elements.
    pub fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
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
        })
    }
}
