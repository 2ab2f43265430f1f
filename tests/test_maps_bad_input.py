"""Bad input to the maps: each case gives a clear error or a flagged, counted omission."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_maps_toy import toy_data, toy_spec, toy_study

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.maps import (
    attribute_importance,
    brand_performance,
    competitive_benchmark,
    importance_performance,
    journey_map,
    perceived_price,
    perceptual_map,
    quality_profile,
    segment_importance,
    value_map,
)

# pytest.warns below checks the warning each case is about; the companions it re-emits are not
# the subject of these tests
pytestmark = pytest.mark.filterwarnings("ignore::cvmkit.errors.CvmkitWarning")


@pytest.fixture
def study():
    return toy_study()


@pytest.fixture
def data():
    return toy_data()


def _no_beta(data):
    d = data.copy()
    for c in [c for c in d.columns if c.startswith("perf_beta_")]:
        d[c] = np.nan
    return d


# ------------------------------------------------------------------ a brand with no ratings
def test_competitor_without_ratings_is_left_out_with_a_warning(data, study):
    d = _no_beta(data)
    with pytest.warns(CvmkitWarning, match="brand 'Beta' has no ratings on any attribute"):
        bm = competitive_benchmark(d, study)
    beta = bm[bm["brand"] == "Beta"]
    assert beta["verdict"].isna().all() and beta["mean"].isna().all()
    assert beta["note"].str.contains("no ratings in column 'perf_beta_").all()
    # Gamma is still compared
    assert bm.loc[bm["brand"] == "Gamma", "verdict"].notna().all()


def test_ipa_ignores_a_brand_without_ratings(data, study):
    d = _no_beta(data)
    with pytest.warns(CvmkitWarning, match="brand 'Beta'"):
        ipa = importance_performance(d, study).set_index("attribute")
    assert (ipa["best_competitor"] == "Gamma").all()
    assert ipa.loc["value", "gap_to_best"] == 0  # 6 − Gamma 6


def test_value_map_leaves_out_a_brand_without_ratings(data, study):
    d = _no_beta(data)
    with pytest.warns(CvmkitWarning, match="brand 'Beta'"):
        vm = value_map(d, study).set_index("brand")
    assert pd.isna(vm.loc["Beta", "zone"]) and "no ratings" in vm.loc["Beta", "note"]
    # Acme against Gamma alone: taste 8/7, speed 4/8, wifi 5/5 with weights 4/9, 4/9, 1/9
    assert vm.loc["Acme", "quality_ratio"] == pytest.approx(4 / 9 * 8 / 7 + 4 / 9 * 0.5 + 1 / 9)


def test_perceptual_map_flags_the_empty_brand_row(data, study):
    d = _no_beta(data)
    with pytest.warns(CvmkitWarning, match="row 'Beta' is empty"):
        pts = perceptual_map(d, study)
    beta = pts[pts["point"] == "Beta"]
    assert len(beta) == 1 and np.isnan(beta["dim1"].item())
    assert "empty row" in beta["note"].item()


def test_focal_brand_without_ratings_is_an_error(data, study):
    d = data.copy()
    for c in [c for c in d.columns if c.startswith("perf_acme_")]:
        d[c] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        with pytest.raises(AnalysisError, match="'Acme' has no ratings on any attribute"):
            importance_performance(d, study)
        with pytest.raises(AnalysisError, match="focal brand 'Acme' has no ratings"):
            competitive_benchmark(d, study)
        with pytest.raises(AnalysisError, match="focal brand 'Acme' has no ratings"):
            value_map(d, study)


# ---------------------------------------------------- an attribute missing for a competitor
def test_attribute_column_missing_for_a_competitor(data, study):
    d = data.drop(columns=["perf_gamma_speed"])
    with pytest.warns(CvmkitWarning, match="attribute 'speed' of brand 'Gamma'.*not in data"):
        perf = brand_performance(d, study)
    r = perf[(perf["attribute"] == "speed") & (perf["brand"] == "Gamma")].iloc[0]
    assert np.isnan(r["mean"]) and r["note"] == "column 'perf_gamma_speed' not in data"
    with pytest.warns(CvmkitWarning):
        bm = competitive_benchmark(d, study)
    row = bm[(bm["attribute"] == "speed") & (bm["brand"] == "Gamma")].iloc[0]
    assert pd.isna(row["verdict"])
    with pytest.warns(CvmkitWarning):
        ipa = importance_performance(d, study).set_index("attribute")
    assert ipa.loc["speed", "best_competitor"] == "Beta"  # Gamma's speed is unknown


def test_attribute_missing_for_a_competitor_leaves_it_out_of_every_profile(data, study):
    d = data.copy()
    d["perf_gamma_speed"] = np.nan
    with pytest.warns(CvmkitWarning, match="attribute 'speed' no ratings for Gamma"):
        qp = quality_profile(d, study)
    assert not qp.loc[qp["attribute"] == "speed", "included"].any()
    with pytest.warns(CvmkitWarning):
        vm = value_map(d, study).set_index("brand")
    # the rest re-weighted: taste 4/5, wifi 1/5
    assert vm.loc["Acme", "quality_ratio"] == pytest.approx(4 / 5 * 8 / 6.5 + 1 / 5)
    assert (vm["n_attributes"] == 2).all()


def test_attribute_missing_for_a_competitor_is_dropped_from_the_perceptual_map(data, study):
    d = data.drop(columns=["perf_gamma_speed"])
    with pytest.warns(CvmkitWarning, match=r"attributes \['speed'\] are unrated for some brand"):
        pts = perceptual_map(d, study)
    assert "speed" not in set(pts["point"])


# ------------------------------------------------------------------ a zero or missing price
def test_zero_price_is_a_flagged_omission(data, study):
    d = data.copy()
    d["price_beta"] = 0.0
    with pytest.warns(CvmkitWarning, match="perceived price of brand 'Beta'.*must be positive"):
        pp = perceived_price(d, study).set_index("brand")
    assert np.isnan(pp.loc["Beta", "price_ratio"])
    assert pp.loc["Acme", "price_ratio"] == pytest.approx(5 / 8)  # against Gamma only
    with pytest.warns(CvmkitWarning):
        vm = value_map(d, study).set_index("brand")
    assert pd.isna(vm.loc["Beta", "zone"]) and "must be positive" in vm.loc["Beta", "note"]
    assert vm.loc["Acme", "zone"] == "better value"


def test_missing_price_column_and_empty_price(data, study):
    d = data.drop(columns=["price_gamma"])
    d["price_beta"] = np.nan
    with pytest.warns(CvmkitWarning) as rec:
        pp = perceived_price(d, study)
    msgs = " ".join(str(w.message) for w in rec)
    assert "column 'price_gamma' not in data" in msgs
    assert "no perceived-price ratings in column 'price_beta'" in msgs
    assert pp["price_ratio"].isna().all()  # Acme has nobody left to compare with
    with pytest.warns(CvmkitWarning), pytest.raises(AnalysisError, match="fewer than two brands"):
        value_map(d, study)


def test_study_without_perceived_price(data):
    spec = toy_spec()
    del spec["price"]
    with pytest.raises(DataError, match="price.perceived"):
        value_map(data, toy_study(spec))


# ------------------------------------------------------------------ other checks
def test_unknown_brand(data, study):
    with pytest.raises(DataError, match="unknown brand 'Zeta'.*Acme, Beta, Gamma"):
        importance_performance(data, study, brand="Zeta")


@pytest.mark.parametrize("weights, match", [
    ("wt", "column 'wt' not in data"),
    ([1.0] * 5, "expected 6 weights"),
    ([1.0, -1.0, 1, 1, 1, 1], "row 1 has -1.0"),
    ([1.0, np.nan, 1, 1, 1, 1], "row 1 has nan"),
    ([0.0] * 6, "sums to zero"),
])
def test_bad_weights(data, study, weights, match):
    with pytest.raises(DataError, match=match):
        importance_performance(data, study, weights=weights)


def test_non_numeric_rating(data, study):
    d = data.astype({"perf_beta_taste": object})
    d.loc[2, "perf_beta_taste"] = "good"
    with pytest.raises(DataError, match="column 'perf_beta_taste' should be numeric; row 2"):
        brand_performance(d, study)


def test_bad_options(data, study):
    with pytest.raises(AnalysisError, match="crosshair"):
        importance_performance(data, study, crosshair="mode")
    with pytest.raises(AnalysisError, match="source"):
        attribute_importance(data, study, source="asked")
    with pytest.raises(DataError, match="segment column 'tier' not in data"):
        importance_performance(data, study, by="tier")
    with pytest.raises(AnalysisError, match="fair_value"):
        value_map(data, study, fair_value="curve")
    with pytest.raises(AnalysisError, match="crosshair"):
        journey_map(data, study, crosshair="median")
    with pytest.raises(DataError, match="lacks columns"):
        importance_performance(data, study, importance=pd.DataFrame({"attr": ["taste"]}))


def test_missing_importance_is_a_flagged_omission(data, study):
    d = data.drop(columns=["imp_wifi"])
    with pytest.warns(CvmkitWarning, match="importance of attribute 'wifi' unavailable"):
        ipa = importance_performance(d, study).set_index("attribute")
    assert pd.isna(ipa.loc["wifi", "quadrant"])
    assert "column 'imp_wifi' not in data" in ipa.loc["wifi", "note"]
    # the crosshairs use the three placed attributes: (8 + 4 + 6) / 3
    assert ipa["performance_cross"].iloc[0] == pytest.approx(6.0)


def test_segment_without_a_column(data, study):
    with pytest.raises(AnalysisError, match="segment column"):
        segment_importance(data, study, by=None)


def test_journey_without_touchpoints(data):
    spec = toy_spec()
    del spec["touchpoints"], spec["stages"]
    with pytest.raises(AnalysisError, match="no journey touchpoints"):
        journey_map(data, toy_study(spec))


def test_journey_missing_column_is_flagged(data, study):
    d = data.drop(columns=["tp_web_sat"])
    with pytest.warns(CvmkitWarning, match="touchpoint 'web': column 'tp_web_sat' not in data"):
        jm = journey_map(d, study).set_index("touchpoint")
    assert np.isnan(jm.loc["web", "satisfaction"]) and not jm.loc["web", "pain_point"]
    assert jm.loc["checkout", "pain_point"]  # (4 < 5, 5 ≥ 4.5) among the two left
