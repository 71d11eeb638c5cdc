"""The exact solution of λ-balanced gradient flow (paper Theorem 4.3, Lemma 4.2, App. B.5).

Notation: ``Q = [W1ᵀ; W2]`` is (in_dim + out_dim) × hidden_dim, and under whitened inputs and
λ-balance ``QQᵀ`` obeys the Riccati equation (paper Section 4)

    τ d(QQᵀ)/dt = F QQᵀ + QQᵀ F − (QQᵀ)²,   F = [[−λ/2 I, Σ̃yxᵀ], [Σ̃yx, λ/2 I]].

With the eigendecomposition F = O diag(μ) Oᵀ (Lemma 4.2, :func:`eigendecomposition`) and
``Π = Oᵀ Q(0)`` (the book's notation; the paper's B = √2 Π₊ᵀ, C = −√2 Π₋ᵀ, D = Π⊥ᵀ), the solution is,
in the eigenbasis,

    QQᵀ(t) = O 𝓔 Π (I + Πᵀ K Π)⁻¹ Πᵀ 𝓔 Oᵀ,   𝓔 = diag(e^{μt/τ}),  K = diag((e^{2μt/τ} − 1)/(2μ)),

with K_jj = t/τ where μ_j = 0. Written out in blocks this is the paper's Z A⁻¹ Zᵀ form (Eqs. 13–15).

How it is evaluated stably, for every architecture and every t
----------------------------------------------------------------
The naive form multiplies e^{+μt} by its inverse and overflows once μt ≳ 350. The paper's stable
form (App. B.5) divides by the matrix B, which needs hidden_dim = min(in, out) and B invertible.
Here we use a form that needs neither:

1. Order the growing eigen-directions (μ > 0) by decreasing rate and build, once, an orthonormal
   "flag" basis of the hidden space: each growing row of Π adds the part of its direction not yet
   spanned. In that basis the growing rows are lower-triangular: a row never touches the
   directions added after it. Directions left over are spanned only by the non-growing rows.
2. A growing row whose part outside the span of the faster rows is zero never escapes its saddle
   (B rank-deficient: λ = 0 with an orientation mismatch, or reversal at λ = 0; paper Section 6).
   Round-off makes such a part ~1e-16 instead of 0, so it is set to zero ("snapped"), and the
   exact trajectory stays on the saddle instead of escaping at a time set by round-off. See
   :attr:`ExactSolution.n_snapped` for the rule.
3. With Δ = diag(1/max(1, √k_{o(j)})), where o(j) is the growing row that introduced flag
   direction j (entry 1 on directions no growing row introduced), I + ΠᵀKΠ = Δ⁻¹(ΩᵀΩ)Δ⁻¹ with
   Ω = [Δ; K^{1/2}ΠΔ]. Growing rows of K^{1/2}ΠΔ have entries ≤ max|Π|, other rows
   ≤ max|Π|·min(1/√(2|μ|), √t) (√t where μ = 0), and 𝓔ΠΔ has entries ≤ max|Π|·√(1 + 2μ_max)
   (prop-stable in chapter 2 of the book), so nothing grows exponentially. All the exponentials are
   formed in log space, with rate differences such as Λ − |λ|/2 = s̃²/(Λ + |λ|/2) taken in closed
   form before multiplying by t, so nothing overflows or cancels at any t.

The factor Z(t) = O 𝓔 Π Δ L⁻ᵀ (ΩᵀΩ = L Lᵀ) is itself a valid ``[W1ᵀ; W2]`` up to a rotation of the
hidden layer, which is what :meth:`ExactSolution.weights` returns (Theorem 5.2).
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import lapack

from ._initialisation import lambda_balanced, split_singular_values
from ._kernels import ntk, ntk_kernel_distance
from ._linalg import swap
from ._measures import task_loss
from ._validation import (AMBIGUOUS_ULPS, BALANCE_RTOL, CHUNK_BYTES, FAST_EXPONENT,
                          LAM_NOISE_FACTOR, MIN_SQUARED_NORM, ROUNDOFF_ULPS, SNAP_TOL, TINY, ZERO_LAM_ULPS, as_array,
                          as_matrix, balance_fit, check_finite, check_positive, check_tolerance,
                          check_weights, input_eps, scaled_times, warn_precision)


@functools.lru_cache(maxsize=64)
def _lower_mask(rows: int, cols: int) -> np.ndarray:
    """1.0 on and below the diagonal of a rows × cols matrix, 0.0 above (read-only, cached)."""
    mask = np.tri(rows, cols)
    mask.setflags(write=False)
    return mask


def _svd(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.linalg.svd(a, full_matrices=True)`` (the same LAPACK routine, gesdd) without the
    wrapper's overhead, which dominates for the small matrices of a λ sweep. The last result is
    kept (read-only), since a sweep over λ factors the same Σ̃yx again and again."""
    key = (a.shape, a.dtype.str, a.tobytes())
    last = _LAST_SVD[0]  # one read, so that threads see a matching key and result
    if last is not None and last[0] == key:
        return last[1]
    u, s, vt, info = lapack.dgesdd(a, compute_uv=1, full_matrices=1)
    if info != 0:
        raise np.linalg.LinAlgError("SVD did not converge")
    for x in (u, s, vt):
        x.setflags(write=False)
    _LAST_SVD[0] = (key, (u, s, vt))
    return u, s, vt


_LAST_SVD: list = [None]


