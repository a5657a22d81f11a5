//! `ConvTranspose{1,2,3}d`'s hyper-parameters, PyTorch's checks, and the resolved geometry (sizes
//! per axis for one input) shared by the GPU launch and the CPU reference.

use crate::error::{Error, Result};
use crate::ops::gemm::GemmCore;
use crate::tensor::checked_numel;

/// PyTorch's `padding_mode`. Transposed convolutions support only [`PaddingMode::Zeros`]; the
/// others exist so that asking for them gives PyTorch's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaddingMode {
    /// `"zeros"`, the only mode PyTorch supports for transposed convolutions.
    #[default]
    Zeros,
    /// `"reflect"` (rejected).
    Reflect,
    /// `"replicate"` (rejected).
    Replicate,
    /// `"circular"` (rejected).
    Circular,
}

/// The arguments of `nn.ConvTranspose1d/2d/3d`, with PyTorch's names. Per-axis arguments take one
/// value (applied to every axis) or one per spatial axis.
///
/// ```
/// use wgpu_upsample::ConvTransposeOptions;
/// // nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1, output_padding=1)
/// let opts = ConvTransposeOptions::new(2, 16, 8, [3])
///     .stride([2])
///     .padding([1])
///     .output_padding([1]);
/// assert_eq!(opts.stride, vec![2]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConvTransposeOptions {
    /// Number of spatial axes: 1, 2 or 3 (ConvTranspose1d, 2d, 3d).
    pub dims: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size per axis.
    pub kernel_size: Vec<usize>,
    /// Stride per axis (default 1).
    pub stride: Vec<usize>,
    /// Implicit zero padding removed from each side of the output (default 0).
    pub padding: Vec<usize>,
    /// Extra size added to one side of the output (default 0); must be smaller than the stride
    /// or the dilation.
    pub output_padding: Vec<usize>,
    /// Blocked connections from input to output channels (default 1).
    pub groups: usize,
    /// Whether the layer has a learnable bias (default true).
    pub bias: bool,
    /// Spacing between kernel taps (default 1).
    pub dilation: Vec<usize>,
    /// Only `Zeros` is supported, as in PyTorch.
    pub padding_mode: PaddingMode,
}

