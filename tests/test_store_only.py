"""All SQL lives in the store modules: no other module of the package runs a
statement (sqlite3's or sqlite-utils' `execute`, `query`, `table(...)`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "scrapers", "figures")
STORE_MODULES = {
    "bot/store/db.py",
    "bot/store/figures.py",
    "bot/store/sources.py",
    "bot/store/schema.py",
    "bot/store/outbox.py",
    "bot/store/admin.py",
}
SQL_CALLS = {"execute", "executemany", "executescript", "query", "table", "set_trace_callback"}


def modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def sql_calls(path: Path) -> list[str]:
    """`line: name` of every call of a method named like a database call."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.lineno}: .{node.func.attr}(…)"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
    ]


def test_the_walk_finds_the_package_and_the_store() -> None:
    found = {p.relative_to(ROOT).as_posix() for p in modules()}
    assert found >= STORE_MODULES and "bot/ingest/pipeline.py" in found and len(found) > 40
    # the check can fail: the store itself is full of such calls
    assert sum(len(sql_calls(ROOT / m)) for m in STORE_MODULES) > 20


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p.relative_to(ROOT).as_posix() not in STORE_MODULES],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_no_module_but_the_store_runs_sql(path: Path) -> None:
    assert sql_calls(path) == []
