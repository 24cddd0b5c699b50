"""Numerals and script through the whole extractor (issue 13, capability 6):
presentation forms, the Arabic comma, `٫`, tanween, numbers after a year word,
bracketed digits with scale words, stray thousand words.  Quotes and offsets
point into the article as written.  Every sentence is invented; ids
starting `guard-` are counter-cases the old code already read right (kept so
the new rules do not overreach), every other case fails on the old code."""

from __future__ import annotations

import pytest

from figures import extract

# id, text, [(metric, value, quote)] of every figure, in text order
CASES: list[tuple[str, str, list[tuple[str, float, str]]]] = [
    ("presentation-forms", "ﻧﺰﺡ 500 ﺷﺨﺺ ﻣﻦ ﺍﻟﺒﻠﺪﺓ.", [("displaced", 500, "500 ﺷﺨﺺ")]),
    (
        "presentation-ligature-hedge",
        "ﻗﺘﻞ ﻣﺎ ﻻ ﻳﻘﻞ ﻋﻦ 40 ﺷﺨﺼﺎ.",
        [("killed", 40, "ﻣﺎ ﻻ ﻳﻘﻞ ﻋﻦ 40 ﺷﺨﺼﺎ")],
    ),
    ("arabic-comma-thousands", "نزح 2،450 شخصا من البلدة.", [("displaced", 2450, "2،450 شخصا")]),
    (
        "arabic-comma-indic",
        "عاد ١٢،٥٠٠ نازح إلى قراهم.",
        [("returned", 12500, "١٢،٥٠٠ نازح")],
    ),
    (
        "guard-arabic-comma-spaced-two-numbers",
        "قتل 2، 450 جريحا في الانفجار.",
        [("killed", 2, "2"), ("injured", 450, "450 جريحا")],
    ),
    ("arabic-decimal-long", "نزح ١٠٠٠٠٫٠٠ شخص من المدينة.", [("displaced", 10000, "١٠٠٠٠٫٠٠ شخص")]),
    ("tanween-alone", "بلغ عدد النازحين في المخيم ألفاً.", [("displaced", 1000, "ألفا")]),
    ("guard-dual-construct-alone", "نزح ألفا شخص من البلدة.", [("displaced", 2000, "ألفا شخص")]),
    (
        "after-year-phrase",
        "نزح منذ مطلع العام 2400 شخص من البلدة.",
        [("displaced", 2400, "2400 شخص")],
    ),
    (
        "after-year-word",
        "قتل خلال العام 350 مدنيا في المحافظة.",
        [("killed", 350, "350 مدنيا")],
    ),
    (
        "guard-year-still-a-year",
        "نزح في العام 2015 نحو 300 شخص.",
        [("displaced", 300, "نحو 300 شخص")],
    ),
    (
        "brackets-scale",
        "أعلنت الوزارة نزوح ( 12 ) الف و 500 شخص من المدينة.",
        [("displaced", 12500, "( 12 ) الف و 500 شخص")],
    ),
    (
        "guillemets-scale",
        "أعلنت المنظمة نزوح «300» ألف شخص من المدينة.",
        [("displaced", 300000, "«300» ألف شخص")],
    ),
    (
        "stray-thousand",
        "أعلنت الوزارة عودة (86616)الف عائلة نازحة.",
        [("returned", 86616, "(86616)الف عائلة")],
    ),
    (
        "guard-indic-glued-scale",
        "نزح ٢٠٠الف شخص من المدينة.",
        [("displaced", 200000, "٢٠٠الف شخص")],
    ),
    (
        "garbled-separator",
        "بلغ عدد النازحين 68,7235 شخصا.",
        [("displaced", 687235, "68,7235 شخصا")],
    ),
    (
        "guard-quarter-million",
        "عاد ربع مليون نازح إلى المدينة.",
        [("returned", 250000, "ربع مليون نازح")],
    ),
    ("guard-tatweel-diacritics", "نزح عـشـرون أَلْفَ شخص.", [("displaced", 20000, "عـشـرون أَلْفَ شخص")]),
]


@pytest.mark.parametrize(("text", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_number_form(text: str, want: list[tuple[str, float, str]]) -> None:
    figures = extract(text)
    got = [(f.metric.value, f.value, f.quote) for f in figures]
    assert got == want
    for f in figures:
        assert text[f.start : f.end] == f.quote
