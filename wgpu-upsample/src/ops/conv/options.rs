//! `Conv{1,2,3}d`'s hyper-parameters, PyTorch's checks, and the resolved geometry.

use super::plan::{Correlate, Gather};
use crate::error::{Error, Result};
use crate::ops::conv_transpose::{self, PaddingMode};
use crate::tensor::checked_numel;

/// Per-axis limit of sizes, paddings and tap spans (the kernels index with 32-bit integers).
const MAX_AXIS: usize = 1 << 30;

/// `nn.Conv*d`'s `padding`: explicit zero padding on both sides of each axis, or one of
/// PyTorch's strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvPadding {
    /// The same padding before and after each axis: one value, or one per axis.
    Explicit(Vec<usize>),
    /// `padding="same"`: the output as large as the input (stride 1 only). PyTorch pads
    /// `dilation·(kernel_size − 1)` in all, half of it (rounded down) before the axis.
    Same,
    /// `padding="valid"`: no padding.
    Valid,
}

impl ConvPadding {
    /// PyTorch's padding strings, `"same"` and `"valid"`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "same" => Ok(ConvPadding::Same),
            "valid" => Ok(ConvPadding::Valid),
            _ => Err(Error::arg(format!(
                "Invalid padding string '{s}', should be one of {{'valid', 'same'}}"
            ))),
        }
    }
}

/// The arguments of `nn.Conv1d/2d/3d`, with PyTorch's names. Per-axis arguments take one value
/// (applied to every axis) or one per spatial axis.
///
/// ```
/// use wgpu_upsample::{ConvOptions, ConvPadding};
/// // nn.Conv2d(16, 8, kernel_size=3, padding="same")
/// let opts = ConvOptions::new(2, 16, 8, [3]).padding(ConvPadding::Same);
/// assert_eq!(opts.padding, ConvPadding::Same);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConvOptions {
    /// Number of spatial axes: 1, 2 or 3 (Conv1d, 2d, 3d).
    pub dims: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size per axis.
    pub kernel_size: Vec<usize>,
    /// Stride per axis (default 1).
    pub stride: Vec<usize>,
    /// Padding (default `Explicit([0])`).
    pub padding: ConvPadding,
    /// Spacing between kernel taps (default 1).
    pub dilation: Vec<usize>,
    /// Blocked connections from input to output channels (default 1).
    pub groups: usize,
    /// Whether the layer has a learnable bias (default true).
    pub bias: bool,
    /// Only `Zeros` is supported by this library (PyTorch's other modes are refused).
    pub padding_mode: PaddingMode,
}

impl ConvOptions {
    /// `Conv{dims}d(in_channels, out_channels, kernel_size)` with PyTorch's defaults.
    pub fn new(
        dims: usize,
        in_channels: usize,
        out_channels: usize,
        kernel_size: impl Into<Vec<usize>>,
    ) -> Self {
        Self {
            dims,
            in_channels,
            out_channels,
            kernel_size: kernel_size.into(),
            stride: vec![1],
            padding: ConvPadding::Explicit(vec![0]),
            dilation: vec![1],
            groups: 1,
            bias: true,
            padding_mode: PaddingMode::Zeros,
        }
    }

