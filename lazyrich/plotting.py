"""Plotting helpers for the book: one style, recurring plot types, named figures.

Nothing happens on import; call :func:`apply_style` once per notebook. The book's conventions:
simulations are coloured solid lines and exact solutions black dotted lines on top; matrices use a
diverging colour map centred at 0; long dynamics use a log time axis labelled in units of t/τ.

Examples
--------
>>> import lazyrich.plotting as lrp
>>> import matplotlib.pyplot as plt
>>> lrp.apply_style()
>>> fig, ax = plt.subplots()
>>> lrp.plot_sim_exact(ax, [0, 1, 2], [1.0, 0.5, 0.2], [1.0, 0.5, 0.2])  # doctest: +ELLIPSIS
(...)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

#: Colour-blind palette of Braun et al. (2022), also used by the paper's group.
PALETTE = ("#d65c00", "#0071b2", "#009e73", "#cc78a6", "#e59c00", "#55b2e8", "#efe440", "#000000")
#: Exact solutions: black, dotted, drawn on top of the simulation.
EXACT_STYLE = {"color": "black", "alpha": 0.7, "linestyle": (0, (1, 2)), "linewidth": 2.5}
#: Diverging colour map for matrices (centred at 0) and for λ.
MATRIX_CMAP = "RdBu_r"
LAMBDA_CMAP = "coolwarm"
#: Axis label for time in units of the time constant.
TIME_LABEL = "t / τ"


def apply_style() -> None:
    """Set the book's matplotlib style: palette, sizes, PNG output, no top/right spines."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=PALETTE[:-1]),
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.format": "png",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "lines.linewidth": 2.0,
        "image.cmap": MATRIX_CMAP,
        "figure.constrained_layout.use": True,
    })
    try:  # inline backend: PNG only (nbval compares text, PNG keeps notebooks small)
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover - outside Jupyter
        pass


def colors(n: int) -> list[str]:
    """``n`` palette colours for simulations, cycling through all but black (kept for exact curves)."""
    return [PALETTE[i % (len(PALETTE) - 1)] for i in range(n)]


def plot_sim_exact(ax, t: ArrayLike, simulated: ArrayLike | None, exact: ArrayLike | None, *,
                   color=None, label: str | None = None, exact_label: str | None = None,
                   lw: float | None = None):
    """Simulation as a coloured solid line, the exact solution as a black dotted line on top.

    ``simulated`` and ``exact`` may be 1-D (one curve) or 2-D (T, k) (k curves, one colour each
    unless ``color`` is given). Either may be None. Returns the simulation and exact line lists.
    """
    t = np.asarray(t, dtype=float)
    sim_lines, exact_lines = [], []
    if simulated is not None:
        y = np.asarray(simulated, dtype=float)
        y = y[:, None] if y.ndim == 1 else y.reshape(len(t), -1)
        cols = [color] * y.shape[1] if color is not None else colors(y.shape[1])
        for k in range(y.shape[1]):
            sim_lines += ax.plot(t, y[:, k], color=cols[k], lw=lw,
                                 label=label if k == 0 else None)
    if exact is not None:
        y = np.asarray(exact, dtype=float)
        y = y[:, None] if y.ndim == 1 else y.reshape(len(t), -1)
        for k in range(y.shape[1]):
            exact_lines += ax.plot(t, y[:, k], **EXACT_STYLE, label=exact_label if k == 0 else None,
                                   zorder=3)
    return sim_lines, exact_lines


def log_time_axis(ax, *, label: str = TIME_LABEL, in_steps: bool = False,
                  steps_per_unit: float | None = None) -> None:
    """Log-scaled time axis labelled ``label`` (t/τ by default), or "steps" if ``in_steps``.

    Only the label changes: plot the data in the units the label names. ``steps_per_unit`` is
    the old name of ``in_steps`` (any value other than None means ``in_steps=True``).
    """
    ax.set_xscale("log")
    ax.set_xlabel("steps" if in_steps or steps_per_unit is not None else label)


def plot_matrix(ax, M: ArrayLike, *, vmax: float | None = None, title: str | None = None,
                labels: Sequence[str] | None = None, colorbar: bool = True, cmap: str = MATRIX_CMAP):
    """Heat map of a matrix on a diverging colour map centred at 0 (symmetric limits ±vmax)."""
    M = np.asarray(M, dtype=float)
    vmax = float(np.max(np.abs(M))) if vmax is None else float(vmax)
    vmax = vmax if vmax > 0 else 1.0
    im = ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if labels is not None:
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return im


def lambda_colors(lams: ArrayLike, *, lam_max: float | None = None, cmap: str = LAMBDA_CMAP):
    """Colours for a set of λ values on a diverging map centred at λ = 0, and the ScalarMappable
    to draw a matching colour bar (``fig.colorbar(mappable, ax=ax, label="λ")``)."""
    import matplotlib as mpl

    lams = np.asarray(lams, dtype=float)
    lam_max = float(np.max(np.abs(lams))) if lam_max is None else float(lam_max)
    norm = mpl.colors.Normalize(vmin=-lam_max, vmax=lam_max)
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    return [mappable.to_rgba(v) for v in lams], mappable


