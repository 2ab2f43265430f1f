"""Needs-based segmentation: customers grouped by what they value, and their profiles.

Respondents are grouped by their answers about what matters to them (stated importance,
categorised Kano answers, or any other needs columns), not by who they are:

* ``method="lca"`` — a latent class model (stepmix) treating each answer as a category;
  respondents with a missing answer keep their other answers.  Right for ordinal importance
  ratings and for Kano categories.
* ``method="gmm"`` — a Gaussian mixture with diagonal covariances on numeric columns (derived
  or stated importance): scikit-learn's fit without weights, our own weighted EM with them (an
  integer weight acts as that many copies of the respondent).  Whole-point answers are treated
  as rounded values: each variance gets Sheppard's rounding correction, 1/12, as its floor, so
  a column where a class answers one value does not give an infinite likelihood.  With
  respondent weights, the BIC counts Kish's effective sample size ``n_eff = (Σw)² / Σw²``: the
  weighted log-likelihood is rescaled to ``n_eff`` respondents (× ``n_eff / Σw``) and the
  penalty is ``log(n_eff)`` per parameter, so unequal weights, which carry less information
  than as many equal ones, do not buy extra segments; equal weights give the ordinary BIC.
* ``method="kmeans"`` — k-means (scikit-learn), with the BIC of the equivalent spherical
  Gaussian model so the same curve chooses the number of segments.

The number of segments is chosen by BIC (:func:`segment_bic`), and :func:`segment_stability`
checks that refits on bootstrap resamples give the same partition (adjusted Rand index).
Segments are numbered by size ("Segment 1" is the largest), so labels do not depend on the
order in which a fit happened to find them.  :func:`segment_profiles` tests each segment
against the rest of the sample on any columns (Holm-adjusted).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame(np.vstack([rng.normal(0, 1, (150, 3)), rng.normal(3, 1, (150, 3))]),
...                   columns=["a", "b", "c"])
>>> seg = needs_segments(df, ["a", "b", "c"], k=2, method="gmm", seed=0)
>>> seg["segment"].value_counts().sort_index().tolist()
[150, 150]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .errors import AnalysisError, DataError
from .metrics import _holm, _resolve_weights, _weighted_stats
from .progress import tracked

__all__ = ["METHODS", "SEGMENT_SUBSAMPLE", "add_segment", "needs_segments", "segment_bic",
           "segment_profiles", "segment_sizes", "segment_stability"]

METHODS = ("lca", "gmm", "kmeans")
#: Above this many respondents the models are fitted to a seeded random subsample of this many
#: (every respondent is still classified by the fitted model): the fits cost time in proportion
#: to the respondents, and this many pin the segments down.
SEGMENT_SUBSAMPLE = 3_000
_SUBSAMPLE_KEY = 0x5EED  # the subsample's own stream of the seed
#: The variance of a value rounded to whole points (Sheppard's correction).
_ROUNDING_VAR = 1 / 12


def _check(data: pd.DataFrame, columns: Sequence[str], method: str, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    columns = list(columns)
    if len(columns) < 2:
        raise AnalysisError(f"{what}: needs at least two columns to segment on, got {columns}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"{what}: column(s) {', '.join(map(repr, missing))} not in data")
    if method not in METHODS:
        raise AnalysisError(f"{what}: method {method!r} unknown (one of {', '.join(METHODS)})")
    x = data[columns].apply(pd.to_numeric, errors="coerce")
    for c in columns:
        bad = x[c].isna() & data[c].notna()
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise DataError(f"{what}: column '{c}' should be numeric; row {data.index[i]!r} "
                            f"holds {data[c].iloc[i]!r}")
    return x


def _rows(x: pd.DataFrame, method: str) -> np.ndarray:
    """The rows a fit can use: any answer for the latent class model, all answers otherwise."""
    return (x.notna().any(axis=1) if method == "lca" else x.notna().all(axis=1)).to_numpy()


def _categories(x: pd.DataFrame) -> np.ndarray:
    """Each column's answers coded 0..K-1 (NaN stays NaN), as the latent class model wants."""
    out = np.full(x.shape, np.nan)
    for j, c in enumerate(x.columns):
        v = x[c].to_numpy(float)
        levels = np.unique(v[np.isfinite(v)])
        ok = np.isfinite(v)
        out[ok, j] = np.searchsorted(levels, v[ok])
    return out


