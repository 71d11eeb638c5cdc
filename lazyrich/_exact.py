"""The exact solution of λ-balanced gradient flow (SPEC B.1–B.7; paper Theorem 4.3, App. B.5).

Notation (SPEC A): ``Q = [W1ᵀ; W2]`` is (in_dim + out_dim) × hidden_dim, and under whitened inputs
and λ-balance ``QQᵀ`` obeys the Riccati equation

    τ d(QQᵀ)/dt = F QQᵀ + QQᵀ F − (QQᵀ)²,   F = [[−λ/2 I, Σ̃yxᵀ], [Σ̃yx, λ/2 I]].

With the eigendecomposition F = O diag(μ) Oᵀ (Lemma 4.2, :func:`eigendecomposition`) and
``P = Oᵀ Q(0)``, the solution is (SPEC B.2/B.4, in the eigenbasis)

    QQᵀ(t) = O E P (I + Pᵀ K P)⁻¹ Pᵀ E Oᵀ,   E = diag(e^{μt/τ}),  K = diag((e^{2μt/τ} − 1)/(2μ)),

with K_ii = t/τ where μ_i = 0. Written out in blocks this is the paper's Z A⁻¹ Zᵀ form.

How it is evaluated stably, for every architecture and every t
----------------------------------------------------------------
The naive form multiplies e^{+μt} by its inverse and overflows once μt ≳ 350 (SPEC E.3). The
paper's stable form (App. B.5) divides by the matrix B, which needs hidden_dim = min(in, out) and
B invertible. Here we use a form that needs neither:

1. Order the growing eigen-directions (μ > 0) by decreasing rate and build, once, an orthonormal
   "flag" basis of the hidden space: each growing row of P adds the part of its direction not yet
   spanned. In that basis the growing rows are lower-triangular: a row never touches the
   directions added after it. Directions left over are spanned only by the non-growing rows.
2. Components of a growing row below ``snap_tol·‖Q(0)‖`` outside the span of the faster rows are
   set to zero. They are round-off on an exactly singular B (λ = 0 with an orientation mismatch,
   or reversal at λ = 0; SPEC B.6, B.14), and the exact trajectory then stays on the saddle
   instead of escaping at a time set by round-off. ``n_snapped`` reports how many were set.
3. With D = diag(1/max(1, √k_j)) per flag direction, I + PᵀKP = D⁻¹ (SᵀS) D⁻¹ with
   S = [D; K^{1/2} P D], whose entries are all ≤ 1 in size, and E P D stays bounded too. All the
   exponentials are formed in log space (ratios such as e^{(λ⊥ − Λ)t}, SPEC B.5), a QR
   factorisation S = QR gives QQᵀ(t) = (O E P D R⁻¹)(O E P D R⁻¹)ᵀ, and nothing overflows or
   cancels, at any t.

The factor Z(t) = O E P D R⁻¹ is itself a valid ``[W1ᵀ; W2]`` up to a rotation of the hidden
layer, which is what :meth:`ExactSolution.weights` returns (Theorem 5.2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._initialisation import lambda_balanced
from ._validation import as_matrix, check_balanced, check_positive, check_times, check_weights


def eigendecomposition(sigma_yx: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues μ and orthonormal eigenvectors O of F (paper Lemma 4.2, SPEC B.3).

    With Σ̃yx = Ũ S̃ Ṽᵀ (compact, m = min(in, out)), Λ = √(S̃² + λ²/4),
    H = λ / (√(λ² + 4S̃²) + 2S̃) and G = (I + H²)^{-1/2}:

    * μ = +Λ: columns (1/√2)[Ṽ(G − HG); Ũ(G + HG)];
    * μ = −Λ: columns (1/√2)[Ṽ(G + HG); −Ũ(G − HG)];
    * μ = λ⊥ = sgn(out − in)·λ/2: columns [Ṽ⊥; 0] (in > out) or [0; Ũ⊥] (out > in).

    Returns
    -------
    mu : ndarray, shape (n,)
    O : ndarray, shape (n, n), with F = O diag(mu) Oᵀ, n = in_dim + out_dim.
    """
    sigma_yx = as_matrix("sigma_yx", sigma_yx)
    n_out, n_in = sigma_yx.shape
    m = min(n_in, n_out)
    U, s, Vt = np.linalg.svd(sigma_yx, full_matrices=True)
    V = Vt.T
    Lam = np.hypot(s, lam / 2.0)
    denom = np.hypot(lam, 2.0 * s) + 2.0 * s
    h = np.divide(lam, denom, out=np.zeros_like(s), where=denom > 0)
    g = 1.0 / np.sqrt(1.0 + h**2)
    a, b = g * (1.0 - h), g * (1.0 + h)  # G - HG and G + HG
    Ut, Vm = U[:, :m], V[:, :m]
    grow = np.vstack([Vm * a, Ut * b]) / np.sqrt(2.0)
    decay = np.vstack([Vm * b, -Ut * a]) / np.sqrt(2.0)
    cols, mus = [grow, decay], [Lam, -Lam]
    if n_in > n_out:
        cols.append(np.vstack([V[:, m:], np.zeros((n_out, n_in - m))]))
        mus.append(np.full(n_in - m, -lam / 2.0))
    elif n_out > n_in:
        cols.append(np.vstack([np.zeros((n_in, n_out - m)), U[:, m:]]))
        mus.append(np.full(n_out - m, lam / 2.0))
    return np.concatenate(mus), np.hstack(cols)


