"""Kano analysis: evaluation table, shares, Fong's test, Better/Worse, DuMouchel scores.

Reference values: ``tests/data/kano_*.csv`` (provenance in ``tests/data/README.md``).
Demo recovery: the planted categories of ``data/demo/truth.json``.
"""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.needs import (
    KANO_CATEGORIES,
    fong_test,
    kano_classify,
    kano_continuous,
    kano_table,
    segment_contrasts,
)
from cvmkit.study import KANO_ANSWERS

DATA = Path(__file__).resolve().parent / "data"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"

LETTER = {"A": "attractive", "O": "one-dimensional", "M": "must-be", "I": "indifferent",
          "R": "reverse", "Q": "questionable"}
CODES = {"like": 1, "must_be": 2, "neutral": 3, "live_with": 4, "dislike": 5}
# one answer pair (functional, dysfunctional) giving each category
PAIR_OF = {"M": (2, 5), "O": (1, 5), "A": (1, 3), "I": (3, 3), "R": (5, 1), "Q": (1, 1)}


def _all_pairs(codes=CODES):
    rows = list(itertools.product(KANO_ANSWERS, KANO_ANSWERS))
    return pd.DataFrame({"f": [codes[a] for a, _ in rows], "d": [codes[b] for _, b in rows],
                         "fa": [a for a, _ in rows], "da": [b for _, b in rows]})


# --------------------------------------------------------------------------- evaluation table
@pytest.mark.parametrize("codes", [CODES, {"like": 5, "must_be": 4, "neutral": 3,
                                            "live_with": 2, "dislike": 1},
                                   {"like": 10, "must_be": 20, "neutral": 30, "live_with": 40,
                                    "dislike": 50}])
def test_evaluation_table_matches_published_table(codes):
    ref = pd.read_csv(DATA / "kano_evaluation_table.csv", index_col="functional")
    d = _all_pairs(codes)
    got = kano_classify(d, {"x": ("f", "d")}, codes=codes)["x"]
    expected = [LETTER[ref.loc[fa, da]] for fa, da in zip(d["fa"], d["da"])]
    assert got.tolist() == expected
    assert set(got) == set(KANO_CATEGORIES)


def _reference_responses():
    ref = pd.read_csv(DATA / "kano_stp25kano_example.csv")
    f_cols, d_cols, pairs = {}, {}, {}
    for i, r in ref.iterrows():
        f, d = [], []
        for letter in "MOAIRQ":
            f += [PAIR_OF[letter][0]] * int(r[letter])
            d += [PAIR_OF[letter][1]] * int(r[letter])
        f_cols[f"f{i}"], d_cols[f"d{i}"] = f, d
        pairs[r["attribute"]] = (f"f{i}", f"d{i}")
    return ref, pd.DataFrame({**f_cols, **d_cols}), pairs


def test_reproduces_stp25kano_example():
    ref, data, pairs = _reference_responses()
    t = kano_table(data, pairs).set_index("attribute")
    for _, r in ref.iterrows():
        row = t.loc[r["attribute"]]
        n = r["total"]
        assert row["n"] == n
        for letter, col in (("M", "must_be"), ("O", "one_dimensional"), ("A", "attractive"),
                            ("I", "indifferent"), ("R", "reverse"), ("Q", "questionable")):
            assert row[col] == pytest.approx(r[letter] / n, abs=1e-12)
        assert row["category"] == LETTER[r["max_category"]]
        assert row["category_rule"] == LETTER[r["rule_category"]]
        assert round(100 * row["total_strength"]) == r["total_strength_pct"]
        assert round(100 * row["strength"]) == r["category_strength_pct"]
        assert round(row["better"], 3) == pytest.approx(r["cs_plus"])
        assert round(row["worse"], 3) == pytest.approx(r["cs_minus"])
        assert row["fong_diff"] == pytest.approx(r["fong_diff"])
        assert round(row["fong_critical"], 1) == pytest.approx(r["fong_critical"])
        assert row["fong_significant"] == (r["fong_result"] == "sig.")


def test_fong_formula_by_hand():
    # Excellent service: a = 101 (M), b = 81 (I), n = 296
    diff, crit, sig = fong_test(101, 81, 296)
    assert crit == pytest.approx(1.65 * np.sqrt(182 * (592 - 182) / 592))
    assert (diff, sig) == (20.0, True)
    assert fong_test(93, 87, 296)[2] is False


