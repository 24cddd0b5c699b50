"""The command core: every chat command, once, for every transport.

A transport (Telegram, Slack) turns a chat message into a `CommandContext`
and a command line, calls `Commands.handle`, and renders the `Reply` it gets
back: paragraphs of plain text, an optional table, optional choices (an
inline keyboard on Telegram, buttons on Slack) and an optional photo.  No
markup is made here, so a transport escapes everything it renders and article
text can never become markup.

A choice carries a command line (`/subscribe displaced`); pressing it runs
that line through `handle` again, so buttons and typed commands take one path.

Every admin edit goes through `bot.config.settings` (validated against the same
schema as the file, stored in SQLite over the TOML, audit-logged with who and
when) and then `on_change` (the running service's `reload`), so it takes
effect without a restart.  A non-admin gets a refusal and nothing changes.
Unknown commands and malformed arguments get a one-line usage reply; an
unexpected failure is logged with its traceback and the user gets one line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlite_utils import Database

from bot.chat import status
from bot.config import settings
from bot.config.schema import Config, ConfigError, NetworkConfig, format_duration, parse_duration
from bot.ingest.pipeline import document_text
from bot.render import messages as render
from bot.render.i18n import join, norm_lang, t
from bot.store import db as store
from bot.store import outbox as store_outbox
from figures import extract, gazetteer
from figures.diff import top_place
from figures.model import Metric, Qualifier, Scope, Unit
from figures.names import lookup_metric, metric_name
from scrapers.http import mask_urls

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MAX_CALLBACK_BYTES = 64
"""Telegram's limit on a button's data: a choice's command line must fit."""
LATEST_ROWS = 40
"""At most this many rows in /latest."""
HISTORY_ROWS = 10
"""Reports shown by /history."""
TEST_FIGURES = 25
"""At most this many figures listed by /source test."""
COMMAND_TIMEOUT = 45.0
"""Seconds a command may run (a /source test of a slow site) before it answers that it took
too long; it never holds up other chats' commands meanwhile (the transports run slow
commands concurrently)."""
SLOW_COMMANDS = frozenset({"source", "chart"})
"""Commands that may take seconds (a fetch, a DNS look-up, a chart): run concurrently."""
RESOLVE_TIMEOUT = 5.0
"""Seconds to resolve a new source's host name before refusing it."""
EVERYTHING_WORDS = frozenset({"all", "everything", "*", "الكل", "كل"})
"""Words that mean no filter in /subscribe and every subscription in /unsubscribe."""
DIGEST_WORDS = frozenset({"digest", "ملخص"})
"""A word in /subscribe asking for one message a day instead of one per change."""
DIGEST_LABEL = {"en": " (daily digest)", "ar": " (ملخص يومي)"}
"""What a digest subscription's description ends with."""


# ---------------------------------------------------------------- the contract


@dataclass(frozen=True)
class CommandContext:
    """Who is asking, where."""

    transport: str
    """telegram or slack."""
    chat_id: str
    """The chat (Telegram chat id, Slack channel id) as text."""
    chat_type: str
    """private, group, supergroup, channel (Telegram); channel, im (Slack)."""
    user_id: str
    """The sender's user id on that transport ('' when unknown, e.g. a channel post)."""
    is_admin: bool
    """The sender is in the transport's `admins`."""
    lang: str
    """The chat's language: ar or en."""
    can_manage: bool = True
    """The sender may change this chat's subscriptions and language: always in a private
    chat; in a group or channel only its administrators (the transport asks the chat)."""

    @property
    def actor(self) -> str:
        """Who, for the audit log: `telegram:123`."""
        return f"{self.transport}:{self.user_id or self.chat_id}"


@dataclass(frozen=True)
class Choice:
    """One button: a label and the command line it runs."""

    label: str
    """What the button says."""
    command: str
    """The command line pressing it runs (at most 64 bytes)."""


@dataclass(frozen=True)
class Table:
    """A small table: a header and rows of cells, all plain text."""

    header: tuple[str, ...]
    """Column titles."""
    rows: tuple[tuple[str, ...], ...]
    """Cells, one tuple per row, as many as the header."""


