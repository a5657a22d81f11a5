//! Renderers of a [`Report`]: aligned text, markdown, JSON lines, and an SVG chart; each ends
//! with the claims and their verdicts.

use std::fmt::Write as _;

use super::{AdapterSummary, Claim, CopyLimit, GemmLimit, Report, Row, Settings};

/// A number with about three significant digits (no exponent for the usual range).
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        format!("{x}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.01 || a == 0.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

/// Bytes in B, KiB, MiB or GiB.
pub(crate) fn bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `10^d` written out: `0.01`, `0.1`, `1`, `10`, ...
fn decade(d: i32) -> String {
    if d >= 0 {
        format!("{}", 10u64.saturating_pow(d as u32))
    } else {
        format!("{:.*}", (-d) as usize, 10f64.powi(d))
    }
}

fn shape(s: &[usize]) -> String {
    s.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("×")
}

/// The table's header and, per row, its cells; `true` marks right-aligned (numeric) columns.
const COLUMNS: [(&str, bool); 15] = [
    ("workload", false),
    ("params", false),
    ("input → output", false),
    ("kernel ms", true),
    ("e2e ms", true),
    ("CPU ms", true),
    ("CPU/GPU", true),
    ("GPU mem", true),
    ("GB/s", true),
    ("copy ms", true),
    ("×copy", true),
    ("×copy min", true),
    ("GFLOP/s", true),
    ("×GEMM", true),
    ("max |Δ|", true),
];

/// A cell for an optional number (`–` for Upsample rows).
fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), num)
}

fn cells(r: &Row) -> [String; 15] {
    [
        r.name.clone(),
        format!(
            "{}; {} kernel{}",
            r.params,
            r.kernels.join(" + "),
            if r.kernels.len() == 1 { "" } else { "s" }
        ),
        format!("{} → {}", shape(&r.input_shape), shape(&r.output_shape)),
        num(r.kernel_ms),
        num(r.e2e_ms),
        num(r.cpu_ms),
        format!("{}×", num(r.speedup)),
        bytes(r.gpu_memory_bytes),
        num(r.gb_per_s),
        num(r.copy_ms),
        num(r.ratio_to_copy),
        num(r.ratio_to_copy_min),
        opt(r.gflop_per_s),
        opt(r.ratio_to_gemm),
        if r.max_abs_diff == 0.0 {
            "0".to_string()
        } else {
            format!("{:.1e}", r.max_abs_diff)
        },
    ]
}

fn legend(report: &Report) -> String {
    let timing = if report.adapter.timestamps {
        "GPU timestamp queries around the compute pass"
    } else {
        "wall clock, submit to completion"
    };
    format!(
        "kernel: median of {} ({timing}); e2e: upload + op + download, each waited for \
         (ConvTranspose2d weights already on the device), median of {}; CPU: the library's CPU \
         reference, median of {}; GPU mem: input + output + tables/scratch + weights (given; \
         re-packed too for the GEMM kernel) and bias; GB/s: (input + output + weight bytes) / \
         kernel time; copy ms: the vec4 copy kernel moving the same bytes, measured right after the kernel; ×copy: kernel \
         ms / copy ms (1 = copy speed); ×copy min: the same from each side's fastest run \
         (steadier on a shared machine); GFLOP/s: useful FLOPs (zero taps skipped) / kernel \
         time; ×GEMM: kernel ms / (useful FLOPs / GEMM rate) (1 = the rate of the library's \
         GEMM kernel, measured as the header says); params end with the GPU kernels run",
        report.settings.iterations, report.settings.e2e_iterations, report.settings.cpu_iterations,
    )
}

