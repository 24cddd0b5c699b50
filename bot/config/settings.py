"""Admin edits over the TOML: validate, store, apply, and say where each value came from.

An edit is a dotted key and a value: `alerts.event_dedupe = "2d"`,
`alerts.thresholds.displaced.absolute = 500`, `sources.sohr.interval = "30m"`,
`sources.sohr.enabled = false` (pause).  It is validated by the very schema
that validates the file (`bot.config.schema.build`): the file's data with the edit
applied must build a `Config`, or the edit is refused with the reason and
nothing changes.  Accepted edits live in the `settings` table, every edit is
written to the audit log with who and when, and `effective_config` lays them
over the file.  Sources added by an admin live in the `sources` table (their
config as JSON) and join the effective source list.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.config.schema import (
    Config,
    ConfigError,
    LoggingConfig,
    SourceConfig,
    build,
    format_duration,
    parse_duration,
    secret,
)
from bot.store import admin as store_admin
from bot.store.db import iso, open_db, write
from figures.model import Metric

log = logging.getLogger(__name__)


class Origin(StrEnum):
    """Where an effective value came from."""

    DEFAULT = "default"
    FILE = "file"
    ADMIN = "admin edit"


SETTABLE_SECTIONS = ("alerts", "logging", "service", "sources")
"""Top-level tables an admin may edit from a chat ([network] is the operator's: the one
HTTP client is built from it at start)."""

LOCKED_KEYS = frozenset(
    {
        "logging.json",
        "service.console",
    }
)
"""Keys in a settable table that only the config file may set."""

LOCKED_SOURCE_FIELDS = frozenset({"name", "kind", "path"})
"""Source fields fixed once a source exists (a `files` path only ever comes from the file)."""

CHAT_SOURCE_KINDS = ("rss", "html")
"""Kinds an admin may add from a chat: never `files` (no local paths from a chat)."""

MIN_CHAT_INTERVAL = 60.0
"""The shortest poll interval an admin may set from a chat, in seconds (the file may set less)."""


def _duration_keys() -> frozenset[str]:
    """Dotted keys whose values are durations (from the schema: `Duration` fields)."""
    import typing

    keys = set()
    for section in dataclasses.fields(Config):
        hint = typing.get_type_hints(Config)[section.name]
        if not (dataclasses.is_dataclass(hint) and isinstance(hint, type)):
            continue
        for name, sub in typing.get_type_hints(hint, include_extras=True).items():
            if typing.get_origin(sub) is typing.Annotated and parse_duration in sub.__metadata__:
                keys.add(f"{section.name}.{name}")
    return frozenset(keys)


DURATION_KEYS = _duration_keys()
"""`alerts.event_dedupe`, `service.shutdown_grace`…: shown as `3d`, not `259200.0`."""


def is_duration_key(key: str) -> bool:
    """True when `key`'s value is a duration (`sources.NAME.interval` included)."""
    if key.startswith("sources."):
        return key.endswith(".interval")
    return key in DURATION_KEYS


