"""Bootstrap uncertainty for relative importance: percentile intervals and outranking odds.

Respondents are resampled with replacement, each keeping their own weight (the usual bootstrap
for survey weights: the resample is a sample of respondents, and its weighted correlations are
computed exactly as the full sample's).  Resamples are drawn by numpy's ``default_rng(seed)``, so
the same seed gives the same replicates; the replicates are then evaluated on all cores by a
compiled kernel (:func:`cvmkit.drivers._metrics.boot_kernel`).

For each driver and method the replicate shares give a percentile interval; for each pair of
drivers the share of replicates in which one has the larger share is the bootstrap probability
that it outranks the other (ties count half).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..progress import progress
from ._metrics import METHODS, METRIC_ROWS, boot_kernel
from .diagnostics import Drivers, PreparedDrivers, prepare_drivers
from .lmg import shapley_weights

__all__ = ["BOOT_EXACT_MAX", "bootstrap_importance"]

#: Replicates evaluated per kernel call (bounds the memory of the resample indices).
_CHUNK = 256
#: Most resample indices held at once (128 MB): with many respondents a kernel call gets fewer
#: replicates, so memory stays flat in n.  The draws are the same whatever the chunking.
_MAX_INDICES = 1 << 24
#: Largest number of drivers for which each bootstrap replicate gets the exact LMG (a few ms per
#: replicate); above it replicates estimate LMG from random driver orders.
BOOT_EXACT_MAX = 18


def draw_replicates(prep: PreparedDrivers, n_boot: int, seed: Any, lmg_mode: int,
                    perms: np.ndarray | None = None) -> np.ndarray:
    """Raw metrics of ``n_boot`` bootstrap replicates, shape (n_boot, 7, p) (read-only).

    The replicates of the same data, weights, seed and settings are computed once per process
    and kept (the last few): the intervals of :func:`~cvmkit.drivers.relative_importance`,
    :func:`outrank_probabilities` and the segment comparisons use the same replicates, so the
    second caller gets them without resampling again.  Without a seed nothing is kept.
    """
    if int(n_boot) < 1:
        raise DataError(f"n_boot={n_boot!r}; expected a positive number of replicates")
    p = prep.p
    if perms is None:
        perms = np.zeros((1, p), np.int64)
    z = np.ascontiguousarray(prep.z)
    w = np.ascontiguousarray(prep.w)
    pairwise = prep.missing == "pairwise"
    key = _replicates_key(z, w, perms, int(n_boot), seed, lmg_mode, pairwise)
    if key is not None and key in _REPLICATES:
        _REPLICATES.move_to_end(key)
        return _REPLICATES[key]
    rng = np.random.default_rng(seed)
    n = z.shape[0]
    c_w, b_w = shapley_weights(p)
    out = []
    left = int(n_boot)
    with progress(left, "bootstrap", unit="replicate") as advance:
        while left > 0:
            m = min(_CHUNK, left, max(8, _MAX_INDICES // max(n, 1)))
            idx = rng.integers(0, n, size=(m, n)).astype(np.int64)
            out.append(boot_kernel(z, w, idx, pairwise, lmg_mode, c_w, b_w, perms, advance))
            left -= m
    arr = np.concatenate(out, axis=0)
    arr.setflags(write=False)
    if key is not None:
        _REPLICATES[key] = arr
        while len(_REPLICATES) > _KEEP:
            _REPLICATES.popitem(last=False)
    return arr


#: Bootstrap replicates kept for reuse (see :func:`draw_replicates`), most recent last.
_REPLICATES: OrderedDict[tuple, np.ndarray] = OrderedDict()
_KEEP = 8


def _replicates_key(z: np.ndarray, w: np.ndarray, perms: np.ndarray, n_boot: int, seed: Any,
                    lmg_mode: int, pairwise: bool) -> tuple | None:
    """What determines a set of replicates; None when the seed leaves them random."""
    if isinstance(seed, np.random.SeedSequence):
        seed_key: Any = ("sequence", repr(seed.entropy), tuple(seed.spawn_key))
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        seed_key = ("int", int(seed))
    else:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for a in (z, w, perms):
        digest.update(repr(a.shape).encode())
        digest.update(a.tobytes())
    return (digest.hexdigest(), n_boot, seed_key, lmg_mode, pairwise)


def shares_of(raw: np.ndarray, method: str) -> np.ndarray:
    """Percent shares from raw values along the last axis.

    Decompositions of R² (lmg, relative weights, dominance, pratt, car) are divided by their
    sum, which is R²; the others (first, last, betasq) are normalised to sum to 100 as relaimpo's
    ``rela = TRUE`` does.
    """
    total = np.sum(raw, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * raw / total


def bootstrap_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    methods: Any = ("lmg",),
    weights: Any = None,
    n_boot: int = 1000,
    seed: int | None = None,
    missing: str = "listwise",
    exact_max: int = 28,
    n_permutations: int = 200,
) -> pd.DataFrame:
    """Bootstrap replicates of relative-importance shares, in long form.

    Parameters
    ----------
    data, outcome, drivers, weights, missing
        As for :func:`cvmkit.drivers.relative_importance`.
    methods : sequence of str
        Any of ``lmg``, ``relative_weights``, ``dominance_general`` (equal to ``lmg``),
        ``pratt``, ``betasq``, ``first``, ``last``, ``car``.
    n_boot : int
        Number of replicates.
    seed : int, optional
        Seed of the resampling; the same seed gives the same replicates.
    exact_max : int
        Above this many drivers — or above :data:`BOOT_EXACT_MAX` (18), whichever is smaller —
        each replicate's LMG is estimated from ``n_permutations`` random driver orders (the same
        orders in every replicate), which widens the intervals slightly.

    Returns
    -------
    DataFrame
        Columns ``replicate``, ``driver``, ``method``, ``raw``, ``share``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df["a"] + 0.5 * df["b"] + rng.normal(size=100)
    >>> reps = bootstrap_importance(df, "y", ["a", "b", "c"], n_boot=50, seed=1)
    >>> reps.shape
    (150, 5)
    """
    prep = prepare_drivers(data, outcome, drivers, weights=weights, missing=missing,
                           what="bootstrap")
    methods = _check_methods(methods)
    return _replicates_frame(prep, methods, n_boot, seed, exact_max, n_permutations)


def _check_methods(methods: Any) -> list[str]:
    if isinstance(methods, str):
        methods = list(METHODS) if methods == "all" else [methods]
    # "shapley_sampled" is how the importance table names LMG estimated from random orders
    # (beyond the exact size): asking for it again means asking for LMG
    methods = list(dict.fromkeys("lmg" if m == "shapley_sampled" else m for m in methods))
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise DataError(f"method(s) {', '.join(map(repr, unknown))} unknown; expected some of "
                        f"{', '.join(METHODS)}")
    return methods


def _replicates_frame(prep: PreparedDrivers, methods: list[str], n_boot: int,
                      seed: int | None, exact_max: int, n_permutations: int) -> pd.DataFrame:
    raw = replicate_raw(prep, methods, n_boot, seed, exact_max, n_permutations)
    rows = []
    for m, vals in raw.items():
        sh = shares_of(vals, m)
        b, p = vals.shape
        rows.append(pd.DataFrame({
            "replicate": np.repeat(np.arange(b), p),
            "driver": np.tile(prep.drivers, b),
            "method": m,
            "raw": vals.ravel(),
            "share": sh.ravel(),
        }))
    return pd.concat(rows, ignore_index=True)


def replicate_raw(prep: PreparedDrivers, methods: list[str], n_boot: int, seed: int | None,
                  exact_max: int, n_permutations: int) -> dict[str, np.ndarray]:
    """``{method: (n_boot, p) raw replicate values}`` for the requested methods.

    LMG is exact in each replicate up to ``min(exact_max, BOOT_EXACT_MAX)`` drivers.
    """
    wants_lmg = any(m in ("lmg", "dominance_general", "shapley_sampled") for m in methods)
    perms = None
    lmg_mode = 0
    if wants_lmg:
        if prep.p <= min(exact_max, BOOT_EXACT_MAX):
            lmg_mode = 1
        else:
            lmg_mode = 2
            rng = np.random.default_rng(seed)  # the orders: the same in every replicate
            perms = np.argsort(rng.random((int(n_permutations), prep.p)), axis=1)
            perms = perms.astype(np.int64)
    arr = draw_replicates(prep, n_boot, seed, lmg_mode, perms)
    out = {}
    for m in methods:
        key = "lmg" if m in ("dominance_general", "shapley_sampled") else m
        out[m] = arr[:, METRIC_ROWS[key], :]
    return out


def outrank_matrix(shares: np.ndarray) -> np.ndarray:
    """``P[i, j]`` = share of replicates with driver i's share above j's (ties count half)."""
    s = shares[:, :, None]
    t = shares[:, None, :]
    ok = ~(np.isnan(s) | np.isnan(t))
    gt = ((s > t) & ok).sum(axis=0) + 0.5 * ((s == t) & ok).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return gt / ok.sum(axis=0)
