#!/usr/bin/python3
"""Compares the C loader's dumps of the fortunes task (tests/data/test_fortunes.c)
with bench/reference/fortunes_data.py, example by example, and recounts the
raw entries per category with a plain regular expression.

usage: check_fortunes.py --kept DUMP --stripped DUMP
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "reference"))
import fortunes_data as ref  # noqa: E402


def read_dump(path):
    with open(path, encoding="utf-8", newline="\n") as f:
        lines = f.read().split("\n")
    assert lines[-1] == "", "dump does not end with a newline"
    labels = lines[0].split("\t")
    stats = lines[1].split("\t")
    assert labels[0] == "#labels" and stats[0] == "#stats"
    rows = []
    for line in lines[2:-1]:
        split, label, text = line.split("\t", 2)
        rows.append((int(split), int(label), ref.unescape(text)))
    return labels[1:], dict(zip(ref.STATS, map(int, stats[1:]))), rows


def compare(path, strip):
    labels, stats, rows = read_dump(path)
    want = ref.load_fortunes(strip_attribution=strip)
    errors = []
    if labels != want.label_names:
        errors.append("labels %s, reference %s" % (labels, want.label_names))
    for k in ref.STATS:
        if stats[k] != want.stats[k]:
            errors.append("stat %s: C %d, reference %d" % (k, stats[k], want.stats[k]))
    if len(rows) != len(want.texts):
        errors.append("C has %d examples, reference %d" % (len(rows), len(want.texts)))
    for i, ((split, label, text), t, l, s) in enumerate(zip(rows, want.texts, want.labels, want.splits)):
        if (split, label, text) != (s, l, t):
            errors.append("example %d differs:\n  C   %r\n  ref %r" % (i, (split, label, text), (s, l, t)))
            if len(errors) > 10:
                break
    return errors, stats, rows


def raw_entry_counts():
    """Entries per category by a regular expression over the decoded files:
    split at lines that are exactly "%" and count the non-blank pieces."""
    counts = {}
    for name in ref.DEFAULT_CATEGORIES:
        with open(os.path.join(ref.DEFAULT_DIR, name), encoding="utf-8", errors="surrogateescape") as f:
            pieces = re.split(r"(?m)^%\n", f.read())
        counts[name] = sum(1 for p in pieces if p.strip())
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kept", required=True)
    ap.add_argument("--stripped", required=True)
    args = ap.parse_args()
    failed = False
    results = {}
    for path, strip in ((args.kept, False), (args.stripped, True)):
        errors, stats, rows = compare(path, strip)
        results[strip] = (stats, rows)
        for e in errors:
            print("%s: %s" % (os.path.basename(path), e), file=sys.stderr)
        failed |= bool(errors)

    # independent recount: every raw entry is a record, an empty one or a
    # dropped one; the dumped rows cover every split and label
    raw = raw_entry_counts()
    stats, rows = results[False]
    total = sum(raw.values())
    seen = stats["records"] + stats["empty_dropped"]
    if seen != total:
        print("records + empty = %d, but the files hold %d entries (%s)" % (seen, total, raw), file=sys.stderr)
        failed = True
    if stats["records"] - stats["cross_label_dropped"] - stats["duplicates_dropped"] != len(rows):
        print("counters do not add up to the %d examples" % len(rows), file=sys.stderr)
        failed = True
    per_label = [sum(1 for r in rows if r[1] == l) for l in range(4)]
    for l, name in enumerate(ref.DEFAULT_CATEGORIES):
        if not (0 < per_label[l] <= raw[name]):
            print("%s: %d examples of %d entries" % (name, per_label[l], raw[name]), file=sys.stderr)
            failed = True
    split_sizes = [sum(1 for r in rows if r[0] == s) for s in range(3)]
    # a hash split lands near 80/10/10; 3% of the data either way is ~5 sigma
    for s, share in enumerate((0.8, 0.1, 0.1)):
        if abs(split_sizes[s] - share * len(rows)) > 0.03 * len(rows):
            print("split %d has %d of %d examples" % (s, split_sizes[s], len(rows)), file=sys.stderr)
            failed = True
    # "# " keeps the line a comment in the calling test's TAP output
    print("# entries %s; examples %d; splits %s; per label %s" % (raw, len(rows), split_sizes, per_label))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
