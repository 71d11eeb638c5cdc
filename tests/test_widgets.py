"""The λ explorer: its numbers are the exact solution's, it is fast, and its UI objects build."""

import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lazyrich as lr  # noqa: E402
from lazyrich import widgets as lrw  # noqa: E402


@pytest.fixture(scope="module")
def task():
    return lr.random_regression(10, 3, 3, rng=np.random.default_rng(0))


def test_explorer_curves_are_the_exact_solution(task):
    t = np.geomspace(1e-2, 1e2, 40)
    c = lrw.explorer_curves(task.sigma_yx, task.X, lam=-1.5, scale=0.01, t=t, rng=3)
    W1, W2 = lr.lambda_balanced(3, 3, 3, -1.5, scale=0.01, rng=np.random.default_rng(3))
    sol = lr.ExactSolution(W1, W2, task.sigma_yx)
    np.testing.assert_allclose(c["loss"], sol.loss(t), rtol=1e-12)
    np.testing.assert_allclose(c["singular_values"], sol.singular_values(t), rtol=1e-10, atol=1e-14)
    K0 = sol.ntk(0.0, task.X)  # the explorer measures the distance to the kernel at t = 0
    np.testing.assert_allclose(c["kernel_distance"], lr.kernel_distance(K0, sol.ntk(t, task.X)),
                               rtol=1e-8, atol=1e-12)


def test_explorer_redraw_is_fast(task):
    # Generous bound: speed is measured in benchmarks/, this only guards against a regression
    # to simulation (which would take seconds).
    start = time.perf_counter()
    for lam in [-5.0, 0.0, 5.0]:
        lrw.explorer_curves(task.sigma_yx, task.X, lam=lam, scale=1e-2)
    assert (time.perf_counter() - start) / 3 < 0.5


def test_explorer_rejects_bad_knobs(task):
    with pytest.raises(ValueError, match="scale must be finite and > 0"):
        lrw.explorer_curves(task.sigma_yx, task.X, lam=0.0, scale=0.0)
    with pytest.raises(ValueError, match="lam must be finite"):
        lrw.explorer_curves(task.sigma_yx, task.X, lam=np.nan, scale=0.1)


def test_ui_builds_without_a_display(task):
    ipywidgets = pytest.importorskip("ipywidgets")
    ui = lrw.lambda_explorer(task, t=np.geomspace(1e-2, 1e2, 30))
    assert isinstance(ui, ipywidgets.VBox)
    sliders = ui.children[0].children
    assert [s.description for s in sliders] == ["λ", "log₁₀ scale"]
    assert all(s.continuous_update is False for s in sliders)
    sliders[0].value = 3.0  # triggers a redraw without error


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_live_redraw_leaves_nothing_of_the_previous_view(task):
    # Blitting restores the saved background before drawing the new curves: a view reached after
    # another one must be pixel for pixel the view drawn first on a fresh canvas.
    t = np.geomspace(1e-2, 1e2, 50)
    c0 = lrw.explorer_curves(task.sigma_yx, task.X, lam=0.0, scale=1e-2, t=t)
    c5 = lrw.explorer_curves(task.sigma_yx, task.X, lam=5.0, scale=1e-2, t=t)
    reused = lrw._ExplorerCanvas(task, t)
    first = reused.png(c0, "λ = 0")
    second = reused.png(c5, "λ = 5")
    fresh = lrw._ExplorerCanvas(task, t).png(c5, "λ = 5")
    assert _pixels(first).shape == (300, 1000, 3)  # LIVE_FIGSIZE at LIVE_DPI
    assert not np.array_equal(_pixels(first), _pixels(second))
    np.testing.assert_array_equal(_pixels(second), _pixels(fresh))


def test_live_explorer_redraws_with_the_same_directions(task):
    ipywidgets = pytest.importorskip("ipywidgets")
    t = np.geomspace(1e-2, 1e2, 30)
    gen = np.random.default_rng(7)
    state = gen.bit_generator.state
    by_gen = lrw.lambda_explorer(task, t=t, rng=gen)
    by_seed = lrw.lambda_explorer(task, t=t, rng=7)
    assert gen.bit_generator.state == state  # the caller's generator is not advanced
    images = []
    for ui in (by_gen, by_seed):
        lam_slider, scale_slider = ui.children[0].children
        image = ui.children[1]
        assert isinstance(image, ipywidgets.Image) and image.format == "png"
        start = image.value
        lam_slider.value = 4.0
        scale_slider.value = -1.0
        assert image.value != start
        lam_slider.value = 0.0
        scale_slider.value = -2.0
        assert image.value == start  # back to the first view: same directions every redraw
        lam_slider.value = 4.0
        images.append(image.value)
    assert images[0] == images[1]  # a Generator at a state draws what its seed draws


def test_live_explorer_display_has_a_static_fallback(task):
    import base64

    pytest.importorskip("ipywidgets")
    ui = lrw.lambda_explorer(task, t=np.geomspace(1e-2, 1e2, 30), lam=2.0)
    first = ui.children[1].value
    ui.children[0].children[0].value = -3.0
    bundle = ui._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ui.model_id
    assert base64.b64decode(bundle["image/png"]) == first  # the first view, not the current one
    assert "text/plain" in bundle


def test_live_explorer_rejects_bad_knobs(task):
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError, match="lam must be finite"):
        lrw.lambda_explorer(task, lam=np.inf)
    with pytest.raises(ValueError, match="log10_scale must be finite"):
        lrw.lambda_explorer(task, log10_scale=np.nan)


def test_animation_frames_share_the_directions(task):
    import matplotlib.pyplot as plt

    t = np.geomspace(1e-2, 1e2, 20)
    anim = lrw.lambda_sweep_animation(task, [1.0, 1.0], t=t, rng=np.random.default_rng(4))
    lines = anim._fig.axes[1].lines[:3]
    frames = []
    for k in range(2):
        anim._func(k)
        frames.append(np.array([line.get_ydata() for line in lines]))
    lrw.animation_html(anim)  # render it (an animation never rendered warns when deleted)
    plt.close("all")
    np.testing.assert_array_equal(frames[0], frames[1])  # same λ, same directions, same curves


def test_animation_has_one_frame_per_lambda(task):
    import matplotlib.pyplot as plt

    anim = lrw.lambda_sweep_animation(task, [-4.0, 0.0, 4.0], t=np.geomspace(1e-2, 1e2, 20))
    html = lrw.animation_html(anim)
    assert html.count("frames[") >= 3 or "new Animation" in html
    assert "://" not in html.replace("data:image", "") and "font-awesome" not in html  # offline
    assert len(list(anim.new_frame_seq())) == 3
    plt.close("all")
    with pytest.raises(ValueError, match="between 1 and 30 values"):
        lrw.lambda_sweep_animation(task, [])
    with pytest.raises(ValueError, match="got 31"):
        lrw.lambda_sweep_animation(task, np.linspace(-5, 5, 31))
