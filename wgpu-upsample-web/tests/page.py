#!/usr/bin/env python3
"""The demo page in headless Chromium: loads, computes on WebGPU, shows its results.

Serves wgpu-upsample-web/www (built by build-page.sh) on a free local port, drives Chromium through
chromedriver's WebDriver API (standard library only), waits for document.title to say
"wgpu-upsample: done", then checks the DOM: an adapter named, one result row per method with a
kernel time and max |GPU - CPU| within tolerance, one output image each. Then the page in a
Chromium without WebGPU (no --enable-unsafe-webgpu): it must say so ("wgpu-upsample: error" and a
message naming WebGPU). Writes screenshots of both and the results (JSON) to a folder it prints
(--out, default: a new temporary folder).

Usage: CHROMEDRIVER=/usr/bin/chromedriver python3 wgpu-upsample-web/tests/page.py [--out DIR]
       [--query 'size=64&scale=2'] [--timeout SECONDS]
"""

import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

WWW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www")
# GPU vs the CPU reference on an image in [0, 1] (both f32; they differ only by rounding).
MAX_DIFF = 1e-4
METHODS = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, *args):
        pass


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--query", default="size=64&scale=2")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(WWW, "pkg", "wgpu_upsample_web.js")):
        sys.exit(f"page: {WWW}/pkg is missing: run wgpu-upsample-web/build-page.sh first")
    out = args.out or tempfile.mkdtemp(prefix="wgpu-upsample-page-")
    os.makedirs(out, exist_ok=True)

    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Quiet, directory=WWW))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    driver_port = free_port()
    chromedriver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    driver = subprocess.Popen([chromedriver, f"--port={driver_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{driver_port}"
    session = None
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--enable-unsafe-webgpu",
            "--window-size=1600,2400"]}}}}
        session = call(base, "POST", "/session", caps)["sessionId"]
        s = f"/session/{session}"
        url = f"http://127.0.0.1:{port}/index.html?{args.query}"
        t0 = time.time()
        call(base, "POST", s + "/url", {"url": url})

        def js(script):
            return call(base, "POST", s + "/execute/sync", {"script": script, "args": []})

        title = ""
        while time.time() - t0 < args.timeout:
            title = js("return document.title")
            if title in ("wgpu-upsample: done", "wgpu-upsample: error"):
                break
            time.sleep(0.5)
        seconds = time.time() - t0
        page = js("""return {
            title: document.title,
            adapter: document.getElementById('adapter').textContent,
            status: document.getElementById('status').textContent,
            figures: document.querySelectorAll('#results figure canvas').length,
            rows: [...document.querySelectorAll('#table tr.result')].map(r => ({
                name: r.dataset.name, kernel_ms: Number(r.dataset.kernelMs),
                timing: r.dataset.timing, max_diff: Number(r.dataset.maxDiff),
                output: r.cells[1].textContent, kernels: r.cells[5].textContent})),
        }""")
        page["seconds"] = round(seconds, 1)
        page["url"] = url
        png = base64.b64decode(call(base, "GET", s + "/screenshot"))
        with open(os.path.join(out, "page.png"), "wb") as f:
            f.write(png)
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(page, f, indent=1)
        call(base, "DELETE", s)
        session = None

        # Without --enable-unsafe-webgpu headless Chromium offers no WebGPU adapter: the page must
        # say so plainly instead of failing silently.
        caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["args"].remove(
            "--enable-unsafe-webgpu")
        session = call(base, "POST", "/session", caps)["sessionId"]
        s = f"/session/{session}"
        call(base, "POST", s + "/url", {"url": url})
        t1 = time.time()
        while time.time() - t1 < 60:
            if js("return document.title") in ("wgpu-upsample: done", "wgpu-upsample: error"):
                break
            time.sleep(0.5)
        no_gpu = js("""return {title: document.title,
            adapter: document.getElementById('adapter').textContent,
            status: document.getElementById('status').textContent}""")
        png = base64.b64decode(call(base, "GET", s + "/screenshot"))
        with open(os.path.join(out, "no-webgpu.png"), "wb") as f:
            f.write(png)
    finally:
        if session:
            try:
                call(base, "DELETE", f"/session/{session}")
            except OSError:
                pass
        driver.terminate()
        driver.wait()
        server.shutdown()

    print(f"page: {page['url']}: \"{page['title']}\" after {page['seconds']} s")
    print(f"page: {page['adapter']}")
    print(f"page: {page['status']}")
    for r in page["rows"]:
        print(f"page:   {r['name']:<34} {r['output']:>9}  {r['kernel_ms']:9.3f} ms "
              f"({r['timing']})  max|GPU-CPU| {r['max_diff']:.2e}  [{r['kernels']}]")
    print(f"page: without WebGPU: \"{no_gpu['title']}\": {no_gpu['status']}")
    print(f"page: screenshots and results in {out}/ (page.png, no-webgpu.png, results.json)")
    problems = []
    if page["title"] != "wgpu-upsample: done":
        problems.append(f"title {page['title']!r}: {page['status']}")
    if "none" in page["adapter"] or page["adapter"].endswith("…"):
        problems.append(f"no adapter named: {page['adapter']!r}")
    if len(page["rows"]) != METHODS or page["figures"] != METHODS + 1:
        problems.append(f"{len(page['rows'])} result rows and {page['figures']} images, "
                        f"want {METHODS} and {METHODS + 1} (input + outputs)")
    for r in page["rows"]:
        if not r["max_diff"] <= MAX_DIFF:
            problems.append(f"{r['name']}: max |GPU - CPU| {r['max_diff']} > {MAX_DIFF}")
        if not r["kernel_ms"] > 0:
            problems.append(f"{r['name']}: kernel time {r['kernel_ms']}")
    if no_gpu["title"] != "wgpu-upsample: error" or "WebGPU" not in no_gpu["status"]:
        problems.append(f"without WebGPU: title {no_gpu['title']!r}, status {no_gpu['status']!r}")
    if problems:
        sys.exit("page: FAILED\n  " + "\n  ".join(problems))
    print("page: ok")


if __name__ == "__main__":
    main()
