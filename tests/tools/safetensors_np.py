"""A minimal independent safetensors reader (json + numpy) for the tests."""
import json
import struct

import numpy as np

DTYPES = {"F32": np.float32, "I64": np.int64, "I32": np.int32, "F16": np.float16}


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out
