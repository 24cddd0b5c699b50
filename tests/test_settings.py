"""Admin edits: validated by the config schema, stored in SQLite, audited, shown with provenance."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from bot.cli.config import cmd_config
from bot.config.schema import ConfigError, load_config
from bot.config.settings import (
    Editor,
    Origin,
    add_source,
    effective_config,
    parse_value,
    remove_source,
    set_paused,
    set_setting,
    settings_report,
    unset_setting,
)
from bot.store.db import open_db

CONFIG = """
[storage]
database = "{db}"

[[sources]]
name = "seeds"
kind = "files"
path = "{seeds}"
interval = "1h"

[alerts]
alert_new = false

[telegram]
token_env = "TEST_RAQIB_TG_TOKEN"
"""


@pytest.fixture
def config_path(tmp_path: Path, seeds_dir: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(db=tmp_path / "raqib.db", seeds=seeds_dir), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_db(tmp_path / "raqib.db")


def audit(db: Database) -> list[dict[str, Any]]:
    return list(db.query("select actor, transport, action, detail from audit_log order by id"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500", 500),
        ("0.05", 0.05),
        ("true", True),
        ('"2d"', "2d"),
        ("2d", "2d"),
        ("DEBUG", "DEBUG"),
        ("[1, 2]", [1, 2]),
        ("https://example.org/feed", "https://example.org/feed"),
    ],
    ids=["int", "float", "bool", "quoted", "bare-duration", "bare-word", "list", "url"],
)
def test_parse_value(text: str, value: object) -> None:
    assert parse_value(text) == value


@pytest.mark.parametrize(
    ("key", "text", "read"),
    [
        ("alerts.event_dedupe", "2d", lambda c: c.alerts.event_dedupe == 2 * 86400),
        (
            "alerts.thresholds.displaced.absolute",
            "500",
            lambda c: c.alerts.threshold("displaced").absolute == 500,
        ),
        ("alerts.alert_conflicts", "true", lambda c: c.alerts.alert_conflicts is True),
        ("sources.seeds.interval", "30m", lambda c: c.source("seeds").interval == 1800),
        ("logging.level", "DEBUG", lambda c: c.logging.level == "DEBUG"),
        ("service.shutdown_grace", "30s", lambda c: c.service.shutdown_grace == 30),
    ],
    ids=["duration", "threshold", "bool", "source-interval", "log-level", "service-grace"],
)
def test_accepted_edit_is_stored_audited_and_applied(
    config_path: Path, db: Database, key: str, text: str, read: Any
) -> None:
    config = load_config(config_path)
    assert not read(config)
    effective = set_setting(db, config, key, text, by=Editor("telegram:42", "telegram"))
    assert read(effective)
    assert read(effective_config(config, db))  # from the database, as a restart would see it
    [entry] = audit(db)
    assert entry["actor"] == "telegram:42"
    assert entry["action"] == "config.set"
    assert json.loads(entry["detail"])["key"] == key


@pytest.mark.parametrize(
    ("key", "text", "words"),
    [
        ("alerts.nope", "1", "unknown key"),
        ("alerts.alert_new", "maybe", "true or false"),
        ("sources.seeds.interval", "soon", "duration"),
        ("sources.seeds.interval", "-5", "positive"),
        ("sources.ghost.interval", "1h", "no such source"),
        ("sources.seeds.path", "/etc", "fixed when the source is created"),
        ("network.allow_private_networks", "true", "not a key an admin can set"),
        ("storage.database", "other.db", "not a key an admin can set"),
        ("telegram.admins", "[1]", "not a key an admin can set"),
        ("alerts.thresholds.happiness.absolute", "1", "METRIC one of"),
        ("logging.level", "LOUD", "expected DEBUG"),
        ("alerts", "1", "not a key an admin can set"),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "bad-interval",
        "negative-interval",
        "unknown-source",
        "locked-source-field",
        "ssrf-guard-locked",
        "storage-locked",
        "telegram-locked",
        "unknown-metric",
        "bad-level",
        "a-whole-table",
    ],
)
def test_refused_edit_gives_the_reason_and_changes_nothing(
    config_path: Path, db: Database, key: str, text: str, words: str
) -> None:
    config = load_config(config_path)
    with pytest.raises(ConfigError) as info:
        set_setting(db, config, key, text, by=Editor("telegram:42"))
    assert words in str(info.value)
    assert db.table("settings").count == 0
    assert audit(db) == []
    assert effective_config(config, db) == config


def test_unset_brings_back_the_file_value(config_path: Path, db: Database) -> None:
    config = load_config(config_path)
    set_setting(db, config, "alerts.alert_new", "true", by=Editor("slack:U1"))
    assert effective_config(config, db).alerts.alert_new is True
    unset_setting(db, config, "alerts.alert_new", by=Editor("slack:U1"))
    assert effective_config(config, db).alerts.alert_new is False
    assert [a["action"] for a in audit(db)] == ["config.set", "config.unset"]
    with pytest.raises(ConfigError, match="no admin edit"):
        unset_setting(db, config, "alerts.alert_new", by=Editor("slack:U1"))


def test_admin_sources_join_pause_and_leave(config_path: Path, db: Database) -> None:
    config = load_config(config_path)
    add_source(
        db,
        config,
        {"name": "sohr", "kind": "rss", "url": "https://www.syriahr.com/feed/", "interval": "20m"},
        by=Editor("telegram:42"),
    )
    effective = effective_config(config, db)
    assert [s.name for s in effective.sources] == ["seeds", "sohr"]
    assert effective.source("sohr").interval == 1200

    set_setting(db, config, "sources.sohr.interval", "1h", by=Editor("telegram:42"))
    assert effective_config(config, db).source("sohr").interval == 3600

    set_paused(db, config, "seeds", True, by=Editor("telegram:42"))
    assert effective_config(config, db).source("seeds").enabled is False
    set_paused(db, config, "seeds", False, by=Editor("telegram:42"))
    assert effective_config(config, db).source("seeds").enabled is True

    with pytest.raises(ConfigError, match="pause it instead"):
        remove_source(db, config, "seeds", by=Editor("telegram:42"))
    remove_source(db, config, "sohr", by=Editor("telegram:42"))
    assert [s.name for s in effective_config(config, db).sources] == ["seeds"]
    assert db.table("settings").count == 0  # its edits went with it
    actions = [a["action"] for a in audit(db)]
    assert actions == [
        "source.add",
        "config.set",
        "source.pause",
        "source.resume",
        "source.remove",
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"name": "local", "kind": "files", "path": "/etc"}, "must be rss or html"),
        ({"name": "seeds", "kind": "rss", "url": "https://x.org/f"}, "already exists"),
        ({"name": "x", "kind": "rss", "url": "file:///etc/passwd"}, "http"),
        ({"name": "x", "kind": "rss", "url": "https://x.org/f", "colour": "red"}, "unknown key"),
        ({"name": "x", "kind": "html"}, "needs a url"),
    ],
    ids=["no-files-from-chat", "duplicate-name", "bad-scheme", "unknown-key", "missing-url"],
)
def test_refused_source(config_path: Path, db: Database, data: dict[str, Any], words: str) -> None:
    config = load_config(config_path)
    with pytest.raises(ConfigError, match=words):
        add_source(db, config, data, by=Editor("telegram:42"))
    assert effective_config(config, db) == config
    assert audit(db) == []


def test_a_stale_edit_is_skipped_not_fatal(config_path: Path, db: Database) -> None:
    """The file lost the source an edit was about: the service still starts."""
    config = load_config(config_path)
    set_setting(db, config, "sources.seeds.interval", "2h", by=Editor("cli"))
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace('name = "seeds"', 'name = "renamed"'),
        encoding="utf-8",
    )
    reloaded = load_config(config_path)
    assert effective_config(reloaded, db) == reloaded


def test_provenance(config_path: Path, db: Database) -> None:
    config = load_config(config_path)
    set_setting(db, config, "alerts.event_dedupe", "1d", by=Editor("cli"))
    origins = {e.key: e.origin for e in settings_report(config, db)}
    assert origins["alerts.event_dedupe"] == Origin.ADMIN
    assert origins["alerts.alert_new"] == Origin.FILE
    assert origins["sources.seeds.interval"] == Origin.FILE
    assert origins["sources.seeds.enabled"] == Origin.DEFAULT
    assert "sources.seeds.max_articles" not in origins  # a files source reads every file
    assert origins["network.retries"] == Origin.DEFAULT


def test_config_show_masks_secrets(
    config_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    token = "987654321:AAF-secret-token-value-never-shown-x"
    monkeypatch.setenv("TEST_RAQIB_TG_TOKEN", token)
    config = load_config(config_path)
    set_setting(db, config, "sources.seeds.interval", "2h", by=Editor("cli"))
    args = argparse.Namespace(config_obj=config, config_action="show")
    assert cmd_config(args) == 0
    out = capsys.readouterr().out
    assert token not in out
    assert "TEST_RAQIB_TG_TOKEN (set in the environment)" in out
    line = next(x for x in out.splitlines() if x.startswith("sources.seeds.interval"))
    assert "= 2h " in line and line.endswith("# admin edit")


def test_config_set_from_the_command_line(config_path: Path, db: Database, capsys: Any) -> None:
    config = load_config(config_path)
    ok = argparse.Namespace(config_obj=config, config_action="set", key="alerts.alert_new",
                            value="true")  # fmt: skip
    bad = argparse.Namespace(config_obj=config, config_action="set", key="alerts.alert_new",
                             value="maybe")  # fmt: skip
    assert cmd_config(ok) == 0
    assert cmd_config(bad) == 2
    assert "true or false" in capsys.readouterr().err
    assert effective_config(config, db).alerts.alert_new is True


ROOT = Path(__file__).resolve().parent.parent


def raqib(config_path: Path, *args: str, timeout: float = 60) -> Any:
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "--config", str(config_path), *args],
        cwd=config_path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("alerts.thresholds.displaced.absolute", "-5", "at least 0"),
        ("alerts.thresholds.displaced.relative", "1.5", "between 0 and 1"),
        ("alerts.thresholds.kiled.absolute", "5", "METRIC one of"),
        ("sources.web.url", "http://10.0.0.1/feed.xml", "private"),
        ("sources.web.url", "http://localhost/feed.xml", "this machine"),
    ],
    ids=["negative", "share", "misspelt", "private-url", "localhost-url"],
)
def test_raqib_config_set_is_checked_like_a_chat_edit(
    tmp_path: Path, seeds_dir: Path, key: str, value: str, words: str
) -> None:
    path = tmp_path / "config.toml"
    text = CONFIG.format(db=tmp_path / "raqib.db", seeds=seeds_dir)
    text += '\n[[sources]]\nname = "web"\nkind = "rss"\nurl = "https://8.8.8.8/feed.xml"\n'
    path.write_text(text, encoding="utf-8")
    done = raqib(path, "config", "set", key, value)
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    db = open_db(tmp_path / "raqib.db")
    try:
        assert list(db.query("select * from settings")) == []
    finally:
        db.close()


def test_an_admin_log_level_holds_at_the_next_start(config_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    assert raqib(config_path, "config", "set", "logging.level", "DEBUG").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.app", "--config", str(config_path), "run"],
        cwd=config_path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not any("raqib is running" in x for x in lines) and time.monotonic() < deadline:
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        reader.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = "".join(lines)
    assert "raqib is running" in err
    assert " DEBUG " in err, err[-2000:]
