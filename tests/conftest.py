"""Shared fixtures: paths to the project's own data; nothing from outside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    """The seed articles shipped in the repo."""
    return SEEDS
