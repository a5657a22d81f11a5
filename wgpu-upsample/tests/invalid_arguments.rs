//! The invalid-argument grid: for every public op and entry point, one valid configuration is
//! taken and each argument is varied in turn over a list of bad values (zero, NaN, infinities,
//! huge values, `usize::MAX` and values whose products overflow, lists of the wrong length or of
//! length 0, the wrong rank, empty dimensions, output tensors of the wrong shape or in the input's
//! buffer), plus some pairs of bad values. Every entry point a bad call reaches (`output_shape`,
//! `forward_cpu`, `forward_gpu`, `encode_gpu` on an own encoder, `encode_gpu_timed`,
//! `gpu_kernels`, `gpu_memory_bytes`, `flops`, the backward ones, the constructors) runs inside
//! `catch_unwind` and must return `Err`: no panic, never `Ok`.
//!
//! What PyTorch (2.15) accepts is not invalid, however surprising (a batch of 0, `area` to an
//! output of size 0, `output_size` with N and C that differ from the input's): those calls are in
//! the `accepted` lists and must return `Ok` without panicking.
//!
//! A guarding global allocator refuses any single allocation of [`HUGE_ALLOCATION`] bytes or more
//! (a fallible one then fails, an infallible one aborts instead of taking the machine down), and
//! every check also asserts that no such allocation was even attempted: bad sizes must be
//! rejected before allocating.
//!
//! Each test asserts that its number of checked calls stays above a floor, so that the grid
//! cannot silently shrink. `INVALID_ARGUMENTS_TRACE=1` prints every call before it runs (to find
//! one that hangs or aborts).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use wgpu_upsample::{
    Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeKernel, ConvTransposeOptions,
    CopyKernel, GpuContext, GpuTensor, Op, PaddingMode, Result, Tensor, Upsample, UpsampleMode,
};

// ------------------------------------------------------------------------------------------------
// The allocation guard.

/// Single allocations of this many bytes or more are refused (and counted on the thread that
/// asked). Nothing in this file legitimately needs a quarter of this.
const HUGE_ALLOCATION: usize = 1 << 30;

thread_local! {
    static REFUSED: Cell<usize> = const { Cell::new(0) };
}

struct Guard;

fn refuse() -> *mut u8 {
    let _ = REFUSED.try_with(|r| r.set(r.get() + 1));
    std::ptr::null_mut()
}

// SAFETY: every request is forwarded to the system allocator unchanged, or refused with a null
// pointer (which the `GlobalAlloc` contract allows).
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= HUGE_ALLOCATION {
            return refuse();
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= HUGE_ALLOCATION {
            return refuse();
        }
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= HUGE_ALLOCATION {
            return refuse();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GUARD: Guard = Guard;

fn refused() -> usize {
    REFUSED.with(Cell::get)
}

// ------------------------------------------------------------------------------------------------
// The grid's bookkeeping.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// An invalid argument: `Err`.
    Err,
    /// Memory no machine has (a weight of 2^40 elements): `Err`, after a fallible attempt to
    /// allocate it if need be (as PyTorch attempts it).
    ErrOutOfMemory,
    /// Something PyTorch accepts: `Ok`.
    Ok,
    /// Either (e.g. a constructor PyTorch lets through where its forward fails): no panic.
    Any,
}

/// Counts and failures of one test's grid.
struct Grid {
    /// The test's name, in the printed counts.
    test: &'static str,
    ctx: &'static GpuContext,
    calls: BTreeMap<String, usize>,
    failures: Vec<String>,
    /// Host and GPU tensors of zeros by shape, made once.
    tensors: HashMap<Vec<usize>, (Tensor, GpuTensor)>,
}

/// Largest element count of a tensor the grid makes (bad shapes beyond it are only passed as
/// shapes).
const MAX_TENSOR: usize = 1 << 16;

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a non-string panic)".into())
}

impl Grid {
    fn new(test: &'static str) -> Self {
        Self {
            test,
            ctx: common::gpu(),
            calls: BTreeMap::new(),
            failures: Vec::new(),
            tensors: HashMap::new(),
        }
    }

    /// Runs one entry point; returns its value when it returned `Ok`.
    fn check<T: Debug>(
        &mut self,
        op: &str,
        case: &str,
        entry: &str,
        expect: Expect,
        f: impl FnOnce() -> Result<T>,
    ) -> Option<T> {
        *self.calls.entry(op.to_string()).or_default() += 1;
        let id = format!("{op} | {case} | {entry}");
        if std::env::var_os("INVALID_ARGUMENTS_TRACE").is_some() {
            eprintln!("{id}");
        }
        let before = refused();
        let got = catch_unwind(AssertUnwindSafe(f));
        let huge = refused() - before;
        if huge > 0 && expect == Expect::Err {
            self.failures.push(format!(
                "{id}: tried {huge} allocation(s) of {HUGE_ALLOCATION} bytes or more before \
                 rejecting the arguments"
            ));
        }
        match got {
            Err(p) => {
                self.failures
                    .push(format!("{id}: panicked: {}", panic_message(&*p)));
                None
            }
            Ok(Ok(v)) => {
                if matches!(expect, Expect::Err | Expect::ErrOutOfMemory) {
                    let shown = format!("{v:?}");
                    let shown: String = shown.chars().take(200).collect();
                    self.failures
                        .push(format!("{id}: Ok for an invalid argument: {shown}"));
                }
                Some(v)
            }
            Ok(Err(e)) => {
                if expect == Expect::Ok {
                    self.failures
                        .push(format!("{id}: Err for a call PyTorch accepts: {e}"));
                }
                None
            }
        }
    }

    fn err<T: Debug>(&mut self, op: &str, case: &str, entry: &str, f: impl FnOnce() -> Result<T>) {
        self.check(op, case, entry, Expect::Err, f);
    }

    /// A host tensor of zeros of `shape` and its GPU copy, when it is small enough to make.
    fn tensors(&mut self, shape: &[usize]) -> Option<(Tensor, GpuTensor)> {
        let numel = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .filter(|&n| n <= MAX_TENSOR)?;
        if !self.tensors.contains_key(shape) {
            let host = Tensor::new(shape, vec![0.0; numel]).expect("a small tensor");
            let gpu = self.ctx.upload(&host).expect("upload of a small tensor");
            self.tensors.insert(shape.to_vec(), (host, gpu));
        }
        self.tensors.get(shape).cloned()
    }

    /// A new GPU tensor of zeros of `shape`, when it is small enough to make.
    fn fresh(&mut self, shape: &[usize]) -> Option<GpuTensor> {
        let (host, _) = self.tensors(shape)?;
        Some(self.ctx.upload(&host).expect("upload of a small tensor"))
    }

    /// A GPU tensor of `shape` (small).
    fn gpu(&mut self, shape: &[usize]) -> GpuTensor {
        self.tensors(shape).expect("a small shape").1
    }

