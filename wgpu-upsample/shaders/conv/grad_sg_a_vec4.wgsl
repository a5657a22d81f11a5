// The weight-gradient GEMM's A hook (grad_sg.wgsl) loading 4 positions per load: S bound as vec4s
// (binding 5 instead of s_data's 1). The host picks it where every group of 4 positions a split
// walks is one aligned vec4 of one image (S's plane and its offset multiples of 4; splits start at
// multiples of BK), so the same values meet the same columns in the same order as with
// grad_sg_a.wgsl.

@group(0) @binding(5) var<storage, read> s_vec: array<vec4<f32>>;

// Rows A_STEP·v + A_LANE·lane + i of the tile at positions k..k+3 (k a multiple of 4), loaded at k.
var<private> qa0: array<vec4<f32>, 4>;
var<private> qa1: array<vec4<f32>, 4>;
var<private> qa2: array<vec4<f32>, 4>;
var<private> qa3: array<vec4<f32>, 4>;

// S at positions pos..pos+3 of the current image for row m of the tile (zero past the group's
// rows).
fn s_quad(m: u32) -> vec4<f32> {
    var v = vec4<f32>();
    if (m < p.ag) {
        let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
        let pos = (k_j.x * p.l_s.y + k_j.y) * p.l_s.z + k_j.z;
        v = s_vec[(p.s_offset + (k_n * p.a + g * p.ag + m) * s_plane + pos) / 4u];
    }
    return v;
}

fn gemm_a(k: u32, v: u32) -> vec4<f32> {
    let c = k & 3u;
    if (c == 0u) {
        let m = row0 + v * A_STEP + lane4;
        qa0[v] = s_quad(m);
        qa1[v] = s_quad(m + 1u);
        qa2[v] = s_quad(m + 2u);
        qa3[v] = s_quad(m + 3u);
    }
    return vec4<f32>(qa0[v][c], qa1[v][c], qa2[v][c], qa3[v][c]);
}
