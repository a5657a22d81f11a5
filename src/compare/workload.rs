//! What the comparison measures: workloads (an op, its parameters and an input shape) and the
//! default set.

use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;
use crate::{Upsample, UpsampleMode};

/// The op a [`Workload`] runs, with its options.
///
/// Every op-specific step of a measurement goes through the `match`es in this type's methods, so
/// adding an op means adding one variant and one arm per method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WorkloadKind {
    /// `nn.Upsample` / `F.interpolate`.
    Upsample(Upsample),
    // ---------------------------------------------------------------------------------------------
    // ConvTranspose2d goes here, once `ops::conv_transpose` exists:
    //
    //     /// `nn.ConvTranspose2d` with its weights and bias.
    //     ConvTranspose2d(ConvTranspose2d),
    //
    // then add its arm to every method below (`flops` returns `Some(..)` for it: the report turns
    // that into a rate to compare with `Report::gemm_flops_per_s`), and its rows to
    // `default_workloads`.
    // ---------------------------------------------------------------------------------------------
}

impl WorkloadKind {
    /// The op's name as in PyTorch's `nn` module, e.g. `"Upsample"`.
    pub fn op_name(&self) -> &'static str {
        match self {
            WorkloadKind::Upsample(_) => "Upsample",
        }
    }

    /// The output shape for an input of `input_shape`.
    pub fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        match self {
            WorkloadKind::Upsample(up) => up.output_shape(input_shape),
        }
    }

    /// Bytes of GPU memory the op needs (input, output, weights, scratch).
    pub fn gpu_memory_bytes(&self, input_shape: &[usize]) -> Result<u64> {
        match self {
            WorkloadKind::Upsample(up) => up.gpu_memory_bytes(input_shape),
        }
    }

    /// Bytes the kernel must read and write at least: its input and output once each (plus
    /// weights, for ops that have them). The basis of the effective bandwidth and of the
    /// comparison with the copy kernel; scratch traffic (e.g. the intermediate of the two-pass
    /// antialias kernels) is not counted.
    pub fn bytes_moved(&self, input_shape: &[usize]) -> Result<u64> {
        let out: usize = self.output_shape(input_shape)?.iter().product();
        let inp: usize = input_shape.iter().product();
        match self {
            WorkloadKind::Upsample(_) => Ok((inp + out) as u64 * 4),
        }
    }

    /// Floating-point operations of one forward pass, for ops whose limit is arithmetic rather
    /// than memory (ConvTranspose); `None` for the upsample modes.
    pub fn flops(&self, _input_shape: &[usize]) -> Option<u64> {
        match self {
            WorkloadKind::Upsample(_) => None,
        }
    }

    /// Runs the op's CPU reference.
    pub fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        match self {
            WorkloadKind::Upsample(up) => up.forward_cpu(input),
        }
    }

    /// Runs the op on the GPU into a new GPU tensor (submitted, not waited for).
    pub fn forward_gpu(&self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        match self {
            WorkloadKind::Upsample(up) => up.forward_gpu(ctx, input),
        }
    }

    /// Records the op's kernel(s) into one compute pass on `encoder`, with `timestamp_writes`.
    pub fn encode_gpu_timed(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) -> Result<()> {
        match self {
            WorkloadKind::Upsample(up) => {
                up.encode_gpu_timed(ctx, encoder, input, output, timestamp_writes)
            }
        }
    }
}

/// One row of the comparison: a named op with parameters, run on one input shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Short unique name, e.g. `"bilinear-align-corners"` (what `--only` matches).
    pub name: String,
    /// The op's parameters in PyTorch's spelling, e.g. `"scale_factor=2, align_corners=True"`.
    pub params: String,
    /// The input shape (N, C, spatial axes).
    pub input_shape: Vec<usize>,
    /// The op and its options.
    pub kind: WorkloadKind,
}

impl Workload {
    /// An `nn.Upsample` workload.
    pub fn upsample(
        name: impl Into<String>,
        params: impl Into<String>,
        input_shape: &[usize],
        up: Upsample,
    ) -> Self {
        Workload {
            name: name.into(),
            params: params.into(),
            input_shape: input_shape.to_vec(),
            kind: WorkloadKind::Upsample(up),
        }
    }
}

