"""Training protocols built on the exact solution and on gradient descent: continual and reversal
learning, transfer and fine-tuning (paper Section 6, App. D.1–D.4).

The exact solution is chained across task switches: λ-balance is conserved by gradient flow, so the
weights left by one task (``ExactSolution.weights``) start the next with the same λ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._exact import ExactSolution
from ._initialisation import split_singular_values
from ._measures import data_loss, task_loss
from ._simulation import gradient_descent
from ._tasks import Task
from ._validation import (RANK_RTOL, as_array, as_matrix, check_dim, check_finite, check_positive,
                          check_weights)


def continual_exact(W1: ArrayLike, W2: ArrayLike, tasks: Sequence[Task], duration: float,
                    n_points: int = 200, *, tau: float = 1.0) -> dict[str, np.ndarray]:
    """Train on ``tasks`` in sequence for ``duration`` each, with the exact solution (App. D.1).

    Returns a dict with ``t`` (T,), ``w2w1`` (T, out, in), ``loss`` (T, n_tasks): the loss on every
    task at every time (including its irreducible part), and ``task_index`` (T,): the task being
    trained. Times within each task are spaced linearly; the last point of a task is the first of
    the next.
    """
    W1, W2 = check_weights(W1, W2)
    duration = check_positive("duration", duration)
    n_points = check_dim("n_points", n_points)
    ts, ws, idx = [], [], []
    for k, task in enumerate(tasks):
        sol = ExactSolution(W1, W2, task.sigma_yx, tau=tau)
        local = np.linspace(0.0, duration, n_points + 1)[(1 if k else 0):]
        ts.append(k * duration + local)
        ws.append(sol.w2w1(local))
        idx.append(np.full(len(local), k))
        W1, W2 = sol.weights(duration)
    t = np.concatenate(ts)
    w = np.concatenate(ws)
    loss = np.stack([task_loss(w, task.sigma_yx, task.loss_offset) for task in tasks], axis=1)
    return {"t": t, "w2w1": w, "loss": loss, "task_index": np.concatenate(idx)}


def continual_gd(W1: ArrayLike, W2: ArrayLike, tasks: Sequence[Task], *, lr: float, steps: int,
                 record_every: int = 1) -> dict[str, np.ndarray]:
    """The same protocol as :func:`continual_exact`, simulated by gradient descent.

    Each task gets ``steps`` updates; records have times t = step·lr from the start of the sequence.
    """
    W1, W2 = check_weights(W1, W2)
    steps = check_dim("steps", steps)
    if steps % check_dim("record_every", record_every):
        raise ValueError(f"record_every = {record_every} must divide steps = {steps}, so that each "
                         "task starts from the last recorded weights")
    ts, ws, idx, balances = [], [], [], []
    for k, task in enumerate(tasks):
        run = gradient_descent(W1, W2, task.X, task.Y, lr=lr, steps=steps, record_every=record_every)
        sl = slice(1, None) if k else slice(None)
        ts.append(k * steps * lr + run.t[sl])
        ws.append(run.w2w1()[sl])
        balances.append(run.balance()[sl])
        idx.append(np.full(len(run.t[sl]), k))
        W1, W2 = run.W1[-1], run.W2[-1]
    w = np.concatenate(ws)
    loss = np.stack([data_loss(w, task.X, task.Y) for task in tasks], axis=1)
    return {"t": np.concatenate(ts), "w2w1": w, "loss": loss, "task_index": np.concatenate(idx),
            "balance": np.concatenate(balances)}


def first_time_below(t: ArrayLike, curve: ArrayLike, threshold: float) -> float:
    """First time at which ``curve`` drops below ``threshold``, interpolated linearly in log t.

    Returns ``inf`` if it never does. Useful for time-to-learn and time-to-reverse plots.
    """
    t = as_array("t", t)
    y = as_array("curve", curve)
    threshold = check_finite("threshold", threshold)
    below = np.flatnonzero(y < threshold)
    if below.size == 0:
        return float("inf")
    k = below[0]
    if k == 0:
        return float(t[0])
    t0, t1, y0, y1 = t[k - 1], t[k], y[k - 1], y[k]
    frac = (y0 - threshold) / (y0 - y1)
    if t0 > 0:
        return float(np.exp(np.log(t0) + frac * (np.log(t1) - np.log(t0))))
    return float(t0 + frac * (t1 - t0))


def rebalance(W1: ArrayLike, W2: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Re-balance a network to ``lam`` without changing its function W2W1 (fine-tuning, App. D.4).

    With W2W1 = U S Vᵀ, the new weights are W1' = R S1 Vᵀ and W2' = U S2 Rᵀ with
    S2 S1 = S and S2² − S1² = lam (Theorem 5.2), where the hidden rotation R is the one closest to
    the current first layer (polar factor of W1 V), so the hidden units keep their identity.

    A scalar rescaling W1 → αW1, W2 → W2/α keeps the function too, but it keeps λ-balance only
    when W1W1ᵀ ∝ I; this construction is exact for any network with hidden_dim <= min(in, out).

    Raises
    ------
    ValueError
        If hidden_dim > min(in_dim, out_dim), or W2W1 is rank deficient.
    """
    W1, W2 = check_weights(W1, W2)
    lam = check_finite("lam", lam)
    h, ni = W1.shape
    no = W2.shape[0]
    if h > min(ni, no):
        raise ValueError(f"rebalance needs hidden_dim <= min(in_dim, out_dim), got {h} > {min(ni, no)}")
    U, s, Vt = np.linalg.svd(W2 @ W1, full_matrices=False)
    U, s, Vt = U[:, :h], s[:h], Vt[:h]
    if s[-1] <= RANK_RTOL * s[0]:
        raise ValueError(f"W2 W1 is rank deficient (singular values {s}); the split is not unique")
    a, _, bt = np.linalg.svd(W1 @ Vt.T)  # polar factor of W1 V
    R = a @ bt
    s1, s2 = split_singular_values(s, lam)
    return R @ (s1[:, None] * Vt), (U * s2) @ R.T


