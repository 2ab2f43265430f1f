"""Experience metrics: NPS, CSAT and CES with standard errors, intervals and group differences.

Every estimator returns one tidy row per group (overall, or per level of the ``by`` columns)
with the point estimate, its standard error, a confidence interval, the number of answers ``n``
and the effective sample size ``n_eff``.

Definitions
-----------
* **NPS** — on the 0–10 likelihood-to-recommend question, promoters answer 9–10, passives 7–8 and
  detractors 0–6.  ``NPS = 100 · (p_promoter − p_detractor)``, in points from −100 to 100.  Its
  variance follows from the trinomial distribution of the three groups::

      Var(NPS) = 100² · (p_P + p_D − (p_P − p_D)²) / n

  and the interval is the normal (Wald) interval ``NPS ± z · SE``, clipped to [−100, 100].
* **CSAT** — the mean score and the *top-2-box* share (the two highest scale points, e.g. 4–5 on a
  1–5 scale).  **CES** — the mean effort score and its top-box share (by default the three highest
  points of a 1–7 scale, i.e. "agree it was easy" once the item is keyed so that high = easy).
  Means use a Student-t interval; shares use the normal interval, clipped to [0, 1].
* **Differences** between two independent groups (segments, waves):
  ``d = est_b − est_a``, ``SE(d) = sqrt(SE_a² + SE_b²)``, ``z = d / SE(d)`` with a two-sided
  normal p-value and the interval ``d ± z · SE(d)``.  With more than one comparison a
  Holm-adjusted p-value is reported alongside.

Weights
-------
With respondent weights the point estimates are weighted shares and means.  The variance is,
by default (``variance="kish"``), the unweighted-form variance computed from the weighted
estimates with ``n`` replaced by Kish's effective sample size ``n_eff = (Σw)² / Σw²``.  The
alternative ``variance="linearized"`` is the Taylor-linearisation (sandwich) variance of a
weighted mean, ``Σ w_i² (y_i − ȳ)² / (Σw)²`` (times ``n / (n − 1)`` for means), which also
accounts for any correlation between the weights and the answers.  Both reduce exactly to the
unweighted formulas when all weights are one; the ``variance`` column of every table says which
was used.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import AnalysisError, CvmkitWarning, DataError
from .study import Study

__all__ = [
    "NPS_GROUPS",
    "TOP_BOX",
    "ces",
    "compare_groups",
    "csat",
    "nps",
    "nps_group",
    "score_summary",
    "touchpoint_scores",
]

#: How many of the highest scale points make each metric's top box: the one definition every
#: figure of the metric uses (its level, by group and its change between groups or waves).
TOP_BOX = {"csat": 2, "ces": 3}
#: The three NPS groups, from worst to best.
NPS_GROUPS = ("detractor", "passive", "promoter")

WeightsLike = str | Sequence[float] | np.ndarray | pd.Series | None
_VARIANCES = ("kish", "linearized")


# ---------------------------------------------------------------------------- shared helpers
def _resolve_weights(data: pd.DataFrame, weights: WeightsLike) -> np.ndarray:
    """Respondent weights aligned with ``data`` (ones when None); finite and non-negative."""
    n = len(data)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights: column '{weights}' not in data "
                            f"(columns: {', '.join(map(str, data.columns[:12]))}...)")
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        what = f"column '{weights}'"
    else:
        w = np.asarray(weights, dtype=float).ravel()
        what = "weights"
        if w.shape[0] != n:
            raise DataError(f"weights: expected {n} weights (one per row of data), "
                            f"got {w.shape[0]}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"weights: {what} must hold finite, non-negative numbers; "
                        f"row {data.index[i]!r} has {w[i]!r}")
    return w


def _numeric_column(data: pd.DataFrame, column: str, what: str = "column") -> np.ndarray:
    """``data[column]`` as floats; a clear error when missing or not numeric."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a DataFrame, got {type(data).__name__}")
    if column not in data.columns:
        raise DataError(f"{what} '{column}' not in data")
    s = data[column]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    coerced = pd.to_numeric(s, errors="coerce")
    bad = coerced.isna() & s.notna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError(f"{what} '{column}' should be numeric; row {data.index[i]!r} holds "
                        f"{s.iloc[i]!r}")
    return coerced.to_numpy(dtype=float)


