"""attn train --init DIR, as a user fine-tunes a pretrained model folder:
the folder's tokenizer and a new head; --freeze-encoder leaves every
encoder tensor bit for bit as it was and trains the head, --freeze-embeddings
leaves the embeddings and trains the blocks; --layer-lr-decay moves the
lower blocks less; the fine-tuning lr default; the output folder is a
complete model folder that attn predict reads without --vocab; and the
option mistakes are refused by name.
Usage: test_finetune_cli.py ATTN_EXE"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_np  # noqa: E402
from cli_common import SMALL, VOCAB, Checker, last_json, texts, write_tsv  # noqa: E402

c = Checker(sys.argv[1])
FT = ["--max-len", "24", "--batch", "16", "--quiet", "--threads", "1", "--epochs", "3"]


def tensors(path):
    return safetensors_np.load(path)


def changed(a, b, name):
    return not (a[name] == b[name]).all()


with tempfile.TemporaryDirectory() as tmp:
    data = write_tsv(tmp + "/data.tsv", texts(160))
    # the "pretrained" model: a small encoder trained here, made a folder with its vocabulary
    p = c.run(["train", "--tsv", data, "--out", tmp + "/pre", "--from-scratch", "--epochs", "15"] + SMALL)
    c.expect(p.returncode == 0, "from-scratch run: " + p.stderr[-500:])
    pre = tmp + "/pre"
    shutil.copy(VOCAB, pre + "/vocab.txt")
    before = tensors(pre + "/model.safetensors")

    p = c.run(["train", "--tsv", data, "--init", pre, "--out", tmp + "/probe", "--freeze-encoder"] + FT)
    c.expect(p.returncode == 0, "--freeze-encoder: " + p.stderr[-800:])
    c.expect("encoder frozen" in p.stderr and "lr 0.001" in p.stderr, "a linear probe says so, at lr 1e-3: " + p.stderr)
    probe = tensors(tmp + "/probe/model.safetensors")
    enc = [n for n in before if not n.startswith("classifier.")]
    c.expect(enc and all((probe[n] == before[n]).all() for n in enc), "--freeze-encoder changed an encoder tensor")
    c.expect(changed(probe, before, "classifier.weight"), "--freeze-encoder did not train the head")
    c.expect(os.path.exists(tmp + "/probe/vocab.txt"), "the output folder lacks the tokenizer")
    # the output is a model folder: predict needs no --vocab
    p = c.run(["predict", "--model", tmp + "/probe", "--threads", "1"],
              input="computer kernel compiler bug\nsenate vote law tax\n")
    labels = [line.split("\t")[0] for line in p.stdout.splitlines()]
    c.expect(p.returncode == 0 and labels == ["tech", "vote"], "predict on the fine-tuned folder: %r %s" % (labels, p.stderr))

    p = c.run(["train", "--tsv", data, "--init", pre, "--out", tmp + "/emb", "--freeze-embeddings"] + FT)
    c.expect(p.returncode == 0, "--freeze-embeddings: " + p.stderr[-800:])
    c.expect("lr 5e-05" in p.stderr, "fine-tuning's default lr: " + p.stderr)
    emb = tensors(tmp + "/emb/model.safetensors")
    embeddings = [n for n in before if ".embeddings." in n]
    c.expect(len(embeddings) == 5 and all((emb[n] == before[n]).all() for n in embeddings),
             "--freeze-embeddings changed an embedding tensor")
    c.expect(changed(emb, before, "bert.encoder.layer.0.attention.self.query.weight"),
             "--freeze-embeddings did not train the blocks")
    c.expect(0.0 <= last_json(p.stdout)["test_accuracy"] <= 1.0, "no test report")

    # layer-wise decay 0.01: the embeddings move 1e-4 times as fast as the head
    p = c.run(["train", "--tsv", data, "--init", pre, "--out", tmp + "/lld", "--layer-lr-decay", "0.01", "--lr", "1e-3"] + FT)
    c.expect(p.returncode == 0 and "layer-wise lr decay 0.01" in p.stderr, "--layer-lr-decay: " + p.stderr[-800:])
    full = c.run(["train", "--tsv", data, "--init", pre, "--out", tmp + "/full", "--lr", "1e-3"] + FT)
    lld, ful = tensors(tmp + "/lld/model.safetensors"), tensors(tmp + "/full/model.safetensors")
    w = "bert.embeddings.word_embeddings.weight"
    moved_lld, moved_full = abs(lld[w] - before[w]).max(), abs(ful[w] - before[w]).max()
    c.expect(full.returncode == 0 and 0 < moved_lld < 0.01 * moved_full,
             "--layer-lr-decay: embeddings moved %g against %g without it" % (moved_lld, moved_full))

    for args, words in ((["--init", pre, "--from-scratch"], "--from-scratch"),
                        (["--freeze-encoder"], "need --init DIR"),
                        (["--layer-lr-decay", "0.5"], "need --init DIR"),
                        (["--init", pre, "--vocab", VOCAB], "leave out --vocab"),
                        (["--init", pre, "--freeze-encoder", "--freeze-embeddings"], "already freezes"),
                        (["--init", pre, "--layer-lr-decay", "0"], "--layer-lr-decay")):
        p = c.run(["train", "--tsv", data, "--out", tmp + "/bad", "--quiet"] + args)
        c.expect(p.returncode == 2 and words in p.stderr, "%s: %d %s" % (args, p.returncode, p.stderr))
c.finish()
