"""Compiled kernels: R² of every subset of drivers, exact LMG/Shapley shares, sampled Shapley.

Why our own code: the reference implementation (R relaimpo) and the Python peers (pingouin's
``linear_regression(relimp=True)``, dominance-analysis packages) refit a regression for every
subset, which is O(2^p · p³) and stops being usable near p = 16–20.  Here the R² of every subset
comes from one depth-first walk of the subset tree over the driver correlation matrix.

The walk
--------
Write the correlation matrix of the drivers and the outcome (the outcome last, index ``p``) as
``C``.  For a set ``S`` of drivers, the Schur complement ``C/S`` (the partial covariance matrix
of the remaining variables given ``S``) holds everything needed below ``S``: its outcome entry is
the residual variance, so ``R²(S) = 1 - (C/S)[y, y]``, and for a driver ``j`` outside ``S``

    R²(S ∪ {j}) = R²(S) + (C/S)[j, y]² / (C/S)[j, j].

Taking ``j`` into ``S`` is one step of a right-looking Cholesky factorisation: the new column of
the factor is ``(C/S)[:, j] / sqrt((C/S)[j, j])`` and the Schur complement shrinks by its outer
product.  The tree visits each subset once, children adding a driver with a larger index than
any in the parent, so a child reuses its parent's (already factored) complement.  A node's
children get their R² in O(1) each from the parent's complement; only a child that has children
of its own needs its complement built, in O(c²) for its c remaining candidates.  Since few
subsets have many candidates, the whole walk costs O(2^p) arithmetic (not O(2^p · p)) and
O(p³) memory — nothing of size 2^p is stored.

Shapley weighting without storing 2^p values
--------------------------------------------
With ``w(s) = s! (p - s - 1)! / p!``, the LMG share of driver j is

    LMG_j = Σ_{S ∌ j} w(|S|) [R²(S ∪ {j}) - R²(S)]
          = Σ_{S ∋ j} (a + b)_{|S|} R²(S) - Σ_S b_{|S|} R²(S)

with ``a_k = w(k - 1)`` and ``b_k = w(k)`` (``b_p = 0``).  The second sum is one running total.
The sets containing j are exactly the subtrees rooted where the walk added j, so the first sum
is the sum of those subtrees' weighted totals, accumulated as the walk climbs back up.

Parallelism: the first ``d`` drivers' in/out choices split the tree into ``2^d`` equal tasks,
run over all cores by threads calling the compiled walk with the GIL released (cheaper to
compile than numba's ``parallel=True`` and as fast here).

Beyond the exact size, :func:`shapley_sampled` averages marginal contributions over random driver
orders (each order evaluated with the same Schur-complement steps), and reports the Monte-Carlo
standard error of each share.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
from numba import njit

__all__ = [
    "NUMPY_MAX",
    "all_subset_fits",
    "lmg_exact",
    "shapley_from_fits",
    "shapley_sampled",
    "shapley_weights",
]


#: Up to this many drivers the 2^p subset regressions are solved in batches by plain numpy: a
#: few milliseconds, and no kernel to compile, so a fresh process's first call is instant.
NUMPY_MAX = 12


def shapley_weights(p: int) -> tuple[np.ndarray, np.ndarray]:
    """The per-size weights ``(a + b, b)`` of the subset form of the Shapley value.

    ``w(s) = s! (p - s - 1)! / p! = 1 / (p · C(p - 1, s))`` is the weight of a marginal
    contribution to a set of size ``s``; ``a_k = w(k - 1)``, ``b_k = w(k)`` with ``b_p = 0``.
    Returned as two arrays indexed by subset size ``0..p``.
    """
    w = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)])
    a = np.zeros(p + 1)
    b = np.zeros(p + 1)
    a[1:] = w
    b[:p] = w
    return a + b, b


@njit(cache=True, inline="always")
def _sweep(src, dst, j, lo, p):
    """Schur complement of pivot ``j`` over indices ``lo..p`` (upper triangle only)."""
    piv = src[j, j]
    for a in range(lo, p + 1):
        f = src[j, a] / piv
        for b in range(a, p + 1):
            dst[a, b] = src[a, b] - f * src[j, b]


@njit(cache=True, nogil=True)
def _lmg_task(corr, prefix_mask, d, c_w, b_w, t_out):
    """Walk the subsets ``S0 ∪ T`` (``S0`` = bits of ``prefix_mask`` below ``d``, ``T`` ⊆ d..p-1).

    Adds ``Σ_{S ∋ j} c_{|S|} R²(S)`` over the task's subsets to ``t_out[j]`` and returns the
    task's ``Σ_S b_{|S|} R²(S)``.
    """
    p = corr.shape[0] - 1
    depth = p - d + 1
    mats = np.empty((depth, p + 1, p + 1))
    last = np.empty(depth, np.int64)
    nxt = np.empty(depth, np.int64)
    acc = np.empty(depth)  # c-weighted total of the subtree below each open node
    gacc = np.empty(depth)  # b-weighted total, summed along the tree too (for accuracy)
    # Schur complement of the prefix set.
    m0 = mats[0]
    for a in range(p + 1):
        for b in range(p + 1):
            m0[a, b] = corr[a, b]
    s0 = 0
    for j in range(d):
        if (prefix_mask >> j) & 1:
            _sweep(m0, m0, j, j + 1, p)
            s0 += 1
    r2 = 1.0 - m0[p, p]
    acc[0] = c_w[s0] * r2
    gacc[0] = b_w[s0] * r2
    last[0] = d - 1
    nxt[0] = d
    k = 0
    while True:
        if nxt[k] < p:
            j = nxt[k]
            nxt[k] = j + 1
            m = mats[k]
            mjy = m[j, p]
            r2c = 1.0 - (m[p, p] - mjy * mjy / m[j, j])
            size = s0 + k + 1
            if j == p - 1:  # a leaf: no candidates below it
                val = c_w[size] * r2c
                t_out[j] += val
                acc[k] += val
                gacc[k] += b_w[size] * r2c
            else:
                _sweep(m, mats[k + 1], j, j + 1, p)
                k += 1
                last[k] = j
                nxt[k] = j + 1
                acc[k] = c_w[size] * r2c
                gacc[k] = b_w[size] * r2c
        else:
            if k == 0:
                break
            val = acc[k]
            t_out[last[k]] += val
            acc[k - 1] += val
            gacc[k - 1] += gacc[k]
            k -= 1
    total = acc[0]
    for j in range(d):
        if (prefix_mask >> j) & 1:
            t_out[j] += total
    return gacc[0]


def n_workers() -> int:
    """Threads used by the compiled kernels: ``CVMKIT_THREADS`` or the number of cores."""
    env = os.environ.get("CVMKIT_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def run_chunks(kernel: Callable[..., None], n_items: int, *args,
               advance: Callable[[int], None] | None = None) -> None:
    """Call ``kernel(*args, lo, hi)`` over contiguous slices of ``range(n_items)`` on all cores.

    ``kernel`` must be compiled with ``nogil=True`` and write its results into arrays in
    ``args``; each item's result is independent of the split, so the output does not depend on
    the number of threads.  ``advance``, when given, is called with the number of items of each
    slice as it finishes (the work is then cut into about 20 slices, for a progress bar).
    """
    k = min(n_workers(), n_items)
    pieces = k if advance is None else min(n_items, max(k, 20))
    if pieces <= 1:
        kernel(*args, 0, n_items)
        if advance is not None:
            advance(n_items)
        return
    bounds = np.linspace(0, n_items, pieces + 1).astype(int)
    with ThreadPoolExecutor(max_workers=max(k, 1)) as pool:
        futures = {pool.submit(kernel, *args, int(lo), int(hi)): int(hi - lo)
                   for lo, hi in zip(bounds[:-1], bounds[1:])}
        for f in as_completed(futures):
            f.result()
            if advance is not None:
                advance(futures[f])


@njit(cache=True, nogil=True)
def _lmg_tasks(corr, d, c_w, b_w, t_all, g_all, lo, hi):
    for t in range(lo, hi):
        g_all[t] = _lmg_task(corr, t, d, c_w, b_w, t_all[t])


def _lmg_parallel(corr, d, c_w, b_w):
    p = corr.shape[0] - 1
    n_tasks = 1 << d
    t_all = np.zeros((n_tasks, p))
    g_all = np.zeros(n_tasks)
    run_chunks(_lmg_tasks, n_tasks, corr, d, c_w, b_w, t_all, g_all)
    return t_all.sum(axis=0) - g_all.sum()


@njit(cache=True)
def _lmg_serial(corr, c_w, b_w):
    p = corr.shape[0] - 1
    t = np.zeros(p)
    g = _lmg_task(corr, 0, 0, c_w, b_w, t)
    return t - g


def lmg_exact(corr: np.ndarray, parallel: bool = True) -> np.ndarray:
    """Exact LMG (Shapley) decomposition of R² from a correlation matrix.

    Parameters
    ----------
    corr : ndarray, shape (p + 1, p + 1)
        Correlation (or covariance) matrix of the drivers followed by the outcome (last row and
        column).  Must be positive definite.
    parallel : bool
        Split the walk over all cores (used from p = 16; below that one core takes a few
        milliseconds).

    Returns
    -------
    ndarray, shape (p,)
        Each driver's share of R²; the shares sum to the full model's R².

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.3], [0.5, 0.3, 1.0]])
    >>> np.round(lmg_exact(c), 6)   # uncorrelated drivers: the squared correlations
    array([0.25, 0.09])
    """
    corr = _as_corr(corr)
    p = corr.shape[0] - 1
    if p <= NUMPY_MAX:
        return _shapley_fits_numpy(_all_r2_numpy(corr), p)
    c_w, b_w = shapley_weights(p)
    if parallel and p >= 16:
        d = min(8, p - 6)
        return _lmg_parallel(corr, d, c_w, b_w)
    return _lmg_serial(corr, c_w, b_w)


def _as_corr(cov: np.ndarray) -> np.ndarray:
    """Rescale a covariance matrix to a correlation matrix (float64, C-contiguous)."""
    cov = np.ascontiguousarray(cov, dtype=np.float64)
    s = np.sqrt(np.diag(cov))
    return np.ascontiguousarray(cov / np.outer(s, s))


@njit(cache=True)
def _all_r2(corr):
    """R² of every subset, indexed by bit mask (bit j = driver j)."""
    p = corr.shape[0] - 1
    out = np.zeros(1 << p)
    mats = np.empty((p + 1, p + 1, p + 1))
    last = np.empty(p + 1, np.int64)
    nxt = np.empty(p + 1, np.int64)
    masks = np.empty(p + 1, np.int64)
    m0 = mats[0]
    for a in range(p + 1):
        for b in range(p + 1):
            m0[a, b] = corr[a, b]
    last[0] = -1
    nxt[0] = 0
    masks[0] = 0
    k = 0
    while True:
        if nxt[k] < p:
            j = nxt[k]
            nxt[k] = j + 1
            m = mats[k]
            mjy = m[j, p]
            mask = masks[k] | (1 << j)
            out[mask] = 1.0 - (m[p, p] - mjy * mjy / m[j, j])
            if j < p - 1:
                _sweep(m, mats[k + 1], j, j + 1, p)
                k += 1
                last[k] = j
                nxt[k] = j + 1
                masks[k] = mask
        else:
            if k == 0:
                break
            k -= 1
    return out


def all_subset_fits(corr: np.ndarray) -> np.ndarray:
    """R² of the regression on every subset of drivers, indexed by bit mask.

    Element ``m`` is the R² of the drivers whose bits are set in ``m`` (bit ``j`` = driver
    ``j``); element 0 is 0.  Memory grows as 2^p (8 MB at p = 20).
    """
    corr = _as_corr(corr)
    if corr.shape[0] - 1 <= NUMPY_MAX:
        return _all_r2_numpy(corr)
    return _all_r2(corr)


def _all_r2_numpy(corr: np.ndarray) -> np.ndarray:
    """:func:`_all_r2` by batched linear solves, one batch per subset size (small p)."""
    p = corr.shape[0] - 1
    rxx, rxy = corr[:p, :p], corr[:p, p]
    out = np.zeros(1 << p)
    for k in range(1, p + 1):
        sets = np.array(list(itertools.combinations(range(p), k)), dtype=np.int64)
        r_s = rxy[sets]
        beta = np.linalg.solve(rxx[sets[:, :, None], sets[:, None, :]], r_s[:, :, None])
        out[(1 << sets).sum(axis=1)] = np.einsum("sk,sk->s", r_s, beta[:, :, 0])
    return out


def _shapley_fits_numpy(fits: np.ndarray, p: int) -> np.ndarray:
    """:func:`_shapley_fits` as array arithmetic (small p: the 2^p × p membership table)."""
    c_w, b_w = shapley_weights(p)
    member = (np.arange(1 << p)[:, None] >> np.arange(p)) & 1
    size = member.sum(axis=1)
    return (c_w[size] * fits) @ member - (b_w[size] * fits).sum()


@njit(cache=True)
def _shapley_fits(fits, p, c_w, b_w):
    t = np.zeros(p)
    g = 0.0
    for mask in range(1, 1 << p):
        f = fits[mask]
        k = 0
        mm = mask
        while mm:
            mm &= mm - 1
            k += 1
        g += b_w[k] * f
        cf = c_w[k] * f
        for j in range(p):
            if (mask >> j) & 1:
                t[j] += cf
    return t - g


def shapley_from_fits(fits: np.ndarray) -> np.ndarray:
    """Shapley decomposition of any fit index given for every subset (bit-mask indexed).

    ``fits[0]`` must be the fit of the empty model (0 for R² and McFadden's pseudo-R²).
    """
    fits = np.ascontiguousarray(fits, dtype=np.float64)
    p = int(round(math.log2(fits.size)))
    if 1 << p != fits.size:
        raise ValueError(f"fits has {fits.size} elements, not a power of two")
    if p <= NUMPY_MAX:
        return _shapley_fits_numpy(fits - fits[0], p)
    c_w, b_w = shapley_weights(p)
    return _shapley_fits(fits - fits[0], p, c_w, b_w)


@njit(cache=True, nogil=True)
def _sampled_chunk(corr, perms, contrib, lo, hi):
    p = perms.shape[1]
    for r in range(lo, hi):
        m = corr.copy()
        order = perms[r]
        free = np.ones(p + 1, np.bool_)
        prev = 0.0
        for step in range(p):
            j = order[step]
            piv = m[j, j]
            mjy = m[j, p]
            r2 = prev + mjy * mjy / piv
            contrib[r, j] = r2 - prev
            prev = r2
            free[j] = False
            if step < p - 1:
                # Schur complement of pivot j over the still-free variables and the outcome.
                for a in range(p + 1):
                    if not free[a]:
                        continue
                    f = m[j, a] / piv
                    for b in range(a, p + 1):
                        if free[b]:
                            v = m[a, b] - f * m[j, b]
                            m[a, b] = v
                            m[b, a] = v


def shapley_sampled(corr: np.ndarray, n_permutations: int = 2000,
                    seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shapley decomposition of R² estimated from random driver orders.

    Each order adds the drivers one at a time and credits each with the R² it adds; the average
    over orders is an unbiased estimate of the exact LMG share, and the standard deviation over
    orders divided by the square root of their number is its Monte-Carlo standard error.  Each
    order's credits sum to the full R², so the estimates do too.

    Returns
    -------
    estimate, se : ndarray, shape (p,)
    """
    corr = _as_corr(corr)
    p = corr.shape[0] - 1
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((int(n_permutations), p)), axis=1).astype(np.int64)
    contrib = np.zeros(perms.shape)
    run_chunks(_sampled_chunk, perms.shape[0], corr, perms, contrib)
    est = contrib.mean(axis=0)
    se = contrib.std(axis=0, ddof=1) / np.sqrt(contrib.shape[0])
    return est, se
