"""Needs-and-wants summary: the voting rule, segments, and the demo reconciled."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.needs import (
    HIERARCHY,
    kano_table,
    needs_summary,
    penalty_reward,
    segment_contrasts,
    stated_and_derived,
)
from cvmkit.needs.summary import ROLE_FROM_KANO

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def _views():
    attrs = ["a", "b", "c", "d", "e"]
    kano = pd.DataFrame({"attribute": attrs,
                         "category_rule": ["must-be", "attractive", "one-dimensional",
                                           "indifferent", "reverse"],
                         "better": [0.2, 0.7, 0.7, 0.1, 0.1], "worse": [-0.8, -0.2, -0.7, -0.1,
                                                                         -0.1]})
    prca = pd.DataFrame({"attribute": attrs,
                         "class": ["basic", "performance", "excitement", "low impact", np.nan],
                         "penalty": [1, 0.5, 0.2, 0, np.nan], "reward": [0.1, 0.5, 0.9, 0, np.nan],
                         "ia": [-0.8, 0, 0.6, np.nan, np.nan]})
    svd = pd.DataFrame({"attribute": attrs,
                        "class": ["expected", "expected", "hidden driver", "low impact",
                                  "stated only"]})
    return kano, prca, svd


def test_majority_vote_with_kano_first_on_ties():
    kano, prca, svd = _views()
    t = needs_summary(kano, prca, svd, labels={"a": "Alpha"}).set_index("attribute")
    assert t["role"].to_dict() == {"a": "need", "b": "performance", "c": "want",
                                   "d": "indifferent", "e": "indifferent"}
    assert t["agreement"].to_dict() == {"a": "majority", "b": "majority", "c": "majority",
                                        "d": "all agree", "e": "split"}
    assert t["n_views"].tolist() == [3, 3, 3, 3, 2]
    assert t["n_agree"].tolist() == [2, 2, 2, 3, 1]
    assert t["hierarchy"].to_dict() == {a: HIERARCHY[r] for a, r in t["role"].items()}
    assert t.loc["a", "label"] == "Alpha" and pd.isna(t.loc["b", "label"])
    assert {"better", "worse", "penalty", "reward", "ia"} <= set(t.columns)


def test_single_view_and_all_split():
    kano, prca, svd = _views()
    with pytest.warns(CvmkitWarning, match="no usable view for e"):
        one = needs_summary(prca=prca)
    assert one["agreement"].iloc[0] == "one view" and one["role"].iloc[0] == "need"
    assert pd.isna(one["kano"]).all()
    k = kano.assign(category_rule=["attractive"] * 5)
    p = prca.assign(**{"class": ["basic"] * 5})
    s = svd.assign(**{"class": ["expected"] * 5})
    t = needs_summary(k, p, s)
    assert (t["role"] == "want").all() and (t["agreement"] == "split").all()


def test_attribute_in_only_some_views_and_no_usable_view():
    kano, prca, svd = _views()
    extra = pd.DataFrame({"attribute": ["z"], "class": [np.nan]})
    with pytest.warns(CvmkitWarning, match="no usable view for z"):
        t = needs_summary(kano, pd.concat([prca, extra]), svd).set_index("attribute")
    assert pd.isna(t.loc["z", "role"]) and "no view" in t.loc["z", "note"]


def test_per_segment_and_contrasts():
    kano, prca, svd = _views()
    k = pd.concat([kano.assign(seg="x"), kano.assign(seg="y")])
    k.loc[(k.seg == "y").to_numpy() & (k.attribute == "b").to_numpy(), "category_rule"] = \
        "indifferent"
    t = needs_summary(kano=k, by="seg")
    assert t.columns[0] == "seg" and len(t) == 10
    c = segment_contrasts(t, "seg")
    assert c.columns.tolist() == ["attribute", "x", "y", "n_values", "differs"]
    assert c.set_index("attribute")["differs"].to_dict() == {
        "a": False, "b": True, "c": False, "d": False, "e": False}


@pytest.mark.parametrize("kwargs, match", [
    (dict(), "at least one"),
    (dict(kano=pd.DataFrame({"attribute": ["a"], "category_rule": ["great"]})),
     "unknown class"),
    (dict(prca=pd.DataFrame({"attribute": ["a", "a"], "class": ["basic", "basic"]})),
     "more than one row"),
    (dict(svd=pd.DataFrame({"attribute": ["a"]})), "'class'"),
    (dict(kano=[1, 2]), "must be a DataFrame"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(DataError, match=match):
        needs_summary(**kwargs)


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


def _views_of(data, study, by=None):
    perf = study.performance_columns()
    outcome = study.outcome_column("value")
    k = kano_table(data, study.kano_pairs(), study.kano_codes, weights="weight", by=by)
    p = penalty_reward(data, perf, outcome, scale=study.scales["performance"],
                       weights="weight", by=by)
    s = stated_and_derived(data, study.importance_columns(), perf, outcome, weights="weight",
                           by=by)
    return k, p, s


def test_demo_stated_vs_derived_distortions(demo):
    data, study, truth = demo
    _, _, s = _views_of(data, study)
    got = dict(zip(s["attribute"], s["class"]))
    for attr, cls in truth["stated_vs_derived"].items():
        assert got[attr] == cls, attr


def test_demo_roles_follow_the_planted_kano_categories(demo):
    data, study, truth = demo
    k, p, s = _views_of(data, study)
    t = needs_summary(k, p, s)
    assert dict(zip(t["attribute"], t["role"])) == {
        a: ROLE_FROM_KANO[c] for a, c in truth["kano"].items()}
    assert (t["n_views"] == 3).all()


def test_demo_segment_roles(demo):
    data, study, truth = demo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        k, p, s = _views_of(data, study, by="segment")
    t = needs_summary(k, p, s, by="segment")
    wifi = t[t.attribute == "wifi"].set_index("segment")["kano"].to_dict()
    assert wifi == {seg: truth["segment_kano"][seg]["wifi"] for seg in truth["segment_kano"]}


def test_missing_views_and_partial_kano_reconcile_the_rest():
    kano, prca, svd = _views()
    some_kano = kano[kano["attribute"].isin(["b", "d"])]  # Kano pairs asked for two attributes
    with pytest.warns(CvmkitWarning, match="no usable view for e, f"):
        t = needs_summary(some_kano, prca, None, attributes=["a", "b", "c", "d", "e", "f"])
    assert t["attribute"].tolist() == ["a", "b", "c", "d", "e", "f"]
    r = t.set_index("attribute")
    # the Kano table covers b and d; the others take their role from penalty-reward alone
    assert r.loc["b", "kano"] == "attractive" and pd.isna(r.loc["a", "kano"])
    assert r["role"].iloc[:4].tolist() == ["need", "want", "want", "indifferent"]
    assert r.loc["a", "agreement"] == "one view" and r.loc["b", "agreement"] == "split"
    assert r["svd"].isna().all() and r["svd_role"].isna().all()
    # e has only an unclassified penalty-reward row, f no row at all: kept, role NaN, noted
    assert r[["role", "hierarchy"]].loc[["e", "f"]].isna().all().all()
    assert r.loc["f", "note"].startswith("skipped") and r.loc["f", "n_views"] == 0
    # the carried numbers are always there, NaN where their view is absent or silent
    for cols, present in ((["better", "worse"], ["b", "d"]),
                          (["penalty", "reward"], ["a", "b", "c", "d"])):
        assert r[cols].notna().all(axis=1).loc[lambda s: s].index.tolist() == present
    only_svd = needs_summary(svd=svd)
    assert {"better", "worse", "penalty", "reward", "ia"} <= set(only_svd.columns)
    assert only_svd["role"].tolist() == ["performance", "performance", "want", "indifferent",
                                         "need"]


def test_missing_views_per_segment_follow_the_attribute_order():
    kano, prca, _ = _views()
    p = pd.concat([prca.assign(seg="y"), prca.assign(seg="x")])
    k = kano[kano["attribute"] == "c"].assign(seg="x")
    with pytest.warns(CvmkitWarning, match="no usable view for e, e"):
        t = needs_summary(k, p, None, by="seg", attributes=["e", "d", "c", "b", "a"])
    assert t["seg"].tolist() == ["x"] * 5 + ["y"] * 5  # levels in the order first met
    assert t["attribute"].tolist() == ["e", "d", "c", "b", "a"] * 2
    c = t[t["attribute"] == "c"].set_index("seg")
    assert c.loc["x", "role"] == "performance" and c.loc["x", "agreement"] == "split"
    assert c.loc["y", "agreement"] == "one view"
