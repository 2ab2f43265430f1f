"""Bootstrap intervals, outranking probabilities and segment comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvmkit.drivers import (
    bootstrap_importance,
    compare_segments,
    outrank_probabilities,
    relative_importance,
    segment_importance,
    weighted_corr,
)
from cvmkit.drivers._metrics import corr_of_rows


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    n = 600
    x = rng.normal(size=(n, 4))
    x[:, 1] += 0.5 * x[:, 0]
    out = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    out["seg"] = np.repeat(["north", "south"], n // 2)
    south = out["seg"] == "south"
    out["y"] = np.where(south, x @ [0.3, 0.3, 1.2, 0.0], x @ [1.2, 0.3, 0.3, 0.0])
    out["y"] += rng.normal(size=n)
    out["w"] = rng.uniform(0.3, 3, n)
    return out


DRIVERS = ["a", "b", "c", "d"]


def test_same_seed_same_numbers_other_seed_other_numbers(df):
    one = relative_importance(df, "y", DRIVERS, weights="w", n_boot=100, seed=3)
    two = relative_importance(df, "y", DRIVERS, weights="w", n_boot=100, seed=3)
    three = relative_importance(df, "y", DRIVERS, weights="w", n_boot=100, seed=4)
    pd.testing.assert_frame_equal(one, two)
    assert not np.allclose(one["lower"], three["lower"])


def test_intervals_bracket_the_estimate(df):
    t = relative_importance(df, "y", DRIVERS, weights="w", n_boot=300, seed=1)
    assert t["lower"].notna().all() and t["upper"].notna().all()
    assert (t["lower"] <= t["share"] + 1e-9).all() and (t["share"] <= t["upper"] + 1e-9).all()
    lmg = t[t["method"] == "lmg"].set_index("driver")
    assert lmg.loc["d", "upper"] < lmg.loc["a", "lower"]  # the null driver is clearly below


def test_replicates_are_bootstrap_resamples(df):
    """The replicate shares are those of the data resampled with numpy's default_rng(seed)."""
    reps = bootstrap_importance(df, "y", DRIVERS, weights="w", n_boot=3, seed=11,
                                methods=["lmg", "first"])
    rng = np.random.default_rng(11)
    idx = rng.integers(0, len(df), size=(3, len(df)))
    for b in range(3):
        sample = df.iloc[idx[b]]
        ref = relative_importance(sample, "y", DRIVERS, weights="w", methods=["lmg", "first"])
        got = reps[reps["replicate"] == b]
        np.testing.assert_allclose(got["raw"].to_numpy(), ref["raw"].to_numpy(), atol=1e-12)


def test_replicates_do_not_depend_on_thread_count(df, monkeypatch):
    monkeypatch.setenv("CVMKIT_THREADS", "1")
    one = bootstrap_importance(df, "y", DRIVERS, n_boot=40, seed=5, methods="all")
    monkeypatch.setenv("CVMKIT_THREADS", "3")
    three = bootstrap_importance(df, "y", DRIVERS, n_boot=40, seed=5, methods="all")
    pd.testing.assert_frame_equal(one, three)


def test_kernel_correlations_equal_numpy_and_pandas(df):
    z = df[[*DRIVERS, "y"]].to_numpy().copy()
    w = df["w"].to_numpy()
    idx = np.arange(len(df))
    np.testing.assert_allclose(corr_of_rows(z, w, idx, False), weighted_corr(z, w), atol=1e-12)
    rng = np.random.default_rng(0)
    z[rng.random(z.shape) < 0.1] = np.nan
    ones = np.ones(len(df))
    np.testing.assert_allclose(corr_of_rows(z, ones, idx, True),
                               pd.DataFrame(z).corr().to_numpy(), atol=1e-12)
    np.testing.assert_allclose(corr_of_rows(z, w, idx, True), weighted_corr(z, w, True),
                               atol=1e-12)


