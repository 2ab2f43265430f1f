"""Pictures of the value maps: each function draws a table from :mod:`cvmkit.maps`.

Every function takes the tidy frame a :mod:`cvmkit.maps` function returned, draws it on ``ax``
(a new figure when None) and returns the Axes.  None of them computes a statistic: crosshairs,
diagonals, fair-value lines, verdicts and pain points are columns of the frame.  Artists a reader
(or a test) may want to find carry a ``gid``: ``"point"``, ``"point-label"``, ``"crosshair"``,
``"iso-priority"``, ``"quadrant-label"``, ``"gap-arrow"``, ``"fair-value"``, ``"zone-label"``,
``"interval"``, ``"pain-point"``, ``"stage-boundary"``, ``"stage-label"``, ``"cell-label"``,
``"bar"``.  The IPA's gap arrows are empty annotations (in ``ax.texts``) whose ``xyann`` is the
attribute's point and ``xy`` the best competitor's performance.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm

from ..errors import DataError
from ._style import (
    BLACK,
    BLUE,
    DARK_BLUE,
    DARK_VERMILLION,
    GREEN,
    GREY,
    ORANGE,
    PALETTE,
    PURPLE,
    VERMILLION,
    heat_table_ticks,
    new_axes,
    repel_labels,
    require_table,
)

__all__ = [
    "QUADRANT_COLOURS",
    "plot_benchmark_dots",
    "plot_benchmark_heat",
    "plot_ipa",
    "plot_ipa_grid",
    "plot_journey",
    "plot_perceptual_map",
    "plot_quality_profile",
    "plot_segment_importance",
    "plot_value_map",
]

#: Colour of each IPA quadrant.
QUADRANT_COLOURS = {
    "Concentrate here": VERMILLION,
    "Keep up the good work": BLUE,
    "Low priority": GREY,
    "Possible overkill": ORANGE,
}
_FOCAL = BLUE
_OTHERS = [ORANGE, PURPLE, GREEN, GREY, VERMILLION, BLACK]


def _repel(texts: list, ax: Axes, x=None, y=None, objects=None) -> None:
    """Move labels apart when there is more than one, and off ``objects``."""
    repel_labels(texts, ax, x=x, y=y, objects=objects, iter_lim=200, color="0.6", lw=0.5)


def _one_segment(table: pd.DataFrame, segment: str | None, what: str) -> pd.DataFrame:
    if "segment" not in table.columns:
        return table
    levels = list(pd.unique(table["segment"]))
    if segment is None:
        if len(levels) > 1:
            raise DataError(f"{what}: the table holds segments {levels}; pass segment= or draw "
                            "them side by side with plot_ipa_grid")
        return table
    if segment not in levels:
        raise DataError(f"{what}: segment '{segment}' not in the table (segments: {levels})")
    return table[table["segment"] == segment]


# ---------------------------------------------------------------------------- IPA
def plot_ipa(
    ipa: pd.DataFrame,
    *,
    segment: str | None = None,
    diagonal: bool = False,
    arrows: bool = True,
    labels: bool = True,
    quadrant_labels: bool = True,
    hue: str | None = None,
    palette: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Importance–performance map: attributes, crosshairs, quadrant names, competitor gaps.

    Parameters
    ----------
    ipa : DataFrame
        The table of :func:`cvmkit.maps.importance_performance`.
    segment : str, optional
        The segment to draw when the table holds several.
    diagonal : bool
        Draw the iso-priority diagonal.
    arrows : bool
        Draw an arrow from each attribute to the best competitor's performance.
    labels : bool
        Label the points with the attribute labels (moved apart to avoid overlaps).
    quadrant_labels : bool
        Write the quadrant names in the corners.
    hue : str, optional
        A column whose values colour the points, with a legend below the map (by default the
        points take their quadrant's colour), e.g. each attribute's recommended action.
    palette : mapping, optional
        ``{value of hue: colour}``; its order is the legend's (default: the kit's palette in
        the order the values appear).
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_ipa(importance_performance(data, study), diagonal=True)  # doctest: +SKIP
    """
    require_table(ipa, ["label", "performance", "importance", "quadrant", "performance_cross",
                        "importance_cross"], "plot_ipa", "cvmkit.maps")
    t = _one_segment(ipa, segment, "plot_ipa")
    placed = t[t["quadrant"].notna()]
    if placed.empty:
        raise DataError("plot_ipa: no attribute has both importance and performance")
    ax = new_axes(ax, (8, 6))
    x0 = float(placed["performance_cross"].iloc[0])
    y0 = float(placed["importance_cross"].iloc[0])
    if hue is None:
        for q, g in placed.groupby("quadrant", sort=False):
            ax.scatter(g["performance"], g["importance"], s=60,
                       color=QUADRANT_COLOURS.get(q, "0.3"), edgecolor="white", zorder=3,
                       label=q, gid="point")
    else:
        require_table(placed, [hue], "plot_ipa", "the caller")
        values = placed[hue].astype(str)
        order = [v for v in (palette or {}) if v in set(values)]
        order += [v for v in dict.fromkeys(values) if v not in order]
        colours = dict(palette or {})
        extra = iter(c for c in PALETTE if c not in colours.values())
        for v in order:
            g = placed[values == v]
            ax.scatter(g["performance"], g["importance"], s=60,
                       color=colours.get(v) or next(extra, "0.3"), edgecolor="white",
                       zorder=3, label=v, gid="point")
    ax.axvline(x0, color="0.35", lw=1, ls="--", gid="crosshair")
    ax.axhline(y0, color="0.35", lw=1, ls="--", gid="crosshair")
    xs = list(placed["performance"]) + [x0]
    if arrows and "best_competitor_performance" in placed:
        for _, r in placed.iterrows():
            xb = r["best_competitor_performance"]
            if not np.isfinite(xb):
                continue
            xs.append(xb)
            colour = VERMILLION if xb > r["performance"] else BLUE
            ax.annotate("", xy=(xb, r["importance"]), xytext=(r["performance"], r["importance"]),
                        arrowprops={"arrowstyle": "-|>", "mutation_scale": 9, "color": colour,
                                    "lw": 0.9, "alpha": 0.7, "shrinkA": 4, "shrinkB": 0},
                        zorder=2, gid="gap-arrow")
    ys = list(placed["importance"]) + [y0]
    xpad = 0.08 * (max(xs) - min(xs) or 1.0)
    ypad = 0.16 * (max(ys) - min(ys) or 1.0)  # room for the quadrant names in the corners
    ax.set_xlim(min(xs) - xpad, max(xs) + xpad)
    ax.set_ylim(min(ys) - ypad, max(ys) + ypad)
    if diagonal and "diagonal_slope" in placed:
        ax.axline((x0, y0), slope=float(placed["diagonal_slope"].iloc[0]), color="0.5", lw=1,
                  ls=":", gid="iso-priority", label="iso-priority line")
    corner_texts = []
    if quadrant_labels:
        corners = {"Concentrate here": (0.02, 0.98, "left", "top"),
                   "Keep up the good work": (0.98, 0.98, "right", "top"),
                   "Low priority": (0.02, 0.02, "left", "bottom"),
                   "Possible overkill": (0.98, 0.02, "right", "bottom")}
        for q, (u, v, ha, va) in corners.items():
            corner_texts.append(ax.text(u, v, q, transform=ax.transAxes, ha=ha, va=va,
                                        fontsize=9, color=QUADRANT_COLOURS[q], fontweight="bold",
                                        alpha=0.8, gid="quadrant-label"))
    if labels:
        texts = [ax.text(r["performance"], r["importance"], str(r["label"]), fontsize=8,
                         gid="point-label") for _, r in placed.iterrows()]
        _repel(texts, ax, x=placed["performance"].to_numpy(), y=placed["importance"].to_numpy(),
               objects=corner_texts)
    brand = placed["brand"].iloc[0] if "brand" in placed else "the brand"
    source = placed["importance_source"].iloc[0] if "importance_source" in placed else ""
    ax.set_xlabel(f"Performance of {brand} (mean rating)")
    ax.set_ylabel("Importance" + (f" ({source})" if source else ""))
    seg = placed["segment"].iloc[0] if "segment" in placed else "All"
    ax.set_title(title or f"Importance–performance map: {brand}"
                 + ("" if seg == "All" else f" — {seg}"))
    if hue is not None:
        points = [h for h in ax.collections if h.get_gid() == "point"]
        ax.legend(handles=points, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=len(points) if len(points) <= 5 else 4, fontsize=8, frameon=False)
    return ax


