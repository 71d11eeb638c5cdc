"""Find typed numbers in a chapter's prose and figure captions.

Every number a reader sees in a chapter's Markdown or in a figure caption must be one of:

* glued (``{glue:text}`name:fmt```), so the notebook computed it;
* a literal that appears in the chapter's code cells or in the ```python blocks of its exercise
  solutions (a parameter, e.g. ``LAM = 5.0`` and "λ = 5");
* an integer from 0 to 10 (counts, small exponents, "two layers");
* a reference: a figure, section, theorem, lemma, equation, appendix or algorithm number, a year in
  a citation, or an architecture name such as 8-8-8.

Run ``python tests/prose_numbers.py chapters/03_lazy_to_rich.ipynb`` to list offenders.
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
import sys
import tokenize
from pathlib import Path

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")

# Contexts that carry reference numbers, not results.
REFERENCE = re.compile(
    r"(?:Fig(?:ure|s)?\.?|Figures?|Panel|Section|Sections|§|Chapter|Chapters|ch\.|Theorem|Thm\.?|"
    r"Lemma|Proposition|Corollary|Definition|Eq(?:uation)?s?\.?|Appendix|Appendices|App\.|Algorithm|"
    r"Assumption|Table|Tables|Part|Exercise|Step|arXiv|v)\s*\(?[A-E]?\d+(?:\.\d+)*(?:\s*(?:[-–,]|and|or)\s*[A-E]?\d+(?:\.\d+)*)*\)?",
    re.IGNORECASE)
APPENDIX_LABEL = re.compile(r"\b[A-E]\.\d+(?:\.\d+)?\b")          # D.1, A.4, B.5 (paper appendices)
ARCHITECTURE = re.compile(r"\b(?:\d+|N|N_[a-z]|[a-z])(?:\s*[-–]\s*(?:\d+|N|N_[a-z]|[a-z])){2,}\b")
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-3]\d)[a-z]?\b")
ROLE = re.compile(r"\{[a-zA-Z:_-]+\}`[^`]*`")                      # {glue:text}`x`, {numref}`...`
CODE_SPAN = re.compile(r"``.*?``|`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
LABEL_LINE = re.compile(r"^\s*(?::[a-z_-]+:.*|\(.*\)=\s*)$")      # directive options, (label)=
POWER10 = re.compile(r"10\s*\^\s*\{?\s*([-−–]?\s*\d+)\s*\}?|10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
SCRIPT = re.compile(r"[_^]\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+)")    # x_1, x^{2}, W_{l+1}
FRACTION = re.compile(r"\\[dt]?frac\s*(?:\d\s*\d|\{\s*\d+\s*\}\s*\{\s*\d+\s*\})")   # \frac12, \tfrac{1}{2}
LATEX_CMD = re.compile(r"\\[A-Za-z]+")
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-−+]?\d+)?%?")


def python_blocks(markdown: str) -> list[str]:
    """The ```python fenced blocks of a Markdown cell (exercise solutions keep their code there)."""
    return re.findall(r"^[ \t]*(`{3,})python[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", markdown, re.M | re.S)


def _code_literals(cells: list[dict]) -> set[float]:
    out: set[float] = set()
    sources = []
    for cell in cells:
        if cell["cell_type"] == "code":
            sources.append("".join(cell["source"]))
        elif cell["cell_type"] == "markdown":
            sources.extend(body for _, body in python_blocks("".join(cell["source"])))
    for src in sources:
        try:
            toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            continue
        for tok in toks:
            if tok.type == tokenize.NUMBER:
                try:
                    value = ast.literal_eval(tok.string.replace("_", ""))
                except (ValueError, SyntaxError):
                    continue
                if isinstance(value, (int, float)):
                    out.add(float(value))
    return out


def _prose_blocks(cells: list[dict]) -> list[tuple[str, str]]:
    """(where, text) for every Markdown cell and every figure caption."""
    blocks = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            blocks.append((f"cell {i}", "".join(cell["source"])))
        elif cell["cell_type"] == "code":
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            if "caption" in fig:
                blocks.append((f"cell {i} caption", fig["caption"]))
    return blocks


def _value(token: str) -> float:
    token = token.replace("−", "-").replace(",", "").rstrip("%")
    return float(token)


def offenders(path: str | Path) -> list[str]:
    """Every typed number in the chapter's prose that is neither glued, a code literal nor allowed."""
    nb = json.loads(Path(path).read_text())
    cells = nb["cells"]
    literals = _code_literals(cells)
    found = []
    for where, raw in _prose_blocks(cells):
        text = _strip_fences(raw)
        text = ROLE.sub(" ", text)
        text = CODE_SPAN.sub(" ", text)
        text = LINK_TARGET.sub("]", text)
        text = REFERENCE.sub(" ", text)
        text = APPENDIX_LABEL.sub(" ", text)
        text = ARCHITECTURE.sub(" ", text)
        text = YEAR.sub(" ", text)
        powers = []
        for m in POWER10.finditer(text):
            exp = m.group(1) if m.group(1) is not None else m.group(2).translate(SUPERSCRIPTS)
            powers.append((m.group(0), exp.replace("−", "-").replace("–", "-").replace(" ", "")))
        text = POWER10.sub(" ", text)
        text = FRACTION.sub(" ", text)
        text = SCRIPT.sub(" ", text)
        text = LATEX_CMD.sub(" ", text)
        text = text.translate(str.maketrans("²³¹⁰⁴⁵⁶⁷⁸⁹⁻⁺", "            "))
        tokens = [(m.group(0), _value(m.group(0))) for m in NUMBER.finditer(text)]
        for shown, exp in powers:
            try:
                tokens.append((shown, 10.0 ** int(exp)))
            except ValueError:
                continue
        for shown, value in tokens:
            if shown.endswith("%"):
                value = value / 100 if value not in literals else value
            if float(value).is_integer() and 0 <= abs(value) <= 10:
                continue
            if any(math.isclose(abs(value), abs(lit), rel_tol=1e-9, abs_tol=0.0) for lit in literals):
                continue
            found.append(f"{Path(path).name} {where}: {shown!r}")
    return found


def _strip_fences(text: str) -> str:
    """Drop fenced code blocks and directive option lines; keep directive bodies (proofs, captions)."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (fence marker, is code)
    for line in text.splitlines():
        stripped = line.strip()
        m = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if m:
            marker, info = m.group(1), m.group(2).strip()
            if stack and info == "" and marker == stack[-1][0]:
                stack.pop()
            elif not any(code for _, code in stack):
                stack.append((marker, not info.startswith("{")))
            continue
        if any(code for _, code in stack) or LABEL_LINE.match(line):
            continue
        out.append(line)
    return "\n".join(out)


if __name__ == "__main__":
    bad = [line for arg in sys.argv[1:] for line in offenders(arg)]
    print("\n".join(bad) if bad else "no typed numbers")
    sys.exit(1 if bad else 0)
