//! `Upsample`'s options, PyTorch's argument checks, and the resolved plan (output shape and
//! per-axis sizes and scales) that the GPU launch and the CPU reference share.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::tensor::checked_numel;

/// Interpolation mode, named as in PyTorch's `mode` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UpsampleMode {
    /// `"nearest"`: `src = min(floor(dst * r), I - 1)` (OpenCV's INTER_NEAREST). 3-D, 4-D, 5-D.
    #[default]
    Nearest,
    /// `"nearest-exact"`: `src = min(floor((dst + 0.5) * r), I - 1)`. 3-D, 4-D, 5-D.
    NearestExact,
    /// `"linear"`: 1-D linear interpolation. 3-D input only.
    Linear,
    /// `"bilinear"`: 4-D input only.
    Bilinear,
    /// `"bicubic"`: Keys' cubic convolution with A = -0.75. 4-D input only.
    Bicubic,
    /// `"trilinear"`: 5-D input only.
    Trilinear,
    /// `"area"`: adaptive average pooling. 3-D, 4-D, 5-D.
    Area,
    /// `"lanczos"` (PyTorch 2.15): the Lanczos-3 windowed sinc (6 taps; PIL's `Image.LANCZOS`).
    /// 4-D input only, `antialias=True` required, `align_corners=True` rejected. PyTorch runs it
    /// on the CPU only; here on the GPU too.
    Lanczos,
}

impl UpsampleMode {
    /// All modes, in PyTorch's order.
    pub const ALL: [UpsampleMode; 8] = [
        UpsampleMode::Nearest,
        UpsampleMode::Linear,
        UpsampleMode::Bilinear,
        UpsampleMode::Bicubic,
        UpsampleMode::Trilinear,
        UpsampleMode::Lanczos,
        UpsampleMode::Area,
        UpsampleMode::NearestExact,
    ];

    /// PyTorch's name for the mode (`"nearest-exact"`, `"bilinear"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            UpsampleMode::Nearest => "nearest",
            UpsampleMode::NearestExact => "nearest-exact",
            UpsampleMode::Linear => "linear",
            UpsampleMode::Bilinear => "bilinear",
            UpsampleMode::Bicubic => "bicubic",
            UpsampleMode::Trilinear => "trilinear",
            UpsampleMode::Area => "area",
            UpsampleMode::Lanczos => "lanczos",
        }
    }

    /// The input rank (N, C and spatial axes) the mode needs, or `None` when 3, 4 and 5 all work.
    pub fn required_rank(self) -> Option<usize> {
        match self {
            UpsampleMode::Linear => Some(3),
            UpsampleMode::Bilinear | UpsampleMode::Bicubic | UpsampleMode::Lanczos => Some(4),
            UpsampleMode::Trilinear => Some(5),
            _ => None,
        }
    }

    /// Whether `align_corners` may be set: every mode but nearest, nearest-exact and area (as in
    /// PyTorch; lanczos then accepts only `false`).
    pub fn takes_align_corners(self) -> bool {
        !matches!(
            self,
            UpsampleMode::Nearest | UpsampleMode::NearestExact | UpsampleMode::Area
        )
    }
}

impl fmt::Display for UpsampleMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for UpsampleMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        UpsampleMode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                Error::NotImplemented(format!(
                    "Input Error: unknown interpolation mode {s:?}; expected one of: nearest | \
                     linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
                ))
            })
    }
}

