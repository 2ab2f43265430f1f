"""Incremental runs: ``cvmkit run --reuse`` after a change of one notebook's parameter.

What is measured, on this machine, in one session (after one untimed run that compiles and
caches the numerical kernels):

* a full ``cvmkit run`` of the demo study;
* ``cvmkit run --reuse -p crosshair=median``: only notebook 04 (the one declaring
  ``crosshair``) and the report notebook run again, the rest is copied from the full run.

The aim: the re-run costs no more than the changed notebooks' own time (as the full run's
manifest records it) plus the report.  Run: ``.venv/bin/python benchmarks/bench_reuse.py
[--quick]`` (``--quick`` passes ``-p n_boot=20``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from _cvmkit import REPO, cvmkit_run

STUDY = REPO / "data" / "demo" / "study.yaml"


def timed_run(args: list[str], out: Path) -> tuple[float, dict]:
    seconds = cvmkit_run([str(STUDY), *args], out)
    manifests = [json.loads(p.read_text()) for p in out.glob("demo/*/manifest.json")]
    return seconds, max(manifests, key=lambda m: (m["started"], m["run_id"]))


def main() -> None:
    extra = ["-p", "n_boot=20"] if "--quick" in sys.argv else []
    print(f"cvmkit incremental-run benchmark ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        timed_run(extra, tmp / "first")  # not timed: compiles, fills caches
        full_s, full = timed_run(extra, tmp / "reports")
        reuse_s, again = timed_run([*extra, "--reuse", "-p", "crosshair=median"],
                                    tmp / "reports")
        rerun = [e["notebook"] for e in again["notebooks"] if not e.get("reused")]
        own = sum(e["seconds"] for e in full["notebooks"] if e["notebook"] in rerun)
        report = full.get("report", {}).get("seconds", 0.0)
        print(f"{'':<48}{'seconds':>9}")
        print(f"{'full run':<48}{full_s:>9.1f}")
        print(f"{'--reuse after -p crosshair=median':<48}{reuse_s:>9.1f}")
        print(f"{'  re-executed: ' + ', '.join(n[:2] for n in rerun):<48}")
        print(f"{'  their own time in the full run + report':<48}{own + report:>9.1f}")
        print(f"re-run against a full run: {reuse_s / full_s:.2f}×; against the changed "
              f"notebooks' time + report: {reuse_s / (own + report):.2f}× (aim: ≤ 1, plus "
              "the start-up of one command)")


if __name__ == "__main__":
    main()
