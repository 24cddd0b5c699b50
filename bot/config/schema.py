"""Configuration: TOML read once into typed, frozen objects.

Every key is validated here, at the edge: an unknown key, a wrong type, a bad
URL or interval raises `ConfigError` naming the key path and the file, and the
CLI exits 2.  Past this module nothing looks a setting up by string.

Secrets never live in the TOML: the config names environment variables
(`token_env`…), and `secret()` reads them.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import logging
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scrapers.base import UnknownKind, source_class

# the value types are the scrapers' (a source's options and the HTTP client's
# settings are declared there, beside their code), named here too
from scrapers.options import Duration as Duration
from scrapers.options import HttpSettings
from scrapers.options import HttpUrl as HttpUrl
from scrapers.options import check_http_url as check_http_url
from scrapers.options import format_duration as format_duration
from scrapers.options import parse_duration as parse_duration

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _seeds_dir() -> Path:
    try:
        return Path(str(importlib.resources.files("seeds")))
    except ModuleNotFoundError:  # an editable install made before seeds/ was a package
        return PROJECT_ROOT / "seeds"


SEEDS_DIR = _seeds_dir()
"""The seed articles the embedded default reads: the `seeds` package, shipped
with raqib (the repository's `seeds/` in a checkout)."""


class ConfigError(Exception):
    """A configuration mistake, with the key path and the file it is in."""

    def __init__(self, key: str, message: str, path: Path | str | None = None) -> None:
        self.key = key
        self.message = message
        self.path = str(path) if path else None
        where = f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{key}: {message}" if key else f"{where}{message}")


# ---------------------------------------------------------------- the schema


# ---------------------------------------------------------------- the digest schedule
# (bot/delivery/digest.py sends the digests; their time of day is a value of the config)

_SCHEDULE = re.compile(r"^\s*daily\s+(\d{1,2}):(\d{2})(?:\s+(\S+))?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When digests go out: every day at one local time."""

    hour: int
    """Hour of the day, 0-23."""
    minute: int
    """Minute, 0-59."""
    tz: str = "UTC"
    """IANA time zone of `hour:minute` (UTC when the setting names none)."""

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"no such time of day: {self.hour:02d}:{self.minute:02d}")
        _zone(self.tz)

    def next_due(self, after: datetime) -> datetime:
        """The first scheduled time strictly after `after`, in UTC.

        A local time that a daylight-saving jump skips is taken on the far
        side of the jump (02:30 on a spring-forward night is 03:30); one that
        happens twice (autumn) is taken the first time."""
        zone = _zone(self.tz)
        after = after.replace(tzinfo=UTC) if after.tzinfo is None else after
        local_day = after.astimezone(zone).date()
        for offset in range(3):
            day = local_day + timedelta(days=offset)
            due = datetime.combine(day, time(self.hour, self.minute), tzinfo=zone).astimezone(UTC)
            if due > after:
                return due
        raise AssertionError("unreachable: a daily time recurs within three days")

    def __str__(self) -> str:
        zone = "" if self.tz == "UTC" else f" {self.tz}"
        return f"daily {self.hour:02d}:{self.minute:02d}{zone}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Damascus)"
        ) from exc


def parse_schedule(text: str) -> DigestSchedule:
    """`"daily 08:00"` (UTC) or `"daily 08:00 Asia/Damascus"`; ValueError otherwise."""
    m = _SCHEDULE.match(text)
    if not m:
        raise ValueError(f'expected "daily HH:MM" or "daily HH:MM Area/City", got {text!r}')
    return DigestSchedule(int(m.group(1)), int(m.group(2)), m.group(3) or "UTC")


@dataclass(frozen=True)
class StorageConfig:
    """[storage]"""

    database: Path = Path("raqib.db")
    """SQLite file; relative paths are relative to the working directory."""


