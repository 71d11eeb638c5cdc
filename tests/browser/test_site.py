"""A real browser over the built site, with no network beyond localhost.

Run after `make book`. Visits every page of the TOC in headless Chromium (Debian's, driven by
Playwright; never `playwright install`) and asserts: no console errors, every image loaded, math
typeset by the bundled MathJax where the page has math, no raw $...$ left, saved widget state
rendered into live widgets, no unrendered Markdown table, nothing wider than the text column. Screenshots go to
_build/screenshots/. Without Chromium the test is skipped loudly, unless LAZYRICH_REQUIRE_BROWSER=1
(set by CI), which turns the skip into a failure.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
# LAZYRICH_CHROMIUM overrides the path (e.g. another Chromium build; a missing path tests the skip).
CHROMIUM = os.environ.get("LAZYRICH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for p in toc.get("parts", []) for c in p["chapters"]]
    return [f + ".html" for f in files]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        msg = (f"BROWSER TEST SKIPPED: no Chromium at {CHROMIUM}. "
               "Install it with `apt-get install -y chromium` (CI does).")
        if os.environ.get("LAZYRICH_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " LAZYRICH_REQUIRE_BROWSER=1 forbids skipping.")
        print("\n" + "!" * 80 + "\n" + msg + "\n" + "!" * 80)
        pytest.skip(msg)
    if not (HTML / "index.html").exists():
        pytest.fail("no built site: run `make book` first")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


VISIBLE_TEXT = """() => {
  const clone = document.querySelector('main, article, body').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .MathJax').forEach(e => e.remove());
  return clone.innerText;
}"""


# Tables and images that stick out of the text column (cut off on the page a class sees).
TOO_WIDE = """() => {
  const main = document.querySelector('article') || document.body;
  const right = main.getBoundingClientRect().right + 2;
  return Array.from(main.querySelectorAll('table, img'))
    .filter(e => e.getBoundingClientRect().right > right)
    .map(e => e.tagName.toLowerCase() + ' ' + (e.getAttribute('src') || e.className));
}"""


@pytest.mark.parametrize("page_path", pages())
def test_page(browser, server, page_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked, errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(f"{server}/{page_path}", wait_until="networkidle")
    has_math = page.evaluate("document.querySelectorAll('.math').length") > 0
    if has_math:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.document", timeout=20000)
        page.evaluate("MathJax.startup.promise")
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20000)
    # Saved widget state: the vendored widget manager must turn every view into live widgets.
    n_views = page.evaluate(
        "document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length")
    if n_views:
        page.wait_for_function("document.querySelectorAll('.jupyter-widgets').length > 0", timeout=20000)
    images = page.evaluate("""Array.from(document.images).map(i => [i.currentSrc || i.src,
                              i.complete && i.naturalWidth > 0])""")
    text = page.evaluate(VISIBLE_TEXT)
    too_wide = page.evaluate(TOO_WIDE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (page_path.replace("/", "__").replace(".html", ".png"))),
                    full_page=True)
    context.close()
    assert not blocked, f"requests outside localhost: {blocked[:5]}"
    assert not errors, f"console errors: {errors[:5]}"
    assert not too_wide, f"wider than the text column: {too_wide[:3]}"
    assert all(ok for _, ok in images), f"images that failed to load: {[s for s, ok in images if not ok]}"
    if has_math:
        assert "\\(" not in text and "\\[" not in text, "untypeset TeX left on the page"
    raw = [m for m in __import__("re").findall(r"\$[^$\s][^$\n]{0,80}\$", text)]
    assert not raw, f"raw $...$ left on the page: {raw[:3]}"
    # A Markdown table that was not rendered (e.g. a text/markdown output parsed as CommonMark)
    # shows up as pipes around a dash rule in the visible text.
    table = __import__("re").findall(r"\|\s*[-\u2013\u2014:]{1,}\s*\|", text)
    assert not table, f"unrendered Markdown table on the page: {table[:3]}"
