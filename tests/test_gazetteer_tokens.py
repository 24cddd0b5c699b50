"""`gazetteer.Scanner` given the text's word starts (`may_start_name`) must find
exactly what `find_places`/`find_parties` find on each slice, as the regex
scan does: the filter may only skip places where no name can start."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

import pytest

from figures import gazetteer
from figures.gazetteer import Scanner, may_start_name, may_start_party
from figures.text import normalize

_LETTERS = re.compile(r"[^\W\d_]+")

_CRAFTED = {
    "proclitics": "نزحوا من وبحلب وللرقة ولدير الزور فبالحسكة وكمدينة الرقة.",
    "glued-words": "وصلوا إلى ديرالزور ومدينهالرقه ثم ريف_حلب الشمالي.",
    "teh-heh": "في مدينه الرقه والحسكه، وفي محافظه دير الزور.",
    "inside-words": "حلبي وبحلبستان و2حلب و_حلب وحلب2 والرقةx.",
    "line-breaks": "دير\nالزور\nقوات سوريا\nالديمقراطية سيطرت على الباب.",
    "parties": "قالت قسد إن تنظيم الدولة الإسلامية وداعش وهيئة تحرير الشام انسحبوا.",
    "ambiguous": "التنظيم سيطر على ريف دير الزور الشرقي بعد انسحاب قوات النظام.",
    "directions": "في ريف حلب الشمالي وريف إدلب الجنوبي الغربي.",
}


def _cases() -> list[tuple[str, str]]:
    path = Path(__file__).parent / "data" / "extract_snapshot.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return list(_CRAFTED.items()) + [(r["id"], r["text"]) for r in rows[3::11]]


CASES = _cases()


def _starts(text: str) -> list[int]:
    return [m.start() for m in _LETTERS.finditer(text) if may_start_name(m.group())]


def _party_starts(text: str) -> list[int]:
    return [m.start() for m in _LETTERS.finditer(text) if may_start_party(m.group())]


def _heads(text: str, party: bool = False) -> list[str]:
    """The letter run at each of `_starts` (or `_party_starts`), as the extractor passes them."""
    may = may_start_party if party else may_start_name
    return [m.group() for m in _LETTERS.finditer(text) if may(m.group())]


def _read_whole(scanner: Scanner) -> Scanner:
    """A scanner that read the whole text first: its slices are read from that."""
    scanner.read_whole(False)
    scanner.read_whole(True)
    return scanner


def _slices(text: str, rng: random.Random) -> list[tuple[int, int]]:
    """Sentence slices (as the extractor asks), the whole text and random ones."""
    bounds = [i for i, ch in enumerate(text) if ch in "\n.!?؟…"]
    edges = [0, *bounds, len(text)]
    out = [*itertools.pairwise(edges), (0, len(text))]
    for _ in range(8):
        lo = rng.randrange(len(text) + 1)
        out.append((lo, rng.randrange(lo, len(text) + 1)))
    return out


@pytest.mark.parametrize(("name", "raw"), CASES, ids=[c[0] for c in CASES])
def test_scanner_with_word_starts_matches_find_on_every_slice(name: str, raw: str) -> None:
    text = normalize(raw).text[:20_000]
    slices = _slices(text, random.Random(name))
    scanners = (
        Scanner(text, starts=_starts(text)),
        Scanner(text, slices[::2] + slices[-8:], starts=_starts(text)),
        Scanner(text, slices[1::2], starts=_starts(text), party_starts=_party_starts(text)),
        _read_whole(Scanner(text, slices[::3], starts=_starts(text))),
        Scanner(text, slices[::2], starts=_starts(text), heads=_heads(text)),
        Scanner(
            text,
            slices[1::2],
            starts=_starts(text),
            party_starts=_party_starts(text),
            heads=_heads(text),
            party_heads=_heads(text, party=True),
        ),
        _read_whole(Scanner(text, slices[::3], starts=_starts(text), heads=_heads(text))),
    )
    for lo, hi in slices:
        for scanner in scanners:
            for find, sliced in (
                (gazetteer.find_places, scanner.places),
                (gazetteer.find_parties, scanner.parties),
            ):
                alone = [(m.start + lo, m.end + lo, m.id) for m in find(text[lo:hi])]
                assert [(m.start, m.end, m.id) for m in sliced(lo, hi)] == alone, (lo, hi)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("حلب", True),
        ("وبحلب", True),
        ("للرقة", True),
        ("فللرقه", True),
        ("ديرالزور", True),
        ("دير", True),
        ("حلبستان", False),
        ("في", False),
        ("الرئيس", False),
    ],
    ids=lambda v: str(v),
)
def test_may_start_name(word: str, expected: bool) -> None:
    assert may_start_name(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("داعش", True),
        ("وللتنظيم", True),
        ("قسد", True),
        ("حلب", False),
        ("دير", False),
        ("في", False),
    ],
    ids=lambda v: str(v),
)
def test_may_start_party(word: str, expected: bool) -> None:
    """Only the party names' first words: a party scan skips the places'."""
    assert may_start_party(word) is expected
    assert may_start_name(word) or not expected


def test_crafted_texts_name_places() -> None:
    """The crafted texts are not vacuous: the token scan finds names in each,
    but none inside a longer word."""
    for name, raw in _CRAFTED.items():
        text = normalize(raw).text
        scanner = Scanner(text, starts=_starts(text))
        found = scanner.places() + scanner.parties()
        assert bool(found) is (name != "inside-words"), name
