"""Losses, noise sensitivity and forgetting (paper Section 6 and App. D.1; Braun et al. 2022).

Every function broadcasts over leading (time) axes where that is natural.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._linalg import split_squares
from ._validation import SeedLike, as_array, as_matrix, as_rng, check_dim, check_finite, check_positive


def _scalar_or_array(out: np.ndarray) -> np.ndarray | float:
    return float(out) if np.ndim(out) == 0 else out


def task_loss(w2w1: ArrayLike, sigma_yx: ArrayLike, offset: float = 0.0) -> np.ndarray | float:
    """Loss on a whitened task, ½‖W2W1 − Σ̃yx‖_F² + offset (paper Eq. 2 with Σ̃xx = I).

    ``offset`` is the irreducible part (``Task.loss_offset``). Broadcasts over leading axes.

    >>> task_loss(np.zeros((2, 2)), np.eye(2))
    1.0
    """
    E = as_array("w2w1", w2w1) - as_array("sigma_yx", sigma_yx)
    return _scalar_or_array(0.5 * np.sum(E**2, axis=(-2, -1)) + offset)


def data_loss(w2w1: ArrayLike, X: ArrayLike, Y: ArrayLike) -> np.ndarray | float:
    """Training loss (1/2P)‖W X − Y‖_F² of network functions W on data X (in, P), Y (out, P).

    Broadcasts over leading axes of ``w2w1`` (a stack of network functions over time).

    >>> data_loss(np.eye(2), np.eye(2), np.zeros((2, 2)))
    0.5
    """
    X = as_array("X", X)
    Y = as_array("Y", Y)
    E = as_array("w2w1", w2w1) @ X - Y
    return _scalar_or_array(0.5 * np.sum(E**2, axis=(-2, -1)) / X.shape[1])


def forgetting(sigma_i: ArrayLike, sigma_j: ArrayLike, sigma_k: ArrayLike) -> float:
    """Forgetting of task i when training on k after converging on j (App. D.1; Braun et al. 2022).

        F_i(T_j → T_k) = ½(‖Σ̃_k − Σ̃_i‖_F² − ‖Σ̃_j − Σ̃_i‖_F²),

    independent of λ, since the converged network function is.
    """
    si, sj, sk = (as_matrix(n, a) for n, a in (("sigma_i", sigma_i), ("sigma_j", sigma_j),
                                              ("sigma_k", sigma_k)))
    return float(task_loss(sk, si)) - float(task_loss(sj, si))


def _noise_std(noise_std, sigma) -> float:
    if sigma is not None:
        if noise_std is not None:
            raise ValueError("pass noise_std only (sigma is its old name), not both")
        noise_std = sigma
    if noise_std is None:
        raise ValueError("noise_std is required")
    return check_finite("noise_std", noise_std)


def parameter_noise_sensitivity(W1: ArrayLike, W2: ArrayLike, noise_std: float | None = None, *,
                                sigma: float | None = None) -> np.ndarray | float:
    """Expected loss increase when every weight gets iid N(0, σ²) noise, whitened inputs (Section 6).

        ΔL = (σ²/2)(N_o‖W1‖_F² + N_i‖W2‖_F²) + (σ⁴/2) N_i N_h N_o,

    with σ = ``noise_std`` (``sigma=`` is accepted as its old name). Works on stacks of weights.
    """
    W1 = as_array("W1", W1)
    W2 = as_array("W2", W2)
    sd = _noise_std(noise_std, sigma)
    nh, ni = W1.shape[-2:]
    no = W2.shape[-2]
    n1 = np.sum(W1**2, axis=(-2, -1))
    n2 = np.sum(W2**2, axis=(-2, -1))
    return _scalar_or_array(0.5 * sd**2 * (no * n1 + ni * n2) + 0.5 * sd**4 * ni * nh * no)


def input_noise_sensitivity(w2w1: ArrayLike, noise_std: float | None = None, *,
                            sigma: float | None = None) -> np.ndarray | float:
    """Expected loss increase for inputs x → x + ε, ε ~ N(0, σ²I): (σ²/2)‖W2W1‖_F² (Section 6).

    σ = ``noise_std`` (``sigma=`` is accepted as its old name).
    """
    sd = _noise_std(noise_std, sigma)
    return _scalar_or_array(0.5 * sd**2 * np.sum(as_array("w2w1", w2w1) ** 2, axis=(-2, -1)))


def converged_parameter_noise(s_target: ArrayLike, lam: float, noise_std: float | None = None,
                              in_dim: int | None = None, hidden_dim: int | None = None,
                              out_dim: int | None = None, *, sigma: float | None = None) -> float:
    """Parameter-noise sensitivity at convergence as a function of λ (Section 6).

    Uses ‖W1‖² = Σ(√(λ²+4s̃²) − λ)/2 and ‖W2‖² = Σ(√(λ²+4s̃²) + λ)/2 over the task modes, plus abs(λ)
    for each extra hidden direction in the larger layer when hidden_dim > min(in, out).
    σ = ``noise_std`` (``sigma=`` is accepted as its old name).
    """
    sd = _noise_std(noise_std, sigma)
    in_dim, hidden_dim, out_dim = (check_dim(n, v) for n, v in (("in_dim", in_dim),
                                                              ("hidden_dim", hidden_dim),
                                                              ("out_dim", out_dim)))
    lam = check_finite("lam", lam)
    s = as_array("s_target", s_target)[: min(in_dim, out_dim, hidden_dim)]
    s1sq, s2sq = split_squares(s, lam)
    extra = (hidden_dim - len(s)) * abs(lam)
    n1 = float(np.sum(s1sq)) + (extra if lam < 0 else 0.0)
    n2 = float(np.sum(s2sq)) + (extra if lam > 0 else 0.0)
    return 0.5 * sd**2 * (out_dim * n1 + in_dim * n2) + 0.5 * sd**4 * in_dim * hidden_dim * out_dim


def monte_carlo_noise(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike,
                      noise_std: float | None = None, *, kind: str, rng: SeedLike, n_draws: int = 2000,
                      sigma: float | None = None) -> tuple[float, float]:
    """Monte-Carlo estimate of the expected loss increase under noise, with its standard error.

    ``kind="parameter"`` perturbs every weight by N(0, σ²); ``kind="input"`` perturbs whitened
    inputs, whose expected loss increase is ½ E‖W2W1ε‖² (Section 6). σ = ``noise_std``
    (``sigma=`` is accepted as its old name); ``rng`` is anything ``np.random.default_rng`` accepts.
    """
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2)
    S = as_matrix("sigma_yx", sigma_yx)
    sd = _noise_std(noise_std, sigma)
    sd = check_positive("noise_std", sd)
    rng = as_rng(rng)
    n_draws = check_dim("n_draws", n_draws)
    if kind == "parameter":
        N1 = W1 + sd * rng.standard_normal((n_draws,) + W1.shape)
        N2 = W2 + sd * rng.standard_normal((n_draws,) + W2.shape)
        d = task_loss(N2 @ N1, S) - task_loss(W2 @ W1, S)
    elif kind == "input":
        eps = sd * rng.standard_normal((n_draws, W1.shape[1]))
        d = 0.5 * np.sum((eps @ (W2 @ W1).T) ** 2, axis=1)
    else:
        raise ValueError(f"kind must be 'parameter' or 'input', got {kind!r}")
    d = np.asarray(d)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(n_draws))
