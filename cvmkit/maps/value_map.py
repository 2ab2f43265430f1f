"""Customer value map (Gale 1994, *Managing Customer Value*).

Gale's customer value analysis compares each brand with the rest of the market on two profiles:

* the **market-perceived quality profile**: for every non-price attribute, the brand's mean score
  divided by the mean score of the other brands, weighted by the attribute's importance (weights
  normalised to sum to one).  The weighted sum of those ratios is the brand's *market-perceived
  quality ratio* (1.00 = on a par with the market; 1.10 = ten per cent better);
* the **perceived price profile**: the brand's mean perceived-price rating divided by the mean of
  the other brands' (``study.price["perceived"]``, a ``{brand}`` column template).

On the value map (quality ratio across, price ratio up), the **fair-value line** is where
price is in line with quality: by default Gale's diagonal through the market average (1, 1) with
slope one, or a line fitted through the brands (``fair_value="fit"``).  A brand below the line
charges less than its quality would justify: it offers *better value*; a brand above it offers
*worse value*.  ``value_advantage`` is the fair price ratio minus the actual one (positive =
better value); within ``tolerance`` of the line a brand is at *fair value*.

The other brands' mean is the plain mean of their brand means, or weighted by ``shares`` (market
shares) when given, as Gale does when the market is dominated by a few brands.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from ..study import Study
from ._common import WeightsLike, numeric_column, resolve_weights, warn, weighted_mean_se
from .benchmark import brand_performance
from .importance import attribute_importance

__all__ = ["ZONES", "perceived_price", "quality_profile", "value_map"]

#: The zones of the value map.
ZONES = ("better value", "fair value", "worse value")


def _others_mean(values: pd.Series, brand: str, shares: Mapping[str, float] | None) -> float:
    rest = values.drop(index=brand).dropna()
    if rest.empty:
        return np.nan
    if shares is None:
        return float(rest.mean())
    w = np.array([float(shares.get(b, 0.0)) for b in rest.index])
    if w.sum() <= 0:
        return np.nan
    return float(np.dot(w, rest.to_numpy()) / w.sum())


def _check_shares(study: Study, shares: Mapping[str, float] | None) -> None:
    if shares is None:
        return
    names = {b.name for b in study.brands}
    for k, v in shares.items():
        if k not in names:
            raise DataError(f"shares: unknown brand '{k}' (known: {', '.join(sorted(names))})")
        if not np.isfinite(v) or v < 0:
            raise DataError(f"shares: brand '{k}' has share {v!r}; expected a non-negative number")


def quality_profile(
    data: pd.DataFrame,
    study: Study,
    *,
    importance: str | pd.DataFrame = "stated",
    run_dir: str | Path | None = None,
    components: tuple[str, ...] | None = None,
    shares: Mapping[str, float] | None = None,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """Gale's market-perceived quality profile: attribute × brand score ratios and weights.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    importance : {"stated", "derived"} or DataFrame
        Source of the attribute weights (a table needs columns ``attribute`` and
        ``importance``).
    run_dir : str or Path, optional
        Run directory, read for derived importance.
    components : tuple of str, optional
        Value components making up quality (default: every component except ``price``).
    shares : mapping of brand name to market share, optional
        Weights of the other brands in the market mean (default: equal).
    weights : str or array-like, optional
        Respondent weights.

    Returns
    -------
    DataFrame
        One row per (attribute, brand): ``attribute``, ``label``, ``component``, ``weight``
        (importance share among the attributes kept), ``brand``, ``score``, ``others_score``,
        ``ratio`` (score / others_score), ``weighted_ratio`` (weight × ratio), ``included``,
        ``note``.  An attribute without ratings for some brand, or without importance, is left
        out of every brand's profile (so the ratios stay comparable): ``included`` False,
        ``note`` says why, and a warning is issued.

    Examples
    --------
    >>> qp = quality_profile(data, study, weights="weight")  # doctest: +SKIP
    >>> qp.pivot(index="label", columns="brand", values="ratio")  # doctest: +SKIP
    """
    _check_shares(study, shares)
    comps = set(components) if components is not None else \
        {a.component for a in study.attributes} - {"price"}
    attrs = [a for a in study.attributes if a.component in comps]
    if not attrs:
        raise AnalysisError(
            f"components: no attribute belongs to {sorted(comps)} (the quality components)"
        )
    if isinstance(importance, pd.DataFrame):
        if not {"attribute", "importance"} <= set(importance.columns):
            raise DataError("importance: the table needs columns attribute and importance")
        imp = importance.drop_duplicates("attribute").set_index("attribute")["importance"]
    else:
        imp = attribute_importance(data, study, source=importance, run_dir=run_dir,
                                   weights=weights).set_index("attribute")["importance"]
    perf = brand_performance(data, study, weights=weights)
    scores = perf.pivot(index="attribute", columns="brand", values="mean")
    brand_names = [b.name for b in study.brands]
    empty = [b for b in brand_names if scores[b].isna().all()]
    if study.brand.name in empty:
        raise AnalysisError(
            f"brand: the focal brand '{study.brand.name}' has no ratings on any attribute"
        )
    brands = [b for b in brand_names if b not in empty]
    if len(brands) < 2:
        raise AnalysisError("brands: a value map needs at least two brands with ratings")
    notes: dict[str, str] = {}
    for a in attrs:
        lacking = [b for b in brands if not np.isfinite(scores.loc[a.id, b])]
        val = imp.get(a.id, np.nan)
        if lacking:
            notes[a.id] = f"no ratings for {', '.join(lacking)}: left out of every profile"
        elif not np.isfinite(val) or val < 0:
            notes[a.id] = "no usable importance: left out of every profile"
        elif any(scores.loc[a.id, b] <= 0 for b in brands):
            notes[a.id] = "a brand's mean score is not positive: ratios undefined"
    for aid, msg in notes.items():
        warn(f"quality profile: attribute '{aid}' {msg}")
    kept = [a for a in attrs if a.id not in notes]
    if not kept:
        raise AnalysisError("quality profile: no attribute is rated for every brand")
    wsum = float(sum(imp[a.id] for a in kept))
    if wsum <= 0:
        raise AnalysisError("quality profile: the importance of the kept attributes sums to zero")
    rows = []
    for a in attrs:
        included = a.id not in notes
        wt = float(imp[a.id]) / wsum if included else np.nan
        row_scores = scores.loc[a.id, brands]
        for b in brand_names:
            s = scores.loc[a.id, b] if b in brands else np.nan
            o = _others_mean(row_scores, b, shares) if b in brands else np.nan
            ratio = s / o if included and o and np.isfinite(o) else np.nan
            note = notes.get(a.id, "")
            if b in empty:
                note = "brand has no ratings: left out"
            rows.append({"attribute": a.id, "label": a.label, "component": a.component,
                         "weight": wt, "brand": b, "score": s, "others_score": o,
                         "ratio": ratio, "weighted_ratio": wt * ratio if included else np.nan,
                         "included": included and b in brands, "note": note})
    return pd.DataFrame(rows)


def perceived_price(
    data: pd.DataFrame,
    study: Study,
    *,
    weights: WeightsLike = None,
    shares: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Mean perceived price of each brand and its ratio to the other brands' mean.

    Parameters
    ----------
    data : DataFrame
    study : Study
        ``study.price["perceived"]`` names the ``{brand}`` column template.
    weights : str or array-like, optional
    shares : mapping of brand name to market share, optional

    Returns
    -------
    DataFrame
        One row per brand: ``brand``, ``column``, ``n``, ``price``, ``se``, ``others_price``,
        ``price_ratio``, ``note``.  A brand whose column is missing, empty, or whose mean price
        is zero or negative gets NaN, a ``note`` and a warning, and is left out of the other
        brands' mean.

    Examples
    --------
    >>> perceived_price(data, study, weights="weight")  # doctest: +SKIP
    """
    _check_shares(study, shares)
    template = (study.price or {}).get("perceived")
    if not template:
        raise DataError("price.perceived: the study names no perceived-price question "
                        "(a {brand} column template such as 'price_{brand}')")
    w = resolve_weights(data, weights)
    rows = []
    for b in study.brands:
        col = template.format(brand=b.code)
        row = {"brand": b.name, "column": col, "n": 0, "price": np.nan, "se": np.nan, "note": ""}
        if col not in data.columns:
            row["note"] = f"column '{col}' not in data"
        else:
            m, se, n = weighted_mean_se(numeric_column(data, col, "price.perceived"), w)
            row.update(n=n, price=m, se=se)
            if n == 0:
                row["note"] = f"no perceived-price ratings in column '{col}'"
            elif m <= 0:
                row["note"] = f"mean perceived price in column '{col}' is {m:g}; must be positive"
                row["price"] = np.nan
        if row["note"]:
            warn(f"perceived price of brand '{b.name}': {row['note']}; left off the value map")
        rows.append(row)
    out = pd.DataFrame(rows)
    prices = out.set_index("brand")["price"]
    out["others_price"] = [_others_mean(prices, b, shares) if np.isfinite(p) else np.nan
                           for b, p in prices.items()]
    out["price_ratio"] = out["price"] / out["others_price"]
    return out[["brand", "column", "n", "price", "se", "others_price", "price_ratio", "note"]]