impl Report {
    /// The report as an aligned plain-text table, preceded by the adapter and limit lines and
    /// followed by a legend.
    pub fn to_text(&self) -> String {
        let rows: Vec<[String; COLUMNS.len()]> = self.rows.iter().map(cells).collect();
        let width = |c: usize| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([COLUMNS[c].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..COLUMNS.len()).map(width).collect();
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut s = String::new();
            for (c, cell) in cells.enumerate() {
                if c > 0 {
                    s.push_str("  ");
                }
                let w = widths[c];
                if COLUMNS[c].1 {
                    let _ = write!(s, "{cell:>w$}");
                } else {
                    let _ = write!(s, "{cell:<w$}");
                }
            }
            s.trim_end().to_string() + "\n"
        };
        let mut out = String::new();
        out.push_str(&self.adapter.line());
        out.push('\n');
        out.push_str(&self.limit_line());
        out.push('\n');
        out.push_str(&self.gemm_line());
        out.push('\n');
        out.push_str(&self.gemm_reference_line());
        out.push_str("\n\n");
        out.push_str(&line(&mut COLUMNS.iter().map(|c| c.0)));
        out.push_str(&line(&mut widths.iter().map(|&w| {
            &"--------------------------------------------------------------------------------"
                [..w.min(80)]
        })));
        for r in &rows {
            out.push_str(&line(&mut r.iter().map(String::as_str)));
        }
        out.push('\n');
        out.push_str(&legend(self));
        out.push_str("\n\nclaims (measured in this run):\n");
        for c in &self.claims {
            let _ = writeln!(out, "- {}", claim_line(c));
        }
        out
    }

    /// The report as a markdown table, preceded by the adapter and limit lines and followed by a
    /// legend.
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        let _ = writeln!(out, "{}\n", esc(&self.adapter.line()));
        let _ = writeln!(out, "{}\n", esc(&self.limit_line()));
        let _ = writeln!(out, "{}\n", esc(&self.gemm_line()));
        let _ = writeln!(out, "{}\n", esc(&self.gemm_reference_line()));
        let _ = writeln!(
            out,
            "| {} |",
            COLUMNS
                .iter()
                .map(|c| esc(c.0))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(
            out,
            "|{}|",
            COLUMNS
                .iter()
                .map(|c| if c.1 { "---:" } else { "---" })
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.rows {
            let c = cells(r);
            let _ = writeln!(
                out,
                "| {} |",
                c.iter().map(|s| esc(s)).collect::<Vec<_>>().join(" | ")
            );
        }
        let _ = writeln!(out, "\n{}", esc(&legend(self)));
        let _ = writeln!(out, "\n**Claims** (measured in this run):\n");
        for c in &self.claims {
            let _ = writeln!(
                out,
                "- **{}: {}** — {}: {}",
                esc(&c.claim),
                c.verdict_word(),
                esc(&c.measure),
                esc(&c.summary)
            );
        }
        out
    }

    /// One JSON object per row ([`Row`]'s fields), one per line, then one last line: an object
    /// with the claims and the run's header — `{"claims": [Claim, ...], "gemm_flops_per_s": ...,
    /// "gemm": ..., "copy": ..., "adapter": ..., "settings": ...}`.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            out.push_str(&serde_json::to_string(r).expect("a Row serialises to JSON"));
            out.push('\n');
        }
        // A struct rather than `json!`, to keep this key order (claims first).
        #[derive(serde::Serialize)]
        struct Summary<'a> {
            claims: &'a [Claim],
            gemm_flops_per_s: Option<f64>,
            gemm: &'a GemmLimit,
            copy: &'a CopyLimit,
            adapter: &'a AdapterSummary,
            settings: &'a Settings,
        }
        let summary = Summary {
            claims: &self.claims,
            gemm_flops_per_s: self.gemm_flops_per_s,
            gemm: &self.gemm,
            copy: &self.copy,
            adapter: &self.adapter,
            settings: &self.settings,
        };
        out.push_str(&serde_json::to_string(&summary).expect("the claims serialise to JSON"));
        out.push('\n');
        out
    }

    /// An SVG chart: per workload, the GPU kernel, GPU end-to-end and CPU times (log scale), and
    /// the kernel's ratio to the copy kernel and, for ConvTranspose2d, to the GEMM rate (linear,
    /// with the limit marked at 1); the claims and their verdicts below.
    pub fn to_svg(&self) -> String {
        svg(self)
    }
}