/// `nn.Upsample` / `F.interpolate`: the options, with PyTorch's names and meaning.
///
/// Give exactly one of `size` and `scale_factor`; a single value applies to every spatial axis,
/// a list gives one value per axis. Build with [`Upsample::with_size`] or
/// [`Upsample::with_scale_factor`] and the chained setters, or as a struct literal.
///
/// ```
/// use wgpu_upsample::{Op, Upsample, UpsampleMode};
/// let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear).align_corners(true);
/// assert_eq!(up.output_shape(&[1, 3, 4, 5]).unwrap(), vec![1, 3, 8, 10]);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Upsample {
    /// Output spatial size: one value for every axis, or one per axis.
    pub size: Option<Vec<usize>>,
    /// Multiplier for the spatial size: one value for every axis, or one per axis.
    pub scale_factor: Option<Vec<f64>>,
    /// The interpolation mode.
    pub mode: UpsampleMode,
    /// Align the centres of the corner pixels (linear, bilinear, bicubic, trilinear only). `None`
    /// means `false`, as in PyTorch.
    pub align_corners: Option<bool>,
    /// With `scale_factor`: `Some(true)` computes the output size and then interpolates as if
    /// that size had been given (the kernel uses `I / O`, not `1 / scale_factor`).
    pub recompute_scale_factor: Option<bool>,
    /// Anti-aliasing (bilinear and bicubic on 4-D input), like PIL's resize.
    pub antialias: bool,
}

impl Upsample {
    /// Upsample to a given spatial size (one value for all axes, or one per axis).
    pub fn with_size(size: impl Into<Vec<usize>>, mode: UpsampleMode) -> Self {
        Self {
            size: Some(size.into()),
            mode,
            ..Default::default()
        }
    }

    /// Upsample by a scale factor (one value for all axes, or one per axis).
    pub fn with_scale_factor(scale_factor: impl Into<Vec<f64>>, mode: UpsampleMode) -> Self {
        Self {
            scale_factor: Some(scale_factor.into()),
            mode,
            ..Default::default()
        }
    }

    /// Sets `align_corners`.
    pub fn align_corners(mut self, align_corners: bool) -> Self {
        self.align_corners = Some(align_corners);
        self
    }

    /// Sets `recompute_scale_factor`.
    pub fn recompute_scale_factor(mut self, recompute: bool) -> Self {
        self.recompute_scale_factor = Some(recompute);
        self
    }

    /// Sets `antialias`.
    pub fn antialias(mut self, antialias: bool) -> Self {
        self.antialias = antialias;
        self
    }

