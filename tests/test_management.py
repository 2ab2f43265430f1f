"""Management's map against the customers': planted misjudgements recovered, the file checked."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO

from cvmkit.errors import DataError, StudySpecError
from cvmkit.findings_value import management_finding
from cvmkit.management import customer_view, management_gaps, read_management
from cvmkit.study import load_study


@pytest.fixture(scope="module")
def demo():
    study = load_study(DEMO / "study.yaml")
    data = pd.read_csv(DEMO / "responses.csv")
    for c in data.columns:
        if c.startswith(("imp_", "perf_")):
            data[c] = data[c].replace(99, np.nan)
    return study, data


def test_planted_misjudgements_recovered(demo) -> None:
    study, data = demo
    truth = json.loads((DEMO / "truth.json").read_text())["management"]
    gaps = management_gaps(customer_view(data, study), read_management(study))
    found = {(r.attribute, r.verdict) for r in gaps[gaps.verdict != "agrees"].itertuples()}
    assert found == {(a, v) for v, attrs in truth.items() for a in attrs}
    sentence, frame = management_finding(gaps, {a.id: a.label for a in study.attributes})
    assert "3 attributes" in sentence and len(frame) == 3
    # with no tolerance, the interval alone decides: more disagreements, the planted ones kept
    strict = management_gaps(customer_view(data, study), read_management(study), tolerance=0)
    assert found <= {(r.attribute, r.verdict)
                     for r in strict[strict.verdict != "agrees"].itertuples()}


def _study_with(tmp_path, text: str):
    for f in ("study.yaml", "responses.csv"):
        shutil.copyfile(DEMO / f, tmp_path / f)
    (tmp_path / "management.csv").write_text(text, encoding="utf-8")
    return load_study(tmp_path / "study.yaml")


@pytest.mark.parametrize("text, match", [
    ("attribute,importance,performance\nnope,3,5\n", r"line 2, column attribute: 'nope'"),
    ("attribute,importance,performance\ntaste,3,5\ntaste,3,5\n", "line 3: attribute 'taste'"),
    ("attribute,importance,performance\ntaste,high,5\n", "line 2, column importance: 'high'"),
    ("attribute,importance,performance\ntaste,9,5\n", r"9 is outside the scale 1–5"),
    ("attribute,importance,performance\ntaste,3,11\n", r"11 is outside the scale 1–10"),
    ("attribute,weight\ntaste,3\n", "expected columns"),
])
def test_bad_files_name_the_line_and_column(tmp_path, text, match) -> None:
    study = _study_with(tmp_path, text)
    with pytest.raises(DataError, match=match) as e:
        read_management(study)
    assert "management.csv" in str(e.value)


def test_empty_cells_and_capability(tmp_path) -> None:
    study = _study_with(tmp_path, "attribute,importance,performance\ntaste,,7\n")
    m = read_management(study)
    assert np.isnan(m["importance"].iloc[0]) and m["performance"].iloc[0] == 7
    assert study.capabilities()["management_map"].available
    (tmp_path / "management.csv").unlink()
    cap = load_study(tmp_path / "study.yaml").capabilities()["management_map"]
    assert not cap.available and "not found" in cap.sentence


def test_study_keys_checked() -> None:
    from cvmkit.study import Study

    base = {"title": "T", "brand": "B", "scales": {"r": {"min": 1, "max": 5}},
            "attributes": [{"id": "a", "performance": "a", "scale": "r"}],
            "outcomes": {"value": {"column": "v", "scale": "r"}}}
    with pytest.raises(StudySpecError, match="needs_segment"):
        Study.from_dict({**base, "needs_segment": "two words"})
    with pytest.raises(StudySpecError, match="management"):
        Study.from_dict({**base, "management": 3})
    s = Study.from_dict(base)
    caps = s.capabilities()
    assert not caps["management_map"].available and not caps["needs_segments"].available
    assert not caps["sentiment"].available
