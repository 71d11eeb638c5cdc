"""Simulation: full-batch gradient descent, and the gradient-flow and Riccati ODEs integrated by
scipy's ``solve_ivp`` (paper Eq. 2 and Section 4). These are the independent references the exact
solution is checked against; two-layer nonlinear networks are simulated here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from ._exact import riccati_matrix
from ._initialisation import estimate_lambda
from ._kernels import converged_representations, ntk, ntk_kernel_distance
from ._linalg import activation_functions, swap
from ._measures import data_loss
from ._validation import (ODE_ATOL, ODE_RTOL, as_matrix, check_dim, check_positive, check_times,
                          check_tolerance, check_weights)


@dataclass(frozen=True)
class Trajectory:
    """Recorded weights of a training run.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times t/τ = step · lr of the records.
    W1 : ndarray, shape (T, hidden_dim, in_dim)
    W2 : ndarray, shape (T, out_dim, hidden_dim)
    lr : float or None
        Learning rate of a gradient-descent run (None for other trajectories).

    ``t, W1, W2 = run`` unpacks it.
    """

    t: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    lr: float | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        """Unpacks as ``t, W1, W2 = run`` (the tuple simulators used to return)."""
        return iter((self.t, self.W1, self.W2))

    @property
    def steps(self) -> np.ndarray:
        """Step index of each record, t/lr (gradient-descent runs only)."""
        if self.lr is None:
            raise ValueError("this trajectory has no learning rate, so no step indices")
        return np.rint(self.t / self.lr).astype(int)

    def w2w1(self) -> np.ndarray:
        """Network function W2W1 at every record, shape (T, out_dim, in_dim)."""
        return self.W2 @ self.W1

    def w1tw1(self) -> np.ndarray:
        """W1ᵀW1 at every record, shape (T, in_dim, in_dim)."""
        return swap(self.W1) @ self.W1

    def w2w2t(self) -> np.ndarray:
        """W2W2ᵀ at every record, shape (T, out_dim, out_dim)."""
        return self.W2 @ swap(self.W2)

    def qqt(self) -> np.ndarray:
        """QQᵀ with Q = [W1ᵀ; W2] at every record, shape (T, n, n)."""
        Q = np.concatenate([swap(self.W1), self.W2], axis=1)
        return Q @ swap(Q)

    def loss(self, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
        """Training loss (1/2P)‖W2W1X − Y‖_F² at every record."""
        return np.asarray(data_loss(self.w2w1(), X, Y))

    def balance(self) -> np.ndarray:
        """W2ᵀW2 − W1W1ᵀ at every record, shape (T, hidden, hidden)."""
        return swap(self.W2) @ self.W2 - self.W1 @ swap(self.W1)

    def ntk(self, X: ArrayLike) -> np.ndarray:
        """Neural tangent kernel of the linear network on inputs X at every record,
        shape (T, P·out, P·out)."""
        return ntk(self.w1tw1(), self.w2w2t(), X)

    def kernel_distance(self, X: ArrayLike) -> np.ndarray:
        """Kernel distance between the NTK at the first record and at every record, shape (T,)."""
        A, B = self.w1tw1(), self.w2w2t()
        return np.atleast_1d(ntk_kernel_distance(A[0], B[0], A, B, X))

    def relative_weight_change(self) -> np.ndarray:
        """‖θ(t) − θ(0)‖/‖θ(0)‖ over all weights θ = (W1, W2), at every record, shape (T,)."""
        d1 = np.sum((self.W1 - self.W1[0]) ** 2, axis=(-2, -1))
        d2 = np.sum((self.W2 - self.W2[0]) ** 2, axis=(-2, -1))
        return np.sqrt((d1 + d2) / (np.sum(self.W1[0] ** 2) + np.sum(self.W2[0] ** 2)))


def check_run(in_dim: int, out_dim: int, X: ArrayLike, Y: ArrayLike, lr: float, steps: int,
              record_every: int) -> tuple[np.ndarray, np.ndarray, float, int, int]:
    """Validate the data and schedule of a gradient-descent run (one sample per column)."""
    X = as_matrix("X", X, (in_dim, None))
    Y = as_matrix("Y", Y, (out_dim, X.shape[1]))
    return (X, Y, check_positive("lr", lr), check_dim("steps", steps),
            check_dim("record_every", record_every))


def descend(params: list[np.ndarray], direction: Callable[..., list[np.ndarray]], *, lr: float,
            steps: int, record_every: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Plain full-batch descent: ``p += lr · d`` for ``d`` in ``direction(*params)`` (the negative
    gradients), recording every parameter *before* the update at steps 0, record_every, …, steps.

    Returns ``(t, records)`` with t = step·lr and one (T, …) array per parameter. Overflow or NaN
    raises ``ValueError`` naming the step, instead of returning garbage.
    """
    params = [p.copy() for p in params]
    n_rec = steps // record_every + 1
    records = [np.empty((n_rec,) + p.shape) for p in params]
    k = 0
    with np.errstate(over="raise", invalid="raise"):
        try:
            for step in range(steps + 1):
                if step % record_every == 0:
                    for rec, p in zip(records, params):
                        rec[k] = p
                    k += 1
                if step == steps:
                    break
                for p, d in zip(params, direction(*params)):
                    p += lr * d
        except FloatingPointError as err:
            raise ValueError(
                f"gradient descent diverged at step {step} with lr = {lr:g}: reduce the learning rate "
                f"(lr times the largest rate, e.g. |lam| or 2*max singular value, must be << 1)"
            ) from err
    return np.arange(n_rec) * record_every * lr, [rec[:k] for rec in records]


