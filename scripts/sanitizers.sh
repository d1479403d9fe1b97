#!/usr/bin/env bash
# Runs libattn's own test suites under the dynamic checkers, each in its own
# build directory:
#   asan      gcc, -Db_sanitize=address,undefined (LeakSanitizer included),
#             meson test setup 'asan'
#   valgrind  a plain debugoptimized build under memcheck (definite and
#             indirect leaks are errors), setup 'valgrind'
#   tsan      clang -fsanitize=thread, setup 'tsan'; only the suites that run
#             threads (BLIS is not instrumented: races inside it are not seen).
#             clang, not gcc: gcc's TSan instruments the ifunc resolvers of
#             the layers' target_clones kernels, which then crash before the
#             runtime is up (clang builds no clones).
# Only the programs of the selected suites are built (they link the static
# library): clang links its sanitizer runtime into executables only, so
# libattn.so itself (--no-undefined) cannot be linked with it.
# Suites that run foreign programs as the test (python bindings, ABI tools)
# are not selected; tests that call python for reference values run python
# unchecked (valgrind does not follow exec, python is not instrumented).
#
# Usage: scripts/sanitizers.sh [asan] [valgrind] [tsan]   (default: all three)
#   env SANITIZER_BUILD_PREFIX: build directories are <prefix>-asan, ...
#       (default "build")
# Prints, per checker, the test programs run and the reports found in their
# logs (memory errors, UB, leaks, races), then one line
# "sanitizers: N runs, N programs, N reports, N failed". Exit status 0 only if
# every run passed with no report.
set -uo pipefail
cd "$(dirname "$0")/.."

