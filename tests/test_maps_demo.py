"""The maps recover what the demo generator planted (``data/demo/truth.json``)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from cvmkit.errors import CvmkitWarning
from cvmkit.io import open_run
from cvmkit.maps import (
    attribute_importance,
    competitive_benchmark,
    importance_performance,
    journey_map,
    perceptual_map,
    segment_importance,
    value_map,
)


@pytest.fixture(scope="module")
def truth(repo) -> dict:
    return json.loads((repo / "data" / "demo" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory, repo):
    run_dir = tmp_path_factory.mktemp("run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)  # the demo's planted data problems
        data, study = open_run(run_dir, study_path=repo / "data" / "demo" / "study.yaml",
                               seed=2026)
    return data, study


@pytest.fixture(scope="module")
def derived(demo):
    """LMG importance of the focal brand's attributes for its overall value (as notebook 03)."""
    from cvmkit.drivers import relative_importance

    data, study = demo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        table = relative_importance(data, study.outcome_column("value"),
                                    study.performance_columns(), methods="lmg",
                                    weights="weight")
    return attribute_importance(data, study, source="derived", derived=table)


@pytest.mark.parametrize("source", ["stated", "derived"])
@pytest.mark.parametrize("crosshair", ["data", "median"])
def test_planted_weaknesses_are_in_concentrate_here(demo, derived, truth, source, crosshair):
    data, study = demo
    importance = derived if source == "derived" else "stated"
    ipa = importance_performance(data, study, importance=importance, crosshair=crosshair,
                                 weights="weight").set_index("attribute")
    assert truth["focal_weaknesses"]  # hygiene and speed
    for a in truth["focal_weaknesses"]:
        assert ipa.loc[a, "quadrant"] == "Concentrate here", a
        assert ipa.loc[a, "gap_to_best"] < 0  # a competitor does better
    for a in truth["focal_strengths"]:
        assert ipa.loc[a, "quadrant"] in ("Keep up the good work", "Possible overkill"), a
    assert (ipa["importance_source"] == source).all()


def test_planted_strengths_keep_up_the_good_work_on_stated_importance(demo, truth):
    data, study = demo
    ipa = importance_performance(data, study, weights="weight").set_index("attribute")
    for a in truth["focal_strengths"]:
        assert ipa.loc[a, "quadrant"] == "Keep up the good work", a


def test_benchmark_marks_the_planted_positions(demo, truth):
    data, study = demo
    bm = competitive_benchmark(data, study, weights="weight")
    comp = bm[~bm["is_focal"]]
    for a in truth["focal_weaknesses"]:
        assert (comp.loc[comp["attribute"] == a, "verdict"] == "superior").all(), a
    for a in ("staff", "app"):  # planted focal strengths no competitor matches
        assert (comp.loc[comp["attribute"] == a, "verdict"] == "inferior").all(), a


@pytest.mark.parametrize("fair_value", ["diagonal", "fit"])
@pytest.mark.parametrize("source", ["stated", "derived"])
def test_brands_land_in_their_planted_value_zones(demo, derived, truth, fair_value, source):
    data, study = demo
    importance = derived if source == "derived" else "stated"
    vm = value_map(data, study, importance=importance, fair_value=fair_value,
                   weights="weight").set_index("brand")
    assert truth["value_zones"]
    for brand, zone in truth["value_zones"].items():
        assert vm.loc[brand, "zone"] == zone, brand
    # perceived price ratios follow the planted price levels
    levels = truth["perceived_price_level"]
    assert list(vm["price_ratio"].sort_values().index) == sorted(levels, key=levels.get)


def test_journey_pain_points(demo, truth):
    data, study = demo
    jm = journey_map(data, study, weights="weight")
    assert sorted(jm.loc[jm["pain_point"], "touchpoint"]) == sorted(
        truth["journey"]["pain_points"])
    planted = truth["journey"]["touchpoints"]
    sat = jm.set_index("touchpoint")["satisfaction"]
    assert np.corrcoef(sat[list(planted)], [planted[t]["satisfaction"] for t in planted])[
        0, 1] > 0.95
    assert list(jm["stage"]) == sorted(jm["stage"], key=list(study.stages).index)


def test_segments_value_what_was_planted(demo, truth):
    data, study = demo
    seg = segment_importance(data, study, by="segment", weights="weight")
    pop = truth["driver_weights"]
    for s, w in truth["segment_driver_weights"].items():
        g = seg[seg["segment"] == s].set_index("attribute")
        planted = {a: w[a] / pop[a] for a in pop}
        assert np.corrcoef(g.loc[list(pop), "index"], list(planted.values()))[0, 1] > 0.8, s
        top = sorted(planted, key=planted.get, reverse=True)[:4]
        assert set(g["index"].sort_values(ascending=False).index[:2]) <= set(top), s


def test_perceptual_map_puts_the_focal_brand_by_its_strengths(demo, truth):
    data, study = demo
    pts = perceptual_map(data, study, by="segment", weights="weight").set_index("point")
    side = np.sign(pts.loc[truth["focal_brand"], "dim1"])
    for a in ("app", "staff"):
        assert np.sign(pts.loc[a, "dim1"]) == side, a
    for a in truth["focal_weaknesses"]:
        assert np.sign(pts.loc[a, "dim1"]) == -side, a
    assert set(pts.loc[pts["kind"] == "ideal point"].index) == set(truth["segments"])
