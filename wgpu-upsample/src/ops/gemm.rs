//! The register-tiled GEMM core shared by the implicit-GEMM kernels on CPU-backed adapters
//! (lavapipe): WGSL generated here for `TM = 32 · blocks` rows per workgroup, composed after a
//! kernel's own part, which supplies the operands through hooks.
//!
//! Why this shape: lavapipe runs a workgroup's x dimension 8 lanes at a time and loads memory one
//! lane after another, so a load costs far more than a multiply-add. A workgroup here is one
//! subgroup of 8 lanes; each lane owns 8 columns (two `vec4`) and every row of the tile. The rows'
//! A values are loaded 4 per lane (one `vec4`) and handed to all lanes by `subgroupBroadcast`;
//! each B value is loaded once, by its lane, and used for all `TM` rows. Every accumulator is its
//! own variable (arrays indexed in loops end up in memory on lavapipe), hence the generated text.
//!
//! Hooks the kernel defines:
//! - `gemm_begin(w: u32, lane: u32) -> u32`: set up workgroup `w`'s tile; returns the K to run
//!   (0 for a workgroup past the end, which then stores nothing);
//! - `gemm_a(k: u32, v: u32) -> vec4<f32>`: this lane's A values at `k` for rows
//!   `32·v + 4·lane .. + 4` of the tile;
//! - `gemm_b(k: u32, h: u32) -> vec4<f32>`: this lane's B values at `k`, columns `4·h .. + 4` of
//!   its 8;
//! - `gemm_next()`: advance the kernel's per-k state after step `k`;
//! - `gemm_store(r: u32, c0: vec4<f32>, c1: vec4<f32>)`: row `r` of the tile, this lane's columns.

use std::sync::LazyLock;

use crate::gpu::kernel::{Kernel, ParamsLayout, Shader, Slot};

/// Columns per lane and lanes per workgroup: a workgroup covers `GEMM_COLUMNS` columns.
pub(crate) const GEMM_LANES: usize = 8;
/// Columns per workgroup (8 lanes × 8 columns).
pub(crate) const GEMM_COLUMNS: usize = 64;
/// Rows per block; a tile has 1, 2 or 4 blocks.
pub(crate) const GEMM_BLOCK_ROWS: usize = 32;

/// The core for `blocks` blocks of 32 rows: the entry point `gemm_sg`.
pub(crate) fn core_source(blocks: usize) -> String {
    use std::fmt::Write;
    let rows = GEMM_BLOCK_ROWS * blocks;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// GEMM core for {rows} rows x 64 columns per workgroup (generated: src/ops/gemm.rs).\n\
         @compute @workgroup_size(8, 1, 1)\n\
         fn gemm_sg(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,\n\
         \x20          @builtin(local_invocation_index) lane: u32) {{\n\
         \x20   let kn = gemm_begin(linear_workgroup(wg, nwg), lane);"
    );
    for r in 0..rows {
        let _ = writeln!(s, "    var c{r}_0 = vec4<f32>(); var c{r}_1 = vec4<f32>();");
    }
    s.push_str("    for (var k = 0u; k < kn; k++) {\n");
    s.push_str("        let b0 = gemm_b(k, 0u);\n        let b1 = gemm_b(k, 1u);\n");
    for v in 0..blocks {
        let _ = writeln!(s, "        let a{v} = gemm_a(k, {v}u);");
    }
    s.push_str("        var x: vec4<f32>;\n");
    for r in 0..rows {
        let (v, lane, comp) = (r / 32, (r % 32) / 4, ["x", "y", "z", "w"][r % 4]);
        let _ = writeln!(
            s,
            "        x = vec4<f32>(subgroupBroadcast(a{v}.{comp}, {lane}u)); \
             c{r}_0 = fma(x, b0, c{r}_0); c{r}_1 = fma(x, b1, c{r}_1);"
        );
    }
    s.push_str("        gemm_next();\n    }\n");
    for r in 0..rows {
        let _ = writeln!(s, "    gemm_store({r}u, c{r}_0, c{r}_1);");
    }
    s.push_str("}\n");
    s
}

/// Blocks of 32 rows per tile for `m` rows: 1, 2 or 4 (the fewest that cover `m`, at most 4).
pub(crate) fn blocks_for(m: usize) -> usize {
    match m.div_ceil(GEMM_BLOCK_ROWS) {
        0 | 1 => 1,
        2 => 2,
        _ => 4,
    }
}

/// Which implicit-GEMM kernels a [`GpuContext`](crate::GpuContext) runs; the kernel choice
/// ([`ConvTransposeKernel::select`](crate::ConvTransposeKernel::select)) depends on it, because
/// the two cores pay off at different widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GemmCore {
    /// The subgroup core (`src/ops/gemm.rs`): on CPU adapters (lavapipe) with subgroups of at
    /// least 8 lanes, where a workgroup of 8 is one subgroup.
    Subgroup,
    /// The workgroup-tiled kernels (`shaders/conv*/gemm.wgsl`, `grad.wgsl`): GPUs, GL, and any
    /// adapter when `WGPU_UPSAMPLE_GEMM=workgroup` is set (for comparisons).
    Workgroup,
}

impl GemmCore {
    /// The core `ctx` runs: [`GemmCore::Subgroup`] on a CPU adapter with subgroups of at least 8
    /// lanes (unless `WGPU_UPSAMPLE_GEMM=workgroup`), else [`GemmCore::Workgroup`].
    pub fn of(ctx: &crate::gpu::GpuContext) -> Self {
        let info = ctx.adapter_info();
        let subgroup = std::env::var("WGPU_UPSAMPLE_GEMM").map_or(true, |v| v != "workgroup")
            && info.device_type == wgpu::DeviceType::Cpu
            && info.subgroup_min_size >= GEMM_LANES as u32
            && ctx.device().features().contains(wgpu::Features::SUBGROUP);
        if subgroup {
            GemmCore::Subgroup
        } else {
            GemmCore::Workgroup
        }
    }
}

/// A kernel on the core: `parts` (the kernel's declarations and hooks) then the core for
/// `blocks` blocks, with `TM` injected; entry point `gemm_sg`. Built once per process (the
/// callers keep it in a `LazyLock`), so the leaked strings are bounded.
pub(crate) fn subgroup_kernel(
    name: &str,
    parts: &[&'static str],
    blocks: usize,
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut all = parts.to_vec();
    all.push(leak(core_source(blocks)));
    let shader: &'static Shader = Box::leak(Box::new(Shader {
        name: leak(format!("{name} (TM {})", GEMM_BLOCK_ROWS * blocks)),
        constants: Box::leak(Box::new([("TM", (GEMM_BLOCK_ROWS * blocks) as u32)])),
        parts: Box::leak(all.into_boxed_slice()),
    }));
    Kernel {
        shader,
        entry: "gemm_sg",
        params,
        bindings,
    }
}

/// The kernel of `kernels` (built for 1, 2 and 4 blocks, in that order) for `blocks`.
pub(crate) fn pick(kernels: &'static [LazyLock<Kernel>; 3], blocks: usize) -> &'static Kernel {
    &kernels[blocks.trailing_zeros() as usize]
}
