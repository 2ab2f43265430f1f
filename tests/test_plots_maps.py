"""The map pictures: inspect the returned Axes (points, labels, lines, arrows), not files."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from test_maps_toy import toy_data, toy_study

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.maps import (
    ca_eigenvalues,
    competitive_benchmark,
    correspondence_analysis,
    importance_performance,
    journey_map,
    quality_profile,
    segment_importance,
    value_map,
)
from cvmkit.plots import (
    plot_benchmark_dots,
    plot_benchmark_heat,
    plot_ipa,
    plot_ipa_grid,
    plot_journey,
    plot_perceptual_map,
    plot_quality_profile,
    plot_segment_importance,
    plot_value_map,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def study():
    return toy_study()


@pytest.fixture(scope="module")
def data():
    return toy_data()


def _points(ax, gid="point") -> np.ndarray:
    offs = [c.get_offsets() for c in ax.collections if c.get_gid() == gid]
    return np.vstack(offs) if offs else np.empty((0, 2))


def _texts(ax, gid) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def _lines(ax, gid):
    return [ln for ln in ax.lines if ln.get_gid() == gid]


# ------------------------------------------------------------------ IPA
def test_ipa_points_crosshairs_quadrants_labels_arrows(data, study):
    ipa = importance_performance(data, study)
    ax = plot_ipa(ipa)
    pts = _points(ax)
    assert sorted(map(tuple, pts)) == sorted(zip(ipa["performance"], ipa["importance"]))
    cross = _lines(ax, "crosshair")
    assert len(cross) == 2
    xs = {tuple(np.unique(ln.get_xdata())) for ln in cross}
    ys = {tuple(np.unique(ln.get_ydata())) for ln in cross}
    assert (5.75,) in xs and (2.75,) in ys  # vertical at x = 5.75, horizontal at y = 2.75
    assert sorted(_texts(ax, "quadrant-label")) == sorted(
        ["Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"])
    assert sorted(_texts(ax, "point-label")) == sorted(ipa["label"])
    assert len(_texts(ax, "gap-arrow")) == 4
    assert "Acme" in ax.get_xlabel() and "stated" in ax.get_ylabel()
    assert _lines(ax, "iso-priority") == []
    # labels do not overlap one another
    fig = ax.figure
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_gid() == "point-label"]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j])


def test_ipa_arrow_points_to_the_best_competitor(data, study):
    ipa = importance_performance(data, study)
    ax = plot_ipa(ipa, labels=False)
    arrows = {(a.xyann, a.xy) for a in ax.texts if a.get_gid() == "gap-arrow"}
    # from each attribute to the best competitor's performance, at the same importance:
    # taste 8 → Gamma 7, speed 4 → Gamma 8, value 6 → 6, wifi 5 → 5
    assert arrows == {((8.0, 4.0), (7.0, 4.0)), ((4.0, 4.0), (8.0, 4.0)),
                      ((6.0, 2.0), (6.0, 2.0)), ((5.0, 1.0), (5.0, 1.0))}


def test_ipa_diagonal(data, study):
    ipa = importance_performance(data, study)
    ax = plot_ipa(ipa, diagonal=True, arrows=False, labels=False, quadrant_labels=False)
    (diag,) = _lines(ax, "iso-priority")
    assert diag.get_slope() == pytest.approx(0.75)
    assert diag.get_xy1() == pytest.approx((5.75, 2.75))
    assert _texts(ax, "quadrant-label") == [] and _texts(ax, "point-label") == []
    assert _texts(ax, "gap-arrow") == []


def test_ipa_points_coloured_by_a_column(data, study):
    """``hue`` colours each point by its value (the palette's order is the legend's)."""
    from matplotlib.colors import to_hex

    ipa = importance_performance(data, study)
    ipa["action"] = ["Improve", "On par", "Maintain", "On par"][:len(ipa)]
    palette = {"Improve": "#d55e00", "Maintain": "#0072b2", "On par": "#999999"}
    ax = plot_ipa(ipa, hue="action", palette=palette, quadrant_labels=False)
    colours = {to_hex(c.get_facecolor()[0]): len(c.get_offsets())
               for c in ax.collections if c.get_gid() == "point"}
    expected = ipa["action"].map(palette).value_counts().to_dict()
    assert colours == expected
    present = [k for k in palette if k in set(ipa["action"])]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == present
    assert _texts(ax, "quadrant-label") == []
    with pytest.raises(DataError, match="action"):
        plot_ipa(ipa.drop(columns="action"), hue="action")


def test_ipa_segments_need_a_choice_and_grid_draws_each(data, study):
    ipa = importance_performance(data, study, by="segment")
    with pytest.raises(DataError, match="segments"):
        plot_ipa(ipa)
    ax = plot_ipa(ipa, segment="S2")
    assert "S2" in ax.get_title()
    axes = plot_ipa_grid(ipa)
    assert len(axes) == 2 and [a.get_title() for a in axes] == ["S1", "S2"]
    for a, seg in zip(axes, ["S1", "S2"]):
        block = ipa[ipa["segment"] == seg]
        assert sorted(map(tuple, _points(a))) == sorted(zip(block["performance"],
                                                            block["importance"]))
    # small multiples share their scales
    assert axes[0].get_xlim() == axes[1].get_xlim() and axes[0].get_ylim() == axes[1].get_ylim()
    with pytest.raises(DataError, match="lacks columns"):
        plot_ipa(ipa.drop(columns=["quadrant"]))
    # a segment without importance (too small for its own drivers) gets a panel saying so
    empty = ipa.assign(quadrant=ipa["quadrant"].where(ipa["segment"] != "S1"))
    axes = plot_ipa_grid(empty)
    assert [a.get_title() for a in axes] == ["S1", "S2"]
    assert "no attribute has both importance" in axes[0].texts[0].get_text()


# ------------------------------------------------------------------ benchmark
def test_benchmark_heat_cells(data, study):
    bm = competitive_benchmark(data, study)
    ax = plot_benchmark_heat(bm)
    cells = _texts(ax, "cell-label")
    assert len(cells) == 4 * 3
    # Gamma's speed (8 against 4) is significantly higher: marked ▲ on its cell
    assert "8.00▲" in cells
    assert [t.get_text() for t in ax.get_yticklabels()] == [a.label for a in study.attributes]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Acme\n(focal)", "Beta", "Gamma"]


def test_benchmark_dots(data, study):
    bm = competitive_benchmark(data, study)
    ax = plot_benchmark_dots(bm)
    cols = [c for c in ax.collections if c.get_gid() == "point"]
    assert len(cols) == 3 and all(len(c.get_offsets()) == 4 for c in cols)
    assert sorted(_points(ax)[:, 0]) == sorted(bm["mean"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Acme", "Beta", "Gamma"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [a.label for a in study.attributes]


# ------------------------------------------------------------------ value map
def test_value_map_points_line_and_labels(data, study):
    vm = value_map(data, study, fair_value="fit")
    ax = plot_value_map(vm)
    assert sorted(map(tuple, _points(ax))) == sorted(zip(vm["quality_ratio"], vm["price_ratio"]))
    (line,) = _lines(ax, "fair-value")
    x, y = line.get_xdata(), line.get_ydata()
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    assert slope == pytest.approx(vm["fair_value_slope"].iloc[0])
    assert y[0] == pytest.approx(vm["fair_value_intercept"].iloc[0] + slope * x[0])
    assert sorted(s.strip() for s in _texts(ax, "point-label")) == ["Acme", "Beta", "Gamma"]
    assert sorted(_texts(ax, "zone-label")) == ["Better value", "Worse value"]


def test_quality_profile_bars(data, study):
    qp = quality_profile(data, study)
    ax = plot_quality_profile(qp, brand="Acme")
    bars = [p for p in ax.patches if p.get_gid() == "bar"]
    acme = qp[qp["brand"] == "Acme"].set_index("label")
    got = {lab.get_text(): b.get_width() for lab, b in zip(ax.get_yticklabels(), bars)}
    assert got == pytest.approx((acme["ratio"] - 1).to_dict())


# ------------------------------------------------------------------ perceptual map
def test_perceptual_map_biplot(test_data):
    import pandas as pd

    smoke = pd.read_csv(test_data / "smoke.csv", index_col=0)
    ideal = smoke.loc[["SE"]].rename(index={"SE": "ideal"})
    pts = correspondence_analysis(smoke, row_kind="brand", column_kind="attribute",
                                  supplementary_rows=ideal, supplementary_row_kind="ideal point")
    ax = plot_perceptual_map(pts, ca_eigenvalues(smoke))
    for kind, n in (("brand", 5), ("attribute", 4), ("ideal point", 1)):
        (col,) = [c for c in ax.collections if c.get_label() == kind]
        np.testing.assert_allclose(col.get_offsets(),
                                   pts.loc[pts["kind"] == kind, ["dim1", "dim2"]].to_numpy())
        assert len(col.get_offsets()) == n
    assert sorted(_texts(ax, "point-label")) == sorted(pts["label"])
    assert "87.8 %" in ax.get_xlabel() and "11.8 %" in ax.get_ylabel()


def test_perceptual_map_skips_points_without_coordinates(test_data):
    import pandas as pd

    smoke = pd.read_csv(test_data / "smoke.csv", index_col=0)
    smoke.loc["empty"] = 0
    with pytest.warns(CvmkitWarning):
        pts = correspondence_analysis(smoke)
    ax = plot_perceptual_map(pts)
    assert "empty" not in _texts(ax, "point-label")
    assert len(_points(ax)) == 9


# ------------------------------------------------------------------ segments and journey
def test_segment_heat_map(data, study):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)  # three respondents per segment
        seg = segment_importance(data, study, by="segment")
    ax = plot_segment_importance(seg)
    cells = _texts(ax, "cell-label")
    assert len(cells) == 2 * 4
    assert cells[0] == "125" and cells[1] == "75"  # taste: S1 5 / 4, S2 3 / 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["S1", "S2"]


def test_journey_picture(data, study):
    jm = journey_map(data, study)
    ax = plot_journey(jm)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Web shop", "Checkout",
                                                            "Support line"]
    pain = _points(ax, "pain-point")
    assert pain.tolist() == [[1.0, 4.0]]  # checkout, second in journey order
    assert len(_points(ax)) == 2
    (bnd,) = _lines(ax, "stage-boundary")
    assert bnd.get_xdata()[0] == 1.5
    assert _texts(ax, "stage-label") == ["Buy", "Use"]
    (cross,) = _lines(ax, "crosshair")
    assert cross.get_ydata()[0] == 6.0


def test_plots_draw_on_a_given_axes(data, study):
    fig, ax = plt.subplots()
    out = plot_value_map(value_map(data, study), ax=ax)
    assert out is ax and out.figure is fig
