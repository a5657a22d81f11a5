//! The quality module: metrics against known values, the FCN bilinear ConvTranspose against the
//! bilinear Upsample, the checkerboard measure, and the resize tool.

mod common;

use wgpu_upsample::{ConvTranspose, ConvTransposeOptions, Op, Tensor, Upsample, UpsampleMode};
use wgpu_upsample_tools::quality::metrics::{gaussian_window, stride_energy};
use wgpu_upsample_tools::quality::{
    Image, Method, ResizeOptions, ResizeTarget, Upsampler, bilinear_conv_transpose,
    bilinear_kernel, normalise_mean_gain, psnr, psnr_image, random_conv_transpose, resize_file,
    ssim_image, ssim_plane, text_pattern, zone_plate,
};

/// A deterministic pseudo-random image with values in 20..=230 (so ±d stays in range).
fn noise_image(w: usize, h: usize, c: usize, seed: u32) -> Image {
    let mut s = seed.wrapping_mul(2654435761).wrapping_add(1);
    Image::from_fn(w, h, c, |_, _, _| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        (20 + s % 211) as f32
    })
}

#[test]
fn psnr_known_values() {
    let a = noise_image(32, 24, 3, 1);
    assert_eq!(psnr_image(&a, &a), f64::INFINITY);
    for d in [1.0f32, 2.0, 5.0, 17.0] {
        let b = Image {
            data: a.data.iter().map(|v| v + d).collect(),
            ..a.clone()
        };
        let want = 20.0 * (255.0 / d as f64).log10();
        let got = psnr_image(&a, &b);
        assert!((got - want).abs() < 1e-9, "d={d}: {got} vs {want}");
    }
    // Range 1: MSE 0.01 -> 20 dB.
    assert!((psnr(&[0.0, 0.0], &[0.1, -0.1], 1.0) - 20.0).abs() < 1e-6);
}

