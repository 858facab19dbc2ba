#!/usr/bin/env python3
"""Fits the erfc polynomial of the fused GELU kernel (VectorKernels.normalCdfPdf, the ERFCX constants).

erfc(a) = exp(-a^2) * t * R(t) with t = 1 / (1 + a/2), a >= 0 — the variable of Numerical Recipes' erfcc (Press et al.,
2nd ed., section 6.2), which fits ln R instead (degree 9, 1.2e-7). R(t) = erfcx(a) / t is smooth on t in (0, 1]
(a in [0, inf)); it is fitted by Chebyshev interpolation at 4,000 nodes and written as a power series in t for Horner's
rule, so that the kernel needs one exp, exp(-a^2), which the normal density shares.
Prints the coefficients (lowest degree first) and the largest relative error of R over 10^6 points.

Needs NumPy and SciPy (Debian: python3-numpy python3-scipy). Deterministic: the same output on every run.
Usage: optimizers/tools/fit_erfc.py [DEGREE]   (default 14, the degree the kernel uses: relative error 2.1e-10)
"""
import sys

import numpy as np
from numpy.polynomial import chebyshev, polynomial
from scipy.special import erfcx


def r(t):
    a = 2 * (1 / t - 1)
    return erfcx(a) / t


def fit(degree, nodes=4000):
    t = np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes) * 0.5 + 0.5   # Chebyshev nodes mapped to (0, 1)
    c = chebyshev.chebfit(2 * t - 1, r(t), degree)                   # in u = 2t - 1
    in_u = chebyshev.cheb2poly(c)
    in_t = np.zeros(degree + 1)
    for k, a in enumerate(in_u):                                      # substitute u = 2t - 1
        in_t = polynomial.polyadd(in_t, a * polynomial.polypow([-1, 2], k))[: degree + 1]
    return in_t


def horner(coefficients, t):
    v = np.zeros_like(t)
    for a in coefficients[::-1]:
        v = v * t + a
    return v


if __name__ == "__main__":
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 14
    coefficients = fit(degree)
    test = np.linspace(1e-7, 1, 1_000_001)
    print(", ".join(repr(float(a)) for a in coefficients))
    print(f"max relative error of R = {np.max(np.abs(horner(coefficients, test) / r(test) - 1)):.3g}")
