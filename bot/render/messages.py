"""Alert rendering: one message per change, in the chat's language.

`alert_text(alert, lang)` builds the pieces as plain text (`AlertText`): the
headline ("Displaced in Deir ez-Zor since 1 Dec: 38,550 (was more than
36,500)"), the kind of change, the Arabic quote split around the figure, the
outlet and date, the link (http/https only, else none) and the corroborating
outlets.  `alert_html` turns them into Telegram HTML with every piece of
article text escaped, split under 4096 characters with `split_html`;
`alert_mrkdwn` into Slack mrkdwn.  `reply_html` does the same for a command
`Reply`.

Numbers are written with Western digits and a thousands comma in English, and
with Arabic-Indic digits and the Arabic separator in Arabic.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.render.i18n import localize_digits, t
from bot.render.markup import (
    ELLIPSIS,
    escape_html,
    escape_mrkdwn,
    is_web_url,
    safe_link,
    slack_link,
    split_html,
)
from bot.store.outbox import AlertView
from figures import gazetteer
from figures.diff import Key
from figures.model import TERRITORY, Qualifier, Unit
from figures.names import metric_name

if TYPE_CHECKING:  # a Reply is only read here
    from bot.render.reply import Reply

log = logging.getLogger(__name__)

QUALIFIER_WORDS: dict[Qualifier, tuple[str, str]] = {
    Qualifier.EXACT: ("", ""),
    Qualifier.APPROX: ("about ", "نحو "),
    Qualifier.MORE_THAN: ("more than ", "أكثر من "),
    Qualifier.AT_LEAST: ("at least ", "ما لا يقل عن "),
    Qualifier.LESS_THAN: ("less than ", "أقل من "),
    Qualifier.AT_MOST: ("at most ", "ما لا يزيد عن "),
}
"""How a qualifier reads before a number (en, ar): in alerts, digests and charts."""

VAGUE_WORDS: dict[float, tuple[str, str]] = {
    10: ("tens", "عشرات"),
    100: ("hundreds", "مئات"),
    1000: ("thousands", "آلاف"),
    10000: ("tens of thousands", "عشرات الآلاف"),
    100000: ("hundreds of thousands", "مئات الآلاف"),
    1000000: ("millions", "ملايين"),
}
"""A vague quantity's floor and the words for it (en, ar)."""

UNIT_WORDS: dict[Unit, tuple[str, str]] = {
    Unit.PERSON: ("", ""),
    Unit.HOUSEHOLD: (" families", " عائلة"),
    Unit.KM2: (" km²", " كم²"),
    Unit.PERCENT: ("%", "٪"),
    Unit.PLACE: (" places", " منطقة"),
}
"""What follows a number of each unit (en, ar), inline (a chart's axis names the unit
in its own words: `bot.render.charts.UNIT_NAMES`)."""

DATE_PATTERNS = {"en": "d MMM", "ar": "d MMMM"}
"""Day and month, in Babel's (CLDR's) pattern language: `12 Feb`, «١٢ فبراير» (CLDR's
Arabic month names are the ones outlets in Egypt and the Gulf write)."""

WINDOW_UNITS: dict[str, dict[str, dict[str, str]]] = {
    "h": {
        "en": {"one": "hour", "other": "hours"},
        "ar": {"one": "ساعة", "two": "ساعتين", "few": "ساعات", "many": "ساعة", "other": "ساعة"},
    },
    "d": {
        "en": {"one": "day", "other": "days"},
        "ar": {"one": "يوم", "two": "يومين", "few": "أيام", "many": "يوماً", "other": "يوم"},
    },
    "w": {
        "en": {"one": "week", "other": "weeks"},
        "ar": {
            "one": "أسبوع",
            "two": "أسبوعين",
            "few": "أسابيع",
            "many": "أسبوعاً",
            "other": "أسبوع",
        },
    },
    "m": {
        "en": {"one": "month", "other": "months"},
        "ar": {"one": "شهر", "two": "شهرين", "few": "أشهر", "many": "شهراً", "other": "شهر"},
    },
}
"""A window unit's word for each CLDR plural category of a count (Babel says which one a
count takes): in Arabic `few` is 3-10 (and 103-110…: «٣ أيام»), `many` 11-99 («٢٠ يوماً»),
`other` 100-102, 200… («١٠٠ يوم»); `one` and `two` stand without the number
(«خلال يومين»)."""

QUOTE_LIMIT = 300
"""About the most characters of article text an alert quotes, centred on the figure."""
TITLE_LIMIT = 200
"""Most characters of an article's headline in an alert (the link's label)."""
NAME_LIMIT = 80
"""Most characters of an outlet's name, or of a place's or a series' name, in an alert."""
ALSO_LIMIT = 8
"""Most corroborating outlets named in an alert (then `+N`)."""
HEADLINE_LIMIT = 300
"""Most characters of an alert's headline.  With the quote, the title and the names
capped, one alert is always one message: well under Telegram's 4,096 characters and
Slack's 3,000 per section (`bot.render.markup`)."""

