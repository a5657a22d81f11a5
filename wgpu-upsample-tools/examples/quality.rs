//! Output quality and checkerboard artifacts of every upsampler, in pictures and numbers: images
//! are downsampled ×2 and ×4 on the GPU (area, antialiased bicubic), upsampled back with every
//! 2-D interpolation mode and three depthwise ConvTranspose2d settings, and compared with the
//! original (PSNR, SSIM, energy at the stride's frequencies); each upsampler's checkerboard is
//! measured on a constant input. `--help` lists the options.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use wgpu_upsample::{GpuContext, Op, Upsample, UpsampleMode};
use wgpu_upsample_tools::quality::metrics::stride_energy;
use wgpu_upsample_tools::quality::{
    Checkerboard, Image, Method, Row, Tile, Upsampler, contact_sheet, psnr_image, ssim_image,
    text_pattern, zone_plate,
};

const HELP: &str = "\
quality: downsample, upsample back with every method, measure and picture the result

USAGE: cargo run --release --example quality -- [IMAGE] [OPTIONS]

  IMAGE              a PNG or JPEG (default assets/astronaut.png); a synthetic zone plate and a
                     text/edge card are always added. Converted to RGB and cropped to a
                     multiple of 4 pixels; at least 16x16.
OPTIONS:
  --out DIR          where the PNGs go (default target/quality)
  --seed N           seed of the random ConvTranspose initialisation (default 0)
  --json             the metrics as one JSON object on stdout (tables go to stderr)
  --help             this text

METHODS: nearest, nearest-exact, bilinear and bicubic (align_corners False and True), area;
  convT bilinear-init: depthwise ConvTranspose2d(k=2s, stride=s, padding=s/2), FCN bilinear
    weights, one layer for x2 and for x4;
  convT k3s2 / k4s2 random: ConvTranspose2d(1, 1, k, stride=2, padding=1, output_padding=k%2)
    with PyTorch's default random init, applied to each channel, its kernel rescaled to mean
    gain 1 over the 4 output phases (so brightness is kept and only the pattern shows);
    x4 is two such x2 layers drawn independently (seeds N and N+1), as a decoder stacks them.

ENVIRONMENT: WGPU_BACKEND=vulkan|gl|..., WGPU_ADAPTER_NAME=substring pick the adapter.
";

#[derive(Serialize)]
struct ImageRow {
    image: String,
    factor: usize,
    downsample: String,
    method: String,
    psnr_db: f64,
    ssim: f64,
    /// The output's share of energy at the stride's frequencies, in dB ([`stride_db`]).
    stride_energy_db: f64,
    /// The same for the original.
    original_stride_energy_db: f64,
    file: String,
}

#[derive(Serialize)]
struct CheckRow {
    method: String,
    factor: usize,
    #[serde(flatten)]
    cb: Checkerboard,
    checkerboard: bool,
    /// Random layers: each ×2 stage's mean gain as initialised (divided out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    raw_mean_gains: Vec<f64>,
}

#[derive(Serialize)]
struct Report {
    adapter: String,
    checkerboard: Vec<CheckRow>,
    images: Vec<ImageRow>,
    contact_sheet: String,
}

struct Args {
    image: PathBuf,
    out: PathBuf,
    seed: u64,
    json: bool,
}

