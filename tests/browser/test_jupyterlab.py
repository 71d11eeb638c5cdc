"""The local workflow in a real browser: JupyterLab from .venv, chapter 3, the live λ explorer.

Starts JupyterLab (the one `make lab` runs, with the same settings) on 127.0.0.1 on a free port, with
no token, in a temporary directory holding a copy of chapter 3, and drives it with Debian's Chromium
through Playwright (never `playwright install`), every request beyond localhost blocked. It runs
the whole chapter as a reader would (Run > Run All Cells), drags the λ slider of the explorer and
asserts that the plot changes and that no JavaScript error was logged. The time from the release of
the slider to the new plot on screen is printed (performance belongs in benchmarks, not in an
assertion). Then the notebook is saved, closed, its kernel shut down, and reopened: the explorer
cell must show a plot, not "Error displaying widget: model not found".

Skipped loudly without Chromium, unless LAZYRICH_REQUIRE_BROWSER=1 (set by CI).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _chromium import CHROMIUM, report, require_chromium

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapters" / "03_lazy_to_rich.ipynb"
# The JupyterLab settings `make lab` passes (--LabApp.app_settings_dir).
LAB_SETTINGS = ROOT / "tools" / "jupyterlab"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_MS = int(os.environ.get("LAZYRICH_LAB_TIMEOUT_MS", 240_000))  # Run All on chapter 3 takes ~20 s alone; the machine is shared


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a temporary directory that holds a copy of chapter 3; yields (url, dir)."""
    work = tmp_path_factory.mktemp("lab")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    shutil.copy(CHAPTER, notebooks / CHAPTER.name)
    env = dict(os.environ)
    # Everything JupyterLab writes (settings, workspaces, runtime files, notebook signatures) stays
    # in the temporary directory; the user's own settings cannot change what is tested.
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"),
                     ("MPLCONFIGDIR", "mpl")]:
        env[var] = str(work / sub)
    # Render every cell (no windowing), so that the explorer's output is in the DOM when scrolled to.
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.root_dir={notebooks}", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.port_retries=0", f"--LabApp.app_settings_dir={LAB_SETTINGS}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{(work / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, notebooks
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _new_page(browser, blocked, errors):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page


# A kernel is connected and idle, and no cell is queued or running.
IDLE = """() => {
  const bar = document.querySelector('#jp-main-statusbar');
  return bar !== null && /ipykernel\\) \\| Idle/.test(bar.innerText)
    && Array.from(document.querySelectorAll('.jp-InputPrompt')).every(p => !p.innerText.includes('*'));
}"""


def _wait_idle(page, timeout=60_000):
    page.wait_for_function(IDLE, timeout=timeout)


