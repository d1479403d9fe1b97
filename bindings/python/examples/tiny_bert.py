"""libattn from Python, end to end on the tiny Hugging Face checkpoint:
tokenize a sentence, run the model on the batch stored with the reference
outputs, compare its logits with Hugging Face's, take one AdamW step and
compare the loss. Exits 1 if a check fails.

Usage: tiny_bert.py [DATA_DIR]   (default: $ATTN_TEST_DATA or tests/data)
Needs LIBATTN_PATH (or an installed libattn) and NumPy."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import libattn  # noqa: E402


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ATTN_TEST_DATA", "tests/data")
    vocab = os.path.join(data, "bert-base-uncased", "vocab.txt")
    tiny = os.path.join(data, "hf-bert-tiny")
    ok = True
    with libattn.Context(threads=1) as ctx:
        print(f"libattn {libattn.version()} from {libattn.library_path()}")

        tok = libattn.Tokenizer(ctx, vocab, lowercase=True)
        sentence = "This is a sample sentence for text classification."
        ids, _ = tok.encode(sentence)
        print(f"tokens: {' '.join(tok.id_to_token(i) for i in ids)}")
        print(f"ids: {ids}")

        model = libattn.BertModel.load(ctx, os.path.join(tiny, "tiny_a.safetensors"),
                                       os.path.join(tiny, "tiny_a.config.json"))
        with libattn.SafetensorsFile(ctx, os.path.join(tiny, "tiny_a.expected.safetensors")) as ref:
            batch = {n: ref.read(n).numpy() for n in ("input_ids", "token_type_ids", "attention_mask", "labels")}
            expected_logits = ref.read("logits").numpy()
            expected_loss = float(ref.read("loss").numpy()[0])

        out = model.forward(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"])
        diff = float(np.abs(out.logits - expected_logits).max())
        scale = float(np.abs(expected_logits).max())
        print(f"logits {list(out.logits.shape)}: max |diff| vs Hugging Face = {diff:.3g} (max |logit| {scale:.3g})")
        ok &= diff <= 1e-4 * scale

        opt = libattn.Optimizer.adamw(ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
        opt.add_model(model)
        before = {name: value.numpy() for name, value, _ in model.parameters()}
        loss = model.train_step(opt, batch["labels"], batch["input_ids"], batch["token_type_ids"],
                                batch["attention_mask"])
        changed = sum(not np.array_equal(before[name], value.numpy()) for name, value, _ in model.parameters())
        print(f"one AdamW step: loss {loss:.6f} (Hugging Face {expected_loss:.6f}), "
              f"{changed} of {len(before)} parameters changed")
        ok &= abs(loss - expected_loss) <= 1e-4 * max(1.0, abs(expected_loss)) and changed == len(before)

    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
