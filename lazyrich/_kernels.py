"""Neural tangent kernels, representational similarity and kernel distances (paper Sections 4–5,
App. A.4, Theorems C.3/C.4; kernel distance of Fort et al. 2020).

The NTK of the two-layer linear network f(x) = W2W1x depends on the weights only through the blocks
W1ᵀW1 and W2W2ᵀ of QQᵀ, so everything here takes those blocks, with optional leading (time) axes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._initialisation import balanced_grams
from ._linalg import activation_functions, split_squares, swap
from ._validation import RANK_RTOL, as_array, as_matrix, check_finite


def _scalar_or_array(out: np.ndarray) -> np.ndarray | float:
    return float(out) if np.ndim(out) == 0 else out


def ntk(w1tw1: ArrayLike, w2w2t: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Neural tangent kernel of f(x) = W2W1x on the samples X (paper Section 4.2).

        NTK = I_out ⊗ Xᵀ(W1ᵀW1)X + (W2W2ᵀ) ⊗ XᵀX,

    with outputs vectorised output-major (index o·P + p). Exact at all t when the blocks come from
    :class:`~lazyrich.ExactSolution`.

    Parameters
    ----------
    w1tw1 : (..., in_dim, in_dim)
    w2w2t : (..., out_dim, out_dim)
    X : (in_dim, P)

    Returns
    -------
    ndarray, shape (..., out_dim·P, out_dim·P)
    """
    A = as_array("w1tw1", w1tw1)
    B = as_array("w2w2t", w2w2t)
    X = as_matrix("X", X, (A.shape[-1], None))
    no, P = B.shape[-1], X.shape[1]
    XAX = swap(X) @ A @ X  # (..., P, P)
    XX = X.T @ X
    lead = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    K = np.einsum("op,...qr->...oqpr", np.eye(no), np.broadcast_to(XAX, lead + (P, P)))
    K = K + np.einsum("...op,qr->...oqpr", np.broadcast_to(B, lead + (no, no)), XX)
    return K.reshape(lead + (no * P, no * P))


