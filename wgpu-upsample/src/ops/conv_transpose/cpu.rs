//! The CPU paths. The reference: the gather formula, one (n, c_out) output plane per task, visiting
//! only the taps that reach each output (see `taps.rs`).

use super::options::Geometry;
use super::phases::PackedWeights;
use super::taps::AxisTaps;
use crate::error::Result;
use crate::ops::conv::plan::{Real, zeros};
use crate::parallel::{for_each_plane, par_chunks, par_items, zeroed_output};

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

/// The fast CPU path for wide layers: per output phase, group and band of the phase's pixels,
/// one SGEMM (`matrixmultiply`, one thread each) per tap with the weights packed for that phase
/// (`phases.rs`) and the zero-padded input itself as the other operand — no im2col (see
/// [`by_taps`]). Zero taps are never formed. The bands (about [`BAND_PIXELS`] pixels: wide
/// enough that packing the weights, once per SGEMM, costs little) run on all cores. No reduction
/// is split: each output is the same sums in the same order on any number of cores, so a call
/// gives bitwise the same result every time. Where most of the work would be zeros (a kernel much
/// longer than the input: most taps of a phase read outside it) or the padded input much larger
/// than the input, the gather reference (`weight`) runs instead, which visits only the taps that
/// reach the input. On x86-64 with AVX2 and FMA a register-tiled kernel replaces the SGEMMs
/// ([`by_tiles`]), the same partition and order of sums.
pub(crate) fn forward_gemm(
    geo: &Geometry,
    x: &[f32],
    packed: &PackedWeights,
    weight: &[f32],
    bias: Option<&[f32]>,
) -> Result<Vec<f32>> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
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
    let pad = Padding::new(geo, packed);
    let Some(pad) = pad.filter(|_| gemm <= 8 * useful + (1 << 16)) else {
        return forward(geo, x, weight, bias);
    };
    let mut out = zeroed_output(geo.n * layer.c_out * out_plane)?;
    let panels = tiles::Panels::new(packed, layer.groups, cog)?;
    if panels.is_none() {
        par_chunks(&mut out, out_plane.max(1), |plane, y| {
            y.fill(bias.map_or(0.0, |b| b[plane % layer.c_out]));
        });
    }
    by_taps(geo, x, packed, panels.as_ref(), bias, &pad, &mut out)?;
    Ok(out)
}

/// Pixels per work item of [`by_taps`] (the SGEMMs' N): enough that packing the weights, once
/// per SGEMM, costs little next to the multiply-adds.
const BAND_PIXELS: usize = 256;

/// The zero-padded input of [`by_taps`]: per axis the zeros before the input and the padded
/// length, so that every phase pixel's every tap reads inside it.
struct Padding {
    lo: [usize; 3],
    len: [usize; 3],
}

impl Padding {
    /// The padding the phases need; `None` where the padded input would be much larger than the
    /// input (long, dilated kernels), which the gather reference serves.
    fn new(geo: &Geometry, packed: &PackedWeights) -> Option<Self> {
        let (mut lo, mut hi) = ([0i64; 3], [0i64; 3]);
        for ph in &packed.phases {
            let place = ph.placement(geo);
            if place.cnt.contains(&0) || ph.k == 0 {
                continue;
            }
            for a in 0..3 {
                let first = place.b0[a] - ((ph.nt[a] - 1) * packed.axes[a].e) as i64;
                let last = place.b0[a] + place.cnt[a] as i64 - 1;
                lo[a] = lo[a].max(-first);
                hi[a] = hi[a].max(last - (geo.l_in[a] as i64 - 1));
            }
        }
        let len: [usize; 3] = std::array::from_fn(|a| geo.l_in[a] + (lo[a] + hi[a]) as usize);
        let in_plane: usize = geo.l_in.iter().product();
        (len.iter().product::<usize>() <= 2 * in_plane + 4096).then(|| Padding {
            lo: lo.map(|v| v as usize),
            len,
        })
    }

    fn is_none(&self, geo: &Geometry) -> bool {
        self.len == geo.l_in
    }
}

