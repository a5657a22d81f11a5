//! The pictures of a training comparison: held-out PSNR against steps and against wall-clock
//! time (SVG), a contact sheet of crops of the held-out image (PNG), and a page showing both
//! with the table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::model::decoder_name;
use super::report::Report;
use crate::quality::Image;
use crate::quality::sheet::{Row, Tile, contact_sheet};

/// One colour per decoder letter a..e (matplotlib's tab10).
const COLOURS: [&str; 5] = ["#d62728", "#ff7f0e", "#2ca02c", "#17becf", "#1f77b4"];

fn colour(key: char) -> &'static str {
    COLOURS[(key as usize).saturating_sub('a' as usize) % COLOURS.len()]
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" tick step for a range.
fn tick_step(range: f64) -> f64 {
    let raw = range / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// One panel: the decoders' PSNR curves against `x` (steps or seconds), the baselines dashed.
fn panel(svg: &mut String, r: &Report, left: f64, top: f64, seconds: bool) {
    const W: f64 = 420.0;
    const H: f64 = 260.0;
    let xs = |p: &super::report::EvalPoint| if seconds { p.seconds } else { p.step as f64 };
    let mut x_max: f64 = 1e-9;
    let (mut y_min, mut y_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for d in &r.decoders {
        for p in &d.curve {
            x_max = x_max.max(xs(p));
            if p.psnr.is_finite() {
                y_min = y_min.min(p.psnr);
                y_max = y_max.max(p.psnr);
            }
        }
    }
    for b in &r.baselines {
        y_min = y_min.min(b.psnr);
        y_max = y_max.max(b.psnr);
    }
    if !y_min.is_finite() {
        (y_min, y_max) = (0.0, 1.0);
    }
    let y_step = tick_step((y_max - y_min).max(0.5));
    let y_lo = (y_min / y_step).floor() * y_step;
    let y_hi = (y_max / y_step).ceil() * y_step;
    let x_step = tick_step(x_max);
    let x_hi = (x_max / x_step).ceil() * x_step;
    let px = |x: f64| left + x / x_hi * W;
    let py = |y: f64| top + H - (y - y_lo) / (y_hi - y_lo) * H;
    let _ = writeln!(
        svg,
        r##"<rect x="{left}" y="{top}" width="{W}" height="{H}" fill="none" stroke="#888"/>"##
    );
    let mut y = y_lo;
    while y <= y_hi + 1e-9 {
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#eee"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{y:.1}</text>"##,
            left + W,
            left - 4.0,
            py(y) + 4.0,
            py = py(y)
        );
        y += y_step;
    }
    let mut x = 0.0;
    while x <= x_hi + 1e-9 {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"##,
            px(x),
            top + H + 14.0,
            if x_step < 1.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.0}")
            }
        );
        x += x_step;
    }
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>"##,
        left + W / 2.0,
        top + H + 30.0,
        if seconds {
            "training wall-clock seconds"
        } else {
            "steps"
        }
    );
    for b in &r.baselines {
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#555" stroke-dasharray="5,4"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#555">{} {:.2}</text>"##,
            left + W,
            left + W - 4.0,
            py(b.psnr) - 3.0,
            xml(&b.name),
            b.psnr,
            y = py(b.psnr)
        );
    }
    for d in &r.decoders {
        let pts: Vec<String> = d
            .curve
            .iter()
            .filter(|p| p.psnr.is_finite())
            .map(|p| format!("{:.1},{:.1}", px(xs(p)), py(p.psnr.clamp(y_lo, y_hi))))
            .collect();
        let _ = writeln!(
            svg,
            r##"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"##,
            colour(d.key),
            pts.join(" ")
        );
    }
}

