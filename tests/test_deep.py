"""Deep linear networks: layer-wise balance, gradient descent and the gradient-flow reference
(which reduce to the two-layer exact solution), the lazy limit and the NTK."""

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

@pytest.mark.parametrize("dims,lams", [([4, 3, 3, 5], [0.5, -1.0]), ([3, 3, 3, 3, 3], 2.0),
                                       ([5, 2, 2, 4], 0.0)])
def test_deep_lambda_balanced(dims, lams):
    Ws = lr.deep_lambda_balanced(dims, lams, scale=0.3, rng=np.random.default_rng(0))
    L = len(dims) - 1
    lams = np.broadcast_to(lams, (L - 1,))
    for B, lam in zip(lr.deep_balance(Ws), lams):
        np.testing.assert_allclose(B, lam * np.eye(B.shape[0]), atol=1e-12)
    prod = Ws[0]
    for W in Ws[1:]:
        prod = W @ prod
    sv = np.linalg.svd(prod, compute_uv=False)
    np.testing.assert_allclose(sv[: dims[1]], 0.3, rtol=1e-10)

def test_deep_lambda_balanced_rejects_bad_shapes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least two"):
        lr.deep_lambda_balanced([3, 3], 0.0, rng=rng)
    with pytest.raises(ValueError, match="hidden widths must be equal"):
        lr.deep_lambda_balanced([3, 3, 2, 3], 0.0, rng=rng)
    with pytest.raises(ValueError, match="need 2 balance values"):
        lr.deep_lambda_balanced([3, 3, 3, 3], [1.0, 2.0, 3.0], rng=rng)

def test_two_layer_deep_and_nonlinear_linear_reduce_to_gradient_descent():
    rng = np.random.default_rng(1)
    task = lr.random_regression(10, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.4, rng=rng)
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=0.01, steps=50, record_every=10)
    t, (D1, D2) = lr.deep_gradient_descent([W1, W2], task.X, task.Y, lr=0.01, steps=50, record_every=10)
    np.testing.assert_allclose(t, run.t)
    np.testing.assert_allclose(D2 @ D1, run.w2w1(), atol=1e-13)
    lin = lr.nonlinear_gradient_descent(W1, W2, task.X, task.Y, activation="linear", lr=0.01,
                                        steps=50, record_every=10)
    np.testing.assert_allclose(lin.t, run.t)
    np.testing.assert_allclose(lin.w2w1(), run.w2w1(), atol=1e-13)
    np.testing.assert_allclose(lr.deep_ntk([W1, W2], task.X), lr.ntk(W1.T @ W1, W2 @ W2.T, task.X),
                               atol=1e-12)
    np.testing.assert_allclose(lr.nonlinear_ntk(W1, W2, task.X, "linear"),
                               lr.ntk(W1.T @ W1, W2 @ W2.T, task.X), atol=1e-12)

def _fd_ntk(f, theta, eps=1e-6):
    J = np.stack([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)], 1)
    return J @ J.T

def test_deep_ntk_matches_finite_differences():
    rng = np.random.default_rng(2)
    Ws = [rng.standard_normal(s) for s in [(3, 2), (3, 3), (2, 3)]]
    X = rng.standard_normal((2, 4))
    sizes = [W.size for W in Ws]

    def f(th):
        parts = np.split(th, np.cumsum(sizes)[:-1])
        out = X
        for W, p in zip(Ws, parts):
            out = p.reshape(W.shape) @ out
        return out.ravel()

    theta = np.concatenate([W.ravel() for W in Ws])
    np.testing.assert_allclose(lr.deep_ntk(Ws, X), _fd_ntk(f, theta), rtol=1e-7, atol=1e-7)

def test_deep_gradient_descent_conserves_layerwise_balance():
    rng = np.random.default_rng(5)
    task = lr.random_regression(12, 3, 3, rng=rng)
    Ws = lr.deep_lambda_balanced([3, 3, 3, 3], [0.5, -0.5], scale=0.5, rng=rng)
    _, recs = lr.deep_gradient_descent(Ws, task.X, task.Y, lr=1e-3, steps=2000, record_every=2000)
    for B, lam in zip(lr.deep_balance([r[-1] for r in recs]), [0.5, -0.5]):
        np.testing.assert_allclose(B, lam * np.eye(3), atol=1e-4)
    with pytest.raises(ValueError, match="activation must be"):
        lr.nonlinear_gradient_descent(Ws[0], Ws[1], task.X, task.Y, activation="gelu", lr=0.1, steps=1)


def test_deep_gradient_descent_returns_a_trajectory_that_unpacks():
    rng = np.random.default_rng(7)
    task = lr.random_regression(10, 3, 3, rng=rng)
    Ws = lr.deep_lambda_balanced([3, 3, 3, 3], [0.5, -0.5], scale=0.5, rng=rng)
    run = lr.deep_gradient_descent(Ws, task.X, task.Y, lr=1e-2, steps=20, record_every=10)
    t, (A, B, C) = run
    np.testing.assert_allclose(t, [0.0, 0.1, 0.2])
    np.testing.assert_array_equal(run.Ws[1], B)
    np.testing.assert_allclose(run.product(), C @ B @ A, rtol=1e-14)
    np.testing.assert_allclose(run.loss(task.X, task.Y), lr.data_loss(C @ B @ A, task.X, task.Y),
                               rtol=1e-14)
    assert len(run.balance()) == 2 and run.lr == 1e-2
