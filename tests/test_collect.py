"""The data-collection step: exclusions, weights, PII removal, and the run hand-over."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from cvmkit.collect import collect, sample_profile
from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.io import open_run, read_clean
from cvmkit.privacy import EMAIL_RE, PHONE_RE
from cvmkit.study import load_study


@pytest.fixture(scope="module")
def demo(repo):
    study = load_study(repo / "data" / "demo" / "study.yaml")
    before = hashlib.sha256(study.data_path.read_bytes()).hexdigest()
    with pytest.warns(CvmkitWarning, match=r"4 respondent id\(s\) occur more than once"):
        result = collect(study)
    assert hashlib.sha256(study.data_path.read_bytes()).hexdigest() == before
    return result


def test_exclusions_are_counted_and_explained(demo):
    flags, clean, dropped = demo.flags, demo.clean, demo.dropped
    assert len(clean) == len(demo.data) - len(dropped)
    assert clean[demo.study.respondent_id].is_unique
    assert int(flags["duplicate"].sum()) == 4
    assert set(dropped.columns) >= {demo.study.respondent_id}
    assert len(dropped) >= 4


def test_weights_match_targets_and_mean_one(demo):
    clean, study = demo.clean, demo.study
    assert clean["weight"].mean() == pytest.approx(1.0)
    for col, target in study.weights["targets"].items():
        shares = clean.groupby(col)["weight"].sum() / clean["weight"].sum()
        total = sum(target.values())
        for level, share in target.items():
            assert shares[level] == pytest.approx(share / total, abs=1e-6)
    lo, hi = study.weights["trim"]
    assert clean["weight"].min() >= lo - 1e-9 and clean["weight"].max() <= hi + 1e-9


def test_pii_dropped_and_masked(demo):
    clean, raw = demo.clean, demo.data
    assert not {"name", "email", "phone"} & set(clean.columns)
    text = " ".join(clean["why_score"].dropna())
    assert not EMAIL_RE.search(text) and not PHONE_RE.search(text)
    assert "[email]" in text and "[phone]" in text
    surnames = {n.split()[1] for n in raw["name"]}
    signed = [t for t in raw["why_score"] if re.search(r" - \w+ \w+\.?$", t)]
    assert signed, "the demo has signed comments"
    assert not any(re.search(rf"\b{s}\b", text) for s in surnames)


def test_missing_codes_are_missing(demo):
    perf = demo.clean.filter(like="perf_")
    assert not (perf == 99).any().any()
    assert perf.isna().any().any()
    assert np.nanmax(perf.to_numpy()) <= 10


def test_sample_profile_shares(demo):
    prof = sample_profile(demo.clean, demo.study)
    seg = prof[prof["variable"] == "segment"]
    assert seg["n"].sum() == len(demo.clean)
    assert seg["share"].sum() == pytest.approx(1.0)
    assert seg["weighted_share"].sum() == pytest.approx(1.0)


def test_open_run_prepares_then_reuses(repo, tmp_path):
    study_path = repo / "data" / "demo" / "study.yaml"
    with pytest.warns(CvmkitWarning, match="R00003"):
        data, study = open_run(tmp_path, study_path=study_path)
    assert (tmp_path / "clean.parquet").is_file() and (tmp_path / "study.json").is_file()
    again, study2 = read_clean(tmp_path)
    assert again.equals(data) and study2.brand == study.brand
    with pytest.raises(DataError, match="run notebook 01"):
        read_clean(tmp_path / "elsewhere")


def test_finalize_and_blanking_leave_their_input_untouched(demo):
    """Both steps share unchanged columns with their input (no copy of a large export) and
    replace the ones they change: the input frame keeps every value."""
    from cvmkit.collect import finalize
    from cvmkit.quality import blank_out_of_range

    data = demo.data.copy()
    data.iloc[0, data.columns.get_indexer([demo.study.attributes[0].performance_column(
        demo.study.brand)])] = 37.0  # outside the scale
    before = data.copy()
    blanked = blank_out_of_range(data, demo.study)
    out = finalize(blanked, demo.study, np.ones(len(blanked)))
    assert data.equals(before)
    col = demo.study.attributes[0].performance_column(demo.study.brand)
    assert np.isnan(blanked.loc[0, col]) and data.loc[0, col] == 37.0
    assert not set(demo.study.pii) & set(out.columns) and set(demo.study.pii) <= set(data.columns)
