"""Survey weights: raking to target margins, trimming, design effect and effective sample size.

:func:`rake` adjusts respondent weights by iterative proportional fitting (IPF, also called
raking or the Deming–Stephan algorithm) until the weighted share of every level of every raking
column equals its target share.  Each sweep scales the weights of the respondents in each level
of one column by ``target share / current weighted share``, column after column; a sweep keeps
the weight total, so the weights stay at mean 1.  Optional trimming bounds the weights to
``[lo, hi]`` times the mean after every sweep and keeps raking, so the final weights both hit the
margins and respect the bounds when that is possible (the result says whether it was).

The design effect of weighting is Kish's approximation ``deff = n * sum(w^2) / sum(w)^2``
(Kish 1965), and the effective sample size is ``n / deff = sum(w)^2 / sum(w^2)``.

Raking is a few lines of numpy over a respondent × margin index, so it is written here rather
than pulling in a survey-sampling package for one function; it is tested against an independent
implementation's recorded weights (see ``tests/data/README.md``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import CvmkitWarning, DataError

__all__ = [
    "RakeResult",
    "design_effect",
    "effective_n",
    "rake",
    "study_weights",
    "weight_summary",
]


@dataclass(frozen=True)
class RakeResult:
    """The outcome of :func:`rake`.

    Attributes
    ----------
    weights : Series
        One weight per respondent, aligned to the data's index, mean 1, named ``weight``.
    converged : bool
        Every margin within ``tol`` of its target (and, with trimming, every weight within
        the bounds).
    iterations : int
        Sweeps over the raking columns.
    max_error : float
        Largest absolute difference between an achieved and a target share.
    margins : DataFrame
        One row per column and level: ``column``, ``level``, ``n`` (respondents),
        ``target``, ``achieved`` (weighted share), ``unweighted`` (share before weighting).
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_error: float
    margins: pd.DataFrame


def _check_weights(weights: Any, name: str = "weights") -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if w.size == 0:
        raise DataError(f"{name}: no weights given (empty)")
    bad = ~np.isfinite(w)
    if bad.any():
        raise DataError(f"{name}: {int(bad.sum())} weight(s) are missing or infinite "
                        f"(first at position {int(np.flatnonzero(bad)[0])})")
    if (w < 0).any():
        raise DataError(f"{name}: {int((w < 0).sum())} weight(s) are negative "
                        f"(first at position {int(np.flatnonzero(w < 0)[0])})")
    if w.sum() <= 0:
        raise DataError(f"{name}: every weight is zero")
    return w