def draw_network(ax, in_dim: int, hidden_dim: int, out_dim: int, *, lam: float | None = None,
                 max_units: int = 8, title: str | None = None) -> None:
    """Schematic of the two-layer linear network x → W1 → h → W2 → ŷ (paper Fig. 1A).

    Units are circles (at most ``max_units`` drawn per layer, with "⋮" beyond); the layer whose
    weights are larger under λ-balance is drawn with thicker connections (W2 for λ > 0, W1 for
    λ < 0), since W2ᵀW2 − W1W1ᵀ = λI.
    """
    layers = [("x", in_dim, PALETTE[1]), ("h", hidden_dim, PALETTE[2]), ("ŷ", out_dim, PALETTE[0])]
    xs = [0.0, 1.0, 2.0]
    pos = []
    for (name, n, col), x in zip(layers, xs):
        k = min(n, max_units)
        ys = (np.arange(k) - (k - 1) / 2) * (1.4 / max(max_units - 1, 1))
        pos.append(ys)
        ax.scatter(np.full(k, x), ys, s=260, color=col, zorder=3, edgecolor="black", linewidth=0.8)
        if n > max_units:
            ax.text(x, ys.min() - 0.12, "⋮", ha="center", va="top", fontsize=12)
        ax.text(x, 0.9, f"{name} ({n})", ha="center", va="bottom", fontsize=10)
    w1 = 2.5 if (lam is not None and lam < 0) else 1.0
    w2 = 2.5 if (lam is not None and lam > 0) else 1.0
    for (ya, yb, x0, lw, lab) in [(pos[0], pos[1], 0.0, w1, "W₁"), (pos[1], pos[2], 1.0, w2, "W₂")]:
        for a in ya:
            for b in yb:
                ax.plot([x0, x0 + 1], [a, b], color="0.45", lw=lw * 0.6, zorder=1)
        ax.text(x0 + 0.5, -0.95, lab, ha="center", fontsize=11)
    if title is None and lam is not None:
        title = f"λ = {lam:g}: W₂ᵀW₂ − W₁W₁ᵀ = λI"
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    ax.set_xlim(-0.4, 2.4)
    ax.set_ylim(-1.1, 1.15)
    ax.axis("off")


def lambda_axis(ax, *, linthresh: float = 0.1, ticks: Sequence[float] = (-10, -1, -0.1, 0, 0.1, 1, 10),
                label: str = "λ") -> None:
    """A symmetric-log x axis for λ sweeps that cross zero, with plain tick labels."""
    import matplotlib.pyplot as plt

    ax.set_xscale("symlog", linthresh=linthresh)
    ax.set_xticks(list(ticks), [f"{v:g}" for v in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_xlabel(label)


def draw_hierarchy(ax, item_names: Sequence[str], *,
                   node_names: Sequence[str] = ("living thing", "animal", "plant",
                                                "bird", "fish", "tree", "flower"),
                   title: str | None = None) -> None:
    """Draw the 8-item semantic hierarchy as a binary tree (paper Fig. 4A).

    Three levels of splits (root, two kingdoms, four classes) above the eight items. Each split is
    one ±1 feature of the task (the root is the feature shared by all items); the items are the
    leaves, in the order of ``item_names`` (e.g. ``task.item_names``).

    Parameters
    ----------
    ax : matplotlib Axes
    item_names : 8 strings, the leaves from left to right
    node_names : 7 strings, the internal nodes in breadth-first order
    title : optional axes title
    """
    if len(item_names) != 8 or len(node_names) != 7:
        raise ValueError(f"need 8 item names and 7 node names, got {len(item_names)} and {len(node_names)}")
    levels = [[3.5], [1.5, 5.5], [0.5, 2.5, 4.5, 6.5], list(np.arange(8.0))]
    heights = [3.0, 2.0, 1.0, 0.0]
    names = [[node_names[0]], list(node_names[1:3]), list(node_names[3:7]), list(item_names)]
    for lev in range(3):
        for k, x in enumerate(levels[lev]):
            for child in (2 * k, 2 * k + 1):
                ax.plot([x, levels[lev + 1][child]], [heights[lev], heights[lev + 1]],
                        color="0.45", lw=1.2, zorder=1)
    for lev, (xs, labels) in enumerate(zip(levels, names)):
        col = PALETTE[1] if lev < 3 else PALETTE[0]
        ax.scatter(xs, np.full(len(xs), heights[lev]), s=40, color=col, zorder=3)
        for x, lab in zip(xs, labels):
            if lev < 3:
                ax.text(x, heights[lev] + 0.18, lab, ha="center", va="bottom", fontsize=8)
            else:
                ax.text(x, -0.2, lab, ha="center", va="top", fontsize=8, rotation=60)
    ax.set_xlim(-0.7, 7.7)
    ax.set_ylim(-1.3, 3.6)
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left", fontsize=10)


# -- chapters 1-2 ----
def sim_exact_key(ax, *, sim_label: str = "simulation", exact_label: str = "exact",
                  color: str = "0.45", **legend_kwargs):
    """In-figure key for a panel that overlays simulations (coloured, solid) and exact solutions
    (black dotted, :data:`EXACT_STYLE`): one grey solid line labelled ``sim_label``, one black dotted
    line labelled ``exact_label``. Extra keywords go to ``ax.legend`` (e.g. ``loc``, ``fontsize``).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> [t.get_text() for t in sim_exact_key(ax).get_texts()]
    ['simulation', 'exact']
    >>> plt.close(fig)
    """
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=color, lw=2.0, label=sim_label),
               Line2D([], [], **EXACT_STYLE, label=exact_label)]
    return ax.legend(handles=handles, **legend_kwargs)


