"""The ctypes mirrors of the public option structs have the C layout: the C
compiler prints sizeof and every field's offsetof from the installed (or
build tree's) headers, found with pkg-config, and they must equal ctypes'."""
import ctypes
import os
import shutil
import subprocess
import tempfile
import unittest

import support  # noqa: F401
from libattn import _lib

MIRRORS = {"attn_bert_config": _lib.BertConfigStruct, "attn_optim_opts": _lib.OptimOptsStruct}


def c_layout():
    cflags = subprocess.run(["pkg-config", "--cflags", "libattn"], capture_output=True, text=True)
    if cflags.returncode != 0 or not shutil.which("cc"):
        raise unittest.SkipTest("needs cc and pkg-config knowing libattn (meson's test sets PKG_CONFIG_PATH)")
    lines = []
    for struct, mirror in MIRRORS.items():
        lines.append(f'printf("{struct} sizeof %zu\\n", sizeof({struct}));')
        for name, _ in mirror._fields_:
            lines.append(f'printf("{struct} {name} %zu\\n", offsetof({struct}, {name}));')
    program = "#include <stddef.h>\n#include <stdio.h>\n#include <attn.h>\nint main(void) {\n" + "\n".join(lines) + \
        "\nreturn 0;\n}\n"
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "layout.c"), os.path.join(tmp, "layout")
        with open(src, "w") as f:
            f.write(program)
        subprocess.run(["cc", src, "-o", exe] + cflags.stdout.split(), check=True, capture_output=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {(s, k): int(v) for s, k, v in (line.split() for line in out.splitlines())}


class MirrorsMatchTheHeaders(unittest.TestCase):
    def test_option_struct_mirrors_have_the_c_offsets_and_size(self):
        layout = c_layout()
        for struct, mirror in MIRRORS.items():
            with self.subTest(struct=struct):
                self.assertEqual(ctypes.sizeof(mirror), layout[(struct, "sizeof")])
                for name, _ in mirror._fields_:
                    self.assertEqual(getattr(mirror, name).offset, layout[(struct, name)], name)


if __name__ == "__main__":
    unittest.main()
