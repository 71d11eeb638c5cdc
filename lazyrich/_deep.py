"""Beyond the paper: deeper linear networks and two-layer nonlinear networks (SPEC B.16).

There is no closed form here; these are simulators and kernels for numerical study. Weights are
lists ``[W1, ..., WL]`` with ``W_l`` of shape (n_l, n_{l-1}); data hold one sample per column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from ._initialisation import _haar
from ._simulation import Trajectory, check_run, descend
from ._validation import as_matrix, check_dim, check_positive


def _chain(Ws: Sequence[np.ndarray], lo: int, hi: int, n: int) -> np.ndarray:
    """W_hi ⋯ W_{lo+1} (product of layers lo+1..hi, 1-based), identity of size n if empty."""
    out = np.eye(n)
    for W in Ws[lo:hi]:
        out = W @ out
    return out


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


def deep_lambda_balanced(dims: Sequence[int], lams: Sequence[float] | float, *,
                         scale: float = 1.0, rng: np.random.Generator) -> list[np.ndarray]:
    """Layer-wise λ-balanced weights for a deep linear network (SPEC B.16).

    ``dims = [in_dim, h, ..., h, out_dim]`` with L = len(dims) − 1 weight layers and equal hidden
    widths h <= min(in_dim, out_dim). Each adjacent pair satisfies
    W_{l+1}ᵀW_{l+1} − W_l W_lᵀ = λ_l I, and W_L⋯W_1 = U·scale·Vᵀ.

    Construction: W_l = R_l S_l R_{l-1}ᵀ with R_0 = V, R_L = U and random orthogonal hidden
    rotations; per mode, S_l² = x + λ_1 + … + λ_{l-1}, with x solving Π_l S_l = scale.

    Raises
    ------
    ValueError
        For fewer than two layers, unequal hidden widths, h > min(in, out), or a wrong number of λs.
    """
    dims = [check_dim(f"dims[{i}]", d) for i, d in enumerate(dims)]
    L = len(dims) - 1
    if L < 2:
        raise ValueError(f"need at least two weight layers, got dims = {dims}")
    hidden = dims[1:-1]
    h = hidden[0]
    if any(x != h for x in hidden):
        raise ValueError(f"hidden widths must be equal, got {hidden}")
    if h > min(dims[0], dims[-1]):
        raise ValueError(f"hidden width {h} must be <= min(in_dim, out_dim) = {min(dims[0], dims[-1])}")
    lams = np.asarray(lams, dtype=float)
    if lams.ndim == 0:
        lams = np.full(L - 1, float(lams))
    if lams.shape != (L - 1,):
        raise ValueError(f"need {L - 1} balance values (one per adjacent pair), got {lams.shape}")
    scale = check_positive("scale", scale)
    offsets = np.concatenate([[0.0], np.cumsum(lams)])  # S_l^2 = x + offsets[l-1]
    x_min = max(0.0, -offsets.min())

    def log_prod(x: float) -> float:
        return 0.5 * np.sum(np.log(x + offsets)) - np.log(scale)

    lo = x_min + 1e-300 + 4 * np.finfo(float).eps * x_min
    if log_prod(lo) > 0:
        raise ValueError(f"scale = {scale:g} is too small to resolve with these balances {lams}")
    hi = max(1.0, x_min + 1.0)
    while log_prod(hi) < 0:
        hi *= 2.0
    x = brentq(log_prod, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    svals = np.sqrt(x + offsets)  # (L,)
    V = _haar(rng, dims[0], h)
    U = _haar(rng, dims[-1], h)
    Rs = [V] + [_haar(rng, h, h) for _ in range(L - 1)] + [U]
    return [svals[l] * Rs[l + 1] @ Rs[l].T for l in range(L)]


def deep_balance(Ws: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The conserved matrices W_{l+1}ᵀW_{l+1} − W_l W_lᵀ for every adjacent pair (stacks allowed)."""
    sw = lambda a: np.swapaxes(a, -1, -2)  # noqa: E731
    return [sw(Ws[l + 1]) @ Ws[l + 1] - Ws[l] @ sw(Ws[l]) for l in range(len(Ws) - 1)]