@dataclass(frozen=True)
class Reply:
    """What a command answers, before any transport's markup."""

    paragraphs: tuple[str, ...] = ()
    """Plain-text paragraphs (may hold newlines)."""
    title: str | None = None
    """A bold first line."""
    table: Table | None = None
    """A table shown monospace after the paragraphs."""
    choices: tuple[tuple[Choice, ...], ...] = ()
    """Rows of buttons."""
    photo: bytes | None = None
    """A PNG to send (the title is its caption)."""
    ok: bool = True
    """False for a usage line, a refusal or an error."""
    public: bool = False
    """A confirmation the whole chat should see (a subscription, a language): Slack posts it
    to the channel instead of only to the person who typed."""


@dataclass(frozen=True)
class CommandSpec:
    """One command: how it is typed and what it does, in both languages."""

    name: str
    """Without the slash."""
    usage: str
    """`/subscribe [metric…] [place…]`."""
    example: str
    """A command line that works."""
    en: str
    """What it does, in English (also the Telegram menu text)."""
    ar: str
    """What it does, in Arabic."""
    admin: bool = False
    """Only for admins."""


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "/start", "/start", "What raqib does", "ما الذي يفعله رقيب"),
    CommandSpec("help", "/help", "/help", "Every command, with an example", "كل الأوامر مع أمثلة"),
    CommandSpec(
        "subscribe",
        "/subscribe [metric…] [place…] [digest]",
        "/subscribe displaced deir-ez-zor",
        "Get alerts in this chat (all, or a metric and place)",
        "استقبل التنبيهات هنا (الكل، أو مؤشراً ومكاناً)",
    ),
    CommandSpec(
        "unsubscribe",
        "/unsubscribe [id|all]",
        "/unsubscribe all",
        "Stop a subscription, or all of them",
        "ألغِ اشتراكاً أو كل الاشتراكات",
    ),
    CommandSpec(
        "subscriptions",
        "/subscriptions",
        "/subscriptions",
        "This chat's subscriptions",
        "اشتراكات هذه المحادثة",
    ),
    CommandSpec(
        "latest",
        "/latest [place]",
        "/latest deir-ez-zor",
        "Current totals as a table",
        "الأرقام الحالية في جدول",
    ),
    CommandSpec(
        "history",
        "/history METRIC [place] [since DAY|WINDOW|total]",
        "/history displaced deir-ez-zor",
        "The last reports of a figure, with date and source",
        "آخر التقارير عن مؤشر مع التاريخ والمصدر",
    ),
    CommandSpec(
        "chart",
        "/chart METRIC [place] [since DAY|WINDOW|total]",
        "/chart displaced since 1-12",
        "A chart of a figure over time",
        "رسم بياني لمؤشر عبر الزمن",
    ),
    CommandSpec("sources", "/sources", "/sources", "Each source's health", "حالة كل مصدر"),
    CommandSpec("lang", "/lang ar|en", "/lang ar", "Language of this chat", "لغة هذه المحادثة"),
    CommandSpec(
        "source",
        "/source add NAME KIND URL [interval] | remove|pause|resume|test NAME",
        "/source add sohr rss https://www.syriahr.com/feed/ 15m",
        "Add, remove, pause, resume or dry-run a source",
        "أضف مصدراً أو احذفه أو أوقفه أو استأنفه أو جرّبه",
        admin=True,
    ),
    CommandSpec(
        "config",
        "/config [get KEY | set KEY VALUE | unset KEY]",
        "/config set alerts.event_dedupe 2d",
        "Show or change a setting",
        "اعرض إعداداً أو غيّره",
        admin=True,
    ),
    CommandSpec(
        "threshold",
        "/threshold [METRIC ABSOLUTE [RELATIVE%]]",
        "/threshold displaced 500 5%",
        "Show or set alert thresholds",
        "اعرض عتبات التنبيه أو غيّرها",
        admin=True,
    ),
    CommandSpec("admins", "/admins", "/admins", "Who the admins are", "من هم المشرفون", admin=True),
)
"""Every command, in the order /help lists them."""

SPECS: Mapping[str, CommandSpec] = {c.name: c for c in COMMANDS}
"""Commands by name."""

MANAGE_COMMANDS = frozenset({"subscribe", "unsubscribe", "lang"})
"""Commands that change what a chat receives: in a group or channel only its administrators
(or raqib's admins) may run them."""


class UsageError(Exception):
    """Malformed arguments: the reply is the message (or the command's usage)."""


