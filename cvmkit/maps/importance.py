"""Attribute importance for the maps: stated (asked) or derived (from the driver analysis).

Stated importance is the (weighted) mean of each attribute's importance question.  Derived
importance is the LMG share of R² that notebook 03 writes to its ``importance`` table
(``read_table(run_dir, "03_driver_regression", "importance")``, rows with ``method == "lmg"``,
column ``share``).  When that table does not exist yet — notebook 03 has not run — the maps fall
back to stated importance, warn, and say so in the ``note`` column.

Not every study asks for stated importance, and not every run has notebook 03's table.  When the
source asked for is unavailable and so is the other one, importance is derived here from the
ratings themselves: the LMG share of R² of the study's overall outcome regressed on the focal
brand's attribute ratings (:func:`cvmkit.drivers.relative_importance`, no bootstrap) — the same
measure notebook 03 reports, so the maps stay comparable.  ``note`` says which source was used.
"""

from __future__ import annotations

import warnings
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

__all__ = ["IMPORTANCE_SOURCES", "attribute_importance", "computed_importance",
           "derived_importance"]

#: The importance sources the maps accept.
IMPORTANCE_SOURCES = ("stated", "derived")

_DRIVER_NOTEBOOK = "03_driver_regression"
FALLBACK_NOTE = (
    "derived importance not available (notebook 03_driver_regression has not run): "
    "stated importance used instead"
)
COMPUTED_NOTE = (
    "no stated importance and no driver table from notebook 03_driver_regression: derived "
    "importance computed here (LMG share of R² of the overall {outcome} rating on the focal "
    "brand's attribute ratings)"
)


def derived_importance(
    study: Study,
    *,
    run_dir: str | Path | None = None,
    table: pd.DataFrame | None = None,
    method: str = "lmg",
    by_segment: bool = False,
) -> pd.DataFrame | None:
    """Derived importance of each attribute from the driver analysis, or None when absent.

    Parameters
    ----------
    study : Study
    run_dir : str or Path, optional
        The run directory; its ``03_driver_regression`` table ``importance`` (or
        ``importance_by_segment`` with ``by_segment``) is read.
    table : DataFrame, optional
        Such a table given directly (columns ``driver``, ``method``, ``share``, and ``segment``
        for a table by segment); overrides ``run_dir``.
    method : str
        The relative-importance method to use (``"lmg"``).
    by_segment : bool
        Read the table estimated within each segment.

    Returns
    -------
    DataFrame or None
        One row per attribute (and segment): ``attribute``, ``importance`` (the method's share,
        in the table's unit — per cent for notebook 03), ``lower``, ``upper`` (NaN when the
        table has none), and ``segment`` when the table has one.  None when there is no table.

    Examples
    --------
    >>> drv = derived_importance(study, run_dir="reports/lab")  # doctest: +SKIP
    """
    name = "importance_by_segment" if by_segment else "importance"
    if table is None:
        if run_dir is None:
            return None
        try:
            from ..io import read_table
        except ImportError:  # the run-directory helpers are not installed
            return None
        table = read_table(run_dir, _DRIVER_NOTEBOOK, name)
        if table is None:
            return None
    need = ["driver", "method", "share"] + (["segment"] if by_segment else [])
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError(
            f"derived importance table: columns {missing} missing (expected {', '.join(need)})"
        )
    # beyond the exact size the driver notebook's LMG is estimated from random orders
    wanted = {method.lower(), "shapley_sampled"} if method.lower() == "lmg" else {method.lower()}
    rows = table[table["method"].astype(str).str.lower().isin(wanted)]
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
        seg = str(r["segment"]) if "segment" in rows else None
        if aid is None or (seg, aid) in seen:
            continue
        seen.add((seg, aid))
        row = {
            "attribute": aid,
            "importance": float(r["share"]) if pd.notna(r["share"]) else np.nan,
            "lower": float(r["lower"]) if "lower" in rows and pd.notna(r["lower"]) else np.nan,
            "upper": float(r["upper"]) if "upper" in rows and pd.notna(r["upper"]) else np.nan,
        }
        if seg is not None:
            row["segment"] = seg
        out.append(row)
    cols = ["attribute", "importance", "lower", "upper"] + (["segment"] if "segment" in rows
                                                           else [])
    return pd.DataFrame(out, columns=cols)


