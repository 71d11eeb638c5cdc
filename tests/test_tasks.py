"""Tasks: whitening, the semantic hierarchy (paper Fig. 4), reversal and task sequences."""

import numpy as np
import pytest

import lazyrich as lr


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
    # In units of YXᵀ these are 2√2, 2√2, 2, 2, √2 (x4).
    s_raw = np.linalg.svd(task.Y @ task.X.T / np.sqrt(8), compute_uv=False)
    np.testing.assert_allclose(s_raw, np.sqrt(8) * s, atol=1e-13)
    assert task.item_names[0] == "canary" and len(task.feature_names) == 8

def test_semantic_hierarchy_one_hot_needs_rescaling():
    """X = I₈ is not whitened; with Σ̃' = P·Σ̃yx and t' = t/P the theory holds again."""
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
