"""PyTorch reference for libattn's optimizers (run live by tests/optim/test_optim_parity.c).

For each configuration (SGD plain/momentum/dampening/Nesterov/weight decay,
Adam with and without weight decay and AMSGrad, AdamW with and without
AMSGrad, parameter groups, gradient clipping, learning-rate schedules) it
draws parameters and a sequence of 10 gradients, runs torch.optim on them
(with torch.nn.utils.clip_grad_norm_ and a LambdaLR that follows Hugging
Face's schedules) and writes OUTDIR/case_<i>.case with the options, the
inputs, the parameters after every step, the total norms and the final
optimizer state. OUTDIR/index.case holds the count.
Usage: optim_ref.py OUTDIR
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import casefile  # noqa: E402

# enum values of include/attn/optim.h (fixed by the ABI)
SGD, ADAM, ADAMW = 0, 1, 2
NO_SCHEDULE, CONSTANT, LINEAR, COSINE = -1, 0, 1, 2
STEPS = 10
PARAMS = [("dense.weight", (7, 5)), ("dense.bias", (7,)), ("LayerNorm.weight", (5,))]


def f32(v):
    """Hyper-parameters travel as float32: both sides use the same rounded value."""
    return float(np.float32(v))


def hf_lambda(kind, warmup, total):
    """Hugging Face's get_{constant,linear,cosine}_schedule_with_warmup factors."""
    def factor(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        if kind == CONSTANT:
            return 1.0
        if kind == LINEAR:
            return max(0.0, float(total - step) / float(max(1, total - warmup)))
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))
    return factor


CONFIGS = [
    dict(name="sgd_plain", kind=SGD, lr=0.1),
    dict(name="sgd_momentum", kind=SGD, lr=0.05, momentum=0.9),
    dict(name="sgd_dampening", kind=SGD, lr=0.05, momentum=0.9, dampening=0.3),
    dict(name="sgd_nesterov", kind=SGD, lr=0.05, momentum=0.8, nesterov=1),
    dict(name="sgd_weight_decay", kind=SGD, lr=0.1, weight_decay=0.05),
    dict(name="sgd_nesterov_weight_decay", kind=SGD, lr=0.05, momentum=0.9, nesterov=1, weight_decay=0.01),
    dict(name="adam", kind=ADAM, lr=1e-2),
    dict(name="adam_weight_decay", kind=ADAM, lr=1e-2, weight_decay=0.1, eps=1e-6),
    dict(name="adam_amsgrad", kind=ADAM, lr=1e-2, weight_decay=0.05, amsgrad=1, beta1=0.8, beta2=0.99),
    dict(name="adamw", kind=ADAMW, lr=1e-2, weight_decay=0.01),
    dict(name="adamw_amsgrad", kind=ADAMW, lr=1e-2, weight_decay=0.1, amsgrad=1),
    dict(name="adamw_groups", kind=ADAMW, lr=1e-2, weight_decay=0.1, groups=[(0.5, 0.0)], param_groups=[0, 1, 1]),
    dict(name="sgd_groups", kind=SGD, lr=0.05, momentum=0.9, weight_decay=0.05, groups=[(2.0, 0.0)],
         param_groups=[0, 1, 0]),
    dict(name="adam_clip", kind=ADAM, lr=1e-2, clip=1.0, grad_scale=3.0),
    dict(name="sgd_momentum_clip", kind=SGD, lr=0.05, momentum=0.9, clip=0.5),
    dict(name="adamw_linear_schedule", kind=ADAMW, lr=2e-2, weight_decay=0.01, schedule=LINEAR, warmup=3, total=10),
    dict(name="sgd_constant_warmup", kind=SGD, lr=0.1, momentum=0.5, schedule=CONSTANT, warmup=4, total=10),
    dict(name="adamw_bert_recipe", kind=ADAMW, lr=5e-2, weight_decay=0.01, eps=1e-6, groups=[(1.0, 0.0)],
         param_groups=[0, 1, 1], clip=1.0, grad_scale=2.0, schedule=COSINE, warmup=2, total=12),
]