    /// Every entry point of `op` for an input of `shape` (the input tensors where the shape is
    /// small enough to make), each expecting `expect`. `out_shape`: the output tensor given to
    /// the encoders (the right one for a valid call, any for an invalid one).
    fn op_entries(
        &mut self,
        name: &str,
        case: &str,
        op: &dyn Op,
        shape: &[usize],
        out_shape: &[usize],
        expect: Expect,
    ) {
        let ctx = self.ctx;
        self.check(name, case, "output_shape", expect, || {
            op.output_shape(shape)
        });
        self.check(name, case, "gpu_kernels", expect, || {
            op.gpu_kernels(ctx, shape)
        });
        self.check(name, case, "gpu_memory_bytes", expect, || {
            op.gpu_memory_bytes(ctx, shape)
        });
        self.check(name, case, "flops", expect, || op.flops(shape));
        let Some((x, xg)) = self.tensors(shape) else {
            return;
        };
        let cpu = self.check(name, case, "forward_cpu", expect, || op.forward_cpu(&x));
        let gpu = self.check(name, case, "forward_gpu", expect, || {
            op.forward_gpu(ctx, &xg)
        });
        // A fresh output (never the input's buffer, which an op rightly refuses).
        if let Some(out) = self.fresh(out_shape) {
            self.check(name, case, "encode_gpu", expect, || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu(ctx, &mut encoder, &xg, &out)
            });
            self.check(name, case, "encode_gpu_timed", expect, || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu_timed(ctx, &mut encoder, &xg, &out, None)
            });
        }
        // An accepted call: the GPU result downloads and equals the CPU one (inputs are zeros:
        // outputs are zeros or the bias).
        if let (Some(cpu), Some(gpu)) = (cpu, gpu)
            && let Some(down) =
                self.check(name, case, "download", Expect::Ok, || ctx.download(&gpu))
        {
            if down.shape() != cpu.shape() {
                self.failures.push(format!(
                    "{name} | {case}: GPU output of shape {:?}, CPU output of shape {:?}",
                    down.shape(),
                    cpu.shape()
                ));
            } else if let Err(e) = common::check_close(down.data(), cpu.data(), 1e-5) {
                self.failures
                    .push(format!("{name} | {case}: GPU differs from CPU: {e}"));
            }
        }
    }

    /// The output tensor of a valid call replaced by bad ones: the wrong shapes, the input's own
    /// buffer (the same shape where the op keeps the shape, else a view of the right shape),
    /// another context's tensor.
    fn bad_outputs(&mut self, name: &str, case: &str, op: &dyn Op, input: &[usize]) {
        let ctx = self.ctx;
        let xg = self.gpu(input);
        let want = op.output_shape(input).expect("a valid base configuration");
        let mut wrong: Vec<Vec<usize>> = vec![vec![], vec![want.iter().product()]];
        for k in 0..want.len() {
            let mut s = want.clone();
            s[k] += 1;
            wrong.push(s.clone());
            s[k] -= 1;
            if s[k] > 0 {
                s[k] -= 1;
                wrong.push(s);
            }
        }
        let mut longer = want.clone();
        longer.push(1);
        wrong.push(longer);
        let mut front = want.clone();
        front.insert(0, 1);
        wrong.push(front);
        wrong.push(input.to_vec());
        for s in wrong {
            if s == want {
                continue;
            }
            let out = self.gpu(&s);
            let case = format!("{case}; output shape {s:?}");
            self.check(name, &case, "encode_gpu", Expect::Err, || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu(ctx, &mut encoder, &xg, &out)
            });
            self.check(name, &case, "encode_gpu_timed", Expect::Err, || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu_timed(ctx, &mut encoder, &xg, &out, None)
            });
        }
        // The input's buffer as the output: one buffer large enough for both, viewed twice.
        let n_in: usize = input.iter().product();
        let n_out: usize = want.iter().product();
        let big = ctx.empty(&[n_in.max(n_out)]).unwrap();
        let as_in = GpuTensor::from_buffer(ctx, big.buffer().clone(), input).unwrap();
        let as_out = GpuTensor::from_buffer(ctx, big.buffer().clone(), &want).unwrap();
        let case_same = format!("{case}; output in the input's buffer");
        self.check(name, &case_same, "encode_gpu", Expect::Err, || {
            let mut encoder = ctx.encoder("invalid-arguments grid");
            op.encode_gpu(ctx, &mut encoder, &as_in, &as_out)
        });
        if input == want.as_slice() {
            // The very same tensor as input and output.
            self.check(name, &case_same, "encode_gpu(x, x)", Expect::Err, || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu(ctx, &mut encoder, &xg, &xg)
            });
        }
        // Another context's tensors.
        let other = other_context();
        let foreign_out = other.empty(&want).unwrap();
        let foreign_in = other.empty(input).unwrap();
        let own_out = ctx.empty(&want).unwrap();
        let case_foreign = format!("{case}; another context's tensor");
        self.check(
            name,
            &case_foreign,
            "encode_gpu(output)",
            Expect::Err,
            || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu(ctx, &mut encoder, &xg, &foreign_out)
            },
        );
        self.check(
            name,
            &case_foreign,
            "encode_gpu(input)",
            Expect::Err,
            || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                op.encode_gpu(ctx, &mut encoder, &foreign_in, &own_out)
            },
        );
        self.check(name, &case_foreign, "forward_gpu", Expect::Err, || {
            op.forward_gpu(ctx, &foreign_in)
        });
    }

    /// Prints the counts, and fails on any failure or fewer calls than `floor`.
    fn finish(self, floor: usize) {
        let total: usize = self.calls.values().sum();
        for (op, n) in &self.calls {
            eprintln!(
                "invalid-argument grid ({}): {op}: {n} calls checked",
                self.test
            );
        }
        eprintln!(
            "invalid-argument grid ({}): {total} calls checked in all (floor {floor})",
            self.test
        );
        let mut problems = self.failures;
        if total < floor {
            problems.push(format!(
                "the grid checked {total} calls, fewer than its floor of {floor}"
            ));
        }
        if !problems.is_empty() {
            let shown: Vec<&String> = problems.iter().take(60).collect();
            panic!(
                "{} problem(s) in the invalid-argument grid (first {}):\n{}",
                problems.len(),
                shown.len(),
                shown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

/// A second context on the same adapter, whose tensors every op must refuse.
fn other_context() -> &'static GpuContext {
    static OTHER: OnceLock<GpuContext> = OnceLock::new();
    OTHER.get_or_init(|| common::device_with(wgpu::Features::empty(), |l| l))
}

/// `v` with element `k` replaced by `x`.
fn with(v: &[usize], k: usize, x: usize) -> Vec<usize> {
    let mut v = v.to_vec();
    v[k] = x;
    v
}

/// Shapes of the wrong rank and shapes whose element count overflows, for an op whose valid
/// input is `shape` (`ranks`: the ranks it accepts).
fn bad_shapes(shape: &[usize], ranks: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    for rank in 0..=7 {
        if ranks.contains(&rank) {
            continue;
        }
        let s: Vec<usize> = (0..rank)
            .map(|k| shape.get(k).copied().unwrap_or(3))
            .collect();
        out.push((format!("rank {rank} input {s:?}"), s));
    }
    let n = shape.len();
    for k in 2..n {
        out.push((format!("spatial axis {k} of size 0"), with(shape, k, 0)));
        out.push((
            format!("spatial axis {k} of size usize::MAX"),
            with(shape, k, usize::MAX),
        ));
        out.push((
            format!("spatial axis {k} of size 2^32"),
            with(shape, k, 1 << 32),
        ));
        out.push((
            format!("spatial axis {k} of size 2^40"),
            with(shape, k, 1 << 40),
        ));
    }
    out.push(("batch usize::MAX".into(), with(shape, 0, usize::MAX)));
    let mut both = with(shape, 0, 1 << 40);
    both[1] = 1 << 40;
    out.push(("batch and channels 2^40".into(), both));
    out.push(("every axis usize::MAX".into(), vec![usize::MAX; n]));
    out.push(("every axis 2^32 - 1".into(), vec![u32::MAX as usize; n]));
    out
}

// ------------------------------------------------------------------------------------------------
// Upsample and its backward.

const UPSAMPLE: &str = "Upsample";
const BACKWARD: &str = "UpsampleBackward";

fn ranks_of(mode: UpsampleMode) -> Vec<usize> {
    match mode.required_rank() {
        Some(r) => vec![r],
        None => vec![3, 4, 5],
    }
}

fn input_of_rank(rank: usize) -> Vec<usize> {
    match rank {
        3 => vec![1, 2, 5],
        4 => vec![1, 2, 5, 4],
        _ => vec![1, 2, 3, 5, 4],
    }
}

/// One valid Upsample per mode, rank and kind (by size, by scale factor).
fn upsample_bases() -> Vec<(String, Upsample, Vec<usize>)> {
    let mut out = Vec::new();
    for mode in UpsampleMode::ALL {
        for rank in ranks_of(mode) {
            for by_size in [true, false] {
                let mut up = if by_size {
                    Upsample::with_size([7], mode)
                } else {
                    Upsample::with_scale_factor([2.0], mode)
                };
                if mode == UpsampleMode::Lanczos {
                    up = up.antialias(true);
                }
                let label = format!(
                    "{mode} {rank}-D {}",
                    if by_size {
                        "size=[7]"
                    } else {
                        "scale_factor=[2.0]"
                    }
                );
                out.push((label, up, input_of_rank(rank)));
            }
        }
    }
    out
}

/// Lengths a per-axis list must not have for `dims` spatial axes (1 broadcasts).
fn wrong_lengths(dims: usize) -> Vec<usize> {
    [0, 2, 3, 4].into_iter().filter(|&n| n != dims).collect()
}

/// The bad variations of one valid Upsample (each one argument changed, and some pairs).
fn upsample_variations(up: &Upsample, rank: usize) -> Vec<(String, Upsample)> {
    let dims = rank - 2;
    let mode = up.mode;
    let area = mode == UpsampleMode::Area;
    let mut out: Vec<(String, Upsample)> = Vec::new();
    let mut push = |label: String, f: &dyn Fn(&mut Upsample)| {
        let mut v = up.clone();
        f(&mut v);
        out.push((label, v));
    };
    if up.size.is_some() {
        let mut sizes: Vec<Vec<usize>> = wrong_lengths(dims)
            .into_iter()
            .map(|n| vec![3; n])
            .collect();
        if !area {
            // Area pools to an output of size 0; every other mode needs sizes >= 1.
            sizes.push(vec![0]);
            sizes.push(vec![0; dims]);
            for k in 0..dims {
                sizes.push(with(&vec![3; dims], k, 0));
            }
        }
        sizes.push(vec![usize::MAX]);
        sizes.push(vec![1 << 32]);
        sizes.push(vec![1 << 40]);
        sizes.push(with(&vec![3; dims], dims - 1, usize::MAX));
        if dims >= 2 {
            // Addressable per axis, but the element count overflows.
            sizes.push(vec![1 << 31; dims]);
            sizes.push(vec![u32::MAX as usize; dims]);
        }
        for s in sizes {
            push(format!("size={s:?}"), &|u| u.size = Some(s.clone()));
        }
        push("size and scale_factor".into(), &|u| {
            u.scale_factor = Some(vec![2.0])
        });
        push("recompute_scale_factor=true with size".into(), &|u| {
            u.recompute_scale_factor = Some(true)
        });
        if !area {
            push("size=[0] and recompute_scale_factor=true".into(), &|u| {
                u.size = Some(vec![0]);
                u.recompute_scale_factor = Some(true);
            });
        }
    } else {
        let mut scales: Vec<Vec<f64>> = wrong_lengths(dims)
            .into_iter()
            .map(|n| vec![2.0; n])
            .collect();
        for s in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            f64::MAX,
            -f64::MAX,
            f64::MIN,
            -1.0,
            -2.0,
            -1e300,
            (1u64 << 32) as f64,
            1e10,
        ] {
            scales.push(vec![s]);
        }
        if !area {
            // A scale that floors to an output of 0: an error but for area.
            for s in [0.0, -0.0, 0.1, 1e-300, 5e-324, f64::MIN_POSITIVE, 0.19] {
                scales.push(vec![s]);
            }
        }
        if dims >= 2 {
            // Per axis: one bad, the others fine; and an element count that overflows.
            let mut nan = vec![2.0; dims];
            nan[dims - 1] = f64::NAN;
            scales.push(nan);
            let mut neg = vec![2.0; dims];
            neg[0] = -1.0;
            scales.push(neg);
            scales.push(vec![(1u64 << 29) as f64; dims]);
        }
        for s in scales {
            push(format!("scale_factor={s:?}"), &|u| {
                u.scale_factor = Some(s.clone())
            });
        }
        push("scale_factor and size".into(), &|u| u.size = Some(vec![3]));
        push("scale_factor=[NaN] and size".into(), &|u| {
            u.size = Some(vec![3]);
            u.scale_factor = Some(vec![f64::NAN]);
        });
    }
    push("neither size nor scale_factor".into(), &|u| {
        u.size = None;
        u.scale_factor = None;
    });
    if !mode.takes_align_corners() {
        for ac in [true, false] {
            push(format!("align_corners={ac}"), &|u| {
                u.align_corners = Some(ac)
            });
        }
    }
    if mode == UpsampleMode::Lanczos {
        push("align_corners=true".into(), &|u| {
            u.align_corners = Some(true)
        });
        push("antialias=false".into(), &|u| u.antialias = false);
        push("antialias=false, align_corners=true".into(), &|u| {
            u.antialias = false;
            u.align_corners = Some(true);
        });
    }
    let aa_mode = matches!(
        mode,
        UpsampleMode::Bilinear | UpsampleMode::Bicubic | UpsampleMode::Lanczos
    );
    if !aa_mode {
        push("antialias=true".into(), &|u| u.antialias = true);
        if !mode.takes_align_corners() {
            push("antialias=true, align_corners=true".into(), &|u| {
                u.antialias = true;
                u.align_corners = Some(true);
            });
        }
    }
    out
}

/// Bad input shapes for an Upsample of `mode` whose valid input is `shape`.
fn upsample_bad_shapes(mode: UpsampleMode, shape: &[usize]) -> Vec<(String, Vec<usize>)> {
    let ranks = ranks_of(mode);
    let mut out = bad_shapes(shape, &ranks);
    // The mode's other ranks (3-D to 5-D).
    for rank in 3..=5 {
        if !ranks.contains(&rank) {
            out.push((format!("{rank}-D input for {mode}"), input_of_rank(rank)));
        }
    }
    // No channels: an error but for area on 3-D and 4-D input.
    if !(mode == UpsampleMode::Area && shape.len() < 5) {
        out.push(("channels 0".into(), with(shape, 1, 0)));
    }
    out
}

/// Every Upsample entry point, and the backward ones, for a bad (options, input shape).
fn upsample_all_err(g: &mut Grid, case: &str, up: &Upsample, shape: &[usize]) {
    let ctx = g.ctx;
    g.op_entries(UPSAMPLE, case, up, shape, &[1, 2, 10, 8], Expect::Err);
    g.err(BACKWARD, case, "Upsample::backward", || up.backward(shape));
    let (gy, gy_gpu) = g.tensors(&[1, 2, 10, 8]).unwrap();
    g.err(BACKWARD, case, "backward_cpu", || {
        up.backward_cpu(shape, &gy)
    });
    g.err(BACKWARD, case, "backward_gpu", || {
        up.backward_gpu(ctx, shape, &gy_gpu)
    });
    if let Some((_, grad_input)) = g.tensors(shape) {
        g.err(BACKWARD, case, "encode_backward_gpu", || {
            let mut encoder = ctx.encoder("invalid-arguments grid");
            up.encode_backward_gpu(ctx, &mut encoder, &gy_gpu, &grad_input)
        });
    }
}

#[test]
fn upsample_invalid_arguments_are_errors() {
    let mut g = Grid::new("upsample");
    let ctx = g.ctx;
    for (base_label, up, shape) in upsample_bases() {
        // The base is valid: every entry point is Ok.
        g.op_entries(
            UPSAMPLE,
            &base_label,
            &up,
            &shape,
            &up.output_shape(&shape).unwrap(),
            Expect::Ok,
        );
        // One argument at a time (and some pairs).
        for (label, bad) in upsample_variations(&up, shape.len()) {
            upsample_all_err(&mut g, &format!("{base_label}; {label}"), &bad, &shape);
        }
        // The input shape.
        for (label, bad_shape) in upsample_bad_shapes(up.mode, &shape) {
            upsample_all_err(&mut g, &format!("{base_label}; {label}"), &up, &bad_shape);
        }
        // Pairs: a bad option and a bad input shape.
        let variations = upsample_variations(&up, shape.len());
        let shapes = upsample_bad_shapes(up.mode, &shape);
        for (i, (label, bad)) in variations.iter().enumerate().step_by(3) {
            let (shape_label, bad_shape) = &shapes[i % shapes.len()];
            upsample_all_err(
                &mut g,
                &format!("{base_label}; {label}; {shape_label}"),
                bad,
                bad_shape,
            );
        }
        // Bad output tensors of a valid call.
        g.bad_outputs(UPSAMPLE, &base_label, &up, &shape);
    }
    // The mode as PyTorch's string: unknown names.
    for name in [
        "",
        "Nearest",
        "bilinear ",
        "lanczos3",
        "cubic",
        "nearest_exact",
        "\0",
    ] {
        g.err(
            UPSAMPLE,
            &format!("mode={name:?}"),
            "UpsampleMode::from_str",
            || name.parse::<UpsampleMode>(),
        );
    }
    let _ = ctx;
    g.finish(16000);
}

#[test]
fn upsample_backward_invalid_arguments_are_errors() {
    let mut g = Grid::new("upsample_backward");
    let ctx = g.ctx;
    for (base_label, up, shape) in upsample_bases() {
        let back = up.backward(&shape).unwrap();
        let out = up.output_shape(&shape).unwrap();
        g.op_entries(BACKWARD, &base_label, &back, &out, &shape, Expect::Ok);
        // grad_output of a wrong shape.
        let mut bad: Vec<(String, Vec<usize>)> = bad_shapes(&out, &[out.len()]);
        for k in 0..out.len() {
            bad.push((
                format!("grad_output axis {k} + 1"),
                with(&out, k, out[k] + 1),
            ));
            bad.push((
                format!("grad_output axis {k} - 1"),
                with(&out, k, out[k] - 1),
            ));
        }
        bad.push(("grad_output of the input's shape".into(), shape.clone()));
        bad.push(("grad_output channels 0".into(), with(&out, 1, 0)));
        for (label, gshape) in bad {
            let case = format!("{base_label}; {label}");
            g.op_entries(BACKWARD, &case, &back, &gshape, &shape, Expect::Err);
            if let Some((gy, gy_gpu)) = g.tensors(&gshape) {
                let grad_input = g.gpu(&shape);
                g.err(BACKWARD, &case, "backward_cpu", || {
                    up.backward_cpu(&shape, &gy)
                });
                g.err(BACKWARD, &case, "backward_gpu", || {
                    up.backward_gpu(ctx, &shape, &gy_gpu)
                });
                g.err(BACKWARD, &case, "encode_backward_gpu", || {
                    let mut encoder = ctx.encoder("invalid-arguments grid");
                    up.encode_backward_gpu(ctx, &mut encoder, &gy_gpu, &grad_input)
                });
            }
        }
        // grad_input of a wrong shape (encode_backward_gpu takes the input shape from it). With
        // size=[7] another spatial input size has the same output: only N, C and the rank then.
        let by_scale = up.scale_factor.is_some();
        let mut bad_inputs: Vec<Vec<usize>> = vec![
            with(&shape, 0, 2),
            with(&shape, 1, 3),
            shape[1..].to_vec(),
            [shape.as_slice(), &[1]].concat(),
            vec![],
        ];
        if by_scale {
            for k in 2..shape.len() {
                bad_inputs.push(with(&shape, k, shape[k] + 1));
                bad_inputs.push(with(&shape, k, shape[k] - 1));
            }
        }
        let gy_gpu = g.gpu(&out);
        for s in bad_inputs {
            let grad_input = g.gpu(&s);
            let case = format!("{base_label}; grad_input of shape {s:?}");
            g.err(BACKWARD, &case, "encode_backward_gpu", || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                up.encode_backward_gpu(ctx, &mut encoder, &gy_gpu, &grad_input)
            });
        }
        // grad_input in grad_output's buffer.
        let n = out.iter().product::<usize>().max(shape.iter().product());
        let big = ctx.empty(&[n]).unwrap();
        let gy_view = GpuTensor::from_buffer(ctx, big.buffer().clone(), &out).unwrap();
        let gx_view = GpuTensor::from_buffer(ctx, big.buffer().clone(), &shape).unwrap();
        g.err(
            BACKWARD,
            &format!("{base_label}; grad_input in grad_output's buffer"),
            "encode_backward_gpu",
            || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                up.encode_backward_gpu(ctx, &mut encoder, &gy_view, &gx_view)
            },
        );
        g.bad_outputs(BACKWARD, &base_label, &back, &out);
    }
    g.finish(8000);
}

