//! GPU against the CPU reference on random shapes and options (a seeded property test), and on
//! tensors big enough to need chunking (> 128 MiB, lavapipe's storage-binding limit) and dispatch
//! grids of more than 65 535 workgroups.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wgpu_upsample::{Error, Op, Tensor, Upsample, UpsampleMode};

const RTOL: f32 = 1e-5;

fn random_tensor(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |_| rng.random_range(-2.0f32..2.0)).unwrap()
}

fn gpu_forward(up: &Upsample, x: &Tensor) -> Tensor {
    let ctx = common::gpu();
    let gx = ctx.upload(x).unwrap();
    let gy = up.forward_gpu(ctx, &gx).unwrap();
    ctx.download(&gy).unwrap()
}

/// GPU against the CPU reference for `up` on `x`: the shapes must agree and the values be
/// within `RTOL`; a mismatch in values is returned as a message naming the case.
fn gpu_vs_cpu(up: &Upsample, x: &Tensor) -> Result<(), String> {
    let want = up.forward_cpu(x).unwrap();
    let got = gpu_forward(up, x);
    assert_eq!(got.shape(), want.shape());
    common::check_close(got.data(), want.data(), RTOL)
        .map_err(|e| format!("{up:?} on {:?}: {e}", x.shape()))
}

fn random_upsample(rng: &mut StdRng) -> (Upsample, Vec<usize>) {
    let mode = UpsampleMode::ALL[rng.random_range(0..UpsampleMode::ALL.len())];
    let rank = mode
        .required_rank()
        .unwrap_or_else(|| rng.random_range(3..=5));
    let mut shape = vec![rng.random_range(1..=3), rng.random_range(1..=4)];
    let max_side = [0, 0, 0, 70, 24, 9][rank];
    shape.extend((2..rank).map(|_| rng.random_range(1..=max_side)));
    let dims = rank - 2;
    let mut up = if rng.random_bool(0.5) {
        let size: Vec<usize> = (0..dims)
            .map(|_| rng.random_range(1..=2 * max_side + 3))
            .collect();
        Upsample::with_size(size, mode)
    } else {
        let scale: Vec<f64> = (0..dims).map(|_| rng.random_range(0.25f64..3.5)).collect();
        let mut up = Upsample::with_scale_factor(scale, mode);
        if rng.random_bool(0.3) {
            up = up.recompute_scale_factor(rng.random_bool(0.5));
        }
        up
    };
    if mode.takes_align_corners() && rng.random_bool(0.6) {
        up = up.align_corners(rng.random_bool(0.5));
    }
    if matches!(mode, UpsampleMode::Bilinear | UpsampleMode::Bicubic) && rng.random_bool(0.4) {
        up = up.antialias(true);
    }
    (up, shape)
}