class _Fit:
    """A fitted model behind one call (kept private: the public functions return frames)."""

    def __init__(self, model: Any, method: str, loglik: float, n_par: int, n: float):
        self.model, self.method, self.loglik, self.n_par, self.n = model, method, loglik, n_par, n

    @property
    def bic(self) -> float:
        return -2 * self.loglik + self.n_par * np.log(self.n)

    def predict(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict(z))

    def proba(self, z: np.ndarray) -> np.ndarray:
        if self.method == "kmeans":
            lab = self.predict(z)
            return np.eye(self.model.n_clusters)[lab]
        return np.asarray(self.model.predict_proba(z))


class _DiagonalMixture:
    """A fitted Gaussian mixture with diagonal covariances (from
    :func:`_weighted_gaussian_mixture`): the parameters, and the respondents' classification.

    Attributes
    ----------
    weights, means, covariances : ndarray
        Mixing proportions (k,), component means (k, p) and variances (k, p).
    loglik : float
        The weighted log-likelihood of the data fitted, ``sum(w_i * log f(z_i))``.
    lower_bound : float
        The weighted mean log-likelihood at the last E step of the best start (as
        scikit-learn's ``lower_bound_``).
    n_iter : int
    converged : bool
    """

    def __init__(self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray,
                 loglik: float = np.nan, lower_bound: float = np.nan, n_iter: int = 0,
                 converged: bool = False):
        self.weights, self.means, self.covariances = weights, means, covariances
        self.loglik, self.lower_bound = loglik, lower_bound
        self.n_iter, self.converged = n_iter, converged

    def _joint(self, z: np.ndarray) -> np.ndarray:
        """``log(pi_j) + log N(z_i; mu_j, diag(var_j))``, n × k."""
        z = np.asarray(z, float)
        sq = ((z[:, None, :] - self.means[None]) ** 2 / self.covariances[None]).sum(axis=2)
        logdet = np.log(self.covariances).sum(axis=1)
        return (np.log(self.weights)[None]
                - 0.5 * (z.shape[1] * np.log(2 * np.pi) + logdet[None] + sq))

    def score_samples(self, z: np.ndarray) -> np.ndarray:
        """Each row's log density under the mixture."""
        from scipy.special import logsumexp

        return logsumexp(self._joint(z), axis=1)

    def predict_proba(self, z: np.ndarray) -> np.ndarray:
        """Each row's probability of each component."""
        from scipy.special import logsumexp

        j = self._joint(z)
        return np.exp(j - logsumexp(j, axis=1, keepdims=True))

    def predict(self, z: np.ndarray) -> np.ndarray:
        """Each row's most probable component."""
        return np.argmax(self._joint(z), axis=1)