    /// Checks the options against the input shape, as `F.interpolate` does, and resolves them.
    pub(crate) fn plan(&self, input_shape: &[usize]) -> Result<Plan> {
        let mode = self.mode;
        let rank = input_shape.len();
        if !(3..=5).contains(&rank) {
            return Err(rank_error(rank, mode));
        }
        if !mode.takes_align_corners() && self.align_corners.is_some() {
            return Err(Error::arg(
                "align_corners option can only be set with the interpolating modes: \
                 linear | bilinear | bicubic | trilinear",
            ));
        }
        let spatial = &input_shape[2..];
        let dims = spatial.len();
        // Per-axis output sizes and the scale the kernels see (None: use I/O).
        let (outputs, scales): (Vec<i128>, Vec<Option<f64>>) =
            match (&self.size, &self.scale_factor) {
                (Some(_), Some(_)) => {
                    return Err(Error::arg(
                        "only one of size or scale_factor should be defined",
                    ));
                }
                (None, None) => {
                    return Err(Error::arg("either size or scale_factor should be defined"));
                }
                (Some(size), None) => {
                    if self.recompute_scale_factor == Some(true) {
                        return Err(Error::arg(
                            "recompute_scale_factor is not meaningful with an explicit size.",
                        ));
                    }
                    let size = broadcast(size, dims).ok_or_else(|| {
                        Error::arg(format!(
                            "Input and output must have the same number of spatial dimensions, \
                             but got input with spatial dimensions of {spatial:?} and output \
                             size of {size:?}. Please provide input tensor in (N, C, d1, d2, \
                             ...,dK) format and output size in (o1, o2, ...,oK) format."
                        ))
                    })?;
                    (size.iter().map(|&o| o as i128).collect(), vec![None; dims])
                }
                (None, Some(scale)) => {
                    let scale = broadcast(scale, dims).ok_or_else(|| {
                        Error::arg(format!(
                            "Input and scale_factor must have the same number of spatial \
                             dimensions, but got input with spatial dimensions of {spatial:?} \
                             and scale_factor of shape {scale:?}. Please provide input tensor \
                             in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, \
                             ...,sK) format."
                        ))
                    })?;
                    // O = floor(I * s) in f64, as F.interpolate computes it.
                    // PyTorch converts the product to int64 and refuses NaN, inf and overflow.
                    let outputs = spatial
                        .iter()
                        .zip(&scale)
                        .map(|(&i, &s)| {
                            let o = (i as f64 * s).floor();
                            if o.is_finite() && o.abs() < i64::MAX as f64 {
                                Ok(o as i128)
                            } else {
                                Err(Error::arg(
                                    "value cannot be converted to type int64_t without overflow",
                                ))
                            }
                        })
                        .collect::<Result<_>>()?;
                    // Area always interpolates with I/O, as if recompute_scale_factor were set.
                    let keep =
                        self.recompute_scale_factor != Some(true) && mode != UpsampleMode::Area;
                    let scales = scale.iter().map(|&s| keep.then_some(s)).collect();
                    (outputs, scales)
                }
            };
        let aa_mode = matches!(
            mode,
            UpsampleMode::Bilinear | UpsampleMode::Bicubic | UpsampleMode::Lanczos
        );
        if self.antialias && !(aa_mode && rank == 4) {
            return Err(Error::arg(
                "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and \
                 requires a 4-D tensor as input",
            ));
        }
        if mode == UpsampleMode::Lanczos && rank == 4 {
            if self.align_corners == Some(true) {
                return Err(Error::arg(
                    "Lanczos mode does not support align_corners=True",
                ));
            }
            if !self.antialias {
                return Err(Error::arg("Lanczos mode requires antialias=True"));
            }
        }
        if mode.required_rank().is_some_and(|r| r != rank) {
            return Err(rank_error(rank, mode));
        }
        check_sizes(input_shape, mode, &outputs)?;
        let max = u32::MAX as i128;
        if outputs.iter().any(|&o| o > max) || spatial.iter().any(|&i| i as i128 > max) {
            return Err(Error::LimitExceeded(format!(
                "spatial sizes must be below 2^32, got input {spatial:?} and output {outputs:?}"
            )));
        }
        let axes: Vec<Axis> = spatial
            .iter()
            .zip(&outputs)
            .zip(&scales)
            .map(|((&input, &output), &scale)| Axis {
                input,
                output: output as usize,
                scale,
            })
            .collect();
        let mut output_shape = input_shape[..2].to_vec();
        output_shape.extend(axes.iter().map(|a| a.output));
        // Both must be addressable, so `planes × plane` products below cannot overflow.
        checked_numel(input_shape)?;
        checked_numel(&output_shape)?;
        Ok(Plan {
            mode,
            align_corners: self.align_corners.unwrap_or(false),
            antialias: self.antialias,
            planes: input_shape[0] * input_shape[1],
            axes,
            output_shape,
        })
    }
}

/// One value broadcast to every axis, or a list that already has one per axis.
fn broadcast<T: Copy>(values: &[T], dims: usize) -> Option<Vec<T>> {
    match values.len() {
        1 => Some(vec![values[0]; dims]),
        n if n == dims => Some(values.to_vec()),
        _ => None,
    }
}

fn rank_error(rank: usize, mode: UpsampleMode) -> Error {
    // PyTorch names the rank for the linear modes, and lists every mode for the others.
    let named = matches!(
        mode,
        UpsampleMode::Linear | UpsampleMode::Bilinear | UpsampleMode::Trilinear
    );
    if let Some(need) = mode.required_rank()
        && (3..=5).contains(&rank)
        && named
    {
        return Error::NotImplemented(format!(
            "Got {rank}D input, but {mode} mode needs {need}D input"
        ));
    }
    Error::NotImplemented(format!(
        "Input Error: Only 3D, 4D and 5D input Tensors supported (got {rank}D) for the modes: \
         nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got \
         {mode})"
    ))
}

