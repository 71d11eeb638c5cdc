# The README's two commands: `make book` and `make test`.
# Both create .venv when it is missing and install the pinned requirements and the package.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test unit bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(PY) -c "import lazyrich; print('lazyrich', lazyrich.__version__, 'imports')"

# Every test: unit and property tests of the package (more parts join as the book grows).
test: $(STAMP)
	$(PY) -m pytest -n 2 tests

unit: $(STAMP)
	$(PY) -m pytest -n 2 tests -k "not notebooks and not browser and not book"

bench: $(STAMP)
	$(PY) benchmarks/bench_exact.py

clean:
	rm -rf _build .pytest_cache .hypothesis
