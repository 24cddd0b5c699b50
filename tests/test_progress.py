"""Progress: every item passes through; a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

import pytest

from bot.progress import progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("count", "lines"),
    [(0, 1), (5, 5), (100, 10), (1000, 10)],
    ids=["empty", "few", "hundred", "thousand"],
)
def test_plain_lines_when_not_a_terminal(count: int, lines: int) -> None:
    out = io.StringIO()
    items = list(range(count))
    assert list(progress(items, label="replay", stream=out)) == items
    text = out.getvalue().splitlines()
    assert len(text) == lines
    assert text[-1] == f"replay: {count}/{count} done"


def test_unknown_total_from_a_generator() -> None:
    out = io.StringIO()
    assert sum(progress((i for i in range(250)), label="poll", stream=out)) == sum(range(250))
    assert out.getvalue().splitlines() == ["poll: 100/?", "poll: 200/?", "poll: 250/250 done"]


def test_bar_on_a_terminal() -> None:
    out = FakeTerminal()
    items = ["a", "b", "c"]
    assert list(progress(items, label="replay", stream=out)) == items
    assert "replay" in out.getvalue()
    assert "3/3" in out.getvalue()