def usage(name: str, lang: str) -> Reply:
    """The one-line usage reply of command `name`."""
    return Reply((t("usage", lang, usage=SPECS[name].usage),), ok=False)


def parse_command(text: str) -> tuple[str, list[str]]:
    """`/subscribe@raqib_bot displaced  deir-ez-zor` → (`subscribe`, [`displaced`, `deir-ez-zor`])."""
    words = text.strip().split()
    if not words:
        return "", []
    head = words[0].removeprefix("/").split("@", 1)[0].lower()
    return head, words[1:]


def addressee(text: str) -> str | None:
    """The bot a command is addressed to: `/help@other_bot` → `other_bot`; None for `/help`."""
    words = text.strip().split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    _, at, name = words[0].partition("@")
    return name if at else None


def for_another_bot(text: str, username: str | None) -> bool:
    """True when `text` is a command addressed to a bot other than `username` (in a group,
    `/subscribe@other_bot` is that bot's, never ours)."""
    to = addressee(text)
    return to is not None and to.lower() != (username or "").lower()


# ---------------------------------------------------------------- reading names


@dataclass(frozen=True)
class Filter:
    """What a /subscribe asked for."""

    metrics: tuple[str, ...] = ()
    """Metric values (empty: all)."""
    places: tuple[str, ...] = ()
    """Place ids (empty: everywhere)."""


def parse_filter(args: Sequence[str], lang: str) -> Filter:
    """Metric and place names (English or Arabic, several words each) → a Filter.

    The longest run of words that names something wins; UsageError names the
    first word that names nothing."""
    words = [w for a in args for w in a.replace(",", " ").replace("،", " ").split()]
    metrics: list[str] = []
    places: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(4, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if n == 1 and phrase.lower() in EVERYTHING_WORDS:
                break
            if (metric := lookup_metric(phrase)) is not None:
                if metric.value not in metrics:
                    metrics.append(metric.value)
                break
            if (place := gazetteer.lookup_place(phrase)) is not None:
                if place not in places:
                    places.append(place)
                break
        else:
            raise UsageError(t("sub.unknown_word", lang, word=words[i]))
        i += n
    return Filter(tuple(metrics), tuple(places))


def split_metric(args: Sequence[str], lang: str) -> tuple[Metric, str | None]:
    """`displaced deir ez-zor` → (Metric.DISPLACED, `deir-ez-zor`); UsageError if unreadable."""
    if not args:
        raise UsageError()
    for n in range(min(4, len(args)), 0, -1):
        metric = lookup_metric(" ".join(args[:n]))
        if metric is not None:
            return metric, read_place(args[n:], lang)
    raise UsageError(t("unknown_metric", lang, metric=args[0]))


def read_place(args: Sequence[str], lang: str) -> str | None:
    """The place id named by all of `args` (None for no words); UsageError if unknown."""
    if not args:
        return None
    phrase = " ".join(args)
    place = gazetteer.lookup_place(phrase)
    if place is None:
        raise UsageError(t("unknown_place", lang, place=phrase))
    return place


def describe_filter(metrics: Sequence[str] | None, places: Sequence[str] | None, lang: str) -> str:
    """`Displaced, Killed at Deir ez-Zor` / `all changes`."""
    names = [metric_name(Metric(m), lang) for m in metrics or ()]
    where = [render.place_name(p, lang) or p for p in places or ()]
    if not names and not where:
        return t("sub.all_changes", lang)
    what = join(names, lang) if names else t("sub.all_changes", lang)
    return t("sub.at", lang, metrics=what, places=join(where, lang)) if where else what


def in_area(row_place: str | None, place: str) -> bool:
    """A state row's place is `place`, inside it, or the governorate that holds it."""
    if row_place is None:
        return False
    return place in gazetteer.ancestors(row_place) or row_place == top_place(place)


# ---------------------------------------------------------------- which series

SINCE_WORDS = frozenset({"since", "from", "منذ", "من"})
"""A word before the day a running total counts from: `/chart displaced since 1-12`."""
TOTAL_WORDS = frozenset({"total", "overall", "الإجمالي", "إجمالي"})
"""The running total with no start date."""
_WINDOW_WORD = re.compile(r"^\d+(?:h|d|w|m|y)$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SINCE_KEY = re.compile(r"^(?:(\d{4})|-)-(\d{2})-(\d{2})$")
_MONTH_WORDS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january", "يناير", "كانون الثاني"),
            ("feb", "february", "فبراير", "شباط"),
            ("mar", "march", "مارس", "آذار"),
            ("apr", "april", "أبريل", "نيسان"),
            ("may", "مايو", "أيار"),
            ("jun", "june", "يونيو", "حزيران"),
            ("jul", "july", "يوليو", "تموز"),
            ("aug", "august", "أغسطس", "آب"),
            ("sep", "sept", "september", "سبتمبر", "أيلول"),
            ("oct", "october", "أكتوبر", "تشرين الأول"),
            ("nov", "november", "نوفمبر", "تشرين الثاني"),
            ("dec", "december", "ديسمبر", "كانون الأول"),
        )
    )
    for name in names
}


