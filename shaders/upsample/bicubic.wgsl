// bicubic (4-D input): per output index and axis the table holds four edge-clamped source indices
// and Keys' weights (A = -0.75). Rows are interpolated along x, then combined along y.

@compute @workgroup_size(64)
fn bicubic_2d(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wg, nwg, lid);
    if (i >= p.total) { return; }
    let c = out_coord(i);
    let ty = p.tab_h + 8u * c.y;
    let tx = p.tab_w + 8u * c.x;
    let x = vec4<u32>(tab[tx], tab[tx + 1u], tab[tx + 2u], tab[tx + 3u]);
    let wx = bitcast<vec4<f32>>(vec4<u32>(tab[tx + 4u], tab[tx + 5u], tab[tx + 6u], tab[tx + 7u]));
    let plane = p.in_offset + c.plane * p.in_h * p.in_w;
    var acc = 0.0;
    for (var j = 0u; j < 4u; j++) {
        let row = plane + tab[ty + j] * p.in_w;
        let r = wx.x * src[row + x.x] + wx.y * src[row + x.y] + wx.z * src[row + x.z] + wx.w * src[row + x.w];
        acc += bitcast<f32>(tab[ty + 4u + j]) * r;
    }
    dst[p.out_offset + i] = acc;
}