def deep_gradient_descent(Ws: Sequence[ArrayLike], X: ArrayLike, Y: ArrayLike, *, lr: float,
                          steps: int, record_every: int = 1) -> tuple[np.ndarray, list[np.ndarray]]:
    """Full-batch gradient descent on (1/2P)‖W_L⋯W_1 X − Y‖_F² for a deep linear network.

    Returns ``(t, [W1s, ..., WLs])`` with each ``W_ls`` of shape (T, n_l, n_{l-1}), recorded before
    the update at steps 0, record_every, …, steps; t = step·lr.
    """
    Ws = [as_matrix(f"Ws[{i}]", W) for i, W in enumerate(Ws)]
    X, Y, lr, steps, record_every = check_run(Ws[0].shape[1], Ws[-1].shape[0], X, Y, lr, steps,
                                              record_every)
    P = X.shape[1]
    sxx, syx = X @ X.T / P, Y @ X.T / P
    L = len(Ws)

    def descent(*Ws: np.ndarray) -> list[np.ndarray]:
        E = syx - _chain(Ws, 0, L, Ws[0].shape[1]) @ sxx
        return [_chain(Ws, l + 1, L, Ws[l].shape[0]).T @ E @ _chain(Ws, 0, l, Ws[0].shape[1]).T
                for l in range(L)]

    return descend(Ws, descent, lr=lr, steps=steps, record_every=record_every)


def deep_ntk(Ws: Sequence[np.ndarray], X: ArrayLike) -> np.ndarray:
    """NTK of f(x) = W_L⋯W_1 x: Σ_l (A_l A_lᵀ) ⊗ (B_l X)ᵀ(B_l X), A_l = W_L⋯W_{l+1}, B_l = W_{l-1}⋯W_1.

    Output-major vectorisation as in :func:`lazyrich.ntk`; single weights only (no time axis).
    """
    X = np.asarray(X, dtype=float)
    L = len(Ws)
    no, P = Ws[-1].shape[0], X.shape[1]
    K = np.zeros((no * P, no * P))
    for l in range(L):
        A = _chain(Ws, l + 1, L, Ws[l].shape[0])
        B = _chain(Ws, 0, l, X.shape[0]) @ X
        K += np.kron(A @ A.T, B.T @ B)
    return K


# -- two-layer nonlinear networks ----------------------------------------------------------------
def _activation(name: str):
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z: (z > 0).astype(float))
    if name == "linear":
        return (lambda z: z), (lambda z: np.ones_like(z))
    raise ValueError(f"activation must be 'tanh', 'relu' or 'linear', got {name!r}")


def nonlinear_gradient_descent(W1: ArrayLike, W2: ArrayLike, X: ArrayLike, Y: ArrayLike, *,
                               activation: str, lr: float, steps: int,
                               record_every: int = 1) -> Trajectory:
    """Full-batch gradient descent on (1/2P)‖W2 φ(W1 X) − Y‖_F², φ = tanh, relu or linear.

    Returns a :class:`Trajectory` with records before each update, t = step·lr (its ``w2w1`` is
    not the network function here, since φ sits between the layers).
    """
    phi, dphi = _activation(activation)
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2, (None, W1.shape[0]))
    X, Y, lr, steps, record_every = check_run(W1.shape[1], W2.shape[0], X, Y, lr, steps, record_every)
    P = X.shape[1]

    def descent(W1: np.ndarray, W2: np.ndarray) -> list[np.ndarray]:
        Z = W1 @ X
        H = phi(Z)
        E = (Y - W2 @ H) / P
        return [((W2.T @ E) * dphi(Z)) @ X.T, E @ H.T]

    t, (R1, R2) = descend([W1, W2], descent, lr=lr, steps=steps, record_every=record_every)
    return Trajectory(t, R1, R2)


def nonlinear_ntk(W1: ArrayLike, W2: ArrayLike, X: ArrayLike, activation: str) -> np.ndarray:
    """NTK of f(x) = W2 φ(W1 x), output-major:

        K[(o,p),(o',p')] = δ_oo' φ(h_p)ᵀφ(h_p') + Σ_k W2[o,k] W2[o',k] φ'(z_kp) φ'(z_kp') x_pᵀx_p'.
    """
    phi, dphi = _activation(activation)
    W1 = np.asarray(W1, dtype=float)
    W2 = np.asarray(W2, dtype=float)
    X = np.asarray(X, dtype=float)
    Z = W1 @ X
    H = phi(Z)
    D = dphi(Z)
    no = W2.shape[0]
    first = np.kron(np.eye(no), H.T @ H)
    # Σ_k W2[o,k]W2[o',k] D[k,p]D[k,p'] (x_p·x_p'), as a (no, P, no, P) array
    second = np.einsum("ok,qk,kp,kr->opqr", W2, W2, D, D) * (X.T @ X)[None, :, None, :]
    P = X.shape[1]
    return first + second.reshape(no * P, no * P)
