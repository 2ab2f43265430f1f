"""Compiled per-sample metrics shared by the point estimate and the bootstrap.

Every relative-importance measure here is a function of the correlation matrix of drivers and
outcome only (so it is invariant to rescaling a driver and uses the weighted correlation when
respondents are weighted).  With ``R`` the driver correlation matrix, ``r`` the drivers'
correlations with the outcome and ``β = R⁻¹ r`` the standardised coefficients:

* ``first``  = ``r_j²`` (squared simple correlation);
* ``last``   = ``β_j² / (R⁻¹)_jj`` (R² lost when driver j is removed last);
* ``betasq`` = ``β_j²``;
* ``pratt``  = ``β_j r_j`` (Pratt 1987; sums to R², can be negative);
* ``car``    = ``((R^{-1/2} r)_j)²`` (squared CAR score, Zuber & Strimmer 2011; sums to R²);
* ``relative_weights`` = ``Σ_k (R^{1/2})_jk² (R^{-1/2} r)_k²`` (Johnson 2000: regress the
  outcome on the orthogonal counterparts ``Z`` of the drivers, then carry the squared weights back
  through the drivers' squared loadings on ``Z``; sums to R²);
* ``lmg`` = the Shapley value of R² (see :mod:`cvmkit.drivers.lmg`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .lmg import _lmg_task, run_chunks

#: Methods :func:`cvmkit.drivers.relative_importance` knows, in the order they are reported.
METHODS = ("lmg", "relative_weights", "dominance_general", "pratt", "betasq", "first", "last",
           "car")

#: Row of each measure in the metric arrays.
K_LMG, K_RW, K_PRATT, K_BETASQ, K_FIRST, K_LAST, K_CAR = range(7)
N_METRICS = 7
METRIC_ROWS = {"lmg": K_LMG, "relative_weights": K_RW, "pratt": K_PRATT, "betasq": K_BETASQ,
               "first": K_FIRST, "last": K_LAST, "car": K_CAR}


@njit(cache=True)
def _sampled_serial(corr, perms):
    """Mean marginal R² contribution of each driver over the given orders (one thread)."""
    n_perm, p = perms.shape
    tot = np.zeros(p)
    m = np.empty_like(corr)
    free = np.empty(p + 1, np.bool_)
    for r in range(n_perm):
        m[:, :] = corr
        free[:] = True
        prev = 0.0
        for step in range(p):
            j = perms[r, step]
            piv = m[j, j]
            r2 = prev + m[j, p] * m[j, p] / piv
            tot[j] += r2 - prev
            prev = r2
            free[j] = False
            for a in range(p + 1):
                if free[a]:
                    f = m[j, a] / piv
                    for b in range(a, p + 1):
                        if free[b]:
                            v = m[a, b] - f * m[j, b]
                            m[a, b] = v
                            m[b, a] = v
    return tot / n_perm


@njit(cache=True)
def metric_rows(corr, lmg_mode, c_w, b_w, perms):
    """All measures from one correlation matrix (outcome last).

    ``lmg_mode``: 0 = leave the LMG row as NaN, 1 = exact (serial walk), 2 = sampled over
    ``perms``.
    """
    p = corr.shape[0] - 1
    out = np.full((N_METRICS, p), np.nan)
    rxx = np.ascontiguousarray(corr[:p, :p])
    r = np.ascontiguousarray(corr[:p, p])
    vals, vecs = np.linalg.eigh(rxx)
    if vals[0] <= 0.0:
        return out
    sq = np.sqrt(vals)
    half = (vecs * sq) @ vecs.T
    inv_half = (vecs / sq) @ vecs.T
    inv = (vecs / vals) @ vecs.T
    beta = inv @ r
    car = inv_half @ r
    car2 = car * car
    out[K_RW] = (half * half) @ car2
    out[K_PRATT] = beta * r
    out[K_BETASQ] = beta * beta
    out[K_FIRST] = r * r
    for j in range(p):
        out[K_LAST, j] = beta[j] * beta[j] / inv[j, j]
    out[K_CAR] = car2
    if lmg_mode == 1:
        t = np.zeros(p)
        g = _lmg_task(np.ascontiguousarray(corr), 0, 0, c_w, b_w, t)
        out[K_LMG] = t - g
    elif lmg_mode == 2:
        out[K_LMG] = _sampled_serial(np.ascontiguousarray(corr), perms)
    return out



#: :func:`metric_rows` run by numpy rather than compiled, for a single correlation matrix (the
#: point estimate): the same code, without a kernel to compile in a fresh process.
point_metric_rows = metric_rows.py_func
@njit(cache=True)
def _corr_from_rows(z, w, idx, mean0):
    """Weighted correlation of the rows ``idx`` of complete data ``z`` (pre-centred).

    A row drawn c times counts with weight c·w: the rows are read once each, in order (reading
    them in the random order drawn costs a cache miss per row once ``z`` outgrows the cache).
    """
    n, q = z.shape
    counts = np.zeros(n, np.int64)
    for t in range(idx.size):
        counts[idx[t]] += 1
    sw = 0.0
    s1 = np.zeros(q)
    s2 = np.zeros((q, q))
    d = np.empty(q)
    for i in range(n):
        if counts[i] == 0 or w[i] == 0.0:
            continue
        wi = w[i] * counts[i]
        sw += wi
        for a in range(q):
            d[a] = z[i, a] - mean0[a]
        for a in range(q):
            xa = d[a] * wi
            s1[a] += xa
            for b in range(a, q):
                s2[a, b] += xa * d[b]
    cov = np.empty((q, q))
    for a in range(q):
        for b in range(a, q):
            v = s2[a, b] / sw - (s1[a] / sw) * (s1[b] / sw)
            cov[a, b] = v
            cov[b, a] = v
    corr = np.empty((q, q))
    for a in range(q):
        for b in range(q):
            den = np.sqrt(cov[a, a] * cov[b, b])
            corr[a, b] = cov[a, b] / den if den > 0.0 else np.nan
    return corr


@njit(cache=True)
def _corr_pairwise_rows(z, w, idx):
    """Weighted pairwise-complete correlation of the rows ``idx`` of ``z`` (NaN = missing)."""
    q = z.shape[1]
    corr = np.eye(q)
    for a in range(q):
        for b in range(a + 1, q):
            sw = 0.0
            sa = 0.0
            sb = 0.0
            for t in range(idx.size):
                i = idx[t]
                xa = z[i, a]
                xb = z[i, b]
                if np.isnan(xa) or np.isnan(xb):
                    continue
                sw += w[i]
                sa += w[i] * xa
                sb += w[i] * xb
            if sw <= 0.0:
                corr[a, b] = corr[b, a] = np.nan
                continue
            ma = sa / sw
            mb = sb / sw
            saa = 0.0
            sbb = 0.0
            sab = 0.0
            for t in range(idx.size):
                i = idx[t]
                xa = z[i, a]
                xb = z[i, b]
                if np.isnan(xa) or np.isnan(xb):
                    continue
                da = xa - ma
                db = xb - mb
                saa += w[i] * da * da
                sbb += w[i] * db * db
                sab += w[i] * da * db
            den = np.sqrt(saa * sbb)
            v = sab / den if den > 0.0 else np.nan
            corr[a, b] = v
            corr[b, a] = v
    return corr


@njit(cache=True)
def corr_of_rows(z, w, idx, pairwise):
    """Weighted correlation of the resampled rows ``idx`` (exposed for testing)."""
    if pairwise:
        return _corr_pairwise_rows(z, w, idx)
    mean0 = np.zeros(z.shape[1])
    for a in range(z.shape[1]):
        for i in range(z.shape[0]):
            mean0[a] += w[i] * z[i, a]
        mean0[a] /= w.sum()
    return _corr_from_rows(z, w, idx, mean0)


@njit(cache=True)
def _one_replicate(z, w, idx, mean0, pairwise, lmg_mode, c_w, b_w, perms, out):
    if pairwise:
        corr = _corr_pairwise_rows(z, w, idx)
    else:
        corr = _corr_from_rows(z, w, idx, mean0)
    if np.isnan(corr).any():
        return
    out[:, :] = metric_rows(corr, lmg_mode, c_w, b_w, perms)


@njit(cache=True, nogil=True)
def _boot_chunk(z, w, idx, mean0, pairwise, lmg_mode, c_w, b_w, perms, out, lo, hi):
    for rep in range(lo, hi):
        _one_replicate(z, w, idx[rep], mean0, pairwise, lmg_mode, c_w, b_w, perms, out[rep])


def boot_kernel(z, w, idx, pairwise, lmg_mode, c_w, b_w, perms, advance=None):
    """Metrics of each bootstrap replicate; ``idx[b]`` are the rows drawn for replicate b.

    ``advance`` (optional) is called with the number of replicates done, as they finish.
    """
    p = z.shape[1] - 1
    out = np.full((idx.shape[0], N_METRICS, p), np.nan)
    mean0 = np.zeros(z.shape[1]) if pairwise else (w @ z) / w.sum()
    run_chunks(_boot_chunk, idx.shape[0], z, w, idx, mean0, pairwise, lmg_mode, c_w, b_w, perms,
               out, advance=advance)
    return out
