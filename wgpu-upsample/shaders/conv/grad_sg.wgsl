// The weight gradient as a GEMM on the subgroup core (src/ops/gemm.rs), per group and split of
// the positions (as weight_gemm in grad.wgsl):
//   partials[split][g·AG + m][col] = Σ_{e in split} S[n, g·AG + m, j] · L[n, g·BG + b_g, j·s − p + t·d]
// M = AG, N = BG × taps (col = b_g·taps + t), K = the split's (n, j) positions, walked with
// counters (no division per step). L outside its range reads as `p.zero`, so an inf S still
// gives NaN there, as PyTorch's im2col. The A hook (S's rows) comes from grad_sg_a.wgsl (scalar
// loads) or grad_sg_a_vec4.wgsl (4 positions per load).

var<private> live: bool;
var<private> g: u32;
var<private> split: u32;
var<private> row0: u32;
var<private> col0: u32;                  // this lane's first column
var<private> lane4: u32;                 // A_LANE · lane: this lane's first row of A in a block
var<private> c_ok: array<bool, 8>;
var<private> c_l: array<u32, 8>;         // L offset of (image 0, channel b) of column j
var<private> c_t: array<vec3<i32>, 8>;   // tap offset t·d − p of column j
var<private> c_col: array<u32, 8>;       // the gradient's column of column j
// Per-k state: image and position (z, y, x) of the current e, and S's offset for it.
var<private> k_n: u32;
var<private> k_j: vec3<u32>;

// The gradient's column for the lane's column c, as (column, is one). Without W_TAPS_X (0) c
// itself. The weight x-window form (grad_sg_window.wgsl) deals rows of W_TAPS_X x taps (the x
// taps rounded up to a divisor of 8; the ones past p.k.z are none, computed and not stored):
// with W_ROW_LANES = R > 1 (its y-carry form) a channel's 8·R columns so that lane i of the
// channel holds the rows i, i + R, i + 2R, …, else in order.
fn col_of(c: u32) -> vec2<u32> {
    if (W_TAPS_X == 0u) {
        return vec2<u32>(c, 1u);
    }
    let n = max(W_TAPS_X, 1u);  // (W_TAPS_X; folded, so no division by a constant zero)
    var v = c;
    if (W_ROW_LANES > 1u) {
        let u = c % (8u * W_ROW_LANES);
        let row = u / 8u + (u % 8u) / n * W_ROW_LANES;
        v = c - u + row * n + u % n;
    }
    let tx = v % n;
    return vec2<u32>(v / n * p.k.z + tx, u32(tx < p.k.z));
}

fn col_setup(j: u32) {
    let taps = p.k.x * p.k.y * p.k.z;
    let col = col_of(col0 + j);
    let cidx = col.x;
    c_col[j] = cidx;
    let t = cidx % taps;
    let tx = t % p.k.z;
    let ty = (t / p.k.z) % p.k.y;
    let tz = t / (p.k.z * p.k.y);
    c_ok[j] = live && col.y == 1u && cidx < p.bg * taps;
    c_l[j] = p.l_offset + (g * p.bg + cidx / taps) * p.l_l.x * p.l_l.y * p.l_l.z;
    c_t[j] = vec3<i32>(vec3<u32>(tz, ty, tx) * p.d.xyz) - vec3<i32>(p.p.xyz);
}

fn gemm_begin(w: u32, lane: u32) -> u32 {
    split = w / p.wg_per_split;
    let r = w - split * p.wg_per_split;
    let tile_n = r % p.tiles_n;
    let r2 = r / p.tiles_n;
    let tiles_m = (p.ag + TM - 1u) / TM;
    let tile_m = r2 % tiles_m;
    g = r2 / tiles_m;
    live = split < p.splits && g * p.ag < p.a;
    row0 = tile_m * TM;
    col0 = tile_n * 64u + lane * 8u;
    lane4 = A_LANE * lane;
    // Unrolled: private arrays indexed only by constants stay in registers.
    col_setup(0u); col_setup(1u); col_setup(2u); col_setup(3u);
    col_setup(4u); col_setup(5u); col_setup(6u); col_setup(7u);
    let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let e0 = split * p.per_split;
    let e1 = min(e0 + p.per_split, p.n * s_plane);
    // The first position, decoded once.
    k_n = e0 / s_plane;
    let pos = e0 - k_n * s_plane;
    k_j = vec3<u32>(pos / (p.l_s.z * p.l_s.y), (pos / p.l_s.z) % p.l_s.y, pos % p.l_s.z);
    return select(0u, e1 - min(e0, e1), live);
}

// L for column j at the current position (`p.zero` outside L).
fn l_value(j: u32) -> f32 {
    let i = vec3<i32>(k_j * p.s.xyz) + c_t[j];
    var v = p.zero;
    if (c_ok[j] && all(i >= vec3<i32>(0)) && all(i < vec3<i32>(p.l_l.xyz))) {
        let l_plane = p.l_l.x * p.l_l.y * p.l_l.z;
        v = l_data[c_l[j] + k_n * p.b * l_plane + (u32(i.x) * p.l_l.y + u32(i.y)) * p.l_l.z + u32(i.z)];
    }
    return v;
}

fn gemm_b(k: u32, h: u32) -> vec4<f32> {
    return vec4<f32>(l_value(4u * h), l_value(4u * h + 1u), l_value(4u * h + 2u), l_value(4u * h + 3u));
}

fn gemm_next() {
    k_j.z += 1u;
    if (k_j.z == p.l_s.z) {
        k_j.z = 0u;
        k_j.y += 1u;
        if (k_j.y == p.l_s.y) {
            k_j.y = 0u;
            k_j.x += 1u;
            if (k_j.x == p.l_s.x) {
                k_j.x = 0u;
                k_n += 1u;
            }
        }
    }
}

fn store1(j: u32, m: u32, v: f32) {
    if (c_ok[j]) {
        let ncols = p.bg * p.k.x * p.k.y * p.k.z;
        partials[(p.split0 + split) * p.len + (g * p.ag + m) * ncols + c_col[j]] = v;
    }
}

fn gemm_store(r: u32, c0: vec4<f32>, c1: vec4<f32>) {
    let m = row0 + r;
    if (!live || m >= p.ag) { return; }
    store1(0u, m, c0.x); store1(1u, m, c0.y); store1(2u, m, c0.z); store1(3u, m, c0.w);
    store1(4u, m, c1.x); store1(5u, m, c1.y); store1(6u, m, c1.z); store1(7u, m, c1.w);
}