/// `claim: VERDICT — measure: numbers`.
fn claim_line(c: &Claim) -> String {
    format!(
        "{}: {} — {}: {}",
        c.claim,
        c.verdict_word(),
        c.measure,
        c.summary
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The colour of the ratio-to-GEMM bars.
const GEMM_COLOUR: &str = "#9467bd";

fn svg(report: &Report) -> String {
    const LEFT: f64 = 190.0; // workload names
    const TIME_W: f64 = 480.0; // time panel
    const GAP: f64 = 60.0;
    const RATIO_W: f64 = 240.0; // ratio panel
    const TOP: f64 = 114.0;
    const CLAIM_LINE: f64 = 15.0;
    const BAR: f64 = 9.0;
    const ROW: f64 = 3.0 * BAR + 12.0;
    const SERIES: [(&str, &str); 3] = [
        ("GPU kernel", "#1f77b4"),
        ("GPU end-to-end", "#9ecae1"),
        ("CPU", "#ff7f0e"),
    ];
    let rows = &report.rows;
    let width = LEFT + TIME_W + GAP + RATIO_W + 30.0;
    let claim_lines: usize = report
        .claims
        .iter()
        .map(|c| 1 + c.summary.split("; ").count())
        .sum();
    let height = TOP + ROW * rows.len().max(1) as f64 + 60.0 + CLAIM_LINE * claim_lines as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="14" font-weight="bold">wgpu-upsample: GPU vs CPU</text>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="10" y="34">{}</text>"#,
        xml(&report.adapter.line())
    );
    let _ = writeln!(
        s,
        r#"<text x="10" y="48">{}</text>"#,
        xml(&report.limit_line())
    );
    // The GEMM line is too long for the chart's width: its details go on a line of their own.
    let (gemm_head, gemm_detail) = report.gemm_line_parts();
    let _ = writeln!(
        s,
        r#"<text x="10" y="62">{} ({}</text><text x="24" y="76">{})</text>"#,
        xml(&gemm_head),
        xml(&gemm_detail[..gemm_detail.find(": ").map_or(gemm_detail.len(), |i| i + 1)]),
        xml(&gemm_detail[gemm_detail.find(": ").map_or(gemm_detail.len(), |i| i + 2)..]),
    );
    // Legend.
    let mut lx = LEFT;
    for (name, colour) in SERIES {
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="84" width="10" height="10" fill="{colour}"/><text x="{}" y="93">{}</text>"#,
            lx + 14.0,
            xml(name)
        );
        lx += 120.0;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{lx}" y="84" width="10" height="10" fill="#2ca02c"/><text x="{}" y="93">kernel ÷ copy kernel (same bytes)</text>"##,
        lx + 14.0
    );
    lx += 225.0;
    let _ = writeln!(
        s,
        r##"<rect x="{lx}" y="84" width="10" height="10" fill="{GEMM_COLOUR}"/><text x="{}" y="93">kernel ÷ GEMM rate (same FLOPs)</text>"##,
        lx + 14.0
    );

    // Time panel: log10 scale over whole decades.
    let times: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.kernel_ms, r.e2e_ms, r.cpu_ms])
        .filter(|t| t.is_finite() && *t > 0.0)
        .collect();
    let lo = times
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .log10()
        .floor();
    let hi = times.iter().copied().fold(0.0, f64::max).log10().ceil();
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (-1.0, 3.0)
    };
    let tx = |t: f64| LEFT + (t.log10() - lo) / (hi - lo) * TIME_W;
    let bottom = TOP + ROW * rows.len().max(1) as f64;
    let mut d = lo;
    while d <= hi + 1e-9 {
        let x = LEFT + (d - lo) / (hi - lo) * TIME_W;
        let label = decade(d as i32);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"##,
            TOP - 6.0,
            bottom + 14.0
        );
        d += 1.0;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">time, ms (log scale)</text>"#,
        LEFT + TIME_W / 2.0,
        bottom + 30.0
    );

    // Ratio panel: log10 scale over whole decades, starting at least a factor 3 below the smaller
    // of 1 and the smallest ratio (so that a bar at the limit still shows), the limit marked at 1.
    // Log, because
    // the ConvTranspose2d rows' ratios to the copy kernel run into the hundreds while their
    // ratios to the GEMM rate sit near 1.
    let rx0 = LEFT + TIME_W + GAP;
    let ratios: Vec<f64> = rows
        .iter()
        .flat_map(|r| [Some(r.ratio_to_copy), r.ratio_to_gemm])
        .flatten()
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect();
    let rlo = (ratios.iter().copied().fold(1.0, f64::min) / 3.0)
        .log10()
        .floor();
    let rhi = ratios
        .iter()
        .copied()
        .fold(1.0, f64::max)
        .log10()
        .ceil()
        .max(rlo + 2.0);
    let rx = |r: f64| rx0 + (r.log10() - rlo) / (rhi - rlo) * RATIO_W;
    let mut d = rlo;
    while d <= rhi + 1e-9 {
        let x = rx(10f64.powf(d));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" stroke="{}"{}/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            TOP - 6.0,
            if d == 0.0 { "#2ca02c" } else { "#ddd" },
            if d == 0.0 {
                r#" stroke-dasharray="4 3""#
            } else {
                ""
            },
            bottom + 14.0,
            decade(d as i32)
        );
        // Unlabelled 2× and 5× lines inside the decade.
        if d + 1.0 <= rhi + 1e-9 {
            for m in [2.0, 5.0] {
                let x = rx(m * 10f64.powf(d));
                let _ = writeln!(
                    s,
                    r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" stroke="#f0f0f0"/>"##,
                    TOP - 6.0
                );
            }
        }
        d += 1.0;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">kernel time ÷ limit's time (log; 1 = the limit)</text>"#,
        rx0 + RATIO_W / 2.0,
        bottom + 30.0
    );

    for (i, r) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64 + 6.0;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            y + 1.5 * BAR + 4.0,
            xml(&r.name)
        );
        for (k, (&t, (series, colour))) in [r.kernel_ms, r.e2e_ms, r.cpu_ms]
            .iter()
            .zip(SERIES)
            .enumerate()
        {
            if !(t.is_finite() && t > 0.0) {
                continue;
            }
            let by = y + k as f64 * BAR;
            let w = (tx(t) - LEFT).max(1.0);
            let _ = writeln!(
                s,
                r#"<rect x="{LEFT}" y="{by:.1}" width="{w:.1}" height="{}" fill="{colour}"><title>{}: {series} {} ms</title></rect>"#,
                BAR - 1.0,
                xml(&r.name),
                num(t)
            );
        }
        if r.ratio_to_copy.is_finite() && r.ratio_to_copy > 0.0 {
            let w = (rx(r.ratio_to_copy) - rx0).max(1.0);
            let _ = writeln!(
                s,
                r##"<rect x="{rx0}" y="{:.1}" width="{w:.1}" height="{}" fill="#2ca02c"><title>{}: {}× the copy kernel's time</title></rect><text x="{:.1}" y="{:.1}">{}</text>"##,
                y + BAR,
                BAR,
                xml(&r.name),
                num(r.ratio_to_copy),
                rx0 + w + 4.0,
                y + 2.0 * BAR - 1.0,
                num(r.ratio_to_copy)
            );
        }
        if let Some(g) = r.ratio_to_gemm.filter(|g| g.is_finite() && *g > 0.0) {
            let w = (rx(g) - rx0).max(1.0);
            let _ = writeln!(
                s,
                r##"<rect x="{rx0}" y="{:.1}" width="{w:.1}" height="{}" fill="{GEMM_COLOUR}"><title>{}: {}× the GEMM kernel's time for the same FLOPs ({} kernel)</title></rect><text x="{:.1}" y="{:.1}">{}</text>"##,
                y + 2.0 * BAR,
                BAR,
                xml(&r.name),
                num(g),
                r.kernels.join(" + "),
                rx0 + w + 4.0,
                y + 3.0 * BAR - 1.0,
                num(g)
            );
        }
    }

    // The claims.
    let mut cy = bottom + 54.0;
    let _ = writeln!(
        s,
        r#"<text x="10" y="{cy}" font-weight="bold">Claims (measured in this run):</text>"#
    );
    for c in &report.claims {
        cy += CLAIM_LINE;
        let colour = match c.verdict {
            Some(true) => "#2ca02c",
            Some(false) => "#d62728",
            None => "#777",
        };
        let _ = writeln!(
            s,
            r#"<text x="10" y="{cy}"><tspan font-weight="bold">{}:</tspan> <tspan font-weight="bold" fill="{colour}">{}</tspan> — {}</text>"#,
            xml(&c.claim),
            c.verdict_word(),
            xml(&c.measure)
        );
        for part in c.summary.split("; ") {
            cy += CLAIM_LINE;
            let _ = writeln!(s, r#"<text x="24" y="{cy}">{}</text>"#, xml(part));
        }
    }
    s.push_str("</svg>\n");
    s
}
