"""Pictures of price sensitivity: the Van Westendorp meter, demand/revenue curves, value ratio.

Each function draws tables returned by :mod:`cvmkit.pricing` and returns the Axes; none computes a
statistic.  Artists carry a ``gid``: ``"curve"``, ``"price-point"``, ``"acceptable-range"``,
``"optimum"``, ``"estimate"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.axes import Axes

from ..errors import DataError
from ._style import BLUE, GREY, ORANGE, SKY, VERMILLION, new_axes, repel_labels, require_table

__all__ = ["plot_demand", "plot_psm", "plot_value_ratio"]

_CURVES = {
    "too_cheap": ("Too cheap", SKY, ":"),
    "cheap": ("Cheap", SKY, "-"),
    "not_cheap": ("Not cheap", SKY, "--"),
    "expensive": ("Expensive", VERMILLION, "-"),
    "not_expensive": ("Not expensive", VERMILLION, "--"),
    "too_expensive": ("Too expensive", VERMILLION, ":"),
}


def plot_psm(curves: pd.DataFrame, points: pd.DataFrame, *, currency: str = "",
             title: str | None = None, ax: Axes | None = None) -> Axes:
    """The Van Westendorp price sensitivity meter: the curves, the price points, the range.

    Parameters
    ----------
    curves : DataFrame
        From :func:`cvmkit.pricing.psm_curves`.
    points : DataFrame
        From :func:`cvmkit.pricing.van_westendorp` (its ``rising``/``falling`` columns say which
        curves are drawn).
    currency : str
        Written before prices (e.g. "£").
    """
    require_table(curves, ["price", "too_cheap", "cheap", "expensive", "too_expensive"],
                  "plot_psm", "cvmkit.metrics")
    require_table(points, ["point", "price", "share", "rising", "falling"],
                  "plot_psm", "cvmkit.metrics")
    ax = new_axes(ax, (8, 5))
    used = list(dict.fromkeys([*points["rising"], *points["falling"]]))
    for c in used:
        if c not in curves:
            raise DataError(f"plot_psm: curve '{c}' missing from the curves table")
        name, colour, style = _CURVES[c]
        ax.plot(curves["price"], curves[c], color=colour, ls=style, label=name, gid="curve")
    pts = points.set_index("point")
    if {"pmc", "pme"} <= set(pts.index) and pts.loc[["pmc", "pme"], "price"].notna().all():
        ax.axvspan(pts.at["pmc", "price"], pts.at["pme", "price"], color="grey", alpha=0.12,
                   gid="acceptable-range", label="Range of acceptable prices")
    labels = []
    for p, row in pts.iterrows():
        if not np.isfinite(row["price"]):
            continue
        ax.scatter([row["price"]], [row["share"]], color="black", zorder=4, s=25,
                   gid="price-point")
        labels.append(ax.text(row["price"], row["share"], f"{p.upper()} {currency}"
                              f"{row['price']:.2f}", fontsize=8, gid="price-point-label"))
    if labels:
        adjust_text(labels, ax=ax, expand=(1.3, 1.6),
                    arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.6})
    ax.set_xlabel(f"Price ({currency})" if currency else "Price")
    ax.set_ylabel("Share of respondents")
    ax.set_ylim(0, 1)
    ax.set_title(title or "Van Westendorp price sensitivity meter")
    ax.legend(loc="center right", fontsize=8, frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_demand(curve: pd.DataFrame, optima: pd.DataFrame | None = None, *,
                currency: str = "", title: str | None = None, ax: Axes | None = None) -> Axes:
    """Demand (trial) and revenue against price, with the optimum prices marked.

    Parameters
    ----------
    curve : DataFrame
        From :func:`cvmkit.pricing.newton_miller_smith` (``trial``) or
        :func:`cvmkit.pricing.gabor_granger` (``demand``).
    optima : DataFrame, optional
        From :func:`cvmkit.pricing.price_optima`.
    """
    col = "trial" if "trial" in curve.columns else "demand"
    require_table(curve, ["price", col, "revenue"], "plot_demand", "cvmkit.metrics")
    ax = new_axes(ax, (8, 4.5))
    ax.plot(curve["price"], curve[col], color=BLUE, gid="curve",
            label="Trial (purchase probability)" if col == "trial" else "Demand (share buying)")
    ax.set_ylabel("Share of respondents", color=BLUE)
    ax.set_xlabel(f"Price ({currency})" if currency else "Price")
    ax2 = ax.twinx()
    ax2.plot(curve["price"], curve["revenue"], color=ORANGE, gid="curve",
             label="Revenue per respondent")
    ax2.set_ylabel("Revenue per respondent", color=ORANGE)
    marks = []
    if optima is not None:
        require_table(optima, ["objective", "price"], "plot_demand", "cvmkit.metrics")
        for _, row in optima.iterrows():
            colour = BLUE if row["objective"] == "trial" else ORANGE
            what = "demand" if row["objective"] == "trial" and col == "demand" else \
                row["objective"]
            marks.append(ax.axvline(row["price"], color=colour, ls="--", lw=1, gid="optimum",
                                    label=f"Highest {what} at {currency}{row['price']:.2f}"))
    lines = ax.get_lines()[:1] + ax2.get_lines()[:1] + marks
    ax.legend(lines, [ln.get_label() for ln in lines], loc="upper right", frameon=False,
              fontsize=8)
    ax.set_title(title or "Demand and revenue by price")
    ax.figure.tight_layout()
    return ax


def plot_value_ratio(table: pd.DataFrame, *, by: str | None = None, focal: str | None = None,
                     title: str | None = None, ax: Axes | None = None) -> Axes:
    """Perceived benefits against perceived price per brand (value ratio as the slope).

    Parameters
    ----------
    table : DataFrame
        From :func:`cvmkit.pricing.value_ratio`.
    by : str, optional
        Its group column: one marker per group and brand.
    focal : str, optional
        The focal brand, drawn larger.
    """
    require_table(table, ["brand", "benefits", "price", "value_ratio"] + ([by] if by else []),
                  "plot_value_ratio", "cvmkit.metrics")
    ax = new_axes(ax, (7, 5))
    t = table.dropna(subset=["benefits", "price"])
    markers = ["o", "s", "^", "D", "v", "P"]
    groups = [(None, t)] if by is None else list(t.groupby(by, sort=True))
    texts = []
    for k, (g, sub) in enumerate(groups):
        for _, row in sub.iterrows():
            big = focal is not None and row["brand"] == focal
            ax.scatter(row["price"], row["benefits"], s=90 if big else 40,
                       marker=markers[k % len(markers)], color=BLUE if big else GREY,
                       gid="estimate", label=str(g) if (by and row.name == sub.index[0]) else None)
            texts.append(ax.text(row["price"], row["benefits"],
                                 f"{row['brand']} ({row['value_ratio']:.2f})", fontsize=8))
    ratio = t["value_ratio"].mean()
    xs = np.linspace(t["price"].min() * 0.95, t["price"].max() * 1.05, 2)
    ax.plot(xs, ratio * xs, color="grey", ls="--", lw=1, gid="curve",
            label=f"Mean value ratio {ratio:.2f}")
    if texts:
        repel_labels(texts, ax, color="grey", lw=0.6)
    ax.set_xlabel("Perceived price (higher = more expensive)")
    ax.set_ylabel("Perceived benefits (mean performance)")
    ax.set_title(title or "Value ratio: perceived benefits over perceived price")
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.figure.tight_layout()
    return ax
