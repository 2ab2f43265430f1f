"""Batch runs: several studies, in parallel worker processes, one failing without harm.

The shared batch (tests/_shared_runs.py) runs two good copies of the demo study and one whose
data breaks notebook 03 with ``cvmkit run a b broken -j 2``.  The broken study must end in a
``<run-id>-FAILED`` folder, with a message naming notebook 03 and its cell; the good ones must
finish whole, and the command must end with a summary table of every study's outcome, time
and report path.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest
from _shared_runs import BROKEN_PAIR, demo_batch

from cvmkit.errors import CvmkitError
from cvmkit.pipeline import (
    THREAD_VARIABLES,
    RunResult,
    _reserve_run,
    format_batch_summary,
    run_batch,
)


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


def test_failing_study_fails_alone(batch) -> None:
    assert batch.exit_code == 1
    assert [r.parent.name for r in batch.failed_runs] == ["broken_demo"]
    assert sorted(r.parent.name for r in batch.ok_runs) == ["demo", "demo"]
    for run in batch.ok_runs:
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["status"] == "ok"
        assert (run / "report.html").is_file() and (run / "tables.xlsx").is_file()
        assert not list(run.parent.glob(".*.partial"))


def test_failed_folder_names_notebook_and_cell(batch) -> None:
    failed = batch.failed_runs[0]
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    error = manifest["error"]
    assert re.match(r"notebook 03_\w+\.ipynb failed at cell \d+ \(.+\): \w+Error: ", error), \
        error
    last = manifest["notebooks"][-1]
    assert last["notebook"].startswith("03_") and last["status"] == "failed"
    assert all(n["status"] == "ok" for n in manifest["notebooks"][:-1])
    # the executed notebooks are kept for inspection, the failing one with its traceback
    assert (failed / last["notebook"]).is_file()
    assert not (failed / "report.html").exists()
    assert "linearly" in error or "collinear" in error or "singular" in error or \
        any(a in error for a in BROKEN_PAIR), error


def test_executed_notebooks_show_every_figure_they_wrote(batch) -> None:
    run = batch.ok_runs[0]
    for nb in sorted(run.glob("0*.ipynb")):
        written = sorted((run / "figures").glob(f"{nb.stem}__*.png"))
        cells = json.loads(nb.read_text())["cells"]
        shown = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {})]
        # each written figure is shown from the PNG written (no second drawing), at the size
        # the inline backend would give it; a notebook may show more (e.g. an explorer's view)
        pngs = [base64.b64decode(o["data"]["image/png"]) for o in shown]
        for p in written:
            assert pngs.count(p.read_bytes()) == 1, p.name
            output = shown[pngs.index(p.read_bytes())]
            assert output["metadata"]["image/png"]["width"] > 0, p.name
        html = (run / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert html.count("<img") >= len(written), nb.name


def test_workers_share_the_cores(batch) -> None:
    """Two workers on this machine: each study's numerical libraries get half the cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for run in batch.ok_runs:
        limits = json.loads((run / "manifest.json").read_text())["platform"]["thread_limits"]
        assert limits == {name: os.environ.get(name, str(max(1, cores // 2)))
                          for name in THREAD_VARIABLES}


def test_summary_table_lists_every_study(batch) -> None:
    out = batch.stdout
    table = out[out.index("\nstudy "):]
    header, *rows = [line for line in table.strip().splitlines() if not line.startswith("  ->")]
    assert header.split() == ["study", "file", "outcome", "time", "report"]
    assert len(rows) == 3
    by_file = {Path(r.split()[1]).parent.name: r.split() for r in rows}
    assert by_file["a"][2] == "ok" and by_file["b"][2] == "ok"
    assert by_file["broken"][2] == "FAILED"
    for key in ("a", "b"):
        assert by_file[key][5].endswith("report.html") and Path(by_file[key][5]).is_file()
    assert by_file["broken"][5].endswith("-FAILED")
    assert re.search(r"^  -> notebook 03_\w+\.ipynb failed at cell \d+", table, re.M)
    assert "1 of 3 studies failed" in batch.stderr


def test_progress_counts_studies_and_notebooks(batch) -> None:
    lines = [ln for ln in batch.stdout.splitlines() if ln.startswith("[")]
    counts = [tuple(map(int, m.groups())) for m in
              (re.match(r"\[(\d+)/3 studies, (\d+)/(?:\d+) notebooks\]", ln) for ln in lines)
              if m]
    assert counts and counts == sorted(counts)  # never goes backwards
    assert counts[-1][0] == 3
    total = int(re.search(r"/(\d+) notebooks\]", lines[-1]).group(1))
    assert counts[-1][1] == total


def test_same_second_runs_get_their_own_folders(tmp_path: Path) -> None:
    ids = [_reserve_run(tmp_path, None) for _ in range(3)]
    assert len({run_id for run_id, _ in ids}) == 3
    assert all(p.is_dir() and p.name.startswith(".") for _, p in ids)


def test_bad_study_in_a_batch_is_a_failed_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n")
    results = run_batch([bad], jobs=1, out=tmp_path / "out", progress=None)
    assert [r.status for r in results] == ["failed"]
    assert "not valid YAML" in results[0].error and results[0].run_dir is None


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(CvmkitError, match="jobs: expected a positive number"):
        run_batch(["x.yaml"], jobs=0, out=tmp_path)


def test_summary_table_format() -> None:
    ok = RunResult("demo", Path("reports/demo/1"), "ok", 61.25, report=Path("r/report.html"),
                   source="a/study.yaml")
    bad = RunResult("other", Path("reports/other/2-FAILED"), "failed", 3.0,
                    error="notebook 03_x.ipynb failed at cell 4: ValueError: no\nmore",
                    source="b/study.yaml")
    assert format_batch_summary([ok, bad]).splitlines() == [
        "study  file          outcome  time    report",
        "demo   a/study.yaml  ok       61.2 s  r/report.html",
        "other  b/study.yaml  FAILED   3.0 s   reports/other/2-FAILED",
        "  -> notebook 03_x.ipynb failed at cell 4: ValueError: no",
        "     more",  # every line of the error: a study file's whole problem list, say
    ]
