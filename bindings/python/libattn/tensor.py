"""Tensor: a libattn tensor handle, with conversions to and from Python
lists and, when NumPy is importable, NumPy arrays.

Zero-copy both ways where the layout allows it:
  - Tensor.from_numpy(ctx, a) wraps a C-contiguous float32/int32/int64 array
    (attn_tensor_wrap); the Tensor keeps the array alive and both see the
    same memory. Other arrays are copied (or refused with copy=False).
  - tensor.numpy() of a contiguous tensor is a view of the tensor's memory;
    the view keeps the Tensor (and so its storage) alive. Strided views and
    borrowed tensors whose owner may reuse the memory are copied unless
    asked otherwise (copy=False)."""
import ctypes

from ._lib import lib
from .context import Handle

try:
    import numpy as np
except ImportError:  # NumPy is optional
    np = None

DTYPES = {"float32": 0, "int32": 1, "int64": 2}
_DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
_CTYPES = {0: ctypes.c_float, 1: ctypes.c_int32, 2: ctypes.c_int64}
MAX_RANK = 4


def _dtype_code(dtype):
    if np is not None and not isinstance(dtype, str):
        dtype = np.dtype(dtype).name
    try:
        return DTYPES[dtype]
    except KeyError:
        raise TypeError(f"libattn tensors hold float32, int32 or int64, not {dtype}") from None


def _shape_array(shape):
    shape = tuple(int(d) for d in shape)
    if not 1 <= len(shape) <= MAX_RANK:
        raise ValueError(f"rank must be 1..{MAX_RANK}, got shape {shape}")
    return shape, (ctypes.c_int64 * len(shape))(*shape)


def _flatten(data):
    """Nested lists -> (flat list, shape); ragged lists are refused."""
    if not isinstance(data, (list, tuple)):
        return [data], ()
    if not data:
        return [], (0,)
    parts = [_flatten(x) for x in data]
    inner = parts[0][1]
    if any(p[1] != inner for p in parts):
        raise ValueError("ragged nested list: every row needs the same shape")
    return [v for p in parts for v in p[0]], (len(data),) + inner


def _nest(flat, shape):
    if len(shape) <= 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


