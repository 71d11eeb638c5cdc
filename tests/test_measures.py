"""Noise sensitivity against Monte Carlo (Section 6) and forgetting against chained exact
solutions (App. D.1)."""

import numpy as np
import pytest

import lazyrich as lr


@pytest.mark.parametrize("lam", [-3.0, 0.0, 3.0])
def test_noise_formulas_against_monte_carlo(lam):
    rng = np.random.default_rng(5)
    task = lr.random_regression(12, 3, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 3, 3, lam, scale=0.5, rng=rng)
    sigma = 0.1
    mc, se = lr.monte_carlo_noise(W1, W2, task.sigma_yx, sigma, kind="parameter", rng=rng,
                                  n_draws=20000)
    assert abs(mc - lr.parameter_noise_sensitivity(W1, W2, sigma)) < 5 * se
    mc, se = lr.monte_carlo_noise(W1, W2, task.sigma_yx, sigma, kind="input", rng=rng, n_draws=20000)
    assert abs(mc - lr.input_noise_sensitivity(W2 @ W1, sigma)) < 5 * se

def test_converged_noise_grows_with_abs_lambda_and_input_noise_is_flat():
    rng = np.random.default_rng(6)
    task = lr.random_regression(12, 4, 4, rng=rng)
    s = np.linalg.svd(task.sigma_yx, compute_uv=False)
    lams = np.array([-20.0, -5.0, 0.0, 5.0, 20.0])
    par = [lr.converged_parameter_noise(s, lam, 0.1, 4, 4, 4) for lam in lams]
    assert par[2] == min(par) and par[0] > par[1] > par[2] < par[3] < par[4]
    # And it equals the formula evaluated on actual converged weights.
    W1, W2 = lr.lambda_balanced(4, 4, 4, 5.0, scale=s, aligned_to=task.sigma_yx, rng=rng)
    assert par[3] == pytest.approx(lr.parameter_noise_sensitivity(W1, W2, 0.1), rel=1e-12)
    assert lr.input_noise_sensitivity(W2 @ W1, 0.1) == pytest.approx(0.5 * 0.01 * np.sum(s**2))

def test_monte_carlo_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be"):
        lr.monte_carlo_noise(np.eye(2), np.eye(2), np.eye(2), 0.1, kind="both",
                             rng=np.random.default_rng(0))

@pytest.mark.parametrize("lam", [-1.0, 0.5, 2.0])
def test_forgetting_formula_matches_chained_exact_solutions(lam):
    rng = np.random.default_rng(7)
    tasks = lr.task_sequence(3, 12, 3, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 3, 3, lam, scale=0.1, rng=rng)
    for task in tasks[:2]:  # converge on task 1, then task 2, chaining the exact solution
        sol = lr.ExactSolution(W1, W2, task.sigma_yx)
        W1, W2 = sol.weights(200.0)
    after_j = lr.task_loss(W2 @ W1, tasks[0].sigma_yx)
    W1, W2 = lr.ExactSolution(W1, W2, tasks[2].sigma_yx).weights(200.0)
    after_k = lr.task_loss(W2 @ W1, tasks[0].sigma_yx)
    predicted = lr.forgetting(tasks[0].sigma_yx, tasks[1].sigma_yx, tasks[2].sigma_yx)
    assert after_k - after_j == pytest.approx(predicted, rel=1e-9)
    np.testing.assert_allclose(lr.estimate_lambda(W1, W2), lam, atol=1e-9)  # balance carried


def test_noise_std_and_its_old_name_sigma():
    rng = np.random.default_rng(9)
    W1, W2 = lr.lambda_balanced(3, 3, 3, 1.0, scale=0.5, rng=rng)
    new = lr.parameter_noise_sensitivity(W1, W2, noise_std=0.1)
    assert lr.parameter_noise_sensitivity(W1, W2, sigma=0.1) == new
    assert lr.parameter_noise_sensitivity(W1, W2, 0.1) == new
    assert lr.input_noise_sensitivity(W2 @ W1, sigma=0.1) == lr.input_noise_sensitivity(W2 @ W1, 0.1)
    assert lr.converged_parameter_noise([1.0, 0.5], 1.0, 0.1, 2, 2, 2) == \
        lr.converged_parameter_noise([1.0, 0.5], 1.0, sigma=0.1, in_dim=2, hidden_dim=2, out_dim=2)
    with pytest.raises(ValueError, match="not both"):
        lr.parameter_noise_sensitivity(W1, W2, 0.1, sigma=0.1)
    with pytest.raises(ValueError, match="noise_std must be finite"):
        lr.input_noise_sensitivity(W2 @ W1, np.nan)


def test_task_loss_and_data_loss_agree_on_whitened_data():
    """½‖W − Σ̃‖² + offset equals (1/2P)‖WX − Y‖² when (1/P)XXᵀ = I (paper Eq. 2)."""
    task = lr.random_regression(12, 3, 2, rng=10)
    W = np.random.default_rng(11).standard_normal((4, 2, 3))
    np.testing.assert_allclose(lr.task_loss(W, task.sigma_yx, task.loss_offset),
                               lr.data_loss(W, task.X, task.Y), rtol=1e-12)
