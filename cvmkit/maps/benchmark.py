"""Competitive benchmark: attribute × brand mean performance, and each brand against the focal one.

:func:`brand_performance` gives the (weighted) mean rating of every brand on every attribute with
a Student-t interval.  :func:`competitive_benchmark` adds, for every competitor and attribute, a
test of the difference from the focal brand and marks the competitor *superior*, *comparable* or
*inferior* after a multiple-comparison correction over all the attribute × competitor tests.

The tests
---------
When most respondents rated both brands (the usual grid where everyone rates every brand they
know) the test is *paired*: the respondent-level differences are averaged.  Otherwise it is
Welch's unequal-variance test on the two sets of ratings.  With respondent weights the means are
weighted and their standard errors are the linearisation estimator used for survey means, which
reduces to the textbook ``s / sqrt(n)`` with unit weights — so with unit weights both tests are
exactly ``scipy.stats.ttest_rel`` and ``scipy.stats.ttest_ind(equal_var=False)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ..errors import AnalysisError
from ..study import Brand, Study
from ._common import (
    WeightsLike,
    check_level,
    numeric_column,
    resolve_brand,
    resolve_weights,
    segment_groups,
    t_interval,
    warn,
    weighted_mean_se,
)

__all__ = ["CORRECTIONS", "VERDICTS", "brand_performance", "competitive_benchmark"]

#: Multiple-comparison corrections accepted (statsmodels ``multipletests`` names; None = none).
CORRECTIONS = ("holm", "bonferroni", "fdr_bh", "sidak", "holm-sidak", None)

#: A competitor's standing against the focal brand on one attribute.
VERDICTS = ("superior", "comparable", "inferior")


def _ratings(data: pd.DataFrame, column: str, what: str) -> np.ndarray | None:
    if column not in data.columns:
        return None
    return numeric_column(data, column, what)


def brand_performance(
    data: pd.DataFrame,
    study: Study,
    *,
    brands: list[str] | None = None,
    by: str | None = None,
    weights: WeightsLike = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean performance of every brand on every attribute, with a confidence interval.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    brands : list of str, optional
        Brand names (default: every brand of the study, focal first).
    by : str, optional
        Segment column: one block of rows per segment level.
    weights : str or array-like, optional
        Respondent weights.
    level : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per (segment, attribute, brand): ``segment``, ``attribute``, ``label``,
        ``component``, ``brand``, ``column``, ``n``, ``mean``, ``se``, ``lower``, ``upper``,
        ``note``.  A column absent from the data or without a single rating gives a row with
        NaN numbers, a ``note`` and a :class:`~cvmkit.errors.CvmkitWarning` (a flagged omission).

    Examples
    --------
    >>> perf = brand_performance(data, study, weights="weight")  # doctest: +SKIP
    >>> perf.pivot(index="label", columns="brand", values="mean")  # doctest: +SKIP
    """
    check_level(level)
    w = resolve_weights(data, weights)
    brand_objs = [resolve_brand(study, b) for b in brands] if brands else list(study.brands)
    groups = segment_groups(data, by)
    cache: dict[str, np.ndarray | None] = {}
    rows = []
    for seg, mask in groups:
        rows_in = slice(None) if mask.all() else np.flatnonzero(mask)  # the segment's rows
        for a in study.attributes:
            for b in brand_objs:
                col = a.performance_column(b)
                if col not in cache:
                    cache[col] = _ratings(data, col, f"attributes.{a.id}.performance")
                x = cache[col]
                row = {"segment": seg, "attribute": a.id, "label": a.label,
                       "component": a.component, "brand": b.name, "column": col, "n": 0,
                       "mean": np.nan, "se": np.nan, "lower": np.nan, "upper": np.nan,
                       "note": ""}
                if x is None:
                    row["note"] = f"column '{col}' not in data"
                else:
                    m, se, n = weighted_mean_se(x[rows_in], w[rows_in])
                    lo, hi = t_interval(m, se, n, level)
                    row.update(n=n, mean=m, se=se, lower=lo, upper=hi)
                    if n == 0:
                        row["note"] = f"no ratings in column '{col}'"
                rows.append(row)
    out = pd.DataFrame(rows)
    _warn_gaps(out)
    return out


