"""Tensor: lists and NumPy in and out, zero-copy where promised."""
import unittest

import numpy as np

import support  # noqa: F401
import libattn


class TensorFromPython(unittest.TestCase):
    def setUp(self):
        self.ctx = libattn.Context()

    def tearDown(self):
        self.ctx.close()

    def test_nested_lists_round_trip_with_shape_and_dtype(self):
        t = libattn.Tensor.from_list(self.ctx, [[1.5, 2], [3, 4]])
        self.assertEqual(t.shape, (2, 2))
        self.assertEqual(t.dtype, "float32")
        self.assertEqual(t.tolist(), [[1.5, 2.0], [3.0, 4.0]])
        ids = libattn.Tensor.from_list(self.ctx, [[101, 2023], [102, 0]])
        self.assertEqual(ids.dtype, "int64")
        self.assertEqual(ids.tolist(), [[101, 2023], [102, 0]])
        small = libattn.Tensor.from_list(self.ctx, [1, 2, 3], dtype="int32")
        self.assertEqual(small.dtype, "int32")

    def test_ragged_lists_and_bad_ranks_are_refused(self):
        with self.assertRaises(ValueError):
            libattn.Tensor.from_list(self.ctx, [[1, 2], [3]])
        with self.assertRaises(ValueError):
            libattn.Tensor(self.ctx, [1, 1, 1, 1, 1])
        with self.assertRaises(TypeError):
            libattn.Tensor(self.ctx, [2], dtype="float64")

    def test_writing_the_wrong_number_of_values_is_refused(self):
        t = libattn.Tensor(self.ctx, [2, 2])
        with self.assertRaises(ValueError):
            t.write([1, 2, 3])

    def test_library_errors_surface_with_the_message(self):
        a = libattn.Tensor(self.ctx, [2, 3])
        b = libattn.Tensor(self.ctx, [3, 2])
        with self.assertRaises(libattn.ShapeError) as cm:
            a.copy_from(b)
        self.assertTrue(cm.exception.message)


class TensorAndNumPy(unittest.TestCase):
    def setUp(self):
        self.ctx = libattn.Context()

    def tearDown(self):
        self.ctx.close()

    def test_wrapping_a_contiguous_array_shares_its_memory(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        t = libattn.Tensor.from_numpy(self.ctx, a)
        a[1, 2] = 100.0
        self.assertEqual(t.tolist()[1][2], 100.0)
        t.fill(7.0)
        self.assertTrue((a == 7.0).all())

    def test_numpy_view_of_a_tensor_shares_its_memory_and_keeps_it_alive(self):
        t = libattn.Tensor(self.ctx, [2, 2])
        view = t.numpy()
        view[0, 1] = 5.0
        self.assertEqual(t.tolist(), [[0.0, 5.0], [0.0, 0.0]])
        del t  # the view still holds the tensor
        self.assertEqual(view[0, 1], 5.0)

    def test_a_strided_or_foreign_dtype_array_is_copied_not_wrapped(self):
        a = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
        t = libattn.Tensor.from_numpy(self.ctx, a)
        self.assertEqual(t.tolist(), a.tolist())
        a[0, 0] = -1.0
        self.assertNotEqual(t.tolist()[0][0], -1.0)
        with self.assertRaises(ValueError):
            libattn.Tensor.from_numpy(self.ctx, a, copy=False)
        d = libattn.Tensor.from_numpy(self.ctx, np.array([1.5, 2.5], dtype=np.float64))
        self.assertEqual(d.dtype, "float32")
        self.assertEqual(d.tolist(), [1.5, 2.5])

    def test_integer_arrays_keep_their_dtype(self):
        for dtype in (np.int32, np.int64):
            t = libattn.Tensor.from_numpy(self.ctx, np.array([[1, 2, 3]], dtype=dtype))
            self.assertEqual(t.dtype, np.dtype(dtype).name)
            self.assertEqual(t.numpy().dtype, dtype)
            self.assertEqual(t.numpy().tolist(), [[1, 2, 3]])

    def test_copy_true_detaches_the_array(self):
        t = libattn.Tensor.from_list(self.ctx, [1.0, 2.0])
        c = t.numpy(copy=True)
        c[0] = 9.0
        self.assertEqual(t.tolist(), [1.0, 2.0])


if __name__ == "__main__":
    unittest.main()
