"""Preparing driver data and diagnosing collinearity.

:func:`prepare_drivers` turns a respondent-level frame into the weighted correlation matrix every
relative-importance method works from, with the checks that keep a wrong number from appearing:
unknown or non-numeric columns, negative weights, drivers with no answers or no variance, an
outcome with no variance, too few respondents, perfectly collinear drivers.  Missing answers are
handled by listwise deletion (the default; the number of respondents dropped is reported) or by
pairwise-complete correlations (an option, flagged, because each correlation then rests on a
different set of respondents).

:func:`collinearity` reports variance inflation factors and the condition number, and
:func:`collinearity_message` says in plain words when collinearity makes regression coefficients
unreadable — the reason relative-importance methods exist.

The weighted covariance is the one ``lm(weights = w)`` and R's ``cov.wt`` use: weighted means,
then ``Σ w (x - m)(x - m)' / Σ w`` (the denominator cancels in every correlation-based measure).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._checks import numeric_column
from ..errors import AnalysisError, CvmkitWarning, DataError

__all__ = [
    "PreparedDrivers",
    "collinearity",
    "collinearity_message",
    "condition_number",
    "prepare_drivers",
    "weighted_corr",
]

Drivers = Mapping[str, str] | Sequence[str]

#: Smallest eigenvalue of the driver correlation matrix below which drivers count as collinear.
COLLINEAR_TOL = 1e-10
#: VIF above which a coefficient is called unreadable.
VIF_HIGH = 5.0
#: Condition number above which the design is called ill-conditioned (Belsley et al.).
CONDITION_HIGH = 30.0


@dataclass
class PreparedDrivers:
    """Driver data ready for analysis.

    Attributes
    ----------
    drivers : list of str
        Driver ids kept (in the order given).
    columns : list of str
        Their columns.
    skipped : dict
        ``{driver id: reason}`` for drivers left out (no answers, no variance).
    outcome : str
        The outcome column.
    z : ndarray, shape (n, p + 1)
        The kept drivers then the outcome, one row per respondent used (NaN only with
        ``missing="pairwise"``).
    w : ndarray, shape (n,)
        Respondent weights of those rows.
    corr : ndarray, shape (p + 1, p + 1)
        Weighted correlation matrix of drivers and outcome (outcome last).
    n : int
        Respondents used (listwise) or with at least one driver and the outcome (pairwise).
    n_dropped : int
        Respondents dropped for a missing answer.
    missing : str
        ``"listwise"`` or ``"pairwise"``.
    notes : list of str
        Plain-words notes (deletions, pairwise flag) for the result table.
    """

    drivers: list[str]
    columns: list[str]
    skipped: dict[str, str]
    outcome: str
    z: np.ndarray
    w: np.ndarray
    corr: np.ndarray
    n: int
    n_dropped: int
    missing: str
    notes: list[str] = field(default_factory=list)

    @property
    def p(self) -> int:
        return len(self.drivers)

    @property
    def r2(self) -> float:
        """R² of the full model."""
        r = self.corr[:-1, -1]
        return float(r @ np.linalg.solve(self.corr[:-1, :-1], r))


def driver_map(drivers: Drivers) -> dict[str, str]:
    """``{driver id: column}`` from a mapping or a list of columns (used as their own ids)."""
    if isinstance(drivers, str):
        drivers = [drivers]
    if isinstance(drivers, Mapping):
        out = {str(k): str(v) for k, v in drivers.items()}
    else:
        drivers = list(drivers)
        out = {str(c): str(c) for c in drivers}
        if len(out) != len(drivers):
            dup = sorted({str(c) for c in drivers if list(map(str, drivers)).count(str(c)) > 1})
            raise DataError(f"drivers: column(s) {', '.join(map(repr, dup))} listed twice")
    if not out:
        raise DataError("drivers: no drivers given (expected a list of columns or a mapping "
                        "of driver id to column)")
    cols = list(out.values())
    if len(set(cols)) != len(cols):
        dup = sorted({c for c in cols if cols.count(c) > 1})
        raise DataError(f"drivers: column(s) {', '.join(map(repr, dup))} used by two drivers")
    return out


def _numeric(data: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """:func:`cvmkit._checks.numeric_column`, refusing infinite values as well."""
    x = numeric_column(data, column, what)
    if np.isinf(x).any():
        row = data.index[np.flatnonzero(np.isinf(x))[0]]
        raise DataError(f"{what}: column '{column}' holds an infinite value in row {row!r}")
    return x


def resolve_weights(data: pd.DataFrame, weights: Any) -> np.ndarray:
    """Respondent weights as floats (ones when ``weights`` is None).

    ``weights`` is a column of ``data`` or an array as long as ``data``.  A missing, negative or
    infinite weight raises a :class:`DataError` naming the row.
    """
    n = len(data)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights: column '{weights}' not in data")
        w = _numeric(data, weights, "weights")
        label = f"weights column '{weights}'"
    else:
        w = np.asarray(weights, dtype=float).ravel()
        label = "weights"
        if w.size != n:
            raise DataError(f"weights: {w.size} weights given for {n} rows of data")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{label}: row {data.index[i]!r} has weight {float(w[i])!r}; weights "
                        "must be finite and non-negative")
    if w.sum() <= 0:
        raise DataError(f"{label}: all weights are zero")
    return w


def weighted_corr(z: np.ndarray, w: np.ndarray, pairwise: bool = False) -> np.ndarray:
    """Weighted correlation matrix of the columns of ``z`` (rows weighted by ``w``).

    With ``pairwise=True`` each correlation uses the rows where both columns are present
    (weighted means and variances on those rows too, as ``DataFrame.corr`` does unweighted).
    """
    z = np.asarray(z, dtype=float)
    w = np.asarray(w, dtype=float)
    if not pairwise:
        m = (w @ z) / w.sum()
        zc = z - m
        cov = (zc * w[:, None]).T @ zc
        s = np.sqrt(np.diag(cov))
        return cov / np.outer(s, s)
    q = z.shape[1]
    out = np.eye(q)
    ok = ~np.isnan(z)
    for a in range(q):
        for b in range(a + 1, q):
            rows = ok[:, a] & ok[:, b]
            ww = w[rows]
            xa, xb = z[rows, a], z[rows, b]
            sw = ww.sum()
            if sw <= 0:
                out[a, b] = out[b, a] = np.nan
                continue
            da = xa - (ww @ xa) / sw
            db = xb - (ww @ xb) / sw
            den = np.sqrt((ww @ (da * da)) * (ww @ (db * db)))
            out[a, b] = out[b, a] = (ww @ (da * db)) / den if den > 0 else np.nan
    return out


def _wvar(x: np.ndarray, w: np.ndarray) -> float:
    ok = ~np.isnan(x) & (w > 0)
    if ok.sum() < 2:
        return 0.0
    xx, ww = x[ok], w[ok]
    m = ww @ xx / ww.sum()
    return float(ww @ (xx - m) ** 2 / ww.sum())


def _wvars(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`_wvar` of every column of ``z`` (one pass over complete data)."""
    if len(z) >= 2 and (w > 0).all() and not np.isnan(z).any():
        sw = w.sum()
        return w @ (z - w @ z / sw) ** 2 / sw
    return np.array([_wvar(z[:, j], w) for j in range(z.shape[1])])


