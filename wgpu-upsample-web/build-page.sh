#!/usr/bin/env bash
# Builds the demo page into wgpu-upsample-web/www: the wasm and its JS glue (www/pkg, from
# wasm-bindgen --target web) and the bundled photo. Needs the wasm32-unknown-unknown target and the
# wasm-bindgen CLI at Cargo.lock's wasm-bindgen version. Serve it with
#   python3 -m http.server 8000 -d wgpu-upsample-web/www    # then open http://localhost:8000
# PROFILE=test builds with the test profile instead of release (what test-browser.sh does: it
# reuses the wasm test suite's build, a larger wasm with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
cargo build --profile "$profile" --target wasm32-unknown-unknown -p wgpu-upsample-web --lib
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
case $profile in test | dev) dir=debug ;; *) dir=$profile ;; esac
wasm-bindgen --target web --no-typescript --out-dir wgpu-upsample-web/www/pkg \
    "$target_dir/wasm32-unknown-unknown/$dir/wgpu_upsample_web.wasm"
cp wgpu-upsample-tools/assets/astronaut.png wgpu-upsample-web/www/
echo "built wgpu-upsample-web/www ($(du -k wgpu-upsample-web/www/pkg/wgpu_upsample_web_bg.wasm | cut -f1) KiB of wasm)"
