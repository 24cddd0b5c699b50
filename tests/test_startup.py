"""Start-up work of the engine (issue 17): what its import leaves undone or
does more cheaply must read exactly as before.

- `document._lead_at` searches the numeral words and the rest of the lead
  pattern apart (the numeral words' regex is compiled once, by `numbers`):
  the same start as the one alternation of both it replaced.
- Importing the engine loads no gazetteer (see also
  tests/test_gazetteer_matcher.py for its matchers)."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures import lexicon as lx
from figures.numbers import WORD_PATTERN, trie_regex
from figures.text import normalize

_ROOT = Path(__file__).resolve().parent.parent
ex = importlib.import_module("figures.document")  # the lead search lives with the tokens


@cache
def _old_lead() -> re.Pattern[str]:
    """The lead pattern as one alternation (before issue 17)."""
    vague = trie_regex(sorted(lx.VAGUE_BY_FIRST))
    duals = trie_regex(ex._dual_words())
    return re.compile(rf"{WORD_PATTERN}|{vague}(?![^\W\d_])|{duals}")


def _old_lead_at(tok: str) -> int:
    found = (ex._ASCII_DIGIT if tok[0].isdecimal() else _old_lead()).search(tok)
    return -1 if found is None else found.start()


def _corpus_tokens() -> list[str]:
    path = _ROOT / "tests" / "data" / "extract_snapshot.jsonl"
    tokens: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                tokens.update(re.findall(r"\w+", normalize(json.loads(line)["text"]).text))
    return sorted(tokens)


def test_lead_at_reads_as_the_one_alternation_on_every_corpus_token() -> None:
    tokens = _corpus_tokens()
    assert len(tokens) > 1000
    differ = [t for t in tokens if ex._lead_at(t) != _old_lead_at(t)]
    assert differ == []


@pytest.mark.parametrize(
    "tok",
    ["ثلاثة", "والعشرات", "عشراتالاشخاص", "قتيلان", "بالمئات", "كلمة", "وألفين", "خمسمئة", "x"],
)
def test_lead_at_reads_as_the_one_alternation(tok: str) -> None:
    tok = normalize(tok).text
    assert ex._lead_at(tok) == _old_lead_at(tok)


_PIECES = sorted(
    {w for w in re.findall(r"[^\W\d_]+", " ".join(lx.VAGUE_BY_FIRST)) if w}
    | set(ex._dual_words()[:200])
    | {"ثلاث", "ثلاثة", "عشرة", "مئة", "الف", "الفين", "مليون", "اثنين", "و", "ال", "ب", "ين", "ات"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4))
def test_lead_at_reads_as_the_one_alternation_on_glued_words(parts: list[str]) -> None:
    tok = "".join(parts)
    assert ex._lead_at(tok) == _old_lead_at(tok)


def test_importing_the_engine_loads_no_gazetteer() -> None:
    """`import figures` (every `raqib` command) builds no matcher; the first
    lookup does."""
    code = (
        "import figures, figures.extract, figures.place\n"
        "from figures import gazetteer\n"
        "assert gazetteer._G is None, 'loaded at import'\n"
        "assert gazetteer.lookup_place('حلب') == 'aleppo'\n"
        "assert gazetteer._G is not None\n"
    )
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_numeral_words_are_letters_only() -> None:
    """`document._numeral_at` reads `WORD_PATTERN` as whole letter runs in the
    lexicon: that holds only while every lexicon word is letters only."""
    from figures import numbers

    letters = re.compile(r"[^\W\d_]+")
    assert numbers._LEXICON
    assert [w for w in numbers._LEXICON if not letters.fullmatch(w)] == []


@pytest.mark.parametrize("tok", ["ثلاثة", "ثلاثة2", "2ثلاثة", "xعشرين", "الف_", "مليون", "كلمة"])
def test_numeral_at_is_the_word_pattern_search(tok: str) -> None:
    found = re.search(WORD_PATTERN, tok)
    assert ex._numeral_at(tok) == (-1 if found is None else found.start())


def test_importing_the_engine_compiles_no_numeral_word_pattern() -> None:
    """The numeral words' regex (the largest compile at start-up) is compiled
    only when `scan_numbers` is asked to find the words itself."""
    code = (
        "import figures.extract, figures.numbers as n\n"
        "from figures.text import fold\n"
        "assert not n._WORD_CANDIDATE, 'compiled at import'\n"
        "assert [m.value for m in n.scan_numbers(fold('نزح ثلاثة آلاف'))] == [3000.0]\n"
        "assert n._WORD_CANDIDATE\n"
    )
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
