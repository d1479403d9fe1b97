#!/usr/bin/env python3
"""PyTorch + transformers twin of `attn train --init DIR`: fine-tunes the
same pretrained checkpoint folder on the same token ids, split,
hyper-parameters, head initialisation and model selection, so that accuracy,
speed and memory can be compared on the same machine and threads.

  .venv-ref/bin/python bench/reference/torch_finetune.py --model DIR --ids ids.tsv --seed 1 [--threads 2]

--ids is the file `attn train --init DIR --dump-tokens ids.tsv` writes
(libattn's tokenizer of the folder; format in README.md), so both sides see
the same token ids. Model: transformers' AutoModel of the folder (its
config: dropout, GELU, LayerNorm eps), the pooled output by the folder's
sentence-transformers Pooling module (mean over the real tokens for
all-MiniLM-L6-v2; [CLS] or BERT's pooler otherwise), dropout (the
config's classifier_dropout, else hidden_dropout_prob), then a new
nn.Linear(hidden, labels) initialised as attn train does: normal(0, 0.02)
weights (config.initializer_range), zero bias. Training as attn train:
AdamW (betas 0.9/0.999, eps 1e-8, weight decay 0.01 except biases and
LayerNorm weights), linear warmup over 10% of the steps then linear decay
(bench/reference/torch_classifier.py's schedule), gradient clipping 1.0,
batch 32 in a seeded shuffle, padding to the longest text of each batch;
after each epoch validation accuracy and macro-F1; the best epoch by
validation accuracy (macro-F1 breaks ties) scores the test split.
Prints one line per epoch, then one JSON line (test_accuracy, test_macro_f1,
seconds_per_epoch, peak_rss_mb, ...)."""
import argparse
import copy
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["ATTN_TORCH_ENV"] = "bench"  # torch_classifier: no re-exec, the caller set the environment
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from torch import nn  # noqa: E402
import transformers  # noqa: E402

import torch_classifier as ref  # noqa: E402  (ids file, truncation, batches, schedule, evaluation)


def folder_pooling(model_dir):
    """The folder's sentence-transformers pooling mode, or None (BERT's pooler)."""
    modules = os.path.join(model_dir, "modules.json")
    if not os.path.exists(modules):
        return None
    for m in json.load(open(modules)):
        if m["type"].endswith(".Pooling"):
            cfg = json.load(open(os.path.join(model_dir, m["path"], "config.json")))
            if "pooling_mode" in cfg:
                return cfg["pooling_mode"]
            for key, mode in (("pooling_mode_cls_token", "cls"), ("pooling_mode_mean_tokens", "mean")):
                if cfg.get(key):
                    return mode
            return "mean"
    return None


class Classifier(nn.Module):
    def __init__(self, model_dir, num_labels):
        super().__init__()
        self.encoder = transformers.AutoModel.from_pretrained(model_dir)
        cfg = self.encoder.config
        self.pooling = folder_pooling(model_dir)
        p = getattr(cfg, "classifier_dropout", None)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob if p is None else p)
        self.classifier = nn.Linear(cfg.hidden_size, num_labels)
        nn.init.normal_(self.classifier.weight, 0.0, cfg.initializer_range)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, ids, mask):
        out = self.encoder(input_ids=ids, attention_mask=mask)
        h = out.last_hidden_state
        if self.pooling == "mean":
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        elif self.pooling == "cls":
            pooled = h[:, 0]
        else:
            pooled = out.pooler_output
        return self.classifier(self.dropout(pooled))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="the checkpoint folder attn train --init reads")
    ap.add_argument("--ids", required=True, help="split<TAB>label<TAB>ids file (attn train --dump-tokens)")
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pad-id", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    examples, names = ref.read_ids(args.ids)
    examples = [(s, l, ref.truncate(ids, args.max_len)) for s, l, ids in examples]
    split = [[e for e in examples if e[0] == s] for s in range(3)]
    model = Classifier(args.model, len(names))
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    steps_per_epoch = (len(split[0]) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = int(args.warmup * total)
    shuffle = torch.Generator().manual_seed(args.seed)
    step, best, best_state, best_epoch, seconds = 0, -1.0, None, 0, []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        loss_sum = 0.0
        order = torch.randperm(len(split[0]), generator=shuffle).tolist()
        for ids, mask, labels in ref.batches(split[0], order, args.batch, args.pad_id):
            for g in opt.param_groups:
                g["lr"] = args.lr * ref.linear_schedule(step, warmup, total)
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(ids, mask), labels)
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            step += 1
            loss_sum += loss.item()
        seconds.append(time.time() - t0)
        val_loss, val_acc, val_f1 = ref.evaluate(model, split[1], args.pad_id, len(names))
        score = val_acc + 1e-6 * val_f1
        improved = score > best
        if improved:
            best, best_epoch = score, epoch + 1
            best_state = copy.deepcopy(model.state_dict())
        print("epoch %2d  train loss %.4f  val loss %.4f  acc %5.1f%%  macro-F1 %5.1f%%  %5.1f s%s" %
              (epoch + 1, loss_sum / steps_per_epoch, val_loss, 100 * val_acc, 100 * val_f1, seconds[-1],
               "  (best)" if improved else ""), file=sys.stderr, flush=True)
    model.load_state_dict(best_state)
    _, test_acc, test_f1 = ref.evaluate(model, split[2], args.pad_id, len(names))
    print(json.dumps({"test_accuracy": round(test_acc, 6), "test_macro_f1": round(test_f1, 6),
                      "seconds_per_epoch": round(sum(seconds) / len(seconds), 4), "epochs": len(seconds),
                      "best_epoch": best_epoch,
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 2),
                      "seed": args.seed, "threads": args.threads, "max_len": args.max_len, "lr": args.lr,
                      "pooling": model.pooling, "torch": torch.__version__, "transformers": transformers.__version__}))


if __name__ == "__main__":
    sys.exit(main())
