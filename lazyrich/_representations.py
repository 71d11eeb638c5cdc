"""Representations and architecture: λ-balanced Gram matrices and kernel-distance maps.

SPEC B.6, B.9–B.11 and paper App. A.4. Everything here is closed form and vectorised over grids of
λ and of the initial (absolute) scale, so a 30 × 30 map of the kernel distance between the initial
and the converged NTK takes milliseconds. The converged side uses Theorems C.3/C.4 (the limit of
the exact solution, :func:`~lazyrich.converged_representations`); it assumes
``hidden_dim = min(in_dim, out_dim)`` and that gradient flow reaches the global minimum (the
matrix ``B`` of SPEC B.6 is invertible; check a few grid points with
:class:`~lazyrich.ExactSolution`, whose ``n_snapped`` counts the exceptions).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._analysis import _ntk_inner
from ._validation import as_matrix


def _split_squares(s: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared layer singular values (s1², s2²) with s1·s2 = s, s2² − s1² = λ, broadcast.

    The smaller one is computed as s²/big, which avoids the cancellation in (√(λ²+4s²) − |λ|)/2.
    """
    root = np.hypot(lam, 2.0 * s)
    big = 0.5 * (root + np.abs(lam))
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.where(big > 0, s**2 / np.where(big > 0, big, 1.0), 0.0)
    return np.where(lam >= 0, small, big), np.where(lam >= 0, big, small)


