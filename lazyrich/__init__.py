"""lazyrich: exact learning dynamics of λ-balanced two-layer linear networks.

Companion package of the lazyrich book, which reproduces Dominé, Anguita et al., "From Lazy to
Rich: Exact Learning Dynamics in Deep Linear Networks" (ICLR 2025). Importing it has no side
effects; plotting helpers live in :mod:`lazyrich.plotting`.
"""

from ._analysis import (aligned_singular_values, converged_parameter_noise,
                        converged_representations, forgetting, input_noise_sensitivity, input_rsm,
                        kernel_distance, matrix_cosine, monte_carlo_noise, ntk,
                        ntk_kernel_distance, output_rsm,
                        parameter_noise_sensitivity, task_loss, task_specificity,
                        transition_function)
from ._applications import (continual_exact, continual_gd, first_time_below,
                            new_feature_generalisation, rebalance)
from ._deep import (network_product, deep_balance, deep_gradient_descent, deep_lambda_balanced, deep_ntk,
                    nonlinear_gradient_descent, nonlinear_ntk)
from ._exact import (ExactSolution, converging_seed, eigendecomposition, reaches_global_minimum,
                     riccati_matrix)
from ._initialisation import (balance_matrix, check_admissible, estimate_lambda,
                              gaussian_balance_moments, lambda_balanced, sample_balance_moments,
                              split_singular_values)
from ._simulation import Trajectory, gradient_descent, gradient_flow, riccati_flow
from ._simulation import reference_qqt
from ._tasks import (HIERARCHY_FEATURES, HIERARCHY_ITEMS, Task, random_regression, reversal_task,
                     semantic_hierarchy, task_sequence, whiten)

__version__ = "0.1.0"

__all__ = [
    "continual_exact", "continual_gd", "first_time_below", "new_feature_generalisation",
    "rebalance",
    "deep_balance", "deep_gradient_descent", "deep_lambda_balanced", "deep_ntk",
    "nonlinear_gradient_descent", "nonlinear_ntk",
    "aligned_singular_values", "converged_parameter_noise", "converged_representations",
    "forgetting", "input_noise_sensitivity", "input_rsm", "kernel_distance", "matrix_cosine",
    "monte_carlo_noise", "ntk", "ntk_kernel_distance", "output_rsm", "parameter_noise_sensitivity", "task_loss",
    "task_specificity", "transition_function",
    "ExactSolution", "eigendecomposition", "converging_seed", "reaches_global_minimum",
    "riccati_matrix", "riccati_flow", "network_product",
    "balance_matrix", "check_admissible", "estimate_lambda", "gaussian_balance_moments",
    "lambda_balanced", "sample_balance_moments",
    "split_singular_values",
    "Trajectory", "gradient_descent", "gradient_flow", "reference_qqt",
    "HIERARCHY_FEATURES", "HIERARCHY_ITEMS", "Task", "random_regression", "reversal_task",
    "semantic_hierarchy", "task_sequence", "whiten",
]

# Beyond the paper (issue 7): deep gradient flow and its lazy limit.
from ._beyond import deep_gradient_flow, deep_lazy_product  # noqa: E402

__all__ += ["deep_gradient_flow", "deep_lazy_product"]

# Representations and architecture (issue 5): closed-form Gram matrices and kernel-distance maps.
from ._representations import balanced_grams, kernel_distance_map, slow_rate  # noqa: E402

__all__ += ["balanced_grams", "kernel_distance_map", "slow_rate"]

from ._applications import half_times  # noqa: E402

__all__ += ["half_times"]
