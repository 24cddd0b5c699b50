"""The place stage's shortcuts read exactly what the plain way reads: each
test compares a fast path (figures/place.py, figures/extract.py) with the
search or rescan it stands for, on a table of cases and on generated text
(the snapshot then guards whole outputs)."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

place = importlib.import_module("figures.place")

NATIONALITY_CASES = {
    "none": "نزح 300 شخص من المدينة",
    "one list": "قتل 12 شخصا من جنسيات مختلفة سورية وعراقية وتركية في الهجوم",
    "clitics before": "وبالجنسية السورية ولجنسيات عدة روسية وتركية",
    "glued to a word": "عاملجنسيات سورية",
    "two lists": "من جنسية سورية، و10 من جنسيات عراقية وتركية",
    "overlapping starts": "والجنسيةجنسيات سورية جنسيتين عراقية",
    "word with no list": "الجنسية والإقامة جنسيات",
    "list cut at the end": "من جنسيات سورية وعراق",
}


def _plain(text: str, lo: int, hi: int) -> tuple[tuple[int, int], ...]:
    return tuple(m.span(1) for m in place._NATIONALITY_LIST.finditer(text, lo, hi))


def test_nationality_clitics_are_the_pattern_prefix() -> None:
    prefix = re.compile(place._NATIONALITY_LIST.pattern.split("(?:جنسي")[0].replace("(?<!\\w)", ""))
    words = [""]
    for _ in range(5):
        words += [w + c for w in words for c in "وفبلاx"]
    for w in set(words):
        assert (prefix.fullmatch(w) is not None) == (w in place._NATIONALITY_CLITICS), w


@pytest.mark.parametrize("text", NATIONALITY_CASES.values(), ids=NATIONALITY_CASES.keys())
def test_nationality_lists_read_as_the_regex_search(text: str) -> None:
    for lo in range(len(text) + 1):
        for hi in range(lo, len(text) + 1, 3):
            assert place._nationality_lists(text, lo, hi) == _plain(text, lo, hi), (lo, hi)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["جنسي", "ة", "ات", "تين", " ", "، ", "و", "ب", "ال", "سوري", "ية", "مختلفة", "x"]
        ),
        max_size=24,
    ).map("".join),
    st.integers(0, 8),
    st.integers(0, 8),
)
@example("وبالجنسية سورية", 1, 0)
def test_nationality_lists_read_as_the_regex_on_generated_text(
    text: str, cut_lo: int, cut_hi: int
) -> None:
    lo, hi = min(cut_lo, len(text)), max(0, len(text) - cut_hi)
    assert place._nationality_lists(text, lo, hi) == _plain(text, lo, hi)


gazetteer = importlib.import_module("figures.gazetteer")

RUN_CASES = {
    "word then space": "دير الزور",
    "word at the end": "حلب",
    "two spaces": "حلب  وإدلب",
    "comma glued": "حلب، إدلب",
    "underscore": "دير_الزور حلب",
    "digits glued": "حلب2 و3",
    "diacritic": "حَلب إدلب",
    "newline": "حلب\nإدلب",
    "only spaces": "   ",
    "latin": "Aleppo city_1 x",
}


def _plain_run_end(text: str, i: int, end: int) -> int:
    run = gazetteer._WORD_RUN.search(text, i, end)
    return -1 if run is None else run.end()


@pytest.mark.parametrize("text", RUN_CASES.values(), ids=RUN_CASES.keys())
def test_run_end_reads_as_the_word_run_search(text: str) -> None:
    for i in range(len(text) + 1):
        for end in range(i, len(text) + 1):
            assert gazetteer._run_end(text, i, end) == _plain_run_end(text, i, end), (i, end)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="حلب ٣3_\n،.\u064e\u0640x", max_size=30),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_run_end_reads_as_the_search_on_generated_text(text: str, i: int, cut: int) -> None:
    i = min(i, len(text))
    end = max(i, len(text) - cut)
    assert gazetteer._run_end(text, i, end) == _plain_run_end(text, i, end)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="حلب ،.\n_3\u064ex", max_size=24), st.integers(0, 24), st.integers(0, 24))
@example("حلب", 0, 0)
@example(" حلب ، ", 0, 0)
@example("حلب ب", 0, 0)
def test_two_words_search_counts_as_the_word_list(text: str, lo: int, cut: int) -> None:
    lo = min(lo, len(text))
    hi = max(lo, len(text) - cut)
    many = len(place._WORD.findall(text[lo:hi])) > 1
    assert (place._TWO_WORDS.search(text, lo, hi) is not None) == many


ATTRIBUTE_CASES = {
    "fled from": "نزح 300 شخص من مدينة حلب إلى إدلب خلال يومين.",
    "refugees where they are": "يقيم 40 ألف لاجئ سوري في لبنان، و12 ألفا في الأردن.",
    "two numbers, two places": "قتل 12 شخصا في الرقة و7 في دير الزور، بحسب المرصد السوري.",
    "nationality list": "اعتقل 30 شخصا من جنسيات سورية وعراقية في الموصل.",
    "country-wide": "بلغ عدد النازحين في عموم سوريا 6 ملايين.",
}


@pytest.mark.parametrize("raw", ATTRIBUTE_CASES.values(), ids=ATTRIBUTE_CASES.keys())
def test_attribute_with_the_sentence_names_given_reads_as_alone(raw: str) -> None:
    """`attribute(..., named=names_in(...))` (the extractor shares a sentence's
    names among its figures) is `attribute` reading them itself, for every
    number of the sentence, whole or cut into clauses."""
    from figures import gazetteer as gz
    from figures.model import Metric
    from figures.text import normalize

    text = normalize(raw).text
    mentions = gz.find_places(text)
    assert mentions
    numbers = [(m.start(), m.end()) for m in re.finditer(r"\d+", text)]
    sentence = (0, len(text))
    comma = text.find("،")
    home = place.of(mentions[0].id)
    for clause in (sentence, (0, comma if comma > 0 else len(text))):
        for figure in numbers:
            for metric in (Metric.DISPLACED, Metric.KILLED, Metric.DETAINED):
                args = (text, mentions, figure, clause, sentence, metric, home, numbers)
                given = place.attribute(*args, named=place.names_in(text, mentions, sentence))
                assert given == place.attribute(*args)


def test_every_host_word_of_the_pattern_holds_a_literal() -> None:
    body = place._HOST.pattern.split("(?:", 1)[1].rsplit(")(?!", 1)[0]
    alternatives = body.split("|")
    assert len(alternatives) > 10
    for word in alternatives:
        assert any(w in word for w in place._HOST_WORDS), word


CLAUSE_PIECES = [
    "لاجئ", "اللاجئين", "ولاجئون", "يستضيف", "تؤوي", "استقبلت", "اللجوء", "لجوء",
    "في", "عموم", "كل", "انحاء", "البلاد", "داخل", "على", " ", "، ", "x", "ال", "و",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(CLAUSE_PIECES), max_size=16).map("".join), st.integers(0, 6))
@example("اللاجئين في البلاد", 0)
@example("تستقبل في عموم البلاد", 0)
def test_clause_wording_reads_as_the_regex_search(text: str, cut: int) -> None:
    lo, hi = min(cut, len(text)), len(text)
    hosted = bool(place._REFUGEE.search(text, lo, hi) or place._HOST.search(text, lo, hi))
    assert place._hosted(text, lo, hi) == hosted
    assert place._whole_land(text, lo, hi) == bool(place._WHOLE_LAND.search(text, lo, hi))
