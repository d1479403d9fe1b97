"""Messages a new user can act on: a file passed in the wrong place is
named for what it is (not a parser's header length), options and dtypes
are named in words, and attn tokenize --out keeps the text after a NUL byte
and says so. Usage: test_cli_messages.py ATTN_EXE"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_np  # noqa: E402
from cli_common import VOCAB, Checker  # noqa: E402

c = Checker(sys.argv[1])
data = os.environ.get("ATTN_TEST_DATA", "tests/data") + "/hf-bert-tiny/"
model, config, batch = data + "tiny_a.safetensors", data + "tiny_a.config.json", data + "tiny_a.expected.safetensors"
numbers_in_place_of_words = re.compile(r"option \d|dtype \d|header length \d")
seen = []


def fails_with(args, *wanted, stdin=""):
    p = c.run(args, input=stdin, timeout=30)
    seen.append(p.stderr)
    lines = p.stderr.strip().splitlines()
    c.expect(p.returncode != 0 and len(lines) == 1 and all(w in p.stderr for w in wanted),
             f"{' '.join(args[:3])}...: exit {p.returncode}, wanted {wanted} in one line, got {p.stderr!r}")


def write_safetensors(path, tensors):
    """tensors: name -> (dtype string, shape, raw bytes)."""
    header, offset, blob = {}, 0, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blob += raw
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + blob)


with tempfile.TemporaryDirectory() as tmp:
    out = tmp + "/out.safetensors"
    fails_with(["forward", "--model", config, "--config", config, "--inputs", batch, "--out", out],
               "--model", "is not a safetensors weights file", "JSON", "--config")
    fails_with(["forward", "--model", VOCAB, "--config", config, "--inputs", batch, "--out", out],
               "is not a safetensors weights file", "vocabulary", '"[PAD]"')
    fails_with(["forward", "--model", model, "--config", model, "--inputs", batch, "--out", out],
               "--config", "is not a JSON config", "safetensors weights file")
    fails_with(["predict", "--model", VOCAB, "--config", config, "--vocab", VOCAB], "vocabulary")
    fails_with(["eval", "--model", model, "--config", VOCAB, "--tsv", VOCAB, "--vocab", VOCAB], "is not a JSON config")
    fifo = tmp + "/config.json"
    os.mkfifo(fifo)
    fails_with(["forward", "--model", model, "--config", fifo, "--inputs", batch, "--out", out], "not a regular file")
    fails_with(["train", "--tsv", fifo, "--vocab", VOCAB, "--out", tmp + "/r"], "not a regular file")

    # ids in a float tensor: named with both dtypes in words
    ids = struct.pack("<4f", 101, 2023, 102, 0)
    write_safetensors(tmp + "/float_ids.safetensors", {"input_ids": ("F32", [1, 4], ids)})
    fails_with(["forward", "--model", model, "--config", config, "--inputs", tmp + "/float_ids.safetensors", "--out", out],
               "input_ids must be int32 or int64, got float32")
    write_safetensors(tmp + "/no_ids.safetensors", {"attention_mask": ("I64", [1, 1], struct.pack("<q", 1))})
    fails_with(["forward", "--model", model, "--config", config, "--inputs", tmp + "/no_ids.safetensors", "--out", out],
               "has no input_ids tensor")

    write_safetensors(tmp + "/float_labels.safetensors", {
        "input_ids": ("I64", [1, 4], struct.pack("<4q", 101, 2023, 102, 0)),
        "labels": ("F32", [1], struct.pack("<f", 1.0))})
    fails_with(["train-step", "--model", model, "--config", config, "--inputs", tmp + "/float_labels.safetensors",
                "--out", out], "labels must be int32 or int64 class indices for this single-label model, got float32")

    # option values: the option and the allowed values in words
    fails_with(["train", "--pooling", "max"], "--pooling max: must be one of cls-dense|cls|mean")
    fails_with(["train", "--select", "best"], "--select best: must be one of val-acc|val-loss|last")
    fails_with(["train", "--epochs", "0"], "--epochs 0: must be between 1 and")
    fails_with(["bench", "--mode", "fast"], "--mode fast: must be one of infer|train")
    fails_with(["predict", "--model", model, "--batch-size", "0"], "--batch-size 0: must be between 1 and 65536")
    fails_with(["tokenize", "--vocab", VOCAB, "--max-len", "-1"], "--max-len -1: must be between 0 and")
    for stderr in seen:
        c.expect(not numbers_in_place_of_words.search(stderr), f"a number where words belong: {stderr!r}")

    # NUL: the text after it is kept (tokenize --out as the JSON mode), and a warning names the line
    lines = b"the first line\nabc\x00def and more\nlast\n"
    p = subprocess.run([c.attn, "tokenize", "--vocab", VOCAB, "--out", tmp + "/nul.safetensors"], input=lines,
                       capture_output=True)
    c.expect(p.returncode == 0 and b"line 2" in p.stderr and b"NUL" in p.stderr,
             f"tokenize --out with a NUL: exit {p.returncode}, stderr {p.stderr!r}")
    got = safetensors_np.load(tmp + "/nul.safetensors")
    ref = subprocess.run([c.attn, "tokenize", "--vocab", VOCAB], input=b"abcdef and more\n", capture_output=True)
    want = json.loads(ref.stdout)["input_ids"]
    row = [int(x) for x, m in zip(got["input_ids"][1], got["attention_mask"][1]) if m]
    c.expect(row == want, f"tokenize --out dropped text after NUL: {row} vs {want} (NUL deleted)")
    try:  # Hugging Face deletes NUL in BasicTokenizer's clean-up: the same ids
        from transformers import BertTokenizer
        hf = BertTokenizer(VOCAB, do_lower_case=True)("abc\x00def and more")["input_ids"]
        c.expect(row == hf, f"tokenize --out vs Hugging Face on a NUL: {row} vs {hf}")
    except ImportError:
        pass
    js = subprocess.run([c.attn, "tokenize", "--vocab", VOCAB], input=lines, capture_output=True)
    c.expect(json.loads(js.stdout.splitlines()[1])["input_ids"] == want and b"line 2" in js.stderr,
             f"tokenize (JSON) with a NUL: {js.stdout!r} {js.stderr!r}")
c.finish()
