#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine: installs what is needed,
# builds libattn, trains a small BERT-style classifier on Debian's fortunes
# (computers / politics / science / songs-poems) with a live progress bar,
# prints the test report, saves checkpoint, config and training curve, then
# labels a few new sentences with `attn predict`.
# Extra arguments go to `attn train` (see `attn train --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build=build-demo
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release -Dtests=false -Dbench=false >/dev/null
ninja -C "$build" >/dev/null

# the clean bert-base-uncased vocabulary the repository carries (data/README.md)
vocab=data/bert-base-uncased-vocab.txt
out=runs/fortunes

"$build/tools/attn" info
# a demo run replaces the previous demo's model (--force), unless asked to continue it
force=--force
for arg in "$@"; do [ "$arg" = --resume ] && force=; done
# mean pooling: the configuration compared with PyTorch in the README
"$build/tools/attn" train --vocab "$vocab" --out "$out" --pooling mean $force "$@"

texts=$(mktemp)
trap 'rm -f "$texts"' EXIT
cat >"$texts" <<'TEXTS'
My program dumps core whenever I free the same pointer twice.
The senator promised lower taxes and then voted for the opposite.
Light from distant galaxies is shifted towards the red end of the spectrum.
Sing me a song of the sea, of the wind and the waves and the sailors.
TEXTS
echo
echo "attn predict on new sentences (label, probability, all probabilities | text):"
"$build/tools/attn" predict --model "$out/model.safetensors" --vocab "$vocab" <"$texts" | paste -d'|' - "$texts"
echo
echo "checkpoint: $out/model.safetensors  config: $out/config.json  curve: $out/curve.svg"
