"""Context: the owner of every libattn object, and the base of handles.

A context and the objects made from it may be used by one thread at a time
(libattn's rule): use one Context per thread. Closing a context (or leaving
its `with` block) closes every object still open on it first, so the C
rule "destroy the objects before their context" holds whatever the order
Python's garbage collector picks."""
import ctypes
import weakref

from ._lib import lib
from .errors import check

OPTIONS = {"threads": 1, "seed": 2, "memory_limit": 3, "check_finite": 4, "rng_counter": 5,
           "bytes_in_use": 100, "peak_bytes": 101, "alloc_count": 102}
INFO = {"blis_arch": 1, "blis_choice": 2, "blis_library": 3}


class Handle:
    """An object owned by a context. Subclasses set _destroy to the C
    destructor name (None for borrowed handles, which the owner frees)."""
    _destroy = None

    def __init__(self, ctx, ptr, owner=None):
        self._ctx = ctx
        self._ptr = ptr
        self._owner = owner  # keeps the owner of a borrowed handle alive
        if self._destroy is not None:
            ctx._children[id(self)] = weakref.ref(self)

    @property
    def ctx(self):
        return self._ctx

    @property
    def handle(self):
        """The C pointer (an int); raises once the object is closed."""
        if self._ptr is None or self._ctx._ptr is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def _check(self, status, call=None):
        check(status, self._ctx.handle, call)

    def close(self):
        ptr, self._ptr = self._ptr, None
        if ptr is not None and self._destroy is not None and self._ctx._ptr is not None:
            self._ctx._children.pop(id(self), None)
            getattr(lib(), self._destroy)(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass


class Context:
    """A libattn context. Use as `with Context(threads=2) as ctx: ...`."""

    def __init__(self, threads=None, seed=None):
        out = ctypes.c_void_p()
        status = lib().attn_ctx_create(ctypes.byref(out))
        if status != 0:
            check(status, None, "attn_ctx_create")
        self._ptr = out.value
        self._children = {}  # id -> weakref, in creation order
        if threads is not None:
            self.set("threads", threads)
        if seed is not None:
            self.set("seed", seed)

    @property
    def handle(self):
        if self._ptr is None:
            raise ValueError("Context is closed")
        return self._ptr

    def set(self, option, value):
        """Sets an integer option by name ("threads", "seed", "memory_limit", ...)."""
        check(lib().attn_ctx_set_int(self.handle, _option(option), int(value)), self.handle,
              f"attn_ctx_set_int({option})")

    def get(self, option):
        """Reads an integer option or statistic ("bytes_in_use", "peak_bytes", ...)."""
        v = ctypes.c_int64()
        check(lib().attn_ctx_get_int(self.handle, _option(option), ctypes.byref(v)), self.handle,
              f"attn_ctx_get_int({option})")
        return v.value

    def info(self, key):
        """A string about the running library ("blis_arch", "blis_choice", "blis_library")."""
        s = lib().attn_ctx_info_string(self.handle, INFO[key])
        return None if s is None else s.decode()

    @property
    def last_error(self):
        return lib().attn_ctx_last_error(self.handle).decode("utf-8", "replace")

    def close(self):
        """Closes every object of the context, then the context. Idempotent."""
        if self._ptr is None:
            return
        # newest first, as C code would: an optimizer before the model it borrows from
        for ref in reversed(list(self._children.values())):
            child = ref()
            if child is not None:
                child.close()
        self._children.clear()
        ptr, self._ptr = self._ptr, None
        lib().attn_ctx_destroy(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _option(name):
    try:
        return OPTIONS[name]
    except KeyError:
        raise ValueError(f"unknown context option {name!r}; known: {', '.join(OPTIONS)}") from None
