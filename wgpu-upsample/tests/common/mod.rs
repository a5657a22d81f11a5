//! Shared by the integration tests: one GPU context per test binary, tolerance checks, fixtures.
#![allow(dead_code)]

pub mod upsample;

use std::sync::OnceLock;

use wgpu_upsample::GpuContext;

/// The GPU context of this test binary. Fails the test (with the library's message on how to get
/// an adapter) when there is none: GPU tests never pass silently without a GPU.
pub fn gpu() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| match GpuContext::new() {
        Ok(ctx) => {
            eprintln!("GPU tests run on {}", ctx.describe());
            ctx
        }
        Err(e) => panic!("no GPU for the GPU tests: {e}"),
    })
}

/// A second device of the adapter `WGPU_BACKEND` picks, with the given features and limits
/// changed by `limits`, wrapped like a caller's own device.
pub fn device_with(
    features: wgpu::Features,
    limits: impl FnOnce(wgpu::Limits) -> wgpu::Limits,
) -> GpuContext {
    pollster::block_on(async {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .expect("an adapter");
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                required_features: features & adapter.features(),
                required_limits: limits(adapter.limits()),
                ..Default::default()
            })
            .await
            .expect("a device");
        GpuContext::from_device(device, queue)
    })
}

/// Checks `|got - want| <= rtol * max(1, |want|)` element-wise; on failure describes the worst
/// element.
pub fn check_close(got: &[f32], want: &[f32], rtol: f32) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("length {} != {}", got.len(), want.len()));
    }
    let mut worst: Option<(usize, f32)> = None;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        // NaN counts as a failure: only a comparison that holds passes.
        let excess = (g - w).abs() - rtol * w.abs().max(1.0);
        let ok = excess <= 0.0;
        if !ok && worst.is_none_or(|(_, e)| excess > e || excess.is_nan()) {
            worst = Some((i, excess));
        }
    }
    match worst {
        None => Ok(()),
        Some((i, _)) => Err(format!(
            "element {i}: got {} want {} (|diff| {:e}, allowed {:e})",
            got[i],
            want[i],
            (got[i] - want[i]).abs(),
            rtol * want[i].abs().max(1.0)
        )),
    }
}

/// Like [`check_close`], for data that may hold non-finite values: NaN where `want` is NaN, the
/// same infinity where it is infinite, else within the tolerance.
pub fn check_close_nonfinite(got: &[f32], want: &[f32], rtol: f32) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("length {} != {}", got.len(), want.len()));
    }
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_nan() {
            g.is_nan()
        } else if w.is_infinite() {
            g == w
        } else {
            (g - w).abs() <= rtol * w.abs().max(1.0)
        };
        if !ok {
            return Err(format!("element {i}: got {g} want {w}"));
        }
    }
    Ok(())
}

/// Reads a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// PyTorch's `RuntimeError`s about an argument's value; its other `RuntimeError`s are about tensor
/// shapes.
const ARGUMENT_RUNTIME_ERRORS: &[&str] = &[
    "adaptive_avg_pool2d: elements of output_size",
    "dilation should be greater than zero",
    "kernel size should be greater than zero",
    "non-positive stride",
    "output padding must be smaller",
];

/// Whether the library's error kind is the one it gives for the exception PyTorch raised with
/// `message`: `ValueError` → `InvalidArgument`, `NotImplementedError` → `NotImplemented`,
/// `RuntimeError` → `InvalidArgument` for a bad argument value, else `InvalidShape`.
pub fn same_kind_as_pytorch(error_type: &str, message: &str, err: &wgpu_upsample::Error) -> bool {
    use wgpu_upsample::Error;
    match error_type {
        "ValueError" => matches!(err, Error::InvalidArgument(_)),
        "NotImplementedError" => matches!(err, Error::NotImplemented(_)),
        "RuntimeError"
            if ARGUMENT_RUNTIME_ERRORS
                .iter()
                .any(|p| message.starts_with(p)) =>
        {
            matches!(err, Error::InvalidArgument(_))
        }
        "RuntimeError" => matches!(err, Error::InvalidShape(_)),
        _ => false,
    }
}
