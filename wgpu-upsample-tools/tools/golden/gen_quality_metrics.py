#!/usr/bin/env python3
"""Reference PSNR and SSIM values from scikit-image, for tests/quality.rs.

How to run (from the repository root):

    python -m venv /tmp/torch && /tmp/torch/bin/pip install numpy scikit-image   # once
    /tmp/torch/bin/python tools/golden/gen_quality_metrics.py

It (re)writes tests/fixtures/quality_metrics.json, deterministically (seeded
numpy generator). Each case is a pair of 8-bit images (values 0..=255, stored
planar: channel, row, column) and scikit-image's

    peak_signal_noise_ratio(a, b, data_range=255)
    structural_similarity(a, b, data_range=255, gaussian_weights=True,
                          sigma=1.5, use_sample_covariance=False,
                          channel_axis=...)   # mean over channels

which is Wang et al. (2004): 11x11 Gaussian window (sigma 1.5, truncate 3.5),
K1 = 0.01, K2 = 0.03, population (co)variances, mean over the windows that lie
fully inside the image. The crate's quality::metrics uses the same conventions.
"""
import json
import os

import numpy as np
import skimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures",
                   "quality_metrics.json")


def smooth(rng, c, h, w):
    """A smooth random image: a few random sinusoids on a gradient."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.empty((c, h, w))
    for ch in range(c):
        v = 60 + 120 * (x + y) / (h + w)
        for _ in range(3):
            fx, fy, ph = rng.uniform(0.02, 0.25), rng.uniform(0.02, 0.25), rng.uniform(0, 6.3)
            v += 25 * np.sin(fx * x + fy * y + ph)
        img[ch] = v
    return img


def u8(v):
    return np.clip(np.round(v), 0, 255).astype(np.uint8)


def case(name, a, b):
    """a, b: planar uint8 arrays (C, H, W)."""
    c = a.shape[0]
    af, bf = a.astype(np.float64), b.astype(np.float64)
    if c == 1:
        ssim = structural_similarity(af[0], bf[0], data_range=255, gaussian_weights=True,
                                     sigma=1.5, use_sample_covariance=False)
    else:
        ssim = structural_similarity(af, bf, data_range=255, gaussian_weights=True,
                                     sigma=1.5, use_sample_covariance=False, channel_axis=0)
    psnr = peak_signal_noise_ratio(af, bf, data_range=255)
    return {
        "name": name,
        "channels": int(c),
        "height": int(a.shape[1]),
        "width": int(a.shape[2]),
        "a": a.ravel().tolist(),
        "b": b.ravel().tolist(),
        "psnr": float(psnr),
        "ssim": float(ssim),
    }


def main():
    rng = np.random.default_rng(20240605)
    cases = []
    # Gray, smooth image against itself plus Gaussian noise (sigma 10).
    a = u8(smooth(rng, 1, 28, 32))
    b = u8(a + rng.normal(0, 10, a.shape))
    cases.append(case("gray smooth + noise sigma 10", a, b))
    # RGB, smooth image against a 3x3 box-blurred copy (structure kept, contrast lost).
    a = u8(smooth(rng, 3, 24, 26))
    p = np.pad(a.astype(np.float64), ((0, 0), (1, 1), (1, 1)), mode="edge")
    blur = sum(p[:, dy:dy + 24, dx:dx + 26] for dy in range(3) for dx in range(3)) / 9
    cases.append(case("rgb smooth vs 3x3 box blur", a, u8(blur)))
    # RGB, uniform noise against independent uniform noise (SSIM near 0).
    a = rng.integers(0, 256, (3, 20, 23), dtype=np.uint8)
    b = rng.integers(0, 256, (3, 20, 23), dtype=np.uint8)
    cases.append(case("rgb independent noise", a, b))
    # Gray, brightness and contrast change: b = 0.8 a + 30.
    a = u8(smooth(rng, 1, 16, 40))
    cases.append(case("gray 0.8a+30", a, u8(0.8 * a.astype(np.float64) + 30)))

    doc = {
        "generator": "tools/golden/gen_quality_metrics.py",
        "scikit_image_version": skimage.__version__,
        "numpy_version": np.__version__,
        "conventions": "data_range=255; SSIM gaussian_weights=True sigma=1.5 (11x11), "
                       "use_sample_covariance=False, K1=0.01 K2=0.03, mean over channels; "
                       "images planar (C, H, W) u8",
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(f"{c['name']:32} psnr {c['psnr']:.6f}  ssim {c['ssim']:.9f}")


if __name__ == "__main__":
    main()
