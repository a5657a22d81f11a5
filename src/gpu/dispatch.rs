//! Dispatch grids: spreading a 1-D range of workgroups over up to three dimensions so that none
//! exceeds the device's per-dimension limit (65 535 on most adapters).
//!
//! Kernels recover the linear workgroup index with `linear_workgroup` from `shaders/common.wgsl`.

use crate::error::{Error, Result};

/// Workgroup counts `[x, y, z]` covering at least `workgroups` workgroups, each at most `max_dim`.
/// The grid may hold more than `workgroups` workgroups; kernels return early past the end.
pub(crate) fn grid(workgroups: u64, max_dim: u32) -> Result<[u32; 3]> {
    let max = max_dim.max(1) as u64;
    if workgroups == 0 {
        return Ok([0, 0, 0]);
    }
    let x = workgroups.min(max);
    let rows = workgroups.div_ceil(x);
    let y = rows.min(max);
    let z = rows.div_ceil(y);
    if z > max {
        return Err(Error::LimitExceeded(format!(
            "{workgroups} workgroups do not fit a {max}×{max}×{max} dispatch grid"
        )));
    }
    Ok([x as u32, y as u32, z as u32])
}

/// Workgroups needed for `threads` threads in groups of `workgroup_size`.
pub(crate) fn workgroups_for(threads: u64, workgroup_size: u32) -> u64 {
    threads.div_ceil(workgroup_size as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_and_stays_in_limits() {
        for &(n, max) in &[
            (1u64, 65_535u32),
            (65_535, 65_535),
            (65_536, 65_535),
            (10_000_000, 65_535),
            (7, 2),
            (9, 3),
        ] {
            let [x, y, z] = grid(n, max).unwrap();
            assert!(x <= max && y <= max && z <= max, "{n} {max}");
            let total = x as u64 * y as u64 * z as u64;
            assert!(total >= n, "{n}: {x}×{y}×{z}");
        }
        assert!(grid(28, 3).is_err());
        assert_eq!(grid(0, 65_535).unwrap(), [0, 0, 0]);
    }
}