class Tensor(Handle):
    """A float32/int32/int64 tensor of rank 1..4. Create one with
    Tensor(ctx, shape, dtype) (zeros), Tensor.from_list or Tensor.from_numpy."""
    _destroy = "attn_tensor_destroy"

    def __init__(self, ctx, shape, dtype="float32"):
        shape, dims = _shape_array(shape)
        out = ctypes.c_void_p()
        status = lib().attn_tensor_create(ctx.handle, _dtype_code(dtype), len(shape), dims, ctypes.byref(out))
        super().__init__(ctx, out.value)
        self._keep = None
        self._check(status, "attn_tensor_create")

    @classmethod
    def from_list(cls, ctx, data, dtype=None):
        """A tensor with the values and shape of a (nested) list. dtype
        defaults to int64 for ints and float32 otherwise."""
        flat, shape = _flatten(data)
        if not shape:
            shape = (1,)
        if dtype is None:
            dtype = "int64" if flat and all(isinstance(v, int) for v in flat) else "float32"
        t = cls(ctx, shape, dtype)
        t.write(flat)
        return t

    @classmethod
    def from_numpy(cls, ctx, array, copy=None):
        """Wraps a C-contiguous float32/int32/int64 array without copying
        (copy=None or False) or copies it into a new tensor (copy=True, or
        copy=None when the array cannot be wrapped)."""
        if np is None:
            raise RuntimeError("NumPy is not available")
        array = np.asarray(array)
        if array.ndim == 0:
            array = array.reshape(1)
        wrappable = (array.dtype.name in DTYPES and array.flags.c_contiguous and array.flags.writeable
                     and array.dtype.isnative)
        if copy is False and not wrappable:
            raise ValueError(f"cannot wrap a {array.dtype} array with strides {array.strides} without copying")
        if copy or not wrappable:
            if array.dtype.name not in DTYPES:
                array = array.astype(np.float32 if array.dtype.kind == "f" else np.int64)
            t = cls(ctx, array.shape, array.dtype.name)
            t.write(np.ascontiguousarray(array))
            return t
        shape, dims = _shape_array(array.shape)
        out = ctypes.c_void_p()
        status = lib().attn_tensor_wrap(ctx.handle, DTYPES[array.dtype.name], len(shape), dims,
                                        ctypes.c_void_p(array.ctypes.data), ctypes.byref(out))
        t = cls.__new__(cls)
        Handle.__init__(t, ctx, out.value)
        t._keep = array  # the memory must outlive the tensor
        t._check(status, "attn_tensor_wrap")
        return t

    # ---- properties ----

    @property
    def dtype(self):
        return _DTYPE_NAMES[lib().attn_tensor_dtype(self.handle)]

    @property
    def shape(self):
        return tuple(lib().attn_tensor_dim(self.handle, i) for i in range(lib().attn_tensor_rank(self.handle)))

    @property
    def numel(self):
        return lib().attn_tensor_numel(self.handle)

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        if self._ptr is None:
            return "<libattn.Tensor closed>"
        return f"<libattn.Tensor {self.dtype} {list(self.shape)}>"

    # ---- data ----

    def _buffer(self):
        code = lib().attn_tensor_dtype(self.handle)
        return (_CTYPES[code] * self.numel)(), code

    def tolist(self):
        """The values as nested lists (a copy)."""
        buf, code = self._buffer()
        self._check(lib().attn_tensor_read(self.handle, code, buf, ctypes.sizeof(buf)), "attn_tensor_read")
        return _nest(list(buf), self.shape)

    def write(self, values):
        """Writes values (a flat or nested sequence, or an array) in row-major order."""
        if np is not None and isinstance(values, np.ndarray):
            code = lib().attn_tensor_dtype(self.handle)
            arr = np.ascontiguousarray(values, dtype=np.dtype(_DTYPE_NAMES[code]))
            if arr.size != self.numel:
                raise ValueError(f"{arr.size} values for a tensor of {self.numel}")
            self._check(lib().attn_tensor_write(self.handle, code, ctypes.c_void_p(arr.ctypes.data), arr.nbytes),
                        "attn_tensor_write")
            return
        flat, _ = _flatten(list(values))
        buf, code = self._buffer()
        if len(flat) != len(buf):
            raise ValueError(f"{len(flat)} values for a tensor of {len(buf)}")
        buf[:] = flat
        self._check(lib().attn_tensor_write(self.handle, code, buf, ctypes.sizeof(buf)), "attn_tensor_write")

    def fill(self, value):
        self._check(lib().attn_tensor_fill(self.handle, float(value)), "attn_tensor_fill")

    def copy_from(self, other):
        """Copies other's values into this tensor (same shape and dtype)."""
        self._check(lib().attn_tensor_copy(self.handle, other.handle), "attn_tensor_copy")

    def numpy(self, copy=None):
        """A NumPy array of the values. A contiguous tensor gives a view of
        its memory (writes go to the tensor) unless copy=True; borrowed
        tensors (model outputs, parameters, batch fields) are copied by
        default because their owner may reuse the memory."""
        if np is None:
            raise RuntimeError("NumPy is not available")
        if copy is None:
            copy = isinstance(self, BorrowedTensor)
        shape = self.shape
        code = lib().attn_tensor_dtype(self.handle)
        if not copy and lib().attn_tensor_is_contiguous(self.handle):
            n = self.numel
            if n == 0:
                return np.zeros(shape, dtype=_DTYPE_NAMES[code])
            raw = (_CTYPES[code] * n).from_address(lib().attn_tensor_data(self.handle))
            raw._attn_tensor = self  # array -> memoryview -> raw -> tensor: the storage outlives the view
            return np.ctypeslib.as_array(raw).reshape(shape)
        out = np.empty(shape, dtype=_DTYPE_NAMES[code])
        self._check(lib().attn_tensor_read(self.handle, code, ctypes.c_void_p(out.ctypes.data), out.nbytes),
                    "attn_tensor_read")
        return out


class BorrowedTensor(Tensor):
    """A tensor handle owned by another object (never destroyed by Python)."""
    _destroy = None

    def __init__(self, ctx, ptr, owner):
        Handle.__init__(self, ctx, ptr, owner)
        self._keep = None