impl ConvTransposeOptions {
    /// `ConvTranspose{dims}d(in_channels, out_channels, kernel_size)` with PyTorch's defaults.
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
            padding: vec![0],
            output_padding: vec![0],
            groups: 1,
            bias: true,
            dilation: vec![1],
            padding_mode: PaddingMode::Zeros,
        }
    }

    /// Sets `stride`.
    pub fn stride(mut self, v: impl Into<Vec<usize>>) -> Self {
        self.stride = v.into();
        self
    }
    /// Sets `padding`.
    pub fn padding(mut self, v: impl Into<Vec<usize>>) -> Self {
        self.padding = v.into();
        self
    }
    /// Sets `output_padding`.
    pub fn output_padding(mut self, v: impl Into<Vec<usize>>) -> Self {
        self.output_padding = v.into();
        self
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

    /// The layer's PyTorch name, e.g. `ConvTranspose2d`.
    pub fn layer_name(&self) -> String {
        format!("ConvTranspose{}d", self.dims)
    }

    /// The weight's shape: `(in_channels, out_channels / groups, *kernel_size)`.
    pub fn weight_shape(&self) -> Result<Vec<usize>> {
        let layer = self.layer()?;
        let mut shape = vec![layer.c_in, layer.c_out / layer.groups];
        shape.extend_from_slice(&layer.k[3 - layer.dims..]);
        Ok(shape)
    }

    /// The construction-time checks (PyTorch's `ValueError`s), and per-axis values padded in front
    /// to three axes with unit axes (k = s = d = 1, p = op = 0).
    pub(crate) fn layer(&self) -> Result<Layer> {
        let dims = self.dims;
        if !(1..=3).contains(&dims) {
            return Err(Error::NotImplemented(format!(
                "ConvTranspose{dims}d does not exist: dims must be 1, 2 or 3"
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
            return Err(Error::arg(format!(
                "Only \"zeros\" padding mode is supported for {}",
                self.layer_name()
            )));
        }
        let axes = |name: &str, v: &[usize], unit: usize| per_axis(name, v, dims, unit);
        let layer = Layer {
            dims,
            c_in: self.in_channels,
            c_out: self.out_channels,
            groups: self.groups,
            k: axes("kernel_size", &self.kernel_size, 1)?,
            s: axes("stride", &self.stride, 1)?,
            p: axes("padding", &self.padding, 0)?,
            op: axes("output_padding", &self.output_padding, 0)?,
            d: axes("dilation", &self.dilation, 1)?,
            bias: self.bias,
        };
        // PyTorch's forward-time checks (its messages), made at construction: no tap table,
        // weight packing or shape exists without them.
        if layer.s.contains(&0) {
            return Err(Error::arg("non-positive stride is not supported"));
        }
        if layer.d.contains(&0) {
            return Err(Error::arg(format!(
                "dilation should be greater than zero, but got {}",
                layer.named("dilation", &layer.d, ", ")
            )));
        }
        if layer.k.contains(&0) {
            return Err(Error::arg(format!(
                "kernel size should be greater than zero, but got {}",
                layer.named("kernel", &layer.k, " ")
            )));
        }
        layer.check_limits()?;
        Ok(layer)
    }
}

/// A per-axis argument of a `dims`-d convolution (one value, or one per axis: PyTorch's check)
/// padded in front to three axes with `unit`.
pub(crate) fn per_axis(name: &str, v: &[usize], dims: usize, unit: usize) -> Result<[usize; 3]> {
    let v = match v.len() {
        1 => vec![v[0]; dims],
        n if n == dims => v.to_vec(),
        _ => {
            return Err(Error::arg(format!(
                "expected {name} to be a single integer value or a list of {dims} values to \
                 match the convolution dimensions, but got {name}={v:?}"
            )));
        }
    };
    let mut out = [unit; 3];
    out[3 - dims..].copy_from_slice(&v);
    Ok(out)
}

/// Per-axis sizes, paddings and tap spans must be below this: the kernels index with 32-bit
/// signed integers (`o + p - k·d` stays within i32).
pub(crate) const MAX_AXIS: usize = 1 << 30;
/// The product of the strides: one phase per stride residue (tables, GEMM dispatches and
/// re-packed weights per phase).
pub(crate) const MAX_PHASES: usize = 4096;

impl Layer {
    /// The library's own limits (not PyTorch's): values the kernels can index, and a bounded
    /// number of phases.
    fn check_limits(&self) -> Result<()> {
        let span: Vec<u128> = (0..3)
            .map(|a| self.d[a] as u128 * (self.k[a] as u128).saturating_sub(1))
            .collect();
        let too_big = |v: &[usize; 3]| v.iter().any(|&x| x >= MAX_AXIS);
        if too_big(&self.k)
            || too_big(&self.s)
            || too_big(&self.p)
            || too_big(&self.op)
            || too_big(&self.d)
            || span.iter().any(|&x| x >= MAX_AXIS as u128)
            || self.c_in >= MAX_AXIS
            || self.c_out >= MAX_AXIS
        {
            return Err(Error::LimitExceeded(format!(
                "kernel_size, stride, padding, output_padding, dilation, dilation·(kernel_size-1) \
                 and channel counts must be below 2^30 (the kernels index with 32-bit integers), \
                 got kernel_size={:?} stride={:?} padding={:?} output_padding={:?} \
                 dilation={:?}, {} -> {} channels",
                self.shown(&self.k),
                self.shown(&self.s),
                self.shown(&self.p),
                self.shown(&self.op),
                self.shown(&self.d),
                self.c_in,
                self.c_out
            )));
        }
        let weight = self
            .k
            .iter()
            .try_fold(
                self.c_in as u128 * (self.c_out / self.groups) as u128,
                |a, &k| a.checked_mul(k as u128),
            )
            .filter(|&n| n <= (isize::MAX / 4) as u128);
        if weight.is_none() {
            return Err(Error::LimitExceeded(format!(
                "a weight of size ({}, {}, {:?}) cannot be addressed",
                self.c_in,
                self.c_out / self.groups,
                self.shown(&self.k)
            )));
        }
        let phases: usize = self.s.iter().product();
        if phases > MAX_PHASES {
            return Err(Error::LimitExceeded(format!(
                "stride={:?} gives {phases} output phases; this library supports at most \
                 {MAX_PHASES} (the product of the strides)",
                self.shown(&self.s)
            )));
        }
        Ok(())
    }

    /// The spatial axes' values of a padded per-axis array.
    fn shown<'a>(&self, v: &'a [usize; 3]) -> &'a [usize] {
        &v[3 - self.dims..]
    }
}

/// Checked hyper-parameters, per-axis values padded in front to three axes (D, H, W).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Layer {
    pub dims: usize,
    pub c_in: usize,
    pub c_out: usize,
    pub groups: usize,
    pub k: [usize; 3],
    pub s: [usize; 3],
    pub p: [usize; 3],
    pub op: [usize; 3],
    pub d: [usize; 3],
    pub bias: bool,
}

