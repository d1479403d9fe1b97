"""Write and read libattn "case files": named arrays for parity tests.

Format (little-endian): b"ATTNCASE", u32 count, then per record:
u32 name length, name bytes (UTF-8), u8 dtype (0 f32, 1 i32, 2 i64),
u8 rank, rank x i64 dims, raw data. Read by tests/common/case_file.c.
"""
import struct

import numpy as np

_DTYPES = {np.dtype(np.float32): 0, np.dtype(np.int32): 1, np.dtype(np.int64): 2}
_BACK = {0: np.float32, 1: np.int32, 2: np.int64}


def write(path, arrays):
    """arrays: dict name -> numpy array (float32, int32 or int64) or torch tensor."""
    with open(path, "wb") as f:
        f.write(b"ATTNCASE")
        f.write(struct.pack("<I", len(arrays)))
        for name, a in arrays.items():
            if hasattr(a, "detach"):
                a = a.detach().cpu().numpy()
            a = np.ascontiguousarray(a)
            if a.dtype == np.float64:
                a = a.astype(np.float32)
            code = _DTYPES[a.dtype]
            nb = name.encode()
            f.write(struct.pack("<I", len(nb)) + nb)
            f.write(struct.pack("<BB", code, a.ndim))
            f.write(struct.pack("<%dq" % a.ndim, *a.shape))
            f.write(a.tobytes())


def read(path):
    out = {}
    with open(path, "rb") as f:
        assert f.read(8) == b"ATTNCASE"
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            (n,) = struct.unpack("<I", f.read(4))
            name = f.read(n).decode()
            code, rank = struct.unpack("<BB", f.read(2))
            dims = struct.unpack("<%dq" % rank, f.read(8 * rank))
            dt = np.dtype(_BACK[code])
            size = int(np.prod(dims)) if rank else 1
            out[name] = np.frombuffer(f.read(size * dt.itemsize), dtype=dt).reshape(dims)
    return out
