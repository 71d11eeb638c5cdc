"""Deep linear networks: λ-balanced initialisation, gradient descent, the gradient-flow reference,
the lazy (frozen-kernel) limit and the NTK (beyond the paper; its Section 7 leaves depth open).

There is no closed form here: these are simulators and kernels for numerical study, and the flow
integrated to a tight tolerance is what the deep chapters compare against. Weights are lists
``[W1, ..., WL]`` with ``W_l`` of shape (n_l, n_{l-1}); data hold one sample per column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from ._linalg import chain, haar, network_product, swap
from ._measures import data_loss
from ._simulation import check_run, descend, integrate
from ._validation import (FROZEN_RTOL, ODE_ATOL, SeedLike, as_array, as_matrix, as_rng, check_dim,
                          check_positive, check_times, check_tolerance, scaled_times)


@dataclass(frozen=True)
class DeepTrajectory:
    """Recorded weights of a deep training run.

    Unpacks like the pair it replaces: ``t, Ws = run`` (and ``t, (W1s, W2s) = run``).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times t/τ = step · lr of the records.
    Ws : list of ndarray
        ``[W1s, ..., WLs]``, ``W_ls`` of shape (T, n_l, n_{l-1}).
    lr : float or None
        Learning rate of a gradient-descent run.
    """

    t: np.ndarray
    Ws: list[np.ndarray]
    lr: float | None = None

    def __iter__(self) -> Iterator:
        return iter((self.t, self.Ws))

    def product(self) -> np.ndarray:
        """Network function W_L⋯W_1 at every record, shape (T, n_L, n_0)."""
        return network_product(self.Ws)

    def balance(self) -> list[np.ndarray]:
        """W_{l+1}ᵀW_{l+1} − W_l W_lᵀ for every adjacent pair, each of shape (T, n_l, n_l)."""
        return deep_balance(self.Ws)

    def loss(self, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
        """Training loss (1/2P)‖W_L⋯W_1 X − Y‖_F² at every record."""
        return np.asarray(data_loss(self.product(), X, Y))


def deep_lambda_balanced(dims: Sequence[int], lams: Sequence[float] | float, *,
                         scale: float = 1.0, rng: SeedLike) -> list[np.ndarray]:
    """Layer-wise λ-balanced weights for a deep linear network.

    ``dims = [in_dim, h, ..., h, out_dim]`` with L = len(dims) − 1 weight layers and equal hidden
    widths h <= min(in_dim, out_dim). Each adjacent pair satisfies
    W_{l+1}ᵀW_{l+1} − W_l W_lᵀ = λ_l I, and W_L⋯W_1 = U·scale·Vᵀ. ``rng`` is anything
    ``np.random.default_rng`` accepts.

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
    lams = as_array("lams", lams)
    if lams.ndim == 0:
        lams = np.full(L - 1, float(lams))
    if lams.shape != (L - 1,):
        raise ValueError(f"need {L - 1} balance values (one per adjacent pair), got {lams.shape}")
    if not np.all(np.isfinite(lams)):
        raise ValueError(f"lams must be finite, got {lams}")
    scale = check_positive("scale", scale)
    rng = as_rng(rng)
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
    V = haar(rng, dims[0], h)
    U = haar(rng, dims[-1], h)
    Rs = [V] + [haar(rng, h, h) for _ in range(L - 1)] + [U]
    return [svals[l] * Rs[l + 1] @ Rs[l].T for l in range(L)]


def deep_balance(Ws: Sequence[ArrayLike]) -> list[np.ndarray]:
    """The conserved matrices W_{l+1}ᵀW_{l+1} − W_l W_lᵀ for every adjacent pair (stacks allowed)."""
    Ws = [as_array(f"Ws[{i}]", W) for i, W in enumerate(Ws)]
    return [swap(Ws[l + 1]) @ Ws[l + 1] - Ws[l] @ swap(Ws[l]) for l in range(len(Ws) - 1)]


def _check_layers(Ws: Sequence[ArrayLike], min_layers: int = 2) -> list[np.ndarray]:
    Ws = [as_matrix(f"Ws[{i}]", W) for i, W in enumerate(Ws)]
    if len(Ws) < min_layers:
        raise ValueError(f"need at least {'two' if min_layers == 2 else min_layers} weight layers, "
                         f"got {len(Ws)}")
    for i in range(1, len(Ws)):
        if Ws[i].shape[1] != Ws[i - 1].shape[0]:
            raise ValueError(f"Ws[{i}] has shape {Ws[i].shape} but Ws[{i - 1}] has shape "
                             f"{Ws[i - 1].shape}: {Ws[i].shape[1]} != {Ws[i - 1].shape[0]}")
    return Ws


def _check_deep(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike,
                sigma_xx: ArrayLike | None) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    Ws = _check_layers(Ws)
    ni, no = Ws[0].shape[1], Ws[-1].shape[0]
    syx = as_matrix("sigma_yx", sigma_yx, (no, ni))
    sxx = np.eye(ni) if sigma_xx is None else as_matrix("sigma_xx", sigma_xx, (ni, ni))
    return Ws, syx, sxx


