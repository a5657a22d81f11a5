//! The decoders: one body (conv3 3→C, ReLU, …, conv3 C→3) around five different ×2 upsamplers.

use anyhow::{Result, bail};
use wgpu_upsample::{
    Conv, ConvOptions, ConvPadding, ConvTranspose, ConvTransposeOptions, GpuContext, GpuParams,
    GpuTensor, Op, PixelShuffle, Relu, Tensor, Upsample, UpsampleMode, icnr_bias, icnr_from,
};

/// The decoders, by their letter.
pub const DECODERS: [(char, &str); 5] = [
    ('a', "ConvT k4 s2 p1"),
    ('b', "ConvT k3 s2 p1 op1"),
    ('c', "nearest x2 + conv3"),
    ('d', "bilinear x2 + conv3"),
    ('e', "conv3 (4C) + PixelShuffle, ICNR"),
];

/// The name of decoder `key`.
pub fn decoder_name(key: char) -> Option<&'static str> {
    DECODERS.iter().find(|d| d.0 == key).map(|d| d.1)
}

/// Whether decoder `key` upsamples with a transposed convolution.
pub fn is_conv_transpose(key: char) -> bool {
    matches!(key, 'a' | 'b')
}

/// Whether decoder `key` upsamples by interpolation followed by a convolution.
pub fn is_resize_conv(key: char) -> bool {
    matches!(key, 'c' | 'd')
}

/// One layer of a decoder.
#[derive(Debug)]
pub(super) enum Layer {
    Conv(Conv),
    ConvT(ConvTranspose),
    Up(Upsample),
    Relu,
    Shuffle(PixelShuffle),
}

impl Layer {
    pub(super) fn op(&self) -> &dyn Op {
        match self {
            Layer::Conv(l) => l,
            Layer::ConvT(l) => l,
            Layer::Up(l) => l,
            Layer::Relu => &Relu,
            Layer::Shuffle(l) => l,
        }
    }

    pub(super) fn parameters_gpu(&self, ctx: &GpuContext) -> Result<Option<GpuParams>> {
        Ok(match self {
            Layer::Conv(l) => Some(l.parameters_gpu(ctx)?),
            Layer::ConvT(l) => Some(l.parameters_gpu(ctx)?),
            _ => None,
        })
    }

    /// grad_input from grad_output (`x` the layer's input).
    pub(super) fn encode_backward(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        gy: &GpuTensor,
        gx: &GpuTensor,
    ) -> Result<()> {
        match self {
            Layer::Conv(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::ConvT(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::Up(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
            Layer::Relu => Relu::encode_backward(ctx, enc, x, gy, gx)?,
            Layer::Shuffle(l) => l.backward(x.shape())?.encode_gpu(ctx, enc, gy, gx)?,
        }
        Ok(())
    }

    pub(super) fn encode_grad_params(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        gy: &GpuTensor,
        grads: &GpuParams,
    ) -> Result<()> {
        let (w, b) = (&grads.weight, grads.bias.as_ref());
        match self {
            Layer::Conv(l) => l.encode_grad_params(ctx, enc, x, gy, w, b, false)?,
            Layer::ConvT(l) => l.encode_grad_params(ctx, enc, x, gy, w, b, false)?,
            _ => {}
        }
        Ok(())
    }

    pub(super) fn encode_weights_changed(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
    ) -> Result<()> {
        match self {
            Layer::Conv(l) => l.encode_weights_changed(ctx, enc)?,
            Layer::ConvT(l) => l.encode_weights_changed(ctx, enc)?,
            _ => {}
        }
        Ok(())
    }
}

fn conv3(c_in: usize, c_out: usize) -> ConvOptions {
    ConvOptions::new(2, c_in, c_out, [3]).padding(ConvPadding::Explicit(vec![1]))
}

/// The layers of decoder `key` with `c` channels, weights from `seed` (PyTorch's default init;
/// ICNR for the sub-pixel convolution) and the last convolution's bias set to `out_bias` (the
/// training image's mean colour, the same for every decoder: the constant a decoder would
/// otherwise spend its first steps learning).
pub(super) fn decoder(key: char, c: usize, seed: u64, out_bias: [f32; 3]) -> Result<Vec<Layer>> {
    let s = |i: u64| seed.wrapping_mul(1000).wrapping_add(i);
    let mut layers = vec![Layer::Conv(Conv::new(conv3(3, c), s(1))?), Layer::Relu];
    match key {
        'a' => layers.push(Layer::ConvT(ConvTranspose::new(
            ConvTransposeOptions::new(2, c, c, [4])
                .stride([2])
                .padding([1]),
            s(2),
        )?)),
        'b' => layers.push(Layer::ConvT(ConvTranspose::new(
            ConvTransposeOptions::new(2, c, c, [3])
                .stride([2])
                .padding([1])
                .output_padding([1]),
            s(2),
        )?)),
        'c' | 'd' => {
            let mode = if key == 'c' {
                UpsampleMode::Nearest
            } else {
                UpsampleMode::Bilinear
            };
            layers.push(Layer::Up(Upsample::with_scale_factor([2.0], mode)));
            layers.push(Layer::Conv(Conv::new(conv3(c, c), s(2))?));
        }
        'e' => {
            let base = Conv::new(conv3(c, c), s(2))?;
            let w = icnr_from(base.weight(), 2)?;
            let b = base.bias().map(|b| icnr_bias(b, 2)).transpose()?;
            layers.push(Layer::Conv(Conv::from_weights(conv3(c, 4 * c), w, b)?));
            layers.push(Layer::Shuffle(PixelShuffle::new(2)));
        }
        _ => bail!("unknown decoder {key:?}"),
    }
    let last = Conv::new(conv3(c, 3), s(3))?;
    let bias = Tensor::new(&[3], out_bias.to_vec())?;
    layers.push(Layer::Conv(Conv::from_weights(
        conv3(c, 3),
        last.weight().clone(),
        Some(bias),
    )?));
    Ok(layers)
}
