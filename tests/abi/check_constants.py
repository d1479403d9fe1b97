"""The values of the public constants never change: every enumerator and
every object-like ATTN_* macro of the public headers, compared with the
committed list tests/abi/libattn.so.<major>.constants. abidiff cannot do
this part: status codes and flags live in anonymous enums and macros that
no function signature mentions, so they are absent from its DWARF view.

A changed or removed value fails; new names are reported as additions.
Values come from the compiler (a generated program prints them), not from
parsing expressions.

  check_constants.py dump  SOURCE_INCLUDE BUILD_INCLUDE OUT CC [ARGS...]
  check_constants.py check SOURCE_INCLUDE BUILD_INCLUDE BASELINE CC [ARGS...]"""
import os
import re
import subprocess
import sys
import tempfile

# Macros that are not values of the API: the export macro, include guards and
# the version of the header (which changes by design at every release).
NOT_CONSTANTS = re.compile(r"^(ATTN_API|ATTN_\w+_H|ATTN_H|ATTN_VERSION_\w+)$")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def public_headers(src_include):
    return ["attn.h"] + sorted("attn/" + f for f in os.listdir(os.path.join(src_include, "attn"))
                               if f.endswith(".h"))


def public_names(src_include):
    """[(name, is_string)] of the public enumerators and object-like macros."""
    names = []
    for h in public_headers(src_include):
        text = strip_comments(open(os.path.join(src_include, h), encoding="utf-8").read())
        for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(ATTN_\w+)(?![\w(])[ \t]*([^\n]*)", text, flags=re.M):
            if not NOT_CONSTANTS.match(m.group(1)):
                names.append((m.group(1), m.group(2).strip().startswith('"')))
        code = re.sub(r"^[ \t]*#[^\n]*", " ", text, flags=re.M)
        for body in re.findall(r"\benum\b\s*\w*\s*\{(.*?)\}", code, flags=re.S):
            for item in body.split(","):
                if item.strip():
                    names.append((item.split("=")[0].strip(), False))
    return list(dict.fromkeys(names))


def current_values(src_include, build_include, compiler):
    names = public_names(src_include)
    prints = "\n".join(
        f'    printf("%s ", "{n}"); ' + (f'printf("\\"%s\\"", {n});' if is_string else f"ATTN_PRINT_VALUE({n});")
        + ' printf("\\n");' for n, is_string in names)
    includes = "\n".join(f'#include "{h}"' for h in public_headers(src_include))
    program = f"""#include <stdio.h>
{includes}
#define ATTN_PRINT_VALUE(x) _Generic((x), \\
    float: printf("%.9g", (double)(x)), double: printf("%.17g", (double)(x)), \\
    unsigned long long: printf("%llu", (unsigned long long)(x)), \\
    unsigned long: printf("%llu", (unsigned long long)(x)), \\
    default: printf("%lld", (long long)(x)))
int main(void)
{{
{prints}
    return 0;
}}
"""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "constants.c")
        exe = os.path.join(tmp, "constants")
        open(src, "w", encoding="utf-8").write(program)
        cmd = compiler + ["-std=c11", "-w", f"-I{src_include}", f"-I{build_include}", src, "-o", exe]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}\n{proc.stderr}")
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def read_baseline(path):
    values = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            name, value = line.split(" ", 1)
            values[name] = value
    return values


def main():
    mode, src_include, build_include, path = sys.argv[1:5]
    compiler = sys.argv[5:]
    try:
        values = current_values(src_include, build_include, compiler)
    except RuntimeError as e:
        print(f"error: {e}")
        return 1
    if mode == "dump":
        with open(path, "w", encoding="utf-8") as f:
            f.write("# Values of libattn's public enumerators and ATTN_* macros, frozen for this major\n"
                    "# version (tests/abi/check_constants.py). Regenerate only with\n"
                    "# scripts/update-abi-baseline.sh.\n")
            for name in sorted(values):
                f.write(f"{name} {values[name]}\n")
        return 0
    if not os.path.exists(path):
        print(f"no constants baseline at {path}: create it with scripts/update-abi-baseline.sh")
        return 1
    baseline = read_baseline(path)
    problems = []
    for name, value in sorted(baseline.items()):
        if name not in values:
            problems.append(f"{name} = {value} was removed")
        elif values[name] != value:
            problems.append(f"{name} changed from {value} to {values[name]}")
    added = sorted(set(values) - set(baseline))
    for p in problems:
        print("INCOMPATIBLE: " + p)
    if added:
        print("compatible additions: " + ", ".join(f"{n} = {values[n]}" for n in added))
    if problems:
        return 1
    print(f"ok: {len(baseline)} public constants keep their values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
