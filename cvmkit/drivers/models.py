"""Driver regression models as tidy coefficient tables, and dominance for a binary outcome.

* :func:`ols_coefficients` — linear regression of the outcome on the drivers by weighted least
  squares (statsmodels ``WLS``; plain OLS without weights) with HC3 heteroskedasticity-robust
  standard errors (MacKinnon & White 1985), the default for rating outcomes whose spread varies
  along the scale.
* :func:`ordered_logit_coefficients` — proportional-odds logit for an ordinal outcome, fitted
  by Newton–Raphson with the analytic gradient and Hessian (checked against statsmodels
  ``OrderedModel`` in the tests).  Respondent weights multiply each respondent's
  log-likelihood (a pseudo-likelihood) and the standard errors are then the sandwich (HC0)
  ones that go with it.
* :func:`logit_coefficients` — logit for a top-box / promoter outcome (statsmodels ``GLM``
  binomial; weights as ``var_weights``, with sandwich standard errors when weighted).
* :func:`logit_dominance` — dominance analysis over McFadden's pseudo-R²,
  ``1 − LL(model) / LL(intercept only)``, for a binary outcome (Azen & Traxel 2009).  It needs a
  logit fit for every subset of drivers; statsmodels would take seconds per hundred fits, so
  those fits are a compiled weighted Newton–Raphson here (checked against statsmodels in the
  tests), for up to ``max_drivers`` drivers.  Each fit costs time in proportion to the
  respondents, so above :data:`LOGIT_DOMINANCE_SUBSAMPLE` respondents the fits run on a seeded
  random subsample of that size (said in the table's ``note``), and the Monte-Carlo error the
  subsample adds is estimated from disjoint parts of it (the table's ``se``).

Every table names drivers by id and carries ``n`` and the model's (pseudo-)R².
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numba import njit
from scipy.special import ndtr, ndtri

from ..capabilities import LOGIT_DOMINANCE_MAX
from ..errors import AnalysisError, CvmkitWarning, DataError
from ..progress import progress
from .diagnostics import Drivers, PreparedDrivers, prepare_drivers
from .lmg import run_chunks

__all__ = [
    "COEFFICIENT_COLUMNS",
    "LOGIT_DOMINANCE_SUBSAMPLE",
    "logit_coefficients",
    "logit_dominance",
    "mcfadden_fits",
    "ols_coefficients",
    "ordered_logit_coefficients",
    "subsample_note",
]

#: Respondents above which :func:`logit_dominance` fits its 2^p logits on a random subsample of
#: this many (its time then no longer grows with the respondents).
LOGIT_DOMINANCE_SUBSAMPLE = 5_000
#: Disjoint parts of the subsample whose spread gives the Monte-Carlo error of the shares.
SUBSAMPLE_PARTS = 4
#: Smallest subsample allowed (each part of the error estimate gets an eighth of it).
SUBSAMPLE_MIN = 200

#: Columns of the coefficient tables.
COEFFICIENT_COLUMNS = ["driver", "estimate", "std_error", "statistic", "p_value", "lower",
                       "upper", "std_estimate", "model", "n", "r2"]


def _table(prep: PreparedDrivers, names: list[str], est, se, stat, pval, lower, upper,
           std_est, model: str, r2: float) -> pd.DataFrame:
    return pd.DataFrame({
        "driver": names, "estimate": est, "std_error": se, "statistic": stat, "p_value": pval,
        "lower": lower, "upper": upper, "std_estimate": std_est, "model": model, "n": prep.n,
        "r2": r2,
    })[COEFFICIENT_COLUMNS]


def _statsmodels() -> Any:
    """``statsmodels.api``, imported on first use (it takes a second or two to import)."""
    import statsmodels.api as sm

    return sm


def _wsd(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    m = (w @ x) / w.sum()
    return np.sqrt((w @ (x - m) ** 2) / w.sum())


def ols_coefficients(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    weights: Any = None,
    cov_type: str = "HC3",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Linear regression of the outcome on the drivers, with robust standard errors.

    Parameters
    ----------
    data, outcome, drivers, weights
        As for :func:`cvmkit.drivers.relative_importance` (listwise deletion).
    cov_type : str
        statsmodels covariance type (``"HC3"`` by default; ``"nonrobust"`` for the classical).
    ci : float
        Coverage of the confidence intervals.

    Returns
    -------
    DataFrame
        One row for the intercept (``driver`` = ``"(intercept)"``) and one per driver:
        ``estimate``, ``std_error``, ``statistic`` (t), ``p_value``, ``lower``/``upper``,
        ``std_estimate`` (standardised coefficient), ``model``, ``n``, ``r2``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> df["y"] = 1 + 2 * df["a"] + rng.normal(size=200)
    >>> t = ols_coefficients(df, "y", ["a", "b"])
    >>> t["driver"].tolist()
    ['(intercept)', 'a', 'b']
    """
    prep = prepare_drivers(data, outcome, drivers, weights=weights, skip_bad=False,
                           what="OLS regression")
    x, y, w = prep.z[:, :-1], prep.z[:, -1], prep.w
    sm = _statsmodels()
    fit = sm.WLS(y, sm.add_constant(x, has_constant="add"), weights=w).fit(cov_type=cov_type)
    lo, hi = fit.conf_int(alpha=1 - ci).T
    std = np.r_[np.nan, fit.params[1:] * _wsd(x, w) / _wsd(y[:, None], w)[0]]
    name = "ols" if cov_type == "nonrobust" else f"ols_{cov_type.lower()}"
    return _table(prep, ["(intercept)", *prep.drivers], fit.params, fit.bse, fit.tvalues,
                  fit.pvalues, lo, hi, std, name, float(fit.rsquared))


