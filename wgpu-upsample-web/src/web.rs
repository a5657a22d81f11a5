//! The page's bindings (wasm-bindgen): [`Demo`] and its [`Output`]s.

use wasm_bindgen::prelude::*;
use wgpu_upsample::GpuContext;

use crate::methods::{self, METHODS, Method};

/// Whether the page has WebGPU at all (`navigator.gpu`); without it [`Demo::create`] fails.
#[wasm_bindgen(js_name = hasWebGpu)]
pub fn has_webgpu() -> bool {
    web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("gpu")).ok())
        .is_some_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

/// The names of the methods the page shows, in order (`methods()` in JavaScript).
#[wasm_bindgen(js_name = methods)]
pub fn method_names() -> Vec<String> {
    METHODS.iter().map(|m| m.name().to_string()).collect()
}

/// The library's context on the page's WebGPU device.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Demo {
    ctx: GpuContext,
}

/// One method's result: the output image and how it was made.
#[wasm_bindgen(getter_with_clone)]
pub struct Output {
    /// The method's name (one of [`methods`]).
    pub name: String,
    /// The output image, RGBA bytes (the GPU output clamped to [0, 1]).
    pub rgba: Vec<u8>,
    /// Output width in pixels.
    pub width: usize,
    /// Output height in pixels.
    pub height: usize,
    /// Median kernel time in milliseconds.
    pub kernel_ms: f64,
    /// `"timestamps"` (GPU timestamp queries) or `"wall-clock"` (submit to work done).
    pub timing: String,
    /// Max |GPU − CPU| over the output (the CPU reference compiled to wasm).
    pub max_diff: f32,
    /// The WGSL entry points the method ran, comma-separated.
    pub kernels: String,
}

#[wasm_bindgen]
impl Demo {
    /// Opens the page's WebGPU adapter and device (`GpuContext::new_async`). Fails with the
    /// library's message when the browser has none.
    pub async fn create() -> Result<Demo, JsError> {
        console_error_panic_hook();
        let ctx = GpuContext::new_async().await?;
        Ok(Demo { ctx })
    }

    /// The adapter the context runs on, in one line (name, backend, device type, driver).
    pub fn adapter(&self) -> String {
        self.ctx.describe()
    }

    /// Runs the method called `method` on an image (`rgba`: `width × height` RGBA bytes; alpha
    /// is ignored) at `scale` (an integer ≥ 2), `iterations` timed runs after one warm-up.
    /// Resolves to an [`Output`].
    pub fn run(
        &self,
        method: String,
        rgba: Vec<u8>,
        width: usize,
        height: usize,
        scale: usize,
        iterations: usize,
    ) -> js_sys::Promise {
        let ctx = self.ctx.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let method = Method::from_name(&method)
                .ok_or_else(|| JsError::new(&format!("unknown method {method:?}")))?;
            let run = methods::run(&ctx, method, &rgba, width, height, scale, iterations)
                .await
                .map_err(|e| JsError::new(&format!("{}: {e}", method.name())))?;
            Ok(JsValue::from(Output {
                name: method.name().to_string(),
                rgba: run.rgba,
                width: run.width,
                height: run.height,
                kernel_ms: run.timing.median.as_secs_f64() * 1e3,
                timing: run.timing.source.name().to_string(),
                max_diff: run.max_diff,
                kernels: run.kernels.join(", "),
            }))
        })
    }
}

/// Panics (bugs; the library returns errors) go to the console with their message.
fn console_error_panic_hook() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            web_sys::console::error_1(&JsValue::from_str(&info.to_string()));
            default(info);
        }));
    });
}
