# cvmkit — set-up, the demo report, tests and benchmarks.
#   make report   set up .venv (if needed) and run every notebook on the demo study into reports/
#   make test     set up .venv (if needed) and run the test suite, notebooks included
#   make lab      open JupyterLab on working copies of the notebooks (reports/lab/notebooks)
#   make bench    run the benchmarks in benchmarks/
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STUDY ?= data/demo/study.yaml
LAB := reports/lab

export PATH := $(abspath $(BIN)):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: setup report test lab bench lint demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m cvmkit.drivers.warmup
	touch $(STAMP)

setup: $(STAMP)

report: setup
	$(BIN)/cvmkit run $(STUDY) --out reports

# Two workers, each given whole files (tests/conftest.py keeps the modules that share a
# session run on one worker): the suite waits on kernels and subprocesses much of the time.
test: setup
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax tests notebooks

# The lab opens working copies (made once; delete $(LAB)/notebooks for fresh ones), so what
# JupyterLab saves never reaches the committed notebooks; --allow-root when run as root.
lab: setup
	test -d $(LAB)/notebooks || $(BIN)/cvmkit notebooks $(LAB)/notebooks --run-dir $(LAB)/run
	$(BIN)/jupyter lab --notebook-dir=$(LAB)/notebooks \
	  $$(test "$$(id -u)" = 0 && echo --allow-root) $(LAB_ARGS)

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

lint: setup
	$(BIN)/ruff check .

demo: setup
	$(BIN)/cvmkit simulate --out data/demo

clean:
	rm -rf reports/*/ .pytest_cache