/// What PyTorch accepts, however surprising: Ok everywhere, no panic.
#[test]
fn upsample_calls_pytorch_accepts_are_ok() {
    let mut g = Grid::new("upsample_accepted");
    let ctx = g.ctx;
    let mut cases: Vec<(String, Upsample, Vec<usize>)> = Vec::new();
    for (label, up, shape) in upsample_bases() {
        // A batch of 0 (every mode).
        cases.push((format!("{label}; batch 0"), up.clone(), with(&shape, 0, 0)));
        // Scale 1 and the same size: identity.
        let mut same = up.clone();
        same.size = None;
        same.scale_factor = Some(vec![1.0]);
        cases.push((format!("{label}; scale_factor=[1.0]"), same, shape.clone()));
        if up.size.is_some() {
            cases.push((
                format!("{label}; recompute_scale_factor=false with size"),
                up.clone().recompute_scale_factor(false),
                shape.clone(),
            ));
        }
        if up.mode.takes_align_corners() && up.mode != UpsampleMode::Lanczos {
            cases.push((
                format!("{label}; align_corners=false"),
                up.clone().align_corners(false),
                shape.clone(),
            ));
        }
        if up.mode == UpsampleMode::Area {
            // torch 2.15: area pools to an output of size 0, also from a scale that floors to 0.
            let dims = shape.len() - 2;
            cases.push((
                format!("{label}; size=[0]"),
                Upsample::with_size([0], up.mode),
                shape.clone(),
            ));
            cases.push((
                format!("{label}; one output axis 0"),
                Upsample::with_size(with(&vec![3; dims], 0, 0), up.mode),
                shape.clone(),
            ));
            for s in [0.0, -0.0, 0.1, 1e-300] {
                cases.push((
                    format!("{label}; scale_factor=[{s:?}]"),
                    Upsample::with_scale_factor([s], up.mode),
                    shape.clone(),
                ));
            }
            if shape.len() < 5 {
                cases.push((
                    format!("{label}; channels 0"),
                    up.clone(),
                    with(&shape, 1, 0),
                ));
            }
        }
    }
    for (case, up, shape) in cases {
        let out = up.output_shape(&shape);
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                g.failures.push(format!(
                    "{UPSAMPLE} | {case}: Err for a call PyTorch accepts: {e}"
                ));
                continue;
            }
        };
        g.op_entries(UPSAMPLE, &case, &up, &shape, &out, Expect::Ok);
        let Some(back) = g.check(BACKWARD, &case, "Upsample::backward", Expect::Ok, || {
            up.backward(&shape)
        }) else {
            continue;
        };
        g.op_entries(BACKWARD, &case, &back, &out, &shape, Expect::Ok);
        let (gy, gy_gpu) = g.tensors(&out).unwrap();
        let grad_input = g.fresh(&shape).unwrap();
        g.check(BACKWARD, &case, "backward_cpu", Expect::Ok, || {
            up.backward_cpu(&shape, &gy)
        });
        g.check(BACKWARD, &case, "backward_gpu", Expect::Ok, || {
            up.backward_gpu(ctx, &shape, &gy_gpu)
        });
        g.check(BACKWARD, &case, "encode_backward_gpu", Expect::Ok, || {
            let mut encoder = ctx.encoder("invalid-arguments grid");
            up.encode_backward_gpu(ctx, &mut encoder, &gy_gpu, &grad_input)
        });
    }
    g.finish(2500);
}

