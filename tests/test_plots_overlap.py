"""Labelled scatters a client can read: no two point labels overlap.

The importance–performance map, the customer value map and the perceptual map are drawn for
the demo study and for a simulated study of thirty attributes (the crowded case), laid out as
the notebooks lay them out, and the drawn boxes of their point labels are measured.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cvmkit import maps  # noqa: E402
from cvmkit.io import load_study_data  # noqa: E402
from cvmkit.plots.maps import plot_ipa, plot_perceptual_map, plot_value_map  # noqa: E402
from cvmkit.simulate.shapes import write_shape  # noqa: E402
from cvmkit.study import load_study  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "study.yaml"


@pytest.fixture(scope="module", params=["demo", "thirty_attributes"])
def study_data(request, tmp_path_factory):
    if request.param == "demo":
        path = DEMO
    else:
        path = write_shape(tmp_path_factory.mktemp("thirty"), "thirty_attributes", n=400)["study"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the simulated export's planted duplicates
        data, study = load_study_data(load_study(path))
    return request.param, data, study


def _overlapping(ax) -> tuple[int, list[tuple[str, str]]]:
    fig = ax.figure
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts
             if t.get_gid() == "point-label" and t.get_visible()]
    pairs = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2)
             if ba.overlaps(bb)]
    plt.close(fig)
    return len(boxes), pairs


@pytest.mark.parametrize("layout", ["notebook", "client report"])
def test_ipa_labels_do_not_overlap(study_data, layout: str) -> None:
    name, data, study = study_data
    ipa = maps.importance_performance(data, study, importance="stated")
    if layout == "notebook":
        ax = plot_ipa(ipa, diagonal=True)
    else:  # coloured by a column with a legend below, no arrows or quadrant names
        _, ax = plt.subplots(figsize=(8, 6.6))
        ax = plot_ipa(ipa, diagonal=True, arrows=False, quadrant_labels=False, hue="quadrant",
                      ax=ax)
    n, pairs = _overlapping(ax)
    assert n == len(study.attributes) and pairs == [], (name, layout, pairs)


def test_value_map_labels_do_not_overlap(study_data) -> None:
    name, data, study = study_data
    vmap = maps.value_map(data, study, importance="stated")
    n, pairs = _overlapping(plot_value_map(vmap))
    assert n >= 2 and pairs == [], (name, pairs)


def test_perceptual_map_labels_do_not_overlap(study_data) -> None:
    name, data, study = study_data
    points = maps.perceptual_map(data, study)
    n, pairs = _overlapping(plot_perceptual_map(points))
    assert n > len(study.attributes) and pairs == [], (name, pairs)
