//! ConvTranspose beyond the PyTorch fixture: weights saved by PyTorch as safetensors, GPU against
//! the CPU reference on random configurations (both kernels), large inputs processed in chunks,
//! default initialisation, and error paths.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use wgpu_upsample::{
    ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Error, GemmCore, Op, Tensor,
};

#[derive(Deserialize)]
struct SafetensorsCase {
    file: String,
    prefix: String,
    dims: usize,
    in_channels: usize,
    out_channels: usize,
    kernel_size: Vec<usize>,
    stride: Vec<usize>,
    padding: Vec<usize>,
    output_padding: Vec<usize>,
    groups: usize,
    dilation: Vec<usize>,
    bias: bool,
    input_shape: Vec<usize>,
    input: Vec<f32>,
    output_shape: Vec<usize>,
    output: Vec<f32>,
}

#[derive(Deserialize)]
struct SafetensorsFixture {
    files: Vec<SafetensorsCase>,
}

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn safetensors_written_by_pytorch_load_and_match_pytorch() {
    let ctx = common::gpu();
    let fx: SafetensorsFixture =
        serde_json::from_str(&common::fixture("conv_transpose_safetensors.json")).unwrap();
    // 2-D, 2-D inside an nn.Sequential, 1-D grouped, 3-D, float16, bfloat16.
    assert_eq!(fx.files.len(), 6);
    for c in &fx.files {
        let options = ConvTransposeOptions {
            groups: c.groups,
            bias: c.bias,
            ..ConvTransposeOptions::new(
                c.dims,
                c.in_channels,
                c.out_channels,
                c.kernel_size.clone(),
            )
        }
        .stride(c.stride.clone())
        .padding(c.padding.clone())
        .output_padding(c.output_padding.clone())
        .dilation(c.dilation.clone());
        let layer = ConvTranspose::from_safetensors(options, fixture_path(&c.file), &c.prefix)
            .unwrap_or_else(|e| panic!("{}: {e}", c.file));
        let x = Tensor::new(&c.input_shape, c.input.clone()).unwrap();
        let cpu = layer.forward_cpu(&x).unwrap();
        assert_eq!(cpu.shape(), c.output_shape.as_slice());
        common::check_close(cpu.data(), &c.output, 1e-4).unwrap();
        for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
            let layer = layer.clone().with_kernel(kernel);
            let gpu = ctx
                .download(&layer.forward_gpu(ctx, &ctx.upload(&x).unwrap()).unwrap())
                .unwrap();
            common::check_close(gpu.data(), &c.output, 1e-4)
                .unwrap_or_else(|e| panic!("{} {kernel:?}: {e}", c.file));
        }
    }
}

#[test]
fn safetensors_errors_name_the_problem() {
    let opts = ConvTransposeOptions::new(2, 4, 3, [3]);
    let path = fixture_path("conv_transpose_2d.safetensors");
    // Wrong prefix: the message lists the keys the file has.
    let err = ConvTranspose::from_safetensors(opts.clone(), &path, "decoder.").unwrap_err();
    assert!(
        matches!(&err, Error::Weights(m) if m.contains("\"decoder.weight\"") && m.contains("bias, weight")),
        "{err:?}"
    );
    // Shape mismatch with the options.
    let err = ConvTranspose::from_safetensors(ConvTransposeOptions::new(2, 4, 3, [4]), &path, "")
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidShape(m) if m.contains("[4, 3, 3, 3]")),
        "{err:?}"
    );
    // The bias the options ask for is not in the file (layer "1." was saved with bias=False).
    let prefixed = fixture_path("conv_transpose_prefixed.safetensors");
    let err =
        ConvTranspose::from_safetensors(ConvTransposeOptions::new(2, 3, 2, [4]), &prefixed, "1.")
            .unwrap_err();
    assert_eq!(
        err,
        Error::Weights(
            "no tensor \"1.bias\" in the safetensors file (it has: 0.bias, 0.weight, 1.weight)"
                .into()
        )
    );
    // An integer tensor.
    let err = ConvTranspose::from_safetensors(
        ConvTransposeOptions::new(2, 4, 3, [3]).bias(false),
        fixture_path("conv_transpose_int64.safetensors"),
        "",
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Weights(
            "tensor \"weight\" has dtype I64; expected a floating-point tensor (float32, \
             float64, float16 or bfloat16)"
                .into()
        )
    );
    // Not a file / not safetensors.
    assert!(matches!(
        ConvTranspose::from_safetensors(opts.clone(), fixture_path("missing.safetensors"), ""),
        Err(Error::Weights(_))
    ));
    assert!(matches!(
        ConvTranspose::from_safetensors_bytes(opts, b"not safetensors", ""),
        Err(Error::Weights(_))
    ));
}

