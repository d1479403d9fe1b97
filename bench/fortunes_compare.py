#!/usr/bin/env python3
"""The main job side by side: libattn's `attn train` and its PyTorch twin
(bench/reference/torch_classifier.py) on the same fortunes split, the same
token ids (libattn's tokenizer, via `attn train --dump-tokens`), the same
architecture and hyperparameters, the same threads, each averaged over the
same seeds; plus the TF-IDF + logistic-regression baseline. Prints a table
and a final JSON line; --strip-attribution runs the variant without the
"-- Author" lines.

  .venv-ref/bin/python bench/fortunes_compare.py --attn build/tools/attn [--seeds 1,2,3] [--threads 2]
      [--strip-attribution] [-- extra `attn train` options such as --pooling mean]

Extra training options after `--` go to both sides (the PyTorch script
accepts the same names)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (PyTorch's environment: the same BLAS set-up as the inference bench)
DEFAULT_VOCAB = os.path.join(HERE, "..", "data", "bert-base-uncased-vocab.txt")


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON result in output:\n" + text[-2000:])


def torch_env(threads, torch_blas):
    """PyTorch at its best on this machine, exactly as bench/compare.py runs it:
    OpenBLAS with the CPU's kernels when scripts/bench.sh unpacked it, OpenMP
    threads that sleep instead of spinning, the same thread count."""
    args = argparse.Namespace(python=sys.executable, threads=threads, torch_blas=torch_blas,
                              openblas_dir=os.path.join(compare.CACHE, "openblas", "usr", "lib", "x86_64-linux-gnu",
                                                        "openblas-pthread"))
    runner = compare.Runner(args)
    env = runner.torch_env()
    env["ATTN_TORCH_ENV"] = "bench"
    return env, runner.torch_blas_used


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return last_json(p.stdout)


def summary(results, key):
    values = [r[key] for r in results]
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attn", default="build/tools/attn")
    ap.add_argument("--vocab", default=DEFAULT_VOCAB)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--strip-attribution", action="store_true")
    ap.add_argument("--json-out", help="also write the results here")
    ap.add_argument("--torch-blas", choices=["auto", "openblas", "system"], default="auto",
                    help="as bench/compare.py: openblas if scripts/bench.sh unpacked it (auto)")
    args, extra = ap.parse_known_args()
    extra = [x for x in extra if x != "--"]
    seeds = [int(s) for s in args.seeds.split(",")]
    strip = ["--strip-attribution"] if args.strip_attribution else []
    common = ["--threads", str(args.threads)] + extra
    env, blas = torch_env(args.threads, args.torch_blas)
    out = {"seeds": seeds, "threads": args.threads, "options": extra, "strip_attribution": args.strip_attribution,
           "torch_blas": blas}
    with tempfile.TemporaryDirectory() as tmp:
        ids = os.path.join(tmp, "ids.tsv")
        subprocess.run([args.attn, "train", "--vocab", args.vocab, "--dump-tokens", ids] + strip + extra, check=True)
        attn_runs, torch_runs = [], []
        for seed in seeds:
            print(f"seed {seed}: libattn ...", file=sys.stderr, flush=True)
            attn_runs.append(run([args.attn, "train", "--vocab", args.vocab, "--out", os.path.join(tmp, f"attn{seed}"),
                                  "--seed", str(seed), "--quiet"] + strip + common))
            print(f"seed {seed}: PyTorch ...", file=sys.stderr, flush=True)
            torch_runs.append(run(["/usr/bin/python3", os.path.join(HERE, "reference", "torch_classifier.py"), "--ids", ids,
                                   "--seed", str(seed)] + common, env=env))
        tfidf = run(["/usr/bin/python3", os.path.join(HERE, "reference", "tfidf_baseline.py")] + strip)
    out["libattn"], out["pytorch"], out["tfidf"] = attn_runs, torch_runs, tfidf
    rows = [("test accuracy", "test_accuracy", 100, "%"), ("test macro-F1", "test_macro_f1", 100, "%"),
            ("seconds per epoch", "seconds_per_epoch", 1, " s"), ("peak RSS", "peak_rss_mb", 1, " MB")]
    print(f"\nfortunes task{' (attributions stripped)' if args.strip_attribution else ''}, "
          f"{len(seeds)} seeds, {args.threads} threads, options {' '.join(extra) or '(defaults)'}, PyTorch BLAS {blas}")
    print(f"{'':20} {'libattn':>16} {'PyTorch':>16} {'ratio':>7}")
    for name, key, scale, unit in rows:
        (am, asd), (tm, tsd) = summary(attn_runs, key), summary(torch_runs, key)
        ratio = am / tm if tm else float("nan")
        print(f"{name:20} {am * scale:9.2f}±{asd * scale:<5.2f} {tm * scale:9.2f}±{tsd * scale:<5.2f} {ratio:7.2f}")
    print(f"{'TF-IDF + LR':20} {100 * tfidf['test_accuracy']:9.2f}% accuracy, {100 * tfidf['test_macro_f1']:.2f}% macro-F1")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(out, f, indent=1)
    print(json.dumps({"libattn_accuracy": summary(attn_runs, "test_accuracy")[0],
                      "pytorch_accuracy": summary(torch_runs, "test_accuracy")[0],
                      "libattn_s_per_epoch": summary(attn_runs, "seconds_per_epoch")[0],
                      "pytorch_s_per_epoch": summary(torch_runs, "seconds_per_epoch")[0],
                      "tfidf_accuracy": tfidf["test_accuracy"]}))


if __name__ == "__main__":
    main()
