"""Input checks and weighted statistics shared by the needs-and-wants analyses.

``numeric`` and ``weighted_corr`` are the package-wide :func:`cvmkit._checks.numeric_column` and
:func:`cvmkit._weighted.weighted_corr`, re-exported under the names these modules use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import numeric_column as numeric  # noqa: F401
from .._weighted import weighted_corr  # noqa: F401
from ..errors import CvmkitWarning, DataError

Columns = Mapping[str, str] | Sequence[str]


def as_column_map(columns: Columns, what: str) -> dict[str, str]:
    """``{attribute: column}`` from a mapping or a list of column names (used as their own ids)."""
    if isinstance(columns, str):
        columns = [columns]
    if isinstance(columns, Mapping):
        out = {str(k): str(v) for k, v in columns.items()}
    else:
        out = {str(c): str(c) for c in columns}
    if not out:
        raise DataError(f"{what}: no attributes given (expected a mapping of attribute to column)")
    return out


def check_frame(data: Any, name: str = "data") -> pd.DataFrame:
    """Raise a :class:`DataError` unless ``data`` is a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{name}: expected a pandas DataFrame, got {type(data).__name__}")
    if data.empty:
        raise DataError(f"{name}: the DataFrame has no rows")
    return data


def check_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a :class:`DataError` naming every column of ``columns`` missing from ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"{what}: column(s) {', '.join(repr(c) for c in missing)} not in data")


def resolve_weights(data: pd.DataFrame, weights: str | Sequence[float] | np.ndarray | None
                    ) -> np.ndarray:
    """Respondent weights as a float array (ones when ``weights`` is None).

    ``weights`` is a column of ``data`` or an array as long as ``data``.  Missing, negative or
    infinite weights raise a :class:`DataError` naming the first row at fault.
    """
    n = len(data)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights: column '{weights}' not in data")
        w = numeric(data, weights, "weights")
        label = f"column '{weights}'"
        index = data.index
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape[0] != n:
            raise DataError(
                f"weights: expected {n} weights (one per row of data), got {w.shape[0]}"
            )
        label = "weights"
        index = data.index
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"weights: {label} must be finite and non-negative; row {index[i]!r} holds {w[i]!r}"
        )
    if w.sum() <= 0:
        raise DataError(f"weights: {label} sums to zero")
    return w


def effective_n(w: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    s2 = float(np.sum(w**2))
    return float(np.sum(w)) ** 2 / s2 if s2 > 0 else 0.0


def weighted_mean_se(x: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted mean of ``x`` (NaN dropped), its standard error and the effective n.

    The standard error is the linearisation (sandwich) estimator
    ``sqrt(sum w_i^2 (x_i - m)^2) / sum w_i`` scaled by ``sqrt(n / (n - 1))``, which equals
    the ordinary ``s / sqrt(n)`` when all weights are equal.
    """
    ok = np.isfinite(x) & (w > 0)
    x, w = x[ok], w[ok]
    n = x.size
    if n == 0:
        return np.nan, np.nan, 0.0
    sw = w.sum()
    m = float(np.sum(w * x) / sw)
    if n < 2:
        return m, np.nan, effective_n(w)
    se = float(np.sqrt(np.sum(w**2 * (x - m) ** 2) * n / (n - 1)) / sw)
    return m, se, effective_n(w)


def segment_groups(data: pd.DataFrame, by: str | None
                   ) -> list[tuple[Any, np.ndarray]]:
    """``[(segment level, boolean row mask)]``; one ``(None, all rows)`` group when ``by`` is None.

    Rows with a missing segment are left out of every level (and counted in a warning).
    """
    if by is None:
        return [(None, np.ones(len(data), dtype=bool))]
    if by not in data.columns:
        raise DataError(f"by: segment column '{by}' not in data")
    seg = data[by]
    n_missing = int(seg.isna().sum())
    if n_missing:
        warnings.warn(f"segment column '{by}': {n_missing} row(s) with no segment left out",
                      CvmkitWarning, stacklevel=3)
    levels = pd.unique(seg.dropna())
    try:
        levels = sorted(levels)
    except TypeError:
        levels = list(levels)
    values = seg.to_numpy()
    return [(lvl, np.asarray(values == lvl)) for lvl in levels]


def insert_segment(frame: pd.DataFrame, by: str | None, level: Any) -> pd.DataFrame:
    """Put a ``segment`` column (named ``by``) first when the analysis ran per segment."""
    if by is not None:
        frame.insert(0, by, level)
    return frame
