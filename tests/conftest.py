"""Shared test set-up: a non-interactive matplotlib backend, no kernel server left behind by
``--reuse`` runs (the tests that want one ask for it), paths to the repository, and how the
suite is shared between the workers of ``make test``."""

from __future__ import annotations

import functools
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


#: Helpers holding a run made once per session and read by several test modules.
_SHARED_RUN_MODULES = ("_shared_runs", "_hostile_runs")


@functools.cache
def _work_unit(path: str) -> str:
    """What one worker runs together when the suite runs on several: a file's tests (its
    module fixtures, a notebook's cells in order), and every module that reads a shared
    session run as one unit, so that no run is made twice."""
    file = REPO / path
    if file.suffix == ".py" and file.is_file():
        text = file.read_text(encoding="utf-8")
        if any(name in text for name in _SHARED_RUN_MODULES):
            return "shared session runs"
    return path


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``pytest -n 2 --dist loadfile`` (``make test``): hand out whole files, with the modules
    sharing a session run kept together (:func:`_work_unit`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class _Scheduler(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid.split("::", 1)[0])

    return _Scheduler(config, log)