def test_outrank_probabilities(df):
    t = outrank_probabilities(df, "y", DRIVERS, n_boot=200, seed=2)
    assert len(t) == 12
    pair = t.merge(t, left_on=["driver", "other"], right_on=["other", "driver"])
    np.testing.assert_allclose(pair["p_outrank_x"] + pair["p_outrank_y"], 1.0)
    p = t.set_index(["driver", "other"])["p_outrank"]
    assert p[("a", "d")] == 1.0 and p[("d", "a")] == 0.0
    # the same replicates as the intervals: P(a > d) computed from them by hand
    reps = bootstrap_importance(df, "y", DRIVERS, n_boot=200, seed=2)
    wide = reps.pivot(index="replicate", columns="driver", values="share")
    assert p[("b", "c")] == pytest.approx((wide["b"] > wide["c"]).mean())


def test_segment_importance_is_the_subset_analysis(df):
    t = segment_importance(df, "y", DRIVERS, "seg", methods=["lmg", "relative_weights"],
                           weights="w")
    for s in ("north", "south"):
        sub = df[df["seg"] == s]
        ref = relative_importance(sub, "y", DRIVERS, methods=["lmg", "relative_weights"],
                                  weights="w")
        got = t[t["segment"] == s]
        np.testing.assert_allclose(got["raw"].to_numpy(), ref["raw"].to_numpy(), atol=1e-12)
    top = t[(t["method"] == "lmg") & (t["rank"] == 1)].set_index("segment")["driver"]
    assert top.to_dict() == {"north": "a", "south": "c"}


def test_compare_segments_finds_the_planted_difference(df):
    t = compare_segments(df, "y", DRIVERS, "seg", weights=np.asarray(df["w"]), n_boot=300,
                         seed=8)
    t = t.set_index("driver")
    assert t.loc["a", "difference"] > 0 and t.loc["c", "difference"] < 0
    assert t.loc["a", "p_holm"] < 0.05 and t.loc["c", "p_holm"] < 0.05
    assert t.loc["a", "lower"] > 0 and t.loc["c", "upper"] < 0
    seg = segment_importance(df, "y", DRIVERS, "seg", weights="w").set_index(
        ["segment", "driver"])["share"]
    assert t.loc["a", "difference"] == pytest.approx(seg["north", "a"] - seg["south", "a"])


def test_compare_identical_segments_finds_nothing(df):
    half = df[df["seg"] == "north"]
    twin = pd.concat([half.assign(seg="one"), half.assign(seg="two")], ignore_index=True)
    t = compare_segments(twin, "y", DRIVERS, "seg", n_boot=200, seed=1)
    np.testing.assert_allclose(t["difference"], 0, atol=1e-12)
    assert (t["lower"] < 0).all() and (t["upper"] > 0).all()
    assert (t["p_value"] > 0.2).all()


def test_replicates_are_drawn_once_per_data_and_seed(monkeypatch):
    """The intervals and the outranking probabilities share one set of replicates; a new seed,
    new data or no seed draws afresh, and reuse changes no number."""
    from cvmkit.drivers import _metrics, bootstrap

    rng = np.random.default_rng(11)
    df = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    df["y"] = df["a"] + 0.5 * df["b"] + rng.normal(size=150)
    calls = []
    real = _metrics.boot_kernel

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(bootstrap, "boot_kernel", counting)
    bootstrap._REPLICATES.clear()
    imp = relative_importance(df, "y", ["a", "b", "c"], methods="lmg", n_boot=120, seed=4)
    first = len(calls)
    out = outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=120, seed=4)
    assert len(calls) == first  # reused
    outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=120, seed=5)
    assert len(calls) > first  # another seed: drawn
    n = len(calls)
    outrank_probabilities(df.assign(a=df["a"] * 2 + df["c"]), "y", ["a", "b", "c"],
                          n_boot=120, seed=4)
    assert len(calls) > n  # other data: drawn
    n = len(calls)
    outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=120, seed=None)
    outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=120, seed=None)
    assert len(calls) >= n + 2  # no seed: never kept
    bootstrap._REPLICATES.clear()
    fresh = outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=120, seed=4)
    pd.testing.assert_frame_equal(out, fresh)
    again = relative_importance(df, "y", ["a", "b", "c"], methods="lmg", n_boot=120, seed=4)
    pd.testing.assert_frame_equal(imp, again)
