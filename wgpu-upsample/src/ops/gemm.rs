//! The register-tiled GEMM core shared by the implicit-GEMM kernels on CPU-backed adapters
//! (lavapipe): WGSL generated here for `TM` rows per workgroup, composed after a kernel's own
//! part, which supplies the operands through hooks.
//!
//! Why this shape: lavapipe runs a workgroup's x dimension 8 lanes at a time and loads memory one
//! lane after another, so a load costs far more than a multiply-add. A workgroup here is one
//! subgroup of 8 lanes; each lane owns 8 columns (two `vec4`) and every row of the tile. Two
//! forms:
//! - wide (`TM` = 32, 64, 128): the rows' A values are loaded 4 per lane (one `vec4`) and handed
//!   to all lanes by `subgroupBroadcast`; each B value is loaded once, by its lane, and used for
//!   all `TM` rows;
//! - narrow (`TM` = 4, 8, 16, for small M): every lane loads all `TM` rows' A values itself
//!   (`TM / 4` vec4 loads of the same address) and no broadcast runs; a wide tile there would
//!   spend most of its multiply-adds and broadcasts on rows past M.
//!
//! Every accumulator is its own variable (arrays indexed in loops end up in memory on lavapipe),
//! hence the generated text.
//!
//! Hooks the kernel defines (with the constants `TM`, `A_STEP` and `A_LANE` injected):
//! - `gemm_begin(w: u32, lane: u32) -> u32`: set up workgroup `w`'s tile; returns the K to run
//!   (0 for a workgroup past the end, which then stores nothing);
//! - `gemm_a(k: u32, v: u32) -> vec4<f32>`: this lane's A values at `k` for rows
//!   `A_STEP·v + A_LANE·lane .. + 4` of the tile (wide: `32·v + 4·lane`; narrow: `4·v`);
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
/// Rows per block of the wide form; a wide tile has 1, 2 or 4 blocks.
pub(crate) const GEMM_BLOCK_ROWS: usize = 32;
/// The tile heights (`TM`) the core is built for: narrow 4, 8, 16, wide 32, 64, 128.
pub(crate) const TILE_ROWS: [usize; 6] = [4, 8, 16, 32, 64, 128];

/// Whether a tile of `tm` rows uses the narrow form (every lane loads every row's A values).
fn narrow(tm: usize) -> bool {
    tm < GEMM_BLOCK_ROWS
}

/// The core for `tm` rows (one of [`TILE_ROWS`]): the entry point `gemm_sg`.
pub(crate) fn core_source(tm: usize) -> String {
    use std::fmt::Write;
    let narrow = narrow(tm);
    // A's vec4s per k: narrow, TM / 4 per lane; wide, one per block of 32 (4 rows per lane).
    let loads = if narrow { tm / 4 } else { tm / GEMM_BLOCK_ROWS };
    let mut s = core_head(tm, if narrow { "narrow" } else { "wide" }, "");
    s.push_str("    for (var k = 0u; k < kn; k++) {\n");
    s.push_str("        let b0 = gemm_b(k, 0u);\n        let b1 = gemm_b(k, 1u);\n");
    for v in 0..loads {
        let _ = writeln!(s, "        let a{v} = gemm_a(k, {v}u);");
    }
    s.push_str("        var x: vec4<f32>;\n");
    for r in 0..tm {
        let comp = ["x", "y", "z", "w"][r % 4];
        let x = if narrow {
            format!("vec4<f32>(a{}.{comp})", r / 4)
        } else {
            let (v, lane) = (r / GEMM_BLOCK_ROWS, (r % GEMM_BLOCK_ROWS) / 4);
            format!("vec4<f32>(subgroupBroadcast(a{v}.{comp}, {lane}u))")
        };
        let _ = writeln!(
            s,
            "        x = {x}; c{r}_0 = fma(x, b0, c{r}_0); c{r}_1 = fma(x, b1, c{r}_1);"
        );
    }
    s.push_str("        gemm_next();\n    }\n");
    core_tail(s, tm)
}

