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
    (the paper's Theorem 4.3, with the NTK and kernel distance its Fig. 5 measures laziness by), no
    simulation: a call takes a few milliseconds.

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


#: Size (inches) and resolution of the live explorer's image: 1000 × 300 pixels, about 40 kB of PNG.
LIVE_FIGSIZE = (10.0, 3.0)
LIVE_DPI = 100


def _fixed_rng(rng: int | np.random.Generator):
    """A factory of identical generators: every call starts from the state ``rng`` has now.

    ``np.random.default_rng(generator)`` returns the generator itself, so using it for several
    redraws would give each redraw new random directions. The caller's generator is not advanced.
    """
    import copy

    base = np.random.default_rng(rng)
    return lambda: copy.deepcopy(base)


class _ExplorerCanvas:
    """The three explorer panels on an off-screen Agg canvas, redrawn by blitting.

    Axes, ticks, labels and the task's singular values are drawn once and kept as a background; a
    redraw restores it, draws only the curves and the title on top, and encodes the pixels as PNG.
    This is what keeps a redraw near 10 ms of drawing instead of a full draw and layout (~10x more).
    """

    def __init__(self, task: Task, t: np.ndarray, *, figsize=LIVE_FIGSIZE, dpi: int = LIVE_DPI):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 3)
        self._lines = _setup_axes(axes, task, t)
        # The widest title there can be, so that the layout leaves room for every title.
        self._title = axes[0].set_title("λ = -10, scale = 3e+00", loc="left", fontsize=10)
        loss_line, sv_lines, kd_line = self._lines
        self._artists = [loss_line, *sv_lines, kd_line, self._title]
        for artist in self._artists:
            artist.set_animated(True)
        fig.canvas.draw()
        fig.set_layout_engine("none")  # positions are final; a redraw must not move the axes
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        self.figure = fig

    def png(self, curves: dict[str, np.ndarray], title: str) -> bytes:
        """PNG bytes of the panels showing ``curves`` (from :func:`explorer_curves`)."""
        import io

        from PIL import Image

        _update(self._lines, curves)
        self._title.set_text(title)
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        for artist in self._artists:
            artist.axes.draw_artist(artist)
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="png", compress_level=1)  # fast; size hardly matters over a socket
        return out.getvalue()


_EXPLORER_CLASS = None


def _explorer_class():
    """The explorer's VBox subclass (defined on first use: ipywidgets is an optional dependency)."""
    global _EXPLORER_CLASS
    if _EXPLORER_CLASS is None:
        import base64

        import ipywidgets as widgets

        class LambdaExplorer(widgets.VBox):
            """The λ explorer; its display also carries a static PNG of the first view.

            Frontends that cannot show the live widget (its kernel is gone, or they have no widget
            support) can fall back to the ``image/png`` entry of the display bundle.
            """

            def __init__(self, children, fallback_png: bytes, **kwargs):
                super().__init__(children, **kwargs)
                self._fallback_png = base64.b64encode(fallback_png).decode("ascii")

            def _repr_mimebundle_(self, **kwargs):
                bundle = super()._repr_mimebundle_(**kwargs)
                bundle["image/png"] = self._fallback_png
                return bundle

        _EXPLORER_CLASS = LambdaExplorer
    return _EXPLORER_CLASS


def lambda_explorer(task: Task, *, t: ArrayLike = DEFAULT_T, hidden_dim: int | None = None,
                    rng: int | np.random.Generator = 0, lam: float = 0.0, log10_scale: float = -2.0):
    """An ipywidgets UI: sliders for λ and log10(initial scale) redraw the three panels.

    Sliders use ``continuous_update=False`` (one redraw when the slider is released). A redraw
    evaluates the exact solution only (:func:`explorer_curves`), redraws just the curves over a
    saved background and sends a 1000 × 300 PNG to an ``ipywidgets.Image``: tens of milliseconds
    in the kernel. The random directions of the initialisation are the same for every redraw (a
    Generator ``rng`` is used at its current state and not advanced), so a slider changes only its
    own knob. Needs a live kernel (local runs); the static book shows :func:`lambda_sweep_animation`.

    The returned VBox holds ``HBox([λ slider, log₁₀ scale slider])`` and the ``Image``. Its display
    bundle also has an ``image/png`` of the first view, a static fallback for frontends that cannot
    show the widget.
    """
    import ipywidgets as widgets

    t = np.asarray(t, dtype=float)
    lam = check_finite("lam", lam)
    log10_scale = check_finite("log10_scale", log10_scale)
    fresh_rng = _fixed_rng(rng)
    canvas = _ExplorerCanvas(task, t)
    lam_slider = widgets.FloatSlider(value=lam, min=-10.0, max=10.0, step=0.1, description="λ",
                                     continuous_update=False)
    scale_slider = widgets.FloatSlider(value=log10_scale, min=-4.0, max=0.5, step=0.1,
                                       description="log₁₀ scale", continuous_update=False)

    def render() -> bytes:
        lam_now, scale = lam_slider.value, 10.0 ** scale_slider.value
        curves = explorer_curves(task.sigma_yx, task.X, lam=lam_now, scale=scale, t=t,
                                 hidden_dim=hidden_dim, rng=fresh_rng())
        return canvas.png(curves, f"λ = {lam_now:g}, scale = {scale:.0e}")

    first = render()
    width, height = canvas.figure.canvas.get_width_height()
    image = widgets.Image(value=first, format="png",
                          layout=widgets.Layout(width=f"{width}px", max_width="100%", height="auto"))

    def redraw(*_):
        image.value = render()

    lam_slider.observe(redraw, names="value")
    scale_slider.observe(redraw, names="value")
    return _explorer_class()([widgets.HBox([lam_slider, scale_slider]), image], fallback_png=first)


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
    fresh_rng = _fixed_rng(rng)  # the same random directions in every frame
    curves = [explorer_curves(task.sigma_yx, task.X, lam=v, scale=scale, t=t,
                              hidden_dim=hidden_dim, rng=fresh_rng()) for v in lams]
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
