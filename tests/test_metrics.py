"""Experience metrics: NPS, CSAT, CES by hand, weights, bad input and the demo's planted truth."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.metrics import TOP_BOX, ces, compare_groups, csat, nps, nps_group, score_summary
from cvmkit.plots import plot_differences, plot_nps_shares, plot_score_by_group, plot_trend

Z95 = 1.959963984540054


def _waves() -> pd.DataFrame:
    # wave A: 4 promoters, 2 passives, 4 detractors (n = 10); wave B: 5 / 2 / 1 (n = 8)
    a = [10, 10, 10, 9, 8, 7, 6, 5, 2, 0]
    b = [10, 10, 9, 9, 9, 8, 7, 3]
    return pd.DataFrame({"wave": ["A"] * len(a) + ["B"] * len(b), "nps": a + b})


# --------------------------------------------------------------------------- hand-computed
def test_nps_shares_score_and_trinomial_se_by_hand():
    out = nps(_waves(), "nps", by="wave").set_index("wave")
    # A: p_P = .4, p_D = .4 -> NPS 0, Var = (.4 + .4 - 0²) / 10 = .08 -> SE 28.2843 points
    assert out.loc["A", ["promoters", "passives", "detractors"]].tolist() == \
        pytest.approx([0.4, 0.2, 0.4])
    assert out.loc["A", "nps"] == pytest.approx(0.0)
    assert out.loc["A", "se"] == pytest.approx(100 * np.sqrt(0.08))
    # B: p_P = .625, p_D = .125 -> NPS 50, Var = (.75 - .25) / 8 = .0625 -> SE 25
    assert out.loc["B", "nps"] == pytest.approx(50.0)
    assert out.loc["B", "se"] == pytest.approx(25.0)
    assert out.loc["B", "ci_low"] == pytest.approx(50 - Z95 * 25)
    assert out.loc["B", "ci_high"] == pytest.approx(min(100, 50 + Z95 * 25))
    assert out["n"].tolist() == [10, 8]


def test_wave_difference_test_by_hand():
    out = compare_groups(_waves(), "nps", "wave", pairs="consecutive")
    row = out.iloc[0]
    # d = 50, SE = sqrt(28.2843² + 25²) = sqrt(1425) = 37.7492, z = 1.32453, p = 0.185326
    assert (row["group_a"], row["group_b"]) == ("A", "B")
    assert row["difference"] == pytest.approx(50.0)
    assert row["se"] == pytest.approx(37.749172176, rel=1e-9)
    assert row["z"] == pytest.approx(1.324532357, rel=1e-9)
    assert row["p_value"] == pytest.approx(0.185326304, rel=1e-6)
    assert row["ci_low"] == pytest.approx(-23.98701791, rel=1e-8)
    assert row["ci_high"] == pytest.approx(123.98701791, rel=1e-8)
    assert not row["significant"]


def test_weighted_nps_by_hand_kish_and_linearised():
    d = pd.DataFrame({"nps": [10, 0, 8], "w": [2.0, 1.0, 1.0]})
    kish = nps(d, "nps", weights="w").iloc[0]
    lin = nps(d, "nps", weights="w", variance="linearized").iloc[0]
    # shares: P = 2/4, D = 1/4 -> NPS 25; n_eff = 4² / 6
    assert kish["nps"] == pytest.approx(25.0)
    assert kish["n_eff"] == pytest.approx(16 / 6)
    # Kish: weighted variance of y = (2·.75² + 1.25² + .25²) / 4 = .6875, divided by n_eff
    assert kish["se"] == pytest.approx(100 * np.sqrt(0.6875 / (16 / 6)))
    # linearised: Σ w²(y - ȳ)² / (Σw)² = (4·.5625 + 1.5625 + .0625) / 16
    assert lin["se"] == pytest.approx(100 * np.sqrt(3.875 / 16))
    assert kish["variance"] == "kish" and lin["variance"] == "linearized"


def test_csat_mean_and_top2_by_hand():
    out = csat(pd.DataFrame({"csat": [5, 4, 4, 3, 2, 5]}), "csat").iloc[0]
    assert out["mean"] == pytest.approx(23 / 6)
    assert out["mean_se"] == pytest.approx(np.sqrt((6.833333333 / 5) / 6), rel=1e-8)
    assert out["top_box"] == pytest.approx(4 / 6)
    assert out["top_box_se"] == pytest.approx(np.sqrt((4 / 6) * (2 / 6) / 6))


def test_ces_top_box_counts_three_highest_points():
    out = ces(pd.DataFrame({"ces": [7, 6, 5, 4, 1]}), "ces").iloc[0]
    assert out["top_box"] == pytest.approx(3 / 5)


def test_nps_group_labels():
    assert nps_group([0, 6, 7, 8, 9, 10]).tolist() == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]


def test_holm_adjustment_across_three_segments():
    d = pd.DataFrame({"seg": ["a"] * 6 + ["b"] * 6 + ["c"] * 6,
                      "nps": [0, 1, 2, 9, 10, 7] + [9, 10, 10, 9, 8, 3] + [5, 6, 9, 9, 10, 10]})
    out = compare_groups(d, "nps", "seg")
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    expected = np.maximum.accumulate(np.minimum(1, (3 - np.arange(3)) * p[order]))
    assert out["p_holm"].to_numpy()[order] == pytest.approx(expected)


# --------------------------------------------------------------------------- weights
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=3, max_size=40),
       st.sampled_from(["kish", "linearized"]))
def test_unit_weights_equal_unweighted(scores, variance):
    d = pd.DataFrame({"nps": scores, "w": 1.0})
    a = nps(d, "nps", variance=variance)
    b = nps(d, "nps", weights="w", variance=variance)
    pd.testing.assert_frame_equal(a, b)
    c = score_summary(d.assign(s=np.clip(d["nps"], 1, 5)), "s", scale=(1, 5), variance=variance)
    e = score_summary(d.assign(s=np.clip(d["nps"], 1, 5)), "s", scale=(1, 5), weights="w",
                      variance=variance)
    pd.testing.assert_frame_equal(c, e)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 4)), min_size=2, max_size=25))
def test_integer_weights_give_the_shares_of_the_replicated_sample(rows):
    scores, reps = zip(*rows)
    weighted = nps(pd.DataFrame({"nps": scores, "w": reps}), "nps", weights="w").iloc[0]
    replicated = nps(pd.DataFrame({"nps": np.repeat(scores, reps)}), "nps").iloc[0]
    for col in ("promoters", "passives", "detractors", "nps"):
        assert weighted[col] == pytest.approx(replicated[col], abs=1e-9)


# --------------------------------------------------------------------------- bad input
def test_empty_wave_is_a_flagged_row_and_a_skipped_comparison():
    d = _waves()
    with pytest.warns(CvmkitWarning, match="wave = 'C'"):
        out = nps(d, "nps", by="wave", levels=["A", "B", "C"])
    empty = out.set_index("wave").loc["C"]
    assert empty["n"] == 0 and np.isnan(empty["nps"]) and "skipped" in empty["note"]
    with pytest.warns(CvmkitWarning):
        diff = compare_groups(d, "nps", "wave", pairs="consecutive", levels=["A", "B", "C"])
    assert diff["note"].iloc[1] == "level 'C' has no answers: skipped"
    assert np.isnan(diff["p_value"].iloc[1]) and not np.isnan(diff["p_value"].iloc[0])


def test_wave_with_only_missing_answers_is_flagged():
    d = pd.DataFrame({"wave": [1, 1, 2, 2], "nps": [9, 3, np.nan, np.nan]})
    with pytest.warns(CvmkitWarning, match="no answers"):
        out = nps(d, "nps", by="wave")
    assert out["n"].tolist() == [2, 0] and out["n_missing"].tolist() == [0, 2]


def test_out_of_range_score_names_row_and_value():
    d = pd.DataFrame({"nps": [9, 11, 3]}, index=["r1", "r2", "r3"])
    with pytest.raises(DataError, match=r"value 11 in row 'r2'.*0–10"):
        nps(d, "nps")


def test_non_numeric_score_and_missing_column():
    with pytest.raises(DataError, match="row 1 holds 'ten'"):
        nps(pd.DataFrame({"nps": [9, "ten"]}), "nps")
    with pytest.raises(DataError, match="'rec' not in data"):
        nps(pd.DataFrame({"nps": [9]}), "rec")


def test_negative_weight_is_refused():
    with pytest.raises(DataError, match="non-negative"):
        nps(pd.DataFrame({"nps": [9, 3], "w": [1.0, -1.0]}), "nps", weights="w")


def test_no_answers_at_all_and_single_level_comparison():
    with pytest.raises(AnalysisError, match="no answers"):
        nps(pd.DataFrame({"nps": [np.nan, np.nan]}), "nps")
    with pytest.raises(AnalysisError, match="at least two"):
        compare_groups(pd.DataFrame({"w": [1, 1], "nps": [9, 3]}), "nps", "w")


def test_input_frame_is_not_modified():
    d = _waves()
    before = d.copy()
    nps(d, "nps", by="wave")
    compare_groups(d, "nps", "wave")
    pd.testing.assert_frame_equal(d, before)


# --------------------------------------------------------------------------- plots
def test_plots_draw_what_the_tables_hold():
    d = _waves()
    table = nps(d, "nps", by="wave")
    ax = plot_trend(table, "wave")
    line = [ln for ln in ax.get_lines() if ln.get_gid() == "estimate"][0]
    assert list(line.get_ydata()) == pytest.approx([0.0, 50.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    ax = plot_nps_shares(table, "wave")
    bars = [p for p in ax.patches if p.get_gid() == "share"]
    assert len(bars) == 6 and bars[0].get_width() == pytest.approx(0.4)
    ax = plot_differences(compare_groups(d, "nps", "wave"))
    assert ax.get_yticklabels()[0].get_text() == "B vs A"
    ax = plot_score_by_group(table, "wave")
    assert "NPS" in ax.get_xlabel()


# --------------------------------------------------------------------------- demo truth
@pytest.fixture(scope="module")
def demo(tmp_path_factory, repo):
    from cvmkit.io import open_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        data, study = open_run(tmp_path_factory.mktemp("run"),
                               study_path=repo / "data" / "demo" / "study.yaml")
    truth = json.loads((repo / "data" / "demo" / "truth.json").read_text())
    return data, study, truth


def test_demo_nps_wave_change_recovered_within_interval(demo):
    data, study, truth = demo
    col, wave = study.outcome_column("nps"), study.wave
    planted = truth["nps"]["change"]
    for weights in (None, "weight"):
        row = compare_groups(data, col, wave, pairs="consecutive", weights=weights).iloc[0]
        assert row["ci_low"] <= planted <= row["ci_high"]
        assert row["significant"]
    by_wave = nps(data, col, by=wave, weights="weight").set_index(wave)
    for w, score in truth["nps"]["score_by_wave"].items():
        assert by_wave.loc[int(w), "ci_low"] <= score <= by_wave.loc[int(w), "ci_high"]


def test_demo_csat_top2_by_wave_within_interval(demo):
    data, study, truth = demo
    out = csat(data, study.outcome_column("csat"), scale=study.outcome_scale("csat"),
               by=study.wave, weights="weight").set_index(study.wave)
    for w, share in truth["csat_top2_by_wave"].items():
        assert out.loc[int(w), "top_box_ci_low"] <= share <= out.loc[int(w), "top_box_ci_high"]


def test_one_top_box_definition_for_level_and_change() -> None:
    """A metric's change between waves uses the same top box as its level (CES: 5–7 of 1–7)."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"ces": rng.integers(1, 8, 400), "wave": np.repeat([1, 2], 200)})
    levels = ces(d, "ces", by="wave").set_index("wave")["top_box"]
    diff = compare_groups(d, "ces", "wave", metric="top_box", scale=(1, 7),
                          top_box=TOP_BOX["ces"], pairs="consecutive")
    assert diff["difference"].iloc[0] == pytest.approx(levels[2] - levels[1])
    assert ((d["ces"] >= 5).groupby(d["wave"]).mean() == levels).all()