@dataclass(frozen=True)
class SeriesWanted:
    """Which series of a metric /chart or /history was asked for (nothing: the headline)."""

    since: tuple[int | None, int, int] | None = None
    """(year or None, month, day) of a running total's start."""
    window: str | None = None
    """A window such as `48h` or `2w`."""
    total: bool = False
    """The running total with no start date."""
    words: str = ""
    """As typed, for messages."""


def _digits(text: str) -> str:
    return text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))


def read_day(words: Sequence[str]) -> tuple[tuple[int | None, int, int] | None, int]:
    """`1-12` / `1/12/2018` / `2018-12-01` / `1 Dec` → ((year, month, day), words used)."""
    if not words:
        return None, 0
    first = _digits(words[0].lower())
    if m := _ISO_DAY.match(first):
        return (int(m.group(1)), int(m.group(2)), int(m.group(3))), 1
    if m := _DAY_MONTH.match(first):
        year = int(m.group(3)) if m.group(3) else None
        return (year, int(m.group(2)), int(m.group(1))), 1
    if first.isdecimal() and len(words) > 1:
        month = _MONTH_WORDS.get(words[1].lower())
        if month is not None:
            return (None, month, int(first)), 2
    return None, 0


def split_series(args: Sequence[str], lang: str) -> tuple[list[str], SeriesWanted]:
    """Pull `since DAY`, a window (`48h`) or `total` out of a command's words."""
    rest: list[str] = []
    since: tuple[int | None, int, int] | None = None
    window: str | None = None
    total = False
    typed: list[str] = []
    i = 0
    while i < len(args):
        word = args[i].lower()
        if word in SINCE_WORDS and i + 1 < len(args):
            day, used = read_day(args[i + 1 : i + 3])
            if day is None or not (1 <= day[1] <= 12 and 1 <= day[2] <= 31):
                raise UsageError(t("series.bad_since", lang, date=args[i + 1]))
            since = day
            typed += args[i : i + 1 + used]
            i += 1 + used
            continue
        if _WINDOW_WORD.match(_digits(word)):
            window = _digits(word)
            typed.append(args[i])
        elif word in TOTAL_WORDS:
            total = True
            typed.append(args[i])
        else:
            rest.append(args[i])
        i += 1
    return rest, SeriesWanted(since, window, total, " ".join(typed))


def _key_since(key: str) -> tuple[int | None, int, int] | None:
    since = store.key_from_text(key).since
    m = _SINCE_KEY.match(since or "")
    if not m:
        return None
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)), int(m.group(3)))


def matches(key: str, wanted: SeriesWanted) -> bool:
    """The series `key` is the one asked for."""
    parsed = store.key_from_text(key)
    if wanted.since is not None:
        have = _key_since(key)
        if have is None or have[1:] != wanted.since[1:]:
            return False
        return wanted.since[0] is None or have[0] in (None, wanted.since[0])
    if wanted.window is not None:
        return parsed.window == wanted.window
    if wanted.total:
        return parsed.scope is Scope.TOTAL and not parsed.since and not parsed.window
    return True


