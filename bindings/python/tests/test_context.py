"""Context: options, errors with the library's message, closing order."""
import gc
import unittest

import support  # noqa: F401
import libattn


class ContextOptions(unittest.TestCase):
    def test_options_round_trip(self):
        with libattn.Context(threads=2, seed=42) as ctx:
            self.assertEqual(ctx.get("threads"), 2)
            self.assertEqual(ctx.get("seed"), 42)
            ctx.set("memory_limit", 1 << 30)
            self.assertEqual(ctx.get("memory_limit"), 1 << 30)
            self.assertGreaterEqual(ctx.get("peak_bytes"), ctx.get("bytes_in_use"))

    def test_info_names_the_blis_kernel_set(self):
        with libattn.Context() as ctx:
            self.assertTrue(ctx.info("blis_arch"))

    def test_unknown_option_name_is_a_value_error(self):
        with libattn.Context() as ctx:
            with self.assertRaises(ValueError):
                ctx.set("no_such_option", 1)


class Errors(unittest.TestCase):
    def test_a_failed_call_raises_with_status_name_and_the_library_message(self):
        with libattn.Context() as ctx:
            with self.assertRaises(libattn.InvalidArgumentError) as cm:
                ctx.set("threads", 0)
            e = cm.exception
            self.assertEqual(e.status, 1)
            self.assertEqual(e.name, "ATTN_ERR_INVALID_ARG")
            self.assertEqual(e.message, ctx.last_error)
            self.assertIn("outside", e.message)
            self.assertIsInstance(e, ValueError)  # usable with ordinary Python handlers

    def test_read_only_statistic_cannot_be_set(self):
        with libattn.Context() as ctx:
            with self.assertRaises(libattn.AttnError) as cm:
                ctx.set("peak_bytes", 1)
            self.assertIn("read-only", str(cm.exception))

    def test_unknown_status_codes_give_the_base_exception(self):
        err = libattn.errors.error_for(999, "from a newer library")
        self.assertIs(type(err), libattn.AttnError)
        self.assertEqual(err.status, 999)


class Closing(unittest.TestCase):
    def test_closing_the_context_closes_its_objects_first(self):
        ctx = libattn.Context()
        t = libattn.Tensor(ctx, [2, 3])
        u = libattn.Tensor(ctx, [4])
        ctx.close()
        with self.assertRaises(ValueError):
            t.shape
        with self.assertRaises(ValueError):
            ctx.get("threads")
        u.close()  # closing again is harmless
        ctx.close()

    def test_objects_collected_before_the_context_free_their_memory(self):
        with libattn.Context() as ctx:
            base = ctx.get("bytes_in_use")
            t = libattn.Tensor(ctx, [256, 256])
            self.assertGreaterEqual(ctx.get("bytes_in_use"), base + 256 * 256 * 4)
            del t
            gc.collect()
            self.assertEqual(ctx.get("bytes_in_use"), base)


if __name__ == "__main__":
    unittest.main()
