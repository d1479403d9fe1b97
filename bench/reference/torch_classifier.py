#!/usr/bin/env python3
"""PyTorch reference for `attn train`: the same small BERT classifier, data,
schedule and model selection, so that accuracy and speed can be compared on
the same machine and threads.

Input: an ids file (format in bench/reference/README.md), normally written by
libattn's own tokenizer:
    attn train --dump-tokens ids.tsv [--max-len 128 ...]
    .venv-ref/bin/python bench/reference/torch_classifier.py --ids ids.tsv --seed 1
or, while developing without libattn, built here from fortunes_data.py and
the Python WordPiece port (wordpiece.py):
    .venv-ref/bin/python bench/reference/torch_classifier.py --python-tokenizer --seed 1

Model (as attn_bert_create builds it): word + position + token-type
embeddings, LayerNorm (eps 1e-12), dropout; post-LN blocks with q/k/v
linears, softmax(QK^T/sqrt(d) + (1 - mask) * finfo.min), attention dropout,
output dense, dropout, residual LayerNorm; FFN with exact (erf) GELU;
tanh pooler on [CLS]; dropout; linear classifier; mean cross-entropy.
Init: normal(0, 0.02) weights, zero biases, LayerNorm 1/0, [PAD] row 0.
Training (as `attn train`): AdamW (betas 0.9/0.999, eps 1e-8, weight decay
0.01 except biases and LayerNorm weights), lr 1e-3 with linear warmup over
10% of all steps and linear decay to 0 (step s uses the lr of step s, the
first step lr 0, as Hugging Face's LambdaLR), gradient clipping to global
norm 1.0, batch 32 in a seeded shuffle per epoch, padding to the longest
text of each batch, token types all 0; after each epoch, validation loss,
accuracy and macro-F1; the best epoch by validation accuracy (macro-F1
breaks ties) is kept, training stops after 3 epochs without improvement,
and the test split is scored with the best weights.

Prints one line per epoch and, last, one JSON line: test_accuracy,
test_macro_f1, seconds_per_epoch (wall time of training only, as attn
train), cpu_seconds_per_epoch (process CPU time, a check on a busy
machine), epochs, best_epoch, peak_rss_mb, and the settings. Threads: --threads (default 2);
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the environment
(the script re-executes itself without them) so the BLAS picks its own
kernels, as in bench/peers.
"""
import os
import sys

