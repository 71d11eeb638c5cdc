"""Kernels and representations against independent computations: finite-difference Jacobians,
explicitly formed kernels, and the exact solution at long times."""

import numpy as np
import pytest

import lazyrich as lr


def _fd_ntk(f, theta, eps=1e-6):
    J = np.stack([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)], 1)
    return J @ J.T


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

@pytest.mark.parametrize("dims", [(2, 2, 2), (6, 3, 3), (3, 3, 6)])
def test_kernel_distance_map_matches_exact_solution_and_explicit_kernels(dims):
    ni, nh, no = dims
    rng = np.random.default_rng(11)
    task = lr.random_regression(12, ni, no, rng=rng)
    s0 = np.linspace(1.0, 0.5, nh)
    W1, W2 = lr.lambda_balanced(ni, nh, no, 1.0, scale=s0, rng=np.random.default_rng(5))
    U0, _, V0t = np.linalg.svd(W2 @ W1)
    scales = np.array([1e-2, 0.3, 3.0])
    lams = np.array([-4.0, -0.5, 0.5, 4.0])
    grid = lr.kernel_distance_map(task.sigma_yx, task.X, U0, V0t.T, s0, scales, lams)
    assert grid.shape == (3, 4)
    assert np.all((grid >= 0) & (grid <= 1))
    for i, sc in enumerate(scales):
        for j, lam in enumerate(lams):
            W1, W2 = lr.lambda_balanced(ni, nh, no, lam, scale=sc * s0, rng=np.random.default_rng(5))
            sol = lr.ExactSolution(W1, W2, task.sigma_yx)
            assert sol.n_snapped == 0
            exact = sol.kernel_distance(1e7, task.X)
            np.testing.assert_allclose(grid[i, j], exact, atol=1e-8)
    # One point against explicitly formed kernels.
    W1, W2 = lr.lambda_balanced(ni, nh, no, lams[0], scale=scales[0] * s0, rng=np.random.default_rng(5))
    A, B = lr.converged_representations(task.sigma_yx, lams[0])
    K0 = lr.ntk(W1.T @ W1, W2 @ W2.T, task.X)
    np.testing.assert_allclose(grid[0, 0], lr.kernel_distance(K0, lr.ntk(A, B, task.X)), atol=1e-12)

def test_kernel_distance_map_is_scale_free_at_lambda_zero():
    # The kernel distance only sees directions: at λ = 0 the initial NTK is proportional to the
    # scale, so the map does not depend on it (chapter 5).
    rng = np.random.default_rng(2)
    task = lr.random_regression(10, 2, 2, rng=rng)
    U0, V0 = np.linalg.qr(rng.standard_normal((2, 2)))[0], np.linalg.qr(rng.standard_normal((2, 2)))[0]
    grid = lr.kernel_distance_map(task.sigma_yx, task.X, U0, V0, [1.0, 0.5], [1e-3, 1.0, 1e3], [0.0])
    np.testing.assert_allclose(grid[:, 0], grid[0, 0], rtol=1e-10)

def test_kernel_distance_map_rejects_bad_input():
    task = lr.random_regression(10, 2, 2, rng=np.random.default_rng(0))
    I2 = np.eye(2)
    with pytest.raises(ValueError, match="r = min"):
        lr.kernel_distance_map(task.sigma_yx, task.X, I2, I2, [1.0], [1.0], [0.0])
    with pytest.raises(ValueError, match="scales"):
        lr.kernel_distance_map(task.sigma_yx, task.X, I2, I2, [1.0, 1.0], [0.0], [0.0])
    with pytest.raises(ValueError, match="full rank"):
        lr.kernel_distance_map(np.zeros((2, 2)), task.X, I2, I2, [1.0, 1.0], [1.0], [0.0])

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


def test_kernel_distance_of_a_zero_kernel_is_refused():
    """X = 0 makes every NTK zero: its direction, and the kernel distance, are undefined."""
    task = lr.random_regression(10, 3, 2, rng=0)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=0.3, rng=1)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    with pytest.raises(ValueError, match="X is zero"):
        sol.kernel_distance([0.0, 1.0], np.zeros((3, 4)))
    with pytest.raises(ValueError, match="K0 is the zero matrix"):
        lr.kernel_distance(np.zeros((4, 4)), np.eye(4))
    with pytest.raises(ValueError, match="B is the zero matrix"):
        lr.matrix_cosine(np.eye(2), np.zeros((2, 2)))


def test_relative_kernel_change_sees_growth_that_kernel_distance_misses():
    K0 = np.diag([1.0, 2.0, 3.0])
    assert lr.kernel_distance(K0, 5 * K0) < 1e-15
    assert lr.relative_kernel_change(K0, 5 * K0) == pytest.approx(4.0, rel=1e-14)
    K = np.stack([K0, 2 * K0, K0 + np.eye(3)])
    expected = [0.0, 1.0, np.sqrt(3) / np.linalg.norm(K0)]
    np.testing.assert_allclose(lr.relative_kernel_change(K0, K), expected, rtol=1e-14)
    with pytest.raises(ValueError):
        lr.relative_kernel_change(np.zeros((2, 2)), np.eye(2))