/// A random valid configuration: dims, channels, groups, per-axis k/s/p/op/d, batch/unbatched.
fn random_layer(rng: &mut StdRng) -> (ConvTranspose, Vec<usize>) {
    loop {
        let dims = rng.random_range(1..=3);
        let groups = [1, 1, 2, 3][rng.random_range(0..4)];
        let cig = rng.random_range(1..=if dims == 3 { 4 } else { 20 });
        let cog = rng.random_range(1..=if dims == 3 { 4 } else { 40 });
        let per_axis = |rng: &mut StdRng, lo: usize, hi: usize| -> Vec<usize> {
            (0..dims).map(|_| rng.random_range(lo..=hi)).collect()
        };
        let k = per_axis(rng, 1, 5);
        let s = per_axis(rng, 1, 3);
        let d = per_axis(rng, 1, 3);
        let p = per_axis(rng, 0, 2);
        let op: Vec<usize> = (0..dims)
            .map(|a| rng.random_range(0..s[a].max(d[a])))
            .collect();
        let options = ConvTransposeOptions::new(dims, cig * groups, cog * groups, k)
            .stride(s)
            .padding(p)
            .output_padding(op)
            .dilation(d)
            .groups(groups)
            .bias(rng.random_bool(0.7));
        let side = if dims == 3 { 5 } else { 9 };
        let mut shape: Vec<usize> = Vec::new();
        if rng.random_bool(0.8) {
            shape.push(rng.random_range(1..=2));
        }
        shape.push(cig * groups);
        shape.extend((0..dims).map(|_| rng.random_range(1..=side)));
        let layer = ConvTranspose::new(options, rng.random()).unwrap();
        if layer.output_shape(&shape).is_ok() {
            return (layer, shape);
        }
    }
}

/// The spec's gather formula written out literally, in f64, independent of the library's tap
/// tables: `y[n, g·Cog + co, o] = bias + Σ_ci Σ_k x[n, ci, (o + p - k·d) / s] · w[ci, co, k]`,
/// a term counting only where `s` divides `o + p - k·d` and the quotient is in range, per axis.
fn literal_reference(layer: &ConvTranspose, x: &Tensor) -> Vec<f32> {
    let o = layer.options();
    let dims = o.dims;
    let per_axis = |v: &[usize], unit: usize| -> [usize; 3] {
        let mut out = [unit; 3];
        for a in 0..dims {
            out[3 - dims + a] = if v.len() == 1 { v[0] } else { v[a] };
        }
        out
    };
    let (k, s, p, d) = (
        per_axis(&o.kernel_size, 1),
        per_axis(&o.stride, 1),
        per_axis(&o.padding, 0),
        per_axis(&o.dilation, 1),
    );
    let batched = x.shape().len() == dims + 2;
    let n = if batched { x.shape()[0] } else { 1 };
    let l_in = per_axis(&x.shape()[x.shape().len() - dims..], 1);
    let y_shape = layer.output_shape(x.shape()).unwrap();
    let l_out = per_axis(&y_shape[y_shape.len() - dims..], 1);
    let (c_in, c_out, groups) = (o.in_channels, o.out_channels, o.groups);
    let (cig, cog) = (c_in / groups, c_out / groups);
    let w = layer.weight().data();
    let mut y = Vec::new();
    for b in 0..n {
        for co in 0..c_out {
            let g = co / cog;
            for oz in 0..l_out[0] {
                for oy in 0..l_out[1] {
                    for ox in 0..l_out[2] {
                        let out = [oz, oy, ox];
                        let mut acc = layer.bias().map_or(0.0, |b| b.data()[co] as f64);
                        for ci in g * cig..(g + 1) * cig {
                            for kz in 0..k[0] {
                                for ky in 0..k[1] {
                                    for kx in 0..k[2] {
                                        let tap = [kz, ky, kx];
                                        let mut at = [0usize; 3];
                                        let reaches = (0..3).all(|a| {
                                            let num = out[a] as i64 + p[a] as i64
                                                - (tap[a] * d[a]) as i64;
                                            let q = num.div_euclid(s[a] as i64);
                                            at[a] = q.max(0) as usize;
                                            num.rem_euclid(s[a] as i64) == 0
                                                && (0..l_in[a] as i64).contains(&q)
                                        });
                                        if reaches {
                                            let xi = (((b * c_in + ci) * l_in[0] + at[0])
                                                * l_in[1]
                                                + at[1])
                                                * l_in[2]
                                                + at[2];
                                            let wi = (((ci * cog + co % cog) * k[0] + kz) * k[1]
                                                + ky)
                                                * k[2]
                                                + kx;
                                            acc += x.data()[xi] as f64 * w[wi] as f64;
                                        }
                                    }
                                }
                            }
                        }
                        y.push(acc as f32);
                    }
                }
            }
        }
    }
    y
}