# bench/fortunes_compare.py sets up the BLAS itself (ATTN_TORCH_ENV=bench), as bench/compare.py does
if os.environ.get("ATTN_TORCH_ENV") != "bench" and any(v in os.environ for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

SPLIT_NAMES = {"train": 0, "validation": 1, "test": 2, "0": 0, "1": 1, "2": 2}
DEFAULT_VOCAB = "tests/data/bert-base-uncased/vocab.txt"


# ---------------------------------------------------------------- data

def read_ids(path):
    """(examples, label_names): examples are (split, label, ids) in file order."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or (n == 1 and line.startswith("split\t")):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in SPLIT_NAMES:
                raise SystemExit("%s:%d: expected split<TAB>label<TAB>ids" % (path, n))
            try:
                ids = [int(t) for t in parts[2].split()]
            except ValueError:
                raise SystemExit("%s:%d: ids must be integers" % (path, n))
            if len(ids) < 2:
                raise SystemExit("%s:%d: an input needs at least [CLS] and [SEP]" % (path, n))
            rows.append((SPLIT_NAMES[parts[0]], parts[1], ids))
    names = sorted({r[1] for r in rows})
    if all(x.isdigit() for x in names):  # numeric labels keep their numbers
        names = [str(i) for i in range(max(int(x) for x in names) + 1)]
    index = {name: i for i, name in enumerate(names)}
    return [(s, index[l], ids) for s, l, ids in rows], names


def python_tokenized(vocab, strip_attribution, max_len):
    import fortunes_data
    import wordpiece
    tok = wordpiece.WordPiece(vocab)
    ds = fortunes_data.load_fortunes(strip_attribution=strip_attribution)
    examples = [(s, l, tok.encode(t)) for t, l, s in zip(ds.texts, ds.labels, ds.splits)]
    return examples, ds.label_names, tok.pad


def truncate(ids, max_len):
    """The first max_len - 1 ids and the final [SEP], as attn_tokenizer_encode truncates."""
    return ids if len(ids) <= max_len else ids[:max_len - 1] + [ids[-1]]


def batches(examples, order, size, pad_id):
    for first in range(0, len(order), size):
        chunk = [examples[i] for i in order[first:first + size]]
        longest = max(len(e[2]) for e in chunk)
        ids = torch.full((len(chunk), longest), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), longest), dtype=torch.long)
        for r, e in enumerate(chunk):
            ids[r, :len(e[2])] = torch.tensor(e[2])
            mask[r, :len(e[2])] = 1
        yield ids, mask, torch.tensor([e[1] for e in chunk])


# ---------------------------------------------------------------- model

class Block(nn.Module):
    def __init__(self, hidden, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))
        self.attn_dropout = nn.Dropout(dropout)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.ffn_in = nn.Linear(hidden, ffn)
        self.ffn_out = nn.Linear(ffn, hidden)
        self.ffn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, additive_mask):  # x [B, T, H], additive_mask [B, 1, 1, T]
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).transpose(1, 2)  # [B, heads, T, d]

        scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2) / math.sqrt(d) + additive_mask
        probs = self.attn_dropout(torch.softmax(scores, dim=-1))
        context = (probs @ split(self.value(x))).transpose(1, 2).reshape(b, t, h)
        x = self.attn_norm(x + self.dropout(self.attn_out(context)))
        inner = nn.functional.gelu(self.ffn_in(x))  # exact erf form, as BERT's "gelu"
        return self.ffn_norm(x + self.dropout(self.ffn_out(inner)))


class BertClassifier(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, ffn, max_pos, num_labels, dropout, pad_id, pooling="cls-dense"):
        super().__init__()
        self.pooling = pooling
        self.word = nn.Embedding(vocab, hidden, padding_idx=pad_id)
        self.position = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.embed_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(hidden, heads, ffn, dropout) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, num_labels)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.word.weight[pad_id].zero_()

    def forward(self, ids, mask):
        t = ids.shape[1]
        positions = torch.arange(t).unsqueeze(0)
        x = self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids))
        x = self.dropout(self.embed_norm(x))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for block in self.blocks:
            x = block(x, additive)
        if self.pooling == "mean":  # mean of the real tokens, as ATTN_POOL_MEAN
            m = mask.unsqueeze(-1).float()
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        elif self.pooling == "cls":
            pooled = x[:, 0]
        else:
            pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.dropout(pooled))


# ---------------------------------------------------------------- training

def linear_schedule(step, warmup, total):
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, 1.0 - (step - warmup) / max(1, total - warmup))


def evaluate(model, examples, pad_id, num_labels):
    model.eval()
    loss_sum, preds, gold = 0.0, [], []
    with torch.no_grad():
        for ids, mask, labels in batches(examples, list(range(len(examples))), 64, pad_id):
            logits = model(ids, mask)
            loss_sum += nn.functional.cross_entropy(logits, labels, reduction="sum").item()
            preds += logits.argmax(dim=1).tolist()
            gold += labels.tolist()
    acc = sum(p == g for p, g in zip(preds, gold)) / len(gold)
    f1s = []
    for k in range(num_labels):
        tp = sum(p == k and g == k for p, g in zip(preds, gold))
        fp = sum(p == k and g != k for p, g in zip(preds, gold))
        fn = sum(p != k and g == k for p, g in zip(preds, gold))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return loss_sum / len(gold), acc, sum(f1s) / num_labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ids", help="split<TAB>label<TAB>ids file (README.md)")
    src.add_argument("--python-tokenizer", action="store_true", help="tokenize the fortunes task here (development)")
    ap.add_argument("--vocab", default=DEFAULT_VOCAB, help="vocab.txt for --python-tokenizer")
    ap.add_argument("--vocab-size", type=int, default=30522, help="embedding rows (ids must be below it)")
    ap.add_argument("--pad-id", type=int, default=0)
    ap.add_argument("--strip-attribution", action="store_true", help="with --python-tokenizer")
    ap.add_argument("--write-ids", help="with --python-tokenizer: also write the ids file here")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--max-position", type=int, default=512)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pooling", choices=("cls-dense", "cls", "mean"), default="cls-dense",
                    help="sentence vector, as attn train --pooling")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    pad_id = args.pad_id
    if args.ids:
        examples, names = read_ids(args.ids)
    else:
        examples, names, pad_id = python_tokenized(args.vocab, args.strip_attribution, args.max_len)
        if args.write_ids:
            with open(args.write_ids, "w", encoding="utf-8") as f:
                f.write("split\tlabel\tinput_ids\n")
                for s, l, ids in sorted(examples, key=lambda e: e[0]):
                    f.write("%s\t%s\t%s\n" % (("train", "validation", "test")[s], names[l], " ".join(map(str, ids))))
    if max(max(e[2]) for e in examples) >= args.vocab_size:
        raise SystemExit("an id is >= --vocab-size %d" % args.vocab_size)
    lengths = sorted(len(e[2]) for e in examples)
    longer = sum(1 for n in lengths if n > args.max_len)
    examples = [(s, l, truncate(ids, args.max_len)) for s, l, ids in examples]
    split = [[e for e in examples if e[0] == s] for s in range(3)]
    print("examples %d (train %d, validation %d, test %d), labels %s; lengths median %d, p90 %d, max %d; "
          "%.1f%% longer than %d tokens" % (len(examples), len(split[0]), len(split[1]), len(split[2]), ",".join(names),
                                             lengths[len(lengths) // 2], lengths[len(lengths) * 9 // 10], lengths[-1],
                                             100.0 * longer / len(lengths), args.max_len), file=sys.stderr)

    model = BertClassifier(args.vocab_size, args.hidden, args.layers, args.heads, args.ffn,
                           max(args.max_position, args.max_len), len(names), args.dropout, pad_id, args.pooling)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "norm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "norm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    steps_per_epoch = (len(split[0]) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = int(args.warmup * total)
    shuffle = torch.Generator().manual_seed(args.seed)

    step, best, best_state, best_epoch, stale, seconds, cpu_seconds = 0, -1.0, None, 0, 0, [], []
    for epoch in range(args.epochs):
        if stale >= args.patience:
            break
        model.train()
        t0, c0 = time.time(), time.process_time()
        loss_sum = 0.0
        order = torch.randperm(len(split[0]), generator=shuffle).tolist()
        for ids, mask, labels in batches(split[0], order, args.batch, pad_id):
            for g in opt.param_groups:
                g["lr"] = args.lr * linear_schedule(step, warmup, total)
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(ids, mask), labels)
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            step += 1
            loss_sum += loss.item()
        seconds.append(time.time() - t0)
        cpu_seconds.append(time.process_time() - c0)
        val_loss, val_acc, val_f1 = evaluate(model, split[1], pad_id, len(names))
        score = val_acc + 1e-6 * val_f1
        improved = score > best
        if improved:
            best, best_epoch, stale = score, epoch + 1, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
        print("epoch %2d  train loss %.4f  val loss %.4f  acc %5.1f%%  macro-F1 %5.1f%%  %5.1f s%s" %
              (epoch + 1, loss_sum / steps_per_epoch, val_loss, 100 * val_acc, 100 * val_f1, seconds[-1],
               "  (best)" if improved else ""), file=sys.stderr)
    if stale >= args.patience:
        print("early stop: no better validation accuracy for %d epochs" % args.patience, file=sys.stderr)
    model.load_state_dict(best_state)
    _, test_acc, test_f1 = evaluate(model, split[2], pad_id, len(names))
    result = {"test_accuracy": round(test_acc, 6), "test_macro_f1": round(test_f1, 6),
              "seconds_per_epoch": round(sum(seconds) / len(seconds), 4),
              "cpu_seconds_per_epoch": round(sum(cpu_seconds) / len(cpu_seconds), 4), "epochs": len(seconds),
              "best_epoch": best_epoch, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 2),
              "seed": args.seed, "threads": args.threads, "max_len": args.max_len, "layers": args.layers,
              "hidden": args.hidden, "heads": args.heads, "ffn": args.ffn, "batch": args.batch, "lr": args.lr,
              "source": "ids:" + args.ids if args.ids else "python-tokenizer", "torch": torch.__version__}
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
