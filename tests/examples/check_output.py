"""Runs an example program and checks that each expected line appears in its
output. Expected values are the article's worked results, written here by
hand, never produced by the code under test.
Usage: check_output.py EXE EXPECTED_LINE [EXPECTED_LINE ...]"""
import subprocess
import sys

exe, expected = sys.argv[1], sys.argv[2:]
proc = subprocess.run([exe], capture_output=True, text=True, timeout=120)
if proc.returncode != 0:
    print(f"{exe} exited with {proc.returncode}\n{proc.stderr}")
    sys.exit(1)
lines = proc.stdout.splitlines()
missing = [e for e in expected if e not in lines]
for e in missing:
    print(f"missing line: {e!r}")
if missing:
    print("output was:\n" + proc.stdout)
    sys.exit(1)
print(f"ok: {len(expected)} lines matched")
