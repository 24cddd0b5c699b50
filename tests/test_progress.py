"""Progress: every item passes through; a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.cli.progress import PLAIN_STEPS, SHOW_FROM, progress


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


def _articles(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        text = f"نزوح في دير الزور\n\nنزح {100 + i} شخص من البلدة خلال يومين.\n"
        (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def test_a_long_replay_shows_its_progress_on_stderr_and_keeps_stdout_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count = SHOW_FROM + 1
    folder = _articles(tmp_path / "many", count)
    assert main(["replay", str(folder), "--db", str(tmp_path / "r.db")]) == 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[-1] == f"replay: {count}/{count} done"
    assert len(lines) == PLAIN_STEPS + 1  # a line every tenth of the way, then the last
    assert "replay:" not in out and out.splitlines()[-1].startswith(f"-- {count} article(s)")


def test_a_short_replay_says_nothing_but_its_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _articles(tmp_path / "few", 3)
    assert main(["replay", str(folder), "--db", str(tmp_path / "r.db")]) == 0
    out, err = capsys.readouterr()
    assert "replay:" not in err
    assert out.splitlines()[-1].startswith("-- 3 article(s)")