/// The start of a core's entry point `gemm_sg` for `tm` rows (`form` names it in the comment):
/// `kn` from `gemm_begin`, then `begin` (more set-up), then the accumulators.
fn core_head(tm: usize, form: &str, begin: &str) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// GEMM core for {tm} rows x 64 columns per workgroup, {form}\n\
         // (generated: src/ops/gemm.rs).\n\
         @compute @workgroup_size(8, 1, 1)\n\
         fn gemm_sg(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,\n\
         \x20          @builtin(local_invocation_index) lane: u32) {{\n\
         \x20   let kn = gemm_begin(linear_workgroup(wg, nwg), lane);{begin}"
    );
    for r in 0..tm {
        let _ = writeln!(s, "    var c{r}_0 = vec4<f32>(); var c{r}_1 = vec4<f32>();");
    }
    s
}

/// The end of a core's entry point: the `tm` rows stored.
fn core_tail(mut s: String, tm: usize) -> String {
    use std::fmt::Write;
    for r in 0..tm {
        let _ = writeln!(s, "    gemm_store({r}u, c{r}_0, c{r}_1);");
    }
    s.push_str("}\n");
    s
}

/// A narrow core's x-window form ([`window_core_source`]): each lane's 8 columns are 8 outputs of
/// one row, `stride` apart along the input's x axis, and K runs over rows of `taps` taps
/// `dilation` apart; the input values a row of taps reads for the 8 columns are loaded once, as
/// [`XWindow::vec4s`] aligned vec4s from `e0` elements before the first column's first tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct XWindow {
    pub taps: usize,
    pub stride: usize,
    pub dilation: usize,
    pub e0: usize,
}

/// At most this many vec4s per window (32 input values per lane).
pub(crate) const WINDOW_MAX_VEC4S: usize = 8;

impl XWindow {
    /// Element `e` of the window for column `j` at tap `t`.
    fn element(&self, j: usize, t: usize) -> usize {
        self.e0 + j * self.stride + t * self.dilation
    }

    /// The aligned vec4s one row of taps reads for a lane's 8 columns.
    pub fn vec4s(&self) -> usize {
        (self.element(7, self.taps.max(1) - 1) + 1).div_ceil(4)
    }
}

/// The narrow core (`tm` one of 4, 8, 16) in its x-window form: per row of taps the hooks
/// `gemm_window()` (set up the row at the current k) and `gemm_win(v) -> vec4<f32>` (its `v`-th
/// aligned vec4, zero outside the input) give every B value of the row's `w.taps` steps, picked
/// out of registers; `gemm_next_window()` advances past the row. `gemm_a` and `gemm_store` as in
/// [`core_source`] (`gemm_a` is called with a k per lane: lane t loads tap t's A values, which are
/// then broadcast); K is a multiple of `w.taps`, at most 8 taps.
pub(crate) fn window_core_source(tm: usize, w: XWindow) -> String {
    use std::fmt::Write;
    assert!(narrow(tm) && (1..=GEMM_LANES).contains(&w.taps) && w.vec4s() <= WINDOW_MAX_VEC4S);
    let comp = |e: usize| format!("w{}.{}", e / 4, ["x", "y", "z", "w"][e % 4]);
    let mut s = core_head(tm, &format!("narrow, x-window {w:?}"), "");
    let _ = writeln!(s, "    for (var k = 0u; k < kn; k += {}u) {{", w.taps);
    s.push_str("        gemm_window();\n");
    for v in 0..w.vec4s() {
        let _ = writeln!(s, "        let w{v} = gemm_win({v}u);");
    }
    // A for the row's taps: lane t loads tap t's rows (lanes past the taps repeat the last), then
    // each tap's are broadcast: one load per lane instead of one per tap.
    let _ = writeln!(s, "        let kl = k + min(lane, {}u);", w.taps - 1);
    for v in 0..tm / 4 {
        let _ = writeln!(s, "        let al{v} = gemm_a(kl, {v}u);");
    }
    s.push_str("        var x: vec4<f32>;\n");
    for t in 0..w.taps {
        let b = |h: usize| {
            let e: Vec<String> = (0..4).map(|i| comp(w.element(4 * h + i, t))).collect();
            format!("vec4<f32>({})", e.join(", "))
        };
        let _ = writeln!(
            s,
            "        {{\n            let b0 = {};\n            let b1 = {};",
            b(0),
            b(1)
        );
        for v in 0..tm / 4 {
            let _ = writeln!(s, "            let a{v} = subgroupBroadcast(al{v}, {t}u);");
        }
        for r in 0..tm {
            let c = ["x", "y", "z", "w"][r % 4];
            let _ = writeln!(
                s,
                "            x = vec4<f32>(a{}.{c}); c{r}_0 = fma(x, b0, c{r}_0); c{r}_1 = fma(x, b1, c{r}_1);",
                r / 4
            );
        }
        s.push_str("        }\n");
    }
    s.push_str("        gemm_next_window();\n    }\n");
    core_tail(s, tm)
}

