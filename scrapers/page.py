"""Article pages and HTML fragments to clean text, a title and a date.

One cleaner for every HTML we read: article pages of `html` sources, pages of
`rss` entries with `fetch_pages`, `.html` files, and feed summaries.  With a
content selector the body is what it selects; without one, the main text is
the block with the most paragraph text once navigation, asides, share widgets,
related links and comments are dropped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup, Tag
from bs4.element import CData, NavigableString, PageElement
from lxml import etree

from scrapers.clean import clean_text, find_arabic_date, find_numeric_date, http_url

log = logging.getLogger(__name__)

DROP_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "footer",
    "button",
    "select",
    "input",
    "textarea",
    "iframe",
    "svg",
    "canvas",
    "video",
    "audio",
    "figcaption",
    "menu",
    "dialog",
)
"""Tags that never hold article text.  `<form>` is not one of them: ASP.NET
sites wrap the whole page in one `<form id="aspnetForm">`; a form is dropped
only when it holds no page content (`_holds_content`)."""

DROP_ROLES = frozenset(
    {"navigation", "complementary", "contentinfo", "banner", "search", "menu", "dialog"}
)
"""ARIA roles of page furniture."""

DROP_HINTS: tuple[str, ...] = (
    "share",
    "sharing",
    "social",
    "related",
    "comment",
    "comments",
    "sidebar",
    "widget",
    "breadcrumb",
    "breadcrumbs",
    "menu",
    "nav",
    "navbar",
    "footer",
    "advert",
    "advertisement",
    "ads",
    "ad",
    "promo",
    "newsletter",
    "subscribe",
    "popup",
    "modal",
    "cookie",
    "tags",
    "most-read",
    "mostread",
    "popular",
    "author-box",
    "read-more",
    "readmore",
    "font-size",
    "fontsize",
    "recommended",
    "more-on",
)
"""Words in a class or id that mark furniture (matched as whole `-`/`_` parts)."""

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "figure",
        "address",
        "hr",
    }
)
"""Tags whose text is a paragraph of its own."""

_HINT = re.compile(
    r"(?:^|[-_\s])(?:" + "|".join(re.escape(h) for h in DROP_HINTS) + r")(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_MIN_PARAGRAPH = 25
"""Characters a <p> needs to count towards a block's score."""

DATE_META: tuple[tuple[str, str], ...] = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "DC.date.issued"),
    ("property", "og:published_time"),
    ("name", "sailthru.date"),
)
"""<meta> attributes that carry the publication time, in order of trust."""

DATE_HINTS: tuple[str, ...] = (
    "date",
    "time",
    "tmstmp",
    "stamp",
    "publish",
    "posted",
    "dateline",
    "created",
    "submitted",
    "byline",
    "article-info",
    "post-meta",
    "entry-meta",
)
"""Parts of a class or id that mark a visible dateline box (matched anywhere
in the word: `cnn_strytmstmp`, `article-dates`, `date-simple`, `entry-meta`)."""

_DATE_HINT = re.compile("|".join(re.escape(h) for h in DATE_HINTS), re.IGNORECASE)
_DATELINE_MAX = 300
"""Characters a dateline box may hold (more is a container, not a dateline)."""
_DATELINE_BOXES = 50
"""Dateline boxes looked at, at most, in a page."""
_OUTSIDE_ARTICLE = frozenset({"nav", "aside", "menu"})
"""Ancestors that put a date box outside the article."""
_PAGE_FURNITURE = frozenset({"header", "footer"})
"""Ancestors that put a date box outside the article unless they are inside
it (the site's header with a "today's date" widget, not the article's own
header or footer with its byline)."""

