// The weight-gradient GEMM's A hook (grad_sg.wgsl): S's rows gathered one scalar per row.

// S at the current position for row m of the tile (zero past the group's rows).
fn s_value(m: u32) -> f32 {
    var v = 0.0;
    if (m < p.ag) {
        let s_plane = p.l_s.x * p.l_s.y * p.l_s.z;
        let pos = (k_j.x * p.l_s.y + k_j.y) * p.l_s.z + k_j.z;
        v = s_data[p.s_offset + (k_n * p.a + g * p.ag + m) * s_plane + pos];
    }
    return v;
}

fn gemm_a(k: u32, v: u32) -> vec4<f32> {
    let m = row0 + v * A_STEP + lane4;
    return vec4<f32>(s_value(m), s_value(m + 1u), s_value(m + 2u), s_value(m + 3u));
}

