#!/usr/bin/env python3
"""PyTorch twin of bench/layers_bench.c: the same layer cases at the same
shapes and thread count, one JSON object per line in the same format.

  linear, layernorm, ffn (exact GELU), embedding, dropout (p 0.1, train):
      torch.nn modules.
  attention: Hugging Face's BertSelfAttention + BertSelfOutput.dense written
      in torch (separate q/k/v linears, scores / sqrt(d) + (1 - m) * finfo.min,
      softmax, context, output dense); eval mode.
  attention_pad: the same with the last 25% of each sequence masked.
  attention_packed: PyTorch has no packed form, so this is attention_pad
      again: the padded batch HF runs, against libattn's packed real tokens.
  kernel_layernorm / kernel_softmax / kernel_gelu: F.layer_norm, softmax
      over [B*heads*T, T], F.gelu over [N, FFN].

Forward runs under torch.no_grad(); backward times y.backward(dy) of one
graph kept with retain_graph (gradients accumulate, as libattn's do).
Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (layers_compare.py
does that).
"""
import argparse
import json
import math
import statistics
import time

import torch
from torch import nn


class HFSelfAttention(nn.Module):
    """BertSelfAttention (absolute positions) followed by BertSelfOutput.dense."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.d = heads, hidden // heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.dense = nn.Linear(hidden, hidden)

    def forward(self, x, ext_mask):
        b, t, h = x.shape

        def split(v):
            return v.view(b, t, self.heads, self.d).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + ext_mask
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, t, h)
        return self.dense(ctx)


def measure(name, pas, fn, reps, warmup, nbytes=0.0):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(times)
    out = {"case": name, "pass": pas, "median_ms": round(med, 4), "min_ms": round(min(times), 4)}
    if nbytes:
        out["gbps"] = round(nbytes / (med * 1e-3) / 1e9, 2)
    print(json.dumps(out), flush=True)


def run_layer(name, module, inputs, reps, warmup, nbytes=0.0, train=False):
    module.train(train)
    with torch.no_grad():
        measure(name, "forward", lambda: module(*inputs), reps, warmup, nbytes)
    grad_inputs = [t.detach().clone().requires_grad_() if t.is_floating_point() else t for t in inputs]
    y = module(*grad_inputs)
    dy = torch.rand_like(y) * 2 - 1
    measure(name, "backward", lambda: y.backward(dy, retain_graph=True), reps, warmup)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--ffn", type=int, default=3072)
    ap.add_argument("--vocab", type=int, default=30522)
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    b, t, h = a.batch, a.seq, a.hidden
    n = b * t
    print(json.dumps({"library": "torch " + torch.__version__, "threads": torch.get_num_threads(), "batch": b,
                      "seq": t, "hidden": h, "heads": a.heads, "ffn": a.ffn, "reps": a.reps}), flush=True)

    chosen = set(c for c in a.cases.split(",") if c)

    def wanted(name):
        return not chosen or name in chosen

    x2 = torch.rand(n, h) * 2 - 1
    if wanted("linear"):
        run_layer("linear", nn.Linear(h, h), [x2], a.reps, a.warmup)
    if wanted("layernorm"):
        run_layer("layernorm", nn.LayerNorm(h, eps=1e-12), [x2], a.reps, a.warmup, nbytes=n * h * 8.0)
    real = t - round(0.25 * t)
    for name in ("attention", "attention_pad", "attention_packed"):
        if not wanted(name):
            continue
        mask = torch.ones(b, t)
        if name != "attention":
            mask[:, real:] = 0
        ext = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        run_layer(name, HFSelfAttention(h, a.heads), [torch.rand(b, t, h) * 2 - 1, ext], a.reps, a.warmup)
    if wanted("ffn"):
        ffn = nn.Sequential(nn.Linear(h, a.ffn), nn.GELU(), nn.Linear(a.ffn, h))
        run_layer("ffn", ffn, [x2], a.reps, a.warmup)
    if wanted("embedding"):
        ids = (torch.arange(n, dtype=torch.int64) * 7919) % a.vocab
        run_layer("embedding", nn.Embedding(a.vocab, h), [ids], a.reps, a.warmup)
    if wanted("dropout"):
        run_layer("dropout", nn.Dropout(0.1), [x2], a.reps, a.warmup, train=True)
    with torch.no_grad():
        if wanted("kernel_layernorm"):
            w, bias = torch.ones(h), torch.zeros(h)
            xs = torch.rand(n, h) * 6 - 3
            measure("kernel_layernorm", "forward", lambda: torch.nn.functional.layer_norm(xs, (h,), w, bias, 1e-12),
                    a.reps, a.warmup, n * h * 8.0)
        if wanted("kernel_softmax"):
            s = torch.rand(b * a.heads * t, t) * 8 - 4
            measure("kernel_softmax", "forward", lambda: torch.softmax(s, dim=-1), a.reps, a.warmup,
                    s.numel() * 8.0)
        if wanted("kernel_gelu"):
            g = torch.rand(n, a.ffn) * 6 - 3
            measure("kernel_gelu", "forward", lambda: torch.nn.functional.gelu(g), a.reps, a.warmup, g.numel() * 8.0)


if __name__ == "__main__":
    main()
