//! The CPU paths. The reference: the gather formula, one (n, c_out) output plane per task, visiting
//! only the taps that reach each output (see `taps.rs`).

use super::options::Geometry;
use super::phases::{PackedWeights, Phase, Placement};
use super::taps::AxisTaps;
use crate::error::Result;
use crate::ops::conv::plan::{Real, zeros};
use crate::parallel::{par_chunks, par_items};
use crate::tensor::zeroed;

/// `y = conv_transpose(x, weight, bias)` for the resolved geometry; `x` is `(N, C_in, *L_in)`.
pub(crate) fn forward<T: Real>(
    geo: &Geometry,
    x: &[T],
    weight: &[T],
    bias: Option<&[T]>,
) -> Result<Vec<T>> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    if geo.n * layer.c_out * geo.l_out.iter().product::<usize>() == 0 {
        return Ok(Vec::new());
    }
    let axes: [AxisTaps; 3] =
        std::array::from_fn(|a| AxisTaps::new(layer.k[a], layer.s[a], layer.p[a], layer.d[a]));
    // Per axis and output index: the (tap, input index) pairs, computed once.
    let taps = [0, 1, 2].map(|a| TapLists::new(&axes[a], geo.l_out[a], geo.l_in[a]));
    let [t0, t1, t2] = taps;
    let taps = [t0?, t1?, t2?];
    let [lz, ly, lx] = geo.l_in;
    let [oz, oy, ox] = geo.l_out;
    let [kz, ky, kx] = layer.k;
    let in_plane = lz * ly * lx;
    let k_plane = kz * ky * kx;
    let mut out = zeros::<T>(geo.n * layer.c_out * oz * oy * ox)?;
    par_chunks(&mut out, oz * oy * ox, |plane, y| {
        let (n, co) = (plane / layer.c_out, plane % layer.c_out);
        let (g, co_g) = (co / cog, co % cog);
        y.fill(bias.map_or(T::default(), |b| b[co]));
        for ci in g * cig..(g + 1) * cig {
            let xp = &x[(n * layer.c_in + ci) * in_plane..][..in_plane];
            let wp = &weight[(ci * cog + co_g) * k_plane..][..k_plane];
            for z in 0..oz {
                for &(tz, iz) in taps[0].at(z) {
                    for yy in 0..oy {
                        let row = &mut y[(z * oy + yy) * ox..][..ox];
                        for &(ty, iy) in taps[1].at(yy) {
                            let (iz, iy, tz, ty) =
                                (iz as usize, iy as usize, tz as usize, ty as usize);
                            let xrow = &xp[(iz * ly + iy) * lx..][..lx];
                            let wrow = &wp[(tz * ky + ty) * kx..][..kx];
                            for (xx, acc) in row.iter_mut().enumerate() {
                                for &(tx, ix) in taps[2].at(xx) {
                                    *acc += xrow[ix as usize] * wrow[tx as usize];
                                }
                            }
                        }
                    }
                }
            }
        }
    });
    Ok(out)
}

/// The (tap, input index) pairs of every output index along one axis, in one allocation
/// (fallible): offsets and pairs, as `u32` (sizes are below 2^30).
struct TapLists {
    offsets: Vec<u32>,
    pairs: Vec<(u32, u32)>,
}

impl TapLists {
    fn new(axis: &AxisTaps, l_out: usize, l_in: usize) -> Result<Self> {
        let count = |o| axis.taps(o, l_in).count();
        let total: usize = (0..l_out).map(count).sum();
        if total > u32::MAX as usize {
            return Err(crate::error::Error::LimitExceeded(format!(
                "{total} (output, tap) pairs along one axis exceed the CPU reference's 2^32"
            )));
        }
        let mut offsets = Vec::new();
        offsets
            .try_reserve_exact(l_out + 1)
            .map_err(|_| crate::tensor::alloc_error(l_out + 1))?;
        let mut pairs = Vec::new();
        pairs
            .try_reserve_exact(total)
            .map_err(|_| crate::tensor::alloc_error(2 * total))?;
        offsets.push(0);
        for o in 0..l_out {
            pairs.extend(axis.taps(o, l_in).map(|(t, i)| (t as u32, i as u32)));
            offsets.push(pairs.len() as u32);
        }
        Ok(TapLists { offsets, pairs })
    }