fn parse() -> anyhow::Result<Option<Args>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut a = Args {
        image: root.join("assets/astronaut.png"),
        out: root.join("target/quality"),
        seed: 0,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(s) = it.next() {
        match s.as_str() {
            "--help" | "-h" => return Ok(None),
            "--out" => a.out = it.next().context("--out needs DIR")?.into(),
            "--seed" => {
                let n = it.next().context("--seed needs N")?;
                a.seed = n
                    .parse()
                    .with_context(|| format!("--seed {n:?}: not a non-negative integer"))?;
            }
            "--json" => a.json = true,
            s if s.starts_with("--") => bail!("unknown option {s} (see --help)"),
            _ => a.image = s.into(),
        }
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quality: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The image's share of spectral energy at the stride's frequencies, 10·log10 of
/// [`stride_energy`], averaged over the channels and floored at -99 dB (nearest and area put
/// exactly none there: their output is constant on s×s blocks).
fn stride_db(img: &Image, s: usize) -> f64 {
    let db = |c: usize| {
        let share = stride_energy(img.plane(c), img.height, img.width, s);
        (10.0 * share.log10()).max(-99.0)
    };
    (0..img.channels).map(db).sum::<f64>() / img.channels as f64
}

fn run() -> anyhow::Result<()> {
    let Some(args) = parse()? else {
        print!("{HELP}");
        return Ok(());
    };
    let t0 = Instant::now();
    let ctx = GpuContext::new()?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let loaded = Image::load(&args.image)?.with_channels(3);
    if loaded.width < 16 || loaded.height < 16 {
        bail!(
            "{} is {}x{}: the comparison needs at least 16x16 pixels",
            args.image.display(),
            loaded.width,
            loaded.height
        );
    }
    let loaded = loaded.crop(0, 0, loaded.width / 4 * 4, loaded.height / 4 * 4);
    let stem = args
        .image
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into());
    let photo_crop = (loaded.width / 4, 0);
    let images = [
        (stem, loaded, photo_crop),
        ("zoneplate".to_string(), zone_plate(256, 3), (128, 64)),
        ("text".to_string(), text_pattern(256, 3), (0, 0)),
    ];
    let tile = 128;
    let factors = [2usize, 4];
    let downs = [
        ("area", UpsampleMode::Area, false),
        ("aa-bicubic", UpsampleMode::Bicubic, true),
    ];

    // The upsamplers, built once per factor; their checkerboard on a constant input.
    let mut ups = Vec::new();
    let mut checks = Vec::new();
    for &f in &factors {
        for m in Method::ALL {
            let u = Upsampler::new(m, 3, f, args.seed)
                .with_context(|| format!("{} x{f} (seed {})", m.name(), args.seed))?;
            let cb = u.checkerboard(&ctx)?;
            checks.push(CheckRow {
                method: m.name(),
                factor: f,
                cb,
                checkerboard: cb.shows(1e-4),
                raw_mean_gains: u.raw_mean_gains().to_vec(),
            });
            ups.push((f, u));
        }
    }

    let mut rows = Vec::new();
    let mut sheet_rows = Vec::new();
    for (name, orig, (cx, cy)) in &images {
        let orig = orig.quantized();
        let g_orig = ctx.upload(&orig.to_tensor()?)?;
        for &f in &factors {
            for &(dname, dmode, aa) in &downs {
                let down = Upsample::with_size([orig.height / f, orig.width / f], dmode)
                    .antialias(aa)
                    .forward_gpu(&ctx, &g_orig)?;
                let mut tiles = vec![Tile {
                    image: orig.crop(*cx, *cy, tile, tile),
                    caption: vec!["original".into(), format!("{}x{}", orig.width, orig.height)],
                }];
                for (_, u) in ups.iter().filter(|(uf, _)| *uf == f) {
                    let y = u.forward_gpu(&ctx, &down)?;
                    let out = Image::from_tensor(&ctx.download(&y)?)?.quantized();
                    let file = format!("{name}_x{f}_{dname}_{}.png", u.method().file_stem());
                    out.save(args.out.join(&file))?;
                    let psnr = psnr_image(&out, &orig);
                    tiles.push(Tile {
                        image: out.crop(*cx, *cy, tile, tile),
                        caption: vec![u.method().name(), format!("PSNR {psnr:.2}")],
                    });
                    rows.push(ImageRow {
                        image: name.clone(),
                        factor: f,
                        downsample: dname.into(),
                        method: u.method().name(),
                        psnr_db: psnr,
                        ssim: ssim_image(&out, &orig),
                        stride_energy_db: stride_db(&out, f),
                        original_stride_energy_db: stride_db(&orig, f),
                        file,
                    });
                }
                let stages = if f == 2 {
                    ""
                } else {
                    " (convT random: two x2 layers)"
                };
                sheet_rows.push(Row {
                    title: format!("{name}: down x{f} {dname}, up x{f} with each method{stages}"),
                    tiles,
                });
            }
        }
    }
    let sheet = contact_sheet("wgpu-upsample: quality of upsampling", &sheet_rows);
    let sheet_path = args.out.join("contact_sheet.png");
    sheet.save(&sheet_path)?;

    // Tables (to stderr with --json, so stdout is only JSON).
    let mut text = String::new();
    text += &format!("adapter: {}\n\n", ctx.describe());
    text += "checkerboard: a constant input upsampled; per output phase (y mod s, x mod s), the gain = \
             mean interior output / input.\n  max/min = max gain / min gain (1 = none, inf when a \
             phase is <= 0), spread = (max - min) / mean gain,\n  stride E = share of the output's \
             energy at the stride's frequencies (0 = none); the worst channel is shown.\n";
    text += &format!(
        "{:<24} {:>2} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}  {}\n",
        "method",
        "s",
        "min gain",
        "max gain",
        "mean gain",
        "max/min",
        "spread",
        "stride E",
        "checkerboard"
    );
    for c in &checks {
        text += &format!(
            "{:<24} {:>2} {:>9.4} {:>9.4} {:>9.4} {:>9.3} {:>9.2e} {:>10.2e}  {}\n",
            c.method,
            c.factor,
            c.cb.min_gain,
            c.cb.max_gain,
            c.cb.mean_gain,
            c.cb.gain_ratio,
            c.cb.spread,
            c.cb.stride_energy,
            if c.checkerboard { "YES" } else { "no" }
        );
    }
    text += "random layers: mean gain as initialised, divided out (the smaller it is next to the \
             phase gains, the stronger the pattern):\n";
    for c in checks.iter().filter(|c| !c.raw_mean_gains.is_empty()) {
        for (i, gain) in c.raw_mean_gains.iter().enumerate() {
            text += &format!(
                "  {} x{} layer {} (seed {}): {gain:+.4}\n",
                c.method,
                c.factor,
                i + 1,
                args.seed.wrapping_add(i as u64),
            );
        }
    }
    text += "\nimages: the 8-bit output of each method vs the original. PSNR in dB (data range 255, MSE over \
             all channels);\n  SSIM (Wang et al.: 11x11 Gaussian window, sigma 1.5, mean over RGB); \
             stride E = the output's share of energy at\n  the stride's frequencies in dB (floored at \
             -99: nearest and area put none there), orig E = the original's\n";
    text += &format!(
        "{:<10} {:>2} {:<10} {:<24} {:>7} {:>7} {:>9} {:>7}\n",
        "image", "s", "down", "method", "PSNR", "SSIM", "stride E", "orig E"
    );
    for r in &rows {
        text += &format!(
            "{:<10} {:>2} {:<10} {:<24} {:>7.2} {:>7.4} {:>9.1} {:>7.1}\n",
            r.image,
            r.factor,
            r.downsample,
            r.method,
            r.psnr_db,
            r.ssim,
            r.stride_energy_db,
            r.original_stride_energy_db
        );
    }
    text += &format!(
        "\nwrote {} PNGs and the contact sheet {} in {} ({:.1} s)\n",
        rows.len(),
        sheet_path.display(),
        args.out.display(),
        t0.elapsed().as_secs_f64()
    );
    if args.json {
        eprint!("{text}");
        let report = Report {
            adapter: ctx.describe(),
            checkerboard: checks,
            images: rows,
            contact_sheet: sheet_path.display().to_string(),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{text}");
    }
    Ok(())
}
