"""The repository works with nothing beside it: a clone of the committed
tree into an empty temporary folder builds, passes its unit suite, and runs
the demo's data path (the fortunes data set and the vocabulary the
repository carries) -- and no file of the clone names ../shared.

usage: clone_alone.py SOURCE_ROOT REFERENCE_PYTHON
Clones HEAD: uncommitted changes are not part of what it checks."""
import os
import subprocess
import sys
import tempfile

source, ref_python = sys.argv[1], sys.argv[2]
failures = []


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f"\n{detail}" if detail and not ok else ""))
    if not ok:
        failures.append(what)


def run(cmd, cwd, timeout=1200):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout[-4000:] + r.stderr[-4000:]


with tempfile.TemporaryDirectory() as empty:
    clone = os.path.join(empty, "libattn")
    rc, out = run(["git", "clone", "--quiet", "--no-hardlinks", source, clone], empty)
    check("git clone into an empty folder", rc == 0, out)
    if rc == 0:
        check("the folder beside the clone holds nothing else", os.listdir(empty) == ["libattn"])
        rc, out = run(["git", "grep", "-n", "-I", "shared/data\\|\\.\\./shared", "--", ".", ":!tests/repo/clone_alone.py"],
                      clone)
        check("no file refers to ../shared", rc == 1, out)
        rc, out = run(["meson", "setup", "build", "--buildtype=release", "-Dreference_python=" + ref_python,
                       "-Dbench=false", "-Ddocs=disabled"], clone)
        check("meson setup", rc == 0, out)
        rc, out = run(["ninja", "-C", "build"], clone)
        check("the build", rc == 0, out)
        rc, out = run(["meson", "test", "-C", "build", "--suite", "unit", "--num-processes", "2", "--print-errorlogs"],
                      clone, timeout=1800)
        check("the unit suite passes in the clone", rc == 0, out)
        # the demo's data path: fortunes read, cleaned and split, tokenized with
        # the vocabulary the clone carries (no --vocab given)
        tokens = os.path.join(empty, "tokens.tsv")
        rc, out = run([os.path.join(clone, "build", "tools", "attn"), "train", "--dump-tokens", tokens,
                       "--out", os.path.join(empty, "run")], clone)
        lines = open(tokens).read().splitlines() if rc == 0 and os.path.exists(tokens) else []
        check("the demo's data path: fortunes split and tokenized with the carried vocabulary",
              rc == 0 and len(lines) > 3000, out + f"\n{len(lines)} lines")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
