"""Notebook hygiene: every chapter was run top to bottom on a fresh kernel and is fit to publish."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / "status.ipynb"]
MAX_BYTES = 3_000_000


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    files = toc_files()
    for f in files:
        assert any((ROOT / (f + ext)).exists() for ext in (".md", ".ipynb")), f"{f} is in _toc.yml but missing"
    for nb in NOTEBOOKS:
        assert str(nb.relative_to(ROOT).with_suffix("")) in files, f"{nb.name} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_run_top_to_bottom_on_a_fresh_kernel(path):
    counts = [c["execution_count"] for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: run `make reproduce`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_clean(path):
    nb = load(path)
    outputs = [o for c in code_cells(nb) for o in c["outputs"]]
    assert outputs, "saved without outputs"
    for o in outputs:
        assert o["output_type"] != "error", f"error output: {o.get('ename')}: {o.get('evalue')}"
        assert not (o["output_type"] == "stream" and o["name"] == "stderr"), \
            "stderr output (a warning?): " + "".join(o["text"])[:300]
        assert "image/svg+xml" not in o.get("data", {}), "figures must be PNG"
        text = json.dumps(o.get("data", {}).get("text/plain", "")) + "".join(o.get("text", ""))
        assert "/work/" not in text and "/home/" not in text, "a local path leaked into the outputs"
    assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size} bytes: keep notebooks small"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name)
def test_chapter_shape(path):
    """Title, learning goals, exercises with solutions, a summary; named figures; no hidden seeds."""
    nb = load(path)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    assert markdown.lstrip().startswith("# "), "the first cell must be the chapter title"
    assert "Learning goals" in markdown
    assert "## Summary" in markdown
    assert markdown.count("```{exercise}") >= 2
    assert markdown.count("```{solution}") == markdown.count("```{exercise}")
    assert "np.random.seed" not in source and "np.random.rand" not in source, \
        "randomness only from np.random.default_rng passed as an argument"
    names = [c["metadata"].get("mystnb", {}).get("figure", {}).get("name") for c in nb["cells"]]
    names = [n for n in names if n]
    assert names, "at least one named figure"
    for n in names:
        assert re.fullmatch(r"fig-[a-z0-9-]+", n), n
    for c in nb["cells"]:
        fig = c["metadata"].get("mystnb", {}).get("figure")
        if fig:
            assert fig.get("caption"), f"{fig['name']} has no caption"
            assert "".join(c["source"]).rstrip().endswith("plt.show()"), f"{fig['name']}: end with plt.show()"


def test_figure_names_are_unique_across_the_book():
    seen = {}
    for path in NOTEBOOKS:
        for c in load(path)["cells"]:
            name = c["metadata"].get("mystnb", {}).get("figure", {}).get("name")
            if name:
                assert name not in seen, f"{name} in {path.name} and {seen[name]}"
                seen[name] = path.name
