"""BertModel: a BERT encoder with pooler and classification head
(include/attn/model.h), loaded from Hugging Face safetensors + config.json,
run forward, trained with an Optimizer, saved back in HF layout."""
import ctypes

from ._lib import lib, BertConfigStruct, ModelLoadOptsStruct
from .context import Handle
from .tensor import Tensor, BorrowedTensor, np
from .tokenizer import Batch

LAST_HIDDEN, POOLED, LOGITS = 0, 1, 2

# attn_model_option
OPTIONS = {"skip_padding": 1, "inference_only": 2, "max_length": 3, "batch_size": 4, "normalize": 5, "pooling": 6,
           "freeze": 7}
# attn_freeze
FREEZES = {"none": 0, "embeddings": 1, "encoder": 2}
# attn_pooling, by sentence-transformers' names
POOLINGS = {"cls_dense": 0, "cls": 1, "mean": 2, "max": 3, "mean_sqrt_len_tokens": 4, "weightedmean": 5,
            "lasttoken": 6}


def _texts(texts):
    encoded = [t.encode() if isinstance(t, str) else bytes(t) for t in texts]
    return (ctypes.c_char_p * max(len(encoded), 1))(*encoded), len(encoded)


class ModelOutput:
    """Copies of the outputs of one forward pass: NumPy arrays when NumPy is
    importable, nested lists otherwise. logits is None for a model without
    a classification head."""

    def __init__(self, last_hidden_state, pooler_output, logits):
        self.last_hidden_state = last_hidden_state
        self.pooler_output = pooler_output
        self.logits = logits