def _warn_gaps(perf: pd.DataFrame) -> None:
    """One warning per brand with no ratings at all, one per other missing brand × attribute."""
    empty_brands = set()
    for (seg, brand), g in perf.groupby(["segment", "brand"], sort=False):
        if g["mean"].isna().all():
            empty_brands.add(brand)
            where = "" if seg == "All" else f" in segment '{seg}'"
            warn(f"brand '{brand}' has no ratings on any attribute{where}; left out")
    gaps = perf[perf["mean"].isna() & ~perf["brand"].isin(empty_brands)]
    for _, r in gaps.drop_duplicates(["attribute", "brand"]).iterrows():
        warn(f"attribute '{r['attribute']}' of brand '{r['brand']}': {r['note']}; left out")


def _paired(xf: np.ndarray, xc: np.ndarray, w: np.ndarray):
    both = np.isfinite(xf) & np.isfinite(xc) & (w > 0)
    d = np.where(both, xc - xf, np.nan)
    m, se, n = weighted_mean_se(d, w)
    return m, se, n, n - 1


def _welch(xf: np.ndarray, xc: np.ndarray, w: np.ndarray):
    mf, sef, nf = weighted_mean_se(xf, w)
    mc, sec, nc = weighted_mean_se(xc, w)
    se = float(np.hypot(sef, sec))
    num = (sef**2 + sec**2) ** 2
    den = sef**4 / (nf - 1) + sec**4 / (nc - 1) if nf > 1 and nc > 1 else np.nan
    df = num / den if den and np.isfinite(den) and den > 0 else np.nan
    return mc - mf, se, min(nf, nc), df