def _ordered_logit_terms(params: np.ndarray, x: np.ndarray, codes: np.ndarray, w: np.ndarray,
                         n_levels: int, derivatives: bool = True):
    """Log-likelihood of the proportional-odds logit and, optionally, its derivatives.

    ``params`` are the slopes then the ``n_levels - 1`` thresholds:
    ``P(y <= j) = F(theta_j - x @ beta)`` with ``F`` the logistic function.  Returns the
    weighted log-likelihood, the per-observation scores (already weighted) and the Hessian.
    """
    from scipy.special import expit

    k = x.shape[1]
    beta, theta = params[:k], params[k:]
    cuts = np.r_[-np.inf, theta, np.inf]
    eta = x @ beta
    a, b = cuts[codes + 1] - eta, cuts[codes] - eta  # upper and lower cut of each answer
    fa_, fb_ = expit(a), expit(b)
    prob = fa_ - fb_
    ll = float(w @ np.log(prob))
    if not derivatives:
        return ll, None, None
    da, db = fa_ * (1 - fa_), fb_ * (1 - fb_)  # logistic densities (0 at ±inf)
    ga, gb = da * (1 - 2 * fa_), db * (1 - 2 * fb_)
    # Jacobians of the two cuts with respect to (beta, theta)
    m = n_levels - 1
    rows = np.arange(len(codes))
    ja = np.zeros((len(codes), k + m))
    jb = np.zeros_like(ja)
    ja[:, :k] = jb[:, :k] = -x
    up, lo = codes < m, codes > 0
    ja[rows[up], k + codes[up]] = 1.0
    jb[rows[lo], k + codes[lo] - 1] = 1.0
    sa, sb = da / prob, db / prob
    scores = w[:, None] * (sa[:, None] * ja - sb[:, None] * jb)
    haa, hbb, hab = ga / prob - sa**2, -gb / prob - sb**2, sa * sb
    hess = ((ja * (w * haa)[:, None]).T @ ja + (jb * (w * hbb)[:, None]).T @ jb
            + (ja * (w * hab)[:, None]).T @ jb + (jb * (w * hab)[:, None]).T @ ja)
    return ll, scores, hess