def _check_range(x: np.ndarray, data: pd.DataFrame, column: str, lo: float, hi: float) -> None:
    bad = np.isfinite(x) & ((x < lo) | (x > hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"column '{column}': value {x[i]:g} in row {data.index[i]!r} is outside "
                        f"the scale {lo:g}–{hi:g} ({int(bad.sum())} such value(s))")


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence: expected a level between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _check_variance(variance: str) -> None:
    if variance not in _VARIANCES:
        raise AnalysisError(f"variance: expected one of {', '.join(_VARIANCES)}, got {variance!r}")


def _weighted_stats(y: np.ndarray, w: np.ndarray, variance: str, ddof: int
                    ) -> tuple[float, float, int, float]:
    """Weighted mean of ``y``, its standard error, n and Kish's effective n.

    ``ddof=0`` gives the ``p(1 − p) / n``-type variance used for shares and NPS; ``ddof=1`` the
    ``s² / n`` with the ``n − 1`` divisor used for means.  Rows with NaN ``y`` or zero weight are
    left out.
    """
    ok = np.isfinite(y) & (w > 0)
    n = int(ok.sum())
    if n == 0:
        return np.nan, np.nan, 0, 0.0
    yv, wv = y[ok], w[ok]
    sw = wv.sum()
    mean = float(np.dot(wv, yv) / sw)
    n_eff = float(sw**2 / np.dot(wv, wv))
    if n - ddof <= 0:
        return mean, np.nan, n, n_eff
    if variance == "kish":
        s2 = float(np.dot(wv, (yv - mean) ** 2) / sw)  # weighted population variance
        if ddof:
            s2 *= n_eff / (n_eff - 1) if n_eff > 1 else np.nan
        var = s2 / n_eff
    else:
        var = float(np.dot(wv**2, (yv - mean) ** 2) / sw**2)
        if ddof:
            var *= n / (n - 1)
    return mean, float(np.sqrt(var)), n, n_eff


def _group_frames(data: pd.DataFrame, by: str | Sequence[str] | None,
                  levels: Sequence | None) -> tuple[list[str], list[tuple[tuple, np.ndarray]]]:
    """Row positions for the overall sample or each level of ``by`` (empty levels included)."""
    if by is None:
        return [], [((), np.arange(len(data)))]
    cols = [by] if isinstance(by, str) else list(by)
    for c in cols:
        if c not in data.columns:
            raise DataError(f"by: column '{c}' not in data")
    if levels is not None and len(cols) != 1:
        raise AnalysisError("levels: only allowed with a single 'by' column")
    positions = _positions_by_key(data, cols)
    expected: list[tuple] = []
    if levels is not None:
        expected = [(v,) for v in levels]
    elif len(cols) == 1 and isinstance(data[cols[0]].dtype, pd.CategoricalDtype):
        expected = [(v,) for v in data[cols[0]].cat.categories]
    order = list(dict.fromkeys(expected + sorted(positions, key=_sort_key)))
    return cols, [(k, positions.get(k, np.zeros(0, dtype=int))) for k in order]


def _positions_by_key(data: pd.DataFrame, cols: list[str]) -> dict[tuple, np.ndarray]:
    """Row positions (ascending) of each combination of the values of ``cols`` that occurs,
    keyed by the tuple of values (as ``tolist`` gives them); rows with a missing value in any
    of ``cols`` are left out."""
    combined = np.zeros(len(data), dtype=np.int64)
    valid = np.ones(len(data), dtype=bool)
    factors = []  # (codes, values) of each column
    for c in cols:
        codes, uniques = pd.factorize(data[c])
        factors.append((codes, uniques.tolist()))
        combined = combined * max(len(uniques), 1) + np.maximum(codes, 0)
        valid &= codes >= 0
    rows = np.flatnonzero(valid)
    if rows.size == 0:
        return {}
    order = rows[np.argsort(combined[rows], kind="stable")]
    starts = np.flatnonzero(np.diff(combined[order])) + 1
    return {tuple(values[codes[part[0]]] for codes, values in factors): part.astype(int)
            for part in np.split(order, starts)}


def _sort_key(key: tuple) -> tuple:
    return tuple((0, v) if isinstance(v, (int, float, np.number)) else (1, str(v)) for v in key)


def _empty_note(cols: list[str], key: tuple, what: str) -> str:
    where = ", ".join(f"{c} = {v!r}" for c, v in zip(cols, key))
    msg = f"no answers to '{what}' where {where}: skipped"
    warnings.warn(msg, CvmkitWarning, stacklevel=5)
    return "no answers: skipped"


def _answered_groups(x: np.ndarray, w: np.ndarray, cols: list[str], groups, column: str,
                     rows: list[dict]):
    """Yield ``(row, answers, weights)`` for each group with answers of positive weight.

    ``row`` starts with the group's key columns and ``n_missing``; the caller fills in its
    statistics and appends it to ``rows``.  A group without answers is appended here as a
    flagged skip (``n = 0`` and a note); with no grouping it is an error.
    """
    for key, pos in groups:
        xs, ws = x[pos], w[pos]
        answered = np.isfinite(xs) & (ws > 0)
        row: dict[str, object] = dict(zip(cols, key))
        row["n_missing"] = int((~np.isfinite(xs)).sum())
        if not answered.any():
            if not cols:
                raise AnalysisError(f"column '{column}' has no answers with positive weight")
            row.update(n=0, n_eff=0.0, note=_empty_note(cols, key, column))
            rows.append(row)
            continue
        yield row, xs[answered], ws[answered]


def _clip(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    return float(np.clip(lo, a, b)), float(np.clip(hi, a, b))


def _scale_of(scale: tuple[float, float] | object) -> tuple[float, float]:
    if hasattr(scale, "min") and hasattr(scale, "max"):
        return float(scale.min), float(scale.max)  # a cvmkit.study.Scale
    lo, hi = scale  # type: ignore[misc]
    if not lo < hi:
        raise AnalysisError(f"scale: min ({lo}) must be below max ({hi})")
    return float(lo), float(hi)


# ---------------------------------------------------------------------------- NPS
def nps_group(scores: pd.Series | Sequence[float], *, promoter_min: int = 9,
              detractor_max: int = 6) -> pd.Series:
    """Label 0–10 recommendation scores as detractor, passive or promoter.

    Parameters
    ----------
    scores : Series or sequence
        Likelihood-to-recommend answers on 0–10; missing values stay missing.
    promoter_min, detractor_max : int
        The classic cut-offs: promoters 9–10, detractors 0–6.

    Returns
    -------
    Series
        Ordered categorical with categories ``NPS_GROUPS``, aligned with ``scores``.

    Examples
    --------
    >>> nps_group([10, 7, 3, None]).tolist()
    ['promoter', 'passive', 'detractor', nan]
    """
    s = pd.Series(scores) if not isinstance(scores, pd.Series) else scores
    x = pd.to_numeric(s, errors="coerce")
    lab = np.where(x >= promoter_min, "promoter", np.where(x <= detractor_max, "detractor",
                                                           "passive")).astype(object)
    lab[x.isna().to_numpy()] = np.nan
    return pd.Series(pd.Categorical(lab, categories=list(NPS_GROUPS), ordered=True),
                     index=s.index, name="nps_group")


def nps(data: pd.DataFrame, column: str, *, by: str | Sequence[str] | None = None,
        weights: WeightsLike = None, levels: Sequence | None = None,
        confidence: float = 0.95, variance: str = "kish") -> pd.DataFrame:
    """Net Promoter Score with promoter/passive/detractor shares, standard error and interval.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    column : str
        The 0–10 likelihood-to-recommend column; missing answers are left out (``n_missing``).
    by : str or list of str, optional
        Report one row per level (segment, wave, …) instead of one overall row.
    weights : str or array-like, optional
        Respondent weights (a column name or one value per row).
    levels : sequence, optional
        The levels of a single ``by`` column that must appear (e.g. every planned wave); a level
        without answers is kept as a row with NaN estimates, a ``note`` and a warning.
    confidence : float
        Level of the interval (0.95).
    variance : {"kish", "linearized"}
        How weights enter the variance (see the module docstring).

    Returns
    -------
    DataFrame
        ``[by…], n, n_missing, n_eff, promoters, passives, detractors, nps, se, ci_low, ci_high,
        variance, note`` — shares as fractions, ``nps``, ``se`` and the interval in points.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"nps": [10, 9, 8, 7, 6, 3, 10, 9, 9, 0]})
    >>> out = nps(d, "nps")
    >>> float(out["nps"].iloc[0]), round(float(out["se"].iloc[0]), 2)
    (20.0, 27.57)
    """
    z = _check_confidence(confidence)
    _check_variance(variance)
    x = _numeric_column(data, column)
    _check_range(x, data, column, 0, 10)
    w = _resolve_weights(data, weights)
    cols, groups = _group_frames(data, by, levels)
    rows: list[dict] = []
    for row, xa, wa in _answered_groups(x, w, cols, groups, column, rows):
        y = np.where(xa >= 9, 1.0, np.where(xa <= 6, -1.0, 0.0))
        score, se, n, n_eff = _weighted_stats(y, wa, variance, ddof=0)
        sw = wa.sum()
        prom = float(wa[y > 0].sum() / sw)
        detr = float(wa[y < 0].sum() / sw)
        lo, hi = _clip(100 * (score - z * se), 100 * (score + z * se), -100, 100)
        row.update(n=n, n_eff=n_eff, promoters=prom, passives=1 - prom - detr, detractors=detr,
                   nps=100 * score, se=100 * se, ci_low=lo, ci_high=hi, note="")
        rows.append(row)
    return _finish(rows, cols, ["n", "n_missing", "n_eff", "promoters", "passives",
                                "detractors", "nps", "se", "ci_low", "ci_high"], variance)


def _finish(rows: list[dict], cols: list[str], stat_cols: list[str], variance: str
            ) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[*cols, *stat_cols, "note"])
    out.insert(len(out.columns) - 1, "variance", variance)
    out["n"] = out["n"].astype(int)
    if "n_missing" in out:
        out["n_missing"] = out["n_missing"].astype(int)
    return out


# ---------------------------------------------------------------------------- scores
def score_summary(data: pd.DataFrame, column: str, *, scale: tuple[float, float] | object,
                  top_box: int = 2, by: str | Sequence[str] | None = None,
                  weights: WeightsLike = None, levels: Sequence | None = None,
                  confidence: float = 0.95, variance: str = "kish") -> pd.DataFrame:
    """Mean score and top-box share of a rating, with standard errors and intervals.

    Parameters
    ----------
    data : DataFrame
    column : str
        The rating column (missing answers left out and counted in ``n_missing``).
    scale : (min, max) or Scale
        The rating scale; an answer outside it is a :class:`~cvmkit.errors.DataError`.
    top_box : int
        How many of the highest scale points count as the top box (2 → 4–5 on a 1–5 scale).
    by, weights, levels, confidence, variance
        As in :func:`nps`.

    Returns
    -------
    DataFrame
        ``[by…], n, n_missing, n_eff, mean, mean_se, mean_ci_low, mean_ci_high, top_box,
        top_box_se, top_box_ci_low, top_box_ci_high, variance, note``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"csat": [5, 4, 4, 3, 2, 5]})
    >>> out = score_summary(d, "csat", scale=(1, 5))
    >>> round(float(out["mean"].iloc[0]), 3), round(float(out["top_box"].iloc[0]), 3)
    (3.833, 0.667)
    """
    lo_s, hi_s = _scale_of(scale)
    if not isinstance(top_box, (int, np.integer)) or not 1 <= top_box <= hi_s - lo_s:
        raise AnalysisError(f"top_box: expected a whole number from 1 to {int(hi_s - lo_s)}, "
                            f"got {top_box!r}")
    z = _check_confidence(confidence)
    _check_variance(variance)
    x = _numeric_column(data, column)
    _check_range(x, data, column, lo_s, hi_s)
    w = _resolve_weights(data, weights)
    threshold = hi_s - top_box + 1
    cols, groups = _group_frames(data, by, levels)
    rows: list[dict] = []
    for row, xa, wa in _answered_groups(x, w, cols, groups, column, rows):
        m, m_se, n, n_eff = _weighted_stats(xa, wa, variance, ddof=1)
        t = float(stats.t.ppf(0.5 + confidence / 2, max(n_eff - 1, 1))) if n > 1 else np.nan
        p, p_se, _, _ = _weighted_stats((xa >= threshold).astype(float), wa, variance, ddof=0)
        plo, phi = _clip(p - z * p_se, p + z * p_se, 0, 1)
        row.update(n=n, n_eff=n_eff, mean=m, mean_se=m_se, mean_ci_low=m - t * m_se,
                   mean_ci_high=m + t * m_se, top_box=p, top_box_se=p_se, top_box_ci_low=plo,
                   top_box_ci_high=phi, note="")
        rows.append(row)
    return _finish(rows, cols, ["n", "n_missing", "n_eff", "mean", "mean_se", "mean_ci_low",
                                "mean_ci_high", "top_box", "top_box_se", "top_box_ci_low",
                                "top_box_ci_high"], variance)


def csat(data: pd.DataFrame, column: str, *, scale: tuple[float, float] | object = (1, 5),
         top_box: int = TOP_BOX["csat"], **kwargs) -> pd.DataFrame:
    """Customer satisfaction: mean and top-2-box share (see :func:`score_summary`).

    Examples
    --------
    >>> import pandas as pd
    >>> float(csat(pd.DataFrame({"csat": [5, 4, 2, 1]}), "csat")["top_box"].iloc[0])
    0.5
    """
    return score_summary(data, column, scale=scale, top_box=top_box, **kwargs)


def ces(data: pd.DataFrame, column: str, *, scale: tuple[float, float] | object = (1, 7),
        top_box: int = TOP_BOX["ces"], **kwargs) -> pd.DataFrame:
    """Customer effort score: mean and "easy" top-box share (see :func:`score_summary`).

    The item must be keyed so that a high score means *easy* (a study that asks it the other
    way round lists it under ``reverse:`` and the data-collection step recodes it).

    Examples
    --------
    >>> import pandas as pd
    >>> float(ces(pd.DataFrame({"ces": [7, 6, 5, 2]}), "ces")["top_box"].iloc[0])
    0.75
    """
    return score_summary(data, column, scale=scale, top_box=top_box, **kwargs)


def touchpoint_scores(data: pd.DataFrame, study: Study, *, top_box: int = 2,
                      weights: WeightsLike = None, by: str | Sequence[str] | None = None,
                      confidence: float = 0.95, variance: str = "kish") -> pd.DataFrame:
    """Satisfaction with each journey touchpoint of a study: mean and top-box share.

    Returns
    -------
    DataFrame
        ``touchpoint, label, stage, column, [by…]`` followed by the columns of
        :func:`score_summary`, one row per touchpoint (and group), in journey order.

    Examples
    --------
    >>> from cvmkit.study import load_study
    >>> study = load_study("data/demo/study.yaml")  # doctest: +SKIP
    >>> touchpoint_scores(data, study)[["touchpoint", "mean"]]  # doctest: +SKIP
    """
    if not study.touchpoints:
        raise AnalysisError("touchpoints: the study declares no journey touchpoints")
    parts = []
    for t in study.touchpoints:
        s = score_summary(data, t.satisfaction, scale=study.scales[t.scale], top_box=top_box,
                          by=by, weights=weights, confidence=confidence, variance=variance)
        s.insert(0, "column", t.satisfaction)
        s.insert(0, "stage", t.stage)
        s.insert(0, "label", t.label)
        s.insert(0, "touchpoint", t.id)
        parts.append(s)
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------- differences
_METRICS = {"nps": ("nps", "se"), "mean": ("mean", "mean_se"), "top_box": ("top_box", "top_box_se")}


def compare_groups(data: pd.DataFrame, column: str, by: str, *, metric: str = "nps",
                   pairs: str = "all", reference: object | None = None,
                   scale: tuple[float, float] | object | None = None, top_box: int = 2,
                   weights: WeightsLike = None, levels: Sequence | None = None,
                   confidence: float = 0.95, variance: str = "kish") -> pd.DataFrame:
    """Differences in NPS, mean score or top-box share between groups, with a test and interval.

    The groups (segments, waves) are taken as independent samples: ``d = est_b − est_a``,
    ``SE(d) = sqrt(SE_a² + SE_b²)``, a two-sided z-test of ``d = 0`` and the interval
    ``d ± z · SE(d)``.  ``p_holm`` adjusts the p-values for the number of comparisons (Holm).

    Parameters
    ----------
    data : DataFrame
    column : str
        The rating column.
    by : str
        The grouping column (e.g. the wave or a segment).
    metric : {"nps", "mean", "top_box"}
        What to compare; ``mean`` and ``top_box`` need ``scale``.
    pairs : {"all", "consecutive", "reference"}
        Every pair of levels; each level against the one before it (waves); or each level
        against ``reference``.
    reference : optional
        The base level for ``pairs="reference"`` (default: the first level).
    scale, top_box
        As in :func:`score_summary` (for ``mean`` and ``top_box``).
    weights, levels, confidence, variance
        As in :func:`nps`.  A level without answers gives rows with a ``note`` and no test.

    Returns
    -------
    DataFrame
        ``by, group_a, group_b, n_a, n_b, estimate_a, estimate_b, difference, se, z, p_value,
        p_holm, ci_low, ci_high, significant, metric, note`` — ``difference`` is b − a.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"wave": [1] * 4 + [2] * 4, "nps": [10, 9, 5, 3, 10, 9, 9, 8]})
    >>> out = compare_groups(d, "nps", "wave", pairs="consecutive")
    >>> float(out["difference"].iloc[0])
    75.0
    """
    if metric not in _METRICS:
        raise AnalysisError(f"metric: expected one of {', '.join(_METRICS)}, got {metric!r}")
    if pairs not in ("all", "consecutive", "reference"):
        raise AnalysisError(f"pairs: expected 'all', 'consecutive' or 'reference', got {pairs!r}")
    if not isinstance(by, str):
        raise AnalysisError("by: compare_groups takes a single grouping column")
    z = _check_confidence(confidence)
    if metric == "nps":
        table = nps(data, column, by=by, weights=weights, levels=levels, confidence=confidence,
                    variance=variance)
    else:
        if scale is None:
            raise AnalysisError(f"scale: needed to compare '{metric}' (e.g. scale=(1, 5))")
        table = score_summary(data, column, scale=scale, top_box=top_box, by=by,
                              weights=weights, levels=levels, confidence=confidence,
                              variance=variance)
    est_col, se_col = _METRICS[metric]
    lv = table[by].tolist()
    if len(lv) < 2:
        raise AnalysisError(f"by: column '{by}' has {len(lv)} level(s); at least two are needed "
                            "for a comparison")
    if pairs == "all":
        pairs_idx = list(itertools.combinations(range(len(lv)), 2))
    elif pairs == "consecutive":
        pairs_idx = [(i - 1, i) for i in range(1, len(lv))]
    else:
        base = lv[0] if reference is None else reference
        if base not in lv:
            raise AnalysisError(f"reference: level {base!r} not found in column '{by}' "
                                f"(levels: {lv})")
        b = lv.index(base)
        pairs_idx = [(b, i) for i in range(len(lv)) if i != b]
    rows = []
    for i, j in pairs_idx:
        a, b_ = table.iloc[i], table.iloc[j]
        row = {"by": by, "group_a": lv[i], "group_b": lv[j], "n_a": int(a["n"]),
               "n_b": int(b_["n"]), "estimate_a": a.get(est_col, np.nan),
               "estimate_b": b_.get(est_col, np.nan)}
        if a["n"] == 0 or b_["n"] == 0:
            empty = lv[i] if a["n"] == 0 else lv[j]
            row.update(difference=np.nan, se=np.nan, z=np.nan, p_value=np.nan, ci_low=np.nan,
                       ci_high=np.nan, note=f"level {empty!r} has no answers: skipped")
        else:
            d = float(b_[est_col] - a[est_col])
            se = float(np.hypot(a[se_col], b_[se_col]))
            zz = d / se if se > 0 else np.nan
            p = float(2 * stats.norm.sf(abs(zz))) if np.isfinite(zz) else np.nan
            row.update(difference=d, se=se, z=zz, p_value=p, ci_low=d - z * se,
                       ci_high=d + z * se, note="")
        rows.append(row)
    out = pd.DataFrame(rows)
    out["p_holm"] = _holm(out["p_value"].to_numpy(dtype=float))
    out["significant"] = out["p_value"] < (1 - confidence)
    out["metric"] = metric
    order = ["by", "group_a", "group_b", "n_a", "n_b", "estimate_a", "estimate_b", "difference",
             "se", "z", "p_value", "p_holm", "ci_low", "ci_high", "significant", "metric", "note"]
    return out[order]


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN stays NaN and is not counted)."""
    out = np.full_like(p, np.nan, dtype=float)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv)
    adj = np.empty(m)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pv[k]))
        adj[k] = running
    out[ok] = adj
    return out
