"""`attn forward` and `attn train-step` reproduce Hugging Face's numbers for
tiny_a (outputs, loss, every gradient, one AdamW step), and fail with one
clear line on bad input. Usage: test_forward_train_step.py ATTN_EXE"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_np  # noqa: E402

attn = sys.argv[1]
data = os.environ.get("ATTN_TEST_DATA", "tests/data") + "/hf-bert-tiny/"
model, config, expected_path = data + "tiny_a.safetensors", data + "tiny_a.config.json", data + "tiny_a.expected.safetensors"
expected = safetensors_np.load(expected_path)
failures = []


def rel_err(got, want, floor):
    return float(np.max(np.abs(got.astype(np.float64) - want)) / max(float(np.max(np.abs(want))), floor))


def check(name, got, want, tol, floor=1e-6):
    err = rel_err(got, want, floor)
    if not err <= tol:
        failures.append(f"{name}: relative error {err:.3g} > {tol}")


with tempfile.TemporaryDirectory() as tmp:
    out = tmp + "/out.safetensors"
    # the expected file holds input_ids, token_type_ids, attention_mask and labels
    subprocess.run([attn, "forward", "--model", model, "--config", config, "--inputs", expected_path, "--out", out],
                   check=True)
    got = safetensors_np.load(out)
    for name in ("last_hidden_state", "pooler_output", "logits"):
        check(name, got[name], expected[name], 1e-5)

    subprocess.run([attn, "train-step", "--model", model, "--config", config, "--inputs", expected_path, "--out", out,
                    "--optim", "adamw", "--lr", "1e-3", "--beta1", "0.9", "--beta2", "0.999", "--eps", "1e-6",
                    "--weight-decay", "0.01"], check=True)
    got = safetensors_np.load(out)
    check("loss", got["loss"], expected["loss"], 1e-5)
    check("logits", got["logits"], expected["logits"], 1e-5)
    rows = expected["grad_rows_ids"]
    n_grads = 0
    for key, want in expected.items():
        for prefix, tol in (("grad.", 1e-4), ("adamw1.", 2e-4)):
            if not key.startswith(prefix):
                continue
            name = key
            value = None
            if key.endswith(".rows"):
                name = key[:-5]
                value = got[name][rows]
            else:
                value = got[name]
            check(key, value, want, tol, floor=1e-3)
            n_grads += 1
    if n_grads != 82:
        failures.append(f"compared {n_grads} gradient/parameter tensors, expected 82")

    # tokenize --out writes the padded int64 batch that forward reads; ids equal the JSON mode's
    vocab = os.environ.get("ATTN_TEST_DATA", "tests/data") + "/bert-base-uncased/vocab.txt"
    texts = "This is a sample sentence for text classification.\nHello, world!\n"
    js = subprocess.run([attn, "tokenize", "--vocab", vocab], input=texts, capture_output=True, text=True, check=True)
    rows = [json.loads(x)["input_ids"] for x in js.stdout.splitlines()]
    subprocess.run([attn, "tokenize", "--vocab", vocab, "--out", tmp + "/batch.safetensors"], input=texts, text=True,
                   check=True)
    batch = safetensors_np.load(tmp + "/batch.safetensors")
    T = max(map(len, rows))
    want_ids = np.array([r + [0] * (T - len(r)) for r in rows], dtype=np.int64)
    want_mask = np.array([[1] * len(r) + [0] * (T - len(r)) for r in rows], dtype=np.int64)
    if not (np.array_equal(batch["input_ids"], want_ids) and np.array_equal(batch["attention_mask"], want_mask)):
        failures.append(f"tokenize --out batch differs: {batch['input_ids']} vs {want_ids}")
    subprocess.run([attn, "forward", "--model", model, "--config", config, "--inputs", tmp + "/batch.safetensors",
                    "--out", out], check=True)
    if safetensors_np.load(out)["logits"].shape != (2, 3):
        failures.append("forward on a tokenized batch: wrong logits shape")

    # ATTN_MAX_CPU_ISA caps the level of libattn's kernels: attn info reports it, and the
    # forward at the baseline level still gives Hugging Face's numbers
    capped = dict(os.environ, ATTN_MAX_CPU_ISA="sse2")
    info = json.loads(subprocess.run([attn, "info", "--json"], env=capped, capture_output=True, text=True,
                                     check=True).stdout)
    if info.get("isa") != "sse2":
        failures.append(f"attn info under ATTN_MAX_CPU_ISA=sse2 reports isa {info.get('isa')!r}")
    subprocess.run([attn, "forward", "--model", model, "--config", config, "--inputs", expected_path, "--out", out],
                   env=capped, check=True)
    got = safetensors_np.load(out)
    for name in ("last_hidden_state", "pooler_output", "logits"):
        check(name + " at sse2", got[name], expected[name], 1e-5)

    # errors: one line on stderr, non-zero exit
    for args in (["forward", "--model", tmp + "/missing.safetensors", "--config", config, "--inputs", expected_path,
                  "--out", out],
                 ["forward", "--model", model, "--config", config],
                 ["train-step", "--model", model, "--config", config, "--inputs", expected_path, "--out", out,
                  "--optim", "rmsprop"],
                 ["forward", "--bogus"]):
        p = subprocess.run([attn] + args, capture_output=True, text=True)
        lines = p.stderr.strip().splitlines()
        if p.returncode == 0 or len(lines) != 1 or not lines[0].startswith("attn"):
            failures.append(f"{args[:2]}: exit {p.returncode}, stderr {p.stderr!r}")
    p = subprocess.run([attn, "info"], env=dict(os.environ, ATTN_MAX_CPU_ISA="avx3"), capture_output=True, text=True)
    if p.returncode == 0 or "ATTN_MAX_CPU_ISA" not in p.stderr:
        failures.append(f"attn info under ATTN_MAX_CPU_ISA=avx3: exit {p.returncode}, stderr {p.stderr!r}")

for f in failures:
    print("FAIL", f)
print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
