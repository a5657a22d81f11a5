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

// A thread's 4S outputs of one row (S ≤ 4 vec4s; those past S unused). Written out per S with
// static swizzles: lavapipe indexes private arrays and vector components with a runtime index
// lane by lane.
struct X4 {
    a: vec4<f32>,
    b: vec4<f32>,
    c: vec4<f32>,
    d: vec4<f32>,
}

fn lerp4(w0: X4, t0: X4, w1: X4, t1: X4) -> X4 {
    return X4(w0.a * t0.a + w1.a * t1.a, w0.b * t0.b + w1.b * t1.b, w0.c * t0.c + w1.c * t1.c,
              w0.d * t0.d + w1.d * t1.d);
}

fn rows4(h0: f32, a: X4, h1: f32, b: X4) -> X4 {
    return X4(h0 * a.a + h1 * b.a, h0 * a.b + h1 * b.b, h0 * a.c + h1 * b.c, h0 * a.d + h1 * b.d);
}

fn store4(o: u32, S: u32, x: X4) {
    dst4[o] = x.a;
    dst4[o + 1u] = x.b;
    if (S > 2u) { dst4[o + 2u] = x.c; }
    if (S > 3u) { dst4[o + 3u] = x.d; }
}

// The input row starting at element `row` interpolated along x at the thread's 4S outputs.
// Window w0 .. w5 = inputs 4q - 1 .. 4q + 4 (clamped to the row); output j = S·b + φ (b < 4)
// takes window elements b + off(φ) + 1 (t0) and the next (t1), as listed per S below.
fn along_x(row: u32, q: u32, S: u32, w0: X4, w1: X4) -> X4 {
    let v = src4[row / 4u + q];
    let l = src_at(row + max(4u * q, 1u) - 1u);
    let r = src_at(row + min(4u * q + 4u, p.in_w - 1u));
    // Thread 0's outputs where off = -1 and b = 0: PyTorch clamps the coordinate to 0 and reads
    // inputs 0 and 1 (weights 1, 0), not input 0 twice: t1 is v.y there.
    let f = select(v.x, v.y, q == 0u);
    var t0: X4;
    var t1: X4;
    if (S == 2u) {
        // Window indices 0 1 1 2 | 2 3 3 4.
        t0 = X4(vec4<f32>(l, v.x, v.x, v.y), vec4<f32>(v.y, v.z, v.z, v.w), vec4<f32>(),
                vec4<f32>());
        t1 = X4(vec4<f32>(f, v.y, v.y, v.z), vec4<f32>(v.z, v.w, v.w, r), vec4<f32>(),
                vec4<f32>());
    } else if (S == 3u) {
        // 0 1 1 1 | 2 2 2 3 | 3 3 4 4.
        t0 = X4(vec4<f32>(l, v.x, v.x, v.x), vec4<f32>(v.y, v.y, v.y, v.z),
                vec4<f32>(v.z, v.z, v.w, v.w), vec4<f32>());
        t1 = X4(vec4<f32>(f, v.y, v.y, v.y), vec4<f32>(v.z, v.z, v.z, v.w),
                vec4<f32>(v.w, v.w, r, r), vec4<f32>());
    } else {
        // 0 0 1 1 | 1 1 2 2 | 2 2 3 3 | 3 3 4 4.
        t0 = X4(vec4<f32>(l, l, v.x, v.x), vec4<f32>(v.x, v.x, v.y, v.y),
                vec4<f32>(v.y, v.y, v.z, v.z), vec4<f32>(v.z, v.z, v.w, v.w));
        t1 = X4(vec4<f32>(f, f, v.y, v.y), vec4<f32>(v.y, v.y, v.z, v.z),
                vec4<f32>(v.z, v.z, v.w, v.w), vec4<f32>(v.w, v.w, r, r));
    }
    return lerp4(w0, t0, w1, t1);
}

