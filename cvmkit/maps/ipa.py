"""Importance–performance analysis (Martilla & James 1977).

Each attribute is placed by the focal brand's performance (x) and by its importance (y).  Two
crosshairs split the plane into the four quadrants of the method:

===================  ======================  =====================================
importance           performance below        performance above
===================  ======================  =====================================
above the crosshair  **Concentrate here**    **Keep up the good work**
below the crosshair  **Low priority**        **Possible overkill**
===================  ======================  =====================================

The crosshairs sit at the data means (the mean over the attributes, Martilla & James's own
choice), the data medians, or the scale midpoints (the performance scale's midpoint; the
importance scale's midpoint for stated importance, the equal share — the total share of the
placed attributes divided by their number — for derived importance).

The *iso-priority diagonal* (Slack 1994; Abalo, Varela & Manzano 2007) is the line through the
crosshair along which importance and performance are in balance.  Because the two axes are in
different units, both are measured in units of their spread over the attributes, so the line runs
parallel to the diagonal of the points' bounding box: ``priority`` is the standardised importance
minus the standardised performance, and attributes above the line (``priority > 0``) deserve
improvement before those below it.

The gap to the best competitor is the focal brand's performance minus the highest competitor
mean on the same attribute (negative: the focal brand trails).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from ..study import Brand, Study
from ._common import WeightsLike, check_level, resolve_brand
from .benchmark import brand_performance
from .importance import attribute_importance

__all__ = ["CROSSHAIRS", "QUADRANTS", "importance_performance", "quadrant"]

#: The four quadrants, in the order concentrate, keep up, low priority, overkill.
QUADRANTS = ("Concentrate here", "Keep up the good work", "Low priority", "Possible overkill")

#: Crosshair rules accepted by :func:`importance_performance`.
CROSSHAIRS = ("data", "median", "scale")


def quadrant(performance: float, importance: float, x_cross: float, y_cross: float) -> str | None:
    """The Martilla–James quadrant of one point (a point on a crosshair counts as high).

    Examples
    --------
    >>> quadrant(4.0, 4.5, x_cross=5.0, y_cross=3.0)
    'Concentrate here'
    """
    if not (np.isfinite(performance) and np.isfinite(importance)):
        return None
    high_imp = importance >= y_cross
    high_perf = performance >= x_cross
    if high_imp:
        return QUADRANTS[1] if high_perf else QUADRANTS[0]
    return QUADRANTS[3] if high_perf else QUADRANTS[2]


def importance_performance(
    data: pd.DataFrame,
    study: Study,
    *,
    brand: str | Brand | None = None,
    importance: str | pd.DataFrame = "stated",
    run_dir: str | Path | None = None,
    crosshair: str | tuple[float, float] = "data",
    by: str | None = None,
    weights: WeightsLike = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Importance–performance table of the focal brand, with quadrants and competitor gaps.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    brand : str, optional
        The brand to analyse (default: the study's focal brand); every other brand is a
        competitor.
    importance : {"stated", "derived"} or DataFrame
        Importance source (see :func:`~cvmkit.maps.attribute_importance`; "derived" falls back to
        stated importance with a warning when notebook 03 has not run), or a table with columns
        ``attribute`` and ``importance`` (and optionally ``segment``).
    run_dir : str or Path, optional
        Run directory, read for derived importance.
    crosshair : {"data", "median", "scale"} or (x, y)
        Where the quadrant lines sit: the mean or median over the attributes, the scale
        midpoints, or given (performance, importance) values.
    by : str, optional
        Segment column: one IPA per segment level (crosshairs computed within each segment).
    weights : str or array-like, optional
        Respondent weights.
    level : float
        Confidence level of the performance intervals.

    Returns
    -------
    DataFrame
        One row per (segment, attribute): ``segment``, ``attribute``, ``label``, ``component``,
        ``brand``, ``performance``, ``performance_lower``, ``performance_upper``, ``n``,
        ``importance``, ``importance_source``, ``best_competitor``,
        ``best_competitor_performance``, ``gap_to_best``, ``crosshair``, ``performance_cross``,
        ``importance_cross``, ``quadrant``, ``priority`` (signed distance above the iso-priority
        diagonal, in units of the spread), ``above_diagonal``, ``diagonal_slope``,
        ``diagonal_intercept`` (the line ``importance = intercept + slope × performance``),
        ``note``.  Attributes without importance or performance keep a row with ``quadrant`` NaN
        and a ``note`` (and a warning was issued).

    Examples
    --------
    >>> ipa = importance_performance(data, study, weights="weight")  # doctest: +SKIP
    >>> ipa.loc[ipa["quadrant"] == "Concentrate here", "label"].tolist()  # doctest: +SKIP
    """
    check_level(level)
    if isinstance(crosshair, str):
        if crosshair not in CROSSHAIRS:
            raise AnalysisError(
                f"crosshair: expected one of {', '.join(CROSSHAIRS)} or a (performance, "
                f"importance) pair, got {crosshair!r}"
            )
    else:
        try:
            cx, cy = (float(v) for v in crosshair)
        except (TypeError, ValueError):
            raise AnalysisError(
                f"crosshair: expected one of {', '.join(CROSSHAIRS)} or a (performance, "
                f"importance) pair, got {crosshair!r}"
            ) from None
    focal = resolve_brand(study, brand)

    # importance --------------------------------------------------------------------------
    if isinstance(importance, pd.DataFrame):
        imp = _given_importance(importance, data, by)
    elif isinstance(importance, str):
        imp = attribute_importance(data, study, source=importance, run_dir=run_dir, by=by,
                                   weights=weights)
    else:
        raise AnalysisError(
            f"importance: expected 'stated', 'derived' or a DataFrame, got {type(importance)}"
        )

    # performance -------------------------------------------------------------------------
    perf = brand_performance(data, study, by=by, weights=weights, level=level)
    fperf = perf[perf["brand"] == focal.name]
    if fperf["mean"].isna().all():
        raise AnalysisError(
            f"brand: '{focal.name}' has no ratings on any attribute "
            f"(columns {', '.join(study.performance_columns(focal).values())})"
        )
    comp = perf[(perf["brand"] != focal.name) & perf["mean"].notna()]

    rows = []
    for seg in pd.unique(perf["segment"]):
        fp = fperf[fperf["segment"] == seg].set_index("attribute")
        cp = comp[comp["segment"] == seg]
        ip = imp[imp["segment"] == seg].set_index("attribute") if "segment" in imp else \
            imp.set_index("attribute")
        for a in study.attributes:
            p = fp.loc[a.id]
            notes = [p["note"]] if p["note"] else []
            if a.id in ip.index:
                imp_val = float(ip.loc[a.id, "importance"])
                imp_src = str(ip.loc[a.id, "source"]) if "source" in ip else "given"
                if "note" in ip and ip.loc[a.id, "note"] and np.isnan(imp_val):
                    notes.append(str(ip.loc[a.id, "note"]))
            else:
                imp_val, imp_src = np.nan, "none"
                notes.append(f"no importance given for attribute '{a.id}'")
            best = cp[cp["attribute"] == a.id].sort_values("mean", ascending=False)
            rows.append({
                "segment": seg, "attribute": a.id, "label": a.label, "component": a.component,
                "brand": focal.name, "performance": p["mean"],
                "performance_lower": p["lower"], "performance_upper": p["upper"], "n": p["n"],
                "importance": imp_val, "importance_source": imp_src,
                "best_competitor": best["brand"].iloc[0] if len(best) else None,
                "best_competitor_performance": best["mean"].iloc[0] if len(best) else np.nan,
                "note": "; ".join(notes),
            })
    out = pd.DataFrame(rows)
    out["gap_to_best"] = out["performance"] - out["best_competitor_performance"]

    # crosshairs, quadrants, iso-priority diagonal ------------------------------------------
    out["crosshair"] = crosshair if isinstance(crosshair, str) else "given"
    for col in ("performance_cross", "importance_cross", "priority", "diagonal_slope",
                "diagonal_intercept"):
        out[col] = np.nan
    out["quadrant"] = pd.Series([None] * len(out), dtype=object)
    out["above_diagonal"] = pd.Series([None] * len(out), dtype=object)
    for _seg, idx in out.groupby("segment", sort=False).groups.items():
        block = out.loc[idx]
        ok = block["performance"].notna() & block["importance"].notna()
        if ok.sum() == 0:
            continue
        x, y = block.loc[ok, "performance"], block.loc[ok, "importance"]
        if crosshair == "data":
            x0, y0 = float(x.mean()), float(y.mean())
        elif crosshair == "median":
            x0, y0 = float(x.median()), float(y.median())
        elif crosshair == "scale":
            x0 = _performance_midpoint(study)
            y0 = _importance_midpoint(study, block.loc[ok, "importance_source"].iloc[0],
                                      float(y.mean()))
        else:
            x0, y0 = cx, cy
        sx = float(x.max() - x.min()) or 1.0
        sy = float(y.max() - y.min()) or 1.0
        out.loc[idx, "performance_cross"] = x0
        out.loc[idx, "importance_cross"] = y0
        out.loc[idx, "diagonal_slope"] = sy / sx
        out.loc[idx, "diagonal_intercept"] = y0 - sy / sx * x0
        pr = (y - y0) / sy - (x - x0) / sx
        out.loc[pr.index, "priority"] = pr
        out.loc[pr.index, "above_diagonal"] = (pr > 0).to_numpy()
        out.loc[x.index, "quadrant"] = [quadrant(xi, yi, x0, y0) for xi, yi in zip(x, y)]
    cols = ["segment", "attribute", "label", "component", "brand", "performance",
            "performance_lower", "performance_upper", "n", "importance", "importance_source",
            "best_competitor", "best_competitor_performance", "gap_to_best", "crosshair",
            "performance_cross", "importance_cross", "quadrant", "priority", "above_diagonal",
            "diagonal_slope", "diagonal_intercept", "note"]
    return out[cols]


