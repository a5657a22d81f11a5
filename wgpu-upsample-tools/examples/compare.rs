//! The main job: every workload (Upsample in every mode, ConvTranspose2d as a learned ×2
//! upsampler) measured on the GPU and on the CPU, compared with the adapter's copy-kernel
//! bandwidth and GEMM rate, and the claims about the two ops checked against the measurements
//! (the training claims from a short run of the `train` example's decoders).
//! A thin CLI over `wgpu_upsample_tools::compare`; `--help` lists the options.

use std::path::PathBuf;
use std::process::ExitCode;

use wgpu_upsample::GpuContext;
use wgpu_upsample_tools::compare::{Settings, Sizes, default_workloads, run, select};
use wgpu_upsample_tools::train::short_run_claims;

const HELP: &str = "\
compare: wgpu-upsample's kernels (Upsample, ConvTranspose2d) on the GPU vs the CPU reference, vs
the adapter's limits (copy-kernel bandwidth, tiled-GEMM FLOP rate), and the claims about
Upsample vs ConvTranspose2d with a measured verdict each, including the training claims (from a
short training run of the `train` example's decoders)

USAGE: cargo run --release --example compare -- [OPTIONS]

OPTIONS:
  --size HxW         spatial size of the 4-D input (default 256x256); the 3-D input is
                     N×C×(H·W), the 5-D one N×⌈C/4⌉×32×⌈H/4⌉×⌈W/4⌉; ConvTranspose2d runs
                     3→3 on N×3×H×W, C→C on N×C×H×W and 128→64 on N×128×⌈H/8⌉×⌈W/8⌉
  --channels C       channels (default 16)
  --batch N          batch (default 1)
  --iters N          timed GPU kernel iterations per workload (default 7)
  --cpu-iters N      timed CPU and GPU end-to-end runs per workload (default 3)
  --only a,b         only the workloads whose name contains one of these strings
  --list             list the workload names and exit
  --json             one JSON object per row on stdout, then one {\"claims\": [...], \"gemm\": ...,
                     ...} with the claims and the limits (adapter and chart lines go to stderr)
  --markdown         a markdown table instead of the plain-text one
  --chart PATH       where to write the SVG chart (default target/compare/compare.svg)
  --train-steps N    steps of the short training run behind the training claims (default 300)
  --no-train         skip the training run (and its claims)
  --help             this text

ENVIRONMENT: WGPU_BACKEND=vulkan|gl|..., WGPU_ADAPTER_NAME=substring pick the adapter.
";

#[derive(PartialEq)]
enum Format {
    Text,
    Markdown,
    Json,
}

struct Args {
    sizes: Sizes,
    settings: Settings,
    only: Vec<String>,
    format: Format,
    chart: PathBuf,
    list: bool,
    /// Steps of the short training run (0: none).
    train_steps: usize,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        sizes: Sizes::default(),
        settings: Settings::default(),
        only: Vec::new(),
        format: Format::Text,
        chart: PathBuf::from("target/compare/compare.svg"),
        list: false,
        train_steps: 300,
    };
    let mut it = std::env::args().skip(1);
    let count = |v: Option<String>, flag: &str| -> Result<usize, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag}: expected a positive integer, got {v:?}")),
        }
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "--help" | "-h" => return Ok(None),
            "--size" => {
                let v = value().ok_or("--size needs a value, e.g. 256x256")?;
                let (h, w) = v
                    .split_once(['x', 'X', '×'])
                    .ok_or_else(|| format!("--size: expected HxW, got {v:?}"))?;
                a.sizes.height = count(Some(h.to_string()), "--size H")?;
                a.sizes.width = count(Some(w.to_string()), "--size W")?;
            }
            "--channels" => a.sizes.channels = count(value(), "--channels")?,
            "--batch" => a.sizes.batch = count(value(), "--batch")?,
            "--iters" => a.settings.iterations = count(value(), "--iters")?,
            "--cpu-iters" => {
                let n = count(value(), "--cpu-iters")?;
                a.settings.cpu_iterations = n;
                a.settings.e2e_iterations = n;
            }
            "--only" => {
                let v = value().ok_or("--only needs a value, e.g. bilinear,area")?;
                a.only.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                );
            }
            "--list" => a.list = true,
            "--train-steps" => a.train_steps = count(value(), "--train-steps")?,
            "--no-train" => a.train_steps = 0,
            "--json" => a.format = Format::Json,
            "--markdown" => a.format = Format::Markdown,
            "--chart" => a.chart = PathBuf::from(value().ok_or("--chart needs a path")?),
            other => return Err(format!("unknown argument {other:?}; see --help")),
        }
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    env_logger::init();
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("compare: {e}");
            return ExitCode::from(2);
        }
    };
    match main_with(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main_with(args: Args) -> anyhow::Result<()> {
    let all = default_workloads(&args.sizes);
    if args.list {
        for w in &all {
            println!("{:<24} {:<40} {:?}", w.name, w.params, w.input_shape);
        }
        return Ok(());
    }
    let names: Vec<String> = all.iter().map(|w| w.name.clone()).collect();
    let workloads = select(all, &args.only);
    if workloads.is_empty() {
        anyhow::bail!(
            "--only {:?} matches no workload; the workloads are: {}",
            args.only.join(","),
            names.join(", ")
        );
    }
    let json = args.format == Format::Json;
    // In JSON mode stdout carries only the rows and the claims object.
    let info = |line: &str| {
        if json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };

    let ctx = GpuContext::new()?;
    info(&wgpu_upsample_tools::compare::AdapterSummary::of(&ctx).line());
    let started = std::time::Instant::now();
    let mut report = run(&ctx, &workloads, &args.settings, |line| eprintln!("{line}"))?;
    if args.train_steps > 0 {
        // The training claims, from a short run of every decoder (`train` runs the full one).
        eprintln!("[training] every decoder, {} steps", args.train_steps);
        let claims = short_run_claims(&ctx, args.train_steps, |line| eprintln!("{line}"))?;
        report.claims.extend(claims);
    }
    eprintln!("measured in {:.1} s", started.elapsed().as_secs_f64());

    // The text and markdown renderings start with the adapter line, already printed above.
    let without_adapter_line = |s: String| {
        s.split_once('\n').map_or(String::new(), |(_, rest)| {
            rest.trim_start_matches('\n').to_string()
        })
    };
    match args.format {
        Format::Json => print!("{}", report.to_json_lines()),
        Format::Markdown => print!("\n{}", without_adapter_line(report.to_markdown())),
        Format::Text => print!("{}", without_adapter_line(report.to_text())),
    }

    if let Some(dir) = args.chart.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.chart, report.to_svg())?;
    info(&format!("\nchart: {}", args.chart.display()));
    Ok(())
}
