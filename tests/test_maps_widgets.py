"""The map explorer: each control recomputes the tables and redraws the same figure."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from test_maps_toy import toy_data, toy_study

from cvmkit.errors import CvmkitWarning, DataError
from cvmkit.widgets import ALL_SEGMENTS, MapExplorer, map_explorer


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        yield
    plt.close("all")


@pytest.fixture
def explorer(tmp_path):
    return map_explorer(toy_data(), toy_study(), run_dir=tmp_path, weights="weight")


def _titles(ex):
    return [ax.get_title() for ax in ex.figure.axes[:2]]


def test_initial_view(explorer):
    assert isinstance(explorer, MapExplorer)
    assert explorer.brand.options == ("Acme", "Beta", "Gamma")
    assert explorer.segment.options == (ALL_SEGMENTS, "S1", "S2")
    assert explorer.n_redraws == 1
    assert (explorer.ipa["brand"] == "Acme").all()
    assert _titles(explorer) == ["Importance–performance: Acme", "Benchmark against Acme"]
    assert "Acme" in explorer.status.value


def test_switching_brand_redraws_in_place(explorer):
    fig, axes = explorer.figure, list(explorer.figure.axes)
    explorer.brand.value = "Gamma"
    assert explorer.n_redraws == 2
    assert explorer.figure is fig and explorer.figure.axes[:2] == axes[:2]
    assert (explorer.ipa["brand"] == "Gamma").all()
    assert explorer.benchmark.loc[explorer.benchmark["is_focal"], "brand"].unique() == ["Gamma"]
    assert _titles(explorer)[0] == "Importance–performance: Gamma"
    # one set of IPA points, not the previous brand's piled under the new one
    ipa_ax = explorer.figure.axes[0]
    n = sum(len(c.get_offsets()) for c in ipa_ax.collections if c.get_gid() == "point")
    assert n == 4


def test_segment_filters_the_data(explorer):
    explorer.segment.value = "S2"
    # S2 importance: taste 3, speed 5 (toy study)
    imp = explorer.ipa.set_index("attribute")["importance"]
    assert imp["taste"] == 3 and imp["speed"] == 5
    assert _titles(explorer)[1] == "Benchmark against Acme — S2"
    assert "n = 3" in explorer.status.value


def test_crosshair_and_importance_source(explorer):
    explorer.crosshair.value = "scale"
    assert explorer.ipa["performance_cross"].iloc[0] == 5.5
    explorer.importance.value = "derived"  # notebook 03 has not run in this run directory
    assert (explorer.ipa["importance_source"] == "stated").all()
    assert "has not run" in explorer.status.value


def test_derived_table_given(tmp_path):
    table = pd.DataFrame({"driver": ["taste", "speed", "value", "wifi"], "method": "lmg",
                          "share": [40.0, 40.0, 10.0, 10.0]})
    ex = MapExplorer(toy_data(), toy_study(), derived=table)
    ex.importance.value = "derived"
    assert ex.ipa.set_index("attribute")["importance"].to_dict() == {
        "taste": 40, "speed": 40, "value": 10, "wifi": 10}


def test_a_view_the_data_cannot_support_is_reported(tmp_path):
    table = pd.DataFrame({"driver": ["taste"], "method": "first", "share": [1.0]})
    ex = MapExplorer(toy_data(), toy_study(), derived=table)
    before = ex.n_redraws
    ex.importance.value = "derived"  # the table has no LMG rows
    assert "Cannot draw this view" in ex.status.value and "lmg" in ex.status.value
    assert ex.n_redraws == before


def test_bad_segment_column():
    with pytest.raises(DataError, match="column 'tier' not in data"):
        MapExplorer(toy_data(), toy_study(), segment_column="tier")
