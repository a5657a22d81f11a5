//! `PixelShuffle` / `PixelUnshuffle`: the factor, PyTorch's checks, and the resolved plan (output
//! shape and plane sizes) that the GPU launch and the CPU reference share.

use crate::error::{Error, Result};
use crate::tensor::checked_numel;

/// The direction of the rearrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `(*, C·r², H, W) -> (*, C, H·r, W·r)`.
    Shuffle,
    /// `(*, C, H·r, W·r) -> (*, C·r², H, W)`.
    Unshuffle,
}

impl Direction {
    /// PyTorch's function name, as in its messages.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Shuffle => "pixel_shuffle",
            Direction::Unshuffle => "pixel_unshuffle",
        }
    }

    /// The name of the factor argument.
    pub fn factor_name(self) -> &'static str {
        match self {
            Direction::Shuffle => "upscale_factor",
            Direction::Unshuffle => "downscale_factor",
        }
    }

    /// The other direction (the backward's).
    pub fn inverse(self) -> Self {
        match self {
            Direction::Shuffle => Direction::Unshuffle,
            Direction::Unshuffle => Direction::Shuffle,
        }
    }
}

/// One rearrangement resolved for an input shape. Both directions move whole planes: a plane is
/// one `(*, c)` index of the shuffled side, `r²·h·w` elements on either side, held as
/// `(r², h, w)` in the channel-stacked form and as `(h·r, w·r)` in the spatial form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub direction: Direction,
    /// The factor `r`.
    pub factor: usize,
    pub input_shape: Vec<usize>,
    pub output_shape: Vec<usize>,
    /// Planes: the product of the leading dimensions and `C` (the channels of the spatial form);
    /// 0 for an empty tensor.
    pub planes: usize,
    /// Height and width of the channel-stacked form.
    pub h: usize,
    pub w: usize,
    /// Elements of the input (and of the output).
    pub numel: usize,
}

impl Plan {
    /// Checks `input_shape` and `factor` as PyTorch does, in its order, with its messages.
    pub fn new(direction: Direction, factor: usize, input_shape: &[usize]) -> Result<Self> {
        let name = direction.name();
        let rank = input_shape.len();
        if rank < 3 {
            return Err(Error::shape(format!(
                "{name} expects input to have at least 3 dimensions, but got input with {rank} \
                 dimension(s)"
            )));
        }
        if factor == 0 {
            return Err(Error::arg(format!(
                "{name} expects a positive {}, but got 0",
                direction.factor_name()
            )));
        }
        let numel = checked_numel(input_shape)?;
        let [c, h, w] = [
            input_shape[rank - 3],
            input_shape[rank - 2],
            input_shape[rank - 1],
        ];
        let r = factor;
        let too_large = || {
            Error::LimitExceeded(format!(
                "the {name} of an input of shape {input_shape:?} with {}={r} has a dimension \
                 too large to represent",
                direction.factor_name()
            ))
        };
        let (out_chw, planes_c, h_small, w_small) = match direction {
            Direction::Shuffle => {
                // PyTorch computes r² in int64 and refuses a factor whose square overflows it.
                let r2 = (r as u64)
                    .checked_mul(r as u64)
                    .filter(|&r2| r2 <= i64::MAX as u64)
                    .ok_or_else(|| {
                        Error::arg(format!(
                            "upscale factor is too large, (upscale_factor)^2 overflowed: \
                             upscale_factor={r}"
                        ))
                    })?;
                if !(c as u64).is_multiple_of(r2) {
                    return Err(Error::shape(format!(
                        "pixel_shuffle expects its input's 'channel' dimension to be divisible \
                         by the square of upscale_factor, but input.size(-3)={c} is not \
                         divisible by {r2}"
                    )));
                }
                let oc = (c as u64 / r2) as usize;
                let oh = h.checked_mul(r).ok_or_else(too_large)?;
                let ow = w.checked_mul(r).ok_or_else(too_large)?;
                ([oc, oh, ow], oc, h, w)
            }
            Direction::Unshuffle => {
                if !h.is_multiple_of(r) {
                    return Err(Error::shape(format!(
                        "pixel_unshuffle expects height to be divisible by downscale_factor, but \
                         input.size(-2)={h} is not divisible by {r}"
                    )));
                }
                if !w.is_multiple_of(r) {
                    return Err(Error::shape(format!(
                        "pixel_unshuffle expects width to be divisible by downscale_factor, but \
                         input.size(-1)={w} is not divisible by {r}"
                    )));
                }
                let oc = r
                    .checked_mul(r)
                    .and_then(|r2| c.checked_mul(r2))
                    .ok_or_else(too_large)?;
                ([oc, h / r, w / r], c, h / r, w / r)
            }
        };
        let mut output_shape = input_shape[..rank - 3].to_vec();
        output_shape.extend_from_slice(&out_chw);
        checked_numel(&output_shape)?;
        // No overflow where there are elements: the planes divide the numel.
        let planes = match numel {
            0 => 0,
            _ => input_shape[..rank - 3].iter().product::<usize>() * planes_c,
        };
        Ok(Plan {
            direction,
            factor,
            input_shape: input_shape.to_vec(),
            output_shape,
            planes,
            h: h_small,
            w: w_small,
            numel,
        })
    }

