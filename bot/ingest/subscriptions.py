"""Which subscriptions hear of a change: pure filter matching."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from figures import gazetteer

log = logging.getLogger(__name__)

Parent = Callable[[str], str | None]
"""A place id's enclosing place id (the gazetteer's `parent`)."""


def gazetteer_parent(place_id: str) -> str | None:
    """The gazetteer's parent of `place_id` (None if unknown or top)."""
    entry = gazetteer.place(place_id)
    return entry.parent if entry else None


def lineage(place_id: str | None, parent: Parent = gazetteer_parent) -> list[str]:
    """`place_id` and every place enclosing it, innermost first (`gazetteer.walk_up`)."""
    return [] if place_id is None else list(gazetteer.walk_up(place_id, parent))


def matches(
    metrics: Iterable[str] | None,
    places: Iterable[str] | None,
    change_metric: str,
    change_places: Iterable[str | None],
    parent: Parent = gazetteer_parent,
) -> bool:
    """True when a subscription filtering on `metrics` and `places` (None:
    all) wants a change of `change_metric` at `change_places` (the key's place
    and the article's finer place).  A place filter matches the place itself
    or anything inside it: a subscription to Deir ez-Zor hears of Baghuz."""
    if metrics is not None and change_metric not in set(metrics):
        return False
    if places is None:
        return True
    wanted = set(places)
    return any(p in wanted for where in change_places for p in lineage(where, parent))