// ------------------------------------------------------------------------------------------------
// ConvTranspose.

const CONV: &str = "ConvTranspose";

/// One valid layer per dimensionality, and its input.
fn conv_bases() -> Vec<(String, ConvTransposeOptions, Vec<usize>)> {
    vec![
        (
            "ConvTranspose1d(2, 4, 3, stride=2, padding=1)".into(),
            ConvTransposeOptions::new(1, 2, 4, [3])
                .stride([2])
                .padding([1]),
            vec![1, 2, 5],
        ),
        (
            "ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2)".into(),
            ConvTransposeOptions::new(2, 4, 6, [3, 2])
                .stride([2, 1])
                .padding([1, 0])
                .groups(2),
            vec![2, 4, 5, 4],
        ),
        (
            "ConvTranspose3d(2, 2, 2, stride=2, bias=False)".into(),
            ConvTransposeOptions::new(3, 2, 2, [2])
                .stride([2])
                .bias(false),
            vec![1, 2, 3, 3, 2],
        ),
    ]
}

/// When an option is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// At construction (PyTorch's `ValueError`s, the library's limits): `ConvTranspose::new`
    /// and `ConvTransposeOptions::weight_shape` are errors.
    Construction,
    /// The hyper-parameters are fine but the weights cannot exist (their element count
    /// overflows): `new` is an error, `weight_shape` may describe them.
    Weights,
    /// PyTorch builds the layer and its forward fails: `new` may succeed, every forward entry
    /// point is an error.
    Forward,
    /// As `Forward`, but a forward given `output_size` is fine (PyTorch then ignores the
    /// layer's `output_padding`).
    ForwardWithoutOutputSize,
}

/// The bad variations of one valid layer: (label, options, when refused, the input to use).
fn conv_variations(
    opts: &ConvTransposeOptions,
    input: &[usize],
) -> Vec<(String, ConvTransposeOptions, Refused, Vec<usize>)> {
    use Refused::*;
    let dims = opts.dims;
    let mut out = Vec::new();
    let mut push = |label: String, refused: Refused, f: &dyn Fn(&mut ConvTransposeOptions)| {
        let mut o = opts.clone();
        f(&mut o);
        // The input keeps up with the channel count where it can.
        let shape = if o.in_channels <= 64 {
            with(input, 1, o.in_channels)
        } else {
            input.to_vec()
        };
        out.push((label, o, refused, shape));
    };
    for d in [0, 4, 7, usize::MAX] {
        push(format!("dims={d}"), Construction, &|o| o.dims = d);
    }
    push("in_channels=0".into(), Forward, &|o| o.in_channels = 0);
    push("out_channels=0".into(), Forward, &|o| o.out_channels = 0);
    push("in_channels=0, out_channels=0".into(), Forward, &|o| {
        o.in_channels = 0;
        o.out_channels = 0;
    });
    for c in [usize::MAX, 1 << 30, 1 << 40] {
        push(format!("in_channels={c}"), Construction, &|o| {
            o.in_channels = c
        });
        push(format!("out_channels={c}"), Construction, &|o| {
            o.out_channels = c
        });
    }
    if opts.groups > 1 {
        push("in_channels=3 (groups=2)".into(), Construction, &|o| {
            o.in_channels = 3
        });
        push("out_channels=5 (groups=2)".into(), Construction, &|o| {
            o.out_channels = 5
        });
    }
    for g in [0, 3, 8, usize::MAX] {
        push(format!("groups={g}"), Construction, &|o| o.groups = g);
    }
    for mode in [
        PaddingMode::Reflect,
        PaddingMode::Replicate,
        PaddingMode::Circular,
    ] {
        push(format!("padding_mode={mode:?}"), Construction, &|o| {
            o.padding_mode = mode
        });
    }
    // Per-axis lists: of length 0 and of a wrong length (PyTorch builds such a layer; its
    // forward fails), zero where PyTorch needs >= 1, values beyond the library's limits.
    type Field = fn(&mut ConvTransposeOptions) -> &mut Vec<usize>;
    let fields: [(&str, Field); 5] = [
        ("kernel_size", |o| &mut o.kernel_size),
        ("stride", |o| &mut o.stride),
        ("padding", |o| &mut o.padding),
        ("output_padding", |o| &mut o.output_padding),
        ("dilation", |o| &mut o.dilation),
    ];
    for (name, field) in fields {
        push(format!("{name}=[]"), Forward, &|o| *field(o) = vec![]);
        push(format!("{name} of length {}", dims + 1), Forward, &|o| {
            *field(o) = vec![1; dims + 1]
        });
        for v in [usize::MAX, 1 << 30, (1 << 32) + 1, 1 << 62] {
            push(format!("{name}=[{v}]"), Construction, &|o| {
                *field(o) = vec![v]
            });
        }
        if dims >= 2 {
            push(
                format!("{name}: last axis usize::MAX"),
                Construction,
                &|o| {
                    let mut v = vec![1; dims];
                    v[dims - 1] = usize::MAX;
                    *field(o) = v;
                },
            );
        }
    }
    for name in ["kernel_size", "stride", "dilation"] {
        let field = fields.iter().find(|f| f.0 == name).unwrap().1;
        push(format!("{name}=[0]"), Forward, &|o| *field(o) = vec![0]);
        if dims >= 2 {
            push(format!("{name}: first axis 0"), Forward, &|o| {
                let mut v = vec![2; dims];
                v[0] = 0;
                *field(o) = v;
            });
        }
    }
    // Output padding not smaller than the stride or the dilation; padding leaving no output.
    push(
        "output_padding=[2] (stride <= 2, dilation 1)".into(),
        ForwardWithoutOutputSize,
        &|o| o.output_padding = vec![2],
    );
    push("padding=[100]".into(), Forward, &|o| o.padding = vec![100]);
    // dilation·(kernel_size - 1) of 2^30 and beyond; too many phases.
    push("dilation=[2^29] (kernel 3)".into(), Construction, &|o| {
        o.kernel_size = vec![3];
        o.dilation = vec![1 << 29];
    });
    push("stride=[4097]".into(), Construction, &|o| {
        o.stride = vec![4097]
    });
    if dims >= 2 {
        // Fine per axis, but the weight's element count overflows.
        push("kernel_size=[2^29]".into(), Weights, &|o| {
            o.kernel_size = vec![1 << 29]
        });
        push("kernel_size=[2^20]".into(), Weights, &|o| {
            o.kernel_size = vec![1 << 20]
        });
        // The same with a weight of no elements (no input channels, or no output channels).
        push("in_channels=0, kernel_size=[2^29]".into(), Forward, &|o| {
            o.in_channels = 0;
            o.kernel_size = vec![1 << 29];
        });
        push("out_channels=0, kernel_size=[2^29]".into(), Forward, &|o| {
            o.out_channels = 0;
            o.kernel_size = vec![1 << 29];
        });
    }
    // Pairs.
    push("stride=[0], dilation=[0]".into(), Forward, &|o| {
        o.stride = vec![0];
        o.dilation = vec![0];
    });
    push("kernel_size=[0], stride=[0]".into(), Forward, &|o| {
        o.kernel_size = vec![0];
        o.stride = vec![0];
    });
    push("kernel_size=[0], dilation=[0]".into(), Forward, &|o| {
        o.kernel_size = vec![0];
        o.dilation = vec![0];
    });
    push("stride=[0], output_padding=[1]".into(), Forward, &|o| {
        o.stride = vec![0];
        o.output_padding = vec![1];
    });
    push("dims=0, groups=0".into(), Construction, &|o| {
        o.dims = 0;
        o.groups = 0;
    });
    push(
        "groups=0, padding_mode=Reflect".into(),
        Construction,
        &|o| {
            o.groups = 0;
            o.padding_mode = PaddingMode::Reflect;
        },
    );
    push(
        "padding=[usize::MAX], output_padding=[usize::MAX]".into(),
        Construction,
        &|o| {
            o.padding = vec![usize::MAX];
            o.output_padding = vec![usize::MAX];
        },
    );
    push("stride=[], dilation=[0]".into(), Forward, &|o| {
        o.stride = vec![];
        o.dilation = vec![0];
    });
    out
}

