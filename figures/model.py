"""The figure: one number in an article that reports people moved, harmed or
held, or ground held.  The exact contract is FIGURES.md (copied into
docs/FIGURES.md); the field names and enum values here are its words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Metric(StrEnum):
    """What is counted."""

    DISPLACED = "displaced"
    RETURNED = "returned"
    KILLED = "killed"
    INJURED = "injured"
    CASUALTIES = "casualties"
    MISSING = "missing"
    DETAINED = "detained"
    SURRENDERED = "surrendered"
    BESIEGED = "besieged"
    AREA_CONTROLLED = "area_controlled"
    SHARE_CONTROLLED = "share_controlled"
    PLACES_CONTROLLED = "places_controlled"

    @property
    def is_territory(self) -> bool:
        """Territory metrics move both ways; counts of people only grow."""
        return self in TERRITORY


TERRITORY = frozenset({Metric.AREA_CONTROLLED, Metric.SHARE_CONTROLLED, Metric.PLACES_CONTROLLED})


class Unit(StrEnum):
    """Canonical unit of a figure's value."""

    PERSON = "person"
    HOUSEHOLD = "household"
    KM2 = "km2"
    PERCENT = "percent"
    PLACE = "place"


class Qualifier(StrEnum):
    """How the article hedges the number."""

    EXACT = "exact"
    APPROX = "approx"
    MORE_THAN = "more_than"
    AT_LEAST = "at_least"
    LESS_THAN = "less_than"
    AT_MOST = "at_most"


class Scope(StrEnum):
    """Running total, a count over a stated period, or one group or event."""

    TOTAL = "total"
    WINDOW = "window"
    BATCH = "batch"


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure extracted from one article."""

    metric: Metric
    """What is counted."""
    value: float
    """The number as stated, in the canonical unit (700 m2 is 0.0007 km2)."""
    unit: Unit
    """Canonical unit of `value`."""
    qualifier: Qualifier
    """The hedge the article puts on the number."""
    vague: bool
    """True for a quantity word (عشرات، آلاف…): `value` is that word's floor."""
    scope: Scope
    """total, window or batch."""
    window: str | None
    """With scope window: the stated length (`48h`, `2w`, `20d`), else None."""
    quote: str
    """The article's words that state the figure, as written."""
    start: int
    """Offset of the quote's first character in the article text."""
    end: int
    """Offset just past the quote's last character."""
    place: str | None = None
    """Canonical gazetteer id of the place the figure is about, if named."""
    party: str | None = None
    """Canonical gazetteer id of the party (IS, SDF…) the figure is about."""
    since: str | None = None
    """Start of a running total as `--MM-DD` (ISO 8601 without year), if stated."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code of the country the figure is about, if the text says."""
    admin1: str | None = None
    """ISO 3166-2 code of its first-level division, None when none or the whole country."""

    def __reduce__(self) -> tuple[type[Figure], tuple[Any, ...]]:
        """Pickled as a call of the constructor: the worker processes send figures
        back, and the compiled (mypyc) frozen class cannot be restored field by
        field as pickle's default does (it raised FrozenInstanceError)."""
        return (
            Figure,
            (
                self.metric,
                self.value,
                self.unit,
                self.qualifier,
                self.vague,
                self.scope,
                self.window,
                self.quote,
                self.start,
                self.end,
                self.place,
                self.party,
                self.since,
                self.country,
                self.admin1,
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """The figure as FIGURES.md's JSON object (plus offsets, place, party, since)."""
        value: float | int = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {
            "metric": self.metric.value,
            "value": value,
            "unit": self.unit.value,
            "qualifier": self.qualifier.value,
            "vague": self.vague,
            "scope": self.scope.value,
            "window": self.window,
            "quote": self.quote,
            "country": self.country,
            "admin1": self.admin1,
            "start": self.start,
            "end": self.end,
            "place": self.place,
            "party": self.party,
            "since": self.since,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        """Inverse of `to_json`."""
        return cls(
            metric=Metric(data["metric"]),
            value=float(data["value"]),
            unit=Unit(data["unit"]),
            qualifier=Qualifier(data["qualifier"]),
            vague=bool(data["vague"]),
            scope=Scope(data["scope"]),
            window=data.get("window"),
            quote=data["quote"],
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            place=data.get("place"),
            party=data.get("party"),
            since=data.get("since"),
            country=data.get("country"),
            admin1=data.get("admin1"),
        )
