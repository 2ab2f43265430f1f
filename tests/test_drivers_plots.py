"""The driver pictures draw what the tables say: bars, intervals, order, labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cvmkit.drivers import (
    compare_segments,
    conditional_dominance,
    ols_coefficients,
    outrank_probabilities,
    relative_importance,
    segment_importance,
)
from cvmkit.errors import DataError
from cvmkit.plots import (
    plot_coefficients,
    plot_conditional_dominance,
    plot_importance,
    plot_method_comparison,
    plot_outrank,
    plot_segment_differences,
    plot_segment_shares,
)

LABELS = {"a": "Alpha", "b": "Beta", "c": "Gamma"}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3))
    out = pd.DataFrame(x, columns=["a", "b", "c"])
    out["y"] = x @ [1.0, 0.6, 0.2] + rng.normal(size=300)
    out["seg"] = np.repeat(["s1", "s2"], 150)
    return out


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_plot_importance_bars_intervals_order(df):
    t = relative_importance(df, "y", ["a", "b", "c"], n_boot=50, seed=1)
    ax = plot_importance(t, labels=LABELS)
    bars = _gid(ax, "bar")
    lmg = t[t["method"] == "lmg"].sort_values("share")
    np.testing.assert_allclose([b.get_width() for b in bars], lmg["share"])
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Gamma", "Beta", "Alpha"]
    from matplotlib.collections import LineCollection

    segs = [c for c in _gid(ax, "interval") if isinstance(c, LineCollection)][0].get_segments()
    np.testing.assert_allclose([s[:, 0] for s in segs], lmg[["lower", "upper"]].to_numpy())
    assert "LMG" in ax.get_xlabel()
    ax2 = plot_importance(t, method="relative_weights")
    assert "Relative weights" in ax2.get_xlabel()
    with pytest.raises(DataError, match="method 'nope' not in the table"):
        plot_importance(t, method="nope")


def test_plot_importance_without_bootstrap_has_no_intervals(df):
    ax = plot_importance(relative_importance(df, "y", ["a", "b", "c"], methods="lmg"))
    assert _gid(ax, "interval") == []


def test_plot_method_comparison_one_series_per_method(df):
    t = relative_importance(df, "y", ["a", "b", "c"])
    ax = plot_method_comparison(t, labels=LABELS)
    points = _gid(ax, "point")
    assert len(points) == t["method"].nunique()
    assert all(len(p.get_offsets()) == 3 for p in points)
    assert len(ax.get_legend().get_texts()) == t["method"].nunique()


def test_plot_coefficients_skips_intercept(df):
    coefs = ols_coefficients(df, "y", ["a", "b", "c"])
    ax = plot_coefficients(coefs, labels=LABELS)
    pts = _gid(ax, "point")[0].get_offsets()
    assert len(pts) == 3
    np.testing.assert_allclose(sorted(pts[:, 0]), sorted(coefs["estimate"][1:]))
    assert {x.get_text() for x in ax.get_yticklabels()} == set(LABELS.values())
    assert len(_gid(ax, "zero-line")) == 1


def test_plot_segment_shares_and_differences(df):
    seg = segment_importance(df, "y", ["a", "b", "c"], "seg", n_boot=40, seed=1)
    ax = plot_segment_shares(seg, labels=LABELS)
    assert len(_gid(ax, "point")) == 2 and len(_gid(ax, "interval")) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["s1", "s2"]
    diff = compare_segments(df, "y", ["a", "b", "c"], "seg", n_boot=40, seed=1)
    ax = plot_segment_differences(diff, labels=LABELS)
    pts = _gid(ax, "point")[0].get_offsets()
    np.testing.assert_allclose(pts[:, 0], diff["difference"])


def test_plot_outrank_cells(df):
    pairs = outrank_probabilities(df, "y", ["a", "b", "c"], n_boot=60, seed=1)
    ax = plot_outrank(pairs, labels=LABELS)
    cells = _gid(ax, "cell-label")
    assert len(cells) == 6
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Alpha", "Beta", "Gamma"]


def test_plot_conditional_dominance_lines(df):
    cond = conditional_dominance(df, "y", ["a", "b", "c"])
    ax = plot_conditional_dominance(cond, labels=LABELS)
    lines = _gid(ax, "line")
    assert len(lines) == 3 and all(len(x.get_xdata()) == 3 for x in lines)
    assert lines[0].get_label() == "Alpha"


def test_plot_rejects_a_foreign_table():
    with pytest.raises(DataError, match="lacks column"):
        plot_importance(pd.DataFrame({"driver": ["a"]}))


def test_an_interval_that_misses_its_estimate_is_drawn():
    """A Monte-Carlo or percentile interval need not contain the share (30 drivers)."""
    import pandas as pd

    from cvmkit.plots import plot_importance
    from cvmkit.plots._style import interval_errors

    t = pd.DataFrame({"driver": ["a", "b"], "method": "lmg", "share": [60.0, 40.0],
                      "lower": [61.0, 30.0], "upper": [70.0, 39.0], "raw": [0.3, 0.2],
                      "r2": 0.5, "rank": [1, 2]})
    assert interval_errors(t["share"], t["lower"], t["upper"]).tolist() == [[0, 10], [10, 0]]
    ax = plot_importance(t, method="lmg")
    assert ax.get_title() is not None
