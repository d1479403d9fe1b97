#!/usr/bin/env python3
"""Experiment behind bench/results/fortunes_sweep.txt: does masked-language-model
pretraining help the 2x128 fortunes classifier? Pretrains the encoder of
torch_classifier.py on every Debian fortune whose hash puts it in the training
split (never a validation or test text of the task), 15% of tokens masked
(80% [MASK], 10% random, 10% kept), decoder tied to the word embeddings, then
fine-tunes exactly as torch_classifier.py does and prints one JSON line.

  .venv-ref/bin/python bench/reference/mlm_pretrain_experiment.py SEED PRETRAIN_EPOCHS [POOLING]

One thread; the recorded run (seed 1, 4 epochs, mean pooling) took about 15 minutes."""
import os, sys, time, math, copy, json, random
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torch
from torch import nn
import fortunes_data, wordpiece
import torch_classifier as tc

seed = int(sys.argv[1]); pre_epochs = int(sys.argv[2]); pooling = sys.argv[3] if len(sys.argv) > 3 else "mean"
torch.set_num_threads(1); torch.manual_seed(seed); random.seed(seed)
tok = wordpiece.WordPiece(os.path.join(HERE, "..", "..", "data", "bert-base-uncased-vocab.txt"))
task = fortunes_data.load_fortunes()
examples = [(s, l, tc.truncate(tok.encode(t), 128)) for t, l, s in zip(task.texts, task.labels, task.splits)]
cats = [c for c in os.listdir("/usr/share/games/fortunes") if "." not in c and os.path.isfile("/usr/share/games/fortunes/" + c)]
held = {t for t, s in zip(task.texts, task.splits) if s != 0}
pre = []
for c in cats:
    try:
        ds = fortunes_data.load_fortunes(categories=[c])
    except Exception as e:
        continue
    for t, s in zip(ds.texts, ds.splits):
        if s == 0 and t not in held:
            pre.append(tc.truncate(tok.encode(t), 128))
print("pretrain texts", len(pre), file=sys.stderr)
split = [[e for e in examples if e[0] == s] for s in range(3)]
model = tc.BertClassifier(30522, 128, 2, 2, 512, 512, 4, 0.1, 0, pooling)
V = 30522; MASK = tok.vocab["[MASK]"] if hasattr(tok, "vocab") else 103
mlm_bias = nn.Parameter(torch.zeros(V))

def encode(model, ids, mask):
    t = ids.shape[1]
    x = model.word(ids) + model.position(torch.arange(t).unsqueeze(0)) + model.token_type(torch.zeros_like(ids))
    x = model.dropout(model.embed_norm(x))
    add = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for b in model.blocks: x = b(x, add)
    return x

if pre_epochs:
    params = list(model.parameters()) + [mlm_bias]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    steps = pre_epochs * ((len(pre) + 31) // 32); step = 0
    for ep in range(pre_epochs):
        model.train(); order = list(range(len(pre))); random.shuffle(order); t0 = time.time(); ls = 0; nb = 0
        for i in range(0, len(order), 32):
            chunk = [pre[j] for j in order[i:i + 32]]
            T = max(len(c) for c in chunk)
            ids = torch.zeros(len(chunk), T, dtype=torch.long); m = torch.zeros_like(ids)
            for r, c in enumerate(chunk): ids[r, :len(c)] = torch.tensor(c); m[r, :len(c)] = 1
            special = (ids == 101) | (ids == 102) | (m == 0)
            sel = (torch.rand(ids.shape) < 0.15) & ~special
            if sel.sum() == 0: continue
            labels = ids[sel]
            inp = ids.clone(); r = torch.rand(ids.shape)
            inp[sel & (r < 0.8)] = 103
            rnd = sel & (r >= 0.8) & (r < 0.9)
            inp[rnd] = torch.randint(1000, V, (int(rnd.sum()),))
            for g in opt.param_groups: g["lr"] = 1e-3 * tc.linear_schedule(step, int(0.06 * steps), steps)
            h = encode(model, inp, m)[sel]
            logits = h @ model.word.weight.t() + mlm_bias
            loss = nn.functional.cross_entropy(logits, labels)
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, 1.0); opt.step(); step += 1
            ls += loss.item(); nb += 1
        print(f"pre epoch {ep+1} mlm loss {ls/nb:.3f} {time.time()-t0:.0f}s", file=sys.stderr, flush=True)

# fine-tune exactly like torch_classifier
decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "norm" in n)]
no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "norm" in n]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
spe = (len(split[0]) + 31) // 32; total = spe * 10; warm = int(0.1 * total)
shuffle = torch.Generator().manual_seed(seed)
step, best, best_state, stale = 0, -1, None, 0
for epoch in range(10):
    if stale >= 3: break
    model.train()
    order = torch.randperm(len(split[0]), generator=shuffle).tolist()
    for ids, mask, labels in tc.batches(split[0], order, 32, 0):
        for g in opt.param_groups: g["lr"] = 1e-3 * tc.linear_schedule(step, warm, total)
        opt.zero_grad(); loss = nn.functional.cross_entropy(model(ids, mask), labels); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); step += 1
    _, va, vf = tc.evaluate(model, split[1], 0, 4)
    if va > best: best, best_state, stale = va, copy.deepcopy(model.state_dict()), 0
    else: stale += 1
    print(f"ft epoch {epoch+1} val {100*va:.1f}", file=sys.stderr, flush=True)
model.load_state_dict(best_state)
_, ta, tf = tc.evaluate(model, split[2], 0, 4)
print(json.dumps({"seed": seed, "pre_epochs": pre_epochs, "test_accuracy": ta, "val": best}))
