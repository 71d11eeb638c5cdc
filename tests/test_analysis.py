"""Analysis helpers against independent computations: finite differences, the scalar ODE,
Monte Carlo, and chained exact solutions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import lazyrich as lr


def test_ntk_matches_finite_difference_jacobian():
    rng = np.random.default_rng(0)
    ni, nh, no, P = 3, 4, 2, 5
    W1 = rng.standard_normal((nh, ni))
    W2 = rng.standard_normal((no, nh))
    X = rng.standard_normal((ni, P))
    theta = np.concatenate([W1.ravel(), W2.ravel()])

    def f(th):
        A = th[: nh * ni].reshape(nh, ni)
        B = th[nh * ni:].reshape(no, nh)
        return (B @ A @ X).ravel()  # output-major: index o*P + p

    eps = 1e-6
    J = np.empty((no * P, theta.size))
    for k in range(theta.size):
        d = np.zeros_like(theta)
        d[k] = eps
        J[:, k] = (f(theta + d) - f(theta - d)) / (2 * eps)
    K = lr.ntk(W1.T @ W1, W2 @ W2.T, X)
    np.testing.assert_allclose(K, J @ J.T, rtol=1e-8, atol=1e-8)


def test_ntk_from_exact_solution_is_batched_over_time():
    rng = np.random.default_rng(1)
    task = lr.random_regression(6, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 1.0, scale=0.2, rng=rng)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    K = sol.ntk([0.0, 1.0, 10.0], task.X)
    assert K.shape == (3, 12, 12)
    np.testing.assert_allclose(K[0], lr.ntk(W1.T @ W1, W2 @ W2.T, task.X), atol=1e-12)
    np.testing.assert_allclose(K, np.swapaxes(K, 1, 2), atol=1e-12)


def test_kernel_distance_properties():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((4, 4))
    K = A @ A.T
    assert lr.kernel_distance(K, 3.0 * K) == pytest.approx(0.0, abs=1e-15)
    B = rng.standard_normal((4, 4))
    L = B @ B.T
    d = lr.kernel_distance(K, L)
    expected = 1 - np.sum(K * L) / (np.linalg.norm(K) * np.linalg.norm(L))
    assert d == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(lr.kernel_distance(K, np.stack([K, L])), [0.0, expected], atol=1e-15)


def test_ntk_kernel_distance_equals_the_explicit_kernels():
    rng = np.random.default_rng(12)
    task = lr.random_regression(7, 4, 3, rng=rng)
    X = rng.standard_normal((4, 7))  # not whitened: the identity must hold for any X
    W1, W2 = lr.lambda_balanced(4, 3, 3, -1.0, scale=0.3, rng=rng)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    t = np.array([0.0, 0.5, 3.0, 50.0])
    K = sol.ntk(t, X)
    explicit = lr.kernel_distance(K[0], K)
    np.testing.assert_allclose(sol.kernel_distance(t, X), explicit, rtol=1e-9, atol=1e-14)
    assert explicit[-1] > 1e-3  # the kernel did move, so the check is not vacuous


def test_rsms():
    rng = np.random.default_rng(3)
    W1 = rng.standard_normal((3, 4))
    W2 = rng.standard_normal((5, 3))
    X = rng.standard_normal((4, 6))
    np.testing.assert_allclose(lr.input_rsm(W1.T @ W1, X), (W1 @ X).T @ (W1 @ X), atol=1e-12)
    Y = W2 @ rng.standard_normal((3, 6))  # targets in the range of W2
    H = np.linalg.pinv(W2) @ Y  # least-norm hidden codes
    np.testing.assert_allclose(lr.output_rsm(W2 @ W2.T, Y), H.T @ H, atol=1e-10)


# -- task-aligned singular values ---------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(lam=st.one_of(st.just(0.0), st.floats(-5, 5)),
       a0=st.one_of(st.just(0.0), st.floats(1e-6, 1.5), st.floats(-1.5, -1e-6)),
       s=st.floats(0.0, 2.0))
def test_aligned_singular_values_match_the_mode_ode(lam, a0, s):
    """τ da/dt = √(λ² + 4a²)(s̃ − a) (SPEC B.7), integrated by solve_ivp.

    The reference needs atol far below a0: with atol = 1e-14 a mode starting at 1e-7 already
    carries a 2.5e-9 error by t = 8 (checked against 40-digit arithmetic). Below |a0| ~ 1e-6 the
    ODE solver itself loses the digits (a0 = 1e-12 grows 1e12-fold), so tiny starts are checked
    against the exact sigmoid in test_aligned_limits_sigmoid_and_exponential instead."""
    t = np.linspace(0, 8, 9)
    ref = solve_ivp(lambda _, a: np.sqrt(lam**2 + 4 * a**2) * (s - a), (0, 8), [a0],
                    method="DOP853", t_eval=t, rtol=1e-13, atol=1e-18).y[0]
    got = lr.aligned_singular_values([a0], [s], lam, t)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * max(1.0, abs(a0), s))


def test_aligned_depends_on_lambda_only_through_its_square():
    t = np.geomspace(1e-3, 100, 50)
    a = lr.aligned_singular_values([0.01, -0.2, 0.5], [1.0, 0.7, 0.3], 2.0, t)
    b = lr.aligned_singular_values([0.01, -0.2, 0.5], [1.0, 0.7, 0.3], -2.0, t)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_aligned_limits_sigmoid_and_exponential():
    t = np.linspace(0, 10, 101)
    s = 1.0
    for a0 in [1e-3, 1e-12]:
        saxe = s * np.exp(2 * s * t) / (np.exp(2 * s * t) - 1 + s / a0)
        np.testing.assert_allclose(lr.aligned_singular_values([a0], [s], 0.0, t)[:, 0], saxe,
                                   rtol=1e-10)
    a0 = 1e-3
    lam = 200.0
    lazy = s + (a0 - s) * np.exp(-lam * t / 50)  # evaluate at t/50 to resolve the fast decay
    got = lr.aligned_singular_values([a0], [s], lam, t / 50)[:, 0]
    np.testing.assert_allclose(got, lazy, atol=5e-3)  # O(s/λ) corrections
    gamma = lr.transition_function([a0], [s], lam, t / 50)[:, 0]
    np.testing.assert_allclose(gamma, 1 - np.exp(-lam * t / 50), atol=5e-3)


def test_aligned_closed_form_matches_exact_solution_with_aligned_weights():
    rng = np.random.default_rng(4)
    task = lr.random_regression(12, 3, 3, rng=rng)
    s0 = np.array([0.05, 0.02, 0.01])
    W1, W2 = lr.lambda_balanced(3, 3, 3, 0.3, scale=s0, aligned_to=task.sigma_yx, rng=rng)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    t = np.linspace(0, 20, 11)
    s_target = np.linalg.svd(task.sigma_yx, compute_uv=False)
    modes = lr.aligned_singular_values(s0, s_target, 0.3, t)
    np.testing.assert_allclose(np.sort(modes, axis=1)[:, ::-1], sol.singular_values(t), atol=1e-10)


def test_aligned_saddle_at_lambda_zero_and_bad_input():
    # a0 < 0 < s̃ at λ = 0: the mode decays to the saddle and never changes sign.
    a = lr.aligned_singular_values([-0.3], [1.0], 0.0, [0.0, 1.0, 100.0, 1e6])[:, 0]
    assert np.all(a <= 0) and abs(a[-1]) < 1e-12
    with pytest.raises(ValueError, match="NaN"):
        lr.aligned_singular_values([0.1], [1.0], 0.0, [np.nan])
    with pytest.raises(ValueError, match="must be >= 0"):
        lr.aligned_singular_values([0.1], [-1.0], 0.0, [1.0])
    with pytest.raises(ValueError, match="lam must be finite"):
        lr.aligned_singular_values([0.1], [1.0], np.nan, [1.0])


# -- noise (SPEC B.12) --------------------------------------------------------------------------
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


# -- continual learning (SPEC B.13) -------------------------------------------------------------
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


def test_converged_representations_and_task_specificity_limits():
    rng = np.random.default_rng(8)
    task = lr.random_regression(12, 3, 3, rng=rng)
    U, s, Vt = np.linalg.svd(task.sigma_yx)
    a0, b0 = lr.converged_representations(task.sigma_yx, 0.0)
    np.testing.assert_allclose(a0, (Vt.T * s) @ Vt, atol=1e-14)  # rich: ṼS̃Ṽᵀ
    np.testing.assert_allclose(b0, (U * s) @ U.T, atol=1e-14)
    assert lr.task_specificity(a0, Vt.T, s) == pytest.approx(1.0)
    _, b_big = lr.converged_representations(task.sigma_yx, 1e4)
    # Lazy, λ → +∞: W2W2ᵀ ≈ λI is task-agnostic, so its cosine with Ũ S̃ Ũᵀ is that of I.
    cos_identity = lr.matrix_cosine(np.eye(3), (U * s) @ U.T)
    assert lr.matrix_cosine(b_big, (U * s) @ U.T) == pytest.approx(cos_identity, abs=1e-4)
