//! Kernels: a WGSL entry point with the constants injected into its shader, its parameter block
//! and the bindings it uses, compiled once per context with an explicit bind-group layout.
//!
//! Rust and WGSL agree by construction where they can: the constants a shader uses (workgroup
//! sizes, tile sizes, table sizes) are Rust constants written into its source ahead of the WGSL
//! files, which never define them. The parameter structs and the bindings are checked by a test
//! that parses every shader with naga (`tests` below).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::GpuContext;
use crate::error::Result;

/// WGSL shared by every kernel (grid indexing helpers); prepended to each shader's source.
const PRELUDE: &str = include_str!("../../shaders/common.wgsl");

/// A WGSL shader of the library: its name (path under `shaders/`), the constants written ahead of
/// it, and its source, given as parts that are concatenated (an op's shared declarations, then the
/// kernel file).
#[derive(Debug)]
pub(crate) struct Shader {
    pub name: &'static str,
    /// `const NAME: u32 = VALUE;` for each entry, written ahead of the parts.
    pub constants: &'static [(&'static str, u32)],
    pub parts: &'static [&'static str],
}

impl Shader {
    /// The full WGSL source: the prelude, the constants, then the parts.
    pub fn source(&self) -> String {
        let mut s = String::from(PRELUDE);
        s.push_str("\n// Constants from the Rust side (src/gpu/kernel.rs: Shader::constants).\n");
        for (name, value) in self.constants {
            s.push_str(&format!("const {name}: u32 = {value}u;\n"));
        }
        for part in self.parts {
            s.push('\n');
            s.push_str(part);
        }
        s
    }
}

/// What a kernel binds at one binding of group 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// `var<uniform>`.
    Uniform,
    /// `var<storage, read>`.
    Read,
    /// `var<storage, read_write>`.
    ReadWrite,
}

/// Byte size and field offsets of a `#[repr(C)]` parameter struct, to check against the WGSL
/// struct of the same name (see [`gpu_params!`](crate::gpu_params)).
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))] // read by the tests below
pub(crate) struct ParamsLayout {
    /// The WGSL struct's name.
    pub wgsl: &'static str,
    pub size: usize,
    /// (field name, byte offset), in declaration order.
    pub fields: &'static [(&'static str, usize)],
}

/// A kernel's parameter block: a plain-old-data struct mirrored by a WGSL struct, bound as the
/// uniform at binding 0.
pub(crate) trait Params: bytemuck::Pod {
    const LAYOUT: ParamsLayout;
}

/// Declares a `#[repr(C)]` parameter struct whose fields are named as in its WGSL twin, and
/// implements [`Params`] for it.
#[macro_export]
#[doc(hidden)]
macro_rules! gpu_params {
    ($(#[$meta:meta])* struct $name:ident as $wgsl:literal {
        $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
        pub(crate) struct $name {
            $($(#[$fmeta])* pub $field: $ty),*
        }
        impl $crate::gpu::kernel::Params for $name {
            const LAYOUT: $crate::gpu::kernel::ParamsLayout = $crate::gpu::kernel::ParamsLayout {
                wgsl: $wgsl,
                size: ::std::mem::size_of::<$name>(),
                fields: &[$((stringify!($field), ::std::mem::offset_of!($name, $field))),*],
            };
        }
    };
}

/// One kernel: an entry point of a shader, its parameter struct (the uniform at binding 0) and
/// every other binding it uses, nothing more (the bind-group layout is made from this list).
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))] // `params` is read by the tests below
pub(crate) struct Kernel {
    pub shader: &'static Shader,
    pub entry: &'static str,
    pub params: &'static ParamsLayout,
    /// The bindings after the parameters, in binding order.
    pub bindings: &'static [(u32, Slot)],
}

impl Kernel {
    /// The entry point's name, e.g. `"x2_linear"`.
    pub fn name(&self) -> &'static str {
        self.entry
    }

    fn key(&self) -> (&'static str, &'static str) {
        (self.shader.name, self.entry)
    }

    fn layout_entries(&self) -> Vec<wgpu::BindGroupLayoutEntry> {
        let entry = |binding, slot| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: match slot {
                    Slot::Uniform => wgpu::BufferBindingType::Uniform,
                    Slot::Read => wgpu::BufferBindingType::Storage { read_only: true },
                    Slot::ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        std::iter::once(entry(0, Slot::Uniform))
            .chain(self.bindings.iter().map(|&(b, s)| entry(b, s)))
            .collect()
    }
}

/// A compiled kernel: its pipeline and bind-group layout.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

/// Shader modules and compiled kernels of one context, created on first use.
#[derive(Default)]
pub(crate) struct PipelineCache {
    modules: Mutex<HashMap<&'static str, wgpu::ShaderModule>>,
    kernels: Mutex<HashMap<(&'static str, &'static str), Compiled>>,
    compiled: AtomicUsize,
}

