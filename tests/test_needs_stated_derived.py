"""Stated vs derived importance: the classification rule, weighted statistics, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.needs import (
    derived_from_drivers,
    derived_importance,
    stated_and_derived,
    stated_importance,
    stated_vs_derived,
)


def _table():
    return pd.DataFrame({
        "attribute": ["a", "b", "c", "d", "e"],
        "stated": [9.0, 8.0, 4.0, 5.0, 7.0],
        "derived": [0.6, 0.1, 0.2, 0.5, 0.3],
    })


def test_rule_mean_split():
    # stated mean 6.6, derived mean 0.34
    out = stated_vs_derived(_table())
    assert out["stated_split"].iloc[0] == pytest.approx(6.6)
    assert out["derived_split"].iloc[0] == pytest.approx(0.34)
    assert out["class"].tolist() == [
        "expected", "stated only", "low impact", "hidden driver", "stated only"]
    assert out["stated_high"].tolist() == [True, True, False, False, True]
    assert out["derived_high"].tolist() == [True, False, False, True, False]


def test_rule_median_split_counts_equal_as_high():
    # medians 7.0 and 0.3: 'e' sits on both medians, so it is high on both
    out = stated_vs_derived(_table(), split="median")
    assert out.set_index("attribute").loc["e", "class"] == "expected"
    assert out["class"].tolist() == [
        "expected", "stated only", "low impact", "hidden driver", "expected"]


def test_fixed_split_and_custom_names_do_not_touch_input():
    t = _table().rename(columns={"attribute": "attr", "stated": "s", "derived": "d"})
    before = t.copy()
    out = stated_vs_derived(t, stated="s", derived="d", attribute="attr", split=(5.0, 0.25))
    pd.testing.assert_frame_equal(t, before)
    # 'd' has stated exactly 5.0: at the split counts as high
    assert out["class"].tolist() == [
        "expected", "stated only", "low impact", "expected", "expected"]


def test_split_within_segments():
    t = pd.concat([_table().assign(seg="x"),
                   _table().assign(seg="y", derived=lambda f: f["derived"][::-1].to_numpy())])
    out = stated_vs_derived(t, by="seg")
    x = out[out.seg == "x"]["class"].tolist()
    assert x == ["expected", "stated only", "low impact", "hidden driver", "stated only"]
    y = out[out.seg == "y"]
    assert y["derived_split"].iloc[0] == pytest.approx(0.34)
    assert y.set_index("attribute").loc["b", "class"] == "expected"  # derived 0.5 in y


def test_missing_importance_is_a_flagged_skip():
    t = _table()
    t.loc[2, "stated"] = np.nan
    with pytest.warns(CvmkitWarning, match="c"):
        out = stated_vs_derived(t)
    assert pd.isna(out.loc[2, "class"])
    assert "stated" in out.loc[2, "note"]
    assert out["stated_split"].iloc[0] == pytest.approx((9 + 8 + 5 + 7) / 4)


@pytest.mark.parametrize("bad, err, match", [
    (dict(split="mode"), DataError, "split"),
    (dict(stated="nope"), DataError, "nope"),
])
def test_bad_arguments(bad, err, match):
    with pytest.raises(err, match=match):
        stated_vs_derived(_table(), **bad)


def test_duplicate_attribute_and_too_few_rows():
    t = pd.concat([_table(), _table().iloc[[0]]])
    with pytest.raises(DataError, match="'a' appears more than once"):
        stated_vs_derived(t)
    with pytest.raises(AnalysisError, match="at least 2"):
        stated_vs_derived(_table().iloc[[0]])
    t = _table().astype({"stated": object})
    t.loc[1, "stated"] = "high"
    with pytest.raises(DataError, match="row 1"):
        stated_vs_derived(t)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10), st.floats(-1, 1)), min_size=2, max_size=12))
def test_classes_follow_the_rule(rows):
    t = pd.DataFrame(rows, columns=["stated", "derived"])
    t.insert(0, "attribute", [f"a{i}" for i in range(len(t))])
    out = stated_vs_derived(t)
    s_high = t["stated"] >= t["stated"].mean()
    d_high = t["derived"] >= t["derived"].mean()
    assert (out["stated_high"] == s_high).all() and (out["derived_high"] == d_high).all()
    assert ((out["class"] == "hidden driver") == (~s_high & d_high)).all()
    assert ((out["class"] == "stated only") == (s_high & ~d_high)).all()


def _respondents(n=40, seed=1):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "p_a": rng.integers(1, 11, n), "p_b": rng.integers(1, 11, n),
        "i_a": rng.integers(1, 11, n), "i_b": rng.integers(1, 11, n),
        "w": rng.integers(1, 4, n), "seg": rng.choice(["s1", "s2"], n),
    }).astype({"p_a": float, "p_b": float, "i_a": float, "i_b": float})
    d["value"] = d["p_a"] + 0.3 * d["p_b"] + rng.normal(0, 1, n)
    return d


def test_weighted_correlation_equals_replicated_rows():
    # integer weights must give the same numbers as repeating each respondent w times
    d = _respondents()
    rep = d.loc[d.index.repeat(d["w"])]
    got = derived_importance(d, {"a": "p_a", "b": "p_b"}, "value", weights="w")
    for attr, col in (("a", "p_a"), ("b", "p_b")):
        expect = np.corrcoef(rep[col], rep["value"])[0, 1]
        assert got.set_index("attribute").loc[attr, "derived"] == pytest.approx(expect, abs=1e-12)
    assert got["share"].sum() == pytest.approx(1.0)
    s = stated_importance(d, {"a": "i_a"}, weights="w")
    assert s["stated"].item() == pytest.approx(rep["i_a"].mean(), abs=1e-12)
    # unweighted SE is the textbook s / sqrt(n)
    s1 = stated_importance(d, {"a": "i_a"})
    assert s1["se"].item() == pytest.approx(d["i_a"].std() / np.sqrt(len(d)), abs=1e-12)


def test_derived_per_segment_and_skips():
    d = _respondents()
    d.loc[d.seg == "s2", "p_b"] = 5.0  # no variance in s2
    with pytest.warns(CvmkitWarning, match="b in segment 's2'"):
        out = derived_importance(d, {"a": "p_a", "b": "p_b"}, "value", by="seg")
    assert out.columns[0] == "seg" and len(out) == 4
    row = out[(out.seg == "s2") & (out.attribute == "b")].iloc[0]
    assert np.isnan(row["derived"]) and "no variance" in row["note"]
    sub = d[d.seg == "s1"]
    r = np.corrcoef(sub["p_a"], sub["value"])[0, 1]
    assert out[(out.seg == "s1") & (out.attribute == "a")]["derived"].item() == pytest.approx(r)


def test_stated_and_derived_end_to_end():
    d = _respondents(200)
    d["i_a"] = 5.0
    d["i_b"] = 9.0  # b is said to matter more, a drives value
    t = stated_and_derived(d, {"a": "i_a", "b": "i_b"}, {"a": "p_a", "b": "p_b"}, "value")
    assert t.set_index("attribute")["class"].to_dict() == {
        "a": "hidden driver", "b": "stated only"}


def test_bad_weights_and_columns():
    d = _respondents()
    d.loc[3, "w"] = -1
    with pytest.raises(DataError, match="row 3"):
        derived_importance(d, {"a": "p_a"}, "value", weights="w")
    with pytest.raises(DataError, match="'zz'"):
        derived_importance(d, {"a": "zz"}, "value")
    with pytest.raises(DataError, match="segment column 'region'"):
        stated_importance(d, {"a": "i_a"}, by="region")


def test_derived_from_drivers_picks_lmg_and_maps_columns():
    imp = pd.DataFrame({"driver": ["p_a", "p_b", "p_a", "p_b", "other"],
                        "share": [60.0, 40.0, 55.0, 45.0, 1.0],
                        "method": ["Relative weights", "Relative weights", "LMG", "LMG", "LMG"]})
    got = derived_from_drivers(imp, {"a": "p_a", "b": "p_b"})
    assert got.values.tolist() == [["a", 55.0, "LMG"], ["b", 45.0, "LMG"]]
    rw = derived_from_drivers(imp, {"a": "p_a", "b": "p_b"}, method="Relative weights")
    assert rw["derived"].tolist() == [60.0, 40.0]
    with pytest.raises(DataError, match="method 'Dominance' not in the table"):
        derived_from_drivers(imp, method="Dominance")
    with pytest.raises(DataError, match="'share'"):
        derived_from_drivers(imp.drop(columns="share"))
    with pytest.raises(DataError, match="no driver matches"):
        derived_from_drivers(imp, {"z": "p_z"})
    # plugged into the classification in place of the correlations
    d = _respondents(100)
    t = stated_and_derived(d, {"a": "i_a", "b": "i_b"}, {"a": "p_a", "b": "p_b"}, "value",
                           derived=got)
    assert t["derived"].tolist() == [55.0, 45.0]
    assert t["derived_high"].tolist() == [True, False]
