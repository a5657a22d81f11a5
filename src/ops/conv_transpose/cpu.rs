//! The CPU paths. The reference: the gather formula, one (n, c_out) output plane per task, visiting only the
//! taps that reach each output (see `taps.rs`).

use super::options::Geometry;
use super::phases::{PackedWeights, Placement};
use super::taps::AxisTaps;
use crate::cpu::par_chunks;

/// `y = conv_transpose(x, weight, bias)` for the resolved geometry; `x` is `(N, C_in, *L_in)`.
pub(crate) fn forward(geo: &Geometry, x: &[f32], weight: &[f32], bias: Option<&[f32]>) -> Vec<f32> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let axes: [AxisTaps; 3] =
        std::array::from_fn(|a| AxisTaps::new(layer.k[a], layer.s[a], layer.p[a], layer.d[a]));
    // Per axis and output index: the (tap, input index) pairs, computed once.
    let taps: [Vec<Vec<(usize, usize)>>; 3] = std::array::from_fn(|a| {
        (0..geo.l_out[a])
            .map(|o| axes[a].taps(o, geo.l_in[a]).collect())
            .collect()
    });
    let [lz, ly, lx] = geo.l_in;
    let [oz, oy, ox] = geo.l_out;
    let [kz, ky, kx] = layer.k;
    let in_plane = lz * ly * lx;
    let k_plane = kz * ky * kx;
    let mut out = vec![0.0f32; geo.n * layer.c_out * oz * oy * ox];
    par_chunks(&mut out, oz * oy * ox, |plane, y| {
        let (n, co) = (plane / layer.c_out, plane % layer.c_out);
        let (g, co_g) = (co / cog, co % cog);
        y.fill(bias.map_or(0.0, |b| b[co]));
        for ci in g * cig..(g + 1) * cig {
            let xp = &x[(n * layer.c_in + ci) * in_plane..][..in_plane];
            let wp = &weight[(ci * cog + co_g) * k_plane..][..k_plane];
            for z in 0..oz {
                for &(tz, iz) in &taps[0][z] {
                    for yy in 0..oy {
                        let row = &mut y[(z * oy + yy) * ox..][..ox];
                        for &(ty, iy) in &taps[1][yy] {
                            let xrow = &xp[(iz * ly + iy) * lx..][..lx];
                            let wrow = &wp[(tz * ky + ty) * kx..][..kx];
                            for (xx, acc) in row.iter_mut().enumerate() {
                                for &(tx, ix) in &taps[2][xx] {
                                    *acc += xrow[ix] * wrow[tx];
                                }
                            }
                        }
                    }
                }
            }
        }
    });
    out
}

/// The fast CPU path for wide layers: per output phase and group, an im2col of the phase's
/// pixels and one SGEMM with the weights packed for that phase (`phases.rs`), then a scatter
/// into the phase's output positions. Zero taps are never formed.
pub(crate) fn forward_gemm(
    geo: &Geometry,
    x: &[f32],
    packed: &PackedWeights,
    bias: Option<&[f32]>,
) -> Vec<f32> {
    let layer = &geo.layer;
    let (cig, cog) = layer.per_group();
    let in_plane: usize = geo.l_in.iter().product();
    let out_plane: usize = geo.l_out.iter().product();
    let mut out = vec![0.0f32; geo.n * layer.c_out * out_plane];
    for (plane, y) in out.chunks_exact_mut(out_plane.max(1)).enumerate() {
        y.fill(bias.map_or(0.0, |b| b[plane % layer.c_out]));
    }
    let e: [i64; 3] = std::array::from_fn(|a| packed.axes[a].e as i64);
    for ph in &packed.phases {
        let Placement { o0, cnt, b0 } = ph.placement(geo);
        let np = cnt[0] * cnt[1] * cnt[2];
        if np == 0 || ph.k == 0 {
            continue;
        }
        let mut b = vec![0.0f32; ph.k * np];
        let mut c = vec![0.0f32; cog * np];
        for n in 0..geo.n {
            for g in 0..layer.groups {
                // im2col: row kk = (ci, tz, ty, tx) holds, per phase pixel, the input it reads.
                let mut kk = 0;
                for ci in 0..cig {
                    let xp = &x[(n * layer.c_in + g * cig + ci) * in_plane..][..in_plane];
                    for tz in 0..ph.nt[0] {
                        for ty in 0..ph.nt[1] {
                            for tx in 0..ph.nt[2] {
                                let row = &mut b[kk * np..][..np];
                                let mut at = 0;
                                for jz in 0..cnt[0] {
                                    let iz = b0[0] + jz as i64 - tz as i64 * e[0];
                                    for jy in 0..cnt[1] {
                                        let iy = b0[1] + jy as i64 - ty as i64 * e[1];
                                        let inside = (0..geo.l_in[0] as i64).contains(&iz)
                                            && (0..geo.l_in[1] as i64).contains(&iy);
                                        let base =
                                            (iz * geo.l_in[1] as i64 + iy) * geo.l_in[2] as i64;
                                        for jx in 0..cnt[2] {
                                            let ix = b0[2] + jx as i64 - tx as i64 * e[2];
                                            row[at] = if inside
                                                && (0..geo.l_in[2] as i64).contains(&ix)
                                            {
                                                xp[(base + ix) as usize]
                                            } else {
                                                0.0
                                            };
                                            at += 1;
                                        }
                                    }
                                }
                                kk += 1;
                            }
                        }
                    }
                }
                let a = &packed.packed[ph.w_offset + g * ph.kp * packed.mp..];
                // SAFETY: A is cog × k read with strides (1, mp) inside this phase/group's
                // kp × mp block; B is k × np and C cog × np, both row-major and sized so.
                unsafe {
                    matrixmultiply::sgemm(
                        cog,
                        ph.k,
                        np,
                        1.0,
                        a.as_ptr(),
                        1,
                        packed.mp as isize,
                        b.as_ptr(),
                        np as isize,
                        1,
                        0.0,
                        c.as_mut_ptr(),
                        np as isize,
                        1,
                    );
                }
                for m in 0..cog {
                    let y = &mut out[(n * layer.c_out + g * cog + m) * out_plane..][..out_plane];
                    let cm = &c[m * np..][..np];
                    let mut at = 0;
                    for jz in 0..cnt[0] {
                        let oz = o0[0] + jz * layer.s[0];
                        for jy in 0..cnt[1] {
                            let oy = o0[1] + jy * layer.s[1];
                            let row = (oz * geo.l_out[1] + oy) * geo.l_out[2];
                            for jx in 0..cnt[2] {
                                y[row + o0[2] + jx * layer.s[2]] += cm[at];
                                at += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    out
}
