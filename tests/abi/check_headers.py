"""Every public header compiles on its own, twice in one translation unit
(include guards), with a strict compiler: as C99 and as C++11. The umbrella
include/attn.h is checked the same way. A header that needs another one it
does not include, uses a C11/GNU extension, or breaks in C++ fails here,
with the compiler's message.

Usage: check_headers.py c|c++ SOURCE_INCLUDE_DIR BUILD_INCLUDE_DIR COMPILER [ARGS...]
(BUILD_INCLUDE_DIR holds the generated attn/version.h.)"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

FLAGS = {
    # -Wstrict-prototypes: "f()" in C is no prototype; public calls must have one.
    "c": ["-x", "c", "-std=c99", "-pedantic", "-Werror", "-Wall", "-Wextra", "-Wstrict-prototypes"],
    "c++": ["-x", "c++", "-std=c++11", "-pedantic", "-Werror", "-Wall", "-Wextra"],
}


def public_headers(src_include):
    names = ["attn.h"]
    names += sorted("attn/" + f for f in os.listdir(os.path.join(src_include, "attn")) if f.endswith(".h"))
    return names


def compile_alone(lang, compiler, includes, header, workdir):
    unit = os.path.join(workdir, header.replace("/", "_") + (".c" if lang == "c" else ".cpp"))
    with open(unit, "w", encoding="utf-8") as f:
        f.write(f'#include "{header}"\n#include "{header}"\n'
                "int attn_header_check_unit(void);\n"
                "int attn_header_check_unit(void) { return 0; }\n")
    cmd = compiler + FLAGS[lang] + [f"-I{d}" for d in includes] + ["-c", unit, "-o", unit + ".o"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return header, proc.returncode, " ".join(cmd), proc.stderr


def main():
    lang, src_include, build_include = sys.argv[1:4]
    compiler = sys.argv[4:]
    headers = public_headers(src_include)
    with tempfile.TemporaryDirectory() as workdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda h: compile_alone(lang, compiler, [src_include, build_include], h,
                                                            workdir), headers))
    failed = [r for r in results if r[1] != 0]
    for header, _, cmd, err in failed:
        print(f"FAIL {header} as {lang}:\n  {cmd}\n{err}")
    if failed:
        print(f"{len(failed)} of {len(headers)} public headers do not compile alone as {lang}")
        return 1
    print(f"ok: {len(headers)} public headers compile alone as {lang} with {' '.join(FLAGS[lang][2:])}: "
          + ", ".join(headers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
