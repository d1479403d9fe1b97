"""Runs an example program and checks that each expected line appears in its
output. Expected values are worked out independently (by hand, or with
PyTorch, as the test that lists them says), never produced by the code
under test.

Usage: check_output.py [--tmpdir] [--arg A]... [--svg FILE]... EXE EXPECTED...

An expected line is matched exactly, or
  ~LINE   with every number in it within 1e-4 of the printed one (the words
          and punctuation between the numbers must be equal), or
  re:PAT  by a regular expression matching a whole line.
--tmpdir runs the program in a fresh temporary directory; --arg passes an
argument to it; --svg checks that the program wrote FILE (relative to the
directory it ran in) as an SVG document with at least one polyline."""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def split_numbers(line):
    return NUMBER.split(line), [float(x) for x in NUMBER.findall(line)]


def matches(expected, line):
    if expected.startswith("re:"):
        return re.fullmatch(expected[3:], line) is not None
    if expected.startswith("~"):
        words_e, nums_e = split_numbers(expected[1:])
        words_l, nums_l = split_numbers(line)
        return (words_e == words_l and len(nums_e) == len(nums_l)
                and all(abs(a - b) <= 1e-4 for a, b in zip(nums_e, nums_l)))
    return expected == line


def main(argv):
    use_tmp, args, svgs = False, [], []
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--tmpdir":
            use_tmp = True
        elif opt == "--arg":
            args.append(argv.pop(0))
        elif opt == "--svg":
            svgs.append(argv.pop(0))
        else:
            sys.exit(f"unknown option {opt}")
    exe, expected = os.path.abspath(argv[0]), argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = tmp if use_tmp else None
        proc = subprocess.run([exe] + args, capture_output=True, text=True, timeout=300, cwd=cwd)
        if proc.returncode != 0:
            print(f"{exe} exited with {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
            return 1
        lines = proc.stdout.splitlines()
        failed = 0
        for e in expected:
            if not any(matches(e, line) for line in lines):
                print(f"missing line: {e!r}")
                failed += 1
        for name in svgs:
            path = os.path.join(cwd or ".", name)
            try:
                root = ET.parse(path).getroot()
            except (OSError, ET.ParseError) as err:
                print(f"{name}: not a readable XML file: {err}")
                failed += 1
                continue
            ns = "{http://www.w3.org/2000/svg}"
            if root.tag != ns + "svg" or not root.findall(ns + "polyline"):
                print(f"{name}: not an SVG chart with a polyline (root {root.tag})")
                failed += 1
        if failed:
            print("output was:\n" + proc.stdout)
            return 1
    print(f"ok: {len(expected)} lines matched" + (f", {len(svgs)} SVG files" if svgs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
