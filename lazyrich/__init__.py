"""lazyrich: exact learning dynamics of λ-balanced two-layer linear networks.

Companion package of the lazyrich book, which reproduces Dominé, Anguita et al., "From Lazy to
Rich: Exact Learning Dynamics in Deep Linear Networks" (ICLR 2025). Importing it has no side
effects; plotting helpers live in :mod:`lazyrich.plotting`, widgets in :mod:`lazyrich.widgets`
and the notebooks' number formatting in :mod:`lazyrich.report`.

The private modules, in import order (each imports only modules above it):
``_validation`` (checks, tolerances), ``_linalg``, ``_measures`` (losses, noise, forgetting),
``_tasks``, ``_initialisation``, ``_kernels`` (NTK, kernel distances, representations),
``_exact`` (the closed form), ``_simulation`` (gradient descent, ODE references), ``_deep``
(deep linear networks), ``_protocols`` (continual, reversal, transfer, fine-tuning).
"""

from ._validation import PrecisionWarning
from ._linalg import network_product
from ._measures import (converged_parameter_noise, data_loss, forgetting, input_noise_sensitivity,
                        monte_carlo_noise, parameter_noise_sensitivity, task_loss)
from ._tasks import (HIERARCHY_FEATURES, HIERARCHY_ITEMS, Task, random_regression, reversal_task,
                     semantic_hierarchy, task_sequence, whiten)
from ._initialisation import (balance_matrix, balanced_grams, check_admissible, estimate_lambda,
                              gaussian_balance_moments, lambda_balanced, sample_balance_moments,
                              split_singular_values)
from ._kernels import (converged_representations, input_rsm, kernel_distance, kernel_distance_map,
                       matrix_cosine, nonlinear_ntk, ntk, ntk_kernel_distance, output_rsm,
                       relative_kernel_change, task_specificity)
from ._exact import (ExactSolution, aligned_singular_values, converging_seed, eigendecomposition,
                     reaches_global_minimum, riccati_matrix, slow_rate, transition_function)
from ._simulation import (Trajectory, gradient_descent, gradient_flow, nonlinear_gradient_descent,
                          reference_qqt, riccati_flow)
from ._deep import (DeepTrajectory, deep_balance, deep_gradient_descent, deep_gradient_flow,
                    deep_lambda_balanced, deep_lazy_product, deep_ntk)
from ._protocols import (continual_exact, continual_gd, first_time_below, half_times,
                         new_feature_generalisation, rebalance)

__version__ = "0.2.0"

__all__ = [
    # checks
    "PrecisionWarning",
    # measures
    "task_loss", "data_loss", "forgetting", "parameter_noise_sensitivity",
    "input_noise_sensitivity", "converged_parameter_noise", "monte_carlo_noise",
    # tasks
    "Task", "random_regression", "semantic_hierarchy", "reversal_task", "task_sequence", "whiten",
    "HIERARCHY_ITEMS", "HIERARCHY_FEATURES",
    # initialisation
    "lambda_balanced", "split_singular_values", "check_admissible", "balance_matrix",
    "estimate_lambda", "gaussian_balance_moments", "sample_balance_moments", "balanced_grams",
    # kernels and representations
    "ntk", "ntk_kernel_distance", "kernel_distance", "relative_kernel_change", "matrix_cosine", "input_rsm", "output_rsm",
    "task_specificity", "converged_representations", "kernel_distance_map", "nonlinear_ntk",
    # the exact solution
    "ExactSolution", "eigendecomposition", "riccati_matrix", "reaches_global_minimum",
    "converging_seed", "aligned_singular_values", "transition_function", "slow_rate",
    # simulation
    "Trajectory", "gradient_descent", "gradient_flow", "riccati_flow", "reference_qqt",
    "nonlinear_gradient_descent",
    # deep linear networks
    "network_product", "DeepTrajectory", "deep_lambda_balanced", "deep_balance",
    "deep_gradient_descent", "deep_gradient_flow", "deep_lazy_product", "deep_ntk",
    # protocols
    "continual_exact", "continual_gd", "first_time_below", "half_times", "rebalance",
    "new_feature_generalisation",
]
