"""Compiled loops of dominance analysis over the fit of every subset (bit-mask indexed)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _conditional_sums(fits, p):
    sums = np.zeros((p, p))
    for mask in range(1 << p):
        k = 0
        mm = mask
        while mm:
            mm &= mm - 1
            k += 1
        if k == p:
            continue
        f = fits[mask]
        for j in range(p):
            if not (mask >> j) & 1:
                sums[j, k] += fits[mask | (1 << j)] - f
    return sums


def conditional_table(fits: np.ndarray, p: int) -> np.ndarray:
    """``cond[j, k]``: mean gain in fit from adding driver j to the models of k other drivers."""
    sums = _conditional_sums(fits, p)
    counts = np.array([math.comb(p - 1, k) for k in range(p)], dtype=float)
    return sums / counts[None, :]


@njit(cache=True)
def complete_counts(fits, p, tol):
    """For each pair (i, j): in how many models without either adding i beats adding j (gt) and
    the reverse (lt)."""
    gt = np.zeros((p, p))
    lt = np.zeros((p, p))
    n_pairs = p * (p - 1) // 2
    pi = np.empty(n_pairs, np.int64)
    pj = np.empty(n_pairs, np.int64)
    t = 0
    for i in range(p):
        for j in range(i + 1, p):
            pi[t] = i
            pj[t] = j
            t += 1
    for t in range(n_pairs):
        i = pi[t]
        j = pj[t]
        bi = 1 << i
        bj = 1 << j
        g = 0.0
        ll = 0.0
        for mask in range(1 << p):
            if mask & bi or mask & bj:
                continue
            d = fits[mask | bi] - fits[mask | bj]
            if d > tol:
                g += 1.0
            elif d < -tol:
                ll += 1.0
        gt[i, j] = g
        lt[i, j] = ll
        gt[j, i] = ll
        lt[j, i] = g
    return gt, lt
