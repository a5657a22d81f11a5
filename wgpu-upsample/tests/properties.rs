//! Property tests (`proptest`) over random **valid** configurations of every op: `Upsample` (all
//! eight modes, ranks 3-5 as each mode allows, `size` or `scale_factor` given per axis or as one
//! value, `align_corners`, `recompute_scale_factor`, `antialias`, the exact ×2 shapes, empty
//! batches and area's empty outputs), its backward (`Upsample::backward` → `UpsampleBackward`, on a
//! `grad_output` of the forward's output shape), `ConvTranspose` 1d/2d/3d (channels, groups,
//! kernel_size, stride, padding, output_padding < max(stride, dilation), dilation, bias, per axis
//! or one value, batched or not, every `ConvTransposeKernel` given to `with_kernel`, and
//! `with_output_size`) and `CopyKernel`. Every case is valid by construction (a case the
//! library rejected would be a failure, not a skip); the only filter is a size budget.
//!
//! Properties checked for every case (see [`check_op`]):
//! 1. nothing panics and nothing fails: `output_shape`, `gpu_kernels`, `gpu_memory_bytes`,
//!    `forward_cpu`, `forward_gpu`, `encode_gpu` and the downloads all return `Ok`;
//! 2. `output_shape` is the shape PyTorch's formula gives (computed here independently), and the
//!    CPU and GPU results have that shape;
//! 3. GPU = CPU within `|gpu - cpu| <= rtol · max(1, |cpu|)`: [`FORWARD_RTOL`] (1e-5, as
//!    `upsample_random.rs`) for the upsample, [`GRAD_RTOL`] for its gradient, [`CONV_RTOL`]
//!    (1e-4, as `conv_transpose.rs`) for the transposed convolution (also against the CPU gather
//!    reference, whatever kernel the case forces), and bitwise for the copy;
//! 4. the same GPU call twice gives bitwise the same result, and so does recording it with
//!    `encode_gpu` into an output tensor first filled with NaN (every output element is written).
//!
//! Case counts per run: 300 upsample forwards, 300 upsample backwards, 300 transposed
//! convolutions (forward, grad_input and parameter gradients), 200 convolutions (the same), 100
//! pixel shuffles (forward, unshuffle, backward; bitwise), 100 copies (1,300 in all). Tensors hold at most [`MAX_ELEMENTS`] elements.
//!
//! # Seeds and re-running a failure
//!
//! The runs are deterministic: the RNG seed is fixed ([`DEFAULT_SEED`]), so CI runs the same
//! cases every time, and re-running the same command reproduces a failure. A failure names the
//! op (its `Debug`, with the input shape and the GPU kernels), and proptest prints the minimal
//! failing case (after shrinking, at most [`MAX_SHRINK_MS`] ms) and a `cc <hex>` line:
//!
//! - the `cc` line is also appended to `wgpu-upsample/tests/properties.proptest-regressions`
//!   (created on the first failure; commit it to keep the case as a regression test). Cases in
//!   that file are re-run first on every run; to reproduce a failure seen elsewhere (e.g. CI),
//!   add its `cc` line to the file and run
//!   `cargo test -p wgpu-upsample --test properties <test name>`;
//! - `PROPTEST_RNG_SEED=<u64>` explores other cases (a failure then reproduces with the same
//!   value), `PROPTEST_CASES=<n>` runs n cases per property instead of the counts above (the
//!   first cases are the same for a given seed), `PROPTEST_MAX_SHRINK_TIME=<ms>` bounds shrinking,
//!   `PROPTEST_DISABLE_FAILURE_PERSISTENCE=1` neither reads nor writes the regressions file.
//!
//! For example `PROPTEST_RNG_SEED=7 PROPTEST_CASES=2000 WGPU_BACKEND=vulkan cargo test -p
//! wgpu-upsample --test properties conv_transpose` (set `XDG_RUNTIME_DIR` on a headless machine).