_WINDOW = re.compile(r"^(\d+)([hdwm])$")
_SINCE = re.compile(r"^(?:(\d{4})|-)-(\d{2})-(\d{2})$")


# ---------------------------------------------------------------- pieces


def _i(lang: str) -> int:
    return 1 if lang == "ar" else 0


def number(value: float, lang: str) -> str:
    """`38,550`, `0.0007`, `2.5`; in Arabic with Arabic-Indic digits."""
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.4g}"
    return localize_digits(text, lang)


def amount(
    value: float,
    qualifier: Qualifier,
    vague: bool,
    unit: Unit,
    lang: str,
    *,
    unit_words: bool = True,
    digits: Callable[[float, str], str] | None = None,
) -> str:
    """`more than 38,550`, `less than 2 km²`, `thousands (1,000+)`, in `lang`: the one
    way a figure is written, in alerts, digests, `/latest`, `/history` and chart labels.

    A vague figure (a quantity word: its value is a floor) never reads as an exact
    number: its word with the floor (`hundreds (100+)`, «مئات (١٠٠+)»), or `100+` when
    there is no word for it.  Without `unit_words` the unit is left out (a chart's axis
    names it); `digits` writes the number (default `number`)."""
    i = _i(lang)
    write = digits or number
    words = VAGUE_WORDS.get(value) if vague else None
    if words is not None and unit in {Unit.PERSON, Unit.HOUSEHOLD}:
        core = t("vague", lang, words=words[i], value=write(value, lang))
    elif vague:
        core = f"{write(value, lang)}+"
    else:
        core = write(value, lang)
    after = UNIT_WORDS[unit][i] if unit_words else ""
    return f"{QUALIFIER_WORDS[qualifier][i]}{core}{after}"


def format_date(
    moment: datetime, lang: str, *, with_year: bool = True, with_time: bool = False
) -> str:
    """`12 Feb 2019` / `١٢ فبراير ٢٠١٩` (without `with_year`: `12 Feb`; with
    `with_time`: `12 Feb 2019 14:00`)."""
    text = _day_month(moment.date(), lang)
    if with_year:
        text += f" {moment.year}"
    if with_time:
        text += f" {moment:%H:%M}"
    return localize_digits(text, lang)


def _day_month(day: date, lang: str) -> str:
    from babel.dates import format_date as babel_date

    return str(babel_date(day, DATE_PATTERNS[_lang(lang)], locale=_lang(lang)))


def _lang(lang: str) -> str:
    return "ar" if lang == "ar" else "en"


def plural_category(count: int, lang: str) -> str:
    """The CLDR plural category of `count` in `lang` (Babel's rules): `one`, `two`,
    `few`, `many` or `other` (zero takes `other`)."""
    from babel import Locale

    category = str(Locale.parse(_lang(lang)).plural_form(count))
    return "other" if category == "zero" else category


def format_since(since: str, lang: str) -> str:
    """`--12-01` → `1 Dec`, `2018-12-01` → `1 Dec 2018` (unknown forms and
    impossible dates as given)."""
    m = _SINCE.match(since)
    if not m:
        return since
    year, month, day = int(m.group(1) or 2000), int(m.group(2)), int(m.group(3))
    try:
        when = date(year, month, day)
    except ValueError:
        return since
    text = _day_month(when, lang)
    if m.group(1):
        text += f" {year}"
    return localize_digits(text, lang)


def format_window(window: str, lang: str) -> str:
    """`48h` → `in 48 hours` / `خلال ٤٨ ساعة`; unknown forms as given."""
    m = _WINDOW.match(window)
    if not m:
        return window
    n = int(m.group(1))
    category = plural_category(n, lang)
    word = WINDOW_UNITS[m.group(2)][_lang(lang)][category]
    if lang != "ar":
        return f"in {n} {word}"
    if category in {"one", "two"}:
        return f"خلال {word}"
    return f"خلال {localize_digits(str(n), lang)} {word}"


def place_name(place_id: str | None, lang: str) -> str | None:
    """A place id's name in `lang` (the id itself if the gazetteer does not know it)."""
    return _name(place_id, gazetteer.place, lang)


def party_name(party_id: str | None, lang: str) -> str | None:
    """A party id's name in `lang` (the id itself if unknown)."""
    return _name(party_id, gazetteer.party, lang)


def _name(
    ident: str | None, find: Callable[[str], gazetteer.Entry | None], lang: str
) -> str | None:
    if not ident:
        return None
    entry = find(ident)
    if entry is None:
        return ident
    return entry.name_ar if lang == "ar" else entry.name_en