def input_rsm(w1tw1: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Hidden-layer similarity of the inputs, Xᵀ(W1ᵀW1)X, shape (..., P, P) (paper Section 5)."""
    X = as_array("X", X)
    return X.T @ as_array("w1tw1", w1tw1) @ X


def output_rsm(w2w2t: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Hidden codes that produce Y with least norm, compared: Yᵀ(W2W2ᵀ)⁺Y, shape (..., P, P)."""
    Y = as_array("Y", Y)
    return Y.T @ np.linalg.pinv(as_array("w2w2t", w2w2t), hermitian=True) @ Y


def _norms(name: str, M: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(M, axis=(-2, -1))
    if np.any(n == 0):
        raise ValueError(f"{name} is the zero matrix ({int(np.sum(n == 0))} of {n.size}): its direction, "
                         "and so any cosine or kernel distance with it, is undefined")
    return n


def matrix_cosine(A: ArrayLike, B: ArrayLike) -> np.ndarray | float:
    """Cosine ⟨A, B⟩_F/(‖A‖_F‖B‖_F) between matrices, broadcast over leading axes.

    Raises ``ValueError`` if either matrix is zero (the cosine is undefined).
    """
    A = as_array("A", A)
    B = as_array("B", B)
    return _scalar_or_array(np.sum(A * B, axis=(-2, -1)) / (_norms("A", A) * _norms("B", B)))


def kernel_distance(K0: ArrayLike, K1: ArrayLike) -> np.ndarray | float:
    """Kernel distance 1 − ⟨K0, K1⟩_F/(‖K0‖_F‖K1‖_F) (Fort et al. 2020; paper Section 4.2).

    0 means the kernel kept its direction (lazy); larger values mean it moved (rich).
    Broadcasts over leading axes, e.g. ``kernel_distance(K[0], K)`` for a whole run.
    """
    K0 = as_array("K0", K0)
    K1 = as_array("K1", K1)
    cos = np.sum(K0 * K1, axis=(-2, -1)) / (_norms("K0", K0) * _norms("K1", K1))
    return _scalar_or_array(np.maximum(1.0 - cos, 0.0))  # round-off can give -1e-16


def relative_kernel_change(K0: ArrayLike, K1: ArrayLike) -> np.ndarray | float:
    """Relative change ‖K1 − K0‖_F/‖K0‖_F of a kernel, in size as well as direction.

    Complements :func:`kernel_distance`, which sees only a change of direction: a kernel that grows
    without turning has distance 0 but a large relative change. Broadcasts over leading axes.

    >>> float(relative_kernel_change(np.eye(2), 3 * np.eye(2)))
    2.0
    """
    K0 = as_array("K0", K0)
    K1 = as_array("K1", K1)
    return _scalar_or_array(np.linalg.norm(K1 - K0, axis=(-2, -1)) / _norms("K0", K0))


def ntk_inner(A: np.ndarray, B: np.ndarray, A2: np.ndarray, B2: np.ndarray,
              C: np.ndarray) -> np.ndarray:
    """⟨NTK(A, B), NTK(A2, B2)⟩_F with C = X Xᵀ, without forming either kernel.

    NTK = I ⊗ XᵀAX + B ⊗ XᵀX and ⟨P⊗Q, R⊗S⟩ = ⟨P, R⟩⟨Q, S⟩ give
    N_o tr(ACA2C) + tr(B2) tr(AC²) + tr(B) tr(A2C²) + ⟨B, B2⟩ tr(C²).
    """
    no = B.shape[-1]
    C2 = C @ C
    t1 = no * np.einsum("...ij,jk,...kl,li->...", A, C, A2, C)
    t2 = np.trace(B2, axis1=-2, axis2=-1) * np.einsum("...ij,ji->...", A, C2)
    t3 = np.trace(B, axis1=-2, axis2=-1) * np.einsum("...ij,ji->...", A2, C2)
    t4 = np.sum(B * B2, axis=(-2, -1)) * np.trace(C2)
    return t1 + t2 + t3 + t4


def ntk_kernel_distance(w1tw1_0: ArrayLike, w2w2t_0: ArrayLike, w1tw1: ArrayLike,
                        w2w2t: ArrayLike, X: ArrayLike) -> np.ndarray | float:
    """Kernel distance between NTK(0) and NTK(t) (paper Section 4.2), from the QQᵀ blocks.

    Equal to ``kernel_distance(ntk(w1tw1_0, w2w2t_0, X), ntk(w1tw1, w2w2t, X))`` but never forms
    the (out·P)² kernels, so it is cheap over long runs and sweeps. The second pair may carry a
    leading time axis. Raises ``ValueError`` when a kernel is zero (X = 0, say).
    """
    X = as_array("X", X)
    if not np.any(X):
        raise ValueError("X is zero: the NTK is then zero and the kernel distance undefined")
    C = X @ X.T
    A0, B0 = as_array("w1tw1_0", w1tw1_0), as_array("w2w2t_0", w2w2t_0)
    A, B = as_array("w1tw1", w1tw1), as_array("w2w2t", w2w2t)
    cross = ntk_inner(A0, B0, A, B, C)
    n0 = ntk_inner(A0, B0, A0, B0, C)
    n1 = ntk_inner(A, B, A, B, C)
    if np.any(n0 <= 0) or np.any(n1 <= 0):
        raise ValueError("the NTK is zero (zero weights): its direction, and so the kernel "
                         "distance, is undefined")
    return _scalar_or_array(np.maximum(1.0 - cross / np.sqrt(n0 * n1), 0.0))


def task_specificity(gram: ArrayLike, basis: ArrayLike, s_target: ArrayLike) -> np.ndarray | float:
    """Task-specificity score max(cos(G, B S̃ Bᵀ), cos(G, B S̃² Bᵀ)) (paper Section 5).

    Use ``basis = Ṽ`` for W1ᵀW1 and ``basis = Ũ`` for W2W2ᵀ, with the task singular values.
    """
    Bm = as_array("basis", basis)
    s = as_array("s_target", s_target)
    c1 = np.asarray(matrix_cosine(gram, (Bm * s) @ Bm.T))
    c2 = np.asarray(matrix_cosine(gram, (Bm * s**2) @ Bm.T))
    return _scalar_or_array(np.maximum(c1, c2))


def converged_representations(sigma_yx: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """W1ᵀW1(∞) and W2W2ᵀ(∞) for hidden_dim = min(in, out) when gradient flow reaches the global
    minimum (Theorems C.3/C.4):

        W1ᵀW1(∞) = Ṽ diag((√(λ²+4s̃²) − λ)/2) Ṽᵀ,   W2W2ᵀ(∞) = Ũ diag((√(λ²+4s̃²) + λ)/2) Ũᵀ.
    """
    U, s, Vt = np.linalg.svd(as_matrix("sigma_yx", sigma_yx), full_matrices=False)
    s1sq, s2sq = split_squares(s, check_finite("lam", lam))
    return (Vt.T * s1sq) @ Vt, (U * s2sq) @ U.T


def kernel_distance_map(sigma_yx: ArrayLike, X: ArrayLike, U0: ArrayLike, V0: ArrayLike,
                        s0: ArrayLike, scales: ArrayLike, lams: ArrayLike) -> np.ndarray:
    """Kernel distance between NTK(0) and NTK(∞) over a grid of initial scale and λ (App. A.4).

    The initial weights are λ-balanced with hidden_dim = r = min(in_dim, out_dim) and product
    ``W2W1(0) = U0 diag(scale·s0) V0ᵀ``; their NTK follows from :func:`balanced_grams`. The final
    NTK is the limit of the exact solution (:func:`converged_representations`, Theorems C.3/C.4),
    independent of the initial directions. The distance is computed from these blocks without
    forming any kernel. It assumes that gradient flow reaches the global minimum (check a few grid
    points with :func:`~lazyrich.reaches_global_minimum`).

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
    s0 = as_array("s0", s0)
    if s0.shape != (r,):
        raise ValueError(f"s0 must hold r = min(in_dim, out_dim) = {r} values, got shape {s0.shape}")
    scales = np.atleast_1d(as_array("scales", scales))
    lams = np.atleast_1d(as_array("lams", lams))
    if scales.ndim != 1 or lams.ndim != 1:
        raise ValueError(f"scales and lams must be 1-D, got shapes {scales.shape} and {lams.shape}")
    if not np.all(np.isfinite(scales)) or np.any(scales <= 0):
        raise ValueError(f"scales must be finite and > 0, got min {scales.min()!r}")
    U, s_task, Vt = np.linalg.svd(sigma_yx, full_matrices=False)
    if s_task[-1] <= RANK_RTOL * s_task[0]:
        raise ValueError(f"sigma_yx must have full rank {r}; its smallest singular value is {s_task[-1]:.3g}")
    if not np.any(X):
        raise ValueError("X is zero: the NTK is then zero and the kernel distance undefined")
    A0, B0 = balanced_grams(U0, V0, scales[:, None, None] * s0, lams[None, :])
    Af, Bf = balanced_grams(U, Vt.T, np.broadcast_to(s_task, (lams.size, r)), lams)
    C = X @ X.T
    cross = ntk_inner(A0, B0, Af, Bf, C)
    n0 = ntk_inner(A0, B0, A0, B0, C)
    nf = ntk_inner(Af, Bf, Af, Bf, C)
    return np.clip(1.0 - cross / np.sqrt(n0 * nf), 0.0, 1.0)


def nonlinear_ntk(W1: ArrayLike, W2: ArrayLike, X: ArrayLike, activation: str) -> np.ndarray:
    """NTK of f(x) = W2 φ(W1 x), output-major:

        K[(o,p),(o',p')] = δ_oo' φ(h_p)ᵀφ(h_p') + Σ_k W2[o,k] W2[o',k] φ'(z_kp) φ'(z_kp') x_pᵀx_p'.
    """
    phi, dphi = activation_functions(activation)
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2, (None, W1.shape[0]))
    X = as_matrix("X", X, (W1.shape[1], None))
    Z = W1 @ X
    H = phi(Z)
    D = dphi(Z)
    no = W2.shape[0]
    first = np.kron(np.eye(no), H.T @ H)
    # Σ_k W2[o,k]W2[o',k] D[k,p]D[k,p'] (x_p·x_p'), as a (no, P, no, P) array
    second = np.einsum("ok,qk,kp,kr->opqr", W2, W2, D, D) * (X.T @ X)[None, :, None, :]
    P = X.shape[1]
    return first + second.reshape(no * P, no * P)
