"""The folders of a run: reserved hidden while it is built, renamed when it ends."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..errors import PipelineError


def _reserve_run(base: Path, run_id: str | None) -> tuple[str, Path]:
    """Pick the run id and create its hidden build folder atomically.

    Two runs of studies with the same slug started in the same second (a batch) get different
    ids: the build folder is created with ``mkdir``, which only one of them can win.
    """
    if run_id is not None:
        if (base / run_id).exists():
            raise PipelineError(f"run folder '{base / run_id}' already exists")
        tmp = base / f".{run_id}.partial"
        if tmp.exists():  # left over by a run that was killed
            shutil.rmtree(tmp)
        tmp.mkdir()
        return run_id, tmp
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    k = 1
    while True:
        candidate = stamp if k == 1 else f"{stamp}-{k}"
        k += 1
        if (base / candidate).exists() or (base / f"{candidate}-FAILED").exists():
            continue
        tmp = base / f".{candidate}.partial"
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return candidate, tmp


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    k = 2
    while path.with_name(f"{path.name}-{k}").exists():
        k += 1
    return path.with_name(f"{path.name}-{k}")