def test_weights_constant_scale_and_integer_shares():
    ref, data, pairs = _reference_responses()
    plain = kano_table(data, pairs)
    scaled = kano_table(data, pairs, weights=np.full(len(data), 3.7))
    cols = ["must_be", "better", "worse", "fong_critical", "strength"]
    np.testing.assert_allclose(plain[cols].to_numpy(float), scaled[cols].to_numpy(float))
    # integer weights: the shares are those of the data with each row repeated w times
    rng = np.random.default_rng(4)
    w = rng.integers(1, 4, len(data))
    rep = data.loc[data.index.repeat(w)].reset_index(drop=True)
    a = kano_table(data, pairs, weights=w)
    b = kano_table(rep, pairs)
    share_cols = ["must_be", "one_dimensional", "attractive", "indifferent", "reverse",
                  "questionable", "better", "worse"]
    np.testing.assert_allclose(a[share_cols].to_numpy(float), b[share_cols].to_numpy(float),
                               atol=1e-12)
    # Fong uses Kish's effective n, smaller than the replicated count
    assert (a["n_eff"] < b["n"]).all()


# --------------------------------------------------------------------------- continuous
def test_dumouchel_scores_from_reference_table():
    scores = pd.read_csv(DATA / "kano_dumouchel_scores.csv", index_col="answer")
    d = _all_pairs()
    t = kano_continuous(d, {"x": ("f", "d")}).iloc[0]
    f = d["fa"].map(scores["functional"])
    g = d["da"].map(scores["dysfunctional"])
    assert t["functional"] == pytest.approx(f.mean())
    assert t["dysfunctional"] == pytest.approx(g.mean())
    assert t["functional_se"] == pytest.approx(f.std() / np.sqrt(25))
    assert t["dysfunctional_se"] == pytest.approx(g.std() / np.sqrt(25))
    assert t["functional_lo"] == pytest.approx(f.mean() - 1.959964 * f.std() / 5, abs=1e-5)
    # every respondent likes having it and dislikes lacking it: (4, 4), one-dimensional
    one = kano_continuous(pd.DataFrame({"f": [1, 1], "d": [5, 5]}), {"x": ("f", "d")})
    assert one[["functional", "dysfunctional", "quadrant"]].values.tolist() == [
        [4.0, 4.0, "one-dimensional"]]


def test_continuous_importance_and_quadrants():
    d = pd.DataFrame({"f1": [3, 3, 2], "d1": [5, 5, 5], "f2": [1, 1, 1], "d2": [3, 4, 3],
                      "imp1": [5, 4, 3], "imp2": [1, 2, np.nan]})
    t = kano_continuous(d, {"a": ("f1", "d1"), "b": ("f2", "d2")},
                        importance={"a": "imp1", "b": "imp2"}).set_index("attribute")
    assert t.loc["a", "quadrant"] == "must-be" and t.loc["b", "quadrant"] == "attractive"
    assert t.loc["a", "importance"] == 4.0 and t.loc["b", "importance"] == 1.5
    with pytest.raises(DataError, match="importance"):
        kano_continuous(d, {"a": ("f1", "d1")}, importance={"zz": "imp1"})


# --------------------------------------------------------------------------- bad input
def test_code_outside_the_set_raises_naming_column_and_row():
    d = pd.DataFrame({"f": [1, 2, 7], "d": [5, 5, 5]}, index=["r1", "r2", "r3"])
    with pytest.raises(DataError, match=r"column 'f'.*outside.*row 'r3': 7"):
        kano_table(d, {"x": ("f", "d")})


def test_code_outside_the_set_can_be_a_counted_skip():
    d = pd.DataFrame({"f": [1, 2, 7, 0], "d": [5, 5, 5, 5]})
    with pytest.warns(CvmkitWarning, match=r"outside the configured set.*x \(2\)"):
        t = kano_table(d, {"x": ("f", "d")}, invalid="skip")
    assert t[["n", "n_invalid", "n_incomplete"]].values.tolist() == [[2, 2, 0]]
    assert t["must_be"].item() == 0.5


def test_pair_with_one_side_missing_is_a_counted_skip():
    d = pd.DataFrame({"f": [1, 2, np.nan, 3], "d": [5, np.nan, 5, np.nan]})
    d.loc[3, "f"] = np.nan  # both missing: simply not answered, not counted as incomplete
    with pytest.warns(CvmkitWarning, match=r"one side missing.*x \(2\)"):
        t = kano_table(d, {"x": ("f", "d")})
    assert t[["n", "n_incomplete"]].values.tolist() == [[1, 2]]
    with pytest.warns(CvmkitWarning):
        c = kano_classify(d, {"x": ("f", "d")})
    assert c["x"].isna().tolist() == [False, True, True, True]


