"""Local Sphinx extension for the lazyrich book.

1. A MathJax 2 shim. The vendored ipywidgets manager typesets widget labels with the MathJax 2
   call ``MathJax.Hub.Queue([...])``; the book uses MathJax 3, which has no ``Hub``, so rendering
   saved widget state would throw. The shim keeps a ``Hub.Queue`` on whatever object is assigned
   to ``window.MathJax`` (MathJax 3 replaces its configuration object when it loads) and forwards
   it to MathJax 3's ``typesetPromise``.

2. De-duplicated scripts (below).

3. Accessibility (checked by axe-core in the browser test, tests/browser/test_site.py):

   - Alt text for every figure, from its caption. myst-nb turns a code cell's ``mystnb: figure:
     caption`` metadata (and ``{glue:figure}``) into a docutils figure whose image has no ``alt``,
     so the HTML writer falls back to the file name. After references and glued values are resolved
     (``doctree-resolved``), each such image gets the caption's plain text. An explicit ``alt``
     (cell metadata ``mystnb: image: alt:``) is kept. An image with neither caption nor alt is a
     build warning, so the strict build fails on it.
   - matplotlib's JavaScript animation player (``FuncAnimation.to_jshtml``) writes an ``<img>``
     without ``alt`` and an unlabelled frame slider; both get a text.
   - Widgets rendered from saved widget state: the widget manager draws sliders as ``div
     role=slider`` not tied to their description label, and output images without ``alt``. A small
     script names each control after its label and describes each output image by the controls'
     values.
   - Bibliography entries: docutils marks them ``role="doc-biblioentry"`` inside ``role="list"``;
     ARIA 1.2 deprecates that role and a list needs ``listitem`` children, so they become
     ``listitem``.
   - ``lazyrich.css`` (copied from book_extra/_static/) darkens the link colour so that links keep a
     4.5:1 contrast on the tinted backgrounds of theorem, exercise and solution boxes.

4. ``{{ repository_url }}`` inside code blocks (the BibTeX on the front page) is replaced by
   ``repository.url`` from _config.yml, so that URL is written in one place only.

sphinx-thebe (always loaded by Jupyter Book 1) registers its configuration script once per
``env-before-read-docs`` event, which Sphinx can emit twice; the page then declares ``const
THEBE_JS_URL`` twice and the browser logs an error. We drop exact duplicate script entries, in
place and early, so that scripts other handlers add to the same list later are kept.
"""

import re

from docutils import nodes
from sphinx.util import logging


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")

    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        # Inline scripts come with filename None or "" depending on who added them.
        key = (getattr(js, "filename", js) or None,
               tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


MATHJAX2_SHIM = """(function () {
  var current = window.MathJax;
  function queue(job) {
    var el = job && job[2];
    var mj = window.MathJax;
    if (mj && mj.typesetPromise) { mj.typesetPromise(el ? [el] : undefined).catch(function () {}); }
  }
  function withHub(obj) {
    if (obj && typeof obj === "object" && !obj.Hub) {
      try { obj.Hub = { Queue: queue }; } catch (e) { /* frozen object: leave it */ }
    }
    return obj;
  }
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
  withHub(current);
})();"""


def _caption_alt_text(app, doctree, docname):
    """Give each figure's images the caption's plain text as ``alt`` (see the module docstring)."""
    logger = logging.getLogger(__name__)
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        figure = image.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        captions = list(figure.findall(nodes.caption)) if figure is not None else []
        text = " ".join(captions[0].astext().split()) if captions else ""
        if text:
            image["alt"] = text
        else:
            logger.warning("image %s has no caption and no alt text: give the code cell "
                           "`mystnb: figure: caption` (or `mystnb: image: alt`) metadata",
                           image.get("uri", "?"), location=image, type="lazyrich", subtype="alt")


def _repository_url(app, doctree, docname):
    url = app.config.html_theme_options.get("repository_url", "")
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        if REPOSITORY_URL_TOKEN in text:
            if not url:
                logging.getLogger(__name__).warning(
                    "%s used but _config.yml has no repository.url", REPOSITORY_URL_TOKEN,
                    location=block, type="lazyrich", subtype="url")
                continue
            new = nodes.literal_block(text.replace(REPOSITORY_URL_TOKEN, url),
                                      text.replace(REPOSITORY_URL_TOKEN, url), **block.attributes)
            block.replace_self(new)


REPOSITORY_URL_TOKEN = "{{ repository_url }}"

# matplotlib's to_jshtml player: <img id="_anim_img…"> and <input id="_anim_slider…" type="range">.
_ANIM_IMG = re.compile(r'<img id="(_anim_img[0-9a-f]+)"(?![^>]*\balt=)')
_ANIM_SLIDER = re.compile(r'<input id="(_anim_slider[0-9a-f]+)"(?![^>]*\baria-label=)')
ANIM_ALT = ("Animation player showing one frame at a time; the slider and buttons below it step "
            "through the frames")


def _accessible_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not isinstance(body, str):
        return
    body = _ANIM_IMG.sub(lambda m: f'<img id="{m.group(1)}" alt="{ANIM_ALT}"', body)
    body = _ANIM_SLIDER.sub(lambda m: f'<input id="{m.group(1)}" aria-label="Animation frame"', body)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    context["body"] = body


# Names for controls and images that the widget manager renders from saved widget state.
WIDGET_A11Y = """(function () {
  function text(el) { return el ? el.textContent.replace(/\\s+/g, " ").trim() : ""; }
  function named(el) {
    return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") ||
      (el.labels && el.labels.length > 0);
  }
  function fix(root) {
    root.querySelectorAll(".jupyter-widgets.widget-inline-hbox").forEach(function (box) {
      var label = text(box.querySelector(".widget-label")) || "value";
      box.querySelectorAll("[role=slider], input, select, textarea").forEach(function (c) {
        if (!named(c)) { c.setAttribute("aria-label", label); }
      });
    });
    root.querySelectorAll(".jupyter-widgets img:not([alt])").forEach(function (img) {
      var box = img.closest(".widget-vbox, .widget-hbox, .widget-box") || document;
      var values = [];
      box.querySelectorAll(".widget-inline-hbox").forEach(function (row) {
        var l = text(row.querySelector(".widget-label"));
        var v = text(row.querySelector(".widget-readout"));
        if (l && v) { values.push(l + " = " + v); }
      });
      img.setAttribute("alt", "Plot drawn by the interactive controls" +
        (values.length ? " for " + values.join(", ") : "") +
        " (saved output; run the notebook to update it)");
    });
  }
  function start() {
    var pending = false;
    fix(document);
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () { pending = false; fix(document); });
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();"""


def setup(app):
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=100)
    app.add_js_file(None, body=WIDGET_A11Y)
    app.add_css_file("lazyrich.css")
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _accessible_body)
    app.connect("doctree-resolved", _caption_alt_text)
    app.connect("doctree-resolved", _repository_url)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
