"""attn train's choices, checked against its own history.tsv and files:
--select, --patience (and auto), --min-epochs; --val/--test files; an
empty test split; a finished run is never overwritten silently; TSV runs
default to runs/NAME; headers, swapped columns, single-class files and bad
lines; regression and multi-label; resume past the first history block.
Usage: test_train_options.py ATTN_EXE"""
import math
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_np  # noqa: E402
from cli_common import SMALL, Checker, history, last_json, texts, write_tsv  # noqa: E402

c = Checker(sys.argv[1])


def train(tmp, name, extra, tsv=None, **kw):
    args = ["train", "--tsv", tsv or tmp + "/data.tsv", "--out", f"{tmp}/{name}"] + SMALL + extra
    return c.run(args, **kw)


def split_bucket(text):
    """The library's split rule (include/attn/data.h): FNV-1a 64 of the whitespace-normalised text, mod 10."""
    h = 14695981039346656037
    for b in " ".join(text.split()).encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h % 10


def counts(stderr):
    """train/val/test examples from the data summary."""
    m = re.search(r"^examples\s+(\d+)\s+(\d+)\s+(\d+)$", stderr, re.M)
    return tuple(map(int, m.groups())) if m else None


with tempfile.TemporaryDirectory() as tmp:
    rows = texts(120)
    write_tsv(tmp + "/data.tsv", rows)

    # --select: which epoch's weights become model.safetensors, by the history's numbers
    slow = ["--lr", "4e-4", "--epochs", "6", "--patience", "100"]
    for select in ("val-loss", "val-acc", "last"):
        p = train(tmp, "sel-" + select, slow + ["--select", select])
        if not c.expect(p.returncode == 0, f"--select {select}: {p.stderr[-400:]}"):
            continue
        h = history(f"{tmp}/sel-{select}/history.tsv")
        score = [-r["val_loss"] for r in h] if select == "val-loss" else \
            [r["val_accuracy"] + 1e-6 * r["val_macro_f1"] for r in h]
        want = len(h) if select == "last" else score.index(max(score)) + 1
        c.expect(last_json(p.stdout)["best_epoch"] == want and len(h) == 6,
                 f"--select {select}: best epoch {last_json(p.stdout)['best_epoch']}, history says {want}")
    last = safetensors_np.load(f"{tmp}/sel-last/model.safetensors")
    ckpt = safetensors_np.load(f"{tmp}/sel-last/checkpoint.safetensors")
    c.expect(all((last[k] == ckpt[k]).all() for k in last), "--select last: model.safetensors is not the last epoch")

    # --patience N stops after N epochs without a better score; --min-epochs holds it off
    p = train(tmp, "pat1", ["--lr", "4e-4", "--epochs", "30", "--patience", "1"])
    h = history(f"{tmp}/pat1/history.tsv")
    score = [r["val_accuracy"] + 1e-6 * r["val_macro_f1"] for r in h]
    stop = next((i + 1 for i in range(1, len(score)) if score[i] <= max(score[:i])), 30)
    c.expect(len(h) == stop and "early stop" in p.stderr, f"--patience 1: ran {len(h)} epochs, expected {stop}")
    p = train(tmp, "min8", ["--lr", "4e-4", "--epochs", "30", "--patience", "1", "--min-epochs", "8"])
    c.expect(len(history(f"{tmp}/min8/history.tsv")) >= 8, "--min-epochs 8 --patience 1 stopped before epoch 8")
    # auto: about 180 optimizer steps without a better score, at least 3 epochs
    p = train(tmp, "auto", ["--epochs", "1"])
    n_train = counts(p.stderr)[0]
    want = max(3, math.ceil(180 / math.ceil(n_train / 16)))
    c.expect(f"after {want} epochs without a better validation acc (--patience auto)" in p.stderr,
             f"--patience auto for {n_train} examples, batch 16: wanted {want}: {p.stderr[-600:]}")

    # a finished run is never replaced silently
    model = f"{tmp}/auto/model.safetensors"
    before = open(model, "rb").read()
    p = train(tmp, "auto", ["--epochs", "1", "--seed", "5"])
    c.expect(p.returncode == 1 and "--force" in p.stderr and "--resume" in p.stderr and open(model, "rb").read() == before,
             f"second run into the same --out: exit {p.returncode}, {p.stderr!r}")
    p = train(tmp, "auto", ["--epochs", "1", "--seed", "5", "--force"])
    c.expect(p.returncode == 0 and open(model, "rb").read() != before, f"--force: {p.stderr[-300:]}")
    p = train(tmp, "nothing-here", ["--resume"])
    c.expect(p.returncode == 1 and "no run to continue" in p.stderr, f"--resume without a run: {p.stderr!r}")
    # without --out a TSV run goes to runs/NAME, not runs/fortunes
    p = c.run(["train", "--tsv", "data.tsv", "--epochs", "1"] + SMALL, cwd=tmp)
    c.expect(p.returncode == 0 and os.path.exists(tmp + "/runs/data/model.safetensors") and
             not os.path.exists(tmp + "/runs/fortunes"), f"default --out of a TSV run: {os.listdir(tmp)}")

    # --val and --test files; the --tsv file's share of that split trains
    write_tsv(tmp + "/val.tsv", texts(30, seed=8))
    write_tsv(tmp + "/test.tsv", texts(26, seed=9))
    p = train(tmp, "files", ["--epochs", "1", "--val", tmp + "/val.tsv", "--test", tmp + "/test.tsv"])
    c.expect(p.returncode == 0 and counts(p.stderr) == (120, 30, 26) and last_json(p.stdout)["test_examples"] == 26,
             f"--val and --test: {counts(p.stderr)} {p.stderr[-300:]}")
    write_tsv(tmp + "/leaky.tsv", texts(26, seed=9) + rows[:5])
    p = train(tmp, "leaky", ["--epochs", "1", "--val", tmp + "/val.tsv", "--test", tmp + "/leaky.tsv"])
    c.expect(p.returncode == 0 and "warning: 5 texts of " + tmp + "/leaky.tsv also occur in the training data" in p.stderr
             and "texts of " + tmp + "/val.tsv" not in p.stderr, f"test texts seen in training: {p.stderr[:600]!r}")
    p = train(tmp, "testfile", ["--epochs", "1", "--test", tmp + "/test.tsv"])
    n = counts(p.stderr)
    c.expect(p.returncode == 0 and n and n[0] + n[1] == 120 and n[2] == 26, f"--test only: {n}")
    write_tsv(tmp + "/other.tsv", [("sports", "a goal in the last minute"), ("tech", "the kernel")])
    p = train(tmp, "other", ["--epochs", "1", "--test", tmp + "/other.tsv"])
    c.expect(p.returncode == 1 and '"sports"' in p.stderr and "not one of the model's 2 labels" in p.stderr,
             f"a test label unknown to the model: {p.stderr!r}")

    # an empty test split says so
    no_test = [r for r in texts(400) if split_bucket(r[1]) != 9][:60]
    write_tsv(tmp + "/no_test.tsv", no_test)
    p = train(tmp, "empty-test", ["--epochs", "1"], tsv=tmp + "/no_test.tsv")
    c.expect(p.returncode == 0 and "the test split is empty" in p.stdout and last_json(p.stdout)["test_accuracy"] is None
             and "test accuracy 0.0000" not in p.stdout, f"empty test split: {p.stdout!r}")

    # a header line, swapped columns, a single class
    write_tsv(tmp + "/header.tsv", rows, header="label\ttext")
    p = train(tmp, "header", ["--epochs", "1"], tsv=tmp + "/header.tsv")
    c.expect(p.returncode == 0 and "header.tsv:1 looks like a header" in p.stderr and sum(counts(p.stderr)) == 120
             and "\nlabel " not in p.stderr, f"header: {p.stderr[:500]!r}")
    write_tsv(tmp + "/swapped.tsv", [(t, label) for label, t in rows])
    p = train(tmp, "swapped", ["--epochs", "1"], tsv=tmp + "/swapped.tsv")
    c.expect(p.returncode == 1 and "columns look swapped" in p.stderr and "--columns text,label" in p.stderr,
             f"swapped columns: {p.stderr!r}")
    p = train(tmp, "swapped", ["--epochs", "1", "--columns", "text,label"], tsv=tmp + "/swapped.tsv")
    c.expect(p.returncode == 0 and sum(counts(p.stderr)) == 120 and "\ntech " in p.stderr, f"--columns text,label: {p.stderr[-300:]}")
    write_tsv(tmp + "/one.tsv", [("tech", t) for _, t in rows])
    p = train(tmp, "one", ["--epochs", "1"], tsv=tmp + "/one.tsv")
    c.expect(p.returncode == 1 and 'single label ("tech")' in p.stderr, f"single class: {p.stderr!r}")

    # bad lines: stop by default with the line number; skipped on request, the others kept
    with open(tmp + "/bad.tsv", "wb") as f:
        for i, (label, t) in enumerate(rows):
            f.write({4: b"no tab on this line\n", 9: b"tech\tbad \xff byte\n", 14: b"vote\tnul \x00 byte\n",
                     19: b"tech\t" + b"word " * 300000 + b"\n"}.get(i, f"{label}\t{t}\n".encode()))
    p = train(tmp, "bad", ["--epochs", "1"], tsv=tmp + "/bad.tsv")
    c.expect(p.returncode == 1 and "bad.tsv:5:" in p.stderr and "--on-bad-line skip" in p.stderr,
             f"bad line, default: {p.stderr!r}")
    p = train(tmp, "bad", ["--epochs", "1", "--on-bad-line", "skip"], tsv=tmp + "/bad.tsv")
    c.expect(p.returncode == 0 and all(p.stderr.count(f"bad.tsv:{n}:") + p.stderr.count(f"bad.tsv:{n},") == 1
                                       for n in (5, 10, 15, 20)) and sum(counts(p.stderr)) == 116,
             f"--on-bad-line skip: {counts(p.stderr)} {p.stderr[:800]!r}")

    # regression and multi-label labels from the file
    reg = [(f"{sum(w in t.split() for w in ('kernel', 'senate')) / 2:.2f}", t) for _, t in rows]
    write_tsv(tmp + "/reg.tsv", reg)
    p = train(tmp, "reg", ["--epochs", "2", "--problem", "regression"], tsv=tmp + "/reg.tsv")
    j = last_json(p.stdout) if p.returncode == 0 else {}
    c.expect("test_r2" in j and "test_mse" in j and "val_r2" in open(f"{tmp}/reg/history.tsv").readline(),
             f"regression: {p.stderr[-400:]}")
    write_tsv(tmp + "/reg_bad.tsv", reg[:7] + [("many", "not a number")] + reg[7:])
    p = train(tmp, "reg-bad", ["--epochs", "1", "--problem", "regression"], tsv=tmp + "/reg_bad.tsv")
    c.expect(p.returncode == 1 and "reg_bad.tsv:8:" in p.stderr and "not a number" in p.stderr, f"regression label: {p.stderr!r}")
    multi = [(f"{int(label == 'tech')},{int('code' in t)}", t) for label, t in rows]
    write_tsv(tmp + "/multi.tsv", multi)
    p = train(tmp, "multi", ["--epochs", "2", "--problem", "multi-label", "--label-names", "tech,code"],
              tsv=tmp + "/multi.tsv")
    c.expect(p.returncode == 0 and "micro-F1" in p.stdout and "test_micro_f1" in last_json(p.stdout),
             f"multi-label: {p.stderr[-400:]}")

    # resume beyond the history's first block of rows: the same bytes as one run
    long = ["--epochs", "20", "--patience", "100", "--select", "last"]
    a = train(tmp, "long-a", long, tsv=tmp + "/val.tsv")
    b1 = train(tmp, "long-b", long + ["--stop-after", "18"], tsv=tmp + "/val.tsv")
    b2 = train(tmp, "long-b", long + ["--resume"], tsv=tmp + "/val.tsv")
    c.expect(a.returncode == b1.returncode == b2.returncode == 0, f"long resume: {b2.stderr[-300:]}")
    c.expect(open(f"{tmp}/long-a/model.safetensors", "rb").read() == open(f"{tmp}/long-b/model.safetensors", "rb").read()
             and len(history(f"{tmp}/long-b/history.tsv")) == 20, "resumed 20-epoch run differs")
c.finish()
