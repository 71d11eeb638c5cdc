"""Build the student edition: the book with every exercise solution removed.

Usage (what `make student` runs):  .venv/bin/python tools/build_student.py

Same sources, _config.yml and _toc.yml as `make book`, and the same strict build (warnings are
errors, nitpicky), with two Sphinx settings changed: sphinx-exercise's ``hide_solutions = True``,
which drops every ``{solution}`` directive from the output, and the title, which says
"student edition". The page sources the site offers for download (_sources/: each chapter's
.ipynb, the .md pages) are copies of the full notebooks, so their ``{solution}`` blocks are cut out
after the build too. The site goes to _build/student/html (its doctrees to _build/student/.doctrees),
beside the full edition in _build/html. `jupyter-book build` cannot place its output there
(it always appends _build/html to --path-output), so this calls the same Sphinx entry point it does.
"""

import json
import re
import sys
from pathlib import Path

import yaml
from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "student" / "html"


SOLUTION_START = re.compile(r"^[ \t]*(`{3,}|:{3,})\{(solution|solution-start)\}")


def strip_solutions(text: str) -> tuple[str, int]:
    """Remove every fenced ``{solution}`` block from MyST text; return the text and the count.

    A block opens with a backtick or colon fence of length n ≥ 3 followed by ``{solution}`` and
    closes at the next line holding only that fence character, at least n times. Gated solutions
    (``{solution-start}`` ... ``{solution-end}``), whose content can span notebook cells, are not
    supported and raise ValueError rather than leave content behind.
    """
    lines = text.splitlines(keepends=True)
    out, i, count = [], 0, 0
    while i < len(lines):
        m = SOLUTION_START.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        fence, kind = m.group(1), m.group(2)
        if kind == "solution-start":
            raise ValueError(f"gated {{solution-start}} at line {i + 1} is not supported")
        close = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if j == len(lines):
            raise ValueError(f"{{solution}} at line {i + 1} has no closing {fence}")
        i, count = j + 1, count + 1
    return "".join(out), count


def strip_sources(sources: Path) -> int:
    """Cut the solutions out of the downloadable page sources under ``sources``; return the count."""
    total = 0
    for path in sorted(sources.rglob("*")):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                if cell["cell_type"] == "markdown":
                    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    new, n = strip_solutions(src)
                    if n:
                        cell["source"], total = new.splitlines(keepends=True), total + n
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        elif path.suffix in (".md", ".txt") and path.is_file():
            new, n = strip_solutions(path.read_text(encoding="utf-8"))
            if n:
                path.write_text(new, encoding="utf-8")
                total += n
    return total


def main() -> int:
    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    overrides = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "nitpicky": True,
        "latex_individualpages": False,
        "hide_solutions": True,
        "html_title": f"{title} (student edition)",
    }
    result = build_sphinx(ROOT, OUT, use_external_toc=True, noconfig=True,
                          path_config=str(ROOT / "_config.yml"), confoverrides=overrides,
                          builder="html", warningiserror=True, keep_going=True, force_all=True,
                          freshenv=True)
    if isinstance(result, Exception) or result:
        print(f"student edition: build failed ({result})", file=sys.stderr)
        return 1
    n = strip_sources(OUT / "_sources")
    print(f"student edition (solutions removed; {n} cut from the downloadable sources): "
          f"{OUT.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
