"""Deep linear and two-layer nonlinear simulators: reduce to the two-layer linear case, conserve
what theory says they conserve, and have kernels that match finite differences."""

import numpy as np
import pytest

import lazyrich as lr


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


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_nonlinear_ntk_matches_finite_differences(activation):
    rng = np.random.default_rng(3)
    W1, W2, X = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((3, 5))
    phi = np.tanh if activation == "tanh" else (lambda z: np.maximum(z, 0))

    def f(th):
        A = th[:12].reshape(4, 3)
        B = th[12:].reshape(2, 4)
        return (B @ phi(A @ X)).ravel()

    theta = np.concatenate([W1.ravel(), W2.ravel()])
    np.testing.assert_allclose(lr.nonlinear_ntk(W1, W2, X, activation), _fd_ntk(f, theta),
                               rtol=1e-6, atol=1e-6)


def test_relu_conserves_the_diagonal_of_the_balance_and_tanh_does_not():
    """SPEC B.16: ReLU is 1-homogeneous, so diag(W2ᵀW2 − W1W1ᵀ) is conserved by gradient flow."""
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


def test_deep_gradient_descent_conserves_layerwise_balance():
    rng = np.random.default_rng(5)
    task = lr.random_regression(12, 3, 3, rng=rng)
    Ws = lr.deep_lambda_balanced([3, 3, 3, 3], [0.5, -0.5], scale=0.5, rng=rng)
    _, recs = lr.deep_gradient_descent(Ws, task.X, task.Y, lr=1e-3, steps=2000, record_every=2000)
    for B, lam in zip(lr.deep_balance([r[-1] for r in recs]), [0.5, -0.5]):
        np.testing.assert_allclose(B, lam * np.eye(3), atol=1e-4)
    with pytest.raises(ValueError, match="activation must be"):
        lr.nonlinear_gradient_descent(Ws[0], Ws[1], task.X, task.Y, activation="gelu", lr=0.1, steps=1)
