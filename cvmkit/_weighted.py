"""Weighted statistics shared by the analysis modules."""

from __future__ import annotations

import numpy as np


def weighted_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, int]:
    """Weighted Pearson correlation of ``x`` and ``y`` over pairwise-complete rows, and that n.

    Rows where ``x`` or ``y`` is missing or the weight is zero are left out.  The correlation is
    NaN with fewer than three such rows or when either variable is constant on them.

    Parameters
    ----------
    x, y, w : numpy.ndarray
        Two variables and the respondent weights, of the same length.

    Returns
    -------
    (float, int)
        The correlation and the number of rows it used.

    Examples
    --------
    >>> import numpy as np
    >>> r, n = weighted_corr(np.array([1.0, 2, 3, np.nan]), np.array([2.0, 4, 7, 1]), np.ones(4))
    >>> round(r, 4), n
    (0.9934, 3)
    """
    ok = np.isfinite(x) & np.isfinite(y) & (w > 0)
    n = int(ok.sum())
    if n < 3:
        return np.nan, n
    x, y, w = x[ok], y[ok], w[ok]
    sw = w.sum()
    mx, my = np.sum(w * x) / sw, np.sum(w * y) / sw
    dx, dy = x - mx, y - my
    sxx, syy = np.sum(w * dx * dx), np.sum(w * dy * dy)
    if sxx <= 0 or syy <= 0:
        return np.nan, n
    return float(np.sum(w * dx * dy) / np.sqrt(sxx * syy)), n
