"""The admin commands (/source, /config, /threshold, /admins) as `AdminCommands`, mixed
into the command core `bot.chat.commands.Commands`.  Every edit goes through
`bot.config.settings` (validated against the same schema as the file, stored in SQLite
over the TOML, audit-logged with who and when) and then `on_change` (the running
service's `reload`), so it takes effect without a restart; a new source's URL must pass
the scrapers' own address guard (`check_source_url`) first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlite_utils import Database

from bot.chat.table import CommandContext, UsageError
from bot.config import settings
from bot.config.schema import Config, ConfigError, NetworkConfig, format_duration, parse_duration
from bot.ingest.pipeline import document_text
from bot.render import messages as render
from bot.render.i18n import t
from bot.render.reply import Reply, Table
from figures import extract
from figures.model import Metric
from figures.names import lookup_metric, metric_name

log = logging.getLogger(__name__)

_T = TypeVar("_T")

TEST_FIGURES = 25
"""At most this many figures listed by /source test."""
RESOLVE_TIMEOUT = 5.0
"""Seconds to resolve a new source's host name before refusing it."""


# ---------------------------------------------------------------- source URLs


async def check_source_url(url: str, network: NetworkConfig) -> None:
    """ConfigError unless the scrapers may fetch `url`: the HTTP client's own guard
    (`scrapers.http.check_url`: http(s) only and, unless `allow_private_networks`, no
    loopback, private, link-local or reserved address in any spelling, and a host name
    that resolves to a public address), answered within `RESOLVE_TIMEOUT`."""
    from scrapers.http import FetchError, check_url
    from scrapers.urls import mask_url

    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            await check_url(url, allow_private_networks=network.allow_private_networks)
    except FetchError as exc:
        raise ConfigError("url", exc.message.removeprefix(f"{mask_url(url)}: ")) from None
    except TimeoutError:
        raise ConfigError("url", "cannot resolve the host in time") from None


# ---------------------------------------------------------------- the commands