def plot_balance_moments(ax, widths: ArrayLike, sampled: Sequence[dict], exact: Sequence[dict], *,
                         exact_label: str = "formula") -> None:
    """Standard deviations of the balance-matrix entries against width (paper Fig. 1C).

    ``sampled`` and ``exact`` hold one dict per width with keys ``var_diag`` and ``var_off``, as
    returned by :func:`lazyrich.sample_balance_moments` and :func:`lazyrich.gaussian_balance_moments`:
    Monte-Carlo values as markers, the formulas as black dotted lines, on log-log axes.
    """
    import matplotlib.pyplot as plt

    widths = np.asarray(widths)
    for key, marker, col, name in [("var_diag", "o", PALETTE[0], "diagonal"),
                                   ("var_off", "s", PALETTE[1], "off-diagonal")]:
        ax.loglog(widths, [np.sqrt(m[key]) for m in sampled], marker, color=col,
                  label=f"{name}, Monte Carlo")
        ax.loglog(widths, [np.sqrt(m[key]) for m in exact], **EXACT_STYLE,
                  label=exact_label if key == "var_off" else None)
    ax.set_xticks(widths, [f"{w:g}" for w in widths])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_ylabel("std of W₂ᵀW₂ − W₁W₁ᵀ entries")
    ax.legend()


# -- chapter 4 ---------------------------------------------------------------------------------------
def gram_norm(vmax: float, *, linthresh: float):
    """One symmetric-log colour scale, centred at 0, for matrices whose entries span decades.

    Give every panel whose magnitudes the reader compares the same norm (and one colour bar):
    entries with ``|x| <= linthresh`` map linearly, larger ones logarithmically up to ``vmax``.

    >>> gram_norm(100.0, linthresh=1e-3)(0.0)
    np.float64(0.5)
    """
    from matplotlib.colors import SymLogNorm

    if not (np.isfinite(vmax) and np.isfinite(linthresh) and 0 < linthresh < vmax):
        raise ValueError(f"need 0 < linthresh < vmax, got linthresh = {linthresh!r}, vmax = {vmax!r}")
    return SymLogNorm(linthresh=linthresh, vmin=-vmax, vmax=vmax, base=10)


def plot_gram(ax, M: ArrayLike, *, norm, title: str | None = None,
              axes: tuple[str, str] | None = None,
              ticklabels: tuple[Sequence[str] | None, Sequence[str] | None] = (None, None),
              fontsize: float = 8):
    """A Gram or similarity matrix on a given (shared) colour scale, with both axes named.

    Parameters
    ----------
    ax : matplotlib Axes
    M : (n_rows, n_cols) matrix
    norm : a matplotlib norm, e.g. :func:`gram_norm`, shared by the panels being compared
    title : optional title
    axes : what the rows and the columns index, e.g. ``("features", "items")``
    ticklabels : optional names of the rows and of the columns
    fontsize : size of the labels (tick labels are two points smaller)

    Returns the image, for a colour bar.
    """
    M = np.asarray(M, dtype=float)
    im = ax.imshow(M, cmap=MATRIX_CMAP, norm=norm, interpolation="nearest")
    rows, cols = ticklabels
    ax.set_yticks(range(M.shape[0]) if rows is not None else [], rows if rows is not None else [],
                  fontsize=fontsize - 2)
    ax.set_xticks(range(M.shape[1]) if cols is not None else [], cols if cols is not None else [],
                  fontsize=fontsize - 2, rotation=90)
    if axes is not None:
        ax.set_ylabel(axes[0], fontsize=fontsize)
        ax.set_xlabel(axes[1], fontsize=fontsize)
    if title:
        ax.set_title(title, fontsize=fontsize)
    return im
