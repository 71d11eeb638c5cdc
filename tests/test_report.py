"""Numbers for the prose are stored at the precision the reader sees (lazyrich.report)."""

import numpy as np
import pytest

from lazyrich import report


def test_rounded_keeps_only_the_digits_shown():
    assert report.rounded(0.6349726057181636, ".3f") == 0.635
    assert repr(report.rounded(0.6349726057181635, ".3f")) == "0.635"  # last-digit noise is gone
    assert report.rounded(np.float64(12345.678), ",.0f") == 12346.0
    assert report.rounded(0.1234, ".1%") == pytest.approx(0.123)
    assert report.rounded(np.int64(7), "d") == 7 and report.rounded(True, "") is True


def test_glue_stores_the_rounded_repr(monkeypatch):
    shown = {}

    def fake_display(obj, raw, metadata):
        shown.update(obj=obj, metadata=metadata)

    import IPython.display
    monkeypatch.setattr(IPython.display, "display", fake_display)
    assert report.glue("x", 2.000000000003505, ".2f") == 2.0
    assert shown["obj"] == {report.GLUE_PREFIX + "text/plain": "2.0"}
    assert shown["metadata"]["scrapbook"]["name"] == "x"


def test_check_prints_the_line(capsys):
    assert report.check("err", 3.14159e-4, ".2e") == 3.14e-4
    assert capsys.readouterr().out == "err: 3.14e-04\n"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", 1 + 2j])
def test_non_finite_or_non_real_values_are_refused(bad):
    with pytest.raises(ValueError, match="value must be"):
        report.rounded(bad, ".2f")


def test_below_is_a_plain_bool_and_false_for_nan():
    assert report.below(np.float64(3e-13), 1e-10) is True
    assert report.below(float("nan"), 1.0) is False
