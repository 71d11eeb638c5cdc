"""λ-balanced initialisations (paper Section 3, Theorem 5.2, App. A.3 and Algorithm 1)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._linalg import haar, split_squares
from ._validation import MAX_ENTRY, SeedLike, as_array, as_matrix, as_rng, check_dim, check_finite


def split_singular_values(s: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Share product singular values between the layers of a λ-balanced network (Theorem 5.2).

    Returns ``(s1, s2)`` with ``s2 * s1 = s`` and ``s2**2 - s1**2 = lam``::

        s2 = sqrt((sqrt(lam² + 4 s²) + lam) / 2),   s1 = sqrt((sqrt(lam² + 4 s²) - lam) / 2).

    The smaller of the two is computed as ``s² / big`` so that it stays accurate when
    ``|lam| >> s`` (no cancellation).

    Examples
    --------
    >>> s1, s2 = split_singular_values([1.0], 3.0)
    >>> float(s2[0]**2 - s1[0]**2), float(s1[0] * s2[0])
    (3.0, 1.0)
    """
    s1sq, s2sq = split_squares(as_array("s", s), check_finite("lam", lam))
    return np.sqrt(s1sq), np.sqrt(s2sq)


def check_admissible(in_dim: int, hidden_dim: int, out_dim: int, lam: float) -> None:
    """Raise ``ValueError`` unless full-rank λ-balanced weights of these sizes exist (App. A.3).

    * ``hidden_dim <= min(in_dim, out_dim)``: every λ is possible.
    * ``min < hidden_dim <= max``: λ = 0, or sign(λ) = sign(out_dim - in_dim).
    * ``hidden_dim > max(in_dim, out_dim)``: only λ = 0.
    """
    lo, hi = min(in_dim, out_dim), max(in_dim, out_dim)
    if hidden_dim <= lo or lam == 0:
        return
    if hidden_dim > hi:
        raise ValueError(
            f"hidden_dim = {hidden_dim} exceeds max(in_dim, out_dim) = {hi}: lambda-balanced weights "
            f"then exist only for lam = 0, got lam = {lam:g}"
        )
    need = "positive" if out_dim > in_dim else "negative"
    if np.sign(lam) != np.sign(out_dim - in_dim):
        raise ValueError(
            f"hidden_dim = {hidden_dim} exceeds min(in_dim, out_dim) = {lo}, so lam must be {need} "
            f"(sign of out_dim - in_dim = {out_dim} - {in_dim}) or zero, got lam = {lam:g}: the "
            f"extra {hidden_dim - lo} hidden direction(s) can only live in the larger layer"
        )