prefix=${SANITIZER_BUILD_PREFIX:-build}
checkers=("$@")
[ ${#checkers[@]} -gt 0 ] || checkers=(asan valgrind tsan)

common_opts=(--buildtype=debugoptimized -Dexamples=false -Dbench=false -Ddocs=disabled)
checked_suites=(unit parity fuzz reliability)
thread_suites=(reliability)

setup_dir() { # dir, CC, meson args...
    local dir=$1 cc=$2
    shift 2
    [ -f "$dir/build.ninja" ] && return 0
    local log
    log=$(mktemp)
    CC=$cc meson setup "$dir" "${common_opts[@]}" "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
    rm -f "$log"
}

# The build targets (programs, relative to the build directory) that the
# tests of the given suites run.
suite_targets() {
    meson introspect "$1" --tests | /usr/bin/python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
wanted = {"libattn:" + s for s in sys.argv[2:]} | set(sys.argv[2:])
out = set()
for t in json.load(sys.stdin):
    if wanted & set(t["suite"]):
        for arg in t["cmd"]:
            # meson names some built programs relative to the build directory (tools/attn)
            rel = not os.path.isabs(arg) and "/" in arg and not arg.startswith(("-", "."))
            path = os.path.realpath(os.path.join(build, arg) if rel else arg)
            if (os.path.isabs(arg) or rel) and path.startswith(build + os.sep):
                out.add(os.path.relpath(path, build))
print("\n".join(sorted(out)))
' "$@"
}

# Counts the findings the checkers wrote into the test logs (stdout and stderr
# of every test program), from meson's machine-readable log.
count_reports() {
    /usr/bin/python3 - "$1/meson-logs/testlog-$2.json" <<'PY'
import json, re, sys
pattern = re.compile(
    r"^==\d+==\s*(ERROR: \w+Sanitizer|WARNING: ThreadSanitizer|Invalid (read|write|free)|"
    r"Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|"
    r".* are (definitely|indirectly) lost)|^(Direct|Indirect) leak of|: runtime error: |"
    r"^WARNING: ThreadSanitizer", re.M)
programs = passed = reports = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    programs += 1
    passed += r["result"] in ("OK", "EXPECTEDFAIL")
    text = (r.get("stdout") or "") + (r.get("stderr") or "")
    found = len(pattern.findall(text))
    reports += found
    if found or r["result"] not in ("OK", "EXPECTEDFAIL", "SKIP"):
        print("    %s: %s, %d report(s)" % (r["name"], r["result"], found), file=sys.stderr)
print(programs, passed, reports)
PY
}

runs=0 programs_total=0 reports_total=0 failed=0
for checker in "${checkers[@]}"; do
    dir=$prefix-$checker
    suites=("${checked_suites[@]}")
    case $checker in
        # asan and valgrind build the CLI too: reliability/cli_hostile runs it
        # on hostile files (under valgrind through ATTN_CLI_WRAPPER, below)
        asan) setup_dir "$dir" gcc -Dtools=true -Db_sanitize=address,undefined -Db_lundef=false \
                  -Dc_args="-fno-omit-frame-pointer -fno-sanitize-recover=all" ;;
        valgrind) setup_dir "$dir" gcc -Dtools=true ;;
        tsan) suites=("${thread_suites[@]}")
              setup_dir "$dir" clang -Dtools=false -Db_sanitize=thread -Db_lundef=false -Dc_args=-fno-omit-frame-pointer ;;
        *) echo "sanitizers: unknown checker '$checker' (asan, valgrind, tsan)" >&2; exit 2 ;;
    esac
    if [ $? -ne 0 ]; then
        echo "$checker: meson setup failed"; failed=$((failed + 1)); continue
    fi
    runs=$((runs + 1))
    start=$(date +%s)
    suite_args=()
    for s in "${suites[@]}"; do suite_args+=(--suite "$s"); done
    # regenerate first if meson.build files changed: introspection reads the last configuration
    ninja -C "$dir" build.ninja >/dev/null 2>&1
    mapfile -t targets < <(suite_targets "$dir" "${suites[@]}")
    if [ ${#targets[@]} -eq 0 ] || ! ninja -C "$dir" "${targets[@]}" >"$dir/sanitizers-build.log" 2>&1; then
        tail -30 "$dir/sanitizers-build.log"
        echo "$checker: build failed"; failed=$((failed + 1)); continue
    fi
    # under valgrind the CLI script runs on its own: the setup would wrap
    # bash, not the attn commands it starts
    no_cli=()
    [ "$checker" = valgrind ] && no_cli=(--no-suite cli_hostile)
    meson test -C "$dir" --no-rebuild --setup "$checker" --num-processes "$(nproc 2>/dev/null || echo 2)" \
        --print-errorlogs "${suite_args[@]}" "${no_cli[@]}" >"$dir/sanitizers-test.log" 2>&1
    status=$?
    if [ "$checker" = valgrind ] && [ -x "$dir/tools/attn" ]; then
        ATTN_CLI_WRAPPER="valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --quiet" \
            bash tests/reliability/cli_hostile.sh "$dir/tools/attn" tests/data/hf-bert-tiny/tiny_a.safetensors \
            tests/data/hf-bert-tiny/tiny_a.config.json >"$dir/sanitizers-cli.log" 2>&1 || {
            status=1
            grep '^not ok' "$dir/sanitizers-cli.log"
        }
    fi
    read -r programs passed reports < <(count_reports "$dir" "$checker")
    programs=${programs:-0} passed=${passed:-0} reports=${reports:-0}
    programs_total=$((programs_total + programs))
    reports_total=$((reports_total + reports))
    secs=$(($(date +%s) - start))
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ] || [ "$programs" -eq 0 ]; then
        failed=$((failed + 1))
        grep -E '^(Summary|Ok|Fail|Timeout):' "$dir/sanitizers-test.log" | tr -s ' ' | paste -sd' '
        echo "$checker: FAILED: $passed of $programs test programs passed, $reports report(s) ($secs s; log $dir/sanitizers-test.log)"
    else
        echo "$checker: $passed of $programs test programs passed (suites ${suites[*]}), 0 reports ($secs s)"
    fi
done
echo "sanitizers: $runs runs, $programs_total programs, $reports_total reports, $failed failed"
[ "$failed" -eq 0 ]
