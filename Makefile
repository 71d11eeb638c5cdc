# The README's two commands are `make book` and `make test`. Both create .venv when it is missing and
# install the pinned requirements and the package; nothing needs to be installed by hand.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STAMP  := $(VENV)/.installed
VENDOR := book_extra/chapters/@jupyter-widgets/html-manager/dist
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

.PHONY: book test unit nbval build browser reproduce bench clean lab standalone

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(VENDOR):
	tools/vendor_js.sh

# The book, from the stored outputs, strictly: any warning (a broken reference, say) fails it.
book: $(STAMP) $(VENDOR)
	$(JB) build . --all --warningiserror --nitpick --keep-going

# Every test: unit, property and hygiene tests; nbval on every notebook; the strict build; the
# browser pass over the built site.
test: unit nbval build browser

unit: $(STAMP)
	$(PY) -m pytest -n 2 tests --ignore=tests/browser
	$(PY) -m pytest -q --doctest-modules lazyrich -p no:cacheprovider

nbval: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile --nbval $(NOTEBOOKS) status.ipynb \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

build: book

browser: $(STAMP)
	$(PY) -m pytest tests/browser -rs -p no:cacheprovider

# Re-run the scaling benchmark the numerics appendix plots, re-execute every chapter in place on a
# fresh kernel (the only way outputs are refreshed), then the status page, which reads the
# chapters' run times, then build.
reproduce: $(STAMP)
	$(PY) benchmarks/bench_scaling.py --json benchmarks/results/scaling.json
	for nb in $(NOTEBOOKS) status.ipynb; do \
		$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=600 $$nb || exit 1; \
	done
	$(MAKE) book

# Every chapter run alone in a clean environment holding only a lazyrich wheel and what it declares
# (.venv-standalone, cached; see tests/test_standalone_notebooks.py). `make unit` runs it too.
standalone: $(STAMP)
	$(PY) -m pytest -n 2 tests/test_standalone_notebooks.py -p no:cacheprovider

# JupyterLab on the chapters, from .venv. Containers and course servers often run as root, which
# JupyterLab refuses without --allow-root. tools/jupyterlab/overrides.json: the widget state is saved
# with the notebook (a reopened explorer shows its last view), kernels start without asking, no news
# is fetched. Extra options: make lab LAB_ARGS="--port 8899".
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=chapters --LabApp.app_settings_dir=$(CURDIR)/tools/jupyterlab $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_exact.py

clean:
	rm -rf _build .pytest_cache .hypothesis