#[test]
fn ssim_known_values() {
    let a = noise_image(40, 33, 3, 7);
    assert!((ssim_image(&a, &a) - 1.0).abs() < 1e-12);
    // Two constant planes a, b: the variances and covariance are 0, so
    // SSIM = (2ab + C1) / (a² + b² + C1), C1 = (0.01·255)².
    let c1 = (0.01f64 * 255.0).powi(2);
    for (x, y) in [(100.0f32, 110.0f32), (0.0, 255.0), (50.0, 50.0)] {
        let p = vec![x; 20 * 20];
        let q = vec![y; 20 * 20];
        let (x, y) = (x as f64, y as f64);
        let want = (2.0 * x * y + c1) / (x * x + y * y + c1);
        let got = ssim_plane(&p, &q, 20, 20, 255.0);
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    // A zero-mean pattern against its negative: means 0, σx² = σy² = -cov = v, so
    // SSIM = C1/C1 · (-2v + C2)/(2v + C2) (window smaller than 11: one uniform window).
    let p: Vec<f32> = (0..64)
        .map(|i| if (i / 8 + i) % 2 == 0 { 10.0 } else { -10.0 })
        .collect();
    let q: Vec<f32> = p.iter().map(|v| -v).collect();
    let c2 = (0.03f64 * 255.0).powi(2);
    let want = (-200.0 + c2) / (200.0 + c2);
    let got = ssim_plane(&p, &q, 8, 8, 255.0);
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    let g = gaussian_window(11, 1.5);
    assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Noise lowers SSIM below 1.
    let b = noise_image(40, 33, 3, 8);
    assert!(ssim_image(&a, &b) < 0.1);
}

/// PSNR and SSIM against scikit-image 0.26 on the image pairs of
/// `tests/fixtures/quality_metrics.json` (written by `tools/golden/gen_quality_metrics.py`:
/// `peak_signal_noise_ratio(data_range=255)`, `structural_similarity(data_range=255,
/// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, channel_axis=0)`).
#[test]
fn psnr_and_ssim_match_scikit_image() {
    let doc: serde_json::Value =
        serde_json::from_str(&common::fixture("quality_metrics.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let dim = |key: &str| case[key].as_u64().unwrap() as usize;
        let (c, h, w) = (dim("channels"), dim("height"), dim("width"));
        let image = |key: &str| Image {
            width: w,
            height: h,
            channels: c,
            data: case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect(),
        };
        let (a, b) = (image("a"), image("b"));
        assert_eq!(a.data.len(), c * h * w, "{name}");
        let want_psnr = case["psnr"].as_f64().unwrap();
        let want_ssim = case["ssim"].as_f64().unwrap();
        let got_psnr = psnr_image(&a, &b);
        let got_ssim = ssim_image(&a, &b);
        assert!(
            (got_psnr - want_psnr).abs() < 1e-9,
            "{name}: PSNR {got_psnr} vs skimage {want_psnr}"
        );
        assert!(
            (got_ssim - want_ssim).abs() < 1e-9,
            "{name}: SSIM {got_ssim} vs skimage {want_ssim}"
        );
    }
}

#[test]
fn stride_energy_known_values() {
    let flat = vec![3.0f32; 64];
    assert!(stride_energy(&flat, 8, 8, 2) < 1e-20);
    // ±1 checkerboard: all energy at (h/2, w/2).
    let cb: Vec<f32> = (0..64)
        .map(|i| if (i / 8 + i % 8) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    assert!((stride_energy(&cb, 8, 8, 2) - 1.0).abs() < 1e-12);
    // 1 + checkerboard: half the energy (DC 1, stride 1).
    let half: Vec<f32> = cb.iter().map(|v| 1.0 + v).collect();
    assert!((stride_energy(&half, 8, 8, 2) - 0.5).abs() < 1e-12);
}

#[test]
fn bilinear_kernel_is_fcns() {
    assert_eq!(bilinear_kernel(4), vec![0.25, 0.75, 0.75, 0.25]);
    assert_eq!(
        bilinear_kernel(8),
        vec![0.125, 0.375, 0.625, 0.875, 0.875, 0.625, 0.375, 0.125]
    );
}

#[test]
fn bilinear_conv_transpose_matches_bilinear_upsample_in_the_interior() {
    let ctx = common::gpu();
    for s in [2usize, 4] {
        let (c, h, w) = (3, 13, 10);
        let x = Tensor::from_fn(&[1, c, h, w], |i| ((i * 7919) % 255) as f32).unwrap();
        let layer = bilinear_conv_transpose(c, s).unwrap();
        let up = Upsample::with_size([h * s, w * s], UpsampleMode::Bilinear);
        let gx = ctx.upload(&x).unwrap();
        let y_conv = ctx.download(&layer.forward_gpu(ctx, &gx).unwrap()).unwrap();
        let y_up = ctx.download(&up.forward_gpu(ctx, &gx).unwrap()).unwrap();
        let y_cpu = layer.forward_cpu(&x).unwrap();
        assert_eq!(y_conv.shape(), y_up.shape());
        let interior = |t: &Tensor| {
            Image::from_tensor(t)
                .unwrap()
                .crop(s, s, w * s - 2 * s, h * s - 2 * s)
                .data
        };
        for (name, got) in [("gpu", &y_conv), ("cpu", &y_cpu)] {
            common::check_close(&interior(got), &interior(&y_up), 1e-5)
                .unwrap_or_else(|e| panic!("s={s} {name}: {e}"));
        }
        // At the border they differ (the transposed convolution misses taps there).
        assert!(y_conv.max_abs_diff(&y_up).unwrap() > 1.0);
    }
}

#[test]
fn checkerboard_is_zero_for_interpolation_and_clear_for_random_k3s2() {
    let ctx = common::gpu();
    for f in [2usize, 4] {
        for m in Method::ALL {
            let u = Upsampler::new(m, 3, f, 0).unwrap();
            let cb = u.checkerboard(ctx).unwrap();
            let what = format!("{} x{f}: {cb:?}", m.name());
            // Every method keeps the brightness (the random layers after rescaling).
            assert!((cb.mean_gain - 1.0).abs() < 1e-4, "{what}");
            match m {
                Method::Interpolate { .. } | Method::ConvTransposeBilinear => {
                    assert!(cb.spread < 1e-5 && cb.stride_energy < 1e-9, "{what}");
                    assert!((cb.gain_ratio - 1.0).abs() < 1e-5, "{what}");
                    assert!(!cb.shows(1e-4), "{what}");
                }
                Method::ConvTransposeRandom { .. } => {
                    assert!(cb.spread > 0.1 && cb.stride_energy > 0.01, "{what}");
                    assert!(cb.gain_ratio > 1.1 && cb.shows(1e-4), "{what}");
                }
            }
        }
    }
    // k=3 s=2 with random init shows it, whatever the seed.
    for seed in 1..5 {
        let cb = Upsampler::new(Method::ConvTransposeRandom { k: 3 }, 3, 2, seed)
            .unwrap()
            .checkerboard(ctx)
            .unwrap();
        assert!(
            cb.spread > 0.1 && cb.stride_energy > 0.01 && cb.gain_ratio > 1.1,
            "seed {seed}: {cb:?}"
        );
    }
}

/// The per-phase gains measured on the GPU output equal the phase sums of the layer's weights:
/// with stride 2 and padding 1, kernel tap `t` lands on output phase `(t - 1) mod 2`.
#[test]
fn checkerboard_gains_are_the_kernels_phase_sums() {
    let ctx = common::gpu();
    for k in [3usize, 4] {
        for seed in 0..3 {
            let u = Upsampler::new(Method::ConvTransposeRandom { k }, 3, 2, seed).unwrap();
            let weight = u.conv_stages()[0].weight();
            // Per channel: the four phase gains; report the channel of largest spread.
            let mut want = None::<(f64, f64, f64, f64)>;
            for kernel in weight.data().chunks_exact(k * k) {
                let mut g = [0.0f64; 4];
                for t in 0..k {
                    for v in 0..k {
                        g[((t + 1) % 2) * 2 + (v + 1) % 2] += kernel[t * k + v] as f64;
                    }
                }
                let min = g.iter().copied().fold(f64::INFINITY, f64::min);
                let max = g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mean = g.iter().sum::<f64>() / 4.0;
                let spread = (max - min) / mean.abs();
                if want.is_none_or(|w| spread > w.3) {
                    want = Some((min, max, mean, spread));
                }
            }
            let (min, max, mean, spread) = want.unwrap();
            let cb = u.checkerboard(ctx).unwrap();
            let what = format!("k={k} seed={seed}: {cb:?} vs {:?}", want.unwrap());
            assert!((cb.min_gain - min).abs() < 1e-4, "{what}");
            assert!((cb.max_gain - max).abs() < 1e-4, "{what}");
            assert!((cb.mean_gain - mean).abs() < 1e-4, "{what}");
            assert!(
                (cb.spread - spread).abs() < 1e-3 * spread.max(1.0),
                "{what}"
            );
        }
    }
}

#[test]
fn normalise_mean_gain_divides_each_channel_by_its_mean_gain() {
    for k in [3usize, 4] {
        // PyTorch's default init of a depthwise layer: a different kernel per channel.
        let opts = ConvTransposeOptions::new(2, 3, 3, [k])
            .stride([2])
            .padding([1])
            .groups(3)
            .bias(false);
        let raw = ConvTranspose::new(opts, 7).unwrap();
        let (unit, gains) = normalise_mean_gain(&raw).unwrap();
        assert_eq!(unit.options(), raw.options());
        assert_eq!(gains.len(), 3);
        let kernels = raw.weight().data().chunks_exact(k * k);
        let scaled_kernels = unit.weight().data().chunks_exact(k * k);
        for (c, ((kernel, scaled), gain)) in kernels.zip(scaled_kernels).zip(&gains).enumerate() {
            // Mean over the 4 phases of the phase sums = the kernel's sum / 4.
            let want = kernel.iter().map(|&v| v as f64).sum::<f64>() / 4.0;
            assert!((gain - want).abs() < 1e-9, "k={k} c={c}");
            let sum: f64 = scaled.iter().map(|&v| v as f64).sum();
            assert!((sum - 4.0).abs() < 1e-5, "k={k} c={c}: sum {sum}");
            for (s, r) in scaled.iter().zip(kernel) {
                assert!((*s as f64 * want - *r as f64).abs() < 1e-6, "k={k} c={c}");
            }
        }
    }
    // The comparison's random layer: one ConvTranspose2d(1, 1, k) kernel, uniform in ±1/k, in
    // every channel.
    for k in [3usize, 4] {
        let layer = random_conv_transpose(3, k, 5).unwrap();
        let w = layer.weight().data();
        assert_eq!(layer.weight().shape(), &[3, 1, k, k]);
        assert!(w.iter().all(|v| v.abs() <= 1.0 / k as f32), "k={k}");
        assert!(w.iter().any(|&v| v != w[0]), "k={k}: not random");
        assert_eq!(&w[..k * k], &w[k * k..2 * k * k], "k={k}");
        assert_eq!(&w[..k * k], &w[2 * k * k..], "k={k}");
    }
    // A kernel with zero mean gain (taps -4..=4) cannot be rescaled.
    let opts = ConvTransposeOptions::new(2, 1, 1, [3])
        .stride([2])
        .padding([1])
        .bias(false);
    let weight = Tensor::from_fn(&[1, 1, 3, 3], |i| i as f32 - 4.0).unwrap();
    let zero = ConvTranspose::from_weights(opts, weight, None).unwrap();
    assert!(normalise_mean_gain(&zero).is_err());
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("wgpu-upsample-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn resize_round_trips_a_png_and_matches_the_library() {
    let ctx = common::gpu();
    let dir = temp_dir("resize");
    let zp = zone_plate(48, 3);
    let tp = text_pattern(48, 1);
    // RGBA: zone plate colours, alpha the text card.
    let rgba = Image::from_fn(48, 40, 4, |c, y, x| {
        if c == 3 {
            tp.get(0, y, x)
        } else {
            (zp.get(0, y, x) + 40.0 * c as f32).min(255.0)
        }
    })
    .quantized();
    let rgb = noise_image(37, 29, 3, 3).quantized();
    for (img, name) in [(&rgba, "rgba"), (&rgb, "rgb")] {
        let input = dir.join(format!("{name}.png"));
        img.save(&input).unwrap();
        // PNG round trip is lossless.
        assert_eq!(&Image::load(&input).unwrap(), img, "{name} round trip");
        let cases = [
            ResizeOptions::new(ResizeTarget::Scale(2.0), UpsampleMode::Bicubic),
            ResizeOptions::new(ResizeTarget::Scale(1.5), UpsampleMode::Nearest),
            ResizeOptions {
                align_corners: true,
                ..ResizeOptions::new(
                    ResizeTarget::Size {
                        width: 50,
                        height: 31,
                    },
                    UpsampleMode::Bilinear,
                )
            },
            ResizeOptions {
                antialias: true,
                ..ResizeOptions::new(
                    ResizeTarget::Size {
                        width: 17,
                        height: 13,
                    },
                    UpsampleMode::Bicubic,
                )
            },
            ResizeOptions::new(ResizeTarget::Scale(0.5), UpsampleMode::Area),
            // Lanczos is antialiased by default (PyTorch accepts it no other way).
            ResizeOptions::new(ResizeTarget::Scale(0.6), UpsampleMode::Lanczos),
            ResizeOptions::new(ResizeTarget::Scale(1.7), UpsampleMode::Lanczos),
        ];
        for (i, opts) in cases.iter().enumerate() {
            let output = dir.join(format!("{name}_{i}.png"));
            let out = resize_file(ctx, &input, &output, opts).unwrap();
            let back = Image::load(&output).unwrap();
            assert_eq!(
                back, out,
                "{name} case {i}: file differs from the returned image"
            );
            assert_eq!(back.channels, img.channels);
            // The library's own forward, rounded and clamped the same way.
            let up = opts.upsample();
            let x = img.to_tensor().unwrap();
            let want_gpu = Image::from_tensor(
                &ctx.download(&up.forward_gpu(ctx, &ctx.upload(&x).unwrap()).unwrap())
                    .unwrap(),
            )
            .unwrap()
            .quantized();
            assert_eq!(back, want_gpu, "{name} case {i} vs forward_gpu");
            let want_cpu = Image::from_tensor(&up.forward_cpu(&x).unwrap())
                .unwrap()
                .quantized();
            let worst = back
                .data
                .iter()
                .zip(&want_cpu.data)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst <= 1.0, "{name} case {i} vs forward_cpu: {worst}");
        }
    }
    // JPEG cannot keep the alpha: an error, not a silent drop.
    let opts = ResizeOptions::new(ResizeTarget::Scale(2.0), UpsampleMode::Bilinear);
    let err = resize_file(ctx, dir.join("rgba.png"), dir.join("rgba.jpg"), &opts).unwrap_err();
    assert!(err.to_string().contains("alpha"), "{err}");
    assert!(!dir.join("rgba.jpg").exists());
    std::fs::remove_dir_all(&dir).ok();
}
