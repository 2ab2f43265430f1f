"""The maps on study shapes other than the demo's: one brand, no stated importance, no segments.

Built on the hand-worked toy study of :mod:`test_maps_toy` (three brands, four attributes, six
respondents), with inputs removed from its spec.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_maps_toy import toy_data, toy_spec

from cvmkit.drivers import relative_importance
from cvmkit.errors import CvmkitWarning
from cvmkit.maps import (
    attribute_importance,
    competitive_benchmark,
    computed_importance,
    importance_performance,
    perceptual_map,
)
from cvmkit.study import Study


def _data_with_outcome(n: int = 120, seed: int = 3) -> pd.DataFrame:
    """Toy columns for ``n`` respondents with an outcome driven mostly by taste, then speed."""
    rng = np.random.default_rng(seed)
    base = toy_data()
    d = base.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    for a in ("taste", "speed", "value", "wifi"):
        for b in ("acme", "beta", "gamma"):
            d[f"perf_{b}_{a}"] = rng.integers(1, 11, n).astype(float)
    d["csat"] = np.clip(np.round(0.7 * d["perf_acme_taste"] + 0.3 * d["perf_acme_speed"]
                                 + rng.normal(0, 1, n)), 1, 10)
    d["rid"] = [f"r{i}" for i in range(n)]
    return d


def _spec(*, brands: bool = True, stated: bool = True) -> dict:
    spec = toy_spec()
    if not brands:
        spec.pop("competitors")
    if not stated:
        for a in spec["attributes"]:
            a.pop("importance")
    return spec


def test_computed_importance_is_the_lmg_share_of_the_overall_outcome():
    data = _data_with_outcome()
    study = Study.from_dict(_spec(stated=False))
    got = computed_importance(data, study).set_index("attribute")["importance"]
    ref = relative_importance(data, "csat", study.performance_columns(), methods="lmg")
    assert got.to_dict() == pytest.approx(ref.set_index("driver")["share"].to_dict())
    assert got.sum() == pytest.approx(100)
    assert got.idxmax() == "taste"


def test_no_stated_importance_either_source_gives_derived(tmp_path):
    data = _data_with_outcome()
    study = Study.from_dict(_spec(stated=False))
    for source in ("stated", "derived"):
        with pytest.warns(CvmkitWarning, match="computed here"):
            imp = attribute_importance(data, study, source=source, run_dir=tmp_path)
        assert (imp["source"] == "derived").all()
        assert imp["importance"].notna().all()
        assert imp["note"].str.contains("LMG share of R² of the overall csat").all()


def test_no_stated_importance_uses_notebook_03_table_when_present(tmp_path):
    from cvmkit.io import write_table

    data = _data_with_outcome()
    study = Study.from_dict(_spec(stated=False))
    table = pd.DataFrame({"driver": ["taste", "speed", "value", "wifi"], "method": "lmg",
                          "share": [40.0, 30.0, 20.0, 10.0]})
    write_table(tmp_path, "03_driver_regression", "importance", table)
    with pytest.warns(CvmkitWarning, match="notebook 03_driver_regression used instead"):
        imp = attribute_importance(data, study, source="stated", run_dir=tmp_path)
    assert imp.set_index("attribute")["importance"].to_dict() == {
        "taste": 40.0, "speed": 30.0, "value": 20.0, "wifi": 10.0}


def test_ipa_for_a_single_brand_without_stated_importance(tmp_path):
    data = _data_with_outcome()
    study = Study.from_dict(_spec(brands=False, stated=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        ipa = importance_performance(data, study, importance="derived", run_dir=tmp_path)
    assert ipa["quadrant"].notna().all()
    assert ipa["best_competitor"].isna().all() and ipa["gap_to_best"].isna().all()
    assert (ipa["importance_source"] == "derived").all()


def test_benchmark_of_a_single_brand_has_only_focal_rows():
    study = Study.from_dict(_spec(brands=False))
    bm = competitive_benchmark(toy_data(), study)
    assert bm["is_focal"].all() and (bm["verdict"] == "focal").all()


def test_perceptual_map_without_stated_importance_keeps_every_attribute():
    data = _data_with_outcome()
    study = Study.from_dict(_spec(stated=False))
    with pytest.warns(CvmkitWarning, match="to place ideal points"):
        pts = perceptual_map(data, study, by="segment")
    assert set(pts["kind"]) == {"brand", "attribute"}
    assert (pts["kind"] == "attribute").sum() == 4
    assert pts["dim2"].notna().all()


def test_derived_importance_reads_lmg_estimated_from_random_orders():
    """Beyond the exact size notebook 03's table names LMG shapley_sampled."""
    from cvmkit.maps import derived_importance

    study = Study.from_dict(toy_spec())
    table = pd.DataFrame({"driver": ["taste", "speed", "taste"],
                          "method": ["shapley_sampled", "shapley_sampled", "pratt"],
                          "share": [60.0, 40.0, 70.0]})
    got = derived_importance(study, table=table).set_index("attribute")["importance"]
    assert got.to_dict() == {"taste": 60.0, "speed": 40.0}
