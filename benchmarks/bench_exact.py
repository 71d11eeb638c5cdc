"""Speed of the exact solution, measured in one run (issue 2).

For each size (in-hidden-out) it times, over 10^4 time points on t/τ ∈ [0, 50]:

* ``ExactSolution.qqt`` on the whole time array (vectorised);
* the same formula called once per time point in a Python loop;
* ``gradient_descent`` at learning rate 1e-3 producing the same trajectory (50,000 steps, recording
  every 5th), with the error of that trajectory against the exact one.

Times are the best of ``--repeat`` runs. Ratios are taken within this run. Usage::

    python benchmarks/bench_exact.py [--repeat 3] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import platform

import numpy as np

import lazyrich as lr
from _timing import best_of

SIZES = [(4, 4, 4), (16, 16, 16), (64, 32, 32)]
N_TIMES = 10_000
T_END = 50.0
LR = 1e-3



def measure(size: tuple[int, int, int], repeat: int, rng: np.random.Generator) -> dict:
    ni, nh, no = size
    task = lr.random_regression(2 * ni, ni, no, rng=rng)
    W1, W2 = lr.lambda_balanced(ni, nh, no, 0.5, scale=0.1, rng=rng)
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    t = np.linspace(0.0, T_END, N_TIMES + 1)[1:]
    sol.qqt(t[:100])  # warm up
    vec = best_of(lambda: sol.qqt(t), repeat) / N_TIMES

    n_loop = 2000  # a subset is enough for a per-point cost
    loop = best_of(lambda: [sol.qqt(ti) for ti in t[:n_loop]], repeat) / n_loop

    steps = int(round(T_END / LR))
    record_every = steps // N_TIMES
    gd_time = best_of(lambda: lr.gradient_descent(W1, W2, task.X, task.Y, lr=LR, steps=steps,
                                                  record_every=record_every), 1)
    run = lr.gradient_descent(W1, W2, task.X, task.Y, lr=LR, steps=steps, record_every=record_every)
    exact = sol.qqt(run.t)
    gd_err = float(np.max(np.abs(run.qqt() - exact)) / np.max(np.abs(exact)))
    return {
        "size": f"{ni}-{nh}-{no}",
        "exact_us_per_point": vec * 1e6,
        "loop_us_per_point": loop * 1e6,
        "gd_us_per_point": gd_time / len(run.t) * 1e6,
        "gd_rel_error": gd_err,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = [measure(size, args.repeat, rng) for size in SIZES]
    print(f"lazyrich {lr.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}; {N_TIMES} time points on t/tau in [0, {T_END:g}], "
          f"gradient descent at lr = {LR:g} ({int(T_END / LR)} steps)")
    print()
    print("| size (in-hidden-out) | exact, vectorised (us/point) | per-point loop (us/point) "
          "| loop / vectorised | gradient descent (us/point) | GD / exact | GD max rel. error |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {r['exact_us_per_point']:.2f} | {r['loop_us_per_point']:.1f} "
              f"| {r['loop_us_per_point'] / r['exact_us_per_point']:.0f}x "
              f"| {r['gd_us_per_point']:.1f} | {r['gd_us_per_point'] / r['exact_us_per_point']:.1f}x "
              f"| {r['gd_rel_error']:.1e} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n_times": N_TIMES, "t_end": T_END, "lr": LR, "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
