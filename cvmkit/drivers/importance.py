"""Relative importance of drivers: how much of the explained variance each one carries.

When drivers are correlated — and survey ratings always are — regression coefficients do not
say how much each driver matters: they share credit arbitrarily, can flip sign and swing from
sample to sample.  Relative-importance methods split the model's R² among the drivers instead:

``lmg``
    Lindeman, Merenda & Gold (1980): each driver's R² gain averaged over all orders of entering
    the drivers — the Shapley value of R² (Grömping 2006; R's relaimpo ``lmg``).  Exact over
    all 2^p subsets up to ``exact_max`` drivers (28 by default; compiled, see
    :mod:`cvmkit.drivers.lmg`); beyond that the result is ``shapley_sampled``, an estimate from
    random orders with its Monte-Carlo standard error in ``se``.
``relative_weights``
    Johnson (2000), a fast approximation of LMG through an orthogonal rotation of the drivers.
``dominance_general``
    General dominance (Azen & Budescu 2003): each driver's mean R² gain within each model size,
    averaged over sizes.  Equal to LMG; computed here from the stored R² of every subset, an
    independent route to the same numbers.  :func:`dominance` gives complete and conditional
    dominance between pairs.
``pratt``, ``betasq``, ``first``, ``last``, ``car``
    Pratt's product measure, squared standardised coefficient, squared simple correlation, R²
    lost when dropped last, squared CAR score — for comparison (relaimpo's names).

Every measure depends on the data only through the (weighted) correlation matrix of drivers and
outcome, so rescaling a driver changes nothing and weights act as ``lm(weights = w)`` does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..capabilities import DOMINANCE_MAX  # most drivers for dominance (2^p subset fits)
from ..errors import AnalysisError, CvmkitWarning, DataError
from ._metrics import METHODS, METRIC_ROWS, point_metric_rows
from .bootstrap import BOOT_EXACT_MAX, _check_methods, replicate_raw, shares_of
from .diagnostics import Drivers, PreparedDrivers, prepare_drivers
from .lmg import all_subset_fits, lmg_exact, shapley_sampled, shapley_weights

__all__ = [
    "IMPORTANCE_COLUMNS",
    "METHODS",
    "conditional_dominance",
    "dominance",
    "relative_importance",
]

#: Columns of the table :func:`relative_importance` returns.
IMPORTANCE_COLUMNS = ["driver", "method", "raw", "share", "lower", "upper", "rank", "se", "r2",
                      "n", "note"]


def relative_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    methods: Any = "all",
    weights: Any = None,
    n_boot: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
    missing: str = "listwise",
    exact_max: int = 28,
    n_permutations: int = 2000,
    skip_bad: bool = True,
    _prepared: PreparedDrivers | None = None,
) -> pd.DataFrame:
    """Relative importance of each driver by one or more methods, with bootstrap intervals.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.  Not modified.
    outcome : str
        Column of the outcome (e.g. overall value).
    drivers : list of str or dict
        Driver columns, or ``{driver id: column}`` (e.g. attribute id → performance column); the
        table names drivers by id.
    methods : "all", str or sequence of str
        Any of :data:`METHODS`.
    weights : str or array-like, optional
        Respondent weights (column of ``data`` or array).  The correlations are weighted as
        ``lm(weights = w)`` weights the regression.
    n_boot : int
        Bootstrap replicates for the percentile intervals (0 = none; ``lower``/``upper`` NaN).
    seed : int, optional
        Seed of the bootstrap (and of the sampled Shapley orders).
    ci : float
        Coverage of the intervals.
    missing : {"listwise", "pairwise"}
        Listwise deletion (count reported in ``note``) or pairwise-complete correlations
        (flagged in ``note``).
    exact_max : int
        Largest number of drivers for the exact LMG (28: about a second here); above it ``lmg``
        is estimated from ``n_permutations`` random orders and reported as method
        ``shapley_sampled``.  Bootstrap replicates use the exact LMG up to 18 drivers
        (:data:`~cvmkit.drivers.bootstrap.BOOT_EXACT_MAX`) and random orders beyond (noted).
    skip_bad : bool
        Leave out drivers with no answers or no variance (warning, and a row with a note) rather
        than raise.

    Returns
    -------
    DataFrame
        One row per driver and method: ``driver``, ``method``, ``raw`` (the measure on its own
        scale; a part of R² for the decompositions), ``share`` (percent; sums to 100 within a
        method), ``lower``/``upper`` (bootstrap percentile interval of ``share``), ``rank``
        (1 = largest share), ``se`` (Monte-Carlo standard error of a sampled share, in percent;
        NaN when exact), ``r2`` (full-model R²), ``n`` (respondents used), ``note``.

    Raises
    ------
    DataError, AnalysisError
        See :func:`cvmkit.drivers.prepare_drivers`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df["a"] + 0.5 * df["b"] + rng.normal(size=300)
    >>> t = relative_importance(df, "y", ["a", "b", "c"], methods="lmg")
    >>> t["driver"].tolist(), t["rank"].tolist()
    (['a', 'b', 'c'], [1, 2, 3])
    >>> round(float(t["share"].sum()), 6)
    100.0
    """
    methods = _check_methods(methods)
    if not 0 < ci < 1:
        raise DataError(f"ci={ci!r}; expected a coverage between 0 and 1")
    prep = _prepared or prepare_drivers(data, outcome, drivers, weights=weights,
                                        missing=missing, skip_bad=skip_bad,
                                        what="relative importance")
    p = prep.p
    corr = prep.corr
    r2 = prep.r2
    c_w, b_w = shapley_weights(p)
    base = point_metric_rows(np.ascontiguousarray(corr), 0, c_w, b_w, np.zeros((1, p), np.int64))
    raw: dict[str, np.ndarray] = {}
    se: dict[str, np.ndarray] = {}
    names: dict[str, str] = {m: m for m in methods}
    notes: dict[str, str] = {}
    for m in methods:
        if m == "lmg":
            if p <= exact_max:
                raw[m] = lmg_exact(corr)
            else:
                est, err = shapley_sampled(corr, n_permutations, seed)
                raw[m] = est
                se[m] = 100.0 * err / r2
                names[m] = "shapley_sampled"
                notes[m] = (f"sampled Shapley: {p} drivers exceed the exact limit of "
                            f"{exact_max}; {n_permutations} random orders")
        elif m == "dominance_general":
            if p > DOMINANCE_MAX:
                msg = (f"dominance analysis skipped: {p} drivers exceed {DOMINANCE_MAX} "
                       "(general dominance equals LMG)")
                warnings.warn(msg, CvmkitWarning, stacklevel=2)
                raw[m] = np.full(p, np.nan)
                notes[m] = msg
            else:
                raw[m] = _general_dominance(all_subset_fits(corr), p)
        else:
            raw[m] = base[METRIC_ROWS[m]]

    lower: dict[str, np.ndarray] = {}
    upper: dict[str, np.ndarray] = {}
    if n_boot:
        boot_methods = [m for m in methods if not np.isnan(raw[m]).all()]
        reps = replicate_raw(prep, boot_methods, n_boot, seed, exact_max,
                             max(200, n_permutations // 10))
        alpha = (1 - ci) / 2
        if p > min(exact_max, BOOT_EXACT_MAX):
            for m in reps:
                if m in ("lmg", "dominance_general"):
                    notes[m] = _join(notes.get(m), "bootstrap replicates estimate LMG from "
                                     f"{max(200, n_permutations // 10)} random orders")
        for m, vals in reps.items():
            sh = shares_of(vals, m)
            ok = ~np.isnan(sh).any(axis=1)
            if ok.sum() < len(sh):
                notes[m] = _join(notes.get(m), f"{int((~ok).sum())} of {len(sh)} bootstrap "
                                 "replicates could not be computed (a driver without variance "
                                 "in the resample) and were left out")
            lower[m] = np.quantile(sh[ok], alpha, axis=0) if ok.any() else np.full(p, np.nan)
            upper[m] = np.quantile(sh[ok], 1 - alpha, axis=0) if ok.any() else np.full(p, np.nan)

    frames = []
    common = "; ".join(prep.notes)
    for m in methods:
        share = shares_of(raw[m], m)
        order = pd.Series(share).rank(ascending=False, method="min")
        frames.append(pd.DataFrame({
            "driver": prep.drivers,
            "method": names[m],
            "raw": raw[m],
            "share": share,
            "lower": lower.get(m, np.full(p, np.nan)),
            "upper": upper.get(m, np.full(p, np.nan)),
            "rank": order.to_numpy(),
            "se": se.get(m, np.full(p, np.nan)),
            "r2": r2,
            "n": prep.n,
            "note": _join(common, notes.get(m)) or "",
        }))
        for d, reason in prep.skipped.items():
            frames.append(pd.DataFrame([{
                "driver": d, "method": names[m], "raw": np.nan, "share": np.nan,
                "lower": np.nan, "upper": np.nan, "rank": np.nan, "se": np.nan, "r2": r2,
                "n": prep.n, "note": f"skipped: {reason}"}]))
    out = pd.concat(frames, ignore_index=True)[IMPORTANCE_COLUMNS]
    out["rank"] = out["rank"].astype("Int64")
    return out


def _join(*parts: str | None) -> str:
    return "; ".join(p for p in parts if p)


def _general_dominance(fits: np.ndarray, p: int) -> np.ndarray:
    return _conditional(fits, p).mean(axis=1)


def _conditional(fits: np.ndarray, p: int) -> np.ndarray:
    """``cond[j, k]`` = mean gain of driver j over the models of k other drivers."""
    from ._dominance import conditional_table

    return conditional_table(np.ascontiguousarray(fits, dtype=np.float64), p)


def _dominance_from_fits(fits: np.ndarray, names: list[str], tol: float = 1e-12
                         ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Pairwise dominance, conditional contributions and general dominance from subset fits."""
    from ._dominance import complete_counts

    p = len(names)
    cond = _conditional(fits, p)
    general = cond.mean(axis=1)
    gt, lt = complete_counts(np.ascontiguousarray(fits, dtype=np.float64), p, tol)

    def verdict(n_gt: float, n_lt: float) -> float:
        if n_gt > 0 and n_lt == 0:
            return 1.0
        if n_lt > 0 and n_gt == 0:
            return 0.0
        return 0.5

    rows = []
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            dc = cond[i] - cond[j]
            dg = general[i] - general[j]
            rows.append((
                names[i], names[j],
                verdict(gt[i, j], lt[i, j]),
                verdict(float((dc > tol).sum()), float((dc < -tol).sum())),
                verdict(float(dg > tol), float(dg < -tol)),
            ))
    pairs = pd.DataFrame(rows, columns=["driver", "other", "complete", "conditional", "general"])
    cond_df = pd.DataFrame({
        "driver": np.repeat(names, p),
        "k": np.tile(np.arange(p), p),
        "contribution": cond.ravel(),
    })
    return pairs, cond_df, general


