"""Texts for the live parity tests: Debian's fortunes (English, from the
fortunes packages) and Tang/Song poems (Chinese, fortunes-zh), read from the
machine's /usr/share/games/fortunes, which scripts/setup.sh installs.
Deterministic: the files in sorted order, the texts in file order."""
import os

FORTUNES = "/usr/share/games/fortunes"


def _read(name):
    path = os.path.join(FORTUNES, name)
    with open(path, encoding="utf-8", errors="replace") as f:
        return [t.strip() for t in f.read().split("\n%\n") if t.strip()]


def english(n, skip=("chinese", "song100", "tang300")):
    """n English fortunes, a few from each file in turn so that every kind of text is in."""
    files = sorted(f for f in os.listdir(FORTUNES)
                   if os.path.isfile(os.path.join(FORTUNES, f)) and "." not in f and f not in skip)
    if not files:
        raise SystemExit(f"no fortunes in {FORTUNES}: run scripts/setup.sh (Debian packages fortunes, fortunes-min)")
    per_file = {f: _read(f) for f in files}
    out, i = [], 0
    while len(out) < n and any(i < len(v) for v in per_file.values()):
        for f in files:
            if i < len(per_file[f]) and len(out) < n:
                out.append(per_file[f][i])
        i += 1
    return out


def chinese(n):
    """n texts from fortunes-zh (Tang and Song poems, sayings)."""
    out = []
    for f in ("tang300", "song100", "chinese"):
        if os.path.exists(os.path.join(FORTUNES, f)):
            out += _read(f)
    if not out:
        raise SystemExit(f"no Chinese fortunes in {FORTUNES}: run scripts/setup.sh (Debian package fortunes-zh)")
    return out[:n]
