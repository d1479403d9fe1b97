#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with clang's libFuzzer (plus ASan and
# UBSan, the library instrumented for coverage) and fuzzes each for a bounded
# time, starting from its committed corpus (tests/fuzz/corpus/<target>/).
#
# New interesting inputs go to a scratch corpus in the build directory, not
# into the repository: the committed corpus stays small. An input that
# crashes, leaks, hangs or runs out of memory is copied to
# tests/fuzz/corpus/<target>/ (so `meson test` replays it from then on, once
# committed with its fix) and the script fails.
#
# Usage: scripts/fuzz.sh [-t SECONDS] [-n RUNS] [-s SEED] [-j JOBS] [-b BUILDDIR] [-f] [TARGET ...]
#   -t  time per target (default 60, or $FUZZ_SECONDS)
#   -n  stop each target after RUNS executions instead (or $FUZZ_RUNS; 0 = off)
#   -s  libFuzzer's random seed (or $FUZZ_SEED; default 0 = a new one each run).
#       A fixed seed replays the same sequence of inputs from the same corpus,
#       so a short run explores a prefix of what a longer run with that seed did.
#   -j  targets fuzzed at once (default: number of CPUs)
#   -b  build directory (default build-fuzz, or $FUZZ_BUILD)
#   -f  fresh: empty the scratch corpora first, so every target starts from
#       the committed corpus alone (the search before a commit:
#       scripts/fuzz.sh -f -t 600 -j 2 runs each target 10 minutes from a
#       new seed)
#   TARGET: tokenizer, json, ... (default: every tests/fuzz/fuzz_*.c)
# Each target uses tests/fuzz/<target>.dict as its dictionary. Prints one
# line per target with the seed it ran from, its executions, coverage and
# findings, then "fuzz: N targets, N executions, N failed". Exit status 0
# only if every target ran clean.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-0}
seed=${FUZZ_SEED:-0}
jobs=$(nproc 2>/dev/null || echo 2)
build=${FUZZ_BUILD:-build-fuzz}
fresh=0
while getopts "t:n:s:j:b:f" opt; do
    case $opt in
        t) seconds=$OPTARG ;;
        n) runs=$OPTARG ;;
        s) seed=$OPTARG ;;
        j) jobs=$OPTARG ;;
        b) build=$OPTARG ;;
        f) fresh=1 ;;
        *) sed -n '2,30s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        [ -e "$f" ] || continue
        t=${f#tests/fuzz/fuzz_}
        targets+=("${t%.c}")
    done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets" >&2; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
    # -fno-sanitize-recover: a UBSan finding must stop the run like a crash
    CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" \
        -Dexamples=false -Dbench=false -Dtools=false -Ddocs=disabled >"$build-setup.tmp.log" 2>&1 ||
        { cat "$build-setup.tmp.log" >&2; rm -f "$build-setup.tmp.log"; echo "fuzz: meson setup failed" >&2; exit 1; }
    rm -f "$build-setup.tmp.log"
fi
exes=()
for t in "${targets[@]}"; do exes+=("tests/fuzz/fuzz_$t"); done
if ! ninja -C "$build" "${exes[@]}" >"$build/fuzz-build.log" 2>&1; then
    tail -40 "$build/fuzz-build.log" >&2
    echo "fuzz: build failed (a target not built by this tree? see $build/fuzz-build.log)" >&2
    exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
out=$build/fuzz-out
mkdir -p "$out"

fuzz_one() {
    local t=$1 exe=$build/tests/fuzz/fuzz_$1 seeds=tests/fuzz/corpus/$1
    local scratch=$out/corpus-$t art=$out/artifacts-$t
    rm -rf "$art"
    [ "$fresh" -eq 1 ] && rm -rf "$scratch"
    mkdir -p "$scratch" "$seeds" "$art"
    local args=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/")
    if [ "$runs" -gt 0 ]; then args+=(-runs="$runs"); else args+=(-max_total_time="$seconds"); fi
    [ "$seed" -ne 0 ] && args+=(-seed="$seed")
    [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
    # the scratch corpus first: libFuzzer writes new inputs only to the first directory
    "$exe" "${args[@]}" "$scratch" "$seeds" >"$out/$t.log" 2>&1
    echo $? >"$out/$t.rc"
}

running=0
for t in "${targets[@]}"; do
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

total=0 failed=0
for t in "${targets[@]}"; do
    rc=$(cat "$out/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -1)
    used_seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$out/$t.log" | head -1)
    total=$((total + ${execs:-0}))
    found=()
    for a in "$out/artifacts-$t"/*; do
        [ -f "$a" ] || continue
        name=$(basename "$a")
        cp "$a" "tests/fuzz/corpus/$t/$name"
        found+=("tests/fuzz/corpus/$t/$name")
    done
    if [ "$rc" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
        failed=$((failed + 1))
        echo "fuzz_$t: FAILED (exit $rc, seed ${used_seed:-?}) after ${execs:-?} executions; log $out/$t.log"
        grep -m 5 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/$t.log" | sed 's/^/    /'
        for f in "${found[@]}"; do echo "    reproducer saved: $f"; done
    else
        echo "fuzz_$t: seed ${used_seed:-?}, ${execs:-0} executions in ${secs:-?} s, ${cov:-cov: ?}, no crash, leak or timeout"
    fi
done
echo "fuzz: ${#targets[@]} targets, $total executions, $failed failed"
[ "$failed" -eq 0 ]
