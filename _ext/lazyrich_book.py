"""Local Sphinx extension for the lazyrich book.

1. A MathJax 2 shim. The vendored ipywidgets manager typesets widget labels with the MathJax 2
   call ``MathJax.Hub.Queue([...])``; the book uses MathJax 3, which has no ``Hub``, so rendering
   saved widget state would throw. The shim keeps a ``Hub.Queue`` on whatever object is assigned
   to ``window.MathJax`` (MathJax 3 replaces its configuration object when it loads) and forwards
   it to MathJax 3's ``typesetPromise``.

2. De-duplicated scripts (below).

sphinx-thebe (always loaded by Jupyter Book 1) registers its configuration script once per
``env-before-read-docs`` event, which Sphinx can emit twice; the page then declares ``const
THEBE_JS_URL`` twice and the browser logs an error. We drop exact duplicate script entries, in
place and early, so that scripts other handlers add to the same list later are kept.
"""


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


def setup(app):
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