    fn at(&self, o: usize) -> &[(u32, u32)] {
        &self.pairs[self.offsets[o] as usize..self.offsets[o + 1] as usize]
    }
}

/// The fast CPU path for wide layers: per output phase and group, an im2col of the phase's
/// pixels and an SGEMM with the weights packed for that phase (`phases.rs`) that adds its result
/// straight into the phase's output positions. Zero taps are never formed. The work is cut into
/// bands of a phase's rows (and of a row's columns), run on all cores, each band's im2col small
/// enough to stay in cache: the scratch is bounded whatever the layer. Where the im2col would be
/// mostly zeros (a kernel much longer than the input: most taps of a phase read outside it), the
/// gather reference (`weight`) runs instead, which visits only the taps that reach the input.
pub(crate) fn forward_gemm(
    geo: &Geometry,
    x: &[f32],
    packed: &PackedWeights,
    weight: &[f32],
    bias: Option<&[f32]>,
) -> Result<Vec<f32>> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let in_plane: usize = geo.l_in.iter().product();
    let out_plane: usize = geo.l_out.iter().product();
    if geo.n * layer.c_out * out_plane == 0 {
        return Ok(Vec::new());
    }
    // Multiply-adds of the GEMMs against those that reach the input.
    let gemm: u128 = packed
        .phases
        .iter()
        .map(|ph| {
            let cnt = ph.placement(geo).cnt;
            ph.k as u128 * (cnt[0] * cnt[1] * cnt[2]) as u128
        })
        .sum::<u128>()
        * cog as u128;
    let useful: u128 = (0..3)
        .map(|a| {
            let axis = &packed.axes[a];
            (0..geo.l_out[a])
                .map(|o| axis.taps(o, geo.l_in[a]).count() as u128)
                .sum::<u128>()
        })
        .product::<u128>()
        * (cig * cog) as u128;
    if gemm > 8 * useful + (1 << 16) {
        return forward(geo, x, weight, bias);
    }
    let mut out = zeroed(geo.n * layer.c_out * out_plane)?;
    par_chunks(&mut out, out_plane.max(1), |plane, y| {
        y.fill(bias.map_or(0.0, |b| b[plane % layer.c_out]));
    });
    // Work items: (n, group, phase, first phase row, rows, first column, columns), a phase row
    // being one (jz, jy).
    let mut items = Vec::new();
    for (ph, place) in packed.phases.iter().map(|ph| (ph, ph.placement(geo))) {
        let (rows, cols) = (place.cnt[0] * place.cnt[1], place.cnt[2]);
        if rows * cols == 0 || ph.k == 0 {
            continue;
        }
        // About 64 Ki floats of im2col per band: whole rows where they fit, else columns of one.
        let band_cols = (IM2COL_BAND / ph.k).clamp(1, cols);
        let band = (IM2COL_BAND / (ph.k * band_cols)).clamp(1, rows);
        for n in 0..geo.n {
            for g in 0..layer.groups {
                for r0 in (0..rows).step_by(band) {
                    for c0 in (0..cols).step_by(band_cols) {
                        let (r, c) = (band.min(rows - r0), band_cols.min(cols - c0));
                        items.push((n, g, ph, place, r0, r, c0, c));
                    }
                }
            }
        }
    }
    let out_ptr = OutPtr(out.as_mut_ptr());
    let serial = out.len() < 1 << 14;
    par_items(
        items,
        serial,
        Vec::new,
        |b, (n, g, ph, place, r0, rows, c0, cols)| {
            let bp = rows * cols;
            // im2col: row kk = (ci, tz, ty, tx) holds, per band pixel, the input it reads.
            b.resize(ph.k * bp, 0.0);
            let xg = &x[(n * layer.c_in + g * cig) * in_plane..][..cig * in_plane];
            for (kk, row) in b.chunks_exact_mut(bp).enumerate() {
                im2col_row(geo, packed, ph, &place, xg, kk, r0, (c0, cols), row);
            }
            let a = &packed.packed[ph.w_offset + g * ph.kp * packed.mp..];
            let y0 = (n * layer.c_out + g * cog) * out_plane;
            for i in 0..rows {
                let (jz, jy) = ((r0 + i) / place.cnt[1], (r0 + i) % place.cnt[1]);
                let oz = place.o0[0] + jz * layer.s[0];
                let oy = place.o0[1] + jy * layer.s[1];
                let at =
                    y0 + (oz * geo.l_out[1] + oy) * geo.l_out[2] + place.o0[2] + c0 * layer.s[2];
                // SAFETY: A is cog × k read with strides (1, mp) inside this phase/group's kp × mp
                // block; B is k × cols with row stride bp inside `b`. C is cog × cols at `at` with
                // strides (out_plane, s[2]): output channel g·cog + m, the phase's positions c0 ..
                // c0 + cols in output row (oz, oy), all inside `out`. Each output position belongs
                // to one phase, row, column band and group, so no two items write the same element,
                // and nothing else reads or writes `out` meanwhile.
                unsafe {
                    matrixmultiply::sgemm(
                        cog,
                        ph.k,
                        cols,
                        1.0,
                        a.as_ptr(),
                        1,
                        packed.mp as isize,
                        b[i * cols..].as_ptr(),
                        bp as isize,
                        1,
                        1.0,
                        out_ptr.get().add(at),
                        out_plane as isize,
                        layer.s[2] as isize,
                    );
                }
            }
        },
    );
    Ok(out)
}

