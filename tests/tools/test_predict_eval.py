"""attn predict reads files or stdin in batches of --batch-size, skips
blank lines, --echo prints the text, a line the tokenizer refuses is
reported by file and line without taking its neighbours down, --max-len
beyond the model is refused; attn eval's report agrees with predict's
labels on the same file, for classes, multi-label and regression.
Usage: test_predict_eval.py ATTN_EXE"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from cli_common import SMALL, VOCAB, Checker, last_json, texts, write_tsv  # noqa: E402

c = Checker(sys.argv[1])


def predict(model, args, stdin="", vocab=VOCAB):
    return c.run(["predict", "--model", model, "--vocab", vocab, "--threads", "1"] + args, input=stdin)


def json_rows(p):
    return [json.loads(x) for x in p.stdout.splitlines()]


with tempfile.TemporaryDirectory() as tmp:
    rows = texts(120)
    write_tsv(tmp + "/data.tsv", rows)
    test_rows = texts(40, seed=11)
    write_tsv(tmp + "/test.tsv", test_rows)
    p = c.run(["train", "--tsv", tmp + "/data.tsv", "--out", tmp + "/m", "--epochs", "3"] + SMALL)
    c.expect(p.returncode == 0, f"train: {p.stderr[-300:]}")
    model = tmp + "/m"
    lines = [t for _, t in test_rows]
    with open(tmp + "/a.txt", "w") as f:
        f.write("\n".join(lines[:15]) + "\n")
    with open(tmp + "/b.txt", "w") as f:
        f.write("\n\n   \n".join(lines[15:]) + "\n\n")  # blank lines between and after

    ref = predict(model, ["--json"], "\n".join(lines) + "\n")
    want = json_rows(ref)
    c.expect(ref.returncode == 0 and len(want) == 40, f"predict on stdin: {ref.stderr}")
    files = predict(model, ["--json", tmp + "/a.txt", tmp + "/b.txt"])
    c.expect(json_rows(files) == want, "predict FILE FILE (with blank lines) differs from stdin")
    for bs in ("1", "7"):
        got = json_rows(predict(model, ["--json", "--batch-size", bs], "\n".join(lines) + "\n"))
        same = len(got) == 40 and all(g["label"] == w["label"] and all(
            abs(g["probabilities"][k] - w["probabilities"][k]) <= 2e-4 for k in w["probabilities"])
            for g, w in zip(got, want))
        c.expect(same, f"--batch-size {bs} changes the predictions")
    echo = predict(model, ["--echo", tmp + "/b.txt"]).stdout.splitlines()
    c.expect(len(echo) == 25 and all(e.split("\t")[-1] == t for e, t in zip(echo, lines[15:])),
             f"--echo: {echo[:2]}")
    ej = json_rows(predict(model, ["--echo", "--json", tmp + "/a.txt"]))
    c.expect([r.get("text") for r in ej] == lines[:15], "--echo --json lacks the texts")

    # a vocabulary without [UNK]: a word it cannot spell fails that line only
    with open(VOCAB, encoding="utf-8") as f:
        vocab = f.read().replace("[UNK]", "[NO-UNK]", 1)
    no_unk = tmp + "/no_unk.txt"
    with open(no_unk, "w", encoding="utf-8") as f:
        f.write(vocab)
    mixed = f"{lines[0]}\nthe \u2603 snowman\n{lines[1]}\n"
    p = predict(model, [], mixed, vocab=no_unk)
    out = p.stdout.splitlines()
    c.expect(p.returncode == 0 and len(out) == 2 and "<stdin>:2:" in p.stderr and "skipped" in p.stderr and
             out[0].split("\t")[0] == want[0]["label"] and out[1].split("\t")[0] == want[1]["label"],
             f"bad line skipped: {p.returncode} {out} {p.stderr!r}")
    p = predict(model, ["--on-bad-line", "stop"], mixed, vocab=no_unk)
    c.expect(p.returncode == 1 and len(p.stdout.splitlines()) == 1 and "<stdin>:2:" in p.stderr,
             f"--on-bad-line stop: the line before must still be labelled: {p.stdout!r} {p.stderr!r}")
    p = predict(model, ["--max-len", "1000"], "x\n")
    c.expect(p.returncode == 1 and "--max-len 1000 exceeds the model's max_position_embeddings 512" in p.stderr,
             f"--max-len beyond the model: {p.stderr!r}")
    p = c.run(["train", "--tsv", tmp + "/data.tsv", "--out", tmp + "/long", "--init", model + "/model.safetensors"]
              + SMALL + ["--max-len", "600"])
    c.expect(p.returncode == 1 and "--max-len 600 exceeds the model's max_position_embeddings 512" in p.stderr,
             f"train --init with --max-len beyond the model: {p.stderr[-300:]!r}")

    # attn eval: the report's accuracy is predict's labels scored against the file
    e = c.run(["eval", "--model", model, "--tsv", tmp + "/test.tsv", "--vocab", VOCAB, "--threads", "1"])
    acc = sum(w["label"] == label for w, (label, _) in zip(want, test_rows)) / 40
    c.expect(e.returncode == 0 and "confusion matrix" in e.stdout and abs(last_json(e.stdout)["test_accuracy"] - acc) < 1e-6
             and last_json(e.stdout)["test_examples"] == 40, f"eval accuracy vs predict's {acc}: {e.stdout[-300:]}")
    e2 = c.run(["eval", "--model", model + "/model.safetensors", "--tsv", tmp + "/test.tsv", "--vocab", VOCAB])
    c.expect(last_json(e2.stdout)["test_accuracy"] == last_json(e.stdout)["test_accuracy"], "eval --model FILE vs DIR")
    write_tsv(tmp + "/sports.tsv", [("sports", "a goal"), ("tech", "a kernel")])
    e = c.run(["eval", "--model", model, "--tsv", tmp + "/sports.tsv", "--vocab", VOCAB])
    c.expect(e.returncode == 1 and '"sports"' in e.stderr, f"eval with an unknown label: {e.stderr!r}")

    # multi-label: exact-match accuracy from predict's label sets
    multi = [(f"{int(label == 'tech')},{int('code' in t)}", t) for label, t in rows]
    write_tsv(tmp + "/multi.tsv", multi)
    p = c.run(["train", "--tsv", tmp + "/multi.tsv", "--out", tmp + "/ml", "--epochs", "3", "--problem", "multi-label",
               "--label-names", "tech,code"] + SMALL)
    got = json_rows(predict(tmp + "/ml", ["--json"], "\n".join(t for _, t in multi) + "\n"))
    exact = sum(set(g["labels"]) == {n for n, bit in zip(("tech", "code"), lab.split(",")) if bit == "1"}
                for g, (lab, _) in zip(got, multi)) / len(multi)
    e = c.run(["eval", "--model", tmp + "/ml", "--tsv", tmp + "/multi.tsv", "--vocab", VOCAB])
    c.expect(p.returncode == 0 and e.returncode == 0 and abs(last_json(e.stdout)["test_accuracy"] - exact) < 1e-6,
             f"multi-label eval vs predict's exact match {exact}: {e.stdout[-200:]} {e.stderr[-200:]}")

    # regression: MSE from predict's values
    reg = [(f"{len(t.split()) / 13:.3f}", t) for _, t in rows]
    write_tsv(tmp + "/reg.tsv", reg)
    p = c.run(["train", "--tsv", tmp + "/reg.tsv", "--out", tmp + "/reg", "--epochs", "3", "--problem", "regression"]
              + SMALL)
    got = json_rows(predict(tmp + "/reg", ["--json"], "\n".join(t for _, t in reg) + "\n"))
    mse = sum((g["value"] - float(y)) ** 2 for g, (y, _) in zip(got, reg)) / len(reg)
    e = c.run(["eval", "--model", tmp + "/reg", "--tsv", tmp + "/reg.tsv", "--vocab", VOCAB])
    c.expect(p.returncode == 0 and e.returncode == 0 and abs(last_json(e.stdout)["test_mse"] - mse) <= 1e-4 * max(mse, 1e-3),
             f"regression eval vs predict's MSE {mse}: {e.stdout[-200:]}")
c.finish()
