"""Interactive explorers for JupyterLab (ipywidgets) wrapping :mod:`cvmkit.maps` and the plots.

:func:`reveal_truth` is a "reveal the truth" toggle for simulated studies: it shows the planted
values of ``truth.json`` beside a notebook's estimates, and nothing when the study has no truth.

:class:`MapExplorer` puts four controls above two maps: the brand to analyse, the segment, the
importance source (stated or derived) and the crosshair rule of the importance–performance map.
Changing a control recomputes the IPA table and the competitive benchmark and redraws both maps
in the same figure, so the picture changes in place rather than piling up below the cell.

Examples
--------
>>> from cvmkit.widgets import map_explorer
>>> map_explorer(data, study, segment_column="segment", run_dir=run_dir)  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

from .errors import CvmkitError, CvmkitWarning, DataError
from .maps import CROSSHAIRS, competitive_benchmark, importance_performance
from .maps._common import WeightsLike, segment_groups
from .plots.maps import plot_benchmark_dots, plot_ipa
from .study import Study

__all__ = ["ALL_SEGMENTS", "MapExplorer", "map_explorer", "reveal_truth", "truth_table"]

#: The segment choice meaning "everyone".
ALL_SEGMENTS = "All respondents"


class MapExplorer:
    """Brand / segment / importance / crosshair explorer of the IPA and the benchmark.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    segment_column : str, optional
        Column whose levels the segment control offers (default: the study's first segment).
    run_dir : str or Path, optional
        Run directory, read for derived importance.
    derived : DataFrame, optional
        The driver importance table, instead of reading it from ``run_dir``.
    weights : str or array-like, optional
        Respondent weights (a column name is kept when the segment filter subsets the data).
    diagonal : bool
        Draw the iso-priority diagonal on the IPA.

    Attributes
    ----------
    brand, segment, importance, crosshair : ipywidgets controls
    figure : matplotlib Figure
        The figure redrawn in place (``figure.axes[0]`` IPA, ``figure.axes[1]`` benchmark).
    ipa, benchmark : DataFrame
        The tables behind the current picture.
    status : ipywidgets.HTML
        Notes about the current view (e.g. a fallback to stated importance).
    widget : ipywidgets.VBox
        Controls, status and output; displayed when the explorer is the cell's value.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        study: Study,
        *,
        segment_column: str | None = None,
        run_dir: str | Path | None = None,
        derived: pd.DataFrame | None = None,
        weights: WeightsLike = None,
        diagonal: bool = False,
    ) -> None:
        self.data = data
        self.study = study
        self.run_dir = run_dir
        self.derived = derived
        self.diagonal = diagonal
        if segment_column is None and study.segments:
            segment_column = study.segments[0]
        if segment_column is not None and segment_column not in data.columns:
            raise DataError(f"segment_column: column '{segment_column}' not in data")
        if weights is not None and not isinstance(weights, str):
            # an array must follow the rows when the data are filtered by segment
            data = data.assign(_explorer_weight=list(weights))
            self.data, weights = data, "_explorer_weight"
        self.weights = weights
        self.segment_column = segment_column
        levels = ([lv for lv, _ in segment_groups(data, segment_column)]
                  if segment_column else [])
        self._masks = dict(segment_groups(data, segment_column)) if segment_column else {}
        style = {"description_width": "initial"}
        self.brand = widgets.Dropdown(options=[b.name for b in study.brands],
                                      value=study.brand.name, description="Brand", style=style)
        self.segment = widgets.Dropdown(options=[ALL_SEGMENTS, *levels], value=ALL_SEGMENTS,
                                        description=f"Segment ({segment_column or 'none'})",
                                        style=style, disabled=not levels)
        self.importance = widgets.ToggleButtons(options=["stated", "derived"], value="stated",
                                                description="Importance", style=style)
        self.crosshair = widgets.ToggleButtons(options=list(CROSSHAIRS), value="data",
                                               description="Crosshairs", style=style)
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.figure = Figure(figsize=(15, 6.5), layout="constrained")
        self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.ipa: pd.DataFrame | None = None
        self.benchmark: pd.DataFrame | None = None
        self.n_redraws = 0
        for w in (self.brand, self.segment, self.importance, self.crosshair):
            w.observe(self._changed, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.brand, self.segment]),
            widgets.HBox([self.importance, self.crosshair]),
            self.status, self.output,
        ])
        self.update()

    def _changed(self, _change) -> None:
        self.update()

    def _subset(self) -> pd.DataFrame:
        if self.segment.value == ALL_SEGMENTS or not self.segment_column:
            return self.data
        return self.data[self._masks[self.segment.value]]

    def update(self) -> None:
        """Recompute both tables for the current controls and redraw the figure in place.

        A choice the data cannot support (e.g. scale crosshairs for a mix of scales) leaves
        the previous picture and says why in :attr:`status`.
        """
        try:
            self._redraw()
        except CvmkitError as exc:
            self.status.value = f"<b style='color:#c0392b'>Cannot draw this view:</b> {exc}"

    def _redraw(self) -> None:
        data = self._subset()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CvmkitWarning)
            importance = self.importance.value
            if importance == "derived" and self.derived is not None:
                from .maps import attribute_importance

                importance = attribute_importance(data, self.study, source="derived",
                                                  derived=self.derived)
            self.ipa = importance_performance(
                data, self.study, brand=self.brand.value, importance=importance,
                run_dir=self.run_dir, crosshair=self.crosshair.value, weights=self.weights)
            self.benchmark = competitive_benchmark(data, self.study, brand=self.brand.value,
                                                   weights=self.weights)
        notes = list(dict.fromkeys(str(w.message) for w in caught
                                   if issubclass(w.category, CvmkitWarning)))
        seg = self.segment.value
        self.status.value = (
            f"<b>{self.brand.value}</b> — {seg} (n = {len(data)}); importance: "
            f"{self.ipa['importance_source'].iloc[0]}; crosshairs: {self.crosshair.value}"
            + "".join(f"<br><i>{n}</i>" for n in notes)
        )
        ax_ipa, ax_bm = self.figure.axes[:2]
        ax_ipa.clear()
        ax_bm.clear()
        suffix = "" if seg == ALL_SEGMENTS else f" — {seg}"
        plot_ipa(self.ipa, diagonal=self.diagonal, ax=ax_ipa,
                 title=f"Importance–performance: {self.brand.value}{suffix}")
        plot_benchmark_dots(self.benchmark, ax=ax_bm,
                            title=f"Benchmark against {self.brand.value}{suffix}")
        self.n_redraws += 1
        with self.output:
            self.output.clear_output(wait=True)
            display(self.figure)

    def _ipython_display_(self) -> None:
        display(self.widget)


