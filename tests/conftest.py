"""Shared fixtures: paths to the project's own data; nothing from outside the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# PTB 22 reports RetryAfter.retry_after as a timedelta when this is set, and
# warns otherwise; bot.pacing.seconds() accepts both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    """The seed articles shipped in the repo."""
    return SEEDS
