"""Linear-algebra helpers shared by the package: layer products, Haar rotations, the λ-balanced split
of singular values (paper Theorem 5.2) and the activations of the nonlinear networks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike


def swap(a: np.ndarray) -> np.ndarray:
    """Transpose of the last two axes (a stack of matrices transposed)."""
    return np.swapaxes(a, -1, -2)


def chain(Ws: Sequence[np.ndarray], lo: int, hi: int, n: int) -> np.ndarray:
    """The product W_hi ⋯ W_{lo+1} of layers lo+1..hi (1-based); the identity of size n if empty."""
    if hi <= lo:
        return np.eye(n)
    return network_product(Ws[lo:hi])


def network_product(Ws: Sequence[ArrayLike]) -> np.ndarray:
    """The network function W_L ⋯ W_2 W_1 of a list of layers [W_1, …, W_L].

    Works on stacks over time too (each W of shape (T, rows, cols)).

    >>> network_product([np.ones((2, 3)), np.eye(2)]).shape
    (2, 3)
    """
    if len(Ws) == 0:
        raise ValueError("Ws must hold at least one layer, got an empty list")
    out = np.asarray(Ws[0], dtype=float)
    for W in Ws[1:]:
        out = np.asarray(W, dtype=float) @ out
    return out


def haar(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """k orthonormal columns in R^n, Haar-distributed (QR of a Gaussian with the sign fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, k)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def split_squares(s: ArrayLike, lam: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Squared layer singular values (s1², s2²) with s1·s2 = s and s2² − s1² = λ, broadcast.

    s2² = (√(λ² + 4s²) + λ)/2 and s1² = (√(λ² + 4s²) − λ)/2 (paper Theorem 5.2). The smaller one
    is computed as s²/big, which avoids the cancellation of the difference when abs(λ) ≫ s.
    """
    s = np.asarray(s, dtype=float)
    lam = np.asarray(lam, dtype=float)
    root = np.hypot(lam, 2.0 * s)
    big = 0.5 * (root + np.abs(lam))
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.where(big > 0, s**2 / np.where(big > 0, big, 1.0), 0.0)
    return np.where(lam >= 0, small, big), np.where(lam >= 0, big, small)


def activation_functions(name: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """The nonlinearity φ and its derivative φ' for ``"tanh"``, ``"relu"`` or ``"linear"``."""
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z: (z > 0).astype(float))
    if name == "linear":
        return (lambda z: z), (lambda z: np.ones_like(z))
    raise ValueError(f"activation must be 'tanh', 'relu' or 'linear', got {name!r}")
