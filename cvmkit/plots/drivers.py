"""Pictures of driver analysis: each function draws a table from :mod:`cvmkit.drivers`.

Every function takes the tidy frame a :mod:`cvmkit.drivers` function returned, draws it on
``ax`` (a new figure when None) and returns the Axes; none computes a statistic.  Drivers are
shown by their labels when ``labels`` (``{driver id: label}``, e.g. from the study's attributes)
is given.  Artists a test may look for carry a ``gid``: ``"bar"``, ``"interval"``, ``"point"``,
``"zero-line"``, ``"cell-label"``, ``"line"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import DataError
from ._style import (
    BLUE,
    PALETTE,
    heat_table_ticks,
    interval_errors,
    new_axes,
)

__all__ = [
    "plot_coefficients",
    "plot_conditional_dominance",
    "plot_importance",
    "plot_method_comparison",
    "plot_outrank",
    "plot_segment_differences",
    "plot_segment_shares",
]

_BLUE = BLUE
_PALETTE = list(PALETTE)
_METHOD_NAMES = {
    "lmg": "LMG / Shapley", "shapley_sampled": "Shapley (sampled)",
    "relative_weights": "Relative weights", "dominance_general": "General dominance",
    "pratt": "Pratt", "betasq": "Squared beta", "first": "Squared correlation",
    "last": "Added last", "car": "CAR score", "dominance_general_mcfadden":
    "General dominance (McFadden R²)",
}


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame from cvmkit.drivers, got "
                        f"{type(frame).__name__}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: the table lacks column(s) {missing}; pass the frame the "
                        "matching cvmkit.drivers function returned")


def _label(labels: Mapping[str, str] | None, driver: object) -> str:
    return str((labels or {}).get(driver, driver))


def _one_method(table: pd.DataFrame, method: str | None, what: str) -> pd.DataFrame:
    methods = list(pd.unique(table["method"]))
    if method is None:
        if len(methods) > 1:
            method = "lmg" if "lmg" in methods else methods[0]
        else:
            return table
    if method == "lmg" and "lmg" not in methods and "shapley_sampled" in methods:
        method = "shapley_sampled"
    if method not in methods:
        raise DataError(f"{what}: method '{method}' not in the table (methods: {methods})")
    return table[table["method"] == method]


def plot_importance(
    table: pd.DataFrame,
    *,
    method: str | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of each driver's share, largest on top, with bootstrap intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.drivers.relative_importance` (or one segment of
        :func:`~cvmkit.drivers.segment_importance`).
    method : str, optional
        Which method's rows to draw (default ``lmg`` when the table holds several).
    labels : dict, optional
        ``{driver id: label}``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> t = relative_importance(df, "value", drivers, n_boot=200, seed=1)  # doctest: +SKIP
    >>> ax = plot_importance(t, labels=study_labels)  # doctest: +SKIP
    """
    what = "plot_importance"
    _need(table, ["driver", "method", "share", "lower", "upper"], what)
    t = _one_method(table, method, what)
    t = t[t["share"].notna()].sort_values("share", ascending=True)
    ax = new_axes(ax, (7.5, 0.42 * len(t) + 1.6))
    y = np.arange(len(t))
    share = t["share"].to_numpy(dtype=float)
    ax.barh(y, share, color=_BLUE, alpha=0.85, height=0.65, gid="bar")
    lo = t["lower"].to_numpy(dtype=float)
    hi = t["upper"].to_numpy(dtype=float)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    if has_ci.any():
        ax.errorbar(share[has_ci], y[has_ci],
                    xerr=interval_errors(share[has_ci], lo[has_ci], hi[has_ci]),
                    fmt="none", ecolor="0.2", elinewidth=1.2, capsize=3, gid="interval")
    for yi, s in zip(y, share):
        ax.text(max(s, 0) + 0.4, yi + 0.22, f"{s:.1f}%", va="center", fontsize=7.5,
                color="0.25")
    ax.set_yticks(y, [_label(labels, d) for d in t["driver"]])
    ax.axvline(0, color="0.4", lw=0.8, gid="zero-line")
    m = t["method"].iloc[0] if len(t) else ""
    ax.set_xlabel(f"Share of explained variance (%) — {_METHOD_NAMES.get(m, m)}")
    if "r2" in t.columns and len(t) and np.isfinite(t["r2"].iloc[0]):
        ax.text(0.99, 0.02, f"R² = {float(t['r2'].iloc[0]):.2f}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="0.3")
    ax.set_title(title or "What drives the outcome")
    ax.figure.tight_layout()
    return ax


def plot_method_comparison(
    table: pd.DataFrame,
    *,
    methods: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot plot of each driver's share under each method (drivers ordered by the first method).

    Examples
    --------
    >>> ax = plot_method_comparison(relative_importance(df, "value", drivers))  # doctest: +SKIP
    """
    what = "plot_method_comparison"
    _need(table, ["driver", "method", "share"], what)
    present = list(pd.unique(table["method"]))
    methods = list(methods) if methods is not None else present
    unknown = [m for m in methods if m not in present]
    if unknown:
        raise DataError(f"{what}: method(s) {unknown} not in the table (methods: {present})")
    first = table[table["method"] == methods[0]].sort_values("share")
    drivers = list(first["driver"])
    ax = new_axes(ax, (8, 0.42 * len(drivers) + 1.8))
    pos = {d: i for i, d in enumerate(drivers)}
    k = len(methods)
    for i, m in enumerate(methods):
        t = table[(table["method"] == m) & table["driver"].isin(pos)]
        off = (i - (k - 1) / 2) * min(0.12, 0.8 / max(k, 1))
        ax.scatter(t["share"], [pos[d] + off for d in t["driver"]], s=28,
                   color=_PALETTE[i % len(_PALETTE)], label=_METHOD_NAMES.get(m, m), zorder=3,
                   gid="point")
    ax.set_yticks(range(len(drivers)), [_label(labels, d) for d in drivers])
    ax.axvline(0, color="0.4", lw=0.8, gid="zero-line")
    ax.grid(axis="x", color="0.9")
    ax.set_xlabel("Share (%)")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_title(title or "The same drivers, measured several ways")
    ax.figure.tight_layout()
    return ax


def plot_coefficients(
    coefficients: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    standardized: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of regression coefficients with their confidence intervals.

    Parameters
    ----------
    coefficients : DataFrame
        :func:`cvmkit.drivers.ols_coefficients` (or the ordered-logit / logit tables).  The
        intercept is left out.
    standardized : bool
        Draw ``std_estimate`` (intervals rescaled alike) instead of ``estimate``.

    Examples
    --------
    >>> ax = plot_coefficients(ols_coefficients(df, "value", drivers))  # doctest: +SKIP
    """
    what = "plot_coefficients"
    _need(coefficients, ["driver", "estimate", "lower", "upper", "p_value"], what)
    t = coefficients[coefficients["driver"] != "(intercept)"]
    est = t["estimate"].to_numpy(dtype=float)
    lo = t["lower"].to_numpy(dtype=float)
    hi = t["upper"].to_numpy(dtype=float)
    if standardized:
        _need(coefficients, ["std_estimate"], what)
        scale = t["std_estimate"].to_numpy(dtype=float) / np.where(est == 0, np.nan, est)
        est, lo, hi = est * scale, lo * scale, hi * scale
    order = np.argsort(est)
    ax = new_axes(ax, (7.5, 0.42 * len(t) + 1.6))
    y = np.arange(len(t))
    sig = t["p_value"].to_numpy(dtype=float)[order] < 0.05
    colours = np.where(sig, _BLUE, "0.6")
    ax.hlines(y, lo[order], hi[order], colors=colours, lw=2, gid="interval")
    ax.scatter(est[order], y, c=colours, s=36, zorder=3, gid="point")
    ax.axvline(0, color="0.3", lw=0.9, ls="--", gid="zero-line")
    ax.set_yticks(y, [_label(labels, d) for d in t["driver"].to_numpy()[order]])
    model = str(t["model"].iloc[0]) if "model" in t.columns and len(t) else ""
    ax.set_xlabel(("Standardised coefficient" if standardized else "Coefficient")
                  + (f" ({model})" if model else "") + " — grey: p ≥ 0.05")
    ax.set_title(title or "Regression coefficients with 95% intervals")
    ax.figure.tight_layout()
    return ax


def plot_segment_shares(
    table: pd.DataFrame,
    *,
    method: str | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each driver's share in each segment, with intervals; skipped segments are left out.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.drivers.segment_importance`.

    Examples
    --------
    >>> seg = segment_importance(df, "value", drivers, "segment")  # doctest: +SKIP
    >>> ax = plot_segment_shares(seg)  # doctest: +SKIP
    """
    what = "plot_segment_shares"
    _need(table, ["segment", "driver", "method", "share", "lower", "upper"], what)
    t = _one_method(table, method, what)
    t = t[t["share"].notna()]
    segs = list(pd.unique(t["segment"]))
    overall = t.groupby("driver", sort=False)["share"].mean().sort_values()
    drivers = list(overall.index)
    pos = {d: i for i, d in enumerate(drivers)}
    ax = new_axes(ax, (8, 0.5 * len(drivers) + 1.8))
    k = len(segs)
    for i, s in enumerate(segs):
        ts = t[t["segment"] == s]
        off = (i - (k - 1) / 2) * min(0.22, 0.8 / max(k, 1))
        yy = np.array([pos[d] + off for d in ts["driver"]])
        sh = ts["share"].to_numpy(dtype=float)
        lo = ts["lower"].to_numpy(dtype=float)
        hi = ts["upper"].to_numpy(dtype=float)
        colour = _PALETTE[i % len(_PALETTE)]
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.hlines(yy[ok], lo[ok], hi[ok], colors=colour, lw=1.4, alpha=0.7, gid="interval")
        ax.scatter(sh, yy, color=colour, s=30, zorder=3, label=str(s), gid="point")
    ax.set_yticks(range(len(drivers)), [_label(labels, d) for d in drivers])
    ax.grid(axis="x", color="0.9")
    ax.set_xlabel("Share of the segment's explained variance (%)")
    ax.legend(title="Segment", fontsize=8, loc="lower right", frameon=False)
    ax.set_title(title or "Drivers by segment")
    ax.figure.tight_layout()
    return ax


def plot_segment_differences(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Differences of shares between segment pairs with bootstrap intervals.

    Rows whose Holm-adjusted p-value is below ``alpha`` are drawn in colour, the rest in grey.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.drivers.compare_segments`.

    Examples
    --------
    >>> diff = compare_segments(df, "value", drivers, "segment")  # doctest: +SKIP
    >>> ax = plot_segment_differences(diff)  # doctest: +SKIP
    """
    what = "plot_segment_differences"
    _need(table, ["driver", "segment_a", "segment_b", "difference", "lower", "upper", "p_holm"],
          what)
    t = table.copy()
    t["pair"] = t["segment_a"].astype(str) + " − " + t["segment_b"].astype(str)
    pairs = list(pd.unique(t["pair"]))
    drivers = list(pd.unique(t["driver"]))
    pos = {d: i for i, d in enumerate(drivers)}
    ax = new_axes(ax, (8, 0.5 * len(drivers) + 1.8))
    k = len(pairs)
    for i, pr in enumerate(pairs):
        tp = t[t["pair"] == pr]
        off = (i - (k - 1) / 2) * min(0.22, 0.8 / max(k, 1))
        yy = np.array([pos[d] + off for d in tp["driver"]])
        colour = _PALETTE[i % len(_PALETTE)]
        sig = tp["p_holm"].to_numpy(dtype=float) < alpha
        cols = [colour if s else "0.7" for s in sig]
        ax.hlines(yy, tp["lower"], tp["upper"], colors=cols, lw=1.4, gid="interval")
        ax.scatter(tp["difference"], yy, c=cols, s=30, zorder=3, gid="point")
        ax.scatter([], [], color=colour, s=30, label=pr)
    ax.axvline(0, color="0.3", lw=0.9, ls="--", gid="zero-line")
    ax.set_yticks(range(len(drivers)), [_label(labels, d) for d in drivers])
    ax.set_xlabel(f"Difference in share (percentage points) — grey: not significant "
                  f"(Holm, α = {alpha:g})")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_title(title or "Do segments weigh drivers differently?")
    ax.figure.tight_layout()
    return ax


def plot_outrank(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat-map of the bootstrap probability that the row driver outranks the column driver.

    Drivers are ordered by their point share, largest first.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.drivers.outrank_probabilities`.

    Examples
    --------
    >>> ax = plot_outrank(outrank_probabilities(df, "value", drivers, seed=1))  # doctest: +SKIP
    """
    what = "plot_outrank"
    _need(table, ["driver", "other", "p_outrank", "share"], what)
    order = (table.drop_duplicates("driver").sort_values("share", ascending=False)["driver"]
             .tolist())
    m = table.pivot(index="driver", columns="other", values="p_outrank").reindex(
        index=order, columns=order)
    vals = m.to_numpy(dtype=float)
    ax = new_axes(ax, (0.55 * len(order) + 3.5, 0.5 * len(order) + 2))
    mesh = ax.pcolormesh(np.ma.masked_invalid(vals), cmap="RdBu_r", vmin=0, vmax=1,
                         edgecolors="white", linewidth=1)
    for i in range(len(order)):
        for j in range(len(order)):
            if i != j and np.isfinite(vals[i, j]):
                ax.text(j + 0.5, i + 0.5, f"{vals[i, j]:.2f}", ha="center", va="center",
                        fontsize=7, gid="cell-label",
                        color="white" if abs(vals[i, j] - 0.5) > 0.35 else "black")
    names = [_label(labels, d) for d in order]
    heat_table_ticks(ax, names, names, rotation=60, ha="left")
    ax.figure.colorbar(mesh, ax=ax, shrink=0.7).set_label("P(row outranks column)")
    ax.set_title(title or "How sure is the ranking?", pad=12)
    ax.figure.tight_layout()
    return ax


def plot_conditional_dominance(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each driver's mean R² gain by the number of other drivers already in the model.

    Parameters
    ----------
    table : DataFrame
        :func:`cvmkit.drivers.conditional_dominance`.

    Examples
    --------
    >>> cond = conditional_dominance(df, "value", drivers)  # doctest: +SKIP
    >>> ax = plot_conditional_dominance(cond)  # doctest: +SKIP
    """
    what = "plot_conditional_dominance"
    _need(table, ["driver", "k", "contribution"], what)
    ax = new_axes(ax, (8, 5))
    order = (table.groupby("driver", sort=False)["contribution"].mean()
             .sort_values(ascending=False).index)
    for i, d in enumerate(order):
        t = table[table["driver"] == d].sort_values("k")
        ax.plot(t["k"], t["contribution"], marker="o", ms=3, lw=1.4,
                color=plt.get_cmap("tab20")(i % 20),
                label=_label(labels, d), gid="line")
    ax.set_xlabel("Other drivers already in the model")
    ax.set_ylabel("Mean R² gained by adding the driver")
    ax.legend(fontsize=7, ncol=2, frameon=False)
    ax.set_title(title or "Conditional dominance: a driver's gain shrinks as others enter")
    ax.figure.tight_layout()
    return ax
