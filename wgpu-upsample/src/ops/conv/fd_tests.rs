//! Finite-difference checks of every convolution gradient, in f64 on the CPU references: for a
//! loss `<grad_y, forward(x, W, b)>`, central differences against grad_input, grad_weight and
//! grad_bias, on random layers of both kinds (every argument, 1-3 spatial axes).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::plan::channel_sums;
use super::{ConvOptions, ConvPadding};
use crate::ops::conv_transpose::{self, ConvTransposeOptions};

/// Central differences of a function linear in each argument are exact but for rounding.
const TOL: f64 = 1e-9;
const EPS: f64 = 1e-3;

fn random(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Checks `analytic` against central differences of `loss` along up to 24 coordinates of `v`.
fn check(what: &str, rng: &mut StdRng, v: &[f64], analytic: &[f64], loss: impl Fn(&[f64]) -> f64) {
    assert_eq!(v.len(), analytic.len(), "{what}: length");
    let mut probe = v.to_vec();
    for _ in 0..24.min(v.len()) {
        let i = rng.random_range(0..v.len());
        probe[i] = v[i] + EPS;
        let up = loss(&probe);
        probe[i] = v[i] - EPS;
        let down = loss(&probe);
        probe[i] = v[i];
        let fd = (up - down) / (2.0 * EPS);
        assert!(
            (fd - analytic[i]).abs() <= TOL * analytic[i].abs().max(1.0),
            "{what}[{i}]: finite difference {fd}, analytic {}",
            analytic[i]
        );
    }
}

fn per_axis(rng: &mut StdRng, dims: usize, lo: usize, hi: usize) -> Vec<usize> {
    (0..dims).map(|_| rng.random_range(lo..=hi)).collect()
}

#[test]
fn conv_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut checked = 0;
    while checked < 60 {
        let dims = rng.random_range(1..=3);
        let groups = rng.random_range(1..=2);
        let (cin, cout) = (
            groups * rng.random_range(1..=2),
            groups * rng.random_range(1..=2),
        );
        let k = per_axis(&mut rng, dims, 1, 3);
        let padding = match rng.random_range(0..3) {
            0 => ConvPadding::Same,
            1 => ConvPadding::Valid,
            _ => ConvPadding::Explicit(per_axis(&mut rng, dims, 0, 2)),
        };
        let stride = if padding == ConvPadding::Same {
            vec![1]
        } else {
            per_axis(&mut rng, dims, 1, 3)
        };
        let opts = ConvOptions::new(dims, cin, cout, k)
            .stride(stride)
            .padding(padding)
            .dilation(per_axis(&mut rng, dims, 1, 2))
            .groups(groups);
        let layer = opts.layer().unwrap();
        let mut shape = vec![rng.random_range(1..=2), cin];
        shape.extend(per_axis(&mut rng, dims, 3, [0, 9, 6, 4][dims]));
        let Ok(geo) = layer.geometry(&shape) else {
            continue; // the kernel is larger than the padded input
        };
        let n_in: usize = shape.iter().product();
        let n_out: usize = geo.output_shape().iter().product();
        let x = random(&mut rng, n_in);
        let w = random(&mut rng, layer.weight_shape().iter().product());
        let b = random(&mut rng, cout);
        let gy = random(&mut rng, n_out);
        let g = geo.gather();
        let loss = |x: &[f64], w: &[f64], b: &[f64]| dot(&gy, &g.cpu(x, w, Some(b)).unwrap());
        let what = format!("{opts:?} on {shape:?}");
        let gx = conv_transpose::cpu::forward(&geo.transposed(), &gy, &w, None).unwrap();
        check(&format!("{what}: grad_input"), &mut rng, &x, &gx, |x| {
            loss(x, &w, &b)
        });
        let gw = geo.correlate().cpu(&gy, &x).unwrap();
        check(&format!("{what}: grad_weight"), &mut rng, &w, &gw, |w| {
            loss(&x, w, &b)
        });
        let gb = channel_sums(&gy, geo.n, cout, geo.l_out.iter().product()).unwrap();
        check(&format!("{what}: grad_bias"), &mut rng, &b, &gb, |b| {
            loss(&x, &w, b)
        });
        checked += 1;
    }
}

#[test]
fn conv_transpose_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut checked = 0;
    while checked < 60 {
        let dims = rng.random_range(1..=3);
        let groups = rng.random_range(1..=2);
        let (cin, cout) = (
            groups * rng.random_range(1..=2),
            groups * rng.random_range(1..=2),
        );
        let stride = per_axis(&mut rng, dims, 1, 3);
        let dilation = per_axis(&mut rng, dims, 1, 2);
        let output_padding: Vec<usize> = stride
            .iter()
            .zip(&dilation)
            .map(|(&s, &d)| rng.random_range(0..s.max(d)))
            .collect();
        let opts = ConvTransposeOptions::new(dims, cin, cout, per_axis(&mut rng, dims, 1, 3))
            .stride(stride)
            .padding(per_axis(&mut rng, dims, 0, 2))
            .output_padding(output_padding)
            .dilation(dilation)
            .groups(groups);
        let layer = opts.layer().unwrap();
        let mut shape = vec![rng.random_range(1..=2), cin];
        shape.extend(per_axis(&mut rng, dims, 1, [0, 6, 4, 3][dims]));
        let Ok(geo) = layer.geometry(&shape, None) else {
            continue; // padding leaves no output
        };
        let n_in: usize = shape.iter().product();
        let n_out: usize = geo.output_shape().iter().product();
        let x = random(&mut rng, n_in);
        let w = random(&mut rng, layer.weight_shape().iter().product());
        let b = random(&mut rng, cout);
        let gy = random(&mut rng, n_out);
        let loss = |x: &[f64], w: &[f64], b: &[f64]| {
            dot(
                &gy,
                &conv_transpose::cpu::forward(&geo, x, w, Some(b)).unwrap(),
            )
        };
        let what = format!("{opts:?} on {shape:?}");
        let gx = geo.gather().cpu(&gy, &w, None).unwrap();
        check(&format!("{what}: grad_input"), &mut rng, &x, &gx, |x| {
            loss(x, &w, &b)
        });
        let gw = geo.correlate().cpu(&x, &gy).unwrap();
        check(&format!("{what}: grad_weight"), &mut rng, &w, &gw, |w| {
            loss(&x, w, &b)
        });
        let gb = channel_sums(&gy, geo.n, cout, geo.l_out.iter().product()).unwrap();
        check(&format!("{what}: grad_bias"), &mut rng, &b, &gb, |b| {
            loss(&x, &w, b)
        });
        checked += 1;
    }
}
