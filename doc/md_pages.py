"""Copies the Markdown pages of the docs site (doc/index.md, doc/ABI.md and
doc/tutorial/*.md) into the build directory for Doxygen, so that the HTML is
self-contained: each tutorial chapter gets its whole program appended as a
code block, links to a chapter's program point at that block, and links to
other files of the source tree (which the HTML site does not contain) keep
their text, set as code, without the link.

Usage: md_pages.py SOURCE_ROOT OUT_DIR STAMP"""
import os
import re
import sys

LINK = re.compile(r"\[([^\]]+)\]\((\.\./\.\./[^)]*)\)")


def program_anchor(name):
    return "tutorial_program_" + re.sub(r"\W", "_", name)


def rewrite(text, program):
    def link(m):
        label, target = m.group(1), m.group(2)
        if program and target == "../../examples/tutorial/" + program:
            return f"[{label}](@ref {program_anchor(program)})"
        return label if label.startswith("`") else f"`{label}`"
    text = LINK.sub(link, text)
    if program:
        text += f"\n## The whole program: {program} {{#{program_anchor(program)}}}\n\n"
        with open(os.path.join(SRC, "examples", "tutorial", program), encoding="utf-8") as f:
            text += "```c\n" + f.read() + "```\n"
    return text


def main(out, stamp):
    pages = [("doc/index.md", "index.md"), ("doc/ABI.md", "ABI.md")]
    tutorial = os.path.join(SRC, "doc", "tutorial")
    pages += [(f"doc/tutorial/{n}", f"tutorial/{n}") for n in sorted(os.listdir(tutorial)) if n.endswith(".md")]
    os.makedirs(os.path.join(out, "tutorial"), exist_ok=True)
    for src, dst in pages:
        with open(os.path.join(SRC, src), encoding="utf-8") as f:
            text = f.read()
        m = re.match(r"(\d\d)-", os.path.basename(src))
        program = None
        if m:
            found = [p for p in os.listdir(os.path.join(SRC, "examples", "tutorial")) if p.startswith(m.group(1) + "_")]
            if len(found) != 1:
                sys.exit(f"{src}: expected one program examples/tutorial/{m.group(1)}_*.c, found {found}")
            program = found[0]
        with open(os.path.join(out, dst), "w", encoding="utf-8") as f:
            f.write(rewrite(text, program))
    with open(stamp, "w") as f:  # what the build depends on
        f.write("\n".join(d for _, d in pages) + "\n")


if __name__ == "__main__":
    SRC = sys.argv[1]
    main(sys.argv[2], sys.argv[3])