def run(gen, cfg):
    kind = cfg["kind"]
    lr, wd = f32(cfg["lr"]), f32(cfg.get("weight_decay", 0.0))
    momentum, dampening = f32(cfg.get("momentum", 0.0)), f32(cfg.get("dampening", 0.0))
    beta1, beta2, eps = f32(cfg.get("beta1", 0.9)), f32(cfg.get("beta2", 0.999)), f32(cfg.get("eps", 1e-8))
    nesterov, amsgrad = cfg.get("nesterov", 0), cfg.get("amsgrad", 0)
    groups = [(1.0, wd)] + [(f32(s), f32(w)) for s, w in cfg.get("groups", [])]
    membership = cfg.get("param_groups", [0] * len(PARAMS))
    clip = f32(cfg.get("clip", 0.0))
    schedule = cfg.get("schedule", NO_SCHEDULE)
    warmup, total = cfg.get("warmup", 0), cfg.get("total", 0)

    params = [torch.randn(*shape, generator=gen) for _, shape in PARAMS]
    grads = []
    for _ in range(STEPS):
        step_scale = float(torch.rand(1, generator=gen)) * 1.8 + 0.2  # varying size exercises AMSGrad's max
        grads.append([torch.randn(*shape, generator=gen) * step_scale * cfg.get("grad_scale", 1.0)
                      for _, shape in PARAMS])

    arrays = {
        "opt.kind": np.array([kind], np.int32), "opt.lr": np.array([lr], np.float32),
        "opt.momentum": np.array([momentum], np.float32), "opt.dampening": np.array([dampening], np.float32),
        "opt.nesterov": np.array([nesterov], np.int32), "opt.amsgrad": np.array([amsgrad], np.int32),
        "opt.beta1": np.array([beta1], np.float32), "opt.beta2": np.array([beta2], np.float32),
        "opt.eps": np.array([eps], np.float32), "opt.weight_decay": np.array([wd], np.float32),
        "groups.lr_scale": np.array([g[0] for g in groups], np.float32),
        "groups.weight_decay": np.array([g[1] for g in groups], np.float32),
        "params.group": np.array(membership, np.int32),
        "clip": np.array([clip], np.float32),
        "schedule": np.array([schedule, warmup, total], np.int32),
    }
    for (name, _), p in zip(PARAMS, params):
        arrays["init." + name] = p.clone()
    for k in range(STEPS):
        for (name, _), g in zip(PARAMS, grads[k]):
            arrays["grad.%d.%s" % (k, name)] = g

    tensors = [p.clone().requires_grad_(True) for p in params]
    torch_groups = []
    for gi, (scale, gwd) in enumerate(groups):
        members = [t for t, m in zip(tensors, membership) if m == gi]
        torch_groups.append({"params": members, "lr": lr * scale, "weight_decay": gwd})
    if kind == SGD:
        opt = torch.optim.SGD(torch_groups, lr=lr, momentum=momentum, dampening=dampening, nesterov=bool(nesterov))
    elif kind == ADAM:
        opt = torch.optim.Adam(torch_groups, lr=lr, betas=(beta1, beta2), eps=eps, amsgrad=bool(amsgrad))
    else:
        opt = torch.optim.AdamW(torch_groups, lr=lr, betas=(beta1, beta2), eps=eps, amsgrad=bool(amsgrad))
    sched = None
    if schedule != NO_SCHEDULE:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, hf_lambda(schedule, warmup, total))
    norms = []
    for k in range(STEPS):
        for t, g in zip(tensors, grads[k]):
            t.grad = g.clone()
        if clip > 0:
            norms.append(float(torch.nn.utils.clip_grad_norm_(tensors, clip)))
        opt.step()
        if sched is not None:
            sched.step()
        for (name, _), t in zip(PARAMS, tensors):
            arrays["expected.%d.%s" % (k, name)] = t.detach().clone()
    if norms:
        arrays["expected.norms"] = np.array(norms, np.float32)
    for (name, _), t in zip(PARAMS, tensors):
        for key, value in opt.state[t].items():
            if key != "step" and value is not None:
                arrays["expected_state.%s.%s" % (key, name)] = value.clone()
    return arrays


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    gen = torch.Generator().manual_seed(1234567)
    for i, cfg in enumerate(CONFIGS):
        casefile.write(os.path.join(outdir, "case_%d.case" % i), run(gen, cfg))
    names = "\n".join(c["name"] for c in CONFIGS).encode()
    casefile.write(os.path.join(outdir, "index.case"), {
        "count": np.array([len(CONFIGS)], np.int32),
        "names": np.frombuffer(names, dtype=np.uint8).astype(np.int32)})


if __name__ == "__main__":
    main()