// 4S weights from 4 vec4s of the uniform array from vec4 `at` (S of them used).
fn uniform_x4(at: u32, S: u32) -> X4 {
    var x: X4;
    x.a = bitcast<vec4<f32>>(rows_tab[at]);
    x.b = bitcast<vec4<f32>>(rows_tab[at + 1u]);
    if (S > 2u) { x.c = bitcast<vec4<f32>>(rows_tab[at + 2u]); }
    if (S > 3u) { x.d = bitcast<vec4<f32>>(rows_tab[at + 3u]); }
    return x;
}

fn table_x4(at: u32, S: u32) -> X4 {
    var x: X4;
    x.a = wt4[at];
    x.b = wt4[at + 1u];
    if (S > 2u) { x.c = wt4[at + 2u]; }
    if (S > 3u) { x.d = wt4[at + 3u]; }
    return x;
}

fn pick4(other: X4, first: X4, is_first: bool) -> X4 {
    return X4(select(other.a, first.a, is_first), select(other.b, first.b, is_first),
              select(other.c, first.c, is_first), select(other.d, first.d, is_first));
}

// No h axis (3-D input): each output row is its input row. A thread takes ROWS units of its
// row, WG apart (a workgroup ROWS·WG of them), so that its setup serves several.
fn linear_up_1d(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, S: u32) {
    let w = linear_workgroup(wg, nwg);
    let plane = w / p.segs;
    if (plane >= p.rows) { return; }
    let q0 = (w - plane * p.segs) * WG * ROWS + lid;
    let base = p.in_offset + plane * p.in_w;
    let out = (p.out_offset + plane * p.out_w) / 4u;
    let uniform = (p.taps & 2u) != 0u;
    let other0 = uniform_x4(p.tab_d + 2u * S, S);
    let other1 = uniform_x4(p.tab_d + 3u * S, S);
    for (var r = 0u; r < ROWS; r++) {
        let q = q0 + r * WG;
        if (q >= p.in_w / 4u) { return; }
        var w0: X4;
        var w1: X4;
        if (uniform) {
            let first = q == 0u;
            w0 = pick4(other0, uniform_x4(p.tab_d, S), first);
            w1 = pick4(other1, uniform_x4(p.tab_d + S, S), first);
        } else {
            w0 = table_x4(p.tab_w + 2u * S * q, S);
            w1 = table_x4(p.tab_w + 2u * S * q + S, S);
        }
        store4(out + S * q, S, along_x(base, q, S, w0, w1));
    }
}

fn linear_up(wg: vec3<u32>, nwg: vec3<u32>, lid: u32, S: u32) {
    if ((p.taps & 1u) != 0u) {
        linear_up_1d(wg, nwg, lid, S);
        return;
    }
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
    var w0: X4;
    var w1: X4;
    if ((p.taps & 2u) != 0u) {
        // The same weights for every thread but thread 0 (whose outputs PyTorch may clamp):
        // both sets from the uniform array at vec4 p.tab_d, thread 0's first.
        let first = q == 0u;
        w0 = pick4(uniform_x4(p.tab_d + 2u * S, S), uniform_x4(p.tab_d, S), first);
        w1 = pick4(uniform_x4(p.tab_d + 3u * S, S), uniform_x4(p.tab_d + S, S), first);
    } else {
        w0 = table_x4(p.tab_w + 2u * S * q, S);
        w1 = table_x4(p.tab_w + 2u * S * q + S, S);
    }
    var a = along_x(base + j0 * p.in_w, q, S, w0, w1);
    for (var j = j0; j < end; j++) {
        let b = along_x(base + min(j + 1u, p.in_h - 1u) * p.in_w, q, S, w0, w1);
        let y1 = row_word(j + 1u);
        for (var y = row_word(j); y < y1; y++) {
            let h0 = bitcast<f32>(row_word(p.tab_h + 2u * y));
            let h1 = bitcast<f32>(row_word(p.tab_h + 2u * y + 1u));
            store4(out + y * (p.out_w / 4u), S, rows4(h0, a, h1, b));
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
