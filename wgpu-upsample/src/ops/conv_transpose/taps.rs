//! Which kernel taps reach which output, per axis, without testing and discarding any.
//!
//! Along one axis the gather form is `y[o] = Σk x[(o + p - k*d) / s] · w[k]`, counting a tap only
//! when `s` divides `o + p - k*d` and the quotient is in `[0, L_in)`. With `g = gcd(d, s)`, the
//! taps that divide form an arithmetic progression in `k` with step `s/g`, and their input indices
//! one with step `d/g`, both fixed by the output's phase `(o + p) mod s`. So per phase the host
//! records the first tap `k0` and the tap count, and each output computes the exact sub-range of
//! that progression whose input index is in range: about `⌈k/s⌉` taps per axis, none wasted. The
//! GPU kernels do the same arithmetic (`tap_range` in `shaders/conv_transpose/direct.wgsl`, the
//! phase tables in `gemm.wgsl`).

/// The tap progressions of one axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AxisTaps {
    pub k: usize,
    pub s: usize,
    pub p: usize,
    pub d: usize,
    /// Step between contributing taps (`s / gcd(d, s)`).
    pub step: usize,
    /// Step between their input indices (`d / gcd(d, s)`).
    pub e: usize,
    /// Per phase `r = (o + p) mod s`: first contributing tap and number of taps (0: none).
    pub first: Vec<usize>,
    pub count: Vec<usize>,
}

/// The taps of one output index: tap `k0 + j*step` reads input `base - j*e`, for `j` in `lo..=hi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TapRange {
    pub k0: usize,
    pub base: i64,
    pub lo: i64,
    pub hi: i64,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl AxisTaps {
    /// `k`, `s`, `d` >= 1.
    pub fn new(k: usize, s: usize, p: usize, d: usize) -> Self {
        let g = gcd(d, s);
        let (step, e) = (s / g, d / g);
        let mut first = vec![0; s];
        let mut count = vec![0; s];
        for r in 0..s {
            // The smallest k with k*d ≡ r (mod s); solutions repeat every `step`.
            if let Some(k0) = (0..k.min(step)).find(|&kk| (kk * d) % s == r) {
                first[r] = k0;
                count[r] = (k - 1 - k0) / step + 1;
            }
        }
        Self {
            k,
            s,
            p,
            d,
            step,
            e,
            first,
            count,
        }
    }

    /// The contributing taps of output `o` for an input of length `l_in`.
    pub fn range(&self, o: usize, l_in: usize) -> TapRange {
        let q = (o + self.p) as i64;
        let r = (q % self.s as i64) as usize;
        let (k0, n) = (self.first[r], self.count[r] as i64);
        let base = (q - (k0 * self.d) as i64) / self.s as i64;
        let e = self.e as i64;
        // i = base - j*e must satisfy 0 <= i <= l_in - 1.
        let lo = ((base - (l_in as i64 - 1)).max(0) as u64).div_ceil(e as u64) as i64;
        let hi = if base < 0 { -1 } else { (base / e).min(n - 1) };
        TapRange { k0, base, lo, hi }
    }

    /// `(tap, input index)` pairs of output `o`.
    pub fn taps(&self, o: usize, l_in: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let t = self.range(o, l_in);
        (t.lo..=t.hi).map(move |j| {
            (
                t.k0 + j as usize * self.step,
                (t.base - j * self.e as i64) as usize,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progression gives exactly the taps the plain divisibility test accepts.
    #[test]
    fn taps_equal_the_plain_gather_formula() {
        for k in 1..=6 {
            for s in 1..=4 {
                for d in 1..=4 {
                    for p in 0..=4 {
                        for l_in in 1..=5 {
                            let axis = AxisTaps::new(k, s, p, d);
                            let l_out = (l_in - 1) * s + d * (k - 1) + s;
                            for o in 0..l_out {
                                let got: Vec<_> = axis.taps(o, l_in).collect();
                                let want: Vec<_> = (0..k)
                                    .filter_map(|kk| {
                                        let num = (o + p) as i64 - (kk * d) as i64;
                                        (num % s as i64 == 0
                                            && num >= 0
                                            && num / (s as i64) < l_in as i64)
                                            .then(|| (kk, (num / s as i64) as usize))
                                    })
                                    .collect();
                                assert_eq!(got, want, "k{k} s{s} d{d} p{p} L{l_in} o{o}");
                            }
                        }
                    }
                }
            }
        }
    }
}
