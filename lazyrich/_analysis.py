"""Analysis: NTK, representational similarity, kernel distance, noise, forgetting, aligned modes.

SPEC sections B.7 (aligned singular values), B.9 (NTK, RSMs), B.10–B.11 (task specificity, kernel
distance), B.12 (noise sensitivity) and B.13 (forgetting). Functions accept stacked inputs with
leading (time) axes wherever that is natural.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._exact import ExactSolution
from ._initialisation import split_singular_values
from ._validation import check_finite, check_positive, check_times


def _swap(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


# -- NTK and representations -----------------------------------------------------------------
def ntk(w1tw1: ArrayLike, w2w2t: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Neural tangent kernel of f(x) = W2W1x on the samples X (SPEC B.9).

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
    A = np.asarray(w1tw1, dtype=float)
    B = np.asarray(w2w2t, dtype=float)
    X = np.asarray(X, dtype=float)
    no, P = B.shape[-1], X.shape[1]
    XAX = _swap(X) @ A @ X  # (..., P, P)
    XX = X.T @ X
    lead = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    K = np.einsum("op,...qr->...oqpr", np.eye(no), np.broadcast_to(XAX, lead + (P, P)))
    K = K + np.einsum("...op,qr->...oqpr", np.broadcast_to(B, lead + (no, no)), XX)
    return K.reshape(lead + (no * P, no * P))


def input_rsm(w1tw1: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Hidden-layer similarity of the inputs, Xᵀ(W1ᵀW1)X, shape (..., P, P) (SPEC B.9)."""
    X = np.asarray(X, dtype=float)
    return X.T @ np.asarray(w1tw1, dtype=float) @ X


