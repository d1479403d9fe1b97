#!/usr/bin/env bash
# The attn CLI on hostile files (issue 13): each command must refuse with
# exit status 1 or 2 and a message that contains the expected words, within
# 60 s, never by a signal and never with a sanitizer or valgrind report.
# Where the build is not under ASan, the memory-hungry cases also run under
# `prlimit --as` (an address-space cap) to show that the CLI's default memory
# limit, not the kernel, stops them. ATTN_CLI_WRAPPER (set by
# scripts/sanitizers.sh for valgrind) runs each command under a checker.
# Usage: cli_hostile.sh ATTN_BINARY TINY_SAFETENSORS TINY_CONFIG; TAP output.
set -u
attn=$1 tiny_st=$2 tiny_cfg=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
asan=0
ldd "$attn" 2>/dev/null | grep -q libasan && asan=1
read -r -a wrap <<<"${ATTN_CLI_WRAPPER:-}"

# name, words, prlimit bytes (0 = none), command...
expect_refusal() {
    local name=$1 words=$2 cap=$3
    shift 3
    n=$((n + 1))
    local pre=()
    [ "$cap" -gt 0 ] && [ "$asan" -eq 0 ] && [ ${#wrap[@]} -eq 0 ] && pre=(prlimit --as="$cap")
    timeout 60 "${pre[@]}" "${wrap[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    local why=""
    if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then why="exit status $rc"
    elif ! grep -qF -- "$words" "$tmp/err"; then why="no \"$words\" in the message"
    elif grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer|Invalid (read|write)|definitely lost: [1-9]' "$tmp/err"; then why="checker report"
    fi
    if [ -z "$why" ]; then
        echo "ok $n - $name${pre:+ (under prlimit --as=$cap)}"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name: $why"
        sed 's/^/# /' "$tmp/err" | head -30
    fi
}

model_dir() { # dir: a folder with the tiny config and a given model file
    mkdir -p "$1"
    cp "$tiny_cfg" "$1/config.json"
}

# a FIFO named config.json beside a checkpoint (once hung `attn predict`)
model_dir "$tmp/fifo"
cp "$tiny_st" "$tmp/fifo/model.safetensors"
rm "$tmp/fifo/config.json"
mkfifo "$tmp/fifo/config.json"
expect_refusal "a FIFO named config.json is refused, not waited on" "regular file" 0 "$attn" info --model "$tmp/fifo"
# a device named model.safetensors
model_dir "$tmp/dev"
ln -s /dev/zero "$tmp/dev/model.safetensors"
expect_refusal "/dev/zero named model.safetensors is refused" "regular file" 0 "$attn" info --model "$tmp/dev"
# an 8 MB header describing a shape of 4.19 M items
model_dir "$tmp/shape"
python3 - "$tmp/shape/model.safetensors" <<'PY'
import struct, sys
h = b'{"x":{"dtype":"U8","data_offsets":[0,1],"shape":[' + b','.join([b'1'] * (4 << 20)) + b']}}'
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + b'\0')
PY
expect_refusal "an 8 MB safetensors header of one huge shape" "more than 9 items" $((512 << 20)) "$attn" info --model "$tmp/shape"
# a zero dimension beside huge ones (once overflowed the stride computation)
model_dir "$tmp/zero"
python3 - "$tmp/zero/model.safetensors" <<'PY'
import struct, sys
h = b'{"bert.embeddings.word_embeddings.weight":{"dtype":"F32","shape":[0,9223372036854775807,9223372036854775807],"data_offsets":[0,0]}}'
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h)
PY
expect_refusal "a zero dimension beside huge ones" "overflows" 0 "$attn" info --model "$tmp/zero"
# a config asking for a million layers, under an address-space cap
model_dir "$tmp/layers"
cp "$tiny_st" "$tmp/layers/model.safetensors"
python3 - "$tiny_cfg" "$tmp/layers/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["num_hidden_layers"] = 1000000
json.dump(c, open(sys.argv[2], "w"))
PY
expect_refusal "num_hidden_layers 1000000" "num_layers 1000000" $((1 << 30)) "$attn" info --model "$tmp/layers"

echo "1..$n"
[ "$failed" -eq 0 ]