impl PipelineCache {
    pub fn compiled(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }
}

impl GpuContext {
    /// `kernel` compiled on this context's device (once; later calls return the cached one).
    pub(crate) fn compiled(&self, kernel: &Kernel) -> Result<Compiled> {
        let cache = self.pipelines();
        if let Some(c) = lock(&cache.kernels).get(&kernel.key()) {
            return Ok(c.clone());
        }
        let module = {
            let mut modules = lock(&cache.modules);
            match modules.get(kernel.shader.name) {
                Some(m) => m.clone(),
                None => {
                    let source = kernel.shader.source();
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
        let compiled = self.scoped(|| {
            let device = self.device();
            let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(kernel.entry),
                entries: &kernel.layout_entries(),
            });
            let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(kernel.entry),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
            let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(kernel.entry),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(kernel.entry),
                compilation_options: Default::default(),
                cache: None,
            });
            Ok(Compiled { pipeline, layout })
        })?;
        cache.compiled.fetch_add(1, Ordering::Relaxed);
        lock(&cache.kernels).insert(kernel.key(), compiled.clone());
        Ok(compiled)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    //! Every kernel of the library against its shader, parsed and validated by naga (no GPU):
    //! the parameter struct's size and field offsets, and the bindings the entry point uses.

    use super::*;

    fn module(shader: &Shader) -> (naga::Module, naga::valid::ModuleInfo) {
        let source = shader.source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", shader.name, e.emit_to_string(&source)));
        let info = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}: {e:?}", shader.name));
        (module, info)
    }

    fn slot_of(space: naga::AddressSpace) -> Slot {
        match space {
            naga::AddressSpace::Uniform => Slot::Uniform,
            naga::AddressSpace::Storage { access }
                if access.contains(naga::StorageAccess::STORE) =>
            {
                Slot::ReadWrite
            }
            naga::AddressSpace::Storage { .. } => Slot::Read,
            other => panic!("unexpected address space {other:?}"),
        }
    }

    #[test]
    fn every_kernel_matches_its_shader() {
        let kernels = crate::ops::all_kernels();
        let mut keys: Vec<_> = kernels.iter().map(|k| k.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys.len(),
            kernels.len(),
            "two kernels share a shader and entry point"
        );
        let mut checked = 0;
        for kernel in kernels {
            let (module, info) = module(kernel.shader);
            let what = format!("{} ({})", kernel.entry, kernel.shader.name);
            let index = module
                .entry_points
                .iter()
                .position(|e| e.name == kernel.entry)
                .unwrap_or_else(|| panic!("{what}: no such entry point"));
            let function = info.get_entry_point(index);
            // The bindings the entry point uses, exactly those the kernel declares.
            let mut used = Vec::new();
            let mut params_ty = None;
            for (handle, var) in module.global_variables.iter() {
                let Some(binding) = &var.binding else {
                    continue;
                };
                if function[handle].is_empty() {
                    continue;
                }
                assert_eq!(binding.group, 0, "{what}");
                if binding.binding == 0 {
                    params_ty = Some(var.ty);
                }
                used.push((binding.binding, slot_of(var.space)));
            }
            used.sort_by_key(|&(b, _)| b);
            let declared: Vec<_> = std::iter::once((0, Slot::Uniform))
                .chain(kernel.bindings.iter().copied())
                .collect();
            assert_eq!(used, declared, "{what}: bindings used vs declared");
            // The parameter struct: name, size, every field at the same offset.
            let ty = &module.types[params_ty.unwrap_or_else(|| panic!("{what}: no binding 0"))];
            let naga::TypeInner::Struct { members, span } = &ty.inner else {
                panic!("{what}: binding 0 is not a struct");
            };
            let p = kernel.params;
            assert_eq!(ty.name.as_deref(), Some(p.wgsl), "{what}");
            assert_eq!(*span as usize, p.size, "{what}: size of {}", p.wgsl);
            let wgsl: Vec<(&str, usize)> = members
                .iter()
                .map(|m| (m.name.as_deref().unwrap_or(""), m.offset as usize))
                .collect();
            assert_eq!(wgsl, p.fields, "{what}: fields of {}", p.wgsl);
            checked += 1;
        }
        eprintln!("{checked} kernels match their shaders");
    }

    #[test]
    fn shaders_define_no_constant_the_rust_side_injects() {
        for kernel in crate::ops::all_kernels() {
            for part in kernel.shader.parts {
                for (name, _) in kernel.shader.constants {
                    assert!(
                        !part.contains(&format!("const {name}:")),
                        "{} defines {name}, which Rust injects",
                        kernel.shader.name
                    );
                }
            }
        }
    }
}
