//! The comparison tool's library entry point (`wgpu_upsample_tools::compare`) on a tiny workload
//! set: every row (Upsample and ConvTranspose2d) present, positive and self-consistent, the GEMM
//! limit measured, the claims present with verdicts, and every renderer's output usable.

mod common;

use std::sync::OnceLock;

use wgpu_upsample::GpuContext;
use wgpu_upsample_tools::compare::{
    CLAIM_FASTER, CLAIM_MEMORY, CLAIM_PARAMETERS, Claim, GEMM_LIMIT_CHANNELS, GEMM_LIMIT_SPATIAL,
    Report, Row, Settings, Sizes, Workload, claims, default_workloads, run, select,
};

const TINY: Sizes = Sizes {
    batch: 1,
    channels: 2,
    height: 16,
    width: 16,
};

/// 7 kernel iterations (as the example's default): the fastest of them is what end to end is
/// checked against, and in the tiny set's 128→64 rows the kernel is nearly all of end to end, so
/// on a loaded 2-core machine 3 samples left that check flaky.
const SETTINGS: Settings = Settings {
    iterations: 7,
    warmup: 1,
    cpu_iterations: 3,
    e2e_iterations: 3,
};

/// The tiny run, measured once per test binary.
fn tiny() -> &'static (Vec<Workload>, Report) {
    static RUN: OnceLock<(Vec<Workload>, Report)> = OnceLock::new();
    RUN.get_or_init(|| {
        let workloads = default_workloads(&TINY);
        let report = run(common::gpu(), &workloads, &SETTINGS, |line| {
            eprintln!("{line}")
        })
        .expect("the comparison runs");
        (workloads, report)
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

/// Checks one row against its workload; `timestamps` says how kernels must have been timed,
/// `gemm_flops_per_s` is the report's GEMM rate.
fn check_row(w: &Workload, r: &Row, timestamps: bool, gemm_flops_per_s: f64) {
    let n = &r.name;
    assert_eq!(&w.name, n);
    assert_eq!(r.params, w.params, "{n}");
    assert_eq!(r.op, w.op.name(), "{n}");
    assert_eq!(r.input_shape, w.input_shape, "{n}");
    assert_eq!(
        r.output_shape,
        w.op.output_shape(&w.input_shape).unwrap(),
        "{n}"
    );
    for (field, v) in [
        ("kernel_ms", r.kernel_ms),
        ("kernel_min_ms", r.kernel_min_ms),
        ("e2e_ms", r.e2e_ms),
        ("e2e_op_ms", r.e2e_op_ms),
        ("cpu_ms", r.cpu_ms),
        ("speedup", r.speedup),
        ("speedup_e2e", r.speedup_e2e),
        ("gb_per_s", r.gb_per_s),
        ("copy_ms", r.copy_ms),
        ("ratio_to_copy", r.ratio_to_copy),
        ("ratio_to_copy_min", r.ratio_to_copy_min),
    ] {
        assert!(v.is_finite() && v > 0.0, "{n}: {field} = {v}");
    }
    assert!(r.kernel_min_ms <= r.kernel_ms, "{n}: min above median");
    // End to end includes the op: every end-to-end run is timed step by step, so each run's
    // total is at least its op step (and so are the medians). The kernel-only runs are separate
    // runs: on a shared CPU (lavapipe) another process can slow either, so `e2e_ms` is not
    // compared with `kernel_ms`.
    assert!(
        r.e2e_ms >= r.e2e_op_ms,
        "{n}: end to end {} ms < its op step {} ms",
        r.e2e_ms,
        r.e2e_op_ms
    );
    assert_eq!(r.kernel_samples, SETTINGS.iterations, "{n}");
    let source = if timestamps {
        "timestamps"
    } else {
        "wall-clock"
    };
    assert_eq!(r.kernel_timing, source, "{n}");
    // Bytes follow from the shapes (and, for ConvTranspose2d, the weight and bias).
    let elems = |s: &[usize]| s.iter().product::<usize>() as u64;
    assert_eq!(r.parameters, w.op.parameter_count() as u64, "{n}");
    assert_eq!(
        r.bytes_moved,
        4 * (elems(&r.input_shape) + elems(&r.output_shape) + r.parameters),
        "{n}"
    );
    assert_eq!(
        r.gpu_memory_bytes,
        w.op.gpu_memory_bytes(common::gpu(), &w.input_shape)
            .unwrap(),
        "{n}"
    );
    assert!(r.gpu_memory_bytes >= r.bytes_moved, "{n}");
    // Derived columns agree with the measured ones.
    assert!(close(r.speedup, r.cpu_ms / r.kernel_ms), "{n}: speedup");
    assert!(
        close(r.speedup_e2e, r.cpu_ms / r.e2e_ms),
        "{n}: speedup_e2e"
    );
    assert!(
        close(r.gb_per_s, r.bytes_moved as f64 / r.kernel_ms / 1e6),
        "{n}: GB/s"
    );
    assert!(
        close(r.ratio_to_copy, r.kernel_ms / r.copy_ms),
        "{n}: ratio"
    );
    assert_eq!(
        r.kernels,
        w.op.gpu_kernels(common::gpu(), &w.input_shape).unwrap(),
        "{n}: the kernels the op runs"
    );
    match r.op.starts_with("ConvTranspose") {
        true => {
            let flops = r.flops.unwrap_or_else(|| panic!("{n}: no flops"));
            assert!(flops > 0, "{n}: flops");
            assert_eq!(Some(flops), w.op.flops(&w.input_shape).unwrap(), "{n}");
            assert!(r.parameters > 0, "{n}: parameters");
            let gflops = r.gflop_per_s.unwrap_or_else(|| panic!("{n}: no GFLOP/s"));
            let gemm_ms = r.gemm_ms.unwrap_or_else(|| panic!("{n}: no gemm_ms"));
            let ratio = r.ratio_to_gemm.unwrap_or_else(|| panic!("{n}: no ratio"));
            for (field, v) in [
                ("gflop_per_s", gflops),
                ("gemm_ms", gemm_ms),
                ("ratio", ratio),
            ] {
                assert!(v.is_finite() && v > 0.0, "{n}: {field} = {v}");
            }
            assert!(
                close(gflops, flops as f64 / r.kernel_ms / 1e6),
                "{n}: GFLOP/s"
            );
            assert!(
                close(gemm_ms, flops as f64 / gemm_flops_per_s * 1e3),
                "{n}: gemm_ms"
            );
            assert!(close(ratio, r.kernel_ms / gemm_ms), "{n}: ratio to GEMM");
            assert!(
                r.kernels == ["direct"] || r.kernels == ["gemm"] || r.kernels == ["gemm_sg"],
                "{n}: kernels {:?}",
                r.kernels
            );
        }
        false => {
            assert_eq!(r.flops, None, "{n}");
            assert_eq!(r.gflop_per_s, None, "{n}");
            assert_eq!(r.gemm_ms, None, "{n}");
            assert_eq!(r.ratio_to_gemm, None, "{n}");
            assert!(!r.kernels.is_empty(), "{n}");
            assert_eq!(r.parameters, 0, "{n}");
        }
    }
    assert!(r.max_abs_diff <= 1e-4, "{n}: GPU vs CPU {}", r.max_abs_diff);
}

/// Checks the claims of a report whose rows hold pairs of Upsample and ConvTranspose2d rows.
fn check_claims(report: &Report) {
    let c = &report.claims;
    assert_eq!(c.len(), 3);
    assert_eq!(
        c.iter().map(|c| c.claim.as_str()).collect::<Vec<_>>(),
        [CLAIM_FASTER, CLAIM_MEMORY, CLAIM_PARAMETERS]
    );
    let row = |name: &str| report.rows.iter().find(|r| r.name == name).unwrap();
    let convs: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.op == "ConvTranspose2d")
        .collect();
    for claim in c {
        assert!(claim.verdict.is_some(), "{}: no verdict", claim.claim);
        assert!(!claim.comparisons.is_empty(), "{}", claim.claim);
        assert!(!claim.summary.is_empty(), "{}", claim.claim);
        assert_eq!(
            claim.verdict,
            Some(claim.comparisons.iter().all(|p| p.holds)),
            "{}",
            claim.claim
        );
    }
    // Time and memory: the pairs share input and output shapes, values are the rows' own.
    for (claim, value) in [
        (&c[0], (|r: &Row| r.kernel_ms) as fn(&Row) -> f64),
        (&c[1], |r: &Row| r.gpu_memory_bytes as f64),
    ] {
        for p in &claim.comparisons {
            let (u, v) = (row(p.upsample.as_deref().unwrap()), row(&p.conv));
            assert_eq!(u.op, "Upsample");
            assert_eq!(v.op, "ConvTranspose2d");
            assert_eq!(u.input_shape, v.input_shape, "{}", claim.claim);
            assert_eq!(u.output_shape, v.output_shape, "{}", claim.claim);
            assert_eq!(p.upsample_value, value(u));
            assert_eq!(p.conv_value, value(v));
            assert_eq!(p.holds, p.upsample_value < p.conv_value);
            assert!(claim.summary.contains(&p.conv), "{}", claim.summary);
        }
    }
    // Parameters: one comparison per conv row, with its count.
    assert_eq!(c[2].comparisons.len(), convs.len());
    for (p, r) in c[2].comparisons.iter().zip(&convs) {
        assert_eq!(p.conv, r.name);
        assert_eq!(p.conv_value, r.parameters as f64);
        assert_eq!(p.upsample_value, 0.0);
        assert!(
            c[2].summary
                .contains(&format!("{} {}", r.name, r.parameters))
        );
    }
    assert_eq!(c[2].verdict, Some(true));
}

#[test]
fn every_row_is_present_positive_and_consistent() {
    let (workloads, report) = tiny();
    assert_eq!(report.rows.len(), workloads.len());
    assert_eq!(report.rows.len(), 16);
    assert_eq!(
        report
            .rows
            .iter()
            .filter(|r| r.op == "ConvTranspose2d")
            .count(),
        6
    );
    let ts = report.adapter.timestamps;
    assert_eq!(ts, common::gpu().has_timestamps());
    let gemm = report.gemm_flops_per_s.expect("the GEMM rate is measured");
    for (w, r) in workloads.iter().zip(&report.rows) {
        check_row(w, r, ts, gemm);
    }
    assert!(!report.adapter.name.is_empty());
    assert!(report.copy.bytes > 0 && report.copy.median_ms > 0.0 && report.copy.gb_per_s > 0.0);
    // The header's copy limit is the largest size measured.
    let largest = report.rows.iter().map(|r| r.bytes_moved / 2).max().unwrap();
    assert_eq!(report.copy.bytes, largest.next_multiple_of(16));
    // The GEMM limit: one GEMM of the documented size, its rate from its FLOPs and time.
    let g = &report.gemm;
    assert!(gemm.is_finite() && gemm > 0.0);
    assert_eq!(gemm, g.flops_per_s);
    assert_eq!(
        (g.m, g.n, g.k),
        (
            GEMM_LIMIT_CHANNELS,
            GEMM_LIMIT_SPATIAL * GEMM_LIMIT_SPATIAL,
            GEMM_LIMIT_CHANNELS
        )
    );
    assert_eq!(g.flops, 2 * (g.m * g.n * g.k) as u64);
    assert!(g.median_ms > 0.0 && g.min_ms > 0.0 && g.min_ms <= g.median_ms);
    assert!(close(g.flops_per_s, g.flops as f64 / g.median_ms * 1e3));
    assert_eq!(g.timing, report.copy.timing);
    assert_eq!(report.settings, SETTINGS);
}

#[test]
fn claims_have_verdicts_from_the_rows() {
    let (_, report) = tiny();
    check_claims(report);
    assert_eq!(report.claims, claims(&report.rows));
    // The tiny set pairs bilinear with the two C→C rows.
    let pairs: Vec<(&str, &str)> = report.claims[0]
        .comparisons
        .iter()
        .map(|p| (p.upsample.as_deref().unwrap(), p.conv.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("bilinear", "convt2d-k3-2to2"),
            ("bilinear", "convt2d-k4-2to2")
        ]
    );

    // The verdict follows the numbers: make one conv row faster than bilinear, then drop every
    // Upsample row.
    let mut rows = report.rows.clone();
    let bilinear_ms = rows
        .iter()
        .find(|r| r.name == "bilinear")
        .unwrap()
        .kernel_ms;
    let conv = rows
        .iter_mut()
        .find(|r| r.name == "convt2d-k3-2to2")
        .unwrap();
    conv.kernel_ms = bilinear_ms / 2.0;
    let flipped = claims(&rows);
    assert_eq!(flipped[0].verdict, Some(false));
    assert!(flipped[0].summary.contains("ConvTranspose2d"));
    let no_upsample: Vec<Row> = rows.into_iter().filter(|r| r.op != "Upsample").collect();
    let c = claims(&no_upsample);
    assert_eq!(c[0].verdict, None);
    assert_eq!(c[1].verdict, None);
    assert_eq!(c[2].verdict, Some(true));
    assert!(c[0].comparisons.is_empty() && !c[0].summary.is_empty());
}

#[test]
fn json_lines_parse_with_the_expected_keys() {
    let (_, report) = tiny();
    let json = report.to_json_lines();
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(
        lines.len(),
        report.rows.len() + 1,
        "the rows, then the claims"
    );
    const KEYS: [&str; 27] = [
        "name",
        "op",
        "params",
        "input_shape",
        "output_shape",
        "kernel_ms",
        "kernel_min_ms",
        "kernel_timing",
        "kernel_samples",
        "e2e_ms",
        "e2e_op_ms",
        "cpu_ms",
        "speedup",
        "speedup_e2e",
        "gpu_memory_bytes",
        "bytes_moved",
        "gb_per_s",
        "copy_ms",
        "ratio_to_copy",
        "ratio_to_copy_min",
        "flops",
        "gflop_per_s",
        "gemm_ms",
        "ratio_to_gemm",
        "parameters",
        "kernels",
        "max_abs_diff",
    ];
    for (line, row) in lines.iter().zip(&report.rows) {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        let obj = v.as_object().expect("each line is an object");
        for k in KEYS {
            assert!(obj.contains_key(k), "{}: no key {k:?} in {line}", row.name);
        }
        assert_eq!(obj["name"], row.name.as_str());
        assert_eq!(obj["bytes_moved"], row.bytes_moved);
        assert!(obj["kernel_ms"].as_f64().unwrap() > 0.0);
        if row.op == "ConvTranspose2d" {
            assert!(obj["flops"].as_u64().unwrap() > 0);
            assert!(obj["ratio_to_gemm"].as_f64().unwrap() > 0.0);
            assert!(obj["parameters"].as_u64().unwrap() > 0);
            assert!(obj["kernels"].is_array());
        } else {
            assert!(obj["flops"].is_null());
            assert!(obj["ratio_to_gemm"].is_null());
            assert_eq!(obj["parameters"], 0);
        }
        assert!(!obj.contains_key("claims"));
        // And it reads back as a Row.
        let back: Row = serde_json::from_str(line).expect("a line deserialises to a Row");
        assert_eq!(back.name, row.name);
        assert_eq!(back.output_shape, row.output_shape);
    }
    // The last line: the claims, and the limits.
    let last: serde_json::Value =
        serde_json::from_str(lines.last().unwrap()).expect("the last line is JSON");
    let claims_json = last["claims"].as_array().expect("a claims array");
    assert_eq!(claims_json.len(), 3);
    for c in claims_json {
        for k in ["claim", "measure", "verdict", "comparisons", "summary"] {
            assert!(c.get(k).is_some(), "no key {k:?} in {c}");
        }
        assert!(c["verdict"].is_boolean(), "{c}");
        assert!(!c["comparisons"].as_array().unwrap().is_empty(), "{c}");
    }
    // They read back as Claims (numbers to JSON's precision: serde_json may round the last bit).
    let back: Vec<Claim> =
        serde_json::from_value(last["claims"].clone()).expect("the claims deserialise");
    assert_eq!(back.len(), report.claims.len());
    for (b, c) in back.iter().zip(&report.claims) {
        assert_eq!(
            (&b.claim, &b.measure, b.verdict, &b.summary),
            (&c.claim, &c.measure, c.verdict, &c.summary)
        );
        assert_eq!(b.comparisons.len(), c.comparisons.len());
        for (x, y) in b.comparisons.iter().zip(&c.comparisons) {
            assert_eq!(
                (&x.upsample, &x.conv, x.holds),
                (&y.upsample, &y.conv, y.holds)
            );
            assert!(close(x.upsample_value, y.upsample_value));
            assert!(close(x.conv_value, y.conv_value));
        }
    }
    assert!(close(
        last["gemm_flops_per_s"].as_f64().unwrap(),
        report.gemm_flops_per_s.unwrap()
    ));
    assert_eq!(last["gemm"]["m"], GEMM_LIMIT_CHANNELS);
    assert_eq!(last["copy"]["bytes"], report.copy.bytes);
}

#[test]
fn renderers_name_every_workload() {
    let (workloads, report) = tiny();
    let text = report.to_text();
    let markdown = report.to_markdown();
    let svg = report.to_svg();
    for (what, out) in [("text", &text), ("markdown", &markdown), ("svg", &svg)] {
        assert!(!out.trim().is_empty(), "{what} is empty");
        assert!(
            out.contains(&report.adapter.name),
            "{what} lacks the adapter"
        );
        for w in workloads {
            assert!(out.contains(&w.name), "{what} lacks {}", w.name);
        }
    }
    // Text: header, rule, one line per row, all after the adapter and limit lines.
    assert!(text.starts_with("adapter: "));
    assert!(text.contains("copy kernel (bandwidth limit)"));
    assert!(text.contains("GEMM kernel (compute limit)"));
    assert!(markdown.contains("GEMM kernel (compute limit)"));
    assert!(svg.contains("GEMM kernel (compute limit)"));
    // Every renderer states each claim with its verdict, after the table.
    for c in &report.claims {
        let line = format!("{}: {}", c.claim, c.verdict_word());
        assert!(text.contains(&line), "text lacks {line:?}");
        assert!(
            markdown.contains(&format!("**{line}**")),
            "markdown lacks {line:?}"
        );
        assert!(svg.contains(&c.claim), "svg lacks {:?}", c.claim);
        // After the table and its legend.
        let table_end = text.find("\nkernel: median of").unwrap();
        assert!(text.find(&line).unwrap() > table_end);
    }
    // Markdown: a table with a header, a separator and one line per row.
    let table: Vec<&str> = markdown.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + report.rows.len());
    let columns = table[0].matches(" | ").count();
    for l in &table[2..] {
        assert_eq!(l.matches(" | ").count(), columns, "{l}");
    }
    // SVG: one document, a bar per series and row, and a GEMM-ratio bar per conv row.
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(svg.matches("<rect").count() >= 4 * report.rows.len());
    let convs: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.op == "ConvTranspose2d")
        .collect();
    assert_eq!(
        svg.matches("× the GEMM kernel's time for the same FLOPs")
            .count(),
        convs.len()
    );
    for r in convs {
        assert!(
            svg.contains(&format!("<title>{}: GPU kernel", r.name)),
            "{}",
            r.name
        );
    }
}

