#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds libattn and runs every test suite
# (unit, PyTorch parity, examples, CLI, ABI, bindings, fuzz regression).
# Ends with one line "N passed, N failed" counting test programs.
# Usage: scripts/test.sh [extra meson test args]
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

build=build-test
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --buildtype=release >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" >/dev/null || { ninja -C "$build" | tail -30; echo "0 passed, 1 failed"; exit 1; }

meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
status=$?

# count from meson's machine-readable log
read -r passed failed < <(/usr/bin/python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL", "SKIP"):
        p += r != "SKIP"
    else:
        f += 1
print(p, f)
PY
)
[ "$status" -eq 0 ] || [ "${failed:-1}" -gt 0 ] || failed=1
echo "${passed:-0} passed, ${failed:-1} failed"
[ "${failed:-1}" -eq 0 ]
