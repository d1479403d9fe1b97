"""Tokenizer: Hugging Face's BertTokenizer rules over a vocab.txt
(include/attn/tokenizer.h), and Batch, the padded model input."""
import ctypes

from ._lib import lib
from .context import Handle
from .tensor import BorrowedTensor

LOWERCASE = 1
KEEP_ACCENTS = 2


def _utf8(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


class Tokenizer(Handle):
    """Tokenizer(ctx, "vocab.txt", lowercase=True) for uncased BERT vocabularies."""
    _destroy = "attn_tokenizer_destroy"

    def __init__(self, ctx, vocab_path, lowercase=True, keep_accents=False):
        flags = (LOWERCASE if lowercase else 0) | (KEEP_ACCENTS if keep_accents else 0)
        out = ctypes.c_void_p()
        status = lib().attn_tokenizer_load(ctx.handle, _utf8(str(vocab_path)), flags, ctypes.byref(out))
        super().__init__(ctx, out.value)
        self._check(status, "attn_tokenizer_load")

    @property
    def vocab_size(self):
        return lib().attn_tokenizer_vocab_size(self.handle)

    def token_to_id(self, token):
        """Id of an exact vocab entry; NotFoundError if absent."""
        i = ctypes.c_int32()
        self._check(lib().attn_tokenizer_token_to_id(self.handle, _utf8(token), ctypes.byref(i)),
                    "attn_tokenizer_token_to_id")
        return i.value

    def id_to_token(self, i):
        s = lib().attn_tokenizer_id_to_token(self.handle, int(i))
        if s is None:
            raise IndexError(f"token id {i} outside 0..{self.vocab_size - 1}")
        return s.decode("utf-8")

    def tokenize(self, text):
        """WordPiece ids of text, without [CLS]/[SEP] (HF's tokenize())."""
        data, n = _utf8(text), ctypes.c_int32()
        self._check(lib().attn_tokenizer_tokenize(self.handle, data, None, 0, ctypes.byref(n)),
                    "attn_tokenizer_tokenize")  # capacity 0 asks for the count
        ids = (ctypes.c_int32 * max(n.value, 1))()
        self._check(lib().attn_tokenizer_tokenize(self.handle, data, ids, n.value, ctypes.byref(n)),
                    "attn_tokenizer_tokenize")
        return list(ids[:n.value])

    def tokens(self, text):
        """The WordPiece strings of text ("##" marks continuations)."""
        return [self.id_to_token(i) for i in self.tokenize(text)]

    def encode(self, text, pair=None, max_len=0):
        """(input_ids, token_type_ids) of "[CLS] text [SEP] (pair [SEP])",
        truncated to max_len ids when max_len > 0."""
        data, pair_data, n = _utf8(text), None if pair is None else _utf8(pair), ctypes.c_int32()
        self._check(lib().attn_tokenizer_encode(self.handle, data, pair_data, int(max_len), None, None, 0,
                                                ctypes.byref(n)), "attn_tokenizer_encode")
        ids, types = (ctypes.c_int32 * max(n.value, 1))(), (ctypes.c_int32 * max(n.value, 1))()
        self._check(lib().attn_tokenizer_encode(self.handle, data, pair_data, int(max_len), ids, types, n.value,
                                                ctypes.byref(n)), "attn_tokenizer_encode")
        return list(ids[:n.value]), list(types[:n.value])

    def encode_batch(self, texts, pairs=None, max_len=0, pad_to=0, batch=None):
        """Encodes texts (with pairs[i] when given) into a Batch padded to
        pad_to or the longest sequence. Pass batch= to reuse one."""
        if batch is None:
            batch = Batch(self.ctx)
        n = len(texts)
        text_arr = (ctypes.c_char_p * max(n, 1))(*[_utf8(t) for t in texts])
        pair_arr = None
        if pairs is not None:
            if len(pairs) != n:
                raise ValueError(f"{len(pairs)} pairs for {n} texts")
            pair_arr = (ctypes.c_char_p * max(n, 1))(*[None if p is None else _utf8(p) for p in pairs])
        self._check(lib().attn_tokenizer_encode_batch(self.handle, batch.handle, text_arr, pair_arr, n,
                                                      int(max_len), int(pad_to)), "attn_tokenizer_encode_batch")
        return batch


class Batch(Handle):
    """Three int32 [B, T] tensors: input_ids, token_type_ids, attention_mask.
    The tensors are borrowed from the batch and replaced by the next encode."""
    _destroy = "attn_batch_destroy"

    def __init__(self, ctx):
        out = ctypes.c_void_p()
        status = lib().attn_batch_create(ctx.handle, ctypes.byref(out))
        super().__init__(ctx, out.value)
        self._check(status, "attn_batch_create")

    def _field(self, f):
        return BorrowedTensor(self.ctx, lib().attn_batch_tensor(self.handle, f), self)

    @property
    def input_ids(self):
        return self._field(0)

    @property
    def token_type_ids(self):
        return self._field(1)

    @property
    def attention_mask(self):
        return self._field(2)