def map_explorer(data: pd.DataFrame, study: Study, **kwargs) -> MapExplorer:
    """An interactive IPA + benchmark explorer (see :class:`MapExplorer` for the options).

    Examples
    --------
    >>> map_explorer(data, study, run_dir="reports/lab", weights="weight")  # doctest: +SKIP
    """
    return MapExplorer(data, study, **kwargs)


def _planted(truth: Mapping[str, Any], key: str) -> Any:
    """``truth[a][b]…`` for the dotted ``key`` ``"a.b"``; None when any part is missing."""
    value: Any = truth
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _shown(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    return round(value, 4) if isinstance(value, float) else value


def truth_table(truth: Mapping[str, Any], estimates: Mapping[str, Any]) -> pd.DataFrame:
    """The planted values of ``truth`` beside the estimates, one row per planted item.

    Parameters
    ----------
    truth : mapping
        The content of ``truth.json``.
    estimates : mapping
        ``{key: estimate}``: a key names a value of the truth (dotted for a nested one,
        e.g. ``"nps.change"``); an estimate is a number, a label, a list, or a mapping (or
        Series) by item when the planted value is a mapping by item.  Keys the truth does not
        hold are left out; so are items the truth does not plant.

    Returns
    -------
    DataFrame
        ``quantity``, ``item`` (empty for a single value), ``planted``, ``estimate``.

    Examples
    --------
    >>> truth = {"kano": {"a": "must-be", "b": "attractive"}, "nps": {"change": 8.0}}
    >>> truth_table(truth, {"kano": {"a": "must-be", "b": "indifferent"}, "nps.change": 6.5,
    ...                     "segments": 3})
         quantity item     planted     estimate
    0        kano    a     must-be      must-be
    1        kano    b  attractive  indifferent
    2  nps.change              8.0          6.5
    """
    rows = []
    for key, estimate in estimates.items():
        planted = _planted(truth, key)
        if planted is None or estimate is None:
            continue
        if isinstance(planted, Mapping):
            found = dict(estimate.items()) if hasattr(estimate, "items") else {}
            for item, value in planted.items():
                if isinstance(value, Mapping):
                    continue  # a nested table: name its own key to compare it
                rows.append({"quantity": key, "item": str(item), "planted": _shown(value),
                             "estimate": _shown(found.get(item, found.get(str(item))))})
        else:
            rows.append({"quantity": key, "item": "", "planted": _shown(planted),
                         "estimate": _shown(estimate)})
    return pd.DataFrame(rows, columns=["quantity", "item", "planted", "estimate"])


def reveal_truth(study: Study | str | Path, estimates: Mapping[str, Any]) -> Any:
    """A "reveal the truth" toggle: the planted values beside the estimates, hidden at first.

    For a simulated study (``truth.json`` beside its study file) this is a toggle button and,
    once pressed, the :func:`truth_table` of the estimates; for any other study, or when the
    truth plants none of the quantities estimated, it is ``None`` — a notebook cell ending
    with it shows nothing.

    Parameters
    ----------
    study : Study or path
        The study, or the folder of its ``truth.json``.
    estimates : mapping
        As for :func:`truth_table`.

    Returns
    -------
    ipywidgets.VBox or None
        The widget (``.children``: the toggle and the output holding the table).

    Examples
    --------
    >>> reveal_truth(study, {"driver_weights": lmg["share"] / 100})  # doctest: +SKIP
    """
    import json

    root = Path(study.root) if isinstance(study, Study) else Path(study)
    path = root / "truth.json" if root.is_dir() or not root.suffix else root
    if not path.is_file():
        return None
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the planted truth '{path}': {exc}") from exc
    table = truth_table(truth, estimates)
    if table.empty:
        return None
    button = widgets.ToggleButton(value=False, description="Reveal the truth", icon="eye",
                                  tooltip="show the values planted in this simulated study")
    output = widgets.Output()

    def show(change: Any = None) -> None:
        output.clear_output()
        if button.value:
            with output:
                display(table)
        button.description = "Hide the truth" if button.value else "Reveal the truth"

    button.observe(show, names="value")
    box = widgets.VBox([button, output])
    box.table = table
    return box