/// The resolved problem for one input: batch, channels and per-axis sizes (padded to three axes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    pub layer: Layer,
    pub batched: bool,
    pub n: usize,
    pub l_in: [usize; 3],
    pub l_out: [usize; 3],
    /// The output padding in effect (the layer's, or the one `output_size` implies).
    pub op: [usize; 3],
}

impl Geometry {
    pub fn output_shape(&self) -> Vec<usize> {
        self.shape(self.layer.c_out, &self.l_out)
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
    /// Elements of one output image (all channels) and one input image.
    pub fn out_image(&self) -> usize {
        self.layer.c_out * self.l_out.iter().product::<usize>()
    }
    pub fn in_image(&self) -> usize {
        self.layer.c_in * self.l_in.iter().product::<usize>()
    }
}

/// Names of the spatial axes in PyTorch's messages (1-d layers run as 2-d with a height of 1).
fn axis_names(dims: usize) -> &'static [&'static str] {
    if dims == 3 {
        &["depth", "height", "width"]
    } else {
        &["height", "width"]
    }
}

/// The values of the axes PyTorch's messages show (for 1-d: a dummy height, then the width).
fn shown(dims: usize, v: &[usize; 3]) -> &[usize] {
    &v[3 - dims.max(2)..]
}

impl Layer {
    /// `weight` shape for these hyper-parameters.
    pub fn weight_shape(&self) -> Vec<usize> {
        let mut shape = vec![self.c_in, self.c_out / self.groups];
        shape.extend_from_slice(&self.k[3 - self.dims..]);
        shape
    }