/// Positions per step of the weight-gradient window form ([`weight_window_core_source`]): 4 or 8
/// (one or two aligned vec4s of S per row).
pub(crate) const WEIGHT_WINDOW_POSITIONS: [usize; 2] = [4, 8];

/// The vec4s of one row of taps of the weight-gradient window form: `w.taps` x taps at
/// `positions` positions `w.stride` apart (element `e0 + q·stride + t·dilation` for position
/// `q`, tap `t`).
pub(crate) fn weight_window_vec4s(w: XWindow, positions: usize) -> usize {
    (w.element(positions - 1, w.taps.max(1) - 1) + 1).div_ceil(4)
}

/// The narrow core (`tm` one of 4, 8, 16) in the weight gradient's x-window form: K runs over
/// `positions` positions (4 or 8) of one row of S at a time, a lane's 8 columns are `8 / w.taps`
/// rows of `w.taps` x taps (each row of one channel), and each row's B values for the step are one window of
/// aligned vec4s. Hooks: `gemm_aq(i) -> vec4<f32>` (S of tile row `i % TM` at positions
/// `4·(i / TM) ..+ 4` of the step; lane l loads `i = 8·u + l`, then they are broadcast),
/// `gemm_prow(r, j)` (set up the lane's row `r` of taps, its first column `j`), `gemm_pwin(r, v)`
/// (that row's `v`-th vec4), `gemm_next_quad()` (past the step); `gemm_begin` and `gemm_store`
/// as in [`core_source`]. K is a multiple of `positions`; the multiply-adds run position by
/// position, in the order of [`core_source`].
///
/// With `carry` (the y-carry form), row `r + 1`'s window of one step is row `r`'s of the next
/// wherever the hook `gemm_pcarry()` says so (the kernel walks K down the rows of S and deals a
/// lane rows of taps a stride apart): there only the last row's window is loaded.
pub(crate) fn weight_window_core_source(
    tm: usize,
    w: XWindow,
    positions: usize,
    carry: bool,
) -> String {
    use std::fmt::Write;
    let rows = GEMM_LANES / w.taps.max(1);
    let vec4s = weight_window_vec4s(w, positions);
    assert!(
        narrow(tm)
            && WEIGHT_WINDOW_POSITIONS.contains(&positions)
            && w.taps * rows == GEMM_LANES
            && rows * vec4s <= 2 * WINDOW_MAX_VEC4S
    );
    let xyzw = ["x", "y", "z", "w"];
    let form = format!(
        "narrow, weight x-window {w:?}, {positions} positions per step{}",
        if carry { ", y-carry" } else { "" }
    );
    let mut s = core_head(tm, &form, "\n    gemm_wbegin();");
    if carry {
        for r in 0..rows {
            for v in 0..vec4s {
                let _ = writeln!(s, "    var w{r}_{v}: vec4<f32>;");
            }
        }
    }
    let _ = writeln!(s, "    for (var k = 0u; k < kn; k += {positions}u) {{");
    for r in 0..rows {
        let _ = writeln!(s, "        gemm_prow({r}u, {}u);", r * w.taps);
    }
    if carry {
        // Rows 0 .. rows - 1 from the previous step's rows 1 .., or loaded; the last row loaded.
        s.push_str("        if (gemm_pcarry()) {\n");
        for r in 0..rows - 1 {
            for v in 0..vec4s {
                let _ = writeln!(s, "            w{r}_{v} = w{}_{v};", r + 1);
            }
        }
        s.push_str("        } else {\n");
        for r in 0..rows - 1 {
            for v in 0..vec4s {
                let _ = writeln!(s, "            w{r}_{v} = gemm_pwin({r}u, {v}u);");
            }
        }
        s.push_str("        }\n");
        for v in 0..vec4s {
            let _ = writeln!(
                s,
                "        w{}_{v} = gemm_pwin({}u, {v}u);",
                rows - 1,
                rows - 1
            );
        }
    } else {
        for r in 0..rows {
            for v in 0..vec4s {
                let _ = writeln!(s, "        let w{r}_{v} = gemm_pwin({r}u, {v}u);");
            }
        }
    }
    // S: tm rows × positions / 4 vec4s, spread over the lanes, then broadcast.
    let quads = tm * positions / 4;
    for u in 0..quads.div_ceil(GEMM_LANES) {
        let _ = writeln!(s, "        let al{u} = gemm_aq({u}u * 8u + lane);");
    }
    for h in 0..positions / 4 {
        for m in 0..tm {
            let i = h * tm + m;
            let _ = writeln!(
                s,
                "        let a{m}_{h} = subgroupBroadcast(al{}, {}u);",
                i / GEMM_LANES,
                i % GEMM_LANES
            );
        }
    }
    s.push_str("        var x: vec4<f32>;\n");
    for q in 0..positions {
        let b = |h: usize| {
            let e: Vec<String> = (0..4)
                .map(|i| {
                    let j = 4 * h + i;
                    let e = w.element(q, j % w.taps);
                    format!("w{}_{}.{}", j / w.taps, e / 4, xyzw[e % 4])
                })
                .collect();
            format!("vec4<f32>({})", e.join(", "))
        };
        let _ = writeln!(
            s,
            "        {{\n            let b0 = {};\n            let b1 = {};",
            b(0),
            b(1)
        );
        for m in 0..tm {
            let _ = writeln!(
                s,
                "            x = vec4<f32>(a{m}_{}.{}); c{m}_0 = fma(x, b0, c{m}_0); c{m}_1 = fma(x, b1, c{m}_1);",
                q / 4,
                xyzw[q % 4]
            );
        }
        s.push_str("        }\n");
    }
    s.push_str("        gemm_next_quad();\n    }\n");
    core_tail(s, tm)
}