class AdminCommands:
    """The admin commands and their edit path; `Commands` sets these attributes and
    checks that the sender is an admin before any of them runs."""

    config: Config
    db: Database
    on_change: Callable[[], object] | None
    clock: Callable[[], datetime]

    if TYPE_CHECKING:

        def effective(self) -> Config: ...

    def _edit(self, ctx: CommandContext, edit: Callable[..., _T], *args: Any) -> _T:
        """One admin edit through `bot.config.settings` (validated, stored over the file and
        audited as this chat's user); the caller applies it with `_changed`."""
        by = settings.Editor(ctx.actor, ctx.transport, self.clock())
        return edit(self.db, self.config, *args, by=by)

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:  # the edit is stored; the service's watcher applies it next time
            log.exception("commands: applying an admin edit at once failed")

    # ------------------------------------------------------------ admins

    async def cmd_source(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/source add NAME KIND URL [interval] | remove|pause|resume|test NAME"""
        lang = ctx.lang
        action = args[0].lower() if args else ""
        if action == "add" and len(args) in (4, 5):
            name, kind, url = args[1], args[2].lower(), args[3]
            data: dict[str, Any] = {"name": name, "kind": kind, "url": url}
            if len(args) == 5:
                data["interval"] = settings.parse_value(args[4])
            settings.validate_new_source(self.effective(), data)
            await check_source_url(url, self.effective().network)
            source = self._edit(ctx, settings.add_source, data)
            self._changed()
            every = render_interval(source.interval)
            return Reply(
                (t("source.added", lang, name=source.name, kind=source.kind, interval=every),)
            )
        if action in {"remove", "pause", "resume", "test"} and len(args) == 2:
            name = args[1]
            if action == "test":
                return await self._test_source(ctx, name)
            if action == "remove":
                self._edit(ctx, settings.remove_source, name)
            else:
                self._edit(ctx, settings.set_paused, name, action == "pause")
            self._changed()
            done = {
                "remove": "source.removed",
                "pause": "source.paused",
                "resume": "source.resumed",
            }
            return Reply((t(done[action], lang, name=name),))
        raise UsageError()

    async def _test_source(self, ctx: CommandContext, name: str) -> Reply:
        """Fetch a source and show the figures it would give; store nothing."""
        from scrapers.base import FetchContext, build_source
        from scrapers.http import HttpClient

        lang = ctx.lang
        config = self.effective()
        source_config = config.source(name)
        if source_config is None:
            return Reply((t("source.unknown", lang, name=name),), ok=False)
        source = build_source(source_config)
        async with HttpClient(config.network) as client:
            result = await source.fetch(FetchContext(client=client))
        if result.error is not None:
            return Reply(
                (t("source.test_failed", lang, name=name, error=result.error[:300]),), ok=False
            )
        cells: list[tuple[str, ...]] = []
        total = 0
        for article in result.articles:
            for figure in extract(document_text(article)):
                total += 1
                if len(cells) < TEST_FIGURES:
                    value = render.amount(
                        figure.value, figure.qualifier, figure.vague, figure.unit, lang
                    )
                    cells.append(
                        (
                            metric_name(figure.metric, lang),
                            value,
                            " ".join(figure.quote.split())[:60],
                        )
                    )
        header = (t("col.figure", lang), t("col.value", lang), "«»")
        summary = t("source.test", lang, name=name, articles=len(result.articles), figures=total)
        return Reply((summary,), table=Table(header, tuple(cells)) if cells else None)

    async def cmd_config(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/config [get KEY | set KEY VALUE]"""
        lang = ctx.lang
        if not args:
            edits = settings.list_edits(self.db)
            if not edits:
                return Reply((t("config.none", lang),))
            lines = [
                t(
                    "config.edit_line",
                    lang,
                    key=e.key,
                    value=_show(e.value),
                    by=e.updated_by,
                    at=e.updated_at,
                )
                for e in edits
            ]
            return Reply(("\n".join(lines),), title=t("config.edits", lang))
        action = args[0].lower()
        if action == "get" and len(args) == 2:
            entries = {e.key: e for e in settings.settings_report(self.config, self.db)}
            entry = entries.get(args[1])
            if entry is None:
                prefix = args[1].rstrip(".") + "."
                found = [e for k, e in entries.items() if k.startswith(prefix)]
                if not found:
                    return Reply((t("config.unknown_key", lang, key=args[1]),), ok=False)
                lines = [
                    t("config.value", lang, key=e.key, value=e.value, origin=e.origin)
                    for e in found
                ]
                return Reply(("\n".join(lines),))
            return Reply(
                (t("config.value", lang, key=entry.key, value=entry.value, origin=entry.origin),)
            )
        if action == "set" and len(args) >= 3:
            key, value = args[1], " ".join(args[2:])
            if key.startswith("sources.") and key.endswith(".url"):
                await check_source_url(str(settings.parse_value(value)), self.effective().network)
            self._edit(ctx, settings.set_setting, key, value)
            self._changed()
            stored = settings.stored_edits(self.db).get(key)
            return Reply((t("config.set", lang, key=key, value=_show_setting(key, stored)),))
        if action == "unset" and len(args) == 2:
            key = args[1]
            self._edit(ctx, settings.unset_setting, key)
            self._changed()
            entries = {e.key: e for e in settings.settings_report(self.config, self.db)}
            now = entries[key].value if key in entries else "(unset)"
            return Reply((t("config.unset", lang, key=key, value=now),))
        raise UsageError()

    async def cmd_threshold(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/threshold [METRIC ABSOLUTE [RELATIVE%]]"""
        lang = ctx.lang
        if not args:
            alerts = self.effective().alerts
            lines = []
            for name, th in sorted(alerts.thresholds.items()):
                label = (
                    metric_name(Metric(name), lang) if name in Metric.__members__.values() else name
                )
                lines.append(
                    t(
                        "threshold.line",
                        lang,
                        metric=label,
                        absolute=render.localize_digits(f"{th.absolute:g}", lang),
                        relative=render.localize_digits(f"{th.relative * 100:g}", lang),
                    )
                )
            return Reply(("\n".join(lines),), title=t("threshold.title", lang))
        if len(args) not in (2, 3):
            raise UsageError()
        metric = "default" if args[0].lower() == "default" else lookup_metric(args[0])
        if metric is None:
            raise UsageError(t("unknown_metric", lang, metric=args[0]))
        name = metric if isinstance(metric, str) else metric.value
        edits = {f"alerts.thresholds.{name}.absolute": _number(args[1])}
        if len(args) == 3:
            edits[f"alerts.thresholds.{name}.relative"] = _share(args[2])
        for key, value in edits.items():
            settings.validate_edit(self.effective(), key, value)
        for key, value in edits.items():
            self._edit(ctx, settings.set_setting, key, value)
        self._changed()
        return await self.cmd_threshold(ctx, [])

    async def cmd_admins(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/admins"""
        config = self.effective()
        ids: Sequence[object] = (
            config.slack.admins if ctx.transport == "slack" else config.telegram.admins
        )
        shown = ", ".join(str(i) for i in ids) or t("admins.none", ctx.lang)
        return Reply((t("admins.title", ctx.lang, transport=ctx.transport, ids=shown),))


# ---------------------------------------------------------------- helpers


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _show_setting(key: str, value: object) -> str:
    """A stored value as `/config` shows it: a duration as `2d`, anything else as TOML-ish."""
    if settings.is_duration_key(key) and not isinstance(value, bool):
        try:
            return format_duration(parse_duration(value))
        except ValueError:
            pass
    return _show(value)


_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _number(text: str) -> float:
    cleaned = text.replace(",", "").replace("٬", "")
    if not _NUMBER.match(cleaned):
        raise UsageError()
    return float(cleaned)


def _share(text: str) -> float:
    """`5%` → 0.05; `0.05` → 0.05."""
    if text.endswith(("%", "٪")):
        return _number(text[:-1]) / 100
    return _number(text)


def render_interval(seconds: float) -> str:
    """`15m`, `2h`, `90s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"