def _ordered_logit_fit(x: np.ndarray, codes: np.ndarray, w: np.ndarray, n_levels: int,
                       max_iter: int = 100, tol: float = 1e-12):
    """Maximum (pseudo-)likelihood fit of the proportional-odds logit by Newton–Raphson.

    The log-likelihood is concave in (slopes, thresholds), so Newton's method from the
    marginal thresholds converges; a step is halved while it would lower the likelihood or
    disorder the thresholds.  Returns (params, log-likelihood, scores, Hessian, converged).
    """
    k = x.shape[1]
    share = np.bincount(codes, weights=w, minlength=n_levels) / w.sum()
    cum = np.cumsum(share)[:-1]
    params = np.r_[np.zeros(k), np.log(cum / (1 - cum))]
    ll, scores, hess = _ordered_logit_terms(params, x, codes, w, n_levels)
    for _ in range(max_iter):
        grad = scores.sum(axis=0)
        step = np.linalg.solve(-hess, grad)
        decrement = float(grad @ step)  # twice the predicted gain of a full step
        if decrement <= tol * (abs(ll) + 1.0):
            return params, ll, scores, hess, True
        t = 1.0
        while t > 1e-12:
            trial = params + t * step
            if np.all(np.diff(trial[k:]) > 0):
                ll_trial = _ordered_logit_terms(trial, x, codes, w, n_levels, False)[0]
                if ll_trial >= ll - 1e-12 * abs(ll):
                    break
            t /= 2
        params = trial
        ll, scores, hess = _ordered_logit_terms(params, x, codes, w, n_levels)
    return params, ll, scores, hess, False