def riccati_matrix(sigma_yx: ArrayLike, lam: float) -> np.ndarray:
    """The Riccati matrix F = [[−(λ/2)I, Σ̃yxᵀ], [Σ̃yx, (λ/2)I]], shape (in+out, in+out).

    With whitened inputs, QQᵀ obeys τ d(QQᵀ)/dt = F·QQᵀ + QQᵀ·F − (QQᵀ)² (paper Section 4).

    >>> riccati_matrix([[2.0]], 1.0)
    array([[-0.5,  2. ],
           [ 2. ,  0.5]])
    """
    sigma_yx = as_matrix("sigma_yx", sigma_yx)
    n_out, n_in = sigma_yx.shape
    return np.block([[-lam / 2.0 * np.eye(n_in), sigma_yx.T],
                     [sigma_yx, lam / 2.0 * np.eye(n_out)]])


def reaches_global_minimum(W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike) -> bool:
    """Whether gradient flow from these λ-balanced weights converges to W2W1 = Σ̃yx.

    True when the matrix B of Theorem 4.3 has full rank (no growing direction of the Riccati
    flow is missing from the start, :attr:`ExactSolution.n_snapped` = 0); False when the flow
    stays on a saddle. Assumes Σ̃yx has full rank min(in, out).
    """
    return ExactSolution(W1, W2, sigma_yx).n_snapped == 0


def converging_seed(in_dim: int, hidden_dim: int, out_dim: int, lam: float, sigma_yx: ArrayLike, *,
                    scale: ArrayLike = 1.0, seeds=range(1000)) -> int:
    """The first seed k in ``seeds`` whose ``lambda_balanced(..., rng=np.random.default_rng(k))``
    start reaches the global minimum (see :func:`reaches_global_minimum`).

    At λ = 0 about half of random square starts stay on a saddle (the determinants of W2W1(0) and
    Σ̃yx have opposite signs), so chapters that need a converging start at λ = 0 use this.

    >>> import numpy as np
    >>> converging_seed(2, 2, 2, 0.0, np.diag([1.0, 0.5]), scale=1e-2, seeds=range(10)) >= 0
    True
    """
    for k in seeds:
        W1, W2 = lambda_balanced(in_dim, hidden_dim, out_dim, lam, scale=scale,
                                 rng=np.random.default_rng(k))
        if reaches_global_minimum(W1, W2, sigma_yx):
            return int(k)
    raise ValueError(f"no seed in {seeds!r} gives a start that reaches the global minimum "
                     f"for ({in_dim}, {hidden_dim}, {out_dim}) at lam = {lam}")


