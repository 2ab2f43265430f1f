"""Logit dominance on a seeded random subsample above a size, and the sentence that says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvmkit.drivers import LOGIT_DOMINANCE_SUBSAMPLE, logit_dominance, subsample_note
from cvmkit.drivers.models import subsample_rows
from cvmkit.errors import DataError


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 1600
    x = rng.normal(size=(n, 3)) + 0.5 * rng.normal(size=(n, 1))
    d = pd.DataFrame(x, columns=["a", "b", "c"])
    d["top"] = (1.5 * d["a"] + 0.7 * d["b"] + rng.logistic(size=n) > 0.3).astype(int)
    d["w"] = rng.uniform(0.5, 2.0, n)
    return d


def test_default_threshold_is_five_thousand():
    assert LOGIT_DOMINANCE_SUBSAMPLE == 5_000


def test_no_subsample_at_or_below_the_threshold_changes_nothing(df):
    full = logit_dominance(df, "top", ["a", "b", "c"], weights="w", subsample=None)
    for size in (len(df), LOGIT_DOMINANCE_SUBSAMPLE):
        t = logit_dominance(df, "top", ["a", "b", "c"], weights="w", subsample=size, seed=3)
        pd.testing.assert_frame_equal(t, full)
    assert full["se"].isna().all()
    assert (full["n"] == len(df)).all()
    assert "subsample" not in full["note"].iloc[0]


def test_subsample_says_its_size_and_adds_a_monte_carlo_error(df):
    t = logit_dominance(df, "top", ["a", "b", "c"], weights="w", subsample=800, seed=3)
    assert (t["n"] == 800).all()
    assert "random subsample of 800 of the 1,600 respondents (seed 3)" in t["note"].iloc[0]
    assert np.isfinite(t["se"]).all() and (t["se"] >= 0).all()
    assert t["share"].sum() == pytest.approx(100.0)
    full = logit_dominance(df, "top", ["a", "b", "c"], weights="w", subsample=None)
    # the subsample estimates the full-data shares: within a generous multiple of its error
    assert np.all(np.abs(t["share"] - full["share"]) < 6 * t["se"] + 1.0)
    assert t["rank"].tolist() == full["rank"].tolist()


def test_subsample_is_seeded(df):
    kw = dict(weights="w", subsample=500)
    a = logit_dominance(df, "top", ["a", "b", "c"], seed=1, **kw)
    b = logit_dominance(df, "top", ["a", "b", "c"], seed=1, **kw)
    c = logit_dominance(df, "top", ["a", "b", "c"], seed=2, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["share"], c["share"])


def test_subsample_applies_to_the_pair_tables_too(df):
    pairs = logit_dominance(df, "top", ["a", "b", "c"], table="pairs", subsample=500, seed=1)
    assert set(pairs.columns) == {"driver", "other", "complete", "conditional", "general"}


def test_subsample_rows():
    assert subsample_rows(100, None, 1) is None
    assert subsample_rows(100, 100, 1) is None
    r = subsample_rows(1000, 300, 5)
    assert r.size == 300 and np.unique(r).size == 300 and r.min() >= 0 and r.max() < 1000
    np.testing.assert_array_equal(r, subsample_rows(1000, 300, 5))
    with pytest.raises(DataError, match="subsample=30; expected None or at least 200"):
        subsample_rows(1000, 30, 5)


def test_subsample_note(df):
    full = logit_dominance(df, "top", ["a", "b", "c"], subsample=None)
    assert subsample_note(full, len(df)) is None
    t = logit_dominance(df, "top", ["a", "b", "c"], subsample=800, seed=3)
    text = subsample_note(t, len(df))
    assert "random subsample of **800** of the 1,600 respondents" in text
    assert f"**{t['se'].max():.2f}** percentage points" in text
    assert "8 logit fits" in text
