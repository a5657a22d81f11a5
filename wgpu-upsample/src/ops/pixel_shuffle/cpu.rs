//! The CPU reference: a gather, each output element copied from its one input element, in output
//! order.

use super::options::{Direction, Plan};
use crate::error::Result;
use crate::tensor::with_capacity;

/// The rearrangement of `input` (of the plan's input shape) as its output's elements.
pub(crate) fn forward(plan: &Plan, input: &[f32]) -> Result<Vec<f32>> {
    debug_assert_eq!(input.len(), plan.numel);
    let mut out = with_capacity(plan.numel)?;
    let (r, h, w) = (plan.factor, plan.h, plan.w);
    let plane = plan.plane();
    for p in 0..plan.planes {
        let src = &input[p * plane..(p + 1) * plane];
        match plan.direction {
            // out[y·r + i, x·r + j] = src[i·r + j, y, x]
            Direction::Shuffle => {
                for y in 0..h {
                    for i in 0..r {
                        for x in 0..w {
                            for j in 0..r {
                                out.push(src[((i * r + j) * h + y) * w + x]);
                            }
                        }
                    }
                }
            }
            // out[i·r + j, y, x] = src[y·r + i, x·r + j]
            Direction::Unshuffle => {
                for i in 0..r {
                    for j in 0..r {
                        for y in 0..h {
                            for x in 0..w {
                                out.push(src[(y * r + i) * (w * r) + x * r + j]);
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}
