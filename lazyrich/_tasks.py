"""Tasks and data: random regression, the semantic hierarchy (paper Section 5, Fig. 4; Saxe et al.
2019), reversal and task sequences (App. D.1, D.2).

Data matrices hold one sample per column: ``X`` is (in_dim, P), ``Y`` is (out_dim, P).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._measures import data_loss
from ._validation import RANK_RTOL, WHITENED_ATOL, SeedLike, as_matrix, as_rng, check_dim, check_finite


@dataclass(frozen=True)
class Task:
    """A regression data set with its correlations.

    Attributes
    ----------
    X : ndarray, shape (in_dim, P)
        Inputs, one sample per column.
    Y : ndarray, shape (out_dim, P)
        Targets, one sample per column.
    name : str
        A label for plots.
    item_names, feature_names : tuple of str
        Optional labels of the samples and of the output features.
    """

    X: np.ndarray
    Y: np.ndarray
    name: str = "task"
    item_names: tuple[str, ...] = field(default=())
    feature_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        X = as_matrix("X", self.X)
        Y = as_matrix("Y", self.Y)
        if X.shape[1] != Y.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} samples (columns) but Y has {Y.shape[1]}: one sample per column"
            )
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    @property
    def n_samples(self) -> int:
        return self.X.shape[1]

    @property
    def in_dim(self) -> int:
        return self.X.shape[0]

    @property
    def out_dim(self) -> int:
        return self.Y.shape[0]

    @property
    def sigma_xx(self) -> np.ndarray:
        """Input correlation (1/P) X Xᵀ, shape (in_dim, in_dim)."""
        return self.X @ self.X.T / self.n_samples

    @property
    def sigma_yx(self) -> np.ndarray:
        """Input–output correlation (1/P) Y Xᵀ, shape (out_dim, in_dim)."""
        return self.Y @ self.X.T / self.n_samples

    @property
    def is_whitened(self) -> bool:
        """Whether (1/P) X Xᵀ = I to ``WHITENED_ATOL`` = 1e-10 (the whitened-input assumption)."""
        return bool(np.allclose(self.sigma_xx, np.eye(self.in_dim), rtol=0, atol=WHITENED_ATOL))

    @property
    def loss_offset(self) -> float:
        """Irreducible loss ½(⟨‖y‖²⟩ − ‖Σ̃yx‖_F²) for whitened inputs (paper Eq. 2)."""
        mean_y2 = float(np.sum(self.Y**2) / self.n_samples)
        return 0.5 * (mean_y2 - float(np.sum(self.sigma_yx**2)))

    def loss(self, W1: ArrayLike, W2: ArrayLike) -> np.ndarray | float:
        """Training loss (1/2P)‖W2 W1 X − Y‖_F² (paper Eq. 2). Works on stacks of weights."""
        return data_loss(np.asarray(W2, dtype=float) @ np.asarray(W1, dtype=float), self.X, self.Y)

    def negated(self) -> "Task":
        """The reversed task: same inputs, targets −Y (App. D.2)."""
        return Task(self.X, -self.Y, name=f"{self.name} (reversed)",
                    item_names=self.item_names, feature_names=self.feature_names)


def whiten(X: ArrayLike) -> np.ndarray:
    """Return ``(Σxx)^{-1/2} X`` so that (1/P) X Xᵀ = I exactly (symmetric, ZCA whitening).

    X is not centred: only the second moment matters for the theory (paper Section 3).

    Raises
    ------
    ValueError
        If there are fewer samples than input dimensions, or X does not have full row rank.

    Examples
    --------
    >>> X = whiten(np.random.default_rng(0).standard_normal((3, 10)))
    >>> np.allclose(X @ X.T / 10, np.eye(3))
    True
    """
    X = as_matrix("X", X)
    d, P = X.shape
    if P < d:
        raise ValueError(f"cannot whiten {d}-dimensional inputs from only P = {P} samples (need P >= {d})")
    evals, evecs = np.linalg.eigh(X @ X.T / P)
    if evals[0] <= RANK_RTOL * evals[-1]:
        raise ValueError(
            f"X is rank deficient (smallest/largest eigenvalue of X Xᵀ/P = {evals[0]:.3e}/{evals[-1]:.3e}); "
            "it cannot be whitened"
        )
    W = (evecs / np.sqrt(evals)) @ evecs.T
    Xw = W @ X
    # One refinement step removes the round-off of the eigendecomposition.
    e2, v2 = np.linalg.eigh(Xw @ Xw.T / P)
    return ((v2 / np.sqrt(e2)) @ v2.T) @ Xw


def random_regression(n_samples: int, in_dim: int, out_dim: int, *, rng: SeedLike,
                      target_scale: float = 1.0) -> Task:
    """Random regression with whitened Gaussian inputs (the paper's Fig. 2 and 3 tasks).

    X ~ N(0, 1) is whitened so that (1/P) X Xᵀ = I; Y ~ N(0, target_scale²) entrywise. ``rng`` is
    anything ``np.random.default_rng`` accepts (a Generator, or an int seed).

    Examples
    --------
    >>> task = random_regression(20, 3, 2, rng=np.random.default_rng(0))
    >>> task.X.shape, task.Y.shape, task.sigma_yx.shape, task.is_whitened
    ((3, 20), (2, 20), (2, 3), True)
    """
    n_samples = check_dim("n_samples", n_samples)
    in_dim = check_dim("in_dim", in_dim)
    out_dim = check_dim("out_dim", out_dim)
    if n_samples < in_dim:
        raise ValueError(f"n_samples = {n_samples} must be >= in_dim = {in_dim} to whiten the inputs")
    rng = as_rng(rng)
    target_scale = check_finite("target_scale", target_scale)
    X = whiten(rng.standard_normal((in_dim, n_samples)))
    Y = target_scale * rng.standard_normal((out_dim, n_samples))
    return Task(X, Y, name=f"random regression {in_dim}->{out_dim}, P={n_samples}")


#: Targets of the 8-item hierarchy (paper Fig. 4A): rows are items, columns are features.
HIERARCHY_TARGETS = np.array([
    [1, 1, 1, 0, 1, 0, 0, 0],
    [1, 1, 1, 0, -1, 0, 0, 0],
    [1, 1, -1, 0, 0, 1, 0, 0],
    [1, 1, -1, 0, 0, -1, 0, 0],
    [1, -1, 0, 1, 0, 0, 1, 0],
    [1, -1, 0, 1, 0, 0, -1, 0],
    [1, -1, 0, -1, 0, 0, 0, 1],
    [1, -1, 0, -1, 0, 0, 0, -1],
], dtype=float)

HIERARCHY_ITEMS = ("canary", "robin", "salmon", "sunfish", "oak", "pine", "rose", "daisy")
HIERARCHY_FEATURES = ("living", "animal/plant", "bird/fish", "tree/flower",
                      "canary/robin", "salmon/sunfish", "oak/pine", "rose/daisy")


def semantic_hierarchy(*, break_degeneracy: bool = False, one_hot: bool = False) -> Task:
    """The 8-item semantic hierarchy of Saxe et al. (2019) and Braun et al. (2022) (paper Fig. 4).

    Parameters
    ----------
    break_degeneracy
        Multiply feature j (1-based) by 1 + 0.1/j, so that the singular values of Σ̃yx are distinct
        and the SVD modes are unique.
    one_hot
        If False (default), inputs are X = √8·I₈, which is whitened: (1/P) X Xᵀ = I, so the exact
        solution applies directly, and Σ̃yx = Yᵀ/√8 has singular values 1, 1, 1/√2, 1/√2 and four
        times 1/2. If True, X = I₈ as in the original code; then Σ̃xx = I/8 is *not* whitened, and
        the theory needs Σ̃' = P·Σ̃yx and t' = t/P. ``Task.is_whitened`` tells which.

    Examples
    --------
    >>> task = semantic_hierarchy()
    >>> np.round(np.linalg.svd(task.sigma_yx, compute_uv=False), 4)
    array([1.    , 1.    , 0.7071, 0.7071, 0.5   , 0.5   , 0.5   , 0.5   ])
    """
    T = HIERARCHY_TARGETS.copy()
    if break_degeneracy:
        T = T * (1.0 + 0.1 / np.arange(1, 9))
    P = 8
    X = np.eye(P) if one_hot else np.sqrt(P) * np.eye(P)
    return Task(X, T.T, name="semantic hierarchy", item_names=HIERARCHY_ITEMS,
                feature_names=HIERARCHY_FEATURES)


def reversal_task(n_samples: int = 16, in_dim: int = 4, out_dim: int = 4, *,
                  rng: SeedLike) -> tuple[Task, Task]:
    """A random regression task and its reversal (same X, targets −Y; App. D.2).

    Returns ``(task, reversed_task)``; their correlations satisfy Σ̃' = −Σ̃.
    """
    task = random_regression(n_samples, in_dim, out_dim, rng=as_rng(rng))
    return task, task.negated()


def task_sequence(n_tasks: int, n_samples: int, in_dim: int, out_dim: int, *,
                  rng: SeedLike) -> list[Task]:
    """Independent random regression tasks on shared whitened inputs, for continual learning (App. D.1)."""
    n_tasks = check_dim("n_tasks", n_tasks)
    rng = as_rng(rng)
    first = random_regression(n_samples, in_dim, out_dim, rng=rng)
    tasks = [Task(first.X, first.Y, name="task 1")]
    for k in range(2, n_tasks + 1):
        tasks.append(Task(first.X, rng.standard_normal((out_dim, n_samples)), name=f"task {k}"))
    return tasks
