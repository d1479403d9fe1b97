#!/bin/sh
# Runs Doxygen over the public headers and the tutorial pages and fails on
# any warning, which includes every undocumented public function, type,
# enum value and macro (each header is a documented @file, so Doxygen
# checks its members), and every broken reference in the pages.
# Usage: check_docs.sh DOXYGEN DOXYFILE WARNINGS_FILE (the Doxyfile's WARN_LOGFILE)
set -eu
rm -f "$3"
status=0
"$1" "$2" >/dev/null 2>&1 || status=$?
if [ -s "$3" ]; then
    echo "$(wc -l <"$3") documentation warnings:"
    head -50 "$3"
    exit 1
fi
[ "$status" -eq 0 ] || { echo "doxygen failed (exit $status)"; exit 1; }
echo "all public declarations documented, every page's references resolved"
