#!/usr/bin/env python3
"""The fortunes text-classification data set, loaded as libattn does.

A Python twin of lib/data (attn_dataset_load_fortunes): the same reading of
Debian's fortunes files, the same cleaning, attribution rule,
de-duplication, label numbering and hash split, written independently so
that tests/data/check_fortunes.py can compare the two example by example.
The rules are those of include/attn/data.h; in short:

  entries   lines between lines holding only "%" ("%\\r" too); bytes that are
            not valid UTF-8 are read as Latin-1
  cleaning  mojibake repair (UTF-8 read as Latin-1, e.g. "Ã©" -> "é"), then a
            backspace deletes the character before it (not across a line
            start) and every other Cc character but TAB and LF is removed
  attribution  last line starting with spaces/TABs + "--" or an em dash,
            followed only by blank or indented lines, with text before it
  dedup     on the whitespace-normalised text: a text under several labels
            is dropped everywhere, repeats under one label keep the first
  split     FNV-1a-64(normalised text, attribution included) % 10: 0-7 train,
            8 validation, 9 test
  labels    numbered by sorted name; examples by label, then file order

Run it to print the data set's summary, or with --dump FILE to write
`split<TAB>label<TAB>text` lines (text with \\\\, \\n, \\t escaped).
"""
import argparse
import codecs
import os
import sys

DEFAULT_DIR = "/usr/share/games/fortunes"
DEFAULT_CATEGORIES = ["computers", "politics", "science", "songs-poems"]
SPLITS = ["train", "validation", "test"]
WHITESPACE = " \t\n\r\v\f"
STATS = ["cross_label_dropped", "duplicates_dropped", "attributions", "control_chars", "mojibake",
         "latin1_bytes", "empty_dropped", "blank_lines", "records"]
MAX_RECORD_BYTES = 1 << 20


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def normalize(text):
    """Runs of whitespace become one space; the ends are trimmed."""
    words, word = [], []
    for ch in text:
        if ch in WHITESPACE:
            if word:
                words.append("".join(word))
                word = []
        else:
            word.append(ch)
    if word:
        words.append("".join(word))
    return " ".join(words)


def split_of(text):
    bucket = fnv1a64(normalize(text).encode("utf-8")) % 10
    return 0 if bucket < 8 else (1 if bucket == 8 else 2)


class _Latin1Fallback:
    """A codecs error handler that reads each undecodable byte as Latin-1."""

    def __init__(self):
        self.count = 0

    def __call__(self, err):
        bad = err.object[err.start:err.end]
        self.count += len(bad)
        return "".join(chr(b) for b in bad), err.end


def decode_with_latin1_fallback(data):
    handler = _Latin1Fallback()
    name = "attn-latin1-fallback-%d" % id(handler)
    codecs.register_error(name, handler)
    return data.decode("utf-8", errors=name), handler.count


def repair_mojibake(text):
    out, i, repaired = [], 0, 0
    while i < len(text):
        lead = ord(text[i])
        if 0xC2 <= lead <= 0xF4:
            need = 1 if lead <= 0xDF else (2 if lead <= 0xEF else 3)
            tail = text[i + 1:i + 1 + need]
            if len(tail) == need and all(0x80 <= ord(c) <= 0xBF for c in tail):
                try:
                    fixed = bytes([lead] + [ord(c) for c in tail]).decode("utf-8")
                except UnicodeDecodeError:
                    fixed = None
                if fixed is not None:
                    out.append(fixed)
                    i += 1 + need
                    repaired += 1
                    continue
        out.append(text[i])
        i += 1
    return "".join(out), repaired


def is_control(ch):
    o = ord(ch)
    return (o < 0x20 or 0x7F <= o <= 0x9F) and ch not in "\t\n"


def remove_controls(text):
    out, removed = [], 0
    for ch in text:
        if not is_control(ch):
            out.append(ch)
            continue
        removed += 1
        if ch == "\b" and out and out[-1] != "\n":
            out.pop()
    return "".join(out), removed


def _starts_attribution(line):
    body = line.lstrip(" \t")
    return len(body) < len(line) and (body.startswith("--") or body.startswith("\u2014"))


def attribution_line(lines):
    """Index of the line that starts a trailing attribution, or None."""
    for k in range(len(lines) - 1, -1, -1):
        line = lines[k]
        if _starts_attribution(line):
            before = "\n".join(lines[:k])
            return k if normalize(before) else None
        if line.strip(" \t") and line[0] not in " \t":
            return None
    return None


