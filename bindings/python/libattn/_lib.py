"""Finding and loading libattn.so, the version check, and the C prototypes.

The library is searched in this order:
  1. the LIBATTN_PATH environment variable (the .so file, or a directory
     holding libattn.so.<major>);
  2. `pkg-config --variable=libdir libattn`;
  3. the dynamic loader's search (ctypes.util.find_library) and the
     standard directories.
Prototypes are attached lazily, so a library that lacks a function fails
only when that function is called, with a message naming it."""
import ctypes
import ctypes.util
import os
import subprocess

# The binding is written against this major version and needs at least this
# release (ATTN_VERSION_NUMBER = major * 10000 + minor * 100 + patch).
EXPECTED_MAJOR = 0
MINIMUM_VERSION = 100

# opaque handles are plain pointers
c_handle = ctypes.c_void_p
c_status = ctypes.c_int32
c_enum = ctypes.c_int  # C enums are passed as int
c_int32_p = ctypes.POINTER(ctypes.c_int32)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_str = ctypes.c_char_p


class BertConfigStruct(ctypes.Structure):
    """Mirror of attn_bert_config (version 0.1: appended fields only ever)."""
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("vocab_size", ctypes.c_int32),
        ("hidden_size", ctypes.c_int32),
        ("num_layers", ctypes.c_int32),
        ("num_heads", ctypes.c_int32),
        ("intermediate_size", ctypes.c_int32),
        ("max_position_embeddings", ctypes.c_int32),
        ("type_vocab_size", ctypes.c_int32),
        ("hidden_act", ctypes.c_int32),
        ("layer_norm_eps", ctypes.c_float),
        ("hidden_dropout", ctypes.c_float),
        ("attention_dropout", ctypes.c_float),
        ("classifier_dropout", ctypes.c_float),
        ("initializer_range", ctypes.c_float),
        ("num_labels", ctypes.c_int32),
        ("problem_type", ctypes.c_int32),
        ("pooling", ctypes.c_int32),
        ("norm_position", ctypes.c_int32),
        ("pad_token_id", ctypes.c_int32),
    ]


class ModelLoadOptsStruct(ctypes.Structure):
    """attn_model_load_opts (include/attn/model.h)."""
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("num_labels", ctypes.c_int32),
        ("problem_type", ctypes.c_int32),
        ("pooling", ctypes.c_int32),
        ("dropout", ctypes.c_float),
    ]


class OptimOptsStruct(ctypes.Structure):
    """Mirror of attn_optim_opts."""
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("kind", ctypes.c_int32),
        ("lr", ctypes.c_double),
        ("momentum", ctypes.c_double),
        ("dampening", ctypes.c_double),
        ("nesterov", ctypes.c_int32),
        ("amsgrad", ctypes.c_int32),
        ("beta1", ctypes.c_double),
        ("beta2", ctypes.c_double),
        ("eps", ctypes.c_double),
        ("weight_decay", ctypes.c_double),
    ]