/// Rows per tile for `m` rows: the smallest of [`TILE_ROWS`] that covers `m` (at most 128).
/// Narrow tiles up to 16 rows: there a wide tile's multiply-adds and broadcasts on rows past M
/// cost more than the narrow form's extra A loads.
pub(crate) fn tile_rows(m: usize) -> usize {
    TILE_ROWS
        .into_iter()
        .find(|&tm| tm >= m)
        .unwrap_or(TILE_ROWS[TILE_ROWS.len() - 1])
}

/// Rows per tile for `m` rows where no x-window form runs: as [`tile_rows`], but the wide 32-row
/// tile in place of the narrow 16-row one. The 16-row tile pays only with the x-window forms'
/// vec4 input loads (A/B on lavapipe, session 8, GPU ms narrow → wide: ConvTranspose2d 16→16
/// forward 13.4–13.8 → 8.5–9.4, Conv2d 16→16 grad_input 7.2–7.6 → 4.7–5.3 and grad_weight
/// 11.8–15.6 → 7.4–8.1; the x-window kernels of ConvTranspose2d 16→16's gradients went the other
/// way, 5.4–7.7 → 7.7–12.1).
pub(crate) fn tile_rows_plain(m: usize) -> usize {
    match tile_rows(m) {
        16 => 32,
        tm => tm,
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

/// A kernel on the core: `parts` (the kernel's declarations and hooks) then the core for `tm`
/// rows (one of [`TILE_ROWS`]), with `TM`, `A_STEP` and `A_LANE` injected; entry point `gemm_sg`.
/// Built once per process (the callers keep it in a `LazyLock`), so the leaked strings are
/// bounded.
pub(crate) fn subgroup_kernel(
    name: &str,
    parts: &[&'static str],
    tm: usize,
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    subgroup_kernel_with(name, parts, tm, &[], params, bindings)
}

/// [`subgroup_kernel`] with the constants `extra` injected too.
pub(crate) fn subgroup_kernel_with(
    name: &str,
    parts: &[&'static str],
    tm: usize,
    extra: &[(&'static str, u32)],
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    kernel_with_core(name, parts, tm, core_source(tm), extra, params, bindings)
}

/// A kernel on the narrow core's x-window form ([`window_core_source`]), with `W_E0` (the
/// window's `e0`) injected too.
pub(crate) fn window_kernel(
    name: &str,
    parts: &[&'static str],
    tm: usize,
    w: XWindow,
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    let name = format!(
        "{name}, x-window {} taps stride {} dilation {} e0 {}",
        w.taps, w.stride, w.dilation, w.e0
    );
    let core = window_core_source(tm, w);
    kernel_with_core(
        &name,
        parts,
        tm,
        core,
        &[("W_E0", w.e0 as u32)],
        params,
        bindings,
    )
}

/// A kernel on the weight gradient's x-window form ([`weight_window_core_source`]), with
/// `W_E0` (the window's `e0`), `W_POSITIONS` (positions per step), `W_ROW_LANES` (lanes per
/// channel whose rows of taps interleave: above 1 the y-carry form) and `W_TAPS_X` (`w.taps`)
/// injected too.
#[allow(clippy::too_many_arguments)] // the kernel's shape
pub(crate) fn weight_window_kernel(
    name: &str,
    parts: &[&'static str],
    tm: usize,
    w: XWindow,
    positions: usize,
    row_lanes: usize,
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    let carry = row_lanes > 1;
    let name = format!(
        "{name}, weight x-window {} taps stride {} dilation {} e0 {}, {positions} positions{}",
        w.taps,
        w.stride,
        w.dilation,
        w.e0,
        if carry { ", y-carry" } else { "" }
    );
    let core = weight_window_core_source(tm, w, positions, carry);
    kernel_with_core(
        &name,
        parts,
        tm,
        core,
        &[
            ("W_E0", w.e0 as u32),
            ("W_POSITIONS", positions as u32),
            ("W_ROW_LANES", row_lanes as u32),
            ("W_TAPS_X", w.taps as u32),
        ],
        params,
        bindings,
    )
}

fn kernel_with_core(
    name: &str,
    parts: &[&'static str],
    tm: usize,
    core: String,
    extra: &[(&'static str, u32)],
    params: &'static ParamsLayout,
    bindings: &'static [(u32, Slot)],
) -> Kernel {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut all = parts.to_vec();
    all.push(leak(core));
    let (a_step, a_lane) = if narrow(tm) {
        (4, 0)
    } else {
        (GEMM_BLOCK_ROWS as u32, 4)
    };
    let shader: &'static Shader = Box::leak(Box::new(Shader {
        name: leak(format!("{name} (TM {tm})")),
        constants: Box::leak(
            [("TM", tm as u32), ("A_STEP", a_step), ("A_LANE", a_lane)]
                .into_iter()
                .chain(extra.iter().copied())
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        parts: Box::leak(all.into_boxed_slice()),
    }));
    Kernel {
        shader,
        entry: "gemm_sg",
        params,
        bindings,
    }
}

/// A kernel built for each of [`TILE_ROWS`], in that order.
pub(crate) type Kernels = [LazyLock<Kernel>; TILE_ROWS.len()];

/// The kernel of `kernels` for a tile of `tm` rows (one of [`TILE_ROWS`]).
pub(crate) fn pick(kernels: &'static Kernels, tm: usize) -> &'static Kernel {
    let i = TILE_ROWS.iter().position(|&t| t == tm);
    &kernels[i.expect("a tile height of TILE_ROWS")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_rows_are_narrow_up_to_16_rows() {
        let got: Vec<usize> = [1, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65, 128, 500]
            .map(tile_rows)
            .to_vec();
        assert_eq!(got, [4, 4, 4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128, 128]);
        assert!(narrow(tile_rows(3)) && !narrow(tile_rows(17)));
        let plain: Vec<usize> = [3, 8, 9, 16, 17, 64].map(tile_rows_plain).to_vec();
        assert_eq!(plain, [4, 8, 32, 32, 32, 64]);
    }
}
