// The x-window hooks of the narrow GEMM core (src/ops/gemm.rs: window_core_source) for the
// implicit GEMMs of gemm_sg_shared.wgsl: a lane's 8 pixels are 8 outputs of one row, so one row
// of taps (z, y fixed, every x tap) reads one stretch of one input row, loaded as aligned vec4s
// (the input bound as vec4s at binding 5). The host picks it where that holds: the input's rows,
// planes and offset are multiples of 4 (a vec4 is then wholly inside a row or wholly outside it),
// the output's rows multiples of 8, and the first pixel's first tap W_E0 elements past a multiple
// of 4. Values outside the input read as zero, as the scalar gather.

@group(0) @binding(5) var<storage, read> src_vec: array<vec4<f32>>;

var<private> w_ok: bool;   // the current row of taps is inside the input (z, y) and the lane live
var<private> w_row: u32;   // input offset of x = 0 of that row
var<private> w_x0: i32;    // x of the window's first element (a multiple of 4)

fn gemm_window() {
    let i = px_b[0] + tap_offset(k_tap);
    w_ok = px_ok[0] && all(i.xy >= vec2<i32>(0)) && all(i.xy < vec2<i32>(p.l_in.xy));
    let iz = u32(max(i.x, 0));
    let iy = u32(max(i.y, 0));
    w_row = px_img[0] + k_chan + (iz * p.l_in.y + iy) * p.l_in.z;
    w_x0 = i.z - i32(W_E0);
}

fn gemm_win(v: u32) -> vec4<f32> {
    let x = w_x0 + 4 * i32(v);
    var r = vec4<f32>();
    if (w_ok && x >= 0 && x < i32(p.l_in.z)) {
        r = src_vec[(w_row + u32(x)) / 4u];
    }
    return r;
}

// Past the row of taps: the next (z, y) taps, then the next channel.
fn gemm_next_window() {
    let n = tap_count();
    k_tap.y += 1u;
    if (k_tap.y == n.y) {
        k_tap.y = 0u;
        k_tap.x += 1u;
        if (k_tap.x == n.x) {
            k_tap.x = 0u;
            k_chan += p.l_in.x * p.l_in.y * p.l_in.z;
        }
    }
}