def ordered_logit_coefficients(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    weights: Any = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Proportional-odds (ordered) logit of an ordinal outcome on the drivers.

    Coefficients are log odds ratios of a higher outcome category per unit of the driver.  The
    thresholds (cut-points) follow the drivers, one row each, named ``"(threshold a|b)"`` for the
    cut between outcome values ``a`` and ``b``: ``P(y <= a) = F(threshold - x @ coefficients)``
    with ``F`` the logistic function (``std_estimate`` is empty for them).  With weights the
    standard errors are the sandwich ones of the weighted pseudo-likelihood.  ``r2`` is
    McFadden's pseudo-R² (weighted).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    >>> df["y"] = np.digitize(df["a"] + rng.logistic(size=300), [-1, 0, 1])
    >>> t = ordered_logit_coefficients(df, "y", ["a", "b"])
    >>> bool(t.loc[t.driver == "a", "p_value"].iloc[0] < 0.001)
    True
    >>> t["driver"].tolist()
    ['a', 'b', '(threshold 0|1)', '(threshold 1|2)', '(threshold 2|3)']
    """
    prep = prepare_drivers(data, outcome, drivers, weights=weights, skip_bad=False,
                           what="ordered logit")
    x, y, w = prep.z[:, :-1], prep.z[:, -1], prep.w
    levels = np.unique(y)
    if levels.size < 3:
        raise AnalysisError(f"ordered logit: outcome '{outcome}' has {levels.size} distinct "
                            "values; an ordinal outcome needs at least 3 (use "
                            "logit_coefficients for two)")
    codes = np.searchsorted(levels, y)
    weighted = weights is not None
    fit, llf, scores, hess, converged = _ordered_logit_fit(x, codes, w, levels.size)
    k = x.shape[1]
    # Under (quasi-)separation the likelihood has no maximum: slopes run off towards infinity
    # (a change of one standard deviation multiplying the odds by e^20 and more).
    if not converged or np.abs(fit[:k] * _wsd(x, w)).max() > 20:
        warnings.warn(f"ordered logit: the fit of '{outcome}' did not converge: the drivers "
                      "(nearly) perfectly order the outcome (separation); the estimates are "
                      "the last iterate's", CvmkitWarning, stacklevel=2)
    bread = np.linalg.inv(-hess)
    cov = bread @ (scores.T @ scores) @ bread if weighted else bread
    params = fit
    bse = np.sqrt(np.diag(cov))
    z = params / bse
    q = ndtri(0.5 + ci / 2)
    counts = np.array([w[codes == c].sum() for c in range(levels.size)])
    ll0 = float(counts @ np.log(counts / counts.sum()))
    r2 = 1 - llf / ll0
    std = np.r_[params[:k] * _wsd(x, w), np.full(levels.size - 1, np.nan)]
    cuts = [f"(threshold {a:g}|{b:g})" for a, b in zip(levels[:-1], levels[1:])]
    return _table(prep, [*prep.drivers, *cuts], params, bse, z, 2 * ndtr(-np.abs(z)),
                  params - q * bse, params + q * bse, std, "ordered_logit", r2)


def _binary(y: np.ndarray, outcome: str, top_box: float | None, what: str) -> np.ndarray:
    if top_box is not None:
        return (y >= top_box).astype(float)
    vals = np.unique(y)
    if not np.isin(vals, [0.0, 1.0]).all():
        raise DataError(f"{what}: outcome '{outcome}' takes values {vals[:6].tolist()}...; "
                        "expected 0/1, or give top_box= (e.g. 9 for promoters)")
    return y


def _prep_binary(data, outcome, drivers, weights, top_box, what) -> tuple[PreparedDrivers,
                                                                           np.ndarray]:
    prep = prepare_drivers(data, outcome, drivers, weights=weights, skip_bad=False, what=what)
    yb = _binary(prep.z[:, -1], outcome, top_box, what)
    share = float(prep.w @ yb / prep.w.sum())
    if share in (0.0, 1.0):
        raise AnalysisError(f"{what}: outcome '{outcome}' is {'always' if share else 'never'} "
                            "in the top box; nothing to explain")
    return prep, yb


def logit_coefficients(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    top_box: float | None = None,
    weights: Any = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Logit of a binary (top-box / promoter) outcome on the drivers.

    Parameters
    ----------
    top_box : float, optional
        Outcome values at or above this count as 1 (e.g. 9 for NPS promoters); without it the
        outcome must already be 0/1.

    Returns
    -------
    DataFrame
        As :func:`ols_coefficients` (log odds ratios; ``statistic`` is z; ``r2`` is McFadden's
        pseudo-R²).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> df["nps"] = np.clip(np.round(7 + 2 * df["a"] + rng.normal(size=400)), 0, 10)
    >>> t = logit_coefficients(df, "nps", ["a", "b"], top_box=9)
    >>> t["model"].iloc[0]
    'logit'
    """
    what = "logit regression"
    prep, yb = _prep_binary(data, outcome, drivers, weights, top_box, what)
    x, w = prep.z[:, :-1], prep.w
    weighted = weights is not None
    sm = _statsmodels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(yb, sm.add_constant(x, has_constant="add"),
                     family=sm.families.Binomial(),
                     var_weights=w if weighted else None).fit(
            cov_type="HC0" if weighted else "nonrobust")
    lo, hi = np.asarray(fit.conf_int(alpha=1 - ci)).T
    ll0 = _ll_null(yb, w)
    r2 = 1 - float(fit.llf) / ll0
    std = np.r_[np.nan, np.asarray(fit.params)[1:] * _wsd(x, w)]
    return _table(prep, ["(intercept)", *prep.drivers], fit.params, fit.bse, fit.tvalues,
                  fit.pvalues, lo, hi, std, "logit" + ("_hc0" if weighted else ""), r2)


def _ll_null(y: np.ndarray, w: np.ndarray) -> float:
    m = float(w @ y / w.sum())
    return float(w @ (y * math.log(m) + (1 - y) * math.log(1 - m)))


@njit(cache=True, nogil=True)
def _logit_ll(x, y, w, mask, beta, max_iter, tol):
    """Weighted log-likelihood of the logit on the drivers in ``mask`` (Newton–Raphson).

    ``beta`` (intercept, then the drivers of ``mask`` in column order) is the starting point
    and receives the estimates.  Newton stops when the Newton decrement — twice the gain a
    further step would bring — is below ``tol`` relative to the log-likelihood, and that gain
    is added; a step that lowers the likelihood is halved.

    Returns (log-likelihood, converged flag).
    """
    n, p = x.shape
    cols = np.empty(p + 1, np.int64)
    k = 1
    for j in range(p):
        if (mask >> j) & 1:
            cols[k] = j
            k += 1
    ll_old = -np.inf
    step = np.zeros(k)
    for _ in range(max_iter):
        grad = np.zeros(k)
        hess = np.zeros((k, k))
        ll = 0.0
        for i in range(n):
            e = beta[0]
            for a in range(1, k):
                e += beta[a] * x[i, cols[a]]
            if e >= 0:  # one exponential per row, used twice
                t = math.exp(-e)
                pr = 1.0 / (1.0 + t)
                ll += w[i] * (-(1 - y[i]) * e - math.log1p(t))
            else:
                t = math.exp(e)
                pr = t / (1.0 + t)
                ll += w[i] * (y[i] * e - math.log1p(t))
            r = w[i] * (y[i] - pr)
            v = w[i] * pr * (1 - pr)
            grad[0] += r
            hess[0, 0] += v
            for a in range(1, k):
                xa = x[i, cols[a]]
                grad[a] += r * xa
                hess[0, a] += v * xa
                for b in range(a, k):
                    hess[a, b] += v * xa * x[i, cols[b]]
        if ll < ll_old:  # the last step overshot: go back half of it
            for a in range(k):
                step[a] /= 2
                beta[a] -= step[a]
            continue
        for a in range(k):
            for b in range(a):
                hess[a, b] = hess[b, a]
        step = np.linalg.solve(hess, grad)
        decrement = 0.0
        for a in range(k):
            decrement += grad[a] * step[a]
        if decrement <= tol * (abs(ll) + 1.0):
            return ll + decrement / 2, True
        ll_old = ll
        for a in range(k):
            beta[a] += step[a]
    return ll_old, False


@njit(cache=True, nogil=True)
def _logit_layer(x, y, w, masks, betas, out, ok, lo, hi):
    """Fit the subsets ``masks[lo:hi]``, each starting from the fit without its last driver."""
    for t in range(lo, hi):
        mask = masks[t]
        top = 63
        while not (mask >> top) & 1:
            top -= 1
        parent = mask ^ (1 << top)
        k = 1
        for j in range(top):
            if (mask >> j) & 1:
                k += 1
        beta = np.zeros(k + 1)  # the parent's estimates, and 0 for the driver added
        beta[:k] = betas[parent, :k]
        ll, conv = _logit_ll(x, y, w, mask, beta, 100, 1e-10)
        betas[mask, : k + 1] = beta
        out[mask] = ll
        ok[mask] = conv


def mcfadden_fits(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, int]:
    """McFadden's pseudo-R² of the logit on every subset of the columns of ``x`` (bit masks).

    The subsets are fitted by size, each from the estimates of the subset without its last
    driver (a close start: Newton then needs a few steps).  Returns the fits and the number of
    subsets whose fit did not converge (e.g. separation).
    """
    p = x.shape[1]
    # Centre and scale the drivers: the likelihood is unchanged, Newton converges faster.
    xs = np.ascontiguousarray((x - x.mean(axis=0)) / x.std(axis=0))
    y, w = np.ascontiguousarray(y, dtype=float), np.ascontiguousarray(w, dtype=float)
    ll0 = _ll_null(y, w)
    ll = np.empty(1 << p)
    ok = np.ones(1 << p, np.bool_)
    betas = np.zeros((1 << p, p + 1))
    m = float(w @ y / w.sum())
    betas[0, 0], ll[0] = math.log(m / (1 - m)), ll0
    sizes = np.array([bin(mask).count("1") for mask in range(1 << p)])
    with progress((1 << p) - 1, "logit fits of every subset", unit="model") as advance:
        for size in range(1, p + 1):
            masks = np.flatnonzero(sizes == size)
            run_chunks(_logit_layer, masks.size, xs, y, w, masks, betas, ll, ok,
                       advance=advance)
    return 1 - ll / ll0, int((~ok).sum())


def logit_dominance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    top_box: float | None = None,
    weights: Any = None,
    max_drivers: int = LOGIT_DOMINANCE_MAX,
    table: str = "importance",
    subsample: int | None = LOGIT_DOMINANCE_SUBSAMPLE,
    seed: int | None = None,
) -> pd.DataFrame:
    """Dominance analysis of a binary outcome over McFadden's pseudo-R².

    Parameters
    ----------
    top_box : float, optional
        Outcome values at or above this count as 1; without it the outcome must be 0/1.
    max_drivers : int
        Largest number of drivers (2^p logit fits are needed).
    table : {"importance", "pairs", "conditional"}
        Which table to return: general dominance in the layout of
        :func:`cvmkit.drivers.relative_importance` (method ``dominance_general_mcfadden``;
        shares of the full model's pseudo-R²), the pairwise complete / conditional / general
        dominance table, or the conditional contributions by model size.
    subsample : int, optional
        With more respondents than this (5,000 by default; None: never), the 2^p logits are
        fitted on a random subsample of this many respondents drawn without replacement (each
        keeping their weight) from ``seed``.  The ``note`` says so; ``n`` is then the subsample
        size, and ``se`` the Monte-Carlo standard error of each share (percentage points) that
        the subsample adds: the spread of the shares over 4 disjoint parts of an eighth of the
        subsample each, scaled to the whole subsample (``sd / sqrt(8)``: a share's variance
        falls as 1 / size) and by the finite-population factor ``sqrt(1 - subsample / n)``.
        At or below ``subsample`` respondents every respondent is used and ``se`` is empty.
    seed : int, optional
        Seed of the subsample.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    >>> df["top"] = (2 * df["a"] + df["b"] + rng.logistic(size=400) > 0).astype(int)
    >>> t = logit_dominance(df, "top", ["a", "b", "c"])
    >>> t["driver"][t["rank"] == 1].tolist()
    ['a']
    """
    from .importance import IMPORTANCE_COLUMNS, _dominance_from_fits

    what = "logit dominance"
    if table not in ("importance", "pairs", "conditional"):
        raise DataError(f"{what}: table={table!r}; expected 'importance', 'pairs' or "
                        "'conditional'")
    prep, yb = _prep_binary(data, outcome, drivers, weights, top_box, what)
    if prep.p > max_drivers:
        raise AnalysisError(f"{what}: {prep.p} drivers exceed max_drivers={max_drivers} "
                            f"(2^{prep.p} logit fits)")
    x, w = prep.z[:, :-1], prep.w
    rows = subsample_rows(prep.n, subsample, seed, what)
    se = np.full(prep.p, np.nan)
    notes = list(prep.notes)
    n_used = prep.n
    if rows is not None:
        n_used = rows.size
        notes.append(f"fitted on a random subsample of {n_used:,} of the {prep.n:,} "
                     f"respondents (seed {seed}); se is the Monte-Carlo error this adds")
        se = _subsample_se(x[rows], yb[rows], w[rows], prep.n)  # parts in drawn order
        rows = np.sort(rows)
        x, yb, w = x[rows], yb[rows], w[rows]
    fits, n_bad = mcfadden_fits(x, yb, w)
    note = "; ".join(notes)
    if n_bad:
        msg = (f"{n_bad} of {fits.size} subset logits did not converge (separation?); their "
               "pseudo-R² is the last iterate's")
        warnings.warn(f"{what}: {msg}", CvmkitWarning, stacklevel=2)
        note = "; ".join(x for x in (note, msg) if x)
    pairs, cond, general = _dominance_from_fits(fits, prep.drivers)
    if table == "pairs":
        return pairs
    if table == "conditional":
        return cond
    r2 = float(fits[-1])
    share = 100 * general / r2
    out = pd.DataFrame({
        "driver": prep.drivers, "method": "dominance_general_mcfadden", "raw": general,
        "share": share, "lower": np.nan, "upper": np.nan,
        "rank": pd.Series(share).rank(ascending=False, method="min").to_numpy(),
        "se": se, "r2": r2, "n": n_used, "note": note,
    })[IMPORTANCE_COLUMNS]
    out["rank"] = out["rank"].astype("Int64")
    return out