#[test]
fn gpu_kernels_match_cpu_on_random_configurations() {
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0xc0de);
    let mut failures = Vec::new();
    for _ in 0..60 {
        let (layer, shape) = random_layer(&mut rng);
        let x = Tensor::from_fn(&shape, |_| rng.random_range(-1.0f32..1.0)).unwrap();
        // The gather reference is the judge here (itself checked against the formula written out
        // literally); the CPU SGEMM path is checked against it too.
        let want = layer
            .clone()
            .with_kernel(ConvTransposeKernel::Direct)
            .forward_cpu(&x)
            .unwrap();
        let literal = literal_reference(&layer, &x);
        if let Err(e) = common::check_close(want.data(), &literal, 1e-5) {
            failures.push(format!(
                "CPU gather vs the literal formula {:?} on {shape:?}: {e}",
                layer.options()
            ));
        }
        let cpu_gemm = layer
            .clone()
            .with_kernel(ConvTransposeKernel::Gemm)
            .forward_cpu(&x)
            .unwrap();
        if let Err(e) = common::check_close(cpu_gemm.data(), want.data(), 1e-4) {
            failures.push(format!("CPU Gemm {:?} on {shape:?}: {e}", layer.options()));
        }
        let gx = ctx.upload(&x).unwrap();
        for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
            let layer = layer.clone().with_kernel(kernel);
            let got = ctx.download(&layer.forward_gpu(ctx, &gx).unwrap()).unwrap();
            if let Err(e) = common::check_close(got.data(), want.data(), 1e-4) {
                failures.push(format!(
                    "{kernel:?} {:?} on {shape:?}: {e}",
                    layer.options()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn output_over_128_mib_is_processed_in_chunks() {
    let ctx = common::gpu();
    // Output 2×32×768×768 f32 = 151 MB: more than one 128 MiB storage binding on lavapipe, so
    // the batch is processed one image per chunk.
    let opts = ConvTransposeOptions::new(2, 1, 32, [2]).stride([2]);
    let mut rng = StdRng::seed_from_u64(3);
    let x = Tensor::from_fn(&[2, 1, 384, 384], |_| rng.random_range(-1.0f32..1.0)).unwrap();
    let layer = ConvTranspose::new(opts, 5).unwrap();
    let want = layer.forward_cpu(&x).unwrap();
    assert!(want.numel() * 4 > 128 << 20);
    let gx = ctx.upload(&x).unwrap();
    for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
        let layer = layer.clone().with_kernel(kernel);
        let got = ctx.download(&layer.forward_gpu(ctx, &gx).unwrap()).unwrap();
        common::check_close(got.data(), want.data(), 1e-4)
            .unwrap_or_else(|e| panic!("{kernel:?}: {e}"));
    }
}

#[test]
fn default_init_is_pytorchs_uniform_and_seeded() {
    // fan_in = (out_channels / groups) * prod(k) = (6 / 2) * 3 * 3 = 27.
    let opts = ConvTransposeOptions::new(2, 4, 6, [3]).groups(2);
    let a = ConvTranspose::new(opts.clone(), 42).unwrap();
    let b = ConvTranspose::new(opts.clone(), 42).unwrap();
    let c = ConvTranspose::new(opts, 43).unwrap();
    assert_eq!(a.weight().shape(), &[4, 3, 3, 3]);
    assert_eq!(a.bias().unwrap().shape(), &[6]);
    assert_eq!(a.weight(), b.weight());
    assert_ne!(a.weight(), c.weight());
    let bound = 1.0 / 27f32.sqrt();
    let all: Vec<f32> = a
        .weight()
        .data()
        .iter()
        .chain(a.bias().unwrap().data())
        .copied()
        .collect();
    assert!(all.iter().all(|v| v.abs() <= bound));
    // Spread over the range, not clustered: the extremes come near the bound.
    let max = all.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(max > 0.8 * bound, "{max} vs {bound}");
    assert_eq!(a.parameter_count(), 4 * 3 * 9 + 6);
}

#[test]
fn weight_and_bias_must_fit_the_options() {
    let opts = ConvTransposeOptions::new(2, 4, 2, [3]);
    let w = Tensor::zeros(&[4, 2, 3, 3]).unwrap();
    let err =
        ConvTranspose::from_weights(opts.clone(), w.clone(), Some(Tensor::zeros(&[3]).unwrap()))
            .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidShape(
            "Given transposed=1, weight of size [4, 2, 3, 3], expected bias to be 1-dimensional \
             with 2 elements, but got bias of size [3] instead"
                .into()
        )
    );
    assert_eq!(
        ConvTranspose::from_weights(opts.clone(), w.clone(), None).unwrap_err(),
        Error::InvalidArgument("the layer has bias=true but no bias tensor was given".into())
    );
    assert_eq!(
        ConvTranspose::from_weights(
            opts.clone().bias(false),
            w,
            Some(Tensor::zeros(&[2]).unwrap())
        )
        .unwrap_err(),
        Error::InvalidArgument("a bias tensor was given for a layer with bias=false".into())
    );
    let err =
        ConvTranspose::from_weights(opts, Tensor::zeros(&[4, 2, 3]).unwrap(), None).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidShape(m) if m.contains("expected a weight of size [4, 2, 3, 3]"))
    );
    // Per-axis lists of the wrong length.
    let err = ConvTranspose::new(ConvTransposeOptions::new(2, 1, 1, [3]).stride([1, 2, 3]), 0)
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidArgument(
            "expected stride to be a single integer value or a list of 2 values to match the \
             convolution dimensions, but got stride=[1, 2, 3]"
                .into()
        )
    );
    assert!(matches!(
        ConvTranspose::new(ConvTransposeOptions::new(4, 1, 1, [3]), 0),
        Err(Error::NotImplemented(_))
    ));
}