def new_feature_generalisation(w1tw1: ArrayLike, X: ArrayLike, item: int) -> np.ndarray:
    """Transfer of a new output feature trained on one item only (App. D.3).

    A new readout w (1 × hidden) learns target 1 on item p from w = 0, with the hidden layer fixed.
    Gradient flow converges to w = h_pᵀ/‖h_p‖² (h = W1x), so its prediction on item q is

        ŷ_q = x_pᵀ W1ᵀW1 x_q / x_pᵀ W1ᵀW1 x_p,

    the p-th row of the input RSM normalised by its diagonal. Returns ŷ over all items (P,).
    """
    X = as_matrix("X", X)
    rsm = X.T @ as_matrix("w1tw1", w1tw1, (X.shape[0], X.shape[0])) @ X
    return rsm[item] / rsm[item, item]


def half_times(t: ArrayLike, s: ArrayLike, s_target: ArrayLike) -> np.ndarray:
    """First time each mode strength s_α(t) reaches half its target s̃_α, shape (m,).

    A mode's step (its sigmoid at λ = 0, paper Theorem 5.1) is placed at the first time
    s̃_α − s_α(t) falls below s̃_α/2, interpolated as in :func:`first_time_below`; ``inf`` where
    the mode never gets there on the grid (for instance a mode stuck at a saddle).

    Parameters
    ----------
    t : array, shape (T,)
        Increasing times.
    s : array, shape (T, m)
        Mode strengths (e.g. singular values of W2W1, sorted like ``s_target``) at the times t.
    s_target : array, shape (m,)
        Task singular values s̃_α, all > 0.

    Examples
    --------
    >>> from lazyrich import aligned_singular_values
    >>> t = np.geomspace(1e-2, 1e2, 2001)
    >>> s = aligned_singular_values([1e-3], [1.0], 0.0, t)
    >>> float(np.round(half_times(t, s, [1.0])[0], 3)), float(np.round(np.log(999.0) / 2, 3))
    (3.453, 3.453)
    """
    t = np.asarray(t, dtype=float)
    s = np.asarray(s, dtype=float)
    s_target = np.atleast_1d(np.asarray(s_target, dtype=float))
    if t.ndim != 1 or s.shape != (len(t), len(s_target)):
        raise ValueError(f"s must have shape (len(t), len(s_target)) = ({len(t)}, {len(s_target)}), "
                         f"got {s.shape}")
    if not np.all(s_target > 0):
        raise ValueError(f"s_target must be positive, got {s_target}")
    return np.array([first_time_below(t, target - s[:, a], target / 2)
                     for a, target in enumerate(s_target)])