def _mixture_m_step(z: np.ndarray, rw: np.ndarray, reg_covar: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixing proportions, means and variances from weighted responsibilities ``rw``
    (responsibility × respondent weight), each variance floored by ``reg_covar`` added."""
    nk = rw.sum(axis=0) + 10 * np.finfo(float).eps  # an empty component stays finite
    means = rw.T @ z / nk[:, None]
    var = rw.T @ (z * z) / nk[:, None] - means ** 2 + reg_covar
    return nk / nk.sum(), means, var


def _weighted_gaussian_mixture(z: np.ndarray, w: np.ndarray | None, k: int, *,
                               n_init: int = 1, random_state: Any = None,
                               reg_covar: float = 1e-6, tol: float = 1e-3, max_iter: int = 100,
                               init: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                               ) -> _DiagonalMixture:
    """A Gaussian mixture with diagonal covariances fitted by EM with respondent weights.

    Each respondent's weight multiplies its responsibilities in the M step and its
    log-likelihood in the convergence criterion, so an integer weight acts exactly as that many
    copies of the respondent: the fit equals scikit-learn's ``GaussianMixture(k,
    covariance_type="diag")`` on the rows replicated by their weights, from the same start
    (tests/test_segmentation.py).  Each start classifies the respondents by a weighted k-means
    (scikit-learn's, one k-means++ start drawn from ``random_state``) and takes the components
    from those classes, as scikit-learn's default start does; EM then runs until the weighted
    mean log-likelihood improves by less than ``tol``, and the start with the highest is kept.

    Parameters
    ----------
    z : ndarray (n, p)
        Complete numeric answers.
    w : ndarray (n,), optional
        Non-negative respondent weights (None: all 1).
    k : int
        Number of components.
    n_init : int
        Starts (ignored when ``init`` is given).
    random_state : int or RandomState, optional
    reg_covar : float
        Added to every variance (its floor).
    tol, max_iter : float, int
        Convergence tolerance on the weighted mean log-likelihood, and the most EM iterations.
    init : (weights, means, covariances), optional
        The start, instead of k-means.

    Returns
    -------
    _DiagonalMixture

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(5, 1, (100, 2))])
    >>> gm = _weighted_gaussian_mixture(z, np.r_[np.ones(100), 3 * np.ones(100)], 2,
    ...                                 random_state=0)
    >>> sorted(np.round(gm.weights, 2).tolist())
    [0.25, 0.75]
    """
    from scipy.special import logsumexp
    from sklearn.cluster import KMeans
    from sklearn.utils import check_random_state

    z = np.asarray(z, float)
    w = np.ones(len(z)) if w is None else np.asarray(w, float)
    sw = float(w.sum())
    rs = check_random_state(random_state)
    best: _DiagonalMixture | None = None
    for _ in range(1 if init is not None else max(int(n_init), 1)):
        if init is not None:
            params = tuple(np.asarray(a, float) for a in init)
        else:
            lab = KMeans(k, n_init=1, random_state=rs).fit(z, sample_weight=w).labels_
            params = _mixture_m_step(z, np.eye(k)[lab] * w[:, None], reg_covar)
        gm = _DiagonalMixture(*params)
        bound, converged, steps = -np.inf, False, 0
        while steps < max_iter and not converged:
            steps += 1
            previous = bound
            joint = gm._joint(z)  # E step: responsibilities and the weighted mean likelihood
            norm = logsumexp(joint, axis=1)
            bound = float(np.dot(w, norm)) / sw
            resp = np.exp(joint - norm[:, None])
            gm = _DiagonalMixture(*_mixture_m_step(z, resp * w[:, None], reg_covar))
            converged = abs(bound - previous) < tol
        gm.lower_bound, gm.n_iter, gm.converged = bound, steps, converged
        if best is None or bound > best.lower_bound:
            best = gm
    assert best is not None
    best.loglik = float(np.dot(w, best.score_samples(z)))
    return best


def _design(x: pd.DataFrame, method: str) -> np.ndarray:
    return _categories(x) if method == "lca" else x.to_numpy(float)


def _fit(z: np.ndarray, w: np.ndarray, k: int, method: str, seed: Any, n_init: int,
         tol: float = 1e-6) -> _Fit:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rs = int(seed) if isinstance(seed, (int, np.integer)) else int(ss.generate_state(1)[0] >> 1)
    n, p = z.shape
    if method == "lca":
        from stepmix.stepmix import StepMix

        from ._lca_emission import MEASUREMENT

        model = StepMix(n_components=k, measurement=MEASUREMENT, n_init=n_init,
                        random_state=rs, verbose=0, progress_bar=0, max_iter=2000,
                        abs_tol=tol, rel_tol=tol * 1e-2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(z, sample_weight=w)
        loglik = float(model.score(z, sample_weight=w)) * float(w.sum())
        n_cat = [int(np.nanmax(z[:, j])) + 1 for j in range(p)]
        n_par = (k - 1) + k * sum(c - 1 for c in n_cat)
        return _Fit(model, method, loglik, n_par, float(w.sum()))
    if method == "gmm":
        n_par = (k - 1) + 2 * k * p
        if not np.allclose(w, w[0]):  # respondent weights: our own weighted EM
            gm = _weighted_gaussian_mixture(z, w, k, n_init=n_init, random_state=rs,
                                           reg_covar=_ROUNDING_VAR, tol=tol * 1e3)
            # BIC on Kish's effective sample size: the weighted log-likelihood is rescaled
            # to n_eff respondents and the penalty counts n_eff of them
            n_eff = float(w.sum()) ** 2 / float(np.dot(w, w))
            return _Fit(gm, method, gm.loglik * n_eff / float(w.sum()), n_par, n_eff)
        from sklearn.mixture import GaussianMixture

        model = GaussianMixture(k, covariance_type="diag", n_init=n_init, random_state=rs,
                                reg_covar=_ROUNDING_VAR, tol=tol * 1e3).fit(z)
        loglik = float(model.score(z)) * n
        return _Fit(model, method, loglik, n_par, float(n))
    from sklearn.cluster import KMeans

    model = KMeans(k, n_init=n_init, random_state=rs).fit(z, sample_weight=w)
    sse = float(np.dot(w, ((z - model.cluster_centers_[model.labels_]) ** 2).sum(axis=1)))
    sw = float(w.sum())
    var = max(sse / (sw * p), 1e-12)
    pi = np.bincount(model.labels_, weights=w, minlength=k) / sw
    loglik = (-0.5 * sw * p * (np.log(2 * np.pi * var) + 1)
              + float(np.dot(w, np.log(pi[model.labels_]))))
    return _Fit(model, method, loglik, (k - 1) + k * p + 1, sw)


def _prepare(data, columns, method, weights, what):
    x = _check(data, columns, method, what)
    w_all = _resolve_weights(data, weights)
    rows = _rows(x, method) & (w_all > 0)
    if rows.sum() < 10:
        raise AnalysisError(f"{what}: only {int(rows.sum())} respondents answered the "
                            "segmentation columns (need at least 10)")
    return x, _design(x[rows], method), w_all, rows


def _fitting_rows(n: int, subsample: int | None, seed: Any, what: str) -> np.ndarray:
    """Positions (sorted) of the respondents a model is fitted to: all, or a seeded subsample."""
    from .drivers.models import subsample_rows

    # A stream of its own, derived from the seed without spawning from (and so changing) it.
    if isinstance(seed, np.random.SeedSequence):
        stream = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, _SUBSAMPLE_KEY))
    else:
        stream = np.random.SeedSequence(seed, spawn_key=(_SUBSAMPLE_KEY,))
    rows = subsample_rows(n, subsample, stream, what)
    return np.arange(n) if rows is None else np.sort(rows)


def _unseen_as_missing(z: np.ndarray, fitted: np.ndarray) -> np.ndarray:
    """Answer categories the (subsample) fit never saw, as missing, for classifying everyone."""
    top = np.nanmax(fitted, axis=0)
    return np.where(z > top, np.nan, z)


def segment_bic(data: pd.DataFrame, columns: Sequence[str], *, k_range: Sequence[int] = range(1, 7),
                method: str = "lca", weights: Any = None, seed: int | None = 0,
                n_init: int = 3, tol: float = 1e-6,
                subsample: int | None = SEGMENT_SUBSAMPLE) -> pd.DataFrame:
    """BIC of a fit for each number of segments — the curve that chooses ``k``.

    Parameters are those of :func:`needs_segments`, with ``k_range`` the numbers of segments
    to fit.

    Returns
    -------
    DataFrame
        ``k``, ``loglik``, ``n_parameters``, ``bic``, ``best`` (True at the lowest BIC),
        ``method``, ``n`` (respondents the models were fitted to: a subsample of
        ``n_answered`` when there are more than ``subsample``), ``n_answered``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(4, 1, (100, 2))]),
    ...                   columns=["a", "b"])
    >>> t = segment_bic(df, ["a", "b"], k_range=[1, 2, 3], method="gmm")
    >>> int(t.loc[t["best"], "k"].iloc[0])
    2
    """
    what = "segment BIC"
    _, z, w_all, rows = _prepare(data, columns, method, weights, what)
    n_answered = len(z)
    fit_rows = _fitting_rows(n_answered, subsample, seed, what)
    z, w = z[fit_rows], w_all[rows][fit_rows]
    out = []
    for k in tracked(list(k_range), "segment models by number of segments", unit="model"):
        if int(k) < 1 or int(k) >= len(z):
            raise AnalysisError(f"{what}: k={k} must be between 1 and the number of "
                                f"respondents ({len(z)})")
        f = _fit(z, w, int(k), method, seed, n_init, tol)
        out.append({"k": int(k), "loglik": f.loglik, "n_parameters": f.n_par, "bic": f.bic,
                    "method": method, "n": int(len(z)), "n_answered": n_answered})
    t = pd.DataFrame(out)
    t.insert(4, "best", t["bic"] == t["bic"].min())
    return t


def _ordered_labels(lab: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    """Relabel so that 0 is the largest (weighted) class, ties by the fit's own order."""
    size = np.bincount(lab, weights=w, minlength=k)
    order = np.argsort(-size, kind="stable")
    rank = np.empty(k, int)
    rank[order] = np.arange(k)
    return rank[lab]


