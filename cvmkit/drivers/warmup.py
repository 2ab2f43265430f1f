"""Compile the driver analysis's numba kernels once, into numba's on-disk cache.

The kernels are compiled on their first call and cached (``cache=True``), so a fresh process
pays the compilation only once per installation.  ``make setup`` runs this module, so that a
user's first ``relative_importance`` in a notebook starts from a warm cache::

    python -m cvmkit.drivers.warmup
"""

from __future__ import annotations

import time

__all__ = ["warm_up"]


def warm_up(p: int = 6, n: int = 300, seed: int = 0) -> float:
    """Run each numba-compiled path once on a small synthetic data set; return the seconds.

    Covers exact LMG and the other relative-importance metrics with a bootstrap, the outranking
    probabilities, and complete and conditional dominance.

    Examples
    --------
    >>> seconds = warm_up(p=3, n=60)  # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    from .importance import conditional_dominance, dominance, relative_importance
    from .outrank import outrank_probabilities

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    frame["y"] = x @ rng.uniform(0.2, 1.0, p) + rng.normal(size=n)
    frame["w"] = rng.uniform(0.5, 1.5, n)
    drivers = [f"x{i}" for i in range(p)]
    for weights in (None, "w"):
        relative_importance(frame, "y", drivers, methods="all", weights=weights, n_boot=4,
                            seed=seed)
        outrank_probabilities(frame, "y", drivers, weights=weights, n_boot=4, seed=seed)
        dominance(frame, "y", drivers, weights=weights)
        conditional_dominance(frame, "y", drivers, weights=weights)
    return time.perf_counter() - t0


if __name__ == "__main__":  # pragma: no cover
    print(f"numba kernels of cvmkit.drivers compiled and cached in {warm_up():.1f} s")