MAX_DEPTH = 512
"""Elements nested deeper than this make a page too complex to read (the
depth at which Chromium's HTML parser stops nesting; article pages nest a
few dozen levels)."""
MAX_ELEMENTS = 100_000
"""Elements a page may hold (a long article page has a few thousand)."""
_MAX_MARKUP = 2 * MAX_ELEMENTS
"""`<` characters a page may hold, counted before parsing: an element has two
(start and end tag), so a page over this cannot be under `MAX_ELEMENTS`."""
_TEXT_TYPES = (NavigableString, CData)
"""String types that are text (`get_text` counts them; not comments, scripts…)."""


class PageError(ValueError):
    """A page that cannot be read within the bounds any page may cost."""


@dataclass(frozen=True, slots=True)
class Page:
    """What an article page says about itself."""

    title: str
    """Headline (title selector, og:title, <h1>, then <title>), cleaned."""
    text: str
    """Main text, cleaned; empty when none was found."""
    published: datetime | None
    """Publication time in UTC, from metadata, <time>, JSON-LD, the page's
    visible dateline or the text; None when the page gives no date at all
    (it is not guessed)."""
    canonical: str | None
    """<link rel=canonical> when it is an http(s) URL."""


class _BoundedSoup(BeautifulSoup):
    """A BeautifulSoup that stops building as soon as the page goes past the
    bounds: the check is made as each element is opened, so a page nested
    30,000 deep is refused at level 513, not after its whole tree is built."""

    _opened = -1
    """Elements opened so far (the soup itself is the first, number 0)."""

    def pushTag(self, tag: Tag) -> None:
        super().pushTag(tag)
        self._opened += 1
        if len(self.tagStack) - 1 > MAX_DEPTH:
            raise PageError(f"page too complex: elements nested over {MAX_DEPTH} levels deep")
        if self._opened > MAX_ELEMENTS:
            raise PageError(f"page too large: over {MAX_ELEMENTS:,} elements")


def soup_of(html: str | bytes) -> BeautifulSoup:
    """Parse with lxml (fast and lenient), within the bounds any page may
    cost: `PageError` for more than `MAX_ELEMENTS` elements or a nesting
    deeper than `MAX_DEPTH`, raised while parsing.  Everything done with the
    tree afterwards is linear in its size, so these bounds bound the whole
    page's work."""
    _check_markup(html)
    return _BoundedSoup(html, "lxml")


def _check_markup(html: str | bytes) -> None:
    """`PageError` for markup with more `<` than `MAX_ELEMENTS` elements can have."""
    marks = html.count(b"<") if isinstance(html, bytes) else html.count("<")
    if marks > _MAX_MARKUP:
        raise PageError(
            f"page too large: {marks:,} tags or more, at most {MAX_ELEMENTS:,} elements"
        )


def parse_page(
    html: str | bytes,
    url: str,
    *,
    content_selector: str | None = None,
    remove_selectors: Sequence[str] = (),
    title_selector: str | None = None,
    date_selector: str | None = None,
) -> Page:
    """Title, main text, date and canonical URL of an article page at `url`."""
    soup = soup_of(html)
    title = _title(soup, title_selector)
    published = _published(soup, date_selector)
    canonical = None
    link = soup.find("link", rel="canonical", href=True)
    if isinstance(link, Tag):
        canonical = http_url(str(link["href"]), url)
    body = soup.body or soup
    for selector in remove_selectors:
        for el in _select(body, selector):
            el.decompose()
    if content_selector:
        nodes = _select(body, content_selector)
        text = clean_text("\n\n".join(element_text(n) for n in nodes))
    else:
        text = main_text(body)
    if published is None and text:
        published = find_arabic_date(text)
    return Page(title=title, text=text, published=published, canonical=canonical)


def html_text(fragment: str) -> str:
    """Clean plain text of an HTML fragment (a feed summary or content).

    The text `element_text` would give of the fragment's soup with its
    scripts, styles, `<noscript>`, `<template>` and `<iframe>` removed, read
    straight from lxml's parser events (`_FragmentText`) without building a
    tree: a feed's twenty articles cost a few milliseconds instead of tens.
    tests/test_pages.py holds the two equal on real feeds and generated markup."""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    _check_markup(fragment)
    if fragment.startswith("\ufeff"):
        fragment = fragment[1:]
    reader = _FragmentText()
    parser = etree.HTMLParser(target=reader, recover=True)
    try:
        parser.feed(fragment)
        parser.close()
    except etree.ParserError:  # nothing lxml could read: no text
        return ""
    return clean_text(reader.text())


