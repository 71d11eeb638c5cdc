"""Linear-algebra helpers: the layer product, Haar rotations and the λ-balanced split."""

import numpy as np
import pytest

import lazyrich as lr
from lazyrich import _linalg


def test_network_product_and_chain():
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal(s) for s in [(3, 2), (4, 3), (1, 4)]]
    np.testing.assert_allclose(lr.network_product(Ws), Ws[2] @ Ws[1] @ Ws[0], rtol=1e-14)
    np.testing.assert_allclose(_linalg.chain(Ws, 1, 3, 3), Ws[2] @ Ws[1], rtol=1e-14)
    np.testing.assert_array_equal(_linalg.chain(Ws, 2, 2, 4), np.eye(4))
    stacks = [np.stack([W, 2 * W]) for W in Ws]
    np.testing.assert_allclose(lr.network_product(stacks)[1], 8 * lr.network_product(Ws), rtol=1e-14)
    with pytest.raises(ValueError, match="at least one layer"):
        lr.network_product([])


def test_haar_columns_are_orthonormal():
    Q = _linalg.haar(np.random.default_rng(1), 5, 3)
    np.testing.assert_allclose(Q.T @ Q, np.eye(3), atol=1e-14)


def test_split_squares_broadcasts_and_has_no_cancellation():
    s = np.array([1e-6, 1.0])
    lam = np.array([[-1e6], [0.0], [1e6]])
    s1sq, s2sq = _linalg.split_squares(s, lam)
    assert s1sq.shape == (3, 2)
    np.testing.assert_allclose(s1sq * s2sq, np.broadcast_to(s**2, (3, 2)), rtol=1e-14)
    np.testing.assert_allclose(s2sq - s1sq, np.broadcast_to(lam, (3, 2)), rtol=1e-12, atol=1e-12)
    assert s1sq[2, 0] == pytest.approx(1e-12 / 1e6, rel=1e-12)  # s²/λ, not 0 by cancellation


def test_activation_functions_reject_unknown_names():
    phi, dphi = _linalg.activation_functions("relu")
    np.testing.assert_array_equal(phi(np.array([-1.0, 2.0])), [0.0, 2.0])
    np.testing.assert_array_equal(dphi(np.array([-1.0, 2.0])), [0.0, 1.0])
    with pytest.raises(ValueError, match="activation must be"):
        _linalg.activation_functions("gelu")
