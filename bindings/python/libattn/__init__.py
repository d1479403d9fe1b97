"""libattn for Python: BERT-style encoders on the CPU through ctypes.

    import libattn
    with libattn.Context(threads=2) as ctx:
        tok = libattn.Tokenizer(ctx, "vocab.txt")
        model = libattn.BertModel.load(ctx, "model.safetensors", "config.json")
        batch = tok.encode_batch(["a sentence", "another one"])
        logits = model.forward(batch).logits

Only the standard library is needed; NumPy is used when it is importable.
The shared library is found through LIBATTN_PATH, pkg-config, then the
standard locations (see _lib.py); its major version must be the one this
binding was written for."""
from ._lib import EXPECTED_MAJOR, MINIMUM_VERSION, LibraryNotFound, lib
from .context import Context
from .errors import (AttnError, InvalidArgumentError, OutOfMemoryError, ShapeError, DtypeError, FormatError,
                     RangeError, StateError, NumericError, LimitError, UnsupportedError, NotFoundError)
from .errors import IOError_ as AttnIOError
from .model import BertModel, ModelOutput
from .optim import Optimizer
from .safetensors import SafetensorsFile
from .tensor import Tensor, BorrowedTensor
from .tokenizer import Tokenizer, Batch


def version():
    """Version string of the loaded library ("0.1.0")."""
    return lib().attn_version_string().decode()


def version_number():
    """attn_version_number() of the loaded library (major*10000 + minor*100 + patch)."""
    return lib().attn_version_number()


def library_path():
    """Path of the loaded libattn shared library."""
    return lib().path


__all__ = ["Context", "Tensor", "BorrowedTensor", "Tokenizer", "Batch", "BertModel", "ModelOutput", "Optimizer",
           "SafetensorsFile", "AttnError", "InvalidArgumentError", "OutOfMemoryError", "ShapeError", "DtypeError",
           "AttnIOError", "FormatError", "RangeError", "StateError", "NumericError", "LimitError", "UnsupportedError",
           "NotFoundError", "LibraryNotFound", "version", "version_number", "library_path", "EXPECTED_MAJOR",
           "MINIMUM_VERSION"]