def subsample_rows(n: int, subsample: int | None, seed: int | None,
                   what: str = "subsample") -> np.ndarray | None:
    """Rows of a seeded random subsample of ``subsample`` of ``n`` rows (no replacement).

    The rows come in the random order they were drawn in (so any stretch of them is a random
    subsample too).

    None when no subsample is needed (``subsample`` is None or ``n`` is at most ``subsample``).

    Examples
    --------
    >>> subsample_rows(1200, 10_000, seed=1) is None
    True
    >>> subsample_rows(1000, 400, seed=1).size
    400
    """
    if subsample is None or n <= subsample:
        return None
    if int(subsample) < SUBSAMPLE_MIN:
        raise DataError(f"{what}: subsample={subsample!r}; expected None or at least "
                        f"{SUBSAMPLE_MIN} respondents")
    rng = np.random.default_rng(seed)
    return rng.choice(n, size=int(subsample), replace=False)


def _subsample_se(x: np.ndarray, y: np.ndarray, w: np.ndarray, n_total: int) -> np.ndarray:
    """Monte-Carlo standard error (percentage points) of the shares fitted on the subsample.

    The first half of the subsample (rows in the random order they were drawn) is cut into
    :data:`SUBSAMPLE_PARTS` disjoint parts of ``s = m / 8`` rows, each a random subsample
    itself (half the subsample keeps this check cheaper than the fit it checks).  A share's
    variance falls as 1 / size, so the spread over the parts times ``sqrt(s / m)`` is its error
    on the whole subsample, and ``sqrt(1 - m / n)`` the finite-population factor (a subsample of
    all n respondents has no error).
    """
    from .importance import _general_dominance

    m, p = x.shape
    s = m // (2 * SUBSAMPLE_PARTS)
    shares = []
    for k in range(SUBSAMPLE_PARTS):
        part = slice(k * s, (k + 1) * s)
        yk, wk = y[part], w[part]
        share = float(wk @ yk / wk.sum())
        if share in (0.0, 1.0):
            return np.full(p, np.nan)
        fits, _ = mcfadden_fits(x[part], yk, wk)
        shares.append(100 * _general_dominance(fits, p) / fits[-1])
    sd = np.std(np.array(shares), axis=0, ddof=1)
    return sd * math.sqrt(s / m) * math.sqrt(max(0.0, 1 - m / n_total))


