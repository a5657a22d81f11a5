// Shared by the upsample kernels: parameters, bindings, output rows.
// Layout mirrors `Params` in src/ops/upsample/launch.rs (checked by a test); WG (threads per
// workgroup), STRIP (outputs per thread along x), ROWS and YZ_WEIGHTS (x2) come from Rust.
//
// Work layout: each workgroup owns one segment of one output row (a row is a fixed plane, z, y);
// its 64 threads walk the segment's x positions 64 apart, STRIP times. So the row's coordinates
// (integer divisions, which lavapipe cannot vectorise) and its per-row taps are computed once per
// thread for STRIP outputs, and neighbouring threads touch neighbouring addresses.

struct Params {
    rows: u32,        // output rows (planes · out_d · out_h) in this dispatch
    in_offset: u32,   // element offset of this chunk's first input plane in the bound range
    out_offset: u32,  // element offset of this chunk's first output plane in the bound range
    taps: u32,        // antialias: weight slots per output index
    in_d: u32, in_h: u32, in_w: u32, segs: u32,      // segs: row segments per row
    out_d: u32, out_h: u32, out_w: u32,
    indexed: u32,     // window passes: the table lists each slot's input (else start + slot)
    tab_d: u32, tab_h: u32, tab_w: u32,  // word offsets of each axis's table in `tab`
    zero: f32,        // 0.0: x2 multiplies PyTorch's zero-weight border taps by it (NaN · 0 = NaN)
    // x2 backward: the interior [edge_qa, edge_qb) threads, [edge_ja, edge_jb) rows (the rest are
    // the edges, see x2_backward.wgsl).
    edge_qa: u32, edge_qb: u32, edge_ja: u32, edge_jb: u32,
    // x2.wgsl: each axis's tap weights for even and odd outputs: x even, x odd, y even, y odd,
    // z even, z odd.
    phases: array<vec4<f32>, 6>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
// Per-axis source indices and weights (f32 weights stored as bits), computed on the host.
@group(0) @binding(3) var<storage, read> tab: array<u32>;

struct Row {
    valid: bool,
    plane: u32,
    z: u32,
    y: u32,
    x0: u32,    // first x of this thread; the next ones are x0 + WG, x0 + 2 WG, ...
    out: u32,   // index in dst of (plane, z, y, 0)
}

fn output_row(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> Row {
    let w = linear_workgroup(wg, nwg);
    let row = w / p.segs;
    let seg = w - row * p.segs;
    let y = row % p.out_h;
    let t = row / p.out_h;
    return Row(row < p.rows, t / p.out_d, t % p.out_d, y, seg * WG * STRIP + lid,
               p.out_offset + row * p.out_w);
}
