"""Beyond the paper: a gradient-flow reference and the lazy (frozen-kernel) limit for deep linear
networks (SPEC B.16).

The two-layer exact solution has no deep counterpart. These two functions give what the chapters
on deeper networks compare against instead: the gradient flow itself, integrated to a tight
tolerance (no learning-rate error), and its linearisation around the initial weights, which is what
the flow approaches when the network is lazy.

Weights are lists ``[W1, ..., WL]`` with ``W_l`` of shape (n_l, n_{l-1}).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from ._validation import as_matrix, check_positive, check_times


def _chain(Ws: Sequence[np.ndarray], lo: int, hi: int, n: int) -> np.ndarray:
    """Product W_hi ⋯ W_{lo+1} of the layers lo+1..hi (1-based); the identity of size n if empty."""
    out = np.eye(n)
    for W in Ws[lo:hi]:
        out = W @ out
    return out


def _check_deep(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike,
                sigma_xx: ArrayLike | None) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    Ws = [as_matrix(f"Ws[{i}]", W) for i, W in enumerate(Ws)]
    if len(Ws) < 2:
        raise ValueError(f"need at least two weight layers, got {len(Ws)}")
    for i in range(1, len(Ws)):
        if Ws[i].shape[1] != Ws[i - 1].shape[0]:
            raise ValueError(f"Ws[{i}] has shape {Ws[i].shape} but Ws[{i - 1}] has shape "
                             f"{Ws[i - 1].shape}: {Ws[i].shape[1]} != {Ws[i - 1].shape[0]}")
    ni, no = Ws[0].shape[1], Ws[-1].shape[0]
    syx = as_matrix("sigma_yx", sigma_yx, (no, ni))
    sxx = np.eye(ni) if sigma_xx is None else as_matrix("sigma_xx", sigma_xx, (ni, ni))
    return Ws, syx, sxx


def deep_gradient_flow(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike, t: ArrayLike, *,
                       sigma_xx: ArrayLike | None = None, tau: float = 1.0, rtol: float = 1e-10,
                       atol: float = 1e-20) -> list[np.ndarray]:
    """Gradient flow of a deep linear network, integrated by ``solve_ivp`` (DOP853).

    Integrates, for every layer l = 1, …, L (SPEC B.16),

    .. math::

        \\tau \\dot W_l = A_l^\\top (\\tilde\\Sigma_{yx} - W_L\\cdots W_1 \\tilde\\Sigma_{xx}) B_l^\\top,
        \\quad A_l = W_L\\cdots W_{l+1},\\; B_l = W_{l-1}\\cdots W_1,

    the flow of the loss (1/2P)‖W_L⋯W_1 X − Y‖². It is the deep counterpart of
    :func:`lazyrich.gradient_flow`: no learning-rate error, so conserved quantities stay conserved
    to the solver's tolerance. As there, the tiny default ``atol`` makes the tolerance relative.

    Parameters
    ----------
    Ws : sequence of arrays
        Initial weights ``[W1, ..., WL]``, ``W_l`` of shape (n_l, n_{l-1}), L >= 2.
    sigma_yx : array, shape (n_L, n_0)
        Input-output covariance Σ̃yx.
    t : float or 1-D array
        Times (any order, >= 0).
    sigma_xx : array, shape (n_0, n_0), optional
        Input covariance Σ̃xx; the identity (whitened inputs) by default.
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
    times, scalar = check_times(t)
    order = np.argsort(times)
    ts = times[order]
    shapes = [W.shape for W in Ws]
    sizes = np.cumsum([0] + [W.size for W in Ws])
    L, ni = len(Ws), shapes[0][1]

    def unpack(y: np.ndarray) -> list[np.ndarray]:
        return [y[sizes[i]:sizes[i + 1]].reshape(shapes[i]) for i in range(L)]

    def rhs(_, y):
        cur = unpack(y)
        E = syx - _chain(cur, 0, L, ni) @ sxx
        return np.concatenate([(_chain(cur, l + 1, L, shapes[l][0]).T @ E
                                @ _chain(cur, 0, l, ni).T).ravel() for l in range(L)]) / tau

    y0 = np.concatenate([W.ravel() for W in Ws])
    if ts[-1] > 0:
        sol = solve_ivp(rhs, (0.0, ts[-1]), y0, method="DOP853", t_eval=ts, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        Ys = sol.y.T
    else:
        Ys = np.tile(y0, (len(ts), 1))
    out = []
    for i in range(L):
        arr = np.empty((len(ts),) + shapes[i])
        arr[order] = Ys[:, sizes[i]:sizes[i + 1]].reshape((-1,) + shapes[i])
        out.append(arr[0] if scalar else arr)
    return out


def deep_lazy_product(Ws: Sequence[ArrayLike], sigma_yx: ArrayLike, t: ArrayLike, *,
                      sigma_xx: ArrayLike | None = None, tau: float = 1.0) -> np.ndarray:
    """Network map W(t) = W_L⋯W_1 of a deep linear network in the lazy limit (frozen kernel).

    Freezing every A_l = W_L⋯W_{l+1} and B_l = W_{l-1}⋯W_1 at their initial values turns the flow
    of the product into a linear ODE (SPEC B.16; the deep form of the one-layer limit of B.7):

    .. math::

        \\tau \\dot W = \\sum_l A_l A_l^\\top (\\tilde\\Sigma_{yx} - W\\tilde\\Sigma_{xx}) B_l^\\top B_l.

    With x = vec W (column-major), b = vec Σ̃yx, S = Σ̃xx ⊗ I and M = Σ_l (B_lᵀB_l) ⊗ (A_lA_lᵀ),
    this is τẋ = M(b − Sx). Its solution is x(t) = x(0) + M^{1/2}φ(t), where
    τφ' = M^{1/2}(b − Sx(0)) − Gφ with the symmetric G = M^{1/2} S M^{1/2}; one eigendecomposition
    of G gives every time at once. This is what gradient flow approaches when the kernel does not
    move, so its distance from the true flow measures how rich a run is.

    Parameters
    ----------
    Ws : sequence of arrays
        Initial weights ``[W1, ..., WL]``, ``W_l`` of shape (n_l, n_{l-1}), L >= 2.
    sigma_yx : array, shape (n_L, n_0)
        Input-output covariance Σ̃yx.
    t : float or 1-D array
        Times (>= 0).
    sigma_xx : array, shape (n_0, n_0), optional
        Input covariance Σ̃xx; the identity by default.
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
    times, scalar = check_times(t)
    L, ni, no = len(Ws), Ws[0].shape[1], Ws[-1].shape[0]
    M = np.zeros((ni * no, ni * no))
    for l in range(L):
        A = _chain(Ws, l + 1, L, Ws[l].shape[0])
        B = _chain(Ws, 0, l, ni)
        M += np.kron(B.T @ B, A @ A.T)
    ev, V = np.linalg.eigh(0.5 * (M + M.T))
    Mh = (V * np.sqrt(np.clip(ev, 0.0, None))) @ V.T
    S = np.kron(sxx, np.eye(no))
    G = Mh @ S @ Mh
    g, U = np.linalg.eigh(0.5 * (G + G.T))
    g = np.clip(g, 0.0, None)
    x0 = _chain(Ws, 0, L, ni).ravel(order="F")
    r = U.T @ (Mh @ (syx.ravel(order="F") - S @ x0))
    s = times[:, None] / tau
    moving = g > 1e-14 * max(float(g.max()), 1e-300)
    gs = np.where(moving, g, 1.0)
    frac = np.where(moving, -np.expm1(-s * gs) / gs, s)  # (1 − e^{−g t/τ})/g, or t/τ where g = 0
    x = x0 + ((frac * r) @ U.T) @ Mh.T
    out = x.reshape(len(times), ni, no).transpose(0, 2, 1)  # column-major vec → (no, ni)
    return out[0] if scalar else out


__all__ = ["deep_gradient_flow", "deep_lazy_product"]
