"""The public headers keep the layout rules that make the ABI a promise
(doc/ABI.md):
  - only fixed-width types: no int, long, short, unsigned, signed or bool
    (their sizes differ between platforms and FFI generators guess them);
    char only for strings, float/double, size_t, intN_t/uintN_t;
  - no variadic functions (not callable from most FFIs);
  - every enumerator has an explicit value (values are frozen; new ones are
    appended, so nothing may depend on declaration order);
  - every struct with a body is a versioned option struct whose first
    field is `uint32_t struct_size` (everything else is an opaque handle);
  - the umbrella attn.h includes every area's header.
A failure names the header, the line and the rule.

Usage: lint_headers.py INCLUDE_DIR"""
import os
import re
import sys

FORBIDDEN_TYPES = ["int", "long", "short", "unsigned", "signed", "bool", "_Bool"]


def strip_comments_keep_lines(text):
    """Blanks comments and preprocessor lines but keeps newlines, so line numbers stay right."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    text = re.sub(r"//[^\n]*", blank, text)
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", blank, text, flags=re.M)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def lint(path, shown):
    text = strip_comments_keep_lines(open(path, encoding="utf-8").read())
    problems = []
    for word in FORBIDDEN_TYPES:
        for m in re.finditer(r"\b%s\b" % word, text):
            problems.append(f"{shown}:{line_of(text, m.start())}: '{word}' in a public header "
                            "(use a fixed-width type)")
    for m in re.finditer(r"\.\.\.", text):
        problems.append(f"{shown}:{line_of(text, m.start())}: variadic function in a public header")
    for m in re.finditer(r"\benum\b\s*(\w*)\s*\{(.*?)\}", text, flags=re.S):
        for item in m.group(2).split(","):
            if item.strip() and "=" not in item:
                name = item.strip().split()[0]
                problems.append(f"{shown}:{line_of(text, m.start(2))}: enumerator {name} has no explicit value")
    for m in re.finditer(r"\bstruct\b\s*(\w*)\s*\{(.*?)\}", text, flags=re.S):
        fields = [f.strip() for f in m.group(2).split(";") if f.strip()]
        if not fields or re.sub(r"\s+", " ", fields[0]) != "uint32_t struct_size":
            problems.append(f"{shown}:{line_of(text, m.start())}: struct {m.group(1) or '(anonymous)'} "
                            "is public but does not start with 'uint32_t struct_size'")
    return problems


def main():
    include_dir = sys.argv[1]
    paths = [(os.path.join(include_dir, "attn.h"), "attn.h")]
    attn_dir = os.path.join(include_dir, "attn")
    paths += [(os.path.join(attn_dir, f), "attn/" + f) for f in sorted(os.listdir(attn_dir)) if f.endswith(".h")]
    problems = [p for path, shown in paths for p in lint(path, shown)]
    # the umbrella header is the one users include: it must bring every area
    umbrella = open(paths[0][0], encoding="utf-8").read()
    for _, shown in paths[1:]:
        if shown not in ("attn/export.h",) and f'#include "{shown}"' not in umbrella:
            problems.append(f"attn.h: does not include {shown}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layout rule violation(s) in the public headers")
        return 1
    print(f"ok: {len(paths)} public headers use fixed-width types, explicit enum values and "
          "versioned structs only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
