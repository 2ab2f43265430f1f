"""Pictures of the needs-and-wants analyses: each function draws a table from :mod:`cvmkit.needs`.

Every function takes the tidy frame a :mod:`cvmkit.needs` function returned, draws it on ``ax``
(a new figure when None) and returns the Axes. None of them computes a statistic: shares,
coefficients, intervals and split values are columns of the frame. Artists a reader (or a test)
may want to find carry a ``gid``: ``"bar"``, ``"point"``, ``"point-label"``, ``"crosshair"``,
``"quadrant-label"``, ``"interval"``, ``"penalty"``, ``"reward"``, ``"cell"``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ..errors import DataError
from ._style import (
    BLUE,
    GREEN,
    GREY,
    PURPLE,
    VERMILLION,
    YELLOW,
    interval_errors,
    new_axes,
    repel_labels,
)

__all__ = [
    "KANO_COLOURS",
    "ROLE_COLOURS",
    "plot_better_worse",
    "plot_kano_continuous",
    "plot_kano_shares",
    "plot_needs_roles",
    "plot_penalty_reward",
    "plot_stated_derived",
]

#: Colour of each Kano category.
KANO_COLOURS = {
    "must-be": VERMILLION,
    "one-dimensional": BLUE,
    "attractive": GREEN,
    "indifferent": GREY,
    "reverse": PURPLE,
    "questionable": YELLOW,
}
#: Colour of each needs-and-wants role (and of the matching penalty–reward class).
ROLE_COLOURS = {"need": VERMILLION, "performance": BLUE, "want": GREEN,
                "indifferent": GREY}
_PRCA_COLOURS = {"basic": ROLE_COLOURS["need"], "performance": ROLE_COLOURS["performance"],
                 "excitement": ROLE_COLOURS["want"], "low impact": ROLE_COLOURS["indifferent"]}
_SVD_COLOURS = {"stated only": ROLE_COLOURS["need"], "expected": ROLE_COLOURS["performance"],
                "hidden driver": ROLE_COLOURS["want"], "low impact": ROLE_COLOURS["indifferent"]}
_SHARES = ["must_be", "one_dimensional", "attractive", "indifferent", "reverse", "questionable"]


def _need(frame: pd.DataFrame, cols: list[str], what: str, source: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected the DataFrame returned by cvmkit.needs.{source}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: the table lacks columns {missing}; pass the frame returned by "
                        f"cvmkit.needs.{source}")


def _one_segment(table: pd.DataFrame, by: str | None, segment: object, what: str
                 ) -> pd.DataFrame:
    """The rows of one segment (a per-segment table must name the segment to draw)."""
    if by is None:
        return table
    if by not in table.columns:
        raise DataError(f"{what}: segment column '{by}' not in the table")
    if segment is None:
        raise DataError(f"{what}: the table has one row per '{by}'; pass segment= to pick one "
                        f"of {sorted(map(str, table[by].dropna().unique()))}")
    rows = table[table[by] == segment]
    if rows.empty:
        raise DataError(f"{what}: no rows for segment {segment!r} in column '{by}'")
    return rows


def _labels(table: pd.DataFrame, label: str | None) -> list[str]:
    col = label if label is not None and label in table.columns else "attribute"
    if label is not None and label not in table.columns:
        raise DataError(f"label column '{label}' not in the table")
    return [str(v) for v in table[col]]


def _repel(texts: list, ax: Axes, x=None, y=None) -> None:
    """Move point labels apart when there is more than one."""
    repel_labels(texts, ax, x=x, y=y, iter_lim=200, color="0.55", lw=0.6)


def plot_kano_shares(table: pd.DataFrame, label: str | None = None, by: str | None = None,
                     segment: object = None, title: str | None = None,
                     ax: Axes | None = None) -> Axes:
    """Stacked bars of the Kano category shares of each attribute, dominant category marked.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.kano_table` output.
    label : str, optional
        Column holding display labels (default: ``attribute``).
    by, segment : optional
        For a per-segment table, its segment column and the segment to draw.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    _need(table, ["attribute", "category", *_SHARES], "plot_kano_shares", "kano_table")
    t = _one_segment(table, by, segment, "plot_kano_shares").iloc[::-1]
    ax = new_axes(ax, (9, 0.45 * len(t) + 1.8))
    names = _labels(t, label)
    y = np.arange(len(t))
    left = np.zeros(len(t))
    for col, cat in zip(_SHARES, KANO_COLOURS):
        vals = t[col].fillna(0).to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=KANO_COLOURS[cat], edgecolor="white", height=0.7,
                label=cat, gid="bar")
        left += vals
    for yi, (cat, share) in enumerate(zip(t["category"], _dominant_share(t))):
        if isinstance(cat, str):
            ax.text(1.01, yi, f"{cat} ({share:.0%})", va="center", fontsize=8,
                    color=KANO_COLOURS.get(cat, "0.2"), transform=ax.get_yaxis_transform(),
                    gid="point-label")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of respondents")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              frameon=False)
    ax.set_title(title or "Kano categories of each attribute")
    ax.figure.tight_layout()
    return ax


def _dominant_share(t: pd.DataFrame) -> list[float]:
    out = []
    for _, r in t.iterrows():
        cat = r["category"]
        out.append(float(r[cat.replace("-", "_")]) if isinstance(cat, str) else np.nan)
    return out


def plot_better_worse(table: pd.DataFrame, label: str | None = None, by: str | None = None,
                      segment: object = None, title: str | None = None,
                      ax: Axes | None = None) -> Axes:
    """Berger's Better/Worse chart: dissatisfaction (|Worse|) across, satisfaction (Better) up.

    The quadrants at 0.5 read as in Berger et al. (1993): high Better and low |Worse| —
    attractive; both high — one-dimensional; low Better and high |Worse| — must-be; both low —
    indifferent. Points are coloured by the attribute's Kano category.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.kano_table` output (``better``, ``worse``, ``category``).
    label, by, segment, title, ax
        As in :func:`plot_kano_shares`.

    Returns
    -------
    Axes
    """
    _need(table, ["attribute", "better", "worse", "category"], "plot_better_worse",
          "kano_table")
    t = _one_segment(table, by, segment, "plot_better_worse")
    t = t[t["better"].notna() & t["worse"].notna()]
    ax = new_axes(ax, (7.5, 6.5))
    x = t["worse"].abs().to_numpy(dtype=float)
    y = t["better"].to_numpy(dtype=float)
    colours = [KANO_COLOURS.get(c, "0.3") for c in t["category"]]
    ax.scatter(x, y, c=colours, s=60, edgecolor="white", zorder=3, gid="point")
    ax.axvline(0.5, color="0.45", lw=1, ls="--", gid="crosshair")
    ax.axhline(0.5, color="0.45", lw=1, ls="--", gid="crosshair")
    for (qx, qy, name, ha, va) in ((0.02, 0.98, "attractive", "left", "top"),
                                   (0.98, 0.98, "one-dimensional", "right", "top"),
                                   (0.98, 0.02, "must-be", "right", "bottom"),
                                   (0.02, 0.02, "indifferent", "left", "bottom")):
        ax.text(qx, qy, name, transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                fontweight="bold", color=KANO_COLOURS[name], alpha=0.8, gid="quadrant-label")
    texts = [ax.text(xi, yi, n, fontsize=8, gid="point-label")
             for xi, yi, n in zip(x, y, _labels(t, label))]
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Dissatisfaction if absent  |Worse|")
    ax.set_ylabel("Satisfaction if present  Better")
    ax.set_title(title or "Better–Worse (customer satisfaction coefficients)")
    _repel(texts, ax, x, y)
    ax.figure.tight_layout()
    return ax


def plot_kano_continuous(table: pd.DataFrame, label: str | None = None,
                         size: str | None = "importance", by: str | None = None,
                         segment: object = None, title: str | None = None,
                         ax: Axes | None = None) -> Axes:
    """DuMouchel's continuous Kano chart: dysfunctional score across, functional score up.

    Error bars are the intervals of :func:`cvmkit.needs.kano_continuous`; marker area follows
    ``size`` (stated importance by default) when the table has it; the dashed lines are the
    table's ``split``.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.kano_continuous` output.
    size : str, optional
        Column setting the marker area (``None`` for equal markers).
    label, by, segment, title, ax
        As in :func:`plot_kano_shares`.

    Returns
    -------
    Axes
    """
    cols = ["attribute", "functional", "dysfunctional", "functional_lo", "functional_hi",
            "dysfunctional_lo", "dysfunctional_hi", "split", "quadrant"]
    _need(table, cols, "plot_kano_continuous", "kano_continuous")
    t = _one_segment(table, by, segment, "plot_kano_continuous")
    t = t[t["functional"].notna() & t["dysfunctional"].notna()]
    ax = new_axes(ax, (7.5, 6.5))
    x = t["dysfunctional"].to_numpy(dtype=float)
    y = t["functional"].to_numpy(dtype=float)
    if size is not None and size in t.columns and t[size].notna().any():
        v = t[size].to_numpy(dtype=float)
        lo, hi = np.nanmin(v), np.nanmax(v)
        areas = 40 + 260 * ((v - lo) / (hi - lo) if hi > lo else np.full(len(v), 0.5))
        areas = np.where(np.isfinite(areas), areas, 40)
    else:
        areas = np.full(len(t), 70.0)
    colours = [KANO_COLOURS.get(q, "0.3") for q in t["quadrant"]]
    ax.errorbar(x, y, xerr=interval_errors(x, t["dysfunctional_lo"], t["dysfunctional_hi"]),
                yerr=interval_errors(y, t["functional_lo"], t["functional_hi"]), fmt="none",
                ecolor="0.6", lw=0.8, zorder=2, gid="interval")
    ax.scatter(x, y, s=areas, c=colours, edgecolor="white", alpha=0.9, zorder=3, gid="point")
    split = float(t["split"].iloc[0]) if len(t) else 2.0
    ax.axvline(split, color="0.45", lw=1, ls="--", gid="crosshair")
    ax.axhline(split, color="0.45", lw=1, ls="--", gid="crosshair")
    for (qx, qy, name, ha, va) in ((0.02, 0.98, "attractive", "left", "top"),
                                   (0.98, 0.98, "one-dimensional", "right", "top"),
                                   (0.98, 0.02, "must-be", "right", "bottom"),
                                   (0.02, 0.02, "indifferent", "left", "bottom")):
        ax.text(qx, qy, name, transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                fontweight="bold", color=KANO_COLOURS[name], alpha=0.8, gid="quadrant-label")
    texts = [ax.text(xi, yi, n, fontsize=8, gid="point-label")
             for xi, yi, n in zip(x, y, _labels(t, label))]
    lo_x = min(0.0, float(np.nanmin(t["dysfunctional_lo"]))) if len(t) else 0.0
    lo_y = min(0.0, float(np.nanmin(t["functional_lo"]))) if len(t) else 0.0
    ax.set_xlim(lo_x - 0.1, 4)
    ax.set_ylim(lo_y - 0.1, 4)
    ax.set_xlabel("Dysfunctional score (how bad its absence feels)")
    ax.set_ylabel("Functional score (how good its presence feels)")
    note = f"; marker size: {size}" if size is not None and size in t.columns else ""
    ax.set_title(title or f"Continuous Kano (DuMouchel scores{note})")
    _repel(texts, ax, x, y)
    ax.figure.tight_layout()
    return ax


def plot_penalty_reward(table: pd.DataFrame, label: str | None = None, by: str | None = None,
                        segment: object = None, title: str | None = None,
                        ax: Axes | None = None) -> Axes:
    """Penalty (left) and reward (right) of each attribute with their intervals.

    Bars are coloured by the attribute's penalty–reward class; attributes keep the table's order.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.penalty_reward` output.
    label, by, segment, title, ax
        As in :func:`plot_kano_shares`.

    Returns
    -------
    Axes
    """
    cols = ["attribute", "penalty", "penalty_lo", "penalty_hi", "reward", "reward_lo",
            "reward_hi", "class"]
    _need(table, cols, "plot_penalty_reward", "penalty_reward")
    t = _one_segment(table, by, segment, "plot_penalty_reward").iloc[::-1]
    ax = new_axes(ax, (8.5, 0.45 * len(t) + 1.8))
    y = np.arange(len(t))
    colours = [_PRCA_COLOURS.get(c, "0.75") for c in t["class"]]
    pen = t["penalty"].to_numpy(dtype=float)
    rew = t["reward"].to_numpy(dtype=float)
    ax.barh(y, -np.nan_to_num(pen), color=colours, alpha=0.55, height=0.6, gid="penalty")
    ax.barh(y, np.nan_to_num(rew), color=colours, height=0.6, gid="reward")
    ok_p = np.isfinite(pen)
    ax.errorbar(-pen[ok_p], y[ok_p],
                xerr=interval_errors(-pen, -t["penalty_hi"], -t["penalty_lo"])[:, ok_p],
                fmt="none", ecolor="0.25", lw=0.9, capsize=2, gid="interval")
    ok_r = np.isfinite(rew)
    ax.errorbar(rew[ok_r], y[ok_r],
                xerr=interval_errors(rew, t["reward_lo"], t["reward_hi"])[:, ok_r],
                fmt="none", ecolor="0.25", lw=0.9, capsize=2, gid="interval")
    ax.axvline(0, color="0.2", lw=0.8)
    ax.set_yticks(y, _labels(t, label))
    ax.set_xlabel("← penalty of low performance   |   reward of high performance →")
    lim = np.nanmax(np.abs(np.concatenate([t["penalty_hi"].to_numpy(dtype=float),
                                           t["reward_hi"].to_numpy(dtype=float), [0.1]])))
    ax.set_xlim(-1.1 * lim, 1.1 * lim)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(v):g}"))
    handles = [Patch(color=c, label=k) for k, c in _PRCA_COLOURS.items()]
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=4, frameon=False)
    ax.set_title(title or "Penalty–reward contrast")
    ax.figure.tight_layout()
    return ax


def plot_stated_derived(table: pd.DataFrame, label: str | None = None, by: str | None = None,
                        segment: object = None, title: str | None = None,
                        ax: Axes | None = None) -> Axes:
    """Stated importance across, derived importance up, crosshairs at the table's split values.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.stated_vs_derived` (or :func:`~cvmkit.needs.stated_and_derived`)
        output.
    label, by, segment, title, ax
        As in :func:`plot_kano_shares`.

    Returns
    -------
    Axes
    """
    cols = ["attribute", "stated", "derived", "stated_split", "derived_split", "class"]
    _need(table, cols, "plot_stated_derived", "stated_vs_derived")
    t = _one_segment(table, by, segment, "plot_stated_derived")
    t = t[t["stated"].notna() & t["derived"].notna()]
    ax = new_axes(ax, (7.5, 6.5))
    x = t["stated"].to_numpy(dtype=float)
    y = t["derived"].to_numpy(dtype=float)
    ax.scatter(x, y, c=[_SVD_COLOURS.get(c, "0.3") for c in t["class"]], s=60,
               edgecolor="white", zorder=3, gid="point")
    if len(t):
        ax.axvline(float(t["stated_split"].iloc[0]), color="0.45", lw=1, ls="--",
                   gid="crosshair")
        ax.axhline(float(t["derived_split"].iloc[0]), color="0.45", lw=1, ls="--",
                   gid="crosshair")
    for (qx, qy, name, ha, va) in ((0.02, 0.98, "hidden driver", "left", "top"),
                                   (0.98, 0.98, "expected", "right", "top"),
                                   (0.98, 0.02, "stated only", "right", "bottom"),
                                   (0.02, 0.02, "low impact", "left", "bottom")):
        ax.text(qx, qy, name, transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                fontweight="bold", color=_SVD_COLOURS[name], alpha=0.8, gid="quadrant-label")
    texts = [ax.text(xi, yi, n, fontsize=8, gid="point-label")
             for xi, yi, n in zip(x, y, _labels(t, label))]
    ax.margins(0.15)
    ax.set_xlabel("Stated importance")
    ax.set_ylabel("Derived importance")
    ax.set_title(title or "Stated vs derived importance")
    _repel(texts, ax, x, y)
    ax.figure.tight_layout()
    return ax


def plot_needs_roles(table: pd.DataFrame, by: str | None = None, label: str | None = None,
                     title: str | None = None, ax: Axes | None = None) -> Axes:
    """A grid of each attribute's needs-and-wants role: one column, or one per segment.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.needs.needs_summary` output (``role``; per segment when ``by`` is given).
    by : str, optional
        The segment column of a per-segment table: one grid column per segment.
    label, title, ax
        As in :func:`plot_kano_shares`.

    Returns
    -------
    Axes
    """
    _need(table, ["attribute", "role"], "plot_needs_roles", "needs_summary")
    if by is not None and by not in table.columns:
        raise DataError(f"plot_needs_roles: segment column '{by}' not in the table")
    attrs = list(dict.fromkeys(table["attribute"]))
    names = dict(zip(table["attribute"], _labels(table, label)))
    levels = list(dict.fromkeys(table[by])) if by is not None else ["all respondents"]
    ax = new_axes(ax, (1.9 * len(levels) + 3.2, 0.42 * len(attrs) + 1.6))
    for j, lvl in enumerate(levels):
        rows = table if by is None else table[table[by] == lvl]
        role = dict(zip(rows["attribute"], rows["role"]))
        for i, a in enumerate(attrs):
            r = role.get(a)
            colour = ROLE_COLOURS.get(r, "white") if isinstance(r, str) else "white"
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white",
                                       alpha=0.85, gid="cell"))
            ax.text(j + 0.5, i + 0.5, r if isinstance(r, str) else "–", ha="center",
                    va="center", fontsize=8, color="white" if isinstance(r, str) else "0.4")
    ax.set_xlim(0, len(levels))
    ax.set_ylim(len(attrs), 0)
    ax.set_xticks(np.arange(len(levels)) + 0.5, [str(v) for v in levels])
    ax.set_yticks(np.arange(len(attrs)) + 0.5, [names[a] for a in attrs])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title or "Needs and wants")
    ax.figure.tight_layout()
    return ax