def needs_segments(data: pd.DataFrame, columns: Sequence[str], *, k: int, method: str = "lca",
                   weights: Any = None, seed: int | None = 0, n_init: int = 3,
                   prefix: str = "Segment", tol: float = 1e-6,
                   subsample: int | None = SEGMENT_SUBSAMPLE) -> pd.DataFrame:
    """Each respondent's needs-based segment.

    Parameters
    ----------
    data : DataFrame
    columns : list of str
        The needs columns to segment on (e.g. the stated-importance questions).
    k : int
        Number of segments (choose it with :func:`segment_bic`).
    method : {"lca", "gmm", "kmeans"}
    weights : str or array, optional
        Respondent weights (every method uses them in the fit).
    seed : int, optional
    n_init : int
        Random starts of the fit; the best is kept.
    prefix : str
        Segment labels are ``f"{prefix} {i}"``, 1 the largest.
    tol : float
        Convergence tolerance of the fit (for the latent class model, on the mean
        log-likelihood per respondent).
    subsample : int, optional
        With more respondents than this (:data:`SEGMENT_SUBSAMPLE` by default; None: never),
        the model is fitted to a random subsample of this many drawn from ``seed`` (the same
        rows :func:`segment_bic` and :func:`segment_stability` use), and then classifies every
        respondent; an answer category the subsample never gave counts as missing.

    Returns
    -------
    DataFrame
        Indexed like ``data``: ``segment`` (categorical; missing where a respondent answered
        none of the columns), ``probability`` (of the assigned segment), and one column per
        segment (named by its label) with each respondent's probability of belonging to it.
    """
    what = "needs segments"
    if int(k) < 1:
        raise AnalysisError(f"{what}: k must be at least 1, got {k}")
    _, z, w_all, rows = _prepare(data, columns, method, weights, what)
    w = w_all[rows]
    fit_rows = _fitting_rows(len(z), subsample, seed, what)
    f = _fit(z[fit_rows], w[fit_rows], int(k), method, seed, n_init, tol)
    if len(fit_rows) < len(z) and method == "lca":
        z = _unseen_as_missing(z, z[fit_rows])
    prob = f.proba(z)
    lab = _ordered_labels(np.argmax(prob, axis=1), w, int(k))
    names = [f"{prefix} {i + 1}" for i in range(int(k))]
    seg = pd.Series(pd.Categorical([None] * len(data), categories=names), index=data.index)
    seg[rows] = pd.Categorical.from_codes(lab, categories=names)
    p = np.full(len(data), np.nan)
    p[rows] = prob.max(axis=1)
    out = pd.DataFrame({"segment": seg, "probability": p}, index=data.index)
    size = np.bincount(np.argmax(prob, axis=1), weights=w, minlength=int(k))
    order = np.argsort(-size, kind="stable")
    for i, name in enumerate(names):
        col = np.full(len(data), np.nan)
        col[rows] = prob[:, order[i]]
        out[name] = col
    return out


