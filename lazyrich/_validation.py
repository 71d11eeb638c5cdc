"""Input checks and numerical tolerances shared by the package.

Every check raises a ``ValueError`` that names the argument and the offending value. Every tolerance
the package uses is a named constant here, so that there is one place to read and change them.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

EPS = float(np.finfo(float).eps)
_FLOAT64 = np.dtype(float)
TINY = float(np.finfo(float).tiny)

#: Balance residual allowed by default, relative to ``‖W1‖_F² + ‖W2‖_F²``.
BALANCE_RTOL = 1e-8
#: Balance residual always allowed, in units of the input dtype's machine epsilon (so that float32
#: copies of balanced weights are accepted at float32 precision).
BALANCE_ULPS = 64.0
#: A λ read off the weights is set to exactly 0 when it is below this many units of round-off of
#: the balance matrix, ``eps·(‖W1‖² + ‖W2‖²)/hidden_dim``: such a λ is not resolved by the weights.
ZERO_LAM_ULPS = 64.0
#: A λ zeroed by ``ZERO_LAM_ULPS`` that exceeds this many times the weights' measured imbalance (or
#: their round-off) was probably meant: the zeroing then comes with a :class:`PrecisionWarning`.
LAM_NOISE_FACTOR = 8.0
#: Default relative size below which a growing initial component at λ = 0 is treated as exactly 0.
SNAP_TOL = 1e-12
#: At λ ≠ 0, growing components below this many units of round-off (relative to ‖Q(0)‖) are
#: treated as exactly zero: they cannot be told apart from zero.
ROUNDOFF_ULPS = 64.0
#: Growing components below this many units of round-off (relative to ‖Q(0)‖) are known to a few
#: digits at best (round-off of a structural zero reaches ~60 units in 16-16-16 networks); a
#: result that depends on them comes with a :class:`PrecisionWarning`.
AMBIGUOUS_ULPS = 1024.0
#: Largest exponent evaluated directly by the exact solution; beyond it exponents are combined
#: before ``exp``.
FAST_EXPONENT = 300.0
#: Largest entry accepted in weights, correlations and data: their squares and products must stay
#: far from float64 overflow (about 1.8e308).
MAX_ENTRY = 1e150
#: Smallest nonzero ``‖W1‖_F² + ‖W2‖_F²`` the exact solution accepts: below about 1e-306 the
#: squares and products of the weights reach float64's subnormal range (2.2e-308) and results lose
#: all accuracy (late times even overflow); this leaves a margin of 16 orders of magnitude.
MIN_SQUARED_NORM = 1e-290
#: Relative rank tolerance: singular values below this times the largest count as zero.
RANK_RTOL = 1e-12
#: Whitening tolerance of ``Task.is_whitened`` (absolute, on (1/P) X Xᵀ − I).
WHITENED_ATOL = 1e-10
#: Relative eigenvalue floor below which a mode of the lazy linearisation counts as frozen.
FROZEN_RTOL = 1e-14
#: Working memory per chunk of times in the exact solution, in bytes (see ``ExactSolution``).
CHUNK_BYTES = 32 * 2**20
#: Default tolerances of the ``solve_ivp`` references (DOP853).
ODE_RTOL = 1e-12
ODE_ATOL = 1e-20


#: What ``rng`` arguments accept: anything ``np.random.default_rng`` accepts.
SeedLike = int | np.integer | np.random.Generator | np.random.SeedSequence | np.random.BitGenerator


class PrecisionWarning(RuntimeWarning):
    """A result depends on quantities at round-off level (see the message)."""


def warn_precision(message: str) -> None:
    warnings.warn(message, PrecisionWarning, stacklevel=3)


def real_scalar(name: str, value) -> float:
    """A real number (int, float or 0-d real array); strings, complex numbers and arrays raise."""
    if type(value) is float:
        return value
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ValueError(f"{name} must be a real number, got an array of shape {value.shape}")
        value = value[()]
    if isinstance(value, (complex, np.complexfloating)):
        raise ValueError(f"{name} must be a real number, got the complex value {value!r}")
    if not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    return float(value)


def check_finite(name: str, value) -> float:
    """A finite real number."""
    v = real_scalar(name, value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def check_positive(name: str, value) -> float:
    """A finite real number > 0."""
    v = real_scalar(name, value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return v


def check_tolerance(name: str, value) -> float:
    """A finite real tolerance >= 0."""
    v = real_scalar(name, value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite tolerance >= 0, got {value!r}")
    return v


def check_dim(name: str, value) -> int:
    """A positive integer dimension."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """Anything ``np.random.default_rng`` accepts (a Generator is returned unchanged, an int seeds a
    new one); ``None`` is refused, since randomness must be explicit."""
    if rng is None:
        raise ValueError(f"{name} is required: pass a seed such as 0 or np.random.default_rng(0)")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a seed or a numpy Generator, got {rng!r}") from err


def as_array(name: str, a) -> np.ndarray:
    """``a`` as a float64 array; complex, non-numeric and too large values raise."""
    if a is None:
        raise ValueError(f"{name} is required, got None")
    raw = np.asarray(a)
    if raw.dtype == _FLOAT64:  # native float64 (a byte-swapped '>f8' is converted below)
        return raw
    kind = raw.dtype.kind
    if kind in "USV":
        raise ValueError(f"{name} must hold real numbers, got {a!r}")
    if kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {raw.dtype}); pass the real "
                         "part explicitly if that is what you mean")
    try:
        arr = np.asarray(raw, dtype=float)
    except OverflowError as err:
        raise ValueError(f"{name} holds a number too large for float64") from err
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must hold real numbers, got dtype {raw.dtype}") from err
    return arr


def check_entries(name: str, arr: np.ndarray) -> np.ndarray:
    """Finite entries no larger than :data:`MAX_ENTRY` in size."""
    if not arr.size:
        return arr
    big = float(np.abs(arr).max())  # NaN or inf if any entry is not finite
    if not big <= MAX_ENTRY:
        finite = np.isfinite(arr)
        if not finite.all():
            bad = int(arr.size - np.count_nonzero(finite))
            raise ValueError(f"{name} has {bad} non-finite entries (NaN or inf)")
        if big > MAX_ENTRY:
            raise ValueError(f"{name} has an entry of size {big:.3g}, above the supported {MAX_ENTRY:.0e}: "
                             "its squares would overflow float64; rescale the problem")
    return arr


def as_matrix(name: str, a, shape: tuple[int | None, int | None] | None = None) -> np.ndarray:
    """Return ``a`` as a finite, real float64 2-D array, checking its shape."""
    arr = as_array(name, a)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got an array of shape {arr.shape}")
    if shape is not None:
        for axis, want in enumerate(shape):
            if want is not None and arr.shape[axis] != want:
                raise ValueError(
                    f"{name} has shape {arr.shape}, but axis {axis} must have length {want}"
                )
    return check_entries(name, arr)


def input_eps(*arrays) -> float:
    """Machine epsilon of the least precise floating input (float64's for integer inputs)."""
    eps = EPS
    for a in arrays:
        dt = a.dtype if isinstance(a, np.ndarray) else np.asarray(a).dtype
        if dt == np.float64:
            continue
        if np.issubdtype(dt, np.floating):
            eps = max(eps, float(np.finfo(dt).eps))
    return eps


def check_times(t) -> tuple[np.ndarray, bool]:
    """Times as a 1-D float array (and whether the input was a scalar). Rejects NaN, inf, t < 0.

    An empty array is allowed and gives empty results.
    """
    if t is None:
        raise ValueError("t is required: pass a time or a 1-D array of times, got None")
    if type(t) is float:  # the common scalar case, without array reductions
        if math.isfinite(t) and t >= 0:
            return np.array([t], dtype=float), True
    arr = as_array("t", t)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"t must be a scalar or a 1-D array of times, got shape {arr.shape}")
    if arr.size and not (arr.min() >= 0 and arr.max() < np.inf):
        if np.isnan(arr).any():
            raise ValueError(f"t contains {int(np.isnan(arr).sum())} NaN value(s)")
        if not np.isfinite(arr).all():
            raise ValueError("t contains an infinite time; use a large finite time instead")
        raise ValueError(f"times must be >= 0, got min(t) = {arr.min():.6g}")
    return arr, scalar


