"""The store commands through `bot.cli.app.main`: once, replay, totals, history."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.store import db as store
from bot.store import sources as store_sources

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
    health = store_sources.source_health(db, "local")
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
    store.open_db(tmp_path / "raqib.db").close()
    assert main(["--config", cfg, "totals", "--place", "Aleppo"]) == 0
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
    health = store_sources.source_health(db, "local")
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


# ---------------------------------------------------------------- the CLI as typed

RAQIB = Path(sys.executable).with_name("raqib")


def raqib(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `raqib` console script, run in `cwd` (where the default ./raqib.db is)."""
    return subprocess.run([str(RAQIB), *args], capture_output=True, text=True, cwd=cwd, timeout=180)


def test_config_before_or_after_the_command(tmp_path: Path, seeds_copy: Path) -> None:
    """`--config F` works on either side of the command (and of `config`'s
    action); given after it, it is the one used (no ./raqib.db appears)."""
    cfg = str(config_file(tmp_path, seeds_copy))
    here = tmp_path / "elsewhere"
    here.mkdir()
    done = raqib("once", "--config", cfg, cwd=here)
    assert done.returncode == 0, done.stderr
    assert "38,550" in done.stdout
    before = raqib("--config", cfg, "totals", "--json", cwd=here)
    after = raqib("totals", "--json", "--config", cfg, cwd=here)
    assert before.returncode == after.returncode == 0, after.stderr
    assert after.stdout == before.stdout and len(after.stdout.splitlines()) > 5
    for args in (
        ["history", "displaced", "--config", cfg],
        ["status", "--config", cfg],
        ["config", "show", "--config", cfg],
        ["replay", str(seeds_copy), "--config", cfg],
    ):
        done = raqib(*args, cwd=here)
        assert done.returncode == 0, (args, done.stderr)
        assert "38,550" in done.stdout or "local" in done.stdout, args
    assert list(here.iterdir()) == []  # the default ./raqib.db was never opened


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(bytes(range(256)) * 8, "a binary file, not text", id="binary"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 4, "not text", id="binary-no-nul"
        ),
        pytest.param("نزح 1500 شخص\n".encode("utf-16"), "UTF-16 text", id="utf-16-bom"),
        pytest.param("نزح 1500 شخص\n".encode("utf-16-le"), "UTF-16LE text", id="utf-16le"),
        pytest.param("نزح 1500 شخص\n".encode("utf-16-be"), "UTF-16BE text", id="utf-16be"),
        pytest.param("نزح 1500 شخص\n".encode("utf-32"), "UTF-32 text", id="utf-32-bom"),
    ],
)
def test_extract_says_what_a_file_that_is_not_text_is(
    tmp_path: Path, seeds_dir: Path, data: bytes, message: str
) -> None:
    """Exit 1 and the file named with what it is, not "0 figure(s)"; the good
    file beside it is still read."""
    bad = tmp_path / "article.txt"
    bad.write_bytes(data)
    good = sorted(seeds_dir.glob("*.txt"))[0]
    done = raqib("extract", str(bad), str(good), cwd=tmp_path)
    assert done.returncode == 1
    assert f"raqib extract: {bad}: " in done.stderr and message in done.stderr
    assert "0 figure(s)" not in done.stdout
    assert f"== {good}: " in done.stdout
    as_json = raqib("extract", "--json", str(bad), cwd=tmp_path)
    assert as_json.returncode == 1
    line = json.loads(as_json.stdout)
    assert line["figures"] == [] and message in line["error"]


def test_extract_still_reads_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.txt"
    path.write_bytes("نزح أكثر من 1500 شخص".encode("cp1256"))
    done = raqib("extract", "--json", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["figures"][0]["value"] == 1500


@pytest.mark.parametrize("content", ["empty", "not-articles", "empty-feed"])
def test_replay_of_nothing_is_an_error(tmp_path: Path, content: str) -> None:
    target = tmp_path / "articles"
    target.mkdir()
    if content == "not-articles":
        (target / "notes.md").write_text("# نزح 1500 شخص", encoding="utf-8")
        (target / "blank.txt").write_text("  \n", encoding="utf-8")
    if content == "empty-feed":
        target = tmp_path / "feed.xml"
        target.write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
            encoding="utf-8",
        )
    done = raqib("replay", str(target), cwd=tmp_path)
    assert done.returncode == 1
    assert f"raqib replay: {target}: " in done.stderr and "nothing to replay" in done.stderr
    assert "0 article(s)" not in done.stdout


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("Deir ez Zorr", "deir-ez-zor (Deir ez-Zor, دير الزور)"),
        ("Aleppoo", "aleppo (Aleppo, حلب)"),
        ("دير الزو", "deir-ez-zor"),
    ],
    ids=["english-typo", "english-extra-letter", "arabic-cut-short"],
)
@pytest.mark.parametrize(
    "command", [["totals"], ["history", "displaced"], ["chart", "displaced"]], ids=" ".join
)
def test_an_unknown_place_names_the_closest(
    tmp_path: Path, seeds_copy: Path, command: list[str], typed: str, closest: str
) -> None:
    cfg = str(config_file(tmp_path, seeds_copy))
    done = raqib("--config", cfg, *command, "--place", typed, cwd=tmp_path)
    assert done.returncode == 2  # before the database is looked at (there is none)
    assert f"unknown place {typed!r}; closest: " in done.stderr and closest in done.stderr
    assert done.stdout == ""


def test_a_place_by_name_is_its_id(tmp_path: Path, seeds_copy: Path) -> None:
    cfg = str(config_file(tmp_path, seeds_copy))
    assert raqib("--config", cfg, "once", cwd=tmp_path).returncode == 0
    by_id = raqib("--config", cfg, "totals", "--json", "--place", "deir-ez-zor", cwd=tmp_path)
    by_name = raqib("--config", cfg, "totals", "--json", "--place", "دير الزور", cwd=tmp_path)
    assert by_id.returncode == by_name.returncode == 0
    assert by_id.stdout == by_name.stdout and by_id.stdout.count("\n") > 5


@pytest.mark.parametrize(
    "command", [["totals"], ["history", "displaced"], ["chart", "displaced"]], ids=" ".join
)
def test_read_only_commands_without_a_database_say_so(tmp_path: Path, command: list[str]) -> None:
    """With the embedded default (./raqib.db) in an empty directory: exit 1,
    and no empty database left behind."""
    done = raqib(*command, cwd=tmp_path)
    assert done.returncode == 1
    assert "no database at raqib.db" in done.stderr and "raqib once" in done.stderr
    assert list(tmp_path.iterdir()) == []
    cfg = config_file(tmp_path, tmp_path)
    done = raqib(*command, "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 1
    assert f"no database at {tmp_path / 'raqib.db'} (storage.database in {cfg})" in done.stderr
    assert not (tmp_path / "raqib.db").exists()


def test_a_files_source_reads_every_file(tmp_path: Path) -> None:
    """Sixty articles in a folder (more than max_articles, 50): one poll stores them all."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(60):
        (folder / f"{i:03}.txt").write_text(
            f"نزوح {1000 + i} شخص من القرية رقم {i} خلال يومين\n", encoding="utf-8"
        )
    cfg = config_file(tmp_path, folder)
    done = raqib("--config", str(cfg), "once", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    db = store.open_db(tmp_path / "raqib.db")
    assert db.table("articles").count == 60
    assert db.execute("select count(*) from observations").fetchone()[0] >= 60


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
    from bot.cli.app import format_value

    assert format_value(value, qualifier, vague, unit) == expected
