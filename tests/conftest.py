"""Test configuration. CI (.ci/run) sets HYPOTHESIS_PROFILE=ci: property tests then draw the same
examples on every run, so a red CI run is reproducible; locally they explore new examples."""

import os

import numpy as np
import pytest
from hypothesis import settings

import lazyrich as lr

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "notebooks: runs chapter code (already covered by nbval under every configuration)")


def small_problem(seed: int, scale: float = 0.5):
    """A λ-balanced 3-2-2 network (λ = 0.5) and a 10-sample task, both drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    task = lr.random_regression(10, 3, 2, rng=rng)
    W1, W2 = lr.lambda_balanced(3, 2, 2, 0.5, scale=scale, rng=rng)
    return W1, W2, task


@pytest.fixture
def good():
    """A valid input for the bad-input tests: each test corrupts one argument of it."""
    return small_problem(11)
