"""Progress for long one-shot commands: a bar on a terminal, plain lines otherwise.

    for article in progress(articles, len(articles), "replay"):
        ...

`raqib replay` shows it (`replay_progress`) once it has more than `SHOW_FROM`
articles to work through: a short replay says nothing but its results.

Progress goes to stderr, so a command's real output on stdout stays clean for
pipes and scripts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger(__name__)

T = TypeVar("T")

PLAIN_STEPS = 10
"""Without a terminal, a line at about every tenth of the way (and at the end)."""
SHOW_FROM = 200
"""A replay of more articles than this shows its progress (a few seconds or more)."""


def progress(
    items: Iterable[T], total: int | None = None, label: str = "", stream: TextIO | None = None
) -> Iterator[T]:
    """Yield `items`, showing how far along they are on `stream` (stderr)."""
    out = stream if stream is not None else sys.stderr
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if out.isatty():
        yield from _bar(items, total, label, out)
    else:
        yield from _lines(items, total, label, out)


def _bar(items: Iterable[T], total: int | None, label: str, out: TextIO) -> Iterator[T]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=out), transient=False) as bar:
        task = bar.add_task(label or "working", total=total)
        for item in items:
            yield item
            bar.advance(task)


def _lines(items: Iterable[T], total: int | None, label: str, out: TextIO) -> Iterator[T]:
    name = f"{label}: " if label else ""
    step = max(1, (total or 0) // PLAIN_STEPS) if total else 100
    done = 0
    for item in items:
        yield item
        done += 1
        if done % step == 0 and done != total:
            print(f"{name}{done}/{total if total is not None else '?'}", file=out, flush=True)
    print(f"{name}{done}/{total if total is not None else done} done", file=out, flush=True)


def replay_progress(articles: list[T]) -> Iterator[T]:
    """`raqib replay`'s articles, with progress on stderr when there are many."""
    if len(articles) <= SHOW_FROM:
        return iter(articles)
    return progress(articles, len(articles), "replay")
