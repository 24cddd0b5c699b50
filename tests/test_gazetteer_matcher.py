"""The gazetteer's matchers (tries walked character by character) find exactly
what the one big regular expression they replaced found: the same matches, at
the same offsets, the same name inside each, on the snapshot corpus and on
generated text (every listed spelling with proclitics, joined or split words,
ة/ه, directions, and neighbours that are or are not word characters).

The reference regex is rebuilt here from each matcher's spellings, as
`figures/gazetteer.py` built it before (`_symbols` atoms in a trie-shaped
alternation, deeper branches first).  That importing the engine loads no
gazetteer is in tests/test_startup.py."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from figures import gazetteer
from figures.text import normalize

_ROOT = Path(__file__).resolve().parent.parent
_DATA: dict[str, Any] = tomllib.loads(
    resources.files("figures").joinpath("data/gazetteer.toml").read_text("utf-8")
)

_Trie = dict[str, "_Trie"]


def _emit(node: _Trie) -> tuple[str, int]:
    branches = sorted(
        ((atom, *_emit(child)) for atom, child in node.items() if atom),
        key=lambda branch: -branch[2],
    )
    if not branches:
        return "", 0
    body = "(?:" + "|".join(atom + rest for atom, rest, _ in branches) + ")"
    return (body + "?" if "" in node else body), 1 + branches[0][2]


def _trie_regex(names: Iterable[tuple[str, ...]]) -> str:
    root: _Trie = {}
    for atoms in names:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}
    return _emit(root)[0] if root else "(?!)"


@cache
def _reference(party: bool) -> re.Pattern[str]:
    """The regex the matcher replaced (the old `gazetteer._compile`)."""
    matcher = gazetteer._matcher(party)
    directions = gazetteer._alternation(_DATA["rules"]["directions"])
    suffix = f"(?:[\\s_]+{directions})?"
    symbols = gazetteer._symbols
    seqs = {symbols(n) for n in matcher.spellings}
    seqs |= {(*symbols(n), suffix) for n in matcher.suffixed}
    after_lam = {atoms[1:] for atoms in seqs if atoms[:2] == ("ا", "ل") and len(atoms) > 2}
    return re.compile(
        rf"(?<!\w)(?:[وف]?[بكل]?(?P<n>{_trie_regex(seqs)})"
        rf"|[وف]?ل(?P<l>{_trie_regex(after_lam)}))(?!\w)"
    )


def _old(party: bool, text: str) -> list[tuple[int, int, int, int, str]]:
    out = []
    for m in _reference(party).finditer(text):
        group = "n" if m.group("n") is not None else "l"
        name = ("ا" if group == "l" else "") + m.group(group)
        out.append(
            (*m.span(group), *m.span(), gazetteer._target(gazetteer._matcher(party), name)[0])
        )
    return out


def _new(party: bool, text: str) -> list[tuple[int, int, int, int, str]]:
    return [
        (h[0], h[1], h[4], h[5], h[2]) for h in gazetteer._scan(gazetteer._matcher(party), text)
    ]


def _same(text: str) -> None:
    for party in (False, True):
        assert _new(party, text) == _old(party, text), (party, text)


def _snapshot_texts() -> list[tuple[str, str]]:
    path = _ROOT / "tests" / "data" / "extract_snapshot.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [(r["id"], r["text"]) for r in rows[::7]]


SNAPSHOT = _snapshot_texts()


@pytest.mark.parametrize(("name", "raw"), SNAPSHOT, ids=[c[0] for c in SNAPSHOT])
def test_matcher_finds_what_the_regex_found_on_the_corpus(name: str, raw: str) -> None:
    _same(normalize(raw).text)


_CRAFTED = {
    "proclitics": "نزحوا من وبحلب وللرقة ولدير الزور فبالحسكة وكمدينة الرقة فلحلب.",
    "glued-and-split": "ديرالزور ودير  الزور ودير_الزور ودير\nالزور و دير الزور.",
    "teh-heh": "مدينه الرقه والحسكه ومحافظه دير الزور وحماه وحماة.",
    "inside-words": "حلبي وبحلبستان و2حلب و_حلب وحلب2 والرقةx xحلب حلب_.",
    "directions": "ريف حلب الشمالي الغربي وريف إدلب الجنوبيين وريف دمشق الغربيx.",
    "direction-at-end": "ريف حلب الشمالي",
    "parties": "قسد وتنظيم الدولة الإسلامية وداعش وهيئة تحرير الشام وقوات سوريا الديمقراطية.",
    "lam-lam": "للرقة وللاذقية وللحسكة ولللاذقية للبوكمال لل.",
    "empty": "",
    "only-clitics": "و ف ب ك ل وب فل.",
}


@pytest.mark.parametrize("text", list(_CRAFTED.values()), ids=list(_CRAFTED))
def test_matcher_finds_what_the_regex_found_on_crafted_text(text: str) -> None:
    _same(normalize(text).text)


def _spellings() -> list[str]:
    names = gazetteer._matcher(False).spellings | gazetteer._matcher(True).spellings
    return sorted(names)


_GLUE = st.sampled_from([" ", "  ", "_", "\n", "", "، ", ". ", "2", "x", "ـ"])
_CLITIC = st.sampled_from(["", "و", "ف", "ب", "ك", "ل", "وب", "فل", "ول", "لل", "كال"])
_DIRECTION = st.sampled_from(
    ["", " الشمالي", " الشرقي", "_الغربي", " الجنوبي الشرقي", " الشماليين"]
)


@st.composite
def _mention(draw: st.DrawFn) -> str:
    """A listed spelling, its words joined or split, ة/ه swapped, proclitics
    before it, maybe a direction after it, maybe a letter glued on either side."""
    name = draw(st.sampled_from(_spellings()))
    words = name.split()
    joined = words[0]
    for word in words[1:]:
        joined += draw(st.sampled_from([" ", "", "_", "\n", "  "])) + word
    if draw(st.booleans()):
        joined = joined.replace("ة", "ه") if "ة" in joined else joined.replace("ه", "ة")
    if draw(st.booleans()) and len(joined) > 2:
        joined = joined[: draw(st.integers(1, len(joined) - 1))]  # a prefix of a name
    return (
        draw(_CLITIC) + joined + draw(_DIRECTION) + draw(st.sampled_from(["", "", "ي", "ين", "2"]))
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_mention(), _GLUE), min_size=1, max_size=8))
def test_matcher_finds_what_the_regex_found_on_generated_text(parts: list[tuple[str, str]]) -> None:
    _same("".join(m + g for m, g in parts))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ديرالزوحلبقةهسكفن _\n2", max_size=60))
def test_matcher_finds_what_the_regex_found_on_letter_soup(text: str) -> None:
    _same(text)
