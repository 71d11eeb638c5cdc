"""Corrupt input gets a ValueError that names the argument and its value, everywhere; seeds are
accepted wherever ``rng`` is; float32 weights are judged at float32 precision."""

import warnings

import numpy as np
import pytest

import lazyrich as lr


@pytest.fixture(scope="module")
def good():
    task = lr.random_regression(10, 3, 2, rng=0)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.3, rng=1)
    return W1, W2, task


@pytest.mark.parametrize("kwargs,match", [
    ({"snap_tol": np.nan}, "snap_tol must be a finite tolerance >= 0, got nan"),
    ({"snap_tol": -1e-12}, "snap_tol must be a finite tolerance >= 0, got -1e-12"),
    ({"balance_rtol": np.nan}, "balance_rtol must be a finite tolerance >= 0, got nan"),
    ({"balance_rtol": -1}, "balance_rtol must be a finite tolerance >= 0, got -1"),
    ({"tau": "2"}, "tau must be a real number, got '2'"),
    ({"tau": np.array([1.0, 2.0])}, r"tau must be a real number, got an array of shape \(2,\)"),
    ({"tau": 1 + 1j}, r"tau must be a real number, got the complex value \(1\+1j\)"),
    ({"tau": True}, "tau must be a real number, got True"),
])
def test_exact_solution_rejects_corrupt_settings(good, kwargs, match):
    W1, W2, task = good
    with pytest.raises(ValueError, match=match):
        lr.ExactSolution(W1, W2, task.sigma_yx, **kwargs)


def test_a_zero_tolerance_array_tau_of_one_element_is_fine(good):
    W1, W2, task = good
    sol = lr.ExactSolution(W1, W2, task.sigma_yx, tau=np.float32(2.0), snap_tol=0)
    np.testing.assert_allclose(sol.qqt(2.0), lr.ExactSolution(W1, W2, task.sigma_yx).qqt(1.0),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call,name", [
    (lambda W1, W2, t: lr.ExactSolution(W1 * (1 + 1e-3j), W2, t.sigma_yx), "W1"),
    (lambda W1, W2, t: lr.ExactSolution(W1, W2, t.sigma_yx + 0j), "sigma_yx"),
    (lambda W1, W2, t: lr.gradient_descent(W1, W2, t.X + 0j, t.Y, lr=0.1, steps=2), "X"),
    (lambda W1, W2, t: lr.gradient_descent(W1, W2 + 1j, t.X, t.Y, lr=0.1, steps=2), "W2"),
    (lambda W1, W2, t: lr.gradient_flow(W1, W2, t.sigma_yx * 1j, 1.0), "sigma_yx"),
    (lambda W1, W2, t: lr.Task(t.X, t.Y + 0j), "Y"),
    (lambda W1, W2, t: lr.ExactSolution(W1, W2, t.sigma_yx).qqt(1.0 + 0j), "t"),
])
def test_complex_input_is_refused_not_truncated(good, call, name):
    W1, W2, task = good
    with pytest.raises(ValueError, match=f"{name} must be real, got complex values"):
        call(W1, W2, task)


def test_huge_values_are_refused_with_the_value(good):
    W1, W2, task = good
    with pytest.raises(ValueError, match=r"W1 has an entry of size 3\.\d+e\+199"):
        lr.ExactSolution(W1 * 1e200, W2 * 1e200, task.sigma_yx)
    with pytest.raises(ValueError, match=r"scale = 1e\+200"):
        lr.lambda_balanced(3, 2, 2, 0.5, scale=1e200, rng=0)
    with pytest.raises(ValueError, match=r"lam = 1e\+301"):
        lr.lambda_balanced(3, 2, 2, 1e301, rng=0)
    with pytest.raises(ValueError, match="X has an entry of size"):
        lr.gradient_descent(W1, W2, task.X * 1e200, task.Y, lr=0.1, steps=1)