def _given_importance(table: pd.DataFrame, data: pd.DataFrame, by: str | None) -> pd.DataFrame:
    missing = [c for c in ("attribute", "importance") if c not in table.columns]
    if missing:
        raise DataError(f"importance: the table lacks columns {missing} (expected attribute, "
                        "importance and optionally segment)")
    imp = table.copy()
    if "source" not in imp:
        imp["source"] = "given"
    if "note" not in imp:
        imp["note"] = ""
    if by is None:
        if "segment" in imp and imp["segment"].nunique() > 1:
            raise DataError("importance: the table has several segments but by= is not set")
        imp["segment"] = "All"
    elif "segment" not in imp:
        levels = sorted(str(v) for v in pd.unique(data[by].dropna())) if by in data else []
        imp = pd.concat([imp.assign(segment=s) for s in levels], ignore_index=True)
    else:
        imp["segment"] = imp["segment"].astype(str)
    return imp


def _performance_midpoint(study: Study) -> float:
    names = {a.scale for a in study.attributes if a.scale in study.scales}
    if len(names) != 1:
        raise AnalysisError(
            "crosshair: 'scale' needs every attribute on one performance scale (found "
            f"{sorted(names) or 'none'})"
        )
    return study.scales[names.pop()].midpoint


def _importance_midpoint(study: Study, source: str, equal_share: float) -> float:
    if source == "stated":
        names = {a.importance_scale for a in study.attributes
                 if a.importance and a.importance_scale in study.scales}
        if len(names) != 1:
            raise AnalysisError(
                "crosshair: 'scale' needs every stated-importance question on one scale (found "
                f"{sorted(names) or 'none'})"
            )
        return study.scales[names.pop()].midpoint
    if source == "derived":
        return equal_share  # shares of R²: the share each attribute would have if all were equal
    raise AnalysisError(
        f"crosshair: 'scale' is undefined for importance from '{source}'; give the crosshair "
        "as a (performance, importance) pair"
    )
