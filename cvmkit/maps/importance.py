"""Attribute importance for the maps: stated (asked) or derived (from the driver analysis).

Stated importance is the (weighted) mean of each attribute's importance question.  Derived
importance is the LMG share of R² that notebook 03 writes to its ``importance`` table
(``read_table(run_dir, "03_driver_regression", "importance")``, rows with ``method == "lmg"``,
column ``share``).  When that table does not exist yet — notebook 03 has not run — the maps fall
back to stated importance, warn, and say so in the ``note`` column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from ..study import Study
from ._common import (
    WeightsLike,
    numeric_column,
    resolve_weights,
    segment_groups,
    warn,
    weighted_mean_se,
)

__all__ = ["IMPORTANCE_SOURCES", "attribute_importance", "derived_importance"]

#: The importance sources the maps accept.
IMPORTANCE_SOURCES = ("stated", "derived")

_DRIVER_NOTEBOOK = "03_driver_regression"
FALLBACK_NOTE = (
    "derived importance not available (notebook 03_driver_regression has not run): "
    "stated importance used instead"
)


def derived_importance(
    study: Study,
    *,
    run_dir: str | Path | None = None,
    table: pd.DataFrame | None = None,
    method: str = "lmg",
) -> pd.DataFrame | None:
    """Derived importance of each attribute from the driver analysis, or None when absent.

    Parameters
    ----------
    study : Study
    run_dir : str or Path, optional
        The run directory; its ``03_driver_regression`` ``importance`` table is read.
    table : DataFrame, optional
        That table given directly (columns ``driver``, ``method``, ``share``); overrides
        ``run_dir``.
    method : str
        The relative-importance method to use (``"lmg"``).

    Returns
    -------
    DataFrame or None
        One row per attribute: ``attribute``, ``importance`` (the method's share), ``lower``,
        ``upper`` (when the table has them), ``note``.  None when there is no table.

    Examples
    --------
    >>> drv = derived_importance(study, run_dir="reports/lab")  # doctest: +SKIP
    """
    if table is None:
        if run_dir is None:
            return None
        try:
            from ..io import read_table
        except ImportError:  # the run-directory helpers are not installed
            return None
        table = read_table(run_dir, _DRIVER_NOTEBOOK, "importance")
        if table is None:
            return None
    missing = [c for c in ("driver", "method", "share") if c not in table.columns]
    if missing:
        raise DataError(
            f"derived importance table: columns {missing} missing (expected driver, method, share)"
        )
    rows = table[table["method"].astype(str).str.lower() == method.lower()]
    if rows.empty:
        raise DataError(
            f"derived importance table: no rows with method == '{method}' "
            f"(methods present: {sorted(table['method'].astype(str).unique())})"
        )
    lookup = _driver_lookup(study)
    out = []
    seen = set()
    for _, r in rows.iterrows():
        aid = lookup.get(str(r["driver"]))
        if aid is None or aid in seen:
            continue
        seen.add(aid)
        out.append({
            "attribute": aid,
            "importance": float(r["share"]),
            "lower": float(r["lower"]) if "lower" in rows and pd.notna(r["lower"]) else np.nan,
            "upper": float(r["upper"]) if "upper" in rows and pd.notna(r["upper"]) else np.nan,
        })
    frame = pd.DataFrame(out, columns=["attribute", "importance", "lower", "upper"])
    return frame


def _driver_lookup(study: Study) -> dict[str, str]:
    """Map every name a driver may carry (id, label, any brand's column) to the attribute id."""
    lookup: dict[str, str] = {}
    for a in study.attributes:
        lookup[a.id] = a.id
        lookup[a.label] = a.id
        lookup[a.performance] = a.id
        for b in study.brands:
            lookup[a.performance_column(b)] = a.id
    return lookup


def attribute_importance(
    data: pd.DataFrame,
    study: Study,
    *,
    source: str = "stated",
    run_dir: str | Path | None = None,
    derived: pd.DataFrame | None = None,
    by: str | None = None,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """Importance of each attribute, stated or derived, overall or by segment.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data (one row per respondent).
    study : Study
    source : {"stated", "derived"}
        ``"stated"``: weighted mean of each attribute's importance question.  ``"derived"``: the
        LMG share of R² from the driver analysis (``derived`` or the table in ``run_dir``); when
        it is not available, stated importance is used, a :class:`~cvmkit.errors.CvmkitWarning`
        is issued and ``note`` says so.
    run_dir : str or Path, optional
        Run directory holding notebook 03's tables.
    derived : DataFrame, optional
        The driver importance table itself (columns ``driver``, ``method``, ``share``).
    by : str, optional
        A segment column: one block of rows per segment level.  Derived importance is estimated
        on all respondents, so every segment gets the same values (``note`` says so).
    weights : str or array-like, optional
        Respondent weights (a column of ``data`` or one value per row).

    Returns
    -------
    DataFrame
        One row per (segment, attribute): ``segment`` ("All" without ``by``), ``attribute``,
        ``label``, ``component``, ``importance``, ``share`` (importance / sum over attributes in
        the segment), ``rank`` (1 = most important), ``n``, ``source`` (what was used),
        ``note``.

    Examples
    --------
    >>> imp = attribute_importance(data, study, source="stated", weights="weight")  # doctest: +SKIP
    >>> imp.sort_values("rank")[["label", "importance"]].head(3)  # doctest: +SKIP
    """
    if source not in IMPORTANCE_SOURCES:
        raise AnalysisError(
            f"source: expected one of {', '.join(IMPORTANCE_SOURCES)}, got {source!r}"
        )
    w = resolve_weights(data, weights)
    groups = segment_groups(data, by)
    used = source
    note = ""
    drv = None
    if source == "derived":
        drv = derived_importance(study, run_dir=run_dir, table=derived)
        if drv is None:
            warn(FALLBACK_NOTE)
            used, note = "stated", FALLBACK_NOTE
    rows = []
    for seg, mask in groups:
        for a in study.attributes:
            row = {"segment": seg, "attribute": a.id, "label": a.label,
                   "component": a.component, "importance": np.nan, "n": 0,
                   "source": used, "note": note}
            if used == "derived":
                hit = drv[drv["attribute"] == a.id]
                if hit.empty:
                    row["note"] = f"attribute '{a.id}' not among the drivers of notebook 03"
                else:
                    row["importance"] = float(hit["importance"].iloc[0])
                    row["n"] = int(mask.sum())
                    if by is not None:
                        row["note"] = "derived importance is estimated on all respondents"
            elif a.importance is None:
                row["note"] = f"attribute '{a.id}' has no stated-importance question"
            elif a.importance not in data.columns:
                row["note"] = f"column '{a.importance}' not in data"
            else:
                x = numeric_column(data, a.importance, f"attributes.{a.id}.importance")
                m, _, n = weighted_mean_se(np.where(mask, x, np.nan), w)
                row["importance"], row["n"] = m, n
                if n == 0:
                    row["note"] = f"no answers to '{a.importance}' in segment '{seg}'"
            rows.append(row)
    out = pd.DataFrame(rows)
    skipped = out[out["importance"].isna()]
    for _, r in skipped.drop_duplicates("attribute").iterrows():
        warn(f"importance of attribute '{r['attribute']}' unavailable ({r['note']}); "
             "left off the maps")
    total = out.groupby("segment", sort=False)["importance"].transform("sum")
    out["share"] = out["importance"] / total.where(total > 0)
    out["rank"] = (out.groupby("segment", sort=False)["importance"]
                   .rank(ascending=False, method="min").astype("Int64"))
    cols = ["segment", "attribute", "label", "component", "importance", "share", "rank", "n",
            "source", "note"]
    return out[cols]
