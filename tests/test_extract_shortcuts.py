"""The extractor's shortcuts read exactly what the plain way reads: each test
compares a fast path with the search it stands for, on generated text biased
toward the cases the shortcut skips (the snapshot then guards whole outputs)."""

from __future__ import annotations

import importlib
import re
from itertools import accumulate, pairwise

from hypothesis import example, given, settings
from hypothesis import strategies as st

from figures import text as text_module
from figures.numbers import scan_numbers
from figures.text import normalize

document_module = importlib.import_module("figures.document")

RUN_CHARS = "0123456789.,٫١٢३"  # ASCII, Arabic-Indic, Devanagari digits and separators
OTHER_CHARS = " \nابتa-،"


def _texts() -> st.SearchStrategy[str]:
    """Text of digit runs of every length around the 40 that makes a run long."""
    run = st.text(alphabet=RUN_CHARS, min_size=0, max_size=90)
    gap = st.text(alphabet=OTHER_CHARS, min_size=0, max_size=50)
    return st.lists(st.tuples(gap, run), max_size=8).map(lambda ps: "".join(a + b for a, b in ps))


@settings(max_examples=400, deadline=None)
@given(_texts())
@example("ا" * 39 + "1" * 40)  # a run that starts just before a sampled position
@example("1" * 39)
@example("\n" + "1" * 40)
def test_long_run_precheck_never_misses_a_run(text: str) -> None:
    found = document_module._LONG_DIGITS.search(text) is not None
    if found:
        assert document_module._may_hold_long_run(text)
    if not any(c in RUN_CHARS for c in text):
        assert not document_module._may_hold_long_run(text)


def _number_texts() -> st.SearchStrategy[str]:
    """Digit literals of every shape (separators, mixed scripts, glued to
    letters) among numeral and other words."""
    piece = st.one_of(
        st.text(alphabet="0123456789.,٫١٢३", min_size=1, max_size=12),
        st.sampled_from(["ألف", "آلاف", "مليون", "و", "خمسة", "عشرات", "كم", "شخص", "km"]),
        st.text(alphabet=" \n،.-/", min_size=1, max_size=3),
    )
    return st.lists(piece, max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(_number_texts())
@example("1,2३4 و 5.5.5 كم2")
def test_digit_offsets_from_tokens_read_as_the_search(text: str) -> None:
    t = normalize(text).text
    doc = document_module._tokenize(t, document_module._read_runs(t), [(0, len(t))], [])
    digits = [x + at for x, w in zip(doc.starts, doc.words, strict=True) for at in w.digit_at]
    searched = list(scan_numbers(t, None, [(0, len(t))]))
    assert list(scan_numbers(t, None, [(0, len(t))], digits)) == searched


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("ابةتـىءغفيًّ٠١٢0123456789३²_ \n\t.,،-%a"),
            st.characters(max_codepoint=0x2FFF),
        ),
        max_size=80,
    )
)
@example("ـقال 12३4 _x² ٢٠")
def test_token_split_reads_as_the_token_pattern(text: str) -> None:
    plain = re.compile(f"({document_module._TOKEN.pattern})")
    assert document_module._TOKEN_SPLIT.split(text) == plain.split(text)


def _normalize_plainly(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """What `normalize` stands for: a translate of every character, and a
    search of the original text for the runs of dropped characters (and an
    Arabic comma before exactly three digits read as a thousands separator)."""
    folded = re.sub("(?<=[0-9])،(?=[0-9]{3}(?![0-9]))", ",", text.translate(text_module._TABLE))
    at: list[int] = []
    before: list[int] = []
    dropped = 0
    for m in text_module._DROPPED.finditer(text):
        dropped += m.end() - m.start()
        at.append(m.end() - dropped)
        before.append(dropped)
    return folded, tuple(at), tuple(before)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("أإآىابةـًٌٍَُِّْ\u200f\u00a0\t\r٣۴Ab ،."),
            st.characters(max_codepoint=0x2FFF),
        ),
        max_size=200,
    )
)
@example("أً" * 40)
@example("ـ" * 70)
def test_normalize_reads_as_a_plain_translate(text: str) -> None:
    got = normalize(text)
    assert (got.text, got.dropped_at, got.dropped_before) == _normalize_plainly(text)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("ابةتـىءغفي0123456789३²_  \n\t.,،-%a\u2003"),
            st.characters(max_codepoint=0x2FFF),
        ),
        max_size=120,
    ),
    st.lists(st.integers(min_value=0, max_value=120), max_size=6),
)
@example("قال  المتحدث،\n12,500 _نازح_ .", [3, 9, 20])
def test_runs_spread_into_the_tokens_of_a_plain_split(text: str, cuts: list[int]) -> None:
    """The document's tokens, read from the runs between spaces, are the
    tokens a split of the whole text gives, for any regions."""
    edges = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    regions = list(pairwise(edges))
    parts = re.split(f"({document_module._TOKEN.pattern})", text)
    offsets = list(accumulate(map(len, parts), initial=0))
    tokens = list(zip(offsets[1:-1:2], parts[1::2], strict=True))
    want = [(x, tok) for lo, hi in regions for x, tok in tokens if lo <= x < hi]
    doc = document_module._tokenize(text, document_module._read_runs(text), regions, [])
    assert list(zip(doc.starts, doc.toks, strict=True)) == want
    assert doc.ends == [x + len(tok) for x, tok in want]
    assert [w for w in doc.words] == [document_module._WORD_CACHE[t] for _, t in want]
