"""Every number in a chapter's prose or figure captions is computed (glued) or a code parameter."""

from pathlib import Path

import pytest

from prose_numbers import offenders

CHAPTERS = sorted(Path(__file__).resolve().parents[1].glob("chapters/*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_typed_numbers(path):
    bad = offenders(path)
    assert not bad, "typed numbers (glue them or use the code's parameter):\n" + "\n".join(bad)


def test_checker_catches_a_typed_number(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["LAM = 5.0\n"], "metadata": {}, "outputs": []},
                    {"cell_type": "markdown", "metadata": {},
                     "source": ["At λ = 5 (Fig. 3, 8-8-8) the error is 0.0123 and {glue:text}`e:.2f`."]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "x.ipynb"
    import json
    path.write_text(json.dumps(nb))
    assert offenders(path) == ["x.ipynb cell 1: '0.0123'"]
