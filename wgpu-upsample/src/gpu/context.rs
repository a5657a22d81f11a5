//! The device/queue manager: adapter selection, device creation, error capture, uploads and
//! downloads.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::kernel::PipelineCache;
use super::tensor::GpuTensor;
use crate::error::{Error, Result};
use crate::tensor::{Tensor, checked_numel};

/// How to get an adapter on a machine that has none; part of the [`Error::NoAdapter`] message.
#[cfg(not(target_arch = "wasm32"))]
const HOW_TO_GET_AN_ADAPTER: &str = "install a GPU driver with Vulkan, Metal, DX12 or OpenGL \
     support, or, on a machine without a GPU, Mesa's CPU drivers: lavapipe for Vulkan (Debian/Ubuntu: \
     `apt-get install mesa-vulkan-drivers`) or llvmpipe for OpenGL/EGL (`libegl-mesa0`); \
     WGPU_BACKEND=vulkan|gl|metal|dx12 picks a backend and WGPU_ADAPTER_NAME an adapter";
/// How to get an adapter in a browser without WebGPU; part of the [`Error::NoAdapter`] message.
#[cfg(target_arch = "wasm32")]
const HOW_TO_GET_AN_ADAPTER: &str = "navigator.gpu is missing or offered none; use a browser \
     with WebGPU enabled (Chrome/Edge 113+, Firefox 141+, \
     Safari 26+; on Linux Chrome may need chrome://flags/#enable-unsafe-webgpu, headless Chromium \
     the --enable-unsafe-webgpu switch) over https or http://localhost";

/// The result of an error scope the browser has not resolved yet.
#[cfg(target_arch = "wasm32")]
type PendingScope =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<wgpu::Error>> + Send>>;

/// A GPU device and queue with the library's compiled-pipeline cache.
///
/// Build one with [`GpuContext::new`] (the library picks the adapter, honouring `WGPU_BACKEND`,
/// `WGPU_ADAPTER_NAME` and `WGPU_POWER_PREF`), or from a device and queue you already have with
/// [`GpuContext::from_device`]. Cloning is cheap and shares the device and the cache.
///
/// Tensors belong to the context that made or wrapped them (and its clones): an op, an upload or
/// a download given another context's tensor returns an error instead of touching a buffer of
/// another device. Use one context per device (clone it rather than wrapping the device twice),
/// and record into encoders made from [`GpuContext::device`] (see [`GpuContext::encoder`]): wgpu
/// gives no way to check which device an encoder came from.
#[derive(Clone)]
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    shared: Arc<Shared>,
}

/// What the clones of one context share: compiled kernels, the GL lock, an identity, and the GPU
/// state ops keep per context (a layer's uploaded weights), which goes when the last clone goes.
struct Shared {
    pipelines: PipelineCache,
    /// On GL, the library's calls are serialised (see [`SerialLock`]).
    serial: Option<Arc<SerialLock>>,
    /// Unique per context. wgpu compares devices by an id that is only unique within one
    /// `wgpu::Instance`, so devices of two instances can compare equal; tensors and per-context
    /// state are keyed by this instead.
    id: u64,
    /// Per-op state on this context, by the op's key.
    state: Mutex<HashMap<u64, Arc<dyn Any + Send + Sync>>>,
    /// In the browser: error scopes popped but not yet resolved (the browser resolves them on its
    /// event loop), and the first error of those already resolved. Reported by the next
    /// [`GpuContext::wait_async`] or [`GpuContext::download_async`].
    #[cfg(target_arch = "wasm32")]
    deferred: Mutex<(Vec<PendingScope>, Option<String>)>,
}

impl Shared {
    /// Waits for the error scopes still pending and returns the first GPU error the library's
    /// calls caused since the last check (clearing it). Nothing to wait for on native backends,
    /// where every call's errors are returned by the call itself.
    async fn settle(&self) -> Result<()> {
        #[cfg(target_arch = "wasm32")]
        {
            let pending = std::mem::take(&mut lock(&self.deferred).0);
            let mut first = None;
            for scope in pending {
                if let Some(e) = scope.await {
                    first.get_or_insert(e.to_string());
                }
            }
            let mut deferred = lock(&self.deferred);
            if let Some(e) = deferred.1.take().or(first) {
                return Err(Error::Gpu(e));
            }
        }
        Ok(())
    }

