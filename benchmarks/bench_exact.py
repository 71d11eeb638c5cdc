"""The exact solution against what a user would run instead, on the book's workloads, in one run.

The competitor is scipy ``solve_ivp`` (DOP853, rtol 1e-10) on the Riccati ODE
τ d(QQᵀ)/dt = F·QQᵀ + QQᵀ·F − (QQᵀ)² (``lazyrich.riccati_flow``). Workloads:

* dense grid: 1,000 times on t/τ ∈ [0, 20], 16-16-16;
* log grid: 200 log-spaced times on [1e-2, 1e3], 16-16-16;
* λ sweep: 21 values of λ in [−5, 5], one late time (t/τ = 100) each, 8-8-8 (a new solution per λ);
* the same exact solution called once per time point in a Python loop (dense grid, first 200 times);
* gradient descent at lr = 1e-3 producing the dense-grid trajectory (20,000 steps).

Every row reports wall times (best of ``--repeat``, the two sides called alternately so that both
see the same machine load), the ratio competitor / exact from this run,
and the largest difference between the two answers relative to the largest entry. A last line
reports the peak memory (tracemalloc) of ``w2w1`` at 100-100-100 on 2,000 times. Usage::

    python benchmarks/bench_exact.py [--repeat 5] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import platform

import numpy as np

import lazyrich as lr
from _timing import paired
from lazyrich.report import peak_memory

LAM, SCALE = 0.5, 0.1
ODE_RTOL = 1e-10


def problem(n: int, lam: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    task = lr.random_regression(2 * n, n, n, rng=rng)
    W1, W2 = lr.lambda_balanced(n, n, n, lam, scale=SCALE, rng=rng)
    return task, W1, W2


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def grid_row(name: str, t: np.ndarray, repeat: int) -> dict:
    task, W1, W2 = problem(16, LAM)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    exact, ode = paired(lambda: sol.qqt(t),
                        lambda: lr.riccati_flow(W1, W2, task.sigma_yx, t, rtol=ODE_RTOL), repeat)
    diff = rel_diff(sol.qqt(t), lr.riccati_flow(W1, W2, task.sigma_yx, t, rtol=ODE_RTOL))
    return {"workload": name, "exact_s": exact, "other": "solve_ivp DOP853", "other_s": ode,
            "rel_diff": diff}


def sweep_row(repeat: int) -> dict:
    lams = np.linspace(-5.0, 5.0, 21)
    t_late = 100.0
    probs = [problem(8, lam, seed=1) for lam in lams]

    def exact():
        return np.stack([lr.ExactSolution(W1, W2, task.sigma_yx).qqt(t_late) for task, W1, W2 in probs])

    def ode():
        return np.stack([lr.riccati_flow(W1, W2, task.sigma_yx, t_late, rtol=ODE_RTOL)
                         for task, W1, W2 in probs])

    exact_s, ode_s = paired(exact, ode, repeat)
    return {"workload": "lambda sweep (21 x 1 late time, 8-8-8)", "exact_s": exact_s,
            "other": "solve_ivp DOP853", "other_s": ode_s, "rel_diff": rel_diff(exact(), ode())}


def loop_row(t: np.ndarray, repeat: int) -> dict:
    task, W1, W2 = problem(16, LAM)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    n_loop = 200
    exact, loop = paired(lambda: sol.qqt(t), lambda: [sol.qqt(ti) for ti in t[:n_loop]], repeat)
    loop *= len(t) / n_loop
    return {"workload": "dense grid, 16-16-16", "exact_s": exact, "other": "per-point loop",
            "other_s": loop, "rel_diff": rel_diff(np.stack([sol.qqt(ti) for ti in t[:n_loop]]),
                                                  sol.qqt(t[:n_loop]))}


def gd_row(t_end: float, n_times: int, repeat: int) -> dict:
    task, W1, W2 = problem(16, LAM)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    eta = 1e-3
    steps = int(round(t_end / eta))
    every = steps // n_times
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=eta, steps=steps, record_every=every)
    exact, gd = paired(lambda: sol.qqt(run.t),
                       lambda: lr.gradient_descent(W1, W2, task.X, task.Y, lr=eta, steps=steps,
                                                   record_every=every), repeat)
    return {"workload": f"dense grid, 16-16-16 ({steps} steps)", "exact_s": exact,
            "other": f"gradient descent, lr = {eta:g}", "other_s": gd,
            "rel_diff": rel_diff(run.qqt(), sol.qqt(run.t))}


def memory_row() -> dict:
    task, W1, W2 = problem(100, LAM)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    out, peak = peak_memory(sol.w2w1, np.linspace(0.0, 20.0, 2000))
    return {"returned_mb": out.nbytes / 2**20, "peak_mb": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()
    dense = np.linspace(0.0, 20.0, 1000)
    log = np.geomspace(1e-2, 1e3, 200)
    rows = [grid_row("dense grid (1,000 times on [0, 20], 16-16-16)", dense, args.repeat),
            grid_row("log grid (200 times to 1e3, 16-16-16)", log, args.repeat),
            sweep_row(args.repeat),
            loop_row(dense, args.repeat),
            gd_row(20.0, 1000, args.repeat)]
    mem = memory_row()
    print(f"lazyrich {lr.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}; wall times, best of {args.repeat}, alternating; "
          f"lam = {LAM}, scale = {SCALE}")
    print()
    print("| workload | exact solution (ms) | competitor | competitor (ms) | competitor / exact "
          "| max rel. difference |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workload']} | {r['exact_s'] * 1e3:.1f} | {r['other']} | {r['other_s'] * 1e3:.1f} "
              f"| {r['other_s'] / r['exact_s']:.1f}x | {r['rel_diff']:.1e} |")
    print()
    print(f"peak memory of ExactSolution.w2w1 at 100-100-100 on 2,000 times (tracemalloc): "
          f"{mem['peak_mb']:.0f} MiB, of which the returned array is {mem['returned_mb']:.0f} MiB")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "memory": mem}, fh, indent=1)


if __name__ == "__main__":
    main()
