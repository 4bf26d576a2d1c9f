"""How closely two float32 CNN results can be expected to agree, and a check that uses it.

Two forward passes of the same network on the same image agree only up to rounding when
their kernels differ: a different batch composition (one image vs a batch of 32), memory
layout (NCHW vs channels-last), SIMD width (AVX2 vs AVX-512, Intel vs AMD), thread split
or algorithm (direct vs Winograd convolution) changes the order in which each output's
n = C_in x k x k products are summed. The worst-case error of a float32 sum is
n * u * sum|terms| (u = 2^-24 = 6e-8); blocked summation in practice gives about
sqrt(n) * u, i.e. ~3e-6 of a layer's scale for n ~ 2,000, and those errors compound
through ~20 layers to ~1e-4 of the scale in the worst case. Measured on AMD EPYC, a single
image vs its batch of 4 differ by up to 1.07e-5 absolute on activations of scale ~10-30.

The error is relative to the *scale of the layer*, not to each element: a unit near zero
inherits the absolute error of its large neighbours, so a per-element relative tolerance
fails (4.7e-4 relative on that same 1.07e-5 difference) while staying far too loose for
big values. ``assert_kernel_close`` therefore allows ``KERNEL_RTOL`` times each layer's
largest magnitude, absolute, per element: 10x above the measured disagreement, and still
10^4 below what a wrong image, a half-written vector or a wrong layer produce (O(scale)).

Oracle tests of SQL maths on stored values (no CNN rerun) keep their tight tolerances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Allowed disagreement between float32 kernels, as a fraction of a layer's scale.
KERNEL_RTOL = 1e-4


def assert_kernel_close(
    actual: np.ndarray | Sequence[float],
    expected: np.ndarray | Sequence[float],
    *,
    layer_sizes: Sequence[int] | None = None,
    context: object = "",
) -> None:
    """Assert ``actual`` equals ``expected`` up to float32 kernel rounding (see module).

    Args:
        actual, expected: arrays of the same shape; the last axis holds the units.
        layer_sizes: split the last axis into layers, each judged by its own scale
            (default: one scale for the whole array).
        context: named in the failure message (e.g. the product id).
    """
    got = np.asarray(actual, dtype=np.float64)
    want = np.asarray(expected, dtype=np.float64)
    assert got.shape == want.shape, (got.shape, want.shape, context)
    bounds = np.cumsum([0, *layer_sizes]) if layer_sizes else np.array([0, want.shape[-1]])
    assert bounds[-1] == want.shape[-1], (layer_sizes, want.shape, context)
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        scale = float(np.abs(want[..., start:stop]).max(initial=0.0))
        worst = float(np.abs(got[..., start:stop] - want[..., start:stop]).max(initial=0.0))
        allowed = KERNEL_RTOL * scale
        assert worst <= allowed, (
            f"{context}: units {start}-{stop - 1} differ by {worst:.3g} > "
            f"{KERNEL_RTOL:g} x scale {scale:.3g}"
        )
