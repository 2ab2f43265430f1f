"""Price and value: Van Westendorp's price sensitivity meter, Newton–Miller–Smith, Gabor–Granger,
and the value ratio of each brand.

Van Westendorp price sensitivity meter (PSM)
--------------------------------------------
Each respondent names four prices: *too cheap* (quality doubtful), *cheap* (a bargain),
*expensive* (getting expensive, still considered) and *too expensive* (not considered).  For every
price ``p`` among the answers, with ``F_q`` the (weighted) empirical distribution function of
answer ``q``, the curves are::

    too cheap(p)     = 1 − F_too_cheap(p)      share for whom p is still (too) cheap: answer > p
    cheap(p)         = 1 − F_cheap(p)
    not cheap(p)     = F_cheap(p)
    expensive(p)     = F_expensive(p)          share for whom p is already expensive: answer ≤ p
    too expensive(p) = F_too_expensive(p)
    not expensive(p) = 1 − F_expensive(p)

(the convention of Van Westendorp 1976 and of the R package ``pricesensitivitymeter``).  Between
two neighbouring answered prices a curve is taken as the straight line joining its values, and
each price point is where a rising curve meets a falling one, found by **linear interpolation**
inside the first interval where the rising curve reaches the falling one — not the nearest grid
price (the grid price, the first answered price at which the rising curve is at or above the
falling one, is reported beside it as ``grid_price``):

========  =====================================  ==========================================
point     ``convention="van_westendorp"``        ``convention="cheap_expensive"``
========  =====================================  ==========================================
PMC       too cheap × not cheap                  too cheap × expensive
OPP       too cheap × too expensive              too cheap × too expensive
IDP       cheap × expensive                      cheap × expensive
PME       too expensive × not expensive          too expensive × cheap
========  =====================================  ==========================================

PMC/PME are the points of marginal cheapness/expensiveness (the range of acceptable prices), OPP
the optimal and IDP the indifference price point.  The first convention is the original one; the
second is common in textbooks and survey software.  A respondent whose four prices do not
increase (``too cheap < cheap < expensive < too expensive``; ``strict=False`` accepts ties) is
left out with a warning and counted in ``n_excluded``; a negative price is an error.

Newton–Miller–Smith (NMS) extension
-----------------------------------
Two follow-up questions ask how likely the respondent is to buy at their own *cheap* and
*expensive* prices.  The answers are calibrated to purchase probabilities (by default
5 → 0.7, 4 → 0.5, 3 → 0.3, 2 → 0.1, 1 → 0, Newton, Miller & Smith 1993), set to 0 at the
respondent's *too cheap* and *too expensive* prices and outside them, and joined by straight
lines in price.  The mean over respondents is the trial (demand) curve; ``price × trial`` the
revenue curve.  :func:`price_optima` finds the trial- and revenue-maximising prices; the revenue
optimum is exact for the piecewise-linear trial curve (it may fall between answered prices).

Gabor–Granger
-------------
Yes/no "would you buy at £p?" questions at a ladder of prices: demand at each price is the
(weighted) share answering yes, revenue is ``price × demand``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import AnalysisError, CvmkitWarning, DataError
from .metrics import WeightsLike, _check_confidence, _numeric_column, _resolve_weights
from .study import Study

__all__ = [
    "NMS_CALIBRATION",
    "PRICE_POINTS",
    "gabor_granger",
    "newton_miller_smith",
    "price_optima",
    "psm_curves",
    "value_ratio",
    "van_westendorp",
]

#: Default calibration of a 5-point purchase-likelihood answer (5 = very likely) to a probability.
NMS_CALIBRATION: dict[float, float] = {5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0.0}

#: The Van Westendorp price points: (rising curve, falling curve, label) per convention.
PRICE_POINTS: dict[str, dict[str, tuple[str, str, str]]] = {
    "van_westendorp": {
        "pmc": ("not_cheap", "too_cheap", "Point of marginal cheapness"),
        "opp": ("too_expensive", "too_cheap", "Optimal price point"),
        "idp": ("expensive", "cheap", "Indifference price point"),
        "pme": ("too_expensive", "not_expensive", "Point of marginal expensiveness"),
    },
    "cheap_expensive": {
        "pmc": ("expensive", "too_cheap", "Point of marginal cheapness"),
        "opp": ("too_expensive", "too_cheap", "Optimal price point"),
        "idp": ("expensive", "cheap", "Indifference price point"),
        "pme": ("too_expensive", "cheap", "Point of marginal expensiveness"),
    },
}

_QUESTIONS = ("too_cheap", "cheap", "expensive", "too_expensive")


# ---------------------------------------------------------------------------- answers
def _psm_answers(data: pd.DataFrame, columns: Sequence[str], weights: WeightsLike,
                 strict: bool, extra: Sequence[str] = ()
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Valid respondents' four prices (n × 4), their weights, row positions and the counts."""
    prices = np.column_stack([_numeric_column(data, c, "price column") for c in columns])
    w = _resolve_weights(data, weights)
    for j, c in enumerate(columns):
        neg = prices[:, j] < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise DataError(f"price column '{c}': negative price {prices[i, j]:g} in row "
                            f"{data.index[i]!r} ({int(neg.sum())} negative value(s))")
    extra_vals = [np.isfinite(_numeric_column(data, c, "purchase-likelihood column"))
                  for c in extra]
    complete = np.isfinite(prices).all(axis=1) & (w > 0)
    for e in extra_vals:
        complete &= e
    steps = np.diff(prices, axis=1)
    increasing = (steps > 0).all(axis=1) if strict else (steps >= 0).all(axis=1)
    bad = complete & ~increasing
    counts = {"n_total": len(data), "n_missing": int((~complete).sum()),
              "n_inconsistent": int(bad.sum())}
    if bad.any():
        rows = [data.index[i] for i in np.flatnonzero(bad)[:5]]
        rel = "<" if strict else "≤"
        warnings.warn(
            f"Van Westendorp: {int(bad.sum())} respondent(s) whose prices do not increase "
            f"({f' {rel} '.join(columns)}) were left out, e.g. rows {rows}",
            CvmkitWarning, stacklevel=3)
    keep = complete & increasing
    if not keep.any():
        raise AnalysisError(f"Van Westendorp: no respondent has four consistent prices in "
                            f"{list(columns)}")
    counts["n"] = int(keep.sum())
    return prices[keep], w[keep], np.flatnonzero(keep), counts


