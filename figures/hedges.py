"""Qualifiers: the hedge that bounds or rounds a number.

Stage 5 of the extractor (`figures.extract`), the qualifier part.  The hedge
before a number (`_qualifier_before`: `نحو`، `أكثر من`، `ما لا يقل عن`…),
after it (`_trailing_hedge`, `_skip_qualifier_after`: `على الأقل`، `ونيف`), or
set off by a comma (`_comma_hedge`); a hedge fronted before a list of numbers
(`_fronted_hedge`: `يصل عددهم إلى`) and estimate wording earlier in the
sentence (`_estimate_tokens`, `_estimate_before`: `في تقدير أولي`) govern the
numbers they lead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from figures import lexicon as lx
from figures.document import _SENTENCE_END, _Doc, _match_words
from figures.lexicon import Tag
from figures.model import Qualifier
from figures.text import fold

# ---------------------------------------------------------------------------
# Qualifiers after a number.
# ---------------------------------------------------------------------------


def _skip_qualifier_after(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    for words, qual in doc.words[j].qual_after if 0 <= j < len(doc.toks) else ():
        end = _match_words(doc, j, words)
        if end > 0:
            return end, qual
    return j, None


def _may_hedge_after(doc: _Doc, j: int) -> bool:
    return 0 <= j < len(doc.toks) and bool(doc.words[j].qual_after)


_TRAILING_REACH = 4
"""Words between a counted noun and a hedge that still bounds the number
(`80 تلميذا من مدرسة داخلية على الأقل`)."""


def _trailing_hedge(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    """A hedge after the counted noun, past its adjectives or `من` phrase (a few
    words, in the clause, before any other number, verb or clause word): where
    it ends, and the hedge."""
    if j >= len(doc.toks):
        return j, None
    clause = doc.clause[j - 1] if j > 0 else 0
    for k in range(j, min(j + _TRAILING_REACH + 1, len(doc.toks))):
        tok = doc.toks[k]
        if doc.clause[k] != clause or doc.covered[k] >= 0 or tok in _SENTENCE_END:
            return j, None
        if k > j and tok[:1] in "وف":
            return j, None  # وعلى الأقل: a coordinated phrase, not this number's
        word = doc.words[k]
        end, qual = _skip_qualifier_after(doc, k) if word.qual_after else (k, None)
        if qual is not None:
            if end < len(doc.toks) and doc.covered[end] >= 0:
                return j, None  # وأصيب على الأقل 10: the next number's hedge
            if _opens_next_number(doc, end):
                return j, None  # 812 قتيلا وأكثر من 2800 جريح: the next number's أكثر من
            return end, qual
        if not word.tags.isdisjoint(_HEDGE_STOPS):
            return j, None  # another metric word or a clause: past this number
    return j, None


_HEDGE_STOPS = frozenset({Tag.TRIGGER, Tag.CLAUSE, Tag.SUBSET, Tag.MONTH})

_OF = frozenset({"من", "عن", "على", "علي"})


def _opens_next_number(doc: _Doc, end: int) -> bool:
    """Whether the trailing hedge ending at `end` is `وأكثر`/`أو أكثر` and
    `من`/`عن`/`على` at `end` leads a number (within one more word): the words
    are the next number's hedge (`وأكثر من 2800`), not "or more"."""
    n = len(doc.toks)
    if not doc.toks[end - 1].endswith("كثر"):
        return False  # على الأقل من 30 قرية: a hedge, then its noun's complement
    if end >= n or (doc.words[end].bare not in _OF and doc.toks[end] not in _OF):
        return False
    return any(doc.covered[k] >= 0 for k in range(end + 1, min(end + 3, n)))


# ---------------------------------------------------------------------------
# Qualifiers before a number.
# ---------------------------------------------------------------------------


def _qualifier_before(doc: _Doc, t0: int) -> tuple[int, Qualifier | None]:
    """(first token of the hedge, the hedge) standing right before token t0."""
    ends = [t0]
    n = len(doc.toks)
    if 0 < t0 <= n and doc.toks[t0 - 1] in {"ال", "الـ"}:  # أكثر من الـ 500
        ends.append(t0 - 1)
    if 0 < t0 <= n and doc.toks[t0 - 1] in _OPENERS:  # حوالي ( 7 ) آلاف، نحو «300»
        ends.append(t0 - 1)
    for end in ends:
        if not 0 < end <= n:
            continue
        for words, qual in doc.words[end - 1].qual_before:
            start = end - len(words)
            if start < 0 or _match_words(doc, start, words) != end:
                continue
            if words[0] in _REACH_VERBS and doc.toks[start] != words[0]:
                continue  # ليصل إلى، لتصل إلى: the count reaching it, not "up to"
            if (
                qual is Qualifier.MORE_THAN
                and start > 0
                and doc.words[start - 1].bare in {"لا", "ما"}
            ):
                continue  # لا يتجاوز: at most, matched by its own longer entry
            return start, qual
    return t0, None


_OPENERS = frozenset({"(", "«", "[", '"', "“"})
"""Brackets and quotes that may stand between a hedge and its number."""

_REACH_VERBS = frozenset({"يصل", "تصل"})
"""`يصل إلى` is "up to", but `ليصل إلى` (with ل, "so as to reach") is a count's
predicate (`ارتفع العدد ليصل إلى 300`)."""

_COUNT_HEADS = frozenset(
    {"عدد", "اعداد", "حصيلة", "مجموع", "اجمالي", "العدد", "الحصيلة", "المجموع", "الاجمالي"}
    | {"عددهم", "عددها", "اعدادهم", "اعدادها", "حصيلتها"}
)
"""Nouns a fronted hedge verb takes as its subject (`يتجاوز عدد النازحين`)."""