_FLOW_DOCS = {
    "{flow_inputs}": """Ws : sequence of arrays
        Initial weights ``[W1, ..., WL]``, ``W_l`` of shape (n_l, n_{l-1}), L >= 2.
    sigma_yx : array, shape (n_L, n_0)
        Input-output covariance Σ̃yx.""",
    "{sigma_xx}": """sigma_xx : array, shape (n_0, n_0), optional
        Input covariance Σ̃xx; the identity (whitened inputs) by default.""",
}


def _flow_doc(fn):
    """Fill in the parameter descriptions the deep flows share (``_FLOW_DOCS``)."""
    for key, text in _FLOW_DOCS.items():
        if fn.__doc__:  # None under python -OO
            fn.__doc__ = fn.__doc__.replace(key, text)
    return fn


def _deep_descent(Ws: Sequence[np.ndarray], syx: np.ndarray, sxx: np.ndarray) -> list[np.ndarray]:
    """Negative gradients A_lᵀ (Σ̃yx − W_L⋯W_1 Σ̃xx) B_lᵀ of every layer, A_l = W_L⋯W_{l+1},
    B_l = W_{l-1}⋯W_1."""
    L, ni = len(Ws), Ws[0].shape[1]
    E = syx - chain(Ws, 0, L, ni) @ sxx
    return [chain(Ws, l + 1, L, Ws[l].shape[0]).T @ E @ chain(Ws, 0, l, ni).T for l in range(L)]


def deep_gradient_descent(Ws: Sequence[ArrayLike], X: ArrayLike, Y: ArrayLike, *, lr: float,
                          steps: int, record_every: int = 1) -> DeepTrajectory:
    """Full-batch gradient descent on (1/2P)‖W_L⋯W_1 X − Y‖_F² for a deep linear network.

    Returns a :class:`DeepTrajectory` (``t, [W1s, ..., WLs] = run`` still works) with each
    ``W_ls`` of shape (T, n_l, n_{l-1}), recorded before the update at steps 0, record_every, …,
    steps; t = step·lr.
    """
    Ws = _check_layers(Ws, min_layers=1)
    X, Y, lr, steps, record_every = check_run(Ws[0].shape[1], Ws[-1].shape[0], X, Y, lr, steps,
                                              record_every)
    P = X.shape[1]
    sxx, syx = X @ X.T / P, Y @ X.T / P
    t, records = descend(Ws, lambda *W: _deep_descent(W, syx, sxx), lr=lr, steps=steps,
                         record_every=record_every)
    return DeepTrajectory(t, records, lr)


def deep_ntk(Ws: Sequence[ArrayLike], X: ArrayLike) -> np.ndarray:
    """NTK of f(x) = W_L⋯W_1 x: Σ_l (A_l A_lᵀ) ⊗ (B_l X)ᵀ(B_l X), A_l = W_L⋯W_{l+1}, B_l = W_{l-1}⋯W_1.

    Output-major vectorisation as in :func:`lazyrich.ntk`; single weights only (no time axis).
    """
    Ws = _check_layers(Ws, min_layers=1)
    X = as_matrix("X", X, (Ws[0].shape[1], None))
    L = len(Ws)
    no, P = Ws[-1].shape[0], X.shape[1]
    K = np.zeros((no * P, no * P))
    for l in range(L):
        A = chain(Ws, l + 1, L, Ws[l].shape[0])
        B = chain(Ws, 0, l, X.shape[0]) @ X
        K += np.kron(A @ A.T, B.T @ B)
    return K


