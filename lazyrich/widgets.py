"""The interactive λ explorer: exact curves on demand, an ipywidgets UI and a kernel-free animation.

Everything is computed from :class:`~lazyrich.ExactSolution` (no simulation), so a redraw takes a few
milliseconds. ``ipywidgets`` is imported only inside :func:`lambda_explorer`, so importing this
module never needs it.

Examples
--------
>>> import numpy as np, lazyrich as lr
>>> from lazyrich.widgets import explorer_curves
>>> task = lr.random_regression(10, 3, 3, rng=np.random.default_rng(0))
>>> c = explorer_curves(task.sigma_yx, task.X, lam=1.0, scale=1e-2, t=np.geomspace(1e-2, 1e2, 50))
>>> c["loss"].shape, c["singular_values"].shape, c["kernel_distance"].shape
((50,), (50, 3), (50,))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._exact import ExactSolution
from ._initialisation import lambda_balanced
from ._tasks import Task
from ._validation import as_matrix, check_finite, check_positive
from .plotting import EXACT_STYLE, PALETTE, TIME_LABEL

#: Default time grid of the explorer (log-spaced, in units of τ).
DEFAULT_T = np.geomspace(1e-2, 1e3, 200)

#: Most frames an animation may have: every frame is an embedded PNG in the notebook and the book.
MAX_FRAMES = 30


def explorer_curves(sigma_yx: ArrayLike, X: ArrayLike, *, lam: float, scale: float,
                    hidden_dim: int | None = None, t: ArrayLike = DEFAULT_T,
                    rng: int | np.random.Generator = 0) -> dict[str, np.ndarray]:
    """Loss, singular values of W2W1 and NTK kernel distance over time, from the exact solution.

    The initialisation is ``lambda_balanced(in, hidden, out, lam, scale=scale)`` with the random
    directions drawn from ``np.random.default_rng(rng)``, so changing λ or the scale keeps the
    same directions and only moves the knob being explored. Only the closed form is evaluated
    (paper Theorem 4.3 and the NTK of Section 5), no simulation: a call takes a few milliseconds.

    Parameters
    ----------
    sigma_yx : array, shape (out_dim, in_dim)
        Task input–output correlation Σ̃yx (whitened inputs).
    X : array, shape (in_dim, P)
        Inputs on which the NTK is evaluated.
    lam : float
        Relative scale λ.
    scale : float
        Absolute scale: every singular value of W2(0)W1(0).
    hidden_dim : int, optional
        Hidden width; default min(in_dim, out_dim).
    t : array, shape (T,)
        Times t/τ.
    rng : int or numpy.random.Generator
        Seed of the random singular vectors and hidden rotation of the initialisation.

    Returns
    -------
    dict with ``t`` (T,), ``loss`` (T,) (reducible part ½‖W2W1 − Σ̃‖²), ``singular_values``
    (T, min(in, out)) and ``kernel_distance`` (T,) between NTK(0) and NTK(t) on X.
    """
    sigma_yx = as_matrix("sigma_yx", sigma_yx)
    lam = check_finite("lam", lam)
    scale = check_positive("scale", scale)
    n_out, n_in = sigma_yx.shape
    hidden = min(n_in, n_out) if hidden_dim is None else hidden_dim
    W1, W2 = lambda_balanced(n_in, hidden, n_out, lam, scale=scale,
                             rng=np.random.default_rng(rng))
    sol = ExactSolution(W1, W2, sigma_yx)
    t = np.asarray(t, dtype=float)
    w = sol.w2w1(t)
    return {
        "t": t,
        "loss": 0.5 * np.sum((w - sigma_yx) ** 2, axis=(1, 2)),
        "singular_values": np.linalg.svd(w, compute_uv=False),
        "kernel_distance": np.atleast_1d(sol.kernel_distance(t, X)),
    }


def _setup_axes(axes, task: Task, t: np.ndarray) -> list:
    """Three panels (loss, singular values, kernel distance) with empty lines to update."""
    s_target = np.linalg.svd(task.sigma_yx, compute_uv=False)
    m = len(s_target)
    loss_line, = axes[0].plot([], [], color=PALETTE[0])
    sv_lines = [axes[1].plot([], [], color=PALETTE[k % 7])[0] for k in range(m)]
    kd_line, = axes[2].plot([], [], color=PALETTE[1])
    for s in s_target:
        axes[1].axhline(s, **{**EXACT_STYLE, "linewidth": 1.2})
    axes[0].set_ylabel("loss (reducible)")
    axes[1].set_ylabel("singular values of W₂W₁")
    axes[2].set_ylabel("kernel distance to NTK(0)")
    axes[0].set_ylim(0, 0.55 * float(np.sum(s_target**2)) * 1.05)
    axes[1].set_ylim(0, 1.1 * float(s_target.max()))
    axes[2].set_ylim(0, 1.0)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlim(t[0], t[-1])
        ax.set_xlabel(TIME_LABEL)
    return [loss_line, sv_lines, kd_line]


def _update(lines, curves: dict[str, np.ndarray]) -> None:
    loss_line, sv_lines, kd_line = lines
    t = curves["t"]
    loss_line.set_data(t, curves["loss"])
    for k, line in enumerate(sv_lines):
        line.set_data(t, curves["singular_values"][:, k])
    kd_line.set_data(t, curves["kernel_distance"])


def plot_explorer(task: Task, *, lam: float, scale: float, t: ArrayLike = DEFAULT_T,
                  hidden_dim: int | None = None, rng: int | np.random.Generator = 0, axes=None):
    """Static three-panel explorer figure for one (λ, scale). Returns the figure."""
    import matplotlib.pyplot as plt

    t = np.asarray(t, dtype=float)
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.0))
    else:
        fig = axes[0].figure
    lines = _setup_axes(axes, task, t)
    _update(lines, explorer_curves(task.sigma_yx, task.X, lam=lam, scale=scale, t=t,
                                   hidden_dim=hidden_dim, rng=rng))
    axes[0].set_title(f"λ = {lam:g}, scale = {scale:.0e}", loc="left", fontsize=10)
    return fig


def lambda_explorer(task: Task, *, t: ArrayLike = DEFAULT_T, hidden_dim: int | None = None,
                    rng: int | np.random.Generator = 0, lam: float = 0.0, log10_scale: float = -2.0):
    """An ipywidgets UI: sliders for λ and log10(initial scale) redraw the three panels.

    Sliders use ``continuous_update=False``; each redraw evaluates the exact solution only.
    Needs a live kernel (local runs); the static book shows :func:`lambda_sweep_animation`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    t = np.asarray(t, dtype=float)
    lam_slider = widgets.FloatSlider(value=lam, min=-10.0, max=10.0, step=0.1, description="λ",
                                     continuous_update=False)
    scale_slider = widgets.FloatSlider(value=log10_scale, min=-4.0, max=0.5, step=0.1,
                                       description="log₁₀ scale", continuous_update=False)
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            plot_explorer(task, lam=lam_slider.value, scale=10.0 ** scale_slider.value, t=t,
                          hidden_dim=hidden_dim, rng=rng)
            plt.show()

    lam_slider.observe(redraw, names="value")
    scale_slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([lam_slider, scale_slider]), out])


