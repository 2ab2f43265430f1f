"""The pipeline: `cvmkit run` on the demo against its floor, and a batch of studies.

What is measured, on this machine, in one session:

* **floor** — the time to start one Jupyter kernel and import pandas, statsmodels and seaborn
  in it (the least any notebook of a run costs), median of three;
* **single study** — after one untimed run (which compiles and caches the numerical kernels,
  as the first run after installing does), the wall time of
  ``cvmkit run data/demo/study.yaml`` (every notebook,
  HTML exports, report.html and tables.xlsx) as it runs by default (each kernel forked from a
  process that imported the libraries once, and started while the previous notebook runs),
  and with a fresh kernel started for each notebook in turn, as papermill alone would
  (``warm_kernels=False, fork_kernels=False``), next to the floor times the number of
  notebooks (target: at most 2× that floor), and each notebook's own time next to one floor;
* **batch** — four demo-sized studies (copies of the demo) run one after another
  (``cvmkit run a b c d``, where they share the libraries imported once) and two at a time
  (``cvmkit run a b c d -j 2``); target speed-up at least 1.6× on two cores.  For reference,
  the four studies are also run by four separate ``cvmkit run`` commands.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py [--quick]`` (``--quick`` skips the
batch).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _cvmkit import ENV, REPO, cvmkit_run

DEMO = REPO / "data" / "demo"
# The runs see the environment a user's shell gives them, except for a plotting backend set
# there: with ``MPLBACKEND=Agg`` the notebooks would show no figures, and a run would be
# measured without the work of showing them.


def floor_once() -> float:
    from jupyter_client.manager import start_new_kernel

    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive("import pandas, statsmodels.api, seaborn", timeout=120)
        assert reply["content"]["status"] == "ok"
        return time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def copy_demo(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for f in DEMO.iterdir():
        if f.is_file():
            shutil.copyfile(f, dest / f.name)
    return dest / "study.yaml"


def single(out: Path, default: bool) -> tuple[float, dict]:
    if default:
        seconds = cvmkit_run([str(DEMO / "study.yaml")], out)
    else:
        code = ("import sys; from cvmkit.pipeline import run_study; "
                f"run_study({str(DEMO / 'study.yaml')!r}, out={str(out)!r}, progress=None, "
                "warm_kernels=False, fork_kernels=False)")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, env=ENV, check=True,
                       capture_output=True)
        seconds = time.perf_counter() - t0
    manifest = json.loads(next(out.glob("demo/*/manifest.json")).read_text())
    return seconds, manifest


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"cvmkit pipeline benchmark ({os.cpu_count()} cores)")
    floor_once()  # the first kernel start also warms the disk cache
    floors = [floor_once() for _ in range(3)]
    floor = statistics.median(floors)
    print(f"\nfloor: start a kernel + import pandas, statsmodels, seaborn = {floor:.2f} s "
          f"(median of {', '.join(f'{f:.2f}' for f in floors)})")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Not timed: the first run after installing compiles the numerical kernels (numba
        # keeps them on disk for every later run) and brings the files into the disk cache.
        cvmkit_run([str(DEMO / "study.yaml")], tmp / "first")
        warm = sorted((single(tmp / f"warm{k}", default=True) for k in range(3)),
                      key=lambda run: run[0])
        warm_s, manifest = warm[1]  # the median of three
        cold_s, cold_manifest = single(tmp / "cold", default=False)
        n = len(manifest["notebooks"])
        print(f"\nsingle study: cvmkit run on the demo ({n} notebooks, report included)")
        print(f"{'':<34}{'seconds':>9}{'× floor·n':>11}")
        print(f"{'floor × notebooks':<34}{floor * n:>9.1f}{1.0:>11.2f}")
        ratio = warm_s / (floor * n)
        print(f"{'cvmkit run (default), median of 3':<34}{warm_s:>9.1f}{ratio:>11.2f}")
        print(f"{'  the three runs':<34}" + ", ".join(f"{run[0]:.1f}" for run in warm))
        print(f"{'fresh kernel per notebook':<34}{cold_s:>9.1f}{cold_s / (floor * n):>11.2f}")
        print("target: at most 2.00 × floor·n (default)")
        print(f"\n{'notebook':<26}{'run s':>8}{'× floor':>9}{'fresh s':>8}{'× floor':>9}")
        cold_by = {e["notebook"]: e["seconds"] for e in cold_manifest["notebooks"]}
        for e in manifest["notebooks"]:
            c = cold_by.get(e["notebook"], float("nan"))
            print(f"{e['notebook'].removesuffix('.ipynb'):<26}{e['seconds']:>8.1f}"
                  f"{e['seconds'] / floor:>9.2f}{c:>8.1f}{c / floor:>9.2f}")
        rep = manifest.get("report", {}).get("seconds")
        if rep is not None:
            print(f"{'report.html + tables.xlsx':<26}{rep:>8.1f}")

        if quick:
            return
        studies = [str(copy_demo(tmp / f"study_{k}")) for k in "abcd"]
        seq = cvmkit_run(studies, tmp / "seq")
        par = cvmkit_run([*studies, "-j", "2"], tmp / "par")
        apart = sum(cvmkit_run([study], tmp / "apart") for study in studies)
        print("\nbatch: 4 demo-sized studies")
        print(f"{'':<44}{'seconds':>9}{'per study':>11}")
        print(f"{'one after another, one command (-j 1)':<44}{seq:>9.1f}{seq / 4:>11.1f}")
        print(f"{'one after another, four cvmkit run commands':<44}{apart:>9.1f}"
              f"{apart / 4:>11.1f}")
        print(f"{'two at a time (-j 2)':<44}{par:>9.1f}{par / 4:>11.1f}")
        print(f"speed-up of -j 2 over one after another (-j 1): {seq / par:.2f}× "
              "(target ≥ 1.60×)")
        print(f"speed-up of -j 2 over four separate commands:   {apart / par:.2f}×")


if __name__ == "__main__":
    main()