def value_map(
    data: pd.DataFrame,
    study: Study,
    *,
    importance: str | pd.DataFrame = "stated",
    run_dir: str | Path | None = None,
    components: tuple[str, ...] | None = None,
    shares: Mapping[str, float] | None = None,
    fair_value: str = "diagonal",
    tolerance: float = 0.02,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """Gale's customer value map: quality ratio, price ratio and value zone of every brand.

    Parameters
    ----------
    data : DataFrame
    study : Study
    importance : {"stated", "derived"} or DataFrame
        Source of the quality-attribute weights.
    run_dir : str or Path, optional
    components : tuple of str, optional
        Components making up quality (default: all but ``price``).
    shares : mapping, optional
        Market shares weighting the other brands' mean.
    fair_value : {"diagonal", "fit"}
        ``"diagonal"``: the line through (1, 1) with slope one (price in proportion to quality);
        ``"fit"``: the least-squares line through the brands' points (needs three brands).
    tolerance : float
        Half-width of the *fair value* band around the line, in price-ratio units.
    weights : str or array-like, optional

    Returns
    -------
    DataFrame
        One row per brand: ``brand``, ``is_focal``, ``quality_ratio``, ``price_ratio``,
        ``fair_price_ratio`` (the line at the brand's quality), ``value_advantage``
        (fair − actual price ratio), ``zone``, ``fair_value_slope``, ``fair_value_intercept``,
        ``n_attributes``, ``note``.  Brands without a usable price or quality keep a row with
        ``zone`` NaN and a ``note``.

    Examples
    --------
    >>> vm = value_map(data, study, weights="weight")  # doctest: +SKIP
    >>> vm[["brand", "quality_ratio", "price_ratio", "zone"]]  # doctest: +SKIP
    """
    if fair_value not in ("diagonal", "fit"):
        raise AnalysisError(f"fair_value: expected 'diagonal' or 'fit', got {fair_value!r}")
    if not np.isfinite(tolerance) or tolerance < 0:
        raise AnalysisError(f"tolerance: expected a non-negative number, got {tolerance!r}")
    qp = quality_profile(data, study, importance=importance, run_dir=run_dir,
                         components=components, shares=shares, weights=weights)
    pp = perceived_price(data, study, weights=weights, shares=shares).set_index("brand")
    inc = qp[qp["included"]]
    q = inc.groupby("brand", sort=False)["weighted_ratio"].sum()
    rows = []
    for b in study.brands:
        qr = float(q.get(b.name, np.nan))
        pr = float(pp.loc[b.name, "price_ratio"])
        notes = []
        if not np.isfinite(qr):
            notes.append("no quality ratio (brand has no ratings)")
        if not np.isfinite(pr):
            notes.append(pp.loc[b.name, "note"] or "no price ratio")
        rows.append({"brand": b.name, "is_focal": b.name == study.brand.name,
                     "quality_ratio": qr, "price_ratio": pr,
                     "n_attributes": int(inc.loc[inc["brand"] == b.name, "attribute"].nunique()),
                     "note": "; ".join(notes)})
    out = pd.DataFrame(rows)
    ok = out["quality_ratio"].notna() & out["price_ratio"].notna()
    if ok.sum() < 2:
        raise AnalysisError(
            "value map: fewer than two brands have both a quality and a price ratio "
            f"({', '.join(out.loc[~ok, 'brand'] + ': ' + out.loc[~ok, 'note'])})"
        )
    if fair_value == "diagonal":
        slope, intercept = 1.0, 0.0
    else:
        if ok.sum() < 3:
            raise AnalysisError("fair_value: 'fit' needs at least three brands on the map")
        slope, intercept = np.polyfit(out.loc[ok, "quality_ratio"], out.loc[ok, "price_ratio"], 1)
    out["fair_price_ratio"] = intercept + slope * out["quality_ratio"]
    out["value_advantage"] = out["fair_price_ratio"] - out["price_ratio"]
    out["zone"] = pd.Series(
        np.where(~ok, None,
                 np.where(out["value_advantage"] > tolerance, ZONES[0],
                          np.where(out["value_advantage"] < -tolerance, ZONES[2], ZONES[1]))),
        dtype=object)
    out["fair_value_slope"] = float(slope)
    out["fair_value_intercept"] = float(intercept)
    return out[["brand", "is_focal", "quality_ratio", "price_ratio", "fair_price_ratio",
                "value_advantage", "zone", "fair_value_slope", "fair_value_intercept",
                "n_attributes", "note"]]
