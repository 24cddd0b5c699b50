"""Daily digests: one message a day with every change for a chat's filter.

The schedule is `[alerts] digest = "daily HH:MM"` (UTC), or
`"daily HH:MM Area/City"` with an IANA time zone (`daily 08:00 Asia/Damascus`);
`parse_schedule` reads it and `DigestSchedule.next_due` does the arithmetic,
daylight-saving changes included.  A subscription opts in with its `digest`
flag (`/subscribe … digest`).

How digests travel (the service's digest tick, `send_digests`, does the sending):

- the pipeline writes a digest subscription's outbox rows with status
  `held` (`HELD`) instead of `pending`, so the per-change delivery never sees
  them: a digest chat gets no individual alerts;
- `due_digests(db, schedule, now)` lists the digest subscriptions whose time
  has come (the first scheduled time after their last digest, or after the
  subscription was made, is not later than `now`) and that have held rows;
- `send_digests` renders each in the chat's language with `digest_text` (the
  items from `bot.store.outbox.change_for_alert` of the rows' changes, via
  `DigestItem.from_alert`; Telegram HTML, Slack mrkdwn and plain text from one
  composition), sends one message through the subscription's transport
  (`Transport.send_text`; Telegram splits a long one with
  `bot.render.markup.split_html`), and then `mark_digest_sent` marks those rows sent
  in one transaction.  A failed send leaves them held for the next tick; a
  crash between sending and marking repeats one digest at worst; nothing is
  lost.

A day with no changes sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlite_utils import Database

from bot.config.schema import DigestSchedule as DigestSchedule
from bot.config.schema import parse_schedule as parse_schedule
from bot.delivery.loop import SendResult, Text, Transport
from bot.render.charts import METRIC_NAMES, format_number, format_since
from bot.render.i18n import localize_digits, t
from bot.render.markup import escape_html, escape_mrkdwn
from bot.render.messages import amount, format_date
from bot.render.messages import format_window as render_window
from bot.render.messages import place_name as chart_place_name
from bot.store import db as store
from bot.store import outbox as store_outbox
from bot.store.outbox import HELD as HELD  # the status of a row held for its digest
from bot.store.outbox import AlertView
from figures.model import Metric, Qualifier, Scope, Unit

log = logging.getLogger(__name__)

Lang = Literal["ar", "en"]


# The schedule's grammar (`DigestSchedule`, `parse_schedule`) is a value type of
# the configuration, which validates `[alerts] digest` with it: bot/config/schema.py.


def is_due(schedule: DigestSchedule, last: datetime, now: datetime) -> bool:
    """True when a scheduled time has passed since `last` (the last digest, or
    the subscription's creation when it has had none)."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    return schedule.next_due(last) <= now


# ---------------------------------------------------------------- what goes in a digest


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One change, as much of it as a digest line shows."""

    kind: str
    """new, increase, decrease, conflict or event."""
    metric: Metric
    """What is counted."""
    place: str | None
    """Place id of the key."""
    scope: Scope
    """total, window or batch."""
    window: str | None
    """Window length (`48h`) for window figures."""
    since: str | None
    """Start of a running total (`--12-01`)."""
    unit: Unit
    """Unit of the values."""
    value: float
    """The value the change reports."""
    qualifier: Qualifier
    """Its hedge."""
    vague: bool
    """A quantity word: `value` is its floor."""
    prev_value: float | None
    """The state before the change (None for a first value)."""
    prev_qualifier: Qualifier | None
    """Its hedge."""
    outlet: str
    """Who reported the change."""
    published: datetime
    """When."""
    sources: tuple[str, ...] = ()
    """Outlets that had reported the value when the change was recorded."""
    prev_vague: bool = False
    """The state before was a quantity word."""

    @classmethod
    def from_alert(cls, view: AlertView) -> DigestItem:
        """From `bot.store.outbox.change_for_alert(db, change_id)`."""
        key = view.key
        return cls(
            kind=view.kind,
            metric=Metric(key.metric),
            place=key.place,
            scope=Scope(key.scope),
            window=key.window,
            since=key.since,
            unit=view.unit,
            value=view.value,
            qualifier=view.qualifier,
            vague=view.vague,
            prev_value=view.prev_value,
            prev_qualifier=view.prev_qualifier,
            outlet=view.outlet,
            published=view.published,
            sources=tuple(view.sources),
            prev_vague=bool(view.prev_vague),
        )

    @property
    def group(self) -> tuple[int, str, str, str, str, str]:
        """Items of one series share this (and sort by it: metric order, then place)."""
        order = list(Metric).index(self.metric)
        return (
            order,
            self.place or "",
            self.scope.value,
            self.window or "",
            self.since or "",
            self.unit.value,
        )


MOVES_STATE = frozenset({"new", "increase", "decrease", "event"})


def _w(name: str, lang: Lang, **values: object) -> str:
    """A digest's words (`digest.*` in the one string table, `bot.render.i18n`)."""
    return t(f"digest.{name}", lang, **values)


def _count(name: str, n: int, lang: Lang) -> str:
    """`1 report`, `3 reports` (the Arabic reads as a label with its count: التقارير: ٣)."""
    word = f"{name}s" if n != 1 else name
    return _w(word, lang, n=format_number(n, lang))


def format_window(window: str, lang: Lang) -> str:
    """`48h` → `in 48 hours` / `خلال ٤٨ ساعة`, `2w` → `in 2 weeks` / `خلال أسبوعين`: the
    alerts' words (`bot.render.messages.format_window`)."""
    return render_window(window, lang)


# ---------------------------------------------------------------- composing


Segment = tuple[str, bool]
"""A piece of text and whether it is bold."""


def digest_lines(items: Iterable[DigestItem], lang: Lang) -> list[list[Segment]]:
    """One line per series (metric, place, window/since), in metric order: the
    latest value, what it was before the first change of the period, how many
    reports and who made them."""
    groups: dict[tuple[int, str, str, str, str, str], list[DigestItem]] = {}
    for item in sorted(items, key=lambda i: (i.group, i.published)):
        groups.setdefault(item.group, []).append(item)
    lines: list[list[Segment]] = []
    for members in groups.values():
        head = members[0]
        ar = 1 if lang == "ar" else 0
        label = [METRIC_NAMES[head.metric][ar]]
        if head.place:
            label.append(chart_place_name(head.place, lang) or head.place)
        if head.window:
            label.append(format_window(head.window, lang))
        if head.since:
            label.append(format_since(head.since, lang))
        line: list[Segment] = [(label[0], True)]
        line += [(" · " + part, False) for part in label[1:]]
        line.append((": ", False))
        moved = [m for m in members if m.kind in MOVES_STATE]
        if moved:
            latest = moved[-1]
            line.append((_value(latest, lang), True))
            first = moved[0]
            if head.scope is Scope.TOTAL:
                if first.prev_value is None:
                    line.append((f" ({_w('first', lang)})", False))
                else:
                    prev = amount(
                        first.prev_value,
                        first.prev_qualifier or Qualifier.EXACT,
                        first.prev_vague,
                        first.unit,
                        lang,
                    )
                    line.append((f" ({_w('was', lang, value=prev)})", False))
            elif len(moved) > 1:
                n = format_number(len(moved), lang)
                line.append((f" ({_w('events', lang, n=n)})", False))
        conflicts = [m for m in members if m.kind == "conflict"]
        if conflicts:
            sep = "; " if moved else ""
            value = _value(conflicts[-1], lang)
            line.append((sep + _w("conflicting", lang, value=value), False))
        outlets: list[str] = []
        for m in members:
            for name in (m.outlet, *m.sources):
                if name not in outlets:
                    outlets.append(name)
        reports = _count("report", len(members), lang)
        line.append((f" — {reports}: {', '.join(outlets)}", False))
        lines.append(line)
    return lines


def _value(item: DigestItem, lang: Lang) -> str:
    return amount(item.value, item.qualifier, item.vague, item.unit, lang)


def compose_digest(
    items: Sequence[DigestItem],
    lang: Lang = "en",
    *,
    since: datetime | None = None,
    html_mode: bool = True,
) -> str:
    """The digest message for `items` (the changes held for one chat since its
    last digest): a header with the count and, if given, the start of the
    period, then one line per series.  Telegram HTML (every piece of text
    escaped) or, with `html_mode=False`, plain text."""
    return _compose(items, lang, since, _html if html_mode else _plain)


def digest_text(items: Sequence[DigestItem], lang: Lang, *, since: datetime | None = None) -> Text:
    """The digest in every markup a transport speaks (Telegram HTML, Slack mrkdwn, plain)."""
    return Text(
        html=_compose(items, lang, since, _html),
        mrkdwn=_compose(items, lang, since, _mrkdwn),
        plain=_compose(items, lang, since, _plain),
    )


def _compose(
    items: Sequence[DigestItem],
    lang: Lang,
    since: datetime | None,
    render: Callable[[Sequence[Segment]], str],
) -> str:
    count = _count("change", len(items), lang)
    header: list[Segment] = [(_w("title", lang), True), (" — " + count, False)]
    if since is not None:
        when = format_date(since.astimezone(UTC), lang) + f" {since.astimezone(UTC):%H:%M} UTC"
        if lang == "ar":
            when = localize_digits(when, lang).replace("UTC", "ت.ع.م")
        header.append((" " + _w("since", lang, when=when), False))
    lines = digest_lines(items, lang) or [[(_w("none", lang), False)]]
    bullet = "• "
    return "\n".join([render(header), *(bullet + render(line) for line in lines)])


def _html(segments: Sequence[Segment]) -> str:
    return "".join(
        f"<b>{escape_html(text)}</b>" if bold else escape_html(text) for text, bold in segments
    )


def _mrkdwn(segments: Sequence[Segment]) -> str:
    return "".join(
        f"*{escape_mrkdwn(text)}*" if bold else escape_mrkdwn(text) for text, bold in segments
    )


def _plain(segments: Sequence[Segment]) -> str:
    return "".join(text for text, _bold in segments)


# ---------------------------------------------------------------- the outbox


@dataclass(frozen=True, slots=True)
class DueDigest:
    """A subscription whose digest should go out now."""

    subscription_id: int
    """The digest subscription."""
    transport: str
    """telegram, slack or console."""
    chat_id: str
    """Destination chat."""
    lang: str
    """ar or en."""
    since: datetime
    """Its last digest (or its creation): the start of the period."""
    outbox_ids: tuple[int, ...]
    """The held outbox rows, oldest first."""
    change_ids: tuple[int, ...]
    """Their changes, in the same order."""


def due_digests(db: Database, schedule: DigestSchedule, now: datetime) -> list[DueDigest]:
    """Active digest subscriptions whose scheduled time has passed since their
    last digest and that hold at least one change."""
    subs = store_outbox.digest_subscriptions(db)
    due: list[DueDigest] = []
    for sub_id, transport, chat_id, lang, created_at, last_sent in subs:
        stamp = last_sent or created_at
        baseline = store.parse_iso(stamp) if stamp else now
        if not is_due(schedule, baseline, now):
            continue
        held = store_outbox.held_rows(db, sub_id)
        if not held:
            continue
        due.append(
            DueDigest(
                subscription_id=sub_id,
                transport=transport,
                chat_id=str(chat_id),
                lang=lang or "en",
                since=baseline,
                outbox_ids=tuple(r[0] for r in held),
                change_ids=tuple(r[1] for r in held),
            )
        )
    return due


def mark_digest_sent(db: Database, outbox_ids: Sequence[int], now: datetime) -> None:
    """The digest holding these rows went out: all of them are sent, at once."""
    store_outbox.mark_held_sent(db, outbox_ids, now)


DEFAULT_SCHEDULE = DigestSchedule(8, 0)
"""When `[alerts] digest` is not set, digest subscriptions get theirs at 08:00 UTC."""


def schedule_from_config(digest: str | None) -> DigestSchedule:
    """The schedule of `[alerts] digest` (`config.alerts.digest`), else the default."""
    return parse_schedule(digest) if digest else DEFAULT_SCHEDULE


# ---------------------------------------------------------------- sending


async def send_digests(
    db: Database, transports: Mapping[str, Transport], schedule: DigestSchedule, now: datetime
) -> int:
    """Send every digest due at `now` through its subscription's transport; how many went.

    A digest that went out marks its rows sent; one that failed leaves them held
    for the next tick, except that a chat that is gone ends its subscription, a
    chat that moved is followed, and a message the platform refuses outright
    (malformed) marks its rows dead rather than being refused every day."""
    sent = 0
    for due in due_digests(db, schedule, now):
        transport = transports.get(due.transport)
        if transport is None:  # that transport is off in this process: keep the rows held
            log.debug("digest: %s is off; #%d waits", due.transport, due.subscription_id)
            continue
        views = (store_outbox.change_for_alert(db, c) for c in due.change_ids)
        items = [DigestItem.from_alert(v) for v in views if v is not None]
        lang: Lang = "ar" if due.lang == "ar" else "en"
        text = digest_text(items, lang, since=due.since)
        try:
            result = await transport.send_text(due.chat_id, text)
        except Exception as exc:  # a transport should not raise: try again at the next tick
            log.exception("digest: %s raised for %s", due.transport, due.chat_id)
            result = SendResult(False, error=f"{type(exc).__name__}: {exc}")
        if result.ok:
            mark_digest_sent(db, due.outbox_ids, now)
            sent += 1
            log.info("digest: %d change(s) to %s %s", len(items), due.transport, due.chat_id)
        else:
            _failed(db, due, result)
    return sent


def _failed(db: Database, due: DueDigest, result: SendResult) -> None:
    error = result.error or "failed"
    if result.deactivate:
        log.warning("digest: %s chat %s is gone: %s", due.transport, due.chat_id, error)
        store_outbox.deactivate_subscription(db, due.subscription_id, error)
    elif result.moved_to:
        store_outbox.move_chat(db, due.transport, due.chat_id, result.moved_to)
    elif result.permanent:
        log.warning("digest: %s refused the digest for %s: %s", due.transport, due.chat_id, error)
        store_outbox.mark_held_dead(db, due.outbox_ids, f"digest refused: {error}")
    else:
        log.info("digest: to %s %s failed (%s); next tick", due.transport, due.chat_id, error)
