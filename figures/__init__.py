"""The figure engine: Arabic numerals, the metric lexicon, extraction and the
diff rules.  Pure: no I/O of any kind, but for the look at import at which
build of its modules to run.

Its modules may be compiled with mypyc (setup.py; `make compile`).  The
compiled modules are used only when every one of them is there and none is
older than its source, and RAQIB_PURE is not set; otherwise the package runs
from its sources, so that an edited module always runs as written (the
compiled modules call each other directly, so it is all or none)."""

from __future__ import annotations

import os
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from importlib.util import spec_from_file_location
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_SOURCES = {p.stem: p for p in _HERE.glob("*.py") if p.name != "__init__.py"}


def _extension(name: str) -> Path | None:
    """The compiled module `name` beside its source, if built."""
    for suffix in EXTENSION_SUFFIXES:
        path = _HERE / (name + suffix)
        if path.exists():
            return path
    return None


_SHARED = "_native__mypyc"
"""The compiled modules' shared library (setup.py's group name + `__mypyc`)."""


def _compiled_state() -> str:
    """'compiled', 'absent' (no compiled module), 'stale' or 'partial'."""
    built = {name: ext for name in _SOURCES if (ext := _extension(name)) is not None}
    shared = _extension(_SHARED)
    if not built and shared is None:
        return "absent"
    if len(built) < len(_SOURCES) or shared is None:
        return "partial"
    oldest = min(ext.stat().st_mtime for ext in [*built.values(), shared])
    if any(source.stat().st_mtime > oldest for source in _SOURCES.values()):
        return "stale"
    return "compiled"


class _SourceFinder:
    """Finds `figures.<module>` in its source file, before the import system
    would find a compiled module beside it."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        source = _SOURCES.get(name) if package == __name__ else None
        if source is None:
            return None
        return spec_from_file_location(fullname, source)


_state = _compiled_state()
COMPILED = _state == "compiled" and not os.environ.get("RAQIB_PURE")
"""Whether the figure engine runs compiled (mypyc) rather than from its sources."""
if not COMPILED:
    if _state in ("stale", "partial"):
        why = "older than their sources" if _state == "stale" else "not all built"
        warnings.warn(
            f"figures: the compiled modules are {_state} ({why}); running from the "
            "sources. Run `make compile` to rebuild them.",
            RuntimeWarning,
            stacklevel=2,
        )
    if _state != "absent":
        sys.meta_path.insert(0, _SourceFinder())

from figures.extract import extract  # noqa: E402
from figures.model import Figure, Metric, Qualifier, Scope, Unit  # noqa: E402
from figures.numbers import NumberMatch, parse_number, scan_numbers  # noqa: E402

__all__ = [
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
