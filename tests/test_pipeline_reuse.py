"""Incremental runs (``cvmkit run --reuse``) from a complete run of the shared batch.

A parameter only notebook 04 declares (``crosshair``) is changed: only 04 and the report
notebook (the last) run again, the rest is copied and marked reused.  Changing it back and re-using
again must give every table of the original full run, byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from _shared_runs import ACCENT, CLIENT, FAST, demo_batch

from cvmkit.cli import main
from cvmkit.pipeline.reuse import STORE, expected_runs, input_digest, notebook_reads


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


def _run(batch, out: Path, *extra: str) -> tuple[int, str, dict]:
    argv = ["run", str(batch.studies["a"]), "--out", str(out), "--reuse",
            "-p", f"client_name={CLIENT}", "-p", f"accent_color='{ACCENT}'",
            "-p", f"logo_path={batch.logo}", "-p", "report_date=March 2026", *extra]
    for k, v in FAST.items():
        argv += ["-p", f"{k}={v}"]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stdout):
        code = main(argv)
    runs = sorted((out / "demo").iterdir(), key=lambda p: json.loads(
        (p / "manifest.json").read_text())["started"] + p.name)
    return code, stdout.getvalue(), json.loads((runs[-1] / "manifest.json").read_text())


def _tables(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run / "tables").glob("*.csv"))}


def _executed(manifest: dict) -> list[str]:
    return [nb["notebook"][:2] for nb in manifest["notebooks"] if not nb.get("reused")]


def test_reuse_runs_only_what_changed(batch, tmp_path: Path, monkeypatch) -> None:
    full = next(r for r in batch.ok_runs if r.parent.name == "demo")
    out = tmp_path / "reports"
    shutil.copytree(full, out / "demo" / full.name)
    # the re-runs fork their kernels from a kernel server, kept for the second of them
    runtime = Path(tempfile.mkdtemp(prefix="cvmkit-test-"))  # short: a socket path has a limit
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("CVMKIT_KERNEL_SERVER_MINUTES", "0.05")

    code, text, changed = _run(batch, out, "-p", "crosshair=median")
    assert code == 0, text
    report_nb = changed["notebooks"][-1]["notebook"]
    assert _executed(changed) == ["04", report_nb[:2]]
    assert changed["reuse"] == {"from": full.name}
    assert changed["kernels"] in ("server started", "fresh")  # fresh: no fork here
    assert "report" in changed  # the report is always built again
    assert "] 01_data_collection reused from" in text
    entry = {nb["notebook"][:2]: nb for nb in changed["notebooks"]}
    assert entry["04"]["parameters"]["crosshair"] == "median"
    assert entry["04"]["reads"] == ["01_data_collection", "03_driver_regression"]
    assert entry[report_nb[:2]]["reads"] == [nb["notebook"][:-6]
                                             for nb in changed["notebooks"][:-1]]
    new_run = out / "demo" / changed["run_id"]
    assert _tables(new_run) != _tables(full)
    # a re-used output is the earlier run's file (as its notebook wrote it), linked rather
    # than copied
    kept = next((out / "demo" / full.name / STORE / "01_data_collection" / "tables").glob("*"))
    assert (new_run / "tables" / kept.name).samefile(kept)

    code, text, back = _run(batch, out, "-p", "crosshair=data")
    assert code == 0, text
    assert _executed(back) == ["04", report_nb[:2]]
    assert _tables(out / "demo" / back["run_id"]) == _tables(full)
    if changed["kernels"] == "server started":
        assert back["kernels"] == "server kept"
    # the server ends three seconds after the last run, and its socket with it
    deadline = time.monotonic() + 30
    while list(runtime.rglob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(runtime.rglob("*.sock"))
    shutil.rmtree(runtime)


def test_expected_runs(tmp_path: Path) -> None:
    """Before anything runs: a changed notebook is expected to execute, and so is any notebook
    reading it; the others are expected to be re-used."""
    stems = ["01_a", "02_b", "03_c", "04_d"]
    reads = [[], ["01_a"], ["01_a"], ["01_a", "02_b", "03_c"]]

    def digest(i: int, outputs: dict) -> str:
        return input_digest({"i": i, "reads": {s: outputs.get(s) for s in reads[i]}})

    def reusable(i: int, d: str) -> dict | None:  # 02_b's parameters changed
        return None if i == 1 else {"outputs": []}

    assert expected_runs(4, reads, stems, digest, reusable, tmp_path) == [1, 3]
    assert expected_runs(4, reads, stems, digest, lambda i, d: None, tmp_path) == [0, 1, 2, 3]


def test_what_a_notebook_reads(tmp_path: Path, repo: Path) -> None:
    earlier = ["01_data_collection", "02_needs_vs_wants", "03_driver_regression"]
    nb = repo / "notebooks" / "04_value_maps.ipynb"
    assert notebook_reads(nb, earlier) == ["01_data_collection", "03_driver_regression"]
    plain = tmp_path / "05_other.ipynb"
    plain.write_text(json.dumps({"cells": [], "metadata": {}}))
    assert notebook_reads(plain, earlier) == earlier  # nothing declared: everything before
    assert input_digest({"a": 1, "b": [1, 2]}) == input_digest({"b": [1, 2], "a": 1})
    assert input_digest({"a": 1}) != input_digest({"a": 2})