def lambda_balanced(
    in_dim: int,
    hidden_dim: int,
    out_dim: int,
    lam: float,
    *,
    scale: float | ArrayLike = 1.0,
    rng: SeedLike | None = None,
    aligned_to: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(W1, W2)`` with ``W2ᵀW2 − W1W1ᵀ = lam·I`` (paper Algorithm 1, Theorem 5.2).

    The network function is ``W2 W1 = U diag(scale) Vᵀ`` with r = min(hidden, in, out) singular
    values; the layers share them as in Theorem 5.2 (:func:`split_singular_values`), and a random
    rotation ``R`` of the hidden layer is applied: ``W2 = U S2 Rᵀ``, ``W1 = R S1 Vᵀ``. When
    ``hidden_dim > min(in_dim, out_dim)`` the extra hidden directions get singular value
    ``sqrt(|lam|)`` in the larger layer (App. A.3).

    Parameters
    ----------
    in_dim, hidden_dim, out_dim
        Layer widths N_i, N_h, N_o.
    lam
        The relative scale λ (``lambda`` is a Python keyword).
    scale
        The absolute scale: singular values of ``W2 W1`` (a number, or r positive numbers).
        Small values (e.g. 1e-3) give rich learning at λ ≈ 0 (Section 4.2).
    rng
        Source of randomness for U, V and R: anything ``np.random.default_rng`` accepts (a
        Generator, or an int seed). Required unless ``aligned_to`` is given.
    aligned_to
        A task correlation ``sigma_yx`` (out_dim × in_dim). If given, U and V are its leading
        singular vectors: the task-aligned initialisation of Theorem 5.1. R is random if ``rng`` is
        given, else the identity.

    Returns
    -------
    W1 : ndarray, shape (hidden_dim, in_dim)
    W2 : ndarray, shape (out_dim, hidden_dim)

    Raises
    ------
    ValueError
        If no full-rank λ-balanced weights exist for these sizes and λ (see
        :func:`check_admissible`), if ``scale`` is not positive, or if ``rng`` is missing.

    Examples
    --------
    >>> W1, W2 = lambda_balanced(3, 2, 4, 0.5, rng=np.random.default_rng(0))
    >>> np.allclose(W2.T @ W2 - W1 @ W1.T, 0.5 * np.eye(2))
    True
    """
    in_dim = check_dim("in_dim", in_dim)
    hidden_dim = check_dim("hidden_dim", hidden_dim)
    out_dim = check_dim("out_dim", out_dim)
    lam = check_finite("lam", lam)
    check_admissible(in_dim, hidden_dim, out_dim, lam)
    r = min(in_dim, hidden_dim, out_dim)
    s = as_array("scale", scale)
    if s.ndim == 0:
        s = np.full(r, float(s))
    if s.shape != (r,):
        raise ValueError(f"scale must be a number or {r} singular values, got shape {s.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"scale must be finite and > 0 (full rank), got {s}")
    if np.max(s) > MAX_ENTRY or abs(lam) > MAX_ENTRY:
        raise ValueError(f"scale = {np.max(s):.3g} and lam = {lam:.3g} must be at most {MAX_ENTRY:.0e} "
                         "in size: the squared singular values would overflow float64")

    if aligned_to is not None:
        sigma_yx = as_matrix("aligned_to", aligned_to, (out_dim, in_dim))
        U_full, _, Vt_full = np.linalg.svd(sigma_yx, full_matrices=True)
        V_full = Vt_full.T
        R = haar(as_rng(rng), hidden_dim, hidden_dim) if rng is not None else np.eye(hidden_dim)
    else:
        if rng is None:
            raise ValueError("rng is required for a random initialisation: pass a seed or "
                             "np.random.default_rng(seed)")
        rng = as_rng(rng)
        U_full = haar(rng, out_dim, out_dim)
        V_full = haar(rng, in_dim, in_dim)
        R = haar(rng, hidden_dim, hidden_dim)

    s1, s2 = split_singular_values(s, lam)
    # Hidden directions: r shared ones, then hidden_dim - r extra ones in the larger layer.
    S1 = np.zeros((hidden_dim, in_dim))
    S2 = np.zeros((out_dim, hidden_dim))
    S1[np.arange(r), np.arange(r)] = s1
    S2[np.arange(r), np.arange(r)] = s2
    for j in range(r, hidden_dim):
        if lam > 0:
            S2[j, j] = np.sqrt(lam)
        elif lam < 0:
            S1[j, j] = np.sqrt(-lam)
    W1 = R @ S1 @ V_full.T
    W2 = U_full @ S2 @ R.T
    return W1, W2


def balance_matrix(W1: ArrayLike, W2: ArrayLike) -> np.ndarray:
    """The conserved matrix ``W2ᵀW2 − W1W1ᵀ`` (paper Eq. 4). Works on stacks ``(..., h, in)``.

    Examples
    --------
    >>> W1, W2 = lambda_balanced(2, 2, 2, -1.0, rng=np.random.default_rng(1))
    >>> np.round(balance_matrix(W1, W2), 12) + 0.0
    array([[-1.,  0.],
           [ 0., -1.]])
    """
    W1 = np.asarray(W1, dtype=float)
    W2 = np.asarray(W2, dtype=float)
    return np.swapaxes(W2, -1, -2) @ W2 - W1 @ np.swapaxes(W1, -1, -2)


def estimate_lambda(W1: ArrayLike, W2: ArrayLike) -> np.ndarray | float:
    """Least-squares λ* = Tr(W2ᵀW2 − W1W1ᵀ)/hidden_dim (App. A.3). Works on stacks."""
    B = balance_matrix(W1, W2)
    out = np.trace(B, axis1=-2, axis2=-1) / B.shape[-1]
    return float(out) if np.ndim(out) == 0 else out


def gaussian_balance_moments(in_dim: int, hidden_dim: int, out_dim: int, sigma1: float,
                             sigma2: float) -> dict[str, float]:
    """Moments of W2ᵀW2 − W1W1ᵀ for iid Gaussian weights (paper App. A.3).

    With W1 entries N(0, σ1²) and W2 entries N(0, σ2²):

    * mean: (N_o σ2² − N_i σ1²) I, so the best λ is N_o σ2² − N_i σ1²;
    * off-diagonal variance: N_o σ2⁴ + N_i σ1⁴;
    * diagonal variance: 2 (N_o σ2⁴ + N_i σ1⁴).

    For LeCun initialisation (σ1² = 1/N_i, σ2² = 1/N_h) the mean is N_o/N_h − 1 and both variances
    vanish like 1/width, so wide networks are approximately λ-balanced entry by entry.
    """
    off = out_dim * sigma2**4 + in_dim * sigma1**4
    return {"lam": out_dim * sigma2**2 - in_dim * sigma1**2, "var_off": off, "var_diag": 2 * off}


def sample_balance_moments(in_dim: int, hidden_dim: int, out_dim: int, sigma1: float,
                           sigma2: float, *, n_draws: int, rng: SeedLike) -> dict[str, float]:
    """Monte-Carlo estimates of the moments of :func:`gaussian_balance_moments`.

    ``rng`` is anything ``np.random.default_rng`` accepts.
    """
    rng = as_rng(rng)
    W1 = sigma1 * rng.standard_normal((n_draws, hidden_dim, in_dim))
    W2 = sigma2 * rng.standard_normal((n_draws, out_dim, hidden_dim))
    B = balance_matrix(W1, W2)
    idx = np.arange(hidden_dim)
    diag = B[:, idx, idx].ravel()
    off = B[:, ~np.eye(hidden_dim, dtype=bool)].ravel()
    return {"lam": float(diag.mean()), "var_off": float(off.var()), "var_diag": float(diag.var())}


def balanced_grams(U: ArrayLike, V: ArrayLike, s: ArrayLike,
                   lam: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Gram matrices W1ᵀW1 and W2W2ᵀ of λ-balanced weights with W2W1 = U diag(s) Vᵀ (Theorem 5.2).

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
    >>> rng = np.random.default_rng(0)
    >>> W1, W2 = lambda_balanced(3, 2, 2, 0.5, scale=[1.0, 0.3], rng=rng)
    >>> U, s, Vt = np.linalg.svd(W2 @ W1, full_matrices=False)
    >>> A, B = balanced_grams(U, Vt[:2].T, s[:2], 0.5)
    >>> bool(np.allclose(A, W1.T @ W1) and np.allclose(B, W2 @ W2.T))
    True
    """
    U = as_matrix("U", U)
    V = as_matrix("V", V)
    s = as_array("s", s)
    r = U.shape[1]
    if V.shape[1] != r or s.shape[-1:] != (r,):
        raise ValueError(f"U has {r} columns, V has {V.shape[1]} and s ends in {s.shape[-1:]}: "
                         "they must all equal the rank r")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("s must be finite and > 0 (full-rank product)")
    lam = as_array("lam", lam)
    if not np.all(np.isfinite(lam)):
        raise ValueError("lam must be finite")
    s1sq, s2sq = split_squares(s, lam[..., None])
    w1tw1 = np.einsum("ia,...a,ja->...ij", V, s1sq, V)
    w2w2t = np.einsum("ia,...a,ja->...ij", U, s2sq, U)
    return w1tw1, w2w2t