    /// In the browser: keeps the popped scopes of one call for [`Shared::settle`], first dropping
    /// those already resolved (keeping the first error), so that they do not pile up between
    /// checks.
    #[cfg(target_arch = "wasm32")]
    fn defer(&self, scopes: impl IntoIterator<Item = PendingScope>) {
        use std::task::{Context, Poll, Waker};
        let mut deferred = lock(&self.deferred);
        let (pending, first) = &mut *deferred;
        pending.extend(scopes);
        let mut cx = Context::from_waker(Waker::noop());
        pending.retain_mut(|scope| match scope.as_mut().poll(&mut cx) {
            Poll::Ready(error) => {
                if let (Some(e), None) = (error, first.as_ref()) {
                    *first = Some(e.to_string());
                }
                false
            }
            Poll::Pending => true,
        });
    }
}

/// A context's shared state, held weakly by the ops that keep state on it (to remove theirs
/// when they go).
#[derive(Clone)]
pub(crate) struct ContextRef(Weak<Shared>);

impl ContextRef {
    /// Removes the state kept under `key`, if the context is still alive.
    pub fn forget(&self, key: u64) {
        if let Some(shared) = self.0.upgrade() {
            let removed = lock(&shared.state).remove(&key);
            drop(removed);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A re-entrant lock serialising the library's GPU calls on the GL backend. wgpu's GL backend
/// shares one context between threads and panics ("Could not lock adapter context") when a thread
/// waits more than a few seconds for it, which a long kernel on llvmpipe easily causes when two
/// threads use one device; behind this lock they wait for each other without a time limit.
#[derive(Default)]
pub(crate) struct SerialLock {
    owner: std::sync::Mutex<(Option<std::thread::ThreadId>, usize)>,
    free: std::sync::Condvar,
}

pub(crate) struct SerialGuard<'a>(&'a SerialLock);

impl SerialLock {
    pub(crate) fn lock(&self) -> SerialGuard<'_> {
        let me = std::thread::current().id();
        let mut state = self.owner.lock().unwrap_or_else(|p| p.into_inner());
        while state.0.is_some_and(|owner| owner != me) {
            state = self.free.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        *state = (Some(me), state.1 + 1);
        SerialGuard(self)
    }
}

impl Drop for SerialGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.0.owner.lock().unwrap_or_else(|p| p.into_inner());
        state.1 -= 1;
        if state.1 == 0 {
            state.0 = None;
            self.0.free.notify_one();
        }
    }
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.info.name)
            .field("backend", &self.info.backend)
            .finish_non_exhaustive()
    }
}

impl GpuContext {
    /// Picks an adapter and creates a device, blocking until done. See [`GpuContext::new_async`].
    ///
    /// In the browser (wasm32) nothing may block: this returns [`Error::NoAdapter`] saying so;
    /// use [`GpuContext::new_async`] there.
    pub fn new() -> Result<Self> {
        #[cfg(target_arch = "wasm32")]
        {
            Err(Error::NoAdapter(
                "GpuContext::new blocks, which the browser cannot do (the adapter and device \
                 arrive on its event loop): use GpuContext::new_async"
                    .into(),
            ))
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            pollster::block_on(Self::new_async())
        }
    }

