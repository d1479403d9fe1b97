"""`attn train` end to end on a small TSV: output files, the test report,
resume continuing bit for bit, `attn predict` and `attn embed` on the result,
and clear errors for malformed data. Usage: test_train_cli.py ATTN_EXE"""
import json
import os
import random
import subprocess
import sys
import tempfile
import xml.dom.minidom

attn = sys.argv[1]
vocab = os.environ.get("ATTN_TEST_DATA", "tests/data") + "/bert-base-uncased/vocab.txt"
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def run(args, **kw):
    return subprocess.run([attn] + args, capture_output=True, text=True, **kw)


rng = random.Random(7)
words = {"tech": "computer program kernel compiler memory bug code disk network byte".split(),
         "vote": "senate vote law election party budget tax president court policy".split()}
with tempfile.TemporaryDirectory() as tmp:
    tsv = tmp + "/data.tsv"
    with open(tsv, "w") as f:
        for i in range(240):
            label = "tech" if i % 2 else "vote"
            f.write(label + "\t" + " ".join(rng.choice(words[label]) for _ in range(rng.randint(4, 12))) + f" {i}\n")
    small = ["--tsv", tsv, "--vocab", vocab, "--layers", "1", "--hidden", "32", "--heads", "2", "--ffn", "64",
             "--max-len", "24", "--batch", "16", "--epochs", "3", "--patience", "5", "--threads", "1", "--quiet",
             "--lr", "3e-3"]
    a = run(["train"] + small + ["--out", tmp + "/a"])
    nested = run(["train"] + small + ["--epochs", "1", "--out", tmp + "/runs/nested/dir"])
    expect(nested.returncode == 0 and os.path.exists(tmp + "/runs/nested/dir/model.safetensors"),
           f"--out with missing parents: {nested.stderr[-300:]}")
    expect(a.returncode == 0, f"train failed: {a.stderr}")
    for name in ("model.safetensors", "config.json", "checkpoint.safetensors", "curve.svg", "history.tsv"):
        expect(os.path.exists(f"{tmp}/a/{name}"), f"missing {name}")
    xml.dom.minidom.parse(f"{tmp}/a/curve.svg")  # well-formed SVG
    report = json.loads(a.stdout.strip().splitlines()[-1])
    expect(report["test_accuracy"] > 0.8, f"a separable task should be learnt: {report}")
    expect("confusion matrix" in a.stdout and "macro-F1" in a.stdout, "report lacks the confusion matrix")
    expect("epoch  1" in a.stderr and "val loss" in a.stderr, "no per-epoch validation line")

    # interrupted after one epoch, resumed: the same bytes as the uninterrupted run
    b1 = run(["train"] + small + ["--out", tmp + "/b", "--stop-after", "1"])
    b2 = run(["train"] + small + ["--out", tmp + "/b", "--resume"])
    expect(b1.returncode == 0 and b2.returncode == 0, f"resume run failed: {b1.stderr} {b2.stderr}")
    for name in ("checkpoint.safetensors", "model.safetensors"):
        same = open(f"{tmp}/a/{name}", "rb").read() == open(f"{tmp}/b/{name}", "rb").read()
        expect(same, f"resumed {name} differs from the uninterrupted run")

    texts = "the compiler found a memory bug\nthe senate passed the budget law\n"
    p = run(["predict", "--model", tmp + "/a/model.safetensors", "--vocab", vocab], input=texts)
    lines = p.stdout.splitlines()
    expect(p.returncode == 0 and len(lines) == 2, f"predict: {p.returncode} {p.stderr}")
    expect(lines[0].startswith("tech") and lines[1].startswith("vote"), f"predict labels: {lines}")
    pj = run(["predict", "--model", tmp + "/a/model.safetensors", "--vocab", vocab, "--json"], input=texts)
    probs = [json.loads(x)["probabilities"] for x in pj.stdout.splitlines()]
    expect(all(abs(sum(p.values()) - 1) < 1e-3 for p in probs), f"probabilities do not sum to 1: {probs}")
    e = run(["embed", "--model", tmp + "/a/model.safetensors", "--vocab", vocab, "--pooling", "mean"], input=texts)
    rows = [json.loads(x)["embedding"] for x in e.stdout.splitlines()]
    expect(len(rows) == 2 and all(len(r) == 32 for r in rows), f"embed shape: {[len(r) for r in rows]}")

    # malformed data: one clear line naming the line number, non-zero exit
    bad = tmp + "/bad.tsv"
    with open(bad, "w") as f:
        f.write("tech\tfine line\nno tab on this line\n")
    r = run(["train"] + small + ["--tsv", bad, "--out", tmp + "/c"])
    expect(r.returncode != 0 and ":2:" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
           f"malformed TSV: {r.returncode} {r.stderr!r}")
    r = run(["train", "--bogus"])
    expect(r.returncode == 2, "unknown option must exit 2")

for f in failures:
    print("FAIL", f)
print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