# ---------------------------------------------------------------- the alert


@dataclass(frozen=True)
class AlertText:
    """An alert's pieces as plain text, before any markup."""

    headline: str
    """Series, value and value before: `Displaced in Deir ez-Zor since 1 Dec: 38,550 (was …)`."""
    kind: str
    """The kind of change, in words."""
    quote_before: str
    """The quote up to the figure."""
    quote_figure: str
    """The figure's own words (shown in bold)."""
    quote_after: str
    """The quote after the figure."""
    credit: str
    """`SOHR, 12 Feb 2019`."""
    url: str | None
    """The article link, only if it is http(s)."""
    link_label: str
    """What the link reads (the headline of the article, or "article")."""
    also: str | None
    """`Also reported by: …`, when other outlets corroborate."""


def key_label(
    key: Key,
    lang: str,
    *,
    fine_place: str | None = None,
    party: str | None = None,
    metric: bool = True,
    place: bool = True,
) -> str:
    """`Displaced in Deir ez-Zor since 1 Dec`, `Area held (Islamic State) in …`; without
    `metric`, only what follows the metric's name."""
    label = metric_name(key.metric, lang) if metric else ""
    who = party_name(key.party or party, lang) if key.metric in TERRITORY else None
    if who and metric:
        label = t("alert.held_by", lang, metric=label, party=who)
    where = place_name(fine_place or key.place, lang) if place else None
    if where:
        label += t("alert.in", lang, place=where)
    if key.window:
        label += t("alert.window", lang, window=format_window(key.window, lang))
    if key.since:
        label += t("alert.since", lang, date=format_since(key.since, lang))
    return label.strip()


def series_label(alert: AlertView, lang: str) -> str:
    """The series of an alert, with the finer place the article named."""
    return key_label(alert.key, lang, fine_place=alert.fine_place, party=alert.party)


def alert_text(alert: AlertView, lang: str) -> AlertText:
    """The pieces of the message for `alert` in `lang`."""
    now = amount(alert.value, alert.qualifier, alert.vague, alert.unit, lang)
    was = ""
    if alert.prev_value is not None and alert.kind != "event":
        before = amount(
            alert.prev_value,
            alert.prev_qualifier or Qualifier.EXACT,
            bool(alert.prev_vague),
            alert.unit,
            lang,
        )
        was = t("alert.was_plain" if ")" in before else "alert.was", lang, value=before)
    before, figure, after = quote_parts(alert.quote, alert.quote_start, alert.quote_end)
    also = [clip(o, NAME_LIMIT) for o in alert.sources if o and o != alert.outlet]
    if len(also) > ALSO_LIMIT:
        also = [*also[:ALSO_LIMIT], f"+{localize_digits(str(len(also) - ALSO_LIMIT), lang)}"]
    series = clip(series_label(alert, lang), NAME_LIMIT * 2)
    return AlertText(
        headline=clip(t("alert.headline", lang, series=series, value=now, was=was), HEADLINE_LIMIT),
        kind=t(f"kind.{alert.kind}", lang) if f"kind.{alert.kind}" in _KINDS else alert.kind,
        quote_before=_squash(before),
        quote_figure=_squash(figure),
        quote_after=_squash(after),
        credit=f"{clip(alert.outlet, NAME_LIMIT)}, {format_date(alert.published, lang)}",
        url=alert.url if is_web_url(alert.url) else None,
        link_label=clip(alert.title, TITLE_LIMIT) or t("alert.article", lang),
        also=t("alert.also", lang, outlets=", ".join(also)) if also else None,
    )


def clip(text: str, limit: int) -> str:
    """`text` with its whitespace squashed, cut to at most `limit` characters at a word
    boundary (or mid-word, for one long word) with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit - len(ELLIPSIS)
    return text[:cut].rstrip() + ELLIPSIS


def _in_word(ch: str) -> bool:
    """A letter, digit or mark (Arabic vowel signs, tatweel): part of a word."""
    return ch.isalnum() or unicodedata.category(ch)[0] == "M" or ch == "\u0640"


def quote_parts(quote: str, start: int, end: int, limit: int = QUOTE_LIMIT) -> tuple[str, str, str]:
    """The quote around the figure at quote[start:end], as (before, figure, after): the
    figure widened to whole words (بال<b>مئات</b> is never shown), the quote cut to about
    `limit` characters centred on it, at word boundaries, with an ellipsis where cut.
    Offsets outside the quote mark nothing: the whole quote, cut from its start."""
    if not 0 <= start < end <= len(quote):
        start = end = len(quote)
    else:
        while start > 0 and _in_word(quote[start - 1]):
            start -= 1
        while end < len(quote) and _in_word(quote[end]):
            end += 1
    lo, hi = 0, len(quote)
    if hi - lo > limit:
        room = max(limit - (end - start), 0)
        left = min(start, room // 2)
        right = min(len(quote) - end, room - left)
        left = min(start, room - right)
        lo, hi = start - left, end + right
        while 0 < lo < start and not quote[lo - 1].isspace():
            lo += 1  # never start inside a word
        while end < hi < len(quote) and not quote[hi].isspace():
            hi -= 1  # never end inside one
    before, figure, after = quote[lo:start], quote[start:end], quote[end:hi]
    if len(figure) > limit:  # a span of a whole page: its start is enough
        figure, after, hi = clip(figure, limit), "", len(quote)
    if lo > 0:
        before = ELLIPSIS + before.lstrip()
    if hi < len(quote):
        after = after.rstrip() + ELLIPSIS
    return before, figure, after


_KINDS = {"kind.new", "kind.increase", "kind.decrease", "kind.conflict", "kind.event"}


def _squash(text: str) -> str:
    """Runs of whitespace (newlines included) as one space, keeping the edges' single spaces."""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    inner = " ".join(text.split())
    return f"{lead}{inner}{trail}" if inner else (" " if text else "")


