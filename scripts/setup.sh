#!/usr/bin/env bash
# Installs the Debian 12 packages libattn needs to build, test and run its
# demo, skipping those already present. Safe to run repeatedly.
# Usage: scripts/setup.sh [--demo]   (--demo adds the fortunes data set)
set -euo pipefail

packages=(gcc g++ meson ninja-build pkg-config libblis-pthread-dev libutf8proc-dev check
          python3-torch python3-numpy valgrind clang libclang-rt-14-dev abigail-tools golang-go
          doxygen fortunes-min fortunes)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