/// The chart: held-out PSNR against steps (left) and against training wall-clock seconds
/// (right), one line per decoder, the baselines dashed.
pub fn chart_svg(r: &Report) -> String {
    let mut svg = String::new();
    let width = 1000.0;
    let height = 400.0 + 16.0 * r.decoders.len() as f64;
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="20" y="22" font-size="15">Held-out PSNR (dB) while training: x2 super-resolution, {} steps, batch {}, C={}, {}</text><text x="20" y="38" font-size="11" fill="#555">{}</text>"##,
        r.options.steps,
        r.options.batch,
        r.options.channels,
        xml(&r.options.optimizer),
        xml(&r.device)
    );
    panel(&mut svg, r, 60.0, 50.0, false);
    panel(&mut svg, r, 540.0, 50.0, true);
    for (i, d) in r.decoders.iter().enumerate() {
        let y = 360.0 + 16.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="60" x2="90" y1="{y}" y2="{y}" stroke="{}" stroke-width="3"/><text x="96" y="{}" font-size="12">{} {}: {:.2} dB after {} steps, {:.1} s</text>"##,
            colour(d.key),
            y + 4.0,
            d.key,
            xml(&d.name),
            d.psnr,
            r.options.steps,
            d.curve.last().map_or(0.0, |p| p.seconds)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// `img` (values in [0, 1]) on the 8-bit scale, clamped, magnified `m`× by pixel repetition.
fn tile_image(img: &Image, x: usize, y: usize, side: usize, m: usize) -> Image {
    let crop = img.crop(x, y, side, side);
    Image::from_fn(
        crop.width * m,
        crop.height * m,
        crop.channels,
        |c, yy, xx| (crop.get(c, yy / m, xx / m) * 255.0).clamp(0.0, 255.0),
    )
}

/// The contact sheet: the same crop of the held-out image (magnified 2×) from the original, each
/// baseline and each trained decoder, captioned with PSNR and SSIM.
pub fn sheet(r: &Report) -> Image {
    let p = &r.pictures;
    let side = 96.min(p.original.width).min(p.original.height);
    let (x, y) = (
        (p.original.width - side) / 2,
        (p.original.height - side) / 2,
    );
    let tile = |img: &Image, caption: Vec<String>| Tile {
        image: tile_image(img, x, y, side, 2),
        caption,
    };
    let mut first = vec![tile(&p.original, vec!["original".into()])];
    for ((name, img), b) in p.baselines.iter().zip(&r.baselines) {
        first.push(tile(
            img,
            vec![
                format!("{name} (no training)"),
                format!("{:.2} dB, SSIM {:.3}", b.psnr, b.ssim),
            ],
        ));
    }
    let mut second = Vec::new();
    for ((key, img), d) in p.decoders.iter().zip(&r.decoders) {
        second.push(tile(
            img,
            vec![
                format!("{key}: {}", decoder_name(*key).unwrap_or("?")),
                format!("{:.2} dB, SSIM {:.3}", d.psnr, d.ssim),
                format!("checkerboard {:.3}", d.checkerboard_trained.spread),
            ],
        ));
    }
    contact_sheet(
        &format!(
            "held-out crop {side}x{side} at ({x}, {y}), shown 2x, decoders after {} steps",
            r.options.steps
        ),
        &[
            Row {
                title: "original and interpolation of its x2 area downsample".into(),
                tiles: first,
            },
            Row {
                title: "trained decoders".into(),
                tiles: second,
            },
        ],
    )
}

/// Writes `chart.svg`, `sheet.png`, `report.json`, `report.md` and `index.html` into `dir`
/// (created if needed); returns the page's path.
pub fn write_outputs(r: &Report, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, text: &str| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("chart.svg", &chart_svg(r))?;
    write("report.json", &r.to_json())?;
    let table = r.table();
    write("report.md", &table)?;
    sheet(r).save(dir.join("sheet.png"))?;
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>wgpu-upsample training comparison</title>\
         <body style=\"font-family:sans-serif\"><h1>Training comparison</h1>\
         <img src=\"chart.svg\"><br><img src=\"sheet.png\"><pre>{}</pre></body>\n",
        xml(&table)
    );
    write("index.html", &page)?;
    Ok(dir.join("index.html"))
}
