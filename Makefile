# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The figure engine's modules, compiled once with mypyc by setup.py into
# figures/_mypyc/ (and again when a source changes); figures/__init__.py runs
# that build when all of it imports, else the sources.  The editable install
# does not compile (RAQIB_COMPILE=0): this target is the one place that does.
ENGINE := $(filter-out figures/__init__.py,$(wildcard figures/*.py))
COMPILED := $(VENV)/.figures-compiled

.PHONY: run test lint bench score clean compile pure

$(BIN)/raqib: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	RAQIB_COMPILE=0 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# the old build goes first (build_ext would otherwise copy an older build of a
# module that failed to compile, or whose C code did not change, in place);
# figures/*.so are builds of the layout before figures/_mypyc/
$(COMPILED): $(BIN)/raqib $(ENGINE) setup.py
	rm -rf build figures/_mypyc figures/*.so
	$(BIN)/python setup.py --quiet build_ext --inplace
	touch $@

compile: $(COMPILED)

pure:
	rm -rf build figures/_mypyc figures/*.so $(COMPILED)

run: $(COMPILED)
	$(BIN)/raqib run

lint: $(BIN)/raqib
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint $(COMPILED)
	$(BIN)/pytest

bench: $(COMPILED)
	$(BIN)/python bench/extract.py

clean:
	rm -rf $(VENV) build *.egg-info figures/_mypyc figures/*.so