def output_rsm(w2w2t: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Hidden codes that produce Y with least norm, compared: Yᵀ(W2W2ᵀ)⁺Y, shape (..., P, P)."""
    Y = np.asarray(Y, dtype=float)
    return Y.T @ np.linalg.pinv(np.asarray(w2w2t, dtype=float), hermitian=True) @ Y


def matrix_cosine(A: ArrayLike, B: ArrayLike) -> np.ndarray | float:
    """Cosine ⟨A, B⟩_F/(‖A‖_F‖B‖_F) between matrices, broadcast over leading axes."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    num = np.sum(A * B, axis=(-2, -1))
    den = np.linalg.norm(A, axis=(-2, -1)) * np.linalg.norm(B, axis=(-2, -1))
    out = num / den
    return float(out) if np.ndim(out) == 0 else out


def kernel_distance(K0: ArrayLike, K1: ArrayLike) -> np.ndarray | float:
    """Kernel distance 1 − ⟨K0, K1⟩_F/(‖K0‖_F‖K1‖_F) (Fort et al. 2020; SPEC B.11).

    0 means the kernel kept its direction (lazy); larger values mean it moved (rich).
    Broadcasts over leading axes, e.g. ``kernel_distance(K[0], K)`` for a whole run.
    """
    out = 1.0 - np.asarray(matrix_cosine(K0, K1))
    out = np.maximum(out, 0.0)  # round-off can give -1e-16
    return float(out) if np.ndim(out) == 0 else out


def _ntk_inner(A: np.ndarray, B: np.ndarray, A2: np.ndarray, B2: np.ndarray,
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
    """Kernel distance between NTK(0) and NTK(t) (SPEC B.9, B.11), from the QQᵀ blocks.

    Equal to ``kernel_distance(ntk(w1tw1_0, w2w2t_0, X), ntk(w1tw1, w2w2t, X))`` but never forms
    the (out·P)² kernels, so it is cheap over long runs and sweeps. The second pair may carry a
    leading time axis.
    """
    X = np.asarray(X, dtype=float)
    C = X @ X.T
    A0, B0 = np.asarray(w1tw1_0, dtype=float), np.asarray(w2w2t_0, dtype=float)
    A, B = np.asarray(w1tw1, dtype=float), np.asarray(w2w2t, dtype=float)
    cross = _ntk_inner(A0, B0, A, B, C)
    n0 = _ntk_inner(A0, B0, A0, B0, C)
    n1 = _ntk_inner(A, B, A, B, C)
    out = np.maximum(1.0 - cross / np.sqrt(n0 * n1), 0.0)
    return float(out) if np.ndim(out) == 0 else out


def task_specificity(gram: ArrayLike, basis: ArrayLike, s_target: ArrayLike) -> np.ndarray | float:
    """Thesis task-specificity score max(cos(G, B S̃ Bᵀ), cos(G, B S̃² Bᵀ)) (SPEC B.10).

    Use ``basis = Ṽ`` for W1ᵀW1 and ``basis = Ũ`` for W2W2ᵀ, with the task singular values.
    """
    Bm = np.asarray(basis, dtype=float)
    s = np.asarray(s_target, dtype=float)
    c1 = np.asarray(matrix_cosine(gram, (Bm * s) @ Bm.T))
    c2 = np.asarray(matrix_cosine(gram, (Bm * s**2) @ Bm.T))
    out = np.maximum(c1, c2)
    return float(out) if np.ndim(out) == 0 else out


def converged_representations(sigma_yx: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """W1ᵀW1(∞) and W2W2ᵀ(∞) for hidden_dim = min(in, out) and invertible B (SPEC B.6).

        W1ᵀW1(∞) = Ṽ diag((√(λ²+4s̃²) − λ)/2) Ṽᵀ,   W2W2ᵀ(∞) = Ũ diag((√(λ²+4s̃²) + λ)/2) Ũᵀ.
    """
    U, s, Vt = np.linalg.svd(np.asarray(sigma_yx, dtype=float), full_matrices=False)
    s1, s2 = split_singular_values(s, lam)
    return (Vt.T * s1**2) @ Vt, (U * s2**2) @ U.T


# -- losses, noise and forgetting ------------------------------------------------------------
def task_loss(w2w1: ArrayLike, sigma_yx: ArrayLike, offset: float = 0.0) -> np.ndarray | float:
    """Loss on a whitened task, ½‖W2W1 − Σ̃yx‖_F² + offset (SPEC A.1, B.13). Broadcasts over time."""
    E = np.asarray(w2w1, dtype=float) - np.asarray(sigma_yx, dtype=float)
    out = 0.5 * np.sum(E**2, axis=(-2, -1)) + offset
    return float(out) if np.ndim(out) == 0 else out


def forgetting(sigma_i: ArrayLike, sigma_j: ArrayLike, sigma_k: ArrayLike) -> float:
    """Forgetting of task i when training on k after converging on j (SPEC B.13; Braun et al. 2022).

        F_i(T_j → T_k) = ½(‖Σ̃_k − Σ̃_i‖_F² − ‖Σ̃_j − Σ̃_i‖_F²),

    independent of λ, since the converged network function is.
    """
    si, sj, sk = (np.asarray(a, dtype=float) for a in (sigma_i, sigma_j, sigma_k))
    return 0.5 * float(np.sum((sk - si) ** 2) - np.sum((sj - si) ** 2))


def parameter_noise_sensitivity(W1: ArrayLike, W2: ArrayLike, sigma: float) -> np.ndarray | float:
    """Expected loss increase when every weight gets iid N(0, σ²) noise, whitened inputs (SPEC B.12).

        ΔL = (σ²/2)(N_o‖W1‖_F² + N_i‖W2‖_F²) + (σ⁴/2) N_i N_h N_o.
    """
    W1 = np.asarray(W1, dtype=float)
    W2 = np.asarray(W2, dtype=float)
    sigma = check_finite("sigma", sigma)
    nh, ni = W1.shape[-2:]
    no = W2.shape[-2]
    n1 = np.sum(W1**2, axis=(-2, -1))
    n2 = np.sum(W2**2, axis=(-2, -1))
    out = 0.5 * sigma**2 * (no * n1 + ni * n2) + 0.5 * sigma**4 * ni * nh * no
    return float(out) if np.ndim(out) == 0 else out


def input_noise_sensitivity(w2w1: ArrayLike, sigma: float) -> np.ndarray | float:
    """Expected loss increase for inputs x → x + ε, ε ~ N(0, σ²I): (σ²/2)‖W2W1‖_F² (SPEC B.12)."""
    sigma = check_finite("sigma", sigma)
    out = 0.5 * sigma**2 * np.sum(np.asarray(w2w1, dtype=float) ** 2, axis=(-2, -1))
    return float(out) if np.ndim(out) == 0 else out


def converged_parameter_noise(s_target: ArrayLike, lam: float, sigma: float, in_dim: int,
                              hidden_dim: int, out_dim: int) -> float:
    """Parameter-noise sensitivity at convergence as a function of λ (SPEC B.12).

    Uses ‖W1‖² = Σ(√(λ²+4s̃²) − λ)/2 and ‖W2‖² = Σ(√(λ²+4s̃²) + λ)/2 over the task modes, plus abs(λ)
    for each extra hidden direction in the larger layer when hidden_dim > min(in, out).
    """
    s = np.asarray(s_target, dtype=float)[: min(in_dim, out_dim, hidden_dim)]
    s1, s2 = split_singular_values(s, lam)
    extra = (hidden_dim - len(s)) * abs(lam)
    n1 = float(np.sum(s1**2)) + (extra if lam < 0 else 0.0)
    n2 = float(np.sum(s2**2)) + (extra if lam > 0 else 0.0)
    return 0.5 * sigma**2 * (out_dim * n1 + in_dim * n2) + 0.5 * sigma**4 * in_dim * hidden_dim * out_dim


def monte_carlo_noise(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike, sigma: float, *,
                      kind: str, rng: np.random.Generator, n_draws: int = 2000) -> tuple[float, float]:
    """Monte-Carlo estimate of the expected loss increase under noise, with its standard error.

    ``kind="parameter"`` perturbs every weight by N(0, σ²); ``kind="input"`` perturbs whitened
    inputs, whose expected loss increase is ½ E‖W2W1ε‖² (SPEC B.12).
    """
    W1 = np.asarray(W1, dtype=float)
    W2 = np.asarray(W2, dtype=float)
    S = np.asarray(sigma_yx, dtype=float)
    sigma = check_positive("sigma", sigma)
    if kind == "parameter":
        N1 = W1 + sigma * rng.standard_normal((n_draws,) + W1.shape)
        N2 = W2 + sigma * rng.standard_normal((n_draws,) + W2.shape)
        d = task_loss(N2 @ N1, S) - task_loss(W2 @ W1, S)
    elif kind == "input":
        eps = sigma * rng.standard_normal((n_draws, W1.shape[1]))
        d = 0.5 * np.sum((eps @ (W2 @ W1).T) ** 2, axis=1)
    else:
        raise ValueError(f"kind must be 'parameter' or 'input', got {kind!r}")
    d = np.asarray(d)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(n_draws))


# -- task-aligned modes ------------------------------------------------------------------------
def aligned_singular_values(s0: ArrayLike, s_target: ArrayLike, lam: float, t: ArrayLike, *,
                            tau: float = 1.0) -> np.ndarray:
    """Singular values s_α(t) of W2W1 under task-aligned λ-balanced initialisation (Theorem 5.1).

    Each mode is a 1-1-1 network with a = cd, d² − c² = λ, obeying
    τ da/dt = √(λ² + 4a²)(s̃ − a) (SPEC B.7), which depends on λ only through λ². It is solved here
    as the 1×1 case of the exact solution, evaluated stably, so it holds for any sign of λ,
    including λ = 0 (the Saxe et al. sigmoid) and a0 < 0 (the mode must cross zero; at λ = 0 it
    cannot, and decays to the saddle a = 0).

    Parameters
    ----------
    s0 : (m,) initial mode strengths a_α(0) (signed); s_target : (m,) task singular values s̃_α.
    lam : float; t : scalar or (T,) times; tau : time constant.

    Returns
    -------
    ndarray, shape (T, m) (or (m,) for scalar t).

    Examples
    --------
    >>> np.round(aligned_singular_values([0.01], [1.0], 0.0, [0.0, 10.0]), 6)
    array([[0.01],
           [1.  ]])
    """
    lam = check_finite("lam", lam)
    tau = check_positive("tau", tau)
    times, scalar = check_times(t)
    a0, st = np.broadcast_arrays(np.asarray(s0, dtype=float), np.asarray(s_target, dtype=float))
    a0, st = np.atleast_1d(a0).ravel(), np.atleast_1d(st).ravel()
    if not (np.all(np.isfinite(a0)) and np.all(np.isfinite(st))):
        raise ValueError("s0 and s_target must be finite")
    if np.any(st < 0):
        raise ValueError(f"s_target are singular values and must be >= 0, got min {st.min():g}")
    # Mode weights: c (layer 1) >= 0, d (layer 2) carries the sign of a0; d² − c² = λ.
    c, d = split_singular_values(np.abs(a0), lam)
    d = np.where(a0 < 0, -d, d)
    out = np.empty((len(times), len(a0)))
    for k in range(len(a0)):
        mode = ExactSolution([[c[k]]], [[d[k]]], [[st[k]]], tau=tau)
        out[:, k] = mode.w2w1(times)[:, 0, 0]
    return out[0] if scalar else out


def transition_function(s0: ArrayLike, s_target: ArrayLike, lam: float, t: ArrayLike, *,
                        tau: float = 1.0) -> np.ndarray:
    """γ_α(t; λ) = (s_α(t) − s_α(0))/(s̃_α − s_α(0)), so that s(t) = s(0) + γ(t)(s̃ − s(0)) (Eq. 17)."""
    a = aligned_singular_values(s0, s_target, lam, t, tau=tau)
    a0, st = np.broadcast_arrays(np.asarray(s0, dtype=float), np.asarray(s_target, dtype=float))
    return (a - np.atleast_1d(a0).ravel()) / (np.atleast_1d(st).ravel() - np.atleast_1d(a0).ravel())
