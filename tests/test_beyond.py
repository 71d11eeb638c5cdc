"""Deep gradient flow and its lazy limit: reduce to the two-layer exact solution, conserve every
pair's balance, agree with gradient descent as η → 0, and linearise the flow correctly."""

import numpy as np
import pytest

import lazyrich as lr


def _product(Ws):
    out = Ws[0]
    for W in Ws[1:]:
        out = W @ out
    return out


def test_deep_flow_with_two_layers_is_the_exact_solution():
    rng = np.random.default_rng(0)
    task = lr.random_regression(12, 4, 3, rng=rng)
    W1, W2 = lr.lambda_balanced(4, 3, 3, 0.7, scale=0.05, rng=rng)
    t = np.array([0.0, 0.3, 3.0, 30.0])
    F1, F2 = lr.deep_gradient_flow([W1, W2], task.sigma_yx, t)
    np.testing.assert_allclose(F2 @ F1, lr.ExactSolution(W1, W2, task.sigma_yx).w2w1(t), atol=1e-8)
    ref = lr.gradient_flow(W1, W2, task.sigma_yx, t)
    np.testing.assert_allclose(np.swapaxes(F1, 1, 2) @ F1, ref[:, :4, :4], atol=1e-8)


@pytest.mark.parametrize("lams", [[0.5, -0.3], [2.0, 1.0, -1.0]])
def test_deep_flow_conserves_every_pair_and_converges(lams):
    rng = np.random.default_rng(1)
    task = lr.random_regression(10, 3, 3, rng=rng)
    Ws = lr.deep_lambda_balanced([3] * (len(lams) + 2), lams, scale=0.3, rng=rng)
    out = lr.deep_gradient_flow(Ws, task.sigma_yx, [0.0, 1.0, 200.0])
    for B, lam in zip(lr.deep_balance(out), lams):
        np.testing.assert_allclose(B, np.broadcast_to(lam * np.eye(3), B.shape), atol=1e-8)
    np.testing.assert_allclose(_product(out)[-1], task.sigma_yx, atol=1e-6)


def test_gradient_descent_approaches_the_deep_flow_at_first_order():
    rng = np.random.default_rng(2)
    task = lr.random_regression(10, 3, 2, rng=rng)
    Ws = lr.deep_lambda_balanced([3, 2, 2, 2], [0.5, 0.2], scale=0.2, rng=rng)
    ref = _product(lr.deep_gradient_flow(Ws, task.sigma_yx, 2.0))
    errs = []
    for eta in [0.02, 0.01]:
        _, R = lr.deep_gradient_descent(Ws, task.X, task.Y, lr=eta, steps=int(round(2.0 / eta)),
                                        record_every=int(round(2.0 / eta)))
        errs.append(np.max(np.abs(_product([r[-1] for r in R]) - ref)))
    assert 1.7 < errs[0] / errs[1] < 2.3


def test_lazy_product_is_the_linearised_flow():
    rng = np.random.default_rng(3)
    task = lr.random_regression(10, 3, 3, rng=rng)
    A = rng.standard_normal((3, 3))
    sxx = A @ A.T / 3 + np.eye(3)
    Ws = lr.deep_lambda_balanced([3, 3, 3, 3], [1.0, 0.5], scale=0.4, rng=rng)
    lazy = lr.deep_lazy_product(Ws, task.sigma_yx, [0.0, 1e4], sigma_xx=sxx)
    np.testing.assert_allclose(lazy[0], _product(Ws), atol=1e-14)
    np.testing.assert_allclose(lazy[1], task.sigma_yx @ np.linalg.inv(sxx), atol=1e-10)
    # Same initial velocity as the true flow (central difference).
    h = 1e-5
    flow = _product(lr.deep_gradient_flow(Ws, task.sigma_yx, [h], sigma_xx=sxx, rtol=1e-13))[0]
    lz = lr.deep_lazy_product(Ws, task.sigma_yx, h, sigma_xx=sxx)
    np.testing.assert_allclose((lz - _product(Ws)) / h, (flow - _product(Ws)) / h, atol=1e-3)


def test_lazy_product_rate_for_a_balanced_deep_network():
    # Equal product singular values s: every mode relaxes at r = Σ_l Π_{m≠l} S_m².
    rng = np.random.default_rng(4)
    lam, s = 2.0, 0.1
    Ws = lr.deep_lambda_balanced([2, 2, 2, 2], lam, scale=s, rng=rng)
    S2 = np.array([np.linalg.svd(W, compute_uv=False)[0] ** 2 for W in Ws])
    r = sum(np.prod(np.delete(S2, l)) for l in range(3))
    target = np.diag([1.0, 0.5])
    W = lr.deep_lazy_product(Ws, target, [0.0, 0.7])
    np.testing.assert_allclose(W[1], target + np.exp(-0.7 * r) * (W[0] - target), atol=1e-12)


def test_lazy_becomes_exact_for_large_lambda():
    rng = np.random.default_rng(5)
    task = lr.random_regression(10, 3, 3, rng=rng)
    t = np.geomspace(1e-3, 10, 15)
    errs = []
    for lam in [2.0, 8.0]:
        W1, W2 = lr.lambda_balanced(3, 3, 3, lam, scale=0.05, rng=np.random.default_rng(0))
        exact = lr.ExactSolution(W1, W2, task.sigma_yx).w2w1(t)
        errs.append(np.max(np.abs(lr.deep_lazy_product([W1, W2], task.sigma_yx, t) - exact)))
    assert errs[1] < errs[0] / 4


def test_bad_input():
    rng = np.random.default_rng(6)
    Ws = lr.deep_lambda_balanced([3, 3, 3], 0.0, scale=0.1, rng=rng)
    with pytest.raises(ValueError, match="at least two"):
        lr.deep_gradient_flow(Ws[:1], np.eye(3), 1.0)
    with pytest.raises(ValueError, match="shape"):
        lr.deep_gradient_flow([Ws[0], np.ones((3, 2))], np.eye(3), 1.0)
    with pytest.raises(ValueError, match="sigma_yx"):
        lr.deep_lazy_product(Ws, np.eye(2), 1.0)
    with pytest.raises(ValueError, match="times must be >= 0"):
        lr.deep_lazy_product(Ws, np.eye(3), -1.0)
