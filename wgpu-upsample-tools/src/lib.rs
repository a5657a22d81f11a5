//! The tools around the `wgpu-upsample` kernels, built on the library's public API only: the
//! comparison ([`compare`], the `compare` example), the copy-kernel bandwidth probe
//! ([`bandwidth`]) and the image tools ([`quality`]: metrics, upsamplers, contact sheet, resize).
#![doc = ""]
#![warn(missing_docs)]

pub mod bandwidth;
pub mod compare;
pub mod quality;
pub mod train;
