"""The command core: every chat command, once, for every transport.

A transport (Telegram, Slack) turns a chat message into a `CommandContext`
(`bot.chat.table`) and a command line, calls `Commands.handle`, and renders the
`Reply` (`bot.render.reply`) it gets back: paragraphs of plain text, an optional
table, optional choices (an inline keyboard on Telegram, buttons on Slack) and an
optional photo.  No markup is made here, so a transport escapes everything it
renders and article text can never become markup.

A choice carries a command line (`/subscribe displaced`); pressing it runs
that line through `handle` again, so buttons and typed commands take one path.

Here: `handle` (who may run what, the time limit, the usage and failure replies)
and the commands for everyone; what their words mean is read by `bot.chat.filters`;
the admin commands are `bot.chat.admin.AdminCommands`, mixed in.  A non-admin gets
a refusal and nothing changes.  Unknown commands and malformed arguments get a
one-line usage reply; an unexpected failure is logged with its traceback and the
user gets one line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from bot.chat import status
from bot.chat.admin import AdminCommands
from bot.chat.filters import (
    EVERYTHING_WORDS,
    describe_filter,
    headline_key,
    in_area,
    matches,
    parse_filter,
    read_place,
    selector,
    split_metric,
    split_series,
)
from bot.chat.table import (
    COMMANDS,
    MANAGE_COMMANDS,
    SPECS,
    CommandContext,
    CommandSpec,
    UsageError,
    parse_command,
)
from bot.config import settings
from bot.config.logs import redact
from bot.config.schema import Config, ConfigError
from bot.render import messages as render
from bot.render.i18n import join, norm_lang, t
from bot.render.reply import Choice, Reply, Table
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
from figures import gazetteer
from figures.diff import top_place
from figures.model import Metric, Qualifier, Scope, Unit
from figures.names import metric_name
from scrapers.urls import mask_urls

log = logging.getLogger(__name__)

LATEST_ROWS = 40
"""At most this many rows in /latest."""
HISTORY_ROWS = 10
"""Reports shown by /history."""
COMMAND_TIMEOUT = 45.0
"""Seconds a command may run (a /source test of a slow site) before it answers that it took
too long; it never holds up other chats' commands meanwhile (the transports run slow
commands concurrently)."""
DIGEST_WORDS = frozenset({"digest", "ملخص"})
"""A word in /subscribe asking for one message a day instead of one per change."""
DIGEST_LABEL = {"en": " (daily digest)", "ar": " (ملخص يومي)"}
"""What a digest subscription's description ends with."""


# ---------------------------------------------------------------- chats (small queries of our own)


def chat_lang(db: Database, transport: str, chat_id: str, default: str = "en") -> str:
    """The language set for a chat with /lang, else `default` (normalised to ar/en)."""
    return norm_lang(store_outbox.chat_lang(db, transport, chat_id) or default)


def set_chat_lang(db: Database, transport: str, chat_id: str, lang: str, now: datetime) -> None:
    """Store a chat's language; its subscriptions' alerts follow it."""
    store_outbox.set_chat_lang(db, transport, chat_id, lang, now)


def chat_subscriptions(
    db: Database, transport: str, chat_id: str
) -> list[store_outbox.Subscription]:
    """The active subscriptions of one chat, oldest first."""
    return [
        s
        for s in store_outbox.active_subscriptions(db)
        if s.transport == transport and s.chat_id == str(chat_id)
    ]


# ---------------------------------------------------------------- the core


Handler = Callable[["Commands", CommandContext, list[str]], Any]


