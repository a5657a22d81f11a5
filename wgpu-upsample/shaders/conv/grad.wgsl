// Weight and bias gradients of the convolutions, without atomics: each split of the batch's
// positions writes its partial sums, then `reduce_splits` adds the splits in a fixed order, so the
// result is bitwise the same on every run. The weight gradient is
//   gW[a, b_g, k] = Σ_{n, j} S[n, a, j] · L[n, g·BG + b_g, j·s − p + k·d]
// (src/ops/conv/plan.rs: Correlate); the bias gradient is the sum of grad_y per channel.

// Positions [lo, hi) along axis `a` whose L index j·s − p + t lies inside L, for tap offset t.
fn position_span(a: u32, t: u32) -> vec2<u32> {
    var lo = 0u;
    if (p.p[a] > t) {
        lo = (p.p[a] - t + p.s[a] - 1u) / p.s[a];
    }
    let top = i32(p.l_l[a] + p.p[a]) - 1 - i32(t);
    var hi = 0u;
    if (top >= 0) {
        hi = min(u32(top) / p.s[a] + 1u, p.l_s[a]);
    }
    return vec2<u32>(min(lo, hi), hi);
}

// A thread per (split, weight element): the rows of its split, in order.
@compute @workgroup_size(WG)
fn weight_partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let split = w / p.wg_per_split;
    let i = (w - split * p.wg_per_split) * WG + lid;
    if (split >= p.splits || i >= p.len) { return; }
    let k_plane = p.k.x * p.k.y * p.k.z;
    let t = i % k_plane;
    let pair = i / k_plane;
    let a = pair / p.bg;
    let b = (a / p.ag) * p.bg + pair % p.bg;
    let kx = t % p.k.z;
    let ky = (t / p.k.z) % p.k.y;
    let kz = t / (p.k.z * p.k.y);
    let tz = kz * p.d.x;
    let ty = ky * p.d.y;
    let tx = kx * p.d.z;
    let sz = position_span(0u, tz);
    let sy = position_span(1u, ty);
    let sx = position_span(2u, tx);
    let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let l_plane = p.l_l.x * p.l_l.y * p.l_l.z;
    let rows = p.n * p.l_s.x * p.l_s.y;
    let r0 = split * p.per_split;
    let r1 = min(r0 + p.per_split, rows);
    var acc = 0.0;
    for (var r = r0; r < r1; r++) {
        let jy = r % p.l_s.y;
        let jz = (r / p.l_s.y) % p.l_s.x;
        let n = r / (p.l_s.y * p.l_s.x);
        let srow = p.s_offset + (n * p.a + a) * s_plane + (jz * p.l_s.y + jy) * p.l_s.z;
        // Positions whose L index falls on the zero padding add S · 0 (NaN for an inf S), as
        // PyTorch's im2col does.
        if (jz < sz.x || jz >= sz.y || jy < sy.x || jy >= sy.y) {
            for (var jx = 0u; jx < p.l_s.z; jx++) {
                acc += s_data[srow + jx] * p.zero;
            }
            continue;
        }
        let iz = jz * p.s.x + tz - p.p.x;
        let iy = jy * p.s.y + ty - p.p.y;
        let lrow = p.l_offset + (n * p.b + b) * l_plane + (iz * p.l_l.y + iy) * p.l_l.z;
        for (var jx = 0u; jx < p.l_s.z; jx++) {
            if (jx < sx.x || jx >= sx.y) {
                acc += s_data[srow + jx] * p.zero;
            } else {
                acc += s_data[srow + jx] * l_data[lrow + jx * p.s.z + tx - p.p.z];
            }
        }
    }
    partials[(p.split0 + split) * p.len + i] = acc;
}

// A thread per (split, channel): the (n, position) elements of its split, in order.
@compute @workgroup_size(WG)
fn channel_partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let split = w / p.wg_per_split;
    let c = (w - split * p.wg_per_split) * WG + lid;
    if (split >= p.splits || c >= p.len) { return; }
    let plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let e0 = split * p.per_split;
    let e1 = min(e0 + p.per_split, p.n * plane);
    var acc = 0.0;
    for (var e = e0; e < e1; e++) {
        let n = e / plane;
        acc += s_data[p.s_offset + (n * p.a + c) * plane + e - n * plane];
    }
    partials[(p.split0 + split) * p.len + c] = acc;
}

// A thread per gradient element: the splits summed in order, then written (or added).
@compute @workgroup_size(WG)
fn reduce_splits(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = linear_workgroup(wg, nwg) * WG + lid;
    if (i >= p.len) { return; }
    var sum = partials[i];
    for (var s = 1u; s < p.splits; s++) {
        sum += partials[s * p.len + i];
    }
    if (p.accumulate != 0u) {
        sum = grad[i] + sum;
    }
    grad[i] = sum;
}

