"""Publishing and reuse: the CI workflow, the repository URL, the licences and the citation file.

actionlint (`make actionlint`) checks the workflow's syntax and action versions; these tests check
what it cannot know: that the workflow runs the README's test command and deploys the site it
tested, that the repository URL is written in one place, that the licences are where the footer and
the package say, and that CITATION.cff is valid Citation File Format 1.2.0 (validated against the
official schema, tests/data/cff-1.2.0.schema.json) and agrees with the book and the bibliography.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"

sys.path.insert(0, str(ROOT / "tools"))
from build_student import strip_solutions  # noqa: E402


def tracked_files():
    """The repository's files: git's list, or (no git checkout) every file outside build output."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        return [ROOT / p for p in out.stdout.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "_build", ".pytest_cache", ".hypothesis", "__pycache__", "book_extra"}
        return [p for p in ROOT.rglob("*")
                if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)]


def test_repository_url_in_one_place():
    url = CONFIG["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    owner_repo = url.removeprefix("https://github.com/")
    others = []
    for path in tracked_files():
        if path.name == "_config.yml" or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if owner_repo in text:
            others.append(path.relative_to(ROOT).as_posix())
    assert not others, f"the repository URL is repeated outside _config.yml in {others}"
    assert "{{ repository_url }}" in (ROOT / "intro.md").read_text(encoding="utf-8")


def test_workflow_tests_then_deploys_the_tested_site():
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    test, deploy = wf["jobs"]["test"], wf["jobs"]["deploy"]
    runs = [s.get("run", "") for s in test["steps"]]
    uses = {s["uses"].split("@")[0]: s for j in (test, deploy) for s in j["steps"] if "uses" in s}
    assert any(r.strip() == "make test" for r in runs), runs
    assert any("apt-get install" in r and "chromium" in r for r in runs), "no Debian Chromium"
    make_test = next(s for s in test["steps"] if s.get("run", "").strip() == "make test")
    assert make_test["env"]["LAZYRICH_REQUIRE_BROWSER"] == "1"
    assert "debian" in test["container"] or "bookworm" in test["container"] or "trixie" in test["container"]
    for action in ("actions/checkout", "actions/upload-pages-artifact", "actions/configure-pages",
                   "actions/deploy-pages"):
        assert action in uses, f"{action} missing"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_licences():
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    cc = (ROOT / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "Permission is hereby granted, free of charge" in mit
    assert "Creative Commons Attribution 4.0 International Public License" in cc
    assert "Section 8 – Interpretation." in cc  # the legal code is there in full
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    footer = CONFIG["html"]["extra_footer"]
    assert "https://creativecommons.org/licenses/by/4.0/" in footer and "CC BY 4.0" in footer
    assert "https://opensource.org/license/mit" in footer and "MIT License" in footer


def test_citation_file_is_valid_cff_and_consistent():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "data" / "cff-1.2.0.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(cff)]
    assert not errors, errors
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == CONFIG["title"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == project["version"]
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    (paper,) = [r for r in cff["references"] if r["type"] == "conference-paper"]
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    entry = bib[bib.index("@inproceedings{domine2025lazy"):].split("\n}\n")[0]
    assert f"title     = {{{paper['title']}}}" in entry
    families = [a["family-names"] for a in paper["authors"]]
    assert families == ["Dominé", "Anguita", "Proca", "Braun", "Kunin", "Mediano", "Saxe"]
    assert "Domin{\\'e}, Cl{\\'e}mentine" in entry and "Saxe, Andrew M." in entry
    assert "arXiv:2409.14623" in entry and paper["url"].endswith("2409.14623")


def test_citation_schema_rejects_a_broken_file():
    schema = json.loads((ROOT / "tests" / "data" / "cff-1.2.0.schema.json").read_text())
    broken = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    broken["authors"] = [{"full-name": "nobody"}]
    del broken["message"]
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 2


def test_strip_solutions():
    text = ("a\n```{exercise}\n:label: x\nQ\n```\n\n````{solution} x\n:class: dropdown\n"
            "```python\ncode\n```\nanswer\n````\nb\n:::{solution} y\nz\n:::\nc\n")
    out, n = strip_solutions(text)
    assert n == 2
    assert out == "a\n```{exercise}\n:label: x\nQ\n```\n\nb\nc\n"
    with pytest.raises(ValueError, match="no closing"):
        strip_solutions("```{solution} x\nunclosed\n")
    with pytest.raises(ValueError, match="gated"):
        strip_solutions("```{solution-start} x\n```\n")


def test_every_chapter_solution_is_found_by_the_stripper():
    """strip_solutions removes as many blocks as there are {solution} directives in the chapters."""
    for nb_path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        expected = sum(len(re.findall(r"^[`:]{3,}\{solution\}", m, re.M)) for m in md)
        found = 0
        for m in md:
            out, n = strip_solutions(m)
            found += n
            assert "{solution" not in out
        assert found == expected, nb_path.name
