# The two commands a fresh machine needs (see README.md):
#   make book   builds the whole book, executing every chapter, failing on any warning or error
#   make test   runs the test suite
# Both create the virtual environment .venv from requirements.txt on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book test student benchmarks clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --requirement requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $@

book: $(STAMP)
	rm -rf _build
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest

student: $(STAMP)
	$(PY) -m gcbook.student --out student_edition

benchmarks: $(STAMP)
	$(PY) benchmarks/granger_speed.py
	$(PY) benchmarks/notears_speed.py
	$(PY) benchmarks/neural_gc.py
	$(PY) benchmarks/neural_gc_penalty.py
	$(PY) benchmarks/window_speed.py
	$(PY) benchmarks/dwgc_tables.py

clean:
	rm -rf _build student_edition .pytest_cache
