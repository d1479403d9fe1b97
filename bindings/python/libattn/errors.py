"""Exceptions: a failed libattn call raises AttnError (or the subclass for
its status) carrying the status code, its name and the context's detailed
message (attn_ctx_last_error)."""
from ._lib import lib


class AttnError(Exception):
    """A libattn call failed. status: the attn_status code; name: e.g.
    "ATTN_ERR_SHAPE"; message: the library's detailed message."""

    def __init__(self, status, message, call=None):
        self.status = status
        described = lib().attn_status_str(status).decode()
        self.name = described.split(":")[0]
        self.message = message
        self.call = call
        # the library's messages name the failing call themselves
        text = message or (f"{call}: {described}" if call else described)
        super().__init__(f"{text} [{self.name}]")


class InvalidArgumentError(AttnError, ValueError):
    pass


class OutOfMemoryError(AttnError, MemoryError):
    pass


class ShapeError(AttnError, ValueError):
    pass


class DtypeError(AttnError, TypeError):
    pass


class IOError_(AttnError, OSError):
    pass


class FormatError(AttnError, ValueError):
    pass


class RangeError(AttnError, IndexError):
    pass


class StateError(AttnError, RuntimeError):
    pass


class NumericError(AttnError, ArithmeticError):
    pass


class LimitError(AttnError):
    pass


class UnsupportedError(AttnError, NotImplementedError):
    pass


class NotFoundError(AttnError, KeyError):
    def __str__(self):  # KeyError would quote the message
        return Exception.__str__(self)


class OverflowError_(AttnError, OverflowError):
    pass


# attn_status values (include/attn/core.h; fixed forever, append-only)
_BY_STATUS = {
    1: InvalidArgumentError, 2: OutOfMemoryError, 3: ShapeError, 4: DtypeError, 5: IOError_,
    6: FormatError, 7: RangeError, 8: StateError, 9: NumericError, 10: LimitError,
    11: UnsupportedError, 12: NotFoundError, 13: OverflowError_,
}


def error_for(status, message, call=None):
    """The exception for a status; unknown (newer) codes give a plain AttnError."""
    return _BY_STATUS.get(status, AttnError)(status, message, call)


def check(status, ctx_handle, call=None):
    """Raises the exception for a non-zero status with the context's message."""
    if status != 0:
        message = lib().attn_ctx_last_error(ctx_handle).decode("utf-8", "replace")
        raise error_for(status, message, call)