def segment_stability(data: pd.DataFrame, columns: Sequence[str], *, k: int | Sequence[int],
                      method: str = "lca", weights: Any = None, n_boot: int = 20,
                      seed: int | None = 0, n_init: int = 1, ci: float = 0.95,
                      subsample: int | None = SEGMENT_SUBSAMPLE) -> pd.DataFrame:
    """Bootstrap stability of the partition: adjusted Rand index between refits.

    The model is fitted to the full sample and refitted to ``n_boot`` resamples of the
    respondents; each refit classifies every respondent, and its agreement with the full fit is
    the adjusted Rand index (1 = the same partition, about 0 = no more than chance).  With more
    respondents than ``subsample``, "the full sample" is the seeded subsample the other
    functions fit to (see :func:`needs_segments`).

    Returns
    -------
    DataFrame
        One row per ``k``: ``k``, ``ari_mean``, ``ari_lower``, ``ari_upper`` (percentile
        interval over the refits), ``n_boot``, ``method``.
    """
    from sklearn.metrics import adjusted_rand_score

    what = "segment stability"
    if n_boot < 2:
        raise AnalysisError(f"{what}: n_boot must be at least 2, got {n_boot}")
    _, z, w_all, rows = _prepare(data, columns, method, weights, what)
    fit_rows = _fitting_rows(len(z), subsample, seed, what)
    z, w = z[fit_rows], w_all[rows][fit_rows]
    ks = [int(k)] if np.isscalar(k) else [int(v) for v in k]
    alpha = (1 - ci) / 2
    out = []
    for kk, ss in zip(ks, np.random.SeedSequence(seed).spawn(len(ks))):
        base = _fit(z, w, kk, method, ss, max(n_init, 2)).predict(z)
        rng = np.random.default_rng(ss)
        aris = []
        for child in tracked(ss.spawn(n_boot), "stability refits", unit="refit"):
            idx = rng.integers(0, len(z), len(z))
            if method == "gmm":
                f = _fit(z[idx], w[idx], kk, method, child, n_init)
            else:  # the resample as counts on the weights: every category stays known
                f = _fit(z, w * np.bincount(idx, minlength=len(z)), kk, method, child, n_init)
            aris.append(adjusted_rand_score(base, f.predict(z)))
        a = np.asarray(aris)
        out.append({"k": kk, "ari_mean": float(a.mean()),
                    "ari_lower": float(np.quantile(a, alpha)),
                    "ari_upper": float(np.quantile(a, 1 - alpha)), "n_boot": int(n_boot),
                    "method": method})
    return pd.DataFrame(out)