@dataclass(frozen=True)
class SourceConfig:
    """One [[sources]] table: the keys every source has, and its kind's own
    options (`RssOptions`, `HtmlOptions`, `FilesOptions`: the other keys of the
    same table, declared and validated by the kind's module in scrapers/)."""

    name: str
    """Unique name, used in commands and alerts."""
    kind: str
    """rss, html or files (`scrapers.base.KINDS`)."""
    options: Any
    """The kind's options (an instance of `source_class(kind).Options`)."""
    interval: Duration = 900.0
    """Seconds between polls."""
    enabled: bool = True
    """A paused source keeps its state but is not polled."""
    outlet: str | None = None
    """Human name of the outlet shown in alerts (defaults to the source name)."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("name: must not be empty")
        options = source_class(self.kind).Options
        if not isinstance(self.options, options):
            raise TypeError(f"options: expected {options.__name__}, got {self.options!r}")

    @classmethod
    def of(
        cls,
        name: str,
        kind: str,
        *,
        interval: float = 900.0,
        enabled: bool = True,
        outlet: str | None = None,
        **options: Any,
    ) -> SourceConfig:
        """A source from its flat keys, as in its `[[sources]]` table (for code
        and tests; the file goes through `load_config`)."""
        made = source_class(kind).Options(**options)
        return cls(name, kind, made, interval=interval, enabled=enabled, outlet=outlet)

    @property
    def url(self) -> str | None:
        """The feed or page URL (rss, html), else None."""
        url: str | None = getattr(self.options, "url", None)
        return url

    @property
    def path(self) -> str | None:
        """The directory or glob (files), else None."""
        path: str | None = getattr(self.options, "path", None)
        return path

    def flat_keys(self) -> dict[str, Any]:
        """The flat `[[sources]]` table that builds this source (None values left out)."""
        keys = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        keys |= {f.name: getattr(self.options, f.name) for f in dataclasses.fields(self.options)}
        return {k: v for k, v in keys.items() if k != "options" and v is not None}


SOURCE_KEYS = tuple(f.name for f in dataclasses.fields(SourceConfig) if f.name != "options")
"""The keys of a [[sources]] table that are not its kind's options."""


@dataclass(frozen=True)
class Threshold:
    """How much a value must move to be news."""

    absolute: float = 0.0
    """At least this much, in the metric's unit."""
    relative: float = 0.0
    """And at least this share of the old value (0.05 is 5%)."""

    def __post_init__(self) -> None:
        if not math.isfinite(self.absolute) or self.absolute < 0:
            raise ValueError(f"absolute: expected a number of at least 0, got {self.absolute!r}")
        if not math.isfinite(self.relative) or not 0 <= self.relative <= 1:
            raise ValueError(
                f"relative: expected a share between 0 and 1 (0% to 100%), got {self.relative!r}"
            )


DEFAULT_THRESHOLDS: Mapping[str, Threshold] = types.MappingProxyType(
    {
        "default": Threshold(absolute=1, relative=0.02),
        "area_controlled": Threshold(absolute=0.1, relative=0.1),
        "share_controlled": Threshold(absolute=1, relative=0.0),
        "places_controlled": Threshold(absolute=1, relative=0.0),
    }
)


@dataclass(frozen=True)
class AlertsConfig:
    """[alerts]"""

    thresholds: Mapping[str, Threshold] = field(default_factory=lambda: DEFAULT_THRESHOLDS)
    """Per metric name, plus `default` for the rest."""
    alert_new: bool = True
    """Alert on the first value seen for a key."""
    alert_conflicts: bool = False
    """Alert on a lower total (a conflicting report); it is always recorded."""
    event_dedupe: Duration = 3 * 86400.0
    """The same window/batch value for the same key within this period is one event."""
    digest: str | None = None
    """e.g. "daily 08:00": a daily summary instead of one message per change."""

    def __post_init__(self) -> None:
        from figures.model import Metric  # the engine owns the metric names

        known = {m.value for m in Metric} | {"default"}
        unknown = sorted(set(self.thresholds) - known)
        if unknown:
            raise ValueError(
                f"thresholds.{unknown[0]}: not a metric (expected default or one of"
                f" {', '.join(sorted(known - {'default'}))})"
            )
        if self.digest is not None:
            try:
                parse_schedule(self.digest)
            except ValueError as exc:
                raise ValueError(f"digest: {exc}") from None

    def threshold(self, metric: str) -> Threshold:
        """The threshold for `metric`, falling back to `default`."""
        return self.thresholds.get(metric) or self.thresholds.get("default") or Threshold()


NetworkConfig = HttpSettings
"""[network]: the HTTP client's own settings (scrapers/options.py)."""


