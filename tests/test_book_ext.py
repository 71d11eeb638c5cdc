"""The book's Sphinx extension (_ext/lazyrich_book.py): alt text, accessible HTML, the URL token."""

import logging
import sys
from pathlib import Path
from types import SimpleNamespace

from docutils import nodes
from docutils.utils import new_document
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import lazyrich_book as ext  # noqa: E402


def document():
    return new_document("test", get_default_settings(Parser))


def figure(caption_nodes, **image_attrs):
    img = nodes.image(uri="_images/x.png", **image_attrs)
    return nodes.figure("", nodes.container("", img), nodes.caption("", "", *caption_nodes)), img


def test_alt_text_is_the_caption_plain_text():
    doc = document()
    fig, img = figure([nodes.Text("Paper Figure 3: the "), nodes.strong("", "rich"),
                       nodes.Text(" regime,\n  at λ = "), nodes.literal("", "0")])
    doc += fig
    ext._caption_alt_text(None, doc, "page")
    assert img["alt"] == "Paper Figure 3: the rich regime, at λ = 0"


def test_explicit_alt_is_kept():
    doc = document()
    fig, img = figure([nodes.Text("caption")], alt="chosen by the author")
    doc += fig
    ext._caption_alt_text(None, doc, "page")
    assert img["alt"] == "chosen by the author"


def test_image_without_caption_or_alt_warns(caplog):
    doc = document()
    img = nodes.image(uri="_images/y.png")
    doc += nodes.paragraph("", "", img)
    with caplog.at_level(logging.WARNING):
        ext._caption_alt_text(None, doc, "page")
    assert "alt" not in img.attributes or not img["alt"]
    assert any("_images/y.png has no caption and no alt text" in r.getMessage() for r in caplog.records)


def test_accessible_body():
    body = ('<img id="_anim_img0a1b"><input id="_anim_slider0a1b" type="range">'
            '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">')
    context = {"body": body}
    ext._accessible_body(None, "page", "page.html", context, None)
    out = context["body"]
    assert f'<img id="_anim_img0a1b" alt="{ext.ANIM_ALT}">' in out
    assert '<input id="_anim_slider0a1b" aria-label="Animation frame" type="range">' in out
    assert 'role="listitem"' in out and "doc-biblioentry" not in out
    context = {"body": '<img id="_anim_img0a1b" alt="kept">'}
    ext._accessible_body(None, "page", "page.html", context, None)
    assert context["body"] == '<img id="_anim_img0a1b" alt="kept">'


def test_repository_url_token():
    doc = document()
    doc += nodes.literal_block("", "url = {{{ repository_url }}}", language="bibtex")
    app = SimpleNamespace(config=SimpleNamespace(
        html_theme_options={"repository_url": "https://github.com/someone/fork"}))
    ext._repository_url(app, doc, "intro")
    (block,) = doc.findall(nodes.literal_block)
    assert block.astext() == "url = {https://github.com/someone/fork}"
    assert block["language"] == "bibtex"