/// Bad inputs for a valid layer whose valid input is `input`.
fn conv_bad_inputs(dims: usize, input: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut out = bad_shapes(input, &[dims + 1, dims + 2]);
    let c = input[1];
    for wrong in [0, 1, c - 1, c + 1, 2 * c] {
        if wrong == c {
            continue;
        }
        out.push((format!("channels {wrong}"), with(input, 1, wrong)));
        out.push((
            format!("unbatched, channels {wrong}"),
            with(&input[1..], 0, wrong),
        ));
    }
    out.push(("unbatched, spatial 0".into(), with(&input[1..], 1, 0)));
    out.push(("spatial 2^30".into(), with(input, 2, 1 << 30)));
    out.push(("batch 2^62".into(), with(input, 0, 1 << 62)));
    out
}

/// Bad `output_size`s for a valid layer on `input` (output spatial sizes `spatial`, `strides`).
fn conv_bad_output_sizes(dims: usize, input: &[usize], spatial: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![
        vec![],
        vec![0; dims],
        vec![usize::MAX; dims],
        vec![1 << 63; dims],
        vec![1 << 40; dims],
        vec![7; dims + 1],
        vec![7; dims + 3],
    ];
    for k in 0..dims {
        // Below the valid range (min is the layer's own size, output_padding 0 in the bases),
        // and far above it.
        if spatial[k] > 1 {
            out.push(with(spatial, k, spatial[k] - 1));
        }
        out.push(with(spatial, k, spatial[k] + 8));
    }
    // With N and C in front, the spatial part bad.
    out.push([&input[..2], &vec![0; dims][..]].concat());
    out.push([&input[..2], &with(spatial, 0, spatial[0] + 8)[..]].concat());
    out
}

/// Every forward entry point of a layer built from options it must refuse at forward time.
fn conv_forward_err(
    g: &mut Grid,
    case: &str,
    layer: &ConvTranspose,
    input: &[usize],
    out: &[usize],
    sized_expect: Expect,
) {
    g.op_entries(CONV, case, layer, input, out, Expect::Err);
    let spatial = &out[out.len() - layer.options().dims..];
    let sized = layer.with_output_size(Some(spatial));
    g.op_entries(
        CONV,
        &format!("{case}; output_size={spatial:?}"),
        &sized,
        input,
        out,
        sized_expect,
    );
    let plain = layer.with_output_size(None);
    g.op_entries(
        CONV,
        &format!("{case}; output_size=None"),
        &plain,
        input,
        out,
        Expect::Err,
    );
    for kernel in [ConvTransposeKernel::Direct, ConvTransposeKernel::Gemm] {
        let forced = layer.clone().with_kernel(kernel);
        g.op_entries(
            CONV,
            &format!("{case}; {kernel:?}"),
            &forced,
            input,
            out,
            Expect::Err,
        );
    }
}

#[test]
fn conv_transpose_invalid_arguments_are_errors() {
    let mut g = Grid::new("conv_transpose");
    for (base_label, opts, input) in conv_bases() {
        let dims = opts.dims;
        let layer = ConvTranspose::new(opts.clone(), 0).unwrap();
        let out = layer.output_shape(&input).unwrap();
        g.op_entries(CONV, &base_label, &layer, &input, &out, Expect::Ok);

        // The options, one at a time (and some pairs).
        for (label, bad, refused, shape) in conv_variations(&opts, &input) {
            let case = format!("{base_label}; {label}");
            let construct = match refused {
                Refused::Forward | Refused::ForwardWithoutOutputSize => Expect::Any,
                Refused::Weights => Expect::ErrOutOfMemory,
                Refused::Construction => Expect::Err,
            };
            let shape_expect = if refused == Refused::Construction {
                Expect::Err
            } else {
                Expect::Any
            };
            let weight_shape = g.check(
                CONV,
                &case,
                "ConvTransposeOptions::weight_shape",
                shape_expect,
                || bad.weight_shape(),
            );
            let made = g.check(CONV, &case, "ConvTranspose::new", construct, || {
                ConvTranspose::new(bad.clone(), 0)
            });
            // from_weights with a weight of the shape the options ask for, where it can be made.
            if let Some(ws) = weight_shape
                && let Some((w, _)) = g.tensors(&ws)
            {
                let bias = bad
                    .bias
                    .then(|| Tensor::zeros(&[bad.out_channels]))
                    .and_then(|b| b.ok());
                g.check(
                    CONV,
                    &case,
                    "ConvTranspose::from_weights",
                    construct,
                    || ConvTranspose::from_weights(bad.clone(), w.clone(), bias.clone()),
                );
            }
            if let Some(bad_layer) = made {
                let sized = if refused == Refused::ForwardWithoutOutputSize {
                    Expect::Ok
                } else {
                    Expect::Err
                };
                conv_forward_err(&mut g, &case, &bad_layer, &shape, &out, sized);
            }
        }

        // The input.
        for (label, shape) in conv_bad_inputs(dims, &input) {
            let case = format!("{base_label}; {label}");
            conv_forward_err(&mut g, &case, &layer, &shape, &out, Expect::Err);
        }

        // output_size (forward(output_size=...)).
        let spatial = out[out.len() - dims..].to_vec();
        for size in conv_bad_output_sizes(dims, &input, &spatial) {
            let sized = layer.with_output_size(Some(&size));
            let case = format!("{base_label}; output_size={size:?}");
            g.op_entries(CONV, &case, &sized, &input, &out, Expect::Err);
            // And with a bad input too.
            let bad_input = with(&input, 1, input[1] + 1);
            g.op_entries(
                CONV,
                &format!("{case}; channels + 1"),
                &sized,
                &bad_input,
                &out,
                Expect::Err,
            );
        }

        // Weights and bias that do not fit the options.
        let ws = opts.weight_shape().unwrap();
        let mut weights: Vec<Vec<usize>> = vec![
            vec![],
            ws[..ws.len() - 1].to_vec(),
            [&ws[..], &[1]].concat(),
        ];
        for k in 0..ws.len() {
            weights.push(with(&ws, k, ws[k] + 1));
            weights.push(with(&ws, k, ws[k] - 1));
            weights.push(with(&ws, k, 0));
        }
        let mut swapped = ws.clone();
        swapped.swap(0, 1);
        if swapped != ws {
            weights.push(swapped);
        }
        let bias_ok = opts
            .bias
            .then(|| Tensor::zeros(&[opts.out_channels]).unwrap());
        for w in weights {
            let (wt, _) = g.tensors(&w).unwrap();
            g.err(
                CONV,
                &format!("{base_label}; weight of shape {w:?}"),
                "ConvTranspose::from_weights",
                || ConvTranspose::from_weights(opts.clone(), wt.clone(), bias_ok.clone()),
            );
        }
        let wt = Tensor::zeros(&ws).unwrap();
        let c = opts.out_channels;
        let mut biases: Vec<Option<Vec<usize>>> = if opts.bias {
            vec![
                None,
                Some(vec![c + 1]),
                Some(vec![c - 1]),
                Some(vec![]),
                Some(vec![1, c]),
                Some(vec![c, 1]),
                Some(vec![0]),
            ]
        } else {
            vec![Some(vec![c]), Some(vec![0]), Some(vec![])]
        };
        biases.push(Some(vec![2 * c]));
        for b in biases {
            let bias = b.as_ref().map(|s| g.tensors(s).unwrap().0);
            g.err(
                CONV,
                &format!("{base_label}; bias of shape {b:?}"),
                "ConvTranspose::from_weights",
                || ConvTranspose::from_weights(opts.clone(), wt.clone(), bias.clone()),
            );
        }
        // A valid weight for invalid options.
        let mut bad = opts.clone();
        bad.groups = 0;
        g.err(
            CONV,
            &format!("{base_label}; groups=0 with a fitting weight"),
            "ConvTranspose::from_weights",
            || ConvTranspose::from_weights(bad.clone(), wt.clone(), bias_ok.clone()),
        );

        // Bad output tensors of a valid call, plain and with output_size.
        g.bad_outputs(CONV, &base_label, &layer, &input);
        let sized = layer.with_output_size(Some(&spatial));
        g.bad_outputs(
            CONV,
            &format!("{base_label}; output_size={spatial:?}"),
            &sized,
            &input,
        );
    }
    safetensors_grid(&mut g);
    g.finish(5000);
}

