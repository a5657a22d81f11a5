// linear (3-D) and bilinear (4-D) scaled up ×S along w, align_corners=False, the input width a
// multiple of 4: vec4 loads and stores, input rows streamed. The host checks PyTorch's taps
// (src/ops/upsample/factor.rs, `linear_up`): along w output x = S·b + φ reads inputs b + off(φ)
// and b + off(φ) + 1 (clamped; off = -1 where 2φ + 1 < S, else 0), PyTorch's weights per
// output in the tables (`wt4`); along h output row y reads rows i0(y) and min(i0(y) + 1, in_h - 1)
// with i0 non-decreasing, PyTorch's weights per row in the uniform array. Sums as PyTorch's:
// w0 · x[i0] + w1 · x[i1] along x, then h0 · row0 + h1 · row1.
//
// Thread (q, block, plane): inputs 4q .. 4q+3 of input rows ROWS·block .. (one vec4 and its two
// neighbours each) → outputs 4S·q .. 4S·q + 4S - 1 (S vec4 stores) of every output row whose i0
// is among them. Each input row is interpolated along x once, kept for the next step, and
// combined with the next one for the output rows between them (their count, per input row, from
// the uniform array: the same for every thread of the workgroup).

@group(0) @binding(4) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dst4: array<vec4<f32>>;
// x: per thread S vec4s of w0 (outputs 4S·q + 4k .. + 3, k < S), then S of w1, from p.tab_w
// (unless p.taps & 2: then from the uniform array, see `linear_up`).
@group(0) @binding(6) var<storage, read> wt4: array<vec4<f32>>;
// From 0, per input row j ≤ in_h: the first output row whose i0 is j or more; from p.tab_h, per
// output row: w0, w1 (bits); from vec4 p.tab_d (p.taps & 2), the x weights of thread 0 and of
// every other thread (4S vec4s).
@group(0) @binding(7) var<uniform> rows_tab: array<vec4<u32>, YZ_WEIGHTS>;

fn row_word(i: u32) -> u32 {
    return rows_tab[i / 4u][i % 4u];
}

fn src_at(i: u32) -> f32 {
    return src4[i / 4u][i % 4u];
}

// The input row starting at element `row` interpolated along x at the thread's 4S outputs.
fn along_x(row: u32, q: u32, S: u32, w0: array<vec4<f32>, 4>, w1: array<vec4<f32>, 4>)
    -> array<vec4<f32>, 4> {
    let v = src4[row / 4u + q];
    // Inputs 4q - 1 and 4q + 4, clamped to the row.
    let l = src_at(row + max(4u * q, 1u) - 1u);
    let r = src_at(row + min(4u * q + 4u, p.in_w - 1u));
    let win = array<f32, 6>(l, v.x, v.y, v.z, v.w, r);
    // Output 0 .. of thread 0 where off = -1: PyTorch clamps the coordinate to 0 and reads
    // inputs 0 and 1 (weights 1, 0), not 0 twice.
    let first = q == 0u;
    var out: array<vec4<f32>, 4>;
    for (var k = 0u; k < S; k++) {
        var e: vec4<f32>;
        for (var m = 0u; m < 4u; m++) {
            let j = 4u * k + m;
            let phi = j % S;
            let i = j / S + select(1u, 0u, 2u * phi + 1u < S);  // window index of b + off
            var b = win[i + 1u];
            if (j < S && 2u * phi + 1u < S) {
                b = select(b, v.y, first);
            }
            e[m] = w0[k][m] * win[i] + w1[k][m] * b;
        }
        out[k] = e;
    }
    return out;
}

fn linear_up(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, S: u32) {
    let w = linear_workgroup(wg, nwg);
    let unit = w / p.segs;
    let q = (w - unit * p.segs) * WG + lid;
    if (unit >= p.rows || q >= p.in_w / 4u) { return; }
    let blocks = (p.in_h + ROWS - 1u) / ROWS;
    let plane = unit / blocks;
    let j0 = (unit - plane * blocks) * ROWS;
    let end = min(j0 + ROWS, p.in_h);
    let base = p.in_offset + plane * p.in_h * p.in_w;
    let out = (p.out_offset + plane * p.out_h * p.out_w) / 4u + S * q;
    var w0: array<vec4<f32>, 4>;
    var w1: array<vec4<f32>, 4>;
    if ((p.taps & 2u) != 0u) {
        // The same weights for every thread but thread 0 (whose outputs PyTorch may clamp):
        // both sets from the uniform array at vec4 p.tab_d, thread 0's first.
        for (var k = 0u; k < S; k++) {
            let u = p.tab_d + k;
            w0[k] = select(bitcast<vec4<f32>>(rows_tab[u + 2u * S]), bitcast<vec4<f32>>(rows_tab[u]),
                           q == 0u);
            w1[k] = select(bitcast<vec4<f32>>(rows_tab[u + 3u * S]),
                           bitcast<vec4<f32>>(rows_tab[u + S]), q == 0u);
        }
    } else {
        for (var k = 0u; k < S; k++) {
            w0[k] = wt4[p.tab_w + 2u * S * q + k];
            w1[k] = wt4[p.tab_w + 2u * S * q + S + k];
        }
    }
    if ((p.taps & 1u) != 0u) {
        // No h axis (3-D input): each output row is its input row.
        let a = along_x(base, q, S, w0, w1);
        for (var k = 0u; k < S; k++) {
            dst4[out + k] = a[k];
        }
        return;
    }
    var a = along_x(base + j0 * p.in_w, q, S, w0, w1);
    for (var j = j0; j < end; j++) {
        let b = along_x(base + min(j + 1u, p.in_h - 1u) * p.in_w, q, S, w0, w1);
        let y1 = row_word(j + 1u);
        for (var y = row_word(j); y < y1; y++) {
            let h0 = bitcast<f32>(row_word(p.tab_h + 2u * y));
            let h1 = bitcast<f32>(row_word(p.tab_h + 2u * y + 1u));
            let o = out + y * (p.out_w / 4u);
            for (var k = 0u; k < S; k++) {
                dst4[o + k] = h0 * a[k] + h1 * b[k];
            }
        }
        a = b;
    }
}

@compute @workgroup_size(WG)
fn linear_up_x2(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    linear_up(wg, nwg, lid, 2u);
}

@compute @workgroup_size(WG)
fn linear_up_x3(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    linear_up(wg, nwg, lid, 3u);
}

@compute @workgroup_size(WG)
fn linear_up_x4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    linear_up(wg, nwg, lid, 4u);
}