#[test]
fn gpu_output_tensor_is_checked_and_weights_are_reused() {
    let ctx = common::gpu();
    let layer = ConvTranspose::new(ConvTransposeOptions::new(1, 2, 3, [4]).stride([2]), 1).unwrap();
    let x = ctx.upload(&Tensor::zeros(&[1, 2, 5]).unwrap()).unwrap();
    let wrong = ctx.empty(&[1, 3, 11]).unwrap();
    let mut enc = ctx.device().create_command_encoder(&Default::default());
    let err = layer.encode_gpu(ctx, &mut enc, &x, &wrong).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidShape(m) if m.contains("[1, 3, 12]")),
        "{err:?}"
    );
    // Weights uploaded once per device, then reused by every call and both kernels.
    assert_eq!(layer.weight_uploads(), 0);
    let host = Tensor::from_fn(&[1, 2, 5], |i| i as f32 - 4.5).unwrap();
    let x = ctx.upload(&host).unwrap();
    let want = layer.forward_cpu(&host).unwrap();
    for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
        let layer = layer.clone().with_kernel(kernel);
        for output_size in [None, Some(&[12][..])] {
            let got = ctx
                .download(
                    &layer
                        .with_output_size(output_size)
                        .forward_gpu(ctx, &x)
                        .unwrap(),
                )
                .unwrap();
            common::check_close(got.data(), want.data(), 1e-5).unwrap();
        }
        assert_eq!(layer.weight_uploads(), 1, "{kernel:?}");
    }
    let another_device = common::device_with(wgpu::Features::empty(), |l| l);
    let y = layer
        .forward_gpu(&another_device, &another_device.upload(&host).unwrap())
        .unwrap();
    common::check_close(
        another_device.download(&y).unwrap().data(),
        want.data(),
        1e-5,
    )
    .unwrap();
    layer.forward_gpu(ctx, &x).unwrap();
    assert_eq!(layer.weight_uploads(), 2);
    // Input 10 + output 36 floats, plus the weights (24 floats) and bias (3) at least.
    let bytes = layer.gpu_memory_bytes(ctx, &[1, 2, 5]).unwrap();
    assert!(bytes >= (10 + 36 + 24 + 3) * 4, "{bytes}");
}

