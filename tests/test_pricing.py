"""Price sensitivity: a published Van Westendorp / NMS example, hand examples, bad input, demo."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.plots import plot_demand, plot_psm, plot_value_ratio
from cvmkit.pricing import (
    gabor_granger,
    newton_miller_smith,
    price_optima,
    psm_curves,
    value_ratio,
    van_westendorp,
)

VW = ("too_cheap", "cheap", "expensive", "too_expensive")


@pytest.fixture(scope="module")
def published(test_data):
    data = pd.read_csv(test_data / "van_westendorp_rational_designer.csv")
    expected = json.loads((test_data / "van_westendorp_rational_designer_expected.json")
                          .read_text())
    return data, expected


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------- published example
def test_published_curves_reproduced(published):
    data, exp = published
    curves = _quiet(psm_curves, data, *VW).set_index("price")
    for name in VW:
        got = curves.loc[exp["curves"]["price"], name].to_numpy()
        assert got == pytest.approx(exp["curves"][name], abs=5e-8)


def test_published_price_points_and_exclusions(published):
    data, exp = published
    with pytest.warns(CvmkitWarning, match="9 respondent"):
        out = van_westendorp(data, *VW)
    pts = out.set_index("point")
    assert (pts["n"] == exp["n_valid"]).all() and (pts["n_excluded"] == exp["n_invalid"]).all()
    curves = _quiet(psm_curves, data, *VW)
    grid = curves["price"].to_numpy()
    for point, published_price in exp["price_points"].items():
        # the published value is the first answered price at which the curves have crossed ...
        assert pts.loc[point, "grid_price"] == published_price
        # ... and the interpolated crossing lies inside the step that ends there
        before = grid[np.searchsorted(grid, published_price) - 1]
        assert before <= pts.loc[point, "price"] <= published_price
    # interpolation, not the grid: PMC 39.11, IDP 66.5, PME 97.6; for OPP the two curves meet
    # at 69 itself (equal shares, off by one rounding unit in floating point, hence R's 70)
    assert pts["price"].round(6).to_dict() == {"pmc": pytest.approx(39.108911, abs=1e-6),
                                               "opp": 69.0, "idp": 66.5, "pme": 97.6}
    # the interpolated crossing really is where the two straight segments meet
    row = pts.loc["idp"]
    seg = curves[curves["price"].isin([grid[np.searchsorted(grid, 67) - 1], 67])]
    x0, x1 = seg["price"]
    t = (row["price"] - x0) / (x1 - x0)
    rise = seg["expensive"].to_numpy()
    fall = seg["cheap"].to_numpy()
    assert rise[0] + t * (rise[1] - rise[0]) == pytest.approx(fall[0] + t * (fall[1] - fall[0]))
    assert row["share"] == pytest.approx(rise[0] + t * (rise[1] - rise[0]))


def test_published_newton_miller_smith(published):
    data, exp = published
    curve = _quiet(newton_miller_smith, data, *VW, "likely_at_cheap", "likely_at_expensive",
                   calibration=exp["nms_calibration"]).set_index("price")
    assert curve.loc[exp["nms"]["price"], "trial"].to_numpy() == \
        pytest.approx(exp["nms"]["trial"], abs=5e-9)
    assert curve.loc[exp["nms"]["price"], "revenue"].to_numpy() == \
        pytest.approx(exp["nms"]["revenue"], abs=5e-8)
    opt = price_optima(curve.reset_index()).set_index("objective")
    assert opt.loc["trial", "price"] == exp["price_optimal_trial"]
    assert opt.loc["revenue", "grid_price"] == exp["price_optimal_revenue"]


# --------------------------------------------------------------------------- hand examples
def _small() -> pd.DataFrame:
    return pd.DataFrame({"tc": [1, 2, 3], "ch": [2, 3, 4], "ex": [4, 5, 6], "te": [5, 6, 7]})


def test_small_example_by_hand():
    # at 3 'cheap' = 1/3 (answers > 3), 'expensive' = 0; at 4 they are 0 and 1/3: IDP = 3.5
    pts = van_westendorp(_small(), "tc", "ch", "ex", "te").set_index("point")
    assert pts.loc["idp", "price"] == pytest.approx(3.5)
    assert pts.loc["idp", "share"] == pytest.approx(1 / 6)
    # 'not cheap' (1/3 at 2) meets 'too cheap' (1/3 at 2) exactly on a grid price
    assert pts.loc["pmc", "price"] == pytest.approx(2.0)
    assert pts.loc["pme", "price"] == pytest.approx(5.0)


def test_conventions_differ_only_in_the_range_bounds():
    a = van_westendorp(_small(), "tc", "ch", "ex", "te").set_index("point")
    b = van_westendorp(_small(), "tc", "ch", "ex", "te",
                       convention="cheap_expensive").set_index("point")
    assert a.loc[["opp", "idp"], "price"].tolist() == b.loc[["opp", "idp"], "price"].tolist()
    # cheap_expensive: PMC = too cheap (2/3 at 1, 1/3 at 2, 0 at 3) x expensive (0 until 4)
    assert b.loc["pmc", "price"] == pytest.approx(3.0)
    assert b.loc["pmc", "rising"] == "expensive" and a.loc["pmc", "rising"] == "not_cheap"


def test_integer_weights_equal_replicated_rows():
    d = pd.DataFrame({"tc": [1.0, 1.5, 2.2, 1.1], "ch": [2.0, 2.4, 3.0, 1.9],
                      "ex": [3.1, 3.5, 4.2, 2.8], "te": [4.0, 4.4, 5.5, 3.6],
                      "w": [1, 3, 2, 1]})
    a = van_westendorp(d, "tc", "ch", "ex", "te", weights="w")
    b = van_westendorp(d.loc[d.index.repeat(d["w"])].reset_index(drop=True),
                       "tc", "ch", "ex", "te")
    assert a["price"].to_numpy() == pytest.approx(b["price"].to_numpy())
    ones = van_westendorp(d.assign(w=1.0), "tc", "ch", "ex", "te", weights="w")
    plain = van_westendorp(d, "tc", "ch", "ex", "te")
    pd.testing.assert_frame_equal(ones.drop(columns="n"), plain.drop(columns="n"))


def test_nms_single_respondent_is_piecewise_linear_in_price():
    d = pd.DataFrame({"tc": [1.0], "ch": [2.0], "ex": [4.0], "te": [5.0], "a": [5], "b": [3]})
    curve = newton_miller_smith(d, "tc", "ch", "ex", "te", "a", "b",
                                prices=[0.5, 1, 1.5, 2, 3, 4, 4.5, 5, 6])
    # 0 at too cheap, .7 at cheap, .3 at expensive, 0 at too expensive, 0 outside
    assert curve["trial"].tolist() == pytest.approx([0, 0, 0.35, 0.7, 0.5, 0.3, 0.15, 0, 0])


def test_revenue_optimum_between_grid_prices_by_hand():
    # trial falls linearly from 1 at price 1 to 0 at price 3: revenue p(1.5 - p/2), max at 1.5
    opt = price_optima(pd.DataFrame({"price": [1.0, 3.0], "trial": [1.0, 0.0]}))
    rev = opt.set_index("objective").loc["revenue"]
    assert rev["price"] == pytest.approx(1.5) and rev["revenue"] == pytest.approx(1.125)
    assert rev["grid_price"] == 1.0


def test_gabor_granger_by_hand():
    d = pd.DataFrame({"p2": [1, 1, 1, 0], "p3": [1, 1, 0, 0], "p4": [1, 0, 0, 0]})
    out = gabor_granger(d, ["p2", "p3", "p4"], [2, 3, 4])
    assert out["demand"].tolist() == [0.75, 0.5, 0.25]
    assert out["revenue"].tolist() == [1.5, 1.5, 1.0]
    assert out["is_revenue_max"].tolist() == [True, True, False]
    assert out["demand_se"].iloc[1] == pytest.approx(np.sqrt(0.25 / 4))


# --------------------------------------------------------------------------- bad input
def test_prices_not_increasing_are_a_counted_exclusion():
    d = _small().astype(float)
    d.loc[3] = [2, 1.5, 4, 5]   # cheap below too cheap
    d.loc[4] = [1, 3, 3, 6]     # a tie
    with pytest.warns(CvmkitWarning, match=r"2 respondent\(s\) whose prices do not increase"):
        out = van_westendorp(d, "tc", "ch", "ex", "te")
    assert out["n_excluded"].iloc[0] == 2 and out["n"].iloc[0] == 3
    with pytest.warns(CvmkitWarning, match="1 respondent"):
        out = van_westendorp(d, "tc", "ch", "ex", "te", strict=False)
    assert out["n_excluded"].iloc[0] == 1


def test_negative_price_and_no_consistent_respondent_are_errors():
    d = _small()
    d.loc[1, "tc"] = -1
    with pytest.raises(DataError, match=r"negative price -1 in row 1"):
        van_westendorp(d, "tc", "ch", "ex", "te")
    rev = pd.DataFrame({"tc": [4], "ch": [3], "ex": [2], "te": [1]})
    with pytest.raises(AnalysisError, match="no respondent"), pytest.warns(CvmkitWarning):
        van_westendorp(rev, "tc", "ch", "ex", "te")
    with pytest.raises(DataError, match="'vw9' not in data"):
        van_westendorp(_small(), "tc", "ch", "ex", "vw9")
    with pytest.raises(AnalysisError, match="convention"):
        van_westendorp(_small(), "tc", "ch", "ex", "te", convention="nearest")


def test_nms_unknown_likelihood_answer_is_named():
    d = _small().assign(a=[5, 4, 9], b=[3, 3, 3])
    with pytest.raises(DataError, match=r"answer 9\.0 in row 2 has no calibrated"):
        newton_miller_smith(d, "tc", "ch", "ex", "te", "a", "b")


def test_gabor_granger_inconsistent_answers_flagged_and_bad_ladder():
    d = pd.DataFrame({"p2": [1, 0], "p3": [1, 1]})
    with pytest.warns(CvmkitWarning, match="1 respondent"):
        out = gabor_granger(d, ["p2", "p3"], [2, 3])
    assert out["n_inconsistent"].iloc[0] == 1
    with pytest.warns(CvmkitWarning):
        dropped = gabor_granger(d, ["p2", "p3"], [2, 3], drop_inconsistent=True)
    assert dropped["n"].tolist() == [1, 1]
    with pytest.raises(AnalysisError, match="strictly increasing"):
        gabor_granger(d, ["p2", "p3"], [3, 2])


# --------------------------------------------------------------------------- plots
def test_plots_draw_the_points_and_optima(published):
    data, exp = published
    curves = _quiet(psm_curves, data, *VW)
    pts = _quiet(van_westendorp, data, *VW)
    ax = plot_psm(curves, pts, currency="$")
    dots = [c for c in ax.collections if c.get_gid() == "price-point"]
    assert len(dots) == 4
    xs = sorted(float(c.get_offsets()[0, 0]) for c in dots)
    assert xs == pytest.approx(sorted(pts["price"]))
    assert len([ln for ln in ax.get_lines() if ln.get_gid() == "curve"]) == 6
    curve = _quiet(newton_miller_smith, data, *VW, "likely_at_cheap", "likely_at_expensive",
                   calibration=exp["nms_calibration"])
    ax = plot_demand(curve, price_optima(curve))
    marks = [ln for ln in ax.get_lines() if ln.get_gid() == "optimum"]
    assert sorted(ln.get_xdata()[0] for ln in marks) == [61.0, 76.0]


# --------------------------------------------------------------------------- demo
def test_demo_value_ratio_zones_and_price_points(repo, tmp_path):
    from cvmkit.io import open_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        data, study = open_run(tmp_path / "run",
                               study_path=repo / "data" / "demo" / "study.yaml")
        pts = van_westendorp(data, **study.price["van_westendorp"], weights="weight")
    truth = json.loads((repo / "data" / "demo" / "truth.json").read_text())
    vr = value_ratio(data, study, weights="weight").set_index("brand")
    for brand, zone in truth["value_zones"].items():
        assert (vr.loc[brand, "relative_value"] > 1) == (zone == "better value")
    ax = plot_value_ratio(vr.reset_index(), focal="Acme")
    assert len([c for c in ax.collections if c.get_gid() == "estimate"]) == 4
    p = pts.set_index("point")["price"]
    assert p["pmc"] < p["opp"] <= p["pme"] and p["pmc"] < p["idp"] < p["pme"]
    # the planted median acceptable price sits inside the range of acceptable prices
    assert p["pmc"] < truth["price"]["median_acceptable"] < p["pme"]
