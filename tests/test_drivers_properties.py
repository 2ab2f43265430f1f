"""Properties of the relative-importance measures on random data (hypothesis), and the exact
LMG walk against an independent brute-force Shapley computation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmkit.drivers import (
    METHODS,
    all_subset_fits,
    lmg_exact,
    relative_importance,
    shapley_from_fits,
    shapley_sampled,
)

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def datasets(draw, min_p: int = 2, max_p: int = 6):
    """A respondent frame with correlated drivers d0..d{p-1} and an outcome y."""
    p = draw(st.integers(min_p, max_p))
    n = draw(st.integers(p + 8, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(p, p)) * draw(st.floats(0.0, 1.5))
    x = rng.normal(size=(n, p)) @ (np.eye(p) + mix)
    y = x @ rng.normal(size=p) + rng.normal(size=n) * draw(st.floats(0.2, 3.0))
    df = pd.DataFrame(x * rng.uniform(0.5, 20, p) + rng.normal(0, 5, p),
                      columns=[f"d{j}" for j in range(p)])
    df["y"] = y
    return df


def _drivers(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("d")]


def _r2(df: pd.DataFrame) -> float:
    x = np.column_stack([np.ones(len(df)), df[_drivers(df)].to_numpy()])
    y = df["y"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    e = y - x @ beta
    return 1 - (e @ e) / ((y - y.mean()) @ (y - y.mean()))


@SETTINGS
@given(datasets())
def test_lmg_and_relative_weights_sum_to_r2(df):
    t = relative_importance(df, "y", _drivers(df), methods=["lmg", "relative_weights", "pratt",
                                                             "car"])
    r2 = _r2(df)
    for m in ("lmg", "relative_weights", "pratt", "car"):
        assert t.loc[t["method"] == m, "raw"].sum() == pytest.approx(r2, abs=1e-9)
        assert t.loc[t["method"] == m, "share"].sum() == pytest.approx(100, abs=1e-7)


@SETTINGS
@given(st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_uncorrelated_drivers_every_method_is_squared_correlation(p, seed):
    rng = np.random.default_rng(seed)
    n = 40 + 5 * p
    a = rng.normal(size=(n, p))
    a -= a.mean(axis=0)
    q, _ = np.linalg.qr(a)  # centred, exactly uncorrelated columns
    df = pd.DataFrame(q * rng.uniform(1, 9, p), columns=[f"d{j}" for j in range(p)])
    df["y"] = q @ rng.normal(size=p) + rng.normal(size=n)
    t = relative_importance(df, "y", _drivers(df), methods="all")
    r = np.array([np.corrcoef(df[c], df["y"])[0, 1] for c in _drivers(df)])
    for m in METHODS:
        np.testing.assert_allclose(t.loc[t["method"] == m, "raw"], r**2, atol=1e-10,
                                   err_msg=m)


@SETTINGS
@given(datasets())
def test_general_dominance_equals_lmg(df):
    t = relative_importance(df, "y", _drivers(df), methods=["lmg", "dominance_general"])
    np.testing.assert_allclose(t.loc[t["method"] == "dominance_general", "raw"],
                               t.loc[t["method"] == "lmg", "raw"], atol=1e-12)


@SETTINGS
@given(datasets(), st.floats(-50, 50).filter(lambda s: abs(s) > 1e-2), st.floats(-100, 100))
def test_invariant_to_rescaling_a_driver(df, scale, shift):
    before = relative_importance(df, "y", _drivers(df), methods="all")
    df2 = df.copy()
    df2["d0"] = df2["d0"] * scale + shift
    after = relative_importance(df2, "y", _drivers(df), methods="all")
    np.testing.assert_allclose(after["raw"], before["raw"], atol=1e-9)


@SETTINGS
@given(datasets())
def test_weights_of_ones_change_nothing(df):
    plain = relative_importance(df, "y", _drivers(df), methods="all")
    ones = relative_importance(df, "y", _drivers(df), methods="all", weights=np.ones(len(df)))
    np.testing.assert_allclose(ones["raw"], plain["raw"], atol=1e-13)


def _brute_lmg(df: pd.DataFrame) -> np.ndarray:
    """Shapley value of R² from least-squares fits of every subset (independent of cvmkit)."""
    names = _drivers(df)
    p = len(names)
    y = df["y"].to_numpy()
    tss = (y - y.mean()) @ (y - y.mean())

    def r2(cols: tuple[int, ...]) -> float:
        x = np.column_stack([np.ones(len(df)), df[[names[c] for c in cols]].to_numpy()])
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        e = y - x @ beta
        return 1 - (e @ e) / tss

    out = np.zeros(p)
    for j in range(p):
        rest = [k for k in range(p) if k != j]
        for s in range(p):
            w = math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
            for sub in itertools.combinations(rest, s):
                out[j] += w * (r2(tuple(sorted((*sub, j)))) - r2(sub))
    return out


@settings(max_examples=10, deadline=None)
@given(datasets(min_p=1, max_p=6))
def test_exact_lmg_equals_brute_force(df):
    t = relative_importance(df, "y", _drivers(df), methods="lmg")
    np.testing.assert_allclose(t["raw"], _brute_lmg(df), atol=1e-10)


def test_parallel_walk_equals_subset_table():
    """p = 18 runs the threaded walk; the bit-mask table route must agree."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 18)) + rng.normal(size=(300, 1))
    y = x @ rng.normal(size=18) + 2 * rng.normal(size=300)
    corr = np.corrcoef(np.column_stack([x, y]).T)
    fits = all_subset_fits(corr)
    np.testing.assert_allclose(lmg_exact(corr), shapley_from_fits(fits), atol=1e-12)
    np.testing.assert_allclose(lmg_exact(corr, parallel=False), lmg_exact(corr), atol=1e-12)
    r = corr[:-1, -1]
    assert fits[-1] == pytest.approx(r @ np.linalg.solve(corr[:-1, :-1], r), abs=1e-12)