_REMOVED = frozenset({"script", "style", "noscript", "template", "iframe"})
"""Elements removed with all they hold (no text, no breaks)."""
_ANNOTATIONS = frozenset({"rt", "rp"})
"""Elements whose strings BeautifulSoup keeps as other types, which
`element_text` leaves out (their `<br>` and blocks still break the text)."""
_PRESERVE_SPACE = frozenset({"pre", "textarea"})
"""Elements inside which BeautifulSoup keeps a whitespace-only string as it is."""
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")


class _FragmentText:
    """An lxml parser target that collects the text pieces `element_text`
    yields, with BeautifulSoup's rule for whitespace-only strings (one space,
    or one newline if it has one, outside `<pre>`/`<textarea>`), within the
    bounds `soup_of` keeps (`PageError` past `MAX_ELEMENTS` or `MAX_DEPTH`)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self._data: list[str] = []
        self._open: list[str] = []
        self._skipping = 0
        self._annotating = 0
        self._preserving = 0
        self._elements = 0

    def _flush(self) -> None:
        if not self._data:
            return
        data = "".join(self._data)
        self._data.clear()
        if self._skipping or self._annotating:
            return
        if not self._preserving and all(ch in _ASCII_SPACES for ch in data):
            data = "\n" if "\n" in data else " "
        self.pieces.append(data)

    def start(self, tag: str, attrib: object, nsmap: object = None) -> None:
        self._flush()
        self._elements += 1
        if self._elements > MAX_ELEMENTS:
            raise PageError(f"page too large: over {MAX_ELEMENTS:,} elements")
        self._open.append(tag)
        if len(self._open) > MAX_DEPTH:
            raise PageError(f"page too complex: elements nested over {MAX_DEPTH} levels deep")
        if tag in _REMOVED:
            self._skipping += 1
        elif not self._skipping:
            if tag in _ANNOTATIONS:
                self._annotating += 1
            if tag == "br":
                self.pieces.append("\n")
            elif tag in BLOCK_TAGS:
                self.pieces.append("\n\n")
        if tag in _PRESERVE_SPACE:
            self._preserving += 1

    def end(self, tag: str) -> None:
        self._flush()
        if not self._open:
            return
        tag = self._open.pop()
        if tag in _PRESERVE_SPACE:
            self._preserving -= 1
        if tag in _REMOVED:
            self._skipping -= 1
        elif not self._skipping:
            if tag in _ANNOTATIONS:
                self._annotating -= 1
            if tag in BLOCK_TAGS:
                self.pieces.append("\n\n")

    def data(self, text: str) -> None:
        self._data.append(text)

    def comment(self, text: str) -> None:
        self._flush()

    def doctype(self, *args: object) -> None:
        self._flush()

    def pi(self, target: str, data: str | None = None) -> None:
        self._flush()

    def close(self) -> None:
        self._flush()

    def text(self) -> str:
        self._flush()
        return "".join(self.pieces)


def main_text(root: Tag) -> str:
    """The article text of a page without a content selector: furniture
    dropped, then the block with the most paragraph text (a `<p>`, or a run
    of text straight inside a container, as `<br>`-separated articles are),
    with the sibling blocks beside it that hold paragraphs of their own (a
    lead paragraph kept apart from the body)."""
    strip_furniture(root)
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    lengths = text_lengths(root)

    def credit(parent: object, length: float) -> None:
        for share in (1.0, 0.5):
            if not isinstance(parent, Tag):
                return
            scores[id(parent)] = scores.get(id(parent), 0.0) + length * share
            nodes[id(parent)] = parent
            parent = parent.parent

    for p in root.find_all(["p", "pre", "blockquote"]):
        length = lengths[id(p)]
        if length >= _MIN_PARAGRAPH:
            credit(p.parent, length)
    for run in root.find_all(string=True):
        parent = run.parent
        if (
            type(run) is NavigableString
            and isinstance(parent, Tag)
            and parent.name in _TEXT_CONTAINERS
            and len(piece := run.strip()) >= _MIN_PARAGRAPH
            and piece.count(" ") >= _MIN_WORDS - 1
        ):
            credit(parent, len(piece))
    if not scores:
        return clean_text(element_text(root))
    best = nodes[max(scores, key=lambda k: scores[k])]
    parts = [best]
    if isinstance(best.parent, Tag):
        parts = [
            el
            for el in best.parent.children
            if el is best or (isinstance(el, Tag) and _is_lead(el, scores, lengths))
        ]
    return clean_text("\n\n".join(element_text(el) for el in parts))


_TEXT_CONTAINERS = frozenset({"div", "section", "article", "main", "td", "dd", "font", "center"})
"""Containers whose own text runs count as paragraphs (text split by `<br>`)."""
_MIN_WORDS = 4
"""Words a bare text run needs to count as a paragraph (not a URL or an id)."""
_LEAD_MIN = 80
"""Characters of paragraph text a sibling block needs to join the main block."""


def _is_lead(el: Tag, scores: dict[int, float], lengths: dict[int, int]) -> bool:
    """True for a sibling of the main block that holds paragraph text of its
    own, mostly not links (a lead or a second body part, not a teaser list)."""
    if scores.get(id(el), 0.0) < _LEAD_MIN or el.name in {"ul", "ol", "table"}:
        return False
    linked = sum(lengths.get(id(a), 0) for a in el.find_all("a"))
    return linked * 4 < lengths.get(id(el), 0)


def text_lengths(root: Tag) -> dict[int, int]:
    """`len(el.get_text(" ", strip=True))` of every element under `root`, by
    `id(el)`, in one pass from the leaves up (each element's text is counted
    once, not once per ancestor: linear in the size of the tree)."""
    sizes: dict[int, tuple[int, int]] = {}  # id -> (characters, pieces)
    for el in reversed(root.find_all(True)):
        chars = pieces = 0
        for child in el.children:
            if isinstance(child, Tag):
                c, n = sizes.get(id(child), (0, 0))
                chars, pieces = chars + c, pieces + n
            elif isinstance(child, NavigableString) and type(child) in _TEXT_TYPES:
                piece = child.strip()
                if piece:
                    chars, pieces = chars + len(piece), pieces + 1
        sizes[id(el)] = (chars, pieces)
    return {k: c + max(0, n - 1) for k, (c, n) in sizes.items()}


def strip_furniture(root: Tag) -> None:
    """Drop navigation, asides, share widgets, related links and comments.

    One pass over the tree: the elements that hold article content (a wrapper
    "with-sidebar" around the `<article>`) are marked by walking up from each
    `<article>`/`<main>`/`articleBody`, stopping at the first ancestor already
    marked, so every element is marked at most once."""
    for el in root.find_all(DROP_TAGS):
        el.decompose()
    forms = root.find_all("form")
    if forms:
        content = _holds_content(root)
        for form in forms:
            if not form.decomposed and id(form) not in content:
                form.decompose()
    holds: set[int] = set()
    for el in root.find_all(_protected):
        parent = el.parent
        while isinstance(parent, Tag) and id(parent) not in holds:
            holds.add(id(parent))
            parent = parent.parent
    doomed = [el for el in root.find_all(True) if id(el) not in holds and _is_furniture(el)]
    for el in doomed:
        if not el.decomposed:
            el.decompose()


def _holds_content(root: Tag) -> set[int]:
    """`id()` of every element holding page content: an `<article>`/`<main>`
    or a run of text longer than any form label (`_FORM_TEXT` characters).
    A form not in it is controls and labels (search, newsletter, comment,
    login) and goes; a form in it wraps the page (ASP.NET) and stays.  One
    pass from the leaves up, linear in the size of the tree."""
    held: set[int] = set()
    for el in reversed(root.find_all(True)):
        if _protected(el) or any(
            id(child) in held
            if isinstance(child, Tag)
            else type(child) is NavigableString and len(child.strip()) >= _FORM_TEXT
            for child in el.children
        ):
            held.add(id(el))
    return held


_FORM_TEXT = 80
"""Characters of one text run that no form label has: the form holds content."""


def _protected(tag: Tag) -> bool:
    return tag.name in {"article", "main"} or tag.get("itemprop") == "articleBody"


def _is_furniture(el: Tag) -> bool:
    """True for an element whose role, class or id marks it as furniture
    (the caller has already spared the elements holding article content)."""
    if el.name in {"body", "html", "article", "main"} or el.attrs is None:
        return False
    role = el.get("role")
    if isinstance(role, str) and role.lower() in DROP_ROLES:
        return True
    words = _class_and_id(el)
    return bool(words) and _HINT.search(words) is not None


def _class_and_id(el: Tag) -> str:
    """An element's classes and id, as one string of words."""
    classes = el.get("class")
    words = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    ident = el.get("id")
    return f"{words} {ident}" if ident else words


