"""Input checks shared by the package. Every failure is a ``ValueError`` naming the numbers."""

from __future__ import annotations

import numpy as np

#: Balance residual allowed, relative to ``||W1||_F^2 + ||W2||_F^2``.
BALANCE_RTOL = 1e-8


def as_matrix(name: str, a, shape: tuple[int | None, int | None] | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 2-D array, checking its shape."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got an array of shape {arr.shape}")
    if shape is not None:
        for axis, want in enumerate(shape):
            if want is not None and arr.shape[axis] != want:
                raise ValueError(
                    f"{name} has shape {arr.shape}, but axis {axis} must have length {want}"
                )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} has {bad} non-finite entries (NaN or inf)")
    return arr


def check_dim(name: str, value) -> int:
    """A positive integer dimension."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_positive(name: str, value) -> float:
    """A finite positive float."""
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return v


def check_finite(name: str, value) -> float:
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def check_times(t) -> tuple[np.ndarray, bool]:
    """Times as a 1-D float array (and whether the input was a scalar). Rejects NaN, inf, t < 0."""
    arr = np.asarray(t, dtype=float)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"t must be a scalar or a 1-D array of times, got shape {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"t contains {int(np.isnan(arr).sum())} NaN value(s)")
    if np.any(~np.isfinite(arr)):
        raise ValueError("t contains an infinite time; use a large finite time instead")
    if np.any(arr < 0):
        raise ValueError(f"times must be >= 0, got min(t) = {arr.min():.6g}")
    return arr, scalar


def check_weights(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    """W1 of shape (hidden, in) and W2 of shape (out, hidden), finite."""
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2)
    if W2.shape[1] != W1.shape[0]:
        raise ValueError(
            f"W1 has shape {W1.shape} (hidden_dim, in_dim) and W2 has shape {W2.shape} "
            f"(out_dim, hidden_dim): their hidden dimensions {W1.shape[0]} and {W2.shape[1]} differ"
        )
    return W1, W2


def balance_residual(W1: np.ndarray, W2: np.ndarray) -> tuple[float, float, float]:
    """Return (lam, residual, scale) for the least-squares λ fit of ``W2ᵀW2 − W1W1ᵀ ≈ λI``.

    ``lam = Tr(W2ᵀW2 − W1W1ᵀ)/hidden_dim`` (SPEC E.1), ``residual`` is the Frobenius norm of what
    is left, and ``scale = ||W1||_F² + ||W2||_F²`` sets the tolerance.
    """
    h = W1.shape[0]
    bal = W2.T @ W2 - W1 @ W1.T
    lam = float(np.trace(bal) / h)
    residual = float(np.linalg.norm(bal - lam * np.eye(h)))
    scale = float(np.sum(W1**2) + np.sum(W2**2))
    return lam, residual, scale


def check_balanced(W1: np.ndarray, W2: np.ndarray, rtol: float = BALANCE_RTOL) -> float:
    """Return λ if W1, W2 are λ-balanced to ``rtol`` (relative to the weights' size), else raise."""
    lam, residual, scale = balance_residual(W1, W2)
    if residual > rtol * max(scale, np.finfo(float).tiny):
        raise ValueError(
            "W1 and W2 are not lambda-balanced: ||W2^T W2 - W1 W1^T - lam*I||_F = "
            f"{residual:.3e} with best lam = {lam:.6g}, but the tolerance is "
            f"{rtol:.0e} * (||W1||_F^2 + ||W2||_F^2) = {rtol * scale:.3e}. "
            "Use lazyrich.lambda_balanced(...) to build balanced weights."
        )
    return lam
