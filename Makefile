# The two commands a fresh machine needs (see README.md):
#   make book   builds the whole book, executing every chapter, failing on any warning or error,
#               writes the student edition into the site (_build/html/student, numbers from this build),
#               then opens every page in headless Chromium and checks it as a reader sees it
#               (formulas typeset by a local MathJax, see the reader target)
#   make test   checks lint and formatting (ruff) and runs the test suite
# Both create the virtual environment .venv from requirements.txt on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book reader test student assignments benchmarks clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --requirement requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $@

# From a clean _build, so every chapter is executed. KEEP_EXECUTION_CACHE=1 (used by the GitHub
# workflow, which restores the cache keyed on the chapter and package sources) keeps only
# _build/.jupyter_cache, so chapters whose code has not changed are not executed again.
book: $(STAMP)
ifdef KEEP_EXECUTION_CACHE
	mkdir -p _build && find _build -mindepth 1 -maxdepth 1 ! -name .jupyter_cache -exec rm -rf {} +
else
	rm -rf _build
endif
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	$(PY) -m gcbook.student --out _build/html/student --executed _build/jupyter_execute
	$(MAKE) reader

# The reader test on the built book: headless Chromium (installed if missing) with MathJax 3
# served from the npm registry's `mathjax` package (installed into ~/.cache/gcbook once) in place
# of the CDN, so formulas are typeset offline; screenshots in _build/screenshots.
reader: $(STAMP)
	.ci/install_chromium
	.ci/install_mathjax
	$(PY) -m pytest tests/reader

# Lint and format check first (ruff, configured in pyproject.toml), then the tests.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MPLBACKEND=Agg $(PY) -m pytest

# With a built book (make book), the computed numbers of that build are written into the text;
# without one, each shows as [name].
student: $(STAMP)
	$(PY) -m gcbook.student --out student_edition $(if $(wildcard _build/jupyter_execute),--executed _build/jupyter_execute)

# One otter-grader assignment per chapter with auto-checked exercises, in assignments/CHAPTER/:
# student/ (the notebook to hand out, with its public tests) and autograder/ (the solved notebook
# and the autograder zip that `otter run` grades with). Executes each solved notebook once to check
# that its tests pass (see gcbook/assignments.py and the instructor guide).
assignments: $(STAMP)
	$(PY) -m gcbook.assignments --out assignments

benchmarks: $(STAMP)
	$(PY) benchmarks/granger_speed.py
	$(PY) benchmarks/notears_speed.py
	$(PY) benchmarks/neural_gc.py
	$(PY) benchmarks/window_speed.py
	$(PY) benchmarks/dwgc_tables.py
	$(PY) benchmarks/sparse_var.py
	$(PY) benchmarks/capstone.py
	$(PY) benchmarks/brains_genes.py

clean:
	rm -rf _build student_edition assignments .pytest_cache