class BertModel(Handle):
    """BertModel.load(ctx, "model.safetensors", "config.json")."""
    _destroy = "attn_model_destroy"

    @classmethod
    def load(cls, ctx, weights_path, config_path):
        out = ctypes.c_void_p()
        status = lib().attn_bert_load(ctx.handle, str(weights_path).encode(), str(config_path).encode(),
                                      ctypes.byref(out))
        model = cls.__new__(cls)
        Handle.__init__(model, ctx, out.value)
        model._check(status, "attn_bert_load")
        return model

    @classmethod
    def load_dir(cls, ctx, path, num_labels=None, problem_type=None, pooling=None, dropout=None):
        """A Hugging Face / sentence-transformers model folder (attn_model_load_dir):
        config, weights, tokenizer, pooling, Dense and Normalize modules.
        num_labels / problem_type / pooling / dropout override the folder's."""
        opts = ModelLoadOptsStruct()
        lib().attn_model_load_opts_init(ctypes.byref(opts))
        if num_labels is not None:
            opts.num_labels = num_labels
        if problem_type is not None:
            opts.problem_type = problem_type
        if pooling is not None:
            opts.pooling = POOLINGS[pooling] if isinstance(pooling, str) else pooling
        if dropout is not None:
            opts.dropout = dropout
        out = ctypes.c_void_p()
        status = lib().attn_model_load_dir(ctx.handle, str(path).encode(), ctypes.byref(opts), ctypes.byref(out))
        model = cls.__new__(cls)
        Handle.__init__(model, ctx, out.value)
        model._check(status, "attn_model_load_dir")
        return model

    @property
    def load_notes(self):
        """What the last load did besides reading tensors (attn_model_load_notes), one note per line."""
        return lib().attn_model_load_notes(self.handle).decode()

    def set(self, option, value):
        """attn_model_set_int by name: skip_padding, inference_only, max_length, batch_size, normalize,
        pooling (a name from POOLINGS or its number), freeze (a name from FREEZES or its number)."""
        if option == "pooling" and isinstance(value, str):
            value = POOLINGS[value]
        if option == "freeze" and isinstance(value, str):
            value = FREEZES[value]
        self._check(lib().attn_model_set_int(self.handle, OPTIONS[option], int(value)), f"attn_model_set_int({option})")
        return self

    def get(self, option):
        v = ctypes.c_int64()
        self._check(lib().attn_model_get_int(self.handle, OPTIONS[option], ctypes.byref(v)), f"attn_model_get_int({option})")
        return v.value

    @property
    def embedding_dim(self):
        return lib().attn_model_embedding_dim(self.handle)

    def embed(self, texts):
        """Sentence embeddings [n, embedding_dim] of a list of texts (attn_model_embed)."""
        arr, n = _texts(texts)
        dim = self.embedding_dim
        out = (ctypes.c_float * max(n * dim, 1))()
        self._check(lib().attn_model_embed(self.handle, arr, n, out, n * dim), "attn_model_embed")
        flat = list(out)[: n * dim] if np is None else np.ctypeslib.as_array(out)[: n * dim].copy()
        return flat.reshape(n, dim) if np is not None else [flat[i * dim:(i + 1) * dim] for i in range(n)]

    def score_pairs(self, queries, passages):
        """Cross-encoder scores [n, num_labels] of (query, passage) pairs (attn_model_score_pairs)."""
        qa, n = _texts(queries)
        pa, m = _texts(passages)
        if n != m:
            raise ValueError("score_pairs: as many passages as queries")
        k = self.num_labels
        out = (ctypes.c_float * max(n * k, 1))()
        self._check(lib().attn_model_score_pairs(self.handle, qa, pa, n, out, n * k), "attn_model_score_pairs")
        flat = list(out)[: n * k] if np is None else np.ctypeslib.as_array(out)[: n * k].copy()
        return flat.reshape(n, k) if np is not None else [flat[i * k:(i + 1) * k] for i in range(n)]

    @property
    def config(self):
        """The model's configuration as a dict (attn_bert_config's fields)."""
        c = lib().attn_model_config(self.handle).contents
        known = min(c.struct_size, ctypes.sizeof(BertConfigStruct))
        return {name: getattr(c, name) for name, _ in BertConfigStruct._fields_
                if getattr(BertConfigStruct, name).offset < known}

    @property
    def num_labels(self):
        return self.config["num_labels"]

    # ---- parameters ----

    def parameters(self):
        """[(HF name, value Tensor, grad Tensor)] borrowed from the model."""
        out = []
        for i in range(lib().attn_model_param_count(self.handle)):
            name, value, grad = ctypes.c_char_p(), ctypes.c_void_p(), ctypes.c_void_p()
            self._check(lib().attn_model_param(self.handle, i, ctypes.byref(name), ctypes.byref(value),
                                               ctypes.byref(grad)), "attn_model_param")
            out.append((name.value.decode(), BorrowedTensor(self.ctx, value.value, self),
                        BorrowedTensor(self.ctx, grad.value, self)))
        return out

    def param(self, name):
        """(value, grad) of a parameter by HF name (with or without "bert.")."""
        value, grad = ctypes.c_void_p(), ctypes.c_void_p()
        self._check(lib().attn_model_find_param(self.handle, name.encode(), ctypes.byref(value), ctypes.byref(grad)),
                    f"attn_model_find_param({name})")
        return BorrowedTensor(self.ctx, value.value, self), BorrowedTensor(self.ctx, grad.value, self)

    def zero_grad(self):
        self._check(lib().attn_model_zero_grad(self.handle), "attn_model_zero_grad")

    def train(self, mode=True):
        """Training mode (dropout active) or, with mode=False, eval mode."""
        self._check(lib().attn_model_set_training(self.handle, int(bool(mode))), "attn_model_set_training")
        return self

    def eval(self):
        return self.train(False)

    # ---- forward, loss, backward ----

    def _as_tensor(self, data, keep):
        if data is None or isinstance(data, Tensor):
            return data
        if np is not None and isinstance(data, np.ndarray):
            t = Tensor.from_numpy(self.ctx, data)
        else:
            t = Tensor.from_list(self.ctx, data)
        keep.append(t)
        return t

    def forward(self, input_ids, token_type_ids=None, attention_mask=None):
        """Runs the model on a padded batch: a Batch, or input_ids [B, T]
        (Tensor, NumPy array or nested lists of ints) with optional
        token_type_ids and attention_mask. Returns a ModelOutput."""
        if isinstance(input_ids, Batch):
            input_ids, token_type_ids, attention_mask = (input_ids.input_ids, input_ids.token_type_ids,
                                                         input_ids.attention_mask)
        temporaries = []
        try:
            ids, types, mask = (self._as_tensor(x, temporaries) for x in (input_ids, token_type_ids, attention_mask))
            self._check(lib().attn_model_forward(self.handle, ids.handle, types and types.handle,
                                                 mask and mask.handle), "attn_model_forward")
        finally:
            for t in temporaries:
                t.close()
        return ModelOutput(self._output(LAST_HIDDEN), self._output(POOLED), self._output(LOGITS))

    def _output(self, kind):
        ptr = lib().attn_model_output(self.handle, kind)
        if not ptr:
            return None
        t = BorrowedTensor(self.ctx, ptr, self)
        return t.numpy() if np is not None else t.tolist()

    def _labels(self, labels, call):
        temporaries = []
        try:
            t = self._as_tensor(labels, temporaries)
            loss = ctypes.c_float()
            self._check(call(self.handle, t.handle, ctypes.byref(loss)), call.__name__)
            return float(loss.value)
        finally:
            for t in temporaries:
                t.close()

    def loss(self, labels):
        """Loss of the last forward pass against labels (no backward)."""
        return self._labels(labels, lib().attn_model_loss)

    def loss_backward(self, labels):
        """Loss of the last forward pass, and its gradients accumulated into
        every parameter's grad."""
        return self._labels(labels, lib().attn_model_loss_backward)

    def train_step(self, optimizer, labels, input_ids, token_type_ids=None, attention_mask=None):
        """One optimisation step: zero the gradients, forward, loss and
        backward, optimizer step. Returns the loss before the step."""
        self.zero_grad()
        self.forward(input_ids, token_type_ids, attention_mask)
        loss = self.loss_backward(labels)
        optimizer.step()
        return loss

    def save(self, path):
        """Writes the parameters as a HF safetensors file, atomically."""
        self._check(lib().attn_model_save(self.handle, str(path).encode()), "attn_model_save")
