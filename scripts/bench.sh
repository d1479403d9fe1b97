#!/usr/bin/env bash
# Sets up what the side-by-side benchmarks need and runs them:
#   bench/compare.py        synthetic BERT shapes: libattn, PyTorch, ONNX Runtime
#   bench/embed_compare.py  all-MiniLM-L6-v2 on Debian fortunes: libattn, sentence-transformers,
#                           ONNX Runtime fp32/int8, CTranslate2 fp32/int8
# The peers come from PyPI into the reference environment that
# scripts/setup.sh makes (.venv-ref): scripts/bench-requirements.txt.
# Usage: scripts/bench.sh [--quick] [--threads N] [other compare.py options]
#   --quick: one run per framework and case with a quarter of the repetitions
#   Set EMBED=0 to skip the embedding benchmark, COMPARE=0 to skip compare.py.
# Environment: BUILD (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build-bench}
venv=${ATTN_REF_VENV:-.venv-ref}

scripts/setup.sh >&2
stamp="$venv/.bench-requirements"
if ! cmp -s scripts/bench-requirements.txt "$stamp" 2>/dev/null; then
    echo "bench: installing the peers into $venv (scripts/bench-requirements.txt)" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r scripts/bench-requirements.txt 2>&1 |
        { grep -v "^WARNING: Location 'file:" || true; } >&2
    cp scripts/bench-requirements.txt "$stamp"
fi

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release >&2
fi
# the benchmarks need only these programs and the library; the rest of the tree may be mid-edit
ninja -C "$BUILD" tools/attn bench/gemm_bench lib/libattn.so.0.1.0 >&2

quick=()
for a in "$@"; do [ "$a" = --quick ] && quick=(--runs 1 --texts 256); done
if [ "${COMPARE:-1}" != 0 ]; then
    "$venv/bin/python" bench/compare.py --build "$BUILD" --python "$venv/bin/python" "$@"
fi
if [ "${EMBED:-1}" != 0 ]; then
    "$venv/bin/python" bench/embed_compare.py --build "$BUILD" "${quick[@]}"
fi
