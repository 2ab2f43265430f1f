"""Incremental runs: ``cvmkit run --reuse`` after a change of one notebook's parameter.

What is measured, on this machine, in one session, as many times as ``--repeat`` says
(default 3), after one untimed ``cvmkit run --reuse`` — a researcher's first run of the day:
it compiles and caches the numerical kernels, and leaves the kernel server that ``--reuse``
runs keep for ten minutes (``CVMKIT_KERNEL_SERVER_MINUTES``):

* a full ``cvmkit run`` of the demo study;
* right after it, ``cvmkit run --reuse -p crosshair=median``: only notebook 04 (the one
  declaring ``crosshair``) and the report notebook run again, the rest is copied from the
  full run; their kernels are forked from the kernel server.

With ``--no-server`` the pairs are measured a second time with
``CVMKIT_KERNEL_SERVER_MINUTES=0``: each re-run then starts its kernels from a new process
that imports the notebooks' libraries, as a first ``--reuse`` run of the day does.

The aim: the re-run costs no more than the changed notebooks' own time plus the report.  All
times are read from the runs' manifests, so that none includes the start-up of the ``cvmkit``
command (printed apart): the re-run's time is its whole run (reading the study, hashing,
copying, starting its kernels, the notebooks, the report, stopping its kernels).  The other
side is measured two ways, both from the full run just before it:

* **changed + report**: what the re-executed notebooks took in the full run, plus its report.
  This leaves out what every run spends outside its notebooks (reading the study, importing
  the run's own libraries, the first kernel's start, writing the manifest), so even a re-run
  that re-uses nothing — every notebook changed — comes out above 1 by that much: the
  ``--seed`` control lines show it (most plainly the one without a server, where both runs
  start their kernels alike; with a server the re-run also skips the full run's cold start).
* **full − reused**: the full run less the execution of the notebooks the re-run re-used (each
  one's seconds less its wait for a kernel): the changed notebooks' own time, the report and
  what any run spends outside its notebooks.  A re-run that re-uses nothing then comes out at
  1; the aim is judged on this one.

The ratio of each pair is printed, and their median (the machine may be busy with other work:
the pairs are measured back to back so that each compares like with like).  Run:
``.venv/bin/python benchmarks/bench_reuse.py [--quick] [--repeat N] [--no-server]``
(``--quick`` passes ``-p n_boot=20``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from _cvmkit import REPO, cvmkit_run

STUDY = REPO / "data" / "demo" / "study.yaml"


def timed_run(args: list[str], out: Path, env: dict[str, str] | None = None
              ) -> tuple[float, dict]:
    seconds = cvmkit_run([str(STUDY), *args], out, env)
    manifests = [json.loads(p.read_text()) for p in out.glob("demo/*/manifest.json")]
    return seconds, max(manifests, key=lambda m: (m["started"], m["run_id"]))


def one_pair(extra: list[str], out: Path, env: dict[str, str] | None = None,
             change: tuple[str, ...] = ("-p", "crosshair=median")) -> dict[str, Any]:
    """A full run, then a re-run after ``change``, into ``out``."""
    full_cmd, full = timed_run(extra, out, env)
    reuse_cmd, again = timed_run([*extra, "--reuse", *change], out, env)
    rerun = [e["notebook"] for e in again["notebooks"] if not e.get("reused")]
    own = sum(e["seconds"] for e in full["notebooks"] if e["notebook"] in rerun)
    skipped = sum(e["seconds"] - e.get("kernel_seconds", 0.0) for e in full["notebooks"]
                  if e["notebook"] not in rerun)
    report = full.get("report", {}).get("seconds", 0.0)
    return {"full_cmd": full_cmd, "full": full["seconds"], "reuse_cmd": reuse_cmd,
            "reuse": again["seconds"], "changed": own + report,
            "rest": full["seconds"] - skipped, "rerun": rerun,
            "kernels": again.get("kernels", "?")}


def main() -> None:
    extra = ["-p", "n_boot=20"] if "--quick" in sys.argv else []
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    print(f"cvmkit incremental-run benchmark ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # not timed: compiles, fills caches, leaves the kernel server
        timed_run([*extra, "--reuse"], tmp / "first")
        show("-p crosshair=median; kernels forked from the kept kernel server",
             [one_pair(extra, tmp / f"pair{k}") for k in range(repeat)], aim=True)
        show("control: --seed 7 (every notebook changes, nothing can be re-used)",
             [one_pair(extra, tmp / "control", change=("--seed", "7"))])
        if "--no-server" in sys.argv:
            no_server = {"CVMKIT_KERNEL_SERVER_MINUTES": "0"}
            show("-p crosshair=median; no kernel server (CVMKIT_KERNEL_SERVER_MINUTES=0)",
                 [one_pair(extra, tmp / f"cold{k}", no_server) for k in range(repeat)])
            show("control: --seed 7; no kernel server (both runs start their kernels alike)",
                 [one_pair(extra, tmp / "cold-control", no_server, change=("--seed", "7"))])


def show(title: str, pairs: list[dict[str, Any]], aim: bool = False) -> None:
    """Print the pairs' times and ratios."""
    print(f"\n{title}")
    print(f"re-executed by --reuse: {', '.join(n[:2] for n in pairs[0]['rerun'])}; "
          f"kernels: {', '.join(sorted({p['kernels'] for p in pairs}))}")
    print(f"{'':<4}{'full run':>9}{'re-run':>8}{'changed + report':>18}{'ratio':>7}"
          f"{'full - reused':>15}{'ratio':>7}   commands: full, re-run")
    for k, p in enumerate(pairs, 1):
        print(f"{k:<4}{p['full']:>9.1f}{p['reuse']:>8.1f}{p['changed']:>18.1f}"
              f"{p['reuse'] / p['changed']:>6.2f}×{p['rest']:>15.1f}"
              f"{p['reuse'] / p['rest']:>6.2f}×   {p['full_cmd']:.1f} s, {p['reuse_cmd']:.1f} s")
    changed = statistics.median(p["reuse"] / p["changed"] for p in pairs)
    rest = statistics.median(p["reuse"] / p["rest"] for p in pairs)
    whole = statistics.median(p["reuse"] / p["full"] for p in pairs)
    print(f"median: re-run / (changed + report) {changed:.2f}×; re-run / (full - reused) "
          f"{rest:.2f}×{' (aim: ≤ 1)' if aim else ''}; re-run / full run {whole:.2f}×")


if __name__ == "__main__":
    main()
