"""Places and parties: Arabic spellings and variants mapped to canonical ids
with English and Arabic names.  INTERIM STAND-IN with the final API; the
gazetteer data and matcher replace the bodies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    """A place or party named in normalised text."""

    start: int
    """Offset in the normalised text."""
    end: int
    """Offset just past the mention in the normalised text."""
    id: str
    """Canonical id (`deir-ez-zor`, `is`, `sdf`…)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One canonical place or party."""

    id: str
    """Canonical id: lowercase ASCII with hyphens."""
    name_en: str
    """English name."""
    name_ar: str
    """Arabic name as usually written."""
    kind: str
    """governorate, city, town, district, camp, field, country, region; or party."""
    parent: str | None = None
    """Id of the enclosing place (a town's governorate), if any."""


def find_places(text: str) -> list[Mention]:
    """Every place named in normalised `text`, left to right, longest match."""
    return []


def find_parties(text: str) -> list[Mention]:
    """Every party named in normalised `text`, left to right, longest match."""
    return []


def place(id: str) -> Entry | None:
    """The place with this id."""
    return None


def party(id: str) -> Entry | None:
    """The party with this id."""
    return None


def lookup_place(query: str) -> str | None:
    """The id of a place a user typed (`deir-ez-zor`, `Deir ez-Zor`, `دير الزور`)."""
    return None


def lookup_party(query: str) -> str | None:
    """The id of a party a user typed (`is`, `ISIS`, `داعش`)."""
    return None
