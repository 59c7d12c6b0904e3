# fazhi-sim: `make demo` and `make test` each build .venv on first use, so both work on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

DOCS_STAMP := $(VENV)/.docs-installed
DOCS_ZIP = docs/_build/fazhi-sim-docs-$(shell $(PY) -c "import fazhi_sim; print(fazhi_sim.__version__)").zip

.PHONY: demo test docs docs-offline bench bench-ensemble bench-city bench-dashboard clean

$(STAMP): pyproject.toml
	@base=$$(tools/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$base"; "$$base" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,docs]'
	@touch $(DOCS_STAMP)

# The site, with notebooks and tutorials executed (cached); any warning fails the build.
docs: $(DOCS_STAMP)
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# The same site as one zip that opens from disk (file://) with no network.
docs-offline: docs
	$(PY) tools/docs_bundle.py docs/_build/html $(DOCS_ZIP)

demo: $(STAMP)
	$(VENV)/bin/fazhi-sim compare scenarios/baseline.toml scenarios/plan-2025.toml --region shaoxing --seed 1

test: $(STAMP)
	$(VENV)/bin/ruff check fazhi_sim tests benchmarks
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

bench-ensemble: $(STAMP)
	$(PY) benchmarks/bench_ensemble.py

bench-city: $(STAMP)
	$(PY) benchmarks/bench_ensemble.py --city

bench-dashboard: $(STAMP)
	$(PY) benchmarks/bench_dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
