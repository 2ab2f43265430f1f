"""Notebook 03's driver analyses as the number of respondents grows.

Run with ``.venv/bin/python benchmarks/bench_drivers_scale.py [N ...] [--run-dir DIR ...]``.
For each size (10,000 and 100,000 respondents by default) it simulates the demo study with that
many respondents and times, one by one, the calls notebook 03 makes on the data (with its
defaults: all methods, ``n_boot=200``), the figures included (drawn with the Agg backend, not
written).  ``--run-dir`` times the clean data of a finished run instead (its ``clean.parquet``
and ``study.json``, as notebook 01 wrote them).  It prints one column of seconds per size and,
for two sizes or more, the ratio of the largest size's time to the smallest's: a step linear in
the respondents shows a ratio near the ratio of the sizes, or below it.

The first call of each compiled kernel is paid before the timings (one small warm-up run).
"""

from __future__ import annotations

import argparse
import inspect
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from cvmkit import drivers, needs, plots  # noqa: E402
from cvmkit.errors import CvmkitWarning  # noqa: E402

N_BOOT = 200
SEED = 2026


def simulated(n: int) -> tuple[pd.DataFrame, object]:
    """The demo study simulated with ``n`` respondents, read as notebook 01 reads it."""
    from cvmkit.io.readers import load_study_data
    from cvmkit.simulate import write_demo
    from cvmkit.study import load_study

    out = Path(tempfile.mkdtemp(prefix=f"cvmkit-bench-{n}-"))
    paths = write_demo(out, n=n)
    return load_study_data(load_study(paths["study"]))


def from_run(run_dir: str) -> tuple[pd.DataFrame, object]:
    from cvmkit.io import read_clean

    return read_clean(run_dir)


def _seeded(fn) -> dict:
    # the seed of a subsample, where the function draws one
    return {"seed": SEED} if "seed" in inspect.signature(fn).parameters else {}


def steps(data: pd.DataFrame, study) -> list[tuple[str, object]]:
    """``(name, thunk)`` for each call of notebook 03, in the notebook's order."""
    perf = study.performance_columns()
    y = study.outcome_column(study.overall_outcome, study.brand)
    w = study.weight_column if study.weight_column in data.columns else None
    scale = study.outcome_scale(study.overall_outcome)
    tb = scale.max - 1
    seg = next((s for s in study.segments
                if s in data.columns and data[s].nunique(dropna=True) >= 2), None)
    memo: dict[str, object] = {}

    def keep(name, fn):
        def thunk():
            memo[name] = fn()
        return thunk

    def stated_derived():
        st = needs.stated_importance(data, study.importance_columns(), weights=w)
        lmg = memo["importance"]
        lmg = lmg[lmg["method"] == "lmg"].set_index("driver")["share"]
        der = lmg.rename("derived").rename_axis("attribute").reset_index()
        memo["svd"] = needs.stated_vs_derived(st[["attribute", "stated"]].merge(der,
                                                                                on="attribute"))

    def figures():
        axes = [plots.plot_coefficients(memo["coefs"]),
                plots.plot_importance(memo["importance"], method="lmg"),
                plots.plot_method_comparison(memo["importance"]),
                plots.plot_outrank(memo["outrank"]),
                plots.plot_conditional_dominance(memo["cond"]),
                plots.plot_stated_derived(memo["svd"])]
        if seg is not None:
            axes += [plots.plot_segment_shares(memo["seg_imp"]),
                     plots.plot_segment_differences(memo["seg_diff"])]
        for ax in axes:
            ax.figure.canvas.draw()
            plt.close(ax.figure)

    out = [
        ("collinearity", keep("vif", lambda: drivers.collinearity(data, perf, weights=w))),
        ("ols_coefficients", keep("coefs", lambda: drivers.ols_coefficients(
            data, y, perf, weights=w))),
        ("prepare_drivers (correlations)", lambda: drivers.prepare_drivers(
            data, y, perf, weights=w, what="correlations")),
        ("relative_importance, all, B=200", keep("importance", lambda: drivers.relative_importance(
            data, y, perf, methods="all", weights=w, n_boot=N_BOOT, seed=SEED))),
        ("outrank_probabilities, B=200", keep("outrank", lambda: drivers.outrank_probabilities(
            data, y, perf, weights=w, n_boot=N_BOOT, seed=SEED))),
        ("dominance", lambda: drivers.dominance(data, y, perf, weights=w)),
        ("conditional_dominance", keep("cond", lambda: drivers.conditional_dominance(
            data, y, perf, weights=w))),
        ("ordered_logit_coefficients", lambda: drivers.ordered_logit_coefficients(
            data, y, perf, weights=w)),
        ("logit_coefficients", lambda: drivers.logit_coefficients(
            data, y, perf, top_box=tb, weights=w)),
        ("logit_dominance", lambda: drivers.logit_dominance(
            data, y, perf, top_box=tb, weights=w, **_seeded(drivers.logit_dominance))),
    ]
    if seg is not None:
        out += [
            ("segment_importance, B=200", keep("seg_imp", lambda: drivers.segment_importance(
                data, y, perf, seg, methods=["lmg"], weights=w, n_boot=N_BOOT, seed=SEED))),
            ("compare_segments, B=200", keep("seg_diff", lambda: drivers.compare_segments(
                data, y, perf, seg, weights=w, n_boot=N_BOOT, seed=SEED))),
        ]
    out += [
        ("stated vs derived", stated_derived),
        ("explorer redraw (lmg, no bootstrap)", lambda: drivers.relative_importance(
            data, y, perf, methods=["lmg"], weights=w)),
        ("figures", figures),
    ]
    return out


def time_all(data: pd.DataFrame, study) -> dict[str, float]:
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        for name, thunk in steps(data, study):
            t0 = time.perf_counter()
            thunk()
            times[name] = time.perf_counter() - t0
    times["total"] = sum(times.values())
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--run-dir", action="append", default=[],
                    help="time a finished run's clean data instead of simulating")
    args = ap.parse_args()
    time_all(*simulated(1200))  # warm-up: load (or compile) the kernels
    sources = ([(f"{Path(d).name}", lambda d=d: from_run(d)) for d in args.run_dir]
               or [(f"n={n:,}", lambda n=n: simulated(n)) for n in args.sizes])
    cols = {}
    for label, load in sources:
        data, study = load()
        label = f"{label} ({len(data):,})" if args.run_dir else label
        print(f"timing {label} …", flush=True)
        cols[label] = time_all(data, study)
    table = pd.DataFrame(cols)
    if table.shape[1] > 1:
        table["ratio"] = table.iloc[:, -1] / table.iloc[:, 0]
    with pd.option_context("display.float_format", "{:,.2f}".format, "display.width", 160,
                           "display.max_columns", None):
        print(table)


if __name__ == "__main__":
    main()
