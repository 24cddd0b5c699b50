"""The Arabic numeral grammar: `parse_number` on a large phrase table,
`scan_numbers` on sentences, and property tests that render integers as
Arabic digits and words and read them back."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures.numbers import NumberMatch, parse_number, scan_numbers
from figures.text import normalize

# ---------------------------------------------------------------------------
# Word tables used to build the phrase cases and the renderer (test-side)

UNITS_M = {
    1: "واحد",
    2: "اثنان",
    3: "ثلاثة",
    4: "أربعة",
    5: "خمسة",
    6: "ستة",
    7: "سبعة",
    8: "ثمانية",
    9: "تسعة",
    10: "عشرة",
}
UNITS_M_GEN = {**UNITS_M, 2: "اثنين"}
UNITS_F = {
    1: "واحدة",
    2: "اثنتان",
    3: "ثلاث",
    4: "أربع",
    5: "خمس",
    6: "ست",
    7: "سبع",
    8: "ثماني",
    9: "تسع",
    10: "عشر",
}
UNITS_F_GEN = {**UNITS_F, 2: "اثنتين"}
TENS_NOM = {
    20: "عشرون",
    30: "ثلاثون",
    40: "أربعون",
    50: "خمسون",
    60: "ستون",
    70: "سبعون",
    80: "ثمانون",
    90: "تسعون",
}
TENS_GEN = {k: v[:-2] + "ين" for k, v in TENS_NOM.items()}
TEENS_M = {11: "أحد عشر", 12: "اثنا عشر"} | {n: UNITS_M[n - 10] + " عشر" for n in range(13, 20)}
TEENS_M_GEN = {**TEENS_M, 12: "اثني عشر"}
TEENS_F = {11: "إحدى عشرة", 12: "اثنتا عشرة"} | {
    n: UNITS_F[n - 10] + " عشرة" for n in range(13, 20)
}
TEENS_F_GEN = {**TEENS_F, 12: "اثنتي عشرة"}
HUNDREDS = {
    1: ("مئة", "مائة"),
    2: ("مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين"),
    3: ("ثلاثمائة", "ثلاثمئة", "ثلاث مئة", "ثلاث مائة"),
    4: ("أربعمائة", "أربعمئة", "أربع مئة"),
    5: ("خمسمائة", "خمسمئة", "خمس مائة"),
    6: ("ستمائة", "ستمئة", "ست مئة"),
    7: ("سبعمائة", "سبعمئة", "سبع مئة"),
    8: ("ثمانمائة", "ثمانمئة", "ثماني مئة"),
    9: ("تسعمائة", "تسعمئة", "تسع مئة"),
}


def _cases() -> list[tuple[str, str, int | float | None]]:
    """(id, phrase, expected) for parse_number."""
    cases: list[tuple[str, str, int | float | None]] = []
    add = cases.append
    for name, table in (
        ("unit-m-nom", UNITS_M),
        ("unit-m-gen", UNITS_M_GEN),
        ("unit-f-nom", UNITS_F),
        ("unit-f-gen", UNITS_F_GEN),
        ("teen-m-nom", TEENS_M),
        ("teen-m-gen", TEENS_M_GEN),
        ("teen-f-nom", TEENS_F),
        ("teen-f-gen", TEENS_F_GEN),
        ("tens-nom", TENS_NOM),
        ("tens-gen", TENS_GEN),
    ):
        for value, phrase in table.items():
            add((f"{name}-{value}", phrase, value))
    for value in (21, 34, 45, 58, 62, 77, 83, 99):
        u, t = value % 10, value - value % 10
        add((f"compound-m-nom-{value}", f"{UNITS_M[u]} و{TENS_NOM[t]}", value))
        add((f"compound-f-gen-{value}", f"{UNITS_F_GEN[u]} و{TENS_GEN[t]}", value))
        add((f"compound-spaced-{value}", f"{UNITS_M[u]} و {TENS_NOM[t]}", value))
    add(("compound-ahad-21", "أحد وعشرون", 21))
    add(("compound-ihda-21", "إحدى وعشرين", 21))
    add(("compound-ithnayn-22", "اثنين وعشرين", 22))
    add(("compound-thaman-88", "ثمان وثمانون", 88))
    for h, spellings in HUNDREDS.items():
        for i, phrase in enumerate(spellings):
            add((f"hundreds-{h * 100}-{i}", phrase, h * 100))
    for phrase, value, label in (
        ("مئة وخمسة", 105, "105"),
        ("مائة وعشرون", 120, "120"),
        ("مئة وخمسة وعشرون", 125, "125"),
        ("مئتان وخمسون", 250, "250"),
        ("ثلاثمائة وخمسة وأربعون", 345, "345"),
        ("ستمائة و اثنان و خمسون", 652, "652-num2words"),
        ("خمسمائة و واحد و أربعون", 541, "541-num2words"),
        ("تسعمائة وتسعة وتسعون", 999, "999"),
        ("أربعمائة واثنا عشر", 412, "412-teen"),
        ("ثلاث مئة وعشرة", 310, "310-separate"),
        ("مئة و50", 150, "hundred-and-digits"),
        ("مئتين وثلاث عشرة", 213, "213-fem-teen"),
    ):
        add((f"hundreds-compound-{label}", phrase, value))
    thousands = (
        ("ألف", 1000, "alf"),
        ("ألفان", 2000, "alfan"),
        ("ألفين", 2000, "alfayn"),
        ("ألفي", 2000, "alfay-construct"),
        ("ألفا", 2000, "alfa-dual-construct"),
        ("ثلاثة آلاف", 3000, "3-alaf"),
        ("ثلاث آلاف", 3000, "3-fem-alaf"),
        ("عشرة آلاف", 10000, "10-alaf-exact"),
        ("أحد عشر ألفا", 11000, "11-alfan-acc"),
        ("أحد عشر ألفاً", 11000, "11-alfan-tanwin"),
        ("اثنا عشر ألف", 12000, "12-alf"),
        ("خمسة عشر ألفاً", 15000, "15-alf"),
        ("عشرين ألف", 20000, "20-alf"),
        ("خمسة وعشرون ألفا", 25000, "25-alf"),
        ("مئة ألف", 100000, "100-alf"),
        ("مئتي ألف", 200000, "200-alf-construct"),
        ("مئتا ألف", 200000, "200-alf-construct-nom"),
        ("ثلاثمائة ألف", 300000, "300-alf"),
        ("مئة وخمسين ألفا", 150000, "150-alf"),
        ("ثلاثة آلاف وخمسمائة", 3500, "3500"),
        ("أحد عشر ألفا وخمسمائة", 11500, "11500"),
        ("ألفين وثلاثمائة وخمسة وأربعين", 2345, "2345"),
        ("ألف وخمسمائة", 1500, "1500"),
        ("ألف ومئة", 1100, "1100"),
        ("ألفان وواحد", 2001, "2001"),
        ("ألف و500", 1500, "alf-and-digits"),
        ("ألفين و345", 2345, "alfayn-and-digits"),
        ("ثمانية آلاف و ثلاثمائة و أربعة و عشرون", 8324, "8324-num2words"),
        ("أربعة و تسعون ألفاً و مئتان و واحد و ثلاثون", 94231, "94231-num2words"),
        ("تسعمائة و ثلاثة و عشرون ألفاً و أربعمائة و أحد عشر", 923411, "923411-num2words"),
        ("ألف و أربعمائة و واحد و ثلاثون", 1431, "1431-num2words"),
        ("مائة و واحد ألف", 101000, "101000-num2words"),
    )
    for phrase, value, label in thousands:
        add((f"thousands-{label}", phrase, value))
    millions = (
        ("مليون", 1_000_000, "million"),
        ("مليونا", 2_000_000, "million-dual-construct"),
        ("مليونان", 2_000_000, "million-dual-nom"),
        ("مليونين", 2_000_000, "million-dual-gen"),
        ("ثلاثة ملايين", 3_000_000, "3-malayin"),
        ("عشرة ملايين", 10_000_000, "10-malayin"),
        ("خمسة عشر مليونا", 15_000_000, "15-million-acc"),
        ("مليون و150 ألف", 1_150_000, "1150000-digits"),
        ("مليون ومئة وخمسون ألفا", 1_150_000, "1150000-words"),
        ("مليونان وثلاثمائة ألف", 2_300_000, "2300000"),
        ("مليار", 1_000_000_000, "milliard"),
        ("ملياران", 2_000_000_000, "milliard-dual"),
        ("ثلاثة مليارات", 3_000_000_000, "3-milliards"),
        ("مليار ونصف", 1_500_000_000, "milliard-and-half"),
        ("بليون", 1_000_000_000, "billion"),
        ("تريليون", 1_000_000_000_000, "trillion"),
    )
    for phrase, value, label in millions:
        add((f"millions-{label}", phrase, value))
    digits = (
        ("11,500", 11500, "comma-thousands"),
        ("١١٬٥٠٠", 11500, "arabic-indic-sep"),
        ("۱۱٬۵۰۰", 11500, "persian-sep"),
        ("1,500,000", 1_500_000, "comma-millions"),
        ("١٥٠٠", 1500, "arabic-indic"),
        ("۱۵۰۰", 1500, "persian"),
        ("0", 0, "zero"),
        ("2.5", 2.5, "decimal"),
        ("٢٫٥", 2.5, "arabic-decimal"),
        ("12.500", 12500, "period-thousands"),
        ("1.500.000", 1_500_000, "period-millions"),
        ("12.50", 12.5, "period-two-decimals"),
        ("0.500", 0.5, "leading-zero-decimal"),
        ("1234.567", 1234.567, "long-head-decimal"),
        ("1,500.5", 1500.5, "comma-thousands-decimal"),
        ("1,5000", 15000, "misplaced-comma-four-digit-group"),
        ("68,7235", 687235, "misplaced-comma-garbled"),
        ("١٠٠٠٠٫٠٠", 10000, "arabic-decimal-after-five-digits"),
        ("١٬٥٠٠٫٥", 1500.5, "arabic-thousands-decimal"),
        ("2,5", 2.5, "decimal-comma"),
        ("15 ألف", 15000, "15-alf"),
        ("15 ألفاً", 15000, "15-alf-tanwin"),
        ("15 ألفا", 15000, "15-alf-acc"),
        ("١٥ ألفاً", 15000, "arabic-15-alf"),
        ("1.5 مليون", 1_500_000, "1.5-million"),
        ("٢٫٥ مليون", 2_500_000, "arabic-2.5-million"),
        ("3 ملايين", 3_000_000, "3-malayin"),
        ("13ألف", 13000, "glued-13alf"),
        ("13الف", 13000, "glued-13alf-bare"),
        ("2.500 مليون", 2_500_000, "period-before-scale-is-decimal"),
        ("1.1 مليون", 1_100_000, "exact-decimal-scale"),
        ("150 ألف", 150_000, "150-alf"),
        ("2 مليار", 2_000_000_000, "2-milliard"),
        ("الـ48", 48, "article-glued"),
        ("ال48", 48, "article-glued-normalised"),
        ("الـ 10", 10, "article-spaced-date-is-extractor-business"),
        ("و150", 150, "proclitic-glued-digits"),
        ("بـ150", 150, "bi-glued-digits"),
        ("12,500", 12500, "12500"),
        ("  42  ", 42, "whitespace-trimmed"),
    )
    for phrase, value, label in digits:
        add((f"digits-{label}", phrase, value))
    fractions = (
        ("نصف مليون", 500_000, "half-million"),
        ("ربع مليون", 250_000, "quarter-million"),
        ("نصف المليون", 500_000, "half-the-million"),
        ("مليونين ونصف", 2_500_000, "2.5-million"),
        ("مليون ونصف", 1_500_000, "1.5-million"),
        ("مليون ونصف المليون", 1_500_000, "1.5-million-definite"),
        ("مليون ونصف مليون", 1_500_000, "1.5-million-repeated"),
        ("ألف ونصف", 1500, "1500"),
        ("ثلاثة آلاف ونصف", 3500, "3500"),
        ("نصف مليار", 500_000_000, "half-milliard"),
    )
    for phrase, value, label in fractions:
        add((f"fraction-{label}", phrase, value))
    clitics = (
        ("وخمسة", 5, "wa"),
        ("بخمسة", 5, "bi"),
        ("لخمسة", 5, "li"),
        ("فخمسة", 5, "fa"),
        ("كخمسة", 5, "ka"),
        ("الخمسة", 5, "al"),
        ("بالخمسة", 5, "bi-al"),
        ("والعشرين", 20, "wa-al"),
        ("للعشرين", 20, "li-al"),
        ("وبألف", 1000, "wa-bi"),
        ("بألفي", 2000, "bi-dual"),
        ("الخمسة والعشرين", 25, "definite-compound"),
        ("الثلاثة عشر", 13, "definite-teen"),
        ("الاثني عشر", 12, "definite-12"),
        ("الاثنين والعشرين", 22, "definite-ithnayn-compound"),
        ("خمســة", 5, "tatweel"),
        ("خَمْسَةُ", 5, "harakat"),
        ("أَلْفًا", 1000, "harakat-alfa-tanween-is-one-thousand"),
        ("أَلْفَا", 2000, "harakat-alfa-dual-construct"),
        ("ثَلَاثَةُ آلَافٍ", 3000, "harakat-3000"),
        ("خمسه", 5, "ta-marbuta-as-ha"),
        ("مئه", 100, "mia-with-ha"),
        ("إثنان", 2, "hamza-ithnan"),
        ("صفر", 0, "sifr"),
        ("سالب ثمانية آلاف و ثلاثمائة و أربعة و عشرون", -8324, "negative-num2words"),
    )
    for phrase, value, label in clitics:
        add((f"clitic-{label}", phrase, value))
    nones = (
        ("", "empty"),
        ("   ", "blank"),
        ("مدينة", "word"),
        ("عشرات", "vague-tens"),
        ("مئات", "vague-hundreds"),
        ("آلاف", "vague-thousands"),
        ("الآلاف", "vague-definite"),
        ("عشرات الآلاف", "vague-tens-of-thousands"),
        ("مئات الآلاف", "vague-hundreds-of-thousands"),
        ("ملايين", "vague-millions"),
        ("بضعة آلاف", "vague-few-thousands"),
        ("بضع مئات", "vague-few-hundreds"),
        ("بضعة", "bare-few"),
        ("بضع", "bare-few-short"),
        ("الأول", "ordinal-first"),
        ("الأولى", "ordinal-first-f"),
        ("أول", "ordinal-awwal"),
        ("الثاني", "ordinal-second"),
        ("الثالث", "ordinal-third"),
        ("ثالث", "ordinal-thalith"),
        ("العاشر", "ordinal-tenth"),
        ("الأحد", "sunday"),
        ("الاثنين", "monday"),
        ("الإثنين", "monday-hamza"),
        ("الثلاثاء", "tuesday"),
        ("الأربعاء", "wednesday"),
        ("الخميس", "thursday"),
        ("أحد", "ahad-one-of"),
        ("إحدى", "ihda-one-of"),
        ("المئة", "definite-hundred"),
        ("المائة", "definite-hundred-alt"),
        ("الألف", "definite-thousand"),
        ("المليون", "definite-million"),
        ("في المئة", "percent-words"),
        ("بالمئة", "percent-bil"),
        ("95 في المئة", "number-and-percent"),
        ("12,34,5", "bad-grouping"),
        ("1.500.00", "bad-period-groups"),
        ("18 و20 ألفاً", "range-two-numbers"),
        ("بين 10 و15", "between-two-numbers"),
        ("10 و15", "two-digit-numbers"),
        ("عشرون وخمسة", "tens-before-units"),
        ("خمسة رجال", "number-and-noun"),
        ("15 شخصا", "digits-and-noun"),
        ("ألف ألف", "two-thousands"),
        ("مليون ومليون", "same-scale-twice"),
        ("ألف و1500", "addend-too-large"),
        ("ألف و 20 ألف", "addend-scale-too-large"),
        ("نصف", "bare-fraction"),
        ("ربع", "bare-quarter"),
        ("عشر عشرة", "ten-ten"),
        ("اثنا", "teen-head-alone"),
        ("1" * 20, "too-many-digits"),
        ("كم2", "exponent"),
        ("٪", "percent-sign"),
        ("ال", "article-alone"),
        ("و", "conjunction-alone"),
        ("الواحد", "definite-one"),
        ("الحادي عشر", "ordinal-eleventh"),
        ("الاثنين عشرة", "monday-ten"),
    )
    for phrase, label in nones:
        add((f"none-{label}", phrase, None))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("phrase", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_number(phrase: str, expected: int | float | None) -> None:
    got = parse_number(phrase)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert isinstance(got, int) == float(expected).is_integer()


def test_case_table_is_large_and_ids_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 300


# ---------------------------------------------------------------------------
# scan_numbers on sentences


@dataclass(frozen=True)
class Hit:
    """An expected match: the text it spans, its value, whether vague."""

    span: str
    """text[start:end] in the normalised sentence."""
    value: float
    """The value."""
    vague: bool = False
    """A quantity word."""


SCAN_CASES: list[tuple[str, str, list[Hit]]] = [
    ("digits-and-words", "نزح 1500 شخص وقتل خمسة", [Hit("1500", 1500), Hit("خمسة", 5)]),
    (
        "longest-compound",
        "فر مئة وخمسين ألفا من المدينة",
        [Hit("مئة وخمسين الفا", 150000)],
    ),
    (
        "million-and-digits",
        "عاد مليون و150 ألف نازح",
        [Hit("مليون و150 الف", 1150000)],
    ),
    ("range-digits", "ما بين 18 و20 ألفاً", [Hit("18", 18), Hit("20 الفا", 20000)]),
    ("range-between", "بين 10 و15 قتيلا", [Hit("10", 10), Hit("15", 15)]),
    ("range-dash", "بين 10-15 قتيلا", [Hit("10", 10), Hit("15", 15)]),
    ("percent-fi-al-mia", "سيطر على 95 في المئة من المدينة", [Hit("95", 95)]),
    ("percent-bil-mia", "سيطر على 95 بالمئة من المدينة", [Hit("95", 95)]),
    ("percent-sign", "سيطر على 95% من المدينة", [Hit("95", 95)]),
    (
        "vague-tens-of-thousands",
        "نزح عشرات الآلاف من السكان",
        [Hit("عشرات الالاف", 10000, True)],
    ),
    ("vague-hundreds-bil", "قتل بالمئات", [Hit("مئات", 100, True)]),
    ("vague-li", "أدى لعشرات القتلى", [Hit("عشرات", 10, True)]),
    ("vague-wal-alaf", "والآلاف من النازحين", [Hit("الاف", 1000, True)]),
    ("vague-few-thousands", "بضعة آلاف نازح", [Hit("بضعة الاف", 1000, True)]),
    ("vague-few-hundreds", "بضع مئات", [Hit("بضع مئات", 100, True)]),
    ("vague-few-tens", "بضع عشرات", [Hit("بضع عشرات", 10, True)]),
    ("vague-several-thousands", "عدة آلاف", [Hit("عدة الاف", 1000, True)]),
    ("vague-millions", "ملايين اللاجئين", [Hit("ملايين", 1_000_000, True)]),
    (
        "vague-tens-of-millions",
        "عشرات الملايين",
        [Hit("عشرات الملايين", 10_000_000, True)],
    ),
    ("vague-hundreds-of-metres", "تقدم مئات الأمتار", [Hit("مئات", 100, True)]),
    ("bare-few-not-a-match", "منذ بضعة أيام", []),
    ("exact-thousands", "ثلاثة آلاف نازح", [Hit("ثلاثة الاف", 3000)]),
    ("exact-ten-thousands", "عشرة آلاف نازح", [Hit("عشرة الاف", 10000)]),
    ("ordinals-skipped", "في اليوم الأول والثاني والعاشر", []),
    ("weekdays-skipped", "يوم الأحد والاثنين والثلاثاء والأربعاء والخميس", []),
    ("monday-then-number", "يوم الاثنين قتل اثنين", [Hit("اثنين", 2)]),
    ("monday-then-ten", "يوم الاثنين عشرة قتلى", [Hit("عشرة", 10)]),
    ("sunday-then-ten", "يوم الأحد عشرة قتلى", [Hit("عشرة", 10)]),
    ("ordinal-teen", "في الحادي عشر من سبتمبر قتل 3", [Hit("3", 3)]),
    ("ordinal-teen-f", "للمرة الثالثة عشرة", []),
    ("ordinal-compound", "في الخامس والعشرين من الشهر", []),
    ("ahad-one-of", "أحد المدنيين", []),
    ("ahad-eleven", "أحد عشر مدنيا", [Hit("احد عشر", 11)]),
    ("wahid-after-noun", "كيلومتر واحد مربع", [Hit("واحد", 1)]),
    ("article-date", "في الـ 10 من شباط", [Hit("10", 10)]),
    ("article-glued", "في الـ48 ساعة", [Hit("48", 48)]),
    ("glued-scale", "نزح 13ألف شخص", [Hit("13الف", 13000)]),
    ("exponent-skipped", "مساحة 700 كم2", [Hit("700", 700)]),
    (
        "mixed-scripts",
        "١١٬٥٠٠ و۱۵۰۰ و2.5",
        [Hit("11,500", 11500), Hit("1500", 1500), Hit("2.5", 2.5)],
    ),
    ("bad-grouping-split", "الرقم 12,34,5 خطأ", [Hit("12", 12), Hit("34", 34), Hit("5", 5)]),
    ("half-million", "نزوح نصف مليون", [Hit("نصف مليون", 500000)]),
    ("half-bare-skipped", "نصف سكان المدينة", []),
    ("two-thousand-and-half", "مليونين ونصف", [Hit("مليونين ونصف", 2_500_000)]),
    ("tens-then-units-split", "عشرون وخمسة", [Hit("عشرون", 20), Hit("خمسة", 5)]),
    ("alf-alf", "ألف ألف", [Hit("الف", 1000), Hit("الف", 1000)]),
    ("newline-breaks", "ألف\nوخمسمائة", [Hit("الف", 1000), Hit("خمسمائة", 500)]),
    ("comma-breaks", "ألف، وخمسمائة", [Hit("الف", 1000), Hit("خمسمائة", 500)]),
]

NUMBER_FORM_CASES: list[tuple[str, str, list[Hit]]] = [
    # numerals and script (issue 13, capability 6): each fails on the old reader
    ("presentation-forms", "ﻧﺰﺡ 500 ﺷﺨﺺ ﻭﺧﻤﺴﺔ", [Hit("500", 500), Hit("خمسة", 5)]),
    ("arabic-comma-thousands", "نزح 2،450 شخصا", [Hit("2,450", 2450)]),
    ("arabic-comma-spaced-list", "قتل 2، 450 جريحا", [Hit("2", 2), Hit("450", 450)]),
    ("arabic-comma-small-list", "البندان 3،4 من الاتفاق", [Hit("3", 3), Hit("4", 4)]),
    ("arabic-decimal-long-head", "بلغ ١٠٠٠٠٫٠٠ دولار", [Hit("10000٫00", 10000)]),
    ("arabic-decimal-long-head-frac", "بلغ ١٢٣٤٥٫٥ طن", [Hit("12345٫5", 12345.5)]),
    ("garbled-separator", "عدد النازحين 68,7235 شخصا", [Hit("68,7235", 687235)]),
    ("parenthesised-scale", "نزوح (12) ألف شخص", [Hit("12) الف", 12000)]),
    (
        "parenthesised-spaced-composite",
        "نزوح ( 12 ) الف و 500 شخص",
        [Hit("12 ) الف و 500", 12500)],
    ),
    ("parenthesised-plural", "عودة ( 7 ) الاف و714 عائلة", [Hit("7 ) الاف و714", 7714)]),
    ("guillemets-scale", "نزوح «300» ألف من المدينة", [Hit("300» الف", 300000)]),
    ("stray-thousand-glued", "عودة (86616)الف عائلة", [Hit("86616)الف", 86616)]),
    ("stray-thousand-spaced", "عودة (183471) الف عائلة", [Hit("183471) الف", 183471)]),
    ("stray-thousands-plural", "عودة (9600) الاف عائلة", [Hit("9600) الاف", 9600)]),
    ("glued-indic-scale", "نزوح ٢٠٠الف شخص", [Hit("200الف", 200000)]),
    ("small-parenthesised-glued", "نزوح (10)ألف شخص", [Hit("10)الف", 10000)]),
    ("closer-without-opener", "المادة 12) ألف", [Hit("12", 12), Hit("الف", 1000)]),
    ("hamza-below-typo", "نزوح 20 إلف شخص", [Hit("20 الف", 20000)]),
    ("composite-alfa-and", "ارتفع إلى 37 ألفا و11 مصابا", [Hit("37 الفا و11", 37011)]),
    ("dual-million-and", "نزوح مليونين و100 ألف", [Hit("مليونين و100 الف", 2_100_000)]),
    ("quarter-million", "نحو ربع مليون لاجئ", [Hit("ربع مليون", 250_000)]),
    ("half-a-hundred", "قرابة نصف مئة أسرة", [Hit("نصف مئة", 50)]),
    ("tatweel-diacritics", "عـشـرون أَلْفـاً", [Hit("عشرون الفا", 20000)]),
]
SCAN_CASES += NUMBER_FORM_CASES


@pytest.mark.parametrize(
    ("sentence", "hits"), [c[1:] for c in SCAN_CASES], ids=[c[0] for c in SCAN_CASES]
)
def test_scan_numbers(sentence: str, hits: list[Hit]) -> None:
    text = normalize(sentence).text
    found = list(scan_numbers(text))
    got = [Hit(text[m.start : m.end], m.value, m.vague) for m in found]
    assert got == hits
    assert all(m.start < m.end for m in found)
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_scan_scale_field_reads_ranges() -> None:
    text = normalize("ما بين 18 و20 ألفاً").text
    low, high = scan_numbers(text)
    assert (low.scale, high.scale) == (1, 1000)
    assert low.value * high.scale == 18000


def test_scan_matches_are_number_matches() -> None:
    (m,) = scan_numbers("1,500")
    assert m == NumberMatch(0, 5, 1500.0, False)


def test_scan_numbers_agrees_with_parse_number() -> None:
    for _, phrase, expected in CASES:
        if expected is None or not phrase.strip() or phrase.startswith("سالب"):
            continue
        norm = normalize(phrase.strip())
        text = norm.text
        found = list(scan_numbers(text, tanween=norm.tanween))
        assert len(found) == 1, phrase
        assert found[0].value == pytest.approx(expected), phrase
        assert found[0].end == len(text), phrase


# ---------------------------------------------------------------------------
# Property tests: render integers and read them back

ARABIC_INDIC = str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩٬")
PERSIAN = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")


@given(st.integers(0, 999_999_999), st.sampled_from(["ascii", "arabic", "persian"]), st.booleans())
def test_digits_roundtrip(n: int, script: str, grouped: bool) -> None:
    raw = f"{n:,}" if grouped else str(n)
    if script == "arabic":
        raw = raw.translate(ARABIC_INDIC)
    elif script == "persian":
        raw = raw.translate(PERSIAN)
    assert parse_number(raw) == n
    (m,) = scan_numbers(normalize(raw).text)
    assert m.value == n


@given(st.integers(1, 999), st.sampled_from(["ألف", "ألفاً", "مليون", "مليونا"]))
def test_digits_times_scale(n: int, scale: str) -> None:
    factor = 1000 if scale.startswith("ألف") else 1_000_000
    assert parse_number(f"{n} {scale}") == n * factor


@dataclass(frozen=True)
class Style:
    """One way of writing a number in words."""

    feminine: bool
    """Feminine units (ثلاث rather than ثلاثة)."""
    genitive: bool
    """Genitive/accusative endings (اثنين، عشرين) rather than nominative."""
    spaced_and: bool
    """`و خمسة` rather than `وخمسة`."""
    hundred: str
    """`مئة` or `مائة`."""
    joined_hundreds: bool
    """`ثلاثمائة` rather than `ثلاث مائة`."""


def render_below_1000(n: int, s: Style) -> str:
    """1..999 in words."""
    parts: list[str] = []
    h, rest = divmod(n, 100)
    if h == 1:
        parts.append(s.hundred)
    elif h == 2:
        dual = "مئتين" if s.genitive else "مئتان"
        parts.append(dual if s.hundred == "مئة" else dual.replace("مئ", "مائ"))
    elif h:
        stem = UNITS_F[h]
        parts.append(stem + s.hundred if s.joined_hundreds else f"{stem} {s.hundred}")
    if rest:
        units = (UNITS_F_GEN if s.genitive else UNITS_F) if s.feminine else None
        units = units or (UNITS_M_GEN if s.genitive else UNITS_M)
        teens = (TEENS_F_GEN if s.genitive else TEENS_F) if s.feminine else None
        teens = teens or (TEENS_M_GEN if s.genitive else TEENS_M)
        tens = TENS_GEN if s.genitive else TENS_NOM
        if rest <= 10:
            parts.append(units[rest])
        elif rest < 20:
            parts.append(teens[rest])
        else:
            u, t = rest % 10, rest - rest % 10
            if u:
                parts.append(units[u])
            parts.append(tens[t])
    joiner = " و " if s.spaced_and else " و"
    return joiner.join(parts)


SCALE_FORMS = {
    1000: ("ألف", "ألفين", "ألفان", "آلاف", "ألفا"),
    1_000_000: ("مليون", "مليونين", "مليونان", "ملايين", "مليونا"),
}


def render_words(n: int, s: Style) -> str:
    """0..999,999,999 in words, in the style `s`."""
    if n == 0:
        return "صفر"
    groups: list[str] = []
    for scale in (1_000_000, 1000):
        g, n = divmod(n, scale)
        singular, dual_gen, dual_nom, plural, accusative = SCALE_FORMS[scale]
        if g == 1:
            groups.append(singular)
        elif g == 2:
            groups.append(dual_gen if s.genitive else dual_nom)
        elif 3 <= g <= 10:
            groups.append(f"{render_below_1000(g, s)} {plural}")
        elif g:
            word = accusative if g % 100 > 10 else singular
            groups.append(f"{render_below_1000(g, s)} {word}")
    if n:
        groups.append(render_below_1000(n, s))
    joiner = " و " if s.spaced_and else " و"
    return joiner.join(groups)


STYLES = st.builds(
    Style,
    feminine=st.booleans(),
    genitive=st.booleans(),
    spaced_and=st.booleans(),
    hundred=st.sampled_from(["مئة", "مائة"]),
    joined_hundreds=st.booleans(),
)


@settings(max_examples=300)
@given(st.integers(0, 999_999_999), STYLES)
def test_words_roundtrip(n: int, style: Style) -> None:
    phrase = render_words(n, style)
    assert parse_number(phrase) == n, phrase
    found = list(scan_numbers(normalize(phrase).text))
    assert [m.value for m in found] == [n], phrase


@given(st.integers(1, 999_999), STYLES)
def test_words_in_a_sentence(n: int, style: Style) -> None:
    sentence = f"قالت الأمم المتحدة إن {render_words(n, style)} شخص نزحوا"
    text = normalize(sentence).text
    (m,) = scan_numbers(text)
    assert m.value == n
    assert text[m.end :] == " شخص نزحوا"
