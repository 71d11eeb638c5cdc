"""Nothing readers or contributors see cites the project's private working notes.

The book cites the paper (section, theorem, equation, appendix), its own labels, or the works in
references.bib. A section reference into the private specification note points readers at a
document they do not have. The note's name is spelled in two halves below so that this file does
not itself carry the reference it forbids.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEN = ["chapters/*.ipynb", "lazyrich/*.py", "tests/**/*.py", "benchmarks/*.py", "*.md", "*.yml",
        "_ext/*.py", "templates/*", "Makefile", ".ci/run", "status.ipynb"]
PRIVATE = re.compile(r"\b" + "SP" + "EC" + r"\b")  # the private note's name


def test_no_reference_to_private_notes():
    here = Path(__file__).resolve()
    hits = []
    for pattern in SEEN:
        for path in sorted(ROOT.glob(pattern)):
            if path.resolve() == here or not path.is_file():
                continue
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if PRIVATE.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, "cite the paper or the book instead of the private notes:\n" + "\n".join(hits)
