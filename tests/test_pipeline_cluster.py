"""Studies as tasks on a Dask LocalCluster of two workers.

Four studies go to the cluster: three copies of the demo study (under their own slugs) and a
study file that cannot be read.  One of the three makes its worker wait in its second
notebook, and the test kills that worker there: the study must come back (run again by the
other worker) and no folder of the killed attempt may look like a complete run.  The tables
of every study run on the cluster must equal, byte for byte, those of the same studies run
one at a time.  To keep it cheap the notebooks are two small ones: a summary of the survey
export written as a table (with a bootstrap, so that the seed matters), and a probe.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest
from _shared_runs import _copy_demo
from nbformat.v4 import new_code_cell, new_notebook

from cvmkit.pipeline import format_batch_summary, run_batch

distributed = pytest.importorskip("distributed")

_SUMMARY = """
import numpy as np
import pandas as pd
from cvmkit.io import write_table
from cvmkit.study import load_study
study = load_study(study_path)
data = pd.read_csv(study.data_path)
numbers = data.select_dtypes("number")
rng = np.random.default_rng(seed)
boot = [numbers.iloc[rng.integers(0, len(numbers), len(numbers))].mean() for _ in range(20)]
table = pd.DataFrame({"mean": numbers.mean(), "boot_sd": pd.concat(boot, axis=1).std(axis=1)})
write_table(run_dir, "01_summary", "means", table.reset_index(names="column"))
"""

_PROBE = """
import time
from pathlib import Path
marker = Path(study_path).parent / "slow"
if marker.exists():  # the first attempt of the study whose worker is killed waits here
    marker.rename(marker.with_name("slow.taken"))
    time.sleep(120)
"""


def _notebooks(folder: Path) -> Path:
    folder.mkdir()
    for name, source in (("01_summary", _SUMMARY), ("02_probe", _PROBE)):
        nb = new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        params = new_code_cell("study_path = None\nrun_dir = None\nseed = 0\n")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, new_code_cell(source)]
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    return folder


def _tables(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run / "tables").glob("*.csv"))}


def _kill_worker_running(client, slug: str, marker: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert time.monotonic() < deadline, "the study never reached its waiting cell"
        time.sleep(0.1)
    for address, keys in client.processing().items():
        if any(f"cvmkit-study-{slug}-" in str(k) for k in keys):
            pid = client.run(os.getpid, workers=[address])[address]
            os.kill(pid, signal.SIGKILL)
            return
    raise AssertionError(f"no worker is running {slug}")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_studies_on_a_local_cluster(tmp_path: Path) -> None:
    from cvmkit.pipeline.cluster import _workers_exit_promptly, local_cluster, run_on_cluster

    nbs = _notebooks(tmp_path / "notebooks")
    good = [_copy_demo(tmp_path / slug, slug=slug) for slug in ("c1", "c2", "c3")]
    (good[1].parent / "slow").touch()
    bad = tmp_path / "bad" / "study.yaml"
    bad.parent.mkdir()
    bad.write_text("title: [unclosed\n")
    studies = [good[0], bad, good[1], good[2]]
    out = tmp_path / "cluster"
    common = dict(notebooks_dir=nbs, build_report=False, progress=None)

    nanny = _Records()
    logging.getLogger("distributed.nanny").addHandler(nanny)
    with _workers_exit_promptly():  # as run_on_cluster starts its own LocalCluster
        cluster = local_cluster(n_workers=2)
        client = distributed.Client(cluster)
        try:
            results: list = []
            worker = threading.Thread(target=lambda: results.extend(
                run_on_cluster(studies, client=client, out=out, **common)))
            worker.start()
            _kill_worker_running(client, "c2", good[1].parent / "slow.taken")
            worker.join(timeout=300)
            assert not worker.is_alive()
        finally:
            client.close()
            cluster.close()
            logging.getLogger("distributed.nanny").removeHandler(nanny)
    # the workers end when asked, without being killed for lingering
    assert not [m for m in nanny.messages if "still alive" in m], nanny.messages

    assert [r.status for r in results] == ["ok", "failed", "ok", "ok"], \
        format_batch_summary(results)
    assert "not valid YAML" in results[1].error
    # the killed attempt left nothing that looks like a run: the study's folder holds the
    # complete run of its second attempt only
    for r, slug in zip([results[0], results[2], results[3]], ("c1", "c2", "c3")):
        assert [p.name for p in (out / slug).iterdir()] == [r.run_dir.name]
        assert (r.run_dir / "manifest.json").is_file()

    serial = run_batch(good, jobs=1, out=tmp_path / "serial", **common)
    assert [r.status for r in serial] == ["ok", "ok", "ok"]
    for one, many in zip(serial, [results[0], results[2], results[3]]):
        assert _tables(one.run_dir) and _tables(one.run_dir) == _tables(many.run_dir)
