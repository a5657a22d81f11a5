//! What the comparison measures: workloads (an op with its parameters, and an input shape) and
//! the default set.

use std::sync::Arc;

use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Upsample, UpsampleMode};

/// One row of the comparison: a named op with parameters, run on one input shape. The op is any
/// [`Op`] of the library; everything measured goes through that interface.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Short unique name, e.g. `"bilinear-align-corners"` (what `--only` matches).
    pub name: String,
    /// The op's parameters in PyTorch's spelling, e.g. `"scale_factor=2, align_corners=True"`.
    pub params: String,
    /// The input shape (N, C, spatial axes).
    pub input_shape: Vec<usize>,
    /// The op. Shared, so that the weights a layer uploads (once per device) serve every
    /// measurement of the workload.
    pub op: Arc<dyn Op>,
}

impl Workload {
    /// A workload of any op.
    pub fn new(
        name: impl Into<String>,
        params: impl Into<String>,
        input_shape: &[usize],
        op: impl Op + 'static,
    ) -> Self {
        Workload {
            name: name.into(),
            params: params.into(),
            input_shape: input_shape.to_vec(),
            op: Arc::new(op),
        }
    }

    /// An `nn.Upsample` workload.
    pub fn upsample(
        name: impl Into<String>,
        params: impl Into<String>,
        input_shape: &[usize],
        up: Upsample,
    ) -> Self {
        Self::new(name, params, input_shape, up)
    }

    /// An `nn.ConvTranspose2d` workload (or any rank: the default rows are 2-D). Its params are
    /// the layer's arguments in PyTorch's spelling, defaults left out, e.g. `"16, 16,
    /// kernel_size=4, stride=2, padding=1"`.
    pub fn conv_transpose2d(
        name: impl Into<String>,
        input_shape: &[usize],
        layer: ConvTranspose,
    ) -> Self {
        let params = conv_params(layer.options());
        Self::new(name, params, input_shape, layer)
    }

    /// Bytes the kernel must read and write at least: its input and output once each, plus the
    /// parameters (weights, bias) once. The basis of the effective bandwidth and of the
    /// comparison with the copy kernel; scratch traffic (e.g. the intermediate of the two-pass
    /// antialias kernels, the GEMM's re-packed weights) is not counted.
    pub fn bytes_moved(&self) -> wgpu_upsample::Result<u64> {
        let out: usize = self.op.output_shape(&self.input_shape)?.iter().product();
        let inp: usize = self.input_shape.iter().product();
        Ok((inp + out + self.op.parameter_count()) as u64 * 4)
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
/// initialisation (seeded) and the GPU kernel [`ConvTransposeKernel::Auto`](wgpu_upsample::ConvTransposeKernel::Auto) picks.
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