#[test]
fn sizes_beyond_the_librarys_limits_are_errors_not_panics() {
    let limit = |opts: ConvTransposeOptions| match ConvTranspose::new(opts.clone(), 0) {
        Err(Error::LimitExceeded(m)) => m,
        other => panic!("{opts:?}: expected LimitExceeded, got {other:?}"),
    };
    // Values the kernels could not index with 32-bit integers.
    for opts in [
        ConvTransposeOptions::new(1, 1, 1, [3]).padding([usize::MAX]),
        ConvTransposeOptions::new(1, 1, 1, [3]).padding([1 << 62]),
        ConvTransposeOptions::new(1, 1, 1, [3]).dilation([1 << 62]),
        ConvTransposeOptions::new(2, 1, 1, [1, 1 << 40]),
        // dilation·(kernel_size - 1) = 2^30.
        ConvTransposeOptions::new(1, 1, 1, [1 << 15 | 1]).dilation([1 << 15]),
    ] {
        let m = limit(opts);
        assert!(m.contains("must be below 2^30"), "{m}");
    }
    // One phase per stride residue: at most 4096.
    let m = limit(ConvTransposeOptions::new(1, 1, 1, [1]).stride([(1 << 32) + 1]));
    assert!(m.contains("below 2^30"), "{m}");
    let m = limit(ConvTransposeOptions::new(2, 1, 1, [2]).stride([65, 64]));
    assert_eq!(
        m,
        "stride=[65, 64] gives 4160 output phases; this library supports at most 4096 (the \
         product of the strides)"
    );
    ConvTranspose::new(ConvTransposeOptions::new(2, 1, 1, [2]).stride([64, 64]), 0).unwrap();

    // An output too large to address.
    let layer =
        ConvTranspose::new(ConvTransposeOptions::new(1, 1, 1, [1]).stride([1024]), 0).unwrap();
    let err = layer.output_shape(&[1 << 30, 1, 1 << 29]).unwrap_err();
    assert!(matches!(&err, Error::LimitExceeded(_)), "{err:?}");
    // Addressable, but beyond any machine ((2^20 + 1)^3 outputs from one input element): an error,
    // not
    // an abort, on the CPU and on the GPU.
    let layer = ConvTranspose::new(
        ConvTransposeOptions::new(3, 1, 1, [2]).dilation([1 << 20]),
        0,
    )
    .unwrap();
    let x = Tensor::zeros(&[1, 1, 1, 1, 1]).unwrap();
    assert_eq!(
        layer.forward_cpu(&x).unwrap_err(),
        Error::LimitExceeded(
            "can't allocate memory: you tried to allocate 4611699212579504132 bytes".into()
        )
    );
    let ctx = common::gpu();
    let err = layer
        .forward_gpu(ctx, &ctx.upload(&x).unwrap())
        .unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded(m) if m.contains("max_buffer_size")),
        "{err:?}"
    );

    // Weights larger than a storage binding of the device: refused clearly.
    let small = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: 256 << 10,
        ..l
    });
    let wide = ConvTranspose::new(ConvTransposeOptions::new(1, 1, 100_000, [1]), 0).unwrap();
    let x = Tensor::zeros(&[1, 1, 2]).unwrap();
    let err = wide
        .forward_gpu(&small, &small.upload(&x).unwrap())
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded(
            "the layer's weight (400000 bytes) exceeds this adapter's \
             max_storage_buffer_binding_size of 262144 bytes"
                .into()
        )
    );
}

