//! The CPU reference: the gather formula, one (n, c_out) output plane per task, visiting only the
//! taps that reach each output (see `taps.rs`).

use super::options::Geometry;
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