def _level_index(values: pd.Series, levels: list[Any], column: str) -> np.ndarray:
    """For each respondent, the position of its level in ``levels`` (matching as text)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        try:
            keys = [float(lv) for lv in levels]
        except (TypeError, ValueError):
            keys = None
        if keys is not None:
            lookup = {k: i for i, k in enumerate(keys)}
            return np.array([lookup.get(float(v), -1) for v in values.to_numpy()])
    lookup = {str(lv): i for i, lv in enumerate(levels)}
    return np.array([lookup.get(str(v), -1) for v in values.astype(object).to_numpy()])


def rake(
    data: pd.DataFrame,
    targets: Mapping[str, Mapping[Any, float]],
    *,
    base_weights: Any = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    trim: tuple[float, float] | None = None,
) -> RakeResult:
    """Rake respondent weights to target margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
        One row per respondent, holding every raking column.
    targets : mapping
        ``{column: {level: share}}``.  Shares are normalised to sum to 1 within each column.
        Levels are matched to the data's values as text (``1`` matches ``"1"``; numeric columns
        also numerically).
    base_weights : array-like or Series, optional
        Starting (design) weights, one per row; default all 1.  A Series is aligned to
        ``data``'s index.
    max_iter : int, default 100
        Most sweeps over the raking columns.
    tol : float, default 1e-10
        Converged when no achieved share differs from its target by more than ``tol``.
    trim : (lo, hi), optional
        Bound every weight to ``[lo, hi]`` times the mean weight (e.g. ``(0.3, 3.0)``),
        raking again after each trimming until both the margins and the bounds hold.

    Returns
    -------
    RakeResult
        ``weights`` (mean 1), ``converged``, ``iterations``, ``max_error``, ``margins``.

    Raises
    ------
    DataError
        A raking column missing from the data or holding missing values; a level in the data
        with no target; a level with a positive target but no respondents (or zero base
        weight); bad base weights or trim bounds.

    Warns
    -----
    CvmkitWarning
        When the margins are not reached within ``max_iter`` sweeps (``converged`` is False).

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.weights import rake
    >>> df = pd.DataFrame({"sex": ["m", "m", "f", "f"], "age": ["young", "old", "old", "old"]})
    >>> res = rake(df, {"sex": {"m": 0.5, "f": 0.5}, "age": {"young": 0.4, "old": 0.6}})
    >>> res.weights.round(3).tolist()
    [1.6, 0.4, 1.0, 1.0]
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a DataFrame of responses, got {type(data).__name__}")
    if not targets:
        raise DataError("targets: no raking columns given (expected {column: {level: share}})")
    n = len(data)
    if n == 0:
        raise DataError("cannot rake an empty data set (0 respondents)")
    if base_weights is None:
        w = np.ones(n)
    else:
        if isinstance(base_weights, pd.Series):
            if not base_weights.index.equals(data.index):
                base_weights = base_weights.reindex(data.index)
        w = _check_weights(base_weights, "base_weights")
        if w.size != n:
            raise DataError(f"base_weights: {w.size} weights for {n} respondents")
    if trim is not None:
        lo, hi = (float(x) for x in trim)
        if not (0 <= lo < 1 < hi):
            raise DataError(f"trim: expected (lo, hi) with 0 <= lo < 1 < hi, got {trim!r}")
    if max_iter < 1:
        raise DataError(f"max_iter must be at least 1, got {max_iter}")

    # one index array per column: the level each respondent is in
    margins: list[tuple[str, list[Any], np.ndarray, np.ndarray]] = []
    for col, target in targets.items():
        key = f"targets.{col}"
        if col not in data.columns:
            raise DataError(f"{key}: raking column '{col}' not in the data")
        if not isinstance(target, Mapping) or not target:
            raise DataError(f"{key}: expected a mapping of level to share, got {target!r}")
        values = data[col]
        if values.isna().any():
            rows = data.index[values.isna().to_numpy()]
            raise DataError(f"{key}: column '{col}' has {len(rows)} missing value(s) "
                            f"(row {', '.join(map(str, rows[:5]))}{' …' if len(rows) > 5 else ''});"
                            " raking needs every respondent's level")
        levels = list(target)
        shares = np.array([float(target[lv]) for lv in levels])
        if (~np.isfinite(shares)).any() or (shares < 0).any() or shares.sum() <= 0:
            raise DataError(f"{key}: shares must be non-negative numbers, not all zero")
        shares = shares / shares.sum()
        idx = _level_index(values, levels, col)
        if (idx < 0).any():
            stray = pd.Series(values.to_numpy()[idx < 0]).value_counts()
            listed = ", ".join(f"'{lv}' ({c})" for lv, c in stray.items())
            raise DataError(f"{key}: level(s) {listed} of column '{col}' have no target share "
                            f"(targets: {', '.join(map(str, levels))})")
        for j, lv in enumerate(levels):
            if shares[j] > 0 and w[idx == j].sum() <= 0:
                why = "no respondents" if not (idx == j).any() else "only zero base weights"
                raise DataError(f"{key}.{lv}: level '{lv}' has a target share of "
                                f"{shares[j]:.4g} but {why} in column '{col}'")
        margins.append((str(col), levels, idx, shares))

    w = w / w.mean()

    def sweep(w: np.ndarray) -> np.ndarray:
        for _, _, idx, shares in margins:
            total = w.sum()
            current = np.bincount(idx, weights=w, minlength=len(shares))
            factor = np.divide(shares * total, current, out=np.zeros_like(current),
                               where=current > 0)
            w = w * factor[idx]
        return w

    def error(w: np.ndarray) -> float:
        total = w.sum()
        return max(
            float(np.max(np.abs(np.bincount(idx, weights=w, minlength=len(s)) / total - s)))
            for _, _, idx, s in margins
        )

    converged = False
    err = error(w)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        w = sweep(w)
        w = w / w.mean()
        if trim is not None:
            w = np.clip(w, lo, hi)
        err = error(w)
        inside = trim is None or bool(np.all((w >= lo - 1e-12) & (w <= hi + 1e-12)))
        if err <= tol and inside:
            converged = True
            break
    w = w / w.mean()
    if trim is not None:
        err = error(w)
    if not converged:
        what = " with the trimming bounds" if trim is not None else ""
        warnings.warn(
            f"raking did not converge{what} after {iterations} sweep(s): the largest margin "
            f"error is {err:.3g} (tol {tol:g}); raise max_iter, loosen trim or check targets",
            CvmkitWarning, stacklevel=2,
        )

    rows = []
    total = w.sum()
    for col, levels, idx, shares in margins:
        counts = np.bincount(idx, minlength=len(levels))
        achieved = np.bincount(idx, weights=w, minlength=len(levels)) / total
        for j, lv in enumerate(levels):
            rows.append({"column": col, "level": lv, "n": int(counts[j]),
                         "target": float(shares[j]), "achieved": float(achieved[j]),
                         "unweighted": counts[j] / n})
    return RakeResult(
        weights=pd.Series(w, index=data.index, name="weight"),
        converged=converged, iterations=iterations, max_error=float(err),
        margins=pd.DataFrame(rows),
    )