#[test]
fn auto_picks_the_kernel_the_benchmark_found_faster() {
    // README "Direct or implicit GEMM": (C_in/groups, C_out/groups) → the faster kernel on
    // lavapipe with the workgroup-tiled GEMM (GPUs, GL; 1→16 measured a tie, the rule keeps the
    // direct kernel there) and with the subgroup core (CPU adapters).
    use ConvTransposeKernel::{Direct, Gemm};
    let ctx = common::gpu();
    for (cig, cog, workgroup, subgroup) in [
        (3, 3, Direct, Gemm),
        (4, 4, Direct, Gemm),
        (1, 16, Direct, Gemm),
        (2, 8, Direct, Gemm),
        (8, 4, Direct, Gemm),
        (64, 3, Direct, Gemm),
        (1, 1, Direct, Direct),
        (8, 8, Gemm, Gemm),
        (3, 64, Gemm, Gemm),
        (16, 16, Gemm, Gemm),
        (64, 64, Gemm, Gemm),
        (128, 64, Gemm, Gemm),
    ] {
        let select = |core| ConvTransposeKernel::select(cig, cog, core);
        assert_eq!(select(GemmCore::Workgroup), workgroup, "{cig}→{cog}");
        assert_eq!(select(GemmCore::Subgroup), subgroup, "{cig}→{cog}");
        let layer = ConvTranspose::new(
            ConvTransposeOptions::new(2, cig * 2, cog * 2, [4]).groups(2),
            0,
        )
        .unwrap();
        let want = match GemmCore::of(ctx) {
            GemmCore::Workgroup => workgroup,
            GemmCore::Subgroup => subgroup,
        };
        assert_eq!(layer.kernel(ctx), want, "{cig}→{cog} per group, groups=2");
        // The backward's grad_input is a convolution with the channel roles swapped.
        let back = layer.backward(&[1, cig * 2, 4, 4]).unwrap();
        let back_want = ConvTransposeKernel::select(cog, cig, GemmCore::of(ctx));
        assert_eq!(back.kernel(ctx), back_want, "{cig}→{cog} backward");
    }
}

#[test]
fn sgemm_band_wholly_past_the_input_row() {
    // Found by conv_transpose_nonfinite.rs's random layers: a length-1 input whose im2col band
    // for a tap starts past the row's end used to index out of bounds (a panic) in the CPU
    // SGEMM path.
    let options = ConvTransposeOptions::new(1, 7, 3, [4])
        .padding([2])
        .output_padding([1])
        .dilation([2]);
    let layer = ConvTranspose::new(options, 3).unwrap();
    let x = Tensor::from_fn(&[2, 7, 1], |i| i as f32 * 0.1 - 0.5).unwrap();
    let gemm = layer.clone().with_kernel(ConvTransposeKernel::Gemm);
    let direct = layer.with_kernel(ConvTransposeKernel::Direct);
    let want = direct.forward_cpu(&x).unwrap();
    common::check_close(gemm.forward_cpu(&x).unwrap().data(), want.data(), 1e-5).unwrap();
}
