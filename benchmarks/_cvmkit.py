"""What the benchmark scripts share: the repository, and timing one ``cvmkit run``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CVMKIT = [sys.executable, "-m", "cvmkit.cli"]
ENV = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
ENV["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # quiets the debugger's start-up warning only


def cvmkit_run(args: list[str], out: Path, env: dict[str, str] | None = None) -> float:
    """Seconds one ``cvmkit run ARGS --out OUT`` takes (``env``: variables to set besides the
    usual ones); the script stops if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run([*CVMKIT, "run", *args, "--out", str(out)], cwd=REPO,
                          env={**ENV, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"cvmkit run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds
