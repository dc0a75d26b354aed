# Two commands do everything on a machine with only Python 3 and make:
#   make test   -> creates .venv, installs audioviz with its extras, runs the tests
#   make docs   -> creates .venv, installs, builds the executed tutorial site
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.audioviz-installed
SPHINXOPTS ?= -W --keep-going
PORT ?= 8000

.PHONY: install test docs serve bench notebooks-outside clean clean-docs

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c constraints.txt -e ".[dev]"
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

docs: $(STAMP)
	$(PY) -m sphinx $(SPHINXOPTS) -b html docs docs/_build/html
	@echo
	@echo "The site is built. Open: file://$(CURDIR)/docs/_build/html/index.html"
	@echo "or run 'make serve' and browse http://127.0.0.1:$(PORT)/"

# Four downloaded tutorial notebooks run from a temporary folder outside the repository, with
# audioviz installed from a freshly built wheel into a fresh venv (offline; see tests/test_notebooks.py).
notebooks-outside: $(STAMP)
	$(PY) -m pytest tests/test_notebooks.py -q -k outside_the_repository

serve: docs
	$(PY) -m http.server --bind 127.0.0.1 --directory docs/_build/html $(PORT)

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean-docs:
	rm -rf docs/_build docs/auto_examples docs/gen_modules docs/sg_execution_times.rst

clean: clean-docs
	rm -rf $(VENV) .pytest_cache
