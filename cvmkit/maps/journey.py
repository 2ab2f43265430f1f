"""Journey map: touchpoints in journey-stage order, with satisfaction, importance and pain points.

Each touchpoint's satisfaction is the (weighted) mean of its satisfaction question with a
Student-t interval.  Its importance is the mean of its importance question when the study declares
one; otherwise it is derived as the (weighted) Pearson correlation between the touchpoint's
satisfaction and an outcome (CSAT by default), and ``importance_source`` says so.

A *pain point* is a touchpoint that matters more than most and satisfies less than most: its
importance is at or above the importance crosshair and its satisfaction below the satisfaction
crosshair — the "concentrate here" quadrant of an importance–performance analysis of the
journey.  Crosshairs sit at the mean over the touchpoints (``"data"``) or at the scale midpoints
(``"scale"``, stated importance only: the touchpoints' satisfaction scale, and for importance
the study's ``importance`` scale when it defines one, else the touchpoints' scale).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._weighted import weighted_corr
from ..errors import AnalysisError, DataError
from ..study import Study
from ._common import (
    WeightsLike,
    check_level,
    numeric_column,
    resolve_weights,
    t_interval,
    warn,
    weighted_mean_se,
)

__all__ = ["journey_map"]


def journey_map(
    data: pd.DataFrame,
    study: Study,
    *,
    weights: WeightsLike = None,
    crosshair: str = "data",
    outcome: str = "csat",
    level: float = 0.95,
) -> pd.DataFrame:
    """Touchpoints in stage order with satisfaction, importance and pain points marked.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
        Its ``touchpoints`` (and ``stages``, which fix the order).
    weights : str or array-like, optional
        Respondent weights.
    crosshair : {"data", "scale"}
        Where "low satisfaction" and "high importance" are cut: the means over touchpoints, or
        the scale midpoints.
    outcome : str
        Outcome used to derive importance for touchpoints without an importance question.
    level : float
        Confidence level of the satisfaction interval.

    Returns
    -------
    DataFrame
        One row per touchpoint, in journey order: ``stage``, ``stage_order`` (1, 2, …),
        ``touchpoint``, ``label``, ``n``, ``satisfaction``, ``se``, ``lower``, ``upper``,
        ``importance``, ``importance_source`` ("stated" or "correlation with <outcome>"),
        ``satisfaction_cross``, ``importance_cross``, ``pain_point``, ``note``.

    Examples
    --------
    >>> jm = journey_map(data, study, weights="weight")  # doctest: +SKIP
    >>> jm.loc[jm["pain_point"], "label"].tolist()  # doctest: +SKIP
    """
    check_level(level)
    if crosshair not in ("data", "scale"):
        raise AnalysisError(f"crosshair: expected 'data' or 'scale', got {crosshair!r}")
    if not study.touchpoints:
        raise AnalysisError("touchpoints: the study declares no journey touchpoints")
    w = resolve_weights(data, weights)
    stages = list(study.stages) or list(dict.fromkeys(t.stage for t in study.touchpoints))
    y = None
    if any(t.importance is None for t in study.touchpoints):
        if outcome in study.outcomes:
            ycol = study.outcome_column(outcome)
            if ycol in data.columns:
                y = numeric_column(data, ycol, f"outcomes.{outcome}")
    rows = []
    for _order, t in sorted(
        enumerate(study.touchpoints), key=lambda it: (stages.index(it[1].stage), it[0])
    ):
        row = {"stage": t.stage, "stage_order": stages.index(t.stage) + 1,
               "touchpoint": t.id, "label": t.label, "n": 0, "satisfaction": np.nan,
               "se": np.nan, "lower": np.nan, "upper": np.nan, "importance": np.nan,
               "importance_source": None, "note": ""}
        if t.satisfaction not in data.columns:
            row["note"] = f"column '{t.satisfaction}' not in data"
            rows.append(row)
            continue
        x = numeric_column(data, t.satisfaction, f"touchpoints.{t.id}.satisfaction")
        m, se, n = weighted_mean_se(x, w)
        lo, hi = t_interval(m, se, n, level)
        row.update(n=n, satisfaction=m, se=se, lower=lo, upper=hi)
        if n == 0:
            row["note"] = f"no answers in column '{t.satisfaction}'"
        if t.importance is not None:
            if t.importance in data.columns:
                imp = numeric_column(data, t.importance, f"touchpoints.{t.id}.importance")
                row["importance"] = weighted_mean_se(imp, w)[0]
                row["importance_source"] = "stated"
            else:
                row["note"] = f"column '{t.importance}' not in data"
        elif y is not None:
            row["importance"] = weighted_corr(x, y, w)[0]
            row["importance_source"] = f"correlation with {outcome}"
        else:
            row["note"] = (f"no importance question and no '{outcome}' outcome to derive it "
                           "from")
        rows.append(row)
    out = pd.DataFrame(rows)
    for _, r in out[out["note"] != ""].iterrows():
        warn(f"touchpoint '{r['touchpoint']}': {r['note']}")
    sources = set(out["importance_source"].dropna())
    if len(sources) > 1:
        raise DataError(
            "touchpoints: importance is stated for some touchpoints and derived for others "
            f"({sorted(sources)}); the two cannot share one axis — declare an importance "
            "question for every touchpoint or for none"
        )
    ok = out["satisfaction"].notna() & out["importance"].notna()
    if crosshair == "data":
        s0 = float(out.loc[ok, "satisfaction"].mean()) if ok.any() else np.nan
        i0 = float(out.loc[ok, "importance"].mean()) if ok.any() else np.nan
    else:
        if sources != {"stated"}:
            raise AnalysisError("crosshair: 'scale' needs stated touchpoint importance")
        s0 = study.scales[study.touchpoints[0].scale].midpoint
        imp_scale = study.scales.get("importance", study.scales[study.touchpoints[0].scale])
        i0 = imp_scale.midpoint
    out["satisfaction_cross"] = s0
    out["importance_cross"] = i0
    out["pain_point"] = (ok & (out["satisfaction"] < s0) & (out["importance"] >= i0)).astype(bool)
    return out[["stage", "stage_order", "touchpoint", "label", "n", "satisfaction", "se",
                "lower", "upper", "importance", "importance_source", "satisfaction_cross",
                "importance_cross", "pain_point", "note"]]
