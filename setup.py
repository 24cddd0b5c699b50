"""Compiles the figure engine (`figures/`) with mypyc where it can.

Everything else about the package is declared in pyproject.toml.  The engine
is plain, strictly typed Python; mypyc turns its modules into C extensions
that run the same code faster (README: the compiled engine).  The build goes
to `figures/_mypyc/`, and `figures/__init__.py` runs it when all of it is
there and imports; where a C compiler or the Python headers are missing, or
the build fails, the package installs without it and `figures` runs as pure
Python.  RAQIB_COMPILE=0 skips compiling on purpose.
"""

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

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

        # the shared library is figures._native__mypyc
        extensions = mypycify(COMPILED, opt_level="3", group_name="figures._native")
    except (Exception, SystemExit) as e:  # no mypy, or it rejects the code
        print(f"raqib: not compiling figures/ ({e!r}); it runs as pure Python", file=sys.stderr)
        return []
    for ext in extensions:
        # Each extension is still the module `figures.X` (its init function
        # keeps the name), but its file goes to figures/_mypyc/, which
        # figures/__init__.py puts first on the package's path only when the
        # whole build imports: the sources are never shadowed by a build that
        # does not run.
        package, _, module = ext.name.rpartition(".")
        assert package == "figures", ext.name
        ext.name = f"figures._mypyc.{module}"
        ext.optional = True  # no C compiler: a warning, and the pure-Python modules
    return extensions


class BuildExt(build_ext):
    """build_ext that can copy the build into a fresh figures/_mypyc/
    (`--inplace` and editable installs do: setuptools does not make the folder)."""

    def copy_extensions_to_source(self) -> None:
        (HERE / "figures" / "_mypyc").mkdir(exist_ok=True)
        super().copy_extensions_to_source()


setup(ext_modules=ext_modules(), cmdclass={"build_ext": BuildExt})
