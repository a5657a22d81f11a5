// bicubic (4-D input): per output index and axis the table holds four edge-clamped source indices
// and Keys' weights (A = -0.75). Rows are interpolated along x, then combined along y.

@compute @workgroup_size(WG)
fn bicubic_2d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let r = output_row(wg, nwg, lid);
    if (!r.valid) { return; }
    let ty = p.tab_h + 8u * r.y;
    let plane = p.in_offset + r.plane * p.in_h * p.in_w;
    let rows = vec4<u32>(plane + tab[ty] * p.in_w, plane + tab[ty + 1u] * p.in_w,
                         plane + tab[ty + 2u] * p.in_w, plane + tab[ty + 3u] * p.in_w);
    let wy = bitcast<vec4<f32>>(vec4<u32>(tab[ty + 4u], tab[ty + 5u], tab[ty + 6u], tab[ty + 7u]));
    for (var j = 0u; j < STRIP; j++) {
        let x = r.x0 + j * WG;
        if (x >= p.out_w) { break; }
        let tx = p.tab_w + 8u * x;
        let xi = vec4<u32>(tab[tx], tab[tx + 1u], tab[tx + 2u], tab[tx + 3u]);
        let wx = bitcast<vec4<f32>>(
            vec4<u32>(tab[tx + 4u], tab[tx + 5u], tab[tx + 6u], tab[tx + 7u]));
        var acc = 0.0;
        for (var k = 0u; k < 4u; k++) {
            let row = rows[k];
            let v = wx.x * src[row + xi.x] + wx.y * src[row + xi.y] + wx.z * src[row + xi.z]
                  + wx.w * src[row + xi.w];
            acc += wy[k] * v;
        }
        dst[r.out + x] = acc;
    }
}