    /// Sets `stride`.
    pub fn stride(mut self, v: impl Into<Vec<usize>>) -> Self {
        self.stride = v.into();
        self
    }
    /// Sets `padding`.
    pub fn padding(mut self, padding: ConvPadding) -> Self {
        self.padding = padding;
        self
    }
    /// Sets an explicit `padding` (one value, or one per axis).
    pub fn padding_explicit(self, v: impl Into<Vec<usize>>) -> Self {
        self.padding(ConvPadding::Explicit(v.into()))
    }
    /// Sets `dilation`.
    pub fn dilation(mut self, v: impl Into<Vec<usize>>) -> Self {
        self.dilation = v.into();
        self
    }
    /// Sets `groups`.
    pub fn groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self
    }
    /// Sets `bias`.
    pub fn bias(mut self, bias: bool) -> Self {
        self.bias = bias;
        self
    }
    /// Sets `padding_mode`.
    pub fn padding_mode(mut self, mode: PaddingMode) -> Self {
        self.padding_mode = mode;
        self
    }

    /// The layer's PyTorch name, e.g. `Conv2d`.
    pub fn layer_name(&self) -> String {
        format!("Conv{}d", self.dims)
    }

    /// The weight's shape: `(out_channels, in_channels / groups, *kernel_size)`.
    pub fn weight_shape(&self) -> Result<Vec<usize>> {
        Ok(self.layer()?.weight_shape())
    }

    /// PyTorch's construction checks, and per-axis values padded in front to three axes.
    pub(crate) fn layer(&self) -> Result<ConvLayer> {
        let dims = self.dims;
        if !(1..=3).contains(&dims) {
            return Err(Error::NotImplemented(format!(
                "Conv{dims}d does not exist: dims must be 1, 2 or 3"
            )));
        }
        if self.groups == 0 {
            return Err(Error::arg("groups must be a positive integer"));
        }
        if !self.in_channels.is_multiple_of(self.groups) {
            return Err(Error::arg("in_channels must be divisible by groups"));
        }
        if !self.out_channels.is_multiple_of(self.groups) {
            return Err(Error::arg("out_channels must be divisible by groups"));
        }
        if self.padding_mode != PaddingMode::Zeros {
            return Err(Error::NotImplemented(format!(
                "padding_mode={:?} is not supported by this library's {}: only zeros padding",
                self.padding_mode,
                self.layer_name()
            )));
        }
        let axes =
            |name: &str, v: &[usize], unit: usize| conv_transpose::per_axis(name, v, dims, unit);
        let k = axes("kernel_size", &self.kernel_size, 1)?;
        let s = axes("stride", &self.stride, 1)?;
        let d = axes("dilation", &self.dilation, 1)?;
        if s.contains(&0) {
            return Err(Error::arg("non-positive stride is not supported"));
        }
        // PyTorch runs Conv1d as a 2-d convolution of height 1: its messages show two axes.
        let shown = |v: &[usize; 3]| v[3 - dims.max(2)..].to_vec();
        if d.contains(&0) {
            return Err(Error::arg(format!(
                "dilation should be greater than zero, but got {:?}",
                shown(&d)
            )));
        }
        if k.contains(&0) {
            let got = if dims == 3 {
                format!(": {} x {} x {} (TxHxW)", k[0], k[1], k[2])
            } else {
                format!(" kernel_height: {} kernel_width: {}", k[1], k[2])
            };
            return Err(Error::arg(format!(
                "kernel size should be greater than zero, but got{got}"
            )));
        }
        let too_big = |v: &[usize; 3]| v.iter().any(|&x| x >= MAX_AXIS);
        let span: [usize; 3] = std::array::from_fn(|a| d[a].saturating_mul(k[a] - 1));
        if too_big(&k) || too_big(&s) || too_big(&d) || too_big(&span) {
            return Err(Error::LimitExceeded(format!(
                "kernel_size, stride, dilation and dilation·(kernel_size-1) must be below 2^30 \
                 (the kernels index with 32-bit integers), got kernel_size={:?} stride={:?} \
                 dilation={:?}",
                self.kernel_size, self.stride, self.dilation
            )));
        }
        let (p_lo, p_hi) = match &self.padding {
            ConvPadding::Explicit(v) => {
                let p = axes("padding", v, 0)?;
                (p, p)
            }
            ConvPadding::Valid => ([0; 3], [0; 3]),
            ConvPadding::Same => {
                if s.iter().any(|&s| s != 1) {
                    return Err(Error::arg(
                        "padding='same' is not supported for strided convolutions",
                    ));
                }
                let lo = span.map(|t| t / 2);
                (lo, std::array::from_fn(|a| span[a] - lo[a]))
            }
        };
        if too_big(&p_lo) || too_big(&p_hi) {
            return Err(Error::LimitExceeded(format!(
                "padding must be below 2^30, got {:?}",
                self.padding
            )));
        }
        let layer = ConvLayer {
            dims,
            c_in: self.in_channels,
            c_out: self.out_channels,
            groups: self.groups,
            k,
            s,
            p_lo,
            p_hi,
            d,
            bias: self.bias,
        };
        let weight = k
            .iter()
            .try_fold(
                layer.c_out as u128 * (layer.c_in / layer.groups) as u128,
                |a, &k| a.checked_mul(k as u128),
            )
            .filter(|&n| n <= (isize::MAX / 4) as u128);
        if weight.is_none() || layer.c_in >= MAX_AXIS || layer.c_out >= MAX_AXIS {
            return Err(Error::LimitExceeded(format!(
                "a weight of size ({}, {}, {:?}) cannot be addressed",
                layer.c_out,
                layer.c_in / layer.groups,
                self.kernel_size
            )));
        }
        Ok(layer)
    }
}

/// Checked hyper-parameters, per-axis values padded in front to three axes (D, H, W).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ConvLayer {
    pub dims: usize,
    pub c_in: usize,
    pub c_out: usize,
    pub groups: usize,
    pub k: [usize; 3],
    pub s: [usize; 3],
    /// Padding before and after each axis (they differ only for `"same"` with an odd total).
    pub p_lo: [usize; 3],
    pub p_hi: [usize; 3],
    pub d: [usize; 3],
    pub bias: bool,
}

/// The resolved problem for one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ConvGeometry {
    pub layer: ConvLayer,
    pub batched: bool,
    pub n: usize,
    pub l_in: [usize; 3],
    pub l_out: [usize; 3],
}

impl ConvLayer {
    /// `(out_channels, in_channels / groups, *kernel_size)`.
    pub fn weight_shape(&self) -> Vec<usize> {
        let mut shape = vec![self.c_out, self.c_in / self.groups];
        shape.extend_from_slice(&self.k[3 - self.dims..]);
        shape
    }

