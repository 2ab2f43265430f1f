"""The bootstrap odds that one driver outranks another (from the replicates behind the
importance intervals)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .bootstrap import _check_methods, outrank_matrix, replicate_raw, shares_of
from .diagnostics import Drivers, prepare_drivers
from .importance import relative_importance

__all__ = ["outrank_probabilities"]


def outrank_probabilities(
    data: pd.DataFrame,
    outcome: str,
    drivers: Drivers,
    *,
    method: str = "lmg",
    weights: Any = None,
    n_boot: int = 1000,
    seed: int | None = None,
    missing: str = "listwise",
    exact_max: int = 28,
    n_permutations: int = 200,
) -> pd.DataFrame:
    """Bootstrap probability that each driver outranks each other driver.

    With the same ``seed`` and ``n_boot`` the replicates are those behind the intervals of
    :func:`cvmkit.drivers.relative_importance`.

    Returns
    -------
    DataFrame
        One row per ordered pair: ``driver``, ``other``, ``method``, ``p_outrank`` (share of
        replicates in which ``driver`` has the larger share; ties count half), ``share`` and
        ``other_share`` (the point estimates).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df["a"] + 0.2 * df["b"] + rng.normal(size=200)
    >>> t = outrank_probabilities(df, "y", ["a", "b"], n_boot=100, seed=0)
    >>> float(t.loc[t.driver == "a", "p_outrank"].iloc[0])
    1.0
    """
    prep = prepare_drivers(data, outcome, drivers, weights=weights, missing=missing,
                           what="outrank probabilities")
    method = _check_methods([method])[0]
    raw = replicate_raw(prep, [method], n_boot, seed, exact_max, n_permutations)[method]
    prob = outrank_matrix(shares_of(raw, method))
    point = relative_importance(data, outcome, drivers, methods=[method], weights=weights,
                                missing=missing, exact_max=exact_max, _prepared=prep)
    share = dict(zip(point["driver"], point["share"]))
    rows = []
    names = prep.drivers
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                rows.append((a, b, method, float(prob[i, j]), share[a], share[b]))
    return pd.DataFrame(rows, columns=["driver", "other", "method", "p_outrank", "share",
                                       "other_share"])
