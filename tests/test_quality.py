"""Tests of cvmkit.quality on the small study, whose planted problems are known by construction.

tests/data/small_study/responses.csv (12 respondents) plants: S03 answers 4 to every item of the
Acme grid (straight-liner with the study's straightline_min_items = 4); S06 took 100 s against a
median of (530 + 540) / 2 = 535 s, under half of it (speeder_fraction = 0.5); S12 left 9 of the
16 rated columns blank (9/16 = 0.5625 > max_missing = 0.5); S09 answered "don't know" (9) twice
(2/16 = 0.125 missing after recoding); S11 skipped one item (1/16).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.io.readers import load_responses
from cvmkit.quality import CHECKS, blank_out_of_range, exclude, flag_quality, quality_summary
from cvmkit.study import load_study

SMALL = Path(__file__).resolve().parent / "data" / "small_study"


@pytest.fixture(scope="module")
def study():
    return load_study(SMALL / "study.yaml")


@pytest.fixture(scope="module")
def data(study):
    return load_responses(study)


def test_flags_match_what_was_planted(data, study):
    flags = flag_quality(data, study)
    assert list(flags.columns[:6]) == ["resp_id", *CHECKS]
    assert flags["resp_id"].tolist() == data["resp_id"].tolist()
    by = flags.set_index("resp_id")
    assert by.index[by.straightliner].tolist() == ["S03"]
    assert by.loc["S03", "straightlined_grids"] == "performance[Acme]"
    assert by.index[by.speeder].tolist() == ["S06"]
    assert by.loc["S06", "duration_ratio"] == pytest.approx(100 / 535)
    assert by.index[by.high_missing].tolist() == ["S12"]
    assert by.loc["S12", "n_missing"] == 9 and by.loc["S12", "missing_share"] == 9 / 16
    assert by.loc["S09", "missing_share"] == 2 / 16 and by.loc["S11", "n_missing"] == 1
    assert not by.duplicate.any() and not by.out_of_range.any()
    assert by.index[by.any_flag].tolist() == ["S03", "S06", "S12"]
    assert flags.attrs["params"]["median_duration"] == 535.0


def test_parameters_override_the_study(data, study):
    # a looser speeder rule: 0.9 x 535 = 481.5 s catches S03 (480), S06 (100), S07 (455), S10 (470)
    flags = flag_quality(data, study, speeder_fraction=0.9, max_missing=0.6,
                         straightline_min_items=5)
    assert flags.loc[flags.speeder, "resp_id"].tolist() == ["S03", "S06", "S07", "S10"]
    assert not flags.high_missing.any()          # 0.5625 is not above 0.6
    assert not flags.straightliner.any()         # a 4-item grid cannot reach 5 items
    defaults = flag_quality(data, replace(study, quality={"duration": "duration_s"}))
    assert defaults.attrs["params"]["speeder_fraction"] == pytest.approx(1 / 3)
    assert defaults.attrs["params"]["straightline_min_items"] == 5


def test_straightlining_counts_answered_items_only(data, study):
    d = data.copy()
    # S05 answers 3 to three Acme items and skips the fourth: 3 answered items < 4
    d.loc[4, ["perf_acme_taste", "perf_acme_speed", "perf_acme_staff"]] = 3.0
    d.loc[4, "perf_acme_value"] = np.nan
    # S10 answers 2 to all four BeanCo items
    d.loc[9, ["perf_beanco_taste", "perf_beanco_speed", "perf_beanco_staff",
              "perf_beanco_value"]] = 2.0
    flags = flag_quality(d, study)
    assert flags.loc[flags.straightliner, "resp_id"].tolist() == ["S03", "S10"]
    assert flags.loc[9, "straightlined_grids"] == "performance[BeanCo]"
    assert flag_quality(d, study, straightline_min_items=3).loc[4, "straightliner"]


def test_duplicates_flag_the_later_copies_and_exclude_keeps_the_first(data, study):
    d = pd.concat([data, data.iloc[[1, 1]]], ignore_index=True)  # S02 three times
    flags = flag_quality(d, study)
    assert flags.loc[flags.duplicate].index.tolist() == [12, 13]
    kept, dropped = exclude(d, flags, checks=["duplicate"])
    assert kept["resp_id"].tolist() == data["resp_id"].tolist()
    assert dropped["row"].tolist() == [12, 13]
    assert dropped["reasons"].tolist() == ["duplicate", "duplicate"]


def test_summary_counts_each_check(data, study):
    summary = quality_summary(flag_quality(data, study))
    assert list(summary.columns) == ["check", "description", "n", "share"]
    assert summary["check"].tolist() == [*CHECKS, "any_flag"]
    assert summary["n"].tolist() == [0, 0, 1, 1, 1, 3]
    assert summary["share"].tolist() == pytest.approx([0, 0, 1 / 12, 1 / 12, 1 / 12, 3 / 12])
    desc = dict(zip(summary["check"], summary["description"]))
    assert "0.5 of the median" in desc["speeder"] and "at least 4 items" in desc["straightliner"]
    assert "50%" in desc["high_missing"]


def test_exclude_says_who_and_why(data, study):
    d = data.copy()
    d.loc[5, "perf_acme_taste"] = 6.0  # S06 is now also out of range (1-5)
    flags = flag_quality(d, study)
    kept, dropped = exclude(d, flags)
    assert len(kept) == 9 and kept.index.equals(pd.RangeIndex(9))
    assert dropped["resp_id"].tolist() == ["S03", "S06", "S12"]
    assert dropped["reasons"].tolist() == ["straightliner", "speeder", "high_missing"]
    kept2, dropped2 = exclude(d, flags, checks=CHECKS)
    assert dropped2.set_index("resp_id").loc["S06", "reasons"] == "out_of_range;speeder"
    assert len(d) == 12  # the input is untouched
    with pytest.raises(DataError, match="unknown quality check"):
        exclude(d, flags, checks=["speeders"])
    with pytest.raises(DataError, match="run flag_quality on this data"):
        exclude(d.iloc[1:], flags)


def test_out_of_range_and_kano_codes(data, study):
    d = data.copy()
    d.loc[0, "perf_acme_taste"] = 0.0   # below 1
    d.loc[0, "nps"] = 10.0              # top of 0-10: fine
    d.loc[7, "kf_taste"] = 6.0          # not a Kano code (1-5)
    flags = flag_quality(d, study)
    assert flags.loc[0, "n_out_of_range"] == 1
    assert flags.loc[0, "out_of_range_columns"] == "perf_acme_taste"
    assert flags.loc[7, "out_of_range_columns"] == "kf_taste"
    blanked = blank_out_of_range(d, study)
    assert np.isnan(blanked.loc[0, "perf_acme_taste"]) and np.isnan(blanked.loc[7, "kf_taste"])
    assert blanked.loc[0, "nps"] == 10.0
    assert not flag_quality(blanked, study).out_of_range.any()


def test_no_duration_column_means_no_speeders(data, study):
    q = {k: v for k, v in study.quality.items() if k != "duration"}
    flags = flag_quality(data, replace(study, quality=q))
    assert not flags.speeder.any() and flags.duration.isna().all()
    desc = quality_summary(flags).set_index("check").loc["speeder", "description"]
    assert "no duration column declared" in desc


def test_demo_study_recovers_planted_problems(repo):
    truth_file = repo / "data" / "demo" / "truth.json"
    if not truth_file.exists():
        pytest.skip("demo study not generated")
    import json
    truth = json.loads(truth_file.read_text())["quality"]
    study = load_study(repo / "data" / "demo" / "study.yaml")
    with pytest.warns(CvmkitWarning, match="occur more than once"):
        demo = load_responses(study)
    flags = flag_quality(demo, study)
    assert sorted(flags.loc[flags.duplicate, "resp_id"]) == sorted(truth["duplicate_ids"])
    assert flags.speeder.sum() == truth["speeders"]
    assert flags.straightliner.sum() == truth["straightliners"]


def test_bad_parameters(data, study):
    with pytest.raises(DataError, match="speeder_fraction"):
        flag_quality(data, study, speeder_fraction=1.5)
    with pytest.raises(DataError, match="resp_id"):
        flag_quality(data.drop(columns="resp_id"), study)
