"""Every chapter runs on its own, as a reader who downloads it from its page would run it.

The reader's environment is a clean virtual environment, `.venv-standalone/`, holding only a wheel
of lazyrich built from this repository and what that wheel declares: its dependencies and its
`notebooks` extra (a kernel and ipywidgets). Versions are pinned by requirements.txt, used as a pip
constraints file (so this is the set the rest of the tests use, but nothing that is not declared
gets in). Each chapter is copied alone into an empty directory and executed there on a kernel of
that environment (nbclient). A chapter that imports anything lazyrich does not declare (myst_nb,
say), or reads a file from the repository, fails here.

The environment is built once per content of requirements.txt and pyproject.toml (about a minute,
from PyPI or pip's cache) and reused; the lazyrich wheel is rebuilt whenever the package changes.
Run alone with `make standalone`; `make unit` (so `make test`) runs it too.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.notebooks  # not numerics: run once, natively

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-standalone"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
BIN = VENV / "bin"
KERNEL_NAME = "lazyrich-standalone"
CELL_TIMEOUT = 600  # seconds; a chapter takes well under a minute on 2 cores


def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(ROOT).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _run(*cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if result.returncode:
        pytest.fail(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def _package_files():
    files = [ROOT / "pyproject.toml", ROOT / "README.md"]
    files += sorted(p for p in (ROOT / "lazyrich").rglob("*") if p.is_file()
                    and "__pycache__" not in p.parts)
    return files


def _build_environment(tmp: Path) -> None:
    """Create (or reuse) .venv-standalone and install the current lazyrich wheel into it."""
    env_key = _digest([ROOT / "requirements.txt", ROOT / "pyproject.toml"]) + sys.version
    wheel_key = _digest(_package_files())
    key_file, wheel_file = VENV / ".env-key", VENV / ".wheel-key"
    fresh = not (key_file.exists() and key_file.read_text() == env_key)
    if not fresh and wheel_file.exists() and wheel_file.read_text() == wheel_key:
        return
    # Build the wheel from a copy holding only what a source distribution would: a stale build/
    # directory in the work tree cannot leak deleted modules into it. The build is isolated, so
    # it uses the build-system requirements of pyproject.toml, as `pip install .` would.
    src = tmp / "src"
    src.mkdir()
    for p in _package_files():
        (src / p.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, src / p.relative_to(ROOT))
    if fresh:
        shutil.rmtree(VENV, ignore_errors=True)
        _run(sys.executable, "-m", "venv", VENV)
    _run(BIN / "python", "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", src)
    wheel = next((tmp / "dist").glob("lazyrich-*.whl"))
    if fresh:
        # Dependencies come from the wheel's own metadata; requirements.txt only pins versions.
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "-c", ROOT / "requirements.txt",
             f"lazyrich[notebooks] @ {wheel.as_uri()}")
        key_file.write_text(env_key)
    else:
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
             wheel)
    wheel_file.write_text(wheel_key)


@pytest.fixture(scope="session")
def standalone_kernel(tmp_path_factory):
    """Name and spec manager of a kernel running in .venv-standalone (built under a file lock,
    so that pytest-xdist workers share one environment)."""
    from jupyter_client.kernelspec import KernelSpecManager

    tmp = tmp_path_factory.mktemp("standalone")
    with open(ROOT / ".venv-standalone.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _build_environment(tmp)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _run(BIN / "python", "-m", "pip", "check")
    where = _run(BIN / "python", "-c", "import lazyrich; print(lazyrich.__file__)", cwd=tmp).strip()
    assert Path(where).is_relative_to(VENV), f"lazyrich imported from {where}, not the wheel"
    spec_dir = tmp / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(BIN / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lazyrich (standalone)", "language": "python"}))
    return KernelSpecManager(kernel_dirs=[str(tmp / "kernels")])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_runs_alone(chapter, standalone_kernel, tmp_path):
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    source = chapter.read_text()
    nb = nbformat.reads(source, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import)\s+myst_nb", code, re.MULTILINE), (
        f"{chapter.name} uses myst_nb, which a reader's environment does not have: glue with "
        "`from lazyrich.report import glue`")
    alone = tmp_path / chapter.name
    alone.write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLCONFIGDIR"] = str(VENV / "mplconfig")  # matplotlib's font cache, built once
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=standalone_kernel)
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)  # raises CellExecutionError, naming the cell, on any error
    stderr = [o["text"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, f"{chapter.name} wrote to stderr (a warning?): {stderr[:2]}"