    /// PyTorch's forward checks, then the output size (with `output_size` if given).
    pub fn geometry(
        &self,
        input_shape: &[usize],
        output_size: Option<&[usize]>,
    ) -> Result<Geometry> {
        let dims = self.dims;
        let rank = input_shape.len();
        if rank != dims + 1 && rank != dims + 2 {
            return Err(Error::shape(format!(
                "Expected {}D (unbatched) or {}D (batched) input to conv_transpose{dims}d, but got \
                 input of size: {input_shape:?}",
                dims + 1,
                dims + 2
            )));
        }
        if self.c_in == 0 || self.c_out == 0 {
            let mut weight = vec![self.c_in, self.c_out / self.groups];
            weight.extend_from_slice(&self.k[3 - dims..]);
            return Err(Error::shape(format!(
                "Given groups={}, expected weight to be at least 1 at dimensions 0 and 1, but                  got weight of size {weight:?} instead",
                self.groups
            )));
        }
        let batched = rank == dims + 2;
        // PyTorch unsqueezes unbatched input (and 1-d input to 2-d) before its checks.
        let mut full = input_shape.to_vec();
        if !batched {
            full.insert(0, 1);
        }
        let n = full[0];
        let mut l_in = [1; 3];
        l_in[3 - dims..].copy_from_slice(&full[2..]);
        if l_in.iter().any(|&l| l >= MAX_AXIS) {
            return Err(Error::LimitExceeded(format!(
                "spatial input sizes must be below 2^30, got input of size {input_shape:?}"
            )));
        }

        let op = match output_size {
            Some(size) => self.output_padding_for(&full, &l_in, size, batched)?,
            None => self.op,
        };
        if (0..3).any(|a| op[a] >= self.s[a] && op[a] >= self.d[a]) {
            return Err(Error::arg(format!(
                "output padding must be smaller than either stride or dilation, but got {} {} {}",
                self.named("output_padding", &op, " "),
                self.named("stride", &self.s, " "),
                self.named("dilation", &self.d, " ")
            )));
        }
        let c = full[1];
        if c != self.c_in {
            return Err(Error::shape(format!(
                "Given transposed=1, weight of size {:?}, expected input{full:?} to have {} \
                 channels, but got {c} channels instead",
                self.weight_shape(),
                self.c_in
            )));
        }
        if l_in.contains(&0) {
            let mut shape = full.clone();
            if dims == 1 {
                shape.insert(2, 1);
            }
            return Err(Error::shape(format!(
                "Only zero batch or zero channel inputs are supported, but got input shape: \
                 {shape:?}"
            )));
        }
        let min = self.min_output(&l_in);
        let l_out_i: [i64; 3] = std::array::from_fn(|a| min[a] + op[a] as i64);
        if l_out_i.iter().any(|&l| l < 1) {
            let fmt = |v: Vec<String>| v.join(" x ");
            let skip = 3 - dims.max(2);
            return Err(Error::shape(format!(
                "Given input size per channel: ({}). Calculated output size per channel: ({}). \
                 Output size is too small",
                fmt(l_in[skip..].iter().map(|v| v.to_string()).collect()),
                fmt(l_out_i[skip..].iter().map(|v| v.to_string()).collect())
            )));
        }
        if l_out_i.iter().any(|&l| l >= MAX_AXIS as i64) {
            return Err(Error::LimitExceeded(format!(
                "spatial output sizes must be below 2^30, got {:?}",
                &l_out_i[3 - dims..]
            )));
        }
        let geometry = Geometry {
            layer: *self,
            batched,
            n,
            l_in,
            l_out: l_out_i.map(|l| l as usize),
            op,
        };
        // The output (and so every product of its sizes below) must be addressable.
        checked_numel(&geometry.output_shape())?;
        checked_numel(input_shape)?;
        Ok(geometry)
    }

    /// `(L_in - 1)*s - 2p + d*(k - 1) + 1` per axis: the output size with no output padding.
    fn min_output(&self, l_in: &[usize; 3]) -> [i64; 3] {
        std::array::from_fn(|a| {
            (l_in[a] as i64 - 1) * self.s[a] as i64 - 2 * self.p[a] as i64
                + self.d[a] as i64 * (self.k[a] as i64 - 1)
                + 1
        })
    }

    /// PyTorch's `_output_padding`: `output_size` (spatial, optionally with N and C in front)
    /// must lie in `[min, min + s - 1]` per axis; returns `size - min`.
    fn output_padding_for(
        &self,
        full: &[usize],
        l_in: &[usize; 3],
        size: &[usize],
        batched: bool,
    ) -> Result<[usize; 3]> {
        let dims = self.dims;
        let rank = if batched { dims + 2 } else { dims + 1 };
        let size = if size.len() == dims {
            size
        } else if size.len() == rank {
            &size[rank - dims..]
        } else {
            return Err(Error::arg(format!(
                "ConvTranspose{dims}D: for {rank}D input, output_size must have {dims} or {rank} \
                 elements (got {})",
                size.len()
            )));
        };
        let min = self.min_output(l_in);
        let lo: Vec<i64> = min[3 - dims..].to_vec();
        let hi: Vec<i64> = (3 - dims..3)
            .map(|a| min[a] + self.s[a] as i64 - 1)
            .collect();
        let ok = size
            .iter()
            .zip(lo.iter().zip(&hi))
            .all(|(&s, (&l, &h))| (s as i64) >= l && (s as i64) <= h);
        if !ok {
            return Err(Error::arg(format!(
                "requested an output size of {size:?}, but valid sizes range from {lo:?} to {hi:?} \
                 (for an input of torch.Size({:?}))",
                &full[2..]
            )));
        }
        let mut op = [0; 3];
        for (i, a) in (3 - dims..3).enumerate() {
            op[a] = (size[i] as i64 - min[a]) as usize;
        }
        Ok(op)
    }