def add_segment(data: pd.DataFrame, segments: pd.DataFrame | pd.Series, name: str) -> pd.DataFrame:
    """A copy of ``data`` with the segment membership as column ``name``.

    ``name`` must be a new column: an existing column is never overwritten silently.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise DataError(f"segment column name {name!r}: expected a plain identifier "
                        "(letters, digits and '_', not starting with a digit)")
    if name in data.columns:
        raise DataError(f"segment column '{name}' already exists in the data; choose another "
                        "name")
    s = segments["segment"] if isinstance(segments, pd.DataFrame) else segments
    if not s.index.equals(data.index):
        raise DataError("segment membership: its index does not match the data's rows")
    out = data.copy()
    out[name] = s
    return out


def segment_sizes(data: pd.DataFrame, segment: str, *, weights: Any = None,
                  ci: float = 0.95) -> pd.DataFrame:
    """Each segment's respondents and (weighted) share of the sample, with an interval.

    Returns
    -------
    DataFrame
        ``segment``, ``n``, ``share``, ``lower``, ``upper``.
    """
    if segment not in data.columns:
        raise DataError(f"segment sizes: segment column '{segment}' not in data")
    w = _resolve_weights(data, weights)
    s = data[segment]
    has = s.notna().to_numpy()
    z = stats.norm.ppf(0.5 + ci / 2)
    levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(
        s.dropna().unique().tolist(), key=str)
    rows = []
    for lev in levels:
        y = np.where(has, (s == lev).to_numpy(float), np.nan)
        m, se, _, _ = _weighted_stats(y, w, "kish", 0)
        rows.append({"segment": lev, "n": int((s == lev).sum()), "share": m,
                     "lower": max(0.0, m - z * se), "upper": min(1.0, m + z * se)})
    return pd.DataFrame(rows)


def _inside_and_rest(y: np.ndarray, w: np.ndarray, seg_code: np.ndarray, k: int, ddof: int
                     ) -> tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]:
    """Weighted mean, standard error and n of ``y`` in each segment and in the rest of the
    segmented rows — the statistics of :func:`cvmkit.metrics._weighted_stats` (Kish's effective
    n), from per-segment sums in one pass."""
    ok = np.isfinite(y) & (w > 0) & (seg_code >= 0)
    c, yv, wv = seg_code[ok], y[ok], w[ok]
    centre = float(np.dot(wv, yv) / wv.sum()) if wv.size else 0.0  # for a stable variance
    dev = yv - centre
    sums = np.vstack([np.bincount(c, minlength=k).astype(float),
                      np.bincount(c, weights=wv, minlength=k),
                      np.bincount(c, weights=wv * wv, minlength=k),
                      np.bincount(c, weights=wv * dev, minlength=k),
                      np.bincount(c, weights=wv * dev * dev, minlength=k)])
    total = sums.sum(axis=1, keepdims=True)

    def stats_of(n, sw, sw2, s1, s2) -> tuple[float, float, int]:
        if n == 0:
            return np.nan, np.nan, 0
        mean_dev = s1 / sw
        if n - ddof <= 0:
            return centre + mean_dev, np.nan, int(n)
        n_eff = sw * sw / sw2
        var = max(s2 / sw - mean_dev * mean_dev, 0.0)  # weighted population variance
        if ddof:
            var *= n_eff / (n_eff - 1) if n_eff > 1 else np.nan
        return centre + mean_dev, float(np.sqrt(var / n_eff)), int(n)

    inside = [stats_of(*sums[:, i]) for i in range(k)]
    rest = [stats_of(*(total[:, 0] - sums[:, i])) for i in range(k)]
    return inside, rest


def segment_profiles(data: pd.DataFrame, segment: str, columns: Sequence[str], *,
                     weights: Any = None, ci: float = 0.95,
                     labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Each segment against the rest of the sample on each profiling column.

    Numeric columns compare weighted means; other columns (descriptive categories) compare the
    share of each of their levels.  Each comparison is a two-sided z test of the difference
    (standard errors with Kish's effective sample size); ``p_holm`` adjusts over the whole table.

    Returns
    -------
    DataFrame
        ``segment``, ``variable``, ``label``, ``level`` (None for a numeric column), ``kind``
        ("mean" or "share"), ``segment_value``, ``rest_value``, ``difference``, ``lower``,
        ``upper``, ``p_value``, ``p_holm``, ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"seg": ["a"] * 50 + ["b"] * 50, "x": [5.0] * 45 + [1.0] * 55,
    ...                    "g": ["m", "f"] * 50})
    >>> t = segment_profiles(df, "seg", ["x", "g"])
    >>> t.loc[(t.segment == "a") & (t.variable == "x"), "difference"].round(2).item()
    3.6
    """
    if segment not in data.columns:
        raise DataError(f"segment profiles: segment column '{segment}' not in data")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"segment profiles: column(s) {', '.join(map(repr, missing))} not in data")
    w = _resolve_weights(data, weights)
    z = stats.norm.ppf(0.5 + ci / 2)
    s = data[segment]
    levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(
        s.dropna().unique().tolist(), key=str)
    # Segment of each row as a code (-1: none), so each column costs one pass over the rows.
    seg_code = pd.Categorical(s, categories=levels).codes.astype(np.int64)
    labels = labels or {}
    rows = []
    for col in columns:
        v = data[col]
        numeric = pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v)
        if numeric:
            series = [(None, v.to_numpy(float), "mean")]
        else:
            codes, found = pd.factorize(v)
            order = sorted(range(len(found)), key=lambda i: str(found[i]))
            series = [(found[i], np.where(codes >= 0, (codes == i).astype(float), np.nan),
                       "share") for i in order]
        for lev_v, y, kind in series:
            stats_in, stats_rest = _inside_and_rest(y, w, seg_code, len(levels),
                                                    1 if kind == "mean" else 0)
            for i, seg in enumerate(levels):
                (ma, sa, na), (mb, sb, _) = stats_in[i], stats_rest[i]
                d = ma - mb
                se = float(np.hypot(sa, sb))
                p = float(2 * stats.norm.sf(abs(d) / se)) if se > 0 else np.nan
                rows.append({"segment": seg, "variable": col, "label": labels.get(col, col),
                             "level": lev_v, "kind": kind, "segment_value": ma,
                             "rest_value": mb, "difference": d, "lower": d - z * se,
                             "upper": d + z * se, "p_value": p, "n": na})
    out = pd.DataFrame(rows)
    out.insert(len(out.columns) - 1, "p_holm", _holm(out["p_value"].to_numpy(float)))
    return out
