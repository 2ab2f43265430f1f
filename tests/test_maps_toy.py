"""A hand-worked toy study: every expected number below is computed by hand in the comments.

Three brands (Acme focal, Beta, Gamma), four attributes, six respondents in two segments.  The
builders :func:`toy_study` and :func:`toy_data` are imported by the other map and plot tests.

Ratings (1–10; each brand × attribute repeats a pattern over respondents 1–6):

=========  ================  ===============  ================  ==========
attribute  Acme              Beta             Gamma             importance
=========  ================  ===============  ================  ==========
taste      8 9 7 8 9 7 → 8   6 7 5 6 7 5 → 6  7 ×6 → 7          5 5 5 3 3 3 → 4
speed      4 5 3 4 5 3 → 4   6 ×6 → 6         8 9 7 8 9 7 → 8   3 3 3 5 5 5 → 4
value      5 7 6 5 7 6 → 6   6 ×6 → 6         6 7 5 6 7 5 → 6   2 ×6 → 2
wifi       4 6 5 4 6 5 → 5   5 ×6 → 5         4 6 5 6 4 5 → 5   1 ×6 → 1
=========  ================  ===============  ================  ==========

Perceived price: Acme 4 5 6 4 5 6 → 5, Beta 6 ×6 → 6, Gamma 7 8 9 7 8 9 → 8.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cvmkit.maps import (
    QUADRANTS,
    attribute_importance,
    importance_performance,
    journey_map,
    quadrant,
    quality_profile,
    segment_importance,
    value_map,
)
from cvmkit.study import Study

BRANDS = ["Acme", "Beta", "Gamma"]


def toy_spec() -> dict:
    """The toy study as a mapping (tests may modify a copy)."""
    attrs = [("taste", "Great taste", "quality"), ("speed", "Fast service", "convenience"),
             ("value", "Good value", "price"), ("wifi", "Free Wi-Fi", "experience")]
    return {
        "title": "Toy study",
        "brand": "Acme",
        "competitors": ["Beta", "Gamma"],
        "respondent_id": "rid",
        "segments": ["segment"],
        "scales": {"performance": {"min": 1, "max": 10}, "importance": {"min": 1, "max": 5}},
        "attributes": [{"id": i, "label": lab, "component": c,
                        "performance": f"perf_{{brand}}_{i}", "importance": f"imp_{i}"}
                       for i, lab, c in attrs],
        "outcomes": {"csat": {"column": "csat", "scale": "performance"}},
        "price": {"perceived": "price_{brand}"},
        "stages": ["buy", "use"],
        # declared out of stage order on purpose: the journey must sort them
        "touchpoints": [
            {"id": "support", "label": "Support line", "stage": "use",
             "satisfaction": "tp_support_sat", "importance": "tp_support_imp"},
            {"id": "web", "label": "Web shop", "stage": "buy",
             "satisfaction": "tp_web_sat", "importance": "tp_web_imp"},
            {"id": "checkout", "label": "Checkout", "stage": "buy",
             "satisfaction": "tp_checkout_sat", "importance": "tp_checkout_imp"},
        ],
    }


def toy_study(spec: dict | None = None) -> Study:
    return Study.from_dict(spec or toy_spec())


def toy_data() -> pd.DataFrame:
    d = {
        "rid": [f"r{i}" for i in range(1, 7)],
        "segment": ["S1"] * 3 + ["S2"] * 3,
        "perf_acme_taste": [8, 9, 7, 8, 9, 7], "perf_beta_taste": [6, 7, 5, 6, 7, 5],
        "perf_gamma_taste": [7] * 6,
        "perf_acme_speed": [4, 5, 3, 4, 5, 3], "perf_beta_speed": [6] * 6,
        "perf_gamma_speed": [8, 9, 7, 8, 9, 7],
        "perf_acme_value": [5, 7, 6, 5, 7, 6], "perf_beta_value": [6] * 6,
        "perf_gamma_value": [6, 7, 5, 6, 7, 5],
        "perf_acme_wifi": [4, 6, 5, 4, 6, 5], "perf_beta_wifi": [5] * 6,
        "perf_gamma_wifi": [4, 6, 5, 6, 4, 5],
        "imp_taste": [5, 5, 5, 3, 3, 3], "imp_speed": [3, 3, 3, 5, 5, 5],
        "imp_value": [2] * 6, "imp_wifi": [1] * 6,
        "price_acme": [4, 5, 6, 4, 5, 6], "price_beta": [6] * 6, "price_gamma": [7, 8, 9, 7, 8, 9],
        "csat": [8, 9, 7, 8, 9, 7],
        # touchpoints: web 8 / imp 2, checkout 4 / imp 5, support 6 / imp 4 (means)
        "tp_web_sat": [8, 8, 8, 7, 9, 8], "tp_web_imp": [2] * 6,
        "tp_checkout_sat": [4, 3, 5, 4, 3, 5], "tp_checkout_imp": [5] * 6,
        "tp_support_sat": [6, 6, 6, 5, 7, 6], "tp_support_imp": [4] * 6,
        "weight": [1.0] * 6,
    }
    return pd.DataFrame({k: (np.asarray(v, dtype=float) if k not in ("rid", "segment") else v)
                         for k, v in d.items()})


@pytest.fixture
def study() -> Study:
    return toy_study()


@pytest.fixture
def data() -> pd.DataFrame:
    return toy_data()


# ------------------------------------------------------------------ importance–performance
def test_quadrant_function():
    assert quadrant(4, 4, 5, 3) == "Concentrate here"
    assert quadrant(6, 4, 5, 3) == "Keep up the good work"
    assert quadrant(4, 2, 5, 3) == "Low priority"
    assert quadrant(6, 2, 5, 3) == "Possible overkill"
    assert quadrant(5, 3, 5, 3) == "Keep up the good work"  # on both crosshairs: high
    assert quadrant(np.nan, 3, 5, 3) is None


def test_ipa_by_hand(data, study):
    ipa = importance_performance(data, study).set_index("attribute")
    # crosshairs at the means over attributes: performance (8+4+6+5)/4 = 5.75,
    # importance (4+4+2+1)/4 = 2.75
    assert ipa["performance_cross"].unique().tolist() == [5.75]
    assert ipa["importance_cross"].unique().tolist() == [2.75]
    assert ipa.loc["taste", "performance"] == 8 and ipa.loc["taste", "importance"] == 4
    assert ipa["quadrant"].to_dict() == {
        "taste": "Keep up the good work", "speed": "Concentrate here",
        "value": "Possible overkill", "wifi": "Low priority"}
    # gap to the best competitor: taste 8 − Gamma 7 = +1; speed 4 − Gamma 8 = −4;
    # value 6 − 6 (tie between Beta and Gamma) = 0; wifi 5 − 5 = 0
    assert ipa.loc["taste", "best_competitor"] == "Gamma"
    assert ipa["gap_to_best"].to_dict() == {"taste": 1.0, "speed": -4.0, "value": 0.0,
                                            "wifi": 0.0}
    # iso-priority: spreads are 8 − 4 = 4 (performance) and 4 − 1 = 3 (importance)
    assert ipa["diagonal_slope"].iloc[0] == pytest.approx(3 / 4)
    assert ipa["diagonal_intercept"].iloc[0] == pytest.approx(2.75 - 0.75 * 5.75)
    # speed: (4 − 2.75)/3 − (4 − 5.75)/4 = 0.41667 + 0.4375
    assert ipa.loc["speed", "priority"] == pytest.approx(1.25 / 3 + 1.75 / 4)
    assert ipa.loc["speed", "above_diagonal"] and not ipa.loc["wifi", "above_diagonal"]
    # a t interval around 4 with s = 0.8944 (values 4 5 3 4 5 3), n = 6
    half = 2.570581835636314 * np.sqrt(0.8 / 6)
    assert ipa.loc["speed", "performance_lower"] == pytest.approx(4 - half, abs=1e-9)


def test_ipa_scale_and_given_crosshair(data, study):
    ipa = importance_performance(data, study, crosshair="scale")
    assert ipa["performance_cross"].iloc[0] == 5.5 and ipa["importance_cross"].iloc[0] == 3.0
    ipa = importance_performance(data, study, crosshair=(7.0, 1.5)).set_index("attribute")
    assert ipa.loc["value", "quadrant"] == "Concentrate here"  # 6 < 7 and 2 ≥ 1.5
    assert ipa.loc["taste", "crosshair"] == "given"
    med = importance_performance(data, study, crosshair="median")
    assert med["performance_cross"].iloc[0] == 5.5  # median of 8, 4, 6, 5
    assert med["importance_cross"].iloc[0] == 3.0  # median of 4, 4, 2, 1


def test_ipa_by_segment(data, study):
    ipa = importance_performance(data, study, by="segment")
    assert ipa["segment"].unique().tolist() == ["S1", "S2"]
    s1 = ipa[ipa["segment"] == "S1"].set_index("attribute")
    # S1 importance: taste 5, speed 3, value 2, wifi 1 → crosshair 2.75
    assert s1["importance"].tolist() == [5, 3, 2, 1]
    assert s1["importance_cross"].iloc[0] == 2.75
    # S1 performance of Acme on speed: 4 5 3 → 4
    assert s1.loc["speed", "performance"] == 4


def test_ipa_for_another_brand(data, study):
    ipa = importance_performance(data, study, brand="Gamma").set_index("attribute")
    assert ipa["brand"].unique().tolist() == ["Gamma"]
    assert ipa.loc["speed", "performance"] == 8
    assert ipa.loc["speed", "best_competitor"] == "Beta"  # Beta 6 > Acme 4
    assert ipa.loc["speed", "gap_to_best"] == 2


def test_ipa_weights(data, study):
    # weight respondent 1 three times: Acme speed = (3·4 + 5 + 3 + 4 + 5 + 3) / 8 = 4
    # taste = (3·8 + 9 + 7 + 8 + 9 + 7) / 8 = 8; importance of taste = (15 + 5 + 5 + 9) / 8
    w = data["weight"].to_numpy().copy()
    w[0] = 3
    ipa = importance_performance(data, study, weights=w).set_index("attribute")
    assert ipa.loc["taste", "importance"] == pytest.approx(34 / 8)
    assert ipa.loc["taste", "performance"] == pytest.approx(8.0)


def test_quadrant_names_are_martilla_james():
    assert QUADRANTS == ("Concentrate here", "Keep up the good work", "Low priority",
                         "Possible overkill")


# ------------------------------------------------------------------ importance sources
def test_stated_importance(data, study):
    imp = attribute_importance(data, study).set_index("attribute")
    assert imp["importance"].to_dict() == {"taste": 4, "speed": 4, "value": 2, "wifi": 1}
    assert imp["share"].to_dict() == pytest.approx(
        {"taste": 4 / 11, "speed": 4 / 11, "value": 2 / 11, "wifi": 1 / 11})
    assert imp.loc["value", "rank"] == 3 and imp.loc["taste", "rank"] == 1


def test_derived_importance_falls_back_to_stated(data, study, tmp_path):
    with pytest.warns(Warning, match="notebook 03_driver_regression has not run"):
        imp = attribute_importance(data, study, source="derived", run_dir=tmp_path)
    assert (imp["source"] == "stated").all()
    assert imp["note"].str.contains("stated importance used instead").all()
    with pytest.warns(Warning, match="has not run"):
        ipa = importance_performance(data, study, importance="derived", run_dir=tmp_path)
    assert (ipa["importance_source"] == "stated").all()


def test_derived_importance_read_from_the_run_directory(data, study, tmp_path):
    from cvmkit.io import write_table

    table = pd.DataFrame({
        # drivers named by the focal brand's columns, as a regression on them would name them
        "driver": ["perf_acme_taste", "perf_acme_speed", "perf_acme_value", "perf_acme_wifi"] * 2,
        "method": ["lmg"] * 4 + ["first"] * 4,
        "raw": [0.2, 0.3, 0.05, 0.05, 0.3, 0.3, 0.1, 0.1],
        "share": [40.0, 50.0, 5.0, 5.0, 37.5, 37.5, 12.5, 12.5],  # percent, as notebook 03
        "lower": [30.0, 40.0, 0.0, 0.0] * 2, "upper": [50.0, 60.0, 10.0, 10.0] * 2,
        "rank": [2, 1, 3, 4] * 2,
    })
    write_table(tmp_path, "03_driver_regression", "importance", table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ipa = importance_performance(data, study, importance="derived", run_dir=tmp_path)
    ipa = ipa.set_index("attribute")
    assert ipa["importance"].to_dict() == {"taste": 40, "speed": 50, "value": 5, "wifi": 5}
    assert (ipa["importance_source"] == "derived").all()
    # scale crosshair for shares: an equal share, 100 % / 4
    scale = importance_performance(data, study, importance="derived", run_dir=tmp_path,
                                   crosshair="scale")
    assert scale["importance_cross"].iloc[0] == 25


def test_derived_importance_by_segment(data, study, tmp_path):
    from cvmkit.io import write_table

    overall = pd.DataFrame({"driver": ["taste", "speed", "value", "wifi"], "method": "lmg",
                            "share": [40.0, 40.0, 10.0, 10.0]})
    by_seg = pd.DataFrame({"segment": ["S1"] * 4 + ["S2"] * 4,
                           "driver": ["taste", "speed", "value", "wifi"] * 2, "method": "lmg",
                           "share": [70.0, 10.0, 10.0, 10.0, 10.0, 70.0, 10.0, 10.0]})
    write_table(tmp_path, "03_driver_regression", "importance", overall)
    write_table(tmp_path, "03_driver_regression", "importance_by_segment", by_seg)
    ipa = importance_performance(data, study, importance="derived", run_dir=tmp_path,
                                 by="segment").set_index(["segment", "attribute"])
    assert ipa.loc[("S1", "taste"), "importance"] == 70
    assert ipa.loc[("S2", "speed"), "importance"] == 70
    imp = attribute_importance(data, study, source="derived", run_dir=tmp_path, by="segment")
    assert (imp["note"] == "derived importance estimated within the segment").all()
    # a table for another segmentation does not fit: the overall shares serve every segment
    write_table(tmp_path, "03_driver_regression", "importance_by_segment",
                by_seg.assign(segment=by_seg["segment"].map({"S1": "North", "S2": "South"})))
    imp = attribute_importance(data, study, source="derived", run_dir=tmp_path, by="segment")
    assert imp.set_index(["segment", "attribute"]).loc[("S2", "speed"), "importance"] == 40
    assert (imp["note"] == "derived importance is estimated on all respondents").all()
    # the same, given directly
    imp = attribute_importance(data, study, source="derived", derived=by_seg, by="segment")
    assert imp.set_index(["segment", "attribute"]).loc[("S1", "taste"), "importance"] == 70


# ------------------------------------------------------------------ Gale value map
def test_quality_profile_by_hand(data, study):
    qp = quality_profile(data, study)
    # "value" is the price component: not part of quality
    assert set(qp["attribute"]) == {"taste", "speed", "wifi"}
    acme = qp[qp["brand"] == "Acme"].set_index("attribute")
    # weights: stated importance 4, 4, 1 of 9
    assert acme["weight"].to_dict() == pytest.approx({"taste": 4 / 9, "speed": 4 / 9,
                                                      "wifi": 1 / 9})
    # Acme taste 8 against the mean of Beta 6 and Gamma 7
    assert acme.loc["taste", "others_score"] == 6.5
    assert acme.loc["taste", "ratio"] == pytest.approx(8 / 6.5)
    assert acme.loc["speed", "ratio"] == pytest.approx(4 / 7)


def test_value_map_by_hand(data, study):
    vm = value_map(data, study).set_index("brand")
    q = {"Acme": 4 / 9 * 8 / 6.5 + 4 / 9 * 4 / 7 + 1 / 9,
         "Beta": 4 / 9 * 6 / 7.5 + 4 / 9 * 1 + 1 / 9,
         "Gamma": 4 / 9 * 1 + 4 / 9 * 8 / 5 + 1 / 9}
    p = {"Acme": 5 / 7, "Beta": 6 / 6.5, "Gamma": 8 / 5.5}
    assert vm["quality_ratio"].to_dict() == pytest.approx(q)
    assert vm["price_ratio"].to_dict() == pytest.approx(p)
    # diagonal fair-value line: fair price ratio = quality ratio
    # Acme 0.912 − 0.714 = +0.198: better; Beta 0.911 − 0.923 = −0.012: within 0.02, fair;
    # Gamma 1.267 − 1.455 = −0.188: worse
    assert vm["zone"].to_dict() == {"Acme": "better value", "Beta": "fair value",
                                    "Gamma": "worse value"}
    assert vm.loc["Acme", "value_advantage"] == pytest.approx(q["Acme"] - p["Acme"])
    assert vm.loc["Acme", "is_focal"] and not vm.loc["Beta", "is_focal"]
    strict = value_map(data, study, tolerance=0.0).set_index("brand")
    assert strict.loc["Beta", "zone"] == "worse value"


def test_value_map_fitted_line_and_shares(data, study):
    vm = value_map(data, study, fair_value="fit")
    slope, icpt = np.polyfit(vm["quality_ratio"], vm["price_ratio"], 1)
    assert vm["fair_value_slope"].iloc[0] == pytest.approx(slope)
    # with a fitted line the residuals sum to zero
    assert vm["value_advantage"].sum() == pytest.approx(0, abs=1e-12)
    # market shares weight the other brands: Acme's price against (3·6 + 1·8) / 4 = 6.5
    vm = value_map(data, study, shares={"Acme": 1, "Beta": 3, "Gamma": 1}).set_index("brand")
    assert vm.loc["Acme", "price_ratio"] == pytest.approx(5 / 6.5)


# ------------------------------------------------------------------ segments and journey
def test_segment_importance_by_hand(data, study):
    with pytest.warns(Warning, match="respondents"):  # 3 per segment is below min_n
        seg = segment_importance(data, study, by="segment")
    s1 = seg[seg["segment"] == "S1"].set_index("attribute")
    assert s1.loc["taste", "importance"] == 5 and s1.loc["taste", "overall"] == 4
    assert s1.loc["taste", "index"] == pytest.approx(125)
    assert s1.loc["speed", "index"] == pytest.approx(75)
    assert s1.loc["taste", "rank"] == 1 and s1.loc["speed", "rank"] == 2
    assert (seg["n_segment"] == 3).all()
    assert seg["note"].str.contains("fewer than 30").all()


def test_journey_by_hand(data, study):
    jm = journey_map(data, study)
    # stage order buy → use, declaration order within a stage
    assert jm["touchpoint"].tolist() == ["web", "checkout", "support"]
    assert jm["stage_order"].tolist() == [1, 1, 2]
    assert jm["satisfaction"].tolist() == [8, 4, 6]
    assert jm["importance"].tolist() == [2, 5, 4]
    # crosshairs 6 and 11/3: checkout (4 < 6, 5 ≥ 3.67) is the only pain point; support sits
    # on the satisfaction crosshair (6 is not below 6)
    assert jm["satisfaction_cross"].iloc[0] == 6
    assert jm["pain_point"].tolist() == [False, True, False]


def test_journey_importance_derived_from_csat(data):
    spec = toy_spec()
    for t in spec["touchpoints"]:
        del t["importance"]
    jm = journey_map(data, toy_study(spec)).set_index("touchpoint")
    # checkout satisfaction 4 3 5 4 3 5 against csat 8 9 7 8 9 7: r = −1
    assert jm.loc["checkout", "importance"] == pytest.approx(-1.0)
    assert jm.loc["checkout", "importance_source"] == "correlation with csat"
    assert jm.loc["web", "importance"] == pytest.approx(
        np.corrcoef(data["tp_web_sat"], data["csat"])[0, 1])