// The weight gradient as a GEMM per group and split of the positions:
//   partials[split][g·AG + m][col] = Σ_{e in split} S[n, g·AG + m, j] · L[n, g·BG + b_g, j·s − p + t·d]
// with M = AG, N = BG × taps (col = b_g·taps + t, the weight's own layout), K = the (n, j)
// positions of the split; both operands gathered on the fly (L zero outside its range). Tiles of
// BM × BN × BK in workgroup memory, a 4 × 4 register block per thread.

// The K loop is gemm_tiled_shared.wgsl's; this part supplies its tiled_load.

// This thread's state for tiled_load, set once per workgroup: the split's end, the group and
// the tile's first row, and this thread's B column (b, tap (z, y, x)) and whether it exists.
var<private> t_e1: u32;
var<private> t_g: u32;
var<private> t_m0: u32;
var<private> t_b: u32;
var<private> t_tap: vec3<u32>;
var<private> t_col_ok: bool;

fn tiled_load(k0: u32, lid: u32) {
    let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let l_plane = p.l_l.x * p.l_l.y * p.l_l.z;
    // A tile: BK × BM scalars of S, 4 per thread.
    for (var q = 0u; q < 4u; q++) {
        let i = lid + q * (BM * BN / 16u);
        let kk = i / BM;
        let m = i % BM;
        let e = k0 + kk;
        let am = t_m0 + m;
        var v = 0.0;
        if (e < t_e1 && am < p.ag) {
            let nn = e / s_plane;
            v = s_data[p.s_offset + (nn * p.a + t_g * p.ag + am) * s_plane + e - nn * s_plane];
        }
        a_tile[kk * (BM / 4u) + m / 4u][m % 4u] = v;
    }
    // B tile: BK × BN values of L, 8 per thread.
    let col = lid % BN;
    for (var rr = lid / BN; rr < BK; rr += BM / 16u) {
        let e = k0 + rr;
        var v = 0.0;
        if (t_col_ok && e < t_e1) {
            let nn = e / s_plane;
            let pos = e - nn * s_plane;
            let jx = pos % p.l_s.z;
            let jy = (pos / p.l_s.z) % p.l_s.y;
            let jz = pos / (p.l_s.z * p.l_s.y);
            let iz = i32(jz * p.s.x + t_tap.x * p.d.x) - i32(p.p.x);
            let iy = i32(jy * p.s.y + t_tap.y * p.d.y) - i32(p.p.y);
            let ix = i32(jx * p.s.z + t_tap.z * p.d.z) - i32(p.p.z);
            if (iz >= 0 && iz < i32(p.l_l.x) && iy >= 0 && iy < i32(p.l_l.y)
                && ix >= 0 && ix < i32(p.l_l.z)) {
                let at = (u32(iz) * p.l_l.y + u32(iy)) * p.l_l.z + u32(ix);
                v = l_data[p.l_offset + (nn * p.b + t_b) * l_plane + at];
            }
        }
        b_tile[rr * BN + col] = v;
    }
}

@compute @workgroup_size(BN / 4u, BM / 4u)
fn weight_gemm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid3: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let w = linear_workgroup(wg, nwg);
    let split = w / p.wg_per_split;
    let r = w - split * p.wg_per_split;
    let tile_n = r % p.tiles_n;
    let r2 = r / p.tiles_n;
    let tiles_m = (p.ag + BM - 1u) / BM;
    let tile_m = r2 % tiles_m;
    let g = r2 / tiles_m;
    // Uniform per workgroup: every thread reaches every barrier.
    let live = split < p.splits && g * p.ag < p.a;
    let taps = p.k.x * p.k.y * p.k.z;
    let ncols = p.bg * taps;
    let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
    let e0 = split * p.per_split;
    var e1 = min(e0 + p.per_split, p.n * s_plane);
    if (!live) { e1 = e0; }
    t_e1 = e1;
    t_g = g;
    t_m0 = tile_m * BM;

    // This thread's B column for loading: (b_g, tap), fixed for the whole K loop.
    let cidx = tile_n * BN + lid % BN;
    t_col_ok = cidx < ncols;
    t_b = g * p.bg + cidx / taps;
    let t = cidx % taps;
    t_tap = vec3<u32>(t / (p.k.z * p.k.y), (t / p.k.z) % p.k.y, t % p.k.z);

    var acc = tiled_gemm(e0, e1, lid, lid3);
    if (!live) { return; }
    for (var c = 0u; c < 4u; c++) {
        let cc = tile_n * BN + lid3.x * 4u + c;
        if (cc >= ncols) { break; }
        for (var rw = 0u; rw < 4u; rw++) {
            let m = tile_m * BM + lid3.y * 4u + rw;
            if (m < p.ag) {
                partials[(p.split0 + split) * p.len + (g * p.ag + m) * ncols + cc] = acc[rw][c];
            }
        }
    }
}
