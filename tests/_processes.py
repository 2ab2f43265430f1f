"""Waiting for processes to end, for the tests that check no kernel or server is left behind."""

from __future__ import annotations

import time
from pathlib import Path


def gone(pids: list[int], timeout: float = 5.0) -> bool:
    """Whether every process in ``pids`` has ended (a zombie counts as ended) within
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.1)
    return False