def subsample_note(table: pd.DataFrame, n_total: int) -> str | None:
    """A sentence saying that a :func:`logit_dominance` table rests on a subsample, or None.

    ``n_total`` is the number of respondents the analysis would otherwise have used (e.g. the
    ``n`` of :func:`logit_coefficients` on the same outcome and drivers).  The sentence gives
    the subsample size and the Monte-Carlo standard error it adds to the shares (largest and
    typical over the drivers).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"n": [1200, 1200], "se": [float("nan")] * 2})
    >>> subsample_note(t, 1200) is None
    True
    >>> t = pd.DataFrame({"n": [20000, 20000], "se": [0.4, 0.2]})
    >>> subsample_note(t, 100000)[:58]
    'The top-box dominance shares rest on a random subsample of'
    """
    se = pd.to_numeric(table["se"], errors="coerce")
    m = int(table["n"].iloc[0])
    if m >= int(n_total) or not se.notna().any():
        return None
    return (f"The top-box dominance shares rest on a random subsample of **{m:,}** of the "
            f"{int(n_total):,} respondents (seeded: a rerun gives the same numbers), because "
            f"each of its {2 ** len(table):,} logit fits costs time in proportion to the "
            "respondents. The subsample adds a Monte-Carlo standard error of at most "
            f"**{se.max():.2f}** percentage points to a share (typically {se.median():.2f}; "
            "column `se`, estimated from the spread over four disjoint parts of the "
            "subsample): read differences between shares smaller than about twice that as "
            "unsettled.")