def headline_key(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The series a reader means by a metric: the running total whose statements (not
    background figures) are the most recent, then the most numerous; else any series."""
    best: dict[str, tuple[int, str, int, str]] = {}
    for row in rows:
        key = row.get("key")
        if not key:
            continue
        total = int((row.get("scope") or "total") == "total")
        statement = row.get("status") != "context"
        day = str(row.get("published") or "")[:10] if statement else ""
        was = best.get(key, (total, "", 0, ""))
        best[key] = (
            total,
            max(was[1], day),
            was[2] + int(statement),
            max(was[3], str(row.get("published") or "")),
        )
    return max(best, key=lambda k: best[k]) if best else None


def selector(key: str, lang: str) -> str:
    """How to ask for series `key` in /chart and /history: `since 1-12`, `48h`, `total`."""
    parsed = store.key_from_text(key)
    if (since := _key_since(key)) is not None:
        year = f"-{since[0]}" if since[0] else ""
        word = "منذ" if lang == "ar" else "since"
        return render.localize_digits(f"{word} {since[2]}-{since[1]}{year}", lang)
    if parsed.window:
        return render.localize_digits(parsed.window, lang)
    if parsed.scope is Scope.TOTAL:
        return "الإجمالي" if lang == "ar" else "total"
    return ""


# ---------------------------------------------------------------- source URLs


async def check_source_url(url: str, network: NetworkConfig) -> None:
    """ConfigError unless the scrapers may fetch `url`: the HTTP client's own guard
    (`scrapers.http.check_url`: http(s) only and, unless `allow_private_networks`, no
    loopback, private, link-local or reserved address in any spelling, and a host name
    that resolves to a public address), answered within `RESOLVE_TIMEOUT`."""
    from scrapers.http import FetchError, check_url, mask_url

    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            await check_url(url, allow_private_networks=network.allow_private_networks)
    except FetchError as exc:
        raise ConfigError("url", exc.message.removeprefix(f"{mask_url(url)}: ")) from None
    except TimeoutError:
        raise ConfigError("url", "cannot resolve the host in time") from None


# ---------------------------------------------------------------- chats (small queries of our own)


def chat_lang(db: Database, transport: str, chat_id: str, default: str = "en") -> str:
    """The language set for a chat with /lang, else `default` (normalised to ar/en)."""
    return norm_lang(store_outbox.chat_lang(db, transport, chat_id) or default)


def set_chat_lang(db: Database, transport: str, chat_id: str, lang: str, now: datetime) -> None:
    """Store a chat's language; its subscriptions' alerts follow it."""
    store_outbox.set_chat_lang(db, transport, chat_id, lang, now)


def chat_subscriptions(db: Database, transport: str, chat_id: str) -> list[store.Subscription]:
    """The active subscriptions of one chat, oldest first."""
    return [
        s
        for s in store.active_subscriptions(db)
        if s.transport == transport and s.chat_id == str(chat_id)
    ]


# ---------------------------------------------------------------- the core


Handler = Callable[["Commands", CommandContext, list[str]], Any]


class Commands:
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
        from scrapers.http import mask_urls

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

    def _edit(self, ctx: CommandContext, edit: Callable[..., _T], *args: Any) -> _T:
        """One admin edit through `bot.config.settings` (validated, stored over the file and
        audited as this chat's user); the caller applies it with `_changed`."""
        return edit(
            self.db,
            self.config,
            *args,
            actor=ctx.actor,
            transport=ctx.transport,
            now=self.clock(),
        )

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:  # the edit is stored; the service's watcher applies it next time
            log.exception("commands: applying an admin edit at once failed")

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
        sub_id = store.add_subscription(
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
            store.deactivate_subscription(self.db, sub.id, f"unsubscribed by {ctx.actor}")
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
        rows = [r for r in store.totals(self.db) if r["scope"] == Scope.TOTAL.value]
        if place is not None:
            rows = [r for r in rows if in_area(r["place"], place)]
        if not rows:
            return Reply((t("no_data", lang),))
        lines = []
        for row in rows[:LATEST_ROWS]:  # lines, not a wide table: they wrap on a phone
            key = store.key_from_text(row["key"])
            state = store.state_from_row(row)
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
        rows = store.history(self.db, metric.value, where)
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


def _same(stored: tuple[str, ...] | None, wanted: tuple[str, ...] | None) -> bool:
    return sorted(stored or ()) == sorted(wanted or ())


def _reason(exc: ConfigError) -> str:
    return f"{exc.key}: {exc.message}" if exc.key else exc.message


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


def render_interval(seconds: float) -> str:
    """`15m`, `2h`, `90s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


__all__ = [
    "COMMANDS",
    "Choice",
    "CommandContext",
    "CommandSpec",
    "Commands",
    "Reply",
    "Table",
]
