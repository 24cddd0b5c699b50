"""Start-up: each `raqib` command imports only what it needs (issue 17).

The real `raqib` console script runs in a fresh interpreter, which writes the
names in `sys.modules` to a file as it exits (the import log of `-X
importtime` misses modules loaded by `importlib.import_module`, which is how
a source kind or a command's module is loaded).  The layers the
imports follow (figures <- scrapers <- bot) are checked by `lint-imports`
(`make lint`); the command table and the registries of source kinds and chat
transports are checked here and in tests/test_sources.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import app as cli
from bot.delivery.loop import TRANSPORTS, transport_kind

RAQIB = Path(sys.executable).with_name("raqib")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CHAT = ("telegram", "slack_sdk", "aiohttp", "bot.telegram", "bot.slack")
RUN = """
import atexit, runpy, sys
out = sys.argv[1]
def dump():
    with open(out, "w", encoding="utf-8") as f:
        f.write("\\n".join(sorted(sys.modules)))
atexit.register(dump)
script, sys.argv = sys.argv[2], sys.argv[2:]
runpy.run_path(script, run_name="__main__")
"""


def imported(args: list[str], cwd: Path) -> set[str]:
    """The modules `raqib ARGS` imported, in its own process (it must exit 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_")}  # no chat token
    names = cwd / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(names), str(RAQIB), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(names.read_text(encoding="utf-8").split("\n"))
    assert "bot.cli.app" in modules  # the list was written
    return modules


def loaded(modules: set[str], *names: str) -> list[str]:
    """Those of `names` (or their submodules) among `modules`."""
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def test_help_imports_no_transport_source_or_engine(tmp_path: Path) -> None:
    modules = imported(["--help"], tmp_path)
    heavy = (*CHAT, "apscheduler", "feedparser", "bs4", "figures.extract", "sqlite_utils")
    assert loaded(modules, *heavy, "httpx", "bot.service", "bot.store") == []
    assert "figures" not in modules  # a compiled engine is imported whole: not for --help


def test_extract_imports_the_engine_and_no_store_or_service(tmp_path: Path) -> None:
    article = next(SEEDS.glob("*.txt"))
    modules = imported(["extract", str(article)], tmp_path)
    assert "figures.extract" in modules
    assert loaded(modules, *CHAT, "apscheduler", "sqlite_utils", "bot.service") == []


def test_once_without_a_chat_transport_imports_none(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("نزح أكثر من 11500 شخص", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f"[storage]\ndatabase = '{tmp_path / 'raqib.db'}'\n"
        f"[[sources]]\nname = 'local'\nkind = 'files'\npath = '{tmp_path / 'articles'}'\n",
        encoding="utf-8",
    )
    modules = imported(["--config", str(config), "once"], tmp_path)
    assert "scrapers.files" in modules and "figures.extract" in modules
    assert loaded(modules, *CHAT, "apscheduler", "bot.service", "bot.chat") == []


def test_totals_reads_the_store_and_nothing_of_polling_or_chat(tmp_path: Path) -> None:
    """Even with a digest configured (its schedule is validated at load by the
    config itself, not by the digest's renderer)."""
    from bot.store.db import open_db

    open_db(tmp_path / "raqib.db").close()
    config = tmp_path / "config.toml"
    config.write_text(
        f"[storage]\ndatabase = '{tmp_path / 'raqib.db'}'\n[alerts]\ndigest = 'daily 08:00'\n",
        encoding="utf-8",
    )
    modules = imported(["--config", str(config), "totals"], tmp_path)
    assert "bot.store.db" in modules
    unwanted = (
        *CHAT,
        "apscheduler",
        "httpx",
        "bs4",
        "feedparser",
        "bot.delivery.digest",
        "bot.render.charts",
        "bot.render.series",
        "bot.cli.chart",
    )
    # a compiled engine is imported whole (figures/__init__: all or none), so
    # the extractor's absence is the sources' property
    engine = () if "figures._native__mypyc" in modules else ("figures.extract",)
    ingest = ("bot.ingest.pipeline", "bot.ingest.poll")
    assert loaded(modules, *unwanted, *engine, *ingest, "scrapers.http") == []


def test_a_series_from_history_needs_no_matplotlib() -> None:
    """`bot.render.series` (history rows → a series) is pure data: the chat's
    `/history` and any caller can build a series without the drawing stack."""
    script = "import sys, bot.render.series; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    modules = set(done.stdout.split("\n"))
    assert "bot.render.series" in modules
    assert loaded(modules, "matplotlib", "bot.render.charts", "bot.cli") == []


def test_every_command_of_the_table_builds_and_helps(capsys: pytest.CaptureFixture[str]) -> None:
    for name, command in cli.COMMANDS.items():
        with pytest.raises(SystemExit) as exit_:
            cli.main([name, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: raqib {name}") and command.help in out
    full = cli.build_parser()  # every command filled in at once
    assert full.parse_args(["totals", "--json"]).func is cli.cmd_totals


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["totals"], "totals"),
        (["--config", "x.toml", "totals", "--json"], "totals"),
        (["--config=x.toml", "history", "killed"], "history"),
        (["--conf", "x.toml", "once"], "once"),
        (["run", "--config", "x.toml"], "run"),
        (["--help"], None),
        ([], None),
    ],
    ids=["bare", "config-before", "config-equals", "config-prefix", "config-after", "help", "none"],
)
def test_the_command_is_found_before_parsing(argv: list[str], command: str | None) -> None:
    assert cli.command_in(argv) == command


def test_an_unknown_command_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["totls"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'totls'" in err and "'totals'" in err


def test_the_transport_table_names_each_transport_once() -> None:
    assert set(TRANSPORTS) == {"telegram", "slack"}
    with pytest.raises(KeyError, match=r"no chat transport 'irc' \(known: slack, telegram\)"):
        transport_kind("irc")
    for name, kind in TRANSPORTS.items():
        factory = kind.load()
        assert factory.__name__ == f"{name}_transport"
        assert factory.__module__ == f"bot.{name}.transport"  # beside the bot it runs


def test_the_engine_package_loads_its_names_on_first_use() -> None:
    """`import figures` loads no module of the engine (here, from its sources);
    `figures.extract` is the function, before and after its module is imported."""
    code = (
        "import sys, figures, figures.diff\n"
        "assert 'figures.extract' not in sys.modules, sorted(sys.modules)\n"
        "assert 'figures.numbers' not in sys.modules, sorted(sys.modules)\n"
        "import figures.extract\n"
        "from figures import Metric, extract\n"
        "assert callable(figures.extract) and figures.extract is extract\n"
        "assert extract('نزح أكثر من 11500 شخص')[0].metric is Metric.DISPLACED\n"
        "assert sys.modules['figures.extract'].extract is extract\n"
    )
    env = {**os.environ, "RAQIB_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
