"""Gradient descent and the ODE references: recorded times, losses, conservation of balance
(to a tolerance), and the per-step drift of gradient descent."""

import numpy as np
import pytest

import lazyrich as lr
from conftest import small_problem


def test_gradient_descent_records_times_and_loss():
    W1, W2, task = small_problem(8)
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.01, steps=100, record_every=25)
    np.testing.assert_allclose(run.t, [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(run.W1[0], W1)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    # Loss of the data = reducible part + irreducible offset (paper Eq. 2), at t = 0 exactly.
    np.testing.assert_allclose(run.loss(task.X, task.Y)[0], sol.loss(0.0, task.loss_offset), rtol=1e-12)
    np.testing.assert_allclose(task.loss(run.W1, run.W2), run.loss(task.X, task.Y), rtol=1e-12)

def test_gradient_flow_conserves_balance():
    """Gradient flow conserves W2ᵀW2 − W1W1ᵀ (paper Eq. 4): its trace, tr(W2W2ᵀ) − tr(W1ᵀW1) = hλ,
    read off the QQᵀ of gradient_flow, and the whole matrix along the weights of the same ODE."""
    rng = np.random.default_rng(9)
    task = lr.random_regression(10, 4, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(4, 3, 3, -0.8, scale=0.5, rng=rng)
    t = np.linspace(0, 20, 5)
    q = lr.gradient_flow(W1, W2, task.sigma_yx, t)
    trace = np.trace(q[:, 4:, 4:], axis1=1, axis2=2) - np.trace(q[:, :4, :4], axis1=1, axis2=2)
    np.testing.assert_allclose(trace, 3 * -0.8, rtol=0, atol=1e-9)
    F1, F2 = lr.deep_gradient_flow([W1, W2], task.sigma_yx, t, rtol=1e-12)
    drift = lr.balance_matrix(F1, F2) + 0.8 * np.eye(3)
    assert np.max(np.abs(drift)) < 1e-9
    # The weights really moved, so conservation is not trivial.
    assert np.max(np.abs(F1[-1] - W1)) > 0.1


def test_gradient_flow_handles_unsorted_duplicate_and_empty_times():
    rng = np.random.default_rng(12)
    task = lr.random_regression(10, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.3, rng=rng)
    t = np.array([2.0, 0.0, 2.0, 1.0, 0.0])
    q = lr.gradient_flow(W1, W2, task.sigma_yx, t)
    assert q.shape == (5, 5, 5)
    np.testing.assert_array_equal(q[0], q[2])
    np.testing.assert_array_equal(q[1], q[4])
    sorted_q = lr.gradient_flow(W1, W2, task.sigma_yx, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(q[[1, 3, 0]], sorted_q, rtol=1e-13, atol=1e-15)
    assert lr.gradient_flow(W1, W2, task.sigma_yx, []).shape == (0, 5, 5)
    assert lr.riccati_flow(W1, W2, task.sigma_yx, []).shape == (0, 5, 5)
    np.testing.assert_allclose(lr.riccati_flow(W1, W2, task.sigma_yx, t), q, rtol=1e-8, atol=1e-12)


def test_trajectory_steps_are_step_indices():
    W1, W2, task = small_problem(13, scale=0.3)
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.03, steps=100, record_every=25)
    np.testing.assert_array_equal(run.steps, [0, 25, 50, 75, 100])
    t, R1, R2 = run  # unpacks like the tuple simulators used to return
    assert t is run.t and R1 is run.W1 and R2 is run.W2
    with pytest.raises(ValueError, match="no learning rate"):
        lr.Trajectory(run.t, run.W1, run.W2).steps
    # Its kernel distance is the distance between explicitly formed kernels.
    K = run.ntk(task.X)
    np.testing.assert_allclose(run.kernel_distance(task.X), lr.kernel_distance(K[0], K),
                               rtol=1e-9, atol=1e-14)


def test_gradient_descent_drift_per_step_is_exactly_lr_squared_term():
    """One step changes W2ᵀW2 − W1W1ᵀ by η²(W1EᵀEW1ᵀ − W2ᵀEEᵀW2), E = Σ̃ − W2W1."""
    rng = np.random.default_rng(10)
    task = lr.random_regression(10, 3, 4, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 3, 4, 0.3, scale=1.0, rng=rng)
    E = task.sigma_yx - W2 @ W1
    predicted = W1 @ E.T @ E @ W1.T - W2.T @ E @ E.T @ W2
    for eta in [1e-2, 5e-3]:
        run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=eta, steps=1)
        drift = run.balance()[1] - run.balance()[0]
        np.testing.assert_allclose(drift, eta**2 * predicted, rtol=1e-8, atol=1e-15)

def test_simulators_reject_bad_input(good):
    W1, W2, task = good
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.0, steps=10)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.1, steps=0)
    with pytest.raises(ValueError, match="axis 0 must have length 3"):
        lr.gradient_descent(W1, W2, task.X[:2], task.Y, lr=0.1, steps=10)
    with pytest.raises(ValueError, match="diverged at step"):
        lr.gradient_descent(W1 * 30, W2 * 30, task.X, task.Y, lr=1.0, steps=200)
    with pytest.raises(ValueError, match="NaN"):
        lr.gradient_flow(W1, W2, task.sigma_yx, [0.0, np.nan])


def test_relu_conserves_the_diagonal_of_the_balance_and_tanh_does_not():
    """ReLU is 1-homogeneous, so diag(W2ᵀW2 − W1W1ᵀ) is conserved by gradient flow."""
    rng = np.random.default_rng(4)
    task = lr.random_regression(20, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 1.0, scale=1.0, rng=rng)
    drift = {}
    for act in ["relu", "tanh"]:
        for eta in [2e-3, 1e-3]:
            steps = int(round(3 / eta))
            run = lr.nonlinear_gradient_descent(W1, W2, task.X, task.Y, activation=act,
                                                lr=eta, steps=steps, record_every=steps)
            R1, R2 = run.W1, run.W2
            B = lr.balance_matrix(R1, R2)
            drift[act, eta] = np.max(np.abs(np.diagonal(B[-1] - B[0])))
    # ReLU: the drift over a fixed time is pure discretisation error, halving with lr.
    assert drift["relu", 1e-3] == pytest.approx(drift["relu", 2e-3] / 2, rel=0.05)
    assert drift["relu", 1e-3] < 1e-3
    # tanh: an O(1) drift of the flow itself, the same at both learning rates.
    assert drift["tanh", 1e-3] > 0.1
    assert drift["tanh", 1e-3] == pytest.approx(drift["tanh", 2e-3], rel=0.01)


def test_relative_weight_change_matches_the_definition():
    rng = np.random.default_rng(3)
    task = lr.random_regression(10, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.3, rng=rng)
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.05, steps=40, record_every=10)
    theta0 = np.concatenate([W1.ravel(), W2.ravel()])
    expected = [np.linalg.norm(np.concatenate([a.ravel(), b.ravel()]) - theta0) / np.linalg.norm(theta0)
                for a, b in zip(run.W1, run.W2)]
    np.testing.assert_allclose(run.relative_weight_change(), expected, rtol=1e-13, atol=1e-16)
    assert run.relative_weight_change()[0] == 0.0
