"""The built chapter pages offer what works, and nothing else: a Binder button and a download.

Run after `make book` (no browser needed). Every chapter page has exactly one launch link, to Binder,
built from _config.yml's repository.url and branch and opening that chapter in JupyterLab; no
Colab (or other) launch link; and a download link to an .ipynb identical to the chapter in
chapters/ — the notebook that tests/test_standalone_notebooks.py runs alone in a clean environment.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _links(page: str) -> list[str]:
    return re.findall(r'<a\s+href="([^"]+)"', page)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_page_launches_binder_and_downloads_the_notebook(chapter):
    page_path = HTML / "chapters" / (chapter.stem + ".html")
    if not page_path.exists():
        pytest.fail(f"no built page {page_path}: run `make book` first")
    links = _links(page_path.read_text())
    repo = urlparse(CONFIG["repository"]["url"])
    org, name = repo.path.strip("/").split("/")
    binder = CONFIG["launch_buttons"]["binderhub_url"].rstrip("/")
    expected = (f"{binder}/v2/gh/{org}/{name}/{CONFIG['repository']['branch']}"
                f"?urlpath=lab/tree/chapters/{chapter.name}")
    launch = [u for u in links if any(k in u for k in ("mybinder", "/v2/gh/", "colab", "deepnote",
                                                        "jupyterhub", "jupyterlite"))]
    assert launch == [expected]
    downloads = [u for u in links if u.endswith(".ipynb") and u not in launch]
    assert downloads == [f"../_sources/chapters/{chapter.name}"]
    served = (page_path.parent / downloads[0]).resolve()
    assert served.read_bytes() == chapter.read_bytes()