def _wecdf(x: np.ndarray, w: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Weighted share of ``x`` at or below each grid value."""
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    idx = np.searchsorted(xs, grid, side="right")
    out = np.where(idx > 0, cw[np.maximum(idx - 1, 0)], 0.0)
    return out / cw[-1]


def psm_curves(data: pd.DataFrame, too_cheap: str, cheap: str, expensive: str,
               too_expensive: str, *, weights: WeightsLike = None, strict: bool = True
               ) -> pd.DataFrame:
    """The Van Westendorp cumulative curves at every answered price.

    Parameters
    ----------
    data : DataFrame
    too_cheap, cheap, expensive, too_expensive : str
        The four price columns.
    weights : str or array-like, optional
    strict : bool
        Require strictly increasing prices per respondent (ties excluded); ``False`` accepts ties.

    Returns
    -------
    DataFrame
        ``price, too_cheap, cheap, expensive, too_expensive, not_cheap, not_expensive`` — shares
        (0–1) as defined in the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"tc": [1, 2], "ch": [2, 3], "ex": [3, 4], "te": [4, 5]})
    >>> psm_curves(d, "tc", "ch", "ex", "te")["expensive"].tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    cols = [too_cheap, cheap, expensive, too_expensive]
    p, w, _, _ = _psm_answers(data, cols, weights, strict)
    return _curves(p, w)


def _curves(p: np.ndarray, w: np.ndarray, grid: np.ndarray | None = None) -> pd.DataFrame:
    g = np.unique(p) if grid is None else np.asarray(grid, dtype=float)
    f = [_wecdf(p[:, j], w, g) for j in range(4)]
    return pd.DataFrame({"price": g, "too_cheap": 1 - f[0], "cheap": 1 - f[1],
                         "expensive": f[2], "too_expensive": f[3], "not_cheap": f[1],
                         "not_expensive": 1 - f[2]})


