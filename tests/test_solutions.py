"""Every exercise solution's code runs as written at the end of its chapter.

A solution keeps its code in a ```python block inside its ``{solution}`` directive. This test runs the
chapter's code cells in order in one namespace (as a reader's kernel would), then each solution's code
in that namespace, in the order the solutions appear.
"""

import json
import re
from pathlib import Path

import matplotlib
import pytest

from prose_numbers import python_blocks

pytestmark = pytest.mark.notebooks

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CHAPTERS = sorted(Path(__file__).resolve().parents[1].glob("chapters/*.ipynb"))
SOLUTION = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution\}.*?^[ \t]*\1[ \t]*$", re.M | re.S)


def solution_code(nb: dict) -> list[str]:
    """The ```python blocks of every solution directive, in order."""
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for m in SOLUTION.finditer("".join(cell["source"])):
            out.extend(body for _, body in python_blocks(m.group(0)))
    return out


def _run(src: str, namespace: dict, where: str) -> None:
    lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    exec(compile("\n".join(lines), where, "exec"), namespace)  # noqa: S102
    plt.close("all")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_run_in_chapter_namespace(path, monkeypatch):
    nb = json.loads(path.read_text())
    code = solution_code(nb)
    inline = [m.group(0) for cell in nb["cells"] if cell["cell_type"] == "markdown"
              for sol in SOLUTION.finditer("".join(cell["source"]))
              for m in re.finditer(r"`[^`\n]*\(.*?\)[^`\n]*`", sol.group(0))]
    assert not inline, f"solution code written inline instead of in a ```python block: {inline}"
    monkeypatch.chdir(path.parent)
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    namespace: dict = {"__name__": "__main__"}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            _run("".join(cell["source"]), namespace, f"{path.name} cell {i}")
    for k, src in enumerate(code):
        _run(src, namespace, f"{path.name} solution block {k}")
