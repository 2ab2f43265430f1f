"""Small shared pieces of the map computations: weights, weighted means, brand and column checks."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import numeric_column  # noqa: F401
from ..errors import AnalysisError, CvmkitWarning, DataError
from ..study import Brand, Study

WeightsLike = str | Sequence[float] | np.ndarray | pd.Series | None


def resolve_weights(data: pd.DataFrame, weights: WeightsLike) -> np.ndarray:
    """Respondent weights as a float array aligned with ``data`` (ones when ``weights`` is None).

    ``weights`` is a column of ``data`` or an array-like of one weight per row.  Weights must be
    finite and non-negative; a missing weight is an error (it would silently drop a respondent).
    """
    n = len(data)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights: column '{weights}' not in data")
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        name = f"column '{weights}'"
    else:
        w = np.asarray(weights, dtype=float).ravel()
        name = "weights"
        if w.shape[0] != n:
            raise DataError(
                f"weights: expected {n} weights (one per row of data), got {w.shape[0]}"
            )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"weights: {name} must hold finite, non-negative numbers; row {data.index[i]!r} "
            f"has {float(w[i])!r}"
        )
    if w.sum() <= 0:
        raise DataError(f"weights: {name} sums to zero")
    return w


def weighted_mean_se(x: np.ndarray, w: np.ndarray) -> tuple[float, float, int]:
    """Weighted mean, its standard error and the number of valid values.

    Missing values (NaN) and zero-weight rows are left out.  The standard error is the
    linearisation (sandwich) estimator used for survey means with sampling weights,
    ``sqrt(n / (n - 1) * sum(w_i**2 * (x_i - m)**2)) / sum(w_i)``, which equals ``s / sqrt(n)``
    when all weights are one.
    """
    ok = np.isfinite(x) & (w > 0)
    n = int(np.count_nonzero(ok))
    if n == 0:
        return np.nan, np.nan, 0
    xv, wv = (x, w) if n == len(x) else (x[ok], w[ok])
    sw = wv.sum()
    m = float(np.dot(wv, xv) / sw)
    if n < 2:
        return m, np.nan, n
    se = float(np.sqrt(n / (n - 1) * np.sum(wv**2 * (xv - m) ** 2)) / sw)
    return m, se, n


def t_interval(mean: float, se: float, n: int, level: float) -> tuple[float, float]:
    """A Student-t interval ``mean ± t(n - 1) · se`` (NaN when it cannot be formed)."""
    if n < 2 or not np.isfinite(se):
        return np.nan, np.nan
    q = stats.t.ppf(0.5 + level / 2, n - 1)
    return mean - q * se, mean + q * se


def check_level(level: float) -> None:
    """Refuse a confidence level outside (0, 1)."""
    if not 0 < level < 1:
        raise AnalysisError(f"level: expected a confidence level between 0 and 1, got {level!r}")


def resolve_brand(study: Study, brand: Brand | str | None) -> Brand:
    """The brand named ``brand`` (the study's focal brand when None)."""
    if brand is None:
        return study.brand
    if isinstance(brand, Brand):
        return brand
    try:
        return study.brand_by_name(brand)
    except Exception as exc:  # StudySpecError: re-raise as a data problem of this call
        known = ", ".join(b.name for b in study.brands)
        raise DataError(f"brand: unknown brand '{brand}' (known: {known})") from exc


def segment_groups(
    data: pd.DataFrame, by: str | None, all_label: str = "All"
) -> list[tuple[str, np.ndarray]]:
    """``[(segment label, boolean row mask)]``: one group per level of ``by``, or everyone."""
    if by is None:
        return [(all_label, np.ones(len(data), dtype=bool))]
    if by not in data.columns:
        raise DataError(f"by: segment column '{by}' not in data")
    col = data[by]
    levels = [lv for lv in pd.unique(col.dropna())]
    try:
        levels = sorted(levels)
    except TypeError:
        pass
    if not levels:
        raise AnalysisError(f"by: segment column '{by}' has no values")
    return [(str(lv), (col == lv).to_numpy()) for lv in levels]


def warn(msg: str) -> None:
    """Issue a :class:`CvmkitWarning` attributed to the caller of the public function."""
    warnings.warn(msg, CvmkitWarning, stacklevel=3)
