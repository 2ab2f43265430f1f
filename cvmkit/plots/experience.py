"""Pictures of experience metrics: NPS, CSAT and CES by wave or group, and their differences.

Each function draws a table returned by :mod:`cvmkit.metrics` and returns the Axes; none computes a
statistic (intervals, shares and differences are columns of the frame).  Artists a test may look
for carry a ``gid``: ``"estimate"``, ``"interval"``, ``"share"``, ``"zero"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import DataError
from ._style import BLUE, LIGHT_GREY, VERMILLION, interval_errors, new_axes, require_table

__all__ = ["plot_differences", "plot_nps_shares", "plot_score_by_group", "plot_trend"]

_COLOURS = {"detractor": VERMILLION, "passive": LIGHT_GREY, "promoter": BLUE}
_LINE = BLUE
_EST = {"nps": ("nps", "ci_low", "ci_high", "NPS (points)"),
        "mean": ("mean", "mean_ci_low", "mean_ci_high", "Mean score"),
        "top_box": ("top_box", "top_box_ci_low", "top_box_ci_high", "Top-box share")}


def plot_trend(table: pd.DataFrame, x: str, *, metric: str = "nps", label: str | None = None,
               title: str | None = None, ax: Axes | None = None) -> Axes:
    """A metric across waves (or any ordered groups) with its confidence band.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.metrics.nps` or :func:`cvmkit.metrics.score_summary` with ``by=x``.
    x : str
        The wave (group) column.
    metric : {"nps", "mean", "top_box"}
        Which estimate to draw.
    label, title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if metric not in _EST:
        raise DataError(f"metric: expected one of {', '.join(_EST)}, got {metric!r}")
    est, lo, hi, ylab = _EST[metric]
    require_table(table, [x, est, lo, hi], "plot_trend", "cvmkit.metrics")
    ax = new_axes(ax, (6, 4))
    t = table.dropna(subset=[est])
    pos = np.arange(len(t))
    ax.plot(pos, t[est], marker="o", color=_LINE, gid="estimate", label=label or ylab)
    ax.errorbar(pos, t[est], yerr=interval_errors(t[est], t[lo], t[hi]), fmt="none",
                ecolor=_LINE,
                capsize=5, alpha=0.6, gid="interval", label="95% interval")
    for p, v in zip(pos, t[est]):
        ax.annotate(f"{v:.1f}" if metric != "top_box" else f"{v:.0%}", (p, v),
                    textcoords="offset points", xytext=(0, 8), ha="center")
    ax.set_xticks(pos, [str(v) for v in t[x]])
    ax.set_xlim(-0.5, len(t) - 0.5)
    ax.set_xlabel(x.replace("_", " ").capitalize())
    ax.set_ylabel(ylab)
    ax.set_title(title or f"{ylab} by {x}")
    ax.legend(loc="best", frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_nps_shares(table: pd.DataFrame, by: str, *, title: str | None = None,
                    ax: Axes | None = None) -> Axes:
    """Stacked detractor / passive / promoter shares per group, with the NPS written beside.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.metrics.nps` with ``by=by``.
    by : str
        The group column.
    """
    require_table(table, [by, "detractors", "passives", "promoters", "nps"], "plot_nps_shares",
                  "cvmkit.metrics")
    ax = new_axes(ax, (7, 0.6 * len(table) + 1.8))
    t = table.dropna(subset=["nps"]).reset_index(drop=True)
    pos = np.arange(len(t))
    left = np.zeros(len(t))
    for col, group in (("detractors", "detractor"), ("passives", "passive"),
                       ("promoters", "promoter")):
        ax.barh(pos, t[col], left=left, color=_COLOURS[group], label=group.capitalize(),
                gid="share")
        for p, lft, v in zip(pos, left, t[col]):
            if v >= 0.06:
                ax.text(lft + v / 2, p, f"{v:.0%}", ha="center", va="center", fontsize=8)
        left += t[col].to_numpy()
    for p, v in zip(pos, t["nps"]):
        ax.text(1.02, p, f"NPS {v:+.0f}", va="center", fontsize=9)
    ax.set_yticks(pos, [str(v) for v in t[by]])
    ax.set_xlim(0, 1.18)
    ax.set_xlabel("Share of respondents")
    ax.set_title(title or f"Promoters, passives and detractors by {by}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.18 - 0.3 / max(len(t), 1)), ncol=3,
              frameon=False)
    ax.invert_yaxis()
    ax.figure.tight_layout()
    return ax


def plot_score_by_group(table: pd.DataFrame, by: str, *, metric: str = "nps",
                        labels: str | None = None, title: str | None = None,
                        ax: Axes | None = None) -> Axes:
    """Point estimates with interval bars, one row per group (segment, touchpoint …).

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.metrics.nps`, :func:`~cvmkit.metrics.score_summary` or
        :func:`~cvmkit.metrics.touchpoint_scores`.
    by : str
        The group column.
    metric : {"nps", "mean", "top_box"}
    labels : str, optional
        A column of readable labels to use instead of ``by`` (e.g. ``"label"``).
    """
    if metric not in _EST:
        raise DataError(f"metric: expected one of {', '.join(_EST)}, got {metric!r}")
    est, lo, hi, xlab = _EST[metric]
    require_table(table, [by, est, lo, hi] + ([labels] if labels else []), "plot_score_by_group",
                  "cvmkit.metrics")
    ax = new_axes(ax, (7, 0.45 * len(table) + 1.6))
    t = table.dropna(subset=[est]).reset_index(drop=True)
    pos = np.arange(len(t))
    ax.errorbar(t[est], pos, xerr=interval_errors(t[est], t[lo], t[hi]), fmt="none",
                ecolor=_LINE, capsize=3, gid="interval")
    ax.scatter(t[est], pos, color=_LINE, zorder=3, gid="estimate")
    ax.set_yticks(pos, [str(v) for v in (t[labels] if labels else t[by])])
    ax.invert_yaxis()
    ax.set_xlabel(f"{xlab} (95% interval)")
    ax.set_title(title or f"{xlab} by {by}")
    ax.grid(axis="x", alpha=0.3)
    ax.figure.tight_layout()
    return ax


def plot_differences(table: pd.DataFrame, *, title: str | None = None,
                     ax: Axes | None = None) -> Axes:
    """A forest plot of group differences from :func:`cvmkit.metrics.compare_groups`.

    Each comparison is drawn as its difference with the interval; filled when significant.
    """
    require_table(table, ["group_a", "group_b", "difference", "ci_low", "ci_high", "significant"],
                  "plot_differences", "cvmkit.metrics")
    t = table.dropna(subset=["difference"]).reset_index(drop=True)
    ax = new_axes(ax, (7, 0.5 * len(t) + 1.6))
    pos = np.arange(len(t))
    ax.axvline(0, color="grey", lw=1, gid="zero")
    ax.errorbar(t["difference"], pos, xerr=interval_errors(t["difference"], t["ci_low"],
                                                         t["ci_high"]),
                fmt="none", ecolor=_LINE, capsize=3, gid="interval")
    face = [_LINE if s else "white" for s in t["significant"]]
    ax.scatter(t["difference"], pos, facecolors=face, edgecolors=_LINE, zorder=3,
               gid="estimate")
    ax.set_yticks(pos, [f"{b} vs {a}" for a, b in zip(t["group_a"], t["group_b"])])
    ax.invert_yaxis()
    metric = str(t["metric"].iloc[0]) if "metric" in t and len(t) else "estimate"
    metric = {"nps": "NPS (points)", "mean": "mean score", "top_box": "top-box share"}.get(
        metric, metric)
    ax.set_xlabel(f"Difference in {metric} (95% interval; filled = significant)")
    ax.set_title(title or "Differences between groups")
    ax.figure.tight_layout()
    return ax
