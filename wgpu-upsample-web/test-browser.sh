#!/usr/bin/env bash
# The browser tests, in headless Chromium with WebGPU (--enable-unsafe-webgpu; SwiftShader where
# there is no GPU): the wasm test suite (tests/browser.rs: PyTorch's golden cases on the browser's
# WebGPU) through wasm-bindgen-test-runner and chromedriver, then the demo page built, served and
# checked from its DOM (tests/page.py, which writes a screenshot and prints where).
# Needs: the wasm32-unknown-unknown target, the wasm-bindgen CLI (Cargo.lock's version),
# chromium and chromium-driver (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
chromedriver=${CHROMEDRIVER:-$(command -v chromedriver)}
echo "browser tests: wasm test suite"
(
    cd wgpu-upsample-web # webdriver.json (the Chromium switches) is read from here
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        CHROMEDRIVER="$chromedriver" WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-600} \
        cargo test -p wgpu-upsample-web --target wasm32-unknown-unknown
)
echo "browser tests: the demo page"
# With the test profile, so that the wasm dependencies built for the suite above are reused.
PROFILE=${PROFILE:-test} wgpu-upsample-web/build-page.sh
CHROMEDRIVER="$chromedriver" python3 wgpu-upsample-web/tests/page.py "$@"
