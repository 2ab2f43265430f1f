"""Incremental runs: ``cvmkit run --reuse`` after a change of one notebook's parameter.

What is measured, on this machine, in one session (after one untimed run that compiles and
caches the numerical kernels), as many times as ``--repeat`` says (default 3):

* a full ``cvmkit run`` of the demo study;
* right after it, ``cvmkit run --reuse -p crosshair=median``: only notebook 04 (the one
  declaring ``crosshair``) and the report notebook run again, the rest is copied from the
  full run.

The aim: the re-run costs no more than the changed notebooks' own time plus the report.  Both
sides are read from the runs' manifests, so that neither includes the start-up of the
``cvmkit`` command (printed apart): the re-run's time is its whole run (reading the study,
hashing, copying, starting its kernels, the notebooks, the report, stopping its kernels);
the other side is what the re-executed notebooks took in the full run just before it, plus
that run's report.  Every run waits once for its first kernel (a new process importing the
notebooks' libraries, ``kernel_seconds`` in the manifest): a full run inside its first
notebook's time, a re-run inside the first re-executed notebook's; the ratio without that wait
is printed too.  The ratio of each pair is printed, and their median (the machine may be
busy with other work: the pairs are measured back to back so that each compares like with
like).  Run: ``.venv/bin/python benchmarks/bench_reuse.py [--quick] [--repeat N]``
(``--quick`` passes ``-p n_boot=20``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from _cvmkit import REPO, cvmkit_run

STUDY = REPO / "data" / "demo" / "study.yaml"


def timed_run(args: list[str], out: Path) -> tuple[float, dict]:
    seconds = cvmkit_run([str(STUDY), *args], out)
    manifests = [json.loads(p.read_text()) for p in out.glob("demo/*/manifest.json")]
    return seconds, max(manifests, key=lambda m: (m["started"], m["run_id"]))


def one_pair(extra: list[str], out: Path) -> dict[str, float | list[str]]:
    """A full run, then a re-run after ``-p crosshair=median``, into ``out``."""
    full_cmd, full = timed_run(extra, out)
    reuse_cmd, again = timed_run([*extra, "--reuse", "-p", "crosshair=median"], out)
    rerun = [e["notebook"] for e in again["notebooks"] if not e.get("reused")]
    own = sum(e["seconds"] for e in full["notebooks"] if e["notebook"] in rerun)
    report = full.get("report", {}).get("seconds", 0.0)
    first_kernel = next((e.get("kernel_seconds", 0.0) for e in again["notebooks"]
                         if not e.get("reused")), 0.0)
    return {"full_cmd": full_cmd, "full": full["seconds"], "reuse_cmd": reuse_cmd,
            "reuse": again["seconds"], "aim": own + report, "rerun": rerun,
            "kernel": first_kernel}


def main() -> None:
    extra = ["-p", "n_boot=20"] if "--quick" in sys.argv else []
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    print(f"cvmkit incremental-run benchmark ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        timed_run(extra, tmp / "first")  # not timed: compiles, fills caches
        pairs = [one_pair(extra, tmp / f"pair{k}") for k in range(repeat)]
    print(f"re-executed by --reuse: {', '.join(n[:2] for n in pairs[0]['rerun'])}")
    print(f"{'':<6}{'full run':>10}{'re-run':>10}{'changed + report':>18}{'ratio':>8}"
          f"{'first kernel':>14}{'  (commands: full, re-run)':<26}")
    ratios, without = [], []
    for k, p in enumerate(pairs, 1):
        ratio = p["reuse"] / p["aim"]
        ratios.append(ratio)
        without.append((p["reuse"] - p["kernel"]) / p["aim"])
        print(f"{k:<6}{p['full']:>10.1f}{p['reuse']:>10.1f}{p['aim']:>18.1f}{ratio:>7.2f}×"
              f"{p['kernel']:>14.1f}  ({p['full_cmd']:.1f} s, {p['reuse_cmd']:.1f} s)")
    full_ratio = statistics.median(p["reuse"] / p["full"] for p in pairs)
    print(f"re-run against the changed notebooks' time in the full run + its report: "
          f"{statistics.median(ratios):.2f}× (median; aim: ≤ 1); against the full run: "
          f"{full_ratio:.2f}×")
    print(f"the re-run less its wait for its first kernel (a new process importing the "
          f"notebooks' libraries, which a full run waits for in its first notebook): "
          f"{statistics.median(without):.2f}×")


if __name__ == "__main__":
    main()
