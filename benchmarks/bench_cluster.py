"""Four demo-sized studies on a Dask LocalCluster against the same four with ``-j 2``.

What is measured, on this machine, in one session (after one untimed run that compiles and
caches the numerical kernels):

* ``cvmkit run a b c d -j 2`` — two worker processes of one batch;
* ``cvmkit run a b c d --cluster local`` — a LocalCluster sized to the machine (one worker
  per core), each study one task; the time includes starting and stopping the cluster.

The four studies are copies of the demo.  Both batches' tables are compared: they must be
equal byte for byte.  Run: ``.venv/bin/python benchmarks/bench_cluster.py [--quick]``
(``--quick`` runs two studies instead of four, with ``-p n_boot=20``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from _cvmkit import REPO, cvmkit_run

DEMO = REPO / "data" / "demo"


def copy_demo(dest: Path, slug: str) -> Path:
    dest.mkdir(parents=True)
    for f in DEMO.iterdir():
        if f.is_file():
            shutil.copyfile(f, dest / f.name)
    study = dest / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("slug: demo", f"slug: {slug}", 1),
                     encoding="utf-8")
    return study


def tables(out: Path) -> dict[str, bytes]:
    return {f"{p.parts[-4]}/{p.name}": p.read_bytes()
            for p in sorted(out.glob("*/*/tables/*.csv"))}


def main() -> None:
    quick = "--quick" in sys.argv
    n = 2 if quick else 4
    extra = ["-p", "n_boot=20"] if quick else []
    print(f"cvmkit cluster benchmark ({os.cpu_count()} cores, {n} demo-sized studies)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        studies = [str(copy_demo(tmp / f"study_{k}", f"study_{k}")) for k in "abcd"[:n]]
        cvmkit_run([studies[0], *extra], tmp / "first")  # not timed: compiles, fills caches
        jobs = cvmkit_run([*studies, "-j", "2", *extra], tmp / "jobs")
        cluster = cvmkit_run([*studies, "--cluster", "local", *extra], tmp / "cluster")
        print(f"{'':<40}{'seconds':>9}{'per study':>11}")
        print(f"{'-j 2 (two worker processes)':<40}{jobs:>9.1f}{jobs / n:>11.1f}")
        print(f"{'--cluster local (LocalCluster)':<40}{cluster:>9.1f}{cluster / n:>11.1f}")
        print(f"LocalCluster against -j 2: {cluster / jobs:.2f}×")
        same = tables(tmp / "jobs") == tables(tmp / "cluster")
        print(f"tables byte-equal between the two batches: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
