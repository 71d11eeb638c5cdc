"""Binder's configuration (binder/): the versions of requirements.txt, and a postBuild that works.

mybinder.org cannot be reached from the test machines, so this checks what can be checked here:
binder/requirements.txt pins exactly the versions requirements.txt pins, it names what a chapter
needs (lazyrich's declared dependencies and its `notebooks` extra, plus JupyterLab), and
binder/postBuild, run in a throwaway environment, installs lazyrich and the JupyterLab settings that
`make lab` uses.
"""

import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
import pytest

pytestmark = pytest.mark.notebooks  # not numerics: run once, natively

ROOT = Path(__file__).resolve().parents[1]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_pins_are_those_of_requirements():
    binder, main = _pins(ROOT / "binder" / "requirements.txt"), _pins(ROOT / "requirements.txt")
    assert {name: main.get(name) for name in binder} == binder
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in declared}
    missing = {n for n in names if n in main} - set(binder)  # pinned in the project, not on Binder
    assert not missing, f"binder/requirements.txt lacks {sorted(missing)}"
    assert "jupyterlab" in binder
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_postbuild_installs_lazyrich_and_the_lab_settings(tmp_path):
    # A copy of what postBuild reads (the package, its metadata, the Lab settings) and a new venv
    # that also sees .venv's packages (JupyterLab), so that no download is needed but lazyrich.
    repo = tmp_path / "repo"
    for rel in ["pyproject.toml", "README.md", "binder", "tools/jupyterlab", "lazyrich"]:
        src, dst = ROOT / rel, repo / rel
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (site / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # JupyterLab's application directory, which installing JupyterLab into the venv would create
    # (without it, JupyterLab would find the one of .venv and postBuild would write there).
    (venv / "share" / "jupyter" / "lab").mkdir(parents=True)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert list(site.glob("lazyrich-*.dist-info")), "postBuild did not install lazyrich"
    installed = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "lazyrich.json"
    assert installed.read_text() == (ROOT / "tools" / "jupyterlab" / "overrides.json").read_text()
