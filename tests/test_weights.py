"""Tests of cvmkit.weights: raking against a hand-solved example and samplics, Kish's formulas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.study import load_study
from cvmkit.weights import (
    design_effect,
    effective_n,
    rake,
    study_weights,
    weight_summary,
)

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def two_by_two():
    # cells: (m, young) x2, (m, old) x1, (f, young) x1, (f, old) x2
    return pd.DataFrame({"sex": ["m", "m", "m", "f", "f", "f"],
                         "age": ["young", "young", "old", "young", "old", "old"]})


def test_rake_hand_solved_example(two_by_two):
    """Raking a 2 x 2 sample to sex 50/50 and age young 65 / old 35.

    Sample counts n(sex, age): (m, young) = 2, (m, old) = 1, (f, young) = 1, (f, old) = 2; n = 6.
    IPF converges to weights of product form w(i, j) = a_i * b_j.  Fix b_young = 1, b_old = t
    and keep the total at 6 (mean weight 1):

        sex m:     a_m (2 + t)   = 0.50 * 6 = 3
        sex f:     a_f (1 + 2 t) = 0.50 * 6 = 3
        age young: 2 a_m + a_f   = 0.65 * 6 = 3.9
        age old:   t (a_m + 2 a_f) = 0.35 * 6 = 2.1

    t = 1/2 gives a_m = 3 / 2.5 = 1.2 and a_f = 3 / 2 = 1.5; then 2(1.2) + 1.5 = 3.9 and
    0.5 (1.2 + 3) = 2.1, so every margin holds.  Weights: (m, young) 1.2, (m, old) 0.6,
    (f, young) 1.5, (f, old) 0.75.

    Kish: sum w = 2(1.2) + 0.6 + 1.5 + 2(0.75) = 6; sum w^2 = 2(1.44) + 0.36 + 2.25 + 2(0.5625)
    = 6.615; deff = 6 * 6.615 / 36 = 1.1025 (= 1.05^2); effective n = 36 / 6.615 = 5.44218.
    """
    res = rake(two_by_two, {"sex": {"m": 0.5, "f": 0.5}, "age": {"young": 0.65, "old": 0.35}})
    expected = [1.2, 1.2, 0.6, 1.5, 0.75, 0.75]
    np.testing.assert_allclose(res.weights.to_numpy(), expected, atol=1e-9)
    assert res.converged and res.max_error <= 1e-10 and 1 <= res.iterations < 100
    assert res.weights.mean() == pytest.approx(1.0, abs=1e-12)
    assert res.weights.index.equals(two_by_two.index) and res.weights.name == "weight"

    m = res.margins
    assert list(m.columns) == ["column", "level", "n", "target", "achieved", "unweighted"]
    assert m[["column", "level"]].values.tolist() == [["sex", "m"], ["sex", "f"],
                                                      ["age", "young"], ["age", "old"]]
    np.testing.assert_allclose(m["achieved"], m["target"], atol=1e-6)
    assert m["n"].tolist() == [3, 3, 3, 3] and m["unweighted"].tolist() == [0.5] * 4

    assert design_effect(res.weights) == pytest.approx(1.1025, abs=1e-9)
    assert effective_n(res.weights) == pytest.approx(36 / 6.615, abs=1e-8)


def test_rake_matches_samplics():
    """60 respondents, three margins, unequal base weights; samplics 0.6.0 reference."""
    df = pd.read_csv(DATA / "raking_samplics.csv")
    targets = json.loads((DATA / "raking_samplics_targets.json").read_text())
    res = rake(df, targets, base_weights=df["base_weight"], tol=1e-12, max_iter=500)
    assert res.converged
    np.testing.assert_allclose(res.weights, df["samplics_weight"], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(res.margins["achieved"], res.margins["target"], atol=1e-6)
    w = df["samplics_weight"].to_numpy()
    assert design_effect(res.weights) == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)


def test_shares_are_normalised_and_levels_match_as_text():
    df = pd.DataFrame({"wave": [1, 1, 1, 2, 2], "region": ["N", "S", "S", "N", "S"]})
    res = rake(df, {"wave": {"1": 50, "2": 50}, "region": {"N": 2, "S": 2}})
    assert res.converged
    assert res.margins["target"].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert res.margins["n"].tolist() == [3, 2, 2, 3]
    np.testing.assert_allclose(res.margins["achieved"], 0.5, atol=1e-10)


def test_trimming_bounds_the_weights_and_keeps_the_margins():
    df = pd.read_csv(DATA / "raking_samplics.csv")
    targets = json.loads((DATA / "raking_samplics_targets.json").read_text())
    untrimmed = rake(df, targets, base_weights=df["base_weight"])
    assert untrimmed.weights.max() > 5 and untrimmed.weights.min() < 0.1
    res = rake(df, targets, base_weights=df["base_weight"], trim=(0.1, 5.0), max_iter=1000)
    assert res.converged
    assert res.weights.min() >= 0.1 - 1e-9 and res.weights.max() <= 5.0 + 1e-9
    np.testing.assert_allclose(res.margins["achieved"], res.margins["target"], atol=1e-6)
    # bounds these cells cannot meet: flagged, not hidden
    with pytest.warns(CvmkitWarning, match="did not converge with the trimming bounds"):
        tight = rake(df, targets, base_weights=df["base_weight"], trim=(0.3, 3.0), max_iter=50)
    assert not tight.converged and tight.max_error > 1e-3 and tight.iterations == 50


def test_level_in_targets_with_no_respondents(two_by_two):
    with pytest.raises(DataError, match=r"targets\.age\.middle: level 'middle' has a target "
                                        r"share of 0\.2 but no respondents in column 'age'"):
        rake(two_by_two, {"age": {"young": 0.4, "middle": 0.2, "old": 0.4}})
    # a zero target for an absent level is harmless
    assert rake(two_by_two, {"age": {"young": 0.5, "middle": 0, "old": 0.5}}).converged


def test_missing_values_and_untargeted_levels_in_a_raking_column(two_by_two):
    d = two_by_two.copy()
    d.loc[4, "age"] = None
    with pytest.raises(DataError, match=r"targets\.age: column 'age' has 1 missing value\(s\) "
                                        r"\(row 4\)"):
        rake(d, {"age": {"young": 0.5, "old": 0.5}})
    with pytest.raises(DataError, match=r"level\(s\) 'old' \(3\) of column 'age' have no target"):
        rake(two_by_two, {"age": {"young": 1.0}})
    with pytest.raises(DataError, match="raking column 'agegroup' not in the data"):
        rake(two_by_two, {"agegroup": {"young": 1.0}})
    with pytest.raises(DataError, match="base_weights: 1 weight"):
        rake(two_by_two, {"sex": {"m": 1, "f": 1}}, base_weights=[1, 1, -1, 1, 1, 1])


def test_kish_formulas_by_hand():
    w = [1, 1, 2, 4]  # sum 8, sum of squares 22
    assert design_effect(w) == pytest.approx(4 * 22 / 64)   # 1.375
    assert effective_n(w) == pytest.approx(64 / 22)
    assert design_effect([3, 3, 3]) == pytest.approx(1.0)
    s = weight_summary(w)
    assert len(s) == 1
    row = s.iloc[0]
    assert row["n"] == 4 and row["min"] == 1 and row["max"] == 4 and row["median"] == 1.5
    assert row["design_effect"] == pytest.approx(1.375)
    assert row["effective_n"] == pytest.approx(64 / 22)
    assert row["efficiency"] == pytest.approx(1 / 1.375)
    assert row["cv"] == pytest.approx(np.std(w) / np.mean(w))
    # Kish's identity: deff = 1 + cv^2 (population cv)
    assert row["design_effect"] == pytest.approx(1 + row["cv"] ** 2)
    with pytest.raises(DataError, match="missing or infinite"):
        design_effect([1.0, np.nan])


def test_study_weights_from_targets_column_or_none():
    study = load_study(DATA / "small_study" / "study.yaml")
    data = pd.read_csv(DATA / "small_study" / "responses.csv")
    w = study_weights(data, study)
    # segment A: 5 of 12 respondents for a 0.5 target -> 0.5 * 12 / 5 = 1.2; B 0.3*12/4 = 0.9;
    # C 0.2 * 12 / 3 = 0.8 (one margin: raking is post-stratification)
    expected = data["segment"].map({"A": 1.2, "B": 0.9, "C": 0.8})
    np.testing.assert_allclose(w, expected, atol=1e-12)
    from dataclasses import replace
    ones = study_weights(data, replace(study, weights={}))
    assert (ones == 1.0).all() and ones.name == "weight"
    col = study_weights(data.assign(w=data["duration_s"]), replace(study, weights={"column": "w"}))
    assert col.mean() == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_raking_hits_random_margins(seed):
    rng = np.random.default_rng(seed)
    n = 80
    levels = {"a": list("xyz"), "b": list("pq"), "c": list("uvw")}
    # every level appears at least once, the rest at random
    df = pd.DataFrame({col: lv + list(rng.choice(lv, n - len(lv))) for col, lv in levels.items()})
    targets = {col: dict(zip(lv, rng.uniform(0.2, 1.0, len(lv)))) for col, lv in levels.items()}
    res = rake(df, targets, max_iter=1000)
    assert res.converged
    np.testing.assert_allclose(res.margins["achieved"], res.margins["target"], atol=1e-6)
    assert res.weights.mean() == pytest.approx(1.0)
    w = res.weights.to_numpy()
    assert design_effect(w) == pytest.approx(n * (w**2).sum() / w.sum() ** 2)
    assert design_effect(w) >= 1 - 1e-12