mod common;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{FileFailurePersistence, RngSeed, TestCaseError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wgpu_upsample::{
    Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeKernel, ConvTransposeOptions,
    CopyKernel, GpuContext, GpuParamGrads, GpuTensor, Op, ParamGrads, PixelShuffle, PixelUnshuffle,
    Tensor, Upsample, UpsampleMode,
};

/// GPU against CPU for the upsample forward (`upsample_random.rs`'s tolerance).
const FORWARD_RTOL: f32 = 1e-5;
/// GPU against CPU for the upsample backward (`upsample_backward.rs` checks GPU against CPU at
/// 1e-5 too; its 1e-4 is against PyTorch's float64 reference).
const GRAD_RTOL: f32 = 1e-5;
/// GPU against CPU for the transposed convolution (`conv_transpose.rs`'s tolerance: the GEMM
/// kernels sum in another order).
const CONV_RTOL: f32 = 1e-4;
/// The largest input or output (elements) a case may have: keeps the whole file fast.
const MAX_ELEMENTS: usize = 6144;
/// The RNG seed unless `PROPTEST_RNG_SEED` gives another.
const DEFAULT_SEED: u64 = 0x5eed_f1a5;
/// Shrinking a failure stops after this long (unless `PROPTEST_MAX_SHRINK_TIME` says otherwise).
const MAX_SHRINK_MS: u32 = 60_000;

/// The configuration of one property: `cases` cases unless `PROPTEST_CASES` is set, the fixed
/// seed unless `PROPTEST_RNG_SEED` is set, failures persisted beside this file.
fn config(cases: u32) -> ProptestConfig {
    // Reads the PROPTEST_* variables.
    let env = ProptestConfig::default();
    let set = |name: &str| std::env::var_os(name).is_some();
    ProptestConfig {
        cases: if set("PROPTEST_CASES") {
            env.cases
        } else {
            cases
        },
        rng_seed: match env.rng_seed {
            RngSeed::Random => RngSeed::Fixed(DEFAULT_SEED),
            seed => seed,
        },
        max_shrink_time: if set("PROPTEST_MAX_SHRINK_TIME") {
            env.max_shrink_time
        } else {
            MAX_SHRINK_MS
        },
        // The default (SourceParallel) looks for a lib.rs above tests/ and warns on every run.
        failure_persistence: env.failure_persistence.is_some().then(|| {
            Box::new(FileFailurePersistence::WithSource("proptest-regressions"))
                as Box<dyn proptest::test_runner::FailurePersistence>
        }),
        ..env
    }
}

/// A tensor of `shape` with elements uniform in ±`range`, drawn from `seed`.
fn random_tensor(shape: &[usize], seed: u64, range: f32) -> Tensor {
    let mut rng = StdRng::seed_from_u64(seed);
    Tensor::from_fn(shape, |_| rng.random_range(-range..range)).unwrap()
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.data().iter().map(|v| v.to_bits()).collect()
}

/// Turns a library error into a test failure naming the op and the stage that failed.
fn ok<T>(what: &str, stage: &str, r: wgpu_upsample::Result<T>) -> Result<T, TestCaseError> {
    r.map_err(|e| TestCaseError::fail(format!("{what}: {stage} failed: {e:?}")))
}

/// Properties 1-4 for `op` on `x` (see the module doc); returns the GPU result.
fn check_op(
    op: &dyn Op,
    x: &Tensor,
    want_shape: &[usize],
    rtol: f32,
) -> Result<Tensor, TestCaseError> {
    let ctx = common::gpu();
    let what = format!("{} {op:?} on an input of shape {:?}", op.name(), x.shape());
    let shape = ok(&what, "output_shape", op.output_shape(x.shape()))?;
    prop_assert_eq!(&shape, want_shape, "{}: output_shape", what);
    let kernels = ok(&what, "gpu_kernels", op.gpu_kernels(ctx, x.shape()))?;
    let what = format!("{what} (GPU kernels {kernels:?})");
    // (An identity upsample is a buffer copy: no kernel at all.)
    prop_assert!(
        kernels.iter().all(|k| !k.is_empty()),
        "{}: empty kernel name",
        what
    );
    let bytes = ok(
        &what,
        "gpu_memory_bytes",
        op.gpu_memory_bytes(ctx, x.shape()),
    )?;
    let io = 4 * (x.numel() + shape.iter().product::<usize>()) as u64;
    prop_assert!(
        bytes >= io,
        "{}: gpu_memory_bytes {} < input + output {}",
        what,
        bytes,
        io
    );

    let cpu = ok(&what, "forward_cpu", op.forward_cpu(x))?;
    prop_assert_eq!(cpu.shape(), want_shape, "{}: CPU output shape", what);

    let gx = ok(&what, "upload", ctx.upload(x))?;
    let run = || -> wgpu_upsample::Result<Tensor> { ctx.download(&op.forward_gpu(ctx, &gx)?) };
    let first = ok(&what, "forward_gpu", run())?;
    prop_assert_eq!(first.shape(), want_shape, "{}: GPU output shape", what);
    if let Err(e) = common::check_close(first.data(), cpu.data(), rtol) {
        return Err(TestCaseError::fail(format!(
            "{what}: GPU differs from CPU beyond rtol {rtol:e}: {e}"
        )));
    }
    let again = ok(&what, "forward_gpu (again)", run())?;
    prop_assert!(
        bits(&first) == bits(&again),
        "{}: the same GPU call twice gave different bits",
        what
    );
    // Recorded into a caller's output that holds NaN: every element must be overwritten.
    let poisoned = ok(
        &what,
        "upload",
        ctx.upload(&Tensor::from_fn(want_shape, |_| f32::NAN).unwrap()),
    )?;
    let encoded = (|| -> wgpu_upsample::Result<Tensor> {
        let mut encoder = ctx.encoder("properties");
        op.encode_gpu(ctx, &mut encoder, &gx, &poisoned)?;
        ctx.queue().submit([encoder.finish()]);
        ctx.download(&poisoned)
    })();
    let encoded = ok(&what, "encode_gpu", encoded)?;
    prop_assert!(
        bits(&first) == bits(&encoded),
        "{}: encode_gpu into a NaN-filled output differs from forward_gpu ({} elements)",
        what,
        bits(&first)
            .iter()
            .zip(bits(&encoded))
            .filter(|(a, b)| **a != *b)
            .count()
    );
    Ok(first)
}

// ---------------------------------------------------------------------------------------------
// Upsample and its backward.

/// The largest input side per number of spatial axes (1, 2, 3).
const MAX_SIDE: [usize; 4] = [0, 40, 10, 5];

/// An upsample, an input shape it accepts, the output shape PyTorch gives, and a data seed.
#[derive(Debug, Clone)]
struct UpsampleCase {
    up: Upsample,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    seed: u64,
}

#[derive(Debug, Clone)]
enum Target {
    Size(Vec<usize>),
    Scale(Vec<f64>),
}

/// `size` or `scale_factor` for `spatial`, one value or one per axis, up or down; a scale never
/// floors an axis to 0 (an error in PyTorch), a size is 0 only for area (an empty output).
fn target(mode: UpsampleMode, spatial: &[usize]) -> BoxedStrategy<Target> {
    let dims = spatial.len();
    let lo = usize::from(mode != UpsampleMode::Area);
    let hi = 2 * MAX_SIDE[dims] + 3;
    let per_axis_size: Vec<_> = spatial.iter().map(|_| lo..=hi).collect();
    // The smallest scale keeping floor(i·s) ≥ 1 (and at least 0.2).
    let min_scale = |i: usize| {
        let s = 1.0 / i as f64;
        let s = if (i as f64 * s).floor() >= 1.0 {
            s
        } else {
            s * (1.0 + 1e-12)
        };
        s.max(0.2)
    };
    let scale = |lo_s: f64| {
        let round: Vec<f64> = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
            .into_iter()
            .filter(|&s| s >= lo_s)
            .collect();
        prop_oneof![lo_s..=3.5f64, select(round)]
    };
    let per_axis_scale: Vec<_> = spatial.iter().map(|&i| scale(min_scale(i))).collect();
    let one_scale = scale(spatial.iter().map(|&i| min_scale(i)).fold(0.0, f64::max));
    prop_oneof![
        per_axis_size.prop_map(Target::Size),
        (lo..=hi).prop_map(|s| Target::Size(vec![s])),
        per_axis_scale.prop_map(Target::Scale),
        one_scale.prop_map(|s| Target::Scale(vec![s])),
    ]
    .boxed()
}

/// Exactly ×2 along H and W (the depth ×2 or kept): the ×2 kernels' shapes.
fn x2_target(spatial: &[usize]) -> BoxedStrategy<Target> {
    let dims = spatial.len();
    let sizes = |keep_depth: bool| -> Vec<usize> {
        spatial
            .iter()
            .enumerate()
            .map(|(a, &i)| if keep_depth && a == 0 { i } else { 2 * i })
            .collect()
    };
    let mut options = vec![Target::Scale(vec![2.0]), Target::Size(sizes(false))];
    if dims == 3 {
        options.push(Target::Scale(vec![1.0, 2.0, 2.0]));
        options.push(Target::Size(sizes(true)));
    }
    select(options).boxed()
}

/// The output spatial sizes PyTorch gives (F.interpolate: the size, or floor(i · s) in f64).
fn upsample_output(spatial: &[usize], target: &Target) -> Vec<usize> {
    let per_axis = |a: usize, n: usize| if n == 1 { 0 } else { a };
    match target {
        Target::Size(s) => (0..spatial.len())
            .map(|a| s[per_axis(a, s.len())])
            .collect(),
        Target::Scale(s) => spatial
            .iter()
            .enumerate()
            .map(|(a, &i)| (i as f64 * s[per_axis(a, s.len())]).floor() as usize)
            .collect(),
    }
}

fn upsample_case() -> impl Strategy<Value = UpsampleCase> {
    (
        select(UpsampleMode::ALL.to_vec()),
        3usize..=5,
        // An empty batch now and then (every mode accepts it).
        prop_oneof![12 => 1usize..=2, 1 => Just(0)],
        // No channels now and then (area on 3-D and 4-D input only).
        prop_oneof![20 => 1usize..=3, 1 => Just(0)],
        prop::collection::vec(1usize..=40, 3),
        // Exactly ×2 (the ×2 kernels' shapes) a third of the time.
        prop::bool::weighted(0.35),
        any::<u64>(),
    )
        .prop_flat_map(|(mode, rank, n, c, sides, x2, seed)| {
            let rank = mode.required_rank().unwrap_or(rank);
            let dims = rank - 2;
            let c = if c == 0 && !(mode == UpsampleMode::Area && rank < 5) {
                1
            } else {
                c
            };
            let mut spatial: Vec<usize> = sides[..dims]
                .iter()
                .map(|&s| 1 + (s - 1) % MAX_SIDE[dims])
                .collect();
            // The ×2 kernels need a width that is a multiple of 4 (and H, W doubled).
            let x2 = x2 && rank >= 4;
            if x2 {
                let w = spatial.last_mut().unwrap();
                *w = 4 * w.div_ceil(4);
            }
            let target = if x2 {
                x2_target(&spatial)
            } else {
                target(mode, &spatial)
            };
            let mut input_shape = vec![n, c];
            input_shape.extend(&spatial);
            (
                Just(mode),
                Just(input_shape),
                target,
                0u8..3,
                0u8..3,
                // No antialias on the ×2 shapes (it would take them off the ×2 kernels).
                any::<bool>().prop_map(move |aa| aa && !x2),
                Just(seed),
            )
        })
        .prop_map(
            |(mode, input_shape, target, align, recompute, antialias, seed)| {
                let rank = input_shape.len();
                let mut output_shape = input_shape[..2].to_vec();
                output_shape.extend(upsample_output(&input_shape[2..], &target));
                let is_scale = matches!(target, Target::Scale(_));
                let mut up = match target {
                    Target::Size(s) => Upsample::with_size(s, mode),
                    Target::Scale(s) => Upsample::with_scale_factor(s, mode),
                };
                up.align_corners = match (mode.takes_align_corners(), align) {
                    (false, _) | (true, 0) => None,
                    // Lanczos refuses align_corners=True.
                    (true, 2) if mode != UpsampleMode::Lanczos => Some(true),
                    _ => Some(false),
                };
                // With a size, recompute_scale_factor=True is refused.
                up.recompute_scale_factor = match recompute {
                    1 => Some(false),
                    2 if is_scale => Some(true),
                    _ => None,
                };
                up.antialias = match mode {
                    UpsampleMode::Lanczos => true,
                    UpsampleMode::Bilinear | UpsampleMode::Bicubic => antialias && rank == 4,
                    _ => false,
                };
                UpsampleCase {
                    up,
                    input_shape,
                    output_shape,
                    seed,
                }
            },
        )
        .prop_filter("tensors within MAX_ELEMENTS", |c| {
            c.input_shape.iter().product::<usize>() <= MAX_ELEMENTS
                && c.output_shape.iter().product::<usize>() <= MAX_ELEMENTS
        })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn upsample_forward(case in upsample_case()) {
        let x = random_tensor(&case.input_shape, case.seed, 2.0);
        check_op(&case.up, &x, &case.output_shape, FORWARD_RTOL)?;
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn upsample_backward(
        case in upsample_case()
    ) {
        let what = format!("{:?} on {:?}", case.up, case.input_shape);
        let back = ok(&what, "Upsample::backward", case.up.backward(&case.input_shape))?;
        let grad_output = random_tensor(&case.output_shape, case.seed, 1.0);
        check_op(&back, &grad_output, &case.input_shape, GRAD_RTOL)?;
    }
}

// ---------------------------------------------------------------------------------------------
// ConvTranspose1d/2d/3d.

/// A layer's options, the kernel forced, an input shape, PyTorch's `output_size` (if given), the
/// output shape PyTorch gives, and the seeds of the weights and the input.
#[derive(Debug, Clone)]
struct ConvCase {
    options: ConvTransposeOptions,
    kernel: ConvTransposeKernel,
    input_shape: Vec<usize>,
    output_size: Option<Vec<usize>>,
    output_shape: Vec<usize>,
    weight_seed: u64,
    data_seed: u64,
}

/// Per-axis draws (three axes, the first `dims` used) and whether to give them as one value.
#[derive(Debug, Clone)]
struct ConvRaw {
    dims: usize,
    groups: usize,
    cig: usize,
    cog: usize,
    k: Vec<usize>,
    s: Vec<usize>,
    p: Vec<usize>,
    op: Vec<usize>,
    d: Vec<usize>,
    /// One value for all axes, for kernel_size, stride, padding, output_padding, dilation.
    one: Vec<bool>,
    batched: bool,
    n: usize,
    sides: Vec<usize>,
    bias: bool,
    kernel: ConvTransposeKernel,
    /// `output_size`: per-axis offsets above the smallest size, and whether N and C lead.
    output_size: Option<(Vec<usize>, bool)>,
    seeds: (u64, u64),
}

fn conv_raw() -> impl Strategy<Value = ConvRaw> {
    let axes = |lo: usize, hi: usize| prop::collection::vec(lo..=hi, 3);
    (
        (
            1usize..=3,
            select(vec![1usize, 1, 2, 3]),
            1usize..=9,
            1usize..=9,
        ),
        (
            axes(1, 4),
            axes(1, 3),
            axes(0, 3),
            axes(0, 2),
            axes(1, 3),
            prop::collection::vec(prop::bool::weighted(0.3), 5),
        ),
        (
            prop::bool::weighted(0.8),
            prop_oneof![12 => 1usize..=2, 1 => Just(0)],
            axes(1, 16),
            any::<bool>(),
            select(vec![
                ConvTransposeKernel::Auto,
                ConvTransposeKernel::Direct,
                ConvTransposeKernel::Gemm,
            ]),
            prop::option::weighted(0.3, (axes(0, 2), any::<bool>())),
            any::<(u64, u64)>(),
        ),
    )
        .prop_map(
            |(
                (dims, groups, cig, cog),
                (k, s, p, op, d, one),
                (batched, n, sides, bias, kernel, output_size, seeds),
            )| ConvRaw {
                dims,
                groups,
                cig,
                cog,
                k,
                s,
                p,
                op,
                d,
                one,
                batched,
                n,
                sides,
                bias,
                kernel,
                output_size,
                seeds,
            },
        )
}

/// The largest input side per number of spatial axes.
const CONV_MAX_SIDE: [usize; 4] = [0, 16, 6, 3];

/// A valid case from the raw draws: output padding below max(stride, dilation) per axis, padding
/// small enough for an output of at least 1, output_size within PyTorch's range.
fn conv_case(r: ConvRaw) -> ConvCase {
    let dims = r.dims;
    // (as given to the options, per axis)
    let given = |v: &[usize], one: bool| -> (Vec<usize>, Vec<usize>) {
        if one {
            (vec![v[0]], vec![v[0]; dims])
        } else {
            (v[..dims].to_vec(), v[..dims].to_vec())
        }
    };
    let (k, ka) = given(&r.k, r.one[0]);
    let (s, sa) = given(&r.s, r.one[1]);
    let (d, da) = given(&r.d, r.one[4]);
    let sides: Vec<usize> = r.sides[..dims]
        .iter()
        .map(|&l| 1 + (l - 1) % CONV_MAX_SIDE[dims])
        .collect();
    let limit: Vec<usize> = (0..dims).map(|a| sa[a].max(da[a])).collect();
    let (op, opa) = if r.one[3] {
        let v = r.op[0] % limit.iter().min().unwrap();
        (vec![v], vec![v; dims])
    } else {
        let v: Vec<usize> = (0..dims).map(|a| r.op[a] % limit[a]).collect();
        (v.clone(), v)
    };
    // Output size (L-1)·s - 2p + d·(k-1) + 1 + op ≥ 1; with output_size the range starts at the
    // size without output padding, so that must be ≥ 1 itself.
    let room: Vec<usize> = (0..dims)
        .map(|a| {
            let extra = if r.output_size.is_some() { 0 } else { opa[a] };
            ((sides[a] - 1) * sa[a] + da[a] * (ka[a] - 1) + extra) / 2
        })
        .collect();
    let (p, pa) = if r.one[2] {
        let v = r.p[0].min(*room.iter().min().unwrap());
        (vec![v], vec![v; dims])
    } else {
        let v: Vec<usize> = (0..dims).map(|a| r.p[a].min(room[a])).collect();
        (v.clone(), v)
    };
    // The output size without output padding (below 1 where output padding makes up for it).
    let smallest: Vec<i64> = (0..dims)
        .map(|a| ((sides[a] - 1) * sa[a] + da[a] * (ka[a] - 1) + 1) as i64 - 2 * pa[a] as i64)
        .collect();
    let c_in = r.cig * r.groups;
    let c_out = r.cog * r.groups;
    let lead = |c: usize| -> Vec<usize> { if r.batched { vec![r.n, c] } else { vec![c] } };
    let mut input_shape = lead(c_in);
    input_shape.extend(&sides);
    let (output_size, out_spatial) = match &r.output_size {
        None => (
            None,
            (0..dims)
                .map(|a| (smallest[a] + opa[a] as i64) as usize)
                .collect(),
        ),
        Some((offsets, with_lead)) => {
            let spatial: Vec<usize> = (0..dims)
                .map(|a| smallest[a] as usize + offsets[a] % sa[a])
                .collect();
            let size = if *with_lead {
                [lead(c_out), spatial.clone()].concat()
            } else {
                spatial.clone()
            };
            (Some(size), spatial)
        }
    };
    let mut output_shape = lead(c_out);
    output_shape.extend(out_spatial);
    let options = ConvTransposeOptions::new(dims, c_in, c_out, k)
        .stride(s)
        .padding(p)
        .output_padding(op)
        .dilation(d)
        .groups(r.groups)
        .bias(r.bias);
    ConvCase {
        options,
        kernel: r.kernel,
        input_shape,
        output_size,
        output_shape,
        weight_seed: r.seeds.0,
        data_seed: r.seeds.1,
    }
}

fn conv_transpose_case() -> impl Strategy<Value = ConvCase> {
    conv_raw()
        .prop_map(conv_case)
        .prop_filter("tensors within MAX_ELEMENTS", |c| {
            c.input_shape.iter().product::<usize>() <= MAX_ELEMENTS
                && c.output_shape.iter().product::<usize>() <= MAX_ELEMENTS
        })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn conv_transpose(case in conv_transpose_case()) {
        let what = format!("{case:?}");
        let layer = ok(&what, "ConvTranspose::new", ConvTranspose::new(case.options.clone(), case.weight_seed))?
            .with_kernel(case.kernel);
        let op = layer.with_output_size(case.output_size.as_deref());
        let x = random_tensor(&case.input_shape, case.data_seed, 1.0);
        let gpu = check_op(&op, &x, &case.output_shape, CONV_RTOL)?;
        // Whatever kernel the case forces, the GPU also agrees with the CPU gather reference.
        let direct = layer.clone().with_kernel(ConvTransposeKernel::Direct);
        let reference = ok(
            &what,
            "forward_cpu (Direct)",
            direct.with_output_size(case.output_size.as_deref()).forward_cpu(&x),
        )?;
        if let Err(e) = common::check_close(gpu.data(), reference.data(), CONV_RTOL) {
            return Err(TestCaseError::fail(format!(
                "{what}: GPU ({:?}) differs from the CPU gather reference: {e}",
                layer.kernel(common::gpu())
            )));
        }
        prop_assert!(op.flops(x.shape()).is_ok(), "{}: flops", what);
        let weights = layer.weight().numel() + layer.bias().map_or(0, Tensor::numel);
        prop_assert_eq!(op.parameter_count(), weights, "{}: parameter_count", what);
        // The backward: grad_input as an op, and the parameter gradients.
        let back = ok(&what, "backward", op.backward(&case.input_shape))?;
        let gy = random_tensor(&case.output_shape, case.data_seed ^ 1, 1.0);
        check_op(&back, &gy, &case.input_shape, CONV_RTOL)?;
        check_param_grads(
            &what,
            &x,
            &gy,
            |x, gy| op.grad_params_cpu(x, gy),
            |ctx, x, gy| op.grad_params_gpu(ctx, x, gy),
        )?;
    }
}

/// The parameter gradients on the GPU equal the CPU's, twice bitwise the same.
fn check_param_grads(
    what: &str,
    x: &Tensor,
    gy: &Tensor,
    cpu: impl Fn(&Tensor, &Tensor) -> wgpu_upsample::Result<ParamGrads>,
    gpu: impl Fn(&GpuContext, &GpuTensor, &GpuTensor) -> wgpu_upsample::Result<GpuParamGrads>,
) -> Result<(), TestCaseError> {
    let ctx = common::gpu();
    let want = ok(what, "grad_params_cpu", cpu(x, gy))?;
    let (xg, gyg) = (
        ok(what, "upload", ctx.upload(x))?,
        ok(what, "upload", ctx.upload(gy))?,
    );
    let run = || -> wgpu_upsample::Result<(Tensor, Option<Tensor>)> {
        let g = gpu(ctx, &xg, &gyg)?;
        Ok((
            ctx.download(&g.weight)?,
            g.bias.map(|b| ctx.download(&b)).transpose()?,
        ))
    };
    let (w, b) = ok(what, "grad_params_gpu", run())?;
    if let Err(e) = common::check_close(w.data(), want.weight.data(), CONV_RTOL) {
        return Err(TestCaseError::fail(format!(
            "{what}: grad_weight GPU != CPU: {e}"
        )));
    }
    prop_assert_eq!(b.is_some(), want.bias.is_some(), "{}: grad_bias", what);
    if let (Some(b), Some(wb)) = (&b, &want.bias)
        && let Err(e) = common::check_close(b.data(), wb.data(), CONV_RTOL)
    {
        return Err(TestCaseError::fail(format!(
            "{what}: grad_bias GPU != CPU: {e}"
        )));
    }
    let (w2, b2) = ok(what, "grad_params_gpu (again)", run())?;
    prop_assert!(
        bits(&w) == bits(&w2) && b.map(|t| bits(&t)) == b2.map(|t| bits(&t)),
        "{}: parameter gradients not bitwise repeatable",
        what
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Conv1d/2d/3d.

/// A random valid Conv layer (every argument, `"same"` and `"valid"` included) and an input of
/// at most MAX_ELEMENTS elements, from `seed`.
fn conv_layer(seed: u64) -> (ConvOptions, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let dims = rng.random_range(1..=3);
        let axes = |rng: &mut StdRng, lo: usize, hi: usize| -> Vec<usize> {
            let v: Vec<usize> = (0..dims).map(|_| rng.random_range(lo..=hi)).collect();
            if rng.random_bool(0.3) { vec![v[0]] } else { v }
        };
        let groups = [1, 1, 2, 3][rng.random_range(0..4)];
        let (cin, cout) = (
            groups * rng.random_range(1..=4),
            groups * rng.random_range(1..=4),
        );
        let padding = match rng.random_range(0..4) {
            0 => ConvPadding::Same,
            1 => ConvPadding::Valid,
            _ => ConvPadding::Explicit(axes(&mut rng, 0, 3)),
        };
        let stride = if padding == ConvPadding::Same {
            vec![1]
        } else {
            axes(&mut rng, 1, 3)
        };
        let opts = ConvOptions::new(dims, cin, cout, axes(&mut rng, 1, 5))
            .stride(stride)
            .padding(padding)
            .dilation(axes(&mut rng, 1, 3))
            .groups(groups)
            .bias(rng.random_bool(0.7));
        let mut shape = vec![rng.random_range(0..=3), cin];
        shape.extend((0..dims).map(|_| rng.random_range(1..=[0, 40, 14, 7][dims])));
        if rng.random_bool(0.2) {
            shape.remove(0);
        }
        let Ok(conv) = Conv::new(opts.clone(), 0) else {
            continue;
        };
        let Ok(out) = conv.output_shape(&shape) else {
            continue;
        };
        if shape.iter().product::<usize>() <= MAX_ELEMENTS
            && out.iter().product::<usize>() <= MAX_ELEMENTS
        {
            return (opts, shape);
        }
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn conv(seed in any::<u64>()) {
        let (options, shape) = conv_layer(seed);
        let what = format!("{options:?} on {shape:?} (layer seed {seed})");
        let layer = ok(&what, "Conv::new", Conv::new(options, seed))?;
        let out = ok(&what, "output_shape", layer.output_shape(&shape))?;
        let x = random_tensor(&shape, seed ^ 2, 1.0);
        check_op(&layer, &x, &out, CONV_RTOL)?;
        let back = ok(&what, "backward", layer.backward(&shape))?;
        let gy = random_tensor(&out, seed ^ 3, 1.0);
        check_op(&back, &gy, &shape, CONV_RTOL)?;
        check_param_grads(
            &what,
            &x,
            &gy,
            |x, gy| layer.grad_params_cpu(x, gy),
            |ctx, x, gy| layer.grad_params_gpu(ctx, x, gy),
        )?;
    }
}

// ---------------------------------------------------------------------------------------------
// PixelShuffle and PixelUnshuffle.

/// A factor 1-4, leading dims (rank 3-5 in all), channels and spatial sizes making a valid
/// PixelShuffle input, and a seed.
fn pixel_shuffle_case() -> impl Strategy<Value = (usize, Vec<usize>, u64)> {
    (
        1usize..=4,
        prop::collection::vec(0usize..=3, 0..=2),
        1usize..=3,
        1usize..=9,
        1usize..=9,
        any::<u64>(),
    )
        .prop_map(|(r, lead, c, h, w, seed)| {
            let mut shape = lead;
            shape.extend([c * r * r, h, w]);
            (r, shape, seed)
        })
        .prop_filter("tensors within MAX_ELEMENTS", |(_, shape, _)| {
            shape.iter().product::<usize>() <= MAX_ELEMENTS
        })
}

proptest! {
    #![proptest_config(config(100))]

    #[test]
    fn pixel_shuffle((r, shape, seed) in pixel_shuffle_case()) {
        let what = format!("PixelShuffle({r}) on {shape:?}");
        let shuffle = PixelShuffle::new(r);
        let out = ok(&what, "output_shape", shuffle.output_shape(&shape))?;
        let x = random_tensor(&shape, seed, 1.0);
        let y = check_op(&shuffle, &x, &out, 0.0)?;
        // Unshuffle undoes it, bitwise; each backward is the other op.
        let unshuffle = PixelUnshuffle::new(r);
        let back = check_op(&unshuffle, &y, &shape, 0.0)?;
        prop_assert!(bits(&back) == bits(&x), "{}: unshuffle(shuffle(x)) != x", what);
        let grad = ok(&what, "backward", shuffle.backward(&shape))?;
        check_op(&grad, &y, &shape, 0.0)?;
    }
}

// ---------------------------------------------------------------------------------------------
// CopyKernel.

/// A shape of rank 1-5 whose element count is a multiple of 4 (the copy's only requirement;
/// empty shapes included), and a data seed.
fn copy_case() -> impl Strategy<Value = (Vec<usize>, u64)> {
    (
        prop::collection::vec(prop_oneof![30 => 1usize..=24, 1 => Just(0)], 1..=5),
        any::<u64>(),
    )
        .prop_filter("a multiple of 4 within MAX_ELEMENTS", |(shape, _)| {
            let n: usize = shape.iter().product();
            n.is_multiple_of(4) && n <= MAX_ELEMENTS
        })
}

proptest! {
    #![proptest_config(config(100))]

    #[test]
    fn copy((shape, seed) in copy_case()) {
        let x = random_tensor(&shape, seed, 1e6);
        let gpu = check_op(&CopyKernel, &x, &shape, 0.0)?;
        prop_assert!(bits(&gpu) == bits(&x), "Copy on {:?}: not a bitwise copy", shape);
    }
}