def test_time_overflow_is_refused(good):
    W1, W2, task = good
    with pytest.raises(ValueError, match=r"t/tau overflows float64: max\(t\) = 1e\+300 and tau = 1e-12"):
        lr.ExactSolution(W1, W2, task.sigma_yx, tau=1e-12).qqt(1e300)
    with pytest.raises(ValueError, match="times twice the largest rate"):
        lr.ExactSolution(W1, W2, task.sigma_yx * 1e100).qqt(1e300)
    # Where μt is finite but the exponent 2μt of k = e^{2μt} is not.
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)  # largest rate 0.57
    with pytest.raises(ValueError, match=r"t/tau = 1.7e\+308 times twice the largest rate 0.568"):
        sol.qqt(1.7e308)
    with pytest.raises(ValueError, match="t holds a number too large for float64"):
        sol.qqt(10**400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(sol.qqt(1e300)))


def test_zero_width_layers_are_refused(good):
    _, _, task = good
    with pytest.raises(ValueError, match=r"every layer width must be >= 1, got W1 of shape \(0, 3\)"):
        lr.ExactSolution(np.zeros((0, 3)), np.zeros((2, 0)), task.sigma_yx)


@pytest.mark.parametrize("t,match", [
    (None, "t is required"), ("1", "t must hold real numbers, got '1'"),
    ([[1.0]], "1-D array"), ([1.0, -2.0], "times must be >= 0"),
])
def test_bad_times(good, t, match):
    W1, W2, task = good
    with pytest.raises(ValueError, match=match):
        lr.ExactSolution(W1, W2, task.sigma_yx).qqt(t)
    with pytest.raises(ValueError, match=match):
        lr.gradient_flow(W1, W2, task.sigma_yx, t)


def test_every_rng_argument_accepts_a_seed():
    """Anything np.random.default_rng accepts, with the same draws as the Generator it makes."""
    a = lr.lambda_balanced(3, 2, 2, 0.5, rng=7)
    b = lr.lambda_balanced(3, 2, 2, 0.5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(lr.random_regression(5, 2, 2, rng=3).Y,
                                  lr.random_regression(5, 2, 2, rng=np.random.default_rng(3)).Y)
    np.testing.assert_array_equal(lr.reversal_task(4, 2, 2, rng=1)[1].Y,
                                  lr.reversal_task(4, 2, 2, rng=np.random.default_rng(1))[1].Y)
    assert len(lr.task_sequence(3, 4, 2, 2, rng=1)) == 3
    np.testing.assert_array_equal(lr.deep_lambda_balanced([2, 2, 2], 0.0, rng=0)[1],
                                  lr.deep_lambda_balanced([2, 2, 2], 0.0, rng=np.random.default_rng(0))[1])
    assert lr.sample_balance_moments(2, 2, 2, 1.0, 1.0, n_draws=50, rng=0) == \
        lr.sample_balance_moments(2, 2, 2, 1.0, 1.0, n_draws=50, rng=np.random.default_rng(0))
    W1, W2 = a
    assert lr.monte_carlo_noise(W1, W2, np.eye(2, 3), 0.1, kind="input", rng=2, n_draws=20) == \
        lr.monte_carlo_noise(W1, W2, np.eye(2, 3), 0.1, kind="input", rng=np.random.default_rng(2),
                             n_draws=20)
    with pytest.raises(ValueError, match="rng must be a seed or a numpy Generator, got 'abc'"):
        lr.lambda_balanced(3, 2, 2, 0.5, rng="abc")


def test_float32_balanced_weights_are_accepted_at_float32_precision():
    """float32 copies of balanced weights differ from balance by ~1e-7 relative: accepted."""
    task = lr.random_regression(12, 4, 5, rng=0)
    for k in range(200):
        W1, W2 = lr.lambda_balanced(4, 3, 5, 0.7, scale=[1.0, 0.5, 0.2], rng=k)
        sol = lr.ExactSolution(W1.astype(np.float32), W2.astype(np.float32), task.sigma_yx)
        assert sol.lam == pytest.approx(0.7, rel=1e-5)
    # A genuinely unbalanced float32 pair is still refused, with a message about precision.
    W1, W2 = lr.lambda_balanced(4, 3, 5, 0.7, rng=0)
    W1 = (W1 + 1e-3 * np.ones_like(W1)).astype(np.float32)
    with pytest.raises(ValueError, match=r"not lambda-balanced.*own precision \(eps = 1\.2e-07\)"):
        lr.ExactSolution(W1, W2.astype(np.float32), task.sigma_yx)
