//! Compiled compute pipelines, cached per (shader, entry point): one compile per kernel variant.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::GpuContext;
use crate::error::Result;

/// WGSL shared by every kernel (grid indexing helpers); prepended to each shader's source.
const PRELUDE: &str = include_str!("../../shaders/common.wgsl");

/// A WGSL shader of the library: its name (path under `shaders/`) and its source, given as parts
/// that are concatenated (an op's shared declarations, then the kernel file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Shader {
    pub name: &'static str,
    pub parts: &'static [&'static str],
}

/// One kernel: an entry point of a shader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Kernel {
    pub shader: Shader,
    pub entry: &'static str,
}

/// The cache: shader modules and pipelines, created on first use.
#[derive(Default)]
pub(crate) struct PipelineCache {
    modules: Mutex<HashMap<&'static str, wgpu::ShaderModule>>,
    pipelines: Mutex<HashMap<Kernel, wgpu::ComputePipeline>>,
    compiled: AtomicUsize,
}

impl PipelineCache {
    pub fn compiled(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }
}

impl GpuContext {
    /// The compute pipeline for `kernel`, compiled on first use (bind group layout derived from
    /// the shader).
    pub(crate) fn pipeline(&self, kernel: Kernel) -> Result<wgpu::ComputePipeline> {
        let cache = self.pipelines();
        if let Some(p) = lock(&cache.pipelines).get(&kernel) {
            return Ok(p.clone());
        }
        let module = {
            let mut modules = lock(&cache.modules);
            match modules.get(kernel.shader.name) {
                Some(m) => m.clone(),
                None => {
                    let source = std::iter::once(PRELUDE)
                        .chain(kernel.shader.parts.iter().copied())
                        .collect::<Vec<_>>()
                        .join("\n");
                    let m = self.scoped(|| {
                        Ok(self
                            .device()
                            .create_shader_module(wgpu::ShaderModuleDescriptor {
                                label: Some(kernel.shader.name),
                                source: wgpu::ShaderSource::Wgsl(source.into()),
                            }))
                    })?;
                    modules.insert(kernel.shader.name, m.clone());
                    m
                }
            }
        };
        let pipeline = self.scoped(|| {
            Ok(self
                .device()
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(kernel.entry),
                    layout: None,
                    module: &module,
                    entry_point: Some(kernel.entry),
                    compilation_options: Default::default(),
                    cache: None,
                }))
        })?;
        cache.compiled.fetch_add(1, Ordering::Relaxed);
        lock(&cache.pipelines).insert(kernel, pipeline.clone());
        Ok(pipeline)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
