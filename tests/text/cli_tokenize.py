"""Runs the built `attn tokenize` on the texts of the Hugging Face reference
files (bert-base-uncased, bert-base-chinese cased and uncased, and the
pair) and compares every JSON line with Hugging Face's tokens, ids and
token types; then checks JSON escaping and the error behaviour.

usage: cli_tokenize.py ATTN_EXE   (reference data from $ATTN_TEST_DATA)
"""
import json
import os
import subprocess
import sys

attn = sys.argv[1]
data = os.environ.get("ATTN_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data"))
failures = []
checks = 0


def run(args, stdin):
    return subprocess.run([attn, "tokenize"] + args, input=stdin.encode("utf-8"), capture_output=True, timeout=60)


def expect_lines(label, args, cases, to_line):
    """Feeds one line per case and compares each output object with the case."""
    global checks
    usable = [c for c in cases if "\n" not in to_line(c)]
    proc = run(args, "".join(to_line(c) + "\n" for c in usable))
    if proc.returncode != 0:
        checks += 1
        failures.append(f"{label}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        return
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(usable):
        checks += 1
        failures.append(f"{label}: {len(lines)} output lines for {len(usable)} inputs")
        return
    for case, line in zip(usable, lines):
        checks += 1
        got = json.loads(line)
        want = {k: case[k] for k in ("tokens", "input_ids", "token_type_ids")}
        if got != want:
            failures.append(f"{label}: {to_line(case)!r}\n  got  {got}\n  want {want}")
    checks += 1
    if len(usable) < len(cases) // 2:
        failures.append(f"{label}: only {len(usable)} of {len(cases)} cases fit on one line")


uncased_vocab = os.path.join(data, "bert-base-uncased", "vocab.txt")
with open(os.path.join(data, "bert-base-uncased", "tokens.json"), encoding="utf-8") as f:
    uncased = json.load(f)
expect_lines("bert-base-uncased single", ["--vocab", uncased_vocab], uncased["single"], lambda c: c["text"])
expect_lines("bert-base-uncased pair", ["--vocab", uncased_vocab, "--pair"], uncased["pairs"],
             lambda c: c["text_a"] + "\t" + c["text_b"])

chinese_vocab = os.path.join(data, "bert-base-chinese", "vocab.txt")
with open(os.path.join(data, "bert-base-chinese", "tokens.json"), encoding="utf-8") as f:
    chinese = json.load(f)
expect_lines("bert-base-chinese cased", ["--vocab", chinese_vocab, "--cased"], chinese["runs"]["cased"],
             lambda c: c["text"])
expect_lines("bert-base-chinese uncased", ["--vocab", chinese_vocab], chinese["runs"]["uncased"], lambda c: c["text"])

# Quotes and backslashes are vocab entries of their own: the output must stay JSON.
checks += 1
proc = run(["--vocab", uncased_vocab], 'say "hi" \\ ok\n')
got = json.loads(proc.stdout.decode("utf-8"))["tokens"] if proc.returncode == 0 else None
if got != ["[CLS]", "say", '"', "hi", '"', "\\", "ok", "[SEP]"]:
    failures.append(f"escaping: got {got!r} (exit {proc.returncode})")

# A NUL inside a line is deleted as Hugging Face's cleaning deletes it: the
# word around it stays whole.
checks += 1
proc = run(["--vocab", uncased_vocab], "ca\0fe\n")
got = json.loads(proc.stdout.decode("utf-8"))["tokens"] if proc.returncode == 0 else None
if got != ["[CLS]", "cafe", "[SEP]"]:
    failures.append(f"NUL byte: got {got!r} (exit {proc.returncode})")

# No input, no output.
checks += 1
proc = run(["--vocab", uncased_vocab], "")
if proc.returncode != 0 or proc.stdout:
    failures.append(f"empty input: exit {proc.returncode}, stdout {proc.stdout!r}")

# Errors: one line on stderr, nothing on stdout, non-zero exit.
for label, args, stdin in [
    ("missing vocab file", ["--vocab", "/nonexistent/vocab.txt"], "a\n"),
    ("no --vocab", [], "a\n"),
    ("unknown option", ["--vocab", uncased_vocab, "--bogus"], "a\n"),
    ("--pair line without TAB", ["--vocab", uncased_vocab, "--pair"], "no tab here\n"),
]:
    checks += 1
    proc = run(args, stdin)
    err = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode == 0 or proc.stdout or err.count("\n") != 1 or not err.startswith("attn tokenize: "):
        failures.append(f"{label}: exit {proc.returncode}, stdout {proc.stdout!r}, stderr {err!r}")

for f in failures:
    print("FAIL", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
