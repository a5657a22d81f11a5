//! The two computations every convolution gradient is made of, with their CPU references
//! (generic over `f32` / `f64`: the f64 form checks gradients by finite differences):
//!
//! - [`Gather`]: `y[n, co, o] = b[co] + Σ_{ci, k} x[n, ci, o·s − p + k·d] · w[co, ci_g, k]`, the
//!   ordinary convolution. It is `Conv`'s forward and `ConvTranspose`'s grad_input (with the
//!   transposed layer's own weight `(C_in, C_out/g, k…)` read as `(c_out, c_in/g, k…)`).
//! - [`Correlate`]: `gW[a, b_g, k] = Σ_{n, j} S[n, a, j] · L[n, g·B/g + b_g, j·s − p + k·d]`,
//!   every weight gradient: `Conv`'s with `S = grad_y`, `L = x`; `ConvTranspose`'s with `S = x`,
//!   `L = grad_y`.
//!
//! and [`channel_sums`] (every bias gradient). Spatial axes are padded in front to three (D, H, W);
//! `p` is the padding before an axis (the one after it only shortens the output).

use std::ops::{Add, AddAssign, Mul};

use crate::error::{Error, Result};
use crate::parallel::par_chunks;

/// The element types of the CPU references.
pub(crate) trait Real:
    Copy + Default + Send + Sync + Add<Output = Self> + AddAssign + Mul<Output = Self> + 'static
{
    fn is_finite(self) -> bool;
}
impl Real for f32 {
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}
impl Real for f64 {
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

/// `len` zeros, allocated fallibly.
pub(crate) fn zeros<T: Real>(len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| crate::tensor::alloc_error(len))?;
    v.resize(len, T::default());
    Ok(v)
}

/// The taps `k` in `[lo, hi)` of one axis whose index `o·s − p + k·d` lies in `[0, len)`.
pub(crate) fn tap_span(
    o: usize,
    s: usize,
    p: usize,
    d: usize,
    k: usize,
    len: usize,
) -> (usize, usize) {
    let base = (o * s) as i64 - p as i64; // index of tap 0
    let lo = if base >= 0 {
        0
    } else {
        ((-base) as usize).div_ceil(d)
    };
    let last = len as i64 - 1 - base; // k·d <= last
    let hi = if last < 0 {
        0
    } else {
        (last as usize / d + 1).min(k)
    };
    (lo.min(hi), hi)
}

/// The positions `j` in `[lo, hi)` (of `count`) whose index `j·s − p + t` lies in `[0, len)`,
/// for a tap offset `t = k·d`.
pub(crate) fn position_span(
    t: usize,
    s: usize,
    p: usize,
    count: usize,
    len: usize,
) -> (usize, usize) {
    let lo = p.saturating_sub(t).div_ceil(s);
    let top = (len + p) as i64 - 1 - t as i64; // j·s <= top
    let hi = if top < 0 {
        0
    } else {
        (top as usize / s + 1).min(count)
    };
    (lo.min(hi), hi)
}

/// An ordinary convolution over a batch (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gather {
    pub n: usize,
    pub c_in: usize,
    pub c_out: usize,
    pub groups: usize,
    pub k: [usize; 3],
    pub s: [usize; 3],
    pub p: [usize; 3],
    pub d: [usize; 3],
    pub l_in: [usize; 3],
    pub l_out: [usize; 3],
}

impl Gather {
    pub fn in_image(&self) -> usize {
        self.c_in * self.l_in.iter().product::<usize>()
    }
    pub fn out_image(&self) -> usize {
        self.c_out * self.l_out.iter().product::<usize>()
    }
    pub fn k_plane(&self) -> usize {
        self.k.iter().product()
    }

    /// Multiply-adds that reach the input (padding taps excluded).
    pub fn macs(&self) -> u64 {
        let per_axis: u64 = (0..3)
            .map(|a| {
                (0..self.l_out[a])
                    .map(|o| {
                        let (lo, hi) =
                            tap_span(o, self.s[a], self.p[a], self.d[a], self.k[a], self.l_in[a]);
                        (hi - lo) as u64
                    })
                    .sum::<u64>()
            })
            .product();
        per_axis * (self.n * self.c_out * (self.c_in / self.groups)) as u64
    }

