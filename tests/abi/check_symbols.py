"""The three lists of the public API agree: the dynamic symbols libattn.so
exports, the names in the version script lib/libattn.sym, and the functions
declared ATTN_API in include/attn/*.h. Any difference fails with the names
that are missing on each side.

Also checks that every exported symbol carries a version node of the map
(so the version script was really applied) and that the map's nodes are
chained, one per release, newest last.

Usage: check_symbols.py LIBRARY SYMBOL_MAP HEADER_DIR"""
import os
import re
import subprocess
import sys


def exported_symbols(library):
    """name -> version node, from `nm -D --defined-only`."""
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        # The version node itself appears as an absolute symbol ("A LIBATTN_0.1").
        if kind == "A":
            continue
        base, _, node = name.partition("@")
        symbols[base] = node.lstrip("@")
    return symbols


def strip_c_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # preprocessor lines (with continuations): "#define ATTN_API ..." is no declaration
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def map_symbols(path):
    """(names, node names in order, {node: parent}) from a GNU version script."""
    text = strip_c_comments(open(path, encoding="utf-8").read())
    names, nodes, parents = set(), [], {}
    for m in re.finditer(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*([A-Za-z_][\w.]*)?\s*;", text, flags=re.S):
        node, body, parent = m.group(1), m.group(2), m.group(3)
        nodes.append(node)
        parents[node] = parent
        section = None
        for stmt in body.split(";"):
            stmt = stmt.strip()
            label = re.match(r"(global|local)\s*:\s*(.*)", stmt, flags=re.S)
            if label:
                section, stmt = label.group(1), label.group(2).strip()
            if stmt and section == "global":
                names.add(stmt)
    return names, nodes, parents


def declared_symbols(header_dir):
    names = {}
    for fn in sorted(os.listdir(header_dir)):
        if not fn.endswith(".h"):
            continue
        text = strip_c_comments(open(os.path.join(header_dir, fn), encoding="utf-8").read())
        # ATTN_API <return type> name( ... — the name is the last identifier before "(".
        for m in re.finditer(r"\bATTN_API\b([^;{(]*?)\b([A-Za-z_]\w*)\s*\(", text):
            names[m.group(2)] = fn
    return names


def main():
    library, symbol_map, header_dir = sys.argv[1:4]
    exported = exported_symbols(library)
    mapped, nodes, parents = map_symbols(symbol_map)
    declared = declared_symbols(header_dir)
    problems = []
    sets = {"exported by the library": exported, "listed in lib/libattn.sym": mapped,
            "declared ATTN_API in a header": declared}
    for name in sorted(set(exported) | mapped | set(declared)):
        present = [label for label, s in sets.items() if name in s]
        absent = [label for label, s in sets.items() if name not in s]
        if absent:
            where = f" ({declared[name]})" if name in declared else ""
            problems.append(f"{name}{where}: {' and '.join(present)}, but not {' nor '.join(absent)}")

    for name, node in sorted(exported.items()):
        if node not in nodes:
            problems.append(f"{name}: exported with version '{node}', which is not a node of lib/libattn.sym")
    for name in sorted(exported):
        if not name.startswith("attn_") or name.startswith("attn__"):
            problems.append(f"{name}: exported but not a public attn_ name")
    for older, newer in zip(nodes, nodes[1:]):
        if parents.get(newer) != older:
            problems.append(f"version node {newer} must inherit from the previous node {older}")
    if nodes and parents.get(nodes[0]):
        problems.append(f"the first version node {nodes[0]} must not inherit from another")

    if problems:
        print(f"{len(problems)} difference(s) between exports, symbol map and headers:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"ok: {len(exported)} symbols exported, mapped and declared alike "
          f"(version nodes: {', '.join(nodes)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