/// The tensor sizes the default workloads are built from: a 4-D input `batch × channels × height
/// × width`, and 3-D and 5-D inputs derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// N.
    pub batch: usize,
    /// C.
    pub channels: usize,
    /// H of the 4-D input.
    pub height: usize,
    /// W of the 4-D input.
    pub width: usize,
}

impl Default for Sizes {
    /// 1×16×256×256.
    fn default() -> Self {
        Sizes {
            batch: 1,
            channels: 16,
            height: 256,
            width: 256,
        }
    }
}

impl Sizes {
    /// `[N, C, H, W]`.
    pub fn shape_4d(&self) -> Vec<usize> {
        vec![self.batch, self.channels, self.height, self.width]
    }

    /// `[N, C, H·W]`: the 4-D input's elements as a 3-D tensor.
    pub fn shape_3d(&self) -> Vec<usize> {
        vec![self.batch, self.channels, self.height * self.width]
    }

    /// `[N, ⌈C/4⌉, 32, ⌈H/4⌉, ⌈W/4⌉]` (1×4×32×64×64 for the default sizes).
    pub fn shape_5d(&self) -> Vec<usize> {
        vec![
            self.batch,
            self.channels.div_ceil(4),
            32,
            self.height.div_ceil(4),
            self.width.div_ceil(4),
        ]
    }
}

/// The default workloads: ×2 upsampling of the 4-D input in every mode that takes it (nearest,
/// nearest-exact, bilinear with `align_corners` false and true, bicubic, area), antialiased
/// bilinear and bicubic ×0.5 downsampling, trilinear ×2 of the 5-D input and linear ×2 of the 3-D
/// input (see [`Sizes`]).
pub fn default_workloads(sizes: &Sizes) -> Vec<Workload> {
    use UpsampleMode::*;
    let (s3, s4, s5) = (sizes.shape_3d(), sizes.shape_4d(), sizes.shape_5d());
    let up2 = |mode| Upsample::with_scale_factor([2.0], mode);
    let down2 = |mode| {
        Upsample::with_scale_factor([0.5], mode)
            .align_corners(false)
            .antialias(true)
    };
    vec![
        Workload::upsample("nearest", "scale_factor=2", &s4, up2(Nearest)),
        Workload::upsample("nearest-exact", "scale_factor=2", &s4, up2(NearestExact)),
        Workload::upsample(
            "bilinear",
            "scale_factor=2, align_corners=False",
            &s4,
            up2(Bilinear).align_corners(false),
        ),
        Workload::upsample(
            "bilinear-align-corners",
            "scale_factor=2, align_corners=True",
            &s4,
            up2(Bilinear).align_corners(true),
        ),
        Workload::upsample(
            "bicubic",
            "scale_factor=2, align_corners=False",
            &s4,
            up2(Bicubic).align_corners(false),
        ),
        Workload::upsample("area", "scale_factor=2", &s4, up2(Area)),
        Workload::upsample(
            "bilinear-aa-down",
            "scale_factor=0.5, antialias=True",
            &s4,
            down2(Bilinear),
        ),
        Workload::upsample(
            "bicubic-aa-down",
            "scale_factor=0.5, antialias=True",
            &s4,
            down2(Bicubic),
        ),
        Workload::upsample(
            "trilinear",
            "scale_factor=2, align_corners=False",
            &s5,
            up2(Trilinear).align_corners(false),
        ),
        Workload::upsample(
            "linear",
            "scale_factor=2, align_corners=False",
            &s3,
            up2(Linear).align_corners(false),
        ),
        // ConvTranspose2d rows go here (see `WorkloadKind`).
    ]
}

/// The workloads whose name contains any of `only` (all of them when `only` is empty).
pub fn select(workloads: Vec<Workload>, only: &[String]) -> Vec<Workload> {
    if only.is_empty() {
        return workloads;
    }
    workloads
        .into_iter()
        .filter(|w| only.iter().any(|o| w.name.contains(o.as_str())))
        .collect()
}
