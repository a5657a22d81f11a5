//! The copy-kernel bandwidth probe.

mod common;

use wgpu_upsample_tools::bandwidth::copy_bandwidth;

#[test]
fn copy_bandwidth_rounds_to_vec4s_and_is_positive() {
    let ctx = common::gpu();
    let c = copy_bandwidth(ctx, 1000, 3, 1).unwrap();
    assert_eq!(c.bytes, 1008);
    assert_eq!(c.bytes_moved(), 2016);
    assert_eq!(c.timing.samples.len(), 3);
    assert!(c.gb_per_s() > 0.0 && c.gb_per_s().is_finite());
    // time_for is linear in the bytes, and gives back the median for the measured size.
    let t = c.time_for(c.bytes_moved()).as_secs_f64();
    let m = c.timing.median.as_secs_f64();
    assert!((t - m).abs() <= 1e-9 + 1e-6 * m, "{t} vs {m}");
    let t2 = c.time_for(2 * c.bytes_moved()).as_secs_f64();
    assert!((t2 - 2.0 * m).abs() <= 1e-9 + 1e-6 * m, "{t2} vs 2 × {m}");
    assert!(c.min_time_for(c.bytes_moved()) <= c.time_for(c.bytes_moved()));
}