#[test]
fn exact_x2_kernels_match_cpu_on_random_shapes() {
    // Height and width doubled, width a multiple of 4: the ×2 kernels (x2.wgsl), checked to be
    // the ones that run.
    let mut rng = StdRng::seed_from_u64(0x2222);
    let mut failures = Vec::new();
    for _ in 0..60 {
        let modes = [
            UpsampleMode::Nearest,
            UpsampleMode::NearestExact,
            UpsampleMode::Bilinear,
            UpsampleMode::Bicubic,
            UpsampleMode::Trilinear,
        ];
        let mode = modes[rng.random_range(0..modes.len())];
        let rank = mode
            .required_rank()
            .unwrap_or_else(|| rng.random_range(4..=5));
        let mut shape = vec![rng.random_range(1..=3), rng.random_range(1..=4)];
        if rank == 5 {
            shape.push(rng.random_range(1..=4));
        }
        shape.push(rng.random_range(1..=9));
        shape.push(4 * rng.random_range(1..=40));
        let depth = if rank == 5 && rng.random_bool(0.3) {
            vec![1.0]
        } else if rank == 5 {
            vec![2.0]
        } else {
            vec![]
        };
        let up = if rng.random_bool(0.5) {
            Upsample::with_scale_factor([depth.clone(), vec![2.0, 2.0]].concat(), mode)
        } else {
            let size = shape[2..]
                .iter()
                .enumerate()
                .map(|(k, &s)| if depth.get(k) == Some(&1.0) { s } else { 2 * s })
                .collect::<Vec<_>>();
            Upsample::with_size(size, mode)
        };
        // align_corners=True: weights per output (the x2w_ kernels).
        let corners = mode.takes_align_corners() && rng.random_bool(0.4);
        let up = if corners || mode.takes_align_corners() && rng.random_bool(0.5) {
            up.align_corners(corners)
        } else {
            up
        };
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        // Trilinear with the depth kept takes the general kernel (see plan.rs, `x2_pass`).
        let want = if mode == UpsampleMode::Trilinear && depth == [1.0] {
            "linear_3d"
        } else if corners {
            "x2w_"
        } else {
            "x2_"
        };
        assert!(
            kernels.len() == 1 && kernels[0].starts_with(want),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn trilinear_x2_kernels_match_cpu_across_slice_and_row_groups() {
    // The trilinear ×2 kernels take X2_SLICES (8) input slices and X2_ROWS (8) input rows a
    // thread: random depths and heights up to several groups of each (and the partial last
    // ones), widths over several threads, both align_corners.
    let mut rng = StdRng::seed_from_u64(0x3d3d);
    let mut failures = Vec::new();
    for _ in 0..12 {
        let shape = vec![
            rng.random_range(1..=2),
            rng.random_range(1..=3),
            rng.random_range(1..=27),
            rng.random_range(1..=20),
            4 * rng.random_range(1..=20),
        ];
        let corners = rng.random_bool(0.5);
        let up = Upsample::with_scale_factor([2.0, 2.0, 2.0], UpsampleMode::Trilinear)
            .align_corners(corners);
        let want = if corners {
            "x2w_linear_3d"
        } else {
            "x2_linear_3d"
        };
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        assert_eq!(kernels, [want], "{up:?} on {shape:?}");
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn factor_kernels_match_cpu_on_random_shapes() {
    // nearest, nearest-exact and area at integer factors along w (up ×1..×8, down ×2), any
    // factor along h and d, widths multiples of 4: the factor kernels (factor.wgsl), checked to
    // be the ones that run where the pattern holds.
    let mut rng = StdRng::seed_from_u64(0x3333);
    let modes = [
        UpsampleMode::Nearest,
        UpsampleMode::NearestExact,
        UpsampleMode::Area,
    ];
    let (mut failures, mut factor) = (Vec::new(), 0);
    for _ in 0..80 {
        let mode = modes[rng.random_range(0..modes.len())];
        let rank = rng.random_range(3..=5);
        let mut shape = vec![rng.random_range(1..=3), rng.random_range(1..=4)];
        shape.extend((3..rank).map(|_| rng.random_range(2..=9)));
        shape.push(4 * rng.random_range(1..=40));
        let mut scale: Vec<f64> = (3..rank)
            .map(|_| [0.5, 1.0, 1.5, 2.0, 3.0][rng.random_range(0..5)])
            .collect();
        let down = rng.random_bool(0.4);
        scale.push(if down {
            0.5
        } else {
            rng.random_range(1..=8) as f64
        });
        if down {
            shape[rank - 1] = 8 * rng.random_range(1..=20);
        }
        let up = Upsample::with_scale_factor(scale, mode);
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        if kernels.len() == 1 && (kernels[0].contains("_up_x") || kernels[0].contains("_down_x")) {
            factor += 1;
        }
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(format!("{e} ({kernels:?})"));
        }
    }
    assert!(factor >= 40, "{factor} of 80 cases ran a factor kernel");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn linear_factor_kernels_match_cpu_on_random_shapes() {
    // linear and bilinear ×2..×4 along w, any factor along h, widths multiples of 4: the
    // streaming linear kernels (factor_linear.wgsl), checked to be the ones that run.
    let mut rng = StdRng::seed_from_u64(0x4444);
    let mut failures = Vec::new();
    for _ in 0..60 {
        let rank = rng.random_range(3..=4);
        let mode = [UpsampleMode::Linear, UpsampleMode::Bilinear][rank - 3];
        let mut shape = vec![rng.random_range(1..=3), rng.random_range(1..=4)];
        if rank == 4 {
            shape.push(rng.random_range(1..=20));
        }
        shape.push(4 * rng.random_range(1..=40));
        let s = rng.random_range(2..=4);
        let mut scale: Vec<f64> = Vec::new();
        if rank == 4 {
            scale.push([0.5, 1.5, 2.0, 3.0, 4.0][rng.random_range(0..5)]);
            if shape[2] == 1 {
                scale[0] = 2.0;
            }
        }
        scale.push(s as f64);
        let up = Upsample::with_scale_factor(scale, mode);
        let up = if rng.random_bool(0.5) {
            up.align_corners(false)
        } else {
            up
        };
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        // Both axes doubled on a 4-D input take the ×2 kernel.
        let x2 = rank == 4 && s == 2 && up.output_shape(&shape).unwrap()[2] == 2 * shape[2];
        let want = if x2 {
            "x2_linear".to_string()
        } else {
            format!("linear_up_x{s}")
        };
        assert_eq!(kernels, [want.as_str()], "{up:?} on {shape:?}");
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    // ×½ along w (linear_down_x2), any factor along h.
    for k in 0..12 {
        let w = 8 * rng.random_range(1..=60);
        let (shape, scale) = if k % 3 == 0 {
            (vec![2, 3, w], vec![0.5])
        } else {
            let h = rng.random_range(2..=12);
            let fh = [0.5, 1.5, 2.0, 3.0][rng.random_range(0..4)];
            (vec![1, 3, h, w], vec![fh, 0.5])
        };
        let mode = if shape.len() == 3 {
            UpsampleMode::Linear
        } else {
            UpsampleMode::Bilinear
        };
        let up = Upsample::with_scale_factor(scale, mode);
        assert_eq!(
            up.gpu_kernels(common::gpu(), &shape).unwrap(),
            ["linear_down_x2"],
            "{up:?} on {shape:?}"
        );
        if let Err(e) = gpu_vs_cpu(&up, &random_tensor(&mut rng, &shape)) {
            failures.push(e);
        }
    }
    // Long 1-D rows: several units per thread and several workgroups per row.
    for (s, w) in [(2, 4400), (3, 2052), (4, 2500)] {
        let up = Upsample::with_scale_factor([s as f64], UpsampleMode::Linear);
        let shape = [2, 3, w];
        let want = format!("linear_up_x{s}");
        assert_eq!(up.gpu_kernels(common::gpu(), &shape).unwrap(), [want]);
        if let Err(e) = gpu_vs_cpu(&up, &random_tensor(&mut rng, &shape)) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fractional_kernels_match_cpu_on_random_shapes() {
    // Bilinear and bicubic at any scale with both widths multiples of 4: the streaming kernels
    // (fractional.wgsl), checked to be the ones that run; odd heights, up and down (to 0.6 along
    // w), scale or size, align_corners both, up to several row blocks and workgroups per row.
    let mut rng = StdRng::seed_from_u64(0xf4ac);
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for k in 0..60 {
        let mode = [UpsampleMode::Bilinear, UpsampleMode::Bicubic][k % 2];
        let (h, w) = (rng.random_range(1..=40), 4 * rng.random_range(4..=80));
        let shape = vec![rng.random_range(1..=2), rng.random_range(1..=3), h, w];
        let mut ow = 4
            * (rng.random_range(0.6f64..3.5) * w as f64 / 4.0)
                .round()
                .max(1.0) as usize;
        // Not an integer factor (the factor kernels' cases).
        if ow.is_multiple_of(w) || w == 2 * ow {
            ow += 4;
        }
        let up = if rng.random_bool(0.5) {
            Upsample::with_size([rng.random_range(1..=3 * h), ow], mode)
        } else {
            // A scale along w whose output width is ow (PyTorch floors in_w · scale).
            let sh = rng.random_range(0.3f64..3.5);
            Upsample::with_scale_factor(vec![sh, ow as f64 / w as f64], mode)
                .recompute_scale_factor(rng.random_bool(0.3))
        };
        let up = match rng.random_range(0..3) {
            0 => up,
            c => up.align_corners(c == 2),
        };
        let out = up.output_shape(&shape).unwrap();
        if out[2] == 0 || out[3] != ow {
            continue;
        }
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        assert!(
            kernels.len() == 1 && kernels[0].starts_with("fractional_"),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        seen.insert(kernels[0]);
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    assert!(seen.len() >= 3, "{seen:?}");
    // ×1.5 (align_corners false): the ×1.5 kernels (24 outputs per thread, static taps inside).
    for k in 0..8 {
        let mode = [UpsampleMode::Bilinear, UpsampleMode::Bicubic][k % 2];
        let (h, w) = (rng.random_range(1..=40), 8 * rng.random_range(4..=40));
        let shape = vec![rng.random_range(1..=2), rng.random_range(1..=3), h, w];
        let sh = [1.5, 1.25, 2.5][rng.random_range(0..3)];
        let up = Upsample::with_scale_factor(vec![sh, 1.5], mode).align_corners(false);
        let kernels = up.gpu_kernels(common::gpu(), &shape).unwrap();
        assert!(
            kernels.len() == 2 && kernels[0].ends_with("_x1_5") && kernels[1].ends_with("_edges"),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    // Odd widths, and widths not a multiple of 4: the general kernels.
    for (shape, size) in [
        ([1, 2, 5, 7], [7, 10]),
        ([1, 2, 5, 8], [7, 10]),
        ([1, 1, 3, 10], [4, 12]),
    ] {
        for mode in [UpsampleMode::Bilinear, UpsampleMode::Bicubic] {
            let up = Upsample::with_size(size, mode);
            let want = [["linear_2d"], ["bicubic_2d"]][(mode == UpsampleMode::Bicubic) as usize];
            assert_eq!(up.gpu_kernels(common::gpu(), &shape).unwrap(), want);
            if let Err(e) = gpu_vs_cpu(&up, &random_tensor(&mut rng, &shape)) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn x2_with_per_output_weights_falls_back_past_its_uniform_array() {
    // align_corners=True ×2 keeps one vec4 of weights per output row in a 4096-entry uniform
    // array: one row more and another kernel runs instead (here the streaming linear one,
    // whose taps along this width follow its pattern), with the same result.
    let mut rng = StdRng::seed_from_u64(7);
    for (rows, kernel) in [(2048, "x2w_linear"), (2049, "linear_up_x2")] {
        let shape = [1, 1, rows, 8];
        let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear).align_corners(true);
        assert_eq!(up.gpu_kernels(common::gpu(), &shape).unwrap(), [kernel]);
        gpu_vs_cpu(&up, &random_tensor(&mut rng, &shape)).unwrap();
    }
}

#[test]
fn gpu_matches_cpu_on_random_shapes_and_options() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut ran = 0;
    let mut failures = Vec::new();
    for _ in 0..300 {
        let (up, shape) = random_upsample(&mut rng);
        // Some random scales floor an axis to 0: PyTorch rejects those, and so must we.
        let Ok(out_shape) = up.output_shape(&shape) else {
            continue;
        };
        if out_shape.iter().product::<usize>() == 0 {
            continue;
        }
        ran += 1;
        let x = random_tensor(&mut rng, &shape);
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
    }
    assert!(ran > 200, "only {ran} random cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn grid_over_65535_workgroups() {
    // 1×2×1024×1024 ×3 = 18.9 M outputs; a workgroup covers at most 256 of them (64 threads × 4
    // along x), so the grid has over 73 k workgroups: more than 65 535 in one dimension.
    let mut rng = StdRng::seed_from_u64(7);
    let x = random_tensor(&mut rng, &[1, 2, 1024, 1024]);
    for mode in [UpsampleMode::Nearest, UpsampleMode::Bilinear] {
        let up = Upsample::with_scale_factor([3.0], mode);
        let want = up.forward_cpu(&x).unwrap();
        assert!(want.numel() / 256 > 65_535);
        let got = gpu_forward(&up, &x);
        common::check_close(got.data(), want.data(), RTOL).unwrap();
    }
}

#[test]
fn tensor_over_128_mib_is_processed_in_chunks() {
    let ctx = common::gpu();
    // Output 2×9×1400×1400 f32 = 141 MB > 128 MiB, so it cannot be one storage binding on lavapipe.
    let mut rng = StdRng::seed_from_u64(11);
    let x = random_tensor(&mut rng, &[2, 9, 700, 700]);
    for up in [
        Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear),
        Upsample::with_size([1400, 1399], UpsampleMode::Bicubic).antialias(true),
    ] {
        let want = up.forward_cpu(&x).unwrap();
        let bytes = want.numel() as u64 * 4;
        assert!(bytes > 128 << 20);
        if bytes <= ctx.limits().max_storage_buffer_binding_size {
            eprintln!("note: this adapter binds {bytes} bytes at once; no chunking needed");
        }
        let got = gpu_forward(&up, &x);
        common::check_close(got.data(), want.data(), RTOL).unwrap();
    }
}

#[test]
fn a_plane_larger_than_one_binding_is_refused_clearly() {
    let ctx = common::gpu();
    let limit = ctx.limits().max_storage_buffer_binding_size;
    // One output plane just over the binding limit.
    let side = ((limit / 4) as f64).sqrt().ceil() as usize + 1;
    let x = ctx.upload(&Tensor::zeros(&[1, 1, 4, 4]).unwrap()).unwrap();
    let err = Upsample::with_size([side, side], UpsampleMode::Nearest)
        .forward_gpu(ctx, &x)
        .unwrap_err();
    match &err {
        Error::LimitExceeded(msg) => assert!(
            msg.contains("max_storage_buffer_binding_size") || msg.contains("max_buffer_size"),
            "{msg}"
        ),
        e => panic!("expected LimitExceeded, got {e:?}"),
    }
}

#[test]
fn every_kernel_family_chunks_on_a_device_with_small_bindings_and_grids() {
    // A caller's device whose storage bindings hold 256 KiB (+100 bytes, so chunks start at
    // misaligned planes) and whose grids are at most 16 workgroups per dimension: every kernel
    // family runs in several chunks of planes (and the ×2 kernels give way to the general ones
    // where their grid would not fit), and still matches the CPU.
    let small = common::device_with(wgpu::Features::empty(), |l| wgpu::Limits {
        max_storage_buffer_binding_size: (256 << 10) + 100,
        max_compute_workgroups_per_dimension: 16,
        min_storage_buffer_offset_alignment: 256,
        ..l
    });
    let mut rng = StdRng::seed_from_u64(0x5a11);
    let x2 = |mode| Upsample::with_scale_factor([2.0], mode);
    let cases: Vec<(Vec<usize>, Upsample, &str)> = vec![
        (vec![3, 5, 40, 64], x2(UpsampleMode::Nearest), "x2_nearest"),
        (
            vec![2, 3, 64, 64],
            x2(UpsampleMode::Bilinear).align_corners(true),
            "x2w_linear",
        ),
        (
            vec![1, 3, 8, 20, 24],
            x2(UpsampleMode::Trilinear),
            "x2_linear_3d",
        ),
        // ⌈160 / 8⌉ = 20 rows of workgroups > 16: the streaming linear kernel instead (its
        // workgroups spread over the grid).
        (
            vec![1, 2, 160, 64],
            x2(UpsampleMode::Bilinear),
            "linear_up_x2",
        ),
        (
            vec![4, 5, 20, 64],
            Upsample::with_scale_factor([3.0], UpsampleMode::Nearest),
            "nearest_up_x3",
        ),
        (
            vec![4, 4, 80, 64],
            Upsample::with_scale_factor([0.5], UpsampleMode::Area),
            "area_down_x2",
        ),
        (
            vec![4, 5, 1600],
            Upsample::with_scale_factor([3.0], UpsampleMode::Linear),
            "linear_up_x3",
        ),
        // Depth 20 > 16: the factor kernel (rows from its table) instead.
        (
            vec![2, 3, 20, 8, 16],
            x2(UpsampleMode::Nearest),
            "nearest_up_x2",
        ),
        (
            vec![4, 3, 40, 60],
            Upsample::with_scale_factor([1.7], UpsampleMode::Bicubic),
            "bicubic_2d",
        ),
        (
            vec![4, 5, 3000],
            Upsample::with_scale_factor([2.5], UpsampleMode::Linear),
            "linear_1d",
        ),
        (
            vec![4, 3, 40, 64],
            Upsample::with_scale_factor([1.5], UpsampleMode::Bicubic),
            "fractional_cubic_x1_5",
        ),
        (
            vec![4, 4, 80, 60],
            Upsample::with_size([7, 9], UpsampleMode::Area),
            "area",
        ),
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([31, 45], UpsampleMode::Bilinear).antialias(true),
            "window_w",
        ),
        (
            vec![2, 4, 40, 64],
            x2(UpsampleMode::Lanczos).antialias(true),
            "window_x2_6",
        ),
        // 1100 rows: more than 16 rows of workgroups (a block of 32 or 64 rows each), the
        // general window passes instead.
        (
            vec![1, 4, 1100, 8],
            x2(UpsampleMode::Lanczos).antialias(true),
            "window_w4_2",
        ),
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([31, 60], UpsampleMode::Bilinear).antialias(true),
            "window_wh_4_t8",
        ),
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([7, 60], UpsampleMode::Bilinear).antialias(true),
            "window_wh_4",
        ),
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([100, 60], UpsampleMode::Bilinear).antialias(true),
            "window_w4_4",
        ),
        // ×1/2 both ways: the taps-only sums (a 15-group row: a thread of 3 groups at its end).
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([50, 60], UpsampleMode::Bilinear).antialias(true),
            "window_wh_4_t4_half4",
        ),
        (
            vec![2, 3, 100, 120],
            Upsample::with_size([50, 60], UpsampleMode::Bicubic).antialias(true),
            "window_wh_4_t8_half8",
        ),
    ];
    for (shape, up, first_kernel) in cases {
        let kernels = up.gpu_kernels(&small, &shape).unwrap();
        assert_eq!(kernels[0], first_kernel, "{up:?} on {shape:?}: {kernels:?}");
        let x = random_tensor(&mut rng, &shape);
        let want = up.forward_cpu(&x).unwrap();
        let bytes = want.numel().max(x.numel()) as u64 * 4;
        assert!(
            bytes > 256 << 10,
            "{shape:?}: {bytes} bytes fit one binding"
        );
        let got = small
            .download(&up.forward_gpu(&small, &small.upload(&x).unwrap()).unwrap())
            .unwrap();
        common::check_close(got.data(), want.data(), RTOL)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?} ({kernels:?}): {e}"));
    }
}

#[test]
fn vec4_window_passes_match_cpu_on_random_shapes() {
    // Antialias and lanczos (and some plain bilinear/bicubic) with rows a multiple of 4 long,
    // forward and backward: the vec4 window passes (window_w4_N where 4 outputs' inputs fit its
    // register window, window_h4; _indexed where the tables list the inputs), and window_w where
    // they do not.
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x0077_4444);
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in 0..40 {
        use UpsampleMode::*;
        let mode = [Bilinear, Bicubic, Lanczos][rng.random_range(0..3)];
        // Every fourth case with rows past 256 (window_h4's threads take vec4s 64 apart).
        let quarters = if case % 4 == 0 { 65..=100 } else { 1..=24 };
        let shape = [
            rng.random_range(1..=2),
            rng.random_range(1..=3),
            rng.random_range(1..=20),
            4 * rng.random_range(quarters.clone()),
        ];
        let size = [rng.random_range(1..=24), 4 * rng.random_range(quarters)];
        // Without antialias (every third bilinear/bicubic case) the backward's tables list
        // their inputs (the _indexed kernels).
        let aa = mode == Lanczos || case % 3 != 0;
        let up = Upsample::with_size(size, mode).antialias(aa);
        let x = random_tensor(&mut rng, &shape);
        seen.extend(up.gpu_kernels(ctx, &shape).unwrap());
        if let Err(e) = gpu_vs_cpu(&up, &x) {
            failures.push(e);
        }
        let back = up.backward(&shape).unwrap();
        let out_shape = up.output_shape(&shape).unwrap();
        seen.extend(back.gpu_kernels(ctx, &out_shape).unwrap());
        let g = random_tensor(&mut rng, &out_shape);
        let want = back.forward_cpu(&g).unwrap();
        let got = ctx
            .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
            .unwrap();
        if let Err(e) = common::check_close(got.data(), want.data(), 1e-4) {
            failures.push(format!("backward of {up:?} on {shape:?}: {e}"));
        }
    }
    eprintln!("vec4 window cases ran {seen:?}");
    for k in [
        "window_w4_2",
        "window_w4_4",
        "window_w4_8",
        // (window_w4_2_indexed: the golden backward cases)
        "window_w4_4_indexed",
        "window_w4_8_indexed",
        "window_h4u",
        "window_h4_indexed",
        "window_w",
    ] {
        assert!(seen.contains(k), "no case ran {k}: {seen:?}");
    }
    // Both axes in one (windows along h consecutive: antialias, and its backward), with a ring
    // of rows and (h windows past 12 rows) without.
    for k in [
        "window_wh_2_t",
        "window_wh_4_t",
        "window_wh_8_t",
        "window_wh_4",
    ] {
        assert!(
            seen.iter().any(|s| s.starts_with(k)),
            "no case ran {k}: {seen:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn periodic_window_pass_matches_cpu_on_random_shapes_with_nan_and_inf() {
    // Scales whose groups of 4 outputs repeat along w (x1/2, x1/4, x2, x4; lanczos, antialias,
    // and bilinear/bicubic without antialias, whose backward lists its inputs): window_w4p over
    // the interior and window_w4 over the border groups, forward and backward, with a NaN, an
    // inf and a -inf at random positions in every other case (NaN-for-NaN, inf-for-inf).
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x0077_4445);
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in 0..24 {
        use UpsampleMode::*;
        let mode = [Bilinear, Bicubic, Lanczos][rng.random_range(0..3)];
        let sw = [0.5, 0.25, 2.0, 4.0][rng.random_range(0..4)];
        let sh = [0.5, 1.0, 1.7, 0.3][rng.random_range(0..4)];
        let w = 16 * rng.random_range(1..=12);
        let shape = [
            rng.random_range(1..=2),
            rng.random_range(1..=2),
            rng.random_range(4..=9),
            w,
        ];
        let aa = mode == Lanczos || case % 3 != 0;
        let up = Upsample::with_scale_factor(vec![sh, sw], mode).antialias(aa);
        let mut x = random_tensor(&mut rng, &shape);
        if case % 2 == 1 {
            let n = x.data().len();
            let mut data = x.data().to_vec();
            for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                data[rng.random_range(0..n)] = v;
            }
            x = Tensor::new(&shape, data).unwrap();
        }
        let kernels = up.gpu_kernels(ctx, &shape).unwrap();
        seen.extend(kernels.iter().copied());
        let want = up.forward_cpu(&x).unwrap();
        let got = gpu_forward(&up, &x);
        if let Err(e) = common::check_close_nonfinite(got.data(), want.data(), RTOL) {
            failures.push(format!("{up:?} on {shape:?} ({kernels:?}): {e}"));
        }
        let back = up.backward(&shape).unwrap();
        let out_shape = up.output_shape(&shape).unwrap();
        let bk = back.gpu_kernels(ctx, &out_shape).unwrap();
        seen.extend(bk.iter().copied());
        let mut g = random_tensor(&mut rng, &out_shape);
        if case % 2 == 1 {
            let mut data = g.data().to_vec();
            let n = data.len();
            data[rng.random_range(0..n)] = f32::NAN;
            data[rng.random_range(0..n)] = f32::INFINITY;
            g = Tensor::new(&out_shape, data).unwrap();
        }
        let want = back.forward_cpu(&g).unwrap();
        let got = ctx
            .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
            .unwrap();
        if let Err(e) = common::check_close_nonfinite(got.data(), want.data(), 1e-4) {
            failures.push(format!("backward of {up:?} on {shape:?} ({bk:?}): {e}"));
        }
    }
    eprintln!("periodic window cases ran {seen:?}");
    let w4p = seen.iter().filter(|k| k.starts_with("window_w4p_")).count();
    assert!(w4p >= 2, "too few window_w4p kernels ran: {seen:?}");
    // Both axes changed: the fused window pass (window_wh), with the NaN and inf too.
    let wh = seen.iter().filter(|k| k.starts_with("window_wh_")).count();
    assert!(wh >= 2, "too few window_wh kernels ran: {seen:?}");
    // Antialias ×1/2 both ways: the kernels that sum only each output's taps, and their
    // backward's.
    for k in [
        "window_wh_4_t4_half4",
        "window_wh_4_t8_half8",
        "window_wh_2_t4_half2",
        "window_wh_2_t4_half4",
    ] {
        assert!(seen.contains(k), "no case ran {k}: {seen:?}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn half_window_kernels_chunk_with_64_bit_loads() {
    // Antialias ×1/2 both ways (window_wh_4_t4_half4, window_wh_4_t8_half8), and their
    // backward (window_wh_2_t4_half2, _half4), on a device with
    // SHADER_INT64 where the adapter has it (their 64-bit loads; else the vec4 ones), small
    // bindings and grids: planes bound in chunks from offsets that are not multiples of the
    // binding alignment.
    let small = common::device_with(wgpu::Features::SHADER_INT64, |l| wgpu::Limits {
        max_storage_buffer_binding_size: (256 << 10) + 100,
        max_compute_workgroups_per_dimension: 16,
        min_storage_buffer_offset_alignment: 256,
        ..l
    });
    let mut rng = StdRng::seed_from_u64(0x5a12);
    // An odd height: the backward is not an exact ×2 along h (that would take window_x2_T).
    let shape = [2, 5, 51, 128];
    for (mode, kernel) in [
        (UpsampleMode::Bilinear, "window_wh_4_t4_half4"),
        (UpsampleMode::Bicubic, "window_wh_4_t8_half8"),
    ] {
        let up = Upsample::with_scale_factor([0.5], mode).antialias(true);
        assert_eq!(up.gpu_kernels(&small, &shape).unwrap(), [kernel]);
        let x = random_tensor(&mut rng, &shape);
        let want = up.forward_cpu(&x).unwrap();
        let got = small
            .download(&up.forward_gpu(&small, &small.upload(&x).unwrap()).unwrap())
            .unwrap();
        common::check_close(got.data(), want.data(), RTOL)
            .unwrap_or_else(|e| panic!("{up:?} on {shape:?}: {e}"));
        // The backward: grad_output rows 64 wide, threads of 16 grad_inputs.
        let back = up.backward(&shape).unwrap();
        let out = up.output_shape(&shape).unwrap();
        let bk = back.gpu_kernels(&small, &out).unwrap();
        assert!(bk[0].starts_with("window_wh_2_t4_half"), "{bk:?}");
        let g = random_tensor(&mut rng, &out);
        let want = back.forward_cpu(&g).unwrap();
        let got = small
            .download(
                &back
                    .forward_gpu(&small, &small.upload(&g).unwrap())
                    .unwrap(),
            )
            .unwrap();
        common::check_close(got.data(), want.data(), 1e-4)
            .unwrap_or_else(|e| panic!("backward of {up:?} on {shape:?}: {e}"));
    }
}

#[test]
fn window_h4_takes_weights_past_the_uniform_array() {
    // 4096 output rows of 5 taps: more weights than the uniform array holds, so the h pass reads
    // them from the tables (window_h4, not window_h4u), forward and backward.
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x0077_4446);
    let shape = [1, 1, 8192, 8];
    let up = Upsample::with_size([4096, 8], UpsampleMode::Bilinear).antialias(true);
    let x = random_tensor(&mut rng, &shape);
    let kernels = up.gpu_kernels(ctx, &shape).unwrap();
    assert!(kernels.contains(&"window_h4"), "{kernels:?}");
    gpu_vs_cpu(&up, &x).unwrap();
    let back = up.backward(&shape).unwrap();
    let out_shape = up.output_shape(&shape).unwrap();
    let kernels = back.gpu_kernels(ctx, &out_shape).unwrap();
    assert!(kernels.contains(&"window_h4"), "{kernels:?}");
    let g = random_tensor(&mut rng, &out_shape);
    let want = back.forward_cpu(&g).unwrap();
    let got = ctx
        .download(&back.forward_gpu(ctx, &ctx.upload(&g).unwrap()).unwrap())
        .unwrap();
    common::check_close(got.data(), want.data(), 1e-4).unwrap();
}

#[test]
fn lanczos_x2_kernel_matches_cpu_on_random_shapes() {
    // Lanczos ×2 (and antialiased bilinear and bicubic ×2) with widths a multiple of 4
    // (shaders/upsample/window_x2.wgsl): interior
    // threads and rows with the phases' weights, edge threads and rows with their truncated
    // windows, one row block and several, widths 8k and 8k + 4. Bitwise the CPU's sums where
    // the device does not fuse multiply-adds; within RTOL in any case.
    let ctx = common::gpu();
    let mut rng = StdRng::seed_from_u64(0x0077_4452);
    let mut failures = Vec::new();
    let mut bitwise = 0;
    for case in 0..16 {
        let shape = [
            rng.random_range(1..=2),
            rng.random_range(1..=3),
            rng.random_range(1..=80),
            4 * rng.random_range(1..=40),
        ];
        // Cases 1 and 3 mod 4 antialiased bilinear and bicubic ×2 instead (2 and 4 taps).
        let (mode, both) = match case % 4 {
            1 => (UpsampleMode::Bilinear, ["window_x2_2", "window_x2_2_edge"]),
            3 => (UpsampleMode::Bicubic, ["window_x2_4", "window_x2_4_edge"]),
            _ => (UpsampleMode::Lanczos, ["window_x2_6", "window_x2_6_edge"]),
        };
        let up = Upsample::with_scale_factor([2.0], mode).antialias(true);
        // (Without interior threads, up to 16 inputs wide: the edge threads' pass alone.)
        let kernels = up.gpu_kernels(ctx, &shape).unwrap();
        assert!(
            kernels == both || (shape[3] <= 16 && kernels == both[1..]),
            "{up:?} on {shape:?}: {kernels:?}"
        );
        let x = random_tensor(&mut rng, &shape);
        let want = up.forward_cpu(&x).unwrap();
        let got = gpu_forward(&up, &x);
        let same = got.data().iter().zip(want.data()).all(|(a, b)| a == b);
        bitwise += usize::from(same);
        if let Err(e) = common::check_close(got.data(), want.data(), RTOL) {
            failures.push(format!("case {case} on {shape:?}: {e}"));
        }
    }
    eprintln!("{bitwise} of 16 antialias x2 cases bitwise the CPU's");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
