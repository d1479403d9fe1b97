"""ONNX Runtime peer for compare.py: times one inference case of a BERT model
exported by torch_bench.py --export-onnx and prints one JSON line.

ONNX Runtime comes from PyPI (scripts/bench-requirements.txt, installed by
scripts/bench.sh into .venv-ref). Session: intra_op_num_threads = --threads,
inter_op_num_threads = 1, sequential execution, all graph optimisations.
Inputs match torch_bench.py: random ids, token types 0, the last
round(pad * T) positions of each sequence with attention_mask 0 (half up).
One case per process: the peak RSS is the process's (VmHWM)."""
import argparse
import json
import math
import statistics
import time

import numpy as np
import onnxruntime as ort


def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--pad", type=float, default=0.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--vocab", type=int, default=30522)
    a = p.parse_args()
    rss_before = peak_rss_mb()
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(2463534242)
    pad = int(math.floor(a.pad * a.seq + 0.5))
    mask = np.zeros((a.batch, a.seq), dtype=np.int64)
    mask[:, : a.seq - pad] = 1
    feeds = {"input_ids": rng.integers(0, a.vocab, (a.batch, a.seq), dtype=np.int64),
             "token_type_ids": np.zeros((a.batch, a.seq), dtype=np.int64), "attention_mask": mask}
    names = {i.name for i in sess.get_inputs()}
    feeds = {k: v for k, v in feeds.items() if k in names}
    times = []
    out = None
    for i in range(a.warmup + a.reps):
        t0 = time.perf_counter()
        out = sess.run(None, feeds)
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    if not np.isfinite(out[0]).all():
        raise SystemExit("ort_bench: last_hidden_state has a non-finite value")
    print(json.dumps({"framework": "onnxruntime", "version": ort.__version__, "mode": "infer", "batch": a.batch,
                      "seq": a.seq, "pad": a.pad, "threads": a.threads, "reps": a.reps, "warmup": a.warmup,
                      "median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3),
                      "peak_rss_mb": round(peak_rss_mb(), 1), "rss_before_model_mb": round(rss_before, 1),
                      "model": a.model}))


if __name__ == "__main__":
    main()
