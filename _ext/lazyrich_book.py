"""Local Sphinx extension for the lazyrich book.

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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