def dominance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    weights: Any = None,
    missing: str = "listwise",
    max_drivers: int = DOMINANCE_MAX,
) -> pd.DataFrame:
    """Complete, conditional and general dominance between every pair of drivers.

    Driver i *completely* dominates j when adding i raises R² more than adding j to every model
    that holds neither; *conditionally* when i's mean gain is larger at every model size;
    *generally* when its mean gain over all sizes (= its LMG share) is larger (Budescu 1993;
    Azen & Budescu 2003).

    Returns
    -------
    DataFrame
        One row per ordered pair: ``driver``, ``other``, and ``complete``, ``conditional``,
        ``general`` each 1.0 (driver dominates other), 0.0 (other dominates driver) or 0.5
        (undetermined).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df["a"] + df["b"] + rng.normal(size=300)
    >>> dominance(df, "y", ["a", "b"])[["driver", "other", "complete"]].values.tolist()
    [['a', 'b', 1.0], ['b', 'a', 0.0]]
    """
    prep = _prep_dominance(data, outcome, drivers, weights, missing, max_drivers)
    pairs, _, _ = _dominance_from_fits(all_subset_fits(prep.corr), prep.drivers)
    return pairs


def conditional_dominance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    weights: Any = None,
    missing: str = "listwise",
    max_drivers: int = DOMINANCE_MAX,
) -> pd.DataFrame:
    """Each driver's mean R² gain over the models holding ``k`` other drivers, k = 0 … p − 1.

    ``k = 0`` is the squared correlation, ``k = p − 1`` the gain when added last; the mean over
    ``k`` is general dominance (= LMG).

    Returns
    -------
    DataFrame
        ``driver``, ``k``, ``contribution``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df["a"] + df["b"] + rng.normal(size=300)
    >>> conditional_dominance(df, "y", ["a", "b"]).shape
    (4, 3)
    """
    prep = _prep_dominance(data, outcome, drivers, weights, missing, max_drivers)
    _, cond, _ = _dominance_from_fits(all_subset_fits(prep.corr), prep.drivers)
    return cond


def _prep_dominance(data, outcome, drivers, weights, missing, max_drivers) -> PreparedDrivers:
    prep = prepare_drivers(data, outcome, drivers, weights=weights, missing=missing,
                           what="dominance analysis")
    if prep.p > max_drivers:
        raise AnalysisError(f"dominance analysis: {prep.p} drivers exceed max_drivers="
                            f"{max_drivers} (2^{prep.p} models); use relative_importance's "
                            "lmg, which equals general dominance")
    return prep
