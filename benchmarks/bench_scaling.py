"""How the cost of the exact solution scales with width and with the number of time points, against
gradient descent producing the same trajectory (for the numerics appendix).

Writes a JSON file that `chapters/10_numerics.ipynb` plots; `make reproduce` regenerates it.

    python benchmarks/bench_scaling.py --json lazyrich/data/scaling.json
"""

from __future__ import annotations

import argparse
import json
import platform

import numpy as np

import lazyrich as lr
from _timing import best_of

WIDTHS = [4, 8, 16, 32, 64, 128, 256]
GD_MAX_WIDTH = 64  # beyond this, gradient descent is timed on GD_SAMPLE_STEPS steps and scaled up
GD_SAMPLE_STEPS = 200
N_TIMES = 100
T_END = 10.0
LR = 1e-3
TIME_POINTS = [1, 10, 100, 1000, 10000]



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", required=True, help="output file")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    for n in WIDTHS:
        task = lr.random_regression(2 * n, n, n, rng=rng)
        W1, W2 = lr.lambda_balanced(n, n, n, 0.5, scale=0.1, rng=rng)
        sol = lr.ExactSolution(W1, W2, task.sigma_yx)
        steps = int(round(T_END / LR))
        record_every = steps // N_TIMES
        t = np.arange(N_TIMES + 1) * record_every * LR
        exact_s = best_of(lambda: sol.qqt(t))
        row = {"width": n, "exact_s": exact_s, "gd_s": None, "gd_rel_error": None, "gd_estimated": False}
        if n > GD_MAX_WIDTH:
            # Same per-step work, fewer steps: the cost of the full run is the measured cost scaled
            # by steps / GD_SAMPLE_STEPS (recorded as an estimate; no accuracy is measured).
            sample = best_of(lambda: lr.gradient_descent(
                W1, W2, task.X, task.Y, lr=LR, steps=GD_SAMPLE_STEPS, record_every=GD_SAMPLE_STEPS // 2), 1)
            row["gd_s"] = sample * steps / GD_SAMPLE_STEPS
            row["gd_estimated"] = True
        else:
            row["gd_s"] = best_of(lambda: lr.gradient_descent(
                W1, W2, task.X, task.Y, lr=LR, steps=steps, record_every=record_every), 1)
            run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=LR, steps=steps, record_every=record_every)
            q = sol.qqt(run.t)
            row["gd_rel_error"] = float(np.max(np.abs(run.qqt() - q)) / np.max(np.abs(q)))
        rows.append(row)
        print(row, flush=True)
    task = lr.random_regression(32, 16, 16, rng=rng)
    W1, W2 = lr.lambda_balanced(16, 16, 16, 0.5, scale=0.1, rng=rng)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    points = []
    for k in TIME_POINTS:
        t = np.linspace(0.0, T_END, k)
        points.append({"n_times": k, "exact_s": best_of(lambda: sol.qqt(t))})
        print(points[-1], flush=True)
    out = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
           "n_times": N_TIMES, "t_end": T_END, "lr": LR, "widths": rows, "time_points": points}
    with open(args.json, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
