//! wgpu-upsample in the browser: the demo page's Rust side (`www/index.html` is the rest).
//!
//! Built for `wasm32-unknown-unknown` with wasm-bindgen (`--target web`, see `build-page.sh`).
//! The page hands an RGB image (RGBA bytes from a canvas) to `Demo::run` once per method; each
//! run ([`methods::run`]) uploads it, times the method's kernels on the page's WebGPU
//! ([`time_gpu_async`](wgpu_upsample::gpu::timing::time_gpu_async)), reads the output back
//! ([`GpuContext::download_async`](wgpu_upsample::GpuContext::download_async)) and compares it
//! with the CPU reference, compiled to wasm with the rest. The methods build natively too:
//! `cargo run --release -p wgpu-upsample-web --example native` times them on a native adapter.
#![warn(missing_docs)]

pub mod methods;
#[cfg(target_arch = "wasm32")]
mod web;

pub use methods::{METHODS, Method, Run};
#[cfg(target_arch = "wasm32")]
pub use web::{Demo, Output, has_webgpu, method_names};