_P = ctypes.POINTER
PROTOTYPES = {
    # core
    "attn_status_str": (c_str, [c_status]),
    "attn_version_number": (ctypes.c_uint32, []),
    "attn_version_string": (c_str, []),
    "attn_ctx_create": (c_status, [_P(c_handle)]),
    "attn_ctx_destroy": (None, [c_handle]),
    "attn_ctx_last_error": (c_str, [c_handle]),
    "attn_ctx_set_int": (c_status, [c_handle, c_enum, ctypes.c_int64]),
    "attn_ctx_get_int": (c_status, [c_handle, c_enum, c_int64_p]),
    "attn_ctx_info_string": (c_str, [c_handle, c_enum]),
    # tensor
    "attn_tensor_create": (c_status, [c_handle, c_enum, ctypes.c_int32, c_int64_p, _P(c_handle)]),
    "attn_tensor_wrap": (c_status, [c_handle, c_enum, ctypes.c_int32, c_int64_p, ctypes.c_void_p,
                                    _P(c_handle)]),
    "attn_tensor_destroy": (None, [c_handle]),
    "attn_tensor_dtype": (c_enum, [c_handle]),
    "attn_tensor_rank": (ctypes.c_int32, [c_handle]),
    "attn_tensor_dim": (ctypes.c_int64, [c_handle, ctypes.c_int32]),
    "attn_tensor_numel": (ctypes.c_int64, [c_handle]),
    "attn_tensor_is_contiguous": (ctypes.c_int32, [c_handle]),
    "attn_tensor_data": (ctypes.c_void_p, [c_handle]),
    "attn_tensor_copy": (c_status, [c_handle, c_handle]),
    "attn_tensor_fill": (c_status, [c_handle, ctypes.c_double]),
    "attn_tensor_read": (c_status, [c_handle, c_enum, ctypes.c_void_p, ctypes.c_size_t]),
    "attn_tensor_write": (c_status, [c_handle, c_enum, ctypes.c_void_p, ctypes.c_size_t]),
    "attn_matmul": (c_status, [c_handle, c_handle, ctypes.c_int32, c_handle, ctypes.c_int32, ctypes.c_float,
                               ctypes.c_float]),
    # tokenizer
    "attn_tokenizer_load": (c_status, [c_handle, c_str, ctypes.c_uint32, _P(c_handle)]),
    "attn_tokenizer_destroy": (None, [c_handle]),
    "attn_tokenizer_vocab_size": (ctypes.c_int32, [c_handle]),
    "attn_tokenizer_token_to_id": (c_status, [c_handle, c_str, c_int32_p]),
    "attn_tokenizer_id_to_token": (c_str, [c_handle, ctypes.c_int32]),
    "attn_tokenizer_tokenize": (c_status, [c_handle, c_str, c_int32_p, ctypes.c_int32, c_int32_p]),
    "attn_tokenizer_encode": (c_status, [c_handle, c_str, c_str, ctypes.c_int32, c_int32_p, c_int32_p,
                                         ctypes.c_int32, c_int32_p]),
    "attn_batch_create": (c_status, [c_handle, _P(c_handle)]),
    "attn_batch_destroy": (None, [c_handle]),
    "attn_tokenizer_encode_batch": (c_status, [c_handle, c_handle, _P(c_str), _P(c_str), ctypes.c_int32,
                                               ctypes.c_int32, ctypes.c_int32]),
    "attn_batch_tensor": (c_handle, [c_handle, c_enum]),
    # io
    "attn_safetensors_open": (c_status, [c_handle, c_str, _P(c_handle)]),
    "attn_safetensors_close": (None, [c_handle]),
    "attn_safetensors_count": (ctypes.c_int32, [c_handle]),
    "attn_safetensors_name": (c_str, [c_handle, ctypes.c_int32]),
    "attn_safetensors_find": (c_status, [c_handle, c_str, c_int32_p]),
    "attn_safetensors_info": (c_status, [c_handle, ctypes.c_int32, c_int32_p, c_int32_p, c_int64_p]),
    "attn_safetensors_load": (c_status, [c_handle, c_str, c_enum, _P(c_handle)]),
    "attn_safetensors_metadata": (c_str, [c_handle, c_str]),
    # model
    "attn_bert_load": (c_status, [c_handle, c_str, c_str, _P(c_handle)]),
    "attn_model_destroy": (None, [c_handle]),
    "attn_model_config": (_P(BertConfigStruct), [c_handle]),
    "attn_model_save": (c_status, [c_handle, c_str]),
    "attn_model_param_count": (ctypes.c_int32, [c_handle]),
    "attn_model_param": (c_status, [c_handle, ctypes.c_int32, _P(c_str), _P(c_handle), _P(c_handle)]),
    "attn_model_find_param": (c_status, [c_handle, c_str, _P(c_handle), _P(c_handle)]),
    "attn_model_zero_grad": (c_status, [c_handle]),
    "attn_model_set_training": (c_status, [c_handle, ctypes.c_int32]),
    "attn_model_forward": (c_status, [c_handle, c_handle, c_handle, c_handle]),
    "attn_model_output": (c_handle, [c_handle, c_enum]),
    "attn_model_loss_backward": (c_status, [c_handle, c_handle, _P(ctypes.c_float)]),
    "attn_model_loss": (c_status, [c_handle, c_handle, _P(ctypes.c_float)]),
    "attn_model_add_to_optim": (c_status, [c_handle, c_handle, ctypes.c_int32, ctypes.c_int32]),
    "attn_model_add_to_optim_layerwise": (c_status, [c_handle, c_handle, ctypes.c_double, ctypes.c_double]),
    "attn_model_set_int": (c_status, [c_handle, c_enum, ctypes.c_int64]),
    "attn_model_get_int": (c_status, [c_handle, c_enum, c_int64_p]),
    "attn_model_load_opts_init": (None, [_P(ModelLoadOptsStruct)]),
    "attn_model_load_dir": (c_status, [c_handle, c_str, _P(ModelLoadOptsStruct), _P(c_handle)]),
    "attn_model_load_notes": (c_str, [c_handle]),
    "attn_model_tokenizer": (c_handle, [c_handle]),
    "attn_model_embedding_dim": (ctypes.c_int64, [c_handle]),
    "attn_model_embed": (c_status, [c_handle, _P(c_str), ctypes.c_int32, _P(ctypes.c_float), ctypes.c_int64]),
    "attn_model_score_pairs": (c_status, [c_handle, _P(c_str), _P(c_str), ctypes.c_int32, _P(ctypes.c_float),
                                          ctypes.c_int64]),
    # optim
    "attn_optim_create": (c_status, [c_handle, _P(OptimOptsStruct), _P(c_handle)]),
    "attn_optim_destroy": (None, [c_handle]),
    "attn_optim_param_count": (ctypes.c_int32, [c_handle]),
    "attn_optim_step": (c_status, [c_handle]),
    "attn_optim_zero_grad": (c_status, [c_handle]),
    "attn_optim_set_lr": (c_status, [c_handle, ctypes.c_double]),
    "attn_optim_get_lr": (c_status, [c_handle, _P(ctypes.c_double)]),
    "attn_optim_get_step": (c_status, [c_handle, c_int64_p]),
}