_REACHES = frozenset(
    fold(w)
    for w in (
        "إلى",
        "الى",
        "وصل",
        "وصلت",
        "بلغ",
        "بلغت",
        "يبلغ",
        "تبلغ",
        "ليصل",
        "لتصل",
        "ليبلغ",
        "لتبلغ",
        "يصل",
        "تصل",
        "ارتفع",
        "ارتفعت",
        "تجاوز",
        "تجاوزت",
        "بلغا",
    )
)
"""Words a fronted count's number follows as its predicate (`وصلت 4`, `إلى 812`)."""


_COUNT_HEAD: dict[str, bool] = {}
"""`_count_head` of each token asked about (a table, cheaper than `lru_cache`)."""


def _count_head(tok: str) -> bool:
    """Whether a token reads as a count noun (`عدد`, `حصيلة`…, clitics aside);
    remembered per distinct token (a fronted count looks back over many)."""
    known = _COUNT_HEAD.get(tok)
    if known is None:
        if len(_COUNT_HEAD) >= 1 << 14:
            _COUNT_HEAD.clear()
        known = _COUNT_HEAD[tok] = not _COUNT_HEADS.isdisjoint(lx.forms(tok))
    return known


def _reaches(doc: _Doc, k: int) -> bool:
    return doc.toks[k] in _REACHES or doc.words[k].bare in _REACHES


FRONTED_COST = 2.0
"""Cost of the metric of a fronted count (`عدد القتلى … إلى 812`) for its number."""
LIST_REACH = 80
"""Tokens back from a listed item that the control verb governing the list may stand."""
FRONTED_REACH = 24
"""Tokens back from the predicate that the count noun may stand."""

_FRONTED_REACH = 16
"""Words between `عدد` and the number it is hedged with."""


def _fronted_hedge(doc: _Doc, t0: int) -> Qualifier | None:
    """`يتجاوز عدد النازحين داخليا في مالي 375 ألفا`: a hedge verb before the
    `عدد` whose number ends the clause bounds that number (the quote stays the
    number's own words)."""
    if not 0 <= t0 < len(doc.toks):
        return None
    clause = doc.clause[t0]
    for k in range(t0 - 1, max(-1, t0 - 2 - _FRONTED_REACH), -1):
        tok = doc.toks[k]
        if doc.clause[k] != clause or doc.covered[k] >= 0 or tok in _SENTENCE_END:
            return None
        if lx.bare(tok) in _COUNT_HEADS:
            return _qualifier_before(doc, k)[1]
    return None


_ESTIMATE_REACH = 12
"""Tokens before a number, in its sentence, where estimate wording still
governs it (`في تقدير أولي، مقتل 296 شخصا، وإصابة 153 آخرين`)."""


_ESTIMATE_STEMS = ("قدر", "قدير", "رجح")
"""Letters every estimate word holds: a text with none of them has none."""
assert all(any(s in w for s in _ESTIMATE_STEMS) for w in lx.ESTIMATE_WORDS)


def _estimate_tokens(doc: _Doc) -> list[int]:
    """Indices of the tokens that are estimate wording, ascending: each place
    a stem occurs is looked up (most articles have none)."""
    text = doc.text
    if "قد" not in text and "رجح" not in text:
        return []
    found: set[int] = set()
    for stem in _ESTIMATE_STEMS:
        i = text.find(stem)
        while i >= 0:
            k = bisect_right(doc.starts, i) - 1
            if k >= 0 and doc.ends[k] > i and doc.words[k].bare in lx.ESTIMATE_WORDS:
                found.add(k)
            i = text.find(stem, i + 1)
    return sorted(found)


def _estimate_before(doc: _Doc, t0: int, estimates: list[int]) -> bool:
    """Estimate wording earlier in the number's sentence, before any word that
    opens a new clause (`تقدر الأمم المتحدة عدد النازحين بـ…`, `يرجح وجود…`)."""
    k = bisect_left(estimates, t0) - 1
    if k < 0 or estimates[k] < t0 - _ESTIMATE_REACH:
        return False
    for k in range(t0 - 1, max(-1, t0 - 1 - _ESTIMATE_REACH), -1):
        tok = doc.toks[k]
        if tok in _SENTENCE_END:
            return False
        word = doc.words[k]
        if word.bare in lx.ESTIMATE_WORDS and (k == 0 or doc.words[k - 1].bare not in _BOUNDS):
            return True
        if Tag.CLAUSE in word.tags or Tag.SUBSET in word.tags:
            return False  # فيما…، منهم 40: another clause, or a part counted exactly
    return False


_BOUNDS = frozenset({"اقل", "اقصي", "اكثر"})
"""`على أقل تقدير`, `في أقصى تقدير`: a bound, not estimate wording."""


_COMMAS = frozenset({"،", ","})


def _comma_hedge(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    """A hedge set off by commas right after a number's words (`إصابة 42
    شخصاً، على الأقل، في الانفجار`): where it ends, and the hedge."""
    n = len(doc.toks)
    if j + 1 >= n or doc.toks[j] not in {"،", ","} or not doc.words[j + 1].qual_after:
        return j, None
    end, qual = _skip_qualifier_after(doc, j + 1)
    if qual is None or (
        end < n and doc.toks[end] not in _SENTENCE_END and doc.toks[end] not in _COMMAS
    ):
        return j, None
    return end, qual