    /// Picks an adapter and creates a device with the adapter's own limits (not wgpu's small
    /// defaults), and when the adapter has them `TIMESTAMP_QUERY`, `SHADER_INT64` (faster loads
    /// in the ×2 Upsample backward) and `SUBGROUP` (the GEMM core for CPU adapters,
    /// `ops/gemm.rs`).
    ///
    /// Honours `WGPU_BACKEND` (e.g. `vulkan`, `gl`), `WGPU_ADAPTER_NAME` (a substring of the
    /// adapter name, case-insensitive) and `WGPU_POWER_PREF` (`low` / `high`). Without an adapter
    /// the error says how to get one.
    ///
    /// In the browser (wasm32-unknown-unknown) this uses the page's WebGPU (`navigator.gpu`); the
    /// environment variables do not exist there.
    pub async fn new_async() -> Result<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pick_adapter(&instance).await?;
        let wanted = wgpu::Features::TIMESTAMP_QUERY
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES
            | wgpu::Features::SHADER_INT64
            | wgpu::Features::SUBGROUP;
        let features = adapter.features() & wanted;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("wgpu-upsample"),
                required_features: features,
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| Error::DeviceRequest(e.to_string()))?;
        // Errors the library causes are caught with error scopes; anything that still reaches the
        // uncaptured handler is logged instead of panicking (wgpu's default handler panics).
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            log::error!("uncaptured wgpu error: {e}");
        }));
        Ok(Self::assemble(device, queue))
    }

    /// Wraps a device and queue the caller already has (e.g. a renderer's), so tensors can live in
    /// the caller's buffers and ops can record into the caller's command encoders.
    ///
    /// The device keeps the features and limits it was created with; timestamps are used only if
    /// it has `TIMESTAMP_QUERY`. The caller's uncaptured-error handler is left as it is.
    pub fn from_device(device: wgpu::Device, queue: wgpu::Queue) -> Self {
        Self::assemble(device, queue)
    }

    fn assemble(device: wgpu::Device, queue: wgpu::Queue) -> Self {
        let info = device.adapter_info();
        let serial = (info.backend == wgpu::Backend::Gl).then(Default::default);
        Self {
            device,
            queue,
            info,
            shared: Arc::new(Shared {
                pipelines: PipelineCache::default(),
                serial,
                id: next_id(),
                state: Default::default(),
                #[cfg(target_arch = "wasm32")]
                deferred: Default::default(),
            }),
        }
    }

    /// This context's identity (shared by its clones).
    pub(crate) fn id(&self) -> u64 {
        self.shared.id
    }

    /// The state an op keeps on this context under `key` (made with `make` on first use; the
    /// flag says whether it was made now). It lives until the context's last clone goes or the
    /// op calls [`ContextRef::forget`].
    pub(crate) fn state<T: Any + Send + Sync>(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<(Arc<T>, bool)> {
        let found = lock(&self.shared.state).get(&key).cloned();
        if let Some(found) = found.and_then(|s| s.downcast::<T>().ok()) {
            return Ok((found, false));
        }
        // Made without the map's lock held (making may take the GL lock).
        let made = Arc::new(make()?);
        let mut state = lock(&self.shared.state);
        if let Some(raced) = state
            .get(&key)
            .cloned()
            .and_then(|s| s.downcast::<T>().ok())
        {
            return Ok((raced, false));
        }
        state.insert(key, made.clone());
        Ok((made, true))
    }

    /// The state an op keeps on this context under `key`, if it was made.
    pub(crate) fn existing_state<T: Any + Send + Sync>(&self, key: u64) -> Option<Arc<T>> {
        let found = lock(&self.shared.state).get(&key).cloned();
        found.and_then(|s| s.downcast::<T>().ok())
    }

    /// A weak reference to this context, for ops that keep state on it.
    pub(crate) fn weak(&self) -> ContextRef {
        ContextRef(Arc::downgrade(&self.shared))
    }

    /// Checks that `tensor` belongs to this context (`what`: "input", "output", ...).
    pub(crate) fn check_owner(&self, tensor: &GpuTensor, what: &str) -> Result<()> {
        if tensor.owner() != self.id() {
            return Err(Error::arg(format!(
                "the {what} tensor belongs to another GpuContext: a tensor is used with the \
                 context that made or wrapped it (or a clone of it)"
            )));
        }
        Ok(())
    }

    /// A new command encoder of this context's device, to record ops into with `encode_gpu`.
    pub fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    /// The wgpu device.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Which adapter (name, backend, driver) the context runs on.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// One line naming the adapter, its backend, device type and driver, e.g.
    /// `llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu, llvmpipe Mesa 22.3.6)`. Browsers may keep
    /// the name and driver to themselves: `unnamed adapter (BrowserWebGpu, Cpu)`.
    pub fn describe(&self) -> String {
        let i = &self.info;
        let name = if i.name.is_empty() {
            "unnamed adapter"
        } else {
            &i.name
        };
        let driver = self.driver();
        if driver.is_empty() {
            format!("{name} ({:?}, {:?})", i.backend, i.device_type)
        } else {
            format!("{name} ({:?}, {:?}, {driver})", i.backend, i.device_type)
        }
    }

    /// The driver's name and version, e.g. `llvmpipe Mesa 22.3.6` (empty when the adapter does
    /// not say).
    pub fn driver(&self) -> String {
        let i = &self.info;
        [i.driver.as_str(), i.driver_info.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The device's limits.
    pub fn limits(&self) -> wgpu::Limits {
        self.device.limits()
    }

    /// Whether kernel times can be measured with timestamp queries on this device.
    pub fn has_timestamps(&self) -> bool {
        self.device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
    }

    /// How many compute pipelines this context has compiled so far (each kernel variant is
    /// compiled once and then reused).
    pub fn pipelines_compiled(&self) -> usize {
        self.shared.pipelines.compiled()
    }

    pub(crate) fn pipelines(&self) -> &PipelineCache {
        &self.shared.pipelines
    }

    /// Holds the GL serialisation lock (nothing on other backends).
    pub(crate) fn serialise(&self) -> Option<SerialGuard<'_>> {
        self.shared.serial.as_deref().map(SerialLock::lock)
    }

    /// The GL serialisation lock, for resources that must take it when they are dropped (on GL,
    /// releasing a buffer touches the shared context).
    pub(crate) fn serial_lock(&self) -> Option<Arc<SerialLock>> {
        self.shared.serial.clone()
    }

    /// Blocks until all submitted work has finished.
    ///
    /// In the browser a page cannot block: this returns at once there; use
    /// [`GpuContext::wait_async`].
    pub fn wait(&self) -> Result<()> {
        let _serial = self.serialise();
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| Error::Gpu(e.to_string()))
    }

    /// Waits until all work submitted so far has finished, without blocking: in the browser the
    /// wait is a promise of the page's event loop; on native backends it is
    /// [`GpuContext::wait`].
    ///
    /// In the browser, GPU errors (validation, out of memory, internal) are only known once the
    /// browser has checked the commands, after the call that caused them returned: the first
    /// such error since the last check is returned here (and by
    /// [`GpuContext::download_async`]) as [`Error::Gpu`]. On native backends each call returns
    /// its own errors.
    pub async fn wait_async(&self) -> Result<()> {
        #[cfg(target_arch = "wasm32")]
        {
            let (sender, receiver) = futures_intrusive::channel::shared::oneshot_channel();
            self.queue.on_submitted_work_done(move || {
                let _ = sender.send(());
            });
            receiver.receive().await;
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.wait()?;
        self.shared.settle().await
    }

    /// Runs `f`, capturing any wgpu validation, out-of-memory or internal error it causes and
    /// returning it as [`Error::Gpu`] instead of letting it reach the uncaptured-error handler.
    ///
    /// In the browser the scopes resolve later, on the page's event loop: their errors are kept
    /// and returned by the next [`GpuContext::wait_async`] or [`GpuContext::download_async`].
    pub(crate) fn scoped<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let _serial = self.serialise();
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out = f();
        #[cfg(target_arch = "wasm32")]
        {
            self.shared.defer([
                Box::pin(validation.pop()) as PendingScope,
                Box::pin(oom.pop()),
                Box::pin(internal.pop()),
            ]);
            out
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let errors = [
                pollster::block_on(validation.pop()),
                pollster::block_on(oom.pop()),
                pollster::block_on(internal.pop()),
            ];
            if let Some(e) = errors.into_iter().flatten().next() {
                return Err(Error::Gpu(e.to_string()));
            }
            out
        }
    }

    /// Records `record` on a new command encoder and submits it (errors captured as in
    /// [`GpuContext::scoped`]); does not wait.
    pub(crate) fn submit(
        &self,
        label: &str,
        record: impl FnOnce(&mut wgpu::CommandEncoder) -> Result<()>,
    ) -> Result<()> {
        self.scoped(|| {
            let mut encoder = self
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
            record(&mut encoder)?;
            self.queue.submit([encoder.finish()]);
            Ok(())
        })
    }

    /// Creates a storage buffer of `bytes` bytes (at least 4), checking the device's size limit.
    pub(crate) fn storage_buffer(&self, label: &str, bytes: u64) -> Result<wgpu::Buffer> {
        let max = self.device.limits().max_buffer_size;
        if bytes > max {
            return Err(Error::LimitExceeded(format!(
                "a buffer of {bytes} bytes exceeds this adapter's max_buffer_size of {max} bytes"
            )));
        }
        self.scoped(|| {
            Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes.max(4).next_multiple_of(4),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }))
        })
    }

    /// A new, uninitialised GPU tensor of `shape` (its contents are zero on wgpu).
    pub fn empty(&self, shape: &[usize]) -> Result<GpuTensor> {
        let numel = checked_numel(shape)?;
        let buffer = self.storage_buffer("wgpu-upsample tensor", numel as u64 * 4)?;
        GpuTensor::from_buffer(self, buffer, shape)
    }

    /// Copies a host tensor to a new GPU buffer.
    pub fn upload(&self, tensor: &Tensor) -> Result<GpuTensor> {
        let out = self.empty(tensor.shape())?;
        self.write(&out, tensor)?;
        Ok(out)
    }

    /// Overwrites the contents of `dst` with `src` (same number of elements).
    pub fn write(&self, dst: &GpuTensor, src: &Tensor) -> Result<()> {
        self.check_owner(dst, "destination")?;
        if dst.numel() != src.numel() {
            return Err(Error::shape(format!(
                "cannot write a tensor of shape {:?} into a GPU tensor of shape {:?}",
                src.shape(),
                dst.shape()
            )));
        }
        if src.numel() == 0 {
            return Ok(());
        }
        self.scoped(|| {
            self.queue
                .write_buffer(dst.buffer(), 0, bytemuck::cast_slice(src.data()));
            Ok(())
        })
    }

    /// Copies a GPU tensor back to the host, blocking until done.
    ///
    /// In the browser nothing may block (the buffer is mapped on the page's event loop): this
    /// returns [`Error::BufferMap`] saying so there; use [`GpuContext::download_async`].
    pub fn download(&self, tensor: &GpuTensor) -> Result<Tensor> {
        #[cfg(target_arch = "wasm32")]
        {
            self.check_owner(tensor, "downloaded")?;
            Err(Error::BufferMap(
                "GpuContext::download blocks, which the browser cannot do: use \
                 GpuContext::download_async"
                    .into(),
            ))
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _serial = self.serialise();
            let pending = self.download_async(tensor);
            self.wait()?;
            pollster::block_on(pending)
        }
    }

    /// Copies a GPU tensor back to the host without blocking: the copy is submitted now, and the
    /// returned future resolves once the staging buffer is mapped.
    ///
    /// On native backends mapping completes only while the device is polled: call
    /// [`GpuContext::wait`] (or `device().poll(..)` from your loop) before or while awaiting.
    /// [`GpuContext::download`] does both. In the browser the page's event loop maps it: just
    /// await (`wasm_bindgen_futures`); a GPU error the library's earlier calls caused is returned
    /// here then (see [`GpuContext::wait_async`]).
    pub fn download_async(
        &self,
        tensor: &GpuTensor,
    ) -> impl std::future::Future<Output = Result<Tensor>> + use<> {
        let started = self.start_download(tensor);
        async move { started?.await }
    }

    fn start_download(
        &self,
        tensor: &GpuTensor,
    ) -> Result<impl std::future::Future<Output = Result<Tensor>> + use<>> {
        self.check_owner(tensor, "downloaded")?;
        let shape = tensor.shape().to_vec();
        let bytes = tensor.numel() as u64 * 4;
        let receiver = self.scoped(|| {
            let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("wgpu-upsample download"),
                size: bytes.max(4),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let mut encoder = self
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("wgpu-upsample download"),
                });
            if bytes > 0 {
                encoder.copy_buffer_to_buffer(tensor.buffer(), 0, &staging, 0, bytes);
            }
            self.queue.submit([encoder.finish()]);
            let (sender, receiver) = futures_intrusive::channel::shared::oneshot_channel();
            let mapped = staging.clone();
            staging.map_async(wgpu::MapMode::Read, .., move |result| {
                let _ = sender.send(result.map(|()| mapped));
            });
            Ok(receiver)
        })?;
        let serial = self.serial_lock();
        let shared = self.shared.clone();
        Ok(async move {
            let staging = receiver
                .receive()
                .await
                .ok_or_else(|| Error::BufferMap("the map callback was dropped".into()))?
                .map_err(|e| Error::BufferMap(e.to_string()))?;
            shared.settle().await?;
            // Reading, unmapping and releasing the staging buffer touch the GL context: under
            // the lock, whichever thread awaits.
            let _serial = serial.as_deref().map(SerialLock::lock);
            let data = {
                let view = staging
                    .get_mapped_range(..)
                    .map_err(|e| Error::BufferMap(e.to_string()))?;
                crate::tensor::copied(bytemuck::cast_slice::<u8, f32>(&view[..bytes as usize]))?
            };
            staging.unmap();
            drop(staging);
            Tensor::new(&shape, data)
        })
    }
}

