"""Numbers for the book's prose and check lines, stored at the precision the reader sees.

A chapter's saved outputs are compared by nbval on every machine that runs the tests. A float's
full ``repr`` differs in its last digits across CPUs, BLAS kernels and thread counts, so nothing the
notebooks store may carry more digits than the reader is shown. :func:`glue` therefore rounds a value
to its display format *before* storing it (myst-nb's ``glue`` would store the full repr), and
:func:`check` prints a check line from the same rounded value. A changed result still changes the
stored text, so nbval still catches it.

The only numbers that must not be shown this way are those at round-off level (an error of 3e-13,
say): their leading digit depends on the machine. Show those as a comparison against a stated
tolerance with :func:`below`.

Examples
--------
>>> rounded(0.0023139816262546242, ".1e")
0.0023
>>> rounded(2.000000000003505, ".2f")
2.0
>>> rounded(12345.678, ",.0f")
12346.0
>>> below(3.1e-13, 1e-10)
True
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["rounded", "formatted", "glue", "check", "below", "stored_benchmark", "peak_memory"]

#: The mime prefix myst-nb reads glued values from (``myst_nb.ext.glue.GLUE_PREFIX``).
GLUE_PREFIX = "application/papermill.record/"


def _as_real(name: str, value) -> float | int:
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and getattr(value, "size", 1) == 1:
        value = value.item()
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite to be shown, got {value!r}")
        return value
    raise ValueError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")


def formatted(value, fmt: str) -> str:
    """The text the reader sees: ``format(value, fmt)``, with finite real input checked.

    >>> formatted(0.6349726057181636, ".3f")
    '0.635'
    """
    return format(_as_real("value", value), fmt)


def rounded(value, fmt: str) -> float | int | bool:
    """``value`` rounded to what ``format(value, fmt)`` shows, as a number.

    Integers and booleans are returned unchanged. A float is returned as ``float(format(value,
    fmt))`` with any thousands separator or percent sign undone, so that its ``repr`` carries no
    digit the reader does not see.

    >>> rounded(0.6349726057181636, ".3g"), rounded(-1.5e-17, ".1e"), rounded(7, "d")
    (0.635, -1.5e-17, 7)
    """
    value = _as_real("value", value)
    if isinstance(value, (bool, int)):
        return value
    text = format(value, fmt).replace(",", "").replace("_", "")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def glue(name: str, value, fmt: str) -> float | int | bool:
    """Store ``value``, rounded to ``fmt``, under ``name`` for the prose (myst-nb's ``{glue}``).

    In the Markdown, write ``{glue:text}`name:fmt``` with the same ``fmt`` (or ``{glue:}`name```).
    Works without myst-nb installed: it emits the same display message myst-nb's own ``glue``
    emits with ``display=False``. Returns the rounded value.
    """
    from IPython.display import display

    shown = rounded(value, fmt)
    display({GLUE_PREFIX + "text/plain": repr(shown)}, raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}})
    return shown


def check(label: str, value, fmt: str, *, name: str | None = None) -> float | int | bool:
    """Print the check line ``label: <value in fmt>``; glue it as ``name`` too if given.

    Returns the rounded value, the number the reader sees.

    >>> _ = check("max |exact - simulated|", 0.0023139816262546242, ".1e")
    max |exact - simulated|: 2.3e-03
    """
    shown = rounded(value, fmt)
    print(f"{label}: {formatted(value, fmt)}")
    if name is not None:
        glue(name, value, fmt)
    return shown


def below(value, tol: float) -> bool:
    """``value <= tol`` as a plain ``bool``, for quantities at round-off level.

    >>> below(float("nan"), 1.0)
    False
    """
    value = float(value)
    return bool(math.isfinite(value) and value <= tol)


def stored_benchmark(name: str) -> dict:
    """A benchmark result stored with the package (``lazyrich/data/<name>.json``).

    The numerics chapter plots timings measured once by ``benchmarks/bench_scaling.py`` (``make
    reproduce`` rewrites the file). They ship inside the package, so a chapter downloaded on its own
    finds them too; reading stored data keeps the chapter's outputs the same on every machine.

    >>> sorted(stored_benchmark("scaling"))[:3]
    ['lr', 'machine', 'n_times']
    """
    import json
    from importlib.resources import files

    path = files("lazyrich") / "data" / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no stored benchmark named {name!r} (looked for {path})")
    return json.loads(path.read_text())


def peak_memory(fn, *args, **kwargs) -> tuple[object, int]:
    """``fn(*args, **kwargs)`` and the peak of the memory traced (``tracemalloc``) while it ran,
    in bytes. The benchmarks report it and the tests bound it; numpy's allocations are traced.

    >>> out, peak = peak_memory(bytearray, 2**20)
    >>> peak >= 2**20
    True
    """
    import tracemalloc

    tracemalloc.start()
    try:
        out = fn(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return out, peak
