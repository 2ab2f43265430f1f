"""Writing figures into a run directory: PNG and SVG, each drawn once, shown in a notebook."""

from __future__ import annotations

import struct

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

from cvmkit.errors import DataError
from cvmkit.io import artifacts, write_figure


@pytest.fixture
def laid_out():
    """A pyplot figure after ``tight_layout`` (which leaves a placeholder layout engine)."""
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_title("a title")
    fig.tight_layout()
    yield fig
    plt.close(fig)


def test_each_format_drawn_once(laid_out, tmp_path, monkeypatch):
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: (draws.append(1), original(self, r)))
    paths = write_figure(tmp_path, "03_drivers", "importance", laid_out.axes[0], show=False)
    assert [p.name for p in paths] == ["03_drivers__importance.png",
                                       "03_drivers__importance.svg"]
    assert len(draws) == 2  # one drawing per format, none to find the layout again
    # the figure's layout engine is as it was
    assert isinstance(laid_out.get_layout_engine(), PlaceHolderLayoutEngine)
    png = paths[0].read_bytes()
    assert png.startswith(b"\x89PNG") and b"<svg" in paths[1].read_bytes()[:400]
    assert plt.fignum_exists(laid_out.number)  # not shown: the figure stays open


def test_show_displays_the_png_written_and_closes_the_figure(laid_out, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    monkeypatch.setitem(plt.rcParams, "figure.dpi", 100)
    (png_path, _svg) = write_figure(tmp_path, "nb", "fig", laid_out, dpi=150, show=True)
    [image] = shown
    png = png_path.read_bytes()
    assert image.data == png
    width_px = struct.unpack(">I", png[16:20])[0]
    assert image.width == round(width_px * 100 / 150)  # the size the inline backend shows
    assert not plt.fignum_exists(laid_out.number)


def test_shown_by_default_only_under_the_inline_backend(laid_out, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    write_figure(tmp_path, "nb", "agg", laid_out)  # the tests' backend is Agg
    assert shown == [] and plt.fignum_exists(laid_out.number)
    monkeypatch.setattr(artifacts, "_inline_backend", lambda: True)
    write_figure(tmp_path, "nb", "inline", laid_out)
    assert len(shown) == 1 and not plt.fignum_exists(laid_out.number)


def test_bad_figure_and_names(tmp_path):
    with pytest.raises(DataError, match="expected a matplotlib Figure or Axes"):
        write_figure(tmp_path, "nb", "x", object())
    with pytest.raises(DataError, match="not a plain file name"):
        write_figure(tmp_path, "nb", "../x", Figure())
