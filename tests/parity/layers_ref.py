"""PyTorch references for the layer parity tests (tests/layers/test_*.c).

Usage: /usr/bin/python3 tests/parity/layers_ref.py <layer> <out_dir> <seed>

Builds the torch module (or, for attention, the math of Hugging Face's
BertSelfAttention + BertSelfOutput.dense written in torch: transformers is
not installed) with random parameters on random inputs of odd sizes, runs
forward and backward with a random upstream gradient, and writes one case
file per configuration: <out_dir>/<layer>_<k>.case (see casefile.py).

Names in a case: "p.<param>" parameter values, "x"/"ids" inputs, "y" output,
"dy" upstream gradient, "dx" input gradient, "g.<param>" parameter gradients.
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import casefile  # noqa: E402

ACT_CODES = {"relu": 0, "sigmoid": 1, "tanh": 2, "gelu": 3, "gelu_tanh": 4, "identity": 5}


def rand(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float()


def grads_of(module_params):
    return {"g." + name: p.grad for name, p in module_params}


def linear_cases():
    for n_shape, fin, fout, bias in [((7,), 13, 5, True), ((1,), 3, 9, False), ((2, 3), 6, 4, True)]:
        lin = torch.nn.Linear(fin, fout, bias=bias)
        with torch.no_grad():
            for p in lin.parameters():
                p.copy_(rand(*p.shape, scale=0.5))
        x = rand(*n_shape, fin).requires_grad_()
        y = lin(x)
        dy = rand(*y.shape)
        y.backward(dy)
        case = {"p." + k: v for k, v in lin.named_parameters()}
        case.update(x=x, y=y, dy=dy, dx=x.grad)
        case.update(grads_of(lin.named_parameters()))
        yield case


def layernorm_cases():
    for n_shape, dim, eps in [((5,), 11, 1e-12), ((3,), 257, 1e-12), ((2, 3), 7, 1e-5)]:
        ln = torch.nn.LayerNorm(dim, eps=eps)
        with torch.no_grad():
            ln.weight.copy_(1.0 + rand(dim, scale=0.3))
            ln.bias.copy_(rand(dim, scale=0.3))
        # an offset and a scale away from 0/1 exercise the two-pass variance
        x = (rand(*n_shape, dim) * 3.0 + 2.0).requires_grad_()
        y = ln(x)
        dy = rand(*y.shape)
        y.backward(dy)
        case = {"p." + k: v for k, v in ln.named_parameters()}
        case.update(x=x, y=y, dy=dy, dx=x.grad, eps=torch.tensor([eps], dtype=torch.float32))
        case.update(grads_of(ln.named_parameters()))
        yield case


def embedding_cases():
    for num, dim, id_shape, dtype in [(17, 6, (3, 5), torch.int64), (5, 9, (11,), torch.int32)]:
        emb = torch.nn.Embedding(num, dim)
        ids = torch.randint(0, num, id_shape, dtype=torch.int64)
        ids.view(-1)[0] = ids.view(-1)[-1]  # a repeated id sums its rows
        y = emb(ids)
        dy = rand(*y.shape)
        y.backward(dy)
        case = {"p.weight": emb.weight, "ids": ids.to(dtype), "y": y, "dy": dy, "g.weight": emb.weight.grad}
        yield case


def ffn_cases():
    for n_shape, hidden, inner, act in [((6,), 10, 23, "gelu"), ((5,), 8, 17, "gelu_tanh"), ((2, 3), 6, 9, "relu"),
                                        ((4,), 5, 7, "tanh")]:
        w1 = torch.nn.Linear(hidden, inner)
        w2 = torch.nn.Linear(inner, hidden)
        with torch.no_grad():
            for p in list(w1.parameters()) + list(w2.parameters()):
                p.copy_(rand(*p.shape, scale=0.6))
        f = {"gelu": lambda t: torch.nn.functional.gelu(t),
             "gelu_tanh": lambda t: torch.nn.functional.gelu(t, approximate="tanh"),
             "relu": torch.relu, "tanh": torch.tanh}[act]
        x = rand(*n_shape, hidden).requires_grad_()
        y = w2(f(w1(x)))
        dy = rand(*y.shape)
        y.backward(dy)
        named = [("intermediate.dense." + k, v) for k, v in w1.named_parameters()] + \
                [("output.dense." + k, v) for k, v in w2.named_parameters()]
        case = {"p." + k: v for k, v in named}
        case.update(x=x, y=y, dy=dy, dx=x.grad, act=torch.tensor([ACT_CODES[act]], dtype=torch.int32))
        case.update(grads_of(named))
        yield case


def hf_attention(x, mask, params, heads):
    """BertSelfAttention (absolute positions, eval) + BertSelfOutput.dense."""
    b, t, h = x.shape
    d = h // heads

    def proj(name, v):
        return torch.nn.functional.linear(v, params[name + ".weight"], params[name + ".bias"])

    def split(v):
        return v.view(b, t, heads, d).permute(0, 2, 1, 3)

    q, k, v = (split(proj("self." + n, x)) for n in ("query", "key", "value"))
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
    # HF get_extended_attention_mask: (1 - m) * finfo.min, broadcast over heads and queries
    ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    probs = torch.softmax(scores + ext, dim=-1)
    ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, t, h)
    return proj("output.dense", ctx)


def attention_cases():
    configs = [
        # B, T, heads, head dim, masks (None = all ones)
        (3, 7, 3, 5, [[1] * 7, [1, 1, 0, 1, 0, 0, 0], [0] * 7]),
        (2, 9, 2, 4, "random"),
        (1, 16, 4, 8, None),
        (4, 1, 1, 3, [[1], [0], [1], [1]]),
    ]
    for b, t, heads, d, masks in configs:
        h = heads * d
        names = ["self.query", "self.key", "self.value", "output.dense"]
        params = {}
        for n in names:
            params[n + ".weight"] = rand(h, h, scale=1.0 / math.sqrt(h) * 1.5).requires_grad_()
            params[n + ".bias"] = rand(h, scale=0.2).requires_grad_()
        if masks is None:
            mask = torch.ones(b, t, dtype=torch.int32)
        elif masks == "random":
            mask = (torch.rand(b, t) > 0.35).to(torch.int32)
            mask[:, 0] = 1
        else:
            mask = torch.tensor(masks, dtype=torch.int32)
        x = rand(b, t, h).requires_grad_()
        y = hf_attention(x, mask, params, heads)
        dy = rand(*y.shape)
        grads = torch.autograd.grad(y, [x] + list(params.values()), dy, retain_graph=True)
        case = {"p." + k: v for k, v in params.items()}
        case.update(x=x, mask=mask, y=y, dy=dy, dx=grads[0], heads=torch.tensor([heads], dtype=torch.int32))
        case.update({"g." + k: g for k, g in zip(params, grads[1:])})
        # the same upstream gradient on real tokens only: what the packed form
        # (padding rows left out) must reproduce
        dy_real = dy * mask[:, :, None].to(torch.float32)
        grads_real = torch.autograd.grad(y, [x] + list(params.values()), dy_real)
        case.update(dx_real=grads_real[0])
        case.update({"gr." + k: g for k, g in zip(params, grads_real[1:])})
        yield case


CASES = {"linear": linear_cases, "layernorm": layernorm_cases, "embedding": embedding_cases, "ffn": ffn_cases,
         "attention": attention_cases}


def main():
    layer, out_dir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    for k, case in enumerate(CASES[layer]()):
        casefile.write(os.path.join(out_dir, "%s_%d.case" % (layer, k)), case)


if __name__ == "__main__":
    main()
