"""Protocols (App. D.1–D.4): chained exact solutions against gradient descent, re-balancing,
transfer."""

import numpy as np
import pytest

import lazyrich as lr


def test_continual_exact_matches_gradient_descent():
    rng = np.random.default_rng(0)
    tasks = lr.task_sequence(3, 12, 3, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 3, 3, 1.0, scale=0.1, rng=rng)
    exact = lr.continual_exact(W1, W2, tasks, duration=4.0, n_points=8)
    sim = lr.continual_gd(W1, W2, tasks, lr=1e-3, steps=4000, record_every=500)
    np.testing.assert_allclose(sim["t"], exact["t"], atol=1e-12)
    np.testing.assert_array_equal(sim["task_index"], exact["task_index"])
    assert np.max(np.abs(sim["w2w1"] - exact["w2w1"])) < 5e-3
    np.testing.assert_allclose(sim["loss"], exact["loss"], atol=5e-3)
    # Balance carries across task switches (up to the O(lr) drift of gradient descent).
    np.testing.assert_allclose(lr.estimate_lambda(*lr.ExactSolution(
        W1, W2, tasks[0].sigma_yx).weights(4.0)), 1.0, atol=1e-11)
    assert np.max(np.abs(sim["balance"] - np.eye(3))) < 1e-3

def test_continual_gd_needs_record_every_to_divide_steps():
    rng = np.random.default_rng(1)
    tasks = lr.task_sequence(2, 6, 2, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(2, 2, 2, 0.0, scale=0.1, rng=rng)
    with pytest.raises(ValueError, match="must divide steps"):
        lr.continual_gd(W1, W2, tasks, lr=0.01, steps=10, record_every=3)

def test_first_time_below():
    t = np.array([0.1, 1.0, 10.0, 100.0])
    y = np.array([1.0, 0.5, 0.1, 0.0])
    assert lr.first_time_below(t, y, 0.3) == pytest.approx(10 ** 0.5)  # halfway in log t
    assert lr.first_time_below(t, y, 2.0) == 0.1
    assert lr.first_time_below(t, y, -1.0) == np.inf

@pytest.mark.parametrize("lam_new", [-3.0, 0.0, 0.5, 10.0])
def test_rebalance_keeps_the_function_and_sets_lambda(lam_new):
    rng = np.random.default_rng(2)
    W1, W2 = lr.lambda_balanced(4, 3, 5, 1.0, scale=[1.0, 0.5, 0.2], rng=rng)
    V1, V2 = lr.rebalance(W1, W2, lam_new)
    np.testing.assert_allclose(V2 @ V1, W2 @ W1, atol=1e-13)
    np.testing.assert_allclose(lr.balance_matrix(V1, V2), lam_new * np.eye(3), atol=1e-12)
    if lam_new == 1.0:
        np.testing.assert_allclose(V1, W1, atol=1e-12)

def test_rebalance_rejects_wide_hidden_layers():
    W1, W2 = lr.lambda_balanced(2, 3, 4, 1.0, rng=np.random.default_rng(3))
    with pytest.raises(ValueError, match="hidden_dim <= min"):
        lr.rebalance(W1, W2, 0.0)

def test_new_feature_generalisation_matches_training_a_readout():
    """Closed form against gradient descent on a new readout w with the hidden layer fixed."""
    task = lr.semantic_hierarchy()
    W1, W2 = lr.lambda_balanced(8, 8, 8, 0.0, scale=np.linalg.svd(task.sigma_yx, compute_uv=False),
                                aligned_to=task.sigma_yx)
    H = W1 @ task.X  # hidden codes, one column per item
    w = np.zeros(8)
    for _ in range(4000):
        w += 0.05 * (1.0 - w @ H[:, 0]) * H[:, 0]
    predicted = lr.new_feature_generalisation(W1.T @ W1, task.X, item=0)
    np.testing.assert_allclose(w @ H, predicted, atol=1e-8)
    assert predicted[0] == pytest.approx(1.0)
    assert predicted[1] > predicted[2] > predicted[4]  # robin > salmon > oak: hierarchical


def test_half_times_match_the_logistic_midpoint():
    # Theorem 5.1 at λ = 0: s(t) = s̃ / (1 + (s̃/s0 − 1) e^{−2 s̃ t}) reaches s̃/2 at ln(s̃/s0 − 1)/(2 s̃).
    s0, s_target = np.array([1e-3, 1e-3]), np.array([1.0, 0.25])
    t = np.geomspace(1e-2, 1e2, 4001)
    s = lr.aligned_singular_values(s0, s_target, 0.0, t)
    expected = np.log(s_target / s0 - 1) / (2 * s_target)
    np.testing.assert_allclose(lr.half_times(t, s, s_target), expected, rtol=1e-4)
    # A mode stuck at the saddle (negative start, λ = 0) never gets there.
    stuck = lr.aligned_singular_values([-1e-3], [1.0], 0.0, t)
    assert lr.half_times(t, stuck, [1.0])[0] == np.inf


def test_half_times_rejects_bad_shapes():
    t = np.linspace(0.0, 1.0, 5)
    with pytest.raises(ValueError, match="s must have shape"):
        lr.half_times(t, np.zeros((4, 2)), [1.0, 0.5])
    with pytest.raises(ValueError, match="s_target must be positive"):
        lr.half_times(t, np.zeros((5, 1)), [0.0])