def test_attribute_without_respondents_in_a_segment_is_flagged():
    d = pd.DataFrame({"seg": ["a", "a", "b", "b"], "f": [1, 2, np.nan, np.nan],
                      "d": [5, 5, np.nan, np.nan], "g": [1, 1, 1, 3], "h": [3, 3, 3, 3]})
    with pytest.warns(CvmkitWarning, match="x in segment 'b'"):
        t = kano_table(d, {"x": ("f", "d"), "y": ("g", "h")}, by="seg")
    row = t[(t.seg == "b") & (t.attribute == "x")].iloc[0]
    assert row["n"] == 0 and pd.isna(row["category"]) and "no respondent" in row["note"]
    assert np.isnan(row["better"])
    assert t[(t.seg == "b") & (t.attribute == "y")]["category"].item() == "attractive"
    with pytest.warns(CvmkitWarning, match="x in segment 'b'"):
        kano_continuous(d, {"x": ("f", "d")}, by="seg")


@pytest.mark.parametrize("kwargs, match", [
    (dict(codes={"like": 1, "must_be": 2}), "one code for each"),
    (dict(codes={"like": 1, "must_be": 1, "neutral": 3, "live_with": 4, "dislike": 5}),
     "share a code"),
    (dict(pairs={"x": ("f", "nope")}), "'nope'"),
    (dict(pairs={"x": "f"}), "expected \\(functional column"),
    (dict(invalid="ignore"), "invalid"),
    (dict(weights="nope"), "weights"),
])
def test_malformed_arguments(kwargs, match):
    d = pd.DataFrame({"f": [1, 2], "d": [5, 5]})
    args = {"pairs": {"x": ("f", "d")}, **kwargs}
    with pytest.raises(DataError, match=match):
        kano_table(d, **args)


def test_non_numeric_answer_names_the_row():
    d = pd.DataFrame({"f": [1, "like"], "d": [5, 5]})
    with pytest.raises(DataError, match="row 1 holds 'like'"):
        kano_table(d, {"x": ("f", "d")})


# --------------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.floats(0.1, 5)),
                min_size=1, max_size=40))
def test_shares_and_coefficients_are_well_formed(rows):
    d = pd.DataFrame(rows, columns=["f", "d", "w"])
    t = kano_table(d, {"x": ("f", "d")}, weights="w").iloc[0]
    shares = t[["must_be", "one_dimensional", "attractive", "indifferent", "reverse",
                "questionable"]].astype(float)
    assert shares.sum() == pytest.approx(1.0)
    if np.isfinite(t["better"]):
        assert 0 <= t["better"] <= 1 and -1 <= t["worse"] <= 0
    c = kano_classify(d, {"x": ("f", "d")})["x"]
    if (c == "questionable").all():
        assert pd.isna(t["category"]) and np.isnan(t["better"])
    else:
        assert t["strength"] >= 0
        assert t["category"] in KANO_CATEGORIES[:5]
        assert (c == t["category"]).any()


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
    truth = json.loads((DEMO / "truth.json").read_text())
    return result.clean, result.study, truth


def test_demo_planted_categories_recovered(demo):
    data, study, truth = demo
    t = kano_table(data, study.kano_pairs(), study.kano_codes, weights="weight")
    assert dict(zip(t["attribute"], t["category"])) == truth["kano"]
    assert t["fong_significant"].all()


def test_demo_segments_differ_where_planted(demo):
    data, study, truth = demo
    t = kano_table(data, study.kano_pairs(), study.kano_codes, weights="weight", by="segment")
    for seg, planted in truth["segment_kano"].items():
        got = t[t.segment == seg]
        assert dict(zip(got["attribute"], got["category"])) == planted, seg
    contrasts = segment_contrasts(t, "segment", column="category")
    planted_differs = {a for a in truth["kano"]
                       if len({truth["segment_kano"][s][a] for s in truth["segment_kano"]}) > 1}
    assert set(contrasts.loc[contrasts["differs"], "attribute"]) == planted_differs
    assert planted_differs  # the demo does plant a segment difference


def test_demo_recovery_at_n_300(demo):
    data, study, truth = demo
    rng = np.random.default_rng(2026)
    rates = []
    for _ in range(10):
        sub = data.sample(300, random_state=int(rng.integers(2**31)))
        t = kano_table(sub, study.kano_pairs(), study.kano_codes, weights="weight")
        rates.append(np.mean([truth["kano"][a] == c for a, c in zip(t.attribute, t.category)]))
    assert np.mean(rates) >= 0.95


def test_demo_continuous_quadrants_match_planted(demo):
    data, study, truth = demo
    t = kano_continuous(data, study.kano_pairs(), study.kano_codes, weights="weight",
                        importance=study.importance_columns())
    assert dict(zip(t["attribute"], t["quadrant"])) == truth["kano"]
    assert (t["functional_se"] > 0).all() and t["importance"].between(1, 5).all()
