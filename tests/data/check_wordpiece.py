#!/usr/bin/python3
"""The Python WordPiece port of bench/reference (used by torch_classifier.py
--python-tokenizer) against Hugging Face's BertTokenizer output in
tests/data/bert-base-uncased/tokens.json: every single text must give the
same ids. Prints TAP.

usage: check_wordpiece.py SHARED_DATA_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "reference"))
import wordpiece  # noqa: E402


def main():
    data = os.path.join(sys.argv[1], "bert-base-uncased")
    with open(os.path.join(data, "tokens.json"), encoding="utf-8") as f:
        cases = json.load(f)["single"]
    tok = wordpiece.WordPiece(os.path.join(data, "vocab.txt"))
    print("1..%d" % len(cases))
    failed = 0
    for n, case in enumerate(cases, 1):
        got = tok.encode(case["text"])
        ok = got == case["input_ids"]
        failed += not ok
        print("%s %d - %r" % ("ok" if ok else "not ok", n, case["text"][:40]))
        if not ok:
            print("# got  %s\n# want %s" % (got, case["input_ids"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