def _qr(a: np.ndarray, complete: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """QR of a tall or square ``a`` (m >= n): Q, (m, n), or (m, m) with ``complete``, and the
    diagonal of R, as ``np.linalg.qr`` computes them (LAPACK geqrf and orgqr), without the
    wrapper's overhead."""
    m, n = a.shape
    if n == 0:
        return (np.eye(m) if complete else np.zeros((m, 0))), np.zeros(0)
    qr, tau, _, info = lapack.dgeqrf(a)
    diag = qr.diagonal().copy()
    if complete and n < m:  # orgqr builds all m columns from the n reflectors
        qr = np.hstack([qr, np.zeros((m, m - n))])
    q, _, info2 = lapack.dorgqr(qr, tau)
    if info != 0 or info2 != 0:
        raise np.linalg.LinAlgError("QR factorisation failed")
    return q, diag


def _complement(V: np.ndarray) -> np.ndarray:
    """An orthonormal basis (h, h − g) of the orthogonal complement of the span of the
    orthonormal columns of ``V`` (h, g): the last columns of the complete Q of V's QR."""
    return _qr(V, complete=True)[0][:, V.shape[1]:]


def _spectrum(sigma_yx: np.ndarray, lam: float, by_rate: bool = False
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """μ and O of :func:`eigendecomposition`, and ``gap`` = Λ − abs(λ)/2 = s̃²/(Λ + abs(λ)/2) of
    each task mode, in a form without cancellation (see :func:`_rate_split`).

    Columns come as growing, decaying, λ⊥ modes; with ``by_rate`` as growing, λ⊥, then decaying
    modes in reverse, which orders μ by decreasing value (|λ|/2 ≤ Λ).
    """
    n_out, n_in = sigma_yx.shape
    m = min(n_in, n_out)
    n = n_in + n_out
    U, s, Vt = _svd(sigma_yx)
    half = abs(lam) / 2.0
    Lam = np.hypot(s, half)
    if half == 0.0:  # H = 0, G = 1, Λ = s̃, and the gap Λ − abs(λ)/2 is s̃ itself
        a = b = np.full(m, math.sqrt(0.5))
        gap = s
    else:  # Λ + s̃ >= abs(λ)/2 > 0
        h = (lam / 2.0) / (Lam + s)  # H = λ/(√(λ² + 4s̃²) + 2s̃)
        g = np.sqrt(0.5 / (1.0 + h * h))  # G/√2
        gh = g * h
        a, b = g - gh, g + gh  # (G − HG)/√2 and (G + HG)/√2
        gap = s * s / (Lam + half)
    Vm = Vt[:m].T
    Ut = U[:, :m]
    n_perp = n - 2 * m
    perp_mu = (lam if n_out > n_in else -lam) / 2.0
    if by_rate:  # growing, λ⊥, decaying reversed
        grow, perp, decay, rev = slice(0, m), slice(m, m + n_perp), slice(m + n_perp, n), slice(None, None, -1)
    else:
        grow, perp, decay, rev = slice(0, m), slice(2 * m, n), slice(m, 2 * m), slice(None)
    O = np.zeros((n, n))
    O[:n_in, grow] = Vm * a
    O[n_in:, grow] = Ut * b
    O[:n_in, decay] = (Vm * b)[:, rev]
    O[n_in:, decay] = (Ut * -a)[:, rev]
    if n_in > n_out:
        O[:n_in, perp] = Vt[m:].T
    elif n_out > n_in:
        O[n_in:, perp] = U[:, m:]
    mu = np.empty(n)
    mu[grow], mu[decay] = Lam, -Lam[rev]
    mu[perp] = perp_mu
    return mu, O, gap


def _rate_split(lam: float, mu: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each μ of ``_spectrum(..., by_rate=True)`` as ``sign·abs(λ)/2 + nu``: sign ±1 and
    nu = ±gap for the growing and decaying task modes, sign = sign(λ⊥) and nu = 0 for the λ⊥ modes
    (at λ = 0, sign = 0 and nu = μ). Differences of rates taken in this form are exact even when
    abs(λ) ≫ s̃, where μ_i − μ_j would cancel."""
    if lam == 0:
        return np.zeros_like(mu), mu.copy()
    m, n = len(gap), len(mu)
    perp = slice(m, n - m)
    sign, nu = np.empty(n), np.empty(n)
    sign[:m], sign[perp], sign[n - m:] = 1.0, np.sign(mu[perp]), -1.0
    nu[:m], nu[perp], nu[n - m:] = gap, 0.0, -gap[::-1]
    return sign, nu


def eigendecomposition(sigma_yx: ArrayLike, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues μ and orthonormal eigenvectors O of F (paper Lemma 4.2).

    With Σ̃yx = Ũ S̃ Ṽᵀ (compact, m = min(in, out)), Λ = √(S̃² + λ²/4),
    H = λ / (√(λ² + 4S̃²) + 2S̃) and G = (I + H²)^{-1/2}:

    * μ = +Λ: columns (1/√2)[Ṽ(G − HG); Ũ(G + HG)];
    * μ = −Λ: columns (1/√2)[Ṽ(G + HG); −Ũ(G − HG)];
    * μ = λ⊥ = sgn(out − in)·λ/2: columns [Ṽ⊥; 0] (in > out) or [0; Ũ⊥] (out > in).

    Returns
    -------
    mu : ndarray, shape (n,)
    O : ndarray, shape (n, n), with F = O diag(mu) Oᵀ, n = in_dim + out_dim.

    Examples
    --------
    >>> mu, O = eigendecomposition([[2.0]], 0.0)
    >>> mu
    array([ 2., -2.])
    """
    mu, O, _ = _spectrum(as_matrix("sigma_yx", sigma_yx), check_finite("lam", lam))
    return mu, O


def riccati_matrix(sigma_yx: ArrayLike, lam: float) -> np.ndarray:
    """The Riccati matrix F = [[−(λ/2)I, Σ̃yxᵀ], [Σ̃yx, (λ/2)I]], shape (in+out, in+out).

    With whitened inputs, QQᵀ obeys τ d(QQᵀ)/dt = F·QQᵀ + QQᵀ·F − (QQᵀ)² (paper Section 4).

    >>> riccati_matrix([[2.0]], 1.0)
    array([[-0.5,  2. ],
           [ 2. ,  0.5]])
    """
    sigma_yx = as_matrix("sigma_yx", sigma_yx)
    lam = check_finite("lam", lam)
    n_out, n_in = sigma_yx.shape
    return np.block([[-lam / 2.0 * np.eye(n_in), sigma_yx.T],
                     [sigma_yx, lam / 2.0 * np.eye(n_out)]])


@dataclass(frozen=True)
class _SlowParts:
    """Tables for long times (max |μ|t/τ > FAST_EXPONENT), built once per solution: the growth
    rates a = max(μ, 0) of the rows and of each flag column's owner; −2|μ| and log 2|μ| (rate 1
    where μ = 0) and the smallest 2|μ|; the differences of rates between each row and each flag
    column's owner, of a and of μ, in the sign·abs(λ)/2 + nu form (no cancellation), shape (h, n)
    each; and the (h, n) mask of the entries a growing row may have."""

    a: np.ndarray
    a_col: np.ndarray
    neg_two_abs_mu: np.ndarray
    log_two_abs_mu: np.ndarray
    min_two_abs_mu: float
    da: np.ndarray
    dm: np.ndarray
    allowed: np.ndarray


class ExactSolution:
    r"""Closed-form gradient-flow dynamics of a λ-balanced two-layer linear network.

    Implements Theorem 4.3 of the paper in a numerically stable form that covers every architecture
    for which λ-balanced weights exist (square, funnel, inverted funnel, bottleneck hidden < min,
    and min < hidden ≤ max), any λ including 0, and any t ≥ 0 (see the module docstring).

    Parameters
    ----------
    W1 : array, shape (hidden_dim, in_dim)
        First-layer weights at t = 0.
    W2 : array, shape (out_dim, hidden_dim)
        Second-layer weights at t = 0. ``W2ᵀW2 − W1W1ᵀ = λI`` must hold (relative tolerance
        ``balance_rtol`` of ``‖W1‖² + ‖W2‖²``, never below the round-off of the weights' dtype,
        so float32 copies of balanced weights are accepted); λ is read off the weights.
    sigma_yx : array, shape (out_dim, in_dim)
        Input–output correlation Σ̃yx = (1/P) Y Xᵀ of a whitened task.
    tau : float
        Time constant τ = 1/learning rate; times are in the same units as ``t``.
    snap_tol : float
        At λ = 0, the relative size below which a growing initial component is treated as exactly
        zero (see :attr:`n_snapped`).
    balance_rtol : float
        Tolerance of the balance check.

    Attributes
    ----------
    lam : float
        λ read off the weights (exactly 0 when it is below the round-off of the balance matrix,
        ``64·eps·(‖W1‖² + ‖W2‖²)/hidden_dim``, which the weights cannot resolve).
    n_snapped : int
        Number of growing directions of F whose initial component (outside the span of the faster
        ones) was set to exactly zero, so that their modes stay on the saddle; 0 means gradient
        flow reaches the global minimum. The rule: at λ = 0 a component below
        ``snap_tol·‖Q(0)‖`` is zero; such zeros are exact there (in a square network the sign of
        det(W2W1(0))·det(Σ̃yx) fixes their parity, and a disagreement is reported). At λ ≠ 0 a
        component is zero only if it is below round-off, ``64·eps·‖Q(0)‖`` (eps of the input
        dtype), since λ ≠ 0 makes every genuine component escape, however small. Whenever the
        decision rests on round-off (a component between ``1024·eps·‖Q(0)‖`` and ``snap_tol`` set
        to zero at λ = 0, or any component below ``1024·eps·‖Q(0)‖`` at λ ≠ 0) a
        :class:`~lazyrich.PrecisionWarning` says so.

    Notes
    -----
    Accuracy: agreement with an ODE reference to ~1e-10 relative on ordinary problems. When
    abs(λ) ≫ s̃, QQᵀ has entries of size abs(λ) and the small block W2W1 carries an absolute round-off of
    about ``eps·abs(λ)`` (eps = 2.2e-16): at abs(λ)/s̃ = 1e10 that is ~1e-6 relative to s̃.

    Memory: the methods evaluate long time arrays in chunks, so that the working memory on top of
    the returned array stays below about ``CHUNK_BYTES`` = 32 MiB (plus one time point's work when
    a single time point needs more).

    Speed: pass all the times at once. One call on a time array costs one small symmetric
    positive-definite solve per time point, several times less per point than a Python loop of
    single-time calls, whose cost is mostly fixed per call; a new solution (a λ slider, a λ sweep)
    costs about as much as one or two single-time calls. ``make bench`` measures both.

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
                 snap_tol: float = SNAP_TOL, balance_rtol: float = BALANCE_RTOL) -> None:
        eps = input_eps(W1, W2)
        W1, W2 = check_weights(W1, W2)
        self.hidden_dim, self.in_dim = W1.shape
        self.out_dim = W2.shape[0]
        self.sigma_yx = as_matrix("sigma_yx", sigma_yx, (self.out_dim, self.in_dim)).copy()
        self.tau = check_positive("tau", tau)
        snap_tol = check_tolerance("snap_tol", snap_tol)
        lam, residual, size = balance_fit(W1, W2, balance_rtol, eps=eps)
        if 0.0 < size < MIN_SQUARED_NORM:
            raise ValueError(
                f"W1 and W2 are too small: ||W1||_F^2 + ||W2||_F^2 = {size:.3g} is below "
                f"{MIN_SQUARED_NORM:.0e}, where their squares and products reach float64's "
                "subnormal range and the solution loses all accuracy; rescale the problem")
        # A λ below the round-off of the balance matrix is not resolved by the weights: exactly 0.
        unit = eps * size / self.hidden_dim
        if abs(lam) <= ZERO_LAM_ULPS * unit:
            noise = max(unit, residual / np.sqrt(self.hidden_dim))
            if abs(lam) > LAM_NOISE_FACTOR * noise:
                warn_precision(
                    f"lam = {lam:.3g} read off the weights is within {ZERO_LAM_ULPS:g} eps of the "
                    f"weights' round-off ({unit:.1e}) and is treated as exactly 0, but it is "
                    f"{abs(lam) / noise:.0f} times their measured imbalance: the result may depend "
                    "on round-off (a tiny lam != 0 lets every stuck mode escape eventually)")
            lam = 0.0
        self.lam = lam
        self.W1, self.W2 = W1.copy(), W2.copy()
        # Eigenvectors of F ordered by decreasing rate μ, so that the growing rows come first.
        self.mu, self.O, self._gap = _spectrum(self.sigma_yx, lam, by_rate=True)
        self._P = self.O.T @ np.concatenate([W1.T, W2])
        self._half_lam = abs(lam) / 2.0
        self._build_flag(self._P, snap_tol, eps, math.sqrt(size))
        self._check_determinants()
        self._precompute_rates()

    # -- set-up ------------------------------------------------------------------------------
    def _build_flag(self, P: np.ndarray, snap_tol: float, eps: float, norm: float) -> None:
        """Flag basis of the hidden space ordered by growth rate, and the snapped P (module doc).

        ``P`` has its rows ordered by decreasing μ, so the growing rows come first; ``norm`` is
        ‖Q(0)‖_F = ‖P‖_F.
        """
        n, h = P.shape
        norm = max(norm, TINY)
        roundoff = AMBIGUOUS_ULPS * eps * norm
        tol = snap_tol * norm if self.lam == 0 else min(snap_tol, ROUNDOFF_ULPS * eps) * norm
        n_grow = int(np.count_nonzero(self.mu > 0))
        k = min(n_grow, h)
        # Usual case, every growing row adds a direction clearly above round-off: the flag basis is
        # the Q of a QR factorisation of those rows (Gram–Schmidt in one call), and growing row i
        # touches flag directions 0..i only.
        if k:
            Q, diag = _qr(P[:k].T)
            V = Q * np.sign(diag)
            # Rows 0..j-1 add directions clearly above round-off; j = k in the usual case.
            abs_diag = np.abs(diag)
            threshold = max(tol, roundoff)
            j = k if abs_diag.min() > threshold else int(np.flatnonzero(abs_diag <= threshold)[0])
        else:
            V, j = np.zeros((h, 0)), 0
        usual = j == k
        if usual:
            g, owner, n_snapped = k, np.arange(k), 0
            if n_grow > k:  # the hidden space is full: the rest is round-off
                P = P.copy()
                P[k:n_grow] = (P[k:n_grow] @ V) @ V.T
        else:  # from row j on, row by row
            V, owner, n_snapped, P = self._flag_by_rows(P, n_grow, V[:, :j], tol, roundoff, norm, eps)
            g = len(owner)
        Phat = P @ (np.hstack([V, _complement(V)]) if g < h else V)
        # Structural zeros: growing row i touches only flag directions introduced by rows <= i.
        if n_grow:
            if usual:  # owner j = j: a lower-triangular pattern
                Phat[:n_grow] *= _lower_mask(n_grow, h)
            else:
                Phat[:n_grow][~self._allowed_pattern(n_grow, owner)] = 0.0
        self._Phat = Phat
        self._n_grow = n_grow
        self._owner = owner
        self._usual = usual
        self._n_flag = g
        #: Number of growing directions whose initial component was set to exactly zero.
        self.n_snapped = n_snapped

    def _allowed_pattern(self, n_grow: int, owner: np.ndarray) -> np.ndarray:
        """(n_grow, h) mask of the flag directions each growing row may touch: those introduced
        by it or by faster rows."""
        allowed = np.zeros((n_grow, self.hidden_dim), dtype=bool)
        allowed[:, : len(owner)] = owner[None, :] <= np.arange(n_grow)[:, None]
        return allowed

    def _flag_by_rows(self, P: np.ndarray, n_grow: int, V0: np.ndarray, tol: float,
                      roundoff: float, norm: float, eps: float
                      ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """The flag basis built row by row, snapping components at or below ``tol`` to zero
        (some growing row adds a direction at or below round-off), continuing from the basis
        ``V0`` that rows 0..j-1 introduced (j = its number of columns). Returns the basis (h, g),
        the row that introduced each direction, the number snapped, and the snapped P."""
        h, j = V0.shape
        V = np.zeros((h, h))  # flag basis, filled column by column
        V[:, :j] = V0
        g = j
        owner: list[int] = list(range(j))
        P = P.copy()
        n_snapped = 0
        ambiguous: list[float] = []
        for i in range(j, n_grow):
            p = P[i]
            Vg = V[:, :g]
            r = p - Vg @ (Vg.T @ p)
            r = r - Vg @ (Vg.T @ r)  # re-orthogonalise
            rn = float(np.sqrt(r @ r))
            if g >= h:
                P[i] = Vg @ (Vg.T @ p)  # the hidden space is full: the rest is round-off
                continue
            if rn > tol:
                V[:, g] = r / rn
                g += 1
                owner.append(i)
                if rn <= roundoff:
                    ambiguous.append(rn / norm)
            else:
                n_snapped += 1  # an unstable direction whose initial component is zero
                P[i] = Vg @ (Vg.T @ p)
                if self.lam != 0 or rn > roundoff:
                    ambiguous.append(rn / norm)  # at λ = 0 a zero at round-off level is exact
        if ambiguous:
            warn_precision(
                f"{len(ambiguous)} growing initial component(s) of relative size "
                f"{', '.join(f'{a:.1e}' for a in ambiguous)} sit at round-off level "
                f"({AMBIGUOUS_ULPS:g} eps = {AMBIGUOUS_ULPS * eps:.1e}) at lam = {self.lam:.3g}: whether "
                "and when those modes escape their saddle depends on round-off, not on the "
                f"problem ({n_snapped} treated as exactly zero; see ExactSolution.n_snapped)")
        return V[:, :g], np.array(owner, dtype=int), n_snapped, P

    def _precompute_rates(self) -> None:
        """What every evaluation needs: the largest rate, 2μ, and where μ = 0 (only when abs(λ)/2
        is 0 in floating point: otherwise Λ >= abs(λ)/2 > 0 and the λ⊥ rates are ±λ/2 ≠ 0). The
        long-time tables are built on first use (:meth:`_slow_parts`)."""
        self._max_rate = float(max(self.mu[0], -self.mu[-1]))
        zero = self.mu == 0 if self._half_lam == 0.0 else None
        #: Where μ = 0, or None if no rate is 0.
        self._mu_zero = zero if zero is not None and np.count_nonzero(zero) else None
        self._two_mu = 2.0 * self.mu
        self._two_mu_safe = self._two_mu.copy()  # a divisor: 1 where μ = 0
        if self._mu_zero is not None:
            self._two_mu_safe[self._mu_zero] = 1.0
        self._outer_pp_cache: np.ndarray | None = None
        self._slow_cache: _SlowParts | None = None

    def _slow_parts(self) -> _SlowParts:
        """The long-time tables, built on first use (see :class:`_SlowParts`)."""
        if self._slow_cache is None:
            ng, g, h, n = self._n_grow, self._n_flag, self.hidden_dim, len(self.mu)
            a = self.mu.copy()
            a[ng:] = 0.0
            a_col = np.zeros(h)
            a_col[:g] = a[self._owner]
            two_abs_mu = np.abs(self._two_mu_safe)
            sign, nu = _rate_split(self.lam, self.mu, self._gap)
            a_sign, a_nu = sign.copy(), nu.copy()
            a_sign[ng:] = 0.0
            a_nu[ng:] = 0.0
            col_sign, col_nu = np.zeros((h, 1)), np.zeros((h, 1))
            col_sign[:g, 0] = a_sign[self._owner]
            col_nu[:g, 0] = a_nu[self._owner]
            allowed = np.ones((n, h), dtype=bool)
            allowed[:ng] = self._allowed_pattern(ng, self._owner)
            self._slow_cache = _SlowParts(
                a=a, a_col=a_col, neg_two_abs_mu=-two_abs_mu, log_two_abs_mu=np.log(two_abs_mu),
                min_two_abs_mu=float(two_abs_mu.min()),
                da=self._rate_diff(a_sign, a_nu, col_sign, col_nu),
                dm=self._rate_diff(sign, nu, col_sign, col_nu), allowed=allowed.T.copy())
        return self._slow_cache

    def _check_determinants(self) -> None:
        """At λ = 0 in a square network the sign of det(W2W1(0))·det(Σ̃yx) decides exactly whether
        a mode is stuck: a negative sign forces an odd number of stuck modes, a positive one an
        even number (the stuck modes are the eigenvalue −1 of an orthogonal matrix whose
        determinant is that sign). Warn if the snapping disagrees."""
        if self.lam != 0 or not (self.in_dim == self.hidden_dim == self.out_dim):
            return
        d = np.sign(np.linalg.det(self.W2 @ self.W1)) * np.sign(np.linalg.det(self.sigma_yx))
        if d != 0 and (self.n_snapped % 2 == 1) != (d < 0):
            warn_precision(
                f"at lam = 0 the determinant signs say {'an odd' if d < 0 else 'an even'} number of "
                f"modes stay on the saddle, but {self.n_snapped} were detected: the start is within "
                "round-off of a singular one, and the result depends on it")

    # -- core evaluation ---------------------------------------------------------------------
    def _rate_diff(self, i_sign: np.ndarray, i_nu: np.ndarray, j_sign: np.ndarray,
                   j_nu: np.ndarray) -> np.ndarray:
        """Differences of rates (sign_i − sign_j)·abs(λ)/2 + (nu_i − nu_j), without cancellation."""
        return (i_sign - j_sign) * self._half_lam + (i_nu - j_nu)

    def _log_k_parts(self, s: np.ndarray) -> np.ndarray:
        """Bounded part b of log k(μ, t) = 2·max(μ, 0)·t + b, with k = ∫₀ᵗ e^{2μs} ds, shape (T, n).

        For μ ≠ 0, b = log((1 − e^{−2|μ|t})/(2|μ|)) (the same expression for either sign of μ,
        since the growing part is split off); for μ = 0, b = log t. Splitting off the linear part
        keeps differences such as log k_i − log k_j accurate when μt is huge."""
        # log 0 = −inf at t = 0 (or where 2|μ|t underflows to 0) is intended; the error-state
        # switch is skipped when no product 2|μ|t can be 0.
        sp = self._slow_parts()
        positive = s.size > 0 and sp.min_two_abs_mu * float(s.min()) > 0.0
        with contextlib.nullcontext() if positive else np.errstate(divide="ignore"):
            b = np.log(-np.expm1(sp.neg_two_abs_mu * s[:, None]))  # rate 1 stands in at μ = 0
            b -= sp.log_two_abs_mu
            if self._mu_zero is not None:
                b[:, self._mu_zero] = np.log(s)[:, None]
        return b

    def _scaled_terms(self, s: np.ndarray, O_sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nᵀ(t) restricted to the rows ``O_sel`` of O, with N = O E P D, and A(t) = D² + D PᵀKP D,
        so that QQᵀ(t) = N A⁻¹ Nᵀ (module docstring). ``s`` are times t/τ. Shapes (T, h, len(O_sel)),
        (T, h, h)."""
        if self._max_rate * float(s.max()) <= FAST_EXPONENT:
            return self._fast_terms(s, O_sel)
        T, g, h = len(s), self._n_flag, self.hidden_dim
        sp = self._slow_parts()
        a, a_col = sp.a, sp.a_col
        fast = self._max_rate * s <= FAST_EXPONENT
        n = self._Phat.shape[0]
        Nt = np.empty((T, h, len(O_sel)))
        A = np.empty((T, h, h))
        if np.any(fast):
            Nt[fast], A[fast] = self._fast_terms(s[fast], O_sel)
        slow = ~fast
        s = s[slow]
        b = self._log_k_parts(s)  # (T_slow, n)
        # Column j is scaled by D_j = 1/max(1, sqrt(k_o(j))), o(j) the row that introduced it.
        # Its log-scale is c_j = a_o t + b_o/2 where k_o >= 1, else 0; N columns are unscaled.
        if self._usual and g == h:  # owner j = j for every column
            b_col = b[:, :h]
        else:
            b_col = np.zeros((len(s), h))
            b_col[:, :g] = b[:, self._owner]
        # 0 on the complement, where a_col = b_col = 0
        c = np.maximum(a_col * s[:, None] + 0.5 * b_col, 0.0)
        # Long times: exponents combined first, rate differences taken before multiplying by t.
        # Gt = (K^{1/2} P D)ᵀ has entries <= |P| and Mt = (E P D)ᵀ is bounded.
        st = s[:, None, None]
        cs = c[:, :, None]
        bs = b[:, None, :]
        # With c_j > 0: log g_ij = a_i t + b_i/2 − c_j = (a_i − a_o(j)) t + (b_i − b_o(j))/2, the
        # difference of rates taken first; with c_j = 0 it is a_i t + b_i/2 (same for m).
        big = cs > 0.0
        half_b_col = 0.5 * b_col[:, :, None]
        da, dm, allowed = sp.da, sp.dm, sp.allowed
        with np.errstate(over="ignore", invalid="ignore"):
            eg = np.where(big, da * st + (0.5 * bs - half_b_col), a * st + 0.5 * bs)
            em = np.where(big, dm * st - half_b_col, self.mu * st)
        PhT = self._Phat.T
        Gt = PhT * np.exp(np.where(allowed, eg, -np.inf))
        Mt = PhT * np.exp(np.where(allowed, em, -np.inf))
        As = Gt @ swap(Gt)
        As.reshape(-1, h * h)[:, :: h + 1] += np.exp(-2.0 * c)
        A[slow] = As
        Nt[slow] = (Mt.reshape(-1, n) @ O_sel.T).reshape(len(st), h, len(O_sel))
        return Nt, A

    def _fast_terms(self, s: np.ndarray, O_sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Moderate times (max |μ|t/τ <= FAST_EXPONENT), where nothing can overflow: the terms of
        :meth:`_scaled_terms` with k = (e^{2μt} − 1)/(2μ) and D_j = 1/max(1, √k_o(j)) formed
        directly, Pᵀ K P = Σ_i k_i p_i p_iᵀ and (E P)ᵀ Oᵀ as matrix products over all times."""
        h, g = self.hidden_dim, self._n_flag
        n = self._Phat.shape[0]
        ls = s[:, None]
        k = np.expm1(self._two_mu * ls) / self._two_mu_safe  # (T, n); 0/1 where μ = 0
        if self._mu_zero is not None:
            k[:, self._mu_zero] = ls  # k = t/τ where μ = 0
        e = np.exp(self.mu * ls)
        d = np.ones((len(s), h))  # complement columns are unscaled
        if g:
            k_owner = k[:, :g] if self._usual else k[:, self._owner]
            d[:, :g] = 1.0 / np.sqrt(np.maximum(k_owner, 1.0))
        if len(s) < h:  # a few times: Pᵀ diag(k) P directly
            A = (self._Phat.T * k[:, None, :]) @ self._Phat
        else:  # many: one product with the table of outer products p_i p_iᵀ, built once
            if self._outer_pp_cache is None:
                self._outer_pp_cache = (self._Phat[:, :, None] * self._Phat[:, None, :]).reshape(n, h * h)
            A = (k @ self._outer_pp_cache).reshape(-1, h, h)
        A *= d[:, :, None]
        A *= d[:, None, :]
        A.reshape(-1, h * h)[:, :: h + 1] += d * d
        if len(O_sel) <= len(s):
            # (E P)ᵀ Oᵀ = Σ_i e_i p_i o_iᵀ as one (T, n) × (n, h·|sel|) product; the (n, h, |sel|)
            # table is no larger than the (T, h, n) array it replaces.
            table = (self._Phat[:, :, None] * O_sel.T[:, None, :]).reshape(n, -1)
            Nt = (e @ table).reshape(len(s), h, len(O_sel))
        else:
            M = self._Phat.T * e[:, None, :]  # (T, h, n)
            Nt = (M.reshape(-1, n) @ O_sel.T).reshape(len(s), h, len(O_sel))
        Nt *= d[:, :, None]
        return Nt, A

    def _chunk_size(self, n_sel: int) -> int:
        """Times per chunk so that the working arrays stay below CHUNK_BYTES."""
        h, n = self.hidden_dim, self._Phat.shape[0]
        per_time = 8 * (10 * h * n + 4 * h * h + 3 * h * n_sel + 8 * n)
        return max(1, CHUNK_BYTES // per_time)

    def _evaluate(self, t: ArrayLike, rows: slice, cols: slice | None,
                  kind: str) -> tuple[np.ndarray, bool]:
        """Rows × cols block of QQᵀ = N A⁻¹ Nᵀ (``kind="block"``, cols None for a symmetric
        block), or the factor Zᵀ = L⁻¹ Nᵀ with A = L Lᵀ (``kind="factor"``), chunked over times."""
        s, scalar = scaled_times(t, self.tau)
        if s.size:
            # k = e^{2μt/τ} is handled through its logarithm 2μt/τ, which must be finite (Python
            # floats overflow to inf without a warning).
            if not 2.0 * self._max_rate * float(s.max()) < np.inf:
                raise ValueError(f"t/tau = {s.max():.3g} times twice the largest rate "
                                 f"{self._max_rate:.3g} overflows float64")
        O_sel = self.O[rows] if cols is None else np.concatenate([self.O[rows], self.O[cols]])
        nr = rows.stop - rows.start
        if kind == "factor":
            out = np.empty((len(s), self.hidden_dim, nr))
        else:
            out = np.empty((len(s), nr, nr if cols is None else cols.stop - cols.start))
        step = self._chunk_size(len(O_sel))
        for start in range(0, len(s), step):
            part = slice(start, start + step)
            Nt, A = self._scaled_terms(s[part], O_sel)
            if kind == "factor":
                out[part] = np.linalg.inv(np.linalg.cholesky(A)) @ Nt
                continue
            left, right = (Nt, Nt) if cols is None else (Nt[:, :, :nr], Nt[:, :, nr:])
            if len(A) == 1:  # one time: a Cholesky solve, without the batched wrapper's overhead
                _, X, info = lapack.dposv(A[0], right[0], lower=1)
                if info == 0:
                    np.matmul(left[0].T, X, out=out[part][0])
                    continue
            np.matmul(swap(left), np.linalg.inv(A) @ right, out=out[part])
        return out, scalar

    def _block(self, t: ArrayLike, rows: slice, cols: slice | None = None) -> np.ndarray:
        out, scalar = self._evaluate(t, rows, cols, "block")
        return out[0] if scalar else out

    def factor(self, t: ArrayLike) -> np.ndarray:
        """Z(t) with QQᵀ(t) = Z Zᵀ: a valid ``[W1ᵀ; W2]`` up to a hidden rotation.

        Shape (n, h) for a scalar t, or (T, n, h), with n = in_dim + out_dim.
        """
        Zt, scalar = self._evaluate(t, slice(0, self.in_dim + self.out_dim), None, "factor")
        Z = swap(Zt)
        return Z[0] if scalar else Z

    def qqt(self, t: ArrayLike) -> np.ndarray:
        """QQᵀ(t) = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] at time(s) t.

        Returns shape (n, n) for a scalar t, or (len(t), n, n), with n = in_dim + out_dim.
        The result is symmetric to round-off (about 1e-15 relative).
        """
        return self._block(t, slice(0, self.in_dim + self.out_dim))

    def w2w1(self, t: ArrayLike) -> np.ndarray:
        """Network function W2W1(t), shape (out_dim, in_dim) or (T, out_dim, in_dim)."""
        ni, no = self.in_dim, self.out_dim
        return self._block(t, slice(ni, ni + no), slice(0, ni))

    def w1tw1(self, t: ArrayLike) -> np.ndarray:
        """Input-side Gram W1ᵀW1(t), shape (in_dim, in_dim) or (T, in_dim, in_dim)."""
        return self._block(t, slice(0, self.in_dim))

    def w2w2t(self, t: ArrayLike) -> np.ndarray:
        """Output-side Gram W2W2ᵀ(t), shape (out_dim, out_dim) or (T, out_dim, out_dim)."""
        ni, no = self.in_dim, self.out_dim
        return self._block(t, slice(ni, ni + no))

    def loss(self, t: ArrayLike, offset: float = 0.0) -> np.ndarray | float:
        """Loss ½‖W2W1(t) − Σ̃yx‖_F² + offset (paper Eq. 2); pass ``task.loss_offset`` as offset."""
        return task_loss(self.w2w1(t), self.sigma_yx, check_finite("offset", offset))

    def weights(self, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """W1(t), W2(t) up to an orthogonal rotation of the hidden layer (Theorem 5.2).

        The returned pair reproduces QQᵀ(t) and is λ-balanced with the same λ.
        Shapes (hidden, in) and (out, hidden), with a leading time axis for array t.
        """
        Z = self.factor(t)
        return swap(Z[..., : self.in_dim, :]), Z[..., self.in_dim:, :]

    def singular_values(self, t: ArrayLike) -> np.ndarray:
        """Singular values of W2W1(t), descending, shape (min(in, out),) or (T, min(in, out))."""
        W = self.w2w1(t)
        if W.ndim == 3 and len(W) == 0:
            return np.empty((0, min(self.in_dim, self.out_dim)))
        return np.linalg.svd(W, compute_uv=False)

    def ntk(self, t: ArrayLike, X: ArrayLike) -> np.ndarray:
        """NTK on the inputs X (in_dim × P) at time(s) t, from the exact QQᵀ blocks (Section 4.2)."""
        X = as_matrix("X", X, (self.in_dim, None))
        return ntk(self.w1tw1(t), self.w2w2t(t), X)

    def kernel_distance(self, t: ArrayLike, X: ArrayLike) -> np.ndarray | float:
        """Kernel distance between the NTK at t = 0 and at time(s) t on inputs X (Section 4.2)."""
        X = as_matrix("X", X, (self.in_dim, None))
        return ntk_kernel_distance(self.W1.T @ self.W1, self.W2 @ self.W2.T, self.w1tw1(t),
                                   self.w2w2t(t), X)

    # -- diagnostics -------------------------------------------------------------------------
    @property
    def B(self) -> np.ndarray:
        """The matrix B (hidden × m) of Theorem 4.3: √2 × the growing task-mode rows of P, transposed.

        Gradient flow reaches the global minimum iff B has full rank m.
        """
        return np.sqrt(2.0) * self._P[: min(self.in_dim, self.out_dim)].T

    def qqt_naive(self, t: ArrayLike) -> np.ndarray:
        """The same solution evaluated naively, with e^{+μt} (Theorem 4.3 as written).

        For demonstrations only: it loses accuracy once e^{2Λt} ≳ 1e16 and returns inf/NaN once
        Λt ≳ 350. Use :meth:`qqt`.
        """
        s, scalar = scaled_times(t, self.tau)
        P = self._P
        n = P.shape[0]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            E = np.exp(self.mu[None] * s[:, None])
            K = np.exp(2.0 * self._slow_parts().a * s[:, None] + self._log_k_parts(s))
            A = np.eye(self.hidden_dim)[None] + np.einsum("ni,tn,nj->tij", P, K, P)
            EP = E[:, :, None] * P[None]
            rhs = swap(EP)
            try:
                X = np.linalg.solve(A, rhs)
            except np.linalg.LinAlgError:  # overflowed or singular in floating point: NaN there
                X = np.full(rhs.shape, np.nan)
                for k in range(len(s)):
                    try:
                        X[k] = np.linalg.solve(A[k], rhs[k])
                    except np.linalg.LinAlgError:
                        pass
            out = self.O[None] @ (EP @ X) @ self.O.T[None] if len(s) else np.empty((0, n, n))
        return out[0] if scalar else out

    def __repr__(self) -> str:
        return (f"ExactSolution(in_dim={self.in_dim}, hidden_dim={self.hidden_dim}, "
                f"out_dim={self.out_dim}, lam={self.lam:.6g}, tau={self.tau:g})")


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


def _aligned_modes(a0: np.ndarray, st: np.ndarray, lam: float, s: np.ndarray) -> np.ndarray:
    """Closed form of the 1-1-1 exact solution for each mode (broadcast over a0, st, s = t/τ).

    With λ given exactly, the mode's layers are c >= 0, d = sign(a0)·|d| with d² − c² = λ, and its
    components along the growing and decaying eigenvectors (1/√2)[α; β], (1/√2)[β; −α] of F are
    p± (α = G − HG, β = G + HG as in :func:`eigendecomposition`). The growing one is computed as
    g(−λ/(c + |d|) − h(c + |d|))/√2 when d < 0, which has no cancellation: a start with a0 < 0 at a
    tiny λ ≠ 0 escapes its saddle however small λ is. Multiplying numerator and denominator of the
    rank-one solution by e^{−2Λt} gives, with x = e^{−2Λt} and m = (1 − x)/(2Λ) (t where Λ = 0),

        a(t) = (α p₊ + β p₋ x)(β p₊ − α p₋ x) / (2 (x + p₊² m + p₋² m x)).
    """
    c, d = split_singular_values(np.abs(a0), lam)
    neg = a0 < 0
    Lam = np.hypot(st, lam / 2.0)
    denom = np.hypot(lam, 2.0 * st) + 2.0 * st
    h = np.divide(lam, denom, out=np.zeros_like(denom), where=denom > 0)
    g = 1.0 / np.sqrt(1.0 + h**2)
    alpha, beta = g * (1.0 - h), g * (1.0 + h)
    cd = c + np.abs(d)
    safe = np.where(cd > 0, cd, 1.0)
    p_plus = np.where(neg, g * (-lam / safe - h * cd), c * alpha + np.abs(d) * beta) / np.sqrt(2.0)
    p_minus = np.where(neg, c * beta + np.abs(d) * alpha, c * beta - np.abs(d) * alpha) / np.sqrt(2.0)
    # Everything divided by e^M, M = max(log x, log(m p₊²)), with x = e^{−2Λt} kept in logs, so
    # that nothing under- or overflows for any p₊ (including 0) and any t.
    log_x = -2.0 * Lam * s
    m = np.where(Lam > 0, -np.expm1(log_x) / np.where(Lam > 0, 2.0 * Lam, 1.0), s)
    with np.errstate(divide="ignore"):
        log_u = np.log(np.abs(p_plus))
        log_mu2 = np.log(m) + 2.0 * log_u
    M = np.maximum(log_x, log_mu2)
    sign_u = np.sign(p_plus)
    num = (alpha * beta * np.exp(2.0 * log_u - M)
           + (beta**2 - alpha**2) * sign_u * p_minus * np.exp(log_u + log_x - M)
           - alpha * beta * p_minus**2 * np.exp(2.0 * log_x - M))
    den = np.exp(log_x - M) + np.exp(log_mu2 - M) + m * p_minus**2 * np.exp(log_x - M)
    return num / (2.0 * den)


def aligned_singular_values(s0: ArrayLike, s_target: ArrayLike, lam: float, t: ArrayLike, *,
                            tau: float = 1.0) -> np.ndarray:
    """Singular values s_α(t) of W2W1 under task-aligned λ-balanced initialisation (Theorem 5.1).

    Each mode is a 1-1-1 network with a = cd, d² − c² = λ, obeying
    τ da/dt = √(λ² + 4a²)(s̃ − a), which depends on λ only through λ². It is solved here as the
    1×1 case of the exact solution in closed form, with λ used exactly (not read off rounded
    weights), so it holds for any sign and size of λ, including λ = 0 (the Saxe et al. sigmoid)
    and a0 < 0 (the mode must cross zero; at λ = 0 exactly it cannot, and decays to the saddle
    a = 0, while at any λ ≠ 0 it crosses after a time of order log(1/abs(λ))).

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
    s, scalar = scaled_times(t, tau)
    a0, st = np.broadcast_arrays(as_array("s0", s0), as_array("s_target", s_target))
    a0, st = np.atleast_1d(a0).ravel(), np.atleast_1d(st).ravel()
    if not (np.all(np.isfinite(a0)) and np.all(np.isfinite(st))):
        raise ValueError("s0 and s_target must be finite")
    if np.any(st < 0):
        raise ValueError(f"s_target are singular values and must be >= 0, got min {st.min():g}")
    out = _aligned_modes(a0[None, :], st[None, :], lam, s[:, None])
    return out[0] if scalar else out


def transition_function(s0: ArrayLike, s_target: ArrayLike, lam: float, t: ArrayLike, *,
                        tau: float = 1.0) -> np.ndarray:
    """γ_α(t; λ) = (s_α(t) − s_α(0))/(s̃_α − s_α(0)), so that s(t) = s(0) + γ(t)(s̃ − s(0)) (Eq. 17).

    Where s_α(0) = s̃_α the mode is exactly constant and this ratio is 0/0; there γ is its limit as
    s_α(0) → s̃_α, the linearised relaxation 1 − exp(−√(λ² + 4s̃²)·t/τ).
    """
    a = aligned_singular_values(s0, s_target, lam, t, tau=tau)
    a0, st = np.broadcast_arrays(as_array("s0", s0), as_array("s_target", s_target))
    a0, st = np.atleast_1d(a0).ravel(), np.atleast_1d(st).ravel()
    gap = st - a0
    at_target = gap == 0
    s, _ = scaled_times(t, tau)
    s = s[:, None] if np.ndim(a) == 2 else s
    rate = np.hypot(lam, 2.0 * st)
    limit = -np.expm1(-rate * s)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a - a0) / np.where(at_target, 1.0, gap)
    return np.where(at_target, limit, ratio)


def slow_rate(s_target: ArrayLike, lam: ArrayLike) -> np.ndarray:
    """Slow rate of the delayed-rich regime, √(s̃² + λ²/4) − abs(λ)/2 (paper Theorem C.6).

    Computed in the rationalised form s̃²/(√(s̃² + λ²/4) + abs(λ)/2), which has no cancellation and
    tends to s̃²/abs(λ) for abs(λ) ≫ s̃. Broadcasts ``s_target`` against ``lam``.

    Examples
    --------
    >>> float(slow_rate(1.0, 0.0)), round(float(slow_rate(0.5, 40.0) * 40 / 0.25), 4)
    (1.0, 0.9998)
    """
    s = as_array("s_target", s_target)
    lam = np.abs(as_array("lam", lam))
    return s**2 / (np.sqrt(s**2 + lam**2 / 4.0) + lam / 2.0)
