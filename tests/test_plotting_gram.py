"""The shared colour scale and matrix panels of chapter 4 (lazyrich.plotting.gram_norm, plot_gram)."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lazyrich.plotting as lrp  # noqa: E402


def test_gram_norm_is_symmetric_and_logarithmic_above_linthresh():
    norm = lrp.gram_norm(100.0, linthresh=1e-3)
    assert float(norm(0.0)) == pytest.approx(0.5)
    assert float(norm(100.0)) == pytest.approx(1.0) and float(norm(-100.0)) == pytest.approx(0.0)
    # equal steps per decade above the linear range, mirrored for negative entries
    step = float(norm(1.0)) - float(norm(0.1))
    assert float(norm(10.0)) - float(norm(1.0)) == pytest.approx(step, rel=1e-9)
    assert float(norm(-1.0)) == pytest.approx(1.0 - float(norm(1.0)))
    with pytest.raises(ValueError, match="linthresh"):
        lrp.gram_norm(1e-4, linthresh=1e-3)
    with pytest.raises(ValueError, match="linthresh"):
        lrp.gram_norm(np.inf, linthresh=1e-3)


def test_plot_gram_uses_the_given_norm_and_labels_both_axes():
    norm = lrp.gram_norm(10.0, linthresh=1e-2)
    fig, (ax1, ax2) = plt.subplots(1, 2)
    im1 = lrp.plot_gram(ax1, np.diag([10.0, 0.1]), norm=norm, axes=("features", "items"),
                        ticklabels=(["a", "b"], ["c", "d"]), title="M")
    im2 = lrp.plot_gram(ax2, -np.eye(2), norm=norm)
    assert im1.norm is norm and im2.norm is norm  # one scale for both panels
    assert (ax1.get_ylabel(), ax1.get_xlabel(), ax1.get_title()) == ("features", "items", "M")
    assert [t.get_text() for t in ax1.get_yticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax1.get_xticklabels()] == ["c", "d"]
    assert ax2.get_xticks().size == 0 and ax2.get_xlabel() == ""
    plt.close(fig)