def clean(raw, strip_attribution, raw_text, stats):
    """(cleaned text or "" if nothing is left, split): the split is taken
    before the attribution is stripped, so stripping never moves an entry."""
    text, latin1 = decode_with_latin1_fallback(raw)
    stats["latin1_bytes"] += latin1
    if raw_text:
        stats["control_chars"] += text.count("\0")
        text = text.replace("\0", "")
    else:
        text, n = repair_mojibake(text)
        stats["mojibake"] += n
        text, n = remove_controls(text)
        stats["control_chars"] += n
    whole = text
    lines = text.split("\n")
    k = attribution_line(lines)
    if k is not None:
        stats["attributions"] += 1
        if strip_attribution:
            text = "\n".join(lines[:k])
    return text.strip(WHITESPACE), split_of(whole)


def read_entries(data, path="<data>"):
    """The raw bytes of every entry of a fortunes file."""
    entries, current = [], []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the file's final LF ends the last line, it opens none
    for line in lines:
        if line in (b"%", b"%\r"):
            entries.append(b"\n".join(current) + b"\n" if current else b"")
            current = []
        else:
            current.append(line)
    if current:
        tail = b"\n".join(current) + (b"\n" if data.endswith(b"\n") else b"")
        entries.append(tail)
    for e in entries:
        if len(e) > MAX_RECORD_BYTES:
            raise ValueError("%s: entry of %d bytes" % (path, len(e)))
    return [e for e in entries if e]


class Dataset:
    def __init__(self, texts, labels, splits, label_names, stats):
        self.texts, self.labels, self.splits = texts, labels, splits
        self.label_names, self.stats = label_names, stats

    def indices(self, split):
        return [i for i, s in enumerate(self.splits) if s == split]

    def count(self, split=None, label=None):
        return sum(1 for s, l in zip(self.splits, self.labels)
                   if (split is None or s == split) and (label is None or l == label))


def load_fortunes(directory=DEFAULT_DIR, categories=None, strip_attribution=False, raw_text=False):
    names = sorted(categories or DEFAULT_CATEGORIES)
    if len(set(names)) != len(names):
        raise ValueError("a category is listed twice")
    stats = dict.fromkeys(STATS, 0)
    records = []  # (text, label, split)
    for label, name in enumerate(names):
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        for raw in read_entries(data, name):
            text, split = clean(raw, strip_attribution, raw_text, stats)
            if not text:
                stats["empty_dropped"] += 1
                continue
            records.append((text, label, split))
    stats["records"] = len(records)
    by_key = {}
    for i, (text, _, _) in enumerate(records):
        by_key.setdefault(normalize(text), []).append(i)
    keep = set()
    for members in by_key.values():
        if len({records[i][1] for i in members}) > 1:
            stats["cross_label_dropped"] += len(members)
        else:
            keep.add(members[0])
            stats["duplicates_dropped"] += len(members) - 1
    texts, labels, splits = [], [], []
    for i, (text, label, split) in enumerate(records):
        if i in keep:
            texts.append(text)
            labels.append(label)
            splits.append(split)
    return Dataset(texts, labels, splits, names, stats)


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def unescape(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--categories", nargs="*", default=None)
    ap.add_argument("--strip-attribution", action="store_true")
    ap.add_argument("--raw-text", action="store_true")
    ap.add_argument("--dump", help="write split<TAB>label<TAB>escaped text lines here")
    args = ap.parse_args()
    ds = load_fortunes(args.dir, args.categories, args.strip_attribution, args.raw_text)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8", newline="\n") as f:
            for t, l, s in zip(ds.texts, ds.labels, ds.splits):
                f.write("%d\t%d\t%s\n" % (s, l, escape(t)))
    print("examples %d, labels %s" % (len(ds.texts), ", ".join(ds.label_names)))
    for s, name in enumerate(SPLITS):
        per = [ds.count(s, l) for l in range(len(ds.label_names))]
        print("%-10s %5d  %s" % (name, ds.count(s), " ".join("%5d" % c for c in per)))
    print(" ".join("%s=%d" % (k, v) for k, v in ds.stats.items()))


if __name__ == "__main__":
    sys.exit(main())
