"""Pieces of figure set-up that several plot modules share."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import DataError


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def require_table(frame: pd.DataFrame, cols: Sequence[str], what: str, source: str) -> None:
    """Raise a :class:`DataError` unless ``frame`` is a DataFrame holding every column of ``cols``.

    ``source`` names the module whose functions return such tables (e.g. ``"cvmkit.maps"``); the
    message tells the caller to pass the frame one of them returned.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame from {source}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: the table lacks columns {missing}; pass the frame returned by "
                        f"the matching {source} function")


def heat_table_ticks(ax: Axes, column_labels: Sequence[str], row_labels: Sequence[str],
                     **column_label_kw) -> None:
    """Label a heat-table drawn with ``pcolormesh``: columns along the top, first row on top.

    ``column_label_kw`` (e.g. ``rotation=60, ha="left"``) goes to the column labels.
    """
    ax.set_xticks(np.arange(len(column_labels)) + 0.5, column_labels, **column_label_kw)
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, row_labels)
    ax.invert_yaxis()
    ax.xaxis.tick_top()
