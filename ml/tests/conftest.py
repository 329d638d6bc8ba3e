"""Shared fixtures for the smart_dairy_ml tests (pure Python, no Odoo needed)."""

from pathlib import Path

import pytest

from smart_dairy_ml.simulator import HerdSimulator

REPO = Path(__file__).resolve().parents[2]
MILKMAN = REPO.parent / "shared" / "data" / "milkman.csv.gz"


@pytest.fixture(scope="session")
def milkman_path():
    if not MILKMAN.exists():
        pytest.skip(
            f"real data {MILKMAN} absent (milkman.csv.gz from R package doBy is not "
            "part of the repository); real-data checks skipped"
        )
    return MILKMAN


@pytest.fixture(scope="session")
def herd_long():
    """255 cows x 730 days (the size the issue asks to simulate in well under a minute)."""
    return HerdSimulator(n_cows=255, days=730, seed=11).run()


@pytest.fixture(scope="session")
def herd_90():
    return HerdSimulator(n_cows=255, days=90, seed=7).run()