/// Floats of im2col per work item of [`forward_gemm`].
const IM2COL_BAND: usize = 1 << 16;

/// The output's base pointer, shared by the workers of [`forward_gemm`] (which write disjoint
/// elements through it).
#[derive(Clone, Copy)]
struct OutPtr(*mut f32);

// SAFETY: the pointer is only written through at disjoint elements, while the output is not
// otherwise borrowed (see `forward_gemm`).
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}

impl OutPtr {
    /// The pointer (a method, so that closures capture the whole `Sync` wrapper).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// Row `kk = (ci, tz, ty, tx)` of a phase's im2col, for the phase rows `(jz, jy)` from `r0` on
/// and their columns `jx` in `c0 .. c0 + cols`: for each phase pixel `(jz, jy, jx)` the input
/// `xg[ci, b0 + j - t·e]` (per axis), or 0 outside the input. Along x it is a shifted copy of an
/// input row.
#[allow(clippy::too_many_arguments)]
fn im2col_row(
    geo: &Geometry,
    packed: &PackedWeights,
    ph: &Phase,
    place: &Placement,
    xg: &[f32],
    kk: usize,
    r0: usize,
    (c0, cols): (usize, usize),
    row: &mut [f32],
) {
    let Placement { cnt, b0, .. } = *place;
    let [lz, ly, lx] = geo.l_in.map(|l| l as i64);
    let [ntz, nty, ntx] = ph.nt;
    let (tx, ty, tz, ci) = (
        kk % ntx,
        kk / ntx % nty,
        kk / (ntx * nty) % ntz,
        kk / (ntx * nty * ntz),
    );
    let xp = &xg[ci * (lz * ly * lx) as usize..][..(lz * ly * lx) as usize];
    // The first input index per axis (for j = 0), and along x the range of j inside the input.
    let first = |a: usize, t: usize| b0[a] - (t * packed.axes[a].e) as i64;
    // Column jx of the band (from c0) reads input x0 + jx along x.
    let (z0, y0, x0) = (first(0, tz), first(1, ty), first(2, tx) + c0 as i64);
    let jx_lo = (-x0).clamp(0, cols as i64) as usize;
    let jx_hi = (lx - x0).clamp(jx_lo as i64, cols as i64) as usize;
    for (jzy, seg) in (r0..).zip(row.chunks_exact_mut(cols)) {
        let (iz, iy) = (z0 + (jzy / cnt[1]) as i64, y0 + (jzy % cnt[1]) as i64);
        if !(0..lz).contains(&iz) || !(0..ly).contains(&iy) {
            seg.fill(0.0);
            continue;
        }
        seg[..jx_lo].fill(0.0);
        if jx_hi > jx_lo {
            // (Where the band lies wholly past the row's end, `start` would be too.)
            let start = ((iz * ly + iy) * lx + x0 + jx_lo as i64) as usize;
            seg[jx_lo..jx_hi].copy_from_slice(&xp[start..][..jx_hi - jx_lo]);
        }
        seg[jx_hi..].fill(0.0);
    }
}
