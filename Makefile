# Everything runs from a virtual environment that `make` creates on first use:
#   make test        the whole suite, on every database reachable on 127.0.0.1
#   make lint        ruff (lint + format check), codespell, validate-pyproject
#   make typecheck   mypy --strict (with the multisync.mypy plugin) and pyright
#   make typing-tests  the mypy plugin's YAML cases and incremental test
#   make docs        mkdocs build --strict
#   make bench       benchmarks, printed as ratios, with a chart for the docs
#   make demo        the polls demo under uvicorn at http://127.0.0.1:8000
#   make django-suites  Django's own relation and async suites, with "multisync" installed
#   make compat      DRF's and django-taggit's own suites without and with "multisync"
#                    installed, multisync's API on their models (in .venv-compat), and
#                    obj.a against sync access on wagtail, django CMS, simple-history,
#                    reversion, allauth and more (in .venv-differential)
# Variables: PYTHON (interpreter for the venv), VENV (its folder), GROUPS (dependency
# groups to install), DJANGO (a pip requirement that overrides the Django version, e.g.
# DJANGO='Django==4.2.*'), ARGS (arguments passed to pytest or the benchmarks).

PYTHON ?= python3
VENV ?= .venv
GROUPS ?= dev
DJANGO ?=
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install mariadb-driver test lint typecheck typing-tests docs bench demo django-suites compat clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade "pip>=25.1"
	$(PY) -m pip install -qq --editable . $(foreach g,$(GROUPS),--group $(g))
	$(if $(DJANGO),$(PY) -m pip install -qq "$(DJANGO)")
	touch $@

# mysqlclient compiles against libmariadb-dev. It is installed whenever the headers are
# there, so a .venv made before they were still gets it; without them the MariaDB suite
# reports why it did not run.
mariadb-driver: $(STAMP)
	@$(PY) -c "import MySQLdb" 2>/dev/null \
	  || $(PY) -m pip install -qq --group mariadb \
	  || echo "warning: mysqlclient did not build (apt install libmariadb-dev pkg-config); MariaDB tests cannot run"

test: $(STAMP) mariadb-driver
	$(PY) scripts/runtests.py $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/codespell
	$(PY) -m validate_pyproject pyproject.toml

typecheck: $(STAMP)
	$(PY) -m mypy
	$(VENV)/bin/pyright

typing-tests: $(STAMP)
	$(PY) -m pytest tests/typing

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(PY) benchmarks/run.py $(ARGS)

demo: $(STAMP)
	$(PY) demo/run.py $(ARGS)

django-suites: $(STAMP)
	$(PY) scripts/django_suites.py $(ARGS)

compat: $(STAMP)
	$(PY) scripts/compat.py $(ARGS)
	$(PY) scripts/differential.py

clean:
	rm -rf $(VENV) site .mypy_cache .pytest_cache .ruff_cache
