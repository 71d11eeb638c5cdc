"""Gradient descent and the ODE references: recorded times, losses, conservation of balance
(to a tolerance), and the per-step drift of gradient descent."""

import numpy as np
import pytest

import lazyrich as lr


def test_gradient_descent_records_times_and_loss():
    rng = np.random.default_rng(8)
    task = lr.random_regression(10, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.5, rng=rng)
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
