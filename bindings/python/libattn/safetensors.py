"""SafetensorsFile: libattn's validating reader of Hugging Face safetensors
files (include/attn/io.h). Tensors are read into new libattn Tensors,
converted to the dtype asked for."""
import ctypes

from ._lib import lib
from .context import Handle
from .tensor import Tensor, DTYPES, _dtype_code

FILE_DTYPES = ["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "U16", "U32", "U64", "BOOL",
               "F8_E4M3", "F8_E5M2"]
_MAX_RANK = 8


class SafetensorsFile(Handle):
    """with SafetensorsFile(ctx, "model.safetensors") as f: t = f.read("logits")"""
    _destroy = "attn_safetensors_close"

    def __init__(self, ctx, path):
        out = ctypes.c_void_p()
        status = lib().attn_safetensors_open(ctx.handle, str(path).encode(), ctypes.byref(out))
        super().__init__(ctx, out.value)
        self._check(status, "attn_safetensors_open")

    def names(self):
        """Tensor names in file order."""
        return [lib().attn_safetensors_name(self.handle, i).decode()
                for i in range(lib().attn_safetensors_count(self.handle))]

    def __contains__(self, name):
        i = ctypes.c_int32()
        return lib().attn_safetensors_find(self.handle, name.encode(), ctypes.byref(i)) == 0

    def info(self, name):
        """(file dtype name, shape) of a tensor."""
        i = ctypes.c_int32()
        self._check(lib().attn_safetensors_find(self.handle, name.encode(), ctypes.byref(i)),
                    "attn_safetensors_find")
        dtype, rank, shape = ctypes.c_int32(), ctypes.c_int32(), (ctypes.c_int64 * _MAX_RANK)()
        self._check(lib().attn_safetensors_info(self.handle, i, ctypes.byref(dtype), ctypes.byref(rank), shape),
                    "attn_safetensors_info")
        return FILE_DTYPES[dtype.value], tuple(shape[:rank.value])

    def metadata(self, key):
        v = lib().attn_safetensors_metadata(self.handle, key.encode())
        return None if v is None else v.decode()

    def read(self, name, dtype=None):
        """A new Tensor with the values of name. dtype defaults to float32 for
        float files and int64 for integer ones."""
        if dtype is None:
            file_dtype = self.info(name)[0]
            dtype = "float32" if file_dtype.startswith(("F", "BF")) else "int64"
        out = ctypes.c_void_p()
        status = lib().attn_safetensors_load(self.handle, name.encode(), _dtype_code(dtype), ctypes.byref(out))
        t = Tensor.__new__(Tensor)
        Handle.__init__(t, self.ctx, out.value)
        t._keep = None
        t._check(status, f"attn_safetensors_load({name})")
        return t


__all__ = ["SafetensorsFile", "FILE_DTYPES", "DTYPES"]