def competitive_benchmark(
    data: pd.DataFrame,
    study: Study,
    *,
    brand: str | Brand | None = None,
    by: str | None = None,
    weights: WeightsLike = None,
    test: str = "auto",
    correction: str | None = "holm",
    alpha: float = 0.05,
    level: float = 0.95,
) -> pd.DataFrame:
    """Every brand's mean on every attribute, each competitor tested against the focal brand.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    brand : str, optional
        The brand to benchmark against (default: the study's focal brand).
    by : str, optional
        Segment column: the benchmark is computed within each segment (each segment is its own
        family for the correction).
    weights : str or array-like, optional
        Respondent weights.
    test : {"auto", "paired", "welch"}
        ``"paired"`` tests the respondent-level differences of those who rated both brands;
        ``"welch"`` compares the two sets of ratings as independent samples; ``"auto"`` pairs
        when at least half of the smaller set of raters rated both brands.
    correction : str or None
        Multiple-comparison correction over all attribute × competitor tests of a segment
        (``"holm"``, ``"bonferroni"``, ``"fdr_bh"``, ``"sidak"``, ``"holm-sidak"``; None for
        none).
    alpha : float
        Significance level applied to the corrected p-values.
    level : float
        Confidence level of the intervals of the means.

    Returns
    -------
    DataFrame
        One row per (segment, attribute, brand): the columns of :func:`brand_performance` plus
        ``is_focal``, ``focal_mean``, ``diff`` (brand − focal), ``test``, ``n_test``,
        ``statistic``, ``df``, ``p_value``, ``p_adjusted``, ``verdict`` ("focal" for the focal
        brand's own rows; "superior" / "comparable" / "inferior" for competitors; NaN when the
        comparison could not be made, with ``note`` saying why).

    Examples
    --------
    >>> bm = competitive_benchmark(data, study, weights="weight")  # doctest: +SKIP
    >>> bm.query("verdict == 'superior'")[["label", "brand", "diff"]]  # doctest: +SKIP
    """
    if test not in ("auto", "paired", "welch"):
        raise AnalysisError(f"test: expected 'auto', 'paired' or 'welch', got {test!r}")
    if correction not in CORRECTIONS:
        raise AnalysisError(
            f"correction: expected one of {', '.join(map(str, CORRECTIONS))}, got {correction!r}"
        )
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha: expected a level between 0 and 1, got {alpha!r}")
    focal = resolve_brand(study, brand)
    others = [b for b in study.brands if b.name != focal.name]
    perf = brand_performance(data, study, brands=[focal.name] + [b.name for b in others],
                             by=by, weights=weights, level=level)
    if perf.loc[perf["brand"] == focal.name, "mean"].isna().all():
        raise AnalysisError(
            f"brand: the focal brand '{focal.name}' has no ratings on any attribute "
            f"(columns {', '.join(study.performance_columns(focal).values())})"
        )
    w = resolve_weights(data, weights)
    groups = {seg: slice(None) if mask.all() else np.flatnonzero(mask)  # each segment's rows
              for seg, mask in segment_groups(data, by)}
    columns: dict[str, np.ndarray] = {}

    def ratings(col: str, what: str) -> np.ndarray:
        if col not in columns:
            columns[col] = numeric_column(data, col, what)
        return columns[col]
    extra = {k: [] for k in ("is_focal", "focal_mean", "diff", "test", "n_test", "statistic",
                             "df", "p_value")}
    notes = perf["note"].tolist()
    focal_means = perf[perf["brand"] == focal.name].set_index(["segment", "attribute"])["mean"]
    for i, r in enumerate(perf.itertuples(index=False)):
        fm = focal_means.get((r.segment, r.attribute), np.nan)
        is_focal = r.brand == focal.name
        vals = dict(is_focal=is_focal, focal_mean=fm, diff=r.mean - fm, test=None, n_test=0,
                    statistic=np.nan, df=np.nan, p_value=np.nan)
        if not is_focal and np.isfinite(r.mean) and np.isfinite(fm):
            a = study.attribute(r.attribute)
            rows = groups[r.segment]
            xf = ratings(a.performance_column(focal), "focal")[rows]
            xc = ratings(r.column, "competitor")[rows]
            ws = w[rows]
            kind = test
            if kind == "auto":
                n_both = int((np.isfinite(xf) & np.isfinite(xc) & (ws > 0)).sum())
                n_min = min(int((np.isfinite(xf) & (ws > 0)).sum()),
                            int((np.isfinite(xc) & (ws > 0)).sum()))
                kind = "paired" if n_both >= 2 and n_both >= 0.5 * n_min else "welch"
            diff, se, n_t, df = (_paired if kind == "paired" else _welch)(xf, xc, ws)
            vals.update(test=kind, n_test=n_t, df=df)
            if kind == "paired":
                vals["diff"] = diff  # the mean paired difference (same respondents)
            if n_t < 2 or not np.isfinite(df):
                notes[i] = (notes[i] + "; " if notes[i] else "") + "too few ratings to test"
            elif se == 0:
                vals.update(statistic=np.nan, p_value=1.0 if diff == 0 else 0.0)
            else:
                t = diff / se
                vals.update(statistic=t, p_value=float(2 * stats.t.sf(abs(t), df)))
        elif not is_focal and not np.isfinite(fm) and np.isfinite(r.mean):
            notes[i] = "focal brand has no ratings on this attribute"
        for k in extra:
            extra[k].append(vals[k])
    out = perf.copy()
    for k, v in extra.items():
        out[k] = v
    out["note"] = notes
    out["p_adjusted"] = np.nan
    for _seg, idx in out.groupby("segment", sort=False).groups.items():
        p = out.loc[idx, "p_value"]
        ok = p.notna()
        if ok.any():
            if correction is None:
                out.loc[p[ok].index, "p_adjusted"] = p[ok].to_numpy()
            else:
                out.loc[p[ok].index, "p_adjusted"] = multipletests(
                    p[ok].to_numpy(), alpha=alpha, method=correction)[1]
    verdict = np.where(
        out["is_focal"], "focal",
        np.where(out["p_adjusted"].isna(), None,
                 np.where(out["p_adjusted"] >= alpha, "comparable",
                          np.where(out["diff"] > 0, "superior", "inferior"))))
    out["verdict"] = pd.Series(verdict, index=out.index, dtype=object)
    out["correction"] = correction or "none"
    cols = ["segment", "attribute", "label", "component", "brand", "is_focal", "column", "n",
            "mean", "se", "lower", "upper", "focal_mean", "diff", "test", "n_test", "statistic",
            "df", "p_value", "p_adjusted", "correction", "verdict", "note"]
    return out[cols]
