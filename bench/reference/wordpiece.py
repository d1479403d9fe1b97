#!/usr/bin/env python3
"""A minimal BERT WordPiece tokenizer in Python, for developing the PyTorch
reference without libattn (torch_classifier.py --python-tokenizer).

It follows the rules include/attn/tokenizer.h lists (Hugging Face's
BertTokenizer): special tokens cut out as written; NUL, U+FFFD and control
characters (categories C*, except TAB, LF, CR) removed and whitespace made a
space; spaces around CJK ideographs; when uncased: lowercase, NFD and
combining marks (Mn) dropped; split at whitespace and around every
punctuation character (ASCII non-alphanumeric printables and Unicode P*);
then greedy longest-match WordPiece with "##" continuations, and [UNK] for a
word longer than 100 characters or one no entry matches. Python's
unicodedata tables may differ from utf8proc's for recently assigned
characters, so the official comparison uses libattn's own ids
(`attn train --dump-tokens`); on the ASCII fortunes both agree.

  .venv-ref/bin/python bench/reference/wordpiece.py VOCAB.txt "Some text"
"""
import re
import sys
import unicodedata

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
              (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
MAX_WORD_CHARS = 100


def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Co", "Cs")


def _is_punctuation(ch):
    o = ord(ch)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(ch):
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in CJK_RANGES)


class WordPiece:
    def __init__(self, vocab_path, lowercase=True):
        with open(vocab_path, encoding="utf-8", newline="\n") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.vocab = {}
        for i, tok in enumerate(lines):
            self.vocab[tok.rstrip("\r")] = i  # the last line of a repeated token wins
        self.lowercase = lowercase
        self.specials = [s for s in SPECIALS if s in self.vocab]
        self.special_re = re.compile("(" + "|".join(re.escape(s) for s in self.specials) + ")") if self.specials else None
        self.unk = self.vocab.get("[UNK]")
        self.cls, self.sep, self.pad = self.vocab.get("[CLS]"), self.vocab.get("[SEP]"), self.vocab.get("[PAD]", 0)

    def _words(self, text):
        chars = []
        for ch in text:
            if ch == "\0" or ch == "\ufffd" or _is_control(ch):
                continue
            if _is_whitespace(ch):
                chars.append(" ")
            elif _is_cjk(ch):
                chars.extend((" ", ch, " "))
            else:
                chars.append(ch)
        words = []
        for word in "".join(chars).split(" "):
            if not word:
                continue
            if self.lowercase:
                word = "".join(c for c in unicodedata.normalize("NFD", word)
                               if unicodedata.category(c) != "Mn").lower()
            current = []
            for ch in word:
                if _is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return words

    def _wordpiece(self, word):
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def tokenize(self, text):
        """WordPiece ids of text, without [CLS]/[SEP]."""
        parts = self.special_re.split(text) if self.special_re else [text]
        ids = []
        for part in parts:
            if part in self.specials:
                ids.append(self.vocab[part])
                continue
            for word in self._words(part):
                ids.extend(self._wordpiece(word))
        if any(i is None for i in ids):
            raise ValueError("the vocab has no [UNK] for a word it cannot split")
        return ids

    def encode(self, text, max_len=0):
        """[CLS] pieces [SEP], keeping the first max_len - 2 pieces when max_len > 0."""
        ids = self.tokenize(text)
        if max_len > 0:
            ids = ids[:max_len - 2]
        return [self.cls] + ids + [self.sep]


if __name__ == "__main__":
    tok = WordPiece(sys.argv[1])
    ids = tok.tokenize(sys.argv[2])
    inverse = {v: k for k, v in tok.vocab.items()}
    print(" ".join(inverse[i] for i in ids))
    print(" ".join(map(str, ids)))