/// `ConvTranspose::from_safetensors_bytes` on files that are not safetensors, or whose tensors
/// do not fit.
fn safetensors_grid(g: &mut Grid) {
    const OP: &str = "ConvTranspose::from_safetensors";
    let opts = ConvTransposeOptions::new(1, 1, 1, [2]);
    let file = |header: &str, data: &[u8]| -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    };
    let f32s = |n: usize| vec![0u8; 4 * n];
    let weight = |dtype: &str, shape: &str, end: usize| {
        format!(r#""weight":{{"dtype":"{dtype}","shape":{shape},"data_offsets":[0,{end}]}}"#)
    };
    let bias = |start: usize, end: usize| {
        format!(r#""bias":{{"dtype":"F32","shape":[1],"data_offsets":[{start},{end}]}}"#)
    };
    let good_w = weight("F32", "[1,1,2]", 8);
    let good_b = bias(8, 12);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("no bytes".into(), vec![]),
        ("7 bytes".into(), vec![0; 7]),
        (
            "header length u64::MAX".into(),
            u64::MAX.to_le_bytes().to_vec(),
        ),
        (
            "header length 2^40".into(),
            [(1u64 << 40).to_le_bytes().as_slice(), b"{}"].concat(),
        ),
        (
            "header length beyond the file".into(),
            [100u64.to_le_bytes().as_slice(), b"{}"].concat(),
        ),
        (
            "header not UTF-8".into(),
            [2u64.to_le_bytes().as_slice(), &[0xff, 0xfe]].concat(),
        ),
        ("empty header".into(), file("", &[])),
        ("header an array".into(), file("[]", &[])),
        ("header not JSON".into(), file("{weight}", &[])),
        ("unterminated object".into(), file(r#"{"weight":{"#, &[])),
        ("unterminated string".into(), file(r#"{"weig"#, &[])),
        ("trailing characters".into(), file("{} x", &[])),
        ("nested 10000 deep".into(), file(&"[".repeat(10_000), &[])),
        ("no tensors".into(), file("{}", &[])),
        (
            "only metadata".into(),
            file(r#"{"__metadata__":{"format":"pt"}}"#, &[]),
        ),
        ("no bias".into(), file(&format!("{{{good_w}}}"), &f32s(2))),
        (
            "weight without dtype".into(),
            file(
                r#"{"weight":{"shape":[1,1,2],"data_offsets":[0,8]}}"#,
                &f32s(2),
            ),
        ),
        (
            "weight without shape".into(),
            file(
                r#"{"weight":{"dtype":"F32","data_offsets":[0,8]}}"#,
                &f32s(2),
            ),
        ),
        (
            "weight without offsets".into(),
            file(r#"{"weight":{"dtype":"F32","shape":[1,1,2]}}"#, &f32s(2)),
        ),
        (
            "dtype a number".into(),
            file(
                r#"{"weight":{"dtype":7,"shape":[1,1,2],"data_offsets":[0,8]}}"#,
                &f32s(2),
            ),
        ),
    ];
    for (label, w) in [
        ("shape negative", weight("F32", "[1,1,-2]", 8)),
        ("shape fractional", weight("F32", "[1,1,2.5]", 8)),
        ("shape a string", weight("F32", r#""[1,1,2]""#, 8)),
        (
            "shape overflowing",
            weight("F32", "[18446744073709551615,2]", 8),
        ),
        (
            "shape beyond usize",
            weight("F32", "[18446744073709551616]", 8),
        ),
        ("shape 2^62", weight("F32", "[4611686018427387904]", 8)),
        ("bytes short of the shape", weight("F32", "[1,1,3]", 8)),
        ("the wrong shape", weight("F32", "[1,2,1]", 8)),
        ("the wrong rank", weight("F32", "[2]", 8)),
        ("an integer dtype", weight("I32", "[1,1,2]", 8)),
        ("an unknown dtype", weight("F33", "[1,1,2]", 8)),
        (
            "an unknown dtype, a huge shape",
            weight("F33", "[1099511627776]", 8),
        ),
        (
            "an unknown dtype, shape usize::MAX",
            weight("F33", "[18446744073709551615,2]", 8),
        ),
        ("offsets beyond the data", weight("F32", "[1,1,2]", 800)),
    ] {
        cases.push((label.into(), file(&format!("{{{w},{good_b}}}"), &f32s(3))));
    }
    for (label, offsets) in [
        ("offsets reversed", "[8,0]"),
        ("offsets of one value", "[0]"),
        ("offsets of three values", "[0,4,8]"),
        ("offsets overflowing", "[0,18446744073709551616]"),
        ("offsets negative", "[-8,0]"),
    ] {
        let w = format!(r#""weight":{{"dtype":"F32","shape":[1,1,2],"data_offsets":{offsets}}}"#);
        cases.push((label.into(), file(&format!("{{{w},{good_b}}}"), &f32s(3))));
    }
    cases.push((
        "bias of the wrong shape".into(),
        file(
            &format!(
                "{{{good_w},{}}}",
                r#""bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}"#
            ),
            &f32s(4),
        ),
    ));
    // The file is fine; the prefix names no tensor.
    let good = file(&format!("{{{good_w},{good_b}}}"), &f32s(3));
    g.check(
        OP,
        "a valid file",
        "from_safetensors_bytes",
        Expect::Ok,
        || ConvTranspose::from_safetensors_bytes(opts.clone(), &good, ""),
    );
    g.err(
        OP,
        "prefix naming no tensor",
        "from_safetensors_bytes",
        || ConvTranspose::from_safetensors_bytes(opts.clone(), &good, "decoder."),
    );
    // The options are bad, the file fine.
    let mut bad = opts.clone();
    bad.groups = 0;
    g.err(OP, "groups=0", "from_safetensors_bytes", || {
        ConvTranspose::from_safetensors_bytes(bad.clone(), &good, "")
    });
    for (label, bytes) in cases {
        g.err(OP, &label, "from_safetensors_bytes", || {
            ConvTranspose::from_safetensors_bytes(opts.clone(), &bytes, "")
        });
    }
    g.err(OP, "no such file", "from_safetensors", || {
        ConvTranspose::from_safetensors(
            opts.clone(),
            "/nonexistent/invalid-arguments.safetensors",
            "",
        )
    });
    g.err(OP, "a directory", "from_safetensors", || {
        ConvTranspose::from_safetensors(opts.clone(), env!("CARGO_MANIFEST_DIR"), "")
    });
}

/// What PyTorch accepts of ConvTranspose, however surprising: Ok everywhere, no panic.
#[test]
fn conv_transpose_calls_pytorch_accepts_are_ok() {
    let mut g = Grid::new("conv_transpose_accepted");
    for (base_label, opts, input) in conv_bases() {
        let dims = opts.dims;
        let layer = ConvTranspose::new(opts.clone(), 0).unwrap();
        let out = layer.output_shape(&input).unwrap();
        let spatial = out[out.len() - dims..].to_vec();
        // A batch of 0; unbatched input.
        let zero = with(&input, 0, 0);
        g.op_entries(
            CONV,
            &format!("{base_label}; batch 0"),
            &layer,
            &zero,
            &with(&out, 0, 0),
            Expect::Ok,
        );
        g.op_entries(
            CONV,
            &format!("{base_label}; unbatched"),
            &layer,
            &input[1..],
            &out[1..],
            Expect::Ok,
        );
        // output_size with N and C in front that are not the input's (PyTorch ignores them), and
        // at the top of the valid range.
        let prefixed = [&[99, 99][..], &spatial[..]].concat();
        let sized = layer.with_output_size(Some(&prefixed));
        g.op_entries(
            CONV,
            &format!("{base_label}; output_size={prefixed:?}"),
            &sized,
            &input,
            &out,
            Expect::Ok,
        );
        let top: Vec<usize> = spatial
            .iter()
            .zip(opts.stride.iter().cycle())
            .map(|(&s, &st)| s + st - 1)
            .collect();
        let sized = layer.with_output_size(Some(&top));
        let top_out = [&out[..2], &top[..]].concat();
        g.op_entries(
            CONV,
            &format!("{base_label}; output_size={top:?}"),
            &sized,
            &input,
            &top_out,
            Expect::Ok,
        );
    }
    // output_padding >= stride is fine while it is below the dilation.
    let opts = ConvTransposeOptions::new(1, 2, 4, [3])
        .dilation([3])
        .output_padding([2]);
    let layer = ConvTranspose::new(opts, 0).unwrap();
    g.op_entries(
        CONV,
        "ConvTranspose1d(2, 4, 3, dilation=3, output_padding=2)",
        &layer,
        &[1, 2, 5],
        &[1, 4, 13],
        Expect::Ok,
    );
    g.finish(110);
}

// ------------------------------------------------------------------------------------------------
// CopyKernel.

#[test]
fn copy_kernel_invalid_arguments_are_errors() {
    const COPY: &str = "CopyKernel";
    let mut g = Grid::new("copy");
    let op = CopyKernel;
    g.op_entries(COPY, "shape [2, 4]", &op, &[2, 4], &[2, 4], Expect::Ok);
    for shape in [
        vec![],
        vec![1],
        vec![3],
        vec![1, 1, 3],
        vec![5, 3],
        vec![7, 1, 1, 1, 1, 1, 1],
        vec![usize::MAX],
        vec![usize::MAX, 2],
        vec![1 << 62],
        vec![2, 1 << 62],
        vec![1 << 31, 1 << 31],
        vec![1 << 32, 1 << 32],
        vec![u32::MAX as usize; 3],
    ] {
        g.op_entries(
            COPY,
            &format!("shape {shape:?}"),
            &op,
            &shape,
            &[2, 4],
            Expect::Err,
        );
    }
    g.bad_outputs(COPY, "shape [2, 4]", &op, &[2, 4]);
    // Nothing to copy is fine.
    for shape in [vec![0], vec![0, 3], vec![4, 0, 7]] {
        g.op_entries(
            COPY,
            &format!("shape {shape:?}"),
            &op,
            &shape,
            &shape,
            Expect::Ok,
        );
    }
    g.finish(130);
}

// ------------------------------------------------------------------------------------------------
// Tensor, GpuContext, GpuTensor.

#[test]
fn tensors_and_buffers_invalid_arguments_are_errors() {
    const TENSOR: &str = "Tensor";
    const CONTEXT: &str = "GpuContext";
    const GPU_TENSOR: &str = "GpuTensor";
    let mut g = Grid::new("tensors");
    let ctx = g.ctx;

    // Tensor::new with data that does not fit the shape; shapes whose element count overflows.
    for (shape, len) in [
        (vec![2, 3], 5),
        (vec![2, 3], 7),
        (vec![2, 3], 0),
        (vec![], 0),
        (vec![], 2),
        (vec![0], 1),
        (vec![4, 0], 4),
        (vec![4], 0),
        (vec![usize::MAX, 2], 0),
        (vec![usize::MAX, 2], 2),
        (vec![1 << 62], 0),
        (vec![1 << 31, 1 << 31], 0),
        (vec![1 << 32, 1 << 32], 0),
        (vec![usize::MAX], 1),
    ] {
        let case = format!("shape {shape:?}, {len} elements");
        g.err(TENSOR, &case, "Tensor::new", || {
            Tensor::new(&shape, vec![0.0; len])
        });
    }
    for shape in [
        vec![usize::MAX, 2],
        vec![1 << 62],
        vec![1 << 31, 1 << 31],
        vec![2, usize::MAX],
        vec![1 << 32, 1 << 32],
    ] {
        let case = format!("shape {shape:?}");
        g.err(TENSOR, &case, "Tensor::zeros", || Tensor::zeros(&shape));
        g.err(TENSOR, &case, "Tensor::from_fn", || {
            Tensor::from_fn(&shape, |i| i as f32)
        });
    }
    // Addressable, but more memory than any machine has: an error (the allocation is tried, as
    // PyTorch tries it).
    for shape in [vec![1usize << 40], vec![1 << 20, 1 << 20, 1 << 10]] {
        let case = format!("shape {shape:?}");
        g.check(
            TENSOR,
            &case,
            "Tensor::zeros",
            Expect::ErrOutOfMemory,
            || Tensor::zeros(&shape),
        );
        g.check(
            TENSOR,
            &case,
            "Tensor::from_fn",
            Expect::ErrOutOfMemory,
            || Tensor::from_fn(&shape, |_| 0.0),
        );
    }
    let t = Tensor::zeros(&[2, 3]).unwrap();
    for shape in [
        vec![5],
        vec![7],
        vec![],
        vec![0],
        vec![2, 3, 2],
        vec![usize::MAX, 2],
        vec![1 << 62],
        vec![6, usize::MAX],
    ] {
        g.err(
            TENSOR,
            &format!("[2, 3] to {shape:?}"),
            "Tensor::reshape",
            || t.clone().reshape(&shape),
        );
    }
    for shape in [vec![3, 2], vec![6], vec![2, 3, 1], vec![], vec![0]] {
        let other = Tensor::zeros(&shape).unwrap();
        g.err(
            TENSOR,
            &format!("[2, 3] and {shape:?}"),
            "Tensor::max_abs_diff",
            || t.max_abs_diff(&other),
        );
    }

    // GpuContext::empty: shapes no buffer can hold.
    let max = ctx.limits().max_buffer_size;
    eprintln!("max_buffer_size of {}: {max}", ctx.describe());
    let over = usize::try_from(max / 4 + 1).unwrap_or(usize::MAX);
    for shape in [
        vec![usize::MAX],
        vec![usize::MAX, 2],
        vec![1 << 62],
        vec![1 << 31, 1 << 31],
        vec![over],
        vec![over, 1, 1],
        vec![1 << 61],
    ] {
        g.err(
            CONTEXT,
            &format!("shape {shape:?}"),
            "GpuContext::empty",
            || ctx.empty(&shape),
        );
    }
    // write: another element count, another context's tensor, a buffer without COPY_DST.
    let dst = ctx.empty(&[4, 4]).unwrap();
    for shape in [
        vec![3, 5],
        vec![17],
        vec![15],
        vec![0],
        vec![],
        vec![4, 4, 2],
    ] {
        let src = Tensor::zeros(&shape).unwrap();
        g.err(
            CONTEXT,
            &format!("[4, 4] from {shape:?}"),
            "GpuContext::write",
            || ctx.write(&dst, &src),
        );
    }
    let other = other_context();
    let foreign = other.empty(&[4, 4]).unwrap();
    let src = Tensor::zeros(&[4, 4]).unwrap();
    g.err(
        CONTEXT,
        "another context's tensor",
        "GpuContext::write",
        || ctx.write(&foreign, &src),
    );
    g.err(
        CONTEXT,
        "another context's tensor",
        "GpuContext::download",
        || ctx.download(&foreign),
    );
    g.err(
        CONTEXT,
        "another context's tensor",
        "GpuContext::download_async",
        || {
            let pending = ctx.download_async(&foreign);
            ctx.wait()?;
            pollster::block_on(pending)
        },
    );
    let buffer = |usage: wgpu::BufferUsages, size: u64| {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("invalid-arguments grid"),
            size,
            usage,
            mapped_at_creation: false,
        })
    };
    use wgpu::BufferUsages as U;
    let storage_only = GpuTensor::from_buffer(ctx, buffer(U::STORAGE, 64), &[4, 4]).unwrap();
    g.err(
        CONTEXT,
        "a buffer without COPY_DST",
        "GpuContext::write",
        || ctx.write(&storage_only, &src),
    );
    g.err(
        CONTEXT,
        "a buffer without COPY_SRC",
        "GpuContext::download",
        || ctx.download(&storage_only),
    );
    g.err(
        CONTEXT,
        "a buffer without COPY_SRC",
        "GpuContext::download_async",
        || {
            let pending = ctx.download_async(&storage_only);
            ctx.wait()?;
            pollster::block_on(pending)
        },
    );
    let destroyed = ctx.empty(&[4, 4]).unwrap();
    destroyed.buffer().destroy();
    g.err(
        CONTEXT,
        "a destroyed buffer",
        "GpuContext::download",
        || ctx.download(&destroyed),
    );
    g.err(CONTEXT, "a destroyed buffer", "GpuContext::write", || {
        ctx.write(&destroyed, &src)
    });
    // Every op's forward_gpu on a destroyed input.
    let x = ctx.empty(&[1, 2, 4, 4]).unwrap();
    x.buffer().destroy();
    let up = Upsample::with_scale_factor([2.0], UpsampleMode::Bilinear);
    g.err(
        CONTEXT,
        "a destroyed input",
        "Upsample::forward_gpu",
        || up.forward_gpu(ctx, &x),
    );
    g.err(
        CONTEXT,
        "a destroyed input",
        "Upsample::backward_gpu",
        || up.backward_gpu(ctx, &[1, 2, 2, 2], &x),
    );
    g.err(
        CONTEXT,
        "a destroyed input",
        "CopyKernel::forward_gpu",
        || CopyKernel.forward_gpu(ctx, &x),
    );
    let layer = ConvTranspose::new(ConvTransposeOptions::new(2, 2, 2, [2]), 0).unwrap();
    g.err(
        CONTEXT,
        "a destroyed input",
        "ConvTranspose::forward_gpu",
        || layer.forward_gpu(ctx, &x),
    );

    // GpuTensor::from_buffer: without STORAGE, too small, shapes that overflow.
    for usage in [
        U::UNIFORM,
        U::MAP_READ | U::COPY_DST,
        U::MAP_WRITE | U::COPY_SRC,
        U::COPY_SRC | U::COPY_DST,
        U::VERTEX | U::INDEX,
        U::UNIFORM | U::COPY_SRC | U::COPY_DST,
    ] {
        let b = buffer(usage, 64);
        g.err(
            GPU_TENSOR,
            &format!("usage {usage:?}"),
            "GpuTensor::from_buffer",
            || GpuTensor::from_buffer(ctx, b.clone(), &[4, 4]),
        );
    }
    for (size, shape) in [
        (60, vec![4, 4]),
        (64, vec![17]),
        (64, vec![5, 4]),
        (0, vec![1]),
        (4, vec![2]),
        (64, vec![usize::MAX]),
        (64, vec![usize::MAX, 2]),
        (64, vec![1 << 62]),
        (64, vec![1 << 61]),
        (64, vec![1 << 31, 1 << 31]),
        (64, vec![1 << 32, 1 << 32, 1 << 32]),
    ] {
        let b = buffer(U::STORAGE, size);
        g.err(
            GPU_TENSOR,
            &format!("{size} bytes as {shape:?}"),
            "GpuTensor::from_buffer",
            || GpuTensor::from_buffer(ctx, b.clone(), &shape),
        );
    }
    let t = ctx.empty(&[2, 3]).unwrap();
    for shape in [
        vec![5],
        vec![7],
        vec![],
        vec![0],
        vec![usize::MAX, 2],
        vec![1 << 62],
        vec![6, usize::MAX],
    ] {
        g.err(
            GPU_TENSOR,
            &format!("[2, 3] to {shape:?}"),
            "GpuTensor::reshape",
            || t.reshape(&shape),
        );
    }
    g.finish(90);
}

// ------------------------------------------------------------------------------------------------
// Conv, and the backward of both convolutions.

/// Conv: the options one at a time (construction or forward must refuse them), bad inputs and
/// outputs of a valid layer, its backward (grad_output of a wrong shape, bad outputs) and the
/// parameter gradients of both convolutions with bad tensors.
#[test]
fn conv_and_conv_backward_invalid_arguments_are_errors() {
    const CONV: &str = "Conv";
    const BACKWARD: &str = "ConvBackward";
    const GRADS: &str = "encode_grad_params";
    let mut g = Grid::new("conv");
    let ctx = g.ctx;
    let bases = [
        (
            ConvOptions::new(1, 2, 4, [3]).padding(ConvPadding::Same),
            vec![2, 2, 9],
        ),
        (
            ConvOptions::new(2, 4, 6, [3, 2])
                .stride([2, 1])
                .padding_explicit([1, 0])
                .groups(2),
            vec![2, 4, 7, 6],
        ),
        (
            ConvOptions::new(3, 2, 2, [2]).bias(false),
            vec![1, 2, 3, 4, 3],
        ),
    ];
    for (opts, input) in bases {
        let dims = opts.dims;
        let base = format!("{opts:?} on {input:?}");
        let layer = Conv::new(opts.clone(), 0).unwrap();
        let out = layer.output_shape(&input).unwrap();
        g.op_entries(CONV, &base, &layer, &input, &out, Expect::Ok);
        g.bad_outputs(CONV, &base, &layer, &input);

        // The options, one at a time.
        let mut variations: Vec<(String, ConvOptions)> = Vec::new();
        let mut push = |label: &str, f: &dyn Fn(&mut ConvOptions)| {
            let mut o = opts.clone();
            f(&mut o);
            variations.push((label.to_string(), o));
        };
        for d in [0, 4, usize::MAX] {
            push(&format!("dims={d}"), &|o| o.dims = d);
        }
        for c in [0, 1 << 30, usize::MAX] {
            push(&format!("in_channels={c}"), &|o| o.in_channels = c);
            push(&format!("out_channels={c}"), &|o| o.out_channels = c);
        }
        for gr in [0, 3, 8, usize::MAX] {
            push(&format!("groups={gr}"), &|o| o.groups = gr);
        }
        for mode in [
            PaddingMode::Reflect,
            PaddingMode::Replicate,
            PaddingMode::Circular,
        ] {
            push(&format!("padding_mode={mode:?}"), &|o| {
                o.padding_mode = mode
            });
        }
        type Field = fn(&mut ConvOptions) -> &mut Vec<usize>;
        let fields: [(&str, Field); 3] = [
            ("kernel_size", |o| &mut o.kernel_size),
            ("stride", |o| &mut o.stride),
            ("dilation", |o| &mut o.dilation),
        ];
        for (name, field) in fields {
            push(&format!("{name}=[]"), &|o| *field(o) = vec![]);
            push(&format!("{name} of length {}", dims + 1), &|o| {
                *field(o) = vec![1; dims + 1]
            });
            for v in [0, 1 << 30, usize::MAX] {
                push(&format!("{name}=[{v}]"), &|o| *field(o) = vec![v]);
            }
        }
        for p in [vec![], vec![1; dims + 1], vec![1 << 30], vec![usize::MAX]] {
            push(&format!("padding={p:?}"), &|o| {
                o.padding = ConvPadding::Explicit(p.clone())
            });
        }
        push("padding='same' with stride 2", &|o| {
            o.padding = ConvPadding::Same;
            o.stride = vec![2];
        });
        push("kernel larger than the padded input", &|o| {
            o.kernel_size = vec![40];
            o.padding = ConvPadding::Valid;
        });
        for (label, bad) in variations {
            let case = format!("{base}; {label}");
            // Refused at construction or, if built, by every forward entry point.
            if let Some(made) = g.check(CONV, &case, "Conv::new", Expect::Any, || {
                Conv::new(bad.clone(), 0)
            }) {
                let shape = if bad.in_channels <= 64 {
                    with(&input, 1, bad.in_channels)
                } else {
                    input.clone()
                };
                g.op_entries(CONV, &case, &made, &shape, &out, Expect::Err);
                g.check(CONV, &case, "Conv::backward", Expect::Err, || {
                    made.backward(&shape).map(|_| ())
                });
            }
        }

        // Bad inputs of the valid layer, forward and backward.
        for (label, shape) in conv_bad_inputs(dims, &input) {
            let case = format!("{base}; input {label}");
            g.op_entries(CONV, &case, &layer, &shape, &out, Expect::Err);
            g.check(CONV, &case, "Conv::backward", Expect::Err, || {
                layer.backward(&shape).map(|_| ())
            });
        }

        // The backward op: grad_output of a wrong shape, bad outputs.
        let back = layer.backward(&input).unwrap();
        g.op_entries(BACKWARD, &base, &back, &out, &input, Expect::Ok);
        for (label, shape) in bad_shapes(&out, &[dims + 1, dims + 2]) {
            let case = format!("{base}; grad_output {label}");
            g.op_entries(BACKWARD, &case, &back, &shape, &input, Expect::Err);
        }
        g.bad_outputs(BACKWARD, &base, &back, &out);

        // Parameter gradients with bad tensors.
        let (x, gy) = (g.gpu(&input), g.gpu(&out));
        let w_shape = layer.weight().shape().to_vec();
        let gw = g.fresh(&w_shape).unwrap();
        let gb = g.fresh(&[opts.out_channels]).unwrap();
        let with_bias = opts.bias;
        let bias_ok = with_bias.then_some(&gb);
        let other = other_context();
        let foreign = other.empty(&w_shape).unwrap();
        let bad_w = g.fresh(&[w_shape.iter().product::<usize>() + 1]).unwrap();
        let bad_b = g.fresh(&[opts.out_channels + 1]).unwrap();
        let bad_x = g.gpu(&with(&input, 0, input[0] + 1));
        let bad_gy = g.gpu(&with(&out, 0, out[0] + 1));
        let cases: Vec<(&str, &GpuTensor, &GpuTensor, &GpuTensor, Option<&GpuTensor>)> = vec![
            ("grad_weight of a wrong shape", &x, &gy, &bad_w, bias_ok),
            ("grad_weight of another context", &x, &gy, &foreign, bias_ok),
            ("grad_weight given the input tensor", &x, &gy, &x, bias_ok),
            ("grad_bias of a wrong shape", &x, &gy, &gw, Some(&bad_b)),
            ("grad_bias in grad_weight's buffer", &x, &gy, &gw, Some(&gw)),
            ("input of another batch", &bad_x, &gy, &gw, bias_ok),
            ("grad_output of another batch", &x, &bad_gy, &gw, bias_ok),
            (
                "a grad_bias missing or extra",
                &x,
                &gy,
                &gw,
                if with_bias { None } else { Some(&gb) },
            ),
        ];
        for (label, x, gy, w, b) in cases {
            let case = format!("{base}; {label}");
            g.err(GRADS, &case, "Conv::encode_grad_params", || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                layer.encode_grad_params(ctx, &mut encoder, x, gy, w, b, false)
            });
        }
        g.check(
            GRADS,
            &base,
            "Conv::encode_grad_params (valid)",
            Expect::Ok,
            || {
                let mut encoder = ctx.encoder("invalid-arguments grid");
                layer.encode_grad_params(ctx, &mut encoder, &x, &gy, &gw, bias_ok, true)
            },
        );
    }

    // ConvTranspose's backward and parameter gradients.
    let t = ConvTranspose::new(ConvTransposeOptions::new(2, 4, 2, [3]).stride([2]), 0).unwrap();
    let input = vec![1, 4, 5, 5];
    let out = t.output_shape(&input).unwrap();
    let back = t.backward(&input).unwrap();
    g.op_entries(
        "ConvTransposeBackward",
        "base",
        &back,
        &out,
        &input,
        Expect::Ok,
    );
    for (label, shape) in bad_shapes(&out, &[3, 4]) {
        g.op_entries(
            "ConvTransposeBackward",
            &label,
            &back,
            &shape,
            &input,
            Expect::Err,
        );
    }
    g.bad_outputs("ConvTransposeBackward", "base", &back, &out);
    for (label, shape) in conv_bad_inputs(2, &input) {
        g.check(
            "ConvTransposeBackward",
            &label,
            "ConvTranspose::backward",
            Expect::Err,
            || t.backward(&shape).map(|_| ()),
        );
    }
    let (x, gy) = (g.gpu(&input), g.gpu(&out));
    let gw = g.fresh(t.weight().shape()).unwrap();
    let gb = g.fresh(&[2]).unwrap();
    let bad = g.fresh(&[5]).unwrap();
    for (label, w, b) in [
        ("grad_weight of a wrong shape", &bad, Some(&gb)),
        ("grad_bias missing", &gw, None),
        ("grad_bias of a wrong shape", &gw, Some(&bad)),
        ("grad_weight given the grad_output tensor", &gy, Some(&gb)),
    ] {
        g.err(GRADS, label, "ConvTranspose::encode_grad_params", || {
            let mut encoder = ctx.encoder("invalid-arguments grid");
            t.encode_grad_params(ctx, &mut encoder, &x, &gy, w, b, false)
        });
    }
    g.finish(1500);
}
