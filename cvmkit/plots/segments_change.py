"""Pictures of needs-based segments, sentiment, wave changes and management's map.

Each function draws a table returned by :mod:`cvmkit.segmentation`, :mod:`cvmkit.sentiment`,
:mod:`cvmkit.change` or :mod:`cvmkit.management` and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import (
    GREY,
    VERMILLION,
    heat_table_ticks,
    interval_errors,
    new_axes,
    repel_labels,
    require_table,
)

__all__ = ["plot_bic_curve", "plot_management_map", "plot_segment_needs",
           "plot_theme_sentiment", "plot_wave_changes"]


def plot_bic_curve(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """BIC against the number of segments, the chosen ``k`` marked
    (:func:`cvmkit.segmentation.segment_bic`)."""
    require_table(table, ["k", "bic", "best"], "plot_bic_curve", "cvmkit.segmentation")
    ax = new_axes(ax, (5, 3.5))
    ax.plot(table["k"], table["bic"], marker="o", color="0.3")
    best = table[table["best"]]
    ax.plot(best["k"], best["bic"], marker="o", ms=11, mfc="none", mec=VERMILLION, ls="none",
            label="lowest BIC")
    ax.set_xticks(table["k"])
    ax.set_xlabel("number of segments")
    ax.set_ylabel("BIC (lower is better)")
    ax.legend(frameon=False)
    return ax


def plot_segment_needs(profiles: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                       ax: Axes | None = None) -> Axes:
    """Heat table of each segment's mean on the needs columns
    (:func:`cvmkit.segmentation.segment_profiles`, numeric columns)."""
    require_table(profiles, ["segment", "variable", "kind", "segment_value"],
                  "plot_segment_needs", "cvmkit.segmentation")
    t = profiles[profiles["kind"] == "mean"]
    wide = t.pivot_table(index="variable", columns="segment", values="segment_value",
                         sort=False, observed=True)
    ax = new_axes(ax, (1.4 * wide.shape[1] + 3, 0.35 * len(wide) + 1.2))
    ax.pcolormesh(wide.to_numpy(), cmap="Blues")
    for (i, j), v in np.ndenumerate(wide.to_numpy()):
        ax.text(j + 0.5, i + 0.5, f"{v:.1f}", ha="center", va="center", fontsize=8)
    heat_table_ticks(ax, [str(c) for c in wide.columns],
                     [(labels or {}).get(str(v), str(v)) for v in wide.index])
    return ax


def plot_theme_sentiment(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of those answering who are negative about each theme, with intervals
    (:func:`cvmkit.sentiment.theme_sentiment`)."""
    require_table(table, ["label", "reach_negative", "reach_lower", "reach_upper"],
                  "plot_theme_sentiment", "cvmkit.sentiment")
    t = table.sort_values("reach_negative")
    ax = new_axes(ax, (6, 0.4 * len(t) + 1.2))
    y = np.arange(len(t))
    ax.barh(y, t["reach_negative"], color=VERMILLION, alpha=0.8)
    ax.errorbar(t["reach_negative"], y, xerr=interval_errors(
        t["reach_negative"], t["reach_lower"], t["reach_upper"]), fmt="none", color="0.2")
    ax.set_yticks(y, t["label"])
    ax.set_xlabel("share of those answering who are negative about the theme")
    return ax


def plot_wave_changes(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                      ax: Axes | None = None) -> Axes:
    """Each attribute × brand's change between two waves with its interval, significant
    changes in colour (:func:`cvmkit.change.performance_changes`)."""
    require_table(table, ["attribute", "brand", "difference", "lower", "upper", "changed"],
                  "plot_wave_changes", "cvmkit.change")
    t = table.reset_index(drop=True)
    names = [f"{(labels or {}).get(str(a), str(a))} · {b}" for a, b in
             zip(t["attribute"], t["brand"])]
    ax = new_axes(ax, (6, 0.25 * len(t) + 1.2))
    y = np.arange(len(t))
    colours = np.where(t["changed"], VERMILLION, GREY)
    ax.errorbar(t["difference"], y, xerr=interval_errors(t["difference"], t["lower"],
                t["upper"]), fmt="none", ecolor=colours)
    ax.scatter(t["difference"], y, c=colours, zorder=3)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(y, names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("change in mean rating (later − earlier wave)")
    return ax


def plot_management_map(gaps: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                        ax: Axes | None = None) -> Axes:
    """Management's importance–performance map beside the customers': an arrow from each
    attribute's position in management's view to the customers' (``gaps`` from
    :func:`cvmkit.management.management_gaps`; attributes with both measures)."""
    require_table(gaps, ["attribute", "measure", "management", "customers", "verdict"],
                  "plot_management_map", "cvmkit.management")
    wide = gaps.pivot_table(index="attribute", columns="measure",
                            values=["management", "customers"], aggfunc="first")
    ax = new_axes(ax, (6.5, 5))
    flagged = set(gaps.loc[gaps["verdict"] != "agrees", "attribute"])
    need = [("management", "importance"), ("management", "performance"),
            ("customers", "importance"), ("customers", "performance")]
    if not all(c in wide.columns for c in need):
        ax.text(0.5, 0.5, "importance and performance are both needed for the map",
                ha="center", transform=ax.transAxes)
        return ax
    texts, xs, ys = [], [], []
    for a, r in wide.iterrows():
        mx, my = r[("management", "performance")], r[("management", "importance")]
        cx, cy = r[("customers", "performance")], r[("customers", "importance")]
        colour = VERMILLION if a in flagged else GREY
        ax.annotate("", xy=(cx, cy), xytext=(mx, my),
                    arrowprops={"arrowstyle": "->", "color": colour})
        ax.scatter([mx], [my], marker="s", facecolor="white", edgecolor=colour, zorder=3)
        ax.scatter([cx], [cy], color=colour, zorder=3)
        texts.append(ax.text(cx, cy, (labels or {}).get(str(a), str(a)), fontsize=7))
        xs += [mx, cx]
        ys += [my, cy]
    repel_labels(texts, ax, x=xs, y=ys, iter_lim=200)
    ax.scatter([], [], marker="s", facecolor="white", edgecolor="0.3", label="management")
    ax.scatter([], [], color="0.3", label="customers")
    ax.set_xlabel("performance of the brand")
    ax.set_ylabel("importance")
    ax.legend(frameon=False, loc="best")
    return ax
