"""PyTorch reference for libattn's losses (run live by tests/losses/test_loss_parity.c).

Writes OUTDIR/index.case (count) and OUTDIR/case_<i>.case, one per loss
configuration: the options, random inputs (odd sizes, ignored targets,
class weights, label smoothing, pos_weight), the upstream gradient, and
what torch.nn.functional computes: the loss value or elements and the
gradient of the input.
Usage: losses_ref.py OUTDIR
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import casefile  # noqa: E402

# enum values of include/attn/losses.h (fixed by the ABI)
MSE, CE, NLL, BCE, BCE_LOGITS = 0, 1, 2, 3, 4
MEAN, SUM, NONE = 0, 1, 2
RED_NAME = {MEAN: "mean", SUM: "sum", NONE: "none"}


def class_case(gen, kind, red, n, c, smoothing=0.0, weight=False, ignore=None, ignore_count=0,
               label_dtype=np.int64, scale_logits=3.0):
    x = torch.randn(n, c, generator=gen) * scale_logits
    if kind == NLL:
        x = torch.log_softmax(x, dim=1)
    t = torch.randint(0, c, (n,), generator=gen)
    ignore_index = -100 if ignore is None else ignore
    if ignore_count:
        rows = torch.randperm(n, generator=gen)[:ignore_count]
        t[rows] = ignore_index
    w = (torch.rand(c, generator=gen) * 2 + 0.1) if weight else None
    x.requires_grad_(True)
    if kind == CE:
        loss = F.cross_entropy(x, t, weight=w, ignore_index=ignore_index, reduction=RED_NAME[red],
                               label_smoothing=smoothing)
    else:
        loss = F.nll_loss(x, t, weight=w, ignore_index=ignore_index, reduction=RED_NAME[red])
    arrays = {"input": x, "target": t.numpy().astype(label_dtype),
              "opt.ignore_index": np.array([ignore_index], dtype=np.int64)}
    if w is not None:
        arrays["weight"] = w
    return loss, x, arrays


def pointwise_case(gen, kind, red, shape, weight=False, pos_weight=False, hard=False):
    c = shape[-1]
    x = torch.randn(*shape, generator=gen) * 2
    if kind == BCE:
        x = torch.sigmoid(x)
    if kind == MSE:
        y = torch.randn(*shape, generator=gen)
    elif hard:
        y = torch.randint(0, 2, shape, generator=gen).float()
    else:
        y = torch.rand(*shape, generator=gen)
    w = (torch.rand(c, generator=gen) * 2 + 0.1) if weight else None
    pw = (torch.rand(c, generator=gen) * 3 + 0.2) if pos_weight else None
    x.requires_grad_(True)
    r = RED_NAME[red]
    if kind == MSE:
        loss = F.mse_loss(x, y, reduction=r)
    elif kind == BCE:
        loss = F.binary_cross_entropy(x, y, weight=w, reduction=r)
    else:
        loss = F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=r)
    arrays = {"input": x, "target": y}
    if w is not None:
        arrays["weight"] = w
    if pw is not None:
        arrays["pos_weight"] = pw
    return loss, x, arrays


def finish(gen, kind, red, smoothing, loss, x, arrays):
    scale = float(torch.rand(1, generator=gen)) + 0.5
    if red == NONE:
        up = torch.randn(loss.shape, generator=gen)
        loss.backward(up * scale)
        arrays["delements"] = up
        arrays["expected.elements"] = loss
    else:
        loss.backward(torch.tensor(scale))
        arrays["expected.value"] = loss.reshape(1)
    arrays["expected.dinput"] = x.grad
    arrays["scale"] = np.array([scale], dtype=np.float32)
    arrays["opt.kind"] = np.array([kind], dtype=np.int32)
    arrays["opt.reduction"] = np.array([red], dtype=np.int32)
    arrays["opt.label_smoothing"] = np.array([smoothing], dtype=np.float32)
    arrays["input"] = x.detach()
    return arrays


def cases():
    gen = torch.Generator().manual_seed(20240531)
    out = []
    for red in (MEAN, SUM, NONE):
        # cross-entropy: plain, ignored rows, weights, smoothing, all together, int32 labels, a
        # class index as ignore_index, large logits
        for opts in (dict(), dict(ignore_count=2), dict(weight=True), dict(smoothing=0.1),
                     dict(weight=True, smoothing=0.25, ignore_count=3), dict(label_dtype=np.int32, ignore_count=1),
                     dict(ignore=3, ignore_count=2, weight=True, smoothing=0.05), dict(scale_logits=40.0)):
            n, c = (int(v) for v in torch.randint(3, 24, (2,), generator=gen) | 1)
            sm = opts.get("smoothing", 0.0)
            loss, x, arrays = class_case(gen, CE, red, n, c, **opts)
            out.append(finish(gen, CE, red, sm, loss, x, arrays))
        for opts in (dict(), dict(weight=True, ignore_count=2), dict(label_dtype=np.int32, ignore=0, ignore_count=1)):
            n, c = (int(v) for v in torch.randint(3, 24, (2,), generator=gen) | 1)
            loss, x, arrays = class_case(gen, NLL, red, n, c, **opts)
            out.append(finish(gen, NLL, red, 0.0, loss, x, arrays))
        for shape in ((11,), (7, 13), (3, 5, 9)):
            loss, x, arrays = pointwise_case(gen, MSE, red, shape)
            out.append(finish(gen, MSE, red, 0.0, loss, x, arrays))
        for opts in (dict(), dict(weight=True), dict(hard=True)):
            loss, x, arrays = pointwise_case(gen, BCE, red, (5, 7), **opts)
            out.append(finish(gen, BCE, red, 0.0, loss, x, arrays))
        for opts in (dict(), dict(pos_weight=True), dict(weight=True, pos_weight=True, hard=True)):
            loss, x, arrays = pointwise_case(gen, BCE_LOGITS, red, (9, 5), **opts)
            out.append(finish(gen, BCE_LOGITS, red, 0.0, loss, x, arrays))
        loss, x, arrays = pointwise_case(gen, BCE_LOGITS, red, (3, 3, 7), weight=True)
        out.append(finish(gen, BCE_LOGITS, red, 0.0, loss, x, arrays))
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    all_cases = cases()
    for i, arrays in enumerate(all_cases):
        casefile.write(os.path.join(outdir, "case_%d.case" % i), arrays)
    casefile.write(os.path.join(outdir, "index.case"), {"count": np.array([len(all_cases)], dtype=np.int32)})


if __name__ == "__main__":
    main()