#[test]
fn wall_clock_when_the_device_has_no_timestamps() {
    // A device of the same adapter without TIMESTAMP_QUERY, wrapped like a caller's own.
    let ctx = pollster::block_on(async {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .expect("an adapter");
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .expect("a device");
        GpuContext::from_device(device, queue)
    });
    assert!(!ctx.has_timestamps());
    let workloads = select(
        default_workloads(&TINY),
        &["bilinear-aa".to_string(), "trilinear".to_string()],
    );
    assert_eq!(workloads.len(), 2);
    let report = run(&ctx, &workloads, &SETTINGS, |_| {}).unwrap();
    assert!(!report.adapter.timestamps);
    assert_eq!(report.copy.timing, "wall-clock");
    assert_eq!(report.gemm.timing, "wall-clock");
    let gemm = report.gemm_flops_per_s.unwrap();
    for (w, r) in workloads.iter().zip(&report.rows) {
        check_row(w, r, false, gemm);
    }
    // No ConvTranspose2d row: no verdict, and the summary says why.
    for c in &report.claims {
        assert_eq!(c.verdict, None, "{}", c.claim);
        assert!(
            c.summary.contains("no ConvTranspose2d row"),
            "{}",
            c.summary
        );
    }
}

#[test]
fn default_workloads_and_selection() {
    let all = default_workloads(&Sizes::default());
    let names: Vec<&str> = all.iter().map(|w| w.name.as_str()).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "names are unique: {names:?}");
    for w in &all {
        assert!(
            w.op.output_shape(&w.input_shape).is_ok(),
            "{}: {:?}",
            w.name,
            w.op.output_shape(&w.input_shape)
        );
    }
    let shape = |name: &str| {
        all.iter()
            .find(|w| w.name == name)
            .unwrap()
            .input_shape
            .clone()
    };
    assert_eq!(shape("bicubic"), [1, 16, 256, 256]);
    assert_eq!(shape("trilinear"), [1, 4, 32, 64, 64]);
    assert_eq!(shape("linear"), [1, 16, 65536]);
    // ConvTranspose2d: the two classic ×2 upsamplers at 3→3, 16→16 (the Upsample rows' shape)
    // and 128→64, each doubling H and W.
    // The 3→3 layers: the GEMM on the subgroup core (CPU adapters), else the direct kernel
    // (ConvTransposeKernel::select).
    // The GEMM's entry point: the subgroup core's (`gemm_sg`) or the workgroup-tiled one's.
    let (narrow, gemm) = match wgpu_upsample::GemmCore::of(common::gpu()) {
        wgpu_upsample::GemmCore::Subgroup => ("gemm_sg", "gemm_sg"),
        wgpu_upsample::GemmCore::Workgroup => ("direct", "gemm"),
    };
    for (name, input, output, kernel) in [
        (
            "convt2d-k3-3to3",
            [1, 3, 256, 256],
            [1, 3, 512, 512],
            narrow,
        ),
        (
            "convt2d-k4-3to3",
            [1, 3, 256, 256],
            [1, 3, 512, 512],
            narrow,
        ),
        (
            "convt2d-k3-16to16",
            [1, 16, 256, 256],
            [1, 16, 512, 512],
            gemm,
        ),
        (
            "convt2d-k4-16to16",
            [1, 16, 256, 256],
            [1, 16, 512, 512],
            gemm,
        ),
        (
            "convt2d-k3-128to64",
            [1, 128, 32, 32],
            [1, 64, 64, 64],
            gemm,
        ),
        (
            "convt2d-k4-128to64",
            [1, 128, 32, 32],
            [1, 64, 64, 64],
            gemm,
        ),
    ] {
        let w = all.iter().find(|w| w.name == name).unwrap();
        assert_eq!(w.input_shape, input, "{name}");
        assert_eq!(w.op.output_shape(&input).unwrap(), output, "{name}");
        assert_eq!(w.op.name(), "ConvTranspose2d");
        assert_eq!(
            w.op.gpu_kernels(common::gpu(), &input).unwrap(),
            [kernel],
            "{name}"
        );
        assert!(w.op.flops(&input).unwrap().unwrap() > 0, "{name}");
    }
    let k3 = all.iter().find(|w| w.name == "convt2d-k3-16to16").unwrap();
    assert_eq!(
        k3.params,
        "16, 16, kernel_size=3, stride=2, padding=1, output_padding=1"
    );
    let k4 = all.iter().find(|w| w.name == "convt2d-k4-128to64").unwrap();
    assert_eq!(k4.params, "128, 64, kernel_size=4, stride=2, padding=1");
    assert_eq!(k4.op.parameter_count(), 128 * 64 * 16 + 64);
    // With C = 3 the 3→3 row is the C→C row: not listed twice.
    let rgb = default_workloads(&Sizes {
        channels: 3,
        ..Sizes::default()
    });
    assert_eq!(rgb.len(), all.len() - 2);
    assert_eq!(
        rgb.iter()
            .filter(|w| w.name.starts_with("convt2d-k3-3to3"))
            .count(),
        1
    );
    let aa = all.iter().find(|w| w.name == "bicubic-aa-down").unwrap();
    assert_eq!(
        aa.op.output_shape(&aa.input_shape).unwrap(),
        [1, 16, 128, 128]
    );

    assert_eq!(select(all.clone(), &[]).len(), all.len());
    let picked = select(all.clone(), &["bicubic".into(), "nearest-exact".into()]);
    let picked: Vec<&str> = picked.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(picked, ["nearest-exact", "bicubic", "bicubic-aa-down"]);
    assert!(select(all, &["no-such".into()]).is_empty());
}
