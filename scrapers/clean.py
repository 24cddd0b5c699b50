"""Canonical URLs, article text cleaning and Arabic dates.

Pure functions over strings: no I/O.  The furniture patterns and the month
names are data (tables below); a new widget or spelling is a one-line change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from figures.dates import MONTHS
from figures.text import fold
from scrapers.model import content_hash

log = logging.getLogger(__name__)

__all__ = [
    "ARABIC_MONTHS",
    "canonical_url",
    "clean_text",
    "content_hash",
    "find_arabic_date",
    "find_numeric_date",
    "http_url",
]

# ---------------------------------------------------------------- URLs

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "_ga",
        "__twitter_impression",
        "at_medium",
        "at_campaign",
        "xtor",
    }
)
"""Query parameters that say how a reader arrived, not what they read."""

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_")
"""Query parameter prefixes of the same kind (Google, Piwik/Matomo, AT Internet)."""


def canonical_url(url: str, base: str | None = None) -> str:
    """`url` (resolved against `base`) with scheme and host lowercased, the
    default port, the fragment and tracking parameters dropped; the order of
    the other parameters is kept."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname:
        host = parts.hostname.lower()
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:
            port = None
        default = {"http": 80, "https": 443}.get(scheme)
        userinfo = netloc.rpartition("@")[0]
        netloc = (f"{userinfo}@" if userinfo else "") + host
        if port is not None and port != default:
            netloc += f":{port}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    path = parts.path or ("/" if scheme in {"http", "https"} and netloc else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def http_url(url: str | None, base: str | None = None) -> str | None:
    """The canonical form of `url` if it is an absolute http(s) URL (after
    resolving against `base`), else None (`javascript:`, `mailto:`, `data:`…)."""
    if not url or not url.strip():
        return None
    try:
        canon = canonical_url(url, base)
        parts = urlsplit(canon)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return canon


# ---------------------------------------------------------------- text

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\u00ad]")
"""Zero-width characters, bidi marks, embeddings and isolates, soft hyphens."""

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

FURNITURE_LINES: tuple[str, ...] = (
    r"\+?\s*الخط\s*-?",  # Al-Araby font-size widget "+ الخط -"
    r"[+\-–]\s*(?:حجم\s+)?الخط\s*[+\-–]?",
    r"(?:A|ع)\s*[+-]\s*(?:A|ع)\s*[+-]?",
    r"\d{1,7}",  # lone counters (views, shares, comments)
    r"[\d.,٠-٩]+\s*(?:مشاهدة|مشاهدات|قراءة|تعليق|تعليقات|مشاركة|views?|shares?|comments?)",
    r"(?:شارك|شاركوا|مشاركة|انشر|تابعونا|تابعنا)(?:\s+(?:على|عبر|الخبر|المقال|هذا|المقالة))*"
    r"(?:\s*[:|]?\s*(?:فيسبوك|فيس بوك|تويتر|واتساب|تلغرام|تيليجرام|X|إكس|لينكدإن|البريد))*\s*:?",
    r"(?:فيسبوك|فيس بوك|تويتر|واتساب|تلغرام|تيليجرام|لينكدإن|طباعة|إرسال|ارسال|نسخ الرابط)"
    r"(?:\s*[|/·•]?\s*(?:فيسبوك|فيس بوك|تويتر|واتساب|تلغرام|تيليجرام|لينكدإن|طباعة|إرسال|ارسال|نسخ الرابط))*",
    r"(?:share|tweet|print|email|facebook|twitter|whatsapp|telegram)(?:\s*[|/·•]?\s*\w+){0,5}",
    r"(?:الرئيسية|الصفحة الرئيسية)\s*[>»/›].*",  # breadcrumbs
    # "follow <outlet's> news on Google News / our Telegram channel"
    r"(?:تابعوا|تابعونا|تابعنا|تابع)\s.{0,60}?(?:عبر|على|في)\s+(?:قناتنا\s+(?:على|في)\s+)?"
    r"(?:غوغل نيوز|جوجل نيوز|google news|تويتر|فيسبوك|فيس بوك|تلغرام|تيليجرام|واتساب|يوتيوب|إنستغرام)"
    r".{0,40}",
    # comment-section disclaimers and invitations
    r"(?:الآراء|التعليقات|المشاركات)\s+(?:الواردة|المنشورة)\s.{0,40}?لا\s+تعبر\s.{0,120}",
    r"(?:ي|ت)رحب\s+(?:شبكة|أسرة|إدارة|موقع|فريق)\s.{0,40}?ب(?:النقاش|التعليقات|تعليقات|مشاركات|آراء)"
    r".{0,400}",
    r"(?:المصدر|التاريخ|الكاتب|تاريخ النشر|آخر تحديث)\s*:",  # labels alone on their line
)
"""Whole lines that are site furniture (matched against the stripped line)."""