class LibraryNotFound(OSError):
    pass


def _candidates():
    major = EXPECTED_MAJOR
    env = os.environ.get("LIBATTN_PATH")
    if env:
        if os.path.isdir(env):
            yield os.path.join(env, f"libattn.so.{major}")
            yield os.path.join(env, "libattn.so")
        else:
            yield env
        return  # an explicit choice is never silently replaced by another library
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "libattn"], capture_output=True,
                                text=True, timeout=10)
        if libdir.returncode == 0 and libdir.stdout.strip():
            yield os.path.join(libdir.stdout.strip(), f"libattn.so.{major}")
    except (OSError, subprocess.SubprocessError):
        pass
    found = ctypes.util.find_library("attn")
    if found:
        yield found
    for d in ["/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib"]:
        yield os.path.join(d, f"libattn.so.{major}")


class Library:
    """The loaded library: C functions as attributes, prototypes attached on first use."""

    def __init__(self, cdll, path):
        self._cdll = cdll
        self.path = path

    def __getattr__(self, name):
        try:
            fn = getattr(self._cdll, name)
        except AttributeError:
            raise AttributeError(f"{self.path} (libattn {self.version_string()}) has no function {name}") from None
        restype, argtypes = PROTOTYPES[name]
        fn.restype, fn.argtypes = restype, argtypes
        setattr(self, name, fn)
        return fn

    def has(self, name):
        return hasattr(self._cdll, name)

    def version_string(self):
        fn = self._cdll.attn_version_string
        fn.restype, fn.argtypes = ctypes.c_char_p, []
        return fn().decode()


def _check_version(cdll, path):
    cdll.attn_version_number.restype = ctypes.c_uint32
    cdll.attn_version_number.argtypes = []
    number = cdll.attn_version_number()
    if number // 10000 != EXPECTED_MAJOR or number < MINIMUM_VERSION:
        raise LibraryNotFound(
            f"{path} is libattn {number // 10000}.{number // 100 % 100}.{number % 100}; this binding needs "
            f"major version {EXPECTED_MAJOR}, at least {MINIMUM_VERSION // 10000}.{MINIMUM_VERSION // 100 % 100}."
            f"{MINIMUM_VERSION % 100}")


def load():
    tried = []
    for path in _candidates():
        try:
            cdll = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
            continue
        _check_version(cdll, path)
        return Library(cdll, path)
    raise LibraryNotFound("libattn not found; set LIBATTN_PATH to libattn.so.%d (tried: %s)"
                          % (EXPECTED_MAJOR, "; ".join(tried) or "nothing"))


_library = None


def lib():
    """The process-wide library, loaded on first use."""
    global _library
    if _library is None:
        _library = load()
    return _library
