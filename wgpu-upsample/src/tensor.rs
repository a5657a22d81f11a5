//! Host tensors: a shape and contiguous `f32` data in PyTorch's (row-major, NCHW) order.

use crate::error::{Error, Result};

/// A tensor in host memory: `shape` and its elements, contiguous, last axis fastest (like a
/// contiguous PyTorch tensor, e.g. NCHW).
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

impl Tensor {
    /// A tensor of `shape` holding `data`. Fails when `data.len()` is not the product of `shape`.
    pub fn new(shape: &[usize], data: Vec<f32>) -> Result<Self> {
        let numel = checked_numel(shape)?;
        if numel != data.len() {
            return Err(Error::shape(format!(
                "shape {shape:?} is invalid for input of size {}",
                data.len()
            )));
        }
        Ok(Self {
            shape: shape.to_vec(),
            data,
        })
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Result<Self> {
        Ok(Self {
            shape: shape.to_vec(),
            data: zeroed(checked_numel(shape)?)?,
        })
    }

    /// A tensor whose element at flat (row-major) index `i` is `f(i)`.
    pub fn from_fn(shape: &[usize], f: impl FnMut(usize) -> f32) -> Result<Self> {
        let numel = checked_numel(shape)?;
        let mut data = with_capacity(numel)?;
        data.extend((0..numel).map(f));
        Ok(Self {
            shape: shape.to_vec(),
            data,
        })
    }

    /// The shape, outermost axis first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The elements, row-major.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The elements, mutable.
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Consumes the tensor and returns its elements.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.data.len()
    }

    /// The same elements under another shape with the same number of elements (like `reshape`).
    pub fn reshape(self, shape: &[usize]) -> Result<Self> {
        Tensor::new(shape, self.data)
    }

    /// Largest absolute element-wise difference to `other` (shapes must match).
    pub fn max_abs_diff(&self, other: &Tensor) -> Result<f32> {
        if self.shape != other.shape {
            return Err(Error::shape(format!(
                "cannot compare tensors of shapes {:?} and {:?}",
                self.shape, other.shape
            )));
        }
        Ok(self
            .data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max))
    }
}

/// The product of `shape`, or an error when its `f32` elements could not be addressed in one
/// allocation (more than `isize::MAX` bytes, Rust's limit).
pub(crate) fn checked_numel(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= isize::MAX as usize / 4)
        .ok_or_else(|| Error::LimitExceeded(format!("shape {shape:?} has too many elements")))
}

/// An empty vector with room for `len` elements, or an error (PyTorch's CPU allocator message)
/// when the memory cannot be had, instead of the abort a plain allocation would give.
pub(crate) fn with_capacity(len: usize) -> Result<Vec<f32>> {
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| alloc_error(len))?;
    Ok(data)
}

/// PyTorch's CPU allocator message for `len` floats that could not be had.
pub(crate) fn alloc_error(len: usize) -> Error {
    Error::LimitExceeded(format!(
        "can't allocate memory: you tried to allocate {} bytes",
        len as u128 * 4
    ))
}

/// A copy of `data`, or the error of [`with_capacity`].
pub(crate) fn copied(data: &[f32]) -> Result<Vec<f32>> {
    let mut out = with_capacity(data.len())?;
    out.extend_from_slice(data);
    Ok(out)
}

/// `len` zeros, or the error of [`with_capacity`].
pub(crate) fn zeroed(len: usize) -> Result<Vec<f32>> {
    let mut data = with_capacity(len)?;
    data.resize(len, 0.0);
    Ok(data)
}