RELATED_HEADINGS: tuple[str, ...] = (
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "إقرأ أيضاً",
    "اقرأ ايضا",
    "اقرأ المزيد",
    "اقرأ أكثر",
    "أخبار ذات صلة",
    "اخبار ذات صلة",
    "مواضيع ذات صلة",
    "مقالات ذات صلة",
    "قد يهمك أيضا",
    "قد يهمك أيضاً",
    "قد يهمك",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "المزيد من الأخبار",
    "شاهد أيضا",
    "شاهد أيضاً",
    "related news",
    "related articles",
    "read more",
    "read also",
    "more on this story",
)
"""Headings of "related news" blocks: the heading line goes, and so do the
short headline lines that follow it, up to the next real paragraph."""

_FURNITURE = re.compile(r"^(?:" + "|".join(FURNITURE_LINES) + r")$", re.IGNORECASE)
_RELATED = re.compile(
    r"^(?:" + "|".join(re.escape(h) for h in RELATED_HEADINGS) + r")\s*[:：\-–|]?\s*(.*)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?؟…»\"”]\s*$")
_RELATED_ITEM_MAX = 140
"""A line after a related heading this short, with no sentence end, is a headline link."""


def clean_text(text: str) -> str:
    """Article text without invisible marks, site furniture or related-news
    blocks; spaces collapsed inside lines, paragraphs separated by one blank
    line, the order of everything kept."""
    text = INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    in_related = False
    for line in lines:
        if not line:
            if not in_related and out and out[-1]:
                out.append("")
            continue
        related = _RELATED.match(line)
        if related:
            # "اقرأ أيضا: <headline>" on one line, or a heading over a list
            in_related = not related.group(1)
            continue
        if in_related:
            if len(line) <= _RELATED_ITEM_MAX and not _SENTENCE_END.search(line):
                continue
            in_related = False
        if _FURNITURE.match(line):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# ---------------------------------------------------------------- dates

ARABIC_MONTHS: Mapping[str, int] = MONTHS
"""Month names as Arabic outlets write them (folded), to month numbers: the
figure engine's table (`figures.dates.MONTHS`), so there is one list to extend."""

_MONTH_NAMES = sorted(ARABIC_MONTHS, key=len, reverse=True)
_MONTH_BY_NAME = ARABIC_MONTHS
_MONTH = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in _MONTH_NAMES)
_ARABIC_DATE = re.compile(
    r"(?<!\d)(?:ال)?(?:ـ\s*)?(\d{1,2})\s*(?:من\s+)?"
    rf"(?:شهر\s+)?({_MONTH})(?:\s*[/(]\s*({_MONTH})\s*\)?)?"
    r"[\s,،]*(?:(?:من\s+)?(?:العام|عام|سنة)\s+)?(\d{4})(?!\d)"
)


def find_arabic_date(text: str, *, limit: int = 2000) -> datetime | None:
    """The first full Arabic date (day, month name, year) in the first `limit`
    characters of `text`, as midnight UTC: `02 نوفمبر 2017`, `2 تشرين الثاني
    2017`, `الخميس 14 شباط/فبراير 2019`, in Latin or Arabic-Indic digits.
    Hijri dates (`9 جمادى الآخرة 1440`) are passed over: their months are not
    in the table and their years are outside 1990-2100."""
    folded = fold(INVISIBLE.sub("", text[:limit]))
    for m in _ARABIC_DATE.finditer(folded):
        day, month_name, year = int(m.group(1)), m.group(2), int(m.group(4))
        month = _MONTH_BY_NAME.get(re.sub(r"\s+", " ", month_name))
        if month is not None and (when := _day(year, month, day)):
            return when
    return None


def _day(year: int, month: int, day: int) -> datetime | None:
    """Midnight UTC of that day; None for a day that does not exist or a year
    outside 1990-2100 (a Hijri year, a figure read as a year)."""
    if not 1990 <= year <= 2100:
        return None
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


_NUMERIC_DATE = re.compile(
    r"(?<![\d/.-])(?:(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{1,2})([-/.])(\d{1,2})\6(\d{4}))(?![\d/.-])"
)


def find_numeric_date(text: str) -> datetime | None:
    """The first all-digit date in `text` as midnight UTC: `2019-02-14`,
    `2019/02/14`, or day first as Arabic outlets write it, `14/02/2019`,
    `14.02.2019`.  Only for short date elements (a dateline box), never for
    body text, where such digits are often something else.  Years outside
    1990-2100 (a Hijri `1440/06/09`) are passed over."""
    folded = fold(INVISIBLE.sub("", text[:300]))
    for m in _NUMERIC_DATE.finditer(folded):
        if m.group(1):
            year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        else:
            day, month, year = int(m.group(5)), int(m.group(7)), int(m.group(8))
        if when := _day(year, month, day):
            return when
    return None
