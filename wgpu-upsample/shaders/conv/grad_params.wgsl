// Weight and bias gradients of the convolutions: the parameters and bindings shared by grad.wgsl
// and the weight-gradient GEMM on the subgroup core (grad_sg.wgsl).

struct Params {
    n: u32,              // images in this chunk
    a: u32, b: u32,      // channels of S and L
    ag: u32, bg: u32,    // per group
    len: u32,            // elements of the gradient (weight: a·bg·taps; bias: channels)
    s_offset: u32,       // element offsets of this chunk in the bound ranges
    l_offset: u32,
    split0: u32,         // this chunk's first split in the partial sums
    splits: u32,         // splits of this chunk
    per_split: u32,      // rows (n, jz, jy) of S per split; bias: elements (n, position)
    wg_per_split: u32,   // workgroups per split
    k: vec4<u32>,        // (D, H, W, _)
    s: vec4<u32>,
    p: vec4<u32>,
    d: vec4<u32>,
    l_s: vec4<u32>,      // spatial sizes of S (bias: of grad_y)
    l_l: vec4<u32>,      // spatial sizes of L
    accumulate: u32,     // reduce_splits: add to the gradient already there
    tiles_n: u32,        // weight_gemm: column tiles
    zero: f32,           // 0.0 the compiler cannot fold away (S · 0 must stay NaN for an inf S)
    _pad3: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> s_data: array<f32>;
@group(0) @binding(2) var<storage, read> l_data: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

