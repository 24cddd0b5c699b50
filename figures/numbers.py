"""Arabic numerals: digits of every script, number words, composites, vague
quantities.  INTERIM STAND-IN: reads ASCII digits with an optional scale word;
the full grammar replaces this module behind the same two functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from figures.text import fold


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One number (or vague quantity) found in normalised text."""

    start: int
    """Offset of the first character in the normalised text."""
    end: int
    """Offset just past the last character in the normalised text."""
    value: float
    """The value; for a vague quantity, its floor (عشرات 10, آلاف 1000…)."""
    vague: bool
    """True for a quantity word rather than a number."""


_SCALES = {"الف": 1000, "الاف": 1000, "مليون": 1_000_000, "ملايين": 1_000_000}
_PATTERN = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s*(الف|الاف|مليون|ملايين)\b)?")


def parse_number(phrase: str) -> int | float | None:
    """The value of a phrase that is exactly one number, else None."""
    text = fold(phrase).strip()
    m = _PATTERN.fullmatch(text)
    if not m:
        return None
    return _value(m)


def scan_numbers(text: str) -> Iterator[NumberMatch]:
    """Every number and vague quantity in normalised `text`, left to right,
    each the longest phrase that reads as one number."""
    for m in _PATTERN.finditer(text):
        yield NumberMatch(m.start(), m.end(), float(_value(m)), vague=False)


def _value(m: re.Match[str]) -> int | float:
    digits = m.group(1).replace(",", "")
    value: int | float = float(digits) if "." in digits else int(digits)
    if m.group(2):
        value = value * _SCALES[m.group(2)]
    return value
