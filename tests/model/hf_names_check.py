"""Reads a safetensors file the way a Hugging Face loader that knows only HF
naming would (json + struct + numpy, no libattn), and checks that it holds
exactly the tensors, names, dtypes and shapes of a reference checkpoint
written by Hugging Face, with {"format": "pt"} metadata.
Usage: hf_names_check.py SAVED.safetensors REFERENCE.safetensors"""
import json
import struct
import sys

import numpy as np


def header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)), 8 + n


saved, saved_start = header(sys.argv[1])
ref, _ = header(sys.argv[2])
meta = saved.pop("__metadata__", {})
ref.pop("__metadata__", None)
assert meta.get("format") == "pt", meta
assert set(saved) == set(ref), sorted(set(saved) ^ set(ref))
data = open(sys.argv[1], "rb").read()
for name, info in ref.items():
    s = saved[name]
    assert s["dtype"] == info["dtype"] and s["shape"] == info["shape"], name
    b, e = s["data_offsets"]
    arr = np.frombuffer(data[saved_start + b:saved_start + e], dtype=np.float32)
    assert arr.size == int(np.prod(info["shape"])) and np.isfinite(arr).all(), name
print("ok", len(ref), "tensors", file=sys.stderr)