def plot_ipa_grid(
    ipa: pd.DataFrame,
    *,
    col_wrap: int = 3,
    diagonal: bool = False,
    arrows: bool = False,
    labels: bool = True,
    height: float = 4.0,
) -> np.ndarray:
    """Small multiples: one importance–performance map per segment.

    Parameters
    ----------
    ipa : DataFrame
        :func:`cvmkit.maps.importance_performance` with ``by=`` (several segments).
    col_wrap : int
        Maps per row.
    diagonal, arrows, labels : bool
        As in :func:`plot_ipa`.
    height : float
        Height of each map in inches.

    Returns
    -------
    numpy.ndarray of Axes
        One Axes per segment, in the table's order (the figure is ``axes[0].figure``); a
        segment without any attribute placed (no importance estimated for it) gets a panel
        saying so.  The panels share their scales.

    Examples
    --------
    >>> axes = plot_ipa_grid(importance_performance(data, study, by="segment"))  # doctest: +SKIP
    """
    require_table(ipa, ["segment"], "plot_ipa_grid", "cvmkit.maps")
    segs = list(pd.unique(ipa["segment"]))
    ncol = min(col_wrap, len(segs))
    nrow = int(np.ceil(len(segs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(height * 1.25 * ncol, height * nrow),
                             squeeze=False)
    flat = axes.ravel()
    drawn = []
    for ax, seg in zip(flat, segs):
        if ipa.loc[ipa["segment"] == seg, "quadrant"].isna().all():
            # e.g. a segment too small for its own driver analysis: say so in its panel
            ax.set_axis_off()
            ax.set_title(str(seg))
            ax.text(0.5, 0.5, "no attribute has both importance\nand performance here",
                    ha="center", va="center", transform=ax.transAxes, color="0.4")
            continue
        plot_ipa(ipa, segment=seg, diagonal=diagonal, arrows=arrows, labels=labels,
                 quadrant_labels=True, title=str(seg), ax=ax)
        for t in ax.texts:
            t.set_fontsize(7)
        drawn.append(ax)
    if len(drawn) > 1:  # small multiples share their scales, so the panels compare at a glance
        xs = np.array([ax.get_xlim() for ax in drawn])
        ys = np.array([ax.get_ylim() for ax in drawn])
        for ax in drawn:
            ax.set_xlim(xs[:, 0].min(), xs[:, 1].max())
            ax.set_ylim(ys[:, 0].min(), ys[:, 1].max())
    for ax in flat[len(segs):]:
        ax.remove()
    brand = ipa["brand"].iloc[0] if "brand" in ipa else ""
    fig.suptitle(f"Importance–performance by segment: {brand}")
    fig.tight_layout()
    return flat[: len(segs)]


# ---------------------------------------------------------------------------- benchmark
_MARK = {"superior": "▲", "inferior": "▼", "comparable": "", "focal": ""}


def plot_benchmark_heat(
    benchmark: pd.DataFrame,
    *,
    segment: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat-table of attribute × brand means, coloured by the difference from the focal brand.

    Each cell shows the brand's mean; ▲ / ▼ mark competitors significantly above / below the
    focal brand (after the correction of the benchmark table).

    Parameters
    ----------
    benchmark : DataFrame
        :func:`cvmkit.maps.competitive_benchmark`.
    segment : str, optional
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_benchmark_heat(competitive_benchmark(data, study))  # doctest: +SKIP
    """
    require_table(benchmark, ["label", "brand", "mean", "diff", "verdict", "is_focal"],
                  "plot_benchmark_heat", "cvmkit.maps")
    t = _one_segment(benchmark, segment, "plot_benchmark_heat")
    brands = list(pd.unique(t["brand"]))
    focal = t.loc[t["is_focal"], "brand"].iloc[0]
    brands = [focal] + [b for b in brands if b != focal]
    attrs = list(pd.unique(t["label"]))
    mean = t.pivot(index="label", columns="brand", values="mean").reindex(index=attrs,
                                                                          columns=brands)
    diff = t.pivot(index="label", columns="brand", values="diff").reindex(index=attrs,
                                                                          columns=brands)
    verdict = t.pivot(index="label", columns="brand", values="verdict").reindex(
        index=attrs, columns=brands)
    ax = new_axes(ax, (1.6 * len(brands) + 3, 0.45 * len(attrs) + 1.5))
    d = diff.to_numpy(dtype=float).copy()
    d[:, 0] = 0.0
    lim = float(np.nanmax(np.abs(d))) if np.isfinite(d).any() and np.nanmax(np.abs(d)) > 0 \
        else 1.0
    mesh = ax.pcolormesh(np.ma.masked_invalid(d), cmap="RdBu",
                         norm=TwoSlopeNorm(0.0, -lim, lim), edgecolors="white", linewidth=1)
    for i in range(len(attrs)):
        for j in range(len(brands)):
            m = mean.iat[i, j]
            txt = "n/a" if not np.isfinite(m) else f"{m:.2f}{_MARK.get(verdict.iat[i, j], '')}"
            bold = verdict.iat[i, j] in ("superior", "inferior")
            ax.text(j + 0.5, i + 0.5, txt, ha="center", va="center", fontsize=8,
                    fontweight="bold" if bold else "normal", gid="cell-label")
    heat_table_ticks(ax, [f"{b}\n(focal)" if b == focal else b for b in brands], attrs)
    cb = ax.figure.colorbar(mesh, ax=ax, shrink=0.7)
    cb.set_label(f"Difference from {focal} (mean rating)")
    corr = benchmark["correction"].iloc[0] if "correction" in benchmark else ""
    ax.set_title(title or f"Competitive benchmark against {focal}"
                 + (f" (▲▼ significant, {corr} corrected)" if corr else ""), pad=30)
    return ax


def plot_benchmark_dots(
    benchmark: pd.DataFrame,
    *,
    segment: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot plot of every brand's mean per attribute with its confidence interval.

    Parameters
    ----------
    benchmark : DataFrame
        :func:`cvmkit.maps.competitive_benchmark` (or :func:`cvmkit.maps.brand_performance`).
    segment : str, optional
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_benchmark_dots(competitive_benchmark(data, study))  # doctest: +SKIP
    """
    require_table(benchmark, ["label", "brand", "mean", "lower", "upper"], "plot_benchmark_dots",
                  "cvmkit.maps")
    t = _one_segment(benchmark, segment, "plot_benchmark_dots")
    brands = list(pd.unique(t["brand"]))
    if "is_focal" in t and t["is_focal"].any():
        focal = t.loc[t["is_focal"], "brand"].iloc[0]
        brands = [focal] + [b for b in brands if b != focal]
    else:
        focal = brands[0]
    attrs = list(pd.unique(t["label"]))
    ax = new_axes(ax, (8, 0.5 * len(attrs) + 1.5))
    step = 0.7 / max(len(brands) - 1, 1)
    for k, b in enumerate(brands):
        g = t[t["brand"] == b].set_index("label").reindex(attrs)
        y = np.arange(len(attrs)) - 0.35 + k * step
        colour = _FOCAL if b == focal else _OTHERS[(k - 1) % len(_OTHERS)]
        ok = g["mean"].notna().to_numpy()
        err = np.vstack([g["mean"] - g["lower"], g["upper"] - g["mean"]])[:, ok]
        ax.errorbar(g["mean"][ok], y[ok], xerr=np.nan_to_num(err), fmt="none", ecolor=colour,
                    elinewidth=1, capsize=0, gid="interval")
        ax.scatter(g["mean"][ok], y[ok], color=colour, s=45 if b == focal else 28, zorder=3,
                   label=b, gid="point", marker="D" if b == focal else "o")
    ax.set_yticks(np.arange(len(attrs)), attrs)
    ax.invert_yaxis()
    ax.set_xlabel("Mean performance rating (with confidence interval)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(title="Brand", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title or f"Performance of {focal} and its competitors")
    return ax


# ---------------------------------------------------------------------------- value map
def plot_value_map(
    value_map: pd.DataFrame,
    *,
    labels: bool = True,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Gale's customer value map: quality ratio across, price ratio up, the fair-value line.

    Parameters
    ----------
    value_map : DataFrame
        :func:`cvmkit.maps.value_map`.
    labels : bool
        Label the brands.
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_value_map(value_map(data, study))  # doctest: +SKIP
    """
    require_table(value_map, ["brand", "quality_ratio", "price_ratio", "fair_value_slope",
                              "fair_value_intercept", "zone"], "plot_value_map", "cvmkit.maps")
    t = value_map[value_map["zone"].notna()]
    if t.empty:
        raise DataError("plot_value_map: no brand has both a quality and a price ratio")
    ax = new_axes(ax, (7, 6))
    slope = float(t["fair_value_slope"].iloc[0])
    icpt = float(t["fair_value_intercept"].iloc[0])
    xs = np.r_[t["quality_ratio"], 1.0]
    ys = np.r_[t["price_ratio"], 1.0]
    span = max(np.ptp(xs), np.ptp(ys), 0.1)
    xlo, xhi = xs.min() - 0.25 * span, xs.max() + 0.25 * span
    ylo, yhi = ys.min() - 0.25 * span, ys.max() + 0.25 * span
    grid = np.linspace(xlo, xhi, 50)
    line = icpt + slope * grid
    ax.fill_between(grid, ylo, line, color=BLUE, alpha=0.08, lw=0)
    ax.fill_between(grid, line, yhi, color=VERMILLION, alpha=0.08, lw=0)
    ax.plot(grid, line, color="0.3", lw=1.2, gid="fair-value", label="fair-value line")
    ax.text(0.97, 0.03, "Better value", transform=ax.transAxes, ha="right", va="bottom",
            color=DARK_BLUE, fontweight="bold", gid="zone-label")
    ax.text(0.03, 0.97, "Worse value", transform=ax.transAxes, ha="left", va="top",
            color=DARK_VERMILLION, fontweight="bold", gid="zone-label")
    focal = t["is_focal"] if "is_focal" in t else pd.Series(False, index=t.index)
    ax.scatter(t.loc[~focal, "quality_ratio"], t.loc[~focal, "price_ratio"], s=70,
               color="0.45", zorder=3, gid="point")
    ax.scatter(t.loc[focal, "quality_ratio"], t.loc[focal, "price_ratio"], s=110,
               color=_FOCAL, marker="D", zorder=4, gid="point")
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)
    ax.axvline(1.0, color="0.8", lw=0.8, zorder=0)
    ax.axhline(1.0, color="0.8", lw=0.8, zorder=0)
    if labels:
        texts = [ax.text(r["quality_ratio"], r["price_ratio"], f"  {r['brand']}", fontsize=9,
                         fontweight="bold" if f else "normal", gid="point-label")
                 for (_, r), f in zip(t.iterrows(), focal)]
        _repel(texts, ax, x=t["quality_ratio"].to_numpy(), y=t["price_ratio"].to_numpy())
    ax.set_xlabel("Market-perceived quality ratio (brand ÷ other brands)")
    ax.set_ylabel("Perceived price ratio (brand ÷ other brands)")
    ax.set_title(title or "Customer value map")
    return ax


def plot_quality_profile(
    profile: pd.DataFrame,
    *,
    brand: str,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One brand's quality profile: its score ratio on each attribute, bar height = ratio − 1.

    Parameters
    ----------
    profile : DataFrame
        :func:`cvmkit.maps.quality_profile`.
    brand : str
        The brand to draw.
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_quality_profile(quality_profile(data, study), brand="Acme")  # doctest: +SKIP
    """
    require_table(profile, ["label", "brand", "ratio", "weight", "included"],
                  "plot_quality_profile", "cvmkit.maps")
    t = profile[(profile["brand"] == brand) & profile["included"]]
    if t.empty:
        raise DataError(f"plot_quality_profile: no included rows for brand '{brand}'")
    t = t.sort_values("weight", ascending=True)
    ax = new_axes(ax, (8, 0.45 * len(t) + 1.5))
    dev = t["ratio"] - 1.0
    colours = np.where(dev >= 0, BLUE, VERMILLION)
    ax.barh(t["label"], dev, left=1.0, color=colours, gid="bar")
    ax.axvline(1.0, color="0.3", lw=1)
    lo, hi = min(float(t["ratio"].min()), 1.0), max(float(t["ratio"].max()), 1.0)
    ax.set_xlim(lo - 0.05 * (hi - lo or 1.0), hi + 0.35 * (hi - lo or 1.0))  # room for labels
    for y, (r, wt) in enumerate(zip(t["ratio"], t["weight"])):
        ax.text(max(r, 1.0) + 0.005, y, f"{r:.2f}  (weight {wt:.0%})", va="center", fontsize=8,
                gid="bar-label")
    ax.set_xlabel(f"Score ratio: {brand} ÷ other brands (1 = on a par)")
    ax.set_title(title or f"Market-perceived quality profile of {brand}")
    return ax


# ---------------------------------------------------------------------------- perceptual map
def plot_perceptual_map(
    points: pd.DataFrame,
    eigenvalues: pd.DataFrame | None = None,
    *,
    dims: tuple[int, int] = (1, 2),
    labels: bool = True,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Symmetric CA biplot: brands, attributes and (supplementary) ideal points.

    Parameters
    ----------
    points : DataFrame
        :func:`cvmkit.maps.correspondence_analysis` or :func:`cvmkit.maps.perceptual_map`.
    eigenvalues : DataFrame, optional
        :func:`cvmkit.maps.ca_eigenvalues`, for the share of inertia in the axis labels.
    dims : (int, int)
        The axes to draw.
    labels : bool
        Label every point (moved apart to avoid overlaps).
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_perceptual_map(perceptual_map(data, study, by="segment"))  # doctest: +SKIP
    """
    a, b = (f"dim{d}" for d in dims)
    require_table(points, ["label", "kind", a, b], "plot_perceptual_map", "cvmkit.maps")
    t = points[points[a].notna() & points[b].notna()]
    ax = new_axes(ax, (8, 7))
    styles = {"brand": dict(marker="o", s=90, color=_FOCAL),
              "attribute": dict(marker="^", s=45, color=VERMILLION),
              "ideal point": dict(marker="*", s=160, color=GREEN)}
    kinds = list(pd.unique(t["kind"]))
    for i, kind in enumerate(kinds):
        g = t[t["kind"] == kind]
        st = styles.get(kind, dict(marker="s", s=50, color=_OTHERS[i % len(_OTHERS)]))
        ax.scatter(g[a], g[b], zorder=3, label=kind, gid="point", edgecolor="white", **st)
    ax.axhline(0, color="0.75", lw=0.8, zorder=0)
    ax.axvline(0, color="0.75", lw=0.8, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    if labels:
        texts = [ax.text(r[a], r[b], str(r["label"]), fontsize=8,
                         fontweight="bold" if r["kind"] == "brand" else "normal",
                         gid="point-label") for _, r in t.iterrows()]
        _repel(texts, ax, x=t[a].to_numpy(), y=t[b].to_numpy())
    pct = {}
    if eigenvalues is not None and {"dim", "percent"} <= set(eigenvalues.columns):
        pct = dict(zip(eigenvalues["dim"], eigenvalues["percent"]))
    ax.set_xlabel(f"Dimension {dims[0]}" + (f" ({pct[dims[0]]:.1f} % of inertia)"
                                            if dims[0] in pct else ""))
    ax.set_ylabel(f"Dimension {dims[1]}" + (f" ({pct[dims[1]]:.1f} % of inertia)"
                                            if dims[1] in pct else ""))
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or "Perceptual map (correspondence analysis)")
    return ax


# ---------------------------------------------------------------------------- segments
def plot_segment_importance(
    segments: pd.DataFrame,
    *,
    value: str = "index",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat-map of what each segment values: attributes down, segments across.

    Parameters
    ----------
    segments : DataFrame
        :func:`cvmkit.maps.segment_importance`.
    value : {"index", "importance", "share"}
        What the colours show: the index against everyone (100 = average, default), the mean
        importance, or the share of the segment's total.
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> seg = segment_importance(data, study, by="segment")  # doctest: +SKIP
    >>> ax = plot_segment_importance(seg)  # doctest: +SKIP
    """
    require_table(segments, ["segment", "label", value], "plot_segment_importance", "cvmkit.maps")
    attrs = list(pd.unique(segments["label"]))
    segs = list(pd.unique(segments["segment"]))
    m = segments.pivot(index="label", columns="segment", values=value).reindex(
        index=attrs, columns=segs)
    ax = new_axes(ax, (1.4 * len(segs) + 4, 0.45 * len(attrs) + 1.5))
    vals = m.to_numpy(dtype=float)
    if value == "index":
        lim = max(float(np.nanmax(np.abs(vals - 100))), 1.0)
        norm, cmap = TwoSlopeNorm(100.0, 100 - lim, 100 + lim), "RdBu_r"
    else:
        norm, cmap = None, "Blues"
    mesh = ax.pcolormesh(np.ma.masked_invalid(vals), cmap=cmap, norm=norm, edgecolors="white",
                         linewidth=1)
    fmt = "{:.0f}" if value == "index" else ("{:.0%}" if value == "share" else "{:.2f}")
    for i in range(len(attrs)):
        for j in range(len(segs)):
            v = vals[i, j]
            ax.text(j + 0.5, i + 0.5, "n/a" if not np.isfinite(v) else fmt.format(v),
                    ha="center", va="center", fontsize=8, gid="cell-label")
    heat_table_ticks(ax, segs, attrs)
    names = {"index": "Importance index (100 = everyone)", "importance": "Mean stated importance",
             "share": "Share of the segment's importance"}
    ax.figure.colorbar(mesh, ax=ax, shrink=0.7).set_label(names.get(value, value))
    ax.set_title(title or "What each segment values", pad=25)
    return ax


# ---------------------------------------------------------------------------- journey
def plot_journey(
    journey: pd.DataFrame,
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The customer journey: satisfaction at each touchpoint in stage order, pain points marked.

    Marker area grows with importance; pain points are red and labelled; dotted lines separate
    the stages, whose names run along the top.

    Parameters
    ----------
    journey : DataFrame
        :func:`cvmkit.maps.journey_map`.
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_journey(journey_map(data, study))  # doctest: +SKIP
    """
    require_table(journey, ["stage", "label", "satisfaction", "lower", "upper", "importance",
                            "pain_point", "satisfaction_cross"], "plot_journey", "cvmkit.maps")
    t = journey.reset_index(drop=True)
    x = np.arange(len(t))
    ax = new_axes(ax, (max(8.0, 1.3 * len(t)), 5))
    imp = t["importance"].to_numpy(dtype=float)
    span = np.nanmax(imp) - np.nanmin(imp) if np.isfinite(imp).any() else 0.0
    size = 60 + 240 * ((imp - np.nanmin(imp)) / span if span > 0 else np.zeros_like(imp))
    size = np.where(np.isfinite(size), size, 60)
    ok = t["satisfaction"].notna().to_numpy()
    ax.plot(x[ok], t.loc[ok, "satisfaction"], color="0.6", lw=1, zorder=1)
    err = np.vstack([t["satisfaction"] - t["lower"], t["upper"] - t["satisfaction"]])[:, ok]
    ax.errorbar(x[ok], t.loc[ok, "satisfaction"], yerr=np.nan_to_num(err), fmt="none",
                ecolor="0.5", elinewidth=1, gid="interval")
    pain = t["pain_point"].to_numpy(dtype=bool)
    ax.scatter(x[ok & ~pain], t.loc[ok & ~pain, "satisfaction"], s=size[ok & ~pain],
               color=_FOCAL, zorder=3, gid="point", label="touchpoint")
    ax.scatter(x[ok & pain], t.loc[ok & pain, "satisfaction"], s=size[ok & pain],
               color=VERMILLION, zorder=4, gid="pain-point", label="pain point")
    for i in np.flatnonzero(pain):
        ax.annotate("pain point", (x[i], t.at[i, "satisfaction"]), xytext=(0, 14),
                    textcoords="offset points", ha="center", color=VERMILLION, fontsize=8,
                    gid="pain-label")
    ax.axhline(float(t["satisfaction_cross"].iloc[0]), color="0.35", ls="--", lw=1,
               gid="crosshair")
    stages = t["stage"].tolist()
    bounds = [i for i in range(1, len(t)) if stages[i] != stages[i - 1]]
    for bnd in bounds:
        ax.axvline(bnd - 0.5, color="0.7", ls=":", lw=1, gid="stage-boundary")
    starts = [0] + bounds
    ends = bounds + [len(t)]
    for s, e in zip(starts, ends):
        ax.text((s + e - 1) / 2, 1.01, stages[s].capitalize(), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=9, fontweight="bold", gid="stage-label")
    ax.set_xticks(x, t["label"], rotation=20, ha="right")
    ax.set_xlim(-0.6, len(t) - 0.4)
    ax.set_ylabel("Satisfaction (mean, with confidence interval)")
    ax.legend(loc="lower right", fontsize=8, markerscale=0.6)
    ax.set_title(title or "Customer journey: satisfaction by touchpoint "
                 "(marker size = importance)", pad=22)
    return ax