def computed_importance(
    data: pd.DataFrame,
    study: Study,
    *,
    weights: WeightsLike = None,
) -> pd.DataFrame | None:
    """Derived importance computed from the data: LMG shares of the overall outcome's R².

    The study's overall outcome (:attr:`~cvmkit.study.Study.overall_outcome`, for the focal
    brand) is regressed on the focal brand's attribute ratings and R² is shared out by LMG
    (:func:`cvmkit.drivers.relative_importance`, without bootstrap).  Used when neither stated
    importance nor notebook 03's table is available.

    Returns
    -------
    DataFrame or None
        Columns ``attribute``, ``importance`` (per cent of R²), ``lower``, ``upper`` (NaN);
        None when the study has no overall outcome, fewer than two rated attributes, or the
        model cannot be fitted (a warning says why).
    """
    from ..drivers import relative_importance
    from ..errors import CvmkitError

    name = study.overall_outcome
    if name is None:
        return None
    outcome = study.outcome_column(name)
    cols = {aid: c for aid, c in study.performance_columns().items() if c in data.columns}
    if outcome not in data.columns or len(cols) < 2:
        return None
    w = resolve_weights(data, weights)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # listwise deletion notes: the shares are enough
            table = relative_importance(data, outcome, cols, methods="lmg", weights=w)
    except CvmkitError as exc:
        warn(f"importance could not be derived from the ratings: {exc}")
        return None
    rows = table[table["method"].isin(["lmg", "shapley_sampled"])]
    return pd.DataFrame({"attribute": rows["driver"].to_numpy(),
                         "importance": rows["share"].to_numpy(dtype=float),
                         "lower": np.nan, "upper": np.nan})


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
        is issued and ``note`` says so.  When the study has no stated-importance question at
        all, either source gives derived importance: notebook 03's table when there is one,
        else :func:`computed_importance` from the ratings (warned, and said in ``note``).
    run_dir : str or Path, optional
        Run directory holding notebook 03's tables.
    derived : DataFrame, optional
        The driver importance table itself (columns ``driver``, ``method``, ``share``, and
        ``segment`` for one estimated by segment).
    by : str, optional
        A segment column: one block of rows per segment level.  Derived importance comes from
        notebook 03's ``importance_by_segment`` table when it covers every level of ``by``
        (estimated within each segment); otherwise the overall values serve every segment, and
        ``note`` says which.
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
    has_stated = any(a.importance and a.importance in data.columns for a in study.attributes)
    drv = drv_seg = None
    if source == "derived":
        if by is not None:
            given = derived if derived is not None and "segment" in derived.columns else None
            if derived is None or given is not None:
                drv_seg = derived_importance(study, run_dir=run_dir, table=given,
                                             by_segment=True)
            levels = {seg for seg, _ in groups}
            if drv_seg is not None and not levels <= set(drv_seg["segment"]):
                drv_seg = None  # estimated for another segmentation: not usable here
        if drv_seg is None:
            given = derived if derived is None or "segment" not in derived.columns else None
            drv = derived_importance(study, run_dir=run_dir, table=given)
        if drv is None and drv_seg is None:
            if has_stated:
                warn(FALLBACK_NOTE)
                used, note = "stated", FALLBACK_NOTE
            else:
                drv = computed_importance(data, study, weights=w)
                if drv is None:
                    warn(FALLBACK_NOTE)
                    used, note = "stated", FALLBACK_NOTE
                else:
                    note = COMPUTED_NOTE.format(outcome=study.overall_outcome)
                    warn(note)
    elif not has_stated:
        # no stated-importance question at all: derived importance is the only measure
        given = derived if derived is None or "segment" not in derived.columns else None
        drv = derived_importance(study, run_dir=run_dir, table=given)
        if drv is not None:
            note = ("the study has no stated-importance questions: derived importance from "
                    "notebook 03_driver_regression used instead")
        else:
            drv = computed_importance(data, study, weights=w)
            if drv is not None:
                note = COMPUTED_NOTE.format(outcome=study.overall_outcome)
        if drv is not None:
            used = "derived"
            warn(note)
    rows = []
    for seg, mask in groups:
        for a in study.attributes:
            row = {"segment": seg, "attribute": a.id, "label": a.label,
                   "component": a.component, "importance": np.nan, "n": 0,
                   "source": used, "note": note}
            if used == "derived":
                if drv_seg is not None:
                    hit = drv_seg[(drv_seg["attribute"] == a.id) & (drv_seg["segment"] == seg)]
                else:
                    hit = drv[drv["attribute"] == a.id]
                if hit.empty or np.isnan(hit["importance"].iloc[0]):
                    row["note"] = (f"attribute '{a.id}' has no derived importance from "
                                   "notebook 03" + (f" in segment '{seg}'" if by else ""))
                else:
                    row["importance"] = float(hit["importance"].iloc[0])
                    row["n"] = int(mask.sum())
                    if by is not None:
                        row["note"] = ("derived importance estimated within the segment"
                                       if drv_seg is not None else
                                       "derived importance is estimated on all respondents")
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
