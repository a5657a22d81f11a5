//! Resizes a PNG/JPEG on the GPU with `F.interpolate`'s semantics. A thin CLI over
//! `wgpu_upsample_tools::quality::resize_file`; `--help` lists the options.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use wgpu_upsample::GpuContext;
use wgpu_upsample::UpsampleMode;
use wgpu_upsample_tools::quality::{ResizeOptions, ResizeTarget, resize_file};

const HELP: &str = "\
resize: resize an image on the GPU (u8 in, f32 in the kernel, u8 out rounded and clamped)

USAGE: cargo run --release --example resize -- IN OUT (--scale S | --size W H) [OPTIONS]

OPTIONS:
  --scale S          scale factor for both axes (output floor(size*S), as F.interpolate)
  --size W H         output width and height
  --mode M           nearest | nearest-exact | bilinear | bicubic | lanczos | area (default
                     bilinear; lanczos is always antialiased, as PyTorch requires)
  --align-corners    align_corners=True (bilinear, bicubic)
  --antialias        antialias=True (bilinear, bicubic; for shrinking)
  --help             this text

Gray, gray+alpha, RGB and RGBA keep their layout; every channel, alpha included, is resized with
the same mode (straight alpha, not premultiplied). The output format follows OUT's extension
(PNG or JPEG; an image with alpha needs PNG).
ENVIRONMENT: WGPU_BACKEND=vulkan|gl|..., WGPU_ADAPTER_NAME=substring pick the adapter.
";

fn parse() -> anyhow::Result<Option<(String, String, ResizeOptions)>> {
    let mut args = std::env::args().skip(1);
    let mut files = Vec::new();
    let mut target = None;
    let mut mode = UpsampleMode::Bilinear;
    let (mut align, mut aa) = (false, false);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().with_context(|| format!("{a} needs {what}"));
        match a.as_str() {
            "--help" | "-h" => return Ok(None),
            "--scale" => {
                let v = value("a number")?;
                let scale = v
                    .parse()
                    .with_context(|| format!("--scale {v:?}: not a number"))?;
                target = Some(ResizeTarget::Scale(scale));
            }
            "--size" => {
                let mut dim = |what: &str| -> anyhow::Result<usize> {
                    let v = value("W H")?;
                    v.parse()
                        .with_context(|| format!("--size: {what} {v:?} is not a whole number"))
                };
                let width = dim("W")?;
                let height = dim("H")?;
                target = Some(ResizeTarget::Size { width, height });
            }
            "--mode" => mode = value("a mode")?.parse()?,
            "--align-corners" => align = true,
            "--antialias" => aa = true,
            s if s.starts_with("--") => bail!("unknown option {s} (see --help)"),
            _ => files.push(a),
        }
    }
    let [input, output]: [String; 2] = files
        .try_into()
        .map_err(|_| anyhow::anyhow!("give IN and OUT (see --help)"))?;
    let target = target.context("give --scale S or --size W H (see --help)")?;
    let mut opts = ResizeOptions::new(target, mode);
    opts.align_corners = align;
    opts.antialias |= aa;
    Ok(Some((input, output, opts)))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resize: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let Some((input, output, opts)) = parse()? else {
        print!("{HELP}");
        return Ok(());
    };
    let ctx = GpuContext::new()?;
    let t = Instant::now();
    let out = resize_file(&ctx, &input, &output, &opts)?;
    println!(
        "{input} -> {output}: {}x{}, {} channel(s), mode {} on {} ({:.0} ms)",
        out.width,
        out.height,
        out.channels,
        opts.mode,
        ctx.describe(),
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
