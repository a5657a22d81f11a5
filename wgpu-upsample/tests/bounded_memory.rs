//! The CPU path's memory is bounded by its output plus a fixed budget, whatever the input: valid
//! PyTorch calls whose scratch used to be sized by the input (or by a kernel much longer than the
//! input) run in a child process under an address-space limit (`ulimit -v`), so that a
//! regression fails the test instead of taking the machine down.

use wgpu_upsample::{ConvTranspose, ConvTransposeKernel, ConvTransposeOptions, Op, Tensor};
use wgpu_upsample::{Upsample, UpsampleMode};

/// The cases, by name: each returns the output's element count after checking a few values.
fn run_case(name: &str) -> usize {
    match name {
        // 200000 × 1 → 2 × 200000: the output is 1.6 MB (the input rows once cost 160 GB).
        "bilinear_tall_to_wide" | "bicubic_tall_to_wide" => {
            let mode = if name.starts_with("bilinear") {
                UpsampleMode::Bilinear
            } else {
                UpsampleMode::Bicubic
            };
            let x = Tensor::from_fn(&[1, 1, 200_000, 1], |i| (i % 5) as f32).unwrap();
            let up = Upsample::with_size([2, 200_000], mode);
            let y = up.forward_cpu(&x).unwrap();
            // Every output column is the same (the input has one column), up to rounding.
            let row = &y.data()[..200_000];
            let close = |v: f32| (v - row[0]).abs() <= 1e-5 * row[0].abs().max(1.0);
            assert!(row.iter().all(|&v| close(v)), "{name}");
            y.numel()
        }
        // The backward of the same, and antialias (its intermediate the smaller way round).
        "bilinear_tall_to_wide_backward" => {
            let up = Upsample::with_size([2, 200_000], UpsampleMode::Bilinear);
            let g = Tensor::from_fn(&[1, 1, 2, 200_000], |_| 1.0).unwrap();
            let gx = up.backward_cpu(&[1, 1, 200_000, 1], &g).unwrap();
            let total: f64 = gx.data().iter().map(|&v| v as f64).sum();
            assert!((total - 400_000.0).abs() < 1.0, "{total}");
            gx.numel()
        }
        "antialias_tall_to_wide" => {
            let x = Tensor::from_fn(&[1, 1, 200_000, 1], |_| 1.0).unwrap();
            let up = Upsample::with_size([2, 200_000], UpsampleMode::Bicubic).antialias(true);
            let y = up.forward_cpu(&x).unwrap();
            // 400001-tap windows summed in f32: PyTorch 2.15 itself gives 0.99937 here.
            assert!(y.data().iter().all(|&v| (v - 1.0).abs() < 1e-2));
            y.numel()
        }
        // ConvTranspose1d(1, 1, kernel_size=131072) on a length-4 input (the im2col once asked
        // for 68 GB): y[o] = Σi x[i] · w[o - i].
        "conv_transpose_long_kernel" => {
            let k = 131_072;
            let opts = ConvTransposeOptions::new(1, 1, 1, [k]).bias(false);
            let layer = ConvTranspose::new(opts.clone(), 0).unwrap();
            let x = Tensor::new(&[1, 1, 4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
            let y = layer.forward_cpu(&x).unwrap();
            assert_eq!(y.shape(), &[1, 1, k + 3]);
            let w = layer.weight().data();
            for o in [0, 1, 2, 3, 1000, k - 1, k + 2] {
                let want: f32 = (0..4)
                    .filter(|&i| o >= i && o - i < k)
                    .map(|i| x.data()[i] * w[o - i])
                    .sum();
                assert!((y.data()[o] - want).abs() < 1e-5, "o = {o}");
            }
            y.numel()
        }
        // A legal dilation of 2^26 on a length-4 input: a 256 MiB output, and no more than that
        // plus the budget (it once peaked at 8–14 GB).
        "conv_transpose_huge_dilation" => {
            let opts = ConvTransposeOptions::new(1, 1, 1, [2])
                .dilation([1 << 26])
                .bias(false);
            let layer = ConvTranspose::new(opts, 0)
                .unwrap()
                .with_kernel(ConvTransposeKernel::Gemm);
            let x = Tensor::new(&[1, 1, 4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
            let y = layer.forward_cpu(&x).unwrap();
            let w = layer.weight().data();
            assert_eq!(y.data()[0], w[0]);
            assert_eq!(y.data()[(1 << 26) + 3], 4.0 * w[1]);
            assert_eq!(y.data()[10], 0.0);
            y.numel()
        }
        other => panic!("no case {other:?}"),
    }
}

/// Runs in the child: the case named by `BOUNDED_MEMORY_CASE`.
#[test]
#[ignore = "run by `each_case_within_an_address_space_limit` in a child process"]
fn child() {
    let name = std::env::var("BOUNDED_MEMORY_CASE").expect("BOUNDED_MEMORY_CASE");
    let n = run_case(&name);
    println!("case {name}: {n} output elements");
}

#[test]
fn each_case_within_an_address_space_limit() {
    let exe = std::env::current_exe().unwrap();
    // (case, address-space limit in MiB): the test binary itself maps a few hundred MiB.
    for (case, limit_mib) in [
        ("bilinear_tall_to_wide", 1024),
        ("bicubic_tall_to_wide", 1024),
        ("bilinear_tall_to_wide_backward", 1024),
        ("antialias_tall_to_wide", 1024),
        ("conv_transpose_long_kernel", 1024),
        ("conv_transpose_huge_dilation", 1536),
    ] {
        let script = format!(
            "ulimit -v {} && exec \"$0\" --exact child --include-ignored --nocapture",
            limit_mib * 1024
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(&exe)
            .env("BOUNDED_MEMORY_CASE", case)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains(&format!("case {case}:")),
            "{case} under {limit_mib} MiB: {}\n{text}",
            out.status
        );
    }
}
