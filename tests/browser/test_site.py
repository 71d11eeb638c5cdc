"""A real browser over both built editions, with no network beyond localhost.

Run after `make book` and `make student`. Visits every page of the TOC in the full edition
(_build/html) and the student edition (_build/student/html) in headless Chromium (Debian's, driven
by Playwright; never `playwright install`) and asserts: no console errors, every image loaded and
described (alt text that is not a file name), math typeset by the bundled MathJax where the page has
math, no raw $...$ left, saved widget state rendered into live widgets, no unrendered Markdown
table, nothing wider than the text column, and no serious or critical accessibility violation
found by axe-core (bundled by axe-playwright-python; WCAG 2.x A/AA rules and axe's best practices).
On student pages it also asserts that every exercise of the full edition is there and that no
solution is: no solution element, and none of the solutions' sentences (collected from the full
edition) in the page's text, hidden text included. Screenshots go to _build/screenshots/. Without
Chromium the test is skipped loudly, unless LAZYRICH_REQUIRE_BROWSER=1 (set by CI), which turns the
skip into a failure.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _chromium import CHROMIUM, require_chromium
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student" / "html"
EDITIONS = {"book": HTML, "student": STUDENT}
SHOTS = ROOT / "_build" / "screenshots"


def pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for p in toc.get("parts", []) for c in p["chapters"]]
    return [f + ".html" for f in files]


# axe-core impact levels that fail the test ("minor" and "moderate" are reported, not failed).
AXE_FAIL = ("serious", "critical")


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    for edition, make in (("book", "make book"), ("student", "make student")):
        if not (EDITIONS[edition] / "index.html").exists():
            pytest.fail(f"no built {edition} edition: run `{make}` first")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def servers():
    """One local HTTP server per edition: {"book": url, "student": url}."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    running, urls = [], {}
    for edition, root in EDITIONS.items():
        handler = functools.partial(Quiet, directory=str(root))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        urls[edition] = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield urls
    for httpd in running:
        httpd.shutdown()


def local_only(context, blocked):
    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)


# Text compared between editions leaves out math (raw TeX before MathJax runs, glyphs after).
PLAIN_TEXT = """(root) => {
  const c = root.cloneNode(true);
  c.querySelectorAll('.admonition-title, script, style, .math, mjx-container').forEach(x => x.remove());
  return c.textContent;
}"""
SOLUTIONS_JS = f"""() => Array.from(document.querySelectorAll('div.solution')).map({PLAIN_TEXT})"""


def sentences(text):
    """The sentences of a solution that are long enough to be unmistakable in other text."""
    flat = " ".join(text.split())
    return [s for s in re.split(r"(?<=[.!?:;])\s+", flat) if len(s) >= 30]


@pytest.fixture(scope="module")
def full_edition(browser, servers):
    """Per page of the full edition: its exercise ids and its solutions' sentences."""
    # The saved HTML is all that is needed: no scripts, no styles, images or fonts (fast).
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda r: r.continue_() if r.request.resource_type == "document"
                  and urlparse(r.request.url).hostname == "127.0.0.1" else r.abort())
    page = context.new_page()
    info = {}
    for page_path in pages():
        page.goto(f"{servers['book']}/{page_path}", wait_until="domcontentloaded")
        exercises = page.evaluate(
            "Array.from(document.querySelectorAll('div.exercise')).map(e => e.id)")
        solutions = page.evaluate(SOLUTIONS_JS)
        snippets = [sentences(t) for t in solutions]
        assert all(snippets), f"{page_path}: a solution with no sentence of 30+ characters"
        info[page_path] = {"exercises": exercises, "snippets": [s for ss in snippets for s in ss],
                           "n_solutions": len(solutions)}
    context.close()
    n_ex = sum(len(v["exercises"]) for v in info.values())
    n_sol = sum(v["n_solutions"] for v in info.values())
    assert n_ex > 0 and n_sol == n_ex, f"full edition: {n_ex} exercises but {n_sol} solutions"
    return info


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


# Images must say what they show: no missing or empty alt, and no file name as alt (what Sphinx
# writes when a figure has no alt text). Decorative images would need alt="" and role=presentation.
UNDESCRIBED_IMAGES = """() => Array.from(document.images)
  .filter(i => !i.closest('[role=presentation], [aria-hidden=true]'))
  .filter(i => { const a = (i.getAttribute('alt') || '').trim();
                 return !a || /\\.(png|jpe?g|svg|gif)$/i.test(a) || a.startsWith('data:'); })
  .map(i => (i.getAttribute('src') || '').slice(0, 80))"""


@pytest.mark.parametrize("page_path", pages())
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_page(browser, servers, full_edition, edition, page_path):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked, errors = [], []
    local_only(context, blocked)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(f"{servers[edition]}/{page_path}", wait_until="networkidle")
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
    undescribed = page.evaluate(UNDESCRIBED_IMAGES)
    if edition == "student":
        exercises = page.evaluate("Array.from(document.querySelectorAll('div.exercise')).map(e => e.id)")
        n_solutions = page.evaluate("document.querySelectorAll('.solution, [id*=\"-solution-\"]').length")
        all_text = " ".join(page.evaluate(f"({PLAIN_TEXT})(document.body)").split())
    axe = Axe().run(page, options={"resultTypes": ["violations"], "preload": False}).response["violations"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = ("student__" if edition == "student" else "") + page_path.replace("/", "__")
    page.screenshot(path=str(SHOTS / shot.replace(".html", ".png")), full_page=True)
    context.close()
    serious = [f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}: "
               f"{v['nodes'][0]['target']}" for v in axe if v["impact"] in AXE_FAIL]
    assert not serious, "axe-core accessibility violations:\n" + "\n".join(serious)
    assert not undescribed, f"images without a description (alt text): {undescribed[:3]}"
    if edition == "student":
        expected = full_edition[page_path]
        assert exercises == expected["exercises"], (
            f"student edition exercises {exercises} differ from the full edition's "
            f"{expected['exercises']}")
        assert n_solutions == 0, f"{n_solutions} solution elements in the student edition"
        leaked = [s for s in expected["snippets"] if s in all_text]
        assert not leaked, f"solution text in the student edition: {leaked[:2]}"
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


def test_student_sources_have_no_solutions():
    """The page sources offered for download (.ipynb, .md) lose their solutions too."""
    for edition, make in (("book", "make book"), ("student", "make student")):
        if not (EDITIONS[edition] / "_sources").is_dir():
            pytest.fail(f"no built {edition} edition: run `{make}` first")
    directive = re.compile(r"[`:]{3,}\{solution")
    exercise = re.compile(r"[`:]{3,}\{exercise")

    def count(root, pattern):
        return {p.relative_to(root).as_posix(): len(pattern.findall(p.read_text(encoding="utf-8")))
                for p in sorted((root / "_sources").rglob("*")) if p.suffix in (".ipynb", ".md", ".txt")}

    full = count(HTML, directive)
    student, student_ex = count(STUDENT, directive), count(STUDENT, exercise)
    assert sum(full.values()) > 0, "the full edition's sources hold no solutions to compare with"
    assert student_ex == count(HTML, exercise), "exercises differ between the editions' sources"
    assert not any(student.values()), f"solutions left in: {[k for k, v in student.items() if v]}"
