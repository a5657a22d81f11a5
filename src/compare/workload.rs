//! What the comparison measures: workloads (an op, its parameters and an input shape) and the
//! default set.

use std::sync::Arc;

use crate::error::Result;
use crate::gpu::{GpuContext, GpuTensor};
use crate::tensor::Tensor;
use crate::{ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Upsample, UpsampleMode};

/// The op a [`Workload`] runs, with its options.
///
/// Every op-specific step of a measurement goes through the `match`es in this type's methods, so
/// adding an op means adding one variant and one arm per method.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WorkloadKind {
    /// `nn.Upsample` / `F.interpolate`.
    Upsample(Upsample),
    /// `nn.ConvTranspose2d` with its weights and bias. Shared, so that the weights a GPU forward
    /// uploads (once per device) serve every measurement of the workload.
    ConvTranspose2d(Arc<ConvTranspose>),
}

impl PartialEq for WorkloadKind {
    /// Upsample: same options. ConvTranspose2d: the same layer, or the same options, GPU kernel,
    /// weight and bias.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (WorkloadKind::Upsample(a), WorkloadKind::Upsample(b)) => a == b,
            (WorkloadKind::ConvTranspose2d(a), WorkloadKind::ConvTranspose2d(b)) => {
                Arc::ptr_eq(a, b)
                    || (a.options() == b.options()
                        && a.kernel() == b.kernel()
                        && a.weight() == b.weight()
                        && a.bias() == b.bias())
            }
            _ => false,
        }
    }
}

/// `"direct"` or `"gemm"`: the GPU kernel a ConvTranspose runs.
pub fn conv_kernel_name(kernel: ConvTransposeKernel) -> &'static str {
    match kernel {
        ConvTransposeKernel::Gemm => "gemm",
        ConvTransposeKernel::Direct => "direct",
        ConvTransposeKernel::Auto => "auto",
    }
}