@dataclass(frozen=True)
class TelegramConfig:
    """[telegram]"""

    token_env: str = "RAQIB_TELEGRAM_TOKEN"
    """Name of the environment variable that holds the bot token."""
    api_base_url: HttpUrl = "https://api.telegram.org/bot"
    """Bot API base URL (a local Bot API server or a test server otherwise)."""
    admins: tuple[int, ...] = ()
    """Telegram user ids allowed to run admin commands."""
    admin_chat: int | None = None
    """Chat that hears about dead alerts and failing sources."""


@dataclass(frozen=True)
class SlackConfig:
    """[slack]"""

    mode: str = "socket"
    """socket (app-level token, no public URL) or http (request URL + signing secret)."""
    bot_token_env: str = "RAQIB_SLACK_BOT_TOKEN"
    """Environment variable holding the xoxb- bot token."""
    app_token_env: str = "RAQIB_SLACK_APP_TOKEN"
    """Environment variable holding the xapp- app-level token (socket mode)."""
    signing_secret_env: str = "RAQIB_SLACK_SIGNING_SECRET"
    """Environment variable holding the signing secret (http mode)."""
    api_base_url: HttpUrl = "https://slack.com/api/"
    """Web API base URL (a test server otherwise)."""
    http_host: str = "127.0.0.1"
    """http mode: address to listen on."""
    http_port: int = 3000
    """http mode: port to listen on."""
    admins: tuple[str, ...] = ()
    """Slack user ids allowed to run admin commands."""
    admin_channel: str | None = None
    """Channel that hears about dead alerts and failing sources."""

    def __post_init__(self) -> None:
        if self.mode not in {"socket", "http"}:
            raise ValueError(f"mode: expected socket or http, got {self.mode!r}")


@dataclass(frozen=True)
class LoggingConfig:
    """[logging]"""

    level: str = "INFO"
    """DEBUG, INFO, WARNING or ERROR."""
    json: bool = False
    """One JSON object a line instead of plain text."""

    def __post_init__(self) -> None:
        if self.level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"level: expected DEBUG, INFO, WARNING or ERROR, got {self.level!r}")


@dataclass(frozen=True)
class ServiceConfig:
    """[service]"""

    shutdown_grace: Duration = 10.0
    """Seconds in-flight polls and sends get to finish after SIGINT/SIGTERM."""
    delivery_poll_interval: Duration = 5.0
    """Seconds between outbox checks for rows written by another process."""
    jitter: float = 0.1
    """Each poll starts up to this share of its source's interval late (0 to 0.5)."""
    console: str = "auto"
    """Print alerts to stdout: auto (when no chat transport is configured), on or off."""
    notify_after_failures: int = 3
    """After this many failed polls in a row the admin chat hears of a source, once, and
    again when it recovers (0: never)."""

    def __post_init__(self) -> None:
        if not 0 <= self.jitter <= 0.5:
            raise ValueError(f"jitter: expected a share between 0 and 0.5, got {self.jitter!r}")
        if self.console not in {"auto", "on", "off"}:
            raise ValueError(f"console: expected auto, on or off, got {self.console!r}")


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    storage: StorageConfig = field(default_factory=StorageConfig)
    sources: tuple[SourceConfig, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    path: Path | None = None
    """The file it was read from; None for the embedded default."""

    def __post_init__(self) -> None:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"sources: duplicate source name {dupes[0]!r}")

    def source(self, name: str) -> SourceConfig | None:
        """The source called `name`, if any."""
        return next((s for s in self.sources if s.name == name), None)


def secret(env_name: str) -> str | None:
    """The secret held by environment variable `env_name` (None if unset or empty)."""
    value = os.environ.get(env_name, "").strip()
    return value or None


# ---------------------------------------------------------------- loading


