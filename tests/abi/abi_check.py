"""The ABI check against the committed baseline, with libabigail.

  abi_check.py dump  LIBRARY HEADER_DIR OUT.abi   write LIBRARY's ABI (public types only)
  abi_check.py check BASELINE.abi LIBRARY HEADER_DIR
  abi_check.py demo  SOURCE_INCLUDE BUILD_INCLUDE CC [ARGS...]

Policy (doc/ABI.md): abidiff sets exit bit 8 (ABIDIFF_ABI_INCOMPATIBLE_CHANGE)
only when a function or variable disappears; a struct field inserted at the
front or a parameter whose type changed only sets bit 4 (ABIDIFF_ABI_CHANGE),
as added functions do. So `check` runs abidiff twice:
  1. without added symbols and with the suppressions of libattn.abignore
     (fields appended to versioned structs): any bit 4 or 8 left is an
     incompatible change and FAILS, with abidiff's report;
  2. in full: what remains (added functions, appended fields) is reported
     as compatible and passes.
`demo` proves the policy on real binaries: it builds a small shared library
from the public headers as they are and from copies with a deliberate change,
and runs the same dump and comparison on them."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPRESSIONS = os.path.join(HERE, "libattn.abignore")

ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8


def dump(library, header_dir, out):
    """abidw restricted to the types of the public headers; no paths or
    line numbers, so the baseline does not change when a comment moves."""
    # --exported-interfaces-only: the ABI is what the symbol table exports; in
    # its default mode abidw 2.2 missed the DWARF of some exported functions.
    cmd = ["abidw", "--exported-interfaces-only", "--headers-dir", header_dir, "--drop-private-types",
           "--no-corpus-path", "--no-comp-dir-path", "--no-show-locs", "--no-elf-needed", "--out-file", out,
           library]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    text = open(out, encoding="utf-8").read()
    if "<function-decl" not in text:
        raise RuntimeError(f"{library} has no debug info (abidw found no function declarations); "
                           "build it with -g")


def abidiff(old, new, *extra):
    proc = subprocess.run(["abidiff", *extra, old, new], capture_output=True, text=True)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def compare(old_abi, new_abi):
    """(verdict, report): verdict is 'same', 'compatible' or 'incompatible'."""
    strict_rc, strict_report = abidiff(old_abi, new_abi, "--no-added-syms", "--suppressions", SUPPRESSIONS)
    if strict_rc & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        raise RuntimeError(f"abidiff failed (exit {strict_rc}):\n{strict_report}")
    if strict_rc & (ABIDIFF_ABI_CHANGE | ABIDIFF_ABI_INCOMPATIBLE_CHANGE):
        return "incompatible", f"abidiff exit {strict_rc}:\n{strict_report}"
    full_rc, full_report = abidiff(old_abi, new_abi)
    if full_rc & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        raise RuntimeError(f"abidiff failed (exit {full_rc}):\n{full_report}")
    if full_rc & (ABIDIFF_ABI_CHANGE | ABIDIFF_ABI_INCOMPATIBLE_CHANGE):
        return "compatible", f"abidiff exit {full_rc}:\n{full_report}"
    return "same", ""


def check(baseline, library, header_dir):
    if not os.path.exists(baseline):
        print(f"no ABI baseline at {baseline}: create it with scripts/update-abi-baseline.sh")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        current = os.path.join(tmp, "current.abi")
        dump(library, header_dir, current)
        verdict, report = compare(baseline, current)
    if verdict == "incompatible":
        print(f"INCOMPATIBLE ABI change against {os.path.basename(baseline)}:\n{report}\n")
        print("If this break is intended, it needs a new soname (major version); see doc/ABI.md.")
        return 1
    if verdict == "compatible":
        print(f"compatible additions since {os.path.basename(baseline)} (refresh the baseline with "
              f"scripts/update-abi-baseline.sh when they are released):\n{report}")
    print(f"ok: no incompatible change against {os.path.basename(baseline)}")
    return 0


# ---- demo: deliberate changes on a stub built from the public headers ----

STUB = """/* ABI demo stub: a few public functions with the public types. */
#include "attn.h"
ATTN_API attn_status attn_bert_config_validate(attn_ctx *ctx, const attn_bert_config *cfg)
{
    (void)ctx;
    return cfg->hidden_size > 0 ? ATTN_OK : ATTN_ERR_INVALID_ARG;
}
ATTN_API attn_status attn_tensor_fill(attn_tensor *t, double value)
{
    (void)t;
    return value > 0 ? ATTN_OK : ATTN_ERR_RANGE;
}
"""

# name, expected verdict, edits of (file under include/ or "stub", regex, replacement); each regex
# must match once, so a header rewritten beyond recognition fails the demo loudly instead of
# silently testing nothing. Comments after the fields are tolerated.
STRUCT_OPEN = r"(typedef struct attn_bert_config \{\n)"
STRUCT_CLOSE = r"(\n\} attn_bert_config;)"
FILL_DECL = r"attn_tensor_fill\(attn_tensor \*t, double value\)"

CASES = [
    ("unchanged headers", "same", []),
    ("a field inserted at the front of attn_bert_config", "incompatible",
     [("attn/model.h", STRUCT_OPEN, r"\1    int32_t inserted_first;\n")]),
    ("attn_tensor_fill's value parameter changed from double to float", "incompatible",
     [("attn/tensor.h", FILL_DECL, "attn_tensor_fill(attn_tensor *t, float value)"),
      ("stub", FILL_DECL, "attn_tensor_fill(attn_tensor *t, float value)")]),
    ("attn_tensor_fill removed", "incompatible",
     [("stub", r"ATTN_API attn_status attn_tensor_fill.*", "")]),
    ("a field appended to attn_bert_config and a function added", "compatible",
     [("attn/model.h", STRUCT_CLOSE, r"\n    int32_t appended_last;\1"),
      ("stub", r"(ATTN_API attn_status attn_tensor_fill)",
       r"ATTN_API int32_t attn_demo_added(void);\nATTN_API int32_t attn_demo_added(void) { return 1; }\n\1")]),
]


def apply_edit(text, pattern, replacement, where):
    new, n = re.subn(pattern, replacement, text, count=1, flags=re.S)
    if n != 1:
        raise RuntimeError(f"{where} no longer matches {pattern!r}: update the demo edits in {__file__}")
    return new


def build_stub(workdir, name, src_include, build_include, compiler, edits):
    root = os.path.join(workdir, name)
    inc = os.path.join(root, "include")
    shutil.copytree(src_include, inc)
    stub = STUB
    for target, pattern, replacement in edits:
        if target == "stub":
            stub = apply_edit(stub, pattern, replacement, "the stub")
            continue
        path = os.path.join(inc, target)
        text = apply_edit(open(path, encoding="utf-8").read(), pattern, replacement, target)
        open(path, "w", encoding="utf-8").write(text)
    src = os.path.join(root, "stub.c")
    open(src, "w", encoding="utf-8").write(stub)
    lib = os.path.join(root, "libattn.so.0")
    cmd = compiler + ["-g", "-O1", "-fPIC", "-shared", "-fvisibility=hidden", "-DATTN_BUILDING_LIBRARY",
                      f"-I{inc}", f"-I{build_include}", src, "-o", lib, "-Wl,-soname,libattn.so.0"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{proc.stderr}")
    abi = os.path.join(root, "stub.abi")
    dump(lib, os.path.join(inc, "attn"), abi)
    return abi


def demo(src_include, build_include, compiler):
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = build_stub(tmp, "base", src_include, build_include, compiler, [])
        for i, (name, expected, edits) in enumerate(CASES):
            changed = build_stub(tmp, f"case{i}", src_include, build_include, compiler, edits)
            verdict, report = compare(base, changed)
            ok = verdict == expected
            failures += not ok
            print(f"{'ok' if ok else 'FAIL'}: {name}: {verdict} (expected {expected})")
            if report:
                print("    " + report.replace("\n", "\n    "))
    return 1 if failures else 0


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    try:
        if mode == "dump":
            dump(args[0], args[1], args[2])
            return 0
        if mode == "check":
            return check(args[0], args[1], args[2])
        if mode == "demo":
            return demo(args[0], args[1], args[2:])
    except RuntimeError as e:
        print(f"error: {e}")
        return 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
