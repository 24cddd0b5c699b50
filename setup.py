"""Compiles the figure engine (`figures/`) with mypyc where it can.

Everything else about the package is declared in pyproject.toml.  The engine
is plain, strictly typed Python; mypyc turns its modules into C extensions
that run the same code about 1.8x as fast.  Compiling needs a C compiler and
the Python headers: where they are missing, or the build fails, the package
installs without the extensions and `figures` runs as pure Python (as it
does when a compiled module is older than its source: see
figures/__init__.py).  RAQIB_COMPILE=0 skips compiling on purpose.
"""

import os
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent

# every module of figures/ but the package's __init__, which stays Python so
# that it can choose between the compiled modules and their sources
COMPILED = sorted(
    str(p.relative_to(HERE)) for p in (HERE / "figures").glob("*.py") if p.name != "__init__.py"
)


def ext_modules() -> list:
    if os.environ.get("RAQIB_COMPILE", "1") == "0":
        return []
    try:
        from mypyc.build import mypycify

        # the shared library lives inside the package: figures/_native__mypyc
        extensions = mypycify(COMPILED, opt_level="3", group_name="figures._native")
    except (Exception, SystemExit) as e:  # no mypy, or it rejects the code
        print(f"raqib: not compiling figures/ ({e!r}); it runs as pure Python", file=sys.stderr)
        return []
    for ext in extensions:
        ext.optional = True  # no C compiler: a warning, and the pure-Python modules
    return extensions


setup(ext_modules=ext_modules())
