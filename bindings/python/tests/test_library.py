"""Finding the library and checking its version before any call."""
import os
import subprocess
import unittest
from unittest import mock

import support  # noqa: F401  (sets sys.path)
import libattn
from libattn import _lib


class LibraryLoading(unittest.TestCase):
    def test_loaded_library_reports_the_major_version_the_binding_expects(self):
        self.assertEqual(libattn.version_number() // 10000, libattn.EXPECTED_MAJOR)
        major, minor, patch = (int(x) for x in libattn.version().split("."))
        self.assertEqual(libattn.version_number(), major * 10000 + minor * 100 + patch)

    def test_libattn_path_may_name_the_directory_of_the_library(self):
        directory = os.path.dirname(libattn.library_path())
        with mock.patch.dict(os.environ, {"LIBATTN_PATH": directory}):
            lib = _lib.load()
        self.assertTrue(lib.path.startswith(directory))
        self.assertEqual(lib.attn_version_number(), libattn.version_number())

    def test_without_libattn_path_pkg_config_finds_the_library(self):
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "libattn"], capture_output=True, text=True)
        if libdir.returncode != 0:
            self.skipTest("pkg-config does not know libattn here (meson's test sets PKG_CONFIG_PATH)")
        env = {k: v for k, v in os.environ.items() if k != "LIBATTN_PATH"}
        with mock.patch.dict(os.environ, env, clear=True):
            lib = _lib.load()
        self.assertEqual(lib.path, os.path.join(libdir.stdout.strip(), f"libattn.so.{libattn.EXPECTED_MAJOR}"))

    def test_a_wrong_libattn_path_is_an_error_not_a_fallback(self):
        with mock.patch.dict(os.environ, {"LIBATTN_PATH": "/nonexistent/libattn.so.0"}):
            with self.assertRaises(libattn.LibraryNotFound) as cm:
                _lib.load()
        self.assertIn("/nonexistent/libattn.so.0", str(cm.exception))

    def test_a_library_of_another_major_version_is_refused(self):
        with mock.patch.object(_lib, "EXPECTED_MAJOR", libattn.EXPECTED_MAJOR + 1):
            with self.assertRaises(libattn.LibraryNotFound) as cm:
                _lib.load()
        self.assertIn(f"needs major version {libattn.EXPECTED_MAJOR + 1}", str(cm.exception))
        self.assertIn(libattn.version(), str(cm.exception))

    def test_a_library_older_than_the_minimum_release_is_refused(self):
        with mock.patch.object(_lib, "MINIMUM_VERSION", libattn.version_number() + 1):
            with self.assertRaises(libattn.LibraryNotFound):
                _lib.load()

    def test_a_missing_function_is_named_when_called(self):
        with self.assertRaises(AttributeError) as cm:
            _lib.lib().attn_function_that_does_not_exist
        self.assertIn("attn_function_that_does_not_exist", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
