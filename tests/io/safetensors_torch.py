#!/usr/bin/python3
"""PyTorch's side of the safetensors interop tests (tests/io/test_safetensors_save.c).

  make DIR    writes DIR/torch.safetensors from torch tensors of many dtypes,
              serialised here with json + struct (no safetensors package), and
              for each tensor DIR/<name>.f32 or DIR/<name>.i64: the raw values
              torch's .float() / .long() give, for the C side to compare.
  check FILE  reads a file libattn wrote, with json + struct + numpy only, and
              checks the Hugging Face layout (padding, key order, tensor order,
              tiling), the metadata, the CRC-32C and every value against the
              formulas the C test filled the tensors with.
Exits non-zero with a message on the first mismatch.
"""
import json
import os
import struct
import sys

import numpy as np
import torch


def fail(msg):
    print("safetensors_torch.py: " + msg, file=sys.stderr)
    sys.exit(1)


# --- make -----------------------------------------------------------------

def raw_bytes(t):
    """Little-endian bytes of a contiguous tensor (bfloat16 has no numpy type)."""
    t = t.contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return t.numpy().tobytes()


DTYPE_NAMES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64",
               torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
               torch.uint8: "U8", torch.bool: "BOOL"}


def make(out_dir):
    g = torch.Generator().manual_seed(1234)
    wide = torch.randn(3, 5, generator=g) * torch.tensor([1e-6, 1e-3, 1.0, 1e3, 6e4])
    specials = torch.tensor([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-7, 65519.0, 3.0e-8])
    tensors = {
        "half.wide": wide.to(torch.float16),
        "half.specials": specials.to(torch.float16),
        "bf16.weights": (torch.randn(4, 3, generator=g) * 10).to(torch.bfloat16),
        "bf16.specials": torch.tensor([1e38, -1e-38, float("inf"), 3.14159, -0.0]).to(torch.bfloat16),
        "double": torch.randn(7, generator=g, dtype=torch.float64) * 1e5,
        "f32.matrix": torch.randn(2, 3, 2, generator=g),
        "ids.i64": torch.tensor([[0, 1, -5], [2**40, -(2**31), 30521]], dtype=torch.int64),
        "ids.i32": torch.tensor([7, -7, 2**31 - 1], dtype=torch.int32),
        "ids.i16": torch.tensor([-32768, 32767, 0, 1], dtype=torch.int16),
        "ids.i8": torch.tensor([-128, 127], dtype=torch.int8),
        "mask.u8": torch.tensor([[0, 255], [1, 2]], dtype=torch.uint8),
        "mask.bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
    }
    # packed in insertion order, not Hugging Face's: any tiling is valid
    header, data, offset = {"__metadata__": {"format": "pt", "source": "torch " + torch.__version__}}, b"", 0
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        data += b
        offset += len(b)
        if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            expected = t.float().numpy().astype("<f4").tobytes()
            ext = ".f32"
        else:
            expected = t.long().numpy().astype("<i8").tobytes()
            ext = ".i64"
        with open(os.path.join(out_dir, name + ext), "wb") as f:
            f.write(expected)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(out_dir, "torch.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    with open(os.path.join(out_dir, "names.txt"), "w") as f:
        f.write("\n".join(tensors) + "\n")


# --- check ----------------------------------------------------------------

def crc32c_table():
    table = []
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        table.append(c)
    return table


def crc32c(data):
    table, c = crc32c_table(), 0xFFFFFFFF
    for x in data:
        c = (c >> 8) ^ table[(c ^ x) & 0xFF]
    return c ^ 0xFFFFFFFF


# position in Hugging Face's Dtype enum; its writer orders tensors by descending rank, then name
HF_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "F8_E5M2": 3, "F8_E4M3": 4, "I16": 5, "U16": 6, "F16": 7, "BF16": 8,
           "I32": 9, "U32": 10, "F32": 11, "F64": 12, "I64": 13, "U64": 14}
NUMPY = {"F32": "<f4", "I32": "<i4", "I64": "<i8"}

# what test_safetensors_save.c wrote: name -> (dtype, shape, values from the same formulas)
def expected_tensors():
    def f32(shape, k):
        n = int(np.prod(shape))
        return torch.tensor([(i % 17) * 0.25 - 2.0 + k for i in range(n)], dtype=torch.float32).reshape(shape)
    exp = {
        "bert.embeddings.word_embeddings.weight": ("F32", f32([30, 8], 1)),
        "bert.embeddings.LayerNorm.weight": ("F32", f32([8], 2)),
        "bert.encoder.layer.0.attention.self.query.weight": ("F32", f32([8, 8], 3)),
        "classifier.bias": ("F32", f32([3], 4)),
        "classifier.weight": ("F32", torch.arange(24, dtype=torch.float32).reshape(8, 3).t().contiguous()),
        "optimizer.step_ids": ("I32", torch.tensor([i * 7919 - 100000 for i in range(6)], dtype=torch.int32)),
        "input_ids": ("I64", torch.tensor([[i * 2**33 - 5 for i in range(4)] for _ in range(2)], dtype=torch.int64)),
    }
    return exp


def check(path):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    if n % 8:
        fail("header length %d is not a multiple of 8" % n)
    text = blob[8:8 + n]
    if text.rstrip(b" ") != text.rstrip() or not text.rstrip(b" ").endswith(b"}"):
        fail("header is not padded with spaces after the JSON object")
    header = json.loads(text)
    keys = list(header)
    if keys[0] != "__metadata__":
        fail("first key is %r, not __metadata__" % keys[0])
    meta = header["__metadata__"]
    data = blob[8 + n:]
    if meta.get("format") != "pt":
        fail("metadata format is %r" % meta.get("format"))
    if meta.get("step") != "42" or meta.get("rng") != "seed=7 counter=123456789012":
        fail("user metadata lost: %r" % meta)
    crc = "%08x" % crc32c(data)
    if meta.get("attn.crc32c") != crc:
        fail("attn.crc32c is %r, the data's CRC-32C is %s" % (meta.get("attn.crc32c"), crc))
    names = keys[1:]
    want_order = sorted(names, key=lambda k: (-HF_RANK[header[k]["dtype"]], k))
    if names != want_order:
        fail("tensor order %r is not Hugging Face's %r" % (names, want_order))
    exp = expected_tensors()
    if sorted(names) != sorted(exp):
        fail("names %r differ from %r" % (sorted(names), sorted(exp)))
    offset = 0
    for name in names:
        info = header[name]
        b, e = info["data_offsets"]
        if b != offset:
            fail("%s starts at %d, expected %d" % (name, b, offset))
        offset = e
        dtype, want = exp[name]
        if info["dtype"] != dtype or info["shape"] != list(want.shape):
            fail("%s is %s %r, expected %s %r" % (name, info["dtype"], info["shape"], dtype, list(want.shape)))
        got = torch.from_numpy(np.frombuffer(data[b:e], dtype=NUMPY[dtype]).copy()).reshape(info["shape"])
        if not torch.equal(got, want):
            fail("%s values differ: %r vs %r" % (name, got.flatten()[:6], want.flatten()[:6]))
    if offset != len(data):
        fail("tensors end at %d, the data section has %d bytes" % (offset, len(data)))
    # silent on success: the caller speaks TAP on stdout


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "check"):
        fail("usage: safetensors_torch.py make DIR | check FILE")
    (make if sys.argv[1] == "make" else check)(sys.argv[2])
