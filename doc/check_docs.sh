#!/bin/sh
# Runs Doxygen over the public headers and fails on any warning, which
# includes every undocumented public function, type, enum value and macro.
# Usage: check_docs.sh DOXYGEN DOXYFILE OUTDIR
set -eu
mkdir -p "$3"
"$1" "$2" >/dev/null 2>&1 || { echo "doxygen failed"; exit 1; }
if [ -s "$3/warnings.txt" ]; then
    echo "$(wc -l <"$3/warnings.txt") documentation warnings:"
    head -50 "$3/warnings.txt"
    exit 1
fi
echo "all public declarations documented"