class Commands(AdminCommands):
    """Runs command lines for one database and config; one instance per process."""

    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        on_change: Callable[[], object] | None = None,
        next_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        """The file's config (admin edits are read from the database on top of it)."""
        self.db = db
        self.on_change = on_change
        """Called after an admin edit (the service's `reload`)."""
        self.next_runs = next_runs
        """The scheduler's next run per source, inside `raqib run`."""
        self.clock = clock
        self.on_failure: Callable[[str], Awaitable[object]] | None = None
        """Tells the admin chat (set by the transport, which masks its secrets in the text)."""

    def effective(self) -> Config:
        """The file's config with the admin edits over it."""
        return settings.effective_config(self.config, self.db)

    def lang_of(self, transport: str, chat_id: str, default: str = "en") -> str:
        """The chat's language (for a transport building a context)."""
        return chat_lang(self.db, transport, chat_id, default)

    async def handle(
        self, ctx: CommandContext, text: str, args: Sequence[str] | None = None
    ) -> Reply:
        """Run one command line (`/subscribe displaced`), or a command `text` with `args`."""
        name, parsed = parse_command(text)
        words = list(args) if args is not None else parsed
        spec = SPECS.get(name)
        if spec is None:
            shown = "/" + name if name else text.strip()[:40]
            return Reply((t("unknown", ctx.lang, command=shown),), ok=False)
        if spec.admin and not ctx.is_admin:
            log.warning("commands: %s (not an admin) tried /%s", ctx.actor, name)
            return Reply((t("refused", ctx.lang, command="/" + name),), ok=False)
        if name in MANAGE_COMMANDS and not (ctx.can_manage or ctx.is_admin):
            log.info(
                "commands: %s (not a chat admin) tried /%s in %s", ctx.actor, name, ctx.chat_id
            )
            return Reply((t("refused.group", ctx.lang, command="/" + name),), ok=False)
        method: Callable[[CommandContext, list[str]], Any] = getattr(self, f"cmd_{name}")
        limit = asyncio.timeout(COMMAND_TIMEOUT)
        try:
            async with limit:
                return await method(ctx, words)  # type: ignore[no-any-return]
        except TimeoutError:
            if not limit.expired():
                raise
            log.warning("commands: /%s from %s took over %.0f s", name, ctx.actor, COMMAND_TIMEOUT)
            return Reply((t("too_slow", ctx.lang, seconds=round(COMMAND_TIMEOUT)),), ok=False)
        except UsageError as exc:
            line = str(exc) or t("usage", ctx.lang, usage=spec.usage)
            return Reply((line,), ok=False)
        except ConfigError as exc:
            return Reply((t("source.refused", ctx.lang, reason=_reason(exc)),), ok=False)
        except Exception as exc:
            log.exception("commands: /%s from %s in %s failed", name, ctx.actor, ctx.chat_id)
            await self.report_failure(ctx, text if args is None else f"/{name}", exc)
            return Reply((t("error", ctx.lang),), ok=False)

    async def report_failure(self, ctx: CommandContext, line: str, exc: BaseException) -> None:
        """Tell the admin chat that a command failed: which, where, who and the error (one
        line; the traceback is in the log).  Never raises."""
        if self.on_failure is None:
            return
        from scrapers.urls import mask_urls

        error = mask_urls(f"{type(exc).__name__}: {exc}")[:300]
        notice = t(
            "notice.command",
            "en",
            command=" ".join(line.split())[:100],
            chat=ctx.chat_id,
            actor=ctx.actor,
            error=error,
        )
        try:
            await self.on_failure(notice)
        except Exception:
            log.exception("commands: telling the admins about a failed command failed")

    # ------------------------------------------------------------ everyone

    async def cmd_start(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/start"""
        return Reply((t("start", ctx.lang), t("start.next", ctx.lang)), title="raqib · رقيب")

    async def cmd_help(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/help"""
        lang = ctx.lang

        def line(spec: CommandSpec) -> str:
            what = spec.ar if lang == "ar" else spec.en
            return f"{spec.usage} — {what}\n  {t('help.example', lang, example=spec.example)}"

        paragraphs = [t("start", lang)]
        paragraphs += [line(s) for s in COMMANDS if not s.admin]
        names = ", ".join(f"{m.value} ({metric_name(m, 'ar')})" for m in Metric)
        paragraphs.append(t("help.metrics", lang, names=names))
        paragraphs.append(t("help.admin", lang) + ":")
        paragraphs += [line(s) for s in COMMANDS if s.admin]
        return Reply(tuple(paragraphs), title=t("help.title", lang))

    async def cmd_subscribe(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/subscribe [metric…] [place…] [digest]"""
        lang = ctx.lang
        digest = any(a.lower() in DIGEST_WORDS for a in args)
        args = [a for a in args if a.lower() not in DIGEST_WORDS]
        if not args and not digest:
            buttons = [Choice(metric_name(m, lang), f"/subscribe {m.value}") for m in Metric]
            buttons.append(Choice(t("sub.everything", lang), "/subscribe all"))
            rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
            return Reply((t("sub.choose", lang),), choices=rows)
        wanted = parse_filter(args, lang)
        metrics, places = wanted.metrics or None, wanted.places or None
        what = describe_filter(metrics, places, lang) + (
            DIGEST_LABEL.get(lang, DIGEST_LABEL["en"]) if digest else ""
        )
        for sub in chat_subscriptions(self.db, ctx.transport, ctx.chat_id):
            same = _same(sub.metrics, metrics) and _same(sub.places, places)
            if same and sub.digest == digest:
                return Reply((t("sub.exists", lang, id=sub.id, what=what),), public=True)
        sub_id = store_outbox.add_subscription(
            self.db,
            ctx.transport,
            ctx.chat_id,
            metrics=metrics,
            places=places,
            lang=lang,
            digest=digest,
            chat_type=ctx.chat_type,
            created_by=ctx.actor,
            now=self.clock(),
        )
        log.info("commands: %s subscribed chat %s (#%d): %s", ctx.actor, ctx.chat_id, sub_id, what)
        return Reply((t("sub.done", lang, id=sub_id, what=what),), public=True)

    async def cmd_unsubscribe(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/unsubscribe [id|all]"""
        lang = ctx.lang
        subs = chat_subscriptions(self.db, ctx.transport, ctx.chat_id)
        if not subs:
            return Reply((t("sub.none", lang),))
        if not args:  # never a silent deletion: ask which, even when there is only one
            buttons = [
                Choice(
                    t("sub.line", lang, id=s.id, what=describe_filter(s.metrics, s.places, lang))[
                        :60
                    ],
                    f"/unsubscribe {s.id}",
                )
                for s in subs
            ]
            if len(subs) > 1:
                buttons.append(Choice(t("sub.everything", lang), "/unsubscribe all"))
            return Reply((t("unsub.choose", lang),), choices=tuple((b,) for b in buttons))
        if len(args) == 1 and args[0].lower() in EVERYTHING_WORDS:
            chosen = subs
        elif len(args) == 1 and args[0].lstrip("#").isdecimal():
            wanted = int(args[0].lstrip("#"))
            chosen = [s for s in subs if s.id == wanted]
            if not chosen:
                return Reply((t("unsub.missing", lang, id=wanted),), ok=False)
        else:
            raise UsageError()
        for sub in chosen:
            store_outbox.deactivate_subscription(self.db, sub.id, f"unsubscribed by {ctx.actor}")
        ids = join((render.localize_digits(f"#{s.id}", lang) for s in chosen), lang)
        return Reply((t("unsub.done", lang, ids=ids),), public=True)

    async def cmd_subscriptions(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/subscriptions"""
        lang = ctx.lang
        subs = chat_subscriptions(self.db, ctx.transport, ctx.chat_id)
        if not subs:
            return Reply((t("sub.none", lang),))
        lines = [
            t("sub.line", lang, id=s.id, what=describe_filter(s.metrics, s.places, lang))
            + (DIGEST_LABEL.get(lang, DIGEST_LABEL["en"]) if s.digest else "")
            for s in subs
        ]
        return Reply(("\n".join(lines),), title=t("sub.list", lang))

    async def cmd_latest(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/latest [place]"""
        lang = ctx.lang
        place = read_place(args, lang)
        rows = [r for r in store_figures.totals(self.db) if r["scope"] == Scope.TOTAL.value]
        if place is not None:
            rows = [r for r in rows if in_area(r["place"], place)]
        if not rows:
            return Reply((t("no_data", lang),))
        lines = []
        for row in rows[:LATEST_ROWS]:  # lines, not a wide table: they wrap on a phone
            key = store.key_from_text(row["key"])
            state = store_figures.state_from_row(row)
            value = render.amount(state.value, state.qualifier, state.vague, state.unit, lang)
            when = render.format_date(state.as_of, lang)
            source = (
                t("latest.source", lang, outlet=state.outlet, date=when) if state.outlet else when
            )
            lines.append(
                t(
                    "latest.line",
                    lang,
                    figure=render.key_label(key, lang),
                    value=value,
                    source=source,
                )
            )
        title = (
            t("latest.title_at", lang, place=render.place_name(place, lang))
            if place
            else t("latest.title", lang)
        )
        return Reply(("\n".join(lines),), title=title)

    def _history_rows(self, metric: Metric, place: str | None) -> list[dict[str, Any]]:
        where = top_place(place) if place else None
        rows = store_figures.history(self.db, metric.value, where)
        if place is not None and where != place:
            rows = [r for r in rows if place in gazetteer.ancestors(r.get("fine_place") or "")]
        return rows

    def _series(
        self, args: Sequence[str], lang: str
    ) -> tuple[Metric, str | None, str | None, list[dict[str, Any]], list[str]]:
        """The metric, place, chosen series key, its rows and the other series' selectors
        for /chart and /history: the headline series unless `since DAY`, a window or
        `total` picks another."""
        rest, wanted = split_series(args, lang)
        metric, place = split_metric(rest, lang)
        rows = self._history_rows(metric, place)
        if not rows:
            return metric, place, None, [], []
        keys = list(dict.fromkeys(str(r["key"]) for r in rows if r.get("key")))
        if wanted.words:
            fitting = [r for r in rows if matches(str(r.get("key")), wanted)]
            if not fitting:
                choices = join(dict.fromkeys(s for k in keys if (s := selector(k, lang))), lang)
                raise UsageError(
                    t(
                        "series.none",
                        lang,
                        metric=metric_name(metric, lang),
                        wanted=wanted.words,
                        choices=choices,
                    )
                )
            key = headline_key(fitting)
        else:
            key = headline_key(rows)
        chosen = [r for r in rows if r.get("key") == key] if key else rows
        others = [s for k in keys if k != key and (s := selector(k, lang))]
        return metric, place, key, chosen, list(dict.fromkeys(others))

    def _series_name(self, metric: Metric, place: str | None, key: str | None, lang: str) -> str:
        if key is not None:
            return render.key_label(store.key_from_text(key), lang)
        name = metric_name(metric, lang)
        if place:
            name += t("alert.in", lang, place=render.place_name(place, lang))
        return name

    async def cmd_history(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/history METRIC [place] [since DAY | WINDOW | total]"""
        lang = ctx.lang
        metric, place, key, rows, others = self._series(args, lang)
        if not rows:
            return Reply((t("no_data", lang),))
        statements = [r for r in rows if r.get("status") != "context"][-HISTORY_ROWS:]
        room = HISTORY_ROWS - len(statements)
        background = [r for r in rows if r.get("status") == "context"][-room:] if room else []
        cells = []
        for row in [*statements, *background]:
            value = render.amount(
                row["value"],
                Qualifier(row["qualifier"]),
                bool(row["vague"]),
                Unit(row["unit"]),
                lang,
            )
            if row.get("status") == "context":
                value = t("history.background", lang, value=value)
            kind = row.get("change_kind")
            cells.append(
                (
                    render.format_date(store.parse_iso(row["published"]), lang),
                    value,
                    row.get("outlet") or "",
                    t(f"kind.{kind}", lang) if kind else "",
                )
            )
        name = self._series_name(metric, place, key, lang)
        header = tuple(t(f"col.{c}", lang) for c in ("date", "value", "source", "change"))
        title = t("history.title", lang, metric=name, count=len(cells))
        paragraphs = (t("series.others", lang, choices=join(others, lang)),) if others else ()
        return Reply(paragraphs, title=title, table=Table(header, tuple(cells)))

    async def cmd_chart(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/chart METRIC [place] [since DAY | WINDOW | total]"""
        from bot.render.charts import render_chart_async
        from bot.render.series import series_from_history

        lang = ctx.lang
        metric, place, key, rows, others = self._series(args, lang)
        if not rows:
            return Reply((t("no_data", lang),))
        chart_lang: Literal["ar", "en"] = "ar" if lang == "ar" else "en"
        series = series_from_history(rows, metric, place, chart_lang, key=key)
        png = await render_chart_async(series, chart_lang)
        name = self._series_name(metric, place, key, lang)
        title = t("chart.caption", lang, metric=name)
        if others:
            title += "\n" + t("series.others", lang, choices=join(others, lang))
        return Reply(title=title, photo=png)

    async def cmd_sources(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/sources: each source's health in the chat's language; the error texts (which
        may name internal addresses) only for raqib's admins."""
        runs = self.next_runs() if self.next_runs is not None else None
        report = status.service_status(self.config, self.db, runs, now=self.clock())
        lang, now = ctx.lang, report.at
        lines = [t("sources.title", lang, count=len(report.sources))]
        for s in report.sources:
            if not s.enabled:
                state = t("sources.paused", lang)
            elif s.consecutive_failures:
                state = t("sources.failing", lang, count=s.consecutive_failures)
            elif s.empty_content:
                state = t("sources.empty", lang)
            elif s.last_success is None:
                state = t("sources.new", lang)
            else:
                state = t("sources.ok", lang)
            parts = [
                t("sources.line", lang, name=s.name, kind=s.kind, state=state),
                t("sources.success", lang, when=ago_text(s.last_success, now, lang)),
            ]
            if s.enabled:
                parts.append(
                    t("sources.next", lang, when=ago_text(s.next_run, now, lang))
                    if s.next_run
                    else t("sources.next_service", lang)
                )
            if s.last_error and ctx.is_admin:
                error = mask_urls(s.last_error)[:200]
                parts.append(
                    t("sources.error", lang, when=ago_text(s.last_error_at, now, lang), error=error)
                )
            lines.append("  " + " · ".join(parts))
        if not report.sources:
            lines.append("  " + t("sources.none", lang))
        queue = t("sources.outbox", lang, count=report.outbox_pending)
        if report.outbox_dead:
            queue += t("sources.dead", lang, count=report.outbox_dead)
        lines.append(queue)
        lines.append(t("sources.sent", lang, when=ago_text(report.last_sent, now, lang)))
        return Reply(("\n".join(lines),))

    async def cmd_lang(self, ctx: CommandContext, args: list[str]) -> Reply:
        """/lang ar|en"""
        if len(args) != 1 or norm_lang(args[0]) != args[0].lower().split("-")[0]:
            raise UsageError()
        lang = norm_lang(args[0])
        set_chat_lang(self.db, ctx.transport, ctx.chat_id, lang, self.clock())
        return Reply((t("lang.done", lang),), public=True)


def command_core(
    config: Config,
    db_path: Path | str | None,
    commands: Commands | None,
    *,
    notify_admins: Callable[[str], Awaitable[object]],
    secrets: Sequence[str],
) -> Commands:
    """The command core a chat transport answers with: `commands`, or a new one with its
    own connection to `db_path` (default `[storage] database`).  Unless it has one
    already, it gets an `on_failure` that tells the transport's admins (`notify_admins`)
    of a failed command, each of `secrets` masked in the text."""
    if commands is None:
        commands = Commands(config, store.open_db(db_path or config.storage.database))
    if commands.on_failure is None:

        async def tell_admins(text: str) -> None:
            await notify_admins(redact(text, secrets))

        commands.on_failure = tell_admins
    return commands


class AnswersCommands:
    """What a chat transport that answers commands with a `Commands` core shares."""

    commands: Commands
    """The command core the transport answers with."""

    def bind(
        self,
        on_change: Callable[[], object] | None,
        next_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
    ) -> None:
        """Let admin edits apply at once (`Service.reload`) and /sources show the scheduler's
        next runs; without this the service's settings watcher applies edits within
        `delivery_poll_interval` seconds."""
        self.commands.on_change = on_change
        self.commands.next_runs = next_runs


# ---------------------------------------------------------------- helpers


def _same(stored: tuple[str, ...] | None, wanted: tuple[str, ...] | None) -> bool:
    return sorted(stored or ()) == sorted(wanted or ())


def _reason(exc: ConfigError) -> str:
    return f"{exc.key}: {exc.message}" if exc.key else exc.message


def ago_text(moment: datetime | None, now: datetime, lang: str) -> str:
    """`5m ago`, `in 2h`, `never` — `منذ ٥ دقيقة` in Arabic."""
    if moment is None:
        return t("ago.never", lang)
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if span >= size or unit == "s":
            text = t(f"unit.{unit}", lang, n=int(span // size))
            break
    return t("ago.future" if seconds > 0 else "ago.past", lang, span=text)


__all__ = ["AnswersCommands", "Commands", "command_core"]