    /// The input's checks (PyTorch's messages) and the output sizes.
    pub fn geometry(&self, input_shape: &[usize]) -> Result<ConvGeometry> {
        let dims = self.dims;
        let rank = input_shape.len();
        if rank != dims + 1 && rank != dims + 2 {
            return Err(Error::shape(format!(
                "Expected {}D (unbatched) or {}D (batched) input to conv{dims}d, but got input \
                 of size: {input_shape:?}",
                dims + 1,
                dims + 2
            )));
        }
        let batched = rank == dims + 2;
        let mut full = input_shape.to_vec();
        if !batched {
            full.insert(0, 1);
        }
        if self.c_in == 0 || self.c_out == 0 {
            return Err(Error::shape(format!(
                "Given groups={}, expected weight to be at least 1 at dimensions 0 and 1, but \
                 got weight of size {:?} instead",
                self.groups,
                self.weight_shape()
            )));
        }
        if full[1] != self.c_in {
            return Err(Error::shape(format!(
                "Given groups={}, weight of size {:?}, expected input{full:?} to have {} \
                 channels, but got {} channels instead",
                self.groups,
                self.weight_shape(),
                self.c_in,
                full[1]
            )));
        }
        let mut l_in = [1; 3];
        l_in[3 - dims..].copy_from_slice(&full[2..]);
        if l_in.iter().any(|&l| l >= MAX_AXIS) {
            return Err(Error::LimitExceeded(format!(
                "spatial input sizes must be below 2^30, got input of size {input_shape:?}"
            )));
        }
        let padded: [usize; 3] = std::array::from_fn(|a| l_in[a] + self.p_lo[a] + self.p_hi[a]);
        let span: [usize; 3] = std::array::from_fn(|a| self.d[a] * (self.k[a] - 1) + 1);
        if (0..3).any(|a| padded[a] < span[a]) {
            let fmt = |v: &[usize]| {
                v.iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(" x ")
            };
            return Err(Error::shape(format!(
                "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size \
                 can't be greater than actual input size",
                fmt(&padded[3 - dims..]),
                fmt(&span[3 - dims..])
            )));
        }
        if l_in.contains(&0) {
            return Err(Error::shape(format!(
                "Only zero batch or zero channel inputs are supported, but got input shape: \
                 {full:?}"
            )));
        }
        let l_out = std::array::from_fn(|a| (padded[a] - span[a]) / self.s[a] + 1);
        let geometry = ConvGeometry {
            layer: *self,
            batched,
            n: full[0],
            l_in,
            l_out,
        };
        checked_numel(&geometry.output_shape())?;
        checked_numel(input_shape)?;
        Ok(geometry)
    }

    /// `in_channels / groups`, `out_channels / groups`.
    pub fn per_group(&self) -> (usize, usize) {
        (self.c_in / self.groups, self.c_out / self.groups)
    }

    /// The transposed convolution that is this layer's grad_input: its input is grad_output
    /// (`c_out` channels), its output grad_input (`c_in`), with this layer's weight as is.
    pub fn transposed(&self) -> conv_transpose::Layer {
        conv_transpose::Layer {
            dims: self.dims,
            c_in: self.c_out,
            c_out: self.c_in,
            groups: self.groups,
            k: self.k,
            s: self.s,
            p: self.p_lo,
            op: [0; 3],
            d: self.d,
            bias: false,
        }
    }
}

impl ConvGeometry {
    pub fn output_shape(&self) -> Vec<usize> {
        self.shape(self.layer.c_out, &self.l_out)
    }
    pub fn input_shape(&self) -> Vec<usize> {
        self.shape(self.layer.c_in, &self.l_in)
    }
    fn shape(&self, c: usize, l: &[usize; 3]) -> Vec<usize> {
        let mut s = if self.batched {
            vec![self.n, c]
        } else {
            vec![c]
        };
        s.extend_from_slice(&l[3 - self.layer.dims..]);
        s
    }

    /// The forward as a [`Gather`].
    pub fn gather(&self) -> Gather {
        let l = &self.layer;
        Gather {
            n: self.n,
            c_in: l.c_in,
            c_out: l.c_out,
            groups: l.groups,
            k: l.k,
            s: l.s,
            p: l.p_lo,
            d: l.d,
            l_in: self.l_in,
            l_out: self.l_out,
        }
    }

    /// The weight gradient: `S = grad_output`, `L = input`.
    pub fn correlate(&self) -> Correlate {
        let l = &self.layer;
        Correlate {
            n: self.n,
            a: l.c_out,
            b: l.c_in,
            groups: l.groups,
            k: l.k,
            s: l.s,
            p: l.p_lo,
            d: l.d,
            l_s: self.l_out,
            l_l: self.l_in,
        }
    }

    /// grad_input as a transposed convolution of grad_output (see [`ConvLayer::transposed`]).
    pub fn transposed(&self) -> conv_transpose::Geometry {
        conv_transpose::Geometry {
            layer: self.layer.transposed(),
            batched: self.batched,
            n: self.n,
            l_in: self.l_out,
            l_out: self.l_in,
            op: [0; 3],
        }
    }
}
