"""Writes the attn(1) manual page from the attn binary's own help: the
command list of `attn --help` and, for each command, `attn COMMAND --help`.
The page therefore says exactly what the help says (tests/tools checks that
they agree); nothing here describes an option by itself.

Usage: man_attn.py ATTN_EXE OUTPUT          write the page
       man_attn.py --check ATTN_EXE PAGE    check that PAGE holds every line of the help"""
import re
import subprocess
import sys


def run(exe, *args):
    proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        sys.exit(f"{exe} {' '.join(args)} exited with {proc.returncode}: {proc.stderr}")
    return proc.stdout


def commands(exe):
    """[(name, summary)] from the 'commands:' block of `attn --help`."""
    text = run(exe, "--help")
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [tuple(re.split(r"\s{2,}", line.strip(), maxsplit=1)) for line in block.splitlines() if line.strip()]


def roff(s):
    """Escapes text for roff: backslashes, hyphens, and a leading . or '."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return ("\\&" + s) if s[:1] in (".", "'") else s


def split_option(line):
    """'  --name ARG   help' -> ('--name ARG', 'help'). Columns are padded to
    24 characters; a longer left part is followed by a single space, and then
    it is the option and its one-word argument."""
    parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1]
    words = line.split()
    return " ".join(words[:2]), " ".join(words[2:])


def page(exe):
    version = run(exe, "--version").split()[-1]
    out = [f'.TH ATTN 1 "" "libattn {version}" "libattn manual"',
           ".SH NAME", "attn \\- train, run and inspect BERT\\-style text encoders with libattn",
           ".SH SYNOPSIS", ".B attn", ".I command", "[\\fIoptions\\fR]", ".br",
           ".B attn --help", "|", ".B --version", ".SH DESCRIPTION",
           roff("The command-line tool of libattn. Each command's options, as 'attn COMMAND --help' prints them, "
                "are listed below under COMMANDS."),
           ".SH COMMANDS"]
    for name, summary in commands(exe):
        help_text = run(exe, name, "--help")
        out += [f".SS {roff(name)}", roff(summary) + "."]
        section = "usage"
        for line in help_text.splitlines():
            if not line.strip():
                continue
            if line.startswith("usage: "):
                out += [".PP", ".nf", roff(line[len("usage: "):]), ".fi"]
            elif line.strip() == "options:":
                section = "options"
            elif section == "options" and line.startswith("  -"):
                left, text = split_option(line)
                out += [".TP", f"\\fB{roff(left)}\\fR", roff(text)]
            else:
                out += [".PP" if section == "usage" else ".IP", roff(line.strip())]
    out += [".SH SEE ALSO",
            roff("The libattn tutorial and API reference, installed with the library under "
                 "share/doc/libattn (doc/tutorial/ in the source tree)."), ""]
    return "\n".join(out)


def unroff(text):
    """The words of a roff page, without its requests and font escapes."""
    lines = []
    for line in text.splitlines():
        if line.startswith("."):
            line = line.split(" ", 1)[1] if " " in line and line[:3] in (".SS", ".TH") else ""
        line = re.sub(r"\\f[BIR]", "", line).replace("\\&", "").replace("\\-", "-").replace("\\e", "\\")
        lines.append(line)
    return " ".join(" ".join(lines).split())


def check(exe, path):
    with open(path, encoding="utf-8") as f:
        words = unroff(f.read())
    missing = []
    for name, summary in commands(exe):
        if name not in words or summary not in words:
            missing.append(f"command {name}: {summary}")
        for line in run(exe, name, "--help").splitlines():
            flat = " ".join(line.replace("usage: ", "", 1).split())
            if flat and flat != "options:" and flat not in words:
                missing.append(f"attn {name} --help: {line.strip()}")
    for m in missing:
        print("not in the manual page:", m)
    if missing:
        return 1
    print(f"{path}: every line of attn --help and of each command's --help is in the page")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(page(sys.argv[1]))