def check_chat_interval(key: str, value: Any) -> None:
    """ConfigError when a source interval set from a chat is shorter than a minute."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        return  # the schema gives the reason
    if seconds < MIN_CHAT_INTERVAL:
        raise ConfigError(
            key, f"from a chat, a source is polled at most once a minute (got {value!r})"
        )


@dataclass(frozen=True)
class Edit:
    """One stored admin edit."""

    key: str
    """Dotted key, e.g. `sources.sohr.interval`."""
    value: Any
    """The value as TOML would give it (str, int, float, bool, list, table)."""
    updated_by: str
    """Who made it (`telegram:123`, `slack:U01`, `cli`)."""
    updated_at: str
    """When, ISO 8601 UTC."""


@dataclass(frozen=True)
class Entry:
    """One line of `raqib config show`."""

    key: str
    """Dotted key."""
    value: str
    """The value as shown (secrets masked: only an environment variable's name)."""
    origin: Origin
    """Default, file or admin edit."""


# ---------------------------------------------------------------- pure: data <-> Config


def to_data(obj: Any) -> Any:
    """A config object as the TOML data that would build it (None fields left out)."""
    if isinstance(obj, SourceConfig):  # one flat table: its keys and its kind's options
        return to_data(obj.flat_keys())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_data(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if getattr(obj, f.name) is not None
            and not (isinstance(obj, Config) and f.name == "path")
        }
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [to_data(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def parse_value(text: str) -> Any:
    """A chat argument as a TOML value: `500`, `0.05`, `true`, `"2d"`, `[1, 2]`; bare words
    such as `2d` or `DEBUG` are strings."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def split_key(key: str) -> list[str]:
    """`sources.my.feed.interval` → ["sources", "my.feed", "interval"]; others split on dots."""
    if key.startswith("sources."):
        name, dot, leaf = key.removeprefix("sources.").rpartition(".")
        if not dot or not name:
            raise ConfigError(key, "expected sources.NAME.KEY")
        return ["sources", name, leaf]
    return key.split(".")


def check_settable(key: str) -> None:
    """Raise ConfigError unless an admin may set `key` from a chat."""
    parts = split_key(key)
    if parts[0] not in SETTABLE_SECTIONS or len(parts) < 2 or not all(parts):
        sections = ", ".join(SETTABLE_SECTIONS)
        raise ConfigError(key, f"not a key an admin can set (settable tables: {sections})")
    if key in LOCKED_KEYS:
        raise ConfigError(key, "can only be set in the config file")
    if parts[0] == "sources" and parts[2] in LOCKED_SOURCE_FIELDS:
        raise ConfigError(key, "fixed when the source is created")
    if parts[:2] == ["alerts", "thresholds"]:
        known = {m.value for m in Metric} | {"default"}
        if len(parts) < 3 or parts[2] not in known:
            names = ", ".join(sorted(known))
            raise ConfigError(
                key, f"expected alerts.thresholds.METRIC.KEY with METRIC one of {names}"
            )


def _place(data: dict[str, Any], key: str, value: Any) -> None:
    """Put `value` at dotted `key` in TOML `data` (in place)."""
    parts = split_key(key)
    node: Any = data
    if parts[0] == "sources":
        entry = next((s for s in data.get("sources", []) if s.get("name") == parts[1]), None)
        if entry is None:
            raise ConfigError(f"sources.{parts[1]}", "no such source")
        node, parts = entry, parts[2:]
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(key, f"{part} is not a table")
        node = child
    node[parts[-1]] = value


def _build(data: dict[str, Any], path: Path | None) -> Config:
    config: Config = build(Config, data, "")
    return dataclasses.replace(config, path=path)


def apply_edits(
    config: Config,
    edits: Mapping[str, Any],
    added_sources: Sequence[Mapping[str, Any]] = (),
    *,
    strict: bool = True,
) -> Config:
    """`config` with admin-added sources appended and `edits` applied, validated.

    With `strict`, the first invalid edit or source raises ConfigError; without,
    it is skipped with a warning (a stored edit the file has since outgrown must
    not stop the service).
    """
    data: dict[str, Any] = to_data(config)
    data.setdefault("sources", [])
    current = _build(data, config.path)
    for source in added_sources:
        trial = {**data, "sources": [*data["sources"], dict(source)]}
        current, data = _try(
            trial, current, data, config.path, f"source {source.get('name')}", strict
        )
    for key, value in edits.items():
        trial = json.loads(json.dumps(data))
        try:
            _place(trial, key, value)
        except ConfigError:
            if strict:
                raise
            log.warning("settings: ignoring the stored edit of %s (no longer applies)", key)
            continue
        current, data = _try(trial, current, data, config.path, key, strict)
    return current


def _try(
    trial: dict[str, Any],
    current: Config,
    data: dict[str, Any],
    path: Path | None,
    what: str,
    strict: bool,
) -> tuple[Config, dict[str, Any]]:
    try:
        return _build(trial, path), trial
    except ConfigError as exc:
        if strict:
            raise
        log.warning("settings: ignoring the stored %s: %s", what, exc)
        return current, data


def validate_edit(config: Config, key: str, value: Any) -> Config:
    """The config `key = value` would give; ConfigError (with the reason) if it may not be set."""
    check_settable(key)
    return apply_edits(config, {key: value})


def validate_new_source(config: Config, data: Mapping[str, Any]) -> SourceConfig:
    """The SourceConfig an admin's `/source add` would create; ConfigError if it is refused."""
    name = str(data.get("name", ""))
    if data.get("kind") not in CHAT_SOURCE_KINDS:
        kinds = " or ".join(CHAT_SOURCE_KINDS)
        raise ConfigError(f"sources.{name}.kind", f"a source added from a chat must be {kinds}")
    source: SourceConfig = build(SourceConfig, dict(data), f"sources.{name}")
    if config.source(source.name) is not None:
        raise ConfigError(f"sources.{name}", "a source with this name already exists")
    return source


# ---------------------------------------------------------------- provenance


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys to leaf values; sources keyed by name (`sources.NAME.KEY`)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if key == "sources" and isinstance(v, list):
                for source in v:
                    out.update(flatten(source, f"sources.{source.get('name')}"))
            elif isinstance(v, dict) and v:
                out.update(flatten(v, key))
            else:
                out[key] = v
    return out


def describe(
    config: Config,
    file_data: Mapping[str, Any],
    edits: Mapping[str, Any],
    added_sources: Iterable[str] = (),
) -> list[Entry]:
    """Every effective value with where it came from; secrets shown as their variable name."""
    from_file = flatten(dict(file_data))
    added = tuple(f"sources.{name}." for name in added_sources)
    full = _with_unset(config)
    entries = []
    for key, value in flatten(full).items():
        if key in edits or key.startswith(added):
            origin = Origin.ADMIN
        elif key in from_file:
            origin = Origin.FILE
        else:
            origin = Origin.DEFAULT
        entries.append(Entry(key, show_value(key, value), origin))
    return entries


def _with_unset(config: Config) -> dict[str, Any]:
    """Like to_data, but None fields kept (shown as unset)."""

    def walk(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {
                f.name: walk(getattr(obj, f.name))
                for f in dataclasses.fields(obj)
                if not (isinstance(obj, Config) and f.name == "path")
            }
        return to_data(obj)

    data: dict[str, Any] = walk(config)
    return data


def show_value(key: str, value: Any) -> str:
    """A value for display: TOML-ish, and an `*_env` key shows whether its variable is set."""
    if value is None:
        return "(unset)"
    if key.endswith("_env") and isinstance(value, str):
        return f"{value} ({'set' if secret(value) else 'not set'} in the environment)"
    if is_duration_key(key) and isinstance(value, int | float) and not isinstance(value, bool):
        return format_duration(float(value))
    if isinstance(value, str) and "://" in value:
        from scrapers.urls import mask_urls

        value = mask_urls(value)
    return json.dumps(value, ensure_ascii=False)


def read_file_data(config: Config) -> dict[str, Any]:
    """The raw TOML of the file `config` was read from ({} for the embedded default)."""
    if config.path is None:
        return {}
    try:
        return tomllib.loads(Path(config.path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def format_entries(entries: Iterable[Entry]) -> str:
    """`key = value   # origin` lines, aligned."""
    rows = list(entries)
    width = max((len(e.key) + len(e.value) for e in rows), default=0) + 3
    return "\n".join(f"{f'{e.key} = {e.value}':<{width}}  # {e.origin}" for e in rows)


# ---------------------------------------------------------------- stored in SQLite


def stored_edits(db: Database) -> dict[str, Any]:
    """Every admin edit in the `settings` table, by key."""
    return {e.key: e.value for e in list_edits(db)}


def list_edits(db: Database) -> list[Edit]:
    """Every admin edit, with who made it and when, by key."""
    return [Edit(k, v, by or "", at or "") for k, v, by, at in store_admin.edits(db)]


def admin_sources(db: Database) -> list[dict[str, Any]]:
    """The configs of sources added by an admin (the `sources` rows that carry one)."""
    return store_admin.admin_source_configs(db)


def paused_sources(db: Database) -> set[str]:
    """Names of sources an admin paused."""
    return store_admin.paused_source_names(db)


def effective_config(config: Config, db: Database) -> Config:
    """The file's config with admin sources added, admin edits applied and paused sources
    disabled.  A stored edit that no longer applies is skipped with a warning."""
    merged = apply_edits(config, stored_edits(db), admin_sources(db), strict=False)
    paused = paused_sources(db)
    if not paused:
        return merged
    sources = tuple(
        dataclasses.replace(s, enabled=False) if s.name in paused else s for s in merged.sources
    )
    return dataclasses.replace(merged, sources=sources)


@dataclass(frozen=True, slots=True)
class Editor:
    """Who makes an admin edit, through which transport and when: what its audit row
    records (every function below that edits takes one, `by`)."""

    actor: str
    """`telegram:42`, `slack:U1`, `cli:alice`."""
    transport: str = "cli"
    """Where the edit came from; from a chat (not `cli`) a source's interval has a floor."""
    now: datetime | None = None
    """When (default: the current time)."""


@contextmanager
def _audited(db: Database, action: str, detail: Mapping[str, Any], by: Editor) -> Iterator[str]:
    """One write transaction for an admin's change and its audit row (both or neither);
    yields the ISO 8601 time both carry (`by.now`, default the current time)."""
    at = iso(by.now or datetime.now(UTC))
    with write(db):
        yield at
        store_admin.audit(
            db,
            {
                "at": at,
                "actor": by.actor,
                "transport": by.transport,
                "action": action,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
            },
        )


def set_setting(db: Database, config: Config, key: str, value: Any, *, by: Editor) -> Config:
    """Validate and store `key = value` as an admin edit; the new effective config.

    A string `value` is read as a TOML value first (`500`, `true`, `"2d"`, bare `2d`).
    Raises ConfigError with the reason, storing nothing, when the edit is refused.
    """
    if isinstance(value, str):
        value = parse_value(value)
    base = effective_config(config, db)
    old = stored_edits(db).get(key)
    validate_edit(base, key, value)
    if by.transport != "cli" and key.startswith("sources.") and key.endswith(".interval"):
        check_chat_interval(key, value)
    detail = {"key": key, "value": value, "old": old}
    with _audited(db, "config.set", detail, by) as at:
        store_admin.put_edit(db, key, value, by.actor, at)
    log.info("settings: %s set %s = %s", by.actor, key, json.dumps(value, ensure_ascii=False))
    return effective_config(config, db)


def unset_setting(db: Database, config: Config, key: str, *, by: Editor) -> Config:
    """Drop the admin edit of `key` (the file's value applies again); the new effective config."""
    edits = stored_edits(db)
    if key not in edits:
        raise ConfigError(key, "no admin edit to remove")
    detail = {"key": key, "old": edits[key]}
    with _audited(db, "config.unset", detail, by):
        store_admin.delete_edit(db, key)
    log.info("settings: %s unset %s", by.actor, key)
    return effective_config(config, db)


def add_source(
    db: Database, config: Config, data: Mapping[str, Any], *, by: Editor
) -> SourceConfig:
    """Validate and store a source added by an admin; it is scheduled on the next sync."""
    base = effective_config(config, db)
    source = validate_new_source(base, data)
    if by.transport != "cli" and "interval" in data:
        check_chat_interval(f"sources.{source.name}.interval", data["interval"])
    stored = to_data(source)
    with _audited(db, "source.add", stored, by):
        store_admin.put_admin_source(db, source.name, stored, by.actor)
    log.info("settings: %s added source %s (%s)", by.actor, source.name, source.kind)
    return source


def remove_source(db: Database, config: Config, name: str, *, by: Editor) -> None:
    """Remove a source an admin added, with its edits (a file's source can only be paused)."""
    if name not in {s["name"] for s in admin_sources(db)}:
        if config.source(name) is not None:
            raise ConfigError(f"sources.{name}", "defined in the config file: pause it instead")
        raise ConfigError(f"sources.{name}", "no such source")
    detail = {"name": name}
    with _audited(db, "source.remove", detail, by):
        store_admin.delete_source(db, name, _like_prefix(name))
    log.info("settings: %s removed source %s", by.actor, name)


def set_paused(db: Database, config: Config, name: str, paused: bool, *, by: Editor) -> None:
    """Pause (or resume) a source: it keeps its state but is not scheduled."""
    if effective_config(config, db).source(name) is None:
        raise ConfigError(f"sources.{name}", "no such source")
    action = "source.pause" if paused else "source.resume"
    with _audited(db, action, {"name": name}, by):
        store_admin.set_source_enabled(db, name, not paused)
    log.info("settings: %s %s source %s", by.actor, "paused" if paused else "resumed", name)


def _like_prefix(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"sources.{escaped}.%"


def startup_logging(config: Config) -> LoggingConfig:
    """The `[logging]` a process starts with: the file's, with an admin's edit of the level
    (`/config set logging.level DEBUG`) applied, so it holds after a restart too."""
    path = config.storage.database
    if not path.exists():
        return config.logging
    try:
        db = open_db(path)
    except Exception:  # an unreadable database is reported by whatever opens it next
        return config.logging
    try:
        return effective_config(config, db).logging
    finally:
        db.close()


def settings_report(config: Config, db: Database | None) -> list[Entry]:
    """`describe` for `config` as stored edits and admin sources make it."""
    if db is None:
        return describe(config, read_file_data(config), {})
    effective = effective_config(config, db)
    added = [s["name"] for s in admin_sources(db)]
    return describe(effective, read_file_data(config), stored_edits(db), added)
