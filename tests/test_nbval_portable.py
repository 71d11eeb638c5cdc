"""The saved outputs are portable yet still guard the results.

Glued numbers are stored at the precision the reader sees (lazyrich.report), so nbval compares them
exactly on every machine; this test shows that a changed result is still caught: it copies a chapter,
changes one stored glued value or one printed check line, and runs nbval on the copy.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "07_transfer_finetuning.ipynb"  # a quick chapter with glue and checks
GLUE_MIME = "application/papermill.record/text/plain"


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(path), "-p", "no:cacheprovider", "-q",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg")],
        cwd=path.parent, capture_output=True, text=True, timeout=600)


def _bump_last_digit(text: str) -> str:
    """Change the last digit of the first number in text (2.3e-03 -> 2.4e-03, 0.26 -> 0.27)."""
    m = re.search(r"\d+(?:\.\d+)?", text)
    assert m, f"no number in {text!r}"
    digits = m.group(0)
    changed = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    return text[:m.start()] + changed + text[m.end():]


def _glued(nb: dict):
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if GLUE_MIME in out.get("data", {}):
                yield out


def _printed(nb: dict):
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and re.search(r"\d", "".join(out["text"])):
                yield out


def test_every_glued_value_is_stored_rounded():
    """No stored glued float carries more than 6 significant digits (a full repr has 15-17)."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for out in _glued(nb):
            text = "".join(out["data"][GLUE_MIME])
            for number in re.findall(r"\d+\.\d+(?:e[-+]?\d+)?", text):
                mantissa = number.split("e")[0].replace(".", "").strip("0")
                assert len(mantissa) <= 6, f"{path.name}: glued value {text} is not rounded"


@pytest.mark.parametrize("what", ["glued value", "check line"])
def test_nbval_fails_on_a_changed_result(tmp_path, what):
    nb = json.loads(CHAPTER.read_text())
    if what == "glued value":
        out = next(_glued(nb))
        out["data"][GLUE_MIME] = _bump_last_digit("".join(out["data"][GLUE_MIME]))
    else:
        out = next(_printed(nb))
        out["text"] = _bump_last_digit("".join(out["text"]))
    copy = tmp_path / CHAPTER.name
    copy.write_text(json.dumps(nb))
    result = _nbval(copy)
    assert result.returncode != 0, f"nbval passed a notebook whose {what} was changed"
    assert "1 failed" in result.stdout, result.stdout[-2000:]
