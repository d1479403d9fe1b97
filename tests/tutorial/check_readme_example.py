"""Compiles and runs the README's C example as a user would (cc, pkg-config)
with the files it names linked to a real three-label checkpoint, and checks
the logits it prints against Hugging Face's BertForSequenceClassification
on the same text, computed here with the reference stack.

Usage: check_readme_example.py CC PKG_CONFIG_PATH SOURCE_ROOT"""
import os
import re
import subprocess
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def readme_example(root):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    section = text.split("\n## A C example\n", 1)[1]
    return re.search(r"```c\n(.*?)```", section, re.S).group(1)


def reference_logits(root, sentence):
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer
    data = os.path.join(root, "tests", "data", "hf-bert-tiny")
    cfg = BertConfig.from_json_file(os.path.join(data, "tiny_a.config.json"))
    model = BertForSequenceClassification(cfg)
    from safetensors.torch import load_file
    model.load_state_dict(load_file(os.path.join(data, "tiny_a.safetensors")))
    model.eval()
    tok = BertTokenizer(os.path.join(root, "data", "bert-base-uncased-vocab.txt"), do_lower_case=True)
    enc = tok([sentence], return_tensors="pt")
    with torch.no_grad():
        return model(**enc).logits[0].tolist()


def main(cc, pkg_config_path, root):
    src = readme_example(root)
    sentence = re.search(r'texts\[\] = \{"([^"]*)"\}', src).group(1)
    env = dict(os.environ, PKG_CONFIG_PATH=pkg_config_path)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libattn"], env=env, capture_output=True,
                           text=True, check=True).stdout.split()
    libdir = [f[2:] for f in flags if f.startswith("-L")]
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "app.c"), "w") as f:
            f.write(src)
        build = subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "app.c", *flags, "-o", "app"], cwd=tmp,
                               capture_output=True, text=True)
        if build.returncode != 0:
            print("the README's C example does not compile:\n" + build.stderr)
            return 1
        data = os.path.join(root, "tests", "data", "hf-bert-tiny")
        os.symlink(os.path.join(root, "data", "bert-base-uncased-vocab.txt"), os.path.join(tmp, "vocab.txt"))
        os.symlink(os.path.join(data, "tiny_a.safetensors"), os.path.join(tmp, "model.safetensors"))
        os.symlink(os.path.join(data, "tiny_a.config.json"), os.path.join(tmp, "config.json"))
        run_env = dict(os.environ, LD_LIBRARY_PATH=":".join(libdir))
        run = subprocess.run(["./app"], cwd=tmp, capture_output=True, text=True, env=run_env, timeout=120)
        if run.returncode != 0:
            print(f"the README's C example exited with {run.returncode}:\n{run.stderr}")
            return 1
    printed = [float(x) for x in run.stdout.split("logits:", 1)[1].split()]
    expected = reference_logits(root, sentence)
    print(f"printed   {printed}\nHF        {expected}")
    if len(printed) != len(expected):
        print(f"the example prints {len(printed)} logits; the model has {len(expected)} labels")
        return 1
    if any(abs(a - b) > 1e-4 for a, b in zip(printed, expected)):
        print("the logits differ from Hugging Face's")
        return 1
    print("ok: the README's C example prints the model's logits")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
