//! The layers: one folder per op, each with its options and checks, plan, GPU launch and CPU
//! reference.

pub mod conv;
pub mod conv_transpose;
pub mod copy;
pub(crate) mod gemm;
pub mod loss;
pub mod optim;
pub mod pixel_shuffle;
pub mod relu;
pub mod upsample;

/// Every kernel of the library (for the test that checks them against their shaders).
#[cfg(test)]
pub(crate) fn all_kernels() -> Vec<&'static crate::gpu::kernel::Kernel> {
    [
        copy::kernels(),
        upsample::kernels(),
        conv_transpose::kernels(),
        conv::kernels(),
        pixel_shuffle::kernels(),
        optim::kernels(),
        relu::kernels(),
        loss::kernels(),
    ]
    .concat()
}
