//! Phase decomposition of a transposed convolution for the GEMM formulations (GPU kernel and
//! fast CPU path): per output phase (one residue of `(o + p) mod s` per axis) the contributing
//! taps, and the weights re-packed into one matrix per phase and group, once per layer.

use super::options::{Geometry, Layer};
use super::taps::AxisTaps;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// GEMM tile sizes the packing pads to (BM, BK in `shaders/conv_transpose/gemm.wgsl`).
pub(crate) const BM: usize = 32;
pub(crate) const BK: usize = 16;

/// One output phase: the residue of `(o + p) mod s` per axis and its taps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phase {
    pub r: [usize; 3],
    pub k0: [usize; 3],
    pub nt: [usize; 3],
    /// GEMM K (cig × taps) and K padded to the tile.
    pub k: usize,
    pub kp: usize,
    /// Offset of this phase's packed weights, in floats.
    pub w_offset: usize,
}

/// Where a phase's pixels lie for one geometry, per axis: the first output index, how many
/// outputs, and the input index that tap 0 reads for the first output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub o0: [usize; 3],
    pub cnt: [usize; 3],
    pub b0: [i64; 3],
}

impl Phase {
    pub fn placement(&self, geo: &Geometry) -> Placement {
        let l = &geo.layer;
        let o0: [usize; 3] = std::array::from_fn(|a| {
            (self.r[a] as i64 - l.p[a] as i64).rem_euclid(l.s[a] as i64) as usize
        });
        let cnt = std::array::from_fn(|a| geo.l_out[a].saturating_sub(o0[a]).div_ceil(l.s[a]));
        let b0 = std::array::from_fn(|a| {
            ((o0[a] + l.p[a]) as i64 - (self.k0[a] * l.d[a]) as i64).div_euclid(l.s[a] as i64)
        });
        Placement { o0, cnt, b0 }
    }
}

/// The weights re-packed for the implicit GEMM, once, when the layer is created: per output
/// phase and group a `kp × mp` matrix `A[kk][m]` (K = C_in/groups × the phase's taps, M =
/// C_out/groups, zero-padded to the tiles), plus the per-axis phase tables of the direct kernel.
#[derive(Debug, Clone)]
pub(crate) struct PackedWeights {
    pub packed: Vec<f32>,
    pub phases: Vec<Phase>,
    pub mp: usize,
    pub axes: [AxisTaps; 3],
    pub tables: Vec<u32>,
    pub table_offsets: [u32; 3],
    /// The layer packed for (to re-pack updated weights).
    layer: Layer,
}

impl PackedWeights {
    pub fn new(layer: &Layer, weight: &Tensor) -> Result<Self> {
        let axes: [AxisTaps; 3] =
            std::array::from_fn(|a| AxisTaps::new(layer.k[a], layer.s[a], layer.p[a], layer.d[a]));
        let (cig, cog) = layer.per_group();
        let mp = cog.div_ceil(BM) * BM;
        // The phases, and the packed size first, so that memory the machine lacks is an error,
        // not an abort.
        let mut total = 0usize;
        let mut phases = Vec::new();
        for rz in 0..layer.s[0] {
            for ry in 0..layer.s[1] {
                for rx in 0..layer.s[2] {
                    let r = [rz, ry, rx];
                    let k0: [usize; 3] = std::array::from_fn(|a| axes[a].first[r[a]]);
                    let nt: [usize; 3] = std::array::from_fn(|a| axes[a].count[r[a]]);
                    let size = (0..3)
                        .try_fold(cig, |k, a| k.checked_mul(nt[a]))
                        .and_then(|k| k.checked_next_multiple_of(BK))
                        .and_then(|kp| kp.checked_mul(mp))
                        .and_then(|n| n.checked_mul(layer.groups))
                        .filter(|n| total.checked_add(*n).is_some())
                        .ok_or_else(|| {
                            Error::LimitExceeded("the re-packed weights overflow".into())
                        })?;
                    let k = cig * nt[0] * nt[1] * nt[2];
                    phases.push(Phase {
                        r,
                        k0,
                        nt,
                        k,
                        kp: k.div_ceil(BK) * BK,
                        w_offset: total,
                    });
                    total += size;
                }
            }
        }
        let w = weight.data();
        let packed = pack(layer, &axes, &phases, mp, total, |i| w[i], 0.0)?;
        let mut tables: Vec<u32> = Vec::new();
        let table_offsets = std::array::from_fn(|a| {
            let at = tables.len() as u32;
            for r in 0..layer.s[a] {
                tables.extend([axes[a].first[r] as u32, axes[a].count[r] as u32]);
            }
            at
        });
        Ok(Self {
            packed,
            phases,
            mp,
            axes,
            tables,
            table_offsets,
            layer: *layer,
        })
    }

    /// For each packed element, the index of the weight element it holds (`u32::MAX`: a zero of
    /// the padding): the re-packing as a gather, for weights updated on the GPU.
    pub fn index_table(&self) -> Result<Vec<u32>> {
        let total = self.packed.len();
        pack(
            &self.layer,
            &self.axes,
            &self.phases,
            self.mp,
            total,
            |i| i as u32,
            u32::MAX,
        )
    }
}

/// The packing: per phase and group, `A[kk][m]` = the weight element `src` gives for
/// `(c_in, m, taps of the phase)`, `zero` in the padding.
fn pack<T: Copy>(
    layer: &Layer,
    axes: &[AxisTaps; 3],
    phases: &[Phase],
    mp: usize,
    total: usize,
    src: impl Fn(usize) -> T,
    zero: T,
) -> Result<Vec<T>> {
    let (cig, cog) = layer.per_group();
    let [kz, ky, kx] = layer.k;
    let mut packed = Vec::new();
    packed
        .try_reserve_exact(total)
        .map_err(|_| crate::tensor::alloc_error(total))?;
    packed.resize(total, zero);
    for ph in phases {
        let (k0, nt, kp) = (ph.k0, ph.nt, ph.kp);
        // (No output channels: nothing to pack, however many taps.)
        for g in (0..layer.groups).filter(|_| cog > 0) {
            for c in 0..cig {
                let ci = g * cig + c;
                for tz in 0..nt[0] {
                    for ty in 0..nt[1] {
                        for tx in 0..nt[2] {
                            let kk = ((c * nt[0] + tz) * nt[1] + ty) * nt[2] + tx;
                            let (wz, wy, wx) = (
                                k0[0] + tz * axes[0].step,
                                k0[1] + ty * axes[1].step,
                                k0[2] + tx * axes[2].step,
                            );
                            let row = ph.w_offset + (g * kp + kk) * mp;
                            for m in 0..cog {
                                packed[row + m] =
                                    src((((ci * cog + m) * kz + wz) * ky + wy) * kx + wx);
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(packed)
}