    /// `name_height: v name_width: v` as PyTorch prints per-axis values.
    fn named(&self, name: &str, v: &[usize; 3], sep: &str) -> String {
        axis_names(self.dims)
            .iter()
            .zip(shown(self.dims, v))
            .map(|(axis, v)| format!("{name}_{axis}: {v}"))
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// `in_channels / groups`, `out_channels / groups`.
    pub fn per_group(&self) -> (usize, usize) {
        (self.c_in / self.groups, self.c_out / self.groups)
    }
}

/// Which kernel runs a transposed convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConvTransposeKernel {
    /// Chosen per layer: on the GPU by [`ConvTransposeKernel::select`], on the CPU the SGEMM path.
    #[default]
    Auto,
    /// One thread per output, looping over the contributing taps and input channels (on the
    /// CPU: the plain gather reference).
    Direct,
    /// Per output phase, a tiled GEMM over (C_out/groups) × pixels × (C_in/groups · taps) (on the
    /// CPU: im2col and SGEMM per phase). Not for a weight holding NaN or inf (the direct kernel
    /// runs then; see [`ConvTransposeKernel::resolve`]).
    Gemm,
}

impl ConvTransposeKernel {
    /// The GPU selection rule for a layer with `cig` / `cog` channels per group on a context
    /// running the GEMM `core` ([`GemmCore::of`]), measured with the `conv_transpose` bench on
    /// lavapipe (tables in README, "Direct or implicit GEMM"):
    /// - [`GemmCore::Workgroup`] (GPUs, GL): the GEMM needs enough output channels per group to
    ///   fill its 32-row tiles (C_out/groups ≥ 8) and enough multiply-adds per input pixel to
    ///   pay for its tiling (C_in/groups · C_out/groups ≥ 64). 8→8: GEMM 1.3× faster, 3→64:
    ///   5.6×, 128→64: 6–9×; 1→16 ties; 2→8, 4→4, 8→4, 64→3 and depthwise: direct 1.4–12×
    ///   faster.
    /// - [`GemmCore::Subgroup`] (CPU adapters): the GEMM at every width but one channel per
    ///   group (depthwise): 3→3 11×, 64→3 4.0×, 8→4 7.4×, 3→64 57×, 16→16 27×; depthwise 32
    ///   the direct kernel 1.07× faster.
    pub fn select(cig: usize, cog: usize, core: GemmCore) -> Self {
        let gemm = match core {
            GemmCore::Workgroup => cog >= 8 && cig * cog >= 64,
            GemmCore::Subgroup => cig * cog > 1,
        };
        if gemm {
            ConvTransposeKernel::Gemm
        } else {
            ConvTransposeKernel::Direct
        }
    }

    /// The kernel that runs for a layer with `cig` / `cog` channels per group: `Auto` resolved,
    /// on a GPU context running the GEMM `core` (`Some`) by [`ConvTransposeKernel::select`], on
    /// the CPU (`None`) to the SGEMM path (faster there at every width measured: 3→3, 16→16,
    /// 128→64). The one place `Auto` is resolved. Where the weight is not all finite
    /// (`finite_weight` false) the direct kernel runs, even if `Gemm` was forced: the GEMM
    /// multiplies the input's zero padding by every weight, and 0 · inf is NaN where PyTorch
    /// has no such term.
    pub fn resolve(
        self,
        cig: usize,
        cog: usize,
        core: Option<GemmCore>,
        finite_weight: bool,
    ) -> Self {
        match (self, core) {
            _ if !finite_weight => ConvTransposeKernel::Direct,
            (ConvTransposeKernel::Auto, Some(core)) => Self::select(cig, cog, core),
            (ConvTransposeKernel::Auto, None) => ConvTransposeKernel::Gemm,
            (k, _) => k,
        }
    }
}
