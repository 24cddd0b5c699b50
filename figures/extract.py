"""Extraction of typed figures from Arabic text.  INTERIM STAND-IN: returns
no figures; the extractor replaces this module behind `extract`."""

from __future__ import annotations

from figures.model import Figure


def extract(text: str) -> list[Figure]:
    """Every figure in `text`, one per (metric, value), in text order."""
    return []
