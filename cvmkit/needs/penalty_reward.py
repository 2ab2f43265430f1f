"""Penalty–reward contrast analysis (PRCA).

Brandt (1987) asked whether poor performance on an attribute costs more overall satisfaction than
excellent performance earns. Each attribute's performance rating is turned into two dummies — *low*
(rated at or below a low threshold) and *high* (at or above a high threshold), the middle being
the reference — and overall satisfaction or value is regressed on all of them at once. The low
dummy's coefficient, sign flipped, is the **penalty**; the high dummy's coefficient is the
**reward**. Their balance is summarised by the impact-asymmetry index
``IA = (reward − penalty) / (|reward| + |penalty|)`` (Mikulić & Prebežac 2008, building on Mittal,
Ross & Baldasare 1998), from −1 (only dissatisfies) to +1 (only satisfies), and attributes are
classed as in the three-factor theory (Matzler & Sauerwein 2002): *basic* factors penalise more
than they reward, *excitement* factors reward more than they penalise, *performance* factors do
both about equally, *low impact* ones neither.

The regression is weighted least squares from statsmodels with heteroskedasticity-robust (HC1)
standard errors by default; the dummy coding, thresholds, skips and classification are ours, as
no library offers them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..errors import AnalysisError, CvmkitWarning, DataError
from ._common import (
    Columns,
    as_column_map,
    check_columns,
    check_frame,
    insert_segment,
    numeric,
    resolve_weights,
    segment_groups,
)

__all__ = ["PRCA_CLASSES", "default_thresholds", "penalty_reward"]

#: The four penalty–reward classes.
PRCA_CLASSES = ("basic", "performance", "excitement", "low impact")


def default_thresholds(scale_min: float, scale_max: float, low_share: float = 0.4,
                       high_share: float = 0.2) -> tuple[float, float]:
    """Low and high thresholds from a rating scale: its bottom and top boxes.

    With ``P`` scale points, a rating is *low* at or below ``min + k_low − 1`` and *high* at or
    above ``max − k_high + 1``, where ``k_low = round(low_share × P)`` and
    ``k_high = round(high_share × P)`` (each at least 1). The defaults take the top box(es) as
    excellent performance and the lower part of the scale, clearly below its middle, as poor —
    ratings of performance lean towards the top of a scale, so the "excellent" group is kept
    narrower than the "poor" one. On a 1–10 scale this is ≤ 4 and ≥ 9 (top-two box), on a 1–5
    scale ≤ 2 and 5 (top box), on 0–10 ≤ 3 and ≥ 9. Published applications differ on this
    choice (Albayrak & Caber 2013 review them); pass ``low``/``high`` to use your own.

    Examples
    --------
    >>> from cvmkit.needs import default_thresholds
    >>> default_thresholds(1, 10), default_thresholds(1, 5), default_thresholds(0, 10)
    ((4.0, 9.0), (2.0, 5.0), (3.0, 9.0))
    """
    if not scale_max > scale_min:
        raise DataError(f"scale: max ({scale_max}) must be above min ({scale_min})")
    points = int(round(scale_max - scale_min)) + 1
    k_low = max(1, int(round(low_share * points)))
    k_high = max(1, int(round(high_share * points)))
    if k_low + k_high >= points:
        raise DataError(f"scale {scale_min:g}–{scale_max:g}: low_share {low_share} and high_share "
                        f"{high_share} leave no middle rating between the thresholds")
    return float(scale_min + k_low - 1), float(scale_max - k_high + 1)


def _thresholds(attrs: list[str], low: Any, high: Any,
                scale: Any) -> dict[str, tuple[float, float]]:
    if (low is None) != (high is None) and scale is None:
        raise DataError("penalty_reward: give both low and high thresholds, or a scale")
    if low is None or high is None:
        if scale is None:
            raise DataError("penalty_reward: give the low and high thresholds or the rating "
                            "scale (min, max) to derive them from")
        smin = getattr(scale, "min", None)
        smax = getattr(scale, "max", None)
        if smin is None:
            try:
                smin, smax = scale
            except (TypeError, ValueError):
                raise DataError(f"scale: expected (min, max) or a Scale, got {scale!r}") from None
        dlow, dhigh = default_thresholds(float(smin), float(smax))
        low = dlow if low is None else low
        high = dhigh if high is None else high
    out = {}
    for a in attrs:
        lo = low.get(a) if isinstance(low, Mapping) else low
        hi = high.get(a) if isinstance(high, Mapping) else high
        if lo is None or hi is None:
            raise DataError(f"penalty_reward: no low/high threshold for attribute '{a}'")
        lo, hi = float(lo), float(hi)
        if not lo < hi:
            raise DataError(f"penalty_reward: attribute '{a}': the low threshold ({lo:g}) must be "
                            f"below the high threshold ({hi:g})")
        out[a] = (lo, hi)
    return out


def penalty_reward(
    data: pd.DataFrame,
    performance: Columns,
    outcome: str,
    low: float | Mapping[str, float] | None = None,
    high: float | Mapping[str, float] | None = None,
    scale: Any = None,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
    alpha: float = 0.05,
    asymmetry: float = 0.2,
    min_group: int = 5,
    cov_type: str = "HC1",
) -> pd.DataFrame:
    """Penalty–reward contrast analysis of attribute performance on an overall outcome.

    For every attribute j two dummies are built: ``low_j`` (rating ≤ ``low``) and ``high_j``
    (rating ≥ ``high``); the outcome is regressed (weighted least squares) on all dummies of all
    attributes together. Then ``penalty_j = −b(low_j)``, ``reward_j = b(high_j)``, with
    ``1 − alpha`` confidence intervals, ``range = |penalty| + |reward|`` and the impact-asymmetry
    index ``ia = (reward − penalty) / range``.

    The class rule: *low impact* when neither the penalty nor the reward is significantly above
    zero (its interval's lower end ≤ 0); otherwise *basic* when ``ia < −asymmetry``,
    *excitement* when ``ia > asymmetry`` and *performance* in between.

    Respondents missing the outcome or any attribute's rating are left out (listwise).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    performance : mapping or list
        ``{attribute: performance column}``.
    outcome : str
        Overall satisfaction or value column.
    low, high : float or mapping, optional
        Thresholds (inclusive), one for all attributes or ``{attribute: threshold}``. Default:
        :func:`default_thresholds` of ``scale``.
    scale : Scale or (min, max), optional
        The rating scale, to derive the default thresholds.
    weights : str or array, optional
        Respondent weights.
    by : str, optional
        Segment column: a separate model per segment.
    alpha : float
        1 − confidence level of the intervals (and of the significance in the class rule).
    asymmetry : float
        |ia| above which an attribute is basic or excitement rather than performance.
    min_group : int
        A dummy with fewer respondents than this (or with every respondent) cannot be estimated:
        it is left out of the model, its penalty or reward is NaN, ``class`` is NaN and the row
        says why in ``note`` (and a :class:`CvmkitWarning` counts the skips).
    cov_type : str
        statsmodels covariance type (``"HC1"`` robust by default, ``"nonrobust"`` classical).

    Returns
    -------
    DataFrame
        ``[by,] attribute, n, n_low, n_high, low, high, penalty, penalty_se, penalty_lo,
        penalty_hi, reward, reward_se, reward_lo, reward_hi, range, ia, class, r2, note``.

    Raises
    ------
    DataError
        Missing or non-numeric columns, bad thresholds.
    AnalysisError
        Too few complete respondents to fit the model. Per segment (``by``), such a segment is
        instead kept with NaN results and a note, and counted in the warning.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cvmkit.needs import penalty_reward
    >>> x = np.tile(np.arange(1, 11), 20)
    >>> y = 5 - 2.0 * (x <= 3) + 0.5 * (x >= 8)
    >>> t = penalty_reward(pd.DataFrame({"p": x, "y": y}), {"hygiene": "p"}, "y", low=3, high=8)
    >>> t[["penalty", "reward", "class"]].round(2).values.tolist()
    [[2.0, 0.5, 'basic']]
    """
    check_frame(data)
    perf = as_column_map(performance, "penalty_reward")
    check_columns(data, [*perf.values(), outcome], "penalty_reward")
    if not 0 < alpha < 1:
        raise DataError(f"alpha: expected a number between 0 and 1, got {alpha!r}")
    thr = _thresholds(list(perf), low, high, scale)
    w = resolve_weights(data, weights)
    y = numeric(data, outcome, "penalty_reward")
    x = {a: numeric(data, c, "penalty_reward") for a, c in perf.items()}
    complete = np.isfinite(y) & (w > 0)
    for a in perf:
        complete &= np.isfinite(x[a])

    frames = []
    skipped: list[str] = []
    for level, mask in segment_groups(data, by):
        use = mask & complete
        where = f" in segment {level!r}" if level is not None else ""
        try:
            fit = _fit(perf, thr, x, y, w, use, where, alpha, asymmetry, min_group, cov_type,
                       skipped)
        except AnalysisError as exc:
            if by is None:
                raise
            fit = _empty(perf, thr, int(use.sum()), f"skipped: {exc}")
            skipped.append(f"segment {level!r} ({exc})")
        frames.append(insert_segment(fit, by, level))
    if skipped:
        warnings.warn(f"penalty_reward: {len(skipped)} dummy/dummies or segment(s) skipped: "
                      + "; ".join(skipped), CvmkitWarning, stacklevel=2)
    return pd.concat(frames, ignore_index=True)


def _fit(perf: dict[str, str], thr: dict[str, tuple[float, float]], x: dict[str, np.ndarray],
         y: np.ndarray, w: np.ndarray, use: np.ndarray, where: str, alpha: float,
         asymmetry: float, min_group: int, cov_type: str, skipped: list[str]) -> pd.DataFrame:
    n = int(use.sum())
    cols: list[np.ndarray] = []
    names: list[tuple[str, str]] = []
    counts: dict[tuple[str, str], int] = {}
    notes: dict[str, list[str]] = {a: [] for a in perf}
    for a in perf:
        lo, hi = thr[a]
        for kind, dummy, rule in (("low", x[a][use] <= lo, f"≤ {lo:g}"),
                                  ("high", x[a][use] >= hi, f"≥ {hi:g}")):
            k = int(dummy.sum())
            counts[(a, kind)] = k
            if k < min_group or k == n:
                what = "penalty" if kind == "low" else "reward"
                reason = (f"{k} respondent(s) rated {rule}" if k < min_group
                          else f"every respondent rated {rule}")
                notes[a].append(f"{what} skipped: {reason}{where}")
                skipped.append(f"{a} {kind}{where} ({reason})")
                continue
            cols.append(dummy.astype(float))
            names.append((a, kind))
    p = len(cols)
    if n < p + 2:
        raise AnalysisError(f"penalty_reward{where}: {n} complete respondent(s) for {p} dummies; "
                            f"at least {p + 2} are needed")
    X = np.column_stack([np.ones(n), *cols]) if cols else np.ones((n, 1))
    res = sm.WLS(y[use], X, weights=w[use]).fit(cov_type=cov_type)
    beta, se = np.asarray(res.params), np.asarray(res.bse)
    zq = stats.norm.ppf(1 - alpha / 2) if cov_type != "nonrobust" else stats.t.ppf(
        1 - alpha / 2, res.df_resid)
    est = {nm: (beta[i + 1], se[i + 1]) for i, nm in enumerate(names)}
    rows = []
    for a in perf:
        lo, hi = thr[a]
        row: dict[str, Any] = {"attribute": a, "n": n, "n_low": counts[(a, "low")],
                               "n_high": counts[(a, "high")], "low": lo, "high": hi}
        pen = est.get((a, "low"))
        rew = est.get((a, "high"))
        pv, ps = (-pen[0], pen[1]) if pen else (np.nan, np.nan)
        rv, rs = rew if rew else (np.nan, np.nan)
        row.update(penalty=pv, penalty_se=ps, penalty_lo=pv - zq * ps, penalty_hi=pv + zq * ps,
                   reward=rv, reward_se=rs, reward_lo=rv - zq * rs, reward_hi=rv + zq * rs)
        rng = abs(pv) + abs(rv)
        row["range"] = rng
        row["ia"] = (rv - pv) / rng if np.isfinite(rng) and rng > 0 else np.nan
        row["class"] = _classify(row, asymmetry) if pen and rew else np.nan
        row["r2"] = float(res.rsquared)
        row["note"] = "; ".join(notes[a])
        rows.append(row)
    return pd.DataFrame(rows)


def _empty(perf: dict[str, str], thr: dict[str, tuple[float, float]], n: int,
           note: str) -> pd.DataFrame:
    nan = np.nan
    return pd.DataFrame([{
        "attribute": a, "n": n, "n_low": nan, "n_high": nan, "low": thr[a][0],
        "high": thr[a][1], "penalty": nan, "penalty_se": nan, "penalty_lo": nan,
        "penalty_hi": nan, "reward": nan, "reward_se": nan, "reward_lo": nan, "reward_hi": nan,
        "range": nan, "ia": nan, "class": nan, "r2": nan, "note": note} for a in perf])


def _classify(row: dict[str, Any], asymmetry: float) -> str:
    if not (row["penalty_lo"] > 0 or row["reward_lo"] > 0):
        return "low impact"
    if row["ia"] < -asymmetry:
        return "basic"
    if row["ia"] > asymmetry:
        return "excitement"
    return "performance"