def balanced_grams(U: ArrayLike, V: ArrayLike, s: ArrayLike,
                   lam: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Gram matrices W1ᵀW1 and W2W2ᵀ of λ-balanced weights with W2W1 = U diag(s) Vᵀ (SPEC B.8).

    With hidden_dim = r = len(s) (no extra hidden directions), Theorem 5.2 gives

        W1ᵀW1 = V diag((√(λ²+4s²) − λ)/2) Vᵀ,   W2W2ᵀ = U diag((√(λ²+4s²) + λ)/2) Uᵀ,

    whatever the hidden rotation R. Vectorised: ``s`` may have leading axes (..., r) and ``lam``
    any shape that broadcasts against ``s[..., 0]``.

    Parameters
    ----------
    U : (out_dim, r), orthonormal columns
    V : (in_dim, r), orthonormal columns
    s : (..., r), positive product singular values
    lam : scalar or array broadcasting against the leading axes of ``s``

    Returns
    -------
    w1tw1 : ndarray, shape (..., in_dim, in_dim)
    w2w2t : ndarray, shape (..., out_dim, out_dim)

    Examples
    --------
    >>> import lazyrich as lr
    >>> rng = np.random.default_rng(0)
    >>> W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=[1.0, 0.3], rng=rng)
    >>> U, s, Vt = np.linalg.svd(W2 @ W1, full_matrices=False)
    >>> A, B = balanced_grams(U, Vt[:2].T, s[:2], 0.5)
    >>> bool(np.allclose(A, W1.T @ W1) and np.allclose(B, W2 @ W2.T))
    True
    """
    U = as_matrix("U", U)
    V = as_matrix("V", V)
    s = np.asarray(s, dtype=float)
    r = U.shape[1]
    if V.shape[1] != r or s.shape[-1:] != (r,):
        raise ValueError(f"U has {r} columns, V has {V.shape[1]} and s ends in {s.shape[-1:]}: "
                         "they must all equal the rank r")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("s must be finite and > 0 (full-rank product)")
    lam = np.asarray(lam, dtype=float)
    if not np.all(np.isfinite(lam)):
        raise ValueError("lam must be finite")
    s1sq, s2sq = _split_squares(s, lam[..., None])
    w1tw1 = np.einsum("ia,...a,ja->...ij", V, s1sq, V)
    w2w2t = np.einsum("ia,...a,ja->...ij", U, s2sq, U)
    return w1tw1, w2w2t


def kernel_distance_map(sigma_yx: ArrayLike, X: ArrayLike, U0: ArrayLike, V0: ArrayLike,
                        s0: ArrayLike, scales: ArrayLike, lams: ArrayLike) -> np.ndarray:
    """Kernel distance between NTK(0) and NTK(∞) over a grid of initial scale and λ (App. A.4).

    The initial weights are λ-balanced with hidden_dim = r = min(in_dim, out_dim) and product
    ``W2W1(0) = U0 diag(scale·s0) V0ᵀ``; their NTK follows from :func:`balanced_grams`. The final
    NTK is the limit of the exact solution, W1ᵀW1(∞) = Ṽ diag((√(λ²+4s̃²) − λ)/2) Ṽᵀ and
    W2W2ᵀ(∞) = Ũ diag((√(λ²+4s̃²) + λ)/2) Ũᵀ (Theorems C.3/C.4, SPEC B.10), independent of the
    initial directions. The distance 1 − ⟨K₀, K∞⟩/(‖K₀‖‖K∞‖) (SPEC B.11) is computed from these
    blocks without forming any kernel.

    Parameters
    ----------
    sigma_yx : (out_dim, in_dim)
        Task correlation Σ̃yx of a whitened task, rank r.
    X : (in_dim, P)
        Inputs at which the NTK is evaluated.
    U0 : (out_dim, r), V0 : (in_dim, r)
        Initial singular vectors of W2W1(0) (e.g. from ``np.linalg.svd(W2 @ W1)`` of one
        :func:`~lazyrich.lambda_balanced` draw).
    s0 : (r,)
        Shape of the initial singular values; the grid multiplies it by each scale.
    scales : (n_scales,)
        Absolute scales (positive).
    lams : (n_lams,)
        Relative scales λ.

    Returns
    -------
    ndarray, shape (n_scales, n_lams)
        Kernel distances in [0, 1].

    Raises
    ------
    ValueError
        On mismatched shapes, non-positive scales or a rank-deficient task.

    Examples
    --------
    >>> import lazyrich as lr
    >>> rng = np.random.default_rng(1)
    >>> task = lr.random_regression(8, 2, 2, rng=rng)
    >>> W1, W2 = lr.lambda_balanced(2, 2, 2, 0.0, scale=1.0, rng=rng)
    >>> U0, _, V0t = np.linalg.svd(W2 @ W1)
    >>> kernel_distance_map(task.sigma_yx, task.X, U0, V0t.T, [1.0, 0.5], [1e-2, 1.0], [-5, 0, 5]).shape
    (2, 3)
    """
    sigma_yx = as_matrix("sigma_yx", sigma_yx)
    no, ni = sigma_yx.shape
    r = min(ni, no)
    X = as_matrix("X", X, (ni, None))
    U0 = as_matrix("U0", U0, (no, None))[:, :r]
    V0 = as_matrix("V0", V0, (ni, None))[:, :r]
    s0 = np.asarray(s0, dtype=float)
    if s0.shape != (r,):
        raise ValueError(f"s0 must hold r = min(in_dim, out_dim) = {r} values, got shape {s0.shape}")
    scales = np.atleast_1d(np.asarray(scales, dtype=float))
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if scales.ndim != 1 or lams.ndim != 1:
        raise ValueError(f"scales and lams must be 1-D, got shapes {scales.shape} and {lams.shape}")
    if not np.all(np.isfinite(scales)) or np.any(scales <= 0):
        raise ValueError(f"scales must be finite and > 0, got min {scales.min()!r}")
    U, s_task, Vt = np.linalg.svd(sigma_yx, full_matrices=False)
    if s_task[-1] <= 1e-12 * s_task[0]:
        raise ValueError(f"sigma_yx must have full rank {r}; its smallest singular value is {s_task[-1]:.3g}")
    A0, B0 = balanced_grams(U0, V0, scales[:, None, None] * s0, lams[None, :])
    Af, Bf = balanced_grams(U, Vt.T, np.broadcast_to(s_task, (lams.size, r)), lams)
    C = X @ X.T
    cross = _ntk_inner(A0, B0, Af, Bf, C)
    n0 = _ntk_inner(A0, B0, A0, B0, C)
    nf = _ntk_inner(Af, Bf, Af, Bf, C)
    return np.clip(1.0 - cross / np.sqrt(n0 * nf), 0.0, 1.0)


def slow_rate(s_target: ArrayLike, lam: ArrayLike) -> np.ndarray:
    """Slow rate of the delayed-rich regime, √(s̃² + λ²/4) − |λ|/2 (SPEC B.11, Thm C.6).

    Computed in the rationalised form s̃²/(√(s̃² + λ²/4) + |λ|/2), which has no cancellation and
    tends to s̃²/|λ| for |λ| ≫ s̃. Broadcasts ``s_target`` against ``lam``.

    Examples
    --------
    >>> float(slow_rate(1.0, 0.0)), round(float(slow_rate(0.5, 40.0) * 40 / 0.25), 4)
    (1.0, 0.9998)
    """
    s = np.asarray(s_target, dtype=float)
    lam = np.abs(np.asarray(lam, dtype=float))
    return s**2 / (np.sqrt(s**2 + lam**2 / 4.0) + lam / 2.0)