def default_config() -> Config:
    """The embedded default: ./raqib.db, the seed articles, console alerts."""
    return Config(
        sources=(SourceConfig.of("seeds", "files", path=str(SEEDS_DIR), interval=3600.0),),
    )


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate `path`; with None, `./config.toml` if present, else the default."""
    if path is None:
        candidate = Path("config.toml")
        if not candidate.exists():
            return default_config()
        path = candidate
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError("", f"cannot read the config file: {exc.strerror or exc}", path) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("", "the config file is not UTF-8", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML: {exc}", path) from exc
    try:
        config = build(Config, data, "")
    except ConfigError as exc:
        raise ConfigError(exc.key, exc.message, path) from None
    return dataclasses.replace(config, path=path)


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    """The field types of `cls`, read once per class (a config of 500 sources
    built the same options classes' hints 1,000 times)."""
    return typing.get_type_hints(cls, include_extras=True)


def build(cls: type[Any], data: Any, key: str) -> Any:
    """Build dataclass `cls` from TOML `data`, validating every field; `key` is
    the path so far, for messages."""
    if not isinstance(data, dict):
        raise ConfigError(key, f"expected a table, got {_toml_type(data)}")
    if cls is SourceConfig:
        return _source(data, key)
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "path" or cls is not Config}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(_join(key, unknown[0]), f"unknown key (known keys: {known})")
    values = {name: _convert(hints[name], data[name], _join(key, name)) for name in data}
    return _construct(cls, values, key)


def _source(data: dict[str, Any], key: str) -> SourceConfig:
    """A [[sources]] table: its kind picks the options class that takes the
    keys besides `SOURCE_KEYS`."""
    kind = data.get("kind")
    if kind is None:
        raise ConfigError(_join(key, "kind"), "required")
    try:
        options_cls = source_class(kind)
    except UnknownKind as exc:
        raise ConfigError(_join(key, "kind"), str(exc)) from None
    options_cls = options_cls.Options
    option_keys = {f.name for f in dataclasses.fields(options_cls)}
    unknown = sorted(set(data) - option_keys - set(SOURCE_KEYS))
    if unknown:
        known = ", ".join(sorted(option_keys | set(SOURCE_KEYS)))
        raise ConfigError(
            _join(key, unknown[0]), f"unknown key for a {kind} source (known keys: {known})"
        )
    hints = _hints(SourceConfig)
    values = {n: _convert(hints[n], data[n], _join(key, n)) for n in SOURCE_KEYS if n in data}
    options = build(options_cls, {k: v for k, v in data.items() if k in option_keys}, key)
    source: SourceConfig = _construct(SourceConfig, {**values, "options": options}, key)
    return source


def _construct(cls: type[Any], values: dict[str, Any], key: str) -> Any:
    """`cls(**values)`, its errors as ConfigErrors under `key`."""
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is missing
        missing = [
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in values
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        raise ConfigError(_join(key, missing[0]) if missing else key, "required") from exc
    except ValueError as exc:
        sub, _, message = str(exc).partition(": ")
        if message and all(part.isidentifier() for part in sub.split(".")):
            raise ConfigError(_join(key, sub), message) from None
        raise ConfigError(key, str(exc)) from None


def _convert(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, check = typing.get_args(hint)[:2]
        try:
            return check(value) if base is float else check(_convert(base, value, key))
        except ValueError as exc:
            raise ConfigError(key, str(exc)) from None
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value, key)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, key)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list):
            raise ConfigError(key, f"expected a list, got {_toml_type(value)}")
        return tuple(_convert(item, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        item = typing.get_args(hint)[1]
        if not isinstance(value, dict):
            raise ConfigError(key, f"expected a table, got {_toml_type(value)}")
        converted = {k: _convert(item, v, _join(key, k)) for k, v in value.items()}
        if key.endswith("thresholds"):
            return types.MappingProxyType({**DEFAULT_THRESHOLDS, **converted})
        return types.MappingProxyType(converted)
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(key, f"expected a path string, got {_toml_type(value)}")
        return Path(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, f"expected a number, got {_toml_type(value)}")
        return float(value)
    if hint in (int, str, bool):
        if type(value) is not hint:
            raise ConfigError(key, f"expected {_toml_name(hint)}, got {_toml_type(value)}")
        if hint is int and value < 0 and key not in SIGNED_KEYS:
            raise ConfigError(key, f"must not be negative, got {value}")
        return value
    raise ConfigError(key, f"unsupported setting type {hint!r}")  # a bug in the schema


SIGNED_KEYS = frozenset({"telegram.admin_chat"})
"""Integer keys that may be negative (Telegram group and channel ids are)."""


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _toml_name(t: type) -> str:
    return {bool: "true or false", int: "an integer", str: "a string"}.get(t, t.__name__)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"[:120]