def element_text(el: Tag) -> str:
    """Text of `el` with a paragraph break around every block element and a
    line break for every <br>."""
    return "".join(_pieces(el))


def _pieces(el: Tag) -> Iterator[str]:
    """The text pieces of `el` in document order: a walk with an explicit
    stack (no recursion, so no depth is too deep for it)."""
    stack: list[Iterator[PageElement] | str] = [iter(el.children)]
    while stack:
        top = stack[-1]
        if isinstance(top, str):  # the break that closes a block
            stack.pop()
            yield top
            continue
        child = next(top, None)
        if child is None:
            stack.pop()
        elif isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not comments, CDATA, doctypes
                yield str(child)
        elif isinstance(child, Tag):
            if child.name == "br":
                yield "\n"
            elif child.name in BLOCK_TAGS:
                yield "\n\n"
                stack.append("\n\n")
                stack.append(iter(child.children))
            else:
                stack.append(iter(child.children))


def _select(root: Tag, selector: str) -> list[Tag]:
    try:
        return list(root.select(selector))
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
        log.warning("bad CSS selector %r: %s", selector, exc)
        return []


def _title(soup: BeautifulSoup, selector: str | None) -> str:
    candidates: list[str] = []
    if selector:
        candidates += [element_text(n) for n in _select(soup, selector)[:1]]
    og = soup.find("meta", property="og:title", content=True)
    if isinstance(og, Tag):
        candidates.append(str(og["content"]))
    h1 = soup.find("h1")
    if isinstance(h1, Tag):
        candidates.append(element_text(h1))
    if soup.title and soup.title.string:
        candidates.append(str(soup.title.string))
    for c in candidates:
        text = " ".join(clean_text(c).split())
        if text:
            return text
    return ""


