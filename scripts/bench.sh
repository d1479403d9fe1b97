#!/usr/bin/env bash
# Sets up what the side-by-side benchmark needs and runs it (bench/compare.py).
# Debian 12: installs nodejs, npm, python3-torch, python3-numpy (and the build
# packages through scripts/setup.sh); puts the peers' runtimes in a cache
# outside the repository, without touching the system's BLAS:
#   $CACHE/ort       npm package onnxruntime-node (ONNX Runtime's CPU library)
#   $CACHE/openblas  Debian's libopenblas0-pthread, unpacked, for PyTorch only
# then builds libattn (build dir $BUILD) and runs compare.py.
# Usage: scripts/bench.sh [--quick] [--threads N] [other compare.py options]
#   --quick: one run per framework and case with a quarter of the repetitions
# Environment: BUILD (default build-bench), CACHE (default ~/.cache/libattn-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build-bench}
CACHE=${CACHE:-$HOME/.cache/libattn-bench}

scripts/setup.sh >&2

# by command, not package name: some machines have a nodejs that bundles npm
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
/usr/bin/python3 -c "import torch" 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c "import numpy" 2>/dev/null || missing+=(python3-numpy)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# ONNX Runtime: the package's install script fetches GPU extras from elsewhere,
# which we neither need nor can reach; the CPU library and the node binding
# are in the package itself.
ort="$CACHE/ort"
if [ ! -d "$ort/node_modules/onnxruntime-node" ]; then
    echo "bench: installing onnxruntime-node into $ort" >&2
    mkdir -p "$ort"
    [ -f "$ort/package.json" ] || echo '{"name": "libattn-bench-peers", "private": true}' >"$ort/package.json"
    (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error onnxruntime-node@1 >&2)
fi

# OpenBLAS for PyTorch, unpacked (not installed) so the system's libblas.so.3
# alternative stays as it is; compare.py points PyTorch's process at it.
ob="$CACHE/openblas"
if [ ! -f "$ob/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3" ] && [ "$(uname -m)" = x86_64 ]; then
    echo "bench: unpacking libopenblas0-pthread into $ob" >&2
    tmp=$(mktemp -d)
    if (cd "$tmp" && apt-get download libopenblas0-pthread >&2 2>/dev/null) ||
       { $SUDO apt-get update -q >&2 && (cd "$tmp" && apt-get download libopenblas0-pthread >&2); }; then
        mkdir -p "$ob" && dpkg-deb -x "$tmp"/libopenblas0-pthread_*.deb "$ob"
    else
        echo "bench: could not fetch libopenblas0-pthread; PyTorch runs on the system BLAS" >&2
    fi
    rm -rf "$tmp"
fi

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release >&2
fi
# the benchmark needs only these two programs; the rest of the tree may be mid-edit
ninja -C "$BUILD" tools/attn bench/gemm_bench >&2

exec /usr/bin/python3 bench/compare.py --build "$BUILD" --ort-dir "$ort" \
    --openblas-dir "$ob/usr/lib/x86_64-linux-gnu/openblas-pthread" "$@"
