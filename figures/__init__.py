"""The figure engine: Arabic numerals, the metric lexicon, extraction and the
diff rules.  Pure: no I/O of any kind, but for the look at import at which
build of its modules to run.

Its modules may be compiled with mypyc (setup.py): the build lives in
`figures/_mypyc/`, one extension module per source module plus the shared
library they all call into.  The package runs that build when every module of
it is there and it imports; otherwise (no C compiler at install time,
`RAQIB_COMPILE=0`, a build for another Python, a broken or partial build) it
runs from its sources, as it does when `RAQIB_PURE` is set.  The compiled
modules call each other directly, so it is all or none: a module is never run
compiled beside another run from its source.

Importing the package imports none of the engine's sources: its names
(`extract`, `Figure`, `parse_number`…) load their module on first use, so
that `raqib --help` or the store's use of `figures.diff` do not pay for the
extractor.  The compiled build, when there is one, is still imported whole
here: that import is what decides which build runs, all or none."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

_HERE = Path(__file__).resolve().parent
_BUILD = _HERE / "_mypyc"
"""Where setup.py puts the compiled modules (extension `figures.X` for figures/X.py)."""
_SHARED = "_native__mypyc"
"""The compiled modules' shared library (setup.py's group name + `__mypyc`)."""


def _load_build() -> str | None:
    """Import every compiled module from `_BUILD`: None when that worked, else
    why not (and then nothing of the build stays imported)."""
    modules = sorted(p.stem for p in _HERE.glob("*.py") if p.name != "__init__.py")
    names = [f"{__name__}.{name}" for name in [_SHARED, *modules]]
    __path__.insert(0, str(_BUILD))  # the build's modules come before the sources
    try:
        specs = {name: importlib.util.find_spec(name) for name in names}
        missing = [
            n
            for n, s in specs.items()
            if s is None or s.origin is None or Path(s.origin).parent != _BUILD
        ]
        if not missing:
            for name in names:
                importlib.import_module(name)
            return None
        error = f"not built: {', '.join(missing)}"
    except Exception as exc:  # a broken build: its modules fail to import
        error = f"{type(exc).__name__}: {exc}"
    __path__.remove(str(_BUILD))
    for name in names:
        sys.modules.pop(name, None)
        globals().pop(name.rpartition(".")[2], None)
    return error


_WANTED = _BUILD.is_dir() and not os.environ.get("RAQIB_PURE")
BUILD_ERROR = _load_build() if _WANTED else None
"""Why the compiled build in figures/_mypyc is not run, when there is one to run."""
COMPILED = _WANTED and BUILD_ERROR is None
"""Whether the figure engine runs compiled (mypyc) rather than from its sources."""

_LAZY = {
    "Figure": "model",
    "Metric": "model",
    "Qualifier": "model",
    "Scope": "model",
    "Unit": "model",
    "NumberMatch": "numbers",
    "parse_number": "numbers",
    "scan_numbers": "numbers",
}
"""Names of the package -> the module (of this package) that defines them."""

if TYPE_CHECKING:
    from figures.extract import extract
    from figures.model import Figure, Metric, Qualifier, Scope, Unit
    from figures.numbers import NumberMatch, parse_number, scan_numbers


def __getattr__(name: str) -> Any:
    """A name of the package, its module imported on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The package's module type: `figures.extract` is the function, whether or
    not the module of the same name was imported (the import system records a
    submodule on its package as an attribute; this one keeps the function)."""

    @property
    def extract(self) -> Any:
        from figures.extract import extract

        return extract

    @extract.setter
    def extract(self, module: types.ModuleType) -> None:
        """The submodule `figures.extract` is reached by `from figures.extract import …`."""


sys.modules[__name__].__class__ = _Package

__all__ = [
    "BUILD_ERROR",
    "COMPILED",
    "Figure",
    "Metric",
    "NumberMatch",
    "Qualifier",
    "Scope",
    "Unit",
    "extract",
    "parse_number",
    "scan_numbers",
]