def _open_notebook(page, url):
    page.goto(f"{url}/lab/tree/{CHAPTER.name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _wait_idle(page)


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


# The explorer: the output area holding its λ slider.
EXPLORER = ".jp-OutputArea-output:has(.widget-slider)"

# Records the time of the slider's release, and of the first moment a new, fully decoded plot image
# is in the explorer's output (a changed <img> src, or a new <img> element).
WATCH = """(sel) => {
  if (window.__watch) window.__watch.disconnect();
  const gen = (window.__gen = (window.__gen || 0) + 1);
  const root = document.querySelector(sel);
  const before = new Set(Array.from(root.querySelectorAll('img')).map(i => i.src));
  window.__release = null; window.__drawn = null;
  document.addEventListener('pointerup', () => { window.__release = performance.now(); },
                            {capture: true, once: true});
  const check = () => {
    for (const img of root.querySelectorAll('img')) {
      if (!before.has(img.src)) {
        img.decode().then(() => {
          if (gen === window.__gen && window.__drawn === null) window.__drawn = performance.now();
        }).catch(() => {});
      }
    }
  };
  window.__watch = new MutationObserver(check);
  window.__watch.observe(root, {subtree: true, childList: true, attributes: true,
                                attributeFilter: ['src']});
}"""


def _explorer_png(page) -> bytes:
    """The explorer's plot as displayed (a screenshot of its image element)."""
    img = page.locator(f"{EXPLORER} img").first
    img.scroll_into_view_if_needed()
    return img.screenshot()


def test_explorer_is_live_in_jupyterlab(browser, lab):
    url, notebooks = lab
    blocked, errors = [], []
    context, page = _new_page(browser, blocked, errors)
    _open_notebook(page, url)
    _menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_selector(EXPLORER + " img", timeout=RUN_TIMEOUT_MS)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlab_failure.png"))
        raise
    _wait_idle(page, RUN_TIMEOUT_MS)
    explorer = page.locator(EXPLORER).first
    explorer.scroll_into_view_if_needed()
    label = explorer.locator(".widget-slider", has_text="λ").first
    readout = label.locator(".widget-readout")
    assert readout.inner_text().strip() == "0.00"
    before = _explorer_png(page)

    times = []
    for target_fraction in (0.75, 0.25, 0.9):  # λ = 5, -5, 8 (approximately)
        page.evaluate(WATCH, EXPLORER)
        handle = label.locator(".noUi-handle").first
        track = label.locator(".noUi-target").first
        hb, tb = handle.bounding_box(), track.bounding_box()
        page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
        page.mouse.down()
        page.mouse.move(tb["x"] + target_fraction * tb["width"], hb["y"] + hb["height"] / 2,
                        steps=5)
        page.mouse.up()
        page.wait_for_function("window.__drawn !== null", timeout=30_000)
        times.append(page.evaluate("window.__drawn - window.__release"))
        # Let the kernel settle (nothing else queued) before the next move.
        _wait_idle(page)
    lam = float(readout.inner_text())
    after = _explorer_png(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SHOTS / "jupyterlab_explorer.png"))
    report(f"λ explorer in JupyterLab: release-to-plot times {', '.join(f'{t:.0f}' for t in times)} "
           f"ms (median {sorted(times)[1]:.0f} ms; load average {os.getloadavg()[0]:.1f} "
           f"on {os.cpu_count()} CPUs)")
    # Save (JupyterLab with the settings of `make lab` stores the widget state in the notebook).
    _menu(page, "File", "Save Notebook")
    page.wait_for_function("document.querySelector('.lm-TabBar-tab.jp-mod-dirty') === null")
    # Shut the kernel down, as closing JupyterLab would (the reopening test starts from there).
    _menu(page, "Kernel", "Shut Down Kernel")
    page.wait_for_timeout(500)
    if page.locator(".jp-Dialog .jp-mod-accept").count():
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
    page.wait_for_function("/No Kernel/.test(document.querySelector('#jp-main-statusbar').innerText)",
                           timeout=30_000)
    context.close()
    assert lam > 5.0, f"the λ slider did not move to the right: readout {lam}"
    assert after != before, "the plot did not change when λ moved"
    assert not blocked, f"requests outside localhost: {blocked[:5]}"
    assert not errors, f"JavaScript errors: {errors[:5]}"


def test_reopened_notebook_shows_the_explorer(browser, lab):
    """After the notebook was run, saved and its kernel shut down, reopening it shows a plot."""
    url, notebooks = lab
    saved = json.loads((notebooks / CHAPTER.name).read_text())
    views = [o for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if not views or not any(o["data"].get("image/png") for o in views):
        pytest.fail("the previous test did not leave a saved, executed explorer (run the module)")
    explorer_view = [o for o in views if o["data"].get("image/png")][0]
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert explorer_view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] in state
    # The kernel that made the widgets is gone; open the notebook in a new browser.
    blocked, errors = [], []
    context, page = _new_page(browser, blocked, errors)
    _open_notebook(page, url)
    explorer = page.locator(EXPLORER).first
    explorer.wait_for(timeout=60_000)
    explorer.scroll_into_view_if_needed()
    img = explorer.locator("img").first
    img.wait_for(timeout=30_000)
    loaded = img.evaluate("i => i.complete && i.naturalWidth")
    text = page.locator(".jp-Notebook").inner_text()
    explorer.screenshot(path=str(SHOTS / "jupyterlab_explorer_reopened.png"))
    context.close()
    assert loaded >= 800, f"the reopened explorer shows no plot (image width {loaded})"
    assert "Error displaying widget" not in text
    assert not blocked, f"requests outside localhost: {blocked[:5]}"
    assert not errors, f"JavaScript errors: {errors[:5]}"