    /// The CPU reference: one (n, c_out) plane per task, visiting the taps inside the input;
    /// where the weight holds NaN or inf, also the taps on the zero padding (`0 · w`, as
    /// PyTorch's im2col multiplies them: NaN for an inf weight).
    pub fn cpu<T: Real>(&self, x: &[T], w: &[T], bias: Option<&[T]>) -> Result<Vec<T>> {
        let pad_terms = !w.iter().all(|v| v.is_finite());
        let out_plane: usize = self.l_out.iter().product();
        let mut out = zeros(self.n * self.c_out * out_plane)?;
        if out.is_empty() {
            return Ok(out);
        }
        let (cig, cog) = (self.c_in / self.groups, self.c_out / self.groups);
        let in_plane: usize = self.l_in.iter().product();
        let kp = self.k_plane();
        let [ly, lx] = [self.l_in[1], self.l_in[2]];
        let [ky, kx] = [self.k[1], self.k[2]];
        let span = |a: usize, o: usize| {
            tap_span(o, self.s[a], self.p[a], self.d[a], self.k[a], self.l_in[a])
        };
        let at = |a: usize, o: usize, k: usize| o * self.s[a] + k * self.d[a] - self.p[a];
        par_chunks(&mut out, out_plane, |plane, y| {
            let (n, co) = (plane / self.c_out, plane % self.c_out);
            let g = co / cog;
            let b = bias.map_or(T::default(), |b| b[co]);
            let mut i = 0;
            for oz in 0..self.l_out[0] {
                let (z0, z1) = span(0, oz);
                for oy in 0..self.l_out[1] {
                    let (y0, y1) = span(1, oy);
                    for ox in 0..self.l_out[2] {
                        let (x0, x1) = span(2, ox);
                        let mut acc = b;
                        for c in 0..cig {
                            let xp = &x[(n * self.c_in + g * cig + c) * in_plane..][..in_plane];
                            let wp = &w[(co * cig + c) * kp..][..kp];
                            for tz in z0..z1 {
                                let iz = at(0, oz, tz);
                                for ty in y0..y1 {
                                    let iy = at(1, oy, ty);
                                    let xr = &xp[(iz * ly + iy) * lx..][..lx];
                                    let wr = &wp[(tz * ky + ty) * kx..][..kx];
                                    for tx in x0..x1 {
                                        acc += xr[at(2, ox, tx)] * wr[tx];
                                    }
                                }
                            }
                            if pad_terms {
                                let inside = |t: usize, (lo, hi): (usize, usize)| lo <= t && t < hi;
                                for (t, &wv) in wp.iter().enumerate() {
                                    let (tz, ty, tx) = (t / (ky * kx), t / kx % ky, t % kx);
                                    if !(inside(tz, (z0, z1))
                                        && inside(ty, (y0, y1))
                                        && inside(tx, (x0, x1)))
                                    {
                                        acc += T::default() * wv;
                                    }
                                }
                            }
                        }
                        y[i] = acc;
                        i += 1;
                    }
                }
            }
        });
        Ok(out)
    }
}

/// A convolution's weight `(c_out, c_in/g, taps)` re-packed for the implicit GEMM
/// (`shaders/conv/gemm.wgsl`): per group a `kp × mp` matrix `A[kk][m]` with `kk = c·taps + t`,
/// K and M zero-padded to the tiles.
#[derive(Debug, Clone)]
pub(crate) struct GatherPacking {
    pub packed: Vec<f32>,
    pub kp: usize,
    pub mp: usize,
}

impl GatherPacking {
    pub fn new(g: &Gather, weight: &[f32]) -> Result<Self> {
        let (packed, kp, mp) = Self::pack(g, |i| weight[i], 0.0)?;
        Ok(GatherPacking { packed, kp, mp })
    }

    /// For each packed element, the index of the weight element it holds (`u32::MAX`: a zero of
    /// the padding): the re-packing as a gather, for weights updated on the GPU.
    pub fn index_table(g: &Gather) -> Result<Vec<u32>> {
        Ok(Self::pack(g, |i| i as u32, u32::MAX)?.0)
    }

    fn pack<T: Copy>(
        g: &Gather,
        src: impl Fn(usize) -> T,
        zero: T,
    ) -> Result<(Vec<T>, usize, usize)> {
        use crate::ops::conv_transpose::phases::{BK, BM};
        let (cig, cog) = (g.c_in / g.groups, g.c_out / g.groups);
        let k = cig * g.k_plane();
        let (kp, mp) = (k.div_ceil(BK) * BK, cog.div_ceil(BM) * BM);
        let total = g
            .groups
            .checked_mul(kp)
            .and_then(|n| n.checked_mul(mp))
            .ok_or_else(|| Error::LimitExceeded("the re-packed weights overflow".into()))?;
        let mut packed = Vec::new();
        packed
            .try_reserve_exact(total)
            .map_err(|_| crate::tensor::alloc_error(total))?;
        packed.resize(total, zero);
        for grp in 0..g.groups {
            for m in 0..cog {
                for kk in 0..k {
                    packed[(grp * kp + kk) * mp + m] = src((grp * cog + m) * k + kk);
                }
            }
        }
        Ok((packed, kp, mp))
    }
}

/// A weight gradient (see the module doc): `S` has `a` channels of `l_s` positions, `L` has `b`
/// channels of `l_l`; the result is `(a, b/groups, k…)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Correlate {
    pub n: usize,
    pub a: usize,
    pub b: usize,
    pub groups: usize,
    pub k: [usize; 3],
    pub s: [usize; 3],
    pub p: [usize; 3],
    pub d: [usize; 3],
    pub l_s: [usize; 3],
    pub l_l: [usize; 3],
}

impl Correlate {
    pub fn s_image(&self) -> usize {
        self.a * self.l_s.iter().product::<usize>()
    }
    pub fn l_image(&self) -> usize {
        self.b * self.l_l.iter().product::<usize>()
    }
    /// Elements of the weight gradient.
    pub fn weight_len(&self) -> usize {
        self.a * (self.b / self.groups) * self.k.iter().product::<usize>()
    }

