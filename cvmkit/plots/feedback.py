"""Pictures of open-ended feedback: theme incidence overall or by group.

Each function draws a table returned by :mod:`cvmkit.text` and returns the Axes; none computes a
statistic.  Artists carry a ``gid``: ``"bar"``, ``"interval"``, ``"estimate"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    VERMILLION,
    interval_errors,
    new_axes,
    require_table,
)

__all__ = ["plot_theme_incidence"]

_GROUP_COLOURS = [VERMILLION, GREY, BLUE, GREEN, ORANGE, PURPLE]


def plot_theme_incidence(table: pd.DataFrame, *, by: str | None = None,
                         title: str | None = None, ax: Axes | None = None) -> Axes:
    """Share of comments mentioning each theme, with intervals; one colour per group.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.text.theme_incidence` (``by=by`` when grouped).
    by : str, optional
        The group column of ``table``.
    """
    require_table(table, ["theme", "label", "incidence", "ci_low", "ci_high"]
                  + ([by] if by else []), "plot_theme_incidence", "cvmkit.metrics")
    labels = list(dict.fromkeys(table["label"]))
    ax = new_axes(ax, (8, 0.55 * len(labels) + 1.8))
    pos = {lab: i for i, lab in enumerate(labels)}
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=False,
                                                                   observed=True))
    h = 0.8 / len(groups)
    for k, (g, sub) in enumerate(groups):
        y = np.array([pos[lab] for lab in sub["label"]]) - 0.4 + h * (k + 0.5)
        colour = BLUE if by is None else _GROUP_COLOURS[k % len(_GROUP_COLOURS)]
        ax.barh(y, sub["incidence"], height=h * 0.9, color=colour, alpha=0.85, gid="bar",
                label=None if by is None else str(g))
        ax.errorbar(sub["incidence"], y, xerr=interval_errors(sub["incidence"], sub["ci_low"],
                                                            sub["ci_high"]),
                    fmt="none", ecolor="black", capsize=2, lw=0.8, gid="interval")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("Share of comments mentioning the theme (95% interval)")
    ax.set_title(title or ("Themes in open-ended comments" + (f" by {by}" if by else "")))
    if by is not None:
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.figure.tight_layout()
    return ax