/// The GEMMs of [`forward_gemm`], without an im2col: the input zero-padded once ([`Padding`]),
/// then per phase, group and band of phase rows one SGEMM per tap, `C += A_t · B_t`, where `B_t` (C_in/groups ×
/// band pixels) is the padded input itself, shifted by the tap: band pixel `(i, j)` at `i·Lx' +
/// j` (`Lx'` the padded row; the columns past a phase row's end are computed and dropped). The
/// taps are summed in a fixed order, each over all its input channels, into the band's product,
/// which is then added to the output (pre-filled with the bias). With `panels` (x86-64 with
/// AVX2 and FMA) the tiled kernel runs instead ([`by_tiles`]), which writes the bias itself.
fn by_taps(
    geo: &Geometry,
    x: &[f32],
    packed: &PackedWeights,
    panels: Option<&tiles::Panels>,
    bias: Option<&[f32]>,
    pad: &Padding,
    out: &mut [f32],
) -> Result<()> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let [lz, ly, lx] = geo.l_in;
    let [pz, py, px] = pad.len;
    let pplane = pz * py * px;
    let padded;
    let xp: &[f32] = if pad.is_none(geo) {
        x
    } else {
        let mut p = zeroed_output(geo.n * layer.c_in * pplane)?;
        let in_plane = lz * ly * lx;
        for_each_plane(x, in_plane, &mut p, pplane, |_, xs, ps| {
            for (r, row) in xs.chunks_exact(lx).enumerate() {
                let (z, y) = (r / ly + pad.lo[0], r % ly + pad.lo[1]);
                ps[(z * py + y) * px + pad.lo[2]..][..lx].copy_from_slice(row);
            }
        });
        padded = p;
        &padded
    };
    if let Some(panels) = panels {
        by_tiles(geo, xp, packed, panels, bias, pad, out);
        return Ok(());
    }
    let out_plane: usize = geo.l_out.iter().product();
    // Work items: (n, group, phase, placement, jz, first row jy, rows, first column, columns).
    let mut items = Vec::new();
    for (ph, place) in packed.phases.iter().map(|ph| (ph, ph.placement(geo))) {
        let [cz, cy, cx] = place.cnt;
        if cz * cy * cx == 0 || ph.k == 0 {
            continue;
        }
        // About BAND_PIXELS pixels: whole rows where a row is shorter, else columns of one row.
        let (band, band_cols) = if cx >= BAND_PIXELS {
            (1, BAND_PIXELS)
        } else {
            (BAND_PIXELS.div_ceil(px).min(cy), cx)
        };
        for n in 0..geo.n {
            for g in 0..layer.groups {
                for jz in 0..cz {
                    for r0 in (0..cy).step_by(band) {
                        for c0 in (0..cx).step_by(band_cols) {
                            let (r, c) = (band.min(cy - r0), band_cols.min(cx - c0));
                            items.push((n, g, ph, place, jz, r0, r, c0, c));
                        }
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
        |prod, (n, g, ph, place, jz, r0, rows, c0, cols)| {
            // N: the band's rows at the padded row's stride, the last one only to its end.
            let np = (rows - 1) * px + cols;
            let y0 = (n * layer.c_out + g * cog) * out_plane;
            let oz = place.o0[0] + jz * layer.s[0];
            let row_at = |i: usize| {
                let oy = place.o0[1] + (r0 + i) * layer.s[1];
                y0 + (oz * geo.l_out[1] + oy) * geo.l_out[2] + place.o0[2] + c0 * layer.s[2]
            };
            // Where the band's pixels lie in the output as in the product (one row, at stride
            // s[2]; or whole rows as long as the padded ones, stride 1), the SGEMMs add into the
            // output itself; else into `prod`, added to the output after.
            let direct =
                rows == 1 || (layer.s[2] == 1 && cols == px && geo.l_out[2] * layer.s[1] == px);
            let (c, rsc, csc, beta0) = if direct {
                let csc = if rows == 1 { layer.s[2] } else { 1 };
                (out_ptr.get().wrapping_add(row_at(0)), out_plane, csc, 1.0)
            } else {
                prod.resize(cog * np, 0.0);
                (prod.as_mut_ptr(), np, 1, 0.0)
            };
            let taps = ph.nt[0] * ph.nt[1] * ph.nt[2];
            let a0 = ph.w_offset + g * ph.kp * packed.mp;
            let x0 = (n * layer.c_in + g * cig) * pplane;
            let j0 = [jz, r0, c0];
            for t in 0..taps {
                let tt = [
                    t / (ph.nt[1] * ph.nt[2]),
                    t / ph.nt[2] % ph.nt[1],
                    t % ph.nt[2],
                ];
                // The padded input this tap reads for the band's first pixel, per axis.
                let at: [usize; 3] = std::array::from_fn(|a| {
                    (place.b0[a] + (j0[a] + pad.lo[a]) as i64 - (tt[a] * packed.axes[a].e) as i64)
                        as usize
                });
                let b = x0 + (at[0] * py + at[1]) * px + at[2];
                // SAFETY: A_t is cog × cig, strides (1, taps·mp), rows (ci, t) of this phase and
                // group's kp × mp block. B_t is cig × np, strides (pplane, 1): pixel (i, j) of
                // the band reads padded input (at[1] + i, at[2] + j) of channel ci, inside the
                // padded plane for every real pixel (`Padding`); the dropped columns between rows
                // read the next row's start, and the last row ends at a real pixel. C is all of
                // `prod`, cog × np, row-major; or (`direct`) output channel g·cog + m, the band's
                // pixels, which lie at row_at(0) + j·s[2] (one row) or row_at(0) + i·px + j
                // (stride 1, rows of px), written by this item only (see `forward_gemm`).
                unsafe {
                    matrixmultiply::sgemm(
                        cog,
                        cig,
                        np,
                        1.0,
                        packed.packed[a0 + t * packed.mp..].as_ptr(),
                        1,
                        (taps * packed.mp) as isize,
                        xp[b..].as_ptr(),
                        pplane as isize,
                        1,
                        if t == 0 { beta0 } else { 1.0 },
                        c,
                        rsc as isize,
                        csc as isize,
                    );
                }
            }
            if !direct {
                for i in 0..rows {
                    let at = row_at(i);
                    for (m, p) in prod.chunks_exact(np).enumerate() {
                        // SAFETY: as in `forward_gemm`: output channel g·cog + m, the phase's
                        // positions c0 .. c0 + cols of output row (oz, oy), this item's only.
                        unsafe {
                            add_strided(
                                out_ptr.get().add(at + m * out_plane),
                                layer.s[2],
                                &p[i * px..][..cols],
                            );
                        }
                    }
                }
            }
        },
    );
    Ok(())
}

/// [`by_taps`] with the tiled kernel. A work item is a block of the output — batch element,
/// group, output plane along z, a block of whole output rows along y and of output columns
/// along x — and computes every phase's pixels in it: each phase's band (about
/// [`BAND_PIXELS`] of its pixels) summed in registers, then written once as `bias + sum`
/// (the output is not pre-filled with the bias, nor read back); the pixels of a phase without
/// taps get the bias alone. The blocks partition the output, each element in one phase of one
/// block, so the workers write disjoint elements.
fn by_tiles(
    geo: &Geometry,
    xp: &[f32],
    packed: &PackedWeights,
    panels: &tiles::Panels,
    bias: Option<&[f32]>,
    pad: &Padding,
    out: &mut [f32],
) {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let [_, py, px] = pad.len;
    let s = layer.s;
    let out_plane: usize = geo.l_out.iter().product();
    let places: Vec<_> = packed
        .phases
        .iter()
        .map(|ph| (ph, ph.placement(geo)))
        .collect();
    let most = |a: usize| places.iter().map(|p| p.1.cnt[a]).max().unwrap_or(0);
    let (cy, cx) = (most(1), most(2));
    // A block's phase rows and columns: whole rows where a row is shorter than a band, else
    // columns of one row.
    let (band_rows, band_cols) = if cx >= BAND_PIXELS {
        (1, BAND_PIXELS)
    } else {
        (BAND_PIXELS.div_ceil(px).clamp(1, cy.max(1)), cx.max(1))
    };
    // Work items: (n, group, output plane oz, first phase row, first phase column).
    let mut items = Vec::new();
    for n in 0..geo.n {
        for g in 0..layer.groups {
            for oz in 0..geo.l_out[0] {
                for r0 in (0..cy).step_by(band_rows) {
                    for c0 in (0..cx).step_by(band_cols) {
                        items.push((n, g, oz, r0, c0));
                    }
                }
            }
        }
    }
    let tiles = tiles::Tiles {
        panels,
        x: xp,
        pplane: pad.len.iter().product(),
        cig,
        out: OutPtr(out.as_mut_ptr()),
        out_plane,
    };
    // Per phase kept, its sums in the scratch: all channels, each a band long.
    let sums_len = ((band_rows - 1) * px + band_cols).next_multiple_of(tiles::NR);
    let slot = cog.next_multiple_of(tiles::MR) * sums_len;
    let serial = out.len() < 1 << 14;
    par_items(
        items,
        serial,
        tiles::Scratch::default,
        |scratch, (n, g, oz, r0, c0)| {
            let y0 = (n * layer.c_out + g * cog) * out_plane;
            let bias = bias.map(|b| &b[g * cog..][..cog]);
            let x0 = (n * layer.c_in + g * cig) * tiles.pplane;
            // The phases by output row (z and y residue fixed, x residue 0 .. s[2]).
            for row_phases in places.chunks_exact(s[2]) {
                if row_phases[0].1.o0[0] != oz % s[0] {
                    continue;
                }
                // At x-stride 2 (the usual ×2 layer) the two x-phases' sums are kept, by
                // their first output column's parity, and written as whole output rows.
                let mut pair: [Option<tiles::Band>; 2] = [None, None];
                for &(ph, place) in row_phases {
                    // The phase's pixels in this block, if any.
                    let jz = oz / s[0];
                    let rows = band_rows.min(place.cnt[1].saturating_sub(r0));
                    let cols = band_cols.min(place.cnt[2].saturating_sub(c0));
                    if jz >= place.cnt[0] || rows == 0 || cols == 0 {
                        continue;
                    }
                    let oy = place.o0[1] + r0 * s[1];
                    let at = y0 + (oz * geo.l_out[1] + oy) * geo.l_out[2] + place.o0[2] + c0 * s[2];
                    let parity = if s[2] == 2 { place.o0[2] } else { 0 };
                    let band = tiles::Band {
                        rows,
                        cols,
                        px,
                        out: at,
                        row_step: s[1] * geo.l_out[2],
                        stride: s[2],
                        bias,
                        sums_at: parity * slot,
                        sums_len,
                    };
                    if ph.k == 0 {
                        tiles.bias_only(cog, &band);
                        continue;
                    }
                    // Per tap, the padded input it reads for the band's first pixel.
                    let taps = ph.nt[0] * ph.nt[1] * ph.nt[2];
                    let j0 = [jz, r0, c0];
                    scratch.bases.clear();
                    scratch.bases.extend((0..taps).map(|t| {
                        let tt = [
                            t / (ph.nt[1] * ph.nt[2]),
                            t / ph.nt[2] % ph.nt[1],
                            t % ph.nt[2],
                        ];
                        let at: [usize; 3] = std::array::from_fn(|a| {
                            (place.b0[a] + (j0[a] + pad.lo[a]) as i64
                                - (tt[a] * packed.axes[a].e) as i64)
                                as usize
                        });
                        x0 + (at[0] * py + at[1]) * px + at[2]
                    }));
                    tiles.band(scratch, panels.offset(ph, g, cog), ph.k, cog, &band);
                    if s[2] == 2 {
                        pair[parity] = Some(band);
                    } else {
                        tiles.write(scratch, cog, &band);
                    }
                }
                match &pair {
                    [Some(even), Some(odd)] => tiles.write_pair(scratch, cog, even, odd),
                    _ => {
                        for band in pair.iter().flatten() {
                            tiles.write(scratch, cog, band);
                        }
                    }
                }
            }
        },
    );
}

/// `y[j·stride] += v[j]` for every `j` (a loop the compiler vectorises at stride 1).
///
/// # Safety
/// `y` points to `(v.len() - 1)·stride + 1` elements that no one else reads or writes meanwhile
/// (others may write the elements between them).
unsafe fn add_strided(y: *mut f32, stride: usize, v: &[f32]) {
    if stride == 1 {
        // SAFETY: v.len() elements from y, this caller's only (above).
        let y = unsafe { std::slice::from_raw_parts_mut(y, v.len()) };
        for (y, &v) in y.iter_mut().zip(v) {
            *y += v;
        }
    } else {
        for (j, &v) in v.iter().enumerate() {
            // SAFETY: element j·stride, inside the range above.
            unsafe { *y.add(j * stride) += v };
        }
    }
}

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

/// The multiply-adds of [`by_taps`] on x86-64 with AVX2 and FMA: a register-tiled kernel that
/// reads the padded input in place (no packing of it) and sums every tap and input channel of
/// an output tile in registers, then adds the tile to the output once, at the output's stride.
mod tiles {
    use super::{OutPtr, PackedWeights};
    use crate::error::Result;
    use crate::ops::conv_transpose::phases::Phase;

    /// Output channels (two AVX registers) and pixels of one register tile: 12 accumulators.
    pub(super) const MR: usize = 16;
    pub(super) const NR: usize = 6;
    /// K per pass over a band: its weights (KC × MR) stay in the L1 cache.
    const KC: usize = 128;
    /// Floats of one cache line: the panels start on one, so the kernel's weight loads never
    /// straddle two.
    const LINE: usize = 16;

    /// The packed weights re-laid out once per call for the kernel: per phase and group, per
    /// block of `MR` output channels (the last zero-padded), `MR` contiguous weights per `kk`
    /// (input channel × tap, the packed order).
    pub(super) struct Panels {
        data: Vec<f32>,
        /// The first float on a cache line.
        start: usize,
        /// Per phase (by its packed offset, ascending): the phase's packed offset and its
        /// group 0's panels' offset.
        at: Vec<(usize, usize)>,
    }

    #[cfg(test)]
    thread_local! {
        /// Tests: run the SGEMM path instead, where this kernel would run.
        pub(super) static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    impl Panels {
        /// The panels, or `None` where the kernel cannot run (no AVX2/FMA: the SGEMMs run).
        pub(super) fn new(
            packed: &PackedWeights,
            groups: usize,
            cog: usize,
        ) -> Result<Option<Self>> {
            #[cfg(test)]
            if OFF.with(|o| o.get()) {
                return Ok(None);
            }
            if !available() {
                return Ok(None);
            }
            let (mp, mr) = (packed.mp, cog.div_ceil(MR) * MR);
            let total = packed
                .phases
                .iter()
                .map(|ph| ph.k * mr * groups)
                .sum::<usize>()
                + LINE;
            let mut data = Vec::new();
            data.try_reserve_exact(total)
                .map_err(|_| crate::tensor::alloc_error(total))?;
            data.resize(total, 0.0);
            let start = data.as_ptr().align_offset(4 * LINE).min(LINE - 1);
            let mut at = Vec::with_capacity(packed.phases.len());
            let mut next = start;
            for ph in &packed.phases {
                at.push((ph.w_offset, next));
                for g in 0..groups {
                    let src = &packed.packed[ph.w_offset + g * ph.kp * mp..];
                    let dst = &mut data[next..][..ph.k * mr];
                    for mb in 0..mr / MR {
                        let m = (cog - mb * MR).min(MR);
                        for kk in 0..ph.k {
                            dst[(mb * ph.k + kk) * MR..][..m]
                                .copy_from_slice(&src[kk * mp + mb * MR..][..m]);
                        }
                    }
                    next += ph.k * mr;
                }
            }
            Ok(Some(Panels { data, start, at }))
        }

        /// The offset of the panels of `ph`, group `g`.
        pub(super) fn offset(&self, ph: &Phase, g: usize, cog: usize) -> usize {
            let i = self.at.partition_point(|&(w, _)| w < ph.w_offset);
            let at = self.at.get(i).map_or(self.start, |a| a.1);
            at + g * ph.k * cog.div_ceil(MR) * MR
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn available() -> bool {
        false
    }

    /// One thread's scratch: per tap the input the band's first pixel reads (`bases`, set by
    /// the caller), where each `kk` reads it, the input of the band's last tile (zero-padded
    /// to NR pixels), the band's accumulators, and one block of them channel by channel.
    #[derive(Default)]
    pub(super) struct Scratch {
        pub bases: Vec<usize>,
        offs: Vec<usize>,
        b: Vec<f32>,
        tail: Vec<usize>,
        acc: Vec<[[f32; MR]; NR]>,
        sums: Vec<f32>,
    }

    /// What the kernel reads and writes.
    pub(super) struct Tiles<'a> {
        pub panels: &'a Panels,
        /// The (padded) input, its channel planes `pplane` apart.
        pub x: &'a [f32],
        pub pplane: usize,
        pub cig: usize,
        pub out: OutPtr,
        pub out_plane: usize,
    }

    /// A band of a phase: `rows` rows of `cols` pixels at the padded row's stride `px`,
    /// computed as one run of `(rows − 1)·px + cols` pixels (those past a row's end dropped);
    /// where its first pixel lies in the output (output channel 0 of the group), the output
    /// distance of its rows and of its pixels, and the group's bias; where its sums go in the
    /// scratch (`sums_at`, channel by channel `sums_len` apart).
    pub(super) struct Band<'a> {
        pub rows: usize,
        pub cols: usize,
        pub px: usize,
        pub out: usize,
        pub row_step: usize,
        pub stride: usize,
        pub bias: Option<&'a [f32]>,
        pub sums_at: usize,
        pub sums_len: usize,
    }

    impl Tiles<'_> {
        /// Leaves `Σ_{ci, t} A[(ci, t)][m] · x[ci, tap t of pixel p]` for output channel `m`
        /// (all `cog`) at every pixel `p` of `band` in the scratch's sums (see [`Band`]; to be
        /// written by [`Tiles::write`] or [`Tiles::write_pair`]), the sum in that fixed order
        /// per output element (`scratch.bases`: per tap the input the band's first pixel
        /// reads); `panel` is the phase and group's offset in the panels, `k` its K.
        pub(super) fn band(
            &self,
            scratch: &mut Scratch,
            panel: usize,
            k: usize,
            cog: usize,
            band: &Band,
        ) {
            let np = (band.rows - 1) * band.px + band.cols;
            let tiles = np.div_ceil(NR);
            let full = np / NR;
            let blocks = cog.div_ceil(MR);
            scratch.offs.clear();
            for ci in 0..self.cig {
                let c = ci * self.pplane;
                scratch.offs.extend(scratch.bases.iter().map(|&b| b + c));
            }
            // The last tile, if partial: its input copied, zero-padded to NR pixels.
            scratch.b.clear();
            scratch.tail.clear();
            if full < tiles {
                let (n0, w) = (full * NR, np - full * NR);
                for &at in &scratch.offs {
                    scratch.tail.push(scratch.b.len());
                    // (Element by element: a call to copy w < NR floats costs more.)
                    let x = &self.x[at + n0..][..w];
                    scratch
                        .b
                        .extend((0..NR).map(|j| if j < w { x[j] } else { 0.0 }));
                }
            }
            // (Every accumulator is set by the first pass over K.)
            if scratch.acc.len() < blocks * tiles {
                scratch.acc.resize(blocks * tiles, [[0.0; MR]; NR]);
            }
            for kc in (0..k).step_by(KC) {
                let kn = KC.min(k - kc);
                for mb in 0..blocks {
                    let a = &self.panels.data[panel + (mb * k + kc) * MR..][..kn * MR];
                    let accs = &mut scratch.acc[mb * tiles..][..tiles];
                    for (t, acc) in accs.iter_mut().enumerate() {
                        let (b, offs, shift) = if t < full {
                            (self.x, &scratch.offs[kc..kc + kn], t * NR)
                        } else {
                            (&scratch.b[..], &scratch.tail[kc..kc + kn], 0)
                        };
                        // SAFETY: `Panels::new` checked AVX2 and FMA. `a` holds MR weights
                        // per offset; every read of `b` is `shift + offs[kk] + 0..NR`, inside
                        // it: real pixels of the band or the dropped ones between its rows,
                        // all in the padded input (`Padding`), or the scratch copy.
                        unsafe { kernel(a, &b[shift..], offs, acc, kc == 0) };
                    }
                }
            }
            // The sums, channel by channel, to the band's slot.
            let (len, at) = (band.sums_len, band.sums_at);
            debug_assert!(tiles * NR <= len);
            if scratch.sums.len() < at + blocks * MR * len {
                scratch.sums.resize(at + blocks * MR * len, 0.0);
            }
            for mb in 0..blocks {
                let accs = &scratch.acc[mb * tiles..][..tiles];
                let by_m = &mut scratch.sums[at + mb * MR * len..][..MR * len];
                for (n, v) in accs.iter().flatten().enumerate() {
                    for (m, &v) in v.iter().enumerate() {
                        by_m[m * len + n] = v;
                    }
                }
            }
        }

        /// Writes the sums [`Tiles::band`] left in `scratch` plus the bias to the band's
        /// output, channel by channel (one stream of stores at a time).
        pub(super) fn write(&self, scratch: &Scratch, cog: usize, band: &Band) {
            for c in 0..cog {
                let sums = &scratch.sums[band.sums_at + c * band.sums_len..][..band.sums_len];
                let b = band.bias.map_or(0.0, |b| b[c]);
                for i in 0..band.rows {
                    let o = band.out + c * self.out_plane + i * band.row_step;
                    for (j, &v) in sums[i * band.px..][..band.cols].iter().enumerate() {
                        // SAFETY: output channel g·cog + c, pixel j of the band's row i: this
                        // item's only (see `by_tiles`).
                        unsafe { *self.out.get().add(o + j * band.stride) = b + v };
                    }
                }
            }
        }

        /// Writes the sums of two bands of x-phases 0 and 1 at x-stride 2 (`even` the one
        /// whose first output column is even, both of the same rows, `odd` as many columns or
        /// one fewer) plus the bias, their output rows whole: the columns interleaved, in
        /// contiguous stores.
        pub(super) fn write_pair(&self, scratch: &Scratch, cog: usize, even: &Band, odd: &Band) {
            debug_assert!(even.rows == odd.rows && even.out + 1 == odd.out);
            debug_assert!(odd.cols <= even.cols && even.cols <= odd.cols + 1);
            let width = even.cols + odd.cols;
            for c in 0..cog {
                let at = |band: &Band| &scratch.sums[band.sums_at + c * band.sums_len..];
                let (e, d) = (at(even), at(odd));
                let b = even.bias.map_or(0.0, |b| b[c]);
                for i in 0..even.rows {
                    let o = even.out + c * self.out_plane + i * even.row_step;
                    // SAFETY: output channel g·cog + c, columns `width` of the bands' output
                    // row i: these bands' only (see `by_tiles`), not otherwise borrowed.
                    let row =
                        unsafe { std::slice::from_raw_parts_mut(self.out.get().add(o), width) };
                    let (e, d) = (&e[i * even.px..][..even.cols], &d[i * odd.px..][..odd.cols]);
                    let (pairs, last) = row.as_chunks_mut::<2>();
                    for (y, (&e, &d)) in pairs.iter_mut().zip(e.iter().zip(d)) {
                        *y = [b + e, b + d];
                    }
                    if let [y] = last {
                        *y = b + e[odd.cols];
                    }
                }
            }
        }

        /// Writes the bias (zero without one) to output channel `m` (all `cog`) at every pixel
        /// of `band`: a phase without taps.
        pub(super) fn bias_only(&self, cog: usize, band: &Band) {
            for m in 0..cog {
                let v = band.bias.map_or(0.0, |b| b[m]);
                for i in 0..band.rows {
                    let o = band.out + m * self.out_plane + i * band.row_step;
                    for j in 0..band.cols {
                        // SAFETY: as in `band`.
                        unsafe { *self.out.get().add(o + j * band.stride) = v };
                    }
                }
            }
        }
    }

    /// `acc[j][m] += Σ_kk a[kk·MR + m] · b[offs[kk] + j]` (`acc` taken as zeros when `first`),
    /// in that order, for MR × NR outputs in registers.
    ///
    /// # Safety
    /// AVX2 and FMA are available; `a` holds `offs.len()·MR` floats and `b` NR from every
    /// `offs[kk]`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn kernel(a: &[f32], b: &[f32], offs: &[usize], acc: &mut [[f32; MR]; NR], first: bool) {
        use std::arch::x86_64::*;
        debug_assert_eq!(a.len(), offs.len() * MR);
        let z = _mm256_setzero_ps();
        let mut c = [[z; 2]; NR];
        for (c, r) in c.iter_mut().zip(acc.iter()).filter(|_| !first) {
            // SAFETY: MR = 16 floats per pixel, two loads of 8.
            unsafe {
                c[0] = _mm256_loadu_ps(r.as_ptr());
                c[1] = _mm256_loadu_ps(r.as_ptr().add(8));
            }
        }
        let (bp, mut ap) = (b.as_ptr(), a.as_ptr());
        for &o in offs {
            // SAFETY: NR floats at bp + o and MR at ap, in bounds (the caller).
            unsafe {
                let p = bp.add(o);
                let (a0, a1) = (_mm256_loadu_ps(ap), _mm256_loadu_ps(ap.add(8)));
                for (j, c) in c.iter_mut().enumerate() {
                    let v = _mm256_broadcast_ss(&*p.add(j));
                    c[0] = _mm256_fmadd_ps(a0, v, c[0]);
                    c[1] = _mm256_fmadd_ps(a1, v, c[1]);
                }
                ap = ap.add(MR);
            }
        }
        for (r, c) in acc.iter_mut().zip(c) {
            // SAFETY: MR = 16 floats, two stores of 8.
            unsafe {
                _mm256_storeu_ps(r.as_mut_ptr(), c[0]);
                _mm256_storeu_ps(r.as_mut_ptr().add(8), c[1]);
            }
        }
    }

    /// Never called: `available()` is false off x86-64.
    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn kernel(_: &[f32], _: &[f32], _: &[usize], _: &mut [[f32; MR]; NR], _: bool) {
        unreachable!("the tiled kernel runs on x86-64 only")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConvTransposeOptions;
    use crate::tensor::Tensor;

    /// The GEMM path (the tiled kernel where the CPU has it, and the SGEMMs) against the gather
    /// reference on wide layers that take each of its branches (adding into the output itself:
    /// one long row, strided or not, whole rows at stride 1; else through the product; padded
    /// and not; 1-D/2-D/3-D, groups, dilation, phases without taps), and bitwise the same on a
    /// repeat.
    #[test]
    fn gemm_path_matches_the_reference_and_repeats_bitwise() {
        let cases: [(ConvTransposeOptions, &[usize]); 10] = [
            (ConvTransposeOptions::new(2, 40, 24, [1]), &[1, 40, 9, 17]),
            (ConvTransposeOptions::new(1, 33, 8, [1]), &[2, 33, 300]),
            (
                ConvTransposeOptions::new(1, 32, 16, [3]).padding([1]),
                &[1, 32, 600],
            ),
            (
                ConvTransposeOptions::new(2, 32, 8, [3]).padding([1]),
                &[1, 32, 12, 20],
            ),
            (
                ConvTransposeOptions::new(1, 32, 8, [4])
                    .stride([2])
                    .padding([1]),
                &[2, 32, 300],
            ),
            (
                ConvTransposeOptions::new(2, 64, 48, [4])
                    .stride([2])
                    .padding([1]),
                &[2, 64, 13, 11],
            ),
            (
                ConvTransposeOptions::new(3, 64, 12, [3])
                    .stride([2])
                    .padding([1])
                    .output_padding([1])
                    .groups(2),
                &[1, 64, 3, 5, 4],
            ),
            (
                ConvTransposeOptions::new(2, 36, 10, [3])
                    .stride([2, 1])
                    .dilation([1, 2])
                    .padding([0, 2]),
                &[1, 36, 7, 300],
            ),
            // Odd output width at x-stride 2: one more even column than odd.
            (
                ConvTransposeOptions::new(2, 40, 20, [3])
                    .stride([2])
                    .padding([1]),
                &[1, 40, 6, 9],
            ),
            // Stride above the kernel: phases without taps (the bias alone).
            (
                ConvTransposeOptions::new(2, 32, 20, [2])
                    .stride([3])
                    .output_padding([1]),
                &[1, 32, 7, 9],
            ),
        ];
        for (opts, shape) in cases {
            let layer = opts.layer().unwrap();
            let geo = layer.geometry(shape, None).unwrap();
            let len = |s: &[usize]| s.iter().product::<usize>();
            let x: Vec<f32> = (0..len(shape))
                .map(|i| ((i * 7919) % 113) as f32 / 56.0 - 1.0)
                .collect();
            let ws = layer.weight_shape();
            let w: Vec<f32> = (0..len(&ws))
                .map(|i| ((i * 104_729) % 97) as f32 / 48.0 - 1.0)
                .collect();
            let b: Vec<f32> = (0..layer.c_out).map(|i| i as f32 / 8.0).collect();
            let packed = PackedWeights::new(&layer, &Tensor::new(&ws, w.clone()).unwrap()).unwrap();
            assert!(
                Padding::new(&geo, &packed).is_some(),
                "{opts:?}: takes the GEMMs"
            );
            let want = forward(&geo, &x, &w, Some(&b)).unwrap();
            for sgemm in [false, true] {
                tiles::OFF.with(|o| o.set(sgemm));
                let got = forward_gemm(&geo, &x, &packed, &w, Some(&b)).unwrap();
                assert_eq!(got.len(), want.len());
                for (i, (g, r)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (g - r).abs() <= 1e-5 * r.abs().max(1.0) * (layer.c_in as f32).sqrt(),
                        "{opts:?} on {shape:?}: element {i}: {g} vs {r}"
                    );
                }
                let again = forward_gemm(&geo, &x, &packed, &w, Some(&b)).unwrap();
                assert!(
                    got.iter()
                        .zip(&again)
                        .all(|(a, b)| a.to_bits() == b.to_bits())
                );
            }
            tiles::OFF.with(|o| o.set(false));
        }
    }
}
