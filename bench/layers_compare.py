#!/usr/bin/env python3
"""libattn's layers next to PyTorch's, at BERT-base shapes, in one go.

Runs bench/layers_bench (C, from a build directory) and bench/layers_bench.py
(PyTorch, with the BLAS set-up of bench/compare.py: OpenBLAS's SkylakeX
kernels when scripts/bench.sh unpacked them) case by case, the two back to back for each case (which one
goes first alternates), --runs times over all cases, so that background
load hits both alike. For every layer and pass it prints the median of the
per-run medians, the speed-up (PyTorch time / libattn time) and, for
LayerNorm, softmax and GELU, the memory rate (bytes read + written / time).
The load average before and after is printed too: on a busy machine the
absolute numbers mean little (the ratios hold up better), and --wait-quiet
waits (up to 10 minutes each time) for the 1-minute load to fall first.

  .venv-ref/bin/python bench/layers_compare.py --build build
  .venv-ref/bin/python bench/layers_compare.py --build build --threads 1 --runs 5 --cases attention,ffn

Exit status 1 when attention or FFN forward misses the 1.5x target.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (PyTorch's environment, as in the model benchmark)
ROOT = os.path.dirname(HERE)
CASES = ["linear", "layernorm", "attention", "attention_pad", "attention_packed", "ffn", "embedding", "dropout",
         "kernel_layernorm", "kernel_softmax", "kernel_gelu"]
# the cases the target speaks of: libattn forward at least this much faster
TARGETS = {("attention", "forward"): 1.5, ("ffn", "forward"): 1.5}


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    return lines[0], {(r["case"], r["pass"]): r for r in lines[1:]}


def wait_quiet(limit):
    deadline = time.time() + 600
    while os.getloadavg()[0] > limit and time.time() < deadline:
        time.sleep(10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="meson build directory holding bench/layers_bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    ap.add_argument("--wait-quiet", type=float, default=None, metavar="LOAD",
                    help="before each measurement wait until the 1-minute load average is below LOAD")
    ap.add_argument("--torch-blas", dest="torch_blas", choices=["auto", "openblas", "system"], default="auto",
                    help="as bench/compare.py: openblas if scripts/bench.sh unpacked it (auto)")
    a = ap.parse_args()

    exe = os.path.join(a.build, "bench", "layers_bench")
    if not os.path.isabs(exe):
        exe = os.path.join(ROOT, exe)
    if not os.path.exists(exe):
        sys.exit("no %s: build it with ninja -C %s bench/layers_bench" % (exe, a.build))
    # PyTorch set up exactly as bench/compare.py runs it: OpenBLAS with this
    # CPU's kernels when scripts/bench.sh unpacked it, passive OpenMP waits
    runner = compare.Runner(argparse.Namespace(
        python=sys.executable, threads=a.threads, torch_blas=a.torch_blas,
        openblas_dir=os.path.join(compare.CACHE, "openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread")))
    torch_env = runner.torch_env()
    commands = {
        "libattn": ([exe], None),
        "pytorch": ([sys.executable, os.path.join(HERE, "layers_bench.py")], torch_env),
    }
    cases = [c for c in a.cases.split(",") if c]

    load_before = os.getloadavg()
    results = {"libattn": {}, "pytorch": {}}   # key -> list of per-run records
    heads = {}
    order = ["libattn", "pytorch"]
    for _ in range(a.runs):
        for case in cases:
            for fw in order:
                if a.wait_quiet is not None:
                    wait_quiet(a.wait_quiet)
                cmd, env = commands[fw]
                heads[fw], got = run(cmd + ["--threads", str(a.threads), "--reps", str(a.reps), "--cases", case],
                                     env=env)
                for key, rec in got.items():
                    results[fw].setdefault(key, []).append(rec)
            order.reverse()
    load_after = os.getloadavg()

    def med(fw, key, field):
        vals = [r[field] for r in results[fw].get(key, []) if field in r]
        return statistics.median(vals) if vals else None

    h = heads["libattn"]
    print("libattn %s (BLIS kernels %s) vs %s (BLAS: %s); threads %d; B=%d T=%d H=%d heads=%d FFN=%d" % (
        h["library"].split()[-1], h.get("blis_arch", "?"), heads["pytorch"]["library"], runner.torch_blas_used,
        a.threads, h["batch"], h["seq"], h["hidden"], h["heads"], h["ffn"]))
    print("median of %d runs x %d reps, cases interleaved; load average %.1f before, %.1f after (%d CPUs)" % (
        a.runs, a.reps, load_before[0], load_after[0], os.cpu_count()))
    print("%-17s %-8s %11s %11s %9s %12s %11s" % ("case", "pass", "libattn ms", "pytorch ms", "speed-up",
                                                 "libattn GB/s", "torch GB/s"))
    missed = []
    for key in results["libattn"]:
        ours, theirs = med("libattn", key, "median_ms"), med("pytorch", key, "median_ms")
        if ours is None or theirs is None:
            continue
        ratio = theirs / ours
        g1, g2 = med("libattn", key, "gbps"), med("pytorch", key, "gbps")
        gb = ("%12.1f %11.1f" % (g1, g2)) if g1 is not None and g2 is not None else " " * 24
        mark = ""
        if key in TARGETS:
            ok = ratio >= TARGETS[key]
            mark = "  target >= %.1fx: %s" % (TARGETS[key], "met" if ok else "MISSED")
            if not ok:
                missed.append(key)
        print("%-17s %-8s %11.3f %11.3f %8.2fx %s%s" % (key[0], key[1], ours, theirs, ratio, gb, mark))
    if "attention_packed" in cases:
        print("attention_packed: libattn runs only the real tokens (75%), PyTorch the padded batch with its mask")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