/// PyTorch's checks on empty inputs and outputs. `area` (adaptive average pooling) has its own:
/// it accepts an output size of 0 (and C = 0 for 3-D and 4-D input) and returns an empty tensor.
/// A batch of 0 is accepted by every mode.
fn check_sizes(input_shape: &[usize], mode: UpsampleMode, outputs: &[i128]) -> Result<()> {
    let rank = input_shape.len();
    let spatial = &input_shape[2..];
    if mode == UpsampleMode::Area {
        // 3-D input goes through the 2-D pool as (N, C, 1, L).
        let shape: Vec<usize> = if rank == 3 {
            vec![input_shape[0], input_shape[1], 1, input_shape[2]]
        } else {
            input_shape.to_vec()
        };
        if let Some(d) = shape[1..].iter().position(|&s| s == 0)
            && (d > 0 || rank == 5)
        {
            {
                return Err(Error::shape(format!(
                    "adaptive_avg_pool{}d(): Expected input to have non-zero size for non-batch \
                     dimensions, but input has sizes {shape:?} with dimension {} being empty",
                    if rank == 5 { 3 } else { 2 },
                    d + 1
                )));
            }
        }
        if outputs.iter().any(|&o| o < 0) {
            let mut shown: Vec<String> = outputs.iter().map(|o| o.to_string()).collect();
            if rank == 3 {
                shown.insert(0, "1".into());
            }
            return Err(Error::arg(format!(
                "adaptive_avg_pool{}d: elements of output_size must be greater than or equal to 0 \
                 but received {{{}}}",
                if rank == 5 { 3 } else { 2 },
                shown.join(", ")
            )));
        }
        return Ok(());
    }
    if spatial.contains(&0) || outputs.iter().any(|&o| o < 1) {
        return Err(Error::shape(size_error(spatial, outputs)));
    }
    if input_shape[1] == 0 {
        return Err(Error::shape(format!(
            "Non-empty {rank}D data tensor expected but got a tensor with sizes {input_shape:?}"
        )));
    }
    Ok(())
}

fn size_error(input: &[usize], output: &[i128]) -> String {
    let names: &[&str] = match input.len() {
        1 => &["W"],
        2 => &["H", "W"],
        _ => &["D", "H", "W"],
    };
    let fmt = |v: Vec<String>| {
        names
            .iter()
            .zip(v)
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Input and output sizes should be greater than 0, but got input ({}){}output ({})",
        fmt(input.iter().map(|v| v.to_string()).collect()),
        if input.len() == 1 { " and " } else { " " },
        fmt(output.iter().map(|v| v.to_string()).collect())
    )
}

/// One spatial axis of a resolved upsample: its sizes and the scale factor the user gave for it
/// (when the kernel must use `1 / scale` rather than `I / O`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Axis {
    pub input: usize,
    pub output: usize,
    pub scale: Option<f64>,
}

/// The checked, resolved form of an [`Upsample`] for one input shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub mode: UpsampleMode,
    pub align_corners: bool,
    pub antialias: bool,
    /// N · C: the number of independent planes.
    pub planes: usize,
    /// The spatial axes, outermost first (1 to 3 of them).
    pub axes: Vec<Axis>,
    pub output_shape: Vec<usize>,
}

impl Plan {
    /// The spatial axes padded in front with size-1 axes to exactly three: (D, H, W).
    pub fn axes3(&self) -> [Axis; 3] {
        let unit = Axis {
            input: 1,
            output: 1,
            scale: None,
        };
        let mut out = [unit; 3];
        out[3 - self.axes.len()..].copy_from_slice(&self.axes);
        out
    }

    /// Elements in one input plane.
    pub fn input_plane(&self) -> usize {
        self.axes.iter().map(|a| a.input).product()
    }

    /// Elements in one output plane.
    pub fn output_plane(&self) -> usize {
        self.axes.iter().map(|a| a.output).product()
    }
}