impl WorkloadKind {
    /// The op's name as in PyTorch's `nn` module, e.g. `"Upsample"`.
    pub fn op_name(&self) -> &'static str {
        match self {
            WorkloadKind::Upsample(_) => "Upsample",
            WorkloadKind::ConvTranspose2d(_) => "ConvTranspose2d",
        }
    }

    /// The output shape for an input of `input_shape`.
    pub fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        match self {
            WorkloadKind::Upsample(up) => up.output_shape(input_shape),
            WorkloadKind::ConvTranspose2d(conv) => conv.output_shape(input_shape, None),
        }
    }

    /// Bytes of GPU memory the op needs on `ctx`'s device (input, output, weights, tables,
    /// scratch). For ConvTranspose2d this uploads the weights to the device if they are not there
    /// yet (they stay, for the layer's later forwards).
    pub fn gpu_memory_bytes(&self, ctx: &GpuContext, input_shape: &[usize]) -> Result<u64> {
        match self {
            WorkloadKind::Upsample(up) => up.gpu_memory_bytes(input_shape),
            WorkloadKind::ConvTranspose2d(conv) => conv.gpu_memory_bytes(ctx, input_shape),
        }
    }

    /// Bytes the kernel must read and write at least: its input and output once each, plus the
    /// weights and bias once for ConvTranspose2d. The basis of the effective bandwidth and of the
    /// comparison with the copy kernel; scratch traffic (e.g. the intermediate of the two-pass
    /// antialias kernels, the GEMM's re-packed weights) is not counted.
    pub fn bytes_moved(&self, input_shape: &[usize]) -> Result<u64> {
        let out: usize = self.output_shape(input_shape)?.iter().product();
        let inp: usize = input_shape.iter().product();
        Ok((inp + out + self.parameters()) as u64 * 4)
    }

    /// Useful floating-point operations of one forward pass (2 × the multiply-adds that reach an
    /// output; zero taps excluded), for ops whose limit is arithmetic rather than memory
    /// (ConvTranspose2d); `None` for the upsample modes.
    pub fn flops(&self, input_shape: &[usize]) -> Option<u64> {
        match self {
            WorkloadKind::Upsample(_) => None,
            WorkloadKind::ConvTranspose2d(conv) => conv.flops(input_shape, None).ok(),
        }
    }

    /// Learnable parameters (weight and bias elements): 0 for Upsample.
    pub fn parameters(&self) -> usize {
        match self {
            WorkloadKind::Upsample(_) => 0,
            WorkloadKind::ConvTranspose2d(conv) => conv.parameter_count(),
        }
    }

    /// The GPU kernel a ConvTranspose2d runs (`"direct"` or `"gemm"`); `None` for Upsample.
    pub fn conv_kernel(&self) -> Option<&'static str> {
        match self {
            WorkloadKind::Upsample(_) => None,
            WorkloadKind::ConvTranspose2d(conv) => Some(conv_kernel_name(conv.kernel())),
        }
    }

    /// Runs the op's CPU reference.
    pub fn forward_cpu(&self, input: &Tensor) -> Result<Tensor> {
        match self {
            WorkloadKind::Upsample(up) => up.forward_cpu(input),
            WorkloadKind::ConvTranspose2d(conv) => conv.forward_cpu(input, None),
        }
    }

    /// Runs the op on the GPU into a new GPU tensor (submitted, not waited for).
    pub fn forward_gpu(&self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        match self {
            WorkloadKind::Upsample(up) => up.forward_gpu(ctx, input),
            WorkloadKind::ConvTranspose2d(conv) => conv.forward_gpu(ctx, input, None),
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
            WorkloadKind::ConvTranspose2d(conv) => {
                conv.encode_gpu_timed(ctx, encoder, input, output, None, timestamp_writes)
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
    /// An `nn.Upsample` workload. Its params are followed by the GPU kernels it runs on that
    /// input ([`Upsample::gpu_kernels`]), e.g. `"scale_factor=2; x2_linear kernel"`.
    pub fn upsample(
        name: impl Into<String>,
        params: impl Into<String>,
        input_shape: &[usize],
        up: Upsample,
    ) -> Self {
        let params = params.into();
        let params = match up.default_gpu_kernels(input_shape) {
            Ok(k) if k.len() == 1 => format!("{params}; {} kernel", k[0]),
            Ok(k) if !k.is_empty() => format!("{params}; {} kernels", k.join(" + ")),
            _ => params,
        };
        Workload {
            name: name.into(),
            params,
            input_shape: input_shape.to_vec(),
            kind: WorkloadKind::Upsample(up),
        }
    }

    /// An `nn.ConvTranspose2d` workload (or any rank: the op name says 2d because the default
    /// rows are 2-D). Its params are the layer's arguments in PyTorch's spelling (defaults left
    /// out), followed by the GPU kernel the layer runs, e.g. `"16, 16, kernel_size=4, stride=2,
    /// padding=1; gemm kernel"`.
    pub fn conv_transpose2d(
        name: impl Into<String>,
        input_shape: &[usize],
        layer: ConvTranspose,
    ) -> Self {
        let params = format!(
            "{}; {} kernel",
            conv_params(layer.options()),
            conv_kernel_name(layer.kernel())
        );
        Workload {
            name: name.into(),
            params,
            input_shape: input_shape.to_vec(),
            kind: WorkloadKind::ConvTranspose2d(Arc::new(layer)),
        }
    }
}

/// `nn.ConvTranspose2d`'s arguments as written in PyTorch, leaving out those at their default.
fn conv_params(o: &ConvTransposeOptions) -> String {
    let axes = |v: &[usize]| {
        if v.windows(2).all(|w| w[0] == w[1]) {
            v.first().map_or_else(String::new, |x| x.to_string())
        } else {
            format!(
                "({})",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    let mut s = format!(
        "{}, {}, kernel_size={}",
        o.in_channels,
        o.out_channels,
        axes(&o.kernel_size)
    );
    for (name, v, default) in [
        ("stride", &o.stride, 1),
        ("padding", &o.padding, 0),
        ("output_padding", &o.output_padding, 0),
    ] {
        if v.iter().any(|&x| x != default) {
            s.push_str(&format!(", {name}={}", axes(v)));
        }
    }
    if o.groups != 1 {
        s.push_str(&format!(", groups={}", o.groups));
    }
    if !o.bias {
        s.push_str(", bias=False");
    }
    if o.dilation.iter().any(|&x| x != 1) {
        s.push_str(&format!(", dilation={}", axes(&o.dilation)));
    }
    s
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

    /// `[N, C_in, ⌈H/8⌉, ⌈W/8⌉]`: the input of the wide ConvTranspose2d rows (1×128×32×32 for the
    /// default sizes and `C_in` = 128).
    pub fn shape_wide(&self, c_in: usize) -> Vec<usize> {
        vec![
            self.batch,
            c_in,
            self.height.div_ceil(8),
            self.width.div_ceil(8),
        ]
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
/// input (see [`Sizes`]); then ConvTranspose2d as the two classic learned ×2 upsamplers,
/// `kernel_size=3, stride=2, padding=1, output_padding=1` and `kernel_size=4, stride=2,
/// padding=1`, each at 3→3 channels on `N×3×H×W`, C→C on the 4-D input itself (the same shape as
/// the Upsample rows, for the claims) and 128→64 on `N×128×⌈H/8⌉×⌈W/8⌉`, with PyTorch's default
/// initialisation (seeded) and the GPU kernel [`ConvTransposeKernel::Auto`] picks.
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
    ]
    .into_iter()
    .chain(conv_workloads(sizes))
    .collect()
}

/// The ConvTranspose2d rows of [`default_workloads`].
fn conv_workloads(sizes: &Sizes) -> Vec<Workload> {
    let [n, c, h, w] = [sizes.batch, sizes.channels, sizes.height, sizes.width];
    // (in, out, input shape); the 3→3 row is left out when C is 3 (it would be the C→C row).
    let mut channels = vec![(3, 3, vec![n, 3, h, w]), (c, c, sizes.shape_4d())];
    if c == 3 {
        channels.remove(0);
    }
    channels.push((128, 64, sizes.shape_wide(128)));
    let mut rows = Vec::new();
    for (seed, (cin, cout, shape)) in channels.into_iter().enumerate() {
        for k in [3, 4] {
            let opts = ConvTransposeOptions::new(2, cin, cout, [k])
                .stride([2])
                .padding([1])
                .output_padding([if k == 3 { 1 } else { 0 }]);
            let layer = ConvTranspose::new(opts, seed as u64)
                .expect("the default ConvTranspose2d options are valid");
            rows.push(Workload::conv_transpose2d(
                format!("convt2d-k{k}-{cin}to{cout}"),
                &shape,
                layer,
            ));
        }
    }
    rows
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
