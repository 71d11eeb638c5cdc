"""Initialisation and tasks: balance, admissibility, alignment, whitening, the hierarchy."""

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


def test_lecun_balance_statistics_match_spec_b17():
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


# -- tasks --------------------------------------------------------------------------------------
def test_random_regression_is_exactly_whitened():
    task = lr.random_regression(30, 5, 2, rng=np.random.default_rng(3))
    np.testing.assert_allclose(task.sigma_xx, np.eye(5), atol=1e-14)
    assert task.is_whitened
    assert task.X.shape == (5, 30) and task.Y.shape == (2, 30)
    # Irreducible loss: the loss of the least-squares solution W = Σ̃yx.
    np.testing.assert_allclose(task.loss(np.eye(5), task.sigma_yx), task.loss_offset, rtol=1e-12)


def test_whiten_rejects_too_few_samples_and_rank_deficiency():
    with pytest.raises(ValueError, match="need P >= 4"):
        lr.whiten(np.ones((4, 3)))
    with pytest.raises(ValueError, match="rank deficient"):
        lr.whiten(np.vstack([np.arange(5.0), 2 * np.arange(5.0)]))
    with pytest.raises(ValueError, match="n_samples = 2 must be >= in_dim = 3"):
        lr.random_regression(2, 3, 1, rng=np.random.default_rng(0))


def test_semantic_hierarchy_singular_values_and_whitening():
    task = lr.semantic_hierarchy()
    assert task.is_whitened
    s = np.linalg.svd(task.sigma_yx, compute_uv=False)
    np.testing.assert_allclose(s, [1, 1, 2**-0.5, 2**-0.5, 0.5, 0.5, 0.5, 0.5], atol=1e-14)
    # In units of YXᵀ these are 2√2, 2√2, 2, 2, √2 (x4) (SPEC F.2).
    s_raw = np.linalg.svd(task.Y @ task.X.T / np.sqrt(8), compute_uv=False)
    np.testing.assert_allclose(s_raw, np.sqrt(8) * s, atol=1e-13)
    assert task.item_names[0] == "canary" and len(task.feature_names) == 8


def test_semantic_hierarchy_one_hot_needs_rescaling():
    """SPEC E.6: X = I₈ is not whitened; with Σ̃' = P·Σ̃yx and t' = t/P the theory holds again."""
    one_hot = lr.semantic_hierarchy(one_hot=True)
    assert not one_hot.is_whitened
    np.testing.assert_allclose(one_hot.sigma_xx, np.eye(8) / 8)
    W1, W2 = lr.lambda_balanced(8, 8, 8, 0.0, scale=0.01, rng=np.random.default_rng(4))
    run = lr.gradient_descent(W1, W2, one_hot.X, one_hot.Y, lr=0.005, steps=400, record_every=100)
    sol = lr.ExactSolution(W1, W2, 8 * one_hot.sigma_yx)
    err = np.max(np.abs(run.w2w1() - sol.w2w1(run.t / 8)))
    assert err < 2e-3


def test_semantic_hierarchy_break_degeneracy():
    s = np.linalg.svd(lr.semantic_hierarchy(break_degeneracy=True).sigma_yx, compute_uv=False)
    assert np.min(np.diff(-s)) > 5e-4  # smallest gap 0.1/7 - 0.1/8 = 8.9e-4 (x 1/2)


def test_reversal_and_sequence_tasks():
    rng = np.random.default_rng(5)
    task, rev = lr.reversal_task(16, 4, 3, rng=rng)
    np.testing.assert_array_equal(rev.X, task.X)
    np.testing.assert_allclose(rev.sigma_yx, -task.sigma_yx)
    seq = lr.task_sequence(4, 12, 3, 2, rng=rng)
    assert len(seq) == 4
    for t in seq:
        np.testing.assert_array_equal(t.X, seq[0].X)
    assert not np.allclose(seq[0].Y, seq[1].Y)


def test_task_rejects_mismatched_samples():
    with pytest.raises(ValueError, match="X has 3 samples"):
        lr.Task(np.ones((2, 3)), np.ones((1, 4)))
