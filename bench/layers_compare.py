#!/usr/bin/python3
"""libattn's layers next to PyTorch's, at BERT-base shapes, in one go.

Runs bench/layers_bench (C, from a build directory) and bench/layers_bench.py
(PyTorch; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
environment) alternately --runs times, so background load hits both alike,
and prints for every layer and pass the median of the per-run medians, the
speed-up (PyTorch time / libattn time) and, for LayerNorm, softmax and GELU,
the memory rate (bytes read + written / time). The load average before and
after is printed too: on a busy machine the numbers mean little, and
--wait-quiet waits (up to 10 minutes) for the 1-minute load to fall first.

  /usr/bin/python3 bench/layers_compare.py --build build
  /usr/bin/python3 bench/layers_compare.py --build build --threads 1 --runs 5 --only attention
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
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
    ap.add_argument("--only", default="", help="case-name prefix")
    ap.add_argument("--wait-quiet", type=float, default=None, metavar="LOAD",
                    help="before each run wait until the 1-minute load average is below LOAD")
    a = ap.parse_args()

    exe = os.path.join(a.build, "bench", "layers_bench")
    if not os.path.isabs(exe):
        exe = os.path.join(ROOT, exe)
    if not os.path.exists(exe):
        sys.exit("no %s: build it with ninja -C %s bench/layers_bench" % (exe, a.build))
    common = ["--threads", str(a.threads), "--reps", str(a.reps)] + (["--only", a.only] if a.only else [])
    torch_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

    load_before = os.getloadavg()
    results = {"libattn": [], "pytorch": []}
    heads = {}
    for _ in range(a.runs):
        if a.wait_quiet is not None:
            wait_quiet(a.wait_quiet)
        heads["libattn"], r = run([exe] + common)
        results["libattn"].append(r)
        if a.wait_quiet is not None:
            wait_quiet(a.wait_quiet)
        heads["pytorch"], r = run(["/usr/bin/python3", os.path.join(HERE, "layers_bench.py")] + common, env=torch_env)
        results["pytorch"].append(r)
    load_after = os.getloadavg()

    def med(fw, key, field):
        vals = [r[key][field] for r in results[fw] if key in r and field in r[key]]
        return statistics.median(vals) if vals else None

    print("libattn: %s, BLIS kernels %s | PyTorch: %s | threads %d, B=%d T=%d H=%d heads=%d FFN=%d" % (
        heads["libattn"]["library"], heads["libattn"].get("blis_arch", "?"), heads["pytorch"]["library"], a.threads,
        heads["libattn"]["batch"], heads["libattn"]["seq"], heads["libattn"]["hidden"], heads["libattn"]["heads"],
        heads["libattn"]["ffn"]))
    print("median of %d runs x %d reps; load average %.1f before, %.1f after (%d CPUs)" % (
        a.runs, a.reps, load_before[0], load_after[0], os.cpu_count()))
    print("%-18s %-8s %12s %12s %9s %11s %11s" % ("case", "pass", "libattn ms", "pytorch ms", "speed-up",
                                                  "libattn GB/s", "torch GB/s"))
    keys = list(results["libattn"][0].keys())
    missed = []
    for key in keys:
        ours, theirs = med("libattn", key, "median_ms"), med("pytorch", key, "median_ms")
        if ours is None or theirs is None:
            continue
        ratio = theirs / ours
        g1, g2 = med("libattn", key, "gbps"), med("pytorch", key, "gbps")
        gb = ("%11.1f %11.1f" % (g1, g2)) if g1 is not None and g2 is not None else ""
        mark = ""
        if key in TARGETS:
            ok = ratio >= TARGETS[key]
            mark = "  (target >= %.1fx: %s)" % (TARGETS[key], "met" if ok else "MISSED")
            if not ok:
                missed.append(key)
        print("%-18s %-8s %12.3f %12.3f %8.2fx %s%s" % (key[0], key[1], ours, theirs, ratio, gb, mark))
    print("attention_packed: libattn runs only the real tokens (75%), PyTorch the padded batch with its mask")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
