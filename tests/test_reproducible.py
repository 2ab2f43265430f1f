"""The same inputs and seed give byte-identical tables.

The shared batch runs two copies of the demo study — the same study file, survey export and
seed — in two different worker processes at the same time.  Every CSV table of one run must
equal the other's byte for byte, and the manifests must agree on every input hash, the seed
and the hash of every table.
"""

from __future__ import annotations

import json

import pytest
from _shared_runs import demo_batch


@pytest.fixture(scope="session")
def twins(tmp_path_factory):
    batch = demo_batch(tmp_path_factory)
    demo_runs = [r for r in batch.ok_runs if r.parent.name == "demo"]
    assert len(demo_runs) == 2, batch.stdout + batch.stderr
    return demo_runs


def test_two_runs_give_byte_identical_tables(twins) -> None:
    a, b = twins
    tables_a = sorted(p.name for p in (a / "tables").glob("*.csv"))
    tables_b = sorted(p.name for p in (b / "tables").glob("*.csv"))
    assert tables_a == tables_b and len(tables_a) > 10
    different = [n for n in tables_a
                 if (a / "tables" / n).read_bytes() != (b / "tables" / n).read_bytes()]
    assert different == []


def test_results_are_identical_too(twins) -> None:
    a, b = twins
    for p in sorted((a / "results").glob("*.json")):
        assert p.read_bytes() == (b / "results" / p.name).read_bytes(), p.name


def test_manifest_records_what_reproduces_a_run(twins) -> None:
    ma, mb = (json.loads((r / "manifest.json").read_text()) for r in twins)
    assert ma["run_id"] != mb["run_id"]
    for m in (ma, mb):
        assert m["status"] == "ok"
        assert m["seed"] == 2026 and m["seeds"]["seed"] == 2026
        assert m["seeds"]["kernel_env"] == {"PYTHONHASHSEED": "0",
                                            "CVMKIT_PROGRESS": "off"}
        assert set(m["seeds"]["notebooks"]) == {n["notebook"] for n in m["notebooks"]}
        for pkg in ("python", "cvmkit", "numpy", "pandas", "statsmodels", "papermill"):
            assert m["versions"][pkg]
        assert len(m["inputs"]["study"]["sha256"]) == 64
        assert len(m["inputs"]["data"]["sha256"]) == 64
        assert set(m["inputs"]["notebooks"]) == {n["notebook"] for n in m["notebooks"]}
        assert m["parameters"]["seed"] == 2026 and m["parameters"]["client_name"]
        assert m["report"]["html"] == "report.html" and m["report"]["xlsx"] == "tables.xlsx"
    assert ma["inputs"]["data"]["sha256"] == mb["inputs"]["data"]["sha256"]
    assert ma["inputs"]["notebooks"] == mb["inputs"]["notebooks"]
    assert ma["tables"] == mb["tables"] and len(ma["tables"]) > 10
    assert ma["versions"] == mb["versions"]