    /// The positions `j` in `[lo, hi)` along axis `a` that tap `t` pairs with an index of `L`.
    pub fn span(&self, a: usize, t: usize) -> (usize, usize) {
        position_span(
            t * self.d[a],
            self.s[a],
            self.p[a],
            self.l_s[a],
            self.l_l[a],
        )
    }

    /// The CPU reference: the `k…` taps of one (a, b_g) pair per task, each summed over n, then
    /// every position of `S` in order; a position whose index falls on `L`'s zero padding adds
    /// `S · 0` (as PyTorch's im2col does: NaN where `S` is inf or NaN).
    pub fn cpu<T: Real>(&self, s_data: &[T], l_data: &[T]) -> Result<Vec<T>> {
        let mut out = zeros(self.weight_len())?;
        let kp: usize = self.k.iter().product();
        if out.is_empty() || kp == 0 {
            return Ok(out);
        }
        let bg = self.b / self.groups;
        let ag = self.a / self.groups;
        let s_plane: usize = self.l_s.iter().product();
        let l_plane: usize = self.l_l.iter().product();
        let [ly, lx] = [self.l_l[1], self.l_l[2]];
        let [sy, sx] = [self.l_s[1], self.l_s[2]];
        let at = |a: usize, j: usize, t: usize| j * self.s[a] + t * self.d[a] - self.p[a];
        let inside = |j: usize, (lo, hi): (usize, usize)| lo <= j && j < hi;
        par_chunks(&mut out, kp, |pair, taps| {
            let (a, b_g) = (pair / bg, pair % bg);
            let b = (a / ag) * bg + b_g;
            let mut i = 0;
            for tz in 0..self.k[0] {
                let zs = self.span(0, tz);
                for ty in 0..self.k[1] {
                    let ys = self.span(1, ty);
                    for tx in 0..self.k[2] {
                        let xs = self.span(2, tx);
                        let mut acc = T::default();
                        for n in 0..self.n {
                            let sp = &s_data[(n * self.a + a) * s_plane..][..s_plane];
                            let lp = &l_data[(n * self.b + b) * l_plane..][..l_plane];
                            for jz in 0..self.l_s[0] {
                                for jy in 0..sy {
                                    let sr = &sp[(jz * sy + jy) * sx..][..sx];
                                    if !(inside(jz, zs) && inside(jy, ys)) {
                                        for &v in sr {
                                            acc += v * T::default();
                                        }
                                        continue;
                                    }
                                    let (iz, iy) = (at(0, jz, tz), at(1, jy, ty));
                                    let lr = &lp[(iz * ly + iy) * lx..][..lx];
                                    for (jx, &v) in sr.iter().enumerate() {
                                        acc += if inside(jx, xs) {
                                            v * lr[at(2, jx, tx)]
                                        } else {
                                            v * T::default()
                                        };
                                    }
                                }
                            }
                        }
                        taps[i] = acc;
                        i += 1;
                    }
                }
            }
        });
        Ok(out)
    }
}

/// `out[c] = Σ_{n, positions} y[n, c, …]` for `y` of `n` images of `c` channels of `plane`
/// elements (a bias gradient).
pub(crate) fn channel_sums<T: Real>(y: &[T], n: usize, c: usize, plane: usize) -> Result<Vec<T>> {
    if y.len() != n * c * plane {
        return Err(Error::shape(format!(
            "internal: {} elements for {n} x {c} x {plane}",
            y.len()
        )));
    }
    let mut out = zeros(c)?;
    for (ch, o) in out.iter_mut().enumerate() {
        let mut acc = T::default();
        for i in 0..n {
            for &v in &y[(i * c + ch) * plane..][..plane] {
                acc += v;
            }
        }
        *o = acc;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_and_position_spans_match_a_scan() {
        for s in 1..4 {
            for p in 0..4 {
                for d in 1..4 {
                    for k in 1..5 {
                        for len in 1..7 {
                            for o in 0..8 {
                                let want: Vec<usize> = (0..k)
                                    .filter(|&t| {
                                        let i = (o * s + t * d) as i64 - p as i64;
                                        i >= 0 && i < len as i64
                                    })
                                    .collect();
                                let (lo, hi) = tap_span(o, s, p, d, k, len);
                                assert_eq!(
                                    (lo..hi).collect::<Vec<_>>(),
                                    want,
                                    "{o} {s} {p} {d} {k} {len}"
                                );
                            }
                            for t in 0..10 {
                                let count = 6;
                                let want: Vec<usize> = (0..count)
                                    .filter(|&j| {
                                        let i = (j * s + t) as i64 - p as i64;
                                        i >= 0 && i < len as i64
                                    })
                                    .collect();
                                let (lo, hi) = position_span(t, s, p, count, len);
                                assert_eq!((lo..hi).collect::<Vec<_>>(), want, "{t} {s} {p} {len}");
                            }
                        }
                    }
                }
            }
        }
    }
}
