#!/usr/bin/env python3
"""PyTorch peer for compare.py: times one BERT case and prints one JSON line.

The encoder is written here in plain torch (no transformers package), with
the numerics libattn follows: embeddings word + position + token type, then
LayerNorm (eps 1e-12) and dropout; post-LN blocks with separate q/k/v
linears, scores / sqrt(d_head) plus the additive mask (1 - m) * finfo.min,
softmax, context, output dense, residual + LayerNorm, FFN with exact (erf)
GELU, residual + LayerNorm; a tanh pooler; for training a classifier on the
pooled output (dropout 0.1, cross-entropy, AdamW lr 1e-4). Weights are
random (normal, std 0.02), as in a freshly initialised BERT.

  infer: eval mode under torch.inference_mode(); one forward of the batch
         (encoder + pooler) per repetition.
  train: train mode; one repetition = zero_grad + forward + loss + backward
         + AdamW step.

Padding: with --pad p, the last round(p * T) positions of every sequence
have attention_mask 0 (the real tokens are B * (T - round(p * T))).

Run one case per process so peak RSS (ru_maxrss) belongs to that case.
compare.py sets the BLAS's thread count and removes OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE from this process's environment.

--export-onnx PATH writes the inference model (eval mode, fixed B x T,
inputs input_ids, token_type_ids, attention_mask as int64) for
ort_bench.js instead of timing.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
from torch import nn


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word = nn.Embedding(cfg.vocab, cfg.hidden)
        self.position = nn.Embedding(cfg.max_pos, cfg.hidden)
        self.token_type = nn.Embedding(cfg.type_vocab, cfg.hidden)
        self.norm = nn.LayerNorm(cfg.hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.word(input_ids) + self.position(positions)[None] + self.token_type(token_type_ids)
        return self.dropout(self.norm(x))


class Block(nn.Module):
    """One post-LN BERT layer."""

    def __init__(self, cfg):
        super().__init__()
        self.heads = cfg.heads
        self.d_head = cfg.hidden // cfg.heads
        self.query = nn.Linear(cfg.hidden, cfg.hidden)
        self.key = nn.Linear(cfg.hidden, cfg.hidden)
        self.value = nn.Linear(cfg.hidden, cfg.hidden)
        self.probs_dropout = nn.Dropout(0.1)
        self.attn_out = nn.Linear(cfg.hidden, cfg.hidden)
        self.attn_dropout = nn.Dropout(0.1)
        self.attn_norm = nn.LayerNorm(cfg.hidden, eps=1e-12)
        self.ffn_in = nn.Linear(cfg.hidden, cfg.ffn)
        self.gelu = nn.GELU()  # exact erf form, BERT's "gelu"
        self.ffn_out = nn.Linear(cfg.ffn, cfg.hidden)
        self.ffn_dropout = nn.Dropout(0.1)
        self.ffn_norm = nn.LayerNorm(cfg.hidden, eps=1e-12)

    def split(self, t):  # (B, T, H) -> (B, heads, T, d_head)
        b, s, _ = t.shape
        return t.view(b, s, self.heads, self.d_head).transpose(1, 2)

    def forward(self, x, additive_mask):
        b, s, h = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head) + additive_mask
        probs = self.probs_dropout(scores.softmax(dim=-1))
        context = (probs @ v).transpose(1, 2).reshape(b, s, h)
        x = self.attn_norm(x + self.attn_dropout(self.attn_out(context)))
        return self.ffn_norm(x + self.ffn_dropout(self.ffn_out(self.gelu(self.ffn_in(x)))))


class Bert(nn.Module):
    def __init__(self, cfg, labels=0):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.pooler = nn.Linear(cfg.hidden, cfg.hidden)
        self.classifier = None
        if labels:
            self.classifier_dropout = nn.Dropout(0.1)
            self.classifier = nn.Linear(cfg.hidden, labels)
        for m in self.modules():  # BERT's initialisation
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids, token_type_ids, attention_mask):
        dtype = self.pooler.weight.dtype
        # (B, 1, 1, T): 0 where attended, the most negative float where padded
        additive = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.layers:
            x = layer(x, additive)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        if self.classifier is None:
            return x, pooled
        return self.classifier(self.classifier_dropout(pooled))


def make_inputs(cfg, generator):
    ids = torch.randint(0, cfg.vocab, (cfg.batch, cfg.seq), generator=generator)
    types = torch.zeros(cfg.batch, cfg.seq, dtype=torch.long)
    mask = torch.ones(cfg.batch, cfg.seq, dtype=torch.long)
    pad = math.floor(cfg.pad * cfg.seq + 0.5)  # half up, like attn bench and ort_bench.js
    if pad:
        mask[:, cfg.seq - pad:] = 0
    return ids, types, mask


def loaded_blas():
    """Which BLAS torch runs on, with its kernel set and threads where it says."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            name = os.path.basename(path)
            if "blas" in name or "blis" in name:
                libs.add(path)
    desc = ", ".join(sorted(libs)) or "none found"
    import ctypes
    for path in libs:
        if os.path.basename(path).startswith("libopenblas"):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                core = lib.openblas_get_corename().decode()
                return f"OpenBLAS core {core}, {lib.openblas_get_num_threads()} threads ({desc})"
            except (OSError, AttributeError):
                pass
    if any("blis" in p for p in libs):
        arch = os.environ.get("BLIS_ARCH_TYPE", "BLIS's own detection")
        return f"BLIS BLAS interface, BLIS_ARCH_TYPE={arch}, BLIS_NUM_THREADS={os.environ.get('BLIS_NUM_THREADS', 'unset')} ({desc})"
    return desc


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def run(cfg):
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    rss_before = peak_rss_mb()
    ids, types, mask = make_inputs(cfg, gen)
    times = []
    if cfg.mode == "infer":
        model = Bert(cfg).eval()
        with torch.inference_mode():
            for i in range(cfg.warmup + cfg.reps):
                t0 = time.perf_counter()
                model(ids, types, mask)
                if i >= cfg.warmup:
                    times.append(time.perf_counter() - t0)
    else:
        model = Bert(cfg, labels=cfg.labels).train()
        labels = torch.randint(0, cfg.labels, (cfg.batch,), generator=gen)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        loss_fn = nn.CrossEntropyLoss()
        for i in range(cfg.warmup + cfg.reps):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(ids, types, mask), labels)
            loss.backward()
            opt.step()
            if i >= cfg.warmup:
                times.append(time.perf_counter() - t0)
        if not torch.isfinite(loss):
            raise SystemExit("torch_bench: the training loss is not finite")
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    return {
        "framework": "pytorch",
        "version": torch.__version__,
        "mode": cfg.mode,
        "layers": cfg.layers, "hidden": cfg.hidden, "heads": cfg.heads, "ffn": cfg.ffn,
        "batch": cfg.batch, "seq": cfg.seq, "pad": cfg.pad, "threads": cfg.threads,
        "reps": cfg.reps, "warmup": cfg.warmup,
        "median_ms": round(median * 1e3, 3), "min_ms": round(times[0] * 1e3, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1), "rss_before_model_mb": round(rss_before, 1),
        "blas": loaded_blas(),
    }


