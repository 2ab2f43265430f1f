"""On the demo study the planted driver ranking (data/demo/truth.json) is recovered."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from scipy.stats import spearmanr

from cvmkit.drivers import compare_segments, relative_importance
from cvmkit.errors import CvmkitWarning

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not (DEMO / "truth.json").is_file():
        pytest.skip("the demo study has not been generated")
    from cvmkit.io import open_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        data, study = open_run(tmp_path_factory.mktemp("run"), study_path=DEMO / "study.yaml")
    truth = json.loads((DEMO / "truth.json").read_text())
    return data, study, truth


@pytest.mark.filterwarnings("ignore::cvmkit.errors.CvmkitWarning")  # the demo's "don't know"s
def test_planted_driver_ranking_is_recovered(demo):
    data, study, truth = demo
    drivers = study.performance_columns(study.brand)
    outcome = study.outcome_column("value", study.brand)
    t = relative_importance(data, outcome, drivers, methods=["lmg", "relative_weights"],
                            weights="weight")
    planted = truth["driver_weights"]
    assert set(planted) == set(drivers)
    for method in ("lmg", "relative_weights"):
        share = t[t["method"] == method].set_index("driver")["share"]
        rho = spearmanr(share[list(planted)], list(planted.values()))[0]
        assert rho >= 0.9, (method, rho)
    # the demo changes one weight between the waves (truth["wave_changes"]), so the pooled
    # weights are an average of two profiles: each wave's top two are checked on its own
    for wave, w in truth["driver_weights_by_wave"].items():
        sub = data[data[study.wave].astype(str) == wave]
        lmg = relative_importance(sub, outcome, drivers, methods=["lmg"],
                                  weights="weight").set_index("driver")
        assert set(lmg["share"].nlargest(2).index) == set(sorted(w, key=w.get)[-2:]), wave


@pytest.mark.filterwarnings("ignore::cvmkit.errors.CvmkitWarning")
def test_planted_segment_contrasts_are_found(demo):
    """Planted: connoisseurs weigh taste most, commuters speed (truth.json, segment weights)."""
    data, study, truth = demo
    planted = truth["segment_driver_weights"]
    assert planted["Connoisseurs"]["taste"] > 2 * planted["Commuters"]["taste"]
    assert planted["Commuters"]["speed"] > 2 * planted["Connoisseurs"]["speed"]
    drivers = study.performance_columns(study.brand)
    outcome = study.outcome_column("value", study.brand)
    t = compare_segments(data, outcome, drivers, "segment", weights="weight", n_boot=300,
                         seed=2026)
    pair = ["Commuters", "Connoisseurs"]
    t = t[t["segment_a"].isin(pair) & t["segment_b"].isin(pair)].set_index("driver")
    sign = 1 if t["segment_a"].iloc[0] == "Connoisseurs" else -1
    assert sign * t.loc["taste", "difference"] > 0 and t.loc["taste", "p_holm"] < 0.05
    assert sign * t.loc["speed", "difference"] < 0 and t.loc["speed", "p_holm"] < 0.05