def lambda_sweep_animation(task: Task, lams: Sequence[float], *, scale: float = 1e-2,
                           t: ArrayLike = DEFAULT_T, hidden_dim: int | None = None,
                           rng: int | np.random.Generator = 0, figsize: tuple[float, float] = (9.0, 2.6), dpi: int = 60):
    """A matplotlib ``FuncAnimation`` over a λ sweep: one frame per λ (kernel-free in HTML).

    Display it in a notebook with ``IPython.display.HTML(animation_html(anim))``; the result works
    in the static book without Python.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    lams = [check_finite("lams", v) for v in lams]
    if not 1 <= len(lams) <= MAX_FRAMES:
        raise ValueError(f"lams must contain between 1 and {MAX_FRAMES} values (one frame each), "
                         f"got {len(lams)}")
    t = np.asarray(t, dtype=float)
    curves = [explorer_curves(task.sigma_yx, task.X, lam=v, scale=scale, t=t,
                              hidden_dim=hidden_dim, rng=rng) for v in lams]
    fig, axes = plt.subplots(1, 3, figsize=figsize, dpi=dpi)
    lines = _setup_axes(axes, task, t)
    title = axes[0].set_title("", loc="left", fontsize=10)

    def frame(k: int):
        _update(lines, curves[k])
        title.set_text(f"λ = {lams[k]:g}")
        return []

    frame(0)
    return FuncAnimation(fig, frame, frames=len(lams), interval=400, blit=False)


#: Unicode stand-ins for the Font Awesome icons of matplotlib's JavaScript player.
_PLAYER_ICONS = {
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-fast-backward": "◀◀", "fa fa-fast-forward": "▶▶",
    "fa fa-step-backward": "◀|", "fa fa-step-forward": "|▶", "fa fa-pause": "❚❚",
    "fa fa-play": "▶", "fa fa-minus": "−", "fa fa-plus": "+",
}


def animation_html(anim) -> str:
    """Self-contained HTML (JavaScript player, frames embedded) for a ``FuncAnimation``.

    Frames are rendered at the figure's own dpi (not ``savefig.dpi``), which keeps notebooks small;
    the figure is closed so that it does not also appear as a still image. matplotlib's player
    loads Font Awesome from a CDN for its button icons; the book must work offline, so the link is
    removed and the icons are replaced by Unicode symbols.
    """
    import re

    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"savefig.dpi": "figure"}):
        html = anim.to_jshtml()
    plt.close(anim._fig)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    for cls, symbol in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    if "://" in re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]*", "", html):
        raise RuntimeError("the animation HTML still refers to an external resource")
    return html