def export_onnx(cfg, path):
    torch.manual_seed(cfg.seed)
    model = Bert(cfg).eval()
    ids, types, mask = make_inputs(cfg, torch.Generator().manual_seed(cfg.seed))
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, (ids, types, mask), tmp, opset_version=cfg.opset,
                          input_names=["input_ids", "token_type_ids", "attention_mask"],
                          output_names=["last_hidden_state", "pooler_output"],
                          do_constant_folding=True)
    os.replace(tmp, path)  # a half-written model never sits under the final name
    return {"exported": path, "bytes": os.path.getsize(path), "opset": cfg.opset}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--ffn", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--pad", type=float, default=0.0, help="fraction of each sequence that is padding")
    p.add_argument("--mode", choices=["infer", "train"], default="infer")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--labels", type=int, default=2, help="classifier labels (train mode)")
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--max-pos", dest="max_pos", type=int, default=512)
    p.add_argument("--type-vocab", dest="type_vocab", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--export-onnx", dest="export_onnx", metavar="PATH")
    p.add_argument("--opset", type=int, default=14)
    cfg = p.parse_args(argv)
    if cfg.hidden % cfg.heads or not 0 <= cfg.pad < 1 or cfg.seq > cfg.max_pos or cfg.reps < 1:
        p.error("need hidden % heads == 0, 0 <= pad < 1, seq <= max-pos, reps >= 1")
    out = export_onnx(cfg, cfg.export_onnx) if cfg.export_onnx else run(cfg)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
