"""Bad input to the driver analysis: each a clear error, or a flagged skip naming what and where."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvmkit.drivers import (
    collinearity,
    collinearity_message,
    compare_segments,
    dominance,
    logit_coefficients,
    ols_coefficients,
    relative_importance,
    segment_importance,
)
from cvmkit.errors import AnalysisError, CvmkitWarning, DataError


@pytest.fixture()
def df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    out = pd.DataFrame(x, columns=["a", "b", "c"])
    out["y"] = x @ [1.0, 0.5, 0.2] + rng.normal(size=120)
    out["seg"] = np.where(np.arange(120) < 110, "big", "tiny")
    return out


def test_fewer_respondents_than_drivers(df):
    small = df.head(4)
    with pytest.raises(AnalysisError, match=r"only 4 respondents .* 3 drivers"):
        relative_importance(small, "y", ["a", "b", "c"])


def test_constant_driver_is_a_flagged_skip(df):
    df["k"] = 3.0
    with pytest.warns(CvmkitWarning, match=r"driver 'k' \(column 'k'\) has no variance"):
        t = relative_importance(df, "y", ["a", "b", "k"], methods=["lmg"])
    row = t[t["driver"] == "k"]
    assert row["share"].isna().all() and row["note"].str.startswith("skipped").all()
    assert t.loc[t["driver"] != "k", "share"].sum() == pytest.approx(100)
    with pytest.raises(AnalysisError, match="driver 'k'"):
        relative_importance(df, "y", ["a", "b", "k"], skip_bad=False)


def test_two_perfectly_collinear_drivers(df):
    df["a2"] = 2 * df["a"] + 1
    with pytest.raises(AnalysisError, match=r"'a' and 'a2' are perfectly collinear"):
        relative_importance(df, "y", ["a", "b", "a2"])


def test_linear_combination_names_the_drivers(df):
    df["s"] = df["a"] - df["b"]
    with pytest.raises(AnalysisError, match=r"'a', 'b', 's' are linearly dependent"):
        relative_importance(df, "y", ["a", "b", "c", "s"])


def test_outcome_without_variance(df):
    df["flat"] = 7
    with pytest.raises(AnalysisError, match=r"outcome 'flat' has no variance"):
        relative_importance(df, "flat", ["a", "b"])


def test_all_missing_driver_is_a_flagged_skip(df):
    df["empty"] = np.nan
    with pytest.warns(CvmkitWarning, match=r"driver 'gone' \(column 'empty'\) has no answers"):
        t = relative_importance(df, "y", {"a": "a", "b": "b", "gone": "empty"}, methods="lmg")
    assert t.loc[t["driver"] == "gone", "note"].item().startswith("skipped: has no answers")
    assert t["n"].iloc[0] == 120  # the empty column did not delete every row


def test_all_missing_outcome(df):
    df["y"] = np.nan
    with pytest.raises(AnalysisError, match="outcome 'y' has no answers"):
        relative_importance(df, "y", ["a", "b"])


def test_segment_too_small_is_a_flagged_skip(df):
    with pytest.warns(CvmkitWarning, match=r"segment 'tiny' \(seg\) skipped: only 10"):
        t = segment_importance(df, "y", ["a", "b", "c"], "seg")
    tiny = t[t["segment"] == "tiny"]
    assert len(tiny) == 3 and tiny["share"].isna().all()
    assert tiny["note"].str.contains("only 10 respondents").all()
    assert t.loc[t["segment"] == "big", "share"].sum() == pytest.approx(100)
    with pytest.raises(AnalysisError, match="fewer than two segments"), \
            pytest.warns(CvmkitWarning, match="segment 'tiny'"):
        compare_segments(df, "y", ["a", "b", "c"], "seg", n_boot=20, seed=1)


def test_segment_where_a_driver_is_constant(df):
    df.loc[df["seg"] == "big", "c"] = 1.0
    with pytest.warns(CvmkitWarning, match="segment 'big'"):
        t = segment_importance(df, "y", ["a", "b", "c"], "seg", min_n=5)
    big = t[t["segment"] == "big"]
    assert big.loc[big["driver"] == "c", "note"].item().startswith("skipped")


def test_unknown_column_names_it(df):
    with pytest.raises(DataError, match=r"'nope' \(driver 'x'\) not in data"):
        relative_importance(df, "y", {"a": "a", "x": "nope"})
    with pytest.raises(DataError, match=r"'zz' \(the outcome\)"):
        relative_importance(df, "zz", ["a"])
    with pytest.raises(DataError, match="segment column 'region'"):
        segment_importance(df, "y", ["a"], "region")


def test_non_numeric_driver_names_the_row(df):
    df["a"] = df["a"].astype(object)
    df.loc[5, "a"] = "lots"
    with pytest.raises(DataError, match=r"column 'a' should be numeric; row 5 holds 'lots'"):
        relative_importance(df, "y", ["a", "b"])


def test_bad_weights_name_the_row(df):
    w = np.ones(len(df))
    w[7] = -1
    with pytest.raises(DataError, match="row 7 has weight -1.0"):
        relative_importance(df, "y", ["a", "b"], weights=w)
    with pytest.raises(DataError, match="3 weights given for 120 rows"):
        relative_importance(df, "y", ["a", "b"], weights=[1, 2, 3])


def test_unknown_method_and_outcome_as_driver(df):
    with pytest.raises(DataError, match="'shapely' unknown"):
        relative_importance(df, "y", ["a", "b"], methods="shapely")
    with pytest.raises(DataError, match="outcome 'y' is also listed as driver 'y'"):
        relative_importance(df, "y", ["a", "y"])


def test_listwise_deletion_is_counted(df):
    df.loc[[1, 2, 3], "a"] = np.nan
    df.loc[3, "y"] = np.nan
    df.loc[9, "y"] = np.nan
    with pytest.warns(CvmkitWarning, match="4 of 120 respondents dropped"):
        t = relative_importance(df, "y", ["a", "b"], methods="lmg")
    assert t["n"].iloc[0] == 116
    assert t["note"].str.contains("4 of 120 respondents dropped").all()


def test_pairwise_option_is_flagged(df):
    df.loc[:30, "a"] = np.nan
    df.loc[60:80, "b"] = np.nan
    with pytest.warns(CvmkitWarning, match="pairwise-complete"):
        t = relative_importance(df, "y", ["a", "b", "c"], methods="lmg", missing="pairwise")
    assert t["note"].str.contains("pairwise-complete correlations").all()
    assert t["share"].sum() == pytest.approx(100)
    with pytest.raises(DataError, match="missing='both'"):
        relative_importance(df, "y", ["a", "b"], missing="both")


def test_input_frame_not_modified(df):
    df.loc[2, "a"] = np.nan
    before = df.copy()
    with pytest.warns(CvmkitWarning):
        relative_importance(df, "y", ["a", "b", "c"], n_boot=20, seed=1)
        segment_importance(df, "y", ["a", "b", "c"], "seg")
    ols_coefficients(df.dropna(), "y", ["a", "b"])
    pd.testing.assert_frame_equal(df, before)


def test_logit_needs_binary_or_top_box(df):
    with pytest.raises(DataError, match=r"outcome 'y' takes values .* give top_box="):
        logit_coefficients(df, "y", ["a", "b"])
    with pytest.raises(AnalysisError, match="never in the top box"):
        logit_coefficients(df, "y", ["a", "b"], top_box=1e9)


def test_dominance_limit(df):
    with pytest.raises(AnalysisError, match="3 drivers exceed max_drivers=2"):
        dominance(df, "y", ["a", "b", "c"], max_drivers=2)


def test_collinearity_diagnostics(df):
    rng = np.random.default_rng(1)
    df["a_twin"] = df["a"] + 0.05 * rng.normal(size=len(df))
    t = collinearity(df, ["a", "a_twin", "b", "c"])
    assert t.set_index("driver").loc[["a", "a_twin"], "high"].all()
    assert not t.set_index("driver").loc[["b", "c"], "high"].any()
    # VIF = 1 / (1 - R² of the driver on the others), by least squares here
    x = np.column_stack([np.ones(len(df)), df[["a_twin", "b", "c"]]])
    beta, *_ = np.linalg.lstsq(x, df["a"], rcond=None)
    e = df["a"] - x @ beta
    r2 = 1 - e @ e / ((df["a"] - df["a"].mean()) ** 2).sum()
    assert t.loc[t["driver"] == "a", "vif"].item() == pytest.approx(1 / (1 - r2), rel=1e-9)
    msg = collinearity_message(t, labels={"a": "Taste"})
    assert "Taste (VIF" in msg and "unstable" in msg and "condition number" in msg
    assert collinearity_message(collinearity(df, ["b", "c"])) == ""


def test_shapley_sampled_names_lmg_for_the_bootstrap_functions():
    """Beyond the exact size the importance table calls LMG shapley_sampled; passing that name
    on to the outranking and segment functions asks for the same LMG."""
    from cvmkit.drivers.bootstrap import _check_methods

    assert _check_methods(["shapley_sampled"]) == ["lmg"]
    assert _check_methods(["lmg", "shapley_sampled", "pratt"]) == ["lmg", "pratt"]