@_flow_doc
def deep_gradient_flow(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike, t: ArrayLike, *,
                       sigma_xx: ArrayLike | None = None, tau: float = 1.0, rtol: float = 1e-10,
                       atol: float = ODE_ATOL) -> list[np.ndarray]:
    """Gradient flow of a deep linear network, integrated by ``solve_ivp`` (DOP853).

    Integrates, for every layer l = 1, …, L,

    .. math::

        \\tau \\dot W_l = A_l^\\top (\\tilde\\Sigma_{yx} - W_L\\cdots W_1 \\tilde\\Sigma_{xx}) B_l^\\top,
        \\quad A_l = W_L\\cdots W_{l+1},\\; B_l = W_{l-1}\\cdots W_1,

    the flow of the loss (1/2P)‖W_L⋯W_1 X − Y‖². It is the deep counterpart of
    :func:`lazyrich.gradient_flow`: no learning-rate error, so conserved quantities stay conserved
    to the solver's tolerance. As there, the tiny default ``atol`` makes the tolerance relative.

    Parameters
    ----------
    {flow_inputs}
    t : float or 1-D array
        Times (any order, duplicates allowed, >= 0).
    {sigma_xx}
    tau, rtol, atol : float
        Time constant and solver tolerances.

    Returns
    -------
    list of arrays
        ``[W1s, ..., WLs]``, ``W_ls`` of shape (len(t), n_l, n_{l-1}) (no time axis for scalar t).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Ws = [0.1 * rng.standard_normal((2, 2)) for _ in range(3)]
    >>> W1s, W2s, W3s = deep_gradient_flow(Ws, np.eye(2), [0.0, 50.0])
    >>> np.allclose(W3s[-1] @ W2s[-1] @ W1s[-1], np.eye(2), atol=1e-6)
    True
    """
    Ws, syx, sxx = _check_deep(Ws, sigma_yx, sigma_xx)
    tau = check_positive("tau", tau)
    rtol, atol = check_positive("rtol", rtol), check_tolerance("atol", atol)
    times, scalar = check_times(t)
    shapes = [W.shape for W in Ws]
    sizes = np.cumsum([0] + [W.size for W in Ws])
    L = len(Ws)

    def unpack(y: np.ndarray) -> list[np.ndarray]:
        return [y[sizes[i]:sizes[i + 1]].reshape(shapes[i]) for i in range(L)]

    def rhs(_, y):
        return np.concatenate([g.ravel() for g in _deep_descent(unpack(y), syx, sxx)]) / tau

    Ys = integrate(rhs, np.concatenate([W.ravel() for W in Ws]), times, rtol=rtol, atol=atol)
    out = [Ys[:, sizes[i]:sizes[i + 1]].reshape((-1,) + shapes[i]) for i in range(L)]
    return [o[0] for o in out] if scalar else out


@_flow_doc
def deep_lazy_product(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike, t: ArrayLike, *,
                      sigma_xx: ArrayLike | None = None, tau: float = 1.0) -> np.ndarray:
    """Network map W(t) = W_L⋯W_1 of a deep linear network in the lazy limit (frozen kernel).

    Freezing every A_l = W_L⋯W_{l+1} and B_l = W_{l-1}⋯W_1 at their initial values turns the flow
    of the product into a linear ODE (the deep form of the lazy limit of Theorem 5.1):

    .. math::

        \\tau \\dot W = \\sum_l A_l A_l^\\top (\\tilde\\Sigma_{yx} - W\\tilde\\Sigma_{xx}) B_l^\\top B_l.

    With x = vec W (column-major), b = vec Σ̃yx, S = Σ̃xx ⊗ I and M = Σ_l (B_lᵀB_l) ⊗ (A_lA_lᵀ),
    this is τẋ = M(b − Sx). Its solution is x(t) = x(0) + M^{1/2}φ(t), where
    τφ' = M^{1/2}(b − Sx(0)) − Gφ with the symmetric G = M^{1/2} S M^{1/2}; one eigendecomposition
    of G gives every time at once. This is what gradient flow approaches when the kernel does not
    move, so its distance from the true flow measures how rich a run is.

    Parameters
    ----------
    {flow_inputs}
    t : float or 1-D array
        Times (>= 0).
    {sigma_xx}
    tau : float
        Time constant.

    Returns
    -------
    ndarray
        Shape (len(t), n_L, n_0), or (n_L, n_0) for scalar t.

    Examples
    --------
    Two 1×1 layers a = 0.5, b = 2 relax at the rate a² + b² = 4.25:

    >>> W = deep_lazy_product([np.array([[0.5]]), np.array([[2.0]])], np.array([[2.0]]), 1.0)
    >>> bool(np.isclose(W[0, 0], 2.0 - np.exp(-4.25)))
    True
    """
    Ws, syx, sxx = _check_deep(Ws, sigma_yx, sigma_xx)
    tau = check_positive("tau", tau)
    s, scalar = scaled_times(t, tau)
    L, ni, no = len(Ws), Ws[0].shape[1], Ws[-1].shape[0]
    M = np.zeros((ni * no, ni * no))
    for l in range(L):
        A = chain(Ws, l + 1, L, Ws[l].shape[0])
        B = chain(Ws, 0, l, ni)
        M += np.kron(B.T @ B, A @ A.T)
    ev, V = np.linalg.eigh(0.5 * (M + M.T))
    Mh = (V * np.sqrt(np.clip(ev, 0.0, None))) @ V.T
    S = np.kron(sxx, np.eye(no))
    G = Mh @ S @ Mh
    g, U = np.linalg.eigh(0.5 * (G + G.T))
    g = np.clip(g, 0.0, None)
    x0 = chain(Ws, 0, L, ni).ravel(order="F")
    r = U.T @ (Mh @ (syx.ravel(order="F") - S @ x0))
    s = s[:, None]
    moving = g > FROZEN_RTOL * max(float(g.max()), 1e-300)
    gs = np.where(moving, g, 1.0)
    frac = np.where(moving, -np.expm1(-s * gs) / gs, s)  # (1 − e^{−g t/τ})/g, or t/τ where g = 0
    x = x0 + ((frac * r) @ U.T) @ Mh.T
    out = x.reshape(len(s), ni, no).transpose(0, 2, 1)  # column-major vec → (no, ni)
    return out[0] if scalar else out