    /// The plan of the other direction on this plan's output: its backward.
    pub fn inverse(&self) -> Self {
        Plan {
            direction: self.direction.inverse(),
            input_shape: self.output_shape.clone(),
            output_shape: self.input_shape.clone(),
            ..self.clone()
        }
    }

    /// Elements of one plane (`r²·h·w`), the same on both sides; 0 for an empty tensor (whose
    /// plane may be too large to count). Else the factors divide the checked numel.
    pub fn plane(&self) -> usize {
        if self.numel == 0 {
            return 0;
        }
        self.factor * self.factor * self.h * self.w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_planes() {
        let p = Plan::new(Direction::Shuffle, 2, &[2, 3, 8, 5, 7]).unwrap();
        assert_eq!(p.output_shape, [2, 3, 2, 10, 14]);
        assert_eq!((p.planes, p.h, p.w, p.plane()), (12, 5, 7, 140));
        let q = Plan::new(Direction::Unshuffle, 2, &p.output_shape).unwrap();
        assert_eq!(q.output_shape, p.input_shape);
        assert_eq!(p.inverse(), q);
        assert_eq!(q.inverse(), p);
        assert_eq!((q.planes, q.h, q.w, q.plane()), (12, 5, 7, 140));
        let e = Plan::new(Direction::Unshuffle, 3, &[0, 2, 3, 6]).unwrap();
        assert_eq!(
            (e.output_shape.clone(), e.numel, e.plane()),
            (vec![0, 18, 1, 2], 0, 0)
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let big = usize::MAX / 2 + 1;
        for (d, r, shape) in [
            (Direction::Shuffle, 3_037_000_500, vec![1, 4, 1, 1]),
            (Direction::Shuffle, usize::MAX, vec![1, 4, 1, 1]),
            (Direction::Shuffle, 2, vec![1, 4, 0, big]),
            (Direction::Shuffle, 1 << 31, vec![0, 0, 1 << 40, 1 << 40]),
            (Direction::Unshuffle, 1 << 62, vec![1, 4, 0, 0]),
            (Direction::Unshuffle, 1 << 20, vec![1, 1 << 30, 0, 0]),
            (Direction::Unshuffle, 2, vec![big, big, 0, 2]),
        ] {
            assert!(Plan::new(d, r, &shape).is_err(), "{d:?} {r} {shape:?}");
        }
        // Empty tensors whose leading dimensions times C would overflow are fine.
        let e = Plan::new(Direction::Shuffle, 2, &[1 << 40, 0, 1 << 42, 1, 1]).unwrap();
        assert_eq!(
            (e.output_shape, e.planes),
            (vec![1 << 40, 0, 1 << 40, 2, 2], 0)
        );
    }
}
