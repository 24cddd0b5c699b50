"""`parse_number` on a table of Arabic numeral phrases gathered from public
test suites of number-word software (num2words, Humanizer, Maha) and from
news-style writing (digits with scale words, both scripts, separators,
fractions, duals, composites, genders and cases, spelling variants,
presentation forms, tatweel and diacritics).

`tests/data/numerals.tsv`: one phrase a line, its value (`None` where the
phrase is not one number: vague words, ordinals, two numbers, a number with a
noun) and where it comes from.  The engine must read at least 99% of it."""

from __future__ import annotations

import math
from pathlib import Path

from figures.numbers import parse_number

TABLE = Path(__file__).parent / "data" / "numerals.tsv"


def _rows() -> list[tuple[str, int | float | None, str]]:
    rows: list[tuple[str, int | float | None, str]] = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        phrase, value, provenance = line.split("\t")
        expected = None if value == "None" else (float(value) if "." in value else int(value))
        rows.append((phrase, expected, provenance))
    return rows


def _agrees(got: int | float | None, expected: int | float | None) -> bool:
    if got is None or expected is None:
        return got is expected
    return math.isclose(got, expected, rel_tol=1e-9)


def test_table_is_large_varied_and_sourced() -> None:
    rows = _rows()
    assert len(rows) >= 400
    assert len({phrase for phrase, _, _ in rows}) == len(rows), "duplicate phrases"
    sources = {provenance for _, _, provenance in rows}
    assert sum("test" in s for s in sources) >= 3, sources  # public test suites
    assert sum(expected is None for _, expected, _ in rows) >= 40  # and what is not a number


def test_parse_number_reads_the_table() -> None:
    rows = _rows()
    failures = [
        f"{phrase!r}: {parse_number(phrase)!r}, expected {expected!r} ({provenance})"
        for phrase, expected, provenance in rows
        if not _agrees(parse_number(phrase), expected)
    ]
    accuracy = 1 - len(failures) / len(rows)
    assert accuracy >= 0.99, f"accuracy {accuracy:.3f}; failures:\n" + "\n".join(failures)