def integrate(rhs: Callable[[float, np.ndarray], np.ndarray], y0: np.ndarray, times: np.ndarray, *,
              rtol: float, atol: float) -> np.ndarray:
    """y(t) of y' = rhs(t, y), y(0) = y0, by ``solve_ivp`` (DOP853) at ``times`` (>= 0, any order,
    duplicates allowed, possibly empty). Returns shape (len(times), len(y0))."""
    if len(times) == 0:
        return np.empty((0, len(y0)))
    uniq, inverse = np.unique(times, return_inverse=True)
    if uniq[-1] > 0:
        sol = solve_ivp(rhs, (0.0, uniq[-1]), y0, method="DOP853", t_eval=uniq, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        Ys = sol.y.T
    else:
        Ys = np.tile(y0, (len(uniq), 1))
    return Ys[inverse]


def gradient_descent(W1: ArrayLike, W2: ArrayLike, X: ArrayLike, Y: ArrayLike, *, lr: float,
                     steps: int, record_every: int = 1) -> Trajectory:
    """Full-batch gradient descent on L = (1/2P)‖W2W1X − Y‖_F² (paper Eq. 2).

    Each step adds the negative gradient times ``lr``:

        W1 += lr · W2ᵀ (Σ̃yx − W2 W1 Σ̃xx),   W2 += lr · (Σ̃yx − W2 W1 Σ̃xx) W1ᵀ,

    which is algebraically the same as the per-sample sum. Weights are recorded *before* the update,
    at steps 0, record_every, 2·record_every, …, steps, so record k is at time t/τ = k·record_every·lr.

    Parameters
    ----------
    W1 : (hidden_dim, in_dim), W2 : (out_dim, hidden_dim)
        Initial weights.
    X : (in_dim, P), Y : (out_dim, P)
        Data, one sample per column.
    lr : float
        Learning rate η (τ = 1/η).
    steps : int
        Number of updates.
    record_every : int
        Record every this many steps.

    Returns
    -------
    Trajectory
    """
    W1, W2 = check_weights(W1, W2)
    X, Y, lr, steps, record_every = check_run(W1.shape[1], W2.shape[0], X, Y, lr, steps, record_every)
    P = X.shape[1]
    sxx = X @ X.T / P
    syx = Y @ X.T / P

    def descent(W1: np.ndarray, W2: np.ndarray) -> list[np.ndarray]:
        E = syx - W2 @ W1 @ sxx
        return [W2.T @ E, E @ W1.T]

    t, (R1, R2) = descend([W1, W2], descent, lr=lr, steps=steps, record_every=record_every)
    return Trajectory(t, R1, R2, lr)


def gradient_flow(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike, t: ArrayLike, *,
                  tau: float = 1.0, sigma_xx: ArrayLike | None = None, rtol: float = ODE_RTOL,
                  atol: float = ODE_ATOL) -> np.ndarray:
    """Reference solution of the gradient-flow ODE by scipy ``solve_ivp`` (DOP853), returning QQᵀ.

    Integrates ``τ dW1/dt = W2ᵀ(Σ̃yx − W2W1Σ̃xx)`` and ``τ dW2/dt = (Σ̃yx − W2W1Σ̃xx)W1ᵀ``
    (paper Eq. 2) on the weights, with no use of balance or of the closed form. It is the
    independent reference the exact solution is tested against. The default ``atol`` is tiny so
    that the tolerance is effectively relative: rich runs start from weights of size 1e-3 or less,
    and an absolute tolerance near their size would dominate the error. Times may come in any
    order, repeat, or be empty.

    Returns
    -------
    ndarray, shape (len(t), n, n) (or (n, n) for scalar t): QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]].
    """
    W1, W2 = check_weights(W1, W2)
    h, ni = W1.shape
    no = W2.shape[0]
    syx = as_matrix("sigma_yx", sigma_yx, (no, ni))
    sxx = np.eye(ni) if sigma_xx is None else as_matrix("sigma_xx", sigma_xx, (ni, ni))
    tau = check_positive("tau", tau)
    rtol, atol = check_positive("rtol", rtol), check_tolerance("atol", atol)
    times, scalar = check_times(t)

    def rhs(_, y):
        A = y[: h * ni].reshape(h, ni)
        B = y[h * ni:].reshape(no, h)
        E = syx - B @ A @ sxx
        return np.concatenate([(B.T @ E).ravel(), (E @ A.T).ravel()]) / tau

    Ys = integrate(rhs, np.concatenate([W1.ravel(), W2.ravel()]), times, rtol=rtol, atol=atol)
    A = Ys[:, : h * ni].reshape(-1, h, ni)
    B = Ys[:, h * ni:].reshape(-1, no, h)
    Q = np.concatenate([swap(A), B], axis=1)
    out = Q @ swap(Q)
    return out[0] if scalar else out


def riccati_flow(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike, t: ArrayLike, *,
                 tau: float = 1.0, rtol: float = 1e-10, atol: float = ODE_ATOL) -> np.ndarray:
    """QQᵀ(t) by scipy ``solve_ivp`` (DOP853) on the Riccati ODE τ d(QQᵀ)/dt = F·QQᵀ + QQᵀ·F − (QQᵀ)².

    What a user without the closed form would run (F from :func:`riccati_matrix`, λ read off the
    weights); used as the competitor in ``benchmarks/``. For the independent reference on the
    weights themselves use :func:`gradient_flow`.

    Returns
    -------
    ndarray, shape (len(t), n, n) (or (n, n) for scalar t), n = in_dim + out_dim.
    """
    W1, W2 = check_weights(W1, W2)
    ni, no = W1.shape[1], W2.shape[0]
    syx = as_matrix("sigma_yx", sigma_yx, (no, ni))
    tau = check_positive("tau", tau)
    rtol, atol = check_positive("rtol", rtol), check_tolerance("atol", atol)
    F = riccati_matrix(syx, estimate_lambda(W1, W2))
    times, scalar = check_times(t)
    n = ni + no
    Q = np.vstack([W1.T, W2])

    def rhs(_, y):
        M = y.reshape(n, n)
        return ((F @ M + M @ F - M @ M) / tau).ravel()

    out = integrate(rhs, (Q @ Q.T).ravel(), times, rtol=rtol, atol=atol).reshape(-1, n, n)
    return out[0] if scalar else out


def nonlinear_gradient_descent(W1: ArrayLike, W2: ArrayLike, X: ArrayLike, Y: ArrayLike, *,
                               activation: str, lr: float, steps: int,
                               record_every: int = 1) -> Trajectory:
    """Full-batch gradient descent on (1/2P)‖W2 φ(W1 X) − Y‖_F², φ = tanh, relu or linear.

    Returns a :class:`Trajectory` with records before each update, t = step·lr (its ``w2w1`` is
    not the network function here, since φ sits between the layers).
    """
    phi, dphi = activation_functions(activation)
    W1, W2 = check_weights(W1, W2)
    X, Y, lr, steps, record_every = check_run(W1.shape[1], W2.shape[0], X, Y, lr, steps, record_every)
    P = X.shape[1]

    def descent(W1: np.ndarray, W2: np.ndarray) -> list[np.ndarray]:
        Z = W1 @ X
        H = phi(Z)
        E = (Y - W2 @ H) / P
        return [((W2.T @ E) * dphi(Z)) @ X.T, E @ H.T]

    t, (R1, R2) = descend([W1, W2], descent, lr=lr, steps=steps, record_every=record_every)
    return Trajectory(t, R1, R2, lr)


def reference_qqt(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike, t: ArrayLike, *,
                  t_converged: float, tau: float = 1.0, converged_rtol: float = 1e-9) -> np.ndarray:
    """QQᵀ(t) over any time range: :func:`gradient_flow` up to ``t_converged``, the converged
    limit beyond.

    The limit is W2W1 = Σ̃yx with the Gram matrices of :func:`converged_representations` (paper
    App. B; it assumes hidden_dim = min(in_dim, out_dim) and a flow that reaches the global
    minimum). Neither part uses the closed form, so this is an independent reference for
    ``ExactSolution`` at times where integrating the ODE would be slow. λ is read off the weights.

    Raises
    ------
    ValueError
        If the ODE at ``t_converged`` differs from the limit by more than ``converged_rtol`` of its
        largest entry: then the flow has not converged there (or converges elsewhere, to a saddle).

    >>> import numpy as np
    >>> W1, W2 = np.array([[0.1]]), np.array([[0.1]])
    >>> q = reference_qqt(W1, W2, [[1.0]], [1.0, 1e6], t_converged=40.0)
    >>> q.shape, bool(np.allclose(q[1], [[1.0, 1.0], [1.0, 1.0]]))
    ((2, 2, 2), True)
    """
    W1, W2 = check_weights(W1, W2)
    syx = as_matrix("sigma_yx", sigma_yx, (W2.shape[0], W1.shape[1]))
    times, scalar = check_times(t)
    t_converged = check_positive("t_converged", t_converged)
    lam = estimate_lambda(W1, W2)
    A, B = converged_representations(syx, lam)
    limit = np.block([[A, syx.T], [syx, B]])
    near = times <= t_converged
    ode = gradient_flow(W1, W2, syx, np.append(times[near], t_converged), tau=tau)
    gap = np.max(np.abs(ode[-1] - limit)) / np.max(np.abs(limit))
    if not gap <= converged_rtol:
        raise ValueError(f"gradient flow has not reached the converged limit by t_converged = "
                         f"{t_converged:g}: relative gap {gap:.2e} > converged_rtol = {converged_rtol:g}")
    out = np.broadcast_to(limit, (len(times),) + limit.shape).copy()
    out[near] = ode[:-1]
    return out[0] if scalar else out
