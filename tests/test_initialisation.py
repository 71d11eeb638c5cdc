"""λ-balanced initialisation (Algorithm 1, Theorem 5.2, App. A.3): balance, admissibility,
alignment, the split of singular values and the Gram matrices of balanced weights."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyrich as lr


@st.composite
def admissible(draw):
    ni = draw(st.integers(1, 7))
    no = draw(st.integers(1, 7))
    nh = draw(st.integers(1, max(ni, no) + 2))
    lam = draw(st.floats(-100, 100, allow_nan=False))
    if nh > max(ni, no):
        lam = 0.0
    elif nh > min(ni, no):
        lam = abs(lam) * np.sign(no - ni)
    scale = draw(st.floats(1e-4, 10.0))
    return ni, nh, no, lam, scale, draw(st.integers(0, 2**32 - 1))

@settings(max_examples=200, deadline=None)
@given(admissible())
def test_lambda_balanced_is_balanced_with_the_requested_scale(case):
    ni, nh, no, lam, scale, seed = case
    W1, W2 = lr.lambda_balanced(ni, nh, no, lam, scale=scale, rng=np.random.default_rng(seed))
    assert W1.shape == (nh, ni) and W2.shape == (no, nh)
    size = np.sum(W1**2) + np.sum(W2**2)
    np.testing.assert_allclose(lr.balance_matrix(W1, W2), lam * np.eye(nh), rtol=0, atol=1e-12 * size)
    r = min(ni, nh, no)
    sv = np.linalg.svd(W2 @ W1, compute_uv=False)
    np.testing.assert_allclose(sv[:r], scale, rtol=1e-9)
    assert np.all(sv[r:] < 1e-9 * scale)

@pytest.mark.parametrize("dims,lam,match", [
    ((3, 4, 5), -1.0, "lam must be positive"),
    ((5, 4, 3), 1.0, "lam must be negative"),
    ((2, 6, 3), 0.5, "only for lam = 0"),
])
def test_impossible_combinations_name_the_rule(dims, lam, match):
    with pytest.raises(ValueError, match=match):
        lr.lambda_balanced(*dims, lam, rng=np.random.default_rng(0))

@pytest.mark.parametrize("kwargs,match", [
    ({"scale": 0.0}, "scale must be finite and > 0"),
    ({"scale": [1.0, 2.0]}, "3 singular values"),
    ({"rng": None}, "rng is required"),
])
def test_lambda_balanced_bad_arguments(kwargs, match):
    args = {"scale": 1.0, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(ValueError, match=match):
        lr.lambda_balanced(3, 3, 3, 0.5, **args)

@pytest.mark.parametrize("bad", [0, -2, 2.5, True])
def test_dimensions_must_be_positive_integers(bad):
    with pytest.raises(ValueError, match="positive integer"):
        lr.lambda_balanced(bad, 2, 2, 0.0, rng=np.random.default_rng(0))

def test_aligned_initialisation_shares_the_task_singular_vectors():
    rng = np.random.default_rng(1)
    task = lr.random_regression(20, 4, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(4, 3, 3, -2.0, scale=[0.3, 0.2, 0.1], aligned_to=task.sigma_yx)
    U, s, Vt = np.linalg.svd(task.sigma_yx, full_matrices=False)
    np.testing.assert_allclose(U.T @ (W2 @ W1) @ Vt.T, np.diag([0.3, 0.2, 0.1]), atol=1e-14)

def test_split_singular_values_is_accurate_when_lambda_dominates():
    s1, s2 = lr.split_singular_values(np.array([1e-6, 1.0]), 1e6)
    np.testing.assert_allclose(s1 * s2, [1e-6, 1.0], rtol=1e-14)
    np.testing.assert_allclose(s2**2 - s1**2, 1e6, rtol=1e-14)
    s1, s2 = lr.split_singular_values(np.array([0.0, 2.0]), 0.0)
    np.testing.assert_allclose([s1, s2], [[0.0, np.sqrt(2)], [0.0, np.sqrt(2)]])

def test_balance_moment_helpers_agree():
    rng = np.random.default_rng(6)
    theory = lr.gaussian_balance_moments(8, 6, 10, 1 / np.sqrt(8), 1 / np.sqrt(6))
    mc = lr.sample_balance_moments(8, 6, 10, 1 / np.sqrt(8), 1 / np.sqrt(6), n_draws=20000, rng=rng)
    assert theory["lam"] == pytest.approx(10 / 6 - 1)
    for key in ["var_off", "var_diag"]:
        assert mc[key] == pytest.approx(theory[key], rel=0.03)
    assert mc["lam"] == pytest.approx(theory["lam"], abs=0.01)

def test_lecun_balance_statistics_match_app_a3():
    """E[W2ᵀW2 − W1W1ᵀ] = (N_o σ2² − N_i σ1²) I; diagonal variance 2(N_o σ2⁴ + N_i σ1⁴) (not 4)."""
    rng = np.random.default_rng(2)
    ni, nh, no, n = 6, 5, 9, 20000
    s1, s2 = 1 / np.sqrt(ni), 1 / np.sqrt(nh)
    W1 = s1 * rng.standard_normal((n, nh, ni))
    W2 = s2 * rng.standard_normal((n, no, nh))
    B = lr.balance_matrix(W1, W2)
    diag = B[:, np.arange(nh), np.arange(nh)].ravel()
    off = B[:, 0, 1]
    mean = no * s2**2 - ni * s1**2
    var_off = no * s2**4 + ni * s1**4
    assert abs(diag.mean() - mean) < 5 * np.sqrt(2 * var_off / diag.size)
    np.testing.assert_allclose(diag.var(), 2 * var_off, rtol=0.05)
    np.testing.assert_allclose(off.var(), var_off, rtol=0.05)

@pytest.mark.parametrize("dims", [(3, 3, 3), (5, 2, 2), (2, 2, 4)])
@pytest.mark.parametrize("lam", [-3.0, -1e-3, 0.0, 0.7, 40.0])
def test_balanced_grams_match_weights(dims, lam):
    ni, nh, no = dims
    rng = np.random.default_rng(3)
    s = np.array([1.3, 0.4, 0.1])[:nh]
    W1, W2 = lr.lambda_balanced(ni, nh, no, lam, scale=s, rng=rng)
    U, sv, Vt = np.linalg.svd(W2 @ W1, full_matrices=False)
    A, B = lr.balanced_grams(U[:, :nh], Vt[:nh].T, sv[:nh], lam)
    np.testing.assert_allclose(A, W1.T @ W1, atol=1e-12 * max(1, abs(lam)))
    np.testing.assert_allclose(B, W2 @ W2.T, atol=1e-12 * max(1, abs(lam)))

def test_balanced_grams_broadcast_and_accurate_small_layer():
    U = np.eye(2)
    s = np.array([[1.0, 0.5], [2.0, 1.0]])          # (2 scales, r)
    lam = np.array([[-1e8], [1e8]])                 # (2, 1) -> grid (2, 2)
    A, B = lr.balanced_grams(U, U, s[None, :, :], lam)
    assert A.shape == (2, 2, 2, 2) and B.shape == A.shape
    # λ = +1e8: the small layer carries s²/λ without cancellation.
    np.testing.assert_allclose(np.diag(A[1, 0]), s[0] ** 2 / 1e8, rtol=1e-12)
    np.testing.assert_allclose(np.diag(B[0, 1]), s[1] ** 2 / 1e8, rtol=1e-12)

def test_balanced_grams_rejects_bad_input():
    with pytest.raises(ValueError, match="rank r"):
        lr.balanced_grams(np.eye(2), np.eye(3), [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="> 0"):
        lr.balanced_grams(np.eye(2), np.eye(2), [1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="finite"):
        lr.balanced_grams(np.eye(2), np.eye(2), [1.0, 1.0], np.nan)
