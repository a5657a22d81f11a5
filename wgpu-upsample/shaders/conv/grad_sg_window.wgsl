// The weight-gradient GEMM's x-window hooks (grad_sg.wgsl; core: src/ops/gemm.rs,
// weight_window_core_source): K steps over W_POSITIONS (4 or 8) positions of one row of S, one
// or two aligned vec4s of S per row (binding 5; spread over the lanes, the core broadcasts
// them), and a lane's 8 columns are whole rows of W_TAPS_X x taps (each row of one channel;
// col_of in grad_sg.wgsl), each row's L values for the step one window of aligned vec4s
// (binding 6). The host picks it where that holds: S's rows multiples of W_POSITIONS, L's rows
// and both offsets multiples of 4, at most 8 x taps, splits starting at multiples of
// W_POSITIONS positions; the window starts W_E0 elements before the first tap's x (≡ −p mod 4).
// L outside its range reads as `p.zero`, as the scalar gather.

@group(0) @binding(5) var<storage, read> s_vec: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> l_vec: array<vec4<f32>>;

var<private> w_ok: array<bool, 8>;  // row r of taps is inside L (z, y) and its column live
var<private> w_row: array<u32, 8>;  // L offset of x = 0 of row r
var<private> w_x0: i32;             // x of the windows' first element (a multiple of 4)

// S of tile row i % TM at the 4 positions 4·(i / TM) past the current one (zero past the
// step's quads, the tile's rows or the group's rows).
fn gemm_aq(i: u32) -> vec4<f32> {
    let m = row0 + i % TM;
    let q = i / TM;
    var v = vec4<f32>();
    if (live && q < W_POSITIONS / 4u && m < p.ag) {
        let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
        let pos = (k_j.x * p.l_s.y + k_j.y) * p.l_s.z + k_j.z + 4u * q;
        v = s_vec[(p.s_offset + (k_n * p.a + g * p.ag + m) * s_plane + pos) / 4u];
    }
    return v;
}

// Row r of the lane's taps, whose first column (x tap 0) is column j of the lane.
fn gemm_prow(r: u32, j: u32) {
    let i = vec3<i32>(k_j * p.s.xyz) + c_t[j];
    w_ok[r] = c_ok[j] && all(i.xy >= vec2<i32>(0)) && all(i.xy < vec2<i32>(p.l_l.xy));
    let iz = u32(max(i.x, 0));
    let iy = u32(max(i.y, 0));
    let l_plane = p.l_l.x * p.l_l.y * p.l_l.z;
    w_row[r] = c_l[j] + k_n * p.b * l_plane + (iz * p.l_l.y + iy) * p.l_l.z;
    w_x0 = i.z - i32(W_E0);
}

fn gemm_pwin(r: u32, v: u32) -> vec4<f32> {
    let x = w_x0 + 4 * i32(v);
    var val = vec4<f32>(p.zero);
    if (w_ok[r] && x >= 0 && x < i32(p.l_l.z)) {
        val = l_vec[(w_row[r] + u32(x)) / 4u];
    }
    return val;
}

// K walks down the columns of W_POSITIONS positions: y innermost, then x by W_POSITIONS, then z
// and the image (splits start at multiples of W_POSITIONS positions in that order), so that a
// step's rows of L are the next step's a stride lower: with W_ROW_LANES > 1 a lane's rows of
// taps are a stride apart (col_of in grad_sg.wgsl) and the core carries the windows of rows
// 1 .. to rows 0 .. where `gemm_pcarry()`. The split's first position in that order, for
// gemm_begin's row-major one.
fn gemm_wbegin() {
    let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let e0 = split * p.per_split;
    k_n = e0 / s_plane;
    let r = e0 - k_n * s_plane;
    let yx = p.l_s.y * p.l_s.z;
    let z = r / yx;
    let step = (r - z * yx) / W_POSITIONS;
    let xc = step / p.l_s.y;
    k_j = vec3<u32>(z, step - xc * p.l_s.y, xc * W_POSITIONS);
}

var<private> w_carry: bool = false;  // the step before this one was one row of S up

fn gemm_pcarry() -> bool {
    return w_carry;
}

// Past the step's positions (S's rows are multiples of W_POSITIONS).
fn gemm_next_quad() {
    k_j.y += 1u;
    w_carry = k_j.y < p.l_s.y;
    if (!w_carry) {
        k_j.y = 0u;
        k_j.z += W_POSITIONS;
        if (k_j.z == p.l_s.z) {
            k_j.z = 0u;
            k_j.x += 1u;
            if (k_j.x == p.l_s.x) {
                k_j.x = 0u;
                k_n += 1u;
            }
        }
    }
}
