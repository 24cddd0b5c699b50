"""Pure parsing of what a user asks for: the metrics and places named in /subscribe
(`parse_filter`, `describe_filter`), the metric and place of /latest, /history and /chart
(`split_metric`, `read_place`, `in_area`), and which series of a metric is meant
(`split_series`: `since DAY`, a window such as `48h`, or `total`; `matches`, `headline_key`,
`selector`).  Words in English or Arabic; no I/O; a malformed request raises `UsageError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.chat.table import UsageError
from bot.render import messages as render
from bot.render.i18n import join, t
from bot.store import db as store
from figures import gazetteer
from figures.diff import top_place
from figures.model import Metric, Scope
from figures.names import lookup_metric, metric_name

EVERYTHING_WORDS = frozenset({"all", "everything", "*", "الكل", "كل"})
"""Words that mean no filter in /subscribe and every subscription in /unsubscribe."""


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
