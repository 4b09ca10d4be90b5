#!/usr/bin/env python3
"""Writes the .npy fixtures of NpyTest with NumPy itself (Debian python3-numpy): run from this directory."""
import numpy as np

np.save("f32_2x3.npy", np.array([[1.5, -2.0, 3.25], [0.0, -0.0, 1e-8]], dtype=np.float32))
np.save("i64_4.npy", np.array([0, -1, 2**40, 7], dtype=np.int64))
np.save("f32_scalar.npy", np.array(2.5, dtype=np.float32))
np.save("f64_2.npy", np.array([1.0, 2.0], dtype=np.float64))
np.save("f32_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("f32_bigendian.npy", np.arange(3, dtype=">f4"))
np.lib.format.write_array(open("f32_v2.npy", "wb"), np.arange(4, dtype=np.float32).reshape(2, 2), version=(2, 0))
