//! Output quality of the upsamplers, in pictures and numbers (the `quality` and `resize`
//! examples).
//!
//! - [`image`]: a planar f32 image on the 8-bit scale, PNG/JPEG I/O, the synthetic zone plate
//!   and text/edge test card;
//! - [`metrics`]: PSNR, SSIM (scikit-image's conventions), and the checkerboard measures
//!   (per-phase gains and the share of energy at the stride's frequencies, for a constant input);
//! - [`methods`]: the upsamplers compared: every 2-D interpolation mode, and depthwise
//!   `ConvTranspose2d` with the FCN bilinear initialisation or PyTorch's random one (rescaled to
//!   unit mean gain);
//! - [`resize`]: resizing 8-bit image files on the GPU;
//! - [`sheet`] and [`font`]: labelled contact sheets with a built-in 5×7 bitmap font.

pub mod font;
pub mod image;
pub mod methods;
pub mod metrics;
pub mod resize;
pub mod sheet;

pub use self::image::{Image, text_pattern, zone_plate};
pub use methods::{
    Method, Upsampler, bilinear_conv_transpose, bilinear_kernel, normalise_mean_gain,
    random_conv_transpose,
};
pub use metrics::{Checkerboard, checkerboard, psnr, psnr_image, ssim_image, ssim_plane};
pub use resize::{ResizeOptions, ResizeTarget, resize_file, resize_image};
pub use sheet::{Row, Tile, contact_sheet};