def _log_k_parts(mu: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Bounded part b of log k(μ, t) = 2·max(μ, 0)·t + b, with k = ∫₀ᵗ e^{2μs} ds, shape (T, n).

    Splitting off the linear part keeps differences such as log k_i − log k_j accurate when μt is
    huge (at t = 1e9 the absolute round-off of 2μt alone would be ~1e-4).
    """
    mu = mu[None, :]
    t = t[:, None]
    x = 2.0 * np.abs(mu) * t
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.log(2.0 * np.abs(np.where(mu == 0, 1.0, mu)))
        pos = np.log(-np.expm1(-x)) - rate  # mu > 0: log((1 - e^{-2mu t})/(2mu))
        neg = np.log(-np.expm1(-x)) - rate  # mu < 0: log((1 - e^{-2|mu| t})/(2|mu|))
        zero = np.log(np.broadcast_to(t, pos.shape))
    return np.where(mu > 0, pos, np.where(mu < 0, neg, zero))


def _log_k(mu: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log of k(μ, t) = (e^{2μt} − 1)/(2μ) (t/τ where μ = 0), shape (T, n)."""
    return 2.0 * np.maximum(mu, 0.0)[None, :] * t[:, None] + _log_k_parts(mu, t)


class ExactSolution:
    r"""Closed-form gradient-flow dynamics of a λ-balanced two-layer linear network.

    Implements Theorem 4.3 of the paper (SPEC B.4) in a numerically stable form that covers every
    architecture for which λ-balanced weights exist (square, funnel, inverted funnel, bottleneck
    hidden < min, and min < hidden ≤ max), any λ including 0, and any t ≥ 0 (see the module
    docstring for the method).

    Parameters
    ----------
    W1 : array, shape (hidden_dim, in_dim)
        First-layer weights at t = 0.
    W2 : array, shape (out_dim, hidden_dim)
        Second-layer weights at t = 0. ``W2ᵀW2 − W1W1ᵀ = λI`` must hold (relative tolerance
        ``balance_rtol`` of ``‖W1‖² + ‖W2‖²``); λ is read off the weights.
    sigma_yx : array, shape (out_dim, in_dim)
        Input–output correlation Σ̃yx = (1/P) Y Xᵀ of a whitened task (assumption A1).
    tau : float
        Time constant τ = 1/learning rate; times are in the same units as ``t``.
    snap_tol : float
        Relative size below which an unstable initial component is treated as exactly zero.
    balance_rtol : float
        Tolerance of the balance check.

    Examples
    --------
    >>> import numpy as np, lazyrich as lr
    >>> rng = np.random.default_rng(0)
    >>> task = lr.random_regression(20, 3, 2, rng=rng)
    >>> W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.1, rng=rng)
    >>> sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    >>> sol.qqt([0.0, 1.0]).shape
    (2, 5, 5)
    >>> bool(np.allclose(sol.w2w1(1e6), task.sigma_yx))
    True
    """

    def __init__(self, W1: ArrayLike, W2: ArrayLike, sigma_yx: ArrayLike, *, tau: float = 1.0,
                 snap_tol: float = 1e-12, balance_rtol: float = 1e-8) -> None:
        W1, W2 = check_weights(W1, W2)
        self.hidden_dim, self.in_dim = W1.shape
        self.out_dim = W2.shape[0]
        self.sigma_yx = as_matrix("sigma_yx", sigma_yx, (self.out_dim, self.in_dim))
        self.tau = check_positive("tau", tau)
        lam = check_balanced(W1, W2, balance_rtol)
        # λ is read off the weights; round-off of a zero-balanced pair is set to exactly 0.
        if abs(lam) <= 64 * np.finfo(float).eps * (np.sum(W1**2) + np.sum(W2**2)) / W1.shape[0]:
            lam = 0.0
        self.lam = lam
        self.W1, self.W2 = W1.copy(), W2.copy()
        self.mu, self.O = eigendecomposition(self.sigma_yx, self.lam)
        order = np.argsort(-self.mu, kind="stable")
        self.mu, self.O = self.mu[order], self.O[:, order]
        Q0 = np.vstack([W1.T, W2])
        P = self.O.T @ Q0
        self._build_flag(P, snap_tol)

    # -- set-up ------------------------------------------------------------------------------
    def _build_flag(self, P: np.ndarray, snap_tol: float) -> None:
        """Flag basis of the hidden space ordered by growth rate, and the snapped P (see module doc)."""
        n, h = P.shape
        norm = max(np.linalg.norm(P, 2), np.finfo(float).tiny)
        tol = snap_tol * norm
        basis: list[np.ndarray] = []
        owner: list[int] = []  # row that introduced each flag direction
        P = P.copy()
        n_snapped = 0
        growing = np.flatnonzero(self.mu > 0)
        for i in growing:
            p = P[i]
            V = np.array(basis).T if basis else np.zeros((h, 0))
            r = p - V @ (V.T @ p)
            r = r - V @ (V.T @ r)  # re-orthogonalise
            rn = np.linalg.norm(r)
            if rn > tol and len(basis) < h:
                basis.append(r / rn)
                owner.append(i)
            else:
                if len(basis) < h:
                    n_snapped += 1  # an unstable direction whose initial component is ~0
                P[i] = V @ (V.T @ p)
        g = len(basis)
        V = np.array(basis).T if basis else np.zeros((h, 0))
        # Orthonormal complement of the flag span.
        if g < h:
            q, _ = np.linalg.qr(np.hstack([V, np.eye(h)]))
            N = q[:, g:h]
            N = N - V @ (V.T @ N)
            N, _ = np.linalg.qr(N)
        else:
            N = np.zeros((h, 0))
        Vfull = np.hstack([V, N])
        Phat = P @ Vfull
        # Structural zeros: growing row i touches only flag directions introduced by rows <= i.
        allowed = np.ones((n, h), dtype=bool)
        owner_arr = np.array(owner, dtype=int)
        for i in growing:
            allowed[i, :g] = owner_arr <= i
            allowed[i, g:] = False
        Phat[~allowed] = 0.0
        self._Phat = Phat
        # Rank-one pieces for the fast path: rows p_i p_iᵀ (flattened) and p_i o_iᵀ.
        self._outer_pp = np.einsum("ni,nj->nij", Phat, Phat).reshape(n, h * h)
        self._outer_po = np.einsum("ni,an->nia", Phat, self.O).reshape(n, h * n)
        self._allowed = allowed
        self._owner = owner_arr
        self._n_flag = g
        self.n_snapped = n_snapped

    # -- core evaluation ---------------------------------------------------------------------
    #: Largest exponent evaluated directly; beyond it exponents are combined before exp().
    _FAST_EXPONENT = 300.0

    def _scaled_terms(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nᵀ(t) with N = O E P D, and A(t) = D² + D PᵀKP D, so QQᵀ(t) = N A⁻¹ Nᵀ (module docstring).

        ``s`` are times t/τ. Shapes (T, h, n) and (T, h, h).
        """
        T, g, h = len(s), self._n_flag, self.hidden_dim
        # log k_i = 2 a_i t + b_i with a = max(mu, 0) and b bounded (see _log_k_parts).
        a = np.maximum(self.mu, 0.0)
        b = _log_k_parts(self.mu, s)  # (T, n)
        # Column j is scaled by D_j = 1/max(1, sqrt(k_o(j))), o(j) the row that introduced it.
        # Its log-scale is c_j = a_o t + b_o/2 where k_o >= 1, else 0; N columns are unscaled.
        a_col = np.zeros(h)
        b_col = np.zeros((T, h))
        if g:
            a_col[:g] = a[self._owner]
            b_col[:, :g] = b[:, self._owner]
        big = (2.0 * a_col[None] * s[:, None] + b_col >= 0.0) & (np.arange(h) < g)[None]  # (T, h)
        c = np.where(big, a_col[None] * s[:, None] + 0.5 * b_col, 0.0)
        n = self._Phat.shape[0]
        fast = np.max(np.abs(self.mu)) * s <= self._FAST_EXPONENT
        if np.all(fast):
            return self._fast_terms(s, a, b, c)
        Nt = np.empty((T, h, n))
        A = np.empty((T, h, h))
        if np.any(fast):
            Nt[fast], A[fast] = self._fast_terms(s[fast], a, b[fast], c[fast])
        slow = ~fast
        if np.any(slow):
            # Long times: exponents combined first, rate differences before multiplying by t.
            # Gt = (K^{1/2} P D)ᵀ has entries <= |P| and Mt = (E P D)ᵀ is bounded.
            st = s[slow, None, None]
            big3 = big[slow, :, None]
            bs, bc = b[slow], b_col[slow]
            with np.errstate(over="ignore", invalid="ignore"):
                eg = np.where(big3, (a[None, None, :] - a_col[None, :, None]) * st
                              + 0.5 * (bs[:, None, :] - bc[:, :, None]),
                              a[None, None, :] * st + 0.5 * bs[:, None, :])
                em = np.where(big3, (self.mu[None, None, :] - a_col[None, :, None]) * st
                              - 0.5 * bc[:, :, None],
                              self.mu[None, None, :] * st)
            allowed = self._allowed.T[None]
            PhT = self._Phat.T[None]
            Gt = PhT * np.exp(np.where(allowed, eg, -np.inf))
            Mt = PhT * np.exp(np.where(allowed, em, -np.inf))
            As = Gt @ np.swapaxes(Gt, 1, 2)
            As[:, np.arange(h), np.arange(h)] += np.exp(-2.0 * c[slow])
            A[slow] = As
            Nt[slow] = Mt @ self.O.T  # (O E P D)ᵀ
        return Nt, A

    def _fast_terms(self, s: np.ndarray, a: np.ndarray, b: np.ndarray,
                    c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Moderate times, where nothing can overflow: form Pᵀ K P = Σ_i k_i p_i p_iᵀ and
        Pᵀ E Oᵀ = Σ_i e_i p_i o_iᵀ as two matrix products over all times at once, then scale by D."""
        h = self.hidden_dim
        k = np.exp(2.0 * a[None] * s[:, None] + b)  # (T, n)
        e = np.exp(self.mu[None] * s[:, None])
        d = np.exp(-c)  # (T, h)
        A = (k @ self._outer_pp).reshape(-1, h, h)
        A *= d[:, :, None]
        A *= d[:, None, :]
        A[:, np.arange(h), np.arange(h)] += d**2
        Nt = (e @ self._outer_po).reshape(len(s), h, -1)
        Nt *= d[:, :, None]
        return Nt, A

    def _factor_t(self, s: np.ndarray) -> np.ndarray:
        """Zᵀ(t) = L⁻¹ Nᵀ with A = L Lᵀ, so that QQᵀ = Z Zᵀ; shape (T, h, n)."""
        Nt, A = self._scaled_terms(s)
        return np.linalg.inv(np.linalg.cholesky(A)) @ Nt

    def factor(self, t: ArrayLike) -> np.ndarray:
        """Z(t) with QQᵀ(t) = Z Zᵀ: a valid ``[W1ᵀ; W2]`` up to a hidden rotation. Shape (T, n, h)."""
        times, _ = check_times(t)
        return np.swapaxes(self._factor_t(times / self.tau), 1, 2)

    def _blocks(self, t: ArrayLike, rows: slice, cols: slice) -> np.ndarray:
        """Rows × cols block of QQᵀ = N A⁻¹ Nᵀ (A is symmetric positive definite and, thanks to
        the scaling, well conditioned, so a plain inverse is accurate and cheaper than Cholesky)."""
        times, scalar = check_times(t)
        Nt, A = self._scaled_terms(times / self.tau)
        out = np.swapaxes(Nt[:, :, rows], 1, 2) @ (np.linalg.inv(A) @ Nt[:, :, cols])
        return out[0] if scalar else out

    def qqt(self, t: ArrayLike) -> np.ndarray:
        """QQᵀ(t) = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] at time(s) t.

        Returns shape (n, n) for a scalar t, or (len(t), n, n), with n = in_dim + out_dim.
        The result is symmetric to round-off (about 1e-15 relative).
        """
        return self._blocks(t, slice(None), slice(None))

    def w2w1(self, t: ArrayLike) -> np.ndarray:
        """Network function W2W1(t), shape (out_dim, in_dim) or (T, out_dim, in_dim)."""
        ni = self.in_dim
        return self._blocks(t, slice(ni, None), slice(0, ni))

    def w1tw1(self, t: ArrayLike) -> np.ndarray:
        """Input-side Gram W1ᵀW1(t), shape (in_dim, in_dim) or (T, in_dim, in_dim)."""
        ni = self.in_dim
        return self._blocks(t, slice(0, ni), slice(0, ni))

    def w2w2t(self, t: ArrayLike) -> np.ndarray:
        """Output-side Gram W2W2ᵀ(t), shape (out_dim, out_dim) or (T, out_dim, out_dim)."""
        ni = self.in_dim
        return self._blocks(t, slice(ni, None), slice(ni, None))

    def loss(self, t: ArrayLike, offset: float = 0.0) -> np.ndarray | float:
        """Loss ½‖W2W1(t) − Σ̃yx‖_F² + offset (SPEC A.1); pass ``task.loss_offset`` as offset."""
        W = self.w2w1(t)
        out = 0.5 * np.sum((W - self.sigma_yx) ** 2, axis=(-2, -1)) + offset
        return float(out) if np.ndim(out) == 0 else out

    def weights(self, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """W1(t), W2(t) up to an orthogonal rotation of the hidden layer (Theorem 5.2).

        The returned pair reproduces QQᵀ(t) exactly and is λ-balanced with the same λ.
        Shapes (hidden, in) and (out, hidden), with a leading time axis for array t.
        """
        _, scalar = check_times(t)
        Z = self.factor(t)
        W1 = np.swapaxes(Z[:, : self.in_dim], 1, 2)
        W2 = Z[:, self.in_dim:]
        return (W1[0], W2[0]) if scalar else (W1, W2)

    def singular_values(self, t: ArrayLike) -> np.ndarray:
        """Singular values of W2W1(t), descending, shape (min(in, out),) or (T, min(in, out))."""
        return np.linalg.svd(self.w2w1(t), compute_uv=False)

    def ntk(self, t: ArrayLike, X: ArrayLike) -> np.ndarray:
        """NTK on the inputs X (in_dim × P) at time(s) t, from the exact QQᵀ blocks (SPEC B.9)."""
        from ._analysis import ntk

        X = as_matrix("X", X, (self.in_dim, None))
        q = self.qqt(t)
        ni = self.in_dim
        return ntk(q[..., :ni, :ni], q[..., ni:, ni:], X)

    def kernel_distance(self, t: ArrayLike, X: ArrayLike) -> np.ndarray | float:
        """Kernel distance between the NTK at t = 0 and at time(s) t on inputs X (SPEC B.11)."""
        from ._analysis import ntk_kernel_distance

        X = as_matrix("X", X, (self.in_dim, None))
        q = self.qqt(t)
        ni = self.in_dim
        A0 = self.W1.T @ self.W1
        B0 = self.W2 @ self.W2.T
        return ntk_kernel_distance(A0, B0, q[..., :ni, :ni], q[..., ni:, ni:], X)

    # -- diagnostics -------------------------------------------------------------------------
    @property
    def B(self) -> np.ndarray:
        """The matrix B (hidden × m) of Theorem 4.3: √2 × the growing task-mode rows of P, transposed.

        Gradient flow reaches the global minimum iff B has full rank m (SPEC B.6).
        """
        m = min(self.in_dim, self.out_dim)
        mu, O = eigendecomposition(self.sigma_yx, self.lam)
        P = O.T @ np.vstack([self.W1.T, self.W2])
        return np.sqrt(2.0) * P[:m].T

    def qqt_naive(self, t: ArrayLike) -> np.ndarray:
        """The same solution evaluated naively, with e^{+μt} (SPEC B.4 as written).

        For demonstrations only: it loses accuracy once e^{2Λt} ≳ 1e16 and returns inf/NaN once
        Λt ≳ 350 (SPEC E.3). Use :meth:`qqt`.
        """
        t, scalar = check_times(t)
        s = t / self.tau
        P = np.vstack([self.W1.T, self.W2])
        P = self.O.T @ P
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            E = np.exp(self.mu[None] * s[:, None])
            K = np.exp(_log_k(self.mu, s))
            A = np.eye(self.hidden_dim)[None] + np.einsum("ni,tn,nj->tij", P, K, P)
            EP = E[:, :, None] * P[None]
            rhs = np.swapaxes(EP, 1, 2)
            try:
                X = np.linalg.solve(A, rhs)
            except np.linalg.LinAlgError:  # overflowed or singular in floating point: NaN there
                X = np.full(rhs.shape, np.nan)
                for k in range(len(s)):
                    try:
                        X[k] = np.linalg.solve(A[k], rhs[k])
                    except np.linalg.LinAlgError:
                        pass
            out = self.O[None] @ (EP @ X) @ self.O.T[None]
        return out[0] if scalar else out

    def __repr__(self) -> str:
        return (f"ExactSolution(in_dim={self.in_dim}, hidden_dim={self.hidden_dim}, "
                f"out_dim={self.out_dim}, lam={self.lam:.6g}, tau={self.tau:g})")
