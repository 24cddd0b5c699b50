"""The store commands through `bot.cli.main`: once, replay, totals, history."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import store
from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def config_file(tmp_path: Path, articles: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\ndatabase = "{tmp_path / "raqib.db"}"\n\n'
        f'[[sources]]\nname = "local"\nkind = "files"\npath = "{articles}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(ROOT / "seeds", target)
    return target


def test_replay_prints_one_line_per_alert_and_a_summary(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config_file(tmp_path, seeds_copy)
    assert (
        main(["--config", str(cfg), "replay", str(seeds_copy), "--db", str(tmp_path / "r.db")]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("-- 5 article(s), ")
    db = store.open_db(tmp_path / "r.db")
    alerts = db.execute("select count(*) from changes where alert = 1").fetchone()[0]
    assert len(lines) - 1 == alerts
    assert db.table("articles").count == 5
    published = [r[0] for r in db.execute("select published from articles order by id")]
    assert published == sorted(published)  # fed in publication order


def test_replay_json_matches_the_database(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config_file(tmp_path, seeds_copy)
    args = ["--config", str(cfg), "replay", str(seeds_copy), "--json", "--all"]
    assert main([*args, "--db", str(tmp_path / "r.db")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    db = store.open_db(tmp_path / "r.db")
    assert [r["id"] for r in rows] == [
        r["id"] for r in db.query("select id from changes order by id")
    ]
    for r in rows:
        assert r["kind"] in {"new", "increase", "decrease", "conflict", "event"}
        assert r["figure"]["quote"]


def test_replay_into_a_temp_database_leaves_nothing_behind(
    tmp_path: Path,
    seeds_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = config_file(tmp_path, seeds_copy)
    assert main(["--config", str(cfg), "replay", str(seeds_copy)]) == 0
    assert not (tmp_path / "raqib.db").exists()
    assert "5 article(s)" in capsys.readouterr().out


def test_once_then_totals_and_history(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(config_file(tmp_path, seeds_copy))
    assert main(["--config", cfg, "once", "--json", "--all"]) == 0
    changes = capsys.readouterr().out.splitlines()
    db = store.open_db(tmp_path / "raqib.db")
    assert len(changes) == db.table("changes").count
    health = store.source_health(db, "local")
    assert health.last_success is not None and health.consecutive_failures == 0

    assert main(["--config", cfg, "once"]) == 0  # not due again for an hour
    assert capsys.readouterr().out.strip() == "no source is due"

    assert main(["--config", cfg, "totals", "--json"]) == 0
    totals = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(totals) == db.table("state").count
    assert all(isinstance(t["sources"], list) and t["sources"] for t in totals)

    assert main(["--config", cfg, "totals"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(totals)

    assert main(["--config", cfg, "history", "displaced"]) == 0
    lines = capsys.readouterr().out.splitlines()
    count = db.execute("select count(*) from observations where metric = 'displaced'").fetchone()[0]
    assert len(lines) == count


def test_totals_on_an_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(config_file(tmp_path, tmp_path))
    assert main(["--config", cfg, "totals", "--place", "nowhere"]) == 0
    assert capsys.readouterr().out.strip() == "no figures yet"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["history", "refugees"], 2, "unknown metric"),
        (["replay", "/no/such/dir"], 2, "no such file"),
    ],
    ids=["unknown-metric", "missing-replay-path"],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    cfg = str(config_file(tmp_path, tmp_path))
    assert main(["--config", cfg, *argv]) == code
    assert message in capsys.readouterr().err


def test_once_reports_a_failing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(config_file(tmp_path, tmp_path / "missing"))
    assert main(["--config", cfg, "once"]) == 1
    assert "source local" in capsys.readouterr().err
    db = store.open_db(tmp_path / "raqib.db")
    health = store.source_health(db, "local")
    assert health.consecutive_failures == 1 and health.last_error


def test_a_closed_pipe_is_quiet(seeds_dir: Path) -> None:
    """`raqib extract … | head -1`: no traceback when the reader goes away."""
    raqib = Path(sys.executable).with_name("raqib")
    files = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    proc = subprocess.run(
        f"'{raqib}' extract {' '.join(files)} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.startswith("== ")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@pytest.mark.parametrize(
    ("value", "qualifier", "vague", "unit", "expected"),
    [
        (1000, "exact", 1, "person", "thousands (1,000+)"),
        (100, "exact", True, "km2", "100+ km²"),
        (38000, "more_than", 0, "person", "more than 38,000"),
    ],
    ids=["vague-word", "vague-area", "hedged"],
)
def test_the_cli_writes_values_as_the_alerts_do(
    value: float, qualifier: str, vague: int, unit: str, expected: str
) -> None:
    # before, the CLI had its own copy: `1000 (a quantity word)`, `38000`
    from bot.cli import format_value

    assert format_value(value, qualifier, vague, unit) == expected
