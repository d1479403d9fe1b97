#!/usr/bin/env python3
"""Frozen-embedding baseline on the fortunes task: sentence-transformers'
embeddings of a model folder (all-MiniLM-L6-v2: mean pooling, normalised),
computed once and never trained, then scikit-learn's LogisticRegression
(C=1, lbfgs, up to 5000 iterations) on the training split; the split is
bench/reference/fortunes_data.py's (libattn's). Texts are cut at --max-len
tokens, as the fine-tuned models see them. Prints one JSON line.

  .venv-ref/bin/python bench/reference/embedding_logreg.py --model DIR [--max-len 128] [--threads 2]"""
import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fortunes_data  # noqa: E402
from tfidf_baseline import scores  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import torch
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression
    torch.set_num_threads(args.threads)
    start = time.time()
    ds = fortunes_data.load_fortunes()
    model = SentenceTransformer(args.model, device="cpu")
    model.max_seq_length = args.max_len
    part = {s: ds.indices(s) for s in range(3)}
    X = {s: model.encode([ds.texts[i] for i in part[s]], batch_size=32) for s in range(3)}
    y = {s: [ds.labels[i] for i in part[s]] for s in range(3)}
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(X[0], y[0])
    k = len(ds.label_names)
    result = {"model": "frozen-embedding-logreg", "max_len": args.max_len}
    for s, name in ((1, "val"), (2, "test")):
        acc, f1 = scores(clf.predict(X[s]), y[s], k)
        result[name + "_accuracy"], result[name + "_macro_f1"] = round(acc, 4), round(f1, 4)
    result["seconds"] = round(time.time() - start, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
