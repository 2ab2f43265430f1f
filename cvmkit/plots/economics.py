"""Pictures of customer economics: retention curves, CLV, CLV against CAC, value tiers, Pareto.

Each function draws a table returned by :mod:`cvmkit.economics` and returns the Axes; none computes
a statistic.  Artists carry a ``gid``: ``"curve"``, ``"estimate"``, ``"interval"``, ``"bar"``,
``"reference"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import BLUE, LIGHT_BLUE, ORANGE, interval_errors, new_axes, require_table

__all__ = ["plot_clv", "plot_clv_cac", "plot_pareto", "plot_retention", "plot_value_tiers"]

_BLUE, _ORANGE = BLUE, ORANGE


def plot_retention(table: pd.DataFrame, *, title: str | None = None,
                   ax: Axes | None = None) -> Axes:
    """Share of each acquisition cohort still active, by periods since acquisition.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.economics.retention_by_cohort`.
    """
    require_table(table, ["cohort", "period_index", "survival"], "plot_retention", "cvmkit.metrics")
    ax = new_axes(ax, (7, 4.5))
    for cohort, g in table.groupby("cohort", sort=True):
        ax.plot(g["period_index"], g["survival"], marker="o", gid="curve",
                label=f"Cohort {cohort} (n = {int(g['cohort_size'].iloc[0])})"
                if "cohort_size" in g else f"Cohort {cohort}")
    ax.set_xlabel("Periods since acquisition")
    ax.set_ylabel("Share of cohort active")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(sorted(table["period_index"].unique()))
    ax.set_title(title or "Retention by acquisition cohort")
    ax.legend(frameon=False, fontsize=8)
    ax.figure.tight_layout()
    return ax


def plot_clv(table: pd.DataFrame, by: str, *, currency: str = "", title: str | None = None,
             ax: Axes | None = None) -> Axes:
    """Finite- and infinite-horizon CLV per group, with the interval from retention.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.economics.clv_table` with ``by=by``.
    """
    require_table(table, [by, "clv_finite", "clv_infinite", "clv_low", "clv_high"], "plot_clv",
                  "cvmkit.metrics")
    ax = new_axes(ax, (7, 0.7 * len(table) + 1.8))
    pos = np.arange(len(table))
    h = 0.38
    horizon = int(table["horizon"].iloc[0]) if "horizon" in table else None
    ax.barh(pos - h / 2, table["clv_finite"], height=h, color=LIGHT_BLUE, gid="bar",
            label=f"{horizon}-period horizon" if horizon else "Finite horizon")
    ax.barh(pos + h / 2, table["clv_infinite"], height=h, color=_BLUE, gid="bar",
            label="Infinite horizon")
    ax.errorbar(table["clv_infinite"], pos + h / 2,
                xerr=interval_errors(table["clv_infinite"], table["clv_low"],
                                     table["clv_high"]),
                fmt="none", ecolor="black", capsize=3, gid="interval")
    ax.set_yticks(pos, [str(v) for v in table[by]])
    ax.invert_yaxis()
    ax.set_xlabel(f"Customer lifetime value ({currency})" if currency else
                  "Customer lifetime value")
    ax.set_title(title or f"CLV by {by}")
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=2,
              bbox_to_anchor=(0.5, -0.15 - 0.25 / max(len(table), 1)))
    ax.figure.tight_layout()
    return ax


def plot_clv_cac(table: pd.DataFrame, *, currency: str = "", title: str | None = None,
                 ax: Axes | None = None) -> Axes:
    """CLV beside CAC per channel, with the CLV : CAC ratio written on top.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.economics.clv_to_cac`.
    """
    require_table(table, ["channel", "clv", "cac", "clv_to_cac"], "plot_clv_cac", "cvmkit.metrics")
    ax = new_axes(ax, (7, 4.5))
    pos = np.arange(len(table))
    w = 0.38
    ax.bar(pos - w / 2, table["clv"], width=w, color=_BLUE, label="CLV", gid="bar")
    ax.bar(pos + w / 2, table["cac"], width=w, color=_ORANGE, label="CAC", gid="bar")
    for p, top, r in zip(pos, np.fmax(table["clv"], table["cac"]), table["clv_to_cac"]):
        ax.annotate(f"{r:.1f}×", (p, top), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=9)
    ax.set_xticks(pos, [str(c) for c in table["channel"]])
    ax.set_ylabel(f"Per customer ({currency})" if currency else "Per customer")
    ax.set_title(title or "Customer lifetime value against acquisition cost (CLV : CAC)")
    ax.legend(frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_pareto(curve: pd.DataFrame, *, title: str | None = None,
                ax: Axes | None = None) -> Axes:
    """The Pareto (concentration) curve of revenue over customers, with the equality line.

    Parameters
    ----------
    curve : DataFrame
        From :func:`cvmkit.economics.pareto_curve`.
    """
    require_table(curve, ["share_customers", "share_revenue"], "plot_pareto", "cvmkit.metrics")
    ax = new_axes(ax, (5.5, 5))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, gid="reference",
            label="Every customer equal")
    ax.plot(curve["share_customers"], curve["share_revenue"], color=_BLUE, lw=2, gid="curve",
            label="Customers, best first")
    x20 = float(np.interp(0.2, curve["share_customers"], curve["share_revenue"]))
    ax.scatter([0.2], [x20], color=_ORANGE, zorder=3, gid="estimate")
    ax.annotate(f"top 20% → {x20:.0%} of revenue", (0.2, x20), textcoords="offset points",
                xytext=(8, -12), fontsize=9)
    ax.set_xlabel("Cumulative share of customers")
    ax.set_ylabel("Cumulative share of revenue")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "Revenue concentration (Pareto curve)")
    ax.legend(frameon=False, loc="lower right")
    ax.figure.tight_layout()
    return ax


def plot_value_tiers(table: pd.DataFrame, *, title: str | None = None,
                     ax: Axes | None = None) -> Axes:
    """Share of revenue per value tier, with how many times the bottom tier each tier buys.

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.economics.value_tiers`.
    """
    require_table(table, ["tier", "share_of_revenue", "times_bottom"], "plot_value_tiers",
                  "cvmkit.metrics")
    ax = new_axes(ax, (7, 4))
    ax.bar(table["tier"].astype(str), table["share_of_revenue"], color=_BLUE, gid="bar")
    for x, y, t in zip(table["tier"].astype(str), table["share_of_revenue"],
                       table["times_bottom"]):
        ax.annotate(f"{t:.1f}×", (x, y), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize=8)
    ax.set_xlabel("Value tier (1 = top)")
    ax.set_ylabel("Share of revenue")
    ax.set_title(title or "Revenue by customer value tier (× = times the bottom tier)")
    ax.figure.tight_layout()
    return ax