def _crossing(price: np.ndarray, rising: np.ndarray, falling: np.ndarray
              ) -> tuple[float, float, float, str]:
    """(price, share, grid price, note) where ``rising`` first reaches ``falling``."""
    d = rising - falling
    hit = np.flatnonzero(d >= 0)
    if hit.size == 0:
        return np.nan, np.nan, np.nan, "the curves do not cross within the answered prices"
    k = int(hit[0])
    if k == 0:
        return (float(price[0]), float(rising[0]), float(price[0]),
                "the curves already cross at the lowest answered price")
    t = -d[k - 1] / (d[k] - d[k - 1])
    x = price[k - 1] + t * (price[k] - price[k - 1])
    share = rising[k - 1] + t * (rising[k] - rising[k - 1])
    note = ""
    if share < 1e-9 or share > 1 - 1e-9:
        note = (f"the curves meet where both are {round(share):d} (the two answers do not "
                "overlap); the first such price is reported")
    return float(x), float(share), float(price[k]), note


def van_westendorp(data: pd.DataFrame, too_cheap: str, cheap: str, expensive: str,
                   too_expensive: str, *, weights: WeightsLike = None,
                   convention: str = "van_westendorp", strict: bool = True) -> pd.DataFrame:
    """Van Westendorp price points, found by linear interpolation between answered prices.

    Parameters
    ----------
    data : DataFrame
    too_cheap, cheap, expensive, too_expensive : str
        The four price columns (a study's ``price.van_westendorp`` mapping can be passed with
        ``**study.price["van_westendorp"]``).
    weights : str or array-like, optional
    convention : {"van_westendorp", "cheap_expensive"}
        Which curves define PMC and PME (see the module docstring).
    strict : bool
        Require strictly increasing prices per respondent.

    Returns
    -------
    DataFrame
        One row per price point (``pmc, opp, idp, pme``): ``point, label, price, share, rising,
        falling, grid_price, n, n_excluded, convention, note`` — ``share`` is the height of the
        curves where they meet, ``n_excluded`` the respondents left out (inconsistent or
        incomplete answers).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"tc": [1, 2, 3], "ch": [2, 3, 4], "ex": [4, 5, 6], "te": [5, 6, 7]})
    >>> out = van_westendorp(d, "tc", "ch", "ex", "te")
    >>> out.set_index("point")["price"].round(2).to_dict()
    {'pmc': 2.0, 'opp': 3.0, 'idp': 3.5, 'pme': 5.0}
    """
    if convention not in PRICE_POINTS:
        raise AnalysisError(f"convention: expected one of {', '.join(PRICE_POINTS)}, "
                            f"got {convention!r}")
    cols = [too_cheap, cheap, expensive, too_expensive]
    p, w, _, counts = _psm_answers(data, cols, weights, strict)
    curves = _curves(p, w)
    price = curves["price"].to_numpy()
    rows = []
    for point, (rise, fall, label) in PRICE_POINTS[convention].items():
        x, share, grid, note = _crossing(price, curves[rise].to_numpy(), curves[fall].to_numpy())
        rows.append({"point": point, "label": label, "price": x, "share": share, "rising": rise,
                     "falling": fall, "grid_price": grid, "n": counts["n"],
                     "n_excluded": counts["n_total"] - counts["n"], "convention": convention,
                     "note": note})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- NMS
def _calibrate(data: pd.DataFrame, column: str, calibration: Mapping) -> np.ndarray:
    raw = data[column]
    if pd.api.types.is_numeric_dtype(raw):
        keys = {float(k): float(v) for k, v in calibration.items()
                if isinstance(k, (int, float, np.number))}
        vals = raw.to_numpy(dtype=float)
        out = np.array([keys.get(v, np.nan) if np.isfinite(v) else np.nan for v in vals])
    else:
        keys = {str(k): float(v) for k, v in calibration.items()}
        out = np.array([keys.get(str(v), np.nan) if pd.notna(v) else np.nan for v in raw])
        vals = raw.to_numpy(dtype=object)
    unknown = np.isnan(out) & raw.notna().to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        shown = vals[i].item() if hasattr(vals[i], "item") else vals[i]
        raise DataError(f"purchase-likelihood column '{column}': answer {shown!r} in row "
                        f"{data.index[i]!r} has no calibrated probability (calibration keys: "
                        f"{list(calibration)})")
    bad = [v for v in calibration.values() if not 0 <= float(v) <= 1]
    if bad:
        raise AnalysisError(f"calibration: probabilities must lie in [0, 1], got {bad}")
    return out