def test_sampled_shapley_is_unbiased_and_sums_to_r2():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(200, 6)) + rng.normal(size=(200, 1))
    y = x @ rng.normal(size=6) + rng.normal(size=200)
    corr = np.corrcoef(np.column_stack([x, y]).T)
    exact = lmg_exact(corr)
    est, se = shapley_sampled(corr, 4000, seed=1)
    assert est.sum() == pytest.approx(exact.sum(), abs=1e-12)
    assert (np.abs(est - exact) < 4 * se + 1e-12).all()
    assert (se > 0).all()
    again, _ = shapley_sampled(corr, 4000, seed=1)
    np.testing.assert_array_equal(est, again)


def test_beyond_exact_limit_reports_sampled_with_se():
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(150, 7)), columns=[f"d{j}" for j in range(7)])
    df["y"] = df.sum(axis=1) + rng.normal(size=150)
    t = relative_importance(df, "y", _drivers(df), methods="lmg", exact_max=5,
                            n_permutations=3000, seed=2)
    exact = relative_importance(df, "y", _drivers(df), methods="lmg")
    assert t["method"].eq("shapley_sampled").all()
    assert t["note"].str.contains("sampled Shapley").all()
    assert (t["se"] > 0).all()
    assert (np.abs(t["share"] - exact["share"]) < 4 * t["se"]).all()
    boot = relative_importance(df, "y", _drivers(df), methods="lmg", exact_max=5, n_boot=30,
                               seed=2)
    assert boot["note"].str.contains("bootstrap replicates estimate LMG").all()
    assert (boot["lower"] <= boot["upper"]).all() and boot["lower"].notna().all()


@pytest.mark.parametrize("p", [1, 2, 5, 9, 12])
def test_numpy_route_equals_compiled_walk(p):
    """Up to NUMPY_MAX drivers the subset fits are batched numpy solves; the compiled walk (used
    by the bootstrap and beyond NUMPY_MAX) must give the same R² table and the same shares."""
    from cvmkit.drivers import lmg
    from cvmkit.drivers._metrics import metric_rows, point_metric_rows

    assert p <= lmg.NUMPY_MAX
    rng = np.random.default_rng(p)
    x = rng.normal(size=(200, p)) + rng.normal(size=(200, 1))
    y = x @ rng.normal(size=p) + rng.normal(size=200)
    corr = np.corrcoef(np.column_stack([x, y]).T)
    fits = lmg._all_r2(corr)
    np.testing.assert_allclose(lmg._all_r2_numpy(corr), fits, atol=1e-12)
    c_w, b_w = lmg.shapley_weights(p)
    walk = lmg._lmg_serial(corr, c_w, b_w)
    np.testing.assert_allclose(lmg_exact(corr), walk, atol=1e-12)
    np.testing.assert_allclose(shapley_from_fits(fits), lmg._shapley_fits(fits, p, c_w, b_w),
                               atol=1e-12)
    perms = np.zeros((1, p), np.int64)
    compiled = metric_rows(corr, 1, c_w, b_w, perms)
    plain = point_metric_rows(corr, 0, c_w, b_w, perms)
    np.testing.assert_allclose(plain[1:], compiled[1:], atol=1e-12)
    np.testing.assert_allclose(compiled[0], walk, atol=1e-12)
