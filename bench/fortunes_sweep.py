#!/usr/bin/env python3
"""Seed-averaged test accuracy of `attn train` on the fortunes task for one
set of options: the tool behind bench/results/fortunes_sweep.txt.

  .venv-ref/bin/python bench/fortunes_sweep.py --attn build/tools/attn --seeds 1,2,3 [--threads 1] -- --pooling mean --dropout 0.2

Prints one line per seed (test accuracy and macro-F1, best epoch, best
validation accuracy) and a SUMMARY line with the means. Runs are
deterministic for a seed whatever the thread count, so a sweep can run
several of these at once with --threads 1."""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VOCAB = os.path.join(HERE, "..", "data", "bert-base-uncased-vocab.txt")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attn", default="build/tools/attn")
    ap.add_argument("--vocab", default=DEFAULT_VOCAB)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--threads", type=int, default=1)
    args, extra = ap.parse_known_args()
    extra = [x for x in extra if x != "--"]
    test, f1, val = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in [int(s) for s in args.seeds.split(",")]:
            out = os.path.join(tmp, str(seed))
            p = subprocess.run([args.attn, "train", "--vocab", args.vocab, "--out", out, "--seed", str(seed), "--quiet",
                                "--threads", str(args.threads)] + extra, capture_output=True, text=True)
            results = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
            if p.returncode != 0 or not results:
                sys.stderr.write(p.stderr[-3000:])
                raise SystemExit(f"attn train failed for seed {seed}")
            r = results[-1]
            with open(os.path.join(out, "history.tsv")) as f:
                best_val = max(float(row["val_accuracy"]) for row in csv.DictReader(f, delimiter="\t"))
            test.append(r["test_accuracy"])
            f1.append(r["test_macro_f1"])
            val.append(best_val)
            print(f"seed {seed}: test accuracy {100 * r['test_accuracy']:.2f}%  macro-F1 {100 * r['test_macro_f1']:.2f}%  "
                  f"best epoch {r['best_epoch']}  best validation accuracy {100 * best_val:.2f}%", flush=True)
    sd = statistics.stdev(test) if len(test) > 1 else 0.0
    print(f"SUMMARY {' '.join(extra) or '(defaults)'}: test accuracy {100 * statistics.fmean(test):.2f} ± {100 * sd:.2f}, "
          f"macro-F1 {100 * statistics.fmean(f1):.2f}, best validation accuracy {100 * statistics.fmean(val):.2f}")


if __name__ == "__main__":
    main()
