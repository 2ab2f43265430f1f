"""A small two-wave study with planted changes, for checking the wave comparisons.

One brand is rated on ``p`` attributes (1–10) in two waves of equal size; the overall rating is a
weighted sum of the standardised ratings plus noise.  Two things may change between the waves:
one attribute's mean rating (``performance_change``) and one attribute's weight in the overall
rating (``weight_change``, the factor its weight is multiplied by in wave 2).  With neither,
nothing changes and every flagged difference is a false positive — the rate the tests hold at
the nominal level.  Shares of importance sum to 100 %, so a driver that gains weight takes its
gain from the others: each of them loses a little, spread over all ``p - 1``.

Examples
--------
>>> df, truth = simulate_waves(n=200, seed=1)
>>> sorted(df["wave"].unique().tolist()), truth["performance_change"]
([1, 2], ['a1', 0.8])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_waves"]


def simulate_waves(n: int = 800, p: int = 8, seed: int = 0,
                   performance_change: tuple[str, float] | None = ("a1", 0.8),
                   weight_change: tuple[str, float] | None = ("a2", 2.0)
                   ) -> tuple[pd.DataFrame, dict]:
    """Simulate the two waves.

    Parameters
    ----------
    n : int
        Respondents in all (half per wave).
    p : int
        Attributes ``a0`` … ``a{p-1}``; their ratings are columns of the same names.
    seed : int
    performance_change : (attribute, shift) or None
        The attribute whose mean rating moves by ``shift`` points in wave 2.
    weight_change : (attribute, factor) or None
        The attribute whose weight in the overall rating is multiplied by ``factor`` in wave 2.

    Returns
    -------
    data : DataFrame
        ``wave``, ``a0`` … , ``overall``.
    truth : dict
        The planted changes and each wave's weights.
    """
    rng = np.random.default_rng(seed)
    names = [f"a{j}" for j in range(p)]
    wave = np.repeat([1, 2], [n // 2, n - n // 2])
    base = np.linspace(1.0, 0.5, p)
    weights = {1: base.copy(), 2: base.copy()}
    if weight_change is not None:
        weights[2][names.index(weight_change[0])] *= weight_change[1]
    shared = rng.normal(0, 0.8, n)  # a halo: ratings are correlated as real ones are
    data = {"wave": wave}
    z = np.empty((n, p))
    for j, a in enumerate(names):
        mu = np.full(n, 6.5)
        if performance_change is not None and a == performance_change[0]:
            mu = mu + np.where(wave == 2, performance_change[1], 0.0)
        latent = mu + shared + rng.normal(0, 1.5, n)
        x = np.clip(np.rint(latent), 1, 10)
        data[a] = x
        z[:, j] = (x - 6.5) / 1.7
    w_row = np.where((wave == 1)[:, None], weights[1], weights[2])
    data["overall"] = np.clip(np.rint(6.5 + (w_row * z).sum(axis=1)
                                      + rng.normal(0, 1.0, n)), 1, 10)
    truth = {"performance_change": list(performance_change) if performance_change else None,
             "weight_change": list(weight_change) if weight_change else None,
             "weights": {w: dict(zip(names, v.round(6).tolist())) for w, v in weights.items()}}
    return pd.DataFrame(data), truth