/// Enumerates the adapters of the backends `WGPU_BACKEND` allows and picks one: the first whose
/// name contains `WGPU_ADAPTER_NAME` when that is set, else wgpu's choice for `WGPU_POWER_PREF`.
async fn pick_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    if let Ok(wanted) = std::env::var("WGPU_ADAPTER_NAME") {
        let wanted = wanted.to_lowercase();
        let adapters = instance.enumerate_adapters(backends).await;
        let names: Vec<String> = adapters
            .iter()
            .map(|a| format!("{} ({:?})", a.get_info().name, a.get_info().backend))
            .collect();
        return adapters
            .into_iter()
            .find(|a| a.get_info().name.to_lowercase().contains(&wanted))
            .ok_or_else(|| {
                Error::NoAdapter(format!(
                    "no GPU adapter's name contains WGPU_ADAPTER_NAME={wanted:?} (found: {}); \
                     unset it or {HOW_TO_GET_AN_ADAPTER}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            });
    }
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            force_fallback_adapter: false,
            compatible_surface: None,
            ..Default::default()
        })
        .await
        .map_err(|e| {
            // In the browser the only backend is the page's WebGPU: wgpu's list of the backends
            // not compiled in is noise there.
            if cfg!(target_arch = "wasm32") {
                Error::NoAdapter(format!("no WebGPU adapter: {HOW_TO_GET_AN_ADAPTER}"))
            } else {
                Error::NoAdapter(format!(
                    "no GPU adapter found for backends {backends:?} ({e}); \
                     {HOW_TO_GET_AN_ADAPTER}"
                ))
            }
        })
}

/// A new identity, for a context or an op.
pub(crate) fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The state one op keeps on the contexts it ran on (its weights on each device), under a key of
/// its own: made on first use per context, gone when the context's last clone goes or when this
/// goes (an encoded but not yet submitted command keeps what it uses alive until the GPU is done).
pub(crate) struct OpState {
    key: u64,
    contexts: Mutex<Vec<ContextRef>>,
    made: std::sync::atomic::AtomicUsize,
}

impl OpState {
    pub fn new() -> Self {
        OpState {
            key: next_id(),
            contexts: Mutex::new(Vec::new()),
            made: Default::default(),
        }
    }

    /// The state on `ctx`, made with `make` on first use.
    pub fn get<T: Any + Send + Sync>(
        &self,
        ctx: &GpuContext,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        let (state, made) = ctx.state(self.key, make)?;
        if made {
            lock(&self.contexts).push(ctx.weak());
            self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(state)
    }

    /// The state on `ctx`, if it was made.
    pub fn existing<T: Any + Send + Sync>(&self, ctx: &GpuContext) -> Option<Arc<T>> {
        ctx.existing_state(self.key)
    }

    /// How many times the state was made (once per context).
    pub fn made(&self) -> usize {
        self.made.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for OpState {
    fn drop(&mut self) {
        let contexts = self.contexts.get_mut().unwrap_or_else(|p| p.into_inner());
        for ctx in contexts.drain(..) {
            ctx.forget(self.key);
        }
    }
}
