"""What the attn CLI tests share: running the binary, collecting failures,
and a small separable two-class TSV data set."""
import json
import os
import random
import subprocess
import sys

VOCAB = os.path.abspath(os.environ.get("ATTN_TEST_DATA", "tests/data") + "/bert-base-uncased/vocab.txt")
WORDS = {"tech": "computer program kernel compiler memory bug code disk network byte".split(),
         "vote": "senate vote law election party budget tax president court policy".split()}
# a model small enough to train in well under a second per epoch
SMALL_ANY_THREADS = ["--vocab", VOCAB, "--layers", "1", "--hidden", "32", "--heads", "2", "--ffn", "64", "--max-len",
                     "24", "--batch", "16", "--quiet", "--lr", "3e-3"]
SMALL = SMALL_ANY_THREADS + ["--threads", "1"]


class Checker:
    def __init__(self, attn):
        self.attn = os.path.abspath(attn)
        self.failures = []

    def expect(self, cond, what):
        if not cond:
            self.failures.append(what)
        return cond

    def run(self, args, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 300)
        return subprocess.run([self.attn] + args, **kw)

    def finish(self):
        for f in self.failures:
            print("FAIL", f)
        print("ok" if not self.failures else f"{len(self.failures)} failures")
        sys.exit(1 if self.failures else 0)


def texts(n, seed=7):
    """n (label, text) pairs, alternating labels, every text unique."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = "tech" if i % 2 else "vote"
        out.append((label, " ".join(rng.choice(WORDS[label]) for _ in range(rng.randint(4, 12))) + f" {i}"))
    return out


def write_tsv(path, rows, header=None):
    with open(path, "w") as f:
        if header:
            f.write(header + "\n")
        for label, text in rows:
            f.write(f"{label}\t{text}\n")
    return path


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def history(path):
    with open(path) as f:
        lines = f.read().splitlines()
    names = lines[0].split("\t")
    return [dict(zip(names, map(float, line.split("\t")))) for line in lines[1:]]
