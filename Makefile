# fazhi-sim: `make demo` and `make test` each build .venv on first use, so both work on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-ensemble bench-city bench-dashboard clean

$(STAMP): pyproject.toml
	@base=$$(tools/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$base"; "$$base" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

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
