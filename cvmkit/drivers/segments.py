"""Relative importance per segment, and a bootstrap test of share differences between segments.

Each segment is analysed on its own respondents (its own weighted correlations), so a share says
how much of *that segment's* explained variance a driver carries.  Segments too small to
analyse, or whose data fail a check (a driver without variance there, collinear drivers), are
skipped with a :class:`~cvmkit.errors.CvmkitWarning` and a row per driver whose ``note`` says why.

The difference test resamples respondents within each segment independently (each segment's
replicates from its own seed, spawned from ``seed``) and forms the replicate differences of
shares.  Their percentiles give the interval of the difference; the p-value is the two-sided
normal one of the difference over its bootstrap standard error, ``2 Φ(−|Δ| / sd(Δ*))`` — unlike a
count of replicates beyond zero it is not floored at ``2 / B``, so Holm's step-down adjustment
over all tests of the table (added as ``p_holm``) stays usable with many drivers and segments.
"""

from __future__ import annotations

import warnings
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..errors import AnalysisError, CvmkitWarning, DataError
from .bootstrap import _check_methods, replicate_raw, shares_of
from .diagnostics import Drivers, driver_map, prepare_drivers
from .importance import IMPORTANCE_COLUMNS, relative_importance

__all__ = ["compare_segments", "segment_importance"]


def _segments(data: pd.DataFrame, segment: str, what: str) -> tuple[list[Any], int]:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    if segment not in data.columns:
        raise DataError(f"{what}: segment column '{segment}' not in data")
    s = data[segment]
    levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(
        s.dropna().unique().tolist(), key=str)
    if not levels:
        raise DataError(f"{what}: segment column '{segment}' has no values")
    return levels, int(s.isna().sum())


def _seeds(seed: int | None, k: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(k)


def _min_n(min_n: int | None, p: int) -> int:
    return int(min_n) if min_n is not None else max(30, 3 * (p + 1))


def segment_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    segment: str,
    *,
    methods: Any = ("lmg",),
    weights: Any = None,
    n_boot: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
    missing: str = "listwise",
    min_n: int | None = None,
    exact_max: int = 28,
) -> pd.DataFrame:
    """Relative importance within each segment.

    Parameters
    ----------
    segment : str
        Column holding each respondent's segment; respondents without one are left out.
    min_n : int, optional
        Fewest respondents a segment needs (default ``max(30, 3 (p + 1))``); smaller segments
        are skipped with a warning and a flagged row per driver.
    Others
        As for :func:`cvmkit.drivers.relative_importance`.

    Returns
    -------
    DataFrame
        ``segment`` followed by the columns of :func:`relative_importance`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> df["seg"] = np.repeat(["x", "y"], 200)
    >>> df["y"] = np.where(df.seg == "x", 2 * df.a + df.b, df.a + 2 * df.b) + rng.normal(size=400)
    >>> t = segment_importance(df, "y", ["a", "b"], "seg")
    >>> t.loc[t["rank"] == 1, ["segment", "driver"]].values.tolist()
    [['x', 'a'], ['y', 'b']]
    """
    what = "segment importance"
    levels, n_na = _segments(data, segment, what)
    dmap = driver_map(drivers)
    methods = _check_methods(methods)
    need = _min_n(min_n, len(dmap))
    if n_na:
        warnings.warn(f"{what}: {n_na} respondents without a '{segment}' value left out",
                      CvmkitWarning, stacklevel=2)
    frames = []
    for level, ss in zip(levels, _seeds(seed, len(levels))):
        mask = (data[segment] == level).to_numpy()
        sub = data[mask]
        w = _sub_weights(data, weights, mask)
        reason = None
        if len(sub) < need:
            reason = f"only {len(sub)} respondents (need at least {need})"
        else:
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    t = relative_importance(sub, outcome, dmap, methods=methods, weights=w,
                                            n_boot=n_boot, seed=ss, ci=ci, missing=missing,
                                            exact_max=exact_max)
                for c in caught:
                    warnings.warn(f"segment '{level}': {c.message}", CvmkitWarning,
                                  stacklevel=2)
                if t["n"].iloc[0] < need:
                    reason = (f"only {int(t['n'].iloc[0])} respondents with complete answers "
                              f"(need at least {need})")
            except AnalysisError as exc:
                reason = str(exc)
        if reason is not None:
            msg = f"{what}: segment '{level}' ({segment}) skipped: {reason}"
            warnings.warn(msg, CvmkitWarning, stacklevel=2)
            t = pd.DataFrame([{
                "driver": d, "method": m, "raw": np.nan, "share": np.nan, "lower": np.nan,
                "upper": np.nan, "rank": pd.NA, "se": np.nan, "r2": np.nan, "n": len(sub),
                "note": f"skipped: {reason}"} for m in methods for d in dmap])
        t.insert(0, "segment", level)
        frames.append(t)
    out = pd.concat(frames, ignore_index=True)[["segment", *IMPORTANCE_COLUMNS]]
    out["rank"] = out["rank"].astype("Int64")
    return out


