"""Exact LMG and bootstrap timings, side by side with pingouin, on the same data.

Run with ``.venv/bin/python benchmarks/bench_drivers.py`` (``make bench`` runs it).  Prints:

* exact LMG (``relative_importance(methods="lmg")``: checks, weighted correlations and the
  compiled subset walk) for p = 8 … 26 drivers at n = 5,000, best of a few runs, next to
  pingouin's ``linear_regression(relimp=True)`` where it finishes (p ≤ 16) and the ratio, with the
  largest difference between the two results;
* the bootstrap (B = 1,000) at p = 12, LMG alone and all eight methods;
* peak resident memory of a fresh process computing exact LMG at p = 24 (and its baseline after
  imports);
* the first call in this process, which loads the compiled kernels from numba's cache (or
  compiles them when there is no cache yet), reported apart from the timings.

R's relaimpo timings quoted for scale are those the driver-regression issue reports for this
machine (about 0.4 s at p = 12, 4.4 s at p = 16, 75 s at p = 20); R is not run here.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

N = 5000
RELAIMPO_QUOTED = {12: 0.4, 16: 4.4, 20: 75.0}


def make_data(p: int, n: int = N, seed: int = 1) -> tuple[pd.DataFrame, list[str]]:
    """Ratings-like drivers sharing a halo factor, and an outcome driven by all of them."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=(n, 1))
    x = 0.8 * halo + rng.normal(size=(n, p))
    y = x @ rng.uniform(0.1, 1.0, p) + 2.0 * rng.normal(size=n)
    cols = [f"x{j:02d}" for j in range(p)]
    df = pd.DataFrame(x, columns=cols)
    df["y"] = y
    return df, cols


def best_of(fn, repeats: int) -> tuple[float, object]:
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _peak_child(p: int, queue) -> None:
    from cvmkit.drivers import relative_importance

    df, cols = make_data(p)
    relative_importance(df.head(200), "y", cols[:4], methods="lmg")  # load kernels
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    relative_importance(df, "y", cols, methods="lmg")
    secs = time.perf_counter() - t0
    queue.put((base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, secs))


def main() -> None:
    import pingouin as pg

    from cvmkit.drivers import relative_importance

    warnings.simplefilter("ignore")
    print(f"cvmkit exact LMG vs pingouin linear_regression(relimp=True), n = {N:,}")
    df, cols = make_data(8)
    t0 = time.perf_counter()
    relative_importance(df, "y", cols, methods="all", n_boot=10, seed=0)
    first = time.perf_counter() - t0
    print(f"first call (numba cache load or compile, excluded below): {first:.2f} s\n")

    rows = []
    for p in (8, 12, 16, 20, 24, 26):
        df, cols = make_data(p)
        reps = 5 if p <= 20 else 3
        ours, table = best_of(
            lambda df=df, cols=cols: relative_importance(df, "y", cols, methods="lmg"), reps)
        assert (table["method"] == "lmg").all(), "expected the exact LMG"
        row = {"p": p, "cvmkit_s": ours, "pingouin_s": np.nan, "ratio": np.nan,
               "max_abs_diff": np.nan, "relaimpo_quoted_s": RELAIMPO_QUOTED.get(p, np.nan)}
        if p <= 16:
            theirs, res = best_of(
                lambda df=df, cols=cols: pg.linear_regression(df[cols], df["y"], relimp=True),
                2 if p <= 12 else 1)
            rel = res.set_index("names")["relimp"].reindex(cols)
            row.update(pingouin_s=theirs, ratio=theirs / ours,
                       max_abs_diff=float(np.abs(rel.to_numpy() - table["raw"].to_numpy()).max()))
        rows.append(row)
        print(f"  p = {p:2d}: cvmkit {ours:8.4f} s"
              + (f"   pingouin {row['pingouin_s']:8.3f} s   ratio {row['ratio']:8.0f}x"
                 f"   max |diff| {row['max_abs_diff']:.1e}" if p <= 16 else ""), flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
        print("\n" + table.to_string(index=False))

    df, cols = make_data(12)
    boot_lmg, _ = best_of(lambda: relative_importance(df, "y", cols, methods="lmg",
                                                      n_boot=1000, seed=1), 3)
    boot_all, _ = best_of(lambda: relative_importance(df, "y", cols, methods="all",
                                                      n_boot=1000, seed=1), 3)
    print(f"\nbootstrap B = 1,000 at p = 12, n = {N:,}: LMG {boot_lmg:.2f} s; "
          f"all eight methods {boot_all:.2f} s")

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_peak_child, args=(24, q))
    proc.start()
    base, peak, secs = q.get()
    proc.join()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    print(f"peak memory, exact LMG at p = 24 in a fresh process: {peak * scale / 2**20:.0f} MiB "
          f"(after imports and data: {base * scale / 2**20:.0f} MiB; run {secs:.2f} s)")
    print("targets: p = 20 < 1 s, p = 24 < 30 s, < 2 GB, >= 50x pingouin at p = 16, "
          "bootstrap < 10 s")


if __name__ == "__main__":
    main()