def _alert_parts(
    a: AlertText,
    escape: Callable[[str], str],
    quote: Callable[[AlertText], str],
    link: Callable[[str, str], str],
    bold: Callable[[str], str],
    italic: Callable[[str], str],
) -> list[str]:
    """An alert's pieces in one markup: headline, kind, quote, credit with the link,
    the corroborating outlets (every piece of article text escaped)."""
    linked = link(a.url, a.link_label) if a.url else escape(a.link_label)
    parts = [
        bold(escape(a.headline)),
        italic(escape(a.kind)),
        quote(a),
        f"{escape(a.credit)} · {linked}",
    ]
    if a.also:
        parts.append(escape(a.also))
    return parts


def _html_quote(a: AlertText) -> str:
    quote = (
        f"{escape_html(a.quote_before)}<b>{escape_html(a.quote_figure)}</b>"
        f"{escape_html(a.quote_after)}"
        if a.quote_figure.strip()
        else escape_html(a.quote_before + a.quote_after)
    )
    return f"<blockquote>{quote.strip()}</blockquote>"


def _mrkdwn_quote(a: AlertText) -> str:
    quote = (
        f"{escape_mrkdwn(a.quote_before)}*{escape_mrkdwn(a.quote_figure.strip())}*"
        f"{escape_mrkdwn(a.quote_after)}"
    )
    return f"> {quote.strip()}"


def alert_html(alert: AlertView, lang: str) -> list[str]:
    """The alert as Telegram HTML, in chunks of at most 4096 characters."""
    parts = _alert_parts(
        alert_text(alert, lang),
        escape_html,
        _html_quote,
        safe_link,
        "<b>{}</b>".format,
        "<i>{}</i>".format,
    )
    return split_html("\n\n".join(parts))


def alert_mrkdwn(alert: AlertView, lang: str) -> str:
    """The alert as Slack mrkdwn (every piece of article text escaped)."""
    parts = _alert_parts(
        alert_text(alert, lang),
        escape_mrkdwn,
        _mrkdwn_quote,
        slack_link,
        "*{}*".format,
        "_{}_".format,
    )
    return "\n".join(parts)


def alert_plain(alert: AlertView, lang: str) -> str:
    """The alert as plain text (what a reader sees), e.g. for logs and notices."""
    a = alert_text(alert, lang)
    lines = [a.headline, a.kind, f"«{(a.quote_before + a.quote_figure + a.quote_after).strip()}»"]
    lines.append(f"{a.credit} · {a.url or a.link_label}")
    if a.also:
        lines.append(a.also)
    return "\n".join(lines)


# ---------------------------------------------------------------- command replies


def table_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned plain-text columns (for a monospace block)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def _reply_parts(
    reply: Reply,
    escape: Callable[[str], str],
    title: Callable[[str], str],
    block: Callable[[str], str],
) -> list[str]:
    """A reply's title, paragraphs and table, each escaped and marked up, in order."""
    parts = [title(escape(reply.title))] if reply.title else []
    parts += [escape(p) for p in reply.paragraphs if p]
    if reply.table is not None and reply.table.rows:
        parts.append(block(escape(table_text(reply.table.header, reply.table.rows))))
    return parts


def _same(text: str) -> str:
    return text


def reply_html(reply: Reply) -> list[str]:
    """A command reply as Telegram HTML chunks (the title bold, the table monospace)."""
    parts = _reply_parts(reply, escape_html, "<b>{}</b>".format, "<pre>{}</pre>".format)
    return split_html("\n\n".join(parts)) if parts else []


def reply_plain(reply: Reply) -> str:
    """A command reply as plain text."""
    return "\n\n".join(_reply_parts(reply, _same, _same, _same))