def _sub_weights(data: pd.DataFrame, weights: Any, mask: np.ndarray) -> Any:
    """The weights of the rows selected by the boolean ``mask``."""
    if weights is None or isinstance(weights, str):
        return weights
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != len(data):
        raise DataError(f"weights: {w.size} weights given for {len(data)} rows of data")
    return w[mask]


def compare_segments(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    segment: str,
    *,
    method: str = "lmg",
    weights: Any = None,
    n_boot: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    missing: str = "listwise",
    min_n: int | None = None,
    exact_max: int = 28,
) -> pd.DataFrame:
    """Bootstrap test of whether each driver's share differs between segments.

    Every pair of analysable segments is compared driver by driver.  With the same ``seed`` the
    segment replicates are those behind :func:`segment_importance`'s intervals.

    Returns
    -------
    DataFrame
        One row per driver and pair of segments: ``driver``, ``segment_a``, ``segment_b``,
        ``share_a``, ``share_b``, ``difference`` (a − b, percentage points), ``se`` (its
        bootstrap standard error), ``lower``/``upper`` (bootstrap percentile interval of the
        difference), ``p_value``, ``p_holm`` (Holm-adjusted over the whole table), ``method``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(600, 2)), columns=["a", "b"])
    >>> df["seg"] = np.repeat(["x", "y"], 300)
    >>> df["y"] = np.where(df.seg == "x", 2 * df.a + df.b, df.a + 2 * df.b) + rng.normal(size=600)
    >>> t = compare_segments(df, "y", ["a", "b"], "seg", n_boot=200, seed=1)
    >>> bool((t["p_value"] < 0.05).all())
    True
    """
    what = "segment comparison"
    levels, _ = _segments(data, segment, what)
    dmap = driver_map(drivers)
    method = _check_methods([method])[0]
    need = _min_n(min_n, len(dmap))
    reps: dict[Any, np.ndarray] = {}
    point: dict[Any, np.ndarray] = {}
    names: list[str] | None = None
    for level, ss in zip(levels, _seeds(seed, len(levels))):
        mask = (data[segment] == level).to_numpy()
        sub = data[mask]
        if len(sub) < need:
            warnings.warn(f"{what}: segment '{level}' skipped: only {len(sub)} respondents "
                          f"(need at least {need})", CvmkitWarning, stacklevel=2)
            continue
        try:
            prep = prepare_drivers(sub, outcome, dmap, _sub_weights(data, weights, mask),
                                   missing=missing, skip_bad=False,
                                   what=f"{what}, segment '{level}'")
        except AnalysisError as exc:
            warnings.warn(f"{what}: segment '{level}' skipped: {exc}", CvmkitWarning,
                          stacklevel=2)
            continue
        if prep.n < need:
            warnings.warn(f"{what}: segment '{level}' skipped: only {prep.n} respondents with "
                          f"complete answers (need at least {need})", CvmkitWarning,
                          stacklevel=2)
            continue
        names = prep.drivers
        raw = replicate_raw(prep, [method], n_boot, ss, exact_max, 200)[method]
        reps[level] = shares_of(raw, method)
        pt = relative_importance(sub, outcome, dmap, methods=[method], missing=missing,
                                 exact_max=exact_max, _prepared=prep)
        point[level] = pt["share"].to_numpy()
    if len(reps) < 2 or names is None:
        raise AnalysisError(f"{what}: fewer than two segments of '{segment}' can be analysed "
                            f"(each needs at least {need} respondents)")
    alpha = (1 - ci) / 2
    rows = []
    for a, b in combinations(list(reps), 2):
        diff = reps[a] - reps[b]
        ok = ~np.isnan(diff).any(axis=1)
        diff = diff[ok]
        nb = len(diff)
        for j, d in enumerate(names):
            est = point[a][j] - point[b][j]
            sd = float(np.std(diff[:, j], ddof=1)) if nb > 1 else np.nan
            pval = float(2 * ndtr(-abs(est) / sd)) if sd > 0 else np.nan
            rows.append({
                "driver": d, "segment_a": a, "segment_b": b,
                "share_a": point[a][j], "share_b": point[b][j],
                "difference": est, "se": sd,
                "lower": float(np.quantile(diff[:, j], alpha)),
                "upper": float(np.quantile(diff[:, j], 1 - alpha)),
                "p_value": pval, "method": method,
            })
    out = pd.DataFrame(rows)
    out["p_holm"] = _holm(out["p_value"].to_numpy())
    return out[["driver", "segment_a", "segment_b", "share_a", "share_b", "difference", "se",
                "lower", "upper", "p_value", "p_holm", "method"]]


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count as a test)."""
    adj = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    running = 0.0
    for rank, i in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        running = max(running, (m - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj
