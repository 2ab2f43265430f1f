"""The pictures of notebook 06: each draws its analysis's table and returns the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cvmkit.errors import DataError
from cvmkit.plots import (
    plot_bic_curve,
    plot_management_map,
    plot_segment_needs,
    plot_theme_sentiment,
    plot_wave_changes,
)
from cvmkit.segmentation import segment_bic, segment_profiles


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_each_picture_draws_its_table() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(120, 2)), columns=["a", "b"])
    df["seg"] = np.repeat(["S1", "S2"], 60)
    bic = segment_bic(df, ["a", "b"], k_range=[1, 2, 3], method="kmeans")
    ax = plot_bic_curve(bic)
    assert [int(t) for t in ax.get_xticks()] == [1, 2, 3]
    ax = plot_segment_needs(segment_profiles(df, "seg", ["a", "b"]), labels={"a": "Alpha"})
    assert "Alpha" in [t.get_text() for t in ax.get_yticklabels()]
    themes = pd.DataFrame({"label": ["x", "y"], "reach_negative": [0.2, 0.1],
                           "reach_lower": [0.1, 0.05], "reach_upper": [0.3, 0.15]})
    assert len(plot_theme_sentiment(themes).patches) == 2
    change = pd.DataFrame({"attribute": ["a", "b"], "brand": ["B", "B"],
                           "difference": [0.5, 0.0], "lower": [0.2, -0.3],
                           "upper": [0.8, 0.3], "changed": [True, False]})
    ax = plot_wave_changes(change, labels={"a": "Alpha"})
    assert ax.get_yticklabels()[0].get_text() == "Alpha · B"
    gaps = pd.DataFrame({"attribute": ["a", "a"], "measure": ["importance", "performance"],
                         "management": [2.0, 8.0], "customers": [4.0, 6.0],
                         "verdict": ["blind spot", "overrated"]})
    ax = plot_management_map(gaps, labels={"a": "Alpha"})
    assert "Alpha" in [t.get_text() for t in ax.texts]
    with pytest.raises(DataError, match="lacks columns"):
        plot_wave_changes(change.drop(columns="changed"))
