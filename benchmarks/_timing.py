"""Shared timing helpers for the benchmark scripts."""

import time

import numpy as np


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (seconds)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def paired(fn_a, fn_b, repeat: int = 3) -> tuple[float, float]:
    """Best wall times of ``fn_a`` and ``fn_b``, called alternately ``repeat`` times each, so that
    both see the same machine load (seconds)."""
    best_a = best_b = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn_a()
        best_a = min(best_a, time.perf_counter() - start)
        start = time.perf_counter()
        fn_b()
        best_b = min(best_b, time.perf_counter() - start)
    return best_a, best_b
