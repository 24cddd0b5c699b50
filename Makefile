# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The figure engine's modules, compiled with mypyc by setup.py (the install
# compiles them; `compile` again whenever one changed).  Without a C compiler
# figures/ runs as pure Python.
ENGINE := $(filter-out figures/__init__.py,$(wildcard figures/*.py))
COMPILED := $(VENV)/.figures-compiled

.PHONY: run test lint bench score clean compile pure

$(BIN)/raqib: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ && touch $(COMPILED)

# the old build goes first (build_ext would otherwise copy an older build of a
# module that failed to compile, or whose C code did not change, in place)
$(COMPILED): $(BIN)/raqib $(ENGINE)
	rm -rf build figures/*.so
	$(BIN)/python setup.py --quiet build_ext --inplace
	touch $@

compile: $(COMPILED)

pure:
	rm -rf build figures/*.so $(COMPILED)

run: $(COMPILED)
	$(BIN)/raqib run

lint: $(BIN)/raqib
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(COMPILED)
	$(BIN)/pytest

bench: $(COMPILED)
	$(BIN)/python bench/extract.py

clean:
	rm -rf $(VENV) build *.egg-info figures/*.so
