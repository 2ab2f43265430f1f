"""Needs-and-wants pictures: each draws exactly what its table says."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cvmkit.errors import DataError  # noqa: E402
from cvmkit.needs import (  # noqa: E402
    kano_continuous,
    kano_table,
    needs_summary,
    penalty_reward,
    stated_vs_derived,
)
from cvmkit.plots import (  # noqa: E402
    plot_better_worse,
    plot_kano_continuous,
    plot_kano_shares,
    plot_needs_roles,
    plot_penalty_reward,
    plot_stated_derived,
)

LABELS = {"hyg": "Clean shop", "app": "Mobile app", "taste": "Taste"}


@pytest.fixture(scope="module")
def responses():
    rng = np.random.default_rng(11)
    n = 240
    d = pd.DataFrame({"seg": rng.choice(["s1", "s2"], n)})
    # hygiene must-be, app attractive, taste one-dimensional (answers mostly the planted pair)
    for a, pair in (("hyg", (3, 5)), ("app", (1, 3)), ("taste", (1, 5))):
        keep = rng.random(n) < 0.7
        d[f"kf_{a}"] = np.where(keep, pair[0], rng.integers(1, 6, n))
        d[f"kd_{a}"] = np.where(keep, pair[1], rng.integers(1, 6, n))
        d[f"imp_{a}"] = rng.integers(1, 6, n)
        d[f"p_{a}"] = rng.integers(1, 11, n)
    d["value"] = (5 - 2 * (d.p_hyg <= 4) + 2 * (d.p_app >= 9) + 0.3 * d.p_taste
                  + rng.normal(0, 1, n))
    return d


PAIRS = {a: (f"kf_{a}", f"kd_{a}") for a in LABELS}


def _lab(t):
    return t.assign(label=t["attribute"].map(LABELS))


def teardown_function():
    plt.close("all")


def test_kano_shares(responses):
    t = _lab(kano_table(responses, PAIRS))
    ax = plot_kano_shares(t, label="label")
    bars = [p for p in ax.patches if p.get_gid() == "bar"]
    assert len(bars) == 6 * len(t)
    # bars are drawn bottom-up: the first attribute is the top row
    first = [b for b in bars if abs(b.get_y() + b.get_height() / 2 - (len(t) - 1)) < 1e-9]
    assert sum(b.get_width() for b in first) == pytest.approx(1.0)
    assert first[0].get_width() == pytest.approx(t["must_be"].iloc[0])
    assert [x.get_text() for x in ax.get_yticklabels()] == list(t["label"][::-1])
    marks = [x.get_text() for x in ax.texts if x.get_gid() == "point-label"]
    assert marks[-1].startswith(t["category"].iloc[0])


def test_better_worse(responses):
    t = _lab(kano_table(responses, PAIRS))
    ax = plot_better_worse(t, label="label")
    pts = [c for c in ax.collections if c.get_gid() == "point"][0].get_offsets()
    np.testing.assert_allclose(pts, np.c_[t["worse"].abs(), t["better"]])
    assert len([ln for ln in ax.lines if ln.get_gid() == "crosshair"]) == 2
    assert {x.get_text() for x in ax.texts if x.get_gid() == "quadrant-label"} == {
        "attractive", "one-dimensional", "must-be", "indifferent"}
    assert {x.get_text() for x in ax.texts if x.get_gid() == "point-label"} == set(LABELS.values())
    assert "Worse" in ax.get_xlabel() and "Better" in ax.get_ylabel()


def test_kano_continuous(responses):
    imp = {a: f"imp_{a}" for a in LABELS}
    t = _lab(kano_continuous(responses, PAIRS, importance=imp))
    ax = plot_kano_continuous(t, label="label")
    sc = [c for c in ax.collections if c.get_gid() == "point"][0]
    np.testing.assert_allclose(sc.get_offsets(), np.c_[t["dysfunctional"], t["functional"]])
    sizes = sc.get_sizes()
    assert np.argmax(sizes) == np.argmax(t["importance"].to_numpy())
    lines = [ln for ln in ax.lines if ln.get_gid() == "crosshair"]
    assert {ln.get_xdata()[0] for ln in lines if ln.get_xdata()[0] == ln.get_xdata()[1]} == {2.0}
    bars = [c for c in ax.collections if c.get_gid() == "interval"]
    assert len(bars) == 2  # horizontal and vertical intervals
    x_segments = bars[0].get_segments()
    np.testing.assert_allclose([s[:, 0].min() for s in x_segments], t["dysfunctional_lo"])


def test_penalty_reward_bars(responses):
    perf = {a: f"p_{a}" for a in LABELS}
    t = _lab(penalty_reward(responses, perf, "value", low=4, high=9))
    ax = plot_penalty_reward(t, label="label")
    pen = [p for p in ax.patches if p.get_gid() == "penalty"]
    rew = [p for p in ax.patches if p.get_gid() == "reward"]
    np.testing.assert_allclose([-p.get_width() for p in pen][::-1], t["penalty"])
    np.testing.assert_allclose([p.get_width() for p in rew][::-1], t["reward"])
    assert [x.get_text() for x in ax.get_yticklabels()] == list(t["label"][::-1])


def test_penalty_reward_with_a_skipped_dummy(responses):
    d = responses.assign(p_app=responses["p_app"].clip(lower=5))
    perf = {a: f"p_{a}" for a in LABELS}
    with pytest.warns(Warning):
        t = penalty_reward(d, perf, "value", low=4, high=9)
    ax = plot_penalty_reward(t)
    pen = {lab.get_text(): -p.get_width() for lab, p in zip(
        ax.get_yticklabels(), [p for p in ax.patches if p.get_gid() == "penalty"])}
    assert pen["app"] == 0


def test_stated_derived_crosshairs():
    t = pd.DataFrame({"attribute": list("abcd"), "stated": [4.5, 4.0, 2.0, 2.5],
                      "derived": [0.6, 0.2, 0.5, 0.1]})
    s = stated_vs_derived(t)
    ax = plot_stated_derived(s)
    lines = [ln for ln in ax.lines if ln.get_gid() == "crosshair"]
    assert lines[0].get_xdata()[0] == pytest.approx(s["stated_split"].iloc[0])
    assert lines[1].get_ydata()[0] == pytest.approx(s["derived_split"].iloc[0])
    assert {x.get_text() for x in ax.texts if x.get_gid() == "quadrant-label"} == {
        "hidden driver", "expected", "stated only", "low impact"}


def test_needs_roles_grid(responses):
    k = kano_table(responses, PAIRS, by="seg")
    t = needs_summary(kano=k, by="seg", labels=LABELS)
    ax = plot_needs_roles(t, by="seg", label="label")
    cells = [p for p in ax.patches if p.get_gid() == "cell"]
    assert len(cells) == 2 * len(LABELS)
    assert [x.get_text() for x in ax.get_xticklabels()] == ["s1", "s2"]
    assert [x.get_text() for x in ax.get_yticklabels()] == list(LABELS.values())
    assert {x.get_text() for x in ax.texts} <= {"need", "performance", "want", "indifferent"}


def test_segment_table_needs_a_segment_and_columns_are_checked(responses):
    k = kano_table(responses, PAIRS, by="seg")
    with pytest.raises(DataError, match="pass segment="):
        plot_better_worse(k, by="seg")
    ax = plot_better_worse(k, by="seg", segment="s2")
    assert len([c for c in ax.collections if c.get_gid() == "point"][0].get_offsets()) == 3
    with pytest.raises(DataError, match="no rows for segment 'zz'"):
        plot_kano_shares(k, by="seg", segment="zz")
    with pytest.raises(DataError, match="lacks columns"):
        plot_penalty_reward(k)
    with pytest.raises(DataError, match="label column 'nope'"):
        plot_kano_shares(kano_table(responses, PAIRS), label="nope")