def _published(soup: BeautifulSoup, selector: str | None) -> datetime | None:
    if selector:
        for node in _select(soup, selector)[:3]:
            raw = node.get("datetime") or node.get("content")
            when = parse_iso(str(raw)) if raw else None
            when = when or find_arabic_date(element_text(node)) or parse_iso(node.get_text())
            if when:
                return when
    naive: datetime | None = None
    for raw in _machine_dates(soup):
        when = parse_iso(raw)
        if when is None:
            continue
        if not _NAIVE_TIME.search(raw.strip()):
            # a time with its offset; it wins over a naive one of the same day
            # (a naive time is only a guess at UTC)
            if naive is None or abs(when - naive) <= _SAME_DAY:
                return when
            return naive
        naive = naive or when
    return naive or dateline_date(soup)


_NAIVE_TIME = re.compile(r"\d[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
"""A date and time with no offset after it (`2020-12-01 02:00:00`)."""
_SAME_DAY = timedelta(hours=14)
"""The widest gap between a naive time and the same time with its offset."""


def _machine_dates(soup: BeautifulSoup) -> Iterator[str]:
    """The page's machine-readable publication times, in order of trust:
    <meta> (`DATE_META`), `<time datetime>`, JSON-LD `datePublished`."""
    for attr, value in DATE_META:
        meta = soup.find("meta", attrs={attr: value, "content": True})
        if isinstance(meta, Tag):
            yield str(meta["content"])
    for t in soup.find_all("time", datetime=True)[:5]:
        yield str(t["datetime"])
    for script in soup.find_all("script", type="application/ld+json")[:10]:
        yield from _json_ld_dates(script.get_text())


def dateline_date(soup: BeautifulSoup) -> datetime | None:
    """The date in the page's visible dateline: the first short element whose
    class or id names a date (`DATE_HINTS`), a `<time>` without `datetime`, or
    an `itemprop=datePublished` holding text, whose text has a full date
    (Arabic month names, either series, or all digits).  Boxes near the
    headline (sharing an ancestor with `<h1>` within three levels) or inside
    `<article>`/`<main>` come first; boxes in navigation, footers, asides and
    the site's own header (a "today's date" widget) are passed over."""
    h1 = soup.find("h1")
    near: set[int] = set()
    if isinstance(h1, Tag):
        parent = h1.parent
        for _ in range(3):
            if not isinstance(parent, Tag) or parent.name in {"body", "html", "[document]"}:
                break
            near.add(id(parent))
            parent = parent.parent
    lengths = text_lengths(soup)

    def is_box(tag: Tag) -> bool:
        return _is_date_box(tag) and lengths.get(id(tag), 0) <= _DATELINE_MAX

    first: list[Tag] = []
    rest: list[Tag] = []
    for el in soup.find_all(is_box, limit=_DATELINE_BOXES):
        placed = _place(el, near)
        if placed != "outside":
            (first if placed == "article" else rest).append(el)
    for el in first + rest:
        text = el.get_text(" ", strip=True)
        if when := find_arabic_date(text) or find_numeric_date(text):
            return when
    return None


def _is_date_box(tag: Tag) -> bool:
    if tag.name in {"script", "style", "meta", "link", "html", "body", "head", "title"}:
        return False
    if tag.name == "time" or tag.get("itemprop") == "datePublished":
        return True
    words = _class_and_id(tag)
    return bool(words) and _DATE_HINT.search(words) is not None


def _place(el: Tag, near: set[int]) -> str:
    """ "article" for a box in the article or near its headline; "outside" for
    one in navigation, an aside, or the site's header or footer; else "page"."""
    in_furniture = False
    for depth, parent in enumerate(el.parents):
        if parent.name in _OUTSIDE_ARTICLE:
            return "outside"
        if parent.name in {"article", "main"}:
            return "article"
        if parent.name in _PAGE_FURNITURE:
            in_furniture = True
        elif depth < 3 and id(parent) in near:
            return "outside" if in_furniture else "article"
    return "outside" if in_furniture else "page"


def _json_ld_dates(payload: str) -> Iterator[str]:
    try:
        data = json.loads(payload)
    except ValueError:
        return
    yield from _find_key(data, "datePublished")


def _find_key(data: object, key: str, depth: int = 0) -> Iterator[str]:
    if depth > 6:
        return
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            yield value
        for v in data.values():
            yield from _find_key(v, key, depth + 1)
    elif isinstance(data, list):
        for v in data:
            yield from _find_key(v, key, depth + 1)


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 date or time as UTC (a date alone, or a naive time, is taken as UTC)."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        m = re.match(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
        if not m:
            return None
        try:
            when = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
