"""Closed-form Gram matrices and kernel-distance maps against the weights, explicit kernels and
the exact solution at long times (lazyrich._representations)."""

import numpy as np
import pytest

import lazyrich as lr


@pytest.mark.parametrize("dims", [(3, 3, 3), (5, 2, 2), (2, 2, 4)])
@pytest.mark.parametrize("lam", [-3.0, -1e-3, 0.0, 0.7, 40.0])
def test_balanced_grams_match_weights(dims, lam):
    ni, nh, no = dims
    rng = np.random.default_rng(3)
    s = np.array([1.3, 0.4, 0.1])[:nh]
    W1, W2 = lr.lambda_balanced(ni, nh, no, lam, scale=s, rng=rng)
    U, sv, Vt = np.linalg.svd(W2 @ W1, full_matrices=False)
    A, B = lr.balanced_grams(U[:, :nh], Vt[:nh].T, sv[:nh], lam)
    np.testing.assert_allclose(A, W1.T @ W1, atol=1e-12 * max(1, abs(lam)))
    np.testing.assert_allclose(B, W2 @ W2.T, atol=1e-12 * max(1, abs(lam)))


def test_balanced_grams_broadcast_and_accurate_small_layer():
    U = np.eye(2)
    s = np.array([[1.0, 0.5], [2.0, 1.0]])          # (2 scales, r)
    lam = np.array([[-1e8], [1e8]])                 # (2, 1) -> grid (2, 2)
    A, B = lr.balanced_grams(U, U, s[None, :, :], lam)
    assert A.shape == (2, 2, 2, 2) and B.shape == A.shape
    # λ = +1e8: the small layer carries s²/λ without cancellation.
    np.testing.assert_allclose(np.diag(A[1, 0]), s[0] ** 2 / 1e8, rtol=1e-12)
    np.testing.assert_allclose(np.diag(B[0, 1]), s[1] ** 2 / 1e8, rtol=1e-12)


def test_balanced_grams_rejects_bad_input():
    with pytest.raises(ValueError, match="rank r"):
        lr.balanced_grams(np.eye(2), np.eye(3), [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="> 0"):
        lr.balanced_grams(np.eye(2), np.eye(2), [1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="finite"):
        lr.balanced_grams(np.eye(2), np.eye(2), [1.0, 1.0], np.nan)


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


def test_slow_rate_forms_and_limits():
    s, lam = 0.7, np.array([-50.0, -2.0, 0.0, 3.0])
    direct = np.sqrt(s**2 + lam**2 / 4) - np.abs(lam) / 2
    np.testing.assert_allclose(lr.slow_rate(s, lam), direct, rtol=1e-12)
    np.testing.assert_allclose(lr.slow_rate(s, 1e6) * 1e6 / s**2, 1.0, rtol=1e-10)


def test_draw_hierarchy_draws_tree_and_rejects_wrong_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lazyrich.plotting as lrp

    fig, ax = plt.subplots()
    lrp.draw_hierarchy(ax, lr.HIERARCHY_ITEMS, title="tree")
    assert len(ax.lines) == 14  # 7 internal nodes × 2 children
    assert {t.get_text() for t in ax.texts} >= set(lr.HIERARCHY_ITEMS) | {"living thing"}
    with pytest.raises(ValueError, match="8 item names"):
        lrp.draw_hierarchy(ax, lr.HIERARCHY_ITEMS[:7])
    plt.close(fig)
