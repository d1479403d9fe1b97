"""Installs the build into a temporary root (meson install --destdir) and
builds a C program against it using nothing but
`pkg-config --cflags --libs libattn`, then runs it with the installed
library and checks what it prints. Also checks that every public header and
the soname symlinks were installed.

The generated libattn.pc says prefix=/usr/local (or whatever was
configured); PKG_CONFIG_SYSROOT_DIR maps its -I/-L paths into the temporary
root, as a packager's staging area would.

Usage: check_install.py BUILD_DIR VERSION CONSUMER.c CC [ARGS...]"""
import os
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def find(root, name):
    for dirpath, _, files in os.walk(root):
        if name in files:
            return os.path.join(dirpath, name)
    return None


def main():
    build, version, consumer = sys.argv[1:4]
    compiler = sys.argv[4:]
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    problems = []
    with tempfile.TemporaryDirectory() as root:
        run(["meson", "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", root])
        pc = find(root, "libattn.pc")
        if pc is None:
            print("libattn.pc was not installed")
            return 1
        env = dict(os.environ, PKG_CONFIG_LIBDIR=os.path.dirname(pc), PKG_CONFIG_PATH="",
                   PKG_CONFIG_SYSROOT_DIR=root)
        flags = run(["pkg-config", "--cflags", "--libs", "libattn"], env=env).split()
        print("pkg-config --cflags --libs libattn:", " ".join(flags))
        libdir = root + run(["pkg-config", "--variable=libdir", "libattn"],
                            env=dict(env, PKG_CONFIG_SYSROOT_DIR="")).strip()
        includedir = root + run(["pkg-config", "--variable=includedir", "libattn"],
                                env=dict(env, PKG_CONFIG_SYSROOT_DIR="")).strip()

        # every public header of the source tree is installed
        wanted = {"attn.h"} | {"attn/" + f for f in os.listdir(os.path.join(source_root, "include", "attn"))
                               if f.endswith(".h")} | {"attn/version.h"}
        for h in sorted(wanted):
            if not os.path.exists(os.path.join(includedir, h)):
                problems.append(f"public header {h} is not installed (include/meson.build)")
        for name in ["libattn.so", f"libattn.so.{version.split('.')[0]}", f"libattn.so.{version}"]:
            if not os.path.exists(os.path.join(libdir, name)):
                problems.append(f"{name} is not installed in {libdir}")

        exe = os.path.join(root, "consumer")
        try:
            run(compiler + [consumer, "-o", exe] + flags)
            out = run([exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
            # the program must have loaded the installed copy, not the build tree's
            maps = run(["ldd", exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
            if os.path.join(libdir, f"libattn.so.{version.split('.')[0]}") not in maps:
                problems.append(f"the program did not load the installed library:\n{maps}")
        except RuntimeError as e:
            problems.append(str(e))
            out = ""
    expected = [f"header version {version}, library version {version}, same",
                "A @ B = [19, 22] [43, 50]",
                "0 threads: ATTN_ERR_INVALID_ARG, message set"]
    lines = out.splitlines()
    problems += [f"missing output line {e!r}" for e in expected if out and e not in lines]
    if problems:
        print("\n".join(problems))
        if out:
            print("program output:\n" + out)
        return 1
    print(out + "ok: built with pkg-config alone against the installed library and ran it")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print(e)
        sys.exit(1)
