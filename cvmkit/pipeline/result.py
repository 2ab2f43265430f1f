"""What a run produced (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunResult"]

@dataclass
class RunResult:
    """What a run produced: its folder, status and timings."""

    study: str
    run_dir: Path
    status: str
    seconds: float
    notebooks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    report: Path | None = None
    source: str | None = None

