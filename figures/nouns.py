"""Counted nouns and territory numerals: what a number counts, if anything.

The extractor (`figures.extract`) asks these questions of the tokens around
a number; each answer is a rule of Arabic news grammar, not of one outlet,
with a table of invented cases in `tests/test_nouns.py`.  The words are data
(`[nouns]` and `[counted]` in `figures/data/lexicon.toml`).

1. **Only people, households and ground are counted.**  A number counts
   people through a person or household noun (`شخص، مدني، طفل، عائلة`…), a
   metric participle (`نازح، قتيل، معتقل`) or a metric verb that governs it
   with no noun of its own (`ارتفع عدد القتلى إلى 812`).  Any other noun right
   after the number (`300 شقة`, `12 أمر إخلاء`, `30 جنسية`, `ثلاث ليالي`)
   counts things, so the number is no figure (`unknown_noun_blocks`).
   "Cases" (`حالات`) count people only as cases of a metric (`حالات
   الاعتقال`), not of anything else (`حالات التحقيق`) (`cases_of_things`).
2. **Ratios and "one of" are not counts**: `سبعة من كل عشرة نازحين` (both
   numbers), `واحد من أبرز القادة` (`ratio_or_one_of`).
3. **Sizes are not ground held**: a linear unit followed by `من` and a noun of
   length (`600 كم من الطرق`) is a length (`length_after`); the size of a
   province (`تبلغ مساحة المحافظة`) is read by the extractor's size words.
4. **Place names that look like duals or numbers** (`قضاء شيخان`, `مدينة
   بيحان`, `جبل الأربعين`) count nothing: a derived dual or a definite number
   right after a singular place noun is a name (`name_dual`, `name_number`).
   A number coordinated right after a number of things (`16 مخيماً في دهوك،
   و6 في أربيل`) counts the same things (the extractor's `run`).
5. **Territory lost is not held**: the nearest control word is one of loss
   (`خسر`, `فقد`, `انسحب`) → no area figure for the loser (`Sense.arg ==
   "lost"`, read by the extractor).
6. **Postposed cardinals**: a definite number right after a definite counted
   noun and its definite adjectives counts that noun (`المحافظات الثلاث` = 3
   places, `الأشخاص الـ12` = 12 people, `العوائل غير العائدة الـ300 ألف` =
   households) (`noun_before`).
7. **Fractions of territory**: `ربع مساحة البلاد` is a share of 25 percent
   (`fraction_share`).
8. **Equivalence**: a percentage introduced by `أي`/`ما يعادل` right after an
   area figure restates it as a share (`equivalence_between`).
9. **What is feared or conditional is no count**: a number in the
   complement of a fear or forecast (`نخشى … أن نرى مئات الآلاف`) or followed
   by a condition (`… في حال اندلاع القتال`) (`subjunctive_between`,
   `conditional_after`).

The extractor also links a number to its metric across asides (a fronted
count `عدد النازحين …، …، إلى 48 ألفاً`, "their number" `الذين بلغ عددهم`, a
split phrase past an aside); those rules read its token document and live
beside `_decide` (`_fronted_count`, `_referent`, `_match_after_aside`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from figures import lexicon as lx
from figures.lexicon import Tag
from figures.text import fold

__all__ = [
    "cases_of_things",
    "conditional_after",
    "equivalence_between",
    "fraction_share",
    "length_after",
    "letter_name",
    "name_dual",
    "name_number",
    "noun_before",
    "of_things",
    "ratio_or_one_of",
    "size_of",
    "subjunctive_between",
]


def _folded(words: Sequence[str]) -> frozenset[str]:
    return frozenset(" ".join(fold(w).split()) for w in words)


_LENGTHS = _folded(lx.NOUNS["lengths"])
_NAME_HEADS = _folded(lx.NOUNS["name_heads"])
_FRACTIONS: dict[str, float] = {
    " ".join(fold(w).split()): float(v) for w, v in lx.NOUNS["fractions"].items()
}
_FRACTION_OF = _folded(lx.NOUNS["fraction_of"])
_EQUIVALENCE = frozenset(
    part for phrase in _folded(lx.NOUNS["equivalence"]) for part in phrase.split()
) - {"ما", "بما"}
_ONE = _folded(["واحد", "واحدة", "واحدا", "احد", "احدى"])
_OF = _folded(["من"])
_EACH = _folded(["كل"])
_ARTICLE = frozenset({"ال", "الـ"})
_COUNTED_TAGS = frozenset({Tag.PERSON, Tag.HOUSEHOLD, Tag.PLACE})


def _any_form(tok: str, words: frozenset[str]) -> bool:
    return tok in words or any(f in words for f in lx.forms(tok))


def _tok(toks: Sequence[str], i: int) -> str:
    try:
        return toks[i] if i >= 0 else ""
    except IndexError:
        return ""


def ratio_or_one_of(toks: Sequence[str], t0: int, t1: int, value: float) -> bool:
    """Whether the number at tokens [t0, t1) is part of a ratio (`سبعة من كل
    عشرة`: the 7 before `من كل`, the 10 after it) or is "one of" (`واحد من`)."""
    after_tok = _tok(toks, t1)
    if not after_tok.endswith("من") and "كل" not in _tok(toks, t0 - 1):
        return False  # most numbers: no من after, no كل before
    after, after2 = lx.bare(after_tok), _tok(toks, t1 + 1)
    if after in _OF and _any_form(after2, _EACH):
        return True  # سبعة من كل عشرة
    if _any_form(_tok(toks, t0 - 1), _EACH) and lx.bare(_tok(toks, t0 - 2)) in _OF:
        return True  # ... من كل عشرة
    word = toks[t0] if t1 - t0 == 1 else ""
    return value == 1 and (word in _ONE or lx.bare(word) in _ONE) and after in _OF


def of_things(toks: Sequence[str], j: int) -> bool:
    """Whether the words from token j (right after a number with no noun) make
    it a part of things: `منها` (of them, not human: `مساحة 2 منها`)."""
    return lx.bare(_tok(toks, j)) == "منها"


_ALIVE = frozenset({"احياء", "أحياء", "احياءا", "أحياءا", "أحياءً"})
_LIFE = ("على", "قيد", "الحياة")


def alive_after(toks: Sequence[str], j: int) -> bool:
    """Whether the words from token j (right after the counted noun) say the
    people are alive: `أخرجت 1,240 شخصا أحياء من تحت الأنقاض`, `انتشال 20
    شخصا على قيد الحياة` are survivors, no figure (`أحياء` before a name or
    after a preposition, `في أحياء المدينة`, is neighbourhoods, and is not
    right after a counted noun)."""
    if _tok(toks, j) in _ALIVE:
        return True
    return all(fold(_tok(toks, j + n)) == fold(w) for n, w in enumerate(_LIFE))


def size_of(toks: Sequence[str], j: int) -> bool:
    """Whether the token j after a size word (`مساحة`) makes it a size rather
    than ground held: a number of them (`مساحة 2 منها`) or, after an
    indefinite size word, a definite noun that is not itself a word of
    control (`مساحة البلاد`; not `مساحة السيطرة`, `المساحة الجغرافية`), or
    `على مساحة` after anything but a word of control (`أقيم المخيم على مساحة 30
    دونم`; not `سيطروا على مساحة 30 كلم مربع`)."""
    tok = _tok(toks, j)
    if lx.bare(_tok(toks, j - 2)) in {"على", "علي"} and not _control_before(toks, j - 3):
        return True  # أقيم المخيم على مساحة 30 دونم: the footprint of what was built
    if tok[:1].isdigit():
        return lx.bare(_tok(toks, j + 1)) in {"منها", "منهما"}  # the size of 2 of them
    if _definite(_tok(toks, j - 1)):
        return False  # المساحة الجغرافية: an adjective, not the thing measured
    return _definite(tok) and Tag.CONTROL not in lx.tags(tok)


_CONTROL_REACH = 6
"""Words back from `على مساحة` that its control verb may stand (`سيطرت قوات
النظام على مساحة`)."""


def _control_before(toks: Sequence[str], k: int) -> bool:
    """Whether a word of control stands at token k or a few words before it,
    with no punctuation between."""
    for h in range(k, max(-1, k - _CONTROL_REACH), -1):
        tok = toks[h]
        if not tok.isalpha():
            return False
        if Tag.CONTROL in lx.tags(tok):
            return True
    return False


def _definite(tok: str) -> bool:
    return lx.bare(tok).startswith(("ال", "بال", "لل"))


_AFTER = frozenset({"بعد", "وبعد", "منذ", "ومنذ"})
_AFTER_THAT = frozenset({"بعدما", "وبعدما"})


def subjunctive_between(toks: Sequence[str], lo: int, hi: int) -> bool:
    """Whether tokens [lo, hi), after a word of fear or forecast and before a
    number, hold `أن` and an imperfect verb (`نخشى … أن نرى مئات الآلاف`): the
    number is what is feared, the complement of the fear, not a count."""
    for k in range(hi - 2, lo - 1, -1):  # the nearest complement decides
        if lx.bare(toks[k]) in _AFTER_THAT:
            return False  # … ، بعدما نزح 430 ألفا: what has happened, after the fear
        if lx.bare(toks[k]) in {"ان", "أن"} and k > lo and lx.bare(toks[k - 1]) in _AFTER:
            return False  # بعد أن نزح: a past event, not the feared one
        if lx.bare(toks[k]) in {"ان", "أن"} and toks[k + 1][:1] in "ينتأ":
            nxt = toks[k + 1]
            return len(nxt) >= 3 and nxt.isalpha() and not nxt.startswith("ال")
    return False


_MODAL = frozenset({"قد", "وقد", "فقد", "لقد"})
_MODAL_REACH = 8
_BE = frozenset({"يكون", "تكون", "يكونوا", "يكونون", "تكونوا"})


def modal_before(toks: Sequence[str], clause: Sequence[int], q0: int) -> bool:
    """Whether `قد` and an imperfect verb stand before the number at token
    `q0`, in its clause, within a few words (`قد يدفع 200 ألف شخص إلى
    النزوح`، `وقد يرتفع عدد القتلى إلى 500`): what may happen, not a count.
    `قد` + a perfect (`وقد نزح 500`) states what happened; `قد يكون` ("it may
    be that") hedges a count that is stated, and stays one."""
    of = clause[q0] if q0 < len(clause) else -1
    for k in range(q0 - 1, max(-1, q0 - 1 - _MODAL_REACH), -1):
        if clause[k] != of:
            return False
        if toks[k] not in _MODAL:
            continue
        verb = toks[k + 1]
        return verb[:1] == "ي" and len(verb) >= 3 and verb.isalpha() and verb not in _BE
    return False


_CONDITIONAL = tuple(tuple(fold(w) for w in p.split()) for p in lx.NOUNS["conditional"])
_CONDITIONAL_REACH = 6
_CONDITIONAL_HEADS = frozenset(h for w in _CONDITIONAL for h in (w[0], "و" + w[0], "ف" + w[0]))


def conditional_after(toks: Sequence[str], j: int, clause: Sequence[int], of: int) -> bool:
    """Whether a conditional (`في حال`, `في حالة`) follows within a few words
    of token j in clause `of`, before any coordinated word: the number is
    what would happen if it did."""
    for k in range(j, min(j + _CONDITIONAL_REACH, len(toks))):
        tok = toks[k]
        if clause[k] != of or (tok[:1] == "و" and len(tok) > 2 and tok not in _CONDITIONAL_HEADS):
            return False  # another clause or a coordinated predicate (وباتوا عرضة …)
        if tok not in _CONDITIONAL_HEADS:
            continue
        for words in _CONDITIONAL:
            if all(k + n < len(toks) and lx.bare(toks[k + n]) == w for n, w in enumerate(words)):
                return True
    return False


_CASES = _folded(lx.NOUNS["cases"])


def cases_of_things(toks: Sequence[str], noun: int) -> bool:
    """Whether the counted noun at token `noun` is "cases" (`حالات`) of
    something that is no metric: a definite complement with no metric sense
    (`آلاف حالات التحقيق`; not `حالات الاعتقال`, `7 آلاف حالة منذ`)."""
    tok = _tok(toks, noun)
    if "حال" not in tok or not _any_form(tok, _CASES):
        return False
    nxt = _tok(toks, noun + 1)
    if not nxt.isalpha() or not _definite(nxt):
        return False
    return not any(s.tag is Tag.TRIGGER for s in lx.senses(nxt))


def length_after(toks: Sequence[str], j: int) -> bool:
    """Whether the words from token j (right after a linear unit) make the
    number a length: `من` and a noun of length (`600 كم من الطرق`)."""
    return lx.bare(_tok(toks, j)) in _OF and _any_form(_tok(toks, j + 1), _LENGTHS)


_DUAL_NAMES = frozenset(fold(w) for w in lx.NOUNS["dual_names"])


def name_dual(toks: Sequence[str], i: int) -> bool:
    """Whether the dual-looking token i is a name: right after a place noun in
    construct (`بقضاء شيخان`, `مدينة بيحان`), or a listed name (`حكومة
    طالبان`, `مقاتلي طالبان`: the movement, not two students)."""
    if any(form in _DUAL_NAMES for form in lx.forms(toks[i])):
        return True
    return _name_head(_tok(toks, i - 1))


def name_number(toks: Sequence[str], t0: int, definite_number: bool) -> bool:
    """Whether a definite number right after a singular place noun is a name
    (`جبل الأربعين`, `شارع الثلاثين`), not a count."""
    return definite_number and _name_head(_tok(toks, t0 - 1))


_LETTERS = frozenset(
    fold(w)
    for w in (
        "إم",
        "ام",
        "إف",
        "اف",
        "بي",
        "سي",
        "تي",
        "جي",
        "دي",
        "إس",
        "اس",
        "يو",
        "آر",
        "إتش",
        "اتش",
        "إكس",
        "اكس",
        "زد",
        "كيه",
        "واي",
    )
)


def letter_name(tok: str) -> bool:
    """Whether the word before a number is a Latin letter spelled out, which
    with the number makes a name: `حركة إم 23` (M23), `طائرات إف 16`, `بي 52`."""
    return fold(tok) in _LETTERS or (tok[:1] in "وب" and fold(tok[1:]) in _LETTERS)


def _name_head(tok: str) -> bool:
    """A place noun in construct with a name: no article (`قضاء`, `بقضاء`;
    `الفرقة رجلين` is a subject and its object)."""
    return not _definite(tok) and _any_form(tok, _NAME_HEADS)


def noun_before(toks: Sequence[str], t0: int, definite_number: bool) -> str | None:
    """The unit (person, household, place) a postposed cardinal counts: a
    definite number right after a definite counted noun and its definite
    adjectives (`المحافظات الثلاث`, `الأشخاص الـ 12`, `العوائل غير العائدة
    الـ300 ألف`), else None."""
    if not definite_number:
        return None
    k = t0 - 1
    if _tok(toks, k) in _ARTICLE:
        k -= 1
    metric_noun = False
    for h in range(k, max(-1, k - 4), -1):
        noun = toks[h]
        if lx.bare(noun) == "غير":
            continue  # غير العائدة: a negated adjective
        if not lx.bare(noun).startswith("ال"):
            break
        tags = lx.tags(noun)
        for tag, unit in (
            (Tag.HOUSEHOLD, "household"),
            (Tag.PLACE, "place"),
            (Tag.PERSON, "person"),
        ):
            if tag in tags:
                return unit
        metric_noun = metric_noun or any(
            s.tag is Tag.TRIGGER and s.strength is lx.Strength.NOUN and s.metric is not None
            for s in lx.senses(noun)
        )
    return "person" if metric_noun else None  # القتلى الـ12


def fraction_share(toks: Sequence[str], i: int) -> float | None:
    """The share, in percent, a fraction word at token i states of a
    territory (`ربع مساحة البلاد` = 25, `نصف أراضي المحافظة` = 50), else None."""
    value = _FRACTIONS.get(lx.bare(_tok(toks, i)))
    if value is None:
        value = next((_FRACTIONS[f] for f in lx.forms(_tok(toks, i)) if f in _FRACTIONS), None)
    if value is None or not _any_form(_tok(toks, i + 1), _FRACTION_OF):
        return None
    return value


def may_be_fraction(tok: str) -> bool:
    """Whether the token alone may be a fraction word (`fraction_share`)."""
    return any(f in _FRACTIONS for f in lx.forms(tok))


_IN_PLACE = re.compile(r"^(?:[^\s]+\s+){0,2}?(?:في|ب\S+)(?:\s+\S+){0,3}$")
"""A short place complement (`في ولاية راخين`، `بريف حلب`) after a territory figure."""


def equivalence_between(toks: Sequence[str], lo: int, hi: int) -> bool:
    """Whether tokens [lo, hi), between an area figure and a percentage, are
    an equivalence (`، أي ما يعادل`, `أي`, `بما يعادل`): punctuation, `ما`
    and equivalence words only, at least one of them."""
    if hi <= lo:
        return False
    comma = max((k for k in range(lo, hi) if toks[k] in {"،", ","}), default=-1)
    if lo < comma and hi - comma <= 5 and _IN_PLACE.match(" ".join(toks[lo:comma])):
        lo = comma  # 14 بلدة في ولاية راخين، أي نحو 80 في المئة: past the place it lies in
    if hi - lo > 5:
        return False
    found = False
    for k in range(lo, hi):
        tok = toks[k]
        if tok in {"،", ",", "(", "-"} or (k == lo and tok in {"2", "²"}):
            continue  # the comma, or the 2 of a glued كم2
        word = lx.bare(tok)
        if word in _EQUIVALENCE or any(f in _EQUIVALENCE for f in lx.forms(tok)):
            found = True
        elif word not in {"ما", "بما", "نحو", "حوالي"}:
            return False
    return found


def _typo_at(word: str) -> range:
    """Where a one-letter typo may be: any letter but the first, only the
    last in a word of three letters (`شخض`; `أمر` is no typo of `أسر`)."""
    return range(len(word) - 1 if len(word) == 3 else 1, len(word))


def _person_keys() -> frozenset[str]:
    """Each person noun with one letter (not the first) wildcarded: a typo
    of one letter (`شخض`) still reads as the noun."""
    keys: set[str] = set()
    for word, senses in lx.WORDS.items():
        if len(word) >= 3 and any(s.tag in (Tag.PERSON, Tag.HOUSEHOLD) for s in senses):
            keys.update(word[:p] + "?" + word[p + 1 :] for p in _typo_at(word))
    return frozenset(keys)


_PERSON_KEYS = _person_keys()
_NISBA = ("ي", "يين", "يون", "يا")
"""Endings of a nisba (`إسرائيلي`, `فلسطينيين`): a people or a follower,
counted as persons."""


def unknown_noun_blocks(tok: str) -> bool:
    """Rule 1: whether a noun the lexicon does not know, right after a number
    (the caller has checked it reads as a plain indefinite noun), counts
    things: not a person, household or place noun, not a nisba (`1300
    إسرائيلي`), not a one-letter typo of a person noun (`3 آلاف شخض`)."""
    if not lx.tags(tok).isdisjoint(_COUNTED_TAGS):
        return False
    word = tok[:-1] if tok.endswith("ا") and len(tok) > 3 else tok
    if len(word) >= 4 and word.endswith(_NISBA):
        return False
    return not any(word[:p] + "?" + word[p + 1 :] in _PERSON_KEYS for p in _typo_at(word))
