"""What a run produced (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunInterrupted", "RunResult"]


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



class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C (or SIGTERM): ``run_dir`` is its ``-FAILED`` folder (``None``
    when it had none yet), ``notebook`` the notebook that was running (``None`` if none was)."""

    def __init__(self, message: str, run_dir: Path | None = None,
                 notebook: str | None = None) -> None:
        super().__init__(message)
        self.run_dir = run_dir
        self.notebook = notebook
