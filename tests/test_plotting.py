"""Plotting helpers draw what they promise."""

import numpy as np
import pytest

import lazyrich as lr


def test_draw_hierarchy_draws_tree_and_rejects_wrong_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lazyrich.plotting as lrp

    fig, ax = plt.subplots()
    lrp.draw_hierarchy(ax, lr.HIERARCHY_ITEMS, title="tree")
    assert len(ax.lines) == 14  # 7 internal nodes × 2 children
    assert {t.get_text() for t in ax.texts} >= set(lr.HIERARCHY_ITEMS) | {"living thing"}
    with pytest.raises(ValueError, match="8 item names"):
        lrp.draw_hierarchy(ax, lr.HIERARCHY_ITEMS[:7])
    plt.close(fig)


def test_log_time_axis_labels_and_old_keyword():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import lazyrich.plotting as lrp

    fig, axes = plt.subplots(1, 3)
    lrp.log_time_axis(axes[0])
    lrp.log_time_axis(axes[1], in_steps=True)
    lrp.log_time_axis(axes[2], steps_per_unit=1000)  # old keyword: only the label changes
    assert [ax.get_xlabel() for ax in axes] == [lrp.TIME_LABEL, "steps", "steps"]
    assert all(ax.get_xscale() == "log" for ax in axes)
    plt.close(fig)