def newton_miller_smith(data: pd.DataFrame, too_cheap: str, cheap: str, expensive: str,
                        too_expensive: str, at_cheap: str, at_expensive: str, *,
                        calibration: Mapping | None = None, weights: WeightsLike = None,
                        prices: Sequence[float] | None = None, strict: bool = True
                        ) -> pd.DataFrame:
    """Newton–Miller–Smith trial (demand) and revenue curves from the PSM questions.

    Parameters
    ----------
    data : DataFrame
    too_cheap, cheap, expensive, too_expensive : str
        The four Van Westendorp price columns.
    at_cheap, at_expensive : str
        Purchase likelihood at the respondent's own cheap and expensive prices.
    calibration : mapping, optional
        Answer → purchase probability (default :data:`NMS_CALIBRATION`, 5 = very likely).
        Keys may be numbers or answer labels.
    weights : str or array-like, optional
    prices : sequence of float, optional
        Where to evaluate the curves (default: every answered price).
    strict : bool
        As in :func:`van_westendorp`.

    Returns
    -------
    DataFrame
        ``price, trial, revenue, n`` — ``trial`` is the mean purchase probability, ``revenue``
        ``price × trial`` (per potential customer).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"tc": [1.0], "ch": [2.0], "ex": [3.0], "te": [4.0],
    ...                   "pc": [5], "pe": [3]})
    >>> newton_miller_smith(d, "tc", "ch", "ex", "te", "pc", "pe")["trial"].tolist()
    [0.0, 0.7, 0.3, 0.0]
    """
    cal = NMS_CALIBRATION if calibration is None else calibration
    cols = [too_cheap, cheap, expensive, too_expensive]
    for c in (at_cheap, at_expensive):
        if c not in data.columns:
            raise DataError(f"purchase-likelihood column '{c}' not in data")
    pc_all = _calibrate(data, at_cheap, cal)
    pe_all = _calibrate(data, at_expensive, cal)
    p, w, pos, counts = _psm_answers(data.assign(**{"__pc": pc_all, "__pe": pe_all}), cols,
                                     weights, strict, extra=("__pc", "__pe"))
    pc, pe = pc_all[pos], pe_all[pos]
    grid = np.unique(p) if prices is None else np.asarray(prices, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or np.any(np.diff(grid) <= 0):
        raise AnalysisError("prices: expected a non-empty, strictly increasing list of prices")
    trial = np.zeros(grid.size)
    sw = w.sum()
    zeros = np.zeros(len(p))
    ys = np.column_stack([zeros, pc, pe, zeros])
    for i in range(len(p)):
        trial += w[i] * np.interp(grid, p[i], ys[i], left=0.0, right=0.0)
    trial /= sw
    return pd.DataFrame({"price": grid, "trial": trial, "revenue": grid * trial,
                         "n": counts["n"]})


def price_optima(curve: pd.DataFrame) -> pd.DataFrame:
    """The trial-maximising and revenue-maximising prices of an NMS or Gabor–Granger curve.

    Between neighbouring prices of ``curve`` the trial (demand) share is taken as linear, so
    revenue ``p · trial(p)`` is quadratic there and its maximum is found exactly, also when it
    falls between two prices; ``grid_price`` is the best price among those of ``curve``.

    Parameters
    ----------
    curve : DataFrame
        With columns ``price`` and ``trial`` (or ``demand``).

    Returns
    -------
    DataFrame
        Two rows, ``objective`` ``trial`` and ``revenue``: ``price, trial, revenue, grid_price``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"price": [1.0, 3.0], "trial": [1.0, 0.0]})
    >>> price_optima(c).set_index("objective")["price"].tolist()
    [1.0, 1.5]
    """
    col = "trial" if "trial" in curve.columns else "demand"
    if "price" not in curve.columns or col not in curve.columns:
        raise DataError("curve: expected columns 'price' and 'trial' (or 'demand')")
    x = curve["price"].to_numpy(dtype=float)
    y = curve[col].to_numpy(dtype=float)
    if x.size == 0 or np.any(np.diff(x) <= 0):
        raise AnalysisError("curve: prices must be non-empty and strictly increasing")
    kt = int(np.argmax(y))
    rev = x * y
    kr = int(np.argmax(rev))
    best_p, best_r, best_t = x[kr], rev[kr], y[kr]
    for k in range(x.size - 1):
        s = (y[k + 1] - y[k]) / (x[k + 1] - x[k])
        if s < 0:
            ps = (x[k] - y[k] / s) / 2
            if x[k] < ps < x[k + 1]:
                t = y[k] + s * (ps - x[k])
                if ps * t > best_r:
                    best_p, best_r, best_t = ps, ps * t, t
    return pd.DataFrame({
        "objective": ["trial", "revenue"],
        "price": [float(x[kt]), float(best_p)],
        "trial": [float(y[kt]), float(best_t)],
        "revenue": [float(rev[kt]), float(best_r)],
        "grid_price": [float(x[kt]), float(x[kr])],
    })


# ---------------------------------------------------------------------------- Gabor–Granger
def gabor_granger(data: pd.DataFrame, columns: Sequence[str], prices: Sequence[float], *,
                  weights: WeightsLike = None, yes: object = 1, confidence: float = 0.95,
                  drop_inconsistent: bool = False) -> pd.DataFrame:
    """Gabor–Granger demand and revenue at a ladder of prices.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
        One yes/no purchase question per price.
    prices : sequence of float
        The prices asked, strictly increasing, one per column.
    weights : str or array-like, optional
    yes : object
        The code of a "yes" answer (anything else that is not missing counts as "no").
    confidence : float
        Level of the demand interval (normal approximation).
    drop_inconsistent : bool
        Leave out respondents who say yes at a higher price but no at a lower one (otherwise
        they are kept and only counted).

    Returns
    -------
    DataFrame
        ``price, demand, demand_se, ci_low, ci_high, revenue, is_revenue_max, n,
        n_inconsistent`` — revenue is ``price × demand`` per potential customer.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1, 1, 1, 0], "b": [1, 1, 0, 0], "c": [1, 0, 0, 0]})
    >>> gabor_granger(d, ["a", "b", "c"], [2, 3, 4])["revenue"].tolist()
    [1.5, 1.5, 1.0]
    """
    columns, prices = list(columns), [float(p) for p in prices]
    if not columns or len(columns) != len(prices):
        raise AnalysisError(f"gabor_granger: expected one price per column, got "
                            f"{len(prices)} price(s) for {len(columns)} column(s)")
    if np.any(np.diff(prices) <= 0):
        raise AnalysisError(f"prices: expected strictly increasing prices, got {prices}")
    z = _check_confidence(confidence)
    for c in columns:
        if c not in data.columns:
            raise DataError(f"Gabor–Granger column '{c}' not in data")
    w = _resolve_weights(data, weights)
    answered = np.column_stack([data[c].notna().to_numpy() for c in columns])
    said_yes = np.column_stack([(data[c] == yes).to_numpy() for c in columns])
    # inconsistent: yes at a price above one where the answer was no
    no_so_far = np.logical_or.accumulate(answered & ~said_yes, axis=1)
    inconsistent = (said_yes[:, 1:] & no_so_far[:, :-1]).any(axis=1)
    n_inc = int(inconsistent.sum())
    if n_inc:
        what = "left out" if drop_inconsistent else "kept"
        warnings.warn(f"Gabor–Granger: {n_inc} respondent(s) say yes at a higher price after no "
                      f"at a lower one ({what})", CvmkitWarning, stacklevel=2)
    keep = ~inconsistent if drop_inconsistent else np.ones(len(data), bool)
    rows = []
    for j, price in enumerate(prices):
        m = keep & answered[:, j] & (w > 0)
        if not m.any():
            raise AnalysisError(f"Gabor–Granger column '{columns[j]}' has no answers")
        ww = w[m]
        y = said_yes[m, j].astype(float)
        p = float(np.dot(ww, y) / ww.sum())
        n_eff = ww.sum() ** 2 / np.dot(ww, ww)
        se = float(np.sqrt(p * (1 - p) / n_eff))
        rows.append({"price": price, "demand": p, "demand_se": se,
                     "ci_low": max(0.0, p - z * se), "ci_high": min(1.0, p + z * se),
                     "revenue": price * p, "n": int(m.sum()), "n_inconsistent": n_inc})
    out = pd.DataFrame(rows)
    out.insert(6, "is_revenue_max", out["revenue"] == out["revenue"].max())
    return out


# ---------------------------------------------------------------------------- value ratio
def value_ratio(data: pd.DataFrame, study: Study, *, by: str | None = None,
                weights: WeightsLike = None, attribute_weights: Mapping[str, float] | None = None,
                exclude_components: Sequence[str] = ("price",)) -> pd.DataFrame:
    """Perceived benefits over perceived price, per brand (and segment).

    ``benefits`` is each respondent's mean performance rating of a brand over the study's
    attributes (those of the components in ``exclude_components`` left out; optionally weighted
    by ``attribute_weights``, e.g. driver importances), averaged over respondents; ``price`` is
    the mean perceived-price rating of the brand (``study.price["perceived"]``, keyed so that
    higher means more expensive).  ``value_ratio = benefits / price``; ``relative_value`` divides
    it by the mean ratio of all brands in the same group, so above 1 means better value than the
    market average.

    Returns
    -------
    DataFrame
        ``[by], brand, benefits, price, value_ratio, relative_value, n``.

    Examples
    --------
    >>> value_ratio(data, study, by="segment")  # doctest: +SKIP
    """
    perceived = study.price.get("perceived")
    if not perceived:
        raise AnalysisError("price.perceived: the study declares no perceived-price column")
    attrs = [a for a in study.attributes if a.component not in set(exclude_components)]
    if not attrs:
        raise AnalysisError("value_ratio: no attributes left after excluding components "
                            f"{list(exclude_components)}")
    aw = np.array([1.0 if attribute_weights is None else float(attribute_weights.get(a.id, 0.0))
                   for a in attrs])
    if aw.sum() <= 0 or np.any(aw < 0):
        raise AnalysisError("attribute_weights: expected non-negative weights, not all zero, "
                            f"for attributes {[a.id for a in attrs]}")
    w = _resolve_weights(data, weights)
    if by is not None and by not in data.columns:
        raise DataError(f"by: column '{by}' not in data")
    groups = [(None, np.ones(len(data), bool))] if by is None else [
        (g, (data[by] == g).to_numpy()) for g in sorted(data[by].dropna().unique(), key=str)]
    rows = []
    for g, m in groups:
        for b in study.brands:
            perf = np.column_stack([_numeric_column(data, a.performance_column(b))
                                    for a in attrs])
            ok = np.isfinite(perf)
            num = np.where(ok, perf, 0.0) @ aw
            den = ok.astype(float) @ aw
            benefit = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            price = _numeric_column(data, perceived.format(brand=b.code))
            use = m & np.isfinite(benefit) & np.isfinite(price) & (w > 0)
            if not use.any():
                warnings.warn(f"value_ratio: no respondent rated brand '{b.name}'"
                              + (f" in {by} = {g!r}" if by else ""), CvmkitWarning, stacklevel=2)
                ben = pr = np.nan
            else:
                ben = float(np.average(benefit[use], weights=w[use]))
                pr = float(np.average(price[use], weights=w[use]))
            row = {} if by is None else {by: g}
            row.update(brand=b.name, benefits=ben, price=pr,
                       value_ratio=ben / pr if pr else np.nan, n=int(use.sum()))
            rows.append(row)
    out = pd.DataFrame(rows)
    key = [by] if by else None
    mean_ratio = out.groupby(key)["value_ratio"].transform("mean") if key else \
        out["value_ratio"].mean()
    out.insert(len(out.columns) - 1, "relative_value", out["value_ratio"] / mean_ratio)
    return out
