"""How the cost of a whole run grows with the number of respondents, and the first call's cost.

What is measured, on this machine, in one session:

* **scale** — for each size (default 10,000, 100,000 and 1,000,000 respondents: the demo
  study simulated with ``cvmkit simulate -n``, twelve attributes, four brands, open ends and
  personal data as in the demo), ``cvmkit run`` end to end: each notebook's wall time (from the
  run's manifest), the report build, the total, and the peak memory of the whole process tree
  (the command, its kernels and their helpers, sampled every 0.1 s); then the ratio of each
  step's time at one size to the previous size (linear growth is a ratio near the size ratio,
  10).  Targets (issue: real-size data): 100,000 in at most 45 s, 1,000,000 in at most
  5 minutes and 8 GB, no notebook growing more than 12× from 100,000 to 1,000,000.
* **first call** — in a fresh process: ``import cvmkit``, then the first
  ``relative_importance`` call at p = 12 (n = 1,000), with an empty numba cache (cold) and with
  the cache ``make setup`` leaves (warm).  Targets: import ≤ 1.5 s, cold first call ≤ 3 s.
  Up to 12 drivers the point estimate needs no compiled kernel; the first call *with* a
  bootstrap (200 replicates) compiles the replicate kernel when the cache is cold, and is
  printed too.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000] [--keep DIR]``.
A size whose run fails is reported with its error and the next sizes are still tried.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

CVMKIT = [sys.executable, "-m", "cvmkit.cli"]


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _run_measured(cmd: list[str], log: Path) -> tuple[int, float, int]:
    """Run ``cmd``; return its exit code, wall time and the peak memory of its process tree."""
    peak = 0
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    return code, time.perf_counter() - t0, peak


def _scale(sizes: list[int], work: Path) -> None:
    rows: list[dict] = []
    for n in sizes:
        study_dir = work / f"n{n}"
        t0 = time.perf_counter()
        subprocess.run([*CVMKIT, "simulate", "--out", str(study_dir), "-n", str(n)],
                       check=True, stdout=subprocess.DEVNULL)
        simulate_s = time.perf_counter() - t0
        out = work / f"reports{n}"
        code, wall, peak = _run_measured(
            [*CVMKIT, "run", str(study_dir / "study.yaml"), "--out", str(out)],
            work / f"run{n}.log")
        manifests = sorted(out.glob("*/*/manifest.json"))
        manifest = json.loads(manifests[-1].read_text()) if manifests else {}
        steps = {e["notebook"].split("_")[0]: e["seconds"] for e in manifest.get("notebooks", [])}
        if manifest.get("report"):
            steps["report"] = manifest["report"]["seconds"]
        rows.append({"n": n, "ok": code == 0, "wall": wall, "peak_gb": peak / 1e9,
                     "steps": steps, "simulate": simulate_s,
                     "error": None if code == 0 else (work / f"run{n}.log").read_text()[-400:]})
        status = "ok" if code == 0 else "FAILED"
        print(f"n = {n:>9,}: {status}, {wall:7.1f} s end to end, peak {peak / 1e9:5.2f} GB "
              f"(simulating the data: {simulate_s:.1f} s)", flush=True)
    names = sorted({k for r in rows for k in r["steps"]})
    print()
    print("seconds per step".ljust(18) + "".join(f"{r['n']:>12,}" for r in rows))
    for k in names:
        print(k.ljust(18) + "".join(f"{r['steps'].get(k, float('nan')):12.1f}" for r in rows))
    print("end to end".ljust(18) + "".join(f"{r['wall']:12.1f}" for r in rows))
    print("peak memory (GB)".ljust(18) + "".join(f"{r['peak_gb']:12.2f}" for r in rows))
    for a, b in zip(rows, rows[1:]):
        print(f"\ngrowth from {a['n']:,} to {b['n']:,} ({b['n'] / a['n']:.0f}× respondents):")
        for k in names:
            ta, tb = a["steps"].get(k), b["steps"].get(k)
            if ta and tb:
                print(f"  {k:<16} {tb / ta:6.1f}×")
        print(f"  {'end to end':<16} {b['wall'] / a['wall']:6.1f}×")
    for r in rows:
        if r["error"]:
            print(f"\nn = {r['n']:,} failed; the end of its log:\n{r['error']}")


_FIRST_CALL = """
import time
t0 = time.perf_counter()
import cvmkit
t_import = time.perf_counter() - t0
import numpy as np, pandas as pd
rng = np.random.default_rng(1)
x = rng.normal(size=(1000, 12))
frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(12)])
frame["y"] = x @ rng.uniform(0.1, 1, 12) + rng.normal(size=1000)
t1 = time.perf_counter()
from cvmkit.drivers import relative_importance
relative_importance(frame, "y", [f"x{i}" for i in range(12)], methods=["lmg"])
t2 = time.perf_counter()
relative_importance(frame, "y", [f"x{i}" for i in range(12)], methods=["lmg"], n_boot=200)
print(f"{t_import:.2f} {t2 - t1:.2f} {time.perf_counter() - t2:.2f}")
"""


def _first_call() -> None:
    with tempfile.TemporaryDirectory() as empty:
        cold = subprocess.run([sys.executable, "-c", _FIRST_CALL], capture_output=True,
                              text=True, env={**os.environ, "NUMBA_CACHE_DIR": empty})
    warm = subprocess.run([sys.executable, "-c", _FIRST_CALL], capture_output=True, text=True)
    for name, res in (("cold (empty numba cache)", cold), ("warm (the installed cache)", warm)):
        if res.returncode:
            print(f"first call, {name}: failed\n{res.stderr[-400:]}")
            continue
        imp, first, boot = map(float, res.stdout.split())
        print(f"first call, {name}: import cvmkit {imp:.2f} s (target ≤ 1.5 s), first "
              f"relative_importance at p = 12 {first:.2f} s (target ≤ 3 s), then the first "
              f"with 200 bootstrap replicates {boot:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="respondent counts, comma-separated")
    parser.add_argument("--keep", help="keep the simulated studies and runs in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    _first_call()
    print()
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        _scale(sizes, work)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _scale(sizes, Path(tmp))


if __name__ == "__main__":
    main()
