"""Shared test set-up: a non-interactive matplotlib backend, no kernel server left behind by
``--reuse`` runs (the tests that want one ask for it), and paths to the repository."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CVMKIT_KERNEL_SERVER_MINUTES", "0")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEMO = REPO / "data" / "demo"


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The folder of reference data used by the tests."""
    return DATA
