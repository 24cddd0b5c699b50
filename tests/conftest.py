"""Shared fixtures: paths to the project's own data; nothing from outside the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# PTB 22 reports RetryAfter.retry_after as a timedelta when this is set, and
# warns otherwise; bot.delivery.pacing.seconds() accepts both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    """The seed articles shipped in the repo."""
    return SEEDS


def pytest_report_header() -> str:
    """Which build of the figure engine the tests run (`make test`: compiled)."""
    import figures

    if figures.COMPILED:
        return "figures: compiled (mypyc, figures/_mypyc)"
    why = (
        f": the compiled build does not run ({figures.BUILD_ERROR})" if figures.BUILD_ERROR else ""
    )
    return f"figures: pure Python{why}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test old compiled code in this checkout: a module of the old
    layout beside its source, or a build older than its sources (an edit
    made after `make compile`).  The package itself never looks at file
    times (an installed one has no stale build); this is the developer's
    checkout, where `make test` rebuilds first."""
    import figures

    beside = [p.name for p in (ROOT / "figures").glob("*.so")]
    if beside:  # the layout before figures/_mypyc: they shadow the sources
        pytest.exit(
            f"figures/{beside[0]}: a compiled module beside its source runs instead of it; "
            "`make compile` (or `make test`) rebuilds into figures/_mypyc, `make pure` drops it.",
            returncode=2,
        )
    if not figures.COMPILED:
        return
    build = ROOT / "figures" / "_mypyc"
    built = min(p.stat().st_mtime for p in build.iterdir())
    sources = [p for p in (ROOT / "figures").glob("*.py") if p.name != "__init__.py"]
    newer = [p.name for p in sources if p.stat().st_mtime > built]
    if newer:
        pytest.exit(
            f"figures/_mypyc is older than {', '.join(sorted(newer))}: the tests would run "
            "the old build. `make compile` (or `make test`) rebuilds it; `make pure` drops it.",
            returncode=2,
        )
