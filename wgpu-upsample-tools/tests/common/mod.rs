//! Shared by the tools' integration tests: one GPU context per test binary, a tolerance check,
//! fixtures.
#![allow(dead_code)]

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

/// Checks `|got - want| <= rtol * max(1, |want|)` element-wise (NaN fails); on failure names the
/// first element that does not hold.
pub fn check_close(got: &[f32], want: &[f32], rtol: f32) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("length {} != {}", got.len(), want.len()));
    }
    match got.iter().zip(want).position(|(&g, &w)| {
        let ok = (g - w).abs() <= rtol * w.abs().max(1.0);
        !ok
    }) {
        None => Ok(()),
        Some(i) => Err(format!("element {i}: got {} want {}", got[i], want[i])),
    }
}

/// Reads a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