def prepare_drivers(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    weights: Any = None,
    missing: str = "listwise",
    skip_bad: bool = True,
    what: str = "driver analysis",
) -> PreparedDrivers:
    """Check driver data and compute its weighted correlation matrix.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.  Not modified.
    outcome : str
        Column of the outcome (e.g. overall value).
    drivers : list of str or dict
        Driver columns, or ``{driver id: column}`` (e.g. attribute id to performance column).
    weights : str or array-like, optional
        Respondent weights (a column of ``data`` or an array).
    missing : {"listwise", "pairwise"}
        Listwise deletion (default; the count dropped is reported) or pairwise-complete
        correlations (flagged in ``notes``).
    skip_bad : bool
        Leave out (with a :class:`CvmkitWarning`) drivers with no answers or no variance instead of
        raising an :class:`AnalysisError`.
    what : str
        Name of the analysis, used in messages.

    Returns
    -------
    PreparedDrivers

    Raises
    ------
    DataError
        Unknown or non-numeric columns, bad weights.
    AnalysisError
        An outcome without variance, fewer respondents than needed, perfectly collinear drivers
        (named), a driver with no answers or no variance when ``skip_bad`` is False.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1, 2, 3, 5, 4], "a": [1, 2, 2, 4, 5], "b": [2, 1, 3, 3, 5]})
    >>> prep = prepare_drivers(df, "y", ["a", "b"])
    >>> prep.n, prep.drivers
    (5, ['a', 'b'])
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    if missing not in ("listwise", "pairwise"):
        raise DataError(f"{what}: missing={missing!r}; expected 'listwise' or 'pairwise'")
    dmap = driver_map(drivers)
    if not isinstance(outcome, str):
        raise DataError(f"{what}: outcome should be a column name, got {outcome!r}")
    absent = [f"'{c}' (driver '{d}')" if d != c else f"'{c}'"
              for d, c in dmap.items() if c not in data.columns]
    if outcome not in data.columns:
        absent.insert(0, f"'{outcome}' (the outcome)")
    if absent:
        raise DataError(f"{what}: column(s) {', '.join(absent)} not in data")
    if outcome in dmap.values():
        d = next(k for k, v in dmap.items() if v == outcome)
        raise DataError(f"{what}: the outcome '{outcome}' is also listed as driver '{d}'")
    if len(data) == 0:
        raise AnalysisError(f"{what}: the data has no rows")

    w_all = resolve_weights(data, weights)
    y_all = _numeric(data, outcome, f"{what}: outcome")
    x_all = {d: _numeric(data, c, f"{what}: driver '{d}'") for d, c in dmap.items()}

    skipped: dict[str, str] = {}

    def bad(driver: str, reason: str) -> None:
        msg = f"{what}: driver '{driver}' (column '{dmap[driver]}') {reason}"
        if not skip_bad:
            raise AnalysisError(msg)
        warnings.warn(msg + "; left out of the analysis", CvmkitWarning, stacklevel=3)
        skipped[driver] = reason

    for d, x in x_all.items():
        if np.isnan(x).all():
            bad(d, "has no answers (every value is missing)")
    if np.isnan(y_all).all():
        raise AnalysisError(f"{what}: the outcome '{outcome}' has no answers")
    keep = [d for d in dmap if d not in skipped]

    notes: list[str] = []
    if missing == "listwise":
        cols = [x_all[d] for d in keep]
        z = np.column_stack([*cols, y_all]) if cols else y_all[:, None]
        complete = ~np.isnan(z).any(axis=1) & (w_all > 0)
        n_total = int((w_all > 0).sum())
        n_dropped = n_total - int(complete.sum())
        if n_dropped:
            msg = (f"{n_dropped} of {n_total} respondents dropped for a missing answer on the "
                   "outcome or a driver (listwise deletion)")
            notes.append(msg)
            warnings.warn(f"{what}: {msg}", CvmkitWarning, stacklevel=2)
        z, w = z[complete], w_all[complete]
    else:
        z = np.column_stack([*(x_all[d] for d in keep), y_all])
        usable = ~np.isnan(y_all) & ~np.isnan(z[:, :-1]).all(axis=1) & (w_all > 0)
        n_dropped = int((w_all > 0).sum() - usable.sum())
        z, w = z[usable], w_all[usable]
        notes.append("pairwise-complete correlations: each rests on the respondents who "
                     "answered both questions, so shares are not those of any one regression")
        warnings.warn(f"{what}: {notes[-1]}", CvmkitWarning, stacklevel=2)

    # Variance checks on the rows used.
    variances = _wvars(z, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: no scale
        scales = np.nanmax(np.abs(z), axis=0) if len(z) else np.ones(z.shape[1])
    scales = np.where(np.isnan(scales), 1.0, scales)
    if variances[-1] <= 1e-12 * max(1.0, float(scales[-1]) ** 2):
        raise AnalysisError(f"{what}: the outcome '{outcome}' has no variance among the "
                            f"{len(z)} respondents used; nothing to explain")
    for i, d in enumerate(list(keep)):
        if variances[i] <= 1e-12 * max(1.0, float(scales[i]) ** 2):
            bad(d, "has no variance (every respondent gives the same answer)")
    if skipped:
        idx = [i for i, d in enumerate(keep) if d not in skipped]
        keep = [keep[i] for i in idx]
        z = z[:, [*idx, z.shape[1] - 1]]
        if missing == "listwise":
            notes.append(f"left out: {', '.join(f'{d} ({r})' for d, r in skipped.items())}")
    if not keep:
        raise AnalysisError(f"{what}: no driver left to analyse "
                            f"({', '.join(f'{d}: {r}' for d, r in skipped.items())})")
    p = len(keep)
    n = int(((w > 0) & ~np.isnan(z[:, -1])).sum())
    if n < p + 2:
        raise AnalysisError(f"{what}: only {n} respondents with usable answers for {p} "
                            f"drivers; need at least {p + 2} (more drivers than respondents)")
    corr = weighted_corr(z, w, pairwise=missing == "pairwise")
    if np.isnan(corr).any():
        a, b = np.argwhere(np.isnan(corr))[0]
        names = [*keep, outcome]
        raise AnalysisError(f"{what}: no respondent answered both '{names[a]}' and "
                            f"'{names[b]}'; their correlation cannot be computed")
    _check_collinear(corr[:p, :p], keep, what, missing)
    return PreparedDrivers(drivers=keep, columns=[dmap[d] for d in keep], skipped=skipped,
                           outcome=outcome, z=z, w=w, corr=corr, n=n, n_dropped=n_dropped,
                           missing=missing, notes=notes)


def _check_collinear(rxx: np.ndarray, names: list[str], what: str, missing: str) -> None:
    vals, vecs = np.linalg.eigh(rxx)
    if vals[0] > COLLINEAR_TOL:
        return
    if vals[0] < -COLLINEAR_TOL and missing == "pairwise":
        raise AnalysisError(f"{what}: the pairwise-complete correlation matrix is not positive "
                            "definite (the pairs rest on too different respondents); use "
                            "missing='listwise'")
    p = len(names)
    # Name the drivers of each (near-)exact dependence; a pair with |r| = 1 is said plainly.
    for i in range(p):
        for j in range(i + 1, p):
            if abs(rxx[i, j]) > 1 - COLLINEAR_TOL:
                raise AnalysisError(
                    f"{what}: drivers '{names[i]}' and '{names[j]}' are perfectly collinear "
                    f"(r = {rxx[i, j]:+.6f}); drop one or combine them")
    v = vecs[:, 0]
    involved = [names[i] for i in np.flatnonzero(np.abs(v) > 1e-6)]
    raise AnalysisError(f"{what}: drivers {', '.join(map(repr, involved))} are linearly "
                        "dependent (one is an exact combination of the others); drop one")


def collinearity(
    data: pd.DataFrame,
    drivers: Drivers,
    weights: Any = None,
) -> pd.DataFrame:
    """Variance inflation factors of the drivers, one row per driver.

    ``vif = 1 / (1 - R²_j)`` where ``R²_j`` is the (weighted) R² of driver j on the other
    drivers; ``tolerance = 1 / vif``.  Rows with a missing driver are dropped (listwise).

    Returns
    -------
    DataFrame
        Columns ``driver``, ``vif``, ``tolerance``, ``r2_others``, ``high`` (vif > 5) and
        ``condition_number`` (the same for every row: of the whole driver correlation matrix).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=200)
    >>> df = pd.DataFrame({"a": a, "b": a + 0.1 * rng.normal(size=200), "c": rng.normal(size=200)})
    >>> collinearity(df, ["a", "b", "c"])["high"].tolist()
    [True, True, False]
    """
    dmap = driver_map(drivers)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"collinearity: expected a pandas DataFrame, got {type(data).__name__}")
    absent = [c for c in dmap.values() if c not in data.columns]
    if absent:
        raise DataError(f"collinearity: column(s) {', '.join(map(repr, absent))} not in data")
    w = resolve_weights(data, weights)
    x = np.column_stack([_numeric(data, c, f"collinearity: driver '{d}'")
                         for d, c in dmap.items()])
    ok = ~np.isnan(x).any(axis=1) & (w > 0)
    if ok.sum() < len(dmap) + 1:
        raise AnalysisError(f"collinearity: only {int(ok.sum())} complete respondents for "
                            f"{len(dmap)} drivers")
    corr = weighted_corr(x[ok], w[ok])
    if np.isnan(corr).any():
        d = list(dmap)[int(np.argwhere(np.isnan(corr))[0][0])]
        raise AnalysisError(f"collinearity: driver '{d}' has no variance")
    with np.errstate(divide="ignore"):
        try:
            inv_diag = np.diag(np.linalg.inv(corr))
        except np.linalg.LinAlgError:
            inv_diag = np.full(len(dmap), np.inf)
    vif = np.where(inv_diag > 0, inv_diag, np.inf)
    vals = np.linalg.eigvalsh(corr)
    cond = float(np.sqrt(vals[-1] / vals[0])) if vals[0] > 0 else float("inf")
    return pd.DataFrame({
        "driver": list(dmap),
        "vif": vif,
        "tolerance": 1 / vif,
        "r2_others": 1 - 1 / vif,
        "high": vif > VIF_HIGH,
        "condition_number": cond,
    })


def condition_number(data: pd.DataFrame, drivers: Drivers, weights: Any = None) -> float:
    """Condition number of the driver correlation matrix, ``sqrt(λ_max / λ_min)``.

    Belsley, Kuh & Welsch read values above 30 as strong collinearity.
    """
    return float(collinearity(data, drivers, weights)["condition_number"].iloc[0])


def collinearity_message(table: pd.DataFrame, labels: Mapping[str, str] | None = None) -> str:
    """A plain-words reading of a :func:`collinearity` table ('' when collinearity is mild).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"driver": ["a", "b"], "vif": [1.2, 1.3], "condition_number": 2.0})
    >>> collinearity_message(t)
    ''
    """
    labels = dict(labels or {})
    high = table[table["vif"] > VIF_HIGH].sort_values("vif", ascending=False)
    cond = float(table["condition_number"].iloc[0])
    if high.empty and cond <= CONDITION_HIGH:
        return ""
    parts = []
    if not high.empty:
        names = ", ".join(f"{labels.get(d, d)} (VIF {v:.1f})"
                          for d, v in zip(high["driver"], high["vif"]))
        parts.append(
            f"{len(high)} driver(s) share most of their variation with the others: {names}. "
            "Their regression coefficients are unstable — a small change in the sample can "
            "shrink them, inflate them or flip their sign — so a coefficient does not say how "
            "much a driver matters.")
    if cond > CONDITION_HIGH:
        parts.append(f"The condition number is {cond:,.0f} (above {CONDITION_HIGH:.0f}): the "
                     "drivers as a whole are strongly collinear.")
    parts.append("Read the relative-importance shares instead: they split the explained "
                 "variance fairly among correlated drivers.")
    return " ".join(parts)
