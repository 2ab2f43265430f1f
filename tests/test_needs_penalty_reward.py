"""Penalty–reward contrast analysis: exact recovery, group-mean identities, skips, the demo."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.needs import default_thresholds, penalty_reward

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def _grid(reps=3):
    x1, x2 = np.array(list(itertools.product(range(1, 11), range(1, 11))) * reps).T
    return pd.DataFrame({"p1": x1, "p2": x2})


def test_noise_free_outcome_is_recovered_exactly():
    d = _grid()
    d["y"] = (5 - 2.0 * (d.p1 <= 4) + 1.0 * (d.p1 >= 9)
              - 0.5 * (d.p2 <= 4) + 1.5 * (d.p2 >= 9))
    t = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=4, high=9).set_index("attribute")
    assert t.loc["a", "penalty"] == pytest.approx(2.0) and t.loc["a", "reward"] == pytest.approx(1)
    assert t.loc["b", "penalty"] == pytest.approx(0.5)
    assert t.loc["b", "reward"] == pytest.approx(1.5)
    assert t.loc["a", "ia"] == pytest.approx((1 - 2) / 3)
    assert t.loc["b", "ia"] == pytest.approx((1.5 - 0.5) / 2)
    assert t.loc["a", "range"] == pytest.approx(3.0)
    assert t["r2"].iloc[0] == pytest.approx(1.0)
    assert (t["n_low"] == 120).all() and (t["n_high"] == 60).all()


def test_one_attribute_equals_group_mean_contrasts():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 11, 400)
    y = 6 + 0.3 * x + rng.normal(0, 1, 400)
    d = pd.DataFrame({"x": x, "y": y})
    t = penalty_reward(d, {"a": "x"}, "y", low=3, high=8, cov_type="nonrobust").iloc[0]
    lo, mid, hi = y[x <= 3], y[(x > 3) & (x < 8)], y[x >= 8]
    assert t["penalty"] == pytest.approx(mid.mean() - lo.mean())
    assert t["reward"] == pytest.approx(hi.mean() - mid.mean())
    # classical standard errors of a difference of group means with a pooled variance
    sse = ((lo - lo.mean()) ** 2).sum() + ((mid - mid.mean()) ** 2).sum() \
        + ((hi - hi.mean()) ** 2).sum()
    s2 = sse / (len(y) - 3)
    assert t["penalty_se"] == pytest.approx(np.sqrt(s2 * (1 / len(lo) + 1 / len(mid))))
    assert t["reward_se"] == pytest.approx(np.sqrt(s2 * (1 / len(hi) + 1 / len(mid))))
    q = stats.t.ppf(0.975, len(y) - 3)
    assert t["reward_lo"] == pytest.approx(t["reward"] - q * t["reward_se"])
    assert t["penalty_hi"] == pytest.approx(t["penalty"] + q * t["penalty_se"])


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(3)
    d = _grid(2)
    d["y"] = 4 + 0.2 * d.p1 + 0.1 * d.p2 + rng.normal(0, 1, len(d))
    d["w"] = rng.integers(1, 4, len(d))
    rep = d.loc[d.index.repeat(d["w"])]
    a = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=3, high=8, weights="w")
    b = penalty_reward(rep, {"a": "p1", "b": "p2"}, "y", low=3, high=8)
    np.testing.assert_allclose(a[["penalty", "reward", "ia"]], b[["penalty", "reward", "ia"]],
                               atol=1e-10)


def test_class_rule():
    d = _grid()
    rng = np.random.default_rng(1)
    d["p3"] = rng.permutation(d["p1"].to_numpy())
    d["y"] = (5 - 2.0 * (d.p1 <= 4) + 0.2 * (d.p1 >= 9) - 0.1 * (d.p2 <= 4)
              + 2.0 * (d.p2 >= 9) + rng.normal(0, 0.3, len(d)))
    d["y"] += 1.0 * ((d.p3 >= 9).astype(float) - (d.p3 <= 4).astype(float))
    t = penalty_reward(d, {"basic": "p1", "excite": "p2", "perf": "p3"}, "y", low=4, high=9)
    assert dict(zip(t.attribute, t["class"])) == {
        "basic": "basic", "excite": "excitement", "perf": "performance"}
    d["y"] = rng.normal(0, 1, len(d))
    t = penalty_reward(d, {"a": "p1"}, "y", low=4, high=9)
    assert t["class"].item() == "low impact"


def test_default_thresholds_from_the_scale():
    assert default_thresholds(1, 10) == (4.0, 9.0)
    assert default_thresholds(1, 5) == (2.0, 5.0)
    assert default_thresholds(1, 7) == (3.0, 7.0)
    with pytest.raises(DataError, match="no middle"):
        default_thresholds(1, 3, low_share=0.5, high_share=0.5)
    d = _grid()
    d["y"] = d.p1 * 0.1
    a = penalty_reward(d, {"a": "p1"}, "y", scale=(1, 10))
    assert (a["low"].item(), a["high"].item()) == (4.0, 9.0)


# --------------------------------------------------------------------------- bad input
def test_threshold_leaving_an_empty_dummy_is_a_counted_skip():
    d = _grid()
    d["p1"] = d["p1"].clip(lower=5)  # nobody rates attribute a at 4 or below
    d["y"] = 0.3 * d.p1 + 0.1 * d.p2 + np.random.default_rng(0).normal(0, 1, len(d))
    msg = r"1 dummy/dummies or segment\(s\) skipped: a low \(0 respondent"
    with pytest.warns(CvmkitWarning, match=msg):
        t = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=4, high=9).set_index("attribute")
    assert np.isnan(t.loc["a", "penalty"]) and np.isfinite(t.loc["a", "reward"])
    assert pd.isna(t.loc["a", "class"]) and "penalty skipped: 0 respondent(s) rated ≤ 4" in \
        t.loc["a", "note"]
    assert t.loc["b", "class"] in ("basic", "performance", "excitement", "low impact")


def test_dummy_covering_everyone_is_skipped():
    d = _grid()
    d["y"] = 0.1 * d.p2
    with pytest.warns(CvmkitWarning, match="every respondent"):
        t = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=10, high=11)
    assert "every respondent rated ≤ 10" in t.set_index("attribute").loc["a", "note"]


def test_segment_with_too_few_respondents_is_a_flagged_skip():
    d = _grid(1)
    d["y"] = 0.1 * d.p1 + 0.01 * d.p2
    d["seg"] = ["big"] * 97 + ["tiny"] * 3
    d.loc[97:, "p1"] = [1, 5, 10]  # each of the four dummies has one respondent in 'tiny'
    d.loc[97:, "p2"] = [2, 6, 9]
    with pytest.warns(CvmkitWarning, match="segment 'tiny'"):
        t = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=4, high=9, by="seg",
                           min_group=1)
    tiny = t[t.seg == "tiny"]
    assert tiny["penalty"].isna().all() and tiny["class"].isna().all()
    assert tiny["note"].str.contains("3 complete respondent").all()
    assert t[t.seg == "big"]["penalty"].notna().all()
    # without segments the same shortage is an error
    with pytest.raises(AnalysisError, match="3 complete respondent"):
        penalty_reward(d[d.seg == "tiny"], {"a": "p1", "b": "p2"}, "y", low=4, high=9,
                       min_group=1)


@pytest.mark.parametrize("kwargs, match", [
    (dict(), "thresholds or the rating scale"),
    (dict(low=8, high=4), "must be below the high"),
    (dict(low={"a": 3}, high=8), "no low/high threshold for attribute 'b'"),
    (dict(scale="1-10"), "expected \\(min, max\\)"),
    (dict(low=3, high=8, alpha=2), "alpha"),
])
def test_bad_arguments(kwargs, match):
    d = _grid(1)
    d["y"] = 1.0
    with pytest.raises(DataError, match=match):
        penalty_reward(d, {"a": "p1", "b": "p2"}, "y", **kwargs)


def test_missing_ratings_are_left_out_and_input_untouched():
    d = _grid()
    d["y"] = 5 - 2.0 * (d.p1 <= 4) + 1.0 * (d.p1 >= 9)
    d.loc[:9, "p2"] = np.nan
    before = d.copy()
    t = penalty_reward(d, {"a": "p1", "b": "p2"}, "y", low=4, high=9)
    pd.testing.assert_frame_equal(d, before)
    assert t["n"].iloc[0] == len(d) - 10
    assert t.set_index("attribute").loc["a", "penalty"] == pytest.approx(2.0)


# --------------------------------------------------------------------------- the demo
@pytest.fixture(scope="module")
def demo():
    if not (DEMO / "truth.json").is_file():
        pytest.skip("demo study not generated")
    from cvmkit.collect import collect
    from cvmkit.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = collect(load_study(DEMO / "study.yaml"))
    return result.clean, result.study, json.loads((DEMO / "truth.json").read_text())


def test_demo_planted_asymmetries_recovered(demo):
    data, study, truth = demo
    t = penalty_reward(data, study.performance_columns(), study.outcome_column("value"),
                       scale=study.scales["performance"], weights="weight")
    planted = truth["penalty_reward"]
    checked = 0
    for _, r in t.iterrows():
        if planted[r.attribute] == "basic":
            assert r.penalty > r.reward, r.attribute
            assert r["class"] == "basic", r.attribute
            checked += 1
        elif planted[r.attribute] == "excitement":
            assert r.reward > r.penalty, r.attribute
            checked += 1
    assert checked == 7