def scaled_times(t, tau: float) -> tuple[np.ndarray, bool]:
    """Times in units of τ, t/τ, checking that the division does not overflow."""
    times, scalar = check_times(t)
    if tau >= 1.0:  # the division cannot overflow
        return times / tau, scalar
    with np.errstate(over="ignore"):
        s = times / tau
    if s.size and not s.max() < np.inf:
        raise ValueError(f"t/tau overflows float64: max(t) = {times.max():.3g} and tau = {tau:.3g}")
    return s, scalar


def check_weights(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    """W1 of shape (hidden, in) and W2 of shape (out, hidden), finite, real, every size >= 1."""
    W1 = as_matrix("W1", W1)
    W2 = as_matrix("W2", W2)
    if W2.shape[1] != W1.shape[0]:
        raise ValueError(
            f"W1 has shape {W1.shape} (hidden_dim, in_dim) and W2 has shape {W2.shape} "
            f"(out_dim, hidden_dim): their hidden dimensions {W1.shape[0]} and {W2.shape[1]} differ"
        )
    if 0 in W1.shape or 0 in W2.shape:
        raise ValueError(f"every layer width must be >= 1, got W1 of shape {W1.shape} and W2 of "
                         f"shape {W2.shape}")
    return W1, W2


def balance_residual(W1: np.ndarray, W2: np.ndarray) -> tuple[float, float, float]:
    """Return (lam, residual, scale) for the least-squares λ fit of ``W2ᵀW2 − W1W1ᵀ ≈ λI``.

    ``lam = Tr(W2ᵀW2 − W1W1ᵀ)/hidden_dim`` (paper App. A.3), ``residual`` is the Frobenius norm of
    what is left, and ``scale = ‖W1‖_F² + ‖W2‖_F²`` sets the tolerance.
    """
    h = W1.shape[0]
    bal = W2.T @ W2 - W1 @ W1.T
    diag = bal.ravel()[:: h + 1]  # a view of the diagonal
    lam = float(diag.sum()) / h
    diag -= lam
    residual = math.sqrt(float(np.vdot(bal, bal)))
    scale = float(np.vdot(W1, W1) + np.vdot(W2, W2))
    return lam, residual, scale


def check_balanced(W1: np.ndarray, W2: np.ndarray, rtol: float = BALANCE_RTOL, *,
                   eps: float = EPS) -> float:
    """Return λ if W1, W2 are λ-balanced to ``rtol`` (relative to the weights' size), else raise
    (see :func:`balance_fit`)."""
    return balance_fit(W1, W2, rtol, eps=eps)[0]


def balance_fit(W1: np.ndarray, W2: np.ndarray, rtol: float = BALANCE_RTOL, *,
                eps: float = EPS) -> tuple[float, float, float]:
    """(λ, residual, scale) of :func:`balance_residual` if W1, W2 are λ-balanced to ``rtol``
    (relative to the weights' size), else raise.

    The tolerance is never below ``BALANCE_ULPS·eps``, the round-off of weights stored at the
    precision ``eps`` (float32 inputs pass ``eps = 1.2e-7``).
    """
    rtol = check_tolerance("balance_rtol", rtol)
    lam, residual, scale = balance_residual(W1, W2)
    floor = BALANCE_ULPS * eps
    tol = max(rtol, floor)
    if residual > tol * max(scale, TINY):
        precision = (f" The weights' own precision (eps = {eps:.1e}) allows {floor:.1e}."
                     if eps > EPS else "")
        raise ValueError(
            "W1 and W2 are not lambda-balanced: ||W2^T W2 - W1 W1^T - lam*I||_F = "
            f"{residual:.3e} with best lam = {lam:.6g}, but the tolerance is "
            f"{tol:.0e} * (||W1||_F^2 + ||W2||_F^2) = {tol * scale:.3e}.{precision} "
            "Use lazyrich.lambda_balanced(...) to build balanced weights."
        )
    return lam, residual, scale