def design_effect(weights: Any) -> float:
    """Kish's design effect of weighting, ``n * sum(w^2) / sum(w)^2``.

    Examples
    --------
    >>> from cvmkit.weights import design_effect
    >>> design_effect([1, 1, 2, 4])
    1.375
    """
    w = _check_weights(weights)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(weights: Any) -> float:
    """Kish's effective sample size, ``sum(w)^2 / sum(w^2)`` (= n / design effect).

    Examples
    --------
    >>> from cvmkit.weights import effective_n
    >>> effective_n([1, 1, 2, 4])
    2.909090909090909
    """
    w = _check_weights(weights)
    return float(np.sum(w) ** 2 / np.sum(w**2))


def weight_summary(weights: Any) -> pd.DataFrame:
    """Describe a set of weights in one row.

    Returns
    -------
    DataFrame
        One row: ``n``, ``min``, ``median``, ``max``, ``max_min_ratio``, ``mean``, ``cv``
        (coefficient of variation), ``design_effect``, ``effective_n``, ``efficiency``
        (effective n / n).

    Examples
    --------
    >>> from cvmkit.weights import weight_summary
    >>> weight_summary([1, 1, 2, 4])[["n", "design_effect", "effective_n"]].round(3)
       n  design_effect  effective_n
    0  4          1.375        2.909
    """
    w = _check_weights(weights)
    deff = float(w.size * np.sum(w**2) / np.sum(w) ** 2)
    return pd.DataFrame([{
        "n": int(w.size),
        "min": float(w.min()),
        "median": float(np.median(w)),
        "max": float(w.max()),
        "max_min_ratio": float(w.max() / w.min()) if w.min() > 0 else np.inf,
        "mean": float(w.mean()),
        "cv": float(w.std() / w.mean()),
        "design_effect": deff,
        "effective_n": float(w.size / deff),
        "efficiency": 1 / deff,
    }])


def study_weights(data: pd.DataFrame, study: Any, **kwargs: Any) -> pd.Series:
    """The respondent weights a study asks for, as a float Series named ``weight``.

    * ``weights: {column: name}`` — that column's values (checked: finite, non-negative),
      rescaled to mean 1;
    * ``weights: {targets: {...}, trim: [lo, hi]}`` — :func:`rake` to the targets (with the
      study's trimming unless ``trim=`` is passed), warning when raking does not converge;
    * no weights — 1.0 for everyone.

    Extra keyword arguments go to :func:`rake`.
    """
    spec = getattr(study, "weights", None) or {}
    if spec.get("column"):
        col = spec["column"]
        if col not in data.columns:
            raise DataError(f"weights.column: column '{col}' not in the data")
        w = _check_weights(pd.to_numeric(data[col], errors="coerce"), f"weights.column '{col}'")
        return pd.Series(w / w.mean(), index=data.index, name="weight")
    if spec.get("targets"):
        if "trim" not in kwargs and spec.get("trim"):
            kwargs["trim"] = tuple(spec["trim"])
        return rake(data, spec["targets"], **kwargs).weights
    return pd.Series(1.0, index=data.index, name="weight")
