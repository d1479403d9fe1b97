#!/usr/bin/env bash
# Refreshes the committed ABI baseline from the current sources:
#   tests/abi/libattn.so.<major>.abi        (abidw of a release build with -g)
#   tests/abi/libattn.so.<major>.constants  (values of the public enums/macros)
# Run it deliberately, when a release adds to the API (see doc/ABI.md); it
# prints how the new ABI compares with the committed one before replacing it.
# Then commit both files. Usage: scripts/update-abi-baseline.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build=$(mktemp -d "${TMPDIR:-/tmp}/attn-abi-baseline.XXXXXX")
trap 'rm -rf "$build"' EXIT

# release optimisation plus debug info: abidw reads the types from DWARF
meson setup "$build" --buildtype=release -Ddebug=true -Dtests=false -Dexamples=false \
    -Dtools=false -Dbench=false -Ddocs=disabled >/dev/null
ninja -C "$build" >/dev/null

version=$(sed -n "s/^  version: '\([0-9.]*\)',$/\1/p" meson.build)
major=${version%%.*}
abi=tests/abi/libattn.so.$major.abi
constants=tests/abi/libattn.so.$major.constants
lib=$(readlink -f "$build/lib/libattn.so")

/usr/bin/python3 tests/abi/abi_check.py dump "$lib" include/attn "$build/new.abi"
if [ -s "$abi" ]; then
    echo "== changes against the committed $abi =="
    /usr/bin/python3 - "$abi" "$build/new.abi" <<'PY'
import sys
sys.path.insert(0, "tests/abi")
import abi_check
verdict, report = abi_check.compare(sys.argv[1], sys.argv[2])
print(f"{verdict}\n{report}" if report else verdict)
PY
fi
mv "$build/new.abi" "$abi"
/usr/bin/python3 tests/abi/check_constants.py dump include "$build/include" "$constants" "${CC:-cc}"
echo "wrote $abi and $constants (libattn $version); review with: git diff --stat -- tests/abi"
