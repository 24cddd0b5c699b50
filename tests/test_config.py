"""Config loading: every kind of mistake names the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.schema import ConfigError, default_config, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_reads_the_seeds() -> None:
    config = default_config()
    assert [s.kind for s in config.sources] == ["files"]
    assert Path(config.sources[0].path or "").is_dir()


def test_full_config_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[storage]
database = "x.db"

[[sources]]
name = "sohr"
kind = "rss"
url = "https://example.org/feed"
interval = "15m"

[alerts]
alert_new = false
event_dedupe = "2d"
[alerts.thresholds.displaced]
absolute = 100
relative = 0.05

[telegram]
admins = [1, 2]
""",
    )
    config = load_config(path)
    assert config.path == path
    assert config.sources[0].interval == 900
    assert config.alerts.event_dedupe == 2 * 86400
    assert config.alerts.threshold("displaced").absolute == 100
    assert config.alerts.threshold("killed") == config.alerts.threshold("default")
    assert config.telegram.admins == (1, 2)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[storage]\ndatabse = 'x'\n", "storage.databse", "unknown key"),
        ("[nope]\n", "nope", "unknown key"),
        ("[network]\nretries = 'three'\n", "network.retries", "expected an integer"),
        (
            "[network]\nallow_private_networks = 1\n",
            "network.allow_private_networks",
            "true or false",
        ),
        ("[[sources]]\nname='a'\nkind='rss'\nurl='ftp://x/y'\n", "sources[0].url", "http"),
        (
            "[[sources]]\nname='a'\nkind='rss'\nurl='https://x/'\ninterval='soon'\n",
            "sources[0].interval",
            "duration",
        ),
        (
            "[[sources]]\nname='a'\nkind='rss'\nurl='https://x/'\ninterval=-5\n",
            "sources[0].interval",
            "positive",
        ),
        (
            "[[sources]]\nname='a'\nkind='gopher'\nurl='https://x/'\n",
            "sources[0].kind",
            "expected one of files, html, rss, got 'gopher'",
        ),
        ("[[sources]]\nname='a'\nurl='https://x/'\n", "sources[0].kind", "required"),
        (
            "[[sources]]\nname='a'\nkind='files'\npath='x'\nurl='https://x/'\n",
            "sources[0].url",
            "unknown key for a files source (known keys: content_selector,",
        ),
        (
            "[[sources]]\nname='a'\nkind='rss'\nurl='https://x/'\nmax_articles='9'\n",
            "sources[0].max_articles",
            "expected an integer",
        ),
        (
            "[[sources]]\nname='a'\nkind='html'\nurl='https://x/'\nremove_selectors=[1]\n",
            "sources[0].remove_selectors[0]",
            "expected a string",
        ),
        ("[[sources]]\nname='a'\nkind='rss'\n", "sources[0].url", "needs a url"),
        ("[[sources]]\nkind='rss'\nurl='https://x/'\n", "sources[0].name", "required"),
        ("[logging]\nlevel='LOUD'\n", "logging.level", "expected DEBUG"),
        ("[telegram]\napi_base_url='localhost:8080'\n", "telegram.api_base_url", "http"),
        ("[alerts]\ndigest='weekly'\n", "alerts.digest", "daily HH:MM"),
    ],
    ids=[
        "misspelt-key",
        "unknown-table",
        "wrong-type",
        "bool-not-int",
        "bad-url-scheme",
        "bad-interval",
        "negative-interval",
        "unknown-kind",
        "missing-kind",
        "an-option-of-another-kind",
        "kind-option-wrong-type",
        "kind-option-list-item",
        "missing-url",
        "missing-name",
        "bad-log-level",
        "url-without-scheme",
        "bad-digest",
    ],
)
def test_mistakes_name_the_key_and_file(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert words in info.value.message
    assert str(path) in str(info.value)


def test_duplicate_source_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[[sources]]\nname='a'\nkind='files'\npath='x'\n[[sources]]\nname='a'\nkind='files'\npath='y'\n",
    )
    with pytest.raises(ConfigError, match="duplicate source name 'a'"):
        load_config(path)


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[storage\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[alerts.thresholds.kiled]\nabsolute = 5\n", "alerts.thresholds.kiled", "not a metric"),
        ("[alerts.thresholds.displaced]\nabsolute = -5\n", "alerts.thresholds.displaced.absolute", "at least 0"),
        ("[alerts.thresholds.displaced]\nabsolute = inf\n", "alerts.thresholds.displaced.absolute", "at least 0"),
        ("[alerts.thresholds.default]\nrelative = nan\n", "alerts.thresholds.default.relative", "between 0 and 1"),
        ("[alerts.thresholds.killed]\nrelative = 1.5\n", "alerts.thresholds.killed.relative", "between 0 and 1"),
        ("[alerts.thresholds.killed]\nrelative = -0.1\n", "alerts.thresholds.killed.relative", "between 0 and 1"),
    ],
    ids=["misspelt-metric", "negative", "infinite", "nan-share", "share-over-100", "negative-share"],
)  # fmt: skip
def test_thresholds_are_checked_in_the_file(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert words in info.value.message


def test_a_misspelt_threshold_metric_exits_2_naming_the_key(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    path = write(tmp_path, "[alerts.thresholds.displacd]\nabsolute = 100\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "--config", str(path), "status"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "alerts.thresholds.displacd" in done.stderr and "not a metric" in done.stderr
    assert "Traceback" not in done.stderr
