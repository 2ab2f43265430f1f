"""The sample-profile picture draws one bar per level (and wave) with readable labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cvmkit.plots import plot_sample_profile


def test_bars_heights_and_labels():
    prof = pd.DataFrame({"wave": [1, 1, 2, 2], "variable": ["segment"] * 4,
                         "level": ["A", "B", "A", "B"], "n": [10, 20, 30, 40]})
    ax = plot_sample_profile(prof, "segment", hue="wave")
    heights = sorted(p.get_height() for p in ax.patches if p.get_height() > 0)
    assert heights == [10, 20, 30, 40]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert ax.get_ylabel() == "respondents" and ax.get_title() == "Sample by segment"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1", "2"]
    plt.close(ax.figure)
